"""`{booking}` in Markdown links to the clinic's booking service; external links get rel=noopener.

Authors write `[Book now]({booking})`; the URL itself is the BOOKING_URL setting, so changing
booking provider is one edit in pelicanconf.py, never a search through every article.
"""

from __future__ import annotations

import re
from html import escape
from urllib.parse import urlsplit

from pelican import signals

PLACEHOLDER = "{booking}"
ANCHOR = re.compile(r"<a\s[^>]*>", re.I)
HREF = re.compile(r"""\shref\s*=\s*(["'])(.*?)\1""", re.I | re.S)
REL = re.compile(r"""\srel\s*=\s*(["'])(.*?)\1""", re.I | re.S)


def is_external(href: str, siteurl: str) -> bool:
    """True for absolute http(s) links that leave the site."""
    parts = urlsplit(href)
    if parts.scheme not in ("http", "https"):
        return False
    return not (siteurl and href.startswith(siteurl.rstrip("/") + "/"))


def add_noopener(tag: str) -> str:
    """The <a …> start tag with "noopener" in its rel attribute."""
    rel = REL.search(tag)
    if rel is None:
        return tag[:-1].rstrip() + ' rel="noopener">'
    values = rel.group(2).split()
    if "noopener" in values:
        return tag
    quote = rel.group(1)
    new = f" rel={quote}{' '.join([*values, 'noopener'])}{quote}"
    return tag[: rel.start()] + new + tag[rel.end() :]


def rewrite_links(html: str, booking_url: str, siteurl: str) -> str:
    """Replaces {booking} hrefs with booking_url and marks external links noopener."""

    def fix(match: re.Match) -> str:
        tag = match.group(0)
        href = HREF.search(tag)
        if href is None:
            return tag
        if href.group(2).strip() == PLACEHOLDER:
            tag = tag[: href.start(2)] + escape(booking_url) + tag[href.end(2) :]
            return add_noopener(tag)
        return add_noopener(tag) if is_external(href.group(2), siteurl) else tag

    return ANCHOR.sub(fix, html)


def process(content) -> None:
    """Rewrites the links of one article or page, before Pelican resolves {filename} links."""
    if not getattr(content, "_content", None):
        return
    settings = content.settings
    content._content = rewrite_links(
        content._content, settings["BOOKING_URL"], settings.get("SITEURL", "")
    )


def register() -> None:
    # content_object_init: the body is rendered but Pelican has not yet replaced its {…} link
    # markers (that happens when .content is first read), so {booking} never reaches them.
    signals.content_object_init.connect(process)
