"""The clinic's front door (issue 16), built for real and read as HTML.

The real content, plus the fictional demo content in tests/data/front-door/ (three treatments,
two clinicians with drawn portraits) and demo opening hours given as CLINIC_HOURS, as a
deployment gives them: what a patient finds on the home page, on a treatment's page and in every
page's footer, and that each clinic fact comes from one value. Then the real site alone: nothing
is invented, no section stands empty, and production builds with the clinic's settings.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import PRODUCTION_ENV, build_here, content_with, parse

from rebalance.browser import format_vnu_messages, require_vnu, run_vnu
from rebalance.build import DEV_SETTINGS, ROOT, build_site
from rebalance.clinic import HoursError, hours_text, parse_hours

DEMO = ROOT / "tests" / "data" / "front-door"
DEMO_HOURS = "Mo-Fr 08:00-19:00; Sa 09:00-13:00"
DEMO_TREATMENTS = ["demo-treatment-one", "demo-treatment-two", "demo-treatment-three"]
ARTICLE = "/blog/unlocking-relief-the-many-benefits-of-dry-needling/"
ARTICLE_SOURCE = (
    ROOT
    / "content"
    / "articles"
    / "2026-11-10-unlocking-relief-the-many-benefits-of-dry-needling.md"
)


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory) -> Path:
    """The real content with the demo content added, built with the demo hours."""
    tmp = tmp_path_factory.mktemp("front-door")
    content = content_with(tmp, DEMO)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("CLINIC_HOURS", DEMO_HOURS)
        assert build_site(DEV_SETTINGS, tmp / "output", overrides={"PATH": str(content)})
    return tmp / "output"


def graph(soup) -> list[dict]:
    return json.loads(soup.find("script", type="application/ld+json").string)["@graph"]


def text(tag) -> str:
    """A tag's text as read aloud: typogrify's no-break spaces are spaces."""
    return tag.get_text().replace("\xa0", " ")


def node(soup, kind: str) -> dict:
    return next(n for n in graph(soup) if n["@type"] == kind)


# --- The home page ----------------------------------------------------------------------------
def test_home_answers_a_patients_questions_in_order(demo_site):
    main = parse(demo_site / "index.html").find("main")
    hero = main.find(class_="home-hero")
    assert hero.find("h1") and hero.select_one("a.booking-link")
    sections = [s.get("id") or s.h2["id"] for s in main.select("section.home-section")]
    assert sections == ["treatments", "team", "find-us", "latest-heading"]
    assert [h.get_text() for h in main.select("section.home-section > h2")] == [
        "What we treat", "Our team", "Find us", "From our physiotherapists"]  # fmt: skip


def test_treatments_are_listed_and_link_their_pages(demo_site):
    cards = parse(demo_site / "index.html").select("#treatments .card")
    links = [card.h3.a["href"] for card in cards]
    assert sorted(links) == sorted(
        [f"/treatments/{slug}/" for slug in DEMO_TREATMENTS] + ["/treatments/dry-needling/"]
    )
    for card, link in zip(cards, links, strict=True):
        page = parse(demo_site / link.strip("/") / "index.html")
        assert page.h1.get_text() == card.h3.get_text()
        assert card.select_one(".card-text").get_text().strip()  # the Summary line


def test_team_cards_show_photo_and_registration_and_link_the_profiles(demo_site):
    cards = parse(demo_site / "index.html").select("#team .card")
    assert [c.h3.get_text() for c in cards] == ["Kit Demo", "Robin Demo"]
    for card in cards:
        profile = demo_site / card.h3.a["href"].strip("/") / "index.html"
        assert card.h3.a["href"].startswith("/blog/author/") and profile.is_file()
        photo = card.find("img")
        assert photo["src"].startswith("/images/") and (demo_site / photo["src"][1:]).is_file()
    assert "Registration: Demo Register DEMO0001 (check the public register)" in text(cards[1])
    register = cards[1].find("a", string="check the public register")["href"]
    assert register == "https://register.example.org/check"
    # Robin has a booking page of their own (Booking:), with the attribution; Kit has none.
    own = cards[1].find("a", string=re.compile("^Book with"))["href"]
    assert own.startswith("https://demo-clinic.janeapp.com/?utm_source=website&")
    assert own.endswith("utm_campaign=home#/staff_member/1")
    assert not cards[0].find("a", string=re.compile("^Book with"))
    nav = [text(a) for a in parse(demo_site / "index.html").select("nav.site-nav a")]
    assert nav == ["Treatments", "Team", "Articles", "About us", "Contact us"]


def test_find_us_has_address_hours_phone_and_a_plain_directions_link(demo_site, settings):
    soup = parse(demo_site / "index.html")
    find_us = soup.find(id="find-us")
    clinic = settings["CLINIC"]
    assert clinic["address"] in find_us.get_text()
    assert find_us.find("a", href="tel:" + clinic["phone"].replace(" ", ""))
    assert find_us.find("a", href="mailto:" + clinic["email"])
    hours = [li.get_text(" ", strip=True) for li in find_us.select(".hours-list li")]
    assert hours == ["Monday–Friday 8:00–19:00", "Saturday 9:00–13:00"]
    directions = find_us.find("a", string="Get directions")
    assert directions["href"].startswith("https://www.google.com/maps/search/?api=1&query=")
    assert not soup.find_all(["iframe", "embed", "object"])  # no embedded map


def test_home_lists_the_latest_three_articles_and_all_of_them(demo_site):
    latest = parse(demo_site / "index.html").find(id="latest-heading").parent
    assert [a["href"] for a in latest.select(".post-card-title a")] == [
        "/blog/demo-article-by-kit/", "/blog/demo-article-by-robin/", ARTICLE]  # fmt: skip
    assert latest.find("a", string="All articles")["href"] == "/blog/archives/"


def test_the_front_door_pages_are_valid_html(demo_site):
    """The Nu HTML Checker on the pages only the demo content fills: the home page with every
    section, each treatment, each clinician's page."""
    require_vnu()
    pages = [demo_site / "index.html", *demo_site.glob("treatments/*/index.html"),
             *(demo_site / "blog" / "author" / slug / "index.html"
               for slug in ("robin-demo", "kit-demo"))]  # fmt: skip
    assert len(pages) == 7 and all(p.is_file() for p in pages)
    errors = run_vnu(pages)
    assert not errors, format_vnu_messages(errors)


def test_a_clinicians_page_links_the_register_and_their_own_booking_page(demo_site):
    soup = parse(demo_site / "blog" / "author" / "robin-demo" / "index.html")
    profile = soup.find("main")
    link = profile.select_one(".profile-booking a.booking-link")
    assert link["href"].startswith("https://demo-clinic.janeapp.com/?utm_source=website&")
    assert link["data-address"] == "https://demo-clinic.janeapp.com/#/staff_member/1"
    person = node(soup, "Person")
    body = {"@type": "Organization", "name": "Demo Register",
            "url": "https://register.example.org/check"}  # fmt: skip
    assert person["memberOf"] == body
    assert person["hasCredential"]["identifier"] == "DEMO0001"
    assert person["hasCredential"]["recognizedBy"] == body


def test_a_clinicians_booking_page_must_be_https(tmp_path):
    content = content_with(tmp_path, DEMO)
    robin = content / "authors" / "demo-robin-fictional.md"
    robin.write_text(robin.read_text().replace("https://demo-clinic", "http://demo-clinic"))
    built = build_here(content, tmp_path / "out")
    assert built.code != 0
    [(line, message)] = built.of("content/authors/demo-robin-fictional.md")
    assert line == 6
    assert message.startswith(
        'the booking page "http://demo-clinic.janeapp.com/#/staff_member/1" cannot be used: it '
        "must start with https://"
    )


def test_a_treatment_without_a_summary_is_reported_with_its_file(tmp_path):
    content = content_with(tmp_path, DEMO)
    treatment = content / "pages" / "treatments" / "demo-treatment-one.md"
    text = treatment.read_text(encoding="utf-8")
    treatment.write_text(re.sub(r"(?m)^Summary:.*\n", "", text), encoding="utf-8")
    built = build_here(content, tmp_path / "out")
    assert built.code != 0
    [(line, message)] = built.of("content/pages/treatments/demo-treatment-one.md")
    assert message.startswith("This treatment has no Summary line")


# --- One source for each clinic fact ------------------------------------------------------------
def test_hours_text_and_structured_data_are_made_from_one_value(demo_site):
    soup = parse(demo_site / "index.html")
    footer = soup.find("footer", class_="site-footer").get_text(" ", strip=True)
    assert "Opening hours: Monday–Friday 8:00–19:00; Saturday 9:00–13:00" in footer
    clinic = node(soup, "Physiotherapy")
    assert "openingHours" not in clinic
    assert clinic["openingHoursSpecification"] == [
        {"@type": "OpeningHoursSpecification", "opens": "08:00", "closes": "19:00",
         "dayOfWeek": [f"https://schema.org/{d}" for d in
                       ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")]},
        {"@type": "OpeningHoursSpecification", "opens": "09:00", "closes": "13:00",
         "dayOfWeek": ["https://schema.org/Saturday"]},
    ]  # fmt: skip


def test_every_page_has_the_contact_block_in_its_footer(demo_site, settings):
    clinic = settings["CLINIC"]
    pages = sorted(demo_site.rglob("*.html"))
    assert len(pages) > 10
    for path in pages:
        soup = parse(path)
        if soup.find("meta", attrs={"http-equiv": "refresh"}):
            continue  # an old address that leads on at once
        block = soup.select_one("footer.site-footer .clinic-facts")
        assert block, path
        assert block.find("a", href="tel:" + clinic["phone"].replace(" ", "")), path
        assert block.find("a", href="mailto:" + clinic["email"]), path
        assert clinic["address"] in block.get_text(), path


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mo-Fr 08:00-19:00; Sa 09:00-13:00", "Monday–Friday 8:00–19:00; Saturday 9:00–13:00"),
        ("Mon–Fri 8:00–19:00, Sat 9:00–13:00", "Monday–Friday 8:00–19:00; Saturday 9:00–13:00"),
        ("Monday to Friday, 8am to 6pm", "Monday–Friday 8:00–18:00"),
        ("Mon, Wed and Fri 9am-5.30pm", "Monday, Wednesday and Friday 9:00–17:30"),
        ("Tu-We 12pm-8pm", "Tuesday and Wednesday 12:00–20:00"),
        ("", ""),
    ],
)
def test_opening_hours_are_read_as_people_write_them(text, expected):
    assert hours_text(parse_hours(text)) == expected


@pytest.mark.parametrize(
    "text", ["[Opening hours: to be confirmed]", "Mo-Fr 19:00-08:00", "Mo-Fr 25:00-26:00",
             "Fr-Mo 09:00-17:00", "Mo-Fr 9-5 and by appointment", "Xy 09:00-17:00"],
)  # fmt: skip
def test_hours_that_cannot_be_read_are_refused(text):
    with pytest.raises(HoursError):
        parse_hours(text)


def test_unreadable_hours_stop_the_build_with_a_message_not_a_traceback(tmp_path):
    env = {**PRODUCTION_ENV, "CLINIC_HOURS": "whenever we are in"}
    result = subprocess.run(
        [sys.executable, "-m", "pelican", "-s", str(DEV_SETTINGS), "-o", str(tmp_path / "o")],
        cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True,
        check=False,
    )  # fmt: skip
    message = result.stdout + result.stderr
    assert result.returncode != 0
    assert 'CLINIC_HOURS: could not read "whenever we are in"' in message
    assert "Mo-Fr 08:00-19:00" in message and "Traceback" not in message


# --- A treatment's page -------------------------------------------------------------------------
def test_a_treatment_page_has_its_sections_booking_and_related_articles(demo_site):
    soup = parse(demo_site / "treatments" / "dry-needling" / "index.html")
    main = soup.find("main")
    headings = [text(h) for h in main.select(".page-body h2")]
    assert headings == ["What it is", "Who it may help", "What a session involves"]
    assert main.select_one(".treatment-lead").get_text().startswith("A very thin, sterile needle")
    booking = main.select_one("a.booking-link")["href"]
    assert booking.startswith("https://booking.example.com/rebalance?")
    assert "utm_campaign=dry-needling" in booking
    assert [a["href"] for a in main.select(".related-articles a")] == [ARTICLE]
    # Duration and price: not given by the clinic, so not there at all.
    assert not re.search(r"duration|price|£|\$|€", main.get_text(), re.I)


def test_a_treatment_with_its_own_booking_page_links_it(demo_site):
    main = parse(demo_site / "treatments" / "demo-treatment-two" / "index.html").find("main")
    booking = main.select_one("a.booking-link")["href"]
    assert booking.startswith("https://demo-clinic.janeapp.com/?utm_source=website&")
    assert booking.endswith("#/discipline/1/treatment/2")
    assert main.select_one("a.booking-link")["data-address"] == (
        "https://demo-clinic.janeapp.com/#/discipline/1/treatment/2"
    )


def test_a_treatment_is_a_medical_therapy_the_clinic_provides(demo_site):
    soup = parse(demo_site / "treatments" / "dry-needling" / "index.html")
    therapy = node(soup, "MedicalTherapy")
    clinic = node(soup, "Physiotherapy")
    assert therapy["name"] == "Dry needling" and therapy["provider"] == {"@id": clinic["@id"]}
    page = node(soup, "MedicalWebPage")
    assert page["mainEntity"] == {"@id": therapy["@id"]}
    crumbs = node(soup, "BreadcrumbList")["itemListElement"]
    assert [c["name"] for c in crumbs] == ["Home", "Treatments", "Dry needling"]


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z]+(?:'[a-z]+)?", text.lower().replace("’", "'"))


def test_dry_needling_says_only_what_the_clinics_article_says():
    """Each sentence of the treatment's text is the article's, quoted or condensed: at least 80%
    of its words (four letters or more) are words of the article."""
    article = set(_words(ARTICLE_SOURCE.read_text(encoding="utf-8")))
    source = (ROOT / "content" / "pages" / "treatments" / "dry-needling.md").read_text("utf-8")
    header, body = source.split("\n\n", 1)
    # The line that names and links the article is the attribution, not the article's words.
    body = "\n".join(ln for ln in body.splitlines() if "{filename}/articles/" not in ln)
    summary = header.split("Summary:", 1)[1]
    # Headings are the page's fixed sections ("What it is"), not claims.
    lines = [ln.strip("- ") for ln in (summary + "\n" + body).splitlines()
             if ln.strip() and not ln.startswith("#")]  # fmt: skip
    sentences = [s for ln in lines for s in re.split(r"(?<=[.:!?])\s+", ln) if s]
    assert len(sentences) > 15
    for sentence in sentences:
        words = [w for w in _words(sentence) if len(w) >= 4]
        known = [w for w in words if w in article or w.rstrip("s") in article]
        assert len(known) >= 0.8 * len(words), sentence
    assert "({filename}/articles/2026-11-10-unlocking-relief" in source  # and links it


# --- The real site: nothing invented, nothing unfinished ---------------------------------------
PLACEHOLDER = re.compile(
    r"\[placeholder|to be confirmed|lorem ipsum|\bTODO\b|\bTBD\b|\bxxx\b", re.I
)


def test_content_has_no_placeholder_text():
    for path in sorted((ROOT / "content").rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        assert not PLACEHOLDER.search(text), path
        assert not re.search(r"(?<!\])\[[^\]]*\](?!\()", text), f"{path}: bracketed text"


def test_the_real_site_leaves_out_what_the_clinic_has_not_given(html_pages):
    home = html_pages["/"]
    assert home.find(id="treatments") and not home.find(id="team")  # no clinician files yet
    assert [text(a) for a in home.select("nav.site-nav a")] == [
        "Treatments", "Articles", "About us", "Contact us"]  # fmt: skip
    assert not home.select(".hours-list")  # no hours given in development
    assert "Opening hours" not in home.find("footer").get_text()
    for url in ("/new-patients/", "/privacy/"):
        assert url in [a["href"] for a in html_pages["/about/"].select("footer a")]


def test_production_builds_the_real_site_with_the_clinics_settings(production_site):
    output = production_site
    home = parse(output / "index.html")
    text = home.get_text(" ", strip=True)
    assert "Monday–Friday 8:00–18:00" in text  # PRODUCTION_ENV's CLINIC_HOURS, read
    for path in output.rglob("*.html"):
        shown = parse(path).find("body").get_text(" ")
        assert not PLACEHOLDER.search(shown), path
        assert "example.com" not in shown, path


def test_an_authors_note_and_warning_are_published_as_written(demo_site):
    """<div class="note" markdown="1"> (docs/authoring.md): the Markdown inside is read, and the
    theme's bands apply (the browser tests judge their colours with axe)."""
    page = parse(demo_site / "blog" / "demo-article-by-robin" / "index.html")
    assert "band for notes" in page.select_one("div.note p").get_text()
    assert page.select_one("div.warning p").get_text().startswith("A demo warning")
