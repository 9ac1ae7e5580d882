#!/usr/bin/env python3
"""Bytes a reader downloads before a page can render, per page type: ours vs plain Pelican.

Counts the HTML, every stylesheet it links (following @import) and every web font those
stylesheets load: raw, gzip (level 9) and brotli (quality 11). The budget for one round trip
is 14,000 bytes after brotli (about ten TCP packets in the first congestion window).

Pictures do not block rendering (the page reserves their space and draws them as they come), so
the budget leaves them out; the last column prints their bytes apart: every picture of the page
as a 360 px wide phone with a 2x screen fetches it (the variant its srcset and sizes pick, in
the first format of each <picture>: AVIF), lazy ones included, as a reader scrolls to the end.

Usage: .venv/bin/python bench/weight.py
"""

from __future__ import annotations

import gzip
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import brotli
from bs4 import BeautifulSoup

from rebalance.measure import OURS, PLAIN, ROOT, build_ours, build_plain, plain_corpus
from rebalance.plugins.images.images import chosen

PHONE = (360, 2)  # a phone's viewport width in CSS pixels, and its device pixel ratio

BUDGET_BROTLI = 14_000
CSS_IMPORT = re.compile(r"""@import\s+(?:url\()?\s*["']?([^"')\s;]+)""")
FONT_URL = re.compile(r"""url\(\s*["']?([^"')]+\.(?:woff2?|ttf|otf|eot))""")


@dataclass
class Weight:
    files: list[str]
    raw: int
    gzip: int
    brotli: int
    fonts: int


def _local(output: Path, page_url: str, ref: str) -> Path | None:
    target = urlsplit(urljoin(page_url, ref))
    if target.scheme or target.netloc:
        return None  # a third-party request: never in our pages (tests forbid it)
    return output / target.path.lstrip("/")


def critical_files(output: Path, page: str) -> list[Path]:
    """The page and every file the browser must fetch before rendering it (CSS, web fonts)."""
    url = "/" + page
    files = [output / page]
    soup = BeautifulSoup((output / page).read_text(encoding="utf-8"), "html.parser")
    queue = [
        (link["href"], url)
        for link in soup.find_all("link", href=True)
        if "stylesheet" in (link.get("rel") or [])
    ]
    css_texts = [style.get_text() for style in soup.find_all("style")]
    while queue:
        href, base = queue.pop(0)
        path = _local(output, base, href)
        if path is None or not path.is_file() or path in files:
            continue
        files.append(path)
        css = path.read_text(encoding="utf-8", errors="replace")
        css_texts.append(css)
        css_url = urljoin(base, href)
        queue += [(ref, css_url) for ref in CSS_IMPORT.findall(css)]
        for font in FONT_URL.findall(css):
            path = _local(output, css_url, font)
            # A browser fetches one format of each face: count woff2 alone when there is one.
            woff2 = path and path.with_suffix(".woff2")
            preferred = path and (path == woff2 or not woff2.is_file())
            if preferred and path.is_file() and path not in files:
                files.append(path)
    return files


def weigh(output: Path, page: str) -> Weight:
    """Raw, gzip and brotli bytes of a page's critical files."""
    files = critical_files(output, page)
    datas = [f.read_bytes() for f in files]
    return Weight(
        files=[f.relative_to(output).as_posix() for f in files],
        raw=sum(len(d) for d in datas),
        gzip=sum(len(gzip.compress(d, 9)) for d in datas),
        brotli=sum(len(brotli.compress(d, quality=11)) for d in datas),
        fonts=sum(1 for f in files if f.suffix in (".woff", ".woff2", ".ttf", ".otf")),
    )


def picture_bytes(output: Path, page: str, viewport: int = PHONE[0], dpr: int = PHONE[1]):
    """(count, bytes) of the pictures a browser with this viewport fetches for a page."""
    soup = BeautifulSoup((output / page).read_text(encoding="utf-8"), "html.parser")
    count = total = 0
    for img in soup.find_all("img"):
        parent = img.parent
        source = parent.find("source", srcset=True) if parent and parent.name == "picture" else None
        chooser = source if source is not None else img
        srcset, sizes = chooser.get("srcset"), chooser.get("sizes") or "100vw"
        url = chosen(srcset, sizes, viewport, dpr) if srcset else img.get("src", "")
        path = _local(output, "/" + page, url)
        if path is not None and path.is_file():
            count, total = count + 1, total + path.stat().st_size
    return count, total


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        ours, plain = Path(tmp) / "ours", Path(tmp) / "plain"
        build_ours(ROOT / "content", ours)
        build_plain(plain_corpus(ROOT / "content", Path(tmp) / "content"), plain)

        print(f"{'page type':<11} {'files':>5} {'raw':>8} {'gzip':>7} {'brotli':>7}"
              "   plain Pelican: files  brotli  ratio"
              f"   pictures at {PHONE[0]} px {PHONE[1]}x")  # fmt: skip
        for kind, page in OURS.items():
            w = weigh(ours, page)
            line = f"{kind:<11} {len(w.files):>5} {w.raw:>8,} {w.gzip:>7,} {w.brotli:>7,}"
            if kind in PLAIN and (plain / PLAIN[kind]).is_file():
                p = weigh(plain, PLAIN[kind])
                line += f"   {len(p.files):>20} {p.brotli:>7,} {w.brotli / p.brotli:>6.2f}"
            else:
                line += " " * 37
            count, size = picture_bytes(ours, page)
            print(f"{line}   {count:>3} = {size:>9,} B")
        article = weigh(ours, OURS["article"])
        verdict = "within" if article.brotli <= BUDGET_BROTLI else "OVER"
        print(
            f"\narticle: {article.brotli:,} B brotli in {len(article.files)} file(s), {verdict} "
            f"the {BUDGET_BROTLI:,} B one-round-trip budget; web fonts: {article.fonts}"
        )
        print("(pictures are outside the budget: they do not block rendering)")


if __name__ == "__main__":
    main()
