#!/usr/bin/env python3
"""Build time: our build (`invoke build`'s code path) vs plain Pelican with typogrify, on the
same content, in the same run.

Corpora: the real content/, and a varied generated one (bench/corpus.py: N articles, not
copies of one, with links between them). Each build runs in a fresh process; the median wall
time and the median CPU time (user + system of the build and every process it starts, which
other work on the machine does not inflate) are printed, with the ratios ours / plain.

* cold: an empty cache (its own CACHE_PATH): nothing read, rendered, drawn or encoded before,
  as on CI's fresh machine. The search index (Pagefind) is timed apart, as the issue asks:
  "ours" is the build without it, "+ search index" adds it.
* one article changed: the build after editing one article, with the cache the cold build
  left. Its ratio is to plain Pelican's cold build (the target: 0.1x). Timed twice: in a fresh
  process, as `make build` runs, and forked from a process that has loaded the libraries and
  plugins already, as `make serve` runs its full build after a save (after it has shown the
  saved page: see bench/serve.py).
* plain Pelican with its own content cache (CACHE_CONTENT and LOAD_CONTENT_CACHE, off by
  default): its cold build filling the cache, then its build after the same edit. This is what
  "Pelican's content caching" alone gives, for comparison with ours.

Usage: .venv/bin/python bench/build.py [articles=1000] [runs=3]
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from rebalance.measure import (
    arguments,
    build_ours,
    build_plain,
    corpora,
    index_search,
    medians,
    plain_corpus,
    timed,
    touch_one,
    warm_up,
)


def row(name: str, what: str, ours: tuple, plain: tuple | None, note: str = "") -> None:
    (ow, oc), theirs = ours, f"{plain[0]:6.2f}/{plain[1]:6.2f}" if plain else ""
    ratio = f"{ow / plain[0]:5.2f} / {oc / plain[1]:5.2f}" if plain else ""
    print(f"{name:<34} {what:<26} {ow:6.2f}/{oc:6.2f} {theirs:>13} {ratio:>13}  {note}")


def main() -> None:
    articles, runs = arguments(1000, 3)
    warm_up()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        sites = corpora(tmp, articles)
        print(f"median of {runs} builds, each in a fresh process: wall s / CPU s")
        print(f"{'corpus':<34} {'what':<26} {'ours':>13} {'plain':>13} {'ratio wall/CPU':>13}")
        for name, content in sites.items():
            plain_content = plain_corpus(content, tmp / f"plain-{len(name)}")
            times: dict[str, list] = {"cold": [], "index": [], "plain": [], "again": [],
                                      "again index": [], "forked": [], "plain cached cold": [],
                                      "plain cached again": []}  # fmt: skip
            for run in range(runs):
                out, cache = tmp / "out-ours", tmp / f"cache-{len(name)}-{run}"
                times["cold"].append(timed(build_ours, content, out, cache, search=False))
                times["index"].append(timed(index_search, out))
                times["plain"].append(timed(build_plain, plain_content, tmp / "out-plain"))
                if "varied" in name:  # a copy: edit it
                    touch_one(content)
                    times["again"].append(timed(build_ours, content, out, cache, search=False))
                    times["again index"].append(timed(index_search, out))
                    touch_one(content)
                    times["forked"].append(timed(build_ours, content, out, cache, search=False,
                                                 fork=True))  # fmt: skip
                    plain_cache, plain_out = tmp / f"plain-cache-{run}", tmp / "out-plain-cached"
                    times["plain cached cold"].append(
                        timed(build_plain, plain_content, plain_out, plain_cache)
                    )
                    touch_one(plain_content)
                    times["plain cached again"].append(
                        timed(build_plain, plain_content, plain_out, plain_cache)
                    )
            cold, index, plain = (medians(times[k]) for k in ("cold", "index", "plain"))
            both = (cold[0] + index[0], cold[1] + index[1])
            row(name, "cold", cold, plain, "(search index apart)")
            row("", "  search index", index, None)
            row("", "  cold + search index", both, plain)
            if times["again"]:
                again, again_index = medians(times["again"]), medians(times["again index"])
                row("", "one article changed", again, plain, "(vs plain cold; target 0.1)")
                both = (again[0] + again_index[0], again[1] + again_index[1])
                row("", "  + search index", both, plain)
                row("", "  forked, as make serve", medians(times["forked"]), plain)
                row("plain Pelican, its content cache", "cold",
                    medians(times["plain cached cold"]), plain)  # fmt: skip
                row("", "one article changed", medians(times["plain cached again"]), plain,
                    "(vs plain cold)")  # fmt: skip


if __name__ == "__main__":
    main()
