#!/usr/bin/env python3
"""Edit-to-browser time under `invoke serve`, next to a plain Pelican cold build of the same corpus.

On the varied corpus (bench/corpus.py, N articles) the real serve task runs as a subprocess (the
tests' serve_helpers.Served) and a headless Chromium (Debian's, through Playwright) opens one
article's page. Each run appends a paragraph with a new marker sentence to that article's
Markdown file, in place as an editor saves, and times from the write to the marker showing in
the open page: serve's watcher (every 0.2 s) sees the save, serve rebuilds (plugins/build_cache:
only what changed) and reloads the page. Also shown, from
serve's output: when livereload started the rebuild ("Running task") and when it was done
("Rebuilt"), so the wait splits into noticing, building and reloading. The target: a median of
at most 0.2x the wall time of a plain Pelican cold build (common.build_plain, median of 3 runs).

Usage: .venv/bin/python bench/serve.py [articles=200] [runs=5]
"""

from __future__ import annotations

import re
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from serve_helpers import Served

from rebalance.browser import CHROMIUM, CHROMIUM_ARGS, INSTALL_HINT
from rebalance.corpus import make_corpus
from rebalance.measure import arguments, build_plain, medians, plain_corpus, timed

TARGET = 0.2  # edit-to-browser median / plain cold build wall time
HAS_TEXT = "m => document.body && document.body.innerText.includes(m)"


def wait_for_text(page, text: str, timeout: float = 120) -> None:
    """Until `text` is in the page; the page reloads meanwhile, so navigation errors retry."""
    from playwright.sync_api import Error

    deadline = time.monotonic() + timeout
    while True:
        try:
            left = max(deadline - time.monotonic(), 0.1)
            page.wait_for_function(HAS_TEXT, arg=text, timeout=left * 1000)
            return
        except Error:  # "Execution context was destroyed" during the reload, or the timeout
            if time.monotonic() >= deadline:
                raise


def main() -> None:
    articles, runs = arguments(200, 5)
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"{CHROMIUM} is missing: run `{INSTALL_HINT}`")
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        content = make_corpus(tmp / "varied", articles)
        plain_content = plain_corpus(content, tmp / "plain")
        plain = [timed(build_plain, plain_content, tmp / "out-plain") for _ in range(3)]
        pw, pc = medians(plain)
        print(f"{articles} articles; plain Pelican cold build (median of 3): {pw:.2f} s wall / "
              f"{pc:.2f} s CPU")  # fmt: skip

        source = sorted((content / "articles").glob("*-bench-*.md"))[articles // 2]
        slug = re.search(r"(?m)^Slug:\s*(\S+)", source.read_text(encoding="utf-8")).group(1)
        start = time.perf_counter()
        server = Served(content, tmp / "site")  # tests/serve_helpers.py: `invoke serve` running
        try:
            server.wait_for("Serving http://", timeout=300)  # the first, cold build is done
            server.wait_until_listening()
            url = f"{server.base_url}/blog/{slug}/"
            first = time.perf_counter() - start
            times = []
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_page()
                page.goto(url)
                print(f"serve's first build and start: {first:.1f} s; editing {source.name}, "
                      f"open at {url}")  # fmt: skip
                for run in range(runs):
                    time.sleep(4)  # settle; livereload's own reload guard is ~3 s
                    marker = f"Marker {uuid.uuid4().hex[:6]}"
                    rebuilt = server.output().count("Rebuilt")
                    with source.open("a", encoding="utf-8") as f:
                        f.write(f"\n{marker} for the serve benchmark.\n")
                    t0 = time.perf_counter()
                    seen = len(server.stamps)
                    wait_for_text(page, marker)
                    times.append(time.perf_counter() - t0)
                    server.wait_printed("Rebuilt", rebuilt + 1, timeout=120)  # the full build
                    printed = server.stamps[seen:]
                    started, preview, done = (
                        next((f"{t - t0:.2f} s" for t, line in printed if key in line), "-")
                        for key in ("Running task", "Preview:", "Rebuilt")
                    )
                    print(
                        f"  run {run + 1}: shown after {times[-1]:5.2f} s; noticed at {started}, "
                        f"preview in place at {preview}, full build done at {done}"
                    )
                browser.close()
        finally:
            server.stop()
        median = statistics.median(times)
        verdict = "meets" if median / pw <= TARGET else "misses"
        print(f"edit to browser (median of {runs}): {median:.2f} s = {median / pw:.2f}x the plain "
              f"cold build's wall time ({verdict} the target <= {TARGET}x)")  # fmt: skip


if __name__ == "__main__":
    main()
