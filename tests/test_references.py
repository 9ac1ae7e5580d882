"""An article's references (plugins/references): footnotes or a "## References" section become a
numbered list of links in a section named by its heading, and the structured data's citations.

Built for real from the real content/ plus fictional articles (tests/data/trust, and two more
written here), then read as a reader, and a search engine, would.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import ARTICLE_URL, TRUST, content_with, normalise

from rebalance.build import DEV_SETTINGS, build_site
from rebalance.plugins.references.references import _split, citations

KNEE = "/blog/knee-pain-after-running/"  # two footnotes
STRETCHING = "/blog/stretching-before-exercise/"  # a References section with a bullet list
EXTRA = {
    # One paragraph per reference.
    "articles/2026-08-01-paragraphs.md": (
        "Title: Paragraphs\nDate: 2026-08-01\nSummary: References as paragraphs.\n\nText.\n\n"
        "## References\n\nExample E. One. https://www.example.org/one.\n\nExample F. Two.\n"
    ),
    # Both: the References section is the references, the footnotes are notes.
    "articles/2026-08-02-both.md": (
        "Title: Both\nDate: 2026-08-02\nSummary: References and notes.\n\nText[^1].\n\n"
        "## References\n\n1. Example G. Cited. https://www.example.org/cited\n\n"
        "[^1]: An aside, see https://www.example.org/aside.\n"
    ),
}


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("references")
    content = content_with(tmp, TRUST)
    for name, text in EXTRA.items():
        (content / name).write_text(text, encoding="utf-8")
    output = tmp / "output"
    assert build_site(DEV_SETTINGS, output, overrides={"PATH": str(content)})
    return output


def page(output: Path, url: str) -> BeautifulSoup:
    return BeautifulSoup((output / url.strip("/") / "index.html").read_text("utf-8"), "html.parser")


def references(soup: BeautifulSoup, kind: str = "references"):
    """The section, its heading and its items."""
    (section,) = soup.select(f".article-body section.{kind}")
    heading = soup.find(id=section["aria-labelledby"])
    assert heading is not None and heading.parent is section and heading.name == "h2"
    items = section.select(":scope > ol > li")
    return section, heading, items


def cited(soup: BeautifulSoup) -> list[dict]:
    (script,) = soup.find_all("script", type="application/ld+json")
    (posting,) = [n for n in json.loads(script.string)["@graph"] if n["@type"] == "BlogPosting"]
    return posting.get("citation", [])


def test_footnotes_become_a_numbered_list_of_references_with_links(site):
    soup = page(site, KNEE)
    section, heading, items = references(soup)
    assert heading.get_text() == "References"
    assert [li["id"] for li in items] == ["fn:load", "fn:return"]
    assert section.find("hr") is None
    links = [[a["href"] for a in li.find_all("a") if "footnote-backref" not in a.get("class", [])]
             for li in items]  # fmt: skip
    # The bare address in the first footnote became a link.
    assert links == [["https://doi.org/10.0000/example.1"],
                     ["https://www.example.org/return-to-running"]]  # fmt: skip
    # Each mark in the text still leads to its reference, and back.
    for li in items:
        assert soup.select_one(f'.article-body a.footnote-ref[href="#{li["id"]}"]') is not None
        assert soup.find(id=li.select_one("a.footnote-backref")["href"][1:]) is not None


def test_a_references_section_becomes_a_numbered_list_with_links(site):
    soup = page(site, STRETCHING)
    section, heading, items = references(soup)
    assert (heading.get_text(), heading["id"]) == ("References", "references")
    assert section.find("ul") is None  # references are numbered, as cited
    assert [normalise(li.get_text()) for li in items] == [
        "Example C. Stretching and injury. Example Review, 2019. https://www.example.org/stretching",
        "Example D. Warming up, Example Press, 2018.",
    ]
    assert [a["href"] for a in items[0].find_all("a")] == ["https://www.example.org/stretching"]
    assert items[1].find("a") is None


def test_references_written_as_paragraphs_become_list_items(site):
    section, _, items = references(page(site, "/blog/paragraphs/"))
    assert [normalise(li.get_text()) for li in items] == [
        "Example E. One. https://www.example.org/one.", "Example F. Two."]  # fmt: skip
    # The full stop ends the sentence, not the address.
    assert items[0].find("a")["href"] == "https://www.example.org/one"
    assert section.find("p") is None


def test_with_a_references_section_the_footnotes_are_notes(site):
    soup = page(site, "/blog/both/")
    _, heading, items = references(soup)
    assert normalise(items[0].get_text()) == "Example G. Cited. https://www.example.org/cited"
    _, notes_heading, notes = references(soup, "footnote")
    assert notes_heading.get_text() == "Notes" and notes_heading["id"] != heading["id"]
    assert notes[0].find("a")["href"] == "https://www.example.org/aside"
    assert cited(soup) == [{"@type": "CreativeWork", "url": "https://www.example.org/cited",
                            "name": "Example G. Cited. https://www.example.org/cited"}]  # fmt: skip


@pytest.mark.parametrize("url", [KNEE, STRETCHING, "/blog/paragraphs/"])
def test_structured_data_cites_what_the_page_lists(site, url):
    soup = page(site, url)
    _, _, items = references(soup)
    citations_ = cited(soup)
    assert len(citations_) == len(items) > 0
    for item, citation in zip(items, citations_, strict=True):
        assert citation["@type"] == "CreativeWork"
        text = normalise(item.get_text()).removesuffix("↩").strip()
        assert normalise(citation["name"]) == text
        links = [a["href"] for a in item.find_all("a", href=True) if a["href"].startswith("http")]
        assert citation.get("url") == (links[0] if links else None)


def test_an_article_without_references_cites_nothing(site):
    soup = page(site, ARTICLE_URL)
    assert soup.select(".article-body section") == []
    assert cited(soup) == []


def test_citations_reads_only_the_references_section():
    html = (
        '<p>See <a href="https://a.example/">this</a>.</p>'
        '<section class="footnote" aria-labelledby="notes"><h2 id="notes">Notes</h2>'
        "<ol><li>An aside</li></ol></section>"
        '<section class="references" aria-labelledby="references"><h2 id="references">'
        'References</h2><ol><li id="fn:1"><p>Example. <a href="{filename}x.md">ours</a> '
        '<a href="https://b.example/x">there</a>&#160;<a class="footnote-backref" '
        'href="#fnref:1">&#8617;</a></p></li><li>  </li></ol></section>'
    )
    expected = {
        "@type": "CreativeWork",
        "name": "Example. ours there",
        "url": "https://b.example/x",
    }
    assert citations(html) == [expected]
    assert citations("<p>No references.</p>") == []


@pytest.mark.parametrize(("text", "before", "links", "after"), [
    ("See https://a.example/x.", "See ", ["https://a.example/x"], "."),
    ("(https://a.example/Knee_(joint))", "(", ["https://a.example/Knee_(joint)"], ")"),
    ("doi:10.1136/bmj.m1234, 2020", "", ["https://doi.org/10.1136/bmj.m1234"], ", 2020"),
    ("a http://a.example/ b https://b.example/?q=1&r=2;", "a ",
     ["http://a.example/", "https://b.example/?q=1&r=2"], ";"),
    ("No address here.", "No address here.", [], None),
])  # fmt: skip
def test_bare_addresses_become_links(text, before, links, after):
    start, made = _split(text)
    assert start == before
    assert [a.get("href") for a in made] == links
    if made:
        assert made[-1].tail == after
