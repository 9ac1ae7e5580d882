#!/usr/bin/env python3
"""Build time: our build (`invoke build`'s code path) vs plain Pelican with typogrify, on the
same content, in the same run.

Corpora: the real content/, and a varied generated one (bench/corpus.py: N articles, not
copies of one, with links between them). Each build runs RUNS times in a fresh process; the
median wall time and the median CPU time (user + system of the build, which other work on the
machine does not inflate) are printed, with the ratios ours / plain. "one article changed" is a
second build after editing one article, as `make serve` does on a save.

Usage: .venv/bin/python bench/build.py [articles=1000] [runs=3]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, build_ours, build_plain, medians, plain_corpus, timed  # noqa: E402
from corpus import make_corpus  # noqa: E402


def touch_one(content: Path) -> None:
    """Edits one article a little, as an author saving a change would."""
    articles = sorted((content / "articles").glob("*.md"))
    article = articles[len(articles) // 2]
    article.write_text(article.read_text(encoding="utf-8") + "\nOne more sentence.\n", "utf-8")


def main() -> None:
    articles = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        corpora = {
            "real content (1 article, 2 pages)": ROOT / "content",
            f"varied ({articles} articles + real)": make_corpus(tmp / "varied", articles),
        }
        print(f"median of {runs} builds, each in a fresh process: wall s / CPU s")
        print(f"{'corpus':<34} {'what':<20} {'ours':>13} {'plain':>13} {'ratio (cpu)':>11}")
        for name, content in corpora.items():
            plain_content = plain_corpus(content, tmp / f"plain-{len(name)}")
            ours, plain, again = [], [], []
            for _ in range(runs):
                ours.append(timed(build_ours, content, tmp / "out-ours"))
                plain.append(timed(build_plain, plain_content, tmp / "out-plain"))
            for _ in range(runs if content != ROOT / "content" else 0):  # a copy: edit it
                touch_one(content)
                again.append(timed(build_ours, content, tmp / "out-ours"))
            (ow, oc), (pw, pc) = medians(ours), medians(plain)
            print(f"{name:<34} {'cold build':<20} {ow:6.2f}/{oc:6.2f} {pw:6.2f}/{pc:6.2f} "
                  f"{oc / pc:>11.2f}")  # fmt: skip
            if again:
                aw, ac = medians(again)
                print(f"{'':<34} {'one article changed':<20} {aw:6.2f}/{ac:6.2f} {'':>13} "
                      f"{ac / pc:>11.2f}  (vs plain cold)")  # fmt: skip


if __name__ == "__main__":
    main()
