"""`invoke serve` reloads the browser by itself: save a Markdown file, the open page changes.

test_serve.py checks the rebuild over plain HTTP; this drives a real Chromium, as an author
would have it open beside the editor, and never calls reload itself.
"""

from __future__ import annotations

import time

import pytest
from serve_helpers import serving

from rebalance.browser import CHROMIUM, CHROMIUM_ARGS, require_playwright

pytestmark = pytest.mark.browser

# The slug is fixed so the page keeps its address when the title changes.
ARTICLE = (
    "Title: {title}\nSlug: hello\nDate: 2026-01-05\nSummary: A test.\n\n"
    "{text} version of the text.\n"
)
PATH = "/blog/hello/"


@pytest.fixture
def served(tmp_path):
    text = ARTICLE.format(title="Hello", text="First")
    with serving(tmp_path, {"articles/hello.md": text}) as (server, content):
        yield server, content / "articles" / "hello.md"


def test_saving_an_article_reloads_the_open_page_by_itself(served):
    require_playwright()
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    server, article = served
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            # The livereload script answers the server's "hello" once its websocket is open:
            # only then can it hear that a rebuild happened.
            greetings: list[str] = []
            page.on(
                "websocket",
                lambda ws: ws.on(
                    "framereceived", lambda frame: "hello" in str(frame) and greetings.append(frame)
                ),
            )
            page.goto(server.base_url + PATH)
            assert page.locator("h1").inner_text() == "Hello"
            deadline = time.monotonic() + 15
            while not greetings and time.monotonic() < deadline:
                page.wait_for_timeout(100)
            assert greetings, "the page never connected to the live-reload server"

            def save_and_see(title: str, text: str) -> None:
                page.evaluate("window.beforeTheEdit = true")  # gone once the page reloads
                article.write_text(ARTICLE.format(title=title, text=text), encoding="utf-8")
                try:
                    page.wait_for_function(
                        f"document.querySelector('h1')?.textContent === {title!r}"
                        f" && document.body.textContent.includes('{text} version')",
                        timeout=30_000,
                    )
                except PlaywrightTimeout:
                    pytest.fail(f"the page did not show {title!r} by itself; server output:\n"
                                + server.output())  # fmt: skip
                assert page.evaluate("window.beforeTheEdit") is None, "the page was not reloaded"

            save_and_see("Goodbye", "Second")
            # A quick second save (livereload alone would drop its reload: under 3 s apart).
            save_and_see("Again", "Third")
            assert page.url == server.base_url + PATH
        finally:
            browser.close()
