"""Content checks (plugins/content_checks): every content problem of a build is reported at once,
with its file, line and what to do, and the build then fails; valid content still builds.

Each build test writes one faulty file into a copy of the real content/ folder and builds it for
real (Pelican's API, or its command line where the exit code matters), then reads the report as
an author would.
"""

from __future__ import annotations

import contextlib
import io
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from content_checks import checks, markup
from content_checks.links import exists, link_target
from content_checks.messages import MESSAGES
from content_checks.report import ContentProblemsError, Problem, deduplicate, format_report
from pelican import Pelican
from pelican.settings import read_settings

from tasks import DEV_SETTINGS, ROOT, build_site

DOCS = ROOT / "docs" / "content-checks.md"
KEYS = ["Title", "Date", "Modified", "Status", "Slug", "Summary", "Tags"]
PROBLEM_LINE = re.compile(r"^(?P<file>\S+?)(?::(?P<line>\d+))?: (?P<message>.+)$")


# --- Building ------------------------------------------------------------------------------------
@dataclass
class Built:
    code: int  # the exit status `python -m pelican` has (or would have)
    stderr: str  # the report, as the author reads it
    output: Path
    stdout: str = ""

    @property
    def problems(self) -> list[tuple[str, int | None, str]]:
        """(file, line, message) of every problem in the report."""
        found = []
        for text in self.stderr.splitlines():
            match = PROBLEM_LINE.match(text)
            if match and (match["file"].startswith(("content/", "theme/")) or text[0] == "("):
                line = int(match["line"]) if match["line"] else None
                found.append((match["file"], line, match["message"]))
        return found

    def messages(self, file: str, line: int | None = None) -> list[str]:
        """The messages for one file (and line, if given)."""
        return [m for f, n, m in self.problems if f == file and (line is None or n == line)]

    def expect(self, file: str, line: int | None, expected: str, *, start: bool = False) -> None:
        """The build failed and reported `expected` (in, or at the start of, a message) there."""
        assert self.code == 1, self.stderr
        found = self.messages(file, line)
        hit = any(m.startswith(expected) if start else expected in m for m in found)
        assert hit, f"{expected!r} not reported at {file}:{line}; the report:\n{self.stderr}"


class Site:
    """A copy of the project's content/ in a temporary folder, to add files to and build."""

    def __init__(self, tmp_path: Path) -> None:
        self.root = tmp_path
        self.content = tmp_path / "content"
        shutil.copytree(ROOT / "content", self.content)

    def write(self, name: str, text: str | bytes) -> str:
        """Writes content/<name>; returns its path as the report shows it."""
        path = self.content / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return f"content/{name}"

    def theme(self, edit: dict[str, tuple[str, str]]) -> Path:
        """A copy of the theme with `old` replaced by `new` in each named template."""
        theme = self.root / "theme"
        shutil.copytree(ROOT / "theme", theme)
        for name, (old, new) in edit.items():
            path = theme / "templates" / name
            text = path.read_text(encoding="utf-8")
            assert old in text, f"{old!r} not in {name}"
            path.write_text(text.replace(old, new, 1), encoding="utf-8")
        return theme

    def build(self, **settings) -> Built:
        """Builds with Pelican's API in this process, like `pelican` does."""
        output = self.root / "output"
        overrides = {"PATH": str(self.content), "OUTPUT_PATH": str(output), **settings}
        stderr = io.StringIO()
        code = 0
        with contextlib.redirect_stderr(stderr):
            try:
                Pelican(read_settings(str(DEV_SETTINGS), override=overrides)).run()
            except ContentProblemsError:
                code = 1
        return Built(code, stderr.getvalue(), output)

    def build_cli(self) -> Built:
        """Builds with `python -m pelican` in a new process: the real exit status."""
        output = self.root / "output"
        command = [sys.executable, "-m", "pelican", str(self.content), "--settings",
                   str(DEV_SETTINGS), "--output", str(output)]  # fmt: skip
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
        return Built(done.returncode, done.stderr, output, done.stdout)


@pytest.fixture
def site(tmp_path) -> Site:
    return Site(tmp_path)


def article(title: str = "Knee pain", body: str = "Some text.", **header: str) -> str:
    """A Markdown article: Title, Date (2026-11-01 unless given), other header lines, the body."""
    lines = [
        f"{key}: {value}" for key, value in {"Title": title, "Date": "2026-11-01", **header}.items()
    ]
    return "\n".join(lines) + "\n\n" + body + "\n"


def line_of(path: Path, text: str) -> int:
    """The line of a file where text first appears."""
    return next(n for n, line in enumerate(path.read_text("utf-8").splitlines(), 1) if text in line)


# --- Valid content builds -----------------------------------------------------------------------
def test_real_site_builds_with_exit_0_and_no_problems(tmp_path):
    built = Site(tmp_path).build_cli()
    assert built.code == 0, built.stderr + built.stdout
    assert "Content problems" not in built.stderr
    assert (built.output / "index.html").is_file()


VALID = """\
Title: Knee & hip pain — what helps? Ça va 😀
Date: 2026-11-02
Modified: 2026-11-03 09:30
Tags: knees, hips & backs
Summary: Exercises & advice, with *emphasis*.

Physio & exercise help. Unicode: ½ café — “quotes” 💪.

| Exercise | Sets |
|----------|------|
| Squats   | 3    |

- one
- two
    1. nested

Links: [about us](/about/), [articles](/blog/archives/#top), [contact]({filename}/pages/contact.md),
[dry needling]({filename}2026-11-10-unlocking-relief-the-many-benefits-of-dry-needling.md),
an ![Exercise band on a chair]({static}/images/band.png) and [email](mailto:hi@example.com).

Code may show tags: `<script>` and

    <div class="x"
    <iframe>

<span class="note">Inline HTML that is well formed is fine.</span>
"""


def test_valid_content_with_unicode_emoji_ampersands_tables_and_lists_builds(site):
    site.write("images/band.png", b"\x89PNG\r\n\x1a\n")
    site.write("articles/2026-11-02-knee.md", VALID)
    built = site.build()
    assert built.code == 0, built.stderr
    html = (built.output / "blog/knee-hip-pain-what-helps-ca-va/index.html").read_text("utf-8")
    assert "<table>" in html and "😀" in html and "&amp;" in html


def test_future_dated_article_builds_but_is_not_published(site):
    site.write("articles/2099-01-01-later.md", article("Later", Date="2099-01-01"))
    built = site.build()
    assert built.code == 0, built.stderr
    assert not (built.output / "blog/later").exists()
    assert (built.output / "drafts/later/index.html").is_file()  # kept aside until its date
    for page in ("index.html", "blog/archives/index.html", "sitemap.xml"):
        assert "later" not in (built.output / page).read_text("utf-8").lower()


# --- One test per problem -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "line", "expected"),
    [
        ("Date: 2026-11-01\n\nText.\n", None, "there is no title"),
        ("Title:\nDate: 2026-11-01\n\nText.\n", 1, 'the title is empty. Write the title after'),
    ],
)  # fmt: skip
def test_missing_or_empty_title_is_reported(site, text, line, expected):
    name = site.write("articles/2026-11-01-untitled.md", text)
    site.build().expect(name, line, expected)


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("Date", "2026-13-45", 'is not a valid date. Write it as YYYY-MM-DD, for example "Date:'),
        ("Date", "next Tuesday", "is not a valid date"),
        ("Date", "10/11/2026", "is not written as YYYY-MM-DD, so it could be read as the wrong"),
        ("Modified", "2026-02-30", '"Modified: 2026-02-30" is not a valid date'),
        ("Modified", "March", "is not written as YYYY-MM-DD"),
    ],
)  # fmt: skip
def test_invalid_date_or_modified_is_reported_with_its_line(site, key, value, expected):
    text = f"Title: Dates\nAuthor: Rebalance Team\n{key}: {value}\n\nText.\n"
    name = site.write("articles/2026-11-01-dates.md", text)
    site.build().expect(name, 3, expected)


def test_two_articles_with_one_slug_are_both_reported(site):
    one = site.write("articles/2026-11-01-a.md", article("First", Slug="knee"))
    two = site.write("articles/2026-11-02-b.md", article("Second", Slug="knee"))
    built = site.build()
    assert built.code == 1
    assert any(f'the slug "knee" is also used by {two}' in m for m in built.messages(one, 3))
    assert any(f"also used by {one}, so they would overwrite" in m for m in built.messages(two, 3))
    assert "/blog/knee/" in built.stderr
    assert "The build stopped early" in built.stderr  # Pelican cannot write both


@pytest.mark.parametrize(
    ("files", "clash"),
    [
        # Two pages whose titles give one slug (no Slug line, so no line number).
        ({"pages/a.md": "Title: Prices\n\nA.\n", "pages/b.md": "Title: Prices!\n\nB.\n"}, True),
        # Two French translations with one slug clash; an English original and its translation do
        # not.
        ({"articles/2026-11-01-a.md": article("A", Slug="genou", Lang="fr"),
          "articles/2026-11-02-b.md": article("B", Slug="genou", Lang="fr")}, True),
        ({"articles/2026-11-01-a.md": article("A", Slug="knee"),
          "articles/2026-11-02-b.md": article("B", Slug="knee", Lang="fr")}, False),
    ],
)  # fmt: skip
def test_pages_and_translations_sharing_an_address_are_reported(site, files, clash):
    names = [site.write(name, text) for name, text in files.items()]
    built = site.build()
    assert built.code == (1 if clash else 0), built.stderr
    for name in names if clash else ():
        assert any("is also used by" in m for m in built.messages(name)), built.stderr


def test_links_to_missing_files_are_reported_with_their_lines(site):
    body = (
        "[Our prices]({filename}prices.md) are here.\n\n"
        "![A stretch]({static}/images/stretch.png)\n\n"
        "[The leaflet]({attach}leaflet.pdf)\n\n"
        "[Bad marker]({filenme}2026-11-10-unlocking-relief-the-many-benefits-of-dry-needling.md)"
    )
    name = site.write("articles/2026-11-01-links.md", article(body=body))
    built = site.build()
    assert built.code == 1
    assert built.messages(name, 4) == [
        'the link "{filename}prices.md" points to a file that does not exist '
        "(content/articles/prices.md). Check the file name and folder: other articles are linked "
        "as {filename}2026-11-10-title.md, pages as {filename}/pages/about.md, images as "
        "{static}/images/photo.jpg."
    ]
    assert "does not exist (content/images/stretch.png)" in built.messages(name, 6)[0]
    assert "does not exist (content/articles/leaflet.pdf)" in built.messages(name, 8)[0]
    assert 'uses "{filenme}", which is not a known link type' in built.messages(name, 10)[0]
    assert len(built.problems) == 4  # Pelican's own "Unable to find" for each is not repeated


def test_links_to_an_image_with_filename_and_to_a_draft_are_reported(site):
    site.write("images/band.png", b"\x89PNG\r\n\x1a\n")
    site.write("articles/2099-01-01-later.md", article("Later", Date="2099-01-01"))
    body = "![Band]({filename}/images/band.png)\n\nSoon: [later]({filename}2099-01-01-later.md)."
    name = site.write("articles/2026-11-01-links.md", article(body=body))
    built = site.build()
    assert built.code == 1
    assert "Write {static}/images/band.png instead" in built.messages(name, 4)[0]
    assert "which is not published yet" in built.messages(name, 6)[0]


def test_internal_links_to_pages_that_do_not_exist_are_reported(site):
    body = (
        "See [prices](/prices/) and [us](/about/).\n\n"
        '<img src="/images/missing.png" alt="Missing">\n\n'
        "[Up a level](../nowhere/) and [archives](/blog/archives/) and [home](/)."
    )
    name = site.write("articles/2026-11-01-links.md", article(body=body))
    built = site.build()
    assert built.code == 1
    assert [m.split(" goes")[0].split(" does")[0] for m in built.messages(name)] == [
        'the link "/prices/"', 'the image or file "/images/missing.png"', 'the link "../nowhere/"'
    ]  # fmt: skip
    assert built.problems[0][1] == 4 and "[Prices]({filename}" in built.problems[0][2]


def test_theme_links_that_go_nowhere_and_unreplaced_markers_are_reported(site):
    theme = site.theme({
        "partials/footer.html": ("<ul>", '<ul><li><a href="{{ SITEURL }}/team/">Team</a></li>'
                                         '<li><a href="{filename}/pages/x.md">X</a></li>')
    })  # fmt: skip
    built = site.build(THEME=str(theme))
    assert built.code == 1
    site_wide = [m for f, _, m in built.problems if f == "(site)"]
    assert any(m.startswith('the link "/team/" (on /404.html,') for m in site_wide)
    assert any('the link "{filename}/pages/x.md"' in m and "theme" in m for m in site_wide)


def test_file_that_is_not_utf8_is_reported(site):
    name = site.write("articles/2026-11-01-cafe.md", article("Caf\xe9", "Text").encode("latin-1"))
    built = site.build()
    assert built.code == 1
    assert built.messages(name) == [built.messages(name, 1)[0]]  # one problem, on line 1
    assert 'the file is not saved as UTF-8 text (a character after "Title: Caf"' in built.stderr


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "the file is empty"),
        ("  \n\n", "the file is empty"),
        ("Title: Only a header\nDate: 2026-11-01\n", "there is no text below the header"),
    ],
)
def test_empty_file_or_header_without_text_is_reported(site, text, expected):
    name = site.write("articles/2026-11-01-empty.md", text)
    built = site.build()
    assert built.code == 1
    assert len(built.messages(name)) == 1 and expected in built.messages(name)[0]


def test_metadata_line_without_its_colon_is_reported(site):
    text = "Title: Drafty\nDate: 2026-11-01\nStatus draft\nTags: knees\n\nText.\n"
    name = site.write("articles/2026-11-01-drafty.md", text)
    built = site.build()
    assert built.code == 1
    assert built.messages(name, 3) == [
        'this header line has no colon: "Status draft". Write it as "Status: draft" — without the '
        "colon the header stops here, and this line and the lines below it would be shown as "
        "article text."
    ]


@pytest.mark.parametrize(
    ("text", "line", "expected"),
    [
        ("Title: A\n\nDate: 2026-11-01\nTags: a\n\nText.\n", 2,
         'this empty line ends the header early, so the lines below it ("Date", "Tags")'),
        ("Title: A\nDate: 2026-11-01\nThe text starts here.\n", 3,
         "no empty line in between. Add an empty line after the last header line (line 2)"),
        ("Title: A\nDate: 2026-11-01\nmy notes\nTags: a\n\nText.\n", 3,
         'is not written as "Key: value", so the header stops here and the lines below it (Tags)'),
    ],
)  # fmt: skip
def test_header_that_ends_too_early_is_reported(site, text, line, expected):
    name = site.write("articles/2026-11-01-header.md", text)
    site.build().expect(name, line, expected)


def test_unknown_metadata_key_is_reported_with_a_suggestion(site):
    text = article(Stauts="draft", Colour="blue")
    name = site.write("articles/2026-11-01-keys.md", text)
    built = site.build()
    assert built.code == 1
    stauts, colour = built.messages(name, 3)[0], built.messages(name, 4)[0]
    assert stauts.startswith('unknown metadata key "Stauts" — did you mean "Status"? Fix the spel')
    assert "allowed keys are: Title, Date, Modified," in stauts
    assert colour.startswith('unknown metadata key "Colour". Remove the line or correct the key')


@pytest.mark.parametrize(("value", "ok"), [("pending", False), ("drafts", False), ("Draft", True)])
def test_invalid_status_is_reported(site, value, ok):
    name = site.write("articles/2026-11-01-status.md", article(Status=value))
    built = site.build()
    assert built.code == (0 if ok else 1), built.stderr
    if not ok:
        message = built.messages(name, 3)[0]
        assert message.startswith(f'status "{value}" is not allowed')
        assert message.endswith("Use one of: published, draft, hidden.")


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("<script>alert(1)</script> Knees", 'the title contains the HTML tag "<script>"'),
        ("Knees <em>and</em> hips", 'the title contains the HTML tag "<em>"'),
        ("Knees &amp; hips", 'the title contains the HTML code "&amp;"'),
        ("Knees &#8217; hips", 'the title contains the HTML code "&#8217;"'),
    ],
)
def test_markup_typed_in_a_title_is_reported(site, title, expected):
    name = site.write("articles/2026-11-01-title.md", article(title))
    site.build().expect(name, 1, expected, start=True)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("<script>alert(1)</script>", "the text contains the HTML element <script>"),
        ('<iframe src="https://example.com"></iframe>', "the HTML element <iframe>"),
        ('<object data="x.swf"></object>', "the HTML element <object>"),
        ('<embed src="x.swf">', "the HTML element <embed>"),
        ('<form action="/x"><input name="q"></form>', "the HTML element <form>"),
        ("<style>body { display: none }</style>", "the HTML element <style>"),
        ('<meta http-equiv="refresh" content="0; url=https://example.com">', "element <meta>"),
        ('<base href="https://example.com/">', "the HTML element <base>"),
        ('<link rel="stylesheet" href="https://example.com/x.css">', "the HTML element <link>"),
        ('<p onmouseover="steal()">Hover</p>', 'the HTML tag <p> has an "onmouseover" attribute'),
        ('<img src="/favicon.png" alt="Logo" onerror="x()">', 'has an "onerror" attribute'),
        ("[Click](javascript:alert(1))", 'the link "javascript:alert(1)" runs code'),
        ('<a href=" JavaScript:alert(1)">x</a>', "runs code instead of opening a page"),
    ],
)
def test_active_content_in_a_body_is_reported(site, body, expected):
    name = site.write("articles/2026-11-01-active.md", article(body=f"Intro.\n\n{body}\n"))
    site.build().expect(name, 6, expected)


def test_active_content_in_a_summary_is_reported_and_allowed_tags_let_it_through(site):
    text = article(Summary="Hi <script>x()</script>", body='<iframe src="https://e.org"></iframe>')
    name = site.write("articles/2026-11-01-active.md", text)
    built = site.build()
    assert any("<script>" in m for m in built.messages(name, 3))
    assert any("<iframe>" in m for m in built.messages(name, 5))
    allowed = site.build(CONTENT_CHECKS={"allowed_tags": ["iframe"]})
    assert [m for m in allowed.messages(name) if "<iframe>" in m] == []


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('Some <span class="x" text here.', 'readers would see raw HTML here: "<span class="x"'),
        ('Hello <div class="box" and more.', 'readers would see raw HTML here: "<div class="box"'),
        ('<div class="box"\nText\n</div>', 'the HTML tag "<div class="box" Text </div>" is not'),
    ],
)
def test_html_that_markdown_could_not_read_is_reported(site, body, expected):
    name = site.write("articles/2026-11-01-html.md", article(body=f"Intro.\n\n{body}\n"))
    site.build().expect(name, 6, expected, start=True)


def test_images_without_alt_text_are_reported(site):
    body = '![](/favicon.png)\n\n<img src="/favicon.svg">\n\n![  ](/favicon.ico)\n\n![Ok](/x.png)'
    name = site.write("articles/2026-11-01-images.md", article(body=body))
    built = site.build()
    assert built.code == 1
    assert [(n, m.split(" has")[0].split(" does")[0]) for _, n, m in built.problems] == [
        (4, 'the image "favicon.png"'), (6, 'the image "favicon.svg"'),
        (8, 'the image "favicon.ico"'), (10, 'the image or file "/x.png"'),
    ]  # fmt: skip
    assert "![Physiotherapist treating a knee](/favicon.png)" in built.messages(name, 4)[0]


def test_template_printing_an_undefined_variable_is_reported(site):
    theme = site.theme({
        "article.html": ("{{ article.title|safe }}</h1>", "{{ article.subtitle }}</h1>"),
        "base.html": ("<body>", '<body class="{{ THEME_CLASS }}{{ " x" if NOPE }}'
                                '{{ NOPE2|default("") }}{% if NOPE3 %}{{ NOPE3 }}{% endif %}">'),
    })  # fmt: skip
    built = site.build(THEME=str(theme))
    assert built.code == 1
    templates = theme / "templates"
    assert [(f, n) for f, n, _ in built.problems] == [
        ("theme/templates/article.html", line_of(templates / "article.html", "subtitle")),
        ("theme/templates/base.html", line_of(templates / "base.html", "THEME_CLASS")),
    ]
    assert "has no attribute 'subtitle'" in built.problems[0][2]
    assert built.problems[1][2].startswith(
        "the template prints a value that does not exist ('THEME_CLASS' is undefined)"
    )


def test_template_error_stops_the_build_but_every_problem_found_is_reported(site):
    theme = site.theme({"partials/footer.html": ("<ul>", "<ul>{{ NOPE + 1 }}")})
    name = site.write("articles/2026-11-01-keys.md", article(Stauts="draft"))
    built = site.build(THEME=str(theme))
    assert built.code == 1
    assert built.messages(name, 3)  # found before the templates ran
    assert any(f == "theme/templates/partials/footer.html" for f, _, _ in built.problems)
    assert "The build stopped early (UndefinedError)" in built.stderr


def test_pelican_own_warnings_are_reported_in_every_build_of_a_process(site):
    # Pelican warns when an article lacks the ARTICLE_ORDER_BY attribute. Its log filter shows a
    # message once per process; the checks must still see it in the second build.
    for _ in range(2):
        built = site.build(ARTICLE_ORDER_BY="sortorder")
        assert built.code == 1
        assert 'Pelican reported: There is no "sortorder" attribute' in built.stderr


def test_cli_reports_every_problem_of_a_file_at_once_and_exits_non_zero(site):
    text = """\
Title: Shoulder <b>pain</b>
Date: 2026-31-12
Stauts: draft
Summary: Why shoulders hurt.

Read [our prices](/prices/) and [the knee article]({filename}knee.md).

![](/favicon.png)

<script>track()</script>
"""
    name = site.write("articles/2026-11-01-shoulder.md", text)
    built = site.build_cli()
    assert built.code == 1
    assert [(f, n) for f, n, _ in built.problems] == [
        (name, 1), (name, 2), (name, 3), (name, 6), (name, 6), (name, 8), (name, 10)
    ]  # fmt: skip
    assert f'{name}:3: unknown metadata key "Stauts" — did you mean "Status"?' in built.stderr
    assert "7 content problems in 1 file. Fix them and build again." in built.stderr
    assert "ContentProblemsError" in built.stdout and "Traceback" not in built.stdout


def test_failed_build_leaves_the_previous_output_untouched(site, capfd):
    output = site.root / "published"
    assert build_site(DEV_SETTINGS, output, overrides={"PATH": str(site.content)})
    before = {p: p.read_bytes() for p in output.rglob("*") if p.is_file()}
    site.write("articles/2026-11-01-bad.md", article(Stauts="draft"))
    assert not build_site(DEV_SETTINGS, output, overrides={"PATH": str(site.content)})
    assert {p: p.read_bytes() for p in output.rglob("*") if p.is_file()} == before
    err = capfd.readouterr().err
    assert 'content/articles/2026-11-01-bad.md:3: unknown metadata key "Stauts"' in err
    assert "was left as it was" in err


# --- Pure helpers -------------------------------------------------------------------------------
def test_parse_header_stops_where_markdown_meta_stops():
    header = checks.parse_header("Title: A\nSummary: one\n    two\nDate: 2026-01-01\n\nBody\n")
    assert [(f.line, f.key) for f in header.fields] == [(1, "Title"), (2, "Summary"), (4, "Date")]
    assert (header.stop, header.stop_line, header.body) == ("blank", 5, "Body\n")
    header = checks.parse_header("---\nTitle: A\n---\nBody")
    assert (header.fields[0].line, header.stop, header.body) == (2, "end-marker", "Body")
    assert checks.parse_header("Title: A\nStatus draft\n").stop_line == 2


def test_check_header_finds_a_misspelt_key_without_colon():
    header = checks.parse_header("Tittle - Knee pain\nDate: 2026-01-01\n\nText")
    found = checks.check_header(header, keys=KEYS, statuses=["draft"], date_required=True)
    assert 'Write it as "Title: Knee pain"' in found[0].message and found[0].line == 1
    # The header ends at line 1, so the Date line below it is text, not a date.
    assert [f.kind for f in found] == ["header-colon", "missing-title", "missing-date"]


def test_suggest_only_close_spellings():
    assert checks.suggest("Stauts", KEYS) == "Status"
    assert checks.suggest("tags", KEYS) == "Tags"
    assert checks.suggest("Colour", KEYS) is None


@pytest.mark.parametrize(
    ("value", "problem"),
    [("2026-11-10", None), ("2026-11-10 09:30", None), ("2026-11-10T09:30:00+01:00", None),
     ("2026-13-01", "bad-date"), ("soon", "bad-date"), ("10/11/2026", "ambiguous-date"),
     ("November 10, 2026", "ambiguous-date")],
)  # fmt: skip
def test_date_problem(value, problem):
    assert checks.date_problem("Date", value) == problem


@pytest.mark.parametrize(
    ("title", "kind"),
    [("Knees & hips", None), ("1 < 2 and 3 > 2", None), ("Ça va 😀", None),
     ("<b>Knees</b>", "title-markup"), ("Knees &mdash; hips", "title-markup")],
)  # fmt: skip
def test_title_problem(title, kind):
    found = checks.title_problem(title)
    assert (found.kind if found else None) == kind


def test_decode():
    assert checks.decode("\ufeffTitle: A\n".encode()) == ("Title: A\n", None)
    text, found = checks.decode(b"Title: A\nDate: 2026\nCaf\xe9\n")
    assert text is None and found.line == 3 and 'after "Caf"' in found.message
    assert checks.decode(b" \n")[1].kind == "empty-file"


def test_scan_html():
    html = (
        "<p>ok <code>&lt;div x</code></p><pre>&lt;span</pre><p>see &lt;span class=x</p>"
        '<script>x</script><a href="javascript:x" onclick="y">a</a><img src="p.png">'
        '<img src="q.png" alt="A photo">'
    )
    found = markup.scan_html(html, {"script"})
    assert [(f.kind, f.subject) for f in found] == [
        ("visible-html", "<span class=x"), ("active", "<script"), ("active", "javascript:x"),
        ("active", "onclick="), ("img-alt", "p.png"),
    ]  # fmt: skip
    assert markup.scan_html("<iframe></iframe>", set()) == []


def test_find_line():
    text = "a\n<script>\nb\n<SCRIPT>\n“quoted”"
    assert markup.find_line(text, "<script") == 2
    assert markup.find_line(text, "<script", nth=1) == 4
    assert markup.find_line(text, "<script", nth=5) == 2
    assert markup.find_line(text, '"quoted"') == 5
    assert markup.find_line(text, "absent") is None


def test_link_target_and_exists(tmp_path):
    (tmp_path / "about").mkdir()
    (tmp_path / "about" / "index.html").write_text("x")
    assert link_target("/about/", "blog/x/index.html", "") == "/about"
    assert link_target("../../about/#team", "blog/x/index.html", "") == "/about"
    assert link_target("https://site.test/about/", "index.html", "https://site.test") == "/about"
    for external in ("https://example.com/", "mailto:a@b.c", "tel:+44", "#main", "//cdn.test/x"):
        assert link_target(external, "index.html", "") is None
    assert exists(str(tmp_path), "/about") and not exists(str(tmp_path), "/prices")
    assert not exists(str(tmp_path), "/../outside")


def test_report_prefers_our_problem_to_pelican_own_and_sorts_by_file_and_line():
    ours = Problem("/s/content/b.md", 3, "bad date", "bad-date", "date")
    pelican = Problem("/s/content/b.md", None, "could not read", "unreadable", from_pelican=True)
    other = Problem("/s/content/a.md", 7, "x", "img-alt")
    problems = deduplicate([ours, pelican, other, ours])
    assert problems == [other, ours]
    report = format_report(problems, ["/s"])
    assert report.splitlines()[2:4] == ["content/a.md:7: x", "content/b.md:3: bad date"]
    assert "2 content problems in 2 files." in report


def test_every_message_is_explained_in_the_docs():
    docs = " ".join(DOCS.read_text(encoding="utf-8").split())
    for name, message in MESSAGES.items():
        longest = max(message.format_map(_Holes()).split("\0"), key=len)  # the most telling words
        words = " ".join(longest.split()).strip(' "().;:,{}')[:40]
        assert words in docs, f"docs/content-checks.md does not explain {name!r}: {words!r}"


class _Holes(dict):
    """Every placeholder of a message left as a hole."""

    def __missing__(self, key: str) -> str:
        return "\0"
