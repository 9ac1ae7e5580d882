#!/usr/bin/env python3
"""Build time: our build (`make build`'s code path, rebalance.build.build_site, search index
included) against plain Pelican 4.12 with typogrify, on the same content, in the same run.

Corpora: the real content/, and a varied generated one (rebalance.corpus: N articles, not
copies of one, with links between them). Each build runs in a fresh process; printed are the
median wall time and the median CPU time (user + system of the build and every process it
starts, Pagefind included; other work on the machine inflates it far less than wall time), the
range of the wall times, and the ratios ours / plain, each against the target of issue 18.

* cold: an empty cache (a CACHE_PATH of its own): nothing read, drawn or encoded before, as on
  CI's fresh machine. Target: at most 1.3x plain Pelican's cold build. The search index is in
  it; after the runs it is also timed apart (Pagefind on the site just built).
* one article changed: the build after editing one article, with the cache the cold build left.
  Its ratio is to plain Pelican's cold build (target: at most 0.5x).
* plain Pelican with its own content cache (CACHE_CONTENT and LOAD_CONTENT_CACHE, off by
  default): its cold build filling the cache, then its build after the same kind of edit, for
  comparison (0.58x of its cold build on 4b02e30).

--profile: then, on the varied corpus, a cold build and a rebuild after an edit timed stage by
stage (CPU and wall seconds between Pelican's signals: measure.stages), and a cold build and a
rebuild profiled in the build's own process (Pelican run in-process under cProfile with the CPU
clock: measure.profiled), each with its top 10 functions by own time (tottime) and by time with
what they call (cumtime). Each in a fresh process.

Usage: .venv/bin/python bench/build.py [articles=1000] [runs=3] [--profile]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from rebalance.measure import (
    arguments,
    build_ours,
    build_plain,
    corpora,
    index_search,
    load,
    medians,
    plain_corpus,
    profiled,
    quiet,
    stages,
    timed,
    touch_one,
)

COLD_TARGET, CHANGED_TARGET = 1.3, 0.5


def row(what: str, samples: list, plain: tuple | None = None, target: float | None = None) -> None:
    """One line: median wall / CPU, the wall range, and the ratio to `plain` (wall / CPU)."""
    wall, cpu = medians(samples)
    spread = f"{min(s[0] for s in samples):.2f}-{max(s[0] for s in samples):.2f}"
    ratio = f"{wall / plain[0]:5.2f} / {cpu / plain[1]:5.2f}" if plain else ""
    verdict = ""
    if target is not None and plain:
        verdict = f"target <= {target}: {'met' if wall / plain[0] <= target else 'NOT met'}"
    print(f"  {what:<44} {wall:7.2f} / {cpu:6.2f}  {spread:>12}  {ratio:>13}  {verdict}")


def main() -> None:
    articles, runs = arguments(1000, 3)
    print(f"bench/build.py {articles} articles, {runs} runs; {load()}")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        sites = corpora(tmp, articles)
        print("each build in a fresh process; median wall s / CPU s, range of wall s, ratio")
        print(f"  {'':<44} {'wall / CPU':>16}  {'wall range':>12}  {'ratio w / CPU':>13}")
        for number, (name, content) in enumerate(sites.items()):
            varied = content != sites["real content"]  # a copy: edits are allowed
            plain_content = plain_corpus(content, tmp / f"plain-{number}")
            times: dict[str, list] = {key: [] for key in ("cold", "plain", "changed", "index",
                                      "plain cached cold", "plain cached changed")}  # fmt: skip
            with quiet():  # the builds' own lines kept out of the table
                for run in range(runs):  # ours and plain in turn, so that drift hits both
                    out, cache = tmp / "out-ours", tmp / f"cache-{number}-{run}"
                    times["cold"].append(timed(build_ours, content, out, cache))
                    times["plain"].append(timed(build_plain, plain_content, tmp / "out-plain"))
                    if not varied:
                        continue
                    touch_one(content)
                    times["changed"].append(timed(build_ours, content, out, cache))
                    times["index"].append(timed(index_search, out))
                    plain_cache, plain_out = tmp / f"plain-cache-{run}", tmp / "out-plain-cached"
                    times["plain cached cold"].append(
                        timed(build_plain, plain_content, plain_out, plain_cache)
                    )
                    touch_one(plain_content)
                    times["plain cached changed"].append(
                        timed(build_plain, plain_content, plain_out, plain_cache)
                    )
            plain = medians(times["plain"])
            print(f"{name}:")
            row("plain Pelican + typogrify, cold", times["plain"])
            row("ours, cold (search index included)", times["cold"], plain, COLD_TARGET)
            if varied:
                row("  of which the search index (timed apart)", times["index"], plain)
                row("ours, one article changed (vs plain cold)", times["changed"], plain,
                    CHANGED_TARGET)  # fmt: skip
                cached = medians(times["plain cached cold"])
                row("plain + its content cache, cold", times["plain cached cold"], plain)
                row("plain + its content cache, one changed", times["plain cached changed"],
                    plain)  # fmt: skip
                wall, cpu = medians(times["plain cached changed"])
                print(f"  {'  (vs its own cold build)':<44} {'':>16}  {'':>12}  "
                      f"{wall / cached[0]:5.2f} / {cpu / cached[1]:5.2f}")  # fmt: skip
        print(f"after the runs: {load()}")
        if "--profile" in sys.argv:
            varied = next(number for number, name in enumerate(sites) if name != "real content")
            content = list(sites.values())[varied]
            where_time_goes(content, tmp / f"plain-{varied}", tmp)


def where_time_goes(content: Path, plain_content: Path, tmp: Path) -> None:
    """A cold build and a rebuild after one edit, ours and plain Pelican's with its content
    cache, timed stage by stage (Pelican's signals); then ours profiled (cProfile, in the build's
    own process). Each build in a fresh process."""
    timelines: dict[str, list] = dict.fromkeys(("ours cold", "plain cold", "ours again",
                                                "plain again"))  # fmt: skip
    for name, folder, plain in (("ours", content, False), ("plain", plain_content, True)):
        out, cache = tmp / f"out-staged-{name}", tmp / f"cache-staged-{name}"
        timelines[f"{name} cold"] = stages(folder, out, cache, plain)
        touch_one(folder)
        timelines[f"{name} again"] = stages(folder, out, cache, plain)
    print("\nstages, CPU s (wall s): ours / plain Pelican with its content cache, cold build, "
          "then after one article changed")  # fmt: skip
    print("  " + " ".join(f"{name:>13}" for name in timelines) + "  stage")
    for number, stage in enumerate(timelines["ours cold"]):
        cells = [timeline[number] for timeline in timelines.values()]
        print("  " + " ".join(f"{c['cpu']:5.2f} ({c['wall']:5.2f})" for c in cells)
              + f"  {stage['stage']}")  # fmt: skip
    totals = [(sum(x["cpu"] for x in t), sum(x["wall"] for x in t)) for t in timelines.values()]
    print("  " + " ".join(f"{cpu:5.2f} ({wall:5.2f})" for cpu, wall in totals) + "  the whole")
    out, cache = tmp / "out-profiled", tmp / "cache-profiled"
    for build in ("cold build", "rebuild, one article changed"):
        if build != "cold build":
            touch_one(content)
        with quiet():
            total, top = profiled(content, out, cache)
        print(f"\nprofile of one {build}, in the build's process: {total:.2f} s of CPU under "
              f"cProfile\n{top}")  # fmt: skip


if __name__ == "__main__":
    main()
