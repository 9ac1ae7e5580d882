"""`invoke new-article` / `invoke new-page` and their make rules: a draft to start from.

The tasks write into the project's content/, so every test runs them, for real, in a copy of the
project in tmp_path. The make rules are run with a stand-in invoke that records its arguments.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import normalise, parse
from pelican.contents import Article
from pelican.readers import MarkdownReader

from rebalance.build import HOST, PORT, ROOT

PROJECT_FILES = ["pelicanconf.py", "publishconf.py", "tasks.py", "theme", "rebalance", "content"]
TITLE = "Knee pain after running"
SLUG = "knee-pain-after-running"
ARTICLE = f"content/articles/2026-12-01-{SLUG}.md"
ARTICLE_KEYS = ["Title", "Date", "Modified", "Author", "Category", "Tags", "Summary", "Status"]
PREVIEW = re.compile(rf"http://{re.escape(HOST)}:{PORT}/(\S*)")


@pytest.fixture
def project(tmp_path) -> Path:
    """A copy of the project's site files, to run the tasks in."""
    copy = tmp_path / "project"
    copy.mkdir()
    for name in PROJECT_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, copy / name)
    return copy


def run_task(project: Path, *args: str) -> subprocess.CompletedProcess:
    """Runs `invoke <args>` in `project`, as an author would in the project folder."""
    return subprocess.run(
        [sys.executable, "-m", "invoke", *args],
        cwd=project,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        check=False,
    )


def content_files(project: Path) -> dict[str, str]:
    """Every file under content/ with its text: compared before and after a refused run."""
    content = project / "content"
    return {
        str(path.relative_to(content)): path.read_text(encoding="utf-8", errors="replace")
        for path in sorted(content.rglob("*"))
        if path.is_file()
    }


def header_lines(path: Path) -> list[tuple[str, str]]:
    """The file's `Key: value` lines, in order, up to the first blank line."""
    head = path.read_text(encoding="utf-8").split("\n\n", 1)[0]
    return [tuple(part.strip() for part in line.split(":", 1)) for line in head.splitlines()]


def read_as_pelican(path: Path, settings: dict) -> Article:
    """The file as Pelican reads it: its metadata and the slug Pelican gives it."""
    content, metadata = MarkdownReader(settings).read(str(path))
    return Article(content, metadata=metadata, settings=settings, source_path=str(path))


def test_new_article_is_a_draft_with_every_header_line(project, settings):
    result = run_task(
        project, "new-article", "--title", TITLE, "--date", "2026-12-01", "--no-build"
    )

    assert result.returncode == 0, result.stderr
    path = project / ARTICLE
    header = header_lines(path)
    assert [key for key, _ in header] == ARTICLE_KEYS
    values = dict(header)
    assert values["Title"] == TITLE
    assert values["Date"] == values["Modified"] == "2026-12-01"
    assert values["Author"] == settings["AUTHOR"]
    assert values["Category"] == settings["DEFAULT_CATEGORY"]
    assert values["Tags"] == "physiotherapy"
    assert values["Status"] == "draft"
    assert 0 < len(values["Summary"]) <= 160
    # Pelican reads it as a draft whose slug is the one in the file name and the preview URL.
    article = read_as_pelican(path, settings)
    assert (article.status, article.slug, article.title) == ("draft", SLUG, TITLE)
    assert ARTICLE in result.stdout
    url = settings["DRAFT_URL"].format(slug=SLUG)
    assert f"http://{HOST}:{PORT}/{url}" in result.stdout
    assert "make serve" in result.stdout


def add_clinician(project: Path, name: str) -> None:
    """A clinician's profile in content/authors/, as docs/authoring.md shows it."""
    folder = project / "content" / "authors"
    folder.mkdir(parents=True, exist_ok=True)
    slug = name.lower().replace(" ", "-")
    (folder / f"{slug}.md").write_text(f"Name: {name}\nRole: Physiotherapist\n\nBio.\n", "utf-8")


def test_new_article_takes_author_and_tags(project):
    add_clinician(project, "Sam Lee")
    options = ["--author", " Sam  Lee ", "--tags", " knee pain,, running "]
    result = run_task(project, "new-article", "--title", TITLE, *options, "--no-build")

    assert result.returncode == 0, result.stderr
    (path,) = (project / "content" / "articles").glob(f"*-{SLUG}.md")
    values = dict(header_lines(path))
    assert (values["Author"], values["Tags"]) == ("Sam Lee", "knee pain, running")


def test_new_article_is_dated_today_in_the_site_time_zone(project, settings):
    def today() -> str:
        return datetime.now(ZoneInfo(settings["TIMEZONE"])).date().isoformat()

    before = today()
    result = run_task(project, "new-article", "--title", TITLE, "--no-build")
    after = today()  # the run may straddle midnight

    assert result.returncode == 0, result.stderr
    written = {path.name for path in (project / "content" / "articles").glob(f"*-{SLUG}.md")}
    assert written & {f"{before}-{SLUG}.md", f"{after}-{SLUG}.md"}


@pytest.mark.parametrize(
    ("existing", "text"),
    [
        ("articles/2020-01-01-knee-pain-after-running.md", "Title: Another title\n"),
        ("pages/knee-pain-after-running.md", "Title: Another title\n"),
        ("pages/knees.md", "Title: Knees\nSlug: knee-pain-after-running\n"),
        ("articles/2020-01-01-knees.md", "Title: Knee Pain: After Running!\n"),
    ],
    ids=["article-file-name", "page-file-name", "slug-line", "title-line"],
)
@pytest.mark.parametrize("command", ["new-article", "new-page"])
def test_a_slug_already_in_use_is_refused_and_nothing_written(project, command, existing, text):
    (project / "content" / existing).write_text(text + "\nBody.\n", encoding="utf-8")
    before = content_files(project)

    result = run_task(project, command, "--title", TITLE, "--no-build")

    assert result.returncode != 0
    assert f"content/{existing}" in result.stderr
    assert content_files(project) == before


@pytest.mark.parametrize("title", ["!!!", "   "])
def test_a_title_without_words_is_refused(project, title):
    before = content_files(project)

    result = run_task(project, "new-article", "--title", title, "--no-build")

    assert result.returncode != 0
    assert "title" in result.stderr.lower()
    assert "Traceback" not in result.stderr
    assert content_files(project) == before


@pytest.mark.parametrize("date", ["2026-02-30", "1/12/2026", "20261201"])
def test_a_date_not_written_yyyy_mm_dd_is_refused(project, date):
    before = content_files(project)

    result = run_task(project, "new-article", "--title", TITLE, "--date", date, "--no-build")

    assert result.returncode != 0
    assert "YYYY-MM-DD" in result.stderr
    assert content_files(project) == before


@pytest.mark.parametrize(
    ("author", "hint"),
    [("Maria", ""), ("Sam Le", 'Did you mean "Sam Lee"?'), ("rebalance", '"Rebalance Team"?')],
)
def test_an_unknown_author_is_refused_before_anything_is_written(project, author, hint):
    add_clinician(project, "Sam Lee")
    before = content_files(project)

    result = run_task(project, "new-article", "--title", TITLE, "--author", author)

    assert result.returncode != 0
    assert f'"{author}" is not an author of this site' in result.stderr
    assert hint in result.stderr
    assert '"Rebalance Team", "Sam Lee"' in result.stderr  # who can sign
    assert "content/authors/" in result.stderr
    assert "Traceback" not in result.stderr
    assert content_files(project) == before


def test_the_docs_show_the_header_new_article_writes(project):
    """README.md and docs/authoring.md show, line for line, the header `make new-article`
    writes for their example (so an article started by hand is a draft too)."""
    result = run_task(project, "new-article", "--title", TITLE, "--date", "2026-12-01",
                      "--no-build")  # fmt: skip
    assert result.returncode == 0, result.stderr
    header = (project / ARTICLE).read_text(encoding="utf-8").split("\n\n", 1)[0]
    for doc in ("README.md", "docs/authoring.md"):
        assert header in (ROOT / doc).read_text(encoding="utf-8"), f"{doc} shows another header"


def test_new_page_is_a_draft_page(project, settings):
    result = run_task(project, "new-page", "--title", "Our prices", "--no-build")

    assert result.returncode == 0, result.stderr
    path = project / "content" / "pages" / "our-prices.md"
    header = header_lines(path)
    assert [key for key, _ in header] == ["Title", "Summary", "Status"]
    assert dict(header)["Status"] == "draft"
    assert 0 < len(dict(header)["Summary"]) <= 160
    url = settings["DRAFT_PAGE_URL"].format(slug="our-prices")
    assert f"http://{HOST}:{PORT}/{url}" in result.stdout
    assert url == "drafts/our-prices/", "a page previews at a clean address"


@pytest.mark.parametrize(("command", "title"), [("new-article", TITLE), ("new-page", "Our prices")])
def test_the_build_writes_the_printed_preview_url(project, command, title):
    result = run_task(project, command, "--title", title)

    assert result.returncode == 0, result.stdout + result.stderr
    url = PREVIEW.search(result.stdout).group(1)
    built = project / "output" / url
    if url.endswith("/") or not url:
        built /= "index.html"
    assert built.is_file(), f"{url} was printed but not built"
    assert normalise(parse(built).h1.get_text()) == title  # typogrify: "Our\xa0prices"


@pytest.mark.parametrize(("months", "listed"), [("0", True), ("", None), ("1200", False)])
def test_review_due_months_zero_means_zero(project, months, listed):
    """The project's article, never reviewed: due at 0 months, not at 100 years; without
    --months, the setting's 12 (0 is not taken for "the default")."""
    (article,) = (project / "content" / "articles").glob("*.md")
    result = run_task(project, "review-due", *(["--months", months] if months else []))

    assert result.returncode == 0, result.stderr
    if listed is not None:  # at 12 months it depends on today's date
        assert (article.name in result.stdout) is listed
    shown = months or "12"
    assert f" {shown} month" in result.stdout


def test_review_due_refuses_months_that_are_not_a_number(project):
    result = run_task(project, "review-due", "--months", "twelve")
    assert result.returncode != 0
    assert "whole number" in result.stderr and "Traceback" not in result.stderr


def test_a_failed_build_keeps_the_file_and_fails(project):
    # A template that does not compile stops any build, whatever the content checks are.
    with (project / "theme" / "templates" / "article.html").open("a", encoding="utf-8") as file:
        file.write("{% if %}\n")

    result = run_task(project, "new-article", "--title", TITLE, "--date", "2026-12-01")

    assert result.returncode != 0
    assert (project / ARTICLE).is_file()
    assert f"{ARTICLE} was kept" in result.stderr


# --- make new-article / make new-page ---------------------------------------------------------


def run_make(folder: Path, *args: str) -> subprocess.CompletedProcess:
    """Runs `make <args>` in `folder`, without TITLE, AUTHOR or TAGS from the test's environment."""
    unset = {"TITLE", "AUTHOR", "TAGS", "MAKEFLAGS", "MFLAGS", "MAKELEVEL"}
    env = {key: value for key, value in os.environ.items() if key not in unset}
    return subprocess.run(["make", "--no-print-directory", *args], cwd=folder, env=env,
                          capture_output=True, text=True, check=False)  # fmt: skip


def test_make_new_article_passes_title_author_and_tags_unchanged(make_project):
    folder, record = make_project
    title = 'Runner\'s "knee": `why` & when?'

    result = run_make(folder, "new-article", f"TITLE={title}", "AUTHOR=Sam Lee", "TAGS=knee, run")

    assert result.returncode == 0, result.stderr
    assert json.loads(record.read_text()) == [
        "new-article", "--title", title, "--author", "Sam Lee", "--tags", "knee, run",
    ]  # fmt: skip


def test_make_new_page_passes_the_title(make_project):
    folder, record = make_project

    result = run_make(folder, "new-page", "TITLE=Our prices")

    assert result.returncode == 0, result.stderr
    assert json.loads(record.read_text()) == ["new-page", "--title", "Our prices"]


@pytest.mark.parametrize("command", ["new-article", "new-page"])
def test_make_without_a_title_says_how_to_give_one(make_project, command):
    folder, record = make_project

    result = run_make(folder, command)

    assert result.returncode != 0
    assert f'make {command} TITLE="' in result.stderr
    assert not record.exists()


def test_make_help_shows_each_tasks_whole_description(tmp_path):
    """`make help` lists every task with the whole first line of its docstring (invoke --list
    cuts them to the terminal's width)."""
    if not shutil.which("make"):
        pytest.skip("make is not installed")
    folder = tmp_path / "help"
    (folder / ".venv" / "bin").mkdir(parents=True)
    for name in ("Makefile", "pyproject.toml", "tasks.py"):
        shutil.copy2(ROOT / name, folder / name)
    for tool in ("invoke", "python"):
        (folder / ".venv" / "bin" / tool).symlink_to(ROOT / ".venv" / "bin" / tool)
    (folder / ".venv" / ".installed").touch()
    listed = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "invoke"), "--list", "--list-format", "json"],
        cwd=folder, capture_output=True, text=True, check=True,
    )  # fmt: skip
    tasks = {task["name"]: task["help"] for task in json.loads(listed.stdout)["tasks"]}

    shown = run_make(folder, "help")

    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert len(lines) == len(tasks)
    for name, text in tasks.items():
        assert any(line.split() == ["make", name, *text.split()] for line in lines), (name, lines)
