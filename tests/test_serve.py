"""`invoke serve` (rebalance/serve.py) over plain HTTP: serves the site, rebuilds on save with the
saved page first, keeps the last good build through mistakes and shows them in every page, the
theme's 404 page, a busy port, and `make serve PORT=... HOST=...`.

test_live_reload.py drives the same server in Chromium, as an author has it open.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

import pytest
from bs4 import BeautifulSoup

from rebalance.build import ROOT
from rebalance.serve import parse_report
from rebalance.served import free_port, serving

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
    # the development script is added by the server, from the server itself
    assert '<script src="/__rebalance__/live.js"' in html
    assert server.get("/__rebalance__/live.js")[0] == 200
    assert "rebalance-problems" not in html  # no problems, no report


def test_a_missing_address_gets_the_themes_404_page(served):
    server, _ = served
    status, html = server.get("/blog/no-such-article/")
    assert status == 404
    assert "Page not found" in html


def test_serve_rebuilds_on_save_keeps_last_good_build_and_recovers(served):
    """The saved article's own page is put in place first ("Preview: <address>"), then the full
    build replaces the whole site ("Rebuilt"); a build with problems leaves the last good one
    and every page shows the problems as the terminal printed them, until a save fixes them."""
    server, content = served
    article = content / "articles" / "a.md"

    article.write_text(ARTICLE.format(title="Hello").replace("First", "Second"), encoding="utf-8")
    server.wait_for("Rebuilt")
    log = server.output()
    assert "Saved:" in log, log
    assert log.rindex(f"Preview: {server.base_url}/blog/hello/ (") < log.rindex("Rebuilt")
    assert "Second version" in server.get("/blog/hello/")[1]

    broken = content / "articles" / "broken.md"
    broken.write_text(BROKEN, encoding="utf-8")
    server.wait_for("Still serving the last good build")
    printed = server.output()
    stauts = 'content/articles/broken.md:2: unknown metadata key "Stauts"'
    assert stauts in printed
    assert "content/articles/broken.md: there is no Title" in printed
    status, html = server.get("/blog/hello/")
    assert status == 200 and "Second version" in html
    assert server.process.poll() is None, "the server must keep running"
    # The same lines in the page, over the last good build, the file linked at its line.
    shown = BeautifulSoup(html, "html.parser").select_one("aside.rebalance-problems")
    assert shown is not None
    assert stauts in shown.get_text()
    assert shown.find("a", string=lambda s: s.endswith("broken.md:2"))["href"] == (
        f"vscode://file/{broken}:2"
    )
    assert "rebalance-problems" in server.get("/nowhere/")[1]  # the 404 page too

    broken.unlink()
    article.write_text(ARTICLE.format(title="Hello").replace("First", "Third"), encoding="utf-8")
    server.wait_for("Rebuilt")
    status, html = server.get("/blog/hello/")
    assert "Third version" in html
    assert "rebalance-problems" not in html


def test_serve_indexes_for_search_after_each_full_build(served):
    """The preview does not wait for the search index; the full build after it indexes."""
    server, content = served
    server.wait_printed("Search index: 1 page", 1)
    assert server.get("/pagefind/pagefind.js")[0] == 200
    article = content / "articles" / "a.md"
    article.write_text(ARTICLE.format(title="Hello").replace("First", "Fourth"), encoding="utf-8")
    server.wait_printed("Search index: 1 page", 2)
    log = server.wait_printed("Rebuilt", 2)
    assert log.rindex("Preview:") < log.rindex("Search index: 1 page") < log.rindex("Rebuilt")
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
    assert f"Preview: {server.base_url}/blog/hello/" in log
    assert "/blog/nowhere/" in log[log.rindex("Preview:") :]
    status, html = server.get("/blog/hello/")
    assert status == 200 and "First version" in html and "Sixth" not in html
    assert "/blog/nowhere/" in html  # the problem, shown over the page


def test_a_draft_is_labelled_and_its_address_printed_in_full(tmp_path):
    draft = ARTICLE.format(title="Knees").replace("Summary", "Status: draft\nSummary")
    with serving(tmp_path, {"articles/a.md": ARTICLE.format(title="Hello")}) as (server, content):
        (content / "articles" / "knees.md").write_text(draft, encoding="utf-8")
        server.wait_for(f"Preview: {server.base_url}/drafts/knees/")
        server.wait_for("Rebuilt")
        html = server.get("/drafts/knees/")[1]
        assert "Draft" in html and "Status: published" in html
        assert "Draft" not in server.get("/blog/hello/")[1].split("<main", 1)[1]
        # A draft page too, at its clean address.
        page = "Title: Our prices\nSummary: Prices.\nStatus: draft\n\nThe prices.\n"
        (content / "pages").mkdir()
        (content / "pages" / "our-prices.md").write_text(page, encoding="utf-8")
        server.wait_for(f"Preview: {server.base_url}/drafts/our-prices/")
        label = BeautifulSoup(server.get("/drafts/our-prices/")[1], "html.parser")
        assert label.select_one(".draft-label").get_text().startswith("Draft")


def test_a_busy_port_is_one_line_saying_what_to_do(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "invoke", "serve", "--port", str(port),
             "--output", str(tmp_path / "output")],
            cwd=ROOT, capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
    assert done.returncode != 0
    assert "Traceback" not in done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert f"Port {port} is already in use" in lines[0]
    assert f"make serve PORT={port + 1}" in lines[0]
    assert not (tmp_path / "output").exists(), "nothing is built for a server that cannot run"


def test_the_port_given_is_the_port_served(tmp_path):
    port = free_port()
    with serving(tmp_path, {"articles/a.md": ARTICLE.format(title="Hello")}, port=port) as (
        server,
        _,
    ):
        assert server.base_url == f"http://127.0.0.1:{port}"
        assert server.get("/blog/hello/")[0] == 200
        assert f"Serving http://127.0.0.1:{port}/" in server.output()


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        ([], ["serve"]),
        (["PORT=8123"], ["serve", "--port", "8123"]),
        (["PORT=8123", "HOST=0.0.0.0"], ["serve", "--host", "0.0.0.0", "--port", "8123"]),
    ],
)
def test_make_serve_passes_port_and_host_to_the_server(make_project, variables, expected):
    """The Makefile in a folder whose virtualenv's `invoke` only records its arguments."""
    folder, record = make_project
    env = {k: v for k, v in os.environ.items() if k not in {"HOST", "PORT", "MAKEFLAGS"}}
    done = subprocess.run(["make", "serve", *variables], cwd=folder, env=env,
                          capture_output=True, text=True, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(record.read_text()) == expected


def test_built_pages_carry_none_of_the_servers_code(built_site):
    """The script and the problems box are added by the development server as it serves a
    page: no built page (the session's real build) has them."""
    for page in built_site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "__rebalance__" not in text and "rebalance-problems" not in text, page


def test_the_report_is_read_line_by_line_as_printed(tmp_path):
    """What the page shows is what content_checks printed: each line's file (relative to the
    content folder's parent, as printed), line and message; the count line is not a problem."""
    content = tmp_path / "content"
    printed = (
        "Done: Processed 1 article.\n\nContent problems found: 3 in 2 files.\n\n"
        'content/articles/a b.md:2: unknown metadata key "Stauts" — did you mean "Status"?\n'
        'content/pages/about.md: there is no Title. Add a line "Title: …".\n'
        '(site): the setting CONTENT_CHECKS has an unknown key "x".\n'
        "\n3 content problems in 2 files. Fix them and build again. What each: docs/x.md\n"
    )
    problems = parse_report(printed, content)
    assert [str(p) for p in problems] == printed.split("\n\n")[2].splitlines()
    assert [(p.path, p.line) for p in problems] == [
        (str(tmp_path / "content/articles/a b.md"), 2),
        (str(tmp_path / "content/pages/about.md"), None),
        (None, None),
    ]
    assert parse_report("Done: Processed 1 article.\n", content) == []


def test_a_save_during_the_full_build_stops_it_and_the_last_save_wins(served):
    """The full build runs in a process of its own: a save while it runs stops it (its site
    would be older than the save), previews the new save and builds again."""
    server, content = served
    article = content / "articles" / "a.md"
    article.write_text(ARTICLE.format(title="Hello").replace("First", "Second"), encoding="utf-8")
    server.wait_for("Preview:")
    article.write_text(ARTICLE.format(title="Hello").replace("First", "Third"), encoding="utf-8")
    server.wait_for("Rebuilt")
    log = server.output()
    assert log.count("Rebuilt") == 2, log  # the first build's, and the last save's only
    assert "Still serving" not in log
    assert "Third version" in server.get("/blog/hello/")[1]


def test_a_problem_a_plugin_reports_shows_before_the_full_build(served):
    """A picture without a description: the images plugin reports it on the problem channel as
    the preview reads the article, so the page shows it at once and keeps the last good text;
    the full build then confirms it."""
    from PIL import Image

    server, content = served
    (content / "images").mkdir()
    Image.new("RGB", (800, 600), "teal").save(content / "images" / "knee.jpg")
    server.wait_for("Rebuilt")  # the picture alone: nothing shows it yet
    article = content / "articles" / "a.md"
    text = ARTICLE.format(title="Hello").replace("First", "![]({static}/images/knee.jpg)\n\nNew")
    article.write_text(text, encoding="utf-8")
    server.wait_for("Problems found in the preview")
    status, html = server.get("/blog/hello/")
    assert "First version" in html  # the last good page
    box = BeautifulSoup(html, "html.parser").select_one("aside.rebalance-problems")
    assert box is not None and "content/articles/a.md" in box.get_text()
    assert "no description" in box.get_text()
    server.wait_for("Still serving the last good build")
    log = server.output()
    assert log.index("Problems found in the preview") < log.index("Still serving")


def test_fixing_one_of_two_files_keeps_the_others_problem_shown(served):
    """The preview of a fixed file takes its problems off the page at once; another file's
    problem stays until a build no longer has it."""
    server, content = served
    broken = content / "articles" / "broken.md"
    broken.write_text(BROKEN, encoding="utf-8")
    server.wait_for("Still serving the last good build")
    article = content / "articles" / "a.md"
    misspelt = ARTICLE.format(title="Hello").replace("Summary", "Tgas: x\nSummary")
    article.write_text(misspelt, "utf-8")
    server.wait_for("Still serving the last good build")
    html = server.get("/blog/hello/")[1]
    assert "Tgas" in html and "Stauts" in html

    article.write_text(ARTICLE.format(title="Hello").replace("First", "Fixed"), "utf-8")
    server.wait_for(f"Preview: {server.base_url}/blog/hello/")
    html = server.get("/blog/hello/")[1]
    assert "Fixed version" in html and "Tgas" not in html
    assert "Stauts" in html  # broken.md's, still there
    server.wait_for("Still serving the last good build")
    assert "Stauts" in server.get("/blog/hello/")[1]
