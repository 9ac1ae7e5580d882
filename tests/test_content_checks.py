"""Content checks (plugins/content_checks): every content problem of a build is reported at once,
with its file, line and what to do, and the build then fails; valid content still builds.

Each test writes files into a copy of the real content/ folder and builds it for real (Pelican's
API in this process, or its command line where the exit code matters), then reads the report as
an author would, or the written pages as a browser would.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import Built, build_here, parse

from rebalance.build import DEV_SETTINGS, ROOT, build_site
from rebalance.plugins.content_checks.messages import MESSAGES
from rebalance.plugins.content_checks.written import url_problem

DOCS = ROOT / "docs" / "content-checks.md"
ARTICLE = "articles/2026-11-01-test.md"
SHOWN = f"content/{ARTICLE}"


# --- Building ------------------------------------------------------------------------------------
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
        return build_here(self.content, self.root / "output", **settings)

    def build_cli(self, env: dict | None = None) -> Built:
        """Builds with `python -m pelican` in a new process: the real exit status."""
        output = self.root / "output"
        command = [sys.executable, "-m", "pelican", str(self.content), "--settings",
                   str(DEV_SETTINGS), "--output", str(output)]  # fmt: skip
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120,
                              env={**os.environ, **(env or {})})  # fmt: skip
        # 3: `pelican` printed the content checks' report (ContentProblemsError.exitcode); the
        # tests compare it with build_here's 1 for a failed build.
        assert done.returncode != 1 or "Content problems found" not in done.stderr
        code = 1 if done.returncode == 3 else done.returncode
        return Built(code, done.stderr, output, done.stdout)


@pytest.fixture
def site(tmp_path) -> Site:
    return Site(tmp_path)


def png() -> bytes:
    """A small real picture (the images plugin reads every picture an article shows)."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 60, 60)).save(buffer, "PNG")
    return buffer.getvalue()


def article(body: str = "Some text.", title: str = "Knee pain", **header: str) -> str:
    """A Markdown article: Title, Date, Summary (unless given otherwise), then the body."""
    fields = {"Title": title, "Date": "2026-11-01", "Summary": "Why knees hurt.", **header}
    lines = [f"{key}: {value}" for key, value in fields.items() if value is not None]
    return "\n".join(lines) + "\n\nIntro.\n\n" + body + "\n"


BODY_LINE = 7  # the line of `body` in article(): 3 header lines, blank, Intro., blank


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
|:---------|-----:|
| Squats   | 3    |

- one
- two
    1. nested

Links: [about us](/about/), [articles](/blog/archives/#top), [contact]({filename}/pages/contact.md),
[dry needling]({filename}2026-11-10-unlocking-relief-the-many-benefits-of-dry-needling.md#how-\
does-dry-needling-work),
an ![Exercise band on a chair]({static}/images/band.png), [email](mailto:hi@example.com),
[call us](tel:+44 20 7946 0000), [the feed](/feeds/all.atom.xml) and [a section](#a-section).

## A section

Code may show tags: `<script>` and

    <div class="x"
    <iframe>

<span>Inline HTML that is well formed is fine</span>, and a footnote.[^1]

[^1]: The source of it.
"""


def test_valid_content_with_unicode_tables_lists_links_and_footnotes_builds(site):
    site.write("images/band.png", png())
    site.write("articles/2026-11-02-knee.md", VALID)
    built = site.build()
    assert built.code == 0, built.stderr
    html = built.page("/blog/knee-hip-pain-what-helps-ca-va/")
    assert "<table>" in html and "😀" in html and "&amp;" in html
    assert 'class="footnote-ref"' in html and 'class="references"' in html  # plugins/references


@pytest.mark.parametrize(
    ("case", "text"),
    [
        ("entities typed on purpose", article("Type &lt;b&gt; to make text bold.")),
        ("a less-than sign in prose", article("Expect relief in <a few weeks, or 3 < 5 days.")),
        ("a first paragraph starting with Word:", article("Tip: stretch every morning.")),
        ("a first paragraph starting with a key", "Title: A\nDate: 2026-11-01\nSummary: s.\n\n"
                                                  "Status: improving week by week.\n"),
        ("decorative image in HTML with alt=\"\"", article('<img src="/favicon.png" alt="">')),
        ("a date in words", article(Date="7 August 2026")),
        ("a link to the feed", article("[Subscribe](/feeds/all.atom.xml)")),
        ("a summary with an ampersand and emphasis", article(Summary="Knees & hips, *gently*.")),
        ("a language tag", article(Lang="en-GB")),
        ("the page template for a page", None),
    ],
)  # fmt: skip
def test_valid_content_is_not_rejected(site, case, text):
    if text is None:
        site.write("pages/prices.md", "Title: Prices\nTemplate: page\nSummary: Our prices.\n\nA.\n")
    else:
        site.write(ARTICLE, text)
    built = site.build()
    assert built.code == 0, f"{case}:\n{built.stderr}"


def test_future_dated_article_builds_but_is_not_published(site):
    site.write("articles/2099-01-01-later.md", article(title="Later", Date="2099-01-01"))
    built = site.build()
    assert built.code == 0, built.stderr
    assert not (built.output / "blog/later").exists()
    assert (built.output / "drafts/later/index.html").is_file()  # kept aside until its date
    for page in ("index.html", "blog/archives/index.html", "sitemap.xml"):
        assert "later" not in (built.output / page).read_text("utf-8").lower()


# --- Script that runs: checked in the written page, after every marker and filter -----------------
@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("<script>alert(1)</script>", "the HTML element <script> is not allowed"),
        ("x <!--> <img src=/favicon.png alt=a onerror=alert(1)> -->", 'attribute "onerror"'),
        ("<![CDATA[ ><img src=/favicon.png alt=a onerror=alert(1)> ]]>", 'attribute "onerror"'),
        ('<svg><a><animate attributeName=href values="javascript:alert(1)" /><text>x</text></a>'
         "</svg>", "the HTML element <svg> is not allowed"),
        ('<p style="position:fixed;inset:0">Click anywhere</p>', 'the attribute "style"'),
        ("[Home]({index}javascript:alert(1))", '"javascript:" addresses are not allowed'),
        ("[About]({filename}javascript:/pages/about.md?x)", '"javascript:" addresses are not'),
        ("[x](JaVaScRiPt:alert(1))", '"javascript:" addresses are not allowed'),
        ('<a href="jav&#x09;ascript:alert(1)">x</a>', '"javascript:" addresses are not allowed'),
        ('<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>', '"data:" addresses'),
        ('<p onmouseover="steal()">Hover</p>', 'the attribute "onmouseover"'),
        ('<iframe src="https://example.com"></iframe>', "the HTML element <iframe>"),
        ('<a href="/about/" class="skip-link">x</a>', 'the attribute "class"'),
    ],
)  # fmt: skip
def test_active_content_is_rejected_as_the_browser_reads_it(site, body, expected):
    site.write(ARTICLE, article(body))
    site.build().expect(SHOWN, BODY_LINE, expected)


def test_index_javascript_link_names_file_and_line(site):
    site.write(ARTICLE, article("[Home]({index}javascript:alert(1))"))
    built = site.build_cli()
    assert built.code == 1
    assert built.messages(SHOWN, BODY_LINE) == [
        'the address "javascript:/index.html" is not allowed here: "javascript:" addresses are '
        "not allowed (they can run code or open other programs). Link to a web page (https://...),"
        " an article or page of this site, mailto:name@example.com or tel:+441234567890."
    ]


def test_active_content_in_a_summary_is_rejected(site):
    site.write(ARTICLE, article(Summary='Hi <img src=x onerror="alert(1)">'))
    built = site.build()
    built.expect(SHOWN, 3, "the Summary contains the HTML code")
    built.expect(SHOWN, 3, 'the attribute "onerror"')  # as written on the home page


# --- Requests to other hosts ----------------------------------------------------------------------
@pytest.mark.parametrize(
    "body",
    [
        "![Knee](https://evil.example/knee.png)",
        '<img src="/favicon.png" srcset="https://evil.example/k.png 2x" alt="Knee">',
        '<img src="//evil.example/k.png" alt="Knee">',
        '<picture><source srcset="https://evil.example/k.webp"><img src="/favicon.png" alt="K">'
        "</picture>",
    ],
)
def test_resources_from_other_hosts_are_rejected(site, body):
    site.write(ARTICLE, article(body))
    site.build().expect(SHOWN, BODY_LINE, "is not on this site: it would be fetched from another")


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('<p style="background:url(//evil.example/x.png)">x</p>', 'the attribute "style"'),
        ('<a href="/about/" ping="https://evil.example/p">x</a>', 'the attribute "ping"'),
        ('<video poster="https://evil.example/p.png"></video>', "the HTML element <video>"),
        ('<svg><image href="https://evil.example/x.png"/></svg>', "the HTML element <svg>"),
        ('<input type="image" src="https://evil.example/x.png">', "the HTML element <input>"),
    ],
)  # fmt: skip
def test_other_ways_to_request_another_host_are_rejected(site, body, expected):
    site.write(ARTICLE, article(body))
    site.build().expect(SHOWN, BODY_LINE, expected)


def test_theme_requesting_another_host_is_reported(site):
    theme = site.theme(
        {"base.html": ("<body>", '<body><img src="https://cdn.example/t.gif" alt="">')}
    )
    built = site.build(THEME=str(theme))
    assert built.code == 1
    assert any('loads "https://cdn.example/t.gif" from another web site' in m
               for f, _, m in built.problems if f == "(site)")  # fmt: skip


# --- Structure: nothing an author writes changes the page outside their article -----------------
@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("Some <b>bold text", "the HTML tag <b> is opened here but never closed"),
        ('Go <a href="/about/">about', "the HTML tag <a> is opened here but never closed"),
        ("<div>\nA box\n\nMore", "the HTML tag <div> is opened here but never closed"),
        ("Text</div> more", "closes an HTML element that it did not open (</div>)"),
        ("Text</article> more", "closes an HTML element that it did not open"),
        ("Notes: <textarea>", "the rest of the page is swallowed (hidden, or shown as code) by "
                              "<textarea>"),
        ("A <title>title", "swallowed (hidden, or shown as code) by <title>"),
        ("Then <plaintext>", "swallowed (hidden, or shown as code) by <plaintext>"),
        ("<div>\n<!-- a note\n</div>", "an HTML comment (<!--) that is not closed"),
    ],
)  # fmt: skip
def test_markup_that_changes_the_rest_of_the_page_is_rejected(site, body, expected):
    site.write(ARTICLE, article(body))
    built = site.build()
    built.expect(SHOWN, "any", expected)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("<div>\n**Bold** and [a link](/about/)\n</div>", '"**Bold**"'),
        ("<div>\n**Bold** and [a link](/about/)\n</div>", '"[a link](/about/)"'),
        ("See [the guide][guide].", '"[the guide][guide]"'),
        ("As shown.[^9]", '"[^9]"'),
        ("```\ncode that never ends", "this code block (```) is never closed"),
        ("Call {booking} today.", "link markers such as {booking} work only as the address"),
        ('Some <span class="x" text here.', "an HTML tag that is not written correctly"),
    ],
)  # fmt: skip
def test_markdown_that_would_reach_readers_as_text_is_reported(site, body, expected):
    site.write(ARTICLE, article(body))
    line = BODY_LINE + body.startswith("<div>")  # the line after the <div>
    site.build().expect(SHOWN, line, expected)


def test_a_word_in_angle_brackets_that_would_vanish_is_reported(site):
    site.write(ARTICLE, article("Take <ibuprofen> twice a day."))
    site.build().expect(SHOWN, BODY_LINE, 'browsers read "<ibuprofen>" as an HTML tag')


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("[Jump](#nowhere)", '("#nowhere") that does not exist on this page'),
        ("[Steps]({filename}2026-11-10-unlocking-relief-the-many-benefits-of-dry-needling.md"
         "#no-such-heading)", "does not exist on /blog/unlocking-relief"),
        ("[Write to us](mailto:)", "an email link needs an address"),
        ("[Call us](tel:)", "a phone link needs a number"),
        ("See [prices](/prices/).", 'the link "/prices/" goes to a page that does not exist'),
        ("[Bad marker]({filenme}2026-11-10-x.md)", "could not be resolved"),
        ("[Missing]({filename}missing.md)", "could not be resolved"),
        ("# A second main heading", "is written with one # (or <h1>), which makes it a second"),
        ("![](/favicon.png)", 'the image "favicon.png" has no description'),
        ('<img src="/favicon.png">', 'the image "favicon.png" has no description'),
    ],
)  # fmt: skip
def test_links_and_images_that_lead_nowhere_are_reported(site, body, expected):
    site.write(ARTICLE, article(body))
    site.build().expect(SHOWN, BODY_LINE, expected)


# --- Every file under content/ accounted for ------------------------------------------------------
def test_symlink_out_of_content_is_reported_and_never_read_or_published(site, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET", encoding="utf-8")
    (site.content / "images").mkdir(exist_ok=True)
    (site.content / "images" / "secret.png").symlink_to(secret)
    (site.content / "articles" / "2026-11-01-secret.md").symlink_to(secret)
    site.write(ARTICLE, article("![A secret]({static}/images/secret.png)"))
    built = site.build_cli()
    assert built.code == 1
    for name in ("images/secret.png", "articles/2026-11-01-secret.md"):
        assert built.messages(f"content/{name}") == [
            f"this is a link to {secret}, outside the content folder, so it is not read or "
            "published. Copy the file itself into the content folder, or delete the link."
        ]
    assert "could not be resolved" in built.messages(SHOWN, BODY_LINE)[0]
    published = [p for p in built.output.rglob("*") if p.is_file()] if built.output.exists() else []
    assert not any(b"TOP-SECRET" in p.read_bytes() for p in published)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("articles/2026-11-01-knee.MD", "only Markdown files ending in .md are read. Rename it "
                                        "to 2026-11-01-knee.md"),
        ("articles/notes.txt", "only Markdown files ending in .md are read"),
        ("articles/old.rst", "only Markdown files ending in .md are read"),
        ("articles/old.html", "only Markdown files ending in .md are read"),
        ("2026-11-01-knee.md", "articles are read from content/articles/ only"),
        ("artciles/2026-11-01-knee.md", "articles are read from content/articles/ only"),
        ("imgaes/knee.png", 'the folder "imgaes" is not one the site reads: did you mean "images"'),
        ("images/logo.svg", '".svg" files are not published from images/'),
        ("images/page.html", '".html" files are not published from images/'),
        ("extra/tracker.js", "extra/ holds the site's own files only"),
    ],
)  # fmt: skip
def test_files_that_are_not_part_of_the_site_are_reported(site, name, expected):
    shown = site.write(name, article(title="Stray"))
    built = site.build()
    built.expect(shown, None, f"this file is not part of the site: {expected}")
    assert not any(p.name == Path(name).name for p in built.output.rglob("*"))


def test_rst_include_is_never_read(site):
    site.write("articles/evil.rst", "Evil\n####\n\n:date: 2026-11-01\n\n.. include:: /etc/passwd\n")
    built = site.build()
    assert built.code == 1
    assert not any(b"root:" in p.read_bytes() for p in built.output.rglob("*") if p.is_file())


def test_ignored_files_are_neither_reported_nor_published(site):
    site.write("images/.DS_Store", b"\0\0")
    site.write("articles/2026-11-01-knee.md~", "backup")
    built = site.build()
    assert built.code == 0, built.stderr
    assert not list(built.output.rglob(".DS_Store"))


def test_an_attached_file_cannot_overwrite_a_page(site):
    site.write("articles/index.html", "<p>Not the article</p>")
    site.write(ARTICLE, article("[Leaflet]({attach}index.html)"))
    built = site.build()
    built.expect("content/articles/index.html", None, "this file is not part of the site")
    built.expect(SHOWN, BODY_LINE, 'the link "{attach}index.html" could not be resolved')
    assert "Not the article" not in built.page("/blog/knee-pain/")


# --- Metadata, per content type: every failure names its file, never a traceback ----------------
@pytest.mark.parametrize(
    ("header", "line", "expected"),
    [
        ({"Summary": None}, None, 'there is no Summary. Add a line "Summary: '),
        ({"Summary": "x" * 161}, 3, "the Summary is 161 characters long"),
        ({"Summary": "Read <b>this</b>"}, 3, 'the Summary contains the HTML code "<b>"'),
        ({"Template": "page"}, 4, '"Template: page" is not a layout for articles; allowed: '
                                  "article"),
        ({"Template": "nothing"}, 4, '"Template: nothing" is not a layout for articles'),
        ({"Lang": "english"}, 4, '"Lang: english" is not a language tag'),
        ({"Slug": "archives"}, 4, "the web address /blog/archives/ is used by the site itself"),
        ({"Slug": "tags"}, 4, "the web address /blog/tags/ is used by the site itself"),
        ({"Slug": "Knee Pain!"}, 4, 'the web address "Knee Pain!" is not usable'),
        ({"Modified": "2026-10-01"}, 4, "Modified (2026-10-01) is earlier than Date (2026-11-01)"),
        ({"Date": "2026-13-45"}, 2, '"Date: 2026-13-45" is not a date'),
        ({"Date": "10/11/2026"}, 2, '"Date: 10/11/2026" is not a date that can be read without'),
        ({"Status": "drafts"}, 4, 'status "drafts" is not allowed — did you mean "draft"?'),
        ({"Stauts": "draft"}, 4, 'unknown metadata key "Stauts" — did you mean "Status"?'),
        ({"Title": "Knees &amp; hips"}, 1, 'the title contains the HTML code "&amp;"'),
        ({"Title": "<script>alert(1)</script>"}, 1, 'the title contains the HTML code'),
        ({"Booking": "http://booking.example.com/dn"}, 4, '"Booking: http://booking.example.com/dn"'
         " is not a booking page address: it must start with https://"),
        ({"Redirect-from": "https://old.example.com/post/knee"}, 4, '"Redirect-from: https://old.'
         'example.com/post/knee" is not an old address of this site: give only the path'),
        ({"Redirect-from": "/post/hip, post/knee"}, 4, '"Redirect-from: post/knee" is not an old'
         " address of this site: it must start with /"),
        ({"Redirect-from": "/post/knee?id=3"}, 4, "a ?… or #… part cannot be redirected"),
        ({"Redirect-from": "/old/../about/"}, 4, "it must not contain /./ or /../"),
        ({"Redirect-from": "/about/"}, 4, "the old address /about/ cannot lead here: it is the "
         "page of content/pages/about.md"),
        ({"Redirect-from": "/blog/archives"}, 4, "the old address /blog/archives cannot lead here"),
    ],
)  # fmt: skip
def test_bad_metadata_is_reported_with_its_line(site, header, line, expected):
    site.write(ARTICLE, article(**header))
    site.build().expect(SHOWN, line, expected)


@pytest.mark.parametrize(
    ("title", "expected"),
    [("!!!", "the title gives an empty web address"),
     ("Very long title " * 20, "too long to be saved as a file (")],
)  # fmt: skip
def test_titles_that_give_no_usable_address_name_the_file(site, title, expected):
    site.write(ARTICLE, article(title=title))
    built = site.build_cli()
    assert "Traceback" not in built.stderr + built.stdout
    built.expect(SHOWN, None, expected)


def test_an_article_saved_in_pages_is_reported(site):
    name = site.write("pages/knee.md", "Title: Knee\nDate: 2026-11-01\nTags: knees\n\nText.\n")
    built = site.build()
    built.expect(name, 2, '"Date" belongs in articles, not pages')
    built.expect(name, 3, '"Tags" belongs in articles, not pages')


def test_a_template_meant_for_articles_on_a_page_names_the_file(site):
    name = site.write("pages/knee.md", "Title: Knee\nTemplate: article\nSummary: s.\n\nText.\n")
    built = site.build_cli()
    assert "Traceback" not in built.stderr + built.stdout
    built.expect(name, 2, '"Template: article" is not a layout for pages; allowed: page, contact')


def test_two_articles_with_one_slug_are_both_reported(site):
    one = site.write("articles/2026-11-01-a.md", article(title="First", Slug="knee"))
    two = site.write("articles/2026-11-02-b.md", article(title="Second", Slug="knee"))
    built = site.build_cli()
    assert "Traceback" not in built.stderr + built.stdout
    built.expect(one, 4, f"this would be published at /blog/knee/, like {two}")
    built.expect(two, 4, f"like {one}, so one would overwrite the other")


def test_an_old_address_can_lead_to_one_article_only(site):
    knee = site.write("articles/2026-11-02-knee.md", article(title="Knee pain", **{
        "Redirect-from": "/post/knee-pain"}))  # fmt: skip
    site.write("articles/2026-11-03-a.md", article(title="A", **{
        "Redirect-from": "/post/knee-pain, /old/hip"}))  # fmt: skip
    two = site.write("articles/2026-11-04-b.md", article(title="B", **{
        "Redirect-from": "/old/hip/"}))  # fmt: skip
    built = site.build()
    # The newer article keeps the address; the older is told (newest first, as the site lists).
    built.expect(knee, 4, "the old address /post/knee-pain cannot lead here: it is the old "
                          "address of content/articles/2026-11-03-a.md")  # fmt: skip
    built.expect(two, 4, "the old address /old/hip/ cannot lead here: it is the old address of "
                         "content/articles/2026-11-03-a.md")  # fmt: skip


def test_header_problems_are_found_where_markdown_stops_reading_it(site):
    text = "Title: Drafty\nDate: 2026-11-01\nStatus draft\nSummary: s.\n\nText.\n"
    site.write(ARTICLE, text)
    built = site.build()
    built.expect(SHOWN, 3, 'this header line has no colon: "Status draft". Write it as '
                           '"Status: draft"')  # fmt: skip
    site.write(ARTICLE, "Title: A\n\nDate: 2026-11-01\nSummary: s.\n\nText.\n")
    site.build().expect(SHOWN, 2, 'this empty line ends the header early, so the lines below '
                                  'it ("Date", "Summary")')  # fmt: skip
    site.write(ARTICLE, "Title: A\nDate: 2026-11-01\nSummary: s.\nThe text starts here.\n")
    site.build().expect(SHOWN, 4, "no empty line in between. Add an empty line after the last "
                                  "header line (line 3)")  # fmt: skip


def test_file_that_is_not_utf8_is_reported_and_still_checked(site):
    site.write(ARTICLE, article("Caf\xe9 <b>open", title="Cafe").encode("latin-1"))
    built = site.build()
    built.expect(SHOWN, BODY_LINE, 'the file is not saved as UTF-8 text (a character after "Caf"')
    built.expect(SHOWN, None, "the HTML tag <b> is opened here but never closed")


def test_header_without_text_is_reported(site):
    site.write(ARTICLE, "Title: Only a header\nDate: 2026-11-01\nSummary: s.\n")
    site.build().expect(SHOWN, None, "there is no text below the header")


# --- One channel ----------------------------------------------------------------------------------
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
    site.write(ARTICLE, text)
    built = site.build_cli()
    assert built.code == 1
    assert [(f, n) for f, n, _ in built.problems] == [
        (SHOWN, 1), (SHOWN, 2), (SHOWN, 3), (SHOWN, 6), (SHOWN, 6), (SHOWN, 8), (SHOWN, 10)
    ]  # fmt: skip
    assert "7 content problems in 1 file. Fix them and build again." in built.stderr
    assert "Traceback" not in built.stdout + built.stderr


def test_problems_become_github_annotations_under_actions(site):
    site.write(ARTICLE, article(Stauts="draft"))
    built = site.build_cli(env={"GITHUB_ACTIONS": "true"})
    assert built.code == 1
    assert (
        f"::error file={SHOWN},line=4,title=Content problem::unknown metadata key" in built.stderr
    )


def test_pelican_own_warnings_are_reported_in_every_build_of_a_process(site):
    # Pelican warns when an article lacks the ARTICLE_ORDER_BY attribute. Its log filter shows a
    # message once per process; the checks must still see it in the second build.
    for _ in range(2):
        built = site.build(ARTICLE_ORDER_BY="sortorder")
        assert built.code == 1
        assert 'Pelican reported: There is no "sortorder" attribute' in built.stderr


def test_unknown_content_checks_setting_is_reported(site):
    built = site.build(CONTENT_CHECKS={"summary_lenght": 200})
    assert built.code == 1
    assert any("unknown key summary_lenght" in m for f, _, m in built.problems if f == "(site)")


def test_template_printing_an_undefined_variable_is_reported(site):
    theme = site.theme(
        {"article.html": ("{{ article.title|safe }}</h1>", "{{ article.subtitle }}</h1>")}
    )
    built = site.build(THEME=str(theme))
    assert built.code == 1
    assert any(
        f == "theme/templates/article.html" and "'subtitle'" in m for f, _, m in built.problems
    )


def test_template_error_is_reported_against_the_template(site):
    theme = site.theme({"partials/footer.html": ("<ul>", "<ul>{{ NOPE + 1 }}")})
    site.write(ARTICLE, article(Stauts="draft"))
    built = site.build(THEME=str(theme))
    assert built.code == 1
    assert built.messages(SHOWN, 4)  # found before the templates ran
    assert any(f == "theme/templates/partials/footer.html" for f, _, _ in built.problems)


def test_failed_build_leaves_the_previous_output_untouched(site, capfd):
    output = site.root / "published"
    assert build_site(DEV_SETTINGS, output, overrides={"PATH": str(site.content)})
    before = {p: p.read_bytes() for p in output.rglob("*") if p.is_file()}
    site.write(ARTICLE, article(Stauts="draft"))
    assert not build_site(DEV_SETTINGS, output, overrides={"PATH": str(site.content)})
    assert {p: p.read_bytes() for p in output.rglob("*") if p.is_file()} == before
    err = capfd.readouterr().err
    assert f'{SHOWN}:4: unknown metadata key "Stauts"' in err
    # One last line: the count and where the guide is; no CRITICAL line, no path of ours.
    last = err.rstrip().splitlines()[-1]
    assert last.startswith("1 content problem in 1 file. Fix them and build again"), last
    assert "docs/content-checks.md" in last
    assert "CRITICAL" not in err and "ContentProblemsError" not in err


# --- Pure helpers ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("url", "resource", "allowed"),
    [("/about/", False, True), ("../x/", False, True), ("#a", False, True), ("?q=1", False, True),
     ("https://nhs.uk/x", False, True), ("http://a.example", False, True),
     ("https://", False, False),
     ("mailto:a@b.co", False, True), ("mailto:", False, False), ("mailto:nobody", False, False),
     ("tel:+44 20 7946 0000", False, True), ("tel:", False, False), ("tel:call-me", False, False),
     (" javascript:x", False, False), ("java\tscript:x", False, False),
     ("vbscript:x", False, False),
     ("//evil.example/", False, False), ("ftp://a.example", False, False),
     ("/images/a.png", True, True), ("https://www.example.com/images/a.png", True, True),
     ("https://evil.example/a.png", True, False), ("//evil.example/a.png", True, False),
     ("data:image/png;base64,AA", True, False)],
)  # fmt: skip
def test_url_allowlist(url, resource, allowed):
    assert (url_problem(url, "https://www.example.com", resource) is None) == allowed


def every_message() -> dict[str, str]:
    """The messages of the content checks and of every local plugin (each keeps its own
    MESSAGES: plugins stand alone and report through the logging channel)."""
    import importlib
    import pkgutil

    import rebalance.plugins

    found = dict(MESSAGES)
    for info in pkgutil.walk_packages(rebalance.plugins.__path__, "rebalance.plugins."):
        module = importlib.import_module(info.name)
        found.update({f"{info.name}: {k}": v for k, v in getattr(module, "MESSAGES", {}).items()})
    return found


def test_every_message_is_explained_in_the_docs():
    docs = " ".join(DOCS.read_text(encoding="utf-8").split())
    messages = every_message()
    assert len(messages) > len(MESSAGES), "no plugin's own MESSAGES were found"
    for name, message in messages.items():
        longest = max(message.format_map(_Holes()).split("\0"), key=len)  # the most telling words
        words = " ".join(longest.split()).strip(' "().;:,{}')[:40]
        assert words in docs, f"docs/content-checks.md does not explain {name!r}: {words!r}"


class _Holes(dict):
    """Every placeholder of a message left as a hole."""

    def __missing__(self, key: str) -> str:
        return "\0"


def test_extra_elements_can_be_allowed_in_the_settings(site):
    site.write(ARTICLE, article('<video src="/favicon.png" controls></video>'))
    assert site.build().code == 1
    built = site.build(CONTENT_CHECKS={"elements": {"video": ["src", "controls"]}})
    assert built.code == 0, built.stderr


def test_an_invisible_control_character_names_the_file_not_the_feed(site):
    site.write(ARTICLE, article("Copied from a PDF:\x01 here."))
    built = site.build_cli()
    assert "Traceback" not in built.stderr + built.stdout
    built.expect(SHOWN, BODY_LINE, "an invisible control character (U+0001)")


# --- Invisible characters, lost or changed content, unfinished work (issue 19) -------------------
@pytest.mark.parametrize(
    ("header", "line", "char"),
    [({"Title": "Knee\u200b pain"}, 1, "U+200B"),  # zero width space
     ({"Summary": "Why knees \u202ehurt."}, 3, "U+202E"),  # right-to-left override
     ({"Tags": "knee\u2066 pain"}, 4, "U+2066"),  # left-to-right isolate
     ({"Title": "\u200b\u200b\u200b"}, 1, "U+200B")],  # a title with nothing visible
)  # fmt: skip
def test_invisible_characters_in_the_header_are_refused_with_their_place(site, header, line, char):
    site.write(ARTICLE, article(**header))
    built = site.build()
    built.expect(SHOWN, line, "contains an invisible character")
    assert char in built.stderr


def test_joiners_inside_words_and_emoji_are_allowed(site):
    site.write(ARTICLE, article(title="Care for the carer \U0001f469\u200d\u2695\ufe0f"))
    assert site.build().code == 0


@pytest.mark.parametrize(
    ("body", "expected"),
    [("[the booking page](https://book.example.com/\u202e/x)", "address"),
     ("[https://good.example\u200b](https://evil.example/)", "link text")],
)  # fmt: skip
def test_invisible_characters_in_links_are_refused(site, body, expected):
    site.write(ARTICLE, article(body))
    built = site.build()
    built.expect(SHOWN, 7, f"the {expected}")
    assert "invisible character" in built.stderr


def test_an_invisible_character_in_a_file_name_is_refused(site):
    site.write("articles/2026-11-01-knee\u200b.md", article())
    built = site.build()
    assert built.code == 1 and "file name" in built.stderr and "U+200B" in built.stderr


def test_a_wrapped_summary_gets_its_own_message(site):
    text = article(Summary="Why knees hurt, and what\n    helps them recover.")
    site.write(ARTICLE, text)
    built = site.build()
    built.expect(SHOWN, 3, '"Summary" goes on over the next line (line 4)')
    assert "given more than once" not in built.stderr


def test_a_footnote_defined_twice_fails(site):
    site.write(ARTICLE, article("Dry needling[^1] helps.\n\n[^1]: One source.\n[^1]: Another."))
    site.build().expect(SHOWN, 10, "the footnote [^1] is defined twice (first on line 9)")


def test_quotes_nested_deeper_than_markdown_reads_fail(site):
    site.write(ARTICLE, article(">" * 300 + " deep"))
    site.build().expect(SHOWN, "any", "quote markers (>) nested deeper than Markdown reads")


@pytest.mark.parametrize("date", ["0026-09-19", "20226-09-19", "2226-01-01", "1899-12-31"])
def test_dates_outside_a_sane_range_fail(site, date):
    site.write(ARTICLE, article(Date=date) if len(date) == 10 else article(Date=date))
    built = site.build()
    assert built.code == 1, built.stderr
    assert "between 1990 and 2100" in built.stderr or "not a date" in built.stderr
    assert 'datetime="26-' not in built.stderr


def test_tags_are_split_on_commas_only(site):
    site.write(ARTICLE, article(Tags="R&amp;D; rehab, knee pain"))
    built = site.build()
    assert built.code == 0, built.stderr
    page = built.output / "blog" / "knee-pain" / "index.html"
    tags = {a.get_text(strip=True) for a in parse(page).select('a[rel~="tag"], .tags a')}
    tag_pages = sorted(p.name for p in (built.output / "blog" / "tag").iterdir())
    assert len([t for t in tag_pages if t.startswith("rd")]) == 1, tag_pages
    assert "knee-pain" in tag_pages and "rehab" not in tag_pages, (tag_pages, tags)


@pytest.mark.parametrize(
    ("body", "expected"),
    [("<a href=\"/about/\">our team\n\nAnother paragraph.\n\nAnd more.", "<a> is opened here"),
     ("<b>Important\n\nThe next paragraph.", "<b> is opened here"),
     ("Text <!-- a note to self\n\nMore text.", "an HTML comment (<!-- ... -->) that is never")],
)  # fmt: skip
def test_author_html_a_browser_would_carry_on_fails(site, body, expected):
    site.write(ARTICLE, article(body))
    site.build().expect(SHOWN, "any", expected)


def test_a_hash_heading_is_explained_in_the_authors_words(site):
    site.write(ARTICLE, article("# Warm up first\n\nGently."))
    built = site.build()
    built.expect(SHOWN, 7, "is written with one # (or <h1>), which makes it a second title")
    assert '"## Warm up first"' in built.stderr


def test_callouts_are_allowed_and_other_classes_refused(site):
    note = '<div class="note" markdown="1">\nBring **shorts**.\n</div>'
    site.write(ARTICLE, article(note))
    built = site.build()
    assert built.code == 0, built.stderr
    page = parse(built.output / "blog" / "knee-pain" / "index.html")
    assert page.select_one("div.note strong").get_text() == "shorts"
    site.write(ARTICLE, article('<div class="site-header" markdown="1">\nHi.\n</div>'))
    site.build().expect(SHOWN, "any", 'a note is written <div class="note" markdown="1">')


UNFINISHED = [
    ("[placeholder: our prices]", "placeholder text"),
    ("Write the article here. Start each section with a heading.", "guide text"),
    ("[the knee article](http://127.0.0.1:8000/blog/knee/)", "goes to your own computer"),
    ("[intranet](https://files.clinic.local/x)", "goes to your own computer"),
    ("[router](http://192.168.1.1/)", "goes to your own computer"),
    ("[file server](http://fileserver/notes)", "goes to your own computer"),
    ("We will TODO this later.", "placeholder text"),
]


@pytest.mark.parametrize(("body", "expected"), UNFINISHED)
def test_unfinished_work_is_a_warning_in_development(site, body, expected):
    site.write(ARTICLE, article(body))
    built = site.build()
    assert built.code == 0, built.stderr
    assert "Unfinished, shown in development only" in built.stderr
    assert any(expected in m for m in built.messages(SHOWN, 7)), built.stderr


@pytest.mark.parametrize(("body", "expected"), UNFINISHED)
def test_unfinished_work_fails_a_production_build(site, body, expected):
    site.write(ARTICLE, article(body))
    built = site.build(CONTENT_CHECKS={"production": True, "plugin_folders": {"authors": "author"}})
    built.expect(SHOWN, 7, expected)


def test_the_real_content_has_nothing_unfinished():
    """The repository's own content/ ships no placeholder text, guide text or local link: a
    production check of it reports none."""
    import re as regex

    for path in (ROOT / "content").rglob("*.md"):
        text = path.read_text(encoding="utf-8")
        assert not regex.search(r"\[\s*placeholder|\b(TODO|TBC|TBD|FIXME)\b|127\.0\.0\.1|localhost",
                                text), path  # fmt: skip


@pytest.mark.parametrize(
    ("link", "meant"),
    [("{filename}2026-11-10-unlocking-relief-the-many-benefits-of-dry-needlin.md",
      "{filename}2026-11-10-unlocking-relief-the-many-benefits-of-dry-needling.md"),
     ("{filename}2026-11-10-Unlocking-Relief-The-Many-Benefits-Of-Dry-Needling.md",
      "{filename}2026-11-10-unlocking-relief-the-many-benefits-of-dry-needling.md"),
     ("{filename}/pages/About.md", "{filename}/pages/about.md")],
)  # fmt: skip
def test_a_wrong_file_name_gets_did_you_mean_with_the_real_file(site, link, meant):
    site.write(ARTICLE, article(f"[our article]({link})"))
    built = site.build()
    built.expect(SHOWN, 7, f"did you mean {meant}?")


def test_a_wrongly_normalised_name_gets_did_you_mean(site):
    site.write("articles/2026-11-02-caf\u00e9.md", article(title="Caf\u00e9 posture"))
    site.write(ARTICLE, article("[posture]({filename}2026-11-02-cafe\u0301.md)"))
    built = site.build()
    built.expect(SHOWN, 7, "did you mean {filename}2026-11-02-caf\u00e9.md?")
    assert "capitals and accents must match exactly" in built.stderr


def test_a_capitalised_booking_marker_gets_did_you_mean(site):
    site.write(ARTICLE, article("[Book now]({Booking})"))
    site.build().expect(SHOWN, 7, 'did you mean "{booking}"?')


def test_pelicans_own_messages_are_in_the_authors_words_with_project_paths(tmp_path):
    """Pelican's own warnings (most are pre-empted by our checks) reach the author rephrased,
    with paths relative to the project, never this machine's absolute paths."""
    import logging

    from pelican.settings import read_settings

    from rebalance.plugins.content_checks.collector import Checks

    content = tmp_path / "content"
    (content / "pages").mkdir(parents=True)
    (content / "pages" / "prices.md").write_text("Text.\n", encoding="utf-8")
    checks = Checks(read_settings(str(DEV_SETTINGS), override={"PATH": str(content)}))
    said = [
        ("Skipping %s: could not find information about '%s'",
         (str(content / "pages" / "prices.md"), "title")),
        ("Unable to find '%s', skipping url replacement.", (str(content / "images" / "x.jpg"),)),
        ("Something new about %s", (str(content / "pages" / "prices.md"),)),
    ]  # fmt: skip
    for text, args in said:
        checks.on_record(logging.LogRecord("pelican.contents", logging.WARNING, __file__, 1,
                                           text, args, None))  # fmt: skip
    messages = [p.message for p in checks.problems]
    assert all(str(tmp_path) not in m for m in messages), messages
    assert messages[0].startswith('this file has no "title", so it is not published.')
    assert 'a link points to "content/images/x.jpg", which is not a file of the site' in messages[1]
    assert messages[2] == "Pelican reported: Something new about content/pages/prices.md"


def test_a_link_whose_text_shows_another_address_is_refused(site):
    site.write(ARTICLE, article("[https://www.nhs.uk/back-pain](https://nhs-uk.example/)"))
    built = site.build()
    built.expect(SHOWN, 7, "shows the address nhs.uk, but the link goes to nhs-uk.example")


def test_a_link_whose_text_is_its_own_site_is_fine(site):
    site.write(ARTICLE, article("[nhs.uk](https://www.nhs.uk/conditions/back-pain/)"))
    assert site.build().code == 0


@pytest.mark.parametrize("date", ["2026-02-30", "2026-13-01", "2026-11-10 25:00"])
def test_an_impossible_date_is_refused_not_a_traceback(site, date):
    site.write(ARTICLE, article(Date=date))
    built = site.build()
    built.expect(SHOWN, 2, "is not a date")
    assert "Traceback" not in built.stderr


def test_a_title_of_blank_letters_is_refused(site):
    site.write(ARTICLE, article(title="\u3164\u3164\u3164"))  # Hangul fillers: print as nothing
    site.build().expect(SHOWN, 1, "contains an invisible character, hangul filler")


def test_a_modified_date_in_the_future_is_refused(site):
    from datetime import date, timedelta

    later = (date.today() + timedelta(days=120)).isoformat()
    site.write(ARTICLE, article(Modified=later))
    site.build().expect(SHOWN, 4, f'"Modified: {later}" is later than today')
