#!/usr/bin/env python3
"""Build time: our build (`invoke build`'s code path) vs plain Pelican, on the same content.

Two corpora: the real content/, and a larger one (the real content plus N copies of the
article under other slugs) so that per-article costs show. Each build runs RUNS times in a
fresh process; the median wall time is printed, with the ratio ours / plain.

Usage: .venv/bin/python bench/build.py [copies=200] [runs=5]
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ARTICLE_SLUG, ROOT, build_ours, build_plain, plain_corpus  # noqa: E402


def large_corpus(into: Path, copies: int) -> Path:
    """content/ plus `copies` copies of the article, each with its own title and slug."""
    shutil.copytree(ROOT / "content", into)
    source = next((into / "articles").glob(f"*{ARTICLE_SLUG}.md"))
    text = source.read_text(encoding="utf-8")
    for n in range(copies):
        copy = text.replace(f"Slug: {ARTICLE_SLUG}", f"Slug: {ARTICLE_SLUG}-{n}")
        copy = copy.replace("Title: Unlocking Relief", f"Title: Unlocking Relief {n}", 1)
        (into / "articles" / f"copy-{n}.md").write_text(copy, encoding="utf-8")
    return into


def median_seconds(build, content: Path, output: Path, runs: int) -> float:
    times = []
    for _ in range(runs):
        shutil.rmtree(output, ignore_errors=True)
        start = time.perf_counter()
        build(content, output)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    copies = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        corpora = {
            "real content (1 article, 2 pages)": ROOT / "content",
            f"large ({copies + 1} articles, 2 pages)": large_corpus(tmp / "large", copies),
        }
        print(f"median of {runs} builds, each in a fresh process (seconds)")
        print(f"{'corpus':<36} {'ours':>7} {'plain':>7} {'ratio':>6}")
        for name, content in corpora.items():
            plain_content = plain_corpus(content, tmp / f"plain-{len(name)}")
            ours = median_seconds(build_ours, content, tmp / "out-ours", runs)
            plain = median_seconds(build_plain, plain_content, tmp / "out-plain", runs)
            print(f"{name:<36} {ours:>7.2f} {plain:>7.2f} {ours / plain:>6.2f}")


if __name__ == "__main__":
    main()
