'use strict'
// structured-data-testing-tool (sdtt) on built pages, for tests/test_structured_data.py: for each
// file and each preset (Google, Twitter, Facebook), the tests that passed, failed and warned,
// printed as one JSON object on stdout.   Usage: node tests/sdtt.js FILE...
const fs = require('fs')
const { structuredDataTest } = require('structured-data-testing-tool')
const presets = require('structured-data-testing-tool/presets')

const PRESETS = ['Google', 'Twitter', 'Facebook']
const describe = (test) => ({
  group: test.group,
  groups: test.groups || [],
  description: test.description,
  test: test.test,
  type: test.type,
  error: test.error ? test.error.message : null,
})
const summary = (res) => ({
  schemas: res.schemas,
  passed: res.passed.map(describe),
  failed: res.failed.map(describe),
  warnings: res.warnings.map(describe),
})

;(async () => {
  const results = {}
  for (const file of process.argv.slice(2)) {
    results[file] = {}
    for (const name of PRESETS) {
      let res
      try {
        // A Buffer: sdtt would take a string for a URL to fetch.
        res = await structuredDataTest(fs.readFileSync(file), { presets: [presets[name]] })
      } catch (error) {
        if (error.type !== 'VALIDATION_FAILED') throw error
        res = error.res // some tests failed: the results are still all there
      }
      results[file][name] = summary(res)
    }
  }
  process.stdout.write(JSON.stringify(results))
})().catch((error) => {
  console.error(error)
  process.exit(2)
})
