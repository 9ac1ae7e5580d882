#!/usr/bin/env python3
"""Lighthouse mobile scores per page type: ours vs plain Pelican (its default theme).

Builds both sites from our content, serves each gzip-compressed on 127.0.0.1 as a real host
would, and runs Lighthouse 12 in its default mobile setting (simulated slow 4G, 4x slower CPU)
in one headless Chromium: Performance, Accessibility, Best Practices, SEO, out of 100.
Our target is 100 in all four. tests/test_lighthouse.py holds the home, article, contact and
search pages to it with audit_pages() below.

Usage: .venv/bin/python bench/lighthouse.py [--all]   (--all: every page type, not just those four)
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from rebalance.browser import (
    LIGHTHOUSE_CATEGORIES,
    lighthouse_failures,
    lighthouse_scores,
    run_lighthouse_many,
    serve,
)
from rebalance.measure import OURS, PLAIN, ROOT, build_ours, build_plain, plain_corpus

# The pages tests/test_lighthouse.py checks; search: the one page that runs a script.
PAGES = ("home", "article", "contact", "search")
MISSING = "blog/no-such-article/"  # how a reader meets the 404 page: a missing address
SHORT = {"performance": "perf", "accessibility": "a11y", "best-practices": "best", "seo": "seo"}


def audit_pages(output: Path, pages: dict[str, str]) -> dict[str, dict]:
    """Serves `output` gzipped and runs Lighthouse on each {page type: built file}: {type: report}.

    "404.html" is asked for as a missing address, so it comes with status 404 as on a host.
    """

    def address(page: str) -> str:
        return MISSING if page == "404.html" else page.removesuffix("index.html")

    # Lighthouse refuses a page served with an error status unless told to take it.
    flags = {"ignoreStatusCode": True} if "404.html" in pages.values() else None
    with serve(output, compress=True) as base:
        urls = {kind: f"{base}/{address(page)}" for kind, page in pages.items()}
        reports = run_lighthouse_many(urls.values(), flags=flags)
    return {kind: reports[url] for kind, url in urls.items()}


def _row(report: dict | None) -> str:
    if report is None:
        return " ".join(f"{'-':>4}" for _ in LIGHTHOUSE_CATEGORIES)
    scores = lighthouse_scores(report)
    return " ".join(f"{round(scores[c] * 100):>4}" for c in LIGHTHOUSE_CATEGORIES)


def main() -> None:
    kinds = list(OURS) if "--all" in sys.argv[1:] else list(PAGES)
    with tempfile.TemporaryDirectory() as tmp:
        ours, plain = Path(tmp) / "ours", Path(tmp) / "plain"
        build_ours(ROOT / "content", ours)
        build_plain(plain_corpus(ROOT / "content", Path(tmp) / "content"), plain)
        our_reports = audit_pages(ours, {kind: OURS[kind] for kind in kinds})
        plain_reports = audit_pages(plain, {kind: PLAIN[kind] for kind in kinds if kind in PLAIN})

    heading = " ".join(f"{SHORT[c]:>4}" for c in LIGHTHOUSE_CATEGORIES)
    print(f"Lighthouse {our_reports[kinds[0]]['lighthouseVersion']}, mobile\n")
    print(f"{'page type':<11} {heading}   plain Pelican: {heading}")
    for kind in kinds:
        print(f"{kind:<11} {_row(our_reports[kind])}   {'':>14} {_row(plain_reports.get(kind))}")
    below = [
        f"  {kind}: {failure}"
        for kind in kinds
        for category in LIGHTHOUSE_CATEGORIES
        for failure in lighthouse_failures(our_reports[kind], category, threshold=1)
    ]
    print("\nBelow 100 on our site:\n" + "\n".join(below) if below else "\nOurs: 100 everywhere.")


if __name__ == "__main__":
    main()
