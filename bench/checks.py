#!/usr/bin/env python3
"""The content checks' share of a build: the same corpus built with and without the
content_checks plugin, alternately, each cold (a CACHE_PATH of its own) in a fresh process.

Prints the median wall time and the median CPU time (user + system of the build's processes,
which other work on the machine inflates far less than wall time), and the checks' share of the
build. Both builds leave the search index out (it is the same work in both).

Usage: .venv/bin/python bench/checks.py [articles=1000] [runs=3]
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from rebalance.build import DEV_SETTINGS, ROOT, pelican_args, read
from rebalance.corpus import make_corpus
from rebalance.measure import arguments, load, medians, overrides_for, timed

CHECKS = "rebalance.plugins.content_checks"


def build(content: Path, output: Path, cache: Path, checks: bool) -> tuple[float, float]:
    """(wall, CPU) seconds of one cold `python -m pelican` build, with or without the checks."""
    overrides = overrides_for(content, cache, search=False)
    if not checks:
        overrides["PLUGINS"] = [p for p in read(DEV_SETTINGS)["PLUGINS"] if p != CHECKS]
    command = [sys.executable, "-m", "pelican", *pelican_args(DEV_SETTINGS, output, overrides),
               "-q"]  # fmt: skip
    return timed(subprocess.run, command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)


def main() -> None:
    articles, runs = arguments(1000, 3)
    if CHECKS not in read(DEV_SETTINGS)["PLUGINS"]:
        sys.exit(f"{CHECKS} is not in PLUGINS: nothing to compare")
    print(f"bench/checks.py {articles} articles, {runs} runs; {load()}")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        content = make_corpus(tmp / "content", articles)
        times: dict[bool, list[tuple[float, float]]] = {True: [], False: []}
        for run in range(runs):
            for checks in (True, False):
                cache = tmp / f"cache-{checks}-{run}"  # empty: a cold build
                times[checks].append(build(content, tmp / f"out-{checks}", cache, checks))
    print(f"{articles} varied articles, median of {runs} cold builds each")
    median = {checks: medians(times[checks]) for checks in times}
    for checks, label in ((True, "with the checks"), (False, "without the checks")):
        wall, cpu = median[checks]
        print(f"  {label:<20} wall {wall:6.2f} s   cpu {cpu:6.2f} s")
    for i, what in ((0, "wall"), (1, "cpu")):
        share = (median[True][i] - median[False][i]) / median[True][i]
        print(f"  checks' share of the build ({what}): {share:.1%}")
    print(f"after the runs: {load()}")


if __name__ == "__main__":
    main()
