#!/usr/bin/env python3
"""Social cards: bytes and drawing time per card, and what the cache saves on a whole build.

1. Draws a card for each of N titles of varied length (uncached) and prints the time per card
   (drawing and PNG encoding; wall and CPU) and the bytes of the cards.
2. Builds the real content/, and content/ plus N articles, twice each with an empty card cache
   (every card drawn) and twice with a warm one (every card copied), and prints the median
   wall times.

Usage: .venv/bin/python bench/social_cards.py [articles=100] [runs=3]
"""

from __future__ import annotations

import shutil
import statistics
import tempfile
import time
from pathlib import Path

from rebalance.build import DEV_SETTINGS, build_site
from rebalance.measure import ARTICLE_SLUG, ROOT, arguments
from rebalance.plugins.social_cards.social_cards import Cards

WORDS = (
    "knee pain after running why it happens and what helps: exercise, rest, manual therapy, "
    "education and a safe return to sport for runners of every age"
).split()


def titles(count: int) -> list[str]:
    """Titles from 2 to 30 words, each different."""
    return [
        " ".join(WORDS[: 2 + (n * 7) % 29]).capitalize() + f" (part {n + 1})" for n in range(count)
    ]


def draw(count: int) -> None:
    from pelican.settings import read_settings

    with tempfile.TemporaryDirectory() as tmp:
        settings = read_settings(str(DEV_SETTINGS))
        settings.update(CACHE_PATH=str(Path(tmp) / "cache"), OUTPUT_PATH=str(Path(tmp) / "out"))
        cards = Cards(settings)
        start, cpu = time.perf_counter(), time.process_time()
        for n, title in enumerate(titles(count)):
            cards.publish(title, f"images/cards/{n}.png")
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        sizes = sorted(p.stat().st_size for p in (Path(tmp) / "out" / "images" / "cards").iterdir())
    print(
        f"{count} cards drawn: {seconds / count * 1000:.1f} ms per card (draw + PNG), "
        f"{cpu / count * 1000:.1f} ms of CPU"
    )
    print(
        f"bytes per card: min {sizes[0]:,}, median {statistics.median(sizes):,.0f}, "
        f"max {sizes[-1]:,}, total {sum(sizes):,}"
    )


def corpus(into: Path, copies: int) -> Path:
    """content/ plus `copies` copies of the article, each with its own title and slug."""
    shutil.copytree(ROOT / "content", into)
    source = next((into / "articles").glob(f"*{ARTICLE_SLUG}.md"))
    text = source.read_text(encoding="utf-8")
    for n in range(copies):
        copy = text.replace(f"Slug: {ARTICLE_SLUG}", f"Slug: {ARTICLE_SLUG}-{n}")
        copy = copy.replace("Title: Unlocking Relief", f"Title: Unlocking Relief {n}", 1)
        (into / "articles" / f"copy-{n}.md").write_text(copy, encoding="utf-8")
    return into


def timed_build(content: Path, output: Path, cache: Path) -> float:
    start = time.perf_counter()
    if not build_site(DEV_SETTINGS, output, {"PATH": str(content), "CACHE_PATH": str(cache)}):
        raise SystemExit("build failed")
    return time.perf_counter() - start


def builds(content: Path, tmp: Path, runs: int, label: str) -> None:
    cold, warm = [], []
    for run in range(runs):
        cache = tmp / f"cache-{label}-{run}"
        cold.append(timed_build(content, tmp / "out", cache))  # empty cache: every card drawn
        warm.append(timed_build(content, tmp / "out", cache))  # the same again: all cached
    articles = len(list((content / "articles").glob("*.md")))
    print(
        f"{label} ({articles} articles): uncached {statistics.median(cold):.2f} s, "
        f"cached {statistics.median(warm):.2f} s (median of {runs})"
    )


def main() -> None:
    copies, runs = arguments(100, 3)
    draw(copies)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        builds(ROOT / "content", tmp, runs, "real site")
        builds(corpus(tmp / "large", copies), tmp, runs, "real site + copies")


if __name__ == "__main__":
    main()
