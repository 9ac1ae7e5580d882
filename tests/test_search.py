"""Search with no third party: Pagefind's index of the published articles, built with every
build (plugins/search_index), and the search page that reads it in the reader's browser
(theme/templates/search.html, theme/static/js/search.js).

The index and the page are checked in the built site as a crawler reads it; the search itself in
Debian's Chromium, under the Content-Security-Policy that the site's _headers file gives hosts.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import ARTICLE_URL, build_content, normalise, parse

from rebalance.browser import (
    format_axe_violations,
    require_axe,
    run_axe,
    serve,
)
from rebalance.build import DEV_SETTINGS, build_site
from rebalance.plugins.search_index.search_index import SearchIndexError, build_index

SEARCH_URL = "/search/"
ARTICLE = """Title: {title}
Date: 2026-01-05
Category: Test
Summary: A test article.
Status: {status}

{body}
"""


def indexed_pages(output: Path) -> int:
    """Pages in the index, as Pagefind's own entry file counts them."""
    entry = json.loads((output / "pagefind" / "pagefind-entry.json").read_text(encoding="utf-8"))
    return sum(language["page_count"] for language in entry["languages"].values())


# --- The index, built with the site --------------------------------------------------------------
def test_every_build_indexes_the_published_articles_into_the_site(built_site):
    assert indexed_pages(built_site) == 1  # the dry needling article
    bundle = built_site / "pagefind"
    assert (bundle / "pagefind.js").is_file() and (bundle / "pagefind-worker.js").is_file()
    # Pagefind's ready-made interfaces are not published: the page uses its own small script.
    assert not list(bundle.glob("*-ui.*")) and not (bundle / "pagefind-highlight.js").exists()


def test_only_the_text_of_a_published_article_is_marked_for_the_index(html_pages):
    marked = {url: page.select("[data-pagefind-body]") for url, page in html_pages.items()}
    marked = {url: elements for url, elements in marked.items() if elements}
    assert list(marked) == [ARTICLE_URL]
    (article,) = marked[ARTICLE_URL]
    assert article.name == "article" and article.find("h1") and article.select(".article-body p")
    # Not the site's navigation, booking box or footer; not the byline every article has.
    assert not article.find_parents(["header", "nav", "footer"])
    assert not article.select(".booking-link, .site-footer")
    assert all(nav.has_attr("data-pagefind-ignore") for nav in article.select("nav"))  # contents
    assert article.select_one(".article-meta").has_attr("data-pagefind-ignore")


def test_reading_only_the_article_pages_makes_the_same_index(built_site, tmp_path):
    """Pagefind reads only the files articles are written to (SEARCH_INDEX["pages"], from
    ARTICLE_SAVE_AS): the only marked pages, so the index is the one all pages would give."""
    from pelican.settings import read_settings

    from rebalance.plugins.search_index.search_index import settings_for

    pages = settings_for(read_settings(str(DEV_SETTINGS)))["pages"]
    assert pages == "{blog/*-*/index.html,blog/*/index.html}"
    site = tmp_path / "site"
    shutil.copytree(built_site, site, ignore=shutil.ignore_patterns("pagefind"))
    build_index(site, bundle="all")  # every HTML file
    build_index(site, bundle="articles", pages=pages)

    def index(bundle: str) -> list[str]:
        return sorted(p.relative_to(site / bundle).as_posix()
                      for p in (site / bundle).rglob("*") if p.is_file())  # fmt: skip

    assert index("all") == index("articles")
    assert (site / "all" / "pagefind-entry.json").read_bytes() == (
        site / "articles" / "pagefind-entry.json").read_bytes()  # fmt: skip


def test_drafts_are_left_out_of_the_index(tmp_path):
    output = build_content(tmp_path, {
        "articles/a.md": ARTICLE.format(title="Knee pain", status="published", body="Knees."),
        "articles/b.md": ARTICLE.format(title="Hip pain", status="draft", body="Hips."),
    })  # fmt: skip
    assert output is not None
    assert indexed_pages(output) == 1
    draft = parse(output / "drafts" / "hip-pain" / "index.html")
    assert draft.select_one("article") and not draft.select("[data-pagefind-body]")


def test_a_site_without_articles_builds_without_an_index(tmp_path):
    output = build_content(tmp_path, {"pages/about.md": "Title: About\nSummary: Us.\n\nUs.\n"})
    assert output is not None and (output / "search" / "index.html").is_file()
    # Pagefind would index every page whole when none is marked: it is not run at all.
    assert not (output / "pagefind").exists()


def test_a_failing_index_fails_the_build_and_leaves_the_last_site_as_it_was(
    tmp_path, monkeypatch, capfd
):
    output = tmp_path / "output"
    output.mkdir()
    (output / "index.html").write_text("the last good build", encoding="utf-8")
    # Pagefind's launcher runs the binary this variable names: one that fails at once.
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", "/bin/false")
    assert not build_site(DEV_SETTINGS, output)
    assert [p.name for p in output.iterdir()] == ["index.html"]
    assert (output / "index.html").read_text(encoding="utf-8") == "the last good build"
    report = capfd.readouterr().err
    assert "(site): the search index could not be built (Pagefind exited with status 1" in report


def test_build_index_raises_when_pagefind_fails(built_site, tmp_path, monkeypatch):
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", "/bin/false")
    with pytest.raises(SearchIndexError, match="exited with status 1"):
        build_index(built_site, bundle="other", timeout=60)
    assert not (built_site / "other").exists()


def test_a_pagefind_that_hangs_is_stopped_at_the_timeout_and_fails_the_build(
    tmp_path, monkeypatch, capfd
):
    # A binary that never ends, and whose child holds the output open: both are stopped.
    hanging = tmp_path / "pagefind"
    hanging.write_text("#!/bin/sh\nsleep 60 &\nsleep 60\n", encoding="utf-8")
    hanging.chmod(0o755)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(hanging))
    start = time.monotonic()
    files = {"articles/a.md": ARTICLE.format(title="Knee pain", status="published", body="K.")}
    assert build_content(tmp_path, files, SEARCH_INDEX={"bundle": "pagefind", "timeout": 2}) is None
    assert time.monotonic() - start < 40
    report = capfd.readouterr().err
    assert (
        "(site): the search index could not be built (Pagefind took more than 2 seconds)" in report
    )
    assert "Traceback" not in report


def build_alone(tmp_path: Path, titles: list[str], settings: str = "", env: dict | None = None):
    """Articles with these titles built by `pelican` with Pelican's own defaults and theme and
    this plugin alone, into tmp_path/out (a process of its own: no other plugin registered)."""
    content = tmp_path / "content"
    (content / "articles").mkdir(parents=True)
    for title in titles:
        (content / "articles" / f"{title.split()[0]}.md").write_text(
            ARTICLE.format(title=title, status="published", body="Walrus knees."), "utf-8"
        )
    conf = tmp_path / "conf.py"
    conf.write_text(
        f"PATH = {str(content)!r}\nTIMEZONE = 'UTC'\nSITENAME = 'Alone'\n{settings}"
        "PLUGINS = ['rebalance.plugins.search_index']\n",
        encoding="utf-8",
    )
    return subprocess.run(
        [sys.executable, "-m", "pelican", "-s", str(conf), "-o", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
        env={**os.environ, "COLUMNS": "250", **(env or {})},
    )


def test_alone_a_failing_index_is_logged_with_the_problem_record_not_a_traceback(tmp_path):
    """Without the content checks, the plugin's problem prints as an error, and Pelican still
    exits 0 (as pelican-plugins' plugins do); with them, the same record fails the build."""
    done = build_alone(tmp_path, ["Knee pain"], env={"PAGEFIND_BINARY_PATH": "/bin/false"})
    said = done.stdout + done.stderr
    assert done.returncode == 0 and "Traceback" not in said, said
    assert "(site): the search index could not be built (Pagefind exited with status 1" in said


def test_a_theme_that_marks_nothing_gets_its_article_pages_indexed_whole(tmp_path):
    """Pelican's own theme has no data-pagefind-body: the pages ARTICLE_SAVE_AS names are
    indexed whole; list pages are not."""
    done = build_alone(tmp_path, ["Knee pain", "Hip pain"],
                       settings="ARTICLE_SAVE_AS = 'blog/{slug}/index.html'\n")  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert indexed_pages(tmp_path / "out") == 2


@pytest.mark.parametrize(
    ("slug", "owner"), [("search", "search"), ("pagefind", "the search index")]
)
def test_a_page_at_the_search_page_or_the_index_address_is_refused(tmp_path, capfd, slug, owner):
    page = f"Title: Finding things\nSlug: {slug}\nSummary: How to.\n\nText.\n"
    assert build_content(tmp_path, {"pages/finding.md": page}) is None
    report = capfd.readouterr().err
    assert f"the web address /{slug}/ is used by the site itself ({owner})" in report


# --- The search page, as a crawler and a browser without JavaScript see it -----------------------
def test_search_page_is_left_out_of_the_sitemap(built_site):
    assert "/search/" not in (built_site / "sitemap.xml").read_text(encoding="utf-8")


def test_without_javascript_the_labelled_search_form_opens_the_list_of_articles(html_pages):
    page = html_pages[SEARCH_URL]
    form = page.select_one("main form[role=search]")
    assert form["action"] == "/blog/archives/" and form["method"] == "get"
    field = form.select_one("input[type=search][name=q]")
    label = form.select_one(f"label[for={field['id']}]")
    assert label.get_text(strip=True) == "Search the articles"
    assert form.select_one("button[type=submit]").get_text(strip=True) == "Search"
    note = page.select_one("main noscript")
    assert "/blog/archives/" in [a["href"] for a in note.find_all("a")]


def test_every_page_links_to_the_search_page(html_pages):
    for url, page in html_pages.items():
        links = page.select(f".site-footer-nav a[href='{SEARCH_URL}']")
        assert [a.get_text(strip=True) for a in links] == ["Search"], url
    assert html_pages["/blog/archives/"].select_one(f"main a[href='{SEARCH_URL}']")


def test_only_the_search_page_loads_a_script_and_it_is_the_sites_own(html_pages):
    for url, page in html_pages.items():
        scripts = page.find_all("script")
        data = [s for s in scripts if s.get("type") == "application/ld+json"]
        code = [s.get("src") for s in scripts if s not in data]
        assert code == (["/theme/search.js"] if url == SEARCH_URL else []), url
    script = html_pages[SEARCH_URL].select_one("script[src]")
    assert script["type"] == "module" and not script.get_text().strip()
    assert html_pages[SEARCH_URL].select_one("form")["data-index"] == "/pagefind/pagefind.js"


def _policy(built_site: Path) -> dict[str, list[str]]:
    """The Content-Security-Policy that the site's _headers file gives every path."""
    lines = (built_site / "_headers").read_text(encoding="utf-8").splitlines()
    paths = [line for line in lines if line.startswith("/")]
    assert paths == ["/*"], "one rule for every path: hosts merge overlapping rules differently"
    (policy,) = [line.split(":", 1)[1] for line in lines if "Content-Security-Policy:" in line]
    return {d.split()[0]: d.split()[1:] for d in policy.split(";") if d.strip()}


def test_the_hosts_policy_runs_only_the_sites_own_scripts(built_site):
    policy = _policy(built_site)
    assert policy["default-src"] == ["'self'"]
    # Files from this site (no inline code, no eval), and Pagefind's WebAssembly.
    assert policy["script-src"] == ["'self'", "'wasm-unsafe-eval'"]
    assert policy["form-action"] == ["'self'"]  # the search form without JavaScript
    assert not [value for values in policy.values() for value in values if "." in value]


# --- Searching in a browser ----------------------------------------------------------------------
@pytest.fixture
def open_search(browser, base_url, built_site):
    """open_search(query="", policy_on=True, **context options) -> (page, problems): the
    search page, served with the site's Content-Security-Policy as a host sends it (policy_on=
    False: without it, so that axe can be injected), and a list that collects console errors and
    warnings, failed requests and requests to other hosts."""
    policy = "; ".join(f"{k} {' '.join(v)}" for k, v in _policy(built_site).items())
    contexts = []

    def open_page(query: str = "", policy_on: bool = True, **options):
        context = browser.new_context(**options)
        contexts.append(context)
        if policy_on:

            def with_policy(route):
                response = route.fetch()
                headers = {**response.headers, "content-security-policy": policy}
                route.fulfill(response=response, headers=headers)

            context.route("**/*", with_policy)
        page = context.new_page()
        problems = []
        ours = urlsplit(base_url).netloc
        page.on("console", lambda m: m.type in ("error", "warning") and problems.append(m.text))
        page.on("pageerror", lambda error: problems.append(str(error)))
        # (A request that leaving the page cuts short, such as the icon's, has not failed.)
        page.on("requestfailed", lambda r: "ERR_ABORTED" not in (r.failure or "")
                and problems.append(f"failed: {r.url} {r.failure}"))  # fmt: skip
        page.on("response", lambda r: r.status >= 400 and problems.append(f"{r.status} {r.url}"))
        page.on("request", lambda r: urlsplit(r.url).netloc != ours and problems.append(r.url))
        page.goto(f"{base_url}{SEARCH_URL}{query}")
        return page, problems

    yield open_page
    for context in contexts:
        # A request still in the route when the test ends (a late icon) must not fail it.
        context.unroute_all(behavior="ignoreErrors")
        context.close()


def _type(page, words: str) -> None:
    """Types into the search box key by key, as a reader does."""
    page.get_by_label("Search the articles").press_sequentially(words, delay=20)


def test_typing_trigger_points_finds_the_dry_needling_article(open_search, base_url):
    page, problems = open_search()
    _type(page, "trigger points")
    link = page.locator("#search-results li a")
    link.first.wait_for()
    assert link.count() == 1
    assert link.get_attribute("href") == ARTICLE_URL
    assert normalise(link.inner_text()) == "Unlocking Relief: The Many Benefits of Dry Needling"
    marked = page.locator("#search-results mark").all_inner_texts()
    assert {re.sub(r"\W", "", m).lower() for m in marked} >= {"trigger", "points"}
    status = page.locator("#search-status")
    assert status.get_attribute("role") == "status"
    assert status.inner_text() == "1 article found for “trigger points”."
    assert page.url == f"{base_url}{SEARCH_URL}?q=trigger%20points"
    assert problems == []

    # Back from the article comes back to the same results.
    link.click()
    page.wait_for_url(f"**{ARTICLE_URL}")
    page.go_back()
    page.locator("#search-results li a").first.wait_for()
    assert page.get_by_label("Search the articles").input_value() == "trigger points"
    assert problems == []


def test_a_search_that_finds_nothing_says_so_and_offers_every_article(open_search):
    page, problems = open_search()
    _type(page, "xylophone")
    status = page.locator("#search-status")
    status.get_by_role("link").wait_for()
    assert status.inner_text() == (
        "No article found for “xylophone”. Try another word, or see all articles."
    )
    assert status.get_by_role("link").get_attribute("href") == "/blog/archives/"
    assert page.locator("#search-results").is_hidden()
    # An empty box empties the page again.
    page.get_by_label("Search the articles").fill("")
    page.wait_for_function("!document.getElementById('search-status').textContent")
    assert problems == []


def test_an_address_with_words_shows_their_results(open_search):
    page, problems = open_search("?q=dry+needling")
    page.locator("#search-results li a").first.wait_for()
    assert page.get_by_label("Search the articles").input_value() == "dry needling"
    assert problems == []


def test_without_javascript_the_search_button_opens_the_list_of_articles(open_search, base_url):
    page, problems = open_search(java_script_enabled=False)
    assert page.locator("main noscript p").is_visible()
    page.get_by_label("Search the articles").fill("knee")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/blog/archives/?q=knee")
    assert page.locator("main h1").inner_text() == "All articles"
    assert problems == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_problem_with_search_results_shown(open_search, scheme):
    require_axe()
    page, problems = open_search("?q=trigger+points", policy_on=False, color_scheme=scheme)
    page.locator("#search-results li a").first.wait_for()
    violations = run_axe(page)
    assert violations == [], f"search results ({scheme}):\n" + format_axe_violations(violations)
    assert problems == []


def test_markup_written_as_text_in_an_article_stays_text_in_the_results(browser, tmp_path):
    body = (
        'Why `<img src=x onerror="window.hacked=1">` and '
        "`<script>window.hacked=2</script>` are shown as text in a zebrafinch article."
    )
    output = build_content(tmp_path, {
        "articles/a.md": ARTICLE.format(title="Markup as text", status="published", body=body),
    })  # fmt: skip
    assert output is not None
    with serve(output) as base:
        page = browser.new_page()
        try:
            page.goto(f"{base}{SEARCH_URL}?q=zebrafinch")
            excerpt = page.locator("#search-results .search-result-excerpt")
            excerpt.wait_for()
            assert "<img src=x" in excerpt.inner_text()
            assert excerpt.evaluate("p => [...p.children].map(c => c.tagName)") == ["MARK"]
            # Pagefind escapes the text; were an excerpt ever to hold markup, the page would
            # still make nothing but <mark> of it.
            built = page.evaluate("""async () => {
                const {excerpt} = await import('/theme/search.js');
                const p = excerpt('<img src=x onerror="window.hacked=3"><mark>a</mark><b>b</b>');
                document.body.append(p);
                await new Promise(done => setTimeout(done, 300));
                return p.innerHTML;
            }""")
            assert built == "<mark>a</mark>b"
            assert page.evaluate("window.hacked") is None
        finally:
            page.close()


def test_a_large_site_is_indexed_in_parts_and_searched_as_one(browser, tmp_path):
    """Beyond SEARCH_INDEX["pages_per_part"] articles (1,000; here 2, with 5 articles) the index
    comes in parts, each one Pagefind run (its memory bounded by the part), and the search page
    finds articles from every part, as with one index."""
    names = ["Ankle", "Back", "Calf", "Disc", "Elbow"]
    files = {
        f"articles/{n}.md": ARTICLE.format(title=f"{n} care", status="published",
                                           body=f"Gentle quokka exercises for the {n.lower()}.")
        for n in names
    }  # fmt: skip
    output = build_content(tmp_path, files, SEARCH_INDEX={"bundle": "pagefind",
                                                          "pages_per_part": 2})  # fmt: skip
    assert output is not None
    parts = json.loads((output / "pagefind" / "parts.json").read_text(encoding="utf-8"))
    assert parts == ["pagefind-2", "pagefind-3"]
    counts = [json.loads((output / p / "pagefind-entry.json").read_text())["languages"]
              for p in ["pagefind", *parts]]  # fmt: skip
    assert [sum(x["page_count"] for x in c.values()) for c in counts] == [2, 2, 1]
    with serve(output) as base:
        page = browser.new_page()
        problems = []
        page.on("pageerror", lambda error: problems.append(str(error)))
        # (This small site has no favicons: only the index's files count here.)
        page.on("response", lambda r: r.status >= 400 and "/pagefind" in r.url
                and problems.append(f"{r.status} {r.url}"))  # fmt: skip
        try:
            page.goto(f"{base}{SEARCH_URL}?q=quokka")
            status = page.locator("#search-status")
            status.filter(has_text="found").wait_for()
            assert status.inner_text() == "5 articles found for “quokka”."
            titles = sorted(map(normalise, page.locator("#search-results li a").all_inner_texts()))
            assert titles == [f"{n} care" for n in names]
            page.goto(f"{base}{SEARCH_URL}?q=elbow")  # only in the last part
            status.filter(has_text="found").wait_for()
            found = page.locator("#search-results li a").all_inner_texts()
            assert list(map(normalise, found)) == ["Elbow care"]
            assert problems == []
        finally:
            page.close()
