"""Local plugins: pure helpers unit-tested, and each proven in a real Pelican build."""

from __future__ import annotations

import pytest
from conftest import build_content, parse

from rebalance.plugins.booking_link.booking_link import add_noopener, is_external, rewrite_links
from rebalance.plugins.inline_css.inline_css import minify
from rebalance.plugins.reading_time.reading_time import count_words, minutes_to_read

ARTICLE = """Title: {title}
Date: 2026-01-05
Category: Test
Summary: A test article.

{body}
"""


# --- reading_time -------------------------------------------------------------------------------
def test_count_words_ignores_markup_and_scripts():
    html = "<p>Dry <em>needling</em> isn't painful—mostly.</p><script>var x = 1;</script>"
    # Dry / needling / isn't / painful / mostly: an em dash separates words, an apostrophe doesn't.
    assert count_words(html) == 5


@pytest.mark.parametrize(
    ("words", "wpm", "minutes"),
    [(1, 260, 1), (129, 260, 1), (1300, 260, 5), (1345, 260, 5), (1430, 260, 6), (2600, 260, 10)],
)
def test_minutes_round_to_nearest_and_never_below_one(words, wpm, minutes):
    assert minutes_to_read(words, wpm) == minutes


def test_reading_time_is_shown_in_a_real_build(tmp_path):
    body = " ".join(["word"] * 780)  # 3 minutes at 260 words a minute
    out = build_content(tmp_path, {"articles/a.md": ARTICLE.format(title="Long read", body=body)})
    page = parse(out / "blog" / "long-read" / "index.html")
    assert page.select_one(".article-meta-reading-time").get_text() == "3 min read"


def test_reading_speed_is_a_setting(tmp_path):
    body = " ".join(["word"] * 780)
    out = build_content(
        tmp_path,
        {"articles/a.md": ARTICLE.format(title="Slow read", body=body)},
        READING_TIME={"words_per_minute": 130},
    )
    page = parse(out / "blog" / "slow-read" / "index.html")
    assert page.select_one(".article-meta-reading-time").get_text() == "6 min read"


# --- booking_link -------------------------------------------------------------------------------
def test_booking_marker_becomes_the_booking_url():
    html = '<p><a href="{booking}">Book</a></p>'
    out = rewrite_links(html, "https://book.example.com/?a=1&b=2", "")
    assert out == '<p><a href="https://book.example.com/?a=1&amp;b=2" rel="noopener">Book</a></p>'


@pytest.mark.parametrize(
    ("href", "siteurl", "external"),
    [
        ("https://other.org/x", "", True),
        ("http://other.org/x", "https://site.org", True),
        ("https://site.org/blog/", "https://site.org", False),
        ("/contact/", "", False),
        ("mailto:a@b.org", "", False),
        ("#top", "", False),
    ],
)
def test_is_external(href, siteurl, external):
    assert is_external(href, siteurl) is external


def test_noopener_is_added_once_and_keeps_other_rel_values():
    assert add_noopener('<a href="x">') == '<a href="x" rel="noopener">'
    assert add_noopener('<a rel="nofollow" href="x">') == '<a rel="nofollow noopener" href="x">'
    assert add_noopener('<a rel="noopener" href="x">') == '<a rel="noopener" href="x">'


def test_booking_marker_and_noopener_in_a_real_build(tmp_path):
    body = "[Book now]({booking}) or read [elsewhere](https://nhs.example.org/)."
    out = build_content(
        tmp_path,
        {"articles/a.md": ARTICLE.format(title="Links", body=body)},
        BOOKING_URL="https://clinic.example.net/book",
        BOOKING_UTM=None,  # the address as it is (tests/test_booking.py: with its parameters)
    )
    links = parse(out / "blog" / "links" / "index.html").select(".article-body a")
    assert [(a["href"], a["rel"]) for a in links] == [
        ("https://clinic.example.net/book", ["noopener"]),
        ("https://nhs.example.org/", ["noopener"]),
    ]


# --- inline_css ---------------------------------------------------------------------------------
def test_minify_strips_comments_and_space():
    css = "/* tokens */\n:root {\n  --a: 1px;\n}\n\na > b , c { color: red; }\n"
    assert minify(css) == ":root{--a: 1px}a>b,c{color: red}"


def test_every_page_inlines_the_theme_css_and_links_no_stylesheet(html_pages):
    for url, soup in html_pages.items():
        style = soup.find("style")
        assert style is not None and "--color-bg" in style.string, url
        assert soup.find("link", rel="stylesheet") is None, url
