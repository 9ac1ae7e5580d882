"""Feeds: Atom for all articles and per category, in development and production builds, valid
(feedparser), with stable entry ids, full content and only absolute addresses; linked from the
head of every page (a category's feed from its page) and from the footer."""

from __future__ import annotations

import base64
import time
import urllib.error
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import pytest
from bs4 import BeautifulSoup
from conftest import PRODUCTION_ENV, normalise

from rebalance.build import DEV_SETTINGS, PUBLISH_SETTINGS, build_site
from rebalance.plugins.feeds.feeds import absolute_html
from rebalance.served import serving

ATOM = "{http://www.w3.org/2005/Atom}"
DEV_DOMAIN = "http://127.0.0.1:8000"
PROD_DOMAIN = PRODUCTION_ENV["SITEURL"]
LINKING = """Title: Knee Pain After Running
Date: 2026-03-02
Category: Exercise
Summary: Why knees ache after a run, and [more articles](/blog/archives/).

Start with [our dry needling article]({filename}needling.md) and [the list](/blog/archives/).
See [the same list, relatively](../../blog/archives/) and [the section below](#what-helps).

![A runner stretching]({static}/images/runner.png)

<img src="/images/runner.png" srcset="/images/runner.png 1x, ../../images/runner.png 2x" alt="">

<blockquote cite="/about/"><p>Quoted.</p></blockquote>

Call [+44 20 7946 0000](tel:+442079460000) or read [the NHS](https://www.nhs.uk/).

## What helps

The last paragraph of the knee article, so the feed must carry the whole text.
"""
NEEDLING = """Title: Dry Needling
Date: 2026-03-01
Category: Treatments
Summary: What dry needling is.

Dry needling in short. The last paragraph of the needling article.
"""
ABOUT = "Title: About\nSummary: Who we are.\n\nAbout us.\n"


# A 1×1 PNG for the articles to show.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGPgjo8CAAE9AMWxN8dvAAAAAElFTkSuQmCC"
)


def write_content(root: Path) -> None:
    files = {"articles/knee.md": LINKING, "articles/needling.md": NEEDLING, "pages/about.md": ABOUT}
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    (root / "images").mkdir()
    (root / "images" / "runner.png").write_bytes(PNG)


@pytest.fixture(scope="module")
def content(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("feeds") / "content"
    write_content(root)
    return root


def build(content: Path, settings: Path, output: Path) -> Path:
    cache = output.parent / "cache"
    assert build_site(settings, output, {"PATH": str(content), "CACHE_PATH": str(cache)})
    return output


@pytest.fixture(scope="module")
def dev(content) -> Path:
    return build(content, DEV_SETTINGS, content.parent / "dev" / "output")


@pytest.fixture(scope="module")
def prod(content) -> Path:
    with pytest.MonkeyPatch.context() as patch:
        for name, value in PRODUCTION_ENV.items():
            patch.setenv(name, value)
        return build(content, PUBLISH_SETTINGS, content.parent / "prod" / "output")


BUILDS = [("dev", DEV_DOMAIN), ("prod", PROD_DOMAIN)]


@pytest.fixture(params=BUILDS, ids=[b[0] for b in BUILDS])
def built(request) -> tuple[Path, str]:
    """Each build (development, production) with the domain its feeds must use."""
    name, domain = request.param
    return request.getfixturevalue(name), domain


def feeds(output: Path) -> list[Path]:
    return sorted((output / "feeds").glob("*.atom.xml"))


def entries(feed: Path) -> dict[str, ET.Element]:
    """The entries of a feed as written (not as feedparser rewrites them), by title (its
    no-break spaces made plain)."""
    root = ET.parse(feed).getroot()
    return {" ".join(e.findtext(f"{ATOM}title").split()): e for e in root.iter(f"{ATOM}entry")}


def content_html(entry: ET.Element) -> BeautifulSoup:
    return BeautifulSoup(entry.findtext(f"{ATOM}content"), "html.parser")


def test_all_and_category_feeds_are_written(built):
    output, _ = built
    names = [p.name for p in feeds(output)]
    assert names == ["all.atom.xml", "exercise.atom.xml", "treatments.atom.xml"]


def test_every_feed_parses_without_error(built):
    output, _ = built
    for feed in feeds(output):
        parsed = feedparser.parse(feed.read_bytes())
        assert parsed.bozo == 0, (feed.name, parsed.get("bozo_exception"))
        assert parsed.version == "atom10", feed.name
        assert parsed.entries, feed.name


def test_feed_and_entry_addresses_are_absolute_on_the_feed_domain(built):
    output, domain = built
    for feed in feeds(output):
        parsed = feedparser.parse(feed.read_bytes())
        assert parsed.feed.id == f"{domain}/feeds/{feed.name}", feed.name
        links = {link.rel: link.href for link in parsed.feed.links}
        assert links["self"] == f"{domain}/feeds/{feed.name}"
        assert links["alternate"].startswith(f"{domain}/")
        for entry in parsed.entries:
            assert entry.link.startswith(f"{domain}/blog/"), entry.link
            host = urlsplit(domain).hostname
            assert entry.id.startswith(f"tag:{host},2026-03-0"), entry.id


def test_a_category_feed_holds_its_articles_and_points_to_its_page(built):
    output, domain = built
    parsed = feedparser.parse((output / "feeds" / "exercise.atom.xml").read_bytes())
    assert [" ".join(e.title.split()) for e in parsed.entries] == ["Knee Pain After Running"]
    alternate = next(link.href for link in parsed.feed.links if link.rel == "alternate")
    assert alternate == f"{domain}/blog/category/exercise/"
    everything = feedparser.parse((output / "feeds" / "all.atom.xml").read_bytes())
    titles = sorted(" ".join(e.title.split()) for e in everything.entries)
    assert titles == ["Dry Needling", "Knee Pain After Running"]


def test_entries_carry_the_whole_text(built):
    output, _ = built
    found = entries(output / "feeds" / "all.atom.xml")
    knee, needling = found["Knee Pain After Running"], found["Dry Needling"]
    assert "last paragraph of the knee article" in normalise(content_html(knee).text)
    assert "last paragraph of the needling article" in normalise(content_html(needling).text)


def test_entry_text_has_only_absolute_addresses(built):
    output, domain = built
    for feed in feeds(output):
        for title, entry in entries(feed).items():
            for part in ("content", "summary"):
                html = entry.findtext(f"{ATOM}{part}") or ""
                assert 'href="/' not in html and 'src="/' not in html, (feed.name, title, part)
                assert "{filename}" not in html and "{static}" not in html, (feed.name, title)
                soup = BeautifulSoup(html, "html.parser")
                for node in soup.select("[href], [src], [srcset], [cite]"):
                    urls = [node.get("href"), node.get("src"), node.get("cite")]
                    urls += [c.split()[0] for c in (node.get("srcset") or "").split(",") if c]
                    for url in filter(None, urls):
                        assert urlsplit(url).scheme in ("http", "https", "tel"), (title, url)


def test_entry_links_resolve_as_on_the_article_page(built):
    output, domain = built
    entry = entries(output / "feeds" / "all.atom.xml")["Knee Pain After Running"]
    body = content_html(entry)
    hrefs = [a["href"] for a in body.find_all("a")]
    article = f"{domain}/blog/knee-pain-after-running/"
    assert hrefs == [
        f"{domain}/blog/dry-needling/",  # {filename}
        f"{domain}/blog/archives/",  # root-relative
        f"{domain}/blog/archives/",  # relative to the article's address
        f"{article}#what-helps",  # a place in the article itself
        "tel:+442079460000",
        "https://www.nhs.uk/",
    ]
    # Pictures: each address absolute, and a file the build wrote (the images plugin publishes
    # resized copies under other names than the original's).
    images = body.find_all("img")
    assert len(images) == 2
    for img in images:
        urls = [img["src"], *(c.split()[0] for c in (img.get("srcset") or "").split(",") if c)]
        for url in urls:
            assert url.startswith(f"{domain}/images/"), url
            assert (output / url.removeprefix(f"{domain}/")).is_file(), url
    assert body.blockquote["cite"] == f"{domain}/about/"
    summary = BeautifulSoup(entry.findtext(f"{ATOM}summary"), "html.parser")
    assert summary.a["href"] == f"{domain}/blog/archives/"


def test_feeds_are_the_same_on_every_build(content, dev, tmp_path):
    again = build(content, DEV_SETTINGS, tmp_path / "output")
    for feed in feeds(dev):
        ids = [e.findtext(f"{ATOM}id") for e in entries(feed).values()]
        assert ids == [
            e.findtext(f"{ATOM}id") for e in entries(again / "feeds" / feed.name).values()
        ]
        assert (again / "feeds" / feed.name).read_bytes() == feed.read_bytes(), feed.name


# --- Links to the feeds, on the real site -------------------------------------------------------
def test_every_page_links_to_the_feed_in_its_head_and_footer(html_pages, built_site, settings):
    href = f"{settings['FEED_DOMAIN']}/{settings['FEED_ALL_ATOM']}"
    assert (built_site / settings["FEED_ALL_ATOM"]).is_file()
    for url, soup in html_pages.items():
        links = soup.head.select('link[rel="alternate"][type="application/atom+xml"]')
        assert href in [link["href"] for link in links], url
        footer = soup.select_one("footer.site-footer").select('a[type="application/atom+xml"]')
        assert [a["href"] for a in footer] == [f"/{settings['FEED_ALL_ATOM']}"], url


def test_a_category_page_links_to_its_own_feed(html_pages, built_site, settings):
    category = html_pages["/blog/category/treatments/"]
    links = category.head.select('link[rel="alternate"][type="application/atom+xml"]')
    href = f"{settings['FEED_DOMAIN']}/feeds/treatments.atom.xml"
    assert href in [link["href"] for link in links]
    assert (built_site / "feeds" / "treatments.atom.xml").is_file()
    # A page outside any category offers only the feed of all articles.
    assert len(html_pages["/about/"].head.select('link[rel="alternate"]')) == 1


# --- Pure helpers -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ('<a href="/x/">x</a>', '<a href="https://s.test/x/">x</a>'),
        ('<a href="y/">y</a>', '<a href="https://s.test/blog/a/y/">y</a>'),
        ('<a href="#top">t</a>', '<a href="https://s.test/blog/a/#top">t</a>'),
        ('<img src="i.png" srcset="i.png 1x,/j.png 2x" alt="">',
         '<img src="https://s.test/blog/a/i.png" '
         'srcset="https://s.test/blog/a/i.png 1x,https://s.test/j.png 2x" alt="">'),
    ],
)  # fmt: skip
def test_addresses_are_resolved_against_the_entry(html, expected):
    assert absolute_html(html, "https://s.test/blog/a/", ["href", "src", "srcset"]) == expected


def test_html_without_relative_addresses_is_left_as_written():
    html = '<p>A&nbsp;b &#8217; <a href="mailto:a@b.co">m</a> <a href="https://x.test/">x</a></p>'
    assert absolute_html(html, "https://s.test/", ["href"]) == html


def test_serve_gives_the_feeds_its_own_address(tmp_path):
    with serving(tmp_path, {"articles/a.md": NEEDLING}) as (server, _):
        deadline = time.monotonic() + 20
        while True:  # "Serving" is printed just before the server listens
            try:
                status, xml = server.get("/feeds/all.atom.xml")
                break
            except urllib.error.URLError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
    assert status == 200
    parsed = feedparser.parse(xml.encode())
    assert parsed.bozo == 0
    assert parsed.entries[0].link == f"{server.base_url}/blog/dry-needling/"
