"""Inside long articles and between them: a list of contents, a link to each section, the next
older and newer articles, and related articles by shared tags."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import build_content, normalise, parse

from rebalance.browser import (
    format_axe_violations,
    require_axe,
    run_axe,
    serve,
)

ARTICLE = "Title: {title}\nDate: {date}\nTags: {tags}\nSummary: A test article.\n{header}\n{body}\n"


def article(title: str, date: str = "2026-01-05", tags: str = "knee", body: str = "Text.",
            header: str = "") -> str:  # fmt: skip
    return ARTICLE.format(title=title, date=date, tags=tags, body=body, header=header)


def sections(*titles: str) -> str:
    return "\n\n".join(f"## {title}\n\nText about {title}." for title in titles)


# --- Contents and section links on the real article ---------------------------------------------
def test_long_article_lists_its_sections_before_the_text(article):
    toc = article.select_one("article.article > nav.toc")
    assert toc is not None and toc["aria-label"] == "Contents"
    assert toc.find_next_sibling("div", class_="article-body") is not None
    entries = [(a["href"], normalise(a.get_text())) for a in toc.select("ol > li > a")]
    assert entries == [
        ("#what-exactly-is-dry-needling", "What Exactly Is Dry Needling?"),
        ("#how-does-dry-needling-work", "How Does Dry Needling Work?"),
        ("#the-key-benefits-of-dry-needling", "The Key Benefits of Dry Needling"),
        ("#is-dry-needling-right-for-you", "Is Dry Needling Right for You?"),
        ("#take-the-next-step-toward-relief", "Take the Next Step Toward Relief"),
    ]
    body = article.select_one(".article-body")
    for href, text in entries:
        assert normalise(body.find("h2", id=href[1:]).get_text()) == text


def test_every_section_heading_is_followed_by_a_named_link_to_itself(article):
    headings = article.select(".article-body h2, .article-body h3")
    assert len(headings) == 10
    for heading in headings:
        link = heading.find_next_sibling()
        assert link.name == "a" and "heading-anchor" in link["class"], heading
        assert link["href"] == "#" + heading["id"]
        assert link["aria-label"] == f"Link to section: {normalise(heading.get_text())}"
        # The heading's own text (what a screen reader lists as headings) is only its title.
        assert heading.find("a") is None
        assert "heading-anchored" in heading.parent["class"]


# --- Built for the purpose ----------------------------------------------------------------------
def test_only_articles_with_three_sections_or_more_get_contents(tmp_path):
    files = {"articles/a.md": article("Two", body=sections("One", "Two")),
             "articles/b.md": article("Three", body=sections("One", "Two", "Three"))}  # fmt: skip
    output = build_content(tmp_path, files)
    assert parse(output / "blog" / "two" / "index.html").select_one("nav.toc") is None
    toc = parse(output / "blog" / "three" / "index.html").select_one("nav.toc")
    assert [a["href"] for a in toc.select("a")] == ["#one", "#two", "#three"]
    # The threshold and the heading levels are settings.
    output = build_content(tmp_path / "b", files,
                           HEADINGS={"toc_min_sections": 2, "anchor_levels": [3]})  # fmt: skip
    page = parse(output / "blog" / "two" / "index.html")
    assert page.select_one("nav.toc") is not None
    assert page.select(".heading-anchor") == []


def test_section_links_are_named_in_plain_text(tmp_path):
    body = '## Knees, *hips* & "backs"\n\nText.\n\n### `Code` and <b>bold</b>\n\nMore.'
    output = build_content(tmp_path, {"articles/a.md": article("Marks", body=body)})
    assert output is not None, "the content checks refused the heading links"
    page = parse(output / "blog" / "marks" / "index.html")
    labels = [a["aria-label"] for a in page.select(".article-body .heading-anchor")]
    assert labels == ['Link to section: Knees, hips & "backs"', "Link to section: Code and bold"]


LONG = sections("Why knees hurt", "What helps", "When to see us") + "\n\n### Exercises\n\nDo."


@pytest.fixture(scope="module")
def series(tmp_path_factory) -> Path:
    """Five articles a few days apart, sharing some tags, and a draft."""
    files = {
        "articles/a.md": article("Knee running", "2026-01-01", "knee, running", LONG),
        "articles/b.md": article("Knee sport", "2026-01-02", "knee, running, sport"),
        "articles/c.md": article("Knee only", "2026-01-03", "knee"),
        "articles/d.md": article("Hip", "2026-01-04", "hip"),
        "articles/e.md": article("Knee again", "2026-01-05", "knee, running"),
        "articles/f.md": article("Unfinished", "2026-01-06", "knee", header="Status: draft\n"),
    }
    output = build_content(tmp_path_factory.mktemp("series"), files)
    assert output is not None
    return output


def _more(output: Path, slug: str, folder: str = "blog"):
    return parse(output / folder / slug / "index.html").find("main")


def test_each_article_links_to_the_next_older_and_newer_article(series):
    neighbours = {}
    for slug in ("knee-running", "knee-only", "knee-again"):
        nav = _more(series, slug).select_one("nav.article-neighbors")
        neighbours[slug] = {a["rel"][0]: a["href"] for a in nav.select("a")}
    assert neighbours == {
        "knee-running": {"next": "/blog/knee-sport/"},  # the oldest: nothing older
        "knee-only": {"prev": "/blog/knee-sport/", "next": "/blog/hip/"},
        "knee-again": {"prev": "/blog/hip/"},  # the newest published: the draft is not listed
    }
    older = _more(series, "knee-only").select_one(".article-neighbors-older")
    assert normalise(older.get_text(" ", strip=True)) == "Older article: Knee sport"


def test_related_articles_share_the_most_tags_and_are_at_most_three(series):
    related = _more(series, "knee-running").select_one("nav.related-articles")
    assert related["aria-label"] == "Related articles"
    titles = [normalise(a.get_text()) for a in related.select("li a")]
    # Knee again and Knee sport share both tags; Knee only one; Hip none; never itself.
    assert titles == ["Knee again", "Knee sport", "Knee only"]
    assert _more(series, "hip").select_one("nav.related-articles") is None


def test_more_articles_come_after_the_booking_call_to_action(series):
    main = _more(series, "knee-only")
    cta = main.select_one("aside.booking-cta")
    assert [n.get("class")[0] for n in cta.find_next_siblings()] == [
        "related-articles", "article-neighbors"]  # fmt: skip


def test_a_draft_is_built_without_neighbours(series):
    main = _more(series, "unfinished", folder="drafts")
    assert main.select_one("nav.article-neighbors") is None
    assert main.select_one("article.article h1") is not None


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_an_article_with_every_way_to_read_on_passes_axe(series, browser, scheme):
    require_axe()
    with serve(series) as base:
        page = browser.new_page(color_scheme=scheme, viewport={"width": 320, "height": 640})
        page.goto(base + "/blog/knee-running/")
        for selector in ("nav.toc", ".heading-anchor", "nav.related-articles",
                         "nav.article-neighbors"):  # fmt: skip
            assert page.locator(selector).first.is_visible(), selector
        violations = run_axe(page)
        page.close()
    assert violations == [], format_axe_violations(violations)
