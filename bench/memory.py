#!/usr/bin/env python3
"""Peak memory and build time as the number of articles grows: our build (`make build`'s code
path, rebalance.build.build_site) and, for comparison, plain Pelican with typogrify.

For each size N, a varied corpus of N articles (rebalance.corpus) is built four ways:
- ours cold: an empty cache (a CACHE_PATH of its own), the search index left out
  (measure.build_ours(search=False)), so that Pelican's process and Pagefind's are measured
  apart;
- search index: Pagefind on that build's site (measure.index_search);
- ours, one changed: right after, with the same cache, once one article was edited;
- plain: plain Pelican on the same articles (measure.plain_corpus, measure.build_plain).

Each build runs in a fresh process (`python -m rebalance.measure`, see measure.measured), which
runs the build's processes and then reads getrusage(RUSAGE_CHILDREN): wall time, CPU (user +
system of those processes) and ru_maxrss, the peak resident memory of the LARGEST single
process among them (our Pelican process, or Pagefind), not their sum.

With several runs, wall and CPU are medians and the peak is the largest. Growth compares the
smallest and the largest size: per-article cost (x1.00 = linear; a fixed start-up cost makes
it lower) and the marginal cost per 1000 articles between neighbouring sizes (about constant
when growth is linear); below a few hundred articles between sizes, those differences are
mostly noise. Target: our peak <= 300 MiB at 3,000 articles (extrapolated along the two
largest sizes when smaller ones are measured), and linear growth.

Usage: .venv/bin/python bench/memory.py [sizes=1000,2000,3000] [runs=1]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
from itertools import pairwise
from pathlib import Path

from rebalance.corpus import make_corpus
from rebalance.measure import load, measured, plain_corpus, touch_one

TARGET_MIB, TARGET_ARTICLES = 300, 3000


def summary(samples: list[dict]) -> dict:
    return {"wall": statistics.median(s["wall"] for s in samples),
            "cpu": statistics.median(s["cpu"] for s in samples),
            "peak": max(s["peak"] for s in samples)}  # fmt: skip


def growth(label: str, unit: str, sizes: list[int], values: list[float]) -> float:
    """Prints how `values` grow with `sizes`; returns the last marginal cost / the first."""
    (n1, v1), (n2, v2) = (sizes[0], values[0]), (sizes[-1], values[-1])
    per_article = (v2 / v1) / (n2 / n1)
    points = pairwise(zip(sizes, values, strict=True))
    slopes = [(b - a) / (m - n) * 1000 for (n, a), (m, b) in points]
    print(f"  {label:<22} {n1}→{v1:.1f} {unit}, {n2}→{v2:.1f} {unit}: ×{v2 / v1:.2f} for "
          f"×{n2 / n1:.2f} articles, per article ×{per_article:.2f}; per 1000 more articles: "
          + ", ".join(f"{s:+.1f} {unit}" for s in slopes))  # fmt: skip
    return slopes[-1] / slopes[0] if len(slopes) > 1 and slopes[0] > 0 else per_article


def main() -> None:
    sizes = [int(n) for n in sys.argv[1].split(",")] if len(sys.argv) > 1 else [1000, 2000, 3000]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    results: dict[str, list[dict]] = {"ours cold": [], "search index": [],
                                      "ours, one changed": [], "plain": []}  # fmt: skip
    print(f"bench/memory.py {sizes}, {runs} run(s) per size; {load()}")
    print("each build in a fresh process; peak = largest process")
    print(f"{'':>8} | " + " | ".join(f"{kind:^23}" for kind in results))
    print(f"{'articles':>8} | " + " | ".join([f"{'wall s':>7} {'CPU s':>7} {'MiB':>7}"] * 4))
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for n in sizes:
            content = make_corpus(tmp / f"c{n}", n)
            plain = plain_corpus(content, tmp / f"p{n}")
            samples: dict[str, list[dict]] = {kind: [] for kind in results}
            for run in range(runs):
                cache, out = tmp / f"cache-{n}-{run}", tmp / "out-ours"  # empty: a cold build
                samples["ours cold"].append(measured("ours", content, out, cache))
                samples["search index"].append(measured("index", content, out, cache))
                touch_one(content)
                samples["ours, one changed"].append(measured("ours", content, out, cache))
                samples["plain"].append(measured("plain", plain, tmp / "out-plain", cache))
            row = []
            for kind in results:
                results[kind].append(x := summary(samples[kind]))
                row.append(f"{x['wall']:7.2f} {x['cpu']:7.2f} {x['peak']:7.0f}")
            print(f"{n:>8} | " + " | ".join(row))
    print(f"after the runs: {load()}")
    if len(sizes) < 2:
        return
    print("growth (smallest → largest size):")
    worst = 0.0
    for kind, series in results.items():
        for metric, unit in (("cpu", "s CPU"), ("peak", "MiB")):
            ratio = growth(f"{kind} {metric}", unit, sizes, [s[metric] for s in series])
            worst = max(worst, ratio) if kind.startswith("ours") else worst
    ours_peak = [
        max(c["peak"], w["peak"])
        for c, w in zip(results["ours cold"], results["ours, one changed"], strict=True)
    ]
    if sizes[-1] >= TARGET_ARTICLES:
        at_target, how = ours_peak[-1], f"measured at {sizes[-1]}"
    else:  # a straight line through the two largest sizes
        slope = (ours_peak[-1] - ours_peak[-2]) / (sizes[-1] - sizes[-2])
        at_target = ours_peak[-1] + slope * (TARGET_ARTICLES - sizes[-1])
        how = f"extrapolated linearly from {sizes[-2]} and {sizes[-1]}"
    linear = worst <= 1.25
    index = results["search index"][-1]["peak"]
    print(f"target: our peak ≤ {TARGET_MIB} MiB at {TARGET_ARTICLES} articles, growth linear. "
          f"Pelican's process {at_target:.0f} MiB ({how}): "
          f"{'met' if at_target <= TARGET_MIB else 'NOT met'}; Pagefind, the search index's "
          f"process, {index:.0f} MiB at {sizes[-1]}: "
          f"{'met' if index <= TARGET_MIB else 'NOT met'}; growth (worst of ours' CPU and peak, "
          f"last marginal cost / first, or per-article ratio with two sizes: ×{worst:.2f}, "
          f"≤ ×1.25 counts as linear): {'met' if linear else 'NOT met'}")  # fmt: skip


if __name__ == "__main__":
    main()
