"""The dry needling article as a reader sees it: the clinic's own words, who, when, how long."""

from __future__ import annotations

import pytest
from conftest import SEED, normalise


def seed_body_lines() -> list[str]:
    """The seed's body: every line after the "Updated: …" line, without the blog's widget."""
    lines = SEED.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Updated:")) + 1
    return [line for line in lines[start:] if line.strip() and line.strip() != "Comments"]


def test_seed_is_available():
    assert SEED.is_file(), f"seed file missing: {SEED}"
    assert len(seed_body_lines()) == 38  # paragraphs, headings and list items


@pytest.mark.parametrize("line", seed_body_lines(), ids=lambda line: line[:40])
def test_every_line_of_the_seed_body_is_on_the_page(article, line):
    # No separator: typogrify wraps words such as "TMJ" in <span class="caps">.
    body = normalise(article.select_one(".article-body").get_text())
    assert normalise(line) in body


def test_title_is_the_seed_title_in_the_only_h1(article):
    title = SEED.read_text(encoding="utf-8").splitlines()[0]
    assert normalise(article.h1.get_text()) == title
    assert normalise(article.title.get_text()).startswith(title)


def test_structure_five_sections_five_benefits_one_list(article):
    body = article.select_one(".article-body")
    assert [normalise(h.get_text()) for h in body.find_all("h2")] == [
        "What Exactly Is Dry Needling?",
        "How Does Dry Needling Work?",
        "The Key Benefits of Dry Needling",
        "Is Dry Needling Right for You?",
        "Take the Next Step Toward Relief",
    ]
    benefits = [normalise(h.get_text()) for h in body.find_all("h3")]
    assert [b.split(".")[0] for b in benefits] == ["1", "2", "3", "4", "5"]
    items = body.select("ul > li")
    assert len(items) == 8
    assert normalise(items[0].get_text()) == "Chronic lower back or neck pain"


def test_comments_widget_of_the_old_blog_is_gone(article):
    assert "Comments" not in article.select_one(".article-body").get_text()


def test_byline_links_to_the_author_page(article):
    byline = article.select_one(".article-header .article-meta-byline a")
    assert byline.get_text() == "Rebalance Team"
    assert byline["href"] == "/blog/author/rebalance-team/"


def test_published_and_updated_dates_are_machine_readable(article):
    meta = article.select_one(".article-header .article-meta")
    published = meta.select_one(".article-meta-published time")
    updated = meta.select_one(".article-meta-updated time")
    assert published["datetime"] == "2026-11-10"
    assert published.get_text() == "10 November 2026"
    assert updated["datetime"] == "2026-11-21"
    assert normalise(updated.parent.get_text()) == "Updated 21 November 2026"


def test_reading_time_is_five_minutes(article):
    assert article.select_one(".article-meta-reading-time").get_text() == "5 min read"


def test_category_and_tags_link_to_their_pages(article):
    taxonomy = article.select_one(".article-footer .article-taxonomy")
    hrefs = [a["href"] for a in taxonomy.find_all("a")]
    assert "/blog/category/treatments/" in hrefs
    assert "/blog/tag/dry-needling/" in hrefs


def test_meta_description_is_the_summary_within_160_characters(article):
    description = article.find("meta", attrs={"name": "description"})["content"]
    assert 50 < len(description) <= 160
    assert "<" not in description and "&nbsp;" not in description


def test_closing_sentence_links_to_the_booking_service(article, settings):
    link = next(a for a in article.select(".article-body a") if "Contact us today" in a.get_text())
    # The booking service can tell which article the booking came from (plugins/booking_link).
    campaign = "utm_campaign=unlocking-relief-the-many-benefits-of-dry-needling"
    utm = f"utm_source=website&utm_medium=referral&{campaign}"
    assert link["href"] == f"{settings['BOOKING_URL']}?{utm}"
    assert "noopener" in link["rel"]


def test_structured_data_names_author_and_dates(article):
    import json

    graph = json.loads(article.find("script", type="application/ld+json").string)["@graph"]
    nodes = {node["@id"]: node for node in graph}
    (posting,) = [node for node in graph if node["@type"] == "BlogPosting"]
    assert nodes[posting["author"]["@id"]]["name"] == "Rebalance Team"
    assert posting["datePublished"].startswith("2026-11-10")
    assert posting["dateModified"].startswith("2026-11-21")
