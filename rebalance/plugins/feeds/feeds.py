"""Atom feeds that a feed reader can use as they are: every address in them absolute.

Pelican's feed writer takes its addresses from SITEURL, which is empty in development, so the
feeds' own links, ids and every link in the articles' text would be root-relative ("/blog/...")
and a feed reader, which shows an entry away from the site, could not follow them. Even in
production a link an author typed as "/contact/" stays relative. So, once Pelican has filled a
feed and before it is written (`feed_generated`), this plugin:

* makes the feed's links absolute from FEED_DOMAIN (the local server in development, SITEURL in
  production), links a category's feed to its category page, and gives each feed its own
  address as its id (Pelican gives every feed the same one);
* makes each entry's link absolute and its id the tag URI Pelican would make from it
  ("tag:host,date:/path"): the same on every build of the same article;
* resolves every address in each entry's text and summary (href, src, srcset, cite, poster)
  against the entry's own address, as a browser on the article's page would.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

from feedgenerator import get_tag_uri
from pelican import signals
from selectolax.lexbor import LexborHTMLParser

DEFAULTS = {"attributes": ["href", "src", "srcset", "cite", "poster"]}
# A srcset is "url descriptor, url descriptor": the address is the first word of each candidate.
SRCSET_URL = re.compile(r"(^|,)(\s*)([^\s,][^\s]*)")


def settings_for(settings: dict) -> dict:
    """FEEDS settings with defaults filled in."""
    return {**DEFAULTS, **settings.get("FEEDS", {})}


def absolute_html(html: str | None, base: str, attributes: list[str]) -> str | None:
    """The HTML fragment with every address in `attributes` resolved against `base`."""
    if not html:
        return html
    tree = LexborHTMLParser(html, is_fragment=True)
    changed = False
    # The "#" link after each heading (plugins/headings) is for the web page; in a feed reader
    # it is only noise.
    for node in tree.css("a.heading-anchor"):
        node.decompose()
        changed = True
    for node in tree.css("*"):
        for name in attributes:
            value = node.attributes.get(name)
            if value is None:
                continue
            if name == "srcset":
                new = SRCSET_URL.sub(lambda m: m[1] + m[2] + urljoin(base, m[3]), value)
            else:
                new = urljoin(base, value.strip())
            if new != value:
                node.attrs[name] = new
                changed = True
    # Untouched HTML is kept as Pelican wrote it (a parser's output is equal, not identical).
    return tree.html if changed else html


def category_pages(context: dict, domain: str) -> dict[str, str]:
    """Each category feed's address -> the address of its category page."""
    pattern = context.get("CATEGORY_FEED_ATOM_URL") or context.get("CATEGORY_FEED_ATOM")
    if not pattern:
        return {}
    return {
        urljoin(domain, str(pattern).format(slug=category.slug)): urljoin(domain, category.url)
        for category, _ in context.get("categories", [])
    }


def make_absolute(context: dict, feed) -> None:
    """Every address of a feed about to be written made absolute (see the module docstring)."""
    domain = (context.get("FEED_DOMAIN") or context.get("SITEURL") or "").rstrip("/") + "/"
    if domain == "/":
        return  # no absolute address known: nothing better than Pelican's own
    attributes = settings_for(context)["attributes"]
    own = feed.feed["feed_url"]
    feed.feed["link"] = category_pages(context, domain).get(own, domain)
    feed.feed["id"] = own or domain
    feed.feed["language"] = feed.feed.get("language") or context.get("DEFAULT_LANG")
    for item in feed.items:
        link = urljoin(domain, item["link"])
        item["link"] = link
        item["unique_id"] = get_tag_uri(link, item["pubdate"])
        item["content"] = absolute_html(item["content"], link, attributes)
        item["description"] = absolute_html(item["description"], link, attributes)


def register() -> None:
    # feed_generated: the feed is filled with every entry but not yet written; it is the one
    # moment its addresses can be changed without rewriting Pelican's feed writer.
    signals.feed_generated.connect(make_absolute)
