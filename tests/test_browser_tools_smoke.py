"""Smoke tests: each browser tool really works on this machine (Chromium via Playwright,
axe-core, the Nu Html Checker, Lighthouse), on tiny pages written into tmp_path.

Outside CI a missing tool skips its test (install: bash .ci/install-browser-tools);
under CI=true it fails.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request

import pytest

from rebalance.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    LIGHTHOUSE_CATEGORIES,
    format_axe_violations,
    format_vnu_messages,
    lighthouse_failures,
    lighthouse_scores,
    require_axe,
    require_lighthouse,
    require_playwright,
    require_vnu,
    run_axe,
    run_lighthouse_many,
    run_vnu,
    serve,
)

pytestmark = pytest.mark.browser

GOOD_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Rebalance smoke test</title>
<meta name="description" content="A tiny valid page to prove the browser test tools work.">
<link rel="icon" href="data:,">
<style>body{font-family:sans-serif;margin:0 auto;max-width:40rem;padding:1rem;color:#222}</style>
</head>
<body>
<header><p>Rebalance physiotherapy</p></header>
<main>
<h1>Smoke test</h1>
<p>A small paragraph of text. <a href="/other.html">Another page</a>.</p>
<img src="/dot.svg" alt="A blue dot" width="32" height="32">
</main>
<footer><p>Footer</p></footer>
</body>
</html>
"""

# An <img> without alt: axe's image-alt rule, and an error for the Nu checker too.
BAD_A11Y_PAGE = GOOD_PAGE.replace(' alt="A blue dot"', "")

# Invalid HTML: a stray end tag and a <div> inside a <span>... the classic.
BROKEN_HTML_PAGE = GOOD_PAGE.replace(
    "<p>A small paragraph", "<span><div>block in inline</div></span></em><p>A small paragraph"
)

DOT_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="32" height="32">'
    '<circle cx="16" cy="16" r="16" fill="#1565c0"/></svg>'
)


@pytest.fixture
def site(tmp_path):
    root = tmp_path / "site"
    root.mkdir()
    (root / "index.html").write_text(GOOD_PAGE, encoding="utf-8")
    (root / "other.html").write_text(GOOD_PAGE.replace("Smoke test<", "Other<"), encoding="utf-8")
    (root / "bad.html").write_text(BAD_A11Y_PAGE, encoding="utf-8")
    (root / "broken.html").write_text(BROKEN_HTML_PAGE, encoding="utf-8")
    (root / "404.html").write_text(GOOD_PAGE.replace("Smoke test<", "Not found<"), encoding="utf-8")
    (root / "dot.svg").write_text(DOT_SVG, encoding="utf-8")
    (root / "style.css").write_text("body{color:#222}\n", encoding="utf-8")
    return root


def _timed(label, fn, *args, **kwargs):
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    print(f"\n[timing] {label}: {time.perf_counter() - start:.2f}s")
    return result


def test_serve_static_host_behaviour(site):
    with serve(site) as base:
        with urllib.request.urlopen(f"{base}/") as r:
            assert r.status == 200
            assert "Smoke test" in r.read().decode()
            assert r.headers["Content-Type"].startswith("text/html")
        with pytest.raises(urllib.error.HTTPError) as excinfo:
            urllib.request.urlopen(f"{base}/no/such/page.html")
        assert excinfo.value.code == 404
        assert "Not found" in excinfo.value.read().decode()
        (site / "empty").mkdir()
        with pytest.raises(urllib.error.HTTPError) as excinfo:
            urllib.request.urlopen(f"{base}/empty/")
        assert excinfo.value.code == 404
        with urllib.request.urlopen(f"{base}/dot.svg") as r:
            assert r.headers["Content-Type"] == "image/svg+xml"
    with serve(site, compress=True) as base:
        req = urllib.request.Request(f"{base}/style.css", headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(req) as r:
            assert r.headers["Content-Encoding"] == "gzip"
        req = urllib.request.Request(f"{base}/", headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(req) as r:
            assert r.headers["Content-Encoding"] == "gzip"
            assert r.headers["Content-Type"].startswith("text/html")


def test_playwright_drives_debian_chromium(site):
    require_playwright()
    from playwright.sync_api import sync_playwright

    start = time.perf_counter()
    with sync_playwright() as p, serve(site) as base:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            response = page.goto(f"{base}/")
            assert response is not None and response.status == 200
            assert page.title() == "Rebalance smoke test"
            page.get_by_role("link", name="Another page").click()
            page.wait_for_url(f"{base}/other.html")
            assert page.locator("h1").inner_text() == "Other"
            response = page.goto(f"{base}/missing")
            assert response is not None and response.status == 404
            assert page.locator("h1").inner_text() == "Not found"
            assert page.screenshot()[:8] == b"\x89PNG\r\n\x1a\n"
        finally:
            browser.close()
    print(
        f"\n[timing] playwright launch + 3 pages + screenshot: {time.perf_counter() - start:.2f}s"
    )


def test_axe_finds_missing_alt_and_passes_good_page(site):
    require_axe()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p, serve(site) as base:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(f"{base}/index.html")
            good = _timed("axe on good page", run_axe, page)
            assert good == [], format_axe_violations(good)

            page.goto(f"{base}/bad.html")
            bad = _timed("axe on bad page", run_axe, page)
            assert "image-alt" in {v["id"] for v in bad}, format_axe_violations(bad)
        finally:
            browser.close()


def test_vnu_reports_broken_page_and_passes_valid_ones(site):
    require_vnu()
    # One JVM for all files: pass the directory (non-HTML files are skipped).
    messages = _timed("vnu on 6 files (one JVM)", run_vnu, [site])
    by_file: dict[str, list[dict]] = {}
    for m in messages:
        by_file.setdefault(m.get("url", "").rsplit("/", 1)[-1], []).append(m)

    assert set(by_file) == {"bad.html", "broken.html"}, format_vnu_messages(messages)
    assert all(m["type"] == "error" for m in messages), format_vnu_messages(messages)
    broken = format_vnu_messages(by_file["broken.html"])
    assert "Stray end tag" in broken or "not allowed as child" in broken, broken
    assert any("alt" in m["message"] for m in by_file["bad.html"]), format_vnu_messages(messages)


def test_lighthouse_batch_one_chromium_for_many_pages(site):
    require_lighthouse()
    with serve(site, compress=True) as base:
        urls = [f"{base}/", f"{base}/bad.html"]
        reports = _timed("lighthouse batch of 2 pages", run_lighthouse_many, urls)
    good, bad = (lighthouse_scores(reports[u]) for u in urls)
    print(f"[lighthouse] good: {good}\n[lighthouse] bad: {bad}")
    assert set(good) == set(bad) == set(LIGHTHOUSE_CATEGORIES)
    for category, score in good.items():
        assert isinstance(score, int | float), (category, score)
        assert 0 <= score <= 1, (category, score)
    assert good["accessibility"] == 1, lighthouse_failures(reports[urls[0]], "accessibility")
    assert bad["accessibility"] < 1
    assert any(
        f.startswith("image-alt") for f in lighthouse_failures(reports[urls[1]], "accessibility")
    )
