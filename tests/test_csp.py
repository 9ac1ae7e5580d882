"""A backstop on the default host (plugins/security_headers): GitHub Pages sends no HTTP headers,
so every production page carries the site's Content-Security-Policy and Referrer-Policy as
<meta> tags, first in <head>, made from the same setting (SECURITY_HEADERS) as `_headers`.

The production site is built for real (publishconf.py, with conftest's PRODUCTION_ENV); then an
inline script and a picture from another host are slipped into a built article, the folder is
served with no headers at all, as GitHub Pages serves it (the site's own address is answered from
that plain server, so that 'self' is the site), and Chromium must block both while the site's own
inline CSS, its search script and Pagefind's WebAssembly still work.
"""

from __future__ import annotations

import base64
import hashlib
import shutil
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from conftest import ARTICLE_URL, PRODUCTION_ENV, build_content, build_here

from rebalance.browser import AXE_RUN_JS, axe_source, format_axe_violations, require_axe, serve
from rebalance.plugins.security_headers.security_headers import DEFAULTS

SITE = PRODUCTION_ENV["SITEURL"]
SEARCH_URL = "/search/"
# Slipped into the article after the build: what the content checks exist to stop.
INJECTED = (
    '<script>window.injected = true; document.title = "pwned";</script>'
    '<img id="outside" src="https://other.example/x.png" alt="">'
)
# Registered before any page script (Playwright's init script is not subject to the policy).
LISTEN = """
window.violations = [];
document.addEventListener("securitypolicyviolation", e => window.violations.push(
  {directive: e.effectiveDirective, blocked: e.blockedURI, disposition: e.disposition}));
"""


def pages(output: Path) -> dict[str, BeautifulSoup]:
    return {
        path.relative_to(output).as_posix(): BeautifulSoup(path.read_text("utf-8"), "html.parser")
        for path in sorted(output.rglob("*.html"))
    }


def directives(policy: str) -> dict[str, list[str]]:
    return {d.split()[0]: d.split()[1:] for d in policy.split(";") if d.strip()}


def headers_file(output: Path) -> dict[str, str]:
    lines = (output / "_headers").read_text(encoding="utf-8").splitlines()
    assert [line for line in lines if line.startswith("/")] == ["/*"]
    return dict(line.strip().split(": ", 1) for line in lines if line.startswith("  "))


def sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


# --- What is written ------------------------------------------------------------------------------
def test_the_headers_file_says_what_it_said_before_it_was_made_from_the_setting(production_site):
    assert headers_file(production_site) == {
        "Content-Security-Policy": "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; "
        "style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    }
    assert not (production_site / "extra").exists()


def test_every_production_page_carries_the_policy_first_in_its_head(production_site):
    headers = headers_file(production_site)
    expected = directives(headers["Content-Security-Policy"])
    del expected["frame-ancestors"]  # a meta tag cannot carry it: browsers ignore it there
    built = pages(production_site)
    assert len(built) >= 15
    for name, page in built.items():
        head = page.head
        tags = [t for t in head.children if getattr(t, "name", None)]
        assert tags[0].get("charset") == "utf-8", name
        meta = tags[1]
        assert meta.get("http-equiv") == "Content-Security-Policy", name
        assert tags[2].get("name") == "referrer", name
        assert tags[2]["content"] == headers["Referrer-Policy"], name
        # Before anything it governs: every style, script, link and picture comes after it.
        assert not meta.find_all_previous(["style", "script", "link", "img"]), name
        assert len(page.find_all("meta", attrs={"http-equiv": "Content-Security-Policy"})) == 1
        policy = directives(meta["content"])
        styles = [sha256(style.string or "") for style in head.find_all("style")]
        assert styles, name  # the inlined stylesheet
        assert policy == {**expected, "style-src": ["'self'", *dict.fromkeys(styles)]}, name
        assert "'unsafe-inline'" not in meta["content"], name


def test_json_ld_is_data_and_no_page_has_an_inline_script(production_site):
    for name, page in pages(production_site).items():
        for script in page.find_all("script"):
            assert script.get("src") or script.get("type") == "application/ld+json", name


def test_development_builds_leave_the_meta_tags_out(tmp_path):
    """`make serve` adds its own script and problem panel to each page: no policy in the way."""
    files = {"articles/2026-11-01-a.md": "Title: A\nDate: 2026-11-01\nSummary: S.\n\nText.\n"}
    output = build_content(tmp_path, files, CACHE_PATH=str(tmp_path / "cache"))
    page = (output / "blog" / "a" / "index.html").read_text(encoding="utf-8")
    assert "Content-Security-Policy" not in page and 'name="referrer"' not in page
    assert "Content-Security-Policy: default-src 'self'" in (output / "_headers").read_text()


def test_a_policy_that_would_let_inline_scripts_run_fails_the_build(tmp_path, settings):
    content = tmp_path / "content" / "articles"
    content.mkdir(parents=True)
    (content / "2026-11-01-a.md").write_text(
        "Title: A\nDate: 2026-11-01\nSummary: S.\n\nText.\n", encoding="utf-8"
    )
    policy = {**settings["SECURITY_HEADERS"]["policy"], "script-src": ["'self'", "'unsafe-inline'"]}
    loose = {**DEFAULTS, "policy": policy, "meta": True}
    built = build_here(tmp_path / "content", tmp_path / "output", SECURITY_HEADERS=loose,
                       CACHE_PATH=str(tmp_path / "cache"))  # fmt: skip
    built.expect("(site)", None, "SECURITY_HEADERS allows inline scripts ('unsafe-inline'")


# --- In Chromium, served with no headers ----------------------------------------------------------
@pytest.fixture(scope="module")
def attacked(production_site, tmp_path_factory) -> Path:
    """The production site with a script and an outside picture slipped into the article."""
    folder = tmp_path_factory.mktemp("attacked") / "site"
    shutil.copytree(production_site, folder)
    article = folder / ARTICLE_URL.strip("/") / "index.html"
    text = article.read_text(encoding="utf-8")
    assert text.count("</main>") == 1
    article.write_text(text.replace("</main>", INJECTED + "</main>"), encoding="utf-8")
    return folder


@pytest.fixture
def open_page(browser, attacked):
    """open_page(path) -> (page, seen): the page at the site's own address, each answer taken
    from a plain static server of the folder with only its Content-Type (no policy header), and
    every request that reached the network, to any host."""
    contexts = []
    with serve(attacked) as local:

        def open_(path: str):
            context = browser.new_context()
            contexts.append(context)
            seen: list[str] = []

            def answer(route):
                url = route.request.url
                seen.append(url)
                if not url.startswith(SITE + "/"):
                    return route.abort()  # another host: never fetched
                with urllib.request.urlopen(local + url.removeprefix(SITE)) as response:
                    kind = response.headers["Content-Type"]
                    assert not any(h.lower().startswith("content-security") for h in
                                   response.headers)  # fmt: skip
                    route.fulfill(status=200, body=response.read(), content_type=kind)

            context.route("**/*", answer)
            context.add_init_script(LISTEN)
            page = context.new_page()
            page.goto(SITE + path, wait_until="load")
            return page, seen

        yield open_
        for context in contexts:
            context.unroute_all(behavior="ignoreErrors")
            context.close()


@pytest.mark.browser
def test_chromium_blocks_an_inline_script_and_an_outside_picture_on_a_page_with_no_headers(
    open_page,
):
    page, seen = open_page(ARTICLE_URL)
    page.wait_for_function("window.violations.length >= 2")
    assert page.evaluate("window.injected") is None  # the script did not run
    assert page.title() != "pwned"
    violations = page.evaluate("window.violations")
    assert {"directive": "script-src-elem", "blocked": "inline", "disposition": "enforce"} in (
        violations
    )
    assert {
        "directive": "img-src",
        "blocked": "https://other.example/x.png",
        "disposition": "enforce",
    } in violations
    assert not [u for u in seen if urlsplit(u).hostname == "other.example"]  # never requested
    assert page.eval_on_selector("#outside", "img => img.naturalWidth") == 0
    # The page's own inline stylesheet applies: not one style was blocked.
    assert not [v for v in violations if v["directive"].startswith("style-src")]
    assert page.evaluate("getComputedStyle(document.body).marginTop") == "0px"  # main.css
    assert page.evaluate("getComputedStyle(document.body).display") == "grid"


@pytest.mark.browser
def test_under_the_meta_policy_the_search_still_finds_and_the_page_passes_axe(open_page):
    require_axe()
    page, seen = open_page(SEARCH_URL)
    page.get_by_label("Search the articles").press_sequentially("trigger points", delay=20)
    link = page.locator("#search-results li a")
    link.first.wait_for()  # search.js ran, and Pagefind's WebAssembly started
    assert link.get_attribute("href").endswith(ARTICLE_URL)
    assert page.evaluate("window.violations") == []
    assert all(urlsplit(u).hostname == urlsplit(SITE).hostname for u in seen)
    # axe is handed to the page through DevTools (not a <script> the policy would block).
    page.evaluate(axe_source())
    violations = page.evaluate(AXE_RUN_JS)["violations"]
    assert violations == [], format_axe_violations(violations)
