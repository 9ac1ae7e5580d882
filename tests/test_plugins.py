"""Local plugins: pure helpers unit-tested, and each proven in a real Pelican build."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import build_content, parse

from rebalance.build import ROOT
from rebalance.plugins.booking_link import booking_link
from rebalance.plugins.booking_link.booking_link import add_noopener, is_external, rewrite_links
from rebalance.plugins.clinicians import clinicians
from rebalance.plugins.inline_css.inline_css import minify
from rebalance.plugins.reading_time.reading_time import count_words, minutes_to_read
from rebalance.plugins.redirects import redirects

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


# --- Each plugin alone: Pelican's defaults and theme, problems through the log ------------------
ALONE_CONF = """import json, logging

PATH = {content!r}
ARTICLE_PATHS = ["articles"]
PAGE_PATHS = ["pages"]
TIMEZONE = "UTC"
SITENAME = "A site with one plugin"
PLUGINS = [{plugin!r}]
{extra}


class Keep(logging.Handler):
    # Each content problem a plugin logs, as it logs it (its `extra`), one JSON line per record.
    def emit(self, record):
        if hasattr(record, "content_problem"):
            with open({problems!r}, "a", encoding="utf-8") as file:
                file.write(json.dumps(record.content_problem) + "\\n")


logging.getLogger("rebalance.plugins").addHandler(Keep())
"""
ALONE_ARTICLE = """Title: Knee pain
Date: 2026-01-05
Author: Jo Nobody
Booking: http://clinic.example.net/book
Redirect-from: /post/knee-pain, https://old.example.net/knee

## Why knees hurt

[Book now]({booking}), as a trial showed[^1].

[^1]: A. Author, A trial, 2020. https://doi.org/10.1000/182
"""


@dataclass
class Alone:
    code: int
    log: str
    output: Path
    problems: list[dict]


def build_alone(tmp_path: Path, plugin: str, extra: str = "") -> Alone:
    """Our content's kind of article, built by `pelican` with Pelican's own defaults and theme
    and PLUGINS=[plugin] alone (a new process: no other plugin is registered)."""
    content = tmp_path / "content"
    (content / "articles").mkdir(parents=True)
    (content / "articles" / "knee-pain.md").write_text(ALONE_ARTICLE, encoding="utf-8")
    problems, conf = tmp_path / "problems.jsonl", tmp_path / "conf.py"
    conf.write_text(ALONE_CONF.format(content=str(content), plugin=f"rebalance.plugins.{plugin}",
                                      extra=extra, problems=str(problems)))  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-m", "pelican", "-s", str(conf), "-o", str(tmp_path / "out")],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
        env={**os.environ, "COLUMNS": "1000"},  # log lines unwrapped
    )  # fmt: skip
    found = problems.read_text(encoding="utf-8").splitlines() if problems.exists() else []
    return Alone(done.returncode, done.stdout + done.stderr, tmp_path / "out",
                 [json.loads(line) for line in found])  # fmt: skip


@pytest.mark.parametrize(
    "plugin",
    ["clinicians", "booking_link", "redirects", "reading_time", "headings", "references",
     "inline_css"],
)  # fmt: skip
def test_each_plugin_builds_alone_with_pelicans_default_theme(tmp_path, plugin):
    built = build_alone(tmp_path, plugin)
    assert built.code == 0 and "Traceback" not in built.log, built.log
    assert (built.output / "knee-pain.html").is_file()  # Pelican's default address


def test_booking_link_alone_reports_a_bad_booking_line_with_its_file_and_line(tmp_path):
    built = build_alone(tmp_path, "booking_link", 'BOOKING_URL = "https://clinic.example.net/a"')
    path = str(tmp_path / "content" / "articles" / "knee-pain.md")
    message = booking_link.MESSAGES["booking-url"].format(
        value="http://clinic.example.net/book",
        why="it must start with https:// (booking pages ask for personal details)",
    )
    assert built.problems == [{"path": path, "line": 4, "message": message, "subject": "booking"}]
    assert f"content/articles/knee-pain.md:4: {message}" in " ".join(built.log.split())
    page = parse(built.output / "knee-pain.html")
    assert page.select_one('a[href^="https://clinic.example.net/a?"]').get_text() == "Book now"


def test_redirects_alone_writes_its_own_page_and_reports_a_bad_old_address(tmp_path):
    built = build_alone(tmp_path, "redirects")
    assert built.code == 0, built.log
    assert [(p["line"], p["subject"]) for p in built.problems] == [(5, "redirect-from")]
    assert built.problems[0]["message"] == redirects.MESSAGES["redirect-from"].format(
        value="https://old.example.net/knee",
        why="give only the path, without https:// and the site's name",
    )
    # /post/knee-pain, the header's old address: one page, in the plugin's own template
    # (Pelican's theme has no "redirect" template).
    page = parse(built.output / "post" / "knee-pain" / "index.html")
    assert page.find("link", rel="canonical")["href"] == "/knee-pain.html"
    refresh = page.find("meta", attrs={"http-equiv": "refresh"})["content"]
    assert refresh == "0; url=/knee-pain.html"
    assert "/post/knee-pain /knee-pain.html 301" in (built.output / "_redirects").read_text()


def test_clinicians_alone_reports_an_unknown_author_with_a_suggestion(tmp_path):
    (tmp_path / "content" / "authors").mkdir(parents=True)
    (tmp_path / "content" / "authors" / "jo.md").write_text(
        "Name: Jo Noboddy\nRole: Physiotherapist\n\nA fictional clinician.\n", encoding="utf-8"
    )
    built = build_alone(tmp_path, "clinicians")
    assert built.code == 0, built.log
    problem = next(p for p in built.problems if p["subject"] == "author")
    assert problem["line"] == 3
    assert problem["message"].startswith(
        'the author "Jo Nobody" is not known — did you mean "Jo Noboddy"?'
    )
    assert (built.output / "author" / "jo-noboddy.html").is_file()  # a page for the clinician


def test_moved_messages_are_explained_in_the_docs():
    docs = " ".join((ROOT / "docs" / "content-checks.md").read_text(encoding="utf-8").split())
    for plugin in (clinicians, booking_link, redirects):
        for name, message in plugin.MESSAGES.items():
            longest = max(message.format_map(_Holes()).split("\0"), key=len)
            words = " ".join(longest.split()).strip(' "().;:,{}')[:40]
            assert words in docs, f"docs/content-checks.md does not explain {name!r}: {words!r}"


class _Holes(dict):
    """Every placeholder of a message left as a hole."""

    def __missing__(self, key: str) -> str:
        return "\0"
