#!/usr/bin/env python3
"""Social cards: time and bytes per card, and what drawing them costs a cold build.

1. Cards for the titles of the varied corpus (rebalance.corpus.make_corpus) at each size: drawn
   into an empty cache (a cold build), then again from the full cache (every later build), in
   this one process as the build draws them (plugins/social_cards: Cards.ready). Prints wall
   and CPU seconds, milliseconds per card and the cards' bytes.
2. With --builds: our whole build (`invoke build`'s code path) of the same corpus, twice with
   one CACHE_PATH; before the second, only the card cache is emptied, so the difference
   between the second and a third (cards cached too) is the cards' share of a build whose other
   caches are warm.

The titles are the corpus's `Title:` lines as written (the build draws them after typogrify,
with markup removed: the same words).

Usage: .venv/bin/python bench/social_cards.py [sizes=200,1000] [runs=3] [--builds]
"""

from __future__ import annotations

import re
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from rebalance.build import DEV_SETTINGS, build_site, read
from rebalance.corpus import make_corpus
from rebalance.plugins.social_cards.social_cards import Cards, plain_title, settings_for


def titles(content: Path) -> list[str]:
    """The title of every article of a content folder."""
    found = []
    for path in sorted((content / "articles").rglob("*.md")):
        match = re.search(r"(?mi)^title:\s*(.+)$", path.read_text(encoding="utf-8"))
        if match:
            found.append(plain_title(match[1]))
    return found


def draw(all_titles: list[str], cache: Path) -> tuple[float, float, Cards]:
    """(wall, CPU) seconds to have every card in the cache, as a build does, in this process."""
    settings = read(DEV_SETTINGS, {"CACHE_PATH": str(cache)})
    start, cpu = time.perf_counter(), time.process_time()
    cards = Cards(settings)
    for title in all_titles:
        cards.ready(title)
    return time.perf_counter() - start, time.process_time() - cpu, cards


def cards_at(size: int, tmp: Path, runs: int) -> None:
    content = make_corpus(tmp / f"corpus-{size}", size)
    all_titles = titles(content)
    cold, warm = [], []
    for run in range(runs):
        cache = tmp / f"cards-{size}-{run}"
        wall, cpu, cards = draw(all_titles, cache)
        assert cards.drawn == len(set(all_titles)), "a cold run draws every card"
        cold.append((wall, cpu))
        wall, cpu, cards = draw(all_titles, cache)
        assert cards.drawn == 0, "a warm run draws none"
        warm.append((wall, cpu))
    folder = cache / settings_for(read(DEV_SETTINGS))["cache"]
    sizes = sorted(p.stat().st_size for p in folder.glob("*.png"))
    n = len(all_titles)
    (cw, cc), (ww, wc) = medians(cold), medians(warm)
    print(f"{size:>5} articles, {n} cards, one process, median of {runs}: "
          f"cold {cw:.2f} s wall, {cc:.2f} s CPU ({cw / n * 1000:.1f} ms a card); "
          f"cached {ww:.3f} s wall, {wc:.3f} s CPU")  # fmt: skip
    print(f"      bytes per card: min {sizes[0]:,}, median {statistics.median(sizes):,.0f}, "
          f"max {sizes[-1]:,}, total {sum(sizes):,}")  # fmt: skip


def medians(samples: list[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples)


def timed_build(content: Path, output: Path, cache: Path) -> tuple[float, float]:
    """(wall, CPU) seconds of our build; CPU is the Pelican child process's."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    if not build_site(DEV_SETTINGS, output, {"PATH": str(content), "CACHE_PATH": str(cache)}):
        raise SystemExit("build failed")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return time.perf_counter() - start, cpu


def builds_at(size: int, tmp: Path, runs: int) -> None:
    content = tmp / f"corpus-{size}"
    uncached, cached = [], []
    for run in range(runs):
        cache = tmp / f"build-cache-{size}-{run}"
        timed_build(content, tmp / "out", cache)  # every cache filled
        shutil.rmtree(cache / settings_for(read(DEV_SETTINGS))["cache"])
        uncached.append(timed_build(content, tmp / "out", cache))  # every card drawn
        cached.append(timed_build(content, tmp / "out", cache))  # every card from the cache
    (uw, uc), (cw, cc) = medians(uncached), medians(cached)
    print(f"{size:>5} articles, whole build, median of {runs}: cards drawn {uw:.2f} s wall "
          f"({uc:.2f} s CPU), cards cached {cw:.2f} s wall ({cc:.2f} s CPU): the cards' "
          f"share {uw - cw:.2f} s wall, {uc - cc:.2f} s CPU")  # fmt: skip


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    sizes = [int(s) for s in (args[0] if args else "200,1000").split(",")]
    runs = int(args[1]) if len(args) > 1 else 3
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for size in sizes:
            cards_at(size, tmp, runs)
        if "--builds" in sys.argv:
            for size in sizes:
                builds_at(size, tmp, runs)


if __name__ == "__main__":
    main()
