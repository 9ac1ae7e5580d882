"""Templates: typographic titles stay clean in <title> and attributes; markup is escaped."""

from __future__ import annotations

import pytest
from conftest import build_content, normalise, parse

TRICKY = """Title: TMJ & Jaw Pain: "Clicks" Explained
Date: 2026-02-01
Category: Jaw & Face
Tags: TMJ
Summary: Why a jaw clicks & what helps.

Body text about the TMJ.
"""


@pytest.fixture(scope="module")
def tricky_page(tmp_path_factory):
    out = build_content(tmp_path_factory.mktemp("tricky"), {"articles/tmj.md": TRICKY})
    assert out is not None
    return parse(out / "blog" / "tmj-jaw-pain-clicks-explained" / "index.html")


def test_title_element_is_plain_text(tricky_page):
    title = tricky_page.title.get_text()
    assert normalise(title) == 'TMJ & Jaw Pain: "Clicks" Explained · Rebalance'
    assert "\u201cClicks\u201d" in title  # typographic quotes, as text
    assert "<" not in title and "&nbsp;" not in title and "&amp;" not in title


@pytest.mark.parametrize(
    ("selector", "attr"),
    [
        ('meta[name="description"]', "content"),
        ('meta[property="og:title"]', "content"),
        ('meta[property="og:description"]', "content"),
    ],
)
def test_meta_tags_carry_no_markup(tricky_page, selector, attr):
    value = tricky_page.select_one(selector)[attr]
    assert "<" not in value and "span" not in value and "&nbsp;" not in value
    assert value.strip()


def test_typogrify_is_on_in_the_heading(tricky_page):
    h1 = tricky_page.h1
    assert h1.select_one("span.caps").get_text() == "TMJ"
    assert h1.select_one("span.amp") is not None
    assert "\u201cClicks\u201d" in h1.get_text()


def test_category_with_ampersand_is_escaped_in_links(tricky_page):
    link = tricky_page.select_one(".article-taxonomy a")
    assert link.get_text() == "Jaw & Face"
    assert link["href"] == "/blog/category/jaw-face/"


def test_every_page_has_skip_link_landmarks_and_language(html_pages):
    for url, soup in html_pages.items():
        assert soup.html["lang"] == "en", url
        skip = soup.find("a", class_="skip-link")
        assert skip and skip["href"] == "#main", url
        assert soup.find("main", id="main"), url
        assert soup.find("header") and soup.find("footer") and soup.find("nav"), url


def test_current_page_is_marked_in_the_navigation(html_pages):
    current = html_pages["/about/"].select('nav.site-nav a[aria-current="page"]')
    assert [a["href"] for a in current] == ["/about/"]
    # The clinic's navigation has no "Home": the logo leads home, and is marked there.
    home = html_pages["/"].select('.site-header a[aria-current="page"]')
    assert [(a["href"], a["class"]) for a in home] == [("/", ["site-header-brand"])]
