"""One clear way to book, on every page, pointing at the BOOKING_URL setting."""

from __future__ import annotations


def test_every_page_links_to_booking_in_its_header(html_pages, settings):
    for url, soup in html_pages.items():
        link = soup.select_one("header.site-header a.booking-link")
        assert link is not None, f"no booking link in the header of {url}"
        assert link["href"] == settings["BOOKING_URL"], url
        assert link.get_text(strip=True) == settings["BOOKING"]["label"], url


def test_booking_call_to_action_follows_the_article(article, settings):
    main = article.find("main")
    cta = main.select_one("aside.booking-cta")
    assert cta is not None
    # After the article, not inside or before it.
    assert cta.find_previous_sibling("article") is not None
    assert cta.find("a")["href"] == settings["BOOKING_URL"]
    assert settings["BOOKING"]["cta_heading"] in cta.get_text()


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
    assert contact.find("a", href=settings["BOOKING_URL"])


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
