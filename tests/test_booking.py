"""One clear way to book, on every page, pointing at the BOOKING_URL setting (or an article's own
booking page), and telling the booking service which page the reader came from."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import build_content, parse

from rebalance.plugins.booking_link.booking_link import booking_url_problem, campaign_for, with_utm

UTM = {"utm_source": "website", "utm_medium": "referral"}
ARTICLE = "Title: {title}\nDate: 2026-01-05\nSummary: A test article.\n{header}\n{body}\n"


def _split(href: str) -> tuple[str, dict[str, list[str]]]:
    """The address without its query, and the query's parameters."""
    parts = urlsplit(href)
    return parts._replace(query="").geturl(), parse_qs(parts.query)


def test_every_page_links_to_booking_in_its_header_with_its_campaign(html_pages, settings):
    for url, soup in html_pages.items():
        link = soup.select_one("header.site-header a.booking-link")
        assert link is not None, f"no booking link in the header of {url}"
        address, query = _split(link["href"])
        assert address == settings["BOOKING_URL"], url
        assert query["utm_source"] == ["website"] and query["utm_medium"] == ["referral"], url
        assert len(query["utm_campaign"]) == 1 and query["utm_campaign"][0], url
        assert link.get_text(strip=True) == settings["BOOKING"]["label"], url


def test_each_page_names_itself_as_the_campaign(html_pages):
    expected = {
        "/": "home",
        "/blog/unlocking-relief-the-many-benefits-of-dry-needling/":
            "unlocking-relief-the-many-benefits-of-dry-needling",
        "/about/": "about",
        "/contact/": "contact",
        "/blog/tag/dry-needling/": "blog-tag-dry-needling",
        "/blog/archives/": "blog-archives",
        "/404.html": "404",
    }  # fmt: skip
    for url, campaign in expected.items():
        link = html_pages[url].select_one("header a.booking-link")
        assert _split(link["href"])[1]["utm_campaign"] == [campaign], url


def test_booking_call_to_action_follows_the_article(article, settings):
    main = article.find("main")
    cta = main.select_one("aside.booking-cta")
    assert cta is not None
    # After the article, not inside or before it.
    assert cta.find_previous_sibling("article") is not None
    address, query = _split(cta.find("a")["href"])
    assert address == settings["BOOKING_URL"]
    assert query["utm_campaign"] == ["unlocking-relief-the-many-benefits-of-dry-needling"]
    assert settings["BOOKING"]["cta_heading"] in cta.get_text()


def test_every_booking_link_of_the_article_names_the_article(article, settings):
    links = [a for a in article.find_all("a", href=True)
             if a["href"].startswith(settings["BOOKING_URL"])]  # fmt: skip
    # The header, the {booking} link in the text and the call to action.
    assert len(links) == 3
    expected = f"{settings['BOOKING_URL']}?utm_source=website&utm_medium=referral&utm_campaign="
    assert {a["href"] for a in links} == {
        expected + "unlocking-relief-the-many-benefits-of-dry-needling"
    }
    # On paper, the address a reader can type: no parameters.
    assert {a["data-address"] for a in links if "booking-link" in a.get("class", [])} == {
        settings["BOOKING_URL"]
    }


def test_external_links_never_open_a_window_without_noopener(html_pages):
    for url, soup in html_pages.items():
        for link in soup.find_all("a", href=True):
            if link["href"].startswith("http"):
                assert "noopener" in (link.get("rel") or []), f"{url}: {link}"
            if link.get("target") == "_blank":
                assert "noopener" in (link.get("rel") or []), f"{url}: {link}"


def test_contact_page_shows_every_clinic_fact_with_working_links(html_pages, settings):
    contact = html_pages["/contact/"].find("main")
    clinic = settings["CLINIC"]
    text = contact.get_text(" ")
    for fact in ("name", "address", "phone", "email", "hours"):
        assert clinic[fact] in text, fact
    assert contact.find("a", href="tel:" + clinic["phone"].replace(" ", ""))
    assert contact.find("a", href="mailto:" + clinic["email"])
    booking = with_utm(settings["BOOKING_URL"], UTM, "contact")
    assert contact.find("a", href=booking)


def test_footer_shows_the_clinic_facts_on_every_page(html_pages, settings):
    for url, soup in html_pages.items():
        footer = soup.find("footer", class_="site-footer")
        assert settings["CLINIC"]["phone"] in footer.get_text(), url
        assert settings["CLINIC"]["address"] in footer.get_text(), url


def test_unknown_clinic_facts_are_visibly_placeholders(settings):
    # Nobody has told us these; they must not read like real facts.
    assert "example.com" in settings["BOOKING_URL"]
    assert settings["CLINIC"]["phone"].startswith("+00")
    assert settings["CLINIC"]["address"].startswith("[")


# --- The attribution parameters ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("url", "utm", "expected"),
    [
        ("https://b.example/x", UTM,
         "https://b.example/x?utm_source=website&utm_medium=referral&utm_campaign=knee"),
        # The booking service's own parameters and fragment are kept as they were.
        ("https://b.example/x?loc=1&t=a%20b#staff", UTM,
         "https://b.example/x?loc=1&t=a%20b&utm_source=website&utm_medium=referral"
         "&utm_campaign=knee#staff"),
        # Ours replace any of the same name.
        ("https://b.example/?utm_source=old&a=1", UTM,
         "https://b.example/?a=1&utm_source=website&utm_medium=referral&utm_campaign=knee"),
        ("https://b.example/x", {"utm_source": "clinic site"},
         "https://b.example/x?utm_source=clinic+site&utm_campaign=knee"),
        ("https://b.example/x", {**UTM, "utm_campaign": "autumn"},
         "https://b.example/x?utm_source=website&utm_medium=referral&utm_campaign=autumn"),
        ("https://b.example/x?a=1", None, "https://b.example/x?a=1"),
    ],
)  # fmt: skip
def test_parameters_are_added_to_the_booking_address(url, utm, expected):
    assert with_utm(url, utm, "knee") == expected


@pytest.mark.parametrize(
    ("output_file", "campaign"),
    [("index.html", "home"), ("page/2/index.html", "page-2"), ("404.html", "404"),
     ("blog/tag/knee-pain/index.html", "blog-tag-knee-pain"),
     ("post/knee/index.html", "post-knee")],
)  # fmt: skip
def test_pages_that_are_no_article_are_named_by_their_address(output_file, campaign):
    assert campaign_for(output_file) == campaign


def test_one_setting_changes_or_removes_the_parameters(tmp_path):
    files = {"articles/a.md": ARTICLE.format(title="Knee", header="", body="[Book]({booking})")}
    changed = build_content(tmp_path / "changed", files, BOOKING_UTM={"utm_source": "clinic"})
    page = parse(changed / "blog" / "knee" / "index.html")
    hrefs = {a["href"] for a in page.select("header a.booking-link, .article-body a")}
    assert hrefs == {"https://booking.example.com/rebalance?utm_source=clinic&utm_campaign=knee"}

    removed = build_content(tmp_path / "removed", files, BOOKING_UTM=None)
    for name in ("blog/knee/index.html", "index.html"):
        page = parse(removed / name)
        hrefs = {a["href"] for a in page.select("a.booking-link, .article-body a")}
        assert hrefs == {"https://booking.example.com/rebalance"}, name


# --- An article's own booking page ---------------------------------------------------------------
def test_an_article_can_send_readers_to_its_own_booking_page(tmp_path):
    own = "https://booking.example.com/rebalance/dry-needling?type=7"
    files = {
        "articles/a.md": ARTICLE.format(title="Needles", header=f"Booking: {own}\n",
                                        body="[Book a session]({booking})"),
        "articles/b.md": ARTICLE.format(title="Knees", header="", body="Text."),
    }  # fmt: skip
    output = build_content(tmp_path, files)
    assert output is not None
    page = parse(output / "blog" / "needles" / "index.html")
    links = page.select("header a.booking-link, .article-body a, .booking-cta a")
    assert len(links) == 3
    for link in links:
        address, query = _split(link["href"])
        assert address == "https://booking.example.com/rebalance/dry-needling"
        assert query == {"type": ["7"], "utm_source": ["website"], "utm_medium": ["referral"],
                         "utm_campaign": ["needles"]}  # fmt: skip
    other = parse(output / "blog" / "knees" / "index.html").select_one("header a.booking-link")
    assert _split(other["href"])[0] == "https://booking.example.com/rebalance"


@pytest.mark.parametrize(
    ("value", "why"),
    [("http://booking.example.com/x", "it must start with https://"),
     ("booking.example.com/x", "it must start with https://"),
     ("javascript:alert(1)", "it must start with https://"),
     ("https://", "there is no website name after https://"),
     ("https://booking.example.com/a b", "it contains a space"),
     ("https://me:secret@booking.example.com/", "must not contain a user name or password")],
)  # fmt: skip
def test_a_booking_page_that_is_not_https_is_refused(value, why):
    assert why in (booking_url_problem(value) or "")


@pytest.mark.parametrize(
    ("value", "why"),
    [("https://good.example\\@evil.example/book", "backslash"),
     ("https://book.example.com/\u202ekoob", "invisible character"),
     ("https://book.example.com/\u200b", "invisible character"),
     ("https://192.168.1.10/book", "your own computer or network"),
     ("https://user:secret@book.example.com/", "user name or password")],
)  # fmt: skip
def test_booking_lines_are_judged_as_a_browser_reads_them(tmp_path, value, why):
    """The host checked is the host a browser would open (WHATWG URL, ada)."""
    from conftest import build_here, content_with

    content = content_with(tmp_path)
    article = content / "articles" / "2026-11-20-knee.md"
    article.write_text(f"Title: Knee\nDate: 2026-11-20\nSummary: Knees.\nBooking: {value}\n\n"
                       "[Book]({booking})\n", encoding="utf-8")  # fmt: skip
    built = build_here(content, tmp_path / "output")
    built.expect("content/articles/2026-11-20-knee.md", 4, why)


def test_the_settings_booking_url_is_judged_too(tmp_path):
    from conftest import build_here, content_with

    built = build_here(content_with(tmp_path), tmp_path / "output",
                       BOOKING_URL="https://clinic.example\\@evil.example/")  # fmt: skip
    assert built.code == 1
    assert any("BOOKING_URL" in m and "backslash" in m for _, _, m in built.problems)
