"""The built site: every page where a reader expects it, and no broken internal link."""

from __future__ import annotations

from urllib.parse import unquote, urljoin, urlsplit
from xml.etree import ElementTree

from conftest import ARTICLE_URL

from rebalance.measure import OURS


def test_every_page_type_is_at_its_clean_url(built_site):
    # OURS (bench/common.py) is the one list of page types, shared with the weight, browser,
    # validator and Lighthouse tests: each is a folder with an index.html, except the 404 page.
    missing = [path for path in OURS.values() if not (built_site / path).is_file()]
    assert not missing, f"pages missing from the build: {missing}"
    assert all(p.endswith("/index.html") or p in ("index.html", "404.html") for p in OURS.values())


def test_pelican_default_file_names_are_not_used(built_site):
    # Clean URLs only: no /pages/about.html, /category/x.html or /blog/x.html files.
    stray = [
        p.relative_to(built_site).as_posix()
        for p in built_site.rglob("*.html")
        if p.name not in ("index.html", "404.html")
    ]
    assert stray == []


def test_home_page_lists_the_article_with_its_summary(html_pages):
    home = html_pages["/"]
    links = [a["href"] for a in home.select(".post-card-title a")]
    assert ARTICLE_URL in links
    card = home.select_one(".post-card")
    assert "releases painful muscle knots" in card.select_one(".post-card-summary").get_text()


def test_no_page_contains_an_unresolved_link_marker(built_site):
    for path in built_site.rglob("*"):
        if path.suffix in (".html", ".xml", ".txt"):
            text = path.read_text(encoding="utf-8")
            for marker in ("{filename}", "{static}", "{attach}", "{booking}"):
                assert marker not in text, f"{marker} left in {path.relative_to(built_site)}"


def _target_exists(built_site, path: str) -> bool:
    local = built_site / unquote(path).lstrip("/")
    return local.is_file() or (local / "index.html").is_file()


def test_every_internal_link_and_asset_resolves_to_a_built_file(built_site, html_pages):
    broken = []
    for url, soup in html_pages.items():
        for tag, attr in (("a", "href"), ("link", "href"), ("img", "src"), ("script", "src")):
            for element in soup.find_all(tag, attrs={attr: True}):
                target = urlsplit(urljoin(url, element[attr]))
                if target.scheme or target.netloc:  # external, mailto:, tel:
                    continue
                if not _target_exists(built_site, target.path):
                    broken.append(f"{url} -> {element[attr]}")
                elif target.fragment:
                    page = html_pages.get(target.path)
                    if page is not None and not page.find(id=target.fragment):
                        broken.append(f"{url} -> {element[attr]} (no such id)")
    assert not broken, "broken internal links:\n" + "\n".join(broken)


def test_every_page_has_exactly_one_h1_and_a_title(html_pages):
    for url, soup in html_pages.items():
        assert len(soup.find_all("h1")) == 1, url
        assert soup.title and soup.title.get_text().strip(), url


def test_sitemap_lists_content_only_with_its_own_dates(built_site):
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    urls = ElementTree.parse(built_site / "sitemap.xml").getroot().findall("s:url", ns)
    entries = {u.findtext("s:loc", namespaces=ns): u.findtext("s:lastmod", namespaces=ns)[:10]
               for u in urls}  # fmt: skip
    assert entries.pop(ARTICLE_URL) == "2026-11-21"  # its Modified date, not the build's
    assert entries.pop("/contact/") == "2026-11-23"
    for page in ("/about/", "/new-patients/", "/privacy/", "/treatments/dry-needling/"):
        assert entries.pop(page) == "2026-12-04", page  # their Modified dates
    # Left: the home page alone (its lastmod is the build time: it changes with every article).
    assert list(entries) == ["/"]
    assert (built_site / "robots.txt").read_text(encoding="utf-8").startswith("User-agent: *")


def test_host_headers_file_is_at_the_site_root(built_site):
    headers = (built_site / "_headers").read_text(encoding="utf-8")
    assert "Content-Security-Policy: default-src 'self'" in headers
    assert not (built_site / "extra").exists()
