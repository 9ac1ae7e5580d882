"""Old links keep working: each path an article's Redirect-from: line names (the /post/<slug> it
had on the clinic's old blog, say) leads to the article, on any static host (redirect pages) and
on Netlify and Cloudflare Pages (_redirects, with real 301s); an article without one, written
here, gets no old address.

The walk is a reader's: ask the served site for the old address, follow what it answers (HTTP
redirects, then the page's meta refresh) and land on the article's page.
"""

from __future__ import annotations

import http.client
import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup
from conftest import ARTICLE_URL, build_content, normalise, parse

from rebalance.browser import serve
from rebalance.plugins.redirects.redirects import path_problem

OLD_URL = "/post/unlocking-relief-the-many-benefits-of-dry-needling"
ARTICLE = "Title: {title}\nDate: {date}\nTags: {tags}\nSummary: A test article.\n{header}\nText.\n"
REFRESH_RE = re.compile(r"^\s*0\s*;\s*url=(.+)$", re.I)


def walk(base: str, path: str, hops: int = 5) -> tuple[str, BeautifulSoup, list[str]]:
    """Follows an address as a browser would (HTTP redirects and a meta refresh of 0 seconds):
    (the final path, its page, every address on the way). Each answer must be a 200 or a 301."""
    host = urlsplit(base).netloc
    seen = [path]
    for _ in range(hops):
        connection = http.client.HTTPConnection(host, timeout=10)
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read().decode("utf-8")
        connection.close()
        if response.status in (301, 302, 307, 308):
            path = urlsplit(urljoin(base + path, response.getheader("Location"))).path
        else:
            assert response.status == 200, f"{seen}: {response.status}"
            page = BeautifulSoup(body, "html.parser")
            refresh = page.find("meta", attrs={"http-equiv": "refresh"})
            if refresh is None:
                return path, page, seen
            target = REFRESH_RE.match(refresh["content"]).group(1)
            assert urlsplit(urljoin(base + path, target)).netloc == host, "it leaves the site"
            path = urlsplit(urljoin(base + path, target)).path
        seen.append(path)
    raise AssertionError(f"more than {hops} hops: {seen}")


def hosts_file(output: Path) -> list[tuple[str, str, str]]:
    """The (from, to, status) lines of _redirects, comments left out."""
    text = (output / "_redirects").read_text(encoding="utf-8")
    return [tuple(line.split()) for line in text.splitlines() if line and line[0] != "#"]


# --- The real site ------------------------------------------------------------------------------
def test_the_old_blogs_address_lands_on_its_article(built_site):
    with serve(built_site) as base:
        for old in (OLD_URL, OLD_URL + "/"):
            landed, page, _ = walk(base, old)
            assert landed == ARTICLE_URL, old
            assert page.select_one("article.article h1"), old


def test_hosts_file_sends_both_forms_of_each_old_address_with_a_301(built_site):
    lines = hosts_file(built_site)
    assert (OLD_URL, ARTICLE_URL, "301") in lines
    assert (OLD_URL + "/", ARTICLE_URL, "301") in lines
    for source, target, status in lines:
        assert status == "301" and source.startswith("/") and target.startswith("/")
        assert (built_site / target.lstrip("/") / "index.html").is_file(), target
        # Every other host gets the redirect page for the same address.
        assert (built_site / source.strip("/") / "index.html").is_file(), source
    # The headers file for the same hosts is still published beside it.
    assert "Content-Security-Policy" in (built_site / "_headers").read_text(encoding="utf-8")


def test_redirect_page_points_to_the_article_three_ways_and_stays_out_of_the_sitemap(
    built_site, html_pages
):
    page = html_pages[OLD_URL + "/"]
    refresh = page.find("meta", attrs={"http-equiv": "refresh"})["content"]
    assert refresh == f"0; url={ARTICLE_URL}"
    assert page.find("link", rel="canonical")["href"] == ARTICLE_URL
    assert page.find("meta", attrs={"name": "robots"})["content"] == "noindex"
    link = page.find("main").find("a", href=ARTICLE_URL)
    assert normalise(link.get_text()) == "Unlocking Relief: The Many Benefits of Dry Needling"
    assert "/post/" not in (built_site / "sitemap.xml").read_text(encoding="utf-8")


def test_production_redirects_point_to_the_site_itself(tmp_path):
    output = build_content(
        tmp_path,
        {
            "articles/a.md": ARTICLE.format(
                title="Knee", date="2026-01-05", tags="knee", header="Redirect-from: /post/knee\n"
            )
        },
        SITEURL="https://www.rebalance.test",
    )
    page = parse(output / "post" / "knee" / "index.html")
    new = "https://www.rebalance.test/blog/knee/"
    assert page.find("meta", attrs={"http-equiv": "refresh"})["content"] == f"0; url={new}"
    assert page.find("link", rel="canonical")["href"] == new
    assert ("/post/knee", "/blog/knee/", "301") in hosts_file(output)


# --- Redirect-from: ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def moved(tmp_path_factory) -> Path:
    """A site whose articles name more old addresses of their own."""
    header = (
        "Redirect-from: /post/knee-pain, /2019/05/knee-pain.html, /knee/, /articles/knee-pain\n"
    )
    files = {
        "articles/a.md": ARTICLE.format(title="Knee pain", date="2026-01-05", tags="knee",
                                        header=header),
        "articles/b.md": ARTICLE.format(title="Hip pain", date="2026-01-06", tags="hip",
                                        header="Redirect-from: /post/hips\n"),
        "articles/c.md": ARTICLE.format(title="Calf pain", date="2026-01-07", tags="calf",
                                        header=""),
        "pages/prices.md": "Title: Prices\nRedirect-from: /fees\nSummary: s.\n\nText.\n",
    }  # fmt: skip
    output = build_content(tmp_path_factory.mktemp("moved"), files)
    assert output is not None
    return output


@pytest.mark.parametrize(
    ("old", "new"),
    [("/post/knee-pain", "/blog/knee-pain/"), ("/post/knee-pain/", "/blog/knee-pain/"),
     ("/2019/05/knee-pain.html", "/blog/knee-pain/"), ("/knee", "/blog/knee-pain/"),
     ("/knee/", "/blog/knee-pain/"), ("/articles/knee-pain", "/blog/knee-pain/"),
     ("/post/hips", "/blog/hip-pain/"), ("/post/hips/", "/blog/hip-pain/"),
     ("/fees", "/prices/"), ("/fees/", "/prices/")],
)  # fmt: skip
def test_each_named_old_address_lands_on_its_article(moved, old, new):
    with serve(moved) as base:
        landed, _, _ = walk(base, old)
    assert landed == new
    if not old.endswith(".html"):
        assert (old.rstrip("/"), new, "301") in hosts_file(moved)
        assert (old.rstrip("/") + "/", new, "301") in hosts_file(moved)
    else:
        assert (old, new, "301") in hosts_file(moved)


def test_an_article_without_a_redirect_line_gets_no_old_address(moved):
    # Written here, it never had one: no /post/<slug> is made from its slug.
    assert (moved / "blog" / "calf-pain" / "index.html").is_file()
    assert not (moved / "post" / "calf-pain").exists()
    assert not (moved / "post" / "hip-pain").exists()  # its old address is /post/hips
    assert all(target != "/blog/calf-pain/" for _, target, _ in hosts_file(moved))
    with serve(moved) as base:
        connection = http.client.HTTPConnection(urlsplit(base).netloc, timeout=10)
        connection.request("GET", "/post/calf-pain/")
        assert connection.getresponse().status == 404
        connection.close()


@pytest.mark.parametrize(
    ("path", "allowed"),
    [("/post/knee", True), ("/2019/05/knee%20pain.html", True), ("/a/b/", True),
     ("post/knee", False), ("https://old.example.com/post/knee", False),
     ("//old.example.com/x", False),
     ("/x?id=1", False), ("/x#top", False), ("/a/../b", False), ("/a b", False), ("/", False),
     ("/<script>", False)],
)  # fmt: skip
def test_only_paths_of_this_site_can_be_old_addresses(path, allowed):
    assert (path_problem(path) is None) == allowed


@pytest.mark.browser
def test_a_browser_following_an_old_link_lands_on_the_article(browser, base_url):
    page = browser.new_page(java_script_enabled=False)  # a meta refresh needs no script
    page.goto(base_url + OLD_URL)
    page.wait_for_url(base_url + ARTICLE_URL)
    assert page.locator("h1").inner_text().startswith("Unlocking Relief")
    page.close()
