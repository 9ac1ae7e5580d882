"""`invoke serve` in a real Chromium, as an author has it open beside the editor: the page
reloads by itself on a save, shows the build's problems and drops them once fixed, marks a
draft, follows a draft to its published address, and shows a new photo on the first reload.

test_serve.py checks the same server over plain HTTP. No test here calls reload itself.
"""

from __future__ import annotations

import io
import time

import pytest

from rebalance.browser import AXE_TAGS, chromium, format_axe_violations, require_axe, run_axe
from rebalance.served import serving

pytestmark = pytest.mark.browser

# The slug is fixed so the page keeps its address when the title changes.
ARTICLE = (
    "Title: {title}\nSlug: hello\nDate: 2026-01-05\nSummary: A test.\n{extra}\n"
    "{text} version of the text.\n"
)
PATH = "/blog/hello/"


def article(title: str = "Hello", text: str = "First", extra: str = "") -> str:
    return ARTICLE.format(title=title, text=text, extra=extra)


@pytest.fixture
def browser():
    with chromium() as running:
        yield running


def open_live(browser, url: str):
    """A tab at `url`, once its development script is connected to the server."""
    page = browser.new_page()
    page.goto(url)
    page.wait_for_selector("html[data-rebalance-live=open]", timeout=15_000)
    return page


def wait_until(page, condition: str, server, what: str, timeout: float = 30) -> None:
    """Waits for a JavaScript condition in the page, which reloads meanwhile."""
    from playwright.sync_api import Error

    deadline = time.monotonic() + timeout
    while True:
        try:
            left = max(deadline - time.monotonic(), 0.1)
            page.wait_for_function(condition, timeout=left * 1000)
            return
        except Error:  # the page reloaded under the wait, or the time is up
            if time.monotonic() >= deadline:
                pytest.fail(f"the page did not show {what}; server output:\n{server.output()}")


def test_saving_an_article_reloads_the_open_page_by_itself(tmp_path, browser):
    with serving(tmp_path, {"articles/hello.md": article()}) as (server, content):
        page = open_live(browser, server.base_url + PATH)
        assert page.locator("h1").inner_text() == "Hello"

        def save_and_see(title: str, text: str) -> None:
            page.evaluate("window.beforeTheEdit = true")  # gone once the page reloads
            (content / "articles" / "hello.md").write_text(article(title, text), "utf-8")
            wait_until(
                page,
                f"document.querySelector('h1')?.textContent === {title!r}"
                f" && document.body.textContent.includes('{text} version')",
                server,
                repr(title),
            )
            assert page.evaluate("window.beforeTheEdit") is None, "the page was not reloaded"

        save_and_see("Goodbye", "Second")
        save_and_see("Again", "Third")  # a quick second save is not dropped
        assert page.url == server.base_url + PATH


def test_a_problem_is_shown_over_the_page_and_gone_once_fixed(tmp_path, browser):
    require_axe()
    with serving(tmp_path, {"articles/hello.md": article()}) as (server, content):
        page = open_live(browser, server.base_url + PATH)
        source = content / "articles" / "hello.md"
        # A misspelt header key: the build fails, the last good page stays, the problem shows.
        source.write_text(article(text="Second", extra="Catgory: Knees\n"), "utf-8")
        box = page.locator("aside.rebalance-problems")
        box.wait_for(state="visible", timeout=30_000)
        text = box.inner_text()
        assert 'content/articles/hello.md:5: unknown metadata key "Catgory"' in text
        assert "did you mean" in text  # what to do, as the terminal says it
        assert (
            box.get_by_role("link", name="content/articles/hello.md:5").get_attribute("href")
            == f"vscode://file/{source}:5"
        )
        assert "First version" in page.locator("main").inner_text()  # the last good page
        # The page behind stays readable: the box takes at most half the window.
        height = page.evaluate("window.innerHeight")
        assert box.bounding_box()["height"] <= height / 2 + 1
        violations = run_axe(page)
        assert not violations, f"axe ({', '.join(AXE_TAGS)}):\n" + format_axe_violations(violations)

        source.write_text(article(text="Third"), "utf-8")
        wait_until(
            page,
            "document.body.textContent.includes('Third version')"
            " && !document.querySelector('aside.rebalance-problems')",
            server,
            "the fixed article without the problems",
        )


def test_a_draft_is_labelled_and_the_tab_follows_it_when_published(tmp_path, browser):
    files = {
        "articles/hello.md": article(),
        "articles/knees.md": article("Knees", extra="Status: draft\n").replace("hello", "knees"),
    }
    with serving(tmp_path, files) as (server, content):
        page = open_live(browser, server.base_url + "/drafts/knees/")
        label = page.locator(".draft-label")
        assert label.is_visible()
        assert label.inner_text().startswith("Draft")

        published = article("Knees", "Second", "Status: published\n").replace("hello", "knees")
        (content / "articles" / "knees.md").write_text(published, "utf-8")
        wait_until(
            page,
            "location.pathname === '/blog/knees/'"
            " && document.body.textContent.includes('Second version')",
            server,
            "the published article at its new address",
        )
        assert page.locator(".draft-label").count() == 0
        assert f"Preview: {server.base_url}/blog/knees/" in server.output()


def test_a_scheduled_article_says_when_it_goes_up(tmp_path, browser):
    scheduled = article("Later").replace("2026-01-05", "2099-03-01").replace("hello", "later")
    with serving(tmp_path, {"articles/later.md": scheduled}) as (server, _):
        page = open_live(browser, server.base_url + "/drafts/later/")
        label = page.locator(".draft-label").inner_text()
        assert label.startswith("Draft") and "1 March 2099" in label


def test_a_new_photo_shows_on_the_first_reload(tmp_path, browser):
    """The photo and the article that shows it are saved together: the first time the page
    shows the new text, its picture is there too (no broken picture, no second reload)."""
    from PIL import Image

    with serving(tmp_path, {"articles/hello.md": article()}) as (server, content):
        page = browser.new_page()
        # Each load of the tab records whether the new text and a loaded picture were there.
        page.add_init_script(
            """addEventListener("load", () => {
                const img = document.querySelector("main img");
                const loads = JSON.parse(sessionStorage.loads || "[]");
                loads.push({text: document.body.textContent.includes("Second version"),
                             width: img ? img.naturalWidth : -1});
                sessionStorage.loads = JSON.stringify(loads);
            });"""
        )
        page.goto(server.base_url + PATH)
        page.wait_for_selector("html[data-rebalance-live=open]", timeout=15_000)

        photo = io.BytesIO()
        Image.radial_gradient("L").resize((1600, 1200)).convert("RGB").save(photo, "JPEG")
        (content / "images").mkdir()
        (content / "images" / "knee.jpg").write_bytes(photo.getvalue())
        extra = "\n![A knee bent to ninety degrees]({static}/images/knee.jpg)\n"
        (content / "articles" / "hello.md").write_text(article(text=extra + "\nSecond"), "utf-8")
        wait_until(
            page,
            "JSON.parse(sessionStorage.loads || '[]').some(load => load.text)",
            server,
            "the new text",
        )
        loads = page.evaluate("JSON.parse(sessionStorage.loads)")
        first = next(load for load in loads if load["text"])
        assert first["width"] > 0, f"the first reload with the text had no picture: {loads}"
