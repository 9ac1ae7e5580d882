"""Who wrote and who reviewed an article (plugins/clinicians): bylines with credentials, the
clinicians' pages, the medical review line, the checks on authors and reviewers, and
`invoke review-due`.

The clinicians are fictional (tests/data/trust): the clinic's real ones are not known yet. Each
test builds the real content/ with them added, for real, and reads the pages as a reader would.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import ARTICLE_URL, TRUST, build_here, content_with, normalise
from PIL import Image

from rebalance.browser import (
    format_axe_violations,
    require_axe,
    run_axe,
    serve,
)
from rebalance.build import ROOT
from rebalance.plugins.clinicians.clinicians import months_before, overdue

KNEE = "/blog/knee-pain-after-running/"
STRETCHING = "/blog/stretching-before-exercise/"
ALEX, SAM = "/blog/author/alex-example/", "/blog/author/sam-sample/"
TEAM = "/blog/author/rebalance-team/"
ARTICLE = "articles/2026-11-01-test.md"


# --- Building -------------------------------------------------------------------------------------
def page(output: Path, url: str) -> BeautifulSoup:
    return BeautifulSoup((output / url.strip("/") / "index.html").read_text("utf-8"), "html.parser")


def graph(soup: BeautifulSoup) -> dict[str, dict]:
    """The page's JSON-LD graph, by @id."""
    (script,) = soup.find_all("script", type="application/ld+json")
    return {node["@id"]: node for node in json.loads(script.string)["@graph"]}


def of_type(nodes: dict, kind: str) -> dict:
    (node,) = [n for n in nodes.values() if n["@type"] == kind]
    return node


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The real content with the fictional clinicians and their two articles, built."""
    tmp = tmp_path_factory.mktemp("trust")
    built = build_here(content_with(tmp, TRUST), tmp / "output")
    assert built.code == 0, built.stderr
    return tmp / "output"


@pytest.fixture
def content(tmp_path) -> Path:
    return content_with(tmp_path, TRUST)


def write(content: Path, name: str, text: str) -> str:
    (content / name).parent.mkdir(parents=True, exist_ok=True)
    (content / name).write_text(text, encoding="utf-8")
    return f"content/{name}"


def article(**header: str) -> str:
    """An article with a valid header plus `header` (keys with _ for -: Reviewed_by)."""
    lines = {"Title": "Test", "Date": "2026-11-01", "Summary": "A test article.",
             **{k.replace("_", "-"): v for k, v in header.items()}}  # fmt: skip
    return "".join(f"{k}: {v}\n" for k, v in lines.items()) + "\nText.\n"


# --- Bylines --------------------------------------------------------------------------------------
def test_byline_names_the_clinician_with_credentials_and_role(site):
    byline = page(site, KNEE).select_one(".article-header .article-meta-byline")
    assert normalise(byline.get_text()) == "By Alex Example, MSc, Physiotherapist"
    link = byline.find("a")
    assert (link["href"], link["rel"], link.get_text()) == (ALEX, ["author"], "Alex Example")


def test_article_cards_carry_the_same_byline(site):
    home = page(site, "/")
    card = next(c for c in home.select(".post-card") if c.find("a", href=KNEE))
    byline = card.select_one(".article-meta-byline")
    assert normalise(byline.get_text()) == "By Alex Example, MSc, Physiotherapist"
    assert card.select_one(".article-review") is None  # the review line is the article's own


def test_two_authors_are_both_named_each_with_their_own_page(site):
    byline = page(site, STRETCHING).select_one(".article-meta-byline")
    assert normalise(byline.get_text()) == (
        "By Alex Example, MSc, Physiotherapist and Rebalance Team"
    )
    assert [a["href"] for a in byline.find_all("a")] == [ALEX, TEAM]


def test_the_clinic_article_keeps_its_organisation_byline(site):
    byline = page(site, ARTICLE_URL).select_one(".article-meta-byline")
    assert normalise(byline.get_text()) == "By Rebalance Team"
    assert page(site, ARTICLE_URL).select_one(".article-review") is None


# --- Clinicians' pages ----------------------------------------------------------------------------
def test_clinician_page_shows_who_they_are_and_what_they_wrote(site):
    profile = page(site, ALEX)
    assert normalise(profile.h1.get_text()) == "Alex Example"
    assert normalise(profile.select_one(".profile-role").get_text()) == "MSc, Physiotherapist"
    registration = profile.select_one(".profile-registration").get_text()
    assert normalise(registration) == "Registration: Example Register EX00001"
    bio = profile.select_one(".profile-bio")
    assert "fictional physiotherapist" in normalise(bio.get_text())
    assert bio.find("strong").get_text() == "running injuries"  # the bio is Markdown
    assert bio.find("a")["href"] == KNEE  # {filename} links work in a bio
    written = [a["href"] for a in profile.select(".post-card-title a")]
    assert written == [KNEE, STRETCHING]
    assert normalise(profile.title.get_text()) == "Alex Example, Physiotherapist · Rebalance"


def test_clinician_photo_is_published_and_has_a_fixed_size(site):
    photo = page(site, ALEX).select_one("img.profile-photo")
    # A published copy of the photo (plugins/images never publishes the original as it is).
    assert photo["src"].startswith("/images/alex-example")
    with (
        Image.open(site / photo["src"].lstrip("/")) as published,
        Image.open(TRUST / "images" / "alex-example.png") as original,
    ):
        assert published.size[0] <= original.size[0] and not published.getexif()
    assert (photo["width"], photo["height"], photo["alt"]) == ("160", "160", "")
    assert page(site, SAM).select_one("img") is None  # no Photo: line, no picture


def test_a_clinician_who_only_reviews_has_a_page_listing_the_reviews(site):
    profile = page(site, SAM)
    assert normalise(profile.h1.get_text()) == "Sam Sample"
    assert profile.select(".post-card") == []
    section = profile.find("section", attrs={"aria-labelledby": "reviewed-heading"})
    (item,) = section.find_all("li")
    assert item.find("a")["href"] == KNEE
    assert item.find("time")["datetime"] == "2026-10-20"
    authors = page(site, "/blog/authors/")
    assert {a["href"] for a in authors.select(".term-list a")} == {ALEX, SAM, TEAM}


# --- The medical review ---------------------------------------------------------------------------
def test_review_line_names_the_reviewer_and_the_date(site):
    review = page(site, KNEE).select_one(".article-header .article-review")
    assert normalise(review.get_text()) == (
        "Medically reviewed by Sam Sample, BSc, PhD, Sports therapist on 20 October 2026"
    )
    assert review.find("a")["href"] == SAM
    assert "rel" not in review.find("a").attrs  # the reviewer is not an author
    assert review.find("time")["datetime"] == "2026-10-20"


def test_an_article_without_a_review_shows_no_review_line(site):
    assert page(site, STRETCHING).select_one(".article-review") is None


def test_structured_data_carries_the_people_and_the_review(site):
    nodes = graph(page(site, KNEE))
    webpage, posting = of_type(nodes, "MedicalWebPage"), of_type(nodes, "BlogPosting")
    assert webpage["lastReviewed"] == "2026-10-20"
    reviewer = nodes[webpage["reviewedBy"]["@id"]]
    assert (reviewer["@type"], reviewer["name"], reviewer["url"]) == ("Person", "Sam Sample", SAM)
    author = nodes[posting["author"]["@id"]]
    assert author == {
        "@type": "Person",
        "@id": ALEX + "#person",
        "name": "Alex Example",
        "url": ALEX,
        "jobTitle": "Physiotherapist",
        "honorificSuffix": "MSc",
        "hasCredential": {
            "@type": "EducationalOccupationalCredential",
            "credentialCategory": "Professional registration",
            "name": "Example Register EX00001",
            "identifier": "EX00001",
            "recognizedBy": {"@type": "Organization", "name": "Example Register"},
        },
        "memberOf": {"@type": "Organization", "name": "Example Register"},
        "image": page(site, ALEX).select_one("img.profile-photo")["src"],  # the published copy
        "worksFor": {"@id": "/#clinic"},
        "description": author["description"],
    }
    assert author["description"].startswith("Alex is a fictional physiotherapist")


def test_structured_data_names_every_author_and_an_organisation_as_one(site):
    nodes = graph(page(site, STRETCHING))
    posting, webpage = of_type(nodes, "BlogPosting"), of_type(nodes, "MedicalWebPage")
    authors = [nodes[ref["@id"]] for ref in posting["author"]]
    assert [(a["@type"], a["name"]) for a in authors] == [
        ("Person", "Alex Example"), ("Organization", "Rebalance Team")]  # fmt: skip
    assert authors[1]["parentOrganization"] == {"@id": "/#clinic"}
    assert "lastReviewed" not in webpage and "reviewedBy" not in webpage


def test_clinician_page_is_a_profile_page_about_them(site):
    nodes = graph(page(site, ALEX))
    profile = of_type(nodes, "ProfilePage")
    assert nodes[profile["mainEntity"]["@id"]]["name"] == "Alex Example"


# --- What the checks refuse -----------------------------------------------------------------------
def test_unknown_author_fails_the_build_and_lists_the_known_authors(content, tmp_path):
    shown = write(content, ARTICLE, article(Author="Alex Exampel"))
    built = build_here(content, tmp_path / "output")
    assert built.code == 1
    assert built.of(shown) == [(4, (
        'the author "Alex Exampel" is not known — did you mean "Alex Example"? Known authors: '
        '"Alex Example", "Rebalance Team", "Sam Sample". Write one of these names, or describe '
        "the clinician in a new file in content/authors/ (see the authoring guide)."))]  # fmt: skip


def test_each_of_several_authors_must_be_known(content, tmp_path):
    shown = write(content, ARTICLE, article(Authors="Alex Example, Jo Nobody"))
    built = build_here(content, tmp_path / "output")
    assert built.code == 1
    (found,) = built.of(shown)
    assert found[0] == 4 and found[1].startswith('the author "Jo Nobody" is not known. Known')


@pytest.mark.parametrize("name", ["Jo Nobody", "Rebalance Team"])
def test_reviewer_must_be_a_known_clinician(content, tmp_path, name):
    shown = write(content, ARTICLE, article(Reviewed_by=name, Last_reviewed="2026-11-02"))
    built = build_here(content, tmp_path / "output")
    assert built.code == 1
    assert built.of(shown) == [(4, (
        f'"Reviewed-by: {name}" does not name a clinician. Clinicians: "Alex Example", '
        '"Sam Sample". The reviewer is a clinician described in content/authors/ (see the '
        "authoring guide)."))]  # fmt: skip


@pytest.mark.parametrize("value", ["20/10/2026", "2026-13-45", "last spring"])
def test_last_reviewed_must_be_a_readable_date(content, tmp_path, value):
    shown = write(content, ARTICLE, article(Reviewed_by="Sam Sample", Last_reviewed=value))
    built = build_here(content, tmp_path / "output")
    assert built.code == 1
    assert built.of(shown) == [(5, (
        f'"Last-reviewed: {value}" is not a date that can be read without guessing. Write it as '
        'YYYY-MM-DD, for example "Last-reviewed: 2026-11-10" (a time may follow: 2026-11-10 '
        "09:30)."))]  # fmt: skip


@pytest.mark.parametrize(("header", "given", "missing"), [
    ({"Reviewed_by": "Sam Sample"}, "Reviewed-by", "Last-reviewed"),
    ({"Last_reviewed": "2026-11-02"}, "Last-reviewed", "Reviewed-by"),
])  # fmt: skip
def test_a_review_names_both_who_and_when(content, tmp_path, header, given, missing):
    shown = write(content, ARTICLE, article(**header))
    built = build_here(content, tmp_path / "output")
    assert built.code == 1
    ((line, message),) = built.of(shown)
    assert line == 4
    assert message.startswith(f'"{given}" needs "{missing}" too: a medical review says who')


def test_a_review_is_an_article_key_not_a_page_key(content, tmp_path):
    shown = write(content, "pages/prices.md", "Title: Prices\nReviewed-by: Sam Sample\n\nText.\n")
    built = build_here(content, tmp_path / "output")
    assert built.code == 1
    assert built.of(shown)[0][1].startswith('"Reviewed-by" belongs in articles, not pages')


def test_an_overdue_review_never_fails_the_build(content, tmp_path):
    write(content, ARTICLE, article(Date="2020-01-01", Reviewed_by="Sam Sample",
                                    Last_reviewed="2020-02-01"))  # fmt: skip
    built = build_here(content, tmp_path / "output")
    assert built.code == 0, built.stderr


@pytest.mark.parametrize(("text", "line", "expected"), [
    ("Name: Jo Example\nCredentials: MSc\n\nBio.\n", None,
     'there is no Role. Add a line "Role: Physiotherapist" to the header'),
    ("Name: Jo Example\nRole: Physiotherapist\nTitle: Dr\n\nBio.\n", 3,
     'unknown metadata key "Title". Remove the line or correct the key; allowed keys are: Name, '
     "Role, Credentials, Registration, Photo, Booking."),
    ("Name: Jo Example\nRole: Physiotherapist\nPhoto: images/nobody.jpg\n\nBio.\n", 3,
     'the photo "images/nobody.jpg" is not a picture in content/images/. Save the picture there '
     'and write its path, for example "Photo: images/jo-example.jpg".'),
    ("Name: Jo Example\nRole: Physiotherapist\n", None, "there is no text below the header"),
    ("Name: Jo Example\nRole: Physiotherapist\n\n<script>alert(1)</script> Bio.\n", 4,
     "the HTML element <script> is not allowed in articles and pages"),
])  # fmt: skip
def test_a_clinician_file_is_checked_like_an_article(content, tmp_path, text, line, expected):
    shown = write(content, "authors/jo-example.md", text)
    built = build_here(content, tmp_path / "output")
    assert built.code == 1
    found = built.of(shown)
    assert any(n == line and expected in m for n, m in found), built.stderr


def test_one_clinician_one_file(content, tmp_path):
    shown = write(content, "authors/alex.md", "Name: Alex Example\nRole: Osteopath\n\nBio.\n")
    built = build_here(content, tmp_path / "output")
    assert built.code == 1
    # Files are read in order of their names: the second one read is the one reported.
    assert built.of(shown) == [(1, (
        'this file describes "Alex Example", like content/authors/alex-example.md: each '
        "clinician has one file. Keep one of them."))]  # fmt: skip
    assert built.of("content/authors/alex-example.md") == []


def test_only_markdown_lives_in_the_authors_folder(content, tmp_path):
    (content / "authors" / "alex.jpg").write_bytes((TRUST / "images/alex-example.png").read_bytes())
    built = build_here(content, tmp_path / "output")
    assert built.code == 1
    assert built.of("content/authors/alex.jpg") == [(None, (
        "this file is not part of the site: authors/ holds Markdown files ending in .md only. "
        "Move pictures to content/images/ (and other files out of the content folder)."
    ))]  # fmt: skip


# --- invoke review-due ----------------------------------------------------------------------------
def test_months_before_counts_calendar_months():
    assert months_before(date(2026, 11, 24), 12) == date(2025, 11, 24)
    assert months_before(date(2024, 2, 29), 12) == date(2023, 2, 28)
    assert months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)
    assert months_before(date(2026, 1, 15), 13) == date(2024, 12, 15)


def test_overdue_lists_old_reviews_and_unreviewed_articles_oldest_first():
    today = date(2026, 11, 24)
    articles = [
        {"path": "a.md", "title": "Reviewed lately", "date": "2020-01-01",
         "last-reviewed": "2026-01-01"},
        {"path": "b.md", "title": "Reviewed long ago", "date": "2020-01-01",
         "last-reviewed": "2025-11-24"},  # exactly 12 months: due
        {"path": "c.md", "title": "Never reviewed", "date": "2024-06-01"},
        {"path": "d.md", "title": "Draft", "date": "2020-01-01", "status": "draft"},
        {"path": "e.md", "title": "Young", "date": "2026-06-01"},
        {"path": "f.md", "title": "Future", "date": "2027-01-01"},
    ]  # fmt: skip
    due = overdue(articles, 12, today)
    assert [(d.path, d.since.isoformat(), d.reviewed) for d in due] == [
        ("c.md", "2024-06-01", False), ("b.md", "2025-11-24", True)]  # fmt: skip


def run_review_due(content: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "invoke", "review-due", "--content", str(content), *args],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip


def test_review_due_task_lists_file_title_and_date_oldest_first(content):
    today = date.today()
    old = (today - timedelta(days=400)).isoformat()
    older = (today - timedelta(days=800)).isoformat()
    write(
        content,
        "articles/old-review.md",
        article(Title="Old review", Date=older, Reviewed_by="Sam Sample", Last_reviewed=old),
    )
    write(content, "articles/never-reviewed.md", article(Title="Never reviewed", Date=older))
    write(content, "articles/fresh.md", article(Title="Fresh", Date=older, Reviewed_by="Sam Sample",
                                                Last_reviewed=today.isoformat()))  # fmt: skip
    write(content, "articles/old-draft.md", article(Title="Old draft", Date=older, Status="draft"))

    result = run_review_due(content)

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "Due for medical review (not reviewed for 12 months or more), oldest first:"
    listed = [line.split() for line in lines[1:-1]]
    assert [(words[0], words[-2:]) for words in listed] == [
        (older, ["Never", "reviewed"]), (old, ["Old", "review"])]  # fmt: skip
    assert f"{content}/articles/never-reviewed.md" in lines[1]
    assert "published, never reviewed" in lines[1] and "last reviewed" in lines[2]
    assert lines[-1].startswith("2 articles due.")


def test_review_due_task_says_when_nothing_is_due(content):
    result = run_review_due(content, "--months", "24")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("No article is due for medical review")


# --- In a browser ---------------------------------------------------------------------------------
@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_clinician_and_reviewed_pages_pass_axe_and_fit_a_phone(site, browser, scheme):
    """The new markup (bylines, review line, profile, references) in Chromium: axe-core finds
    nothing, and at 320 px nothing scrolls sideways (long reference addresses wrap)."""
    require_axe()
    with serve(site) as base:
        for url in (KNEE, STRETCHING, ALEX, SAM):
            for viewport in ({"width": 1280, "height": 900}, {"width": 320, "height": 568}):
                context = browser.new_context(viewport=viewport, color_scheme=scheme)
                page = context.new_page()
                assert page.goto(base + url).status == 200
                violations = run_axe(page)
                assert violations == [], f"{url}:\n" + format_axe_violations(violations)
                wide = page.evaluate("document.documentElement.scrollWidth")
                assert wide <= viewport["width"], f"{url} is {wide} px wide"
                context.close()


# --- Clinician profiles taken at their word no more (issue 19) -----------------------------------
PROFILE = "Name: Jo Example\nRole: Physiotherapist\n{extra}\nJo is fictional.\n"


@pytest.mark.parametrize(
    ("extra", "line", "expected"),
    [("Credentials: MSc <b>Sports</b>", 3, 'the Credentials contains the HTML code "<b>"'),
     ("Credentials: BSc &amp; MSc", 3, 'the Credentials contains the HTML code "&amp;"'),
     ("Registration: HCPC &lt;PH12345&gt;", 3, "the Registration contains the HTML code")],
)  # fmt: skip
def test_every_profile_field_is_plain_text(content, tmp_path, extra, line, expected):
    shown = write(content, "authors/jo-example.md", PROFILE.format(extra=extra))
    built = build_here(content, tmp_path / "output")
    built.expect(shown, line, expected)


def test_a_profile_cannot_take_the_clinics_byline(content, tmp_path):
    shown = write(content, "authors/team.md", "Name: Rebalance Team\nRole: Physiotherapist\n\nX.\n")
    built = build_here(content, tmp_path / "output")
    built.expect(shown, 1, "\"Name: Rebalance Team\" is the clinic's own byline")


def test_a_review_dated_in_the_future_is_refused(content, tmp_path):
    from datetime import date, timedelta

    later = (date.today() + timedelta(days=200)).isoformat()
    shown = write(content, ARTICLE, article(Reviewed_by="Alex Example", Last_reviewed=later))
    built_ = build_here(content, tmp_path / "output")
    built_.expect(shown, 5, f'"Last-reviewed: {later}" is later than today')


def test_a_review_before_publication_is_refused(content, tmp_path):
    shown = write(content, ARTICLE, article(Reviewed_by="Alex Example", Last_reviewed="2026-10-01"))
    built = build_here(content, tmp_path / "output")
    built.expect(shown, 5, "is before the article was published (2026-11-01)")


def test_an_unreadable_photo_fails_with_its_file(content, tmp_path):
    (content / "images" / "jo.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    shown = write(content, "authors/jo-example.md", PROFILE.format(extra="Photo: images/jo.jpg"))
    built = build_here(content, tmp_path / "output")
    built.expect(shown, 3, 'the photo "images/jo.jpg" cannot be read as a picture')
