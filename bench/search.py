#!/usr/bin/env python3
"""The search index's share of a build, and what the search costs a reader, in bytes.

Builds the real content/ and a varied corpus of N articles (rebalance.corpus) without the
search_index plugin, then runs Pagefind on each output RUNS times, as the plugin does at the end
of every build (search_index.build_index). Prints the median wall time of the Pelican
build and, apart, of the index; the index's pages, files and bytes; and the bytes of the search
page and of what a reader's first search downloads (brotli for text; Pagefind's own index and
WebAssembly files are gzip-compressed already, and counted as they are).

Usage: .venv/bin/python bench/search.py [articles=1000] [runs=3]
"""

from __future__ import annotations

import contextlib
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import brotli
from pelican.settings import read_settings

from rebalance.build import DEV_SETTINGS, build_site
from rebalance.measure import OURS, arguments, corpora
from rebalance.plugins.search_index.search_index import build_index, settings_for


@contextlib.contextmanager
def quiet_stdout():
    """Pelican's "Done: ..." lines (printed by the build's own process) kept out of the table."""
    sys.stdout.flush()
    saved = os.dup(1)
    with open(os.devnull, "w") as null:
        os.dup2(null.fileno(), 1)
    try:
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def build_without_index(content: Path, output: Path) -> float:
    """Wall seconds of our build (`invoke build`'s code path) with the search_index plugin off."""
    plugins = read_settings(str(DEV_SETTINGS))["PLUGINS"]
    plugins = [p for p in plugins if p != "rebalance.plugins.search_index"]
    start = time.perf_counter()
    with quiet_stdout():
        built = build_site(DEV_SETTINGS, output, {"PATH": str(content), "PLUGINS": plugins})
    if not built:
        raise SystemExit("the build failed")
    return time.perf_counter() - start


def brotli_size(path: Path) -> int:
    return len(brotli.compress(path.read_bytes(), quality=11))


def first_search(output: Path, bundle: str) -> dict[str, int]:
    """Bytes a reader's first search downloads: the search code, the language's WebAssembly and
    metadata, one index chunk and one result's fragment (the largest of each, to be safe)."""
    folder = output / bundle
    patterns = {"wasm": "wasm.en.pagefind", "meta": "*.pf_meta", "index chunk": "index/*",
                "fragment": "fragment/*"}  # fmt: skip
    largest = {kind: max(folder.glob(pattern), key=lambda p: p.stat().st_size)
               for kind, pattern in patterns.items()}  # fmt: skip
    sizes = {name: brotli_size(folder / name) for name in ("pagefind.js", "pagefind-worker.js")}
    sizes |= {kind: path.stat().st_size for kind, path in largest.items()}
    return sizes


def main() -> None:
    articles, runs = arguments(1000, 3)
    config = settings_for(read_settings(str(DEV_SETTINGS)))
    bundle, pages = config["bundle"], config["pages"]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        sites = corpora(tmp, articles)
        print(f"median of {runs} runs (seconds); the index is built apart from Pelican's build")
        print(f"{'corpus':<34} {'build':>6} {'index':>6} {'pages':>6} {'files':>6} {'bytes':>11}")
        for name, content in sites.items():
            output = tmp / "out"
            builds, indexes = [], []
            for _ in range(runs):
                shutil.rmtree(output, ignore_errors=True)
                builds.append(build_without_index(content, output))
                stats = build_index(output, bundle, pages=pages)
                indexes.append(stats.seconds)
            build, index = statistics.median(builds), statistics.median(indexes)
            print(f"{name:<34} {build:>6.2f} {index:>6.2f} "
                  f"{stats.pages:>6} {stats.files:>6} {stats.bytes:>11,}")  # fmt: skip

        page = output / OURS["search"]
        script = output / "theme" / "search.js"
        print(f"\nsearch page: {brotli_size(page):,} B brotli (HTML, CSS inlined), "
              f"then search.js {brotli_size(script):,} B brotli")  # fmt: skip
        sizes = first_search(output, bundle)
        print(
            f"first search ({articles} articles): {sum(sizes.values()):,} B: "
            + ", ".join(f"{kind} {size:,}" for kind, size in sizes.items())
        )


if __name__ == "__main__":
    main()
