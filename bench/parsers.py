#!/usr/bin/env python3
"""Which HTML5 parser the content checks use: every page of a built corpus parsed by each
parser that follows the WHATWG algorithm browsers use.

- selectolax (Lexbor, C): what rebalance/plugins/content_checks/written.py uses;
- html5lib (pure Python, the reference implementation of the algorithm in Python);
- justhtml (pure Python).

Prints the total time per parser (median of RUNS passes over all pages), MB/s, and the number of
elements each found (html5lib and Lexbor agree; justhtml's tree API leaves template contents and
some foreign elements out of its children, so it counts fewer).

Usage: .venv/bin/python bench/parsers.py [articles=200] [runs=3]
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from rebalance.corpus import make_corpus
from rebalance.measure import arguments, build_ours, quiet


def lexbor(html: str) -> int:
    from selectolax.lexbor import LexborHTMLParser

    return len(LexborHTMLParser(html).css("*"))


def html5lib_(html: str) -> int:
    import html5lib

    return sum(1 for _ in html5lib.parse(html, namespaceHTMLElements=False).iter())


def justhtml_(html: str) -> int:
    from justhtml import JustHTML

    count, stack = 0, [JustHTML(html).root]
    while stack:  # every element (its query("*") leaves some out, e.g. inside <svg>)
        node = stack.pop()
        count += not node.name.startswith("#")
        stack.extend(getattr(node, "children", None) or ())
    return count


PARSERS = {"selectolax (Lexbor, C)": lexbor, "html5lib": html5lib_, "justhtml": justhtml_}


def main() -> None:
    articles, runs = arguments(200, 3)
    with tempfile.TemporaryDirectory() as tmp:
        content = make_corpus(Path(tmp) / "content", articles)
        with quiet():  # the build's own lines kept out of the table
            build_ours(content, Path(tmp) / "output", Path(tmp) / "cache", search=False)
        pages = [p.read_text(encoding="utf-8") for p in sorted(Path(tmp, "output").rglob("*.html"))]
    megabytes = sum(len(p.encode()) for p in pages) / 1e6
    print(f"{len(pages)} pages, {megabytes:.1f} MB; median of {runs} passes")
    base = None
    for name, parse in PARSERS.items():
        times, count = [], 0
        for _ in range(runs):
            start = time.perf_counter()
            count = sum(parse(page) for page in pages)
            times.append(time.perf_counter() - start)
        seconds = statistics.median(times)
        base = base or seconds
        print(f"  {name:<24} {seconds:7.3f} s  {megabytes / seconds:7.1f} MB/s  "
              f"x{seconds / base:6.1f}  {count} elements")  # fmt: skip


if __name__ == "__main__":
    main()
