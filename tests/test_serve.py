"""`invoke serve`: serves the site, rebuilds on save, keeps the last good build through mistakes."""

from __future__ import annotations

import pytest
from serve_helpers import serving

ARTICLE = "Title: {title}\nDate: 2026-01-05\nSummary: A test.\n\nFirst version of the text.\n"
# Two mistakes an author makes: no title, and a misspelt key.
BROKEN = "Date: 2026-01-06\nStauts: draft\nSummary: Oops.\n\nThis article has no title.\n"


@pytest.fixture
def served(tmp_path):
    with serving(tmp_path, {"articles/a.md": ARTICLE.format(title="Hello")}) as running:
        yield running


def test_serve_builds_and_serves_clean_urls(served):
    server, _ = served
    status, html = server.get("/blog/hello/")
    assert status == 200
    assert "<h1" in html and "Hello" in html
    # live reload is wired in, from the local server only
    assert "livereload.js" in html


def test_serve_rebuilds_on_save_keeps_last_good_build_and_recovers(served):
    """The saved article's own page is put in place first ("Preview:"), then the full build
    replaces the whole site ("Rebuilt"); a build with problems leaves the last good one."""
    server, content = served
    article = content / "articles" / "a.md"

    article.write_text(ARTICLE.format(title="Hello").replace("First", "Second"), encoding="utf-8")
    server.wait_for("Rebuilt")
    log = server.output()
    assert log.rindex("Preview: /blog/hello/index.html shown") < log.rindex("Rebuilt")
    assert "Second version" in server.get("/blog/hello/")[1]

    broken = content / "articles" / "broken.md"
    broken.write_text(BROKEN, encoding="utf-8")
    server.wait_for("Still serving the last good build")
    printed = "".join(server.log)
    assert 'broken.md:2: unknown metadata key "Stauts"' in printed
    assert "broken.md: there is no Title" in printed
    status, html = server.get("/blog/hello/")
    assert status == 200 and "Second version" in html
    assert server.process.poll() is None, "the server must keep running"

    broken.unlink()
    article.write_text(ARTICLE.format(title="Hello").replace("First", "Third"), encoding="utf-8")
    server.wait_for("Rebuilt")
    assert "Third version" in server.get("/blog/hello/")[1]


def test_serve_indexes_for_search_after_each_build(served):
    """The search index is built after the page has reloaded (the page does not wait for it),
    from the site as rebuilt, on every good build."""
    server, content = served
    server.wait_printed("Search index: 1 page", 1)
    assert server.get("/pagefind/pagefind.js")[0] == 200
    article = content / "articles" / "a.md"
    article.write_text(ARTICLE.format(title="Hello").replace("First", "Fourth"), encoding="utf-8")
    log = server.wait_printed("Search index: 1 page", 2)
    assert log.rindex("Rebuilt") < log.rindex("Search index: 1 page")
    assert "Fourth version" in server.get("/blog/hello/")[1]
    assert server.get("/pagefind/pagefind-entry.json")[0] == 200


def test_a_preview_is_taken_back_when_the_full_build_fails(served):
    """A broken link is found only once every page is written: the preview of the page that
    has it goes in, the full build fails, and the served site is the last good build again."""
    server, content = served
    article = content / "articles" / "a.md"
    broken = ARTICLE.format(title="Hello").replace("First", "[Gone](/blog/nowhere/) Sixth")
    article.write_text(broken, encoding="utf-8")
    server.wait_for("Still serving the last good build")
    log = server.output()
    assert "Preview: /blog/hello/index.html shown" in log
    assert "/blog/nowhere/" in log[log.rindex("Preview:") :]
    status, html = server.get("/blog/hello/")
    assert status == 200 and "First version" in html and "Sixth" not in html
