"""Tasks for the Rebalance site: `invoke --list` (or `make help`) shows them.

Every build goes through build_site(): Pelican writes into a fresh folder beside output/ (and
its plugins finish there: the search index is built in it), and output/ is replaced only when
the whole build succeeded. A failed build leaves the last good
site exactly as it was, so `make serve` keeps serving it and nothing half-built is published.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from invoke import Exit, task

from rebalance.build import (
    DEV_SETTINGS,
    HOST,
    OUTPUT,
    PORT,
    PUBLISH_SETTINGS,
    ROOT,
    build_site,
    publish_to_branch,
    read,
)
from rebalance.serve import screenshot_problems


@task
def build(c):
    """Build the site with development settings into output/."""
    if not build_site(DEV_SETTINGS):
        raise Exit(code=1)


@task(help={"content": "another content folder (default: the PATH setting, content/)"})
def check(c, content=""):
    """Run every content check (a full build into a temporary folder); output/ is not touched."""
    overrides = {"PATH": str(Path(content).resolve())} if content else None
    with tempfile.TemporaryDirectory(prefix="rebalance-check-") as tmp:
        if not build_site(DEV_SETTINGS, Path(tmp) / "output", overrides):
            raise Exit(code=1)
    print("No content problems.")


@task
def preview(c):
    """Build the site with production settings (publishconf.py) into output/."""
    if not build_site(PUBLISH_SETTINGS):
        raise Exit(code=1)


@task
def clean(c, output=str(OUTPUT)):
    """Empty output/ (keeping what OUTPUT_RETENTION names, e.g. .git, CNAME) and cache/."""
    from pelican.utils import clean_output_dir

    if Path(output).exists():
        clean_output_dir(output, read(DEV_SETTINGS).get("OUTPUT_RETENTION", []))
    shutil.rmtree(ROOT / "cache", ignore_errors=True)


@task(
    help={
        "host": f"address to serve on (default {HOST}; 0.0.0.0: every network interface)",
        "port": f"port to serve on (default {PORT})",
        "content": "another content folder (default: the PATH setting, content/)",
        "output": "folder to build into and serve (default output/)",
        "restart": "restart when the settings or the site's Python change (--no-restart: don't)",
    }
)
def serve(c, host=HOST, port=PORT, content="", output=str(OUTPUT), restart=True):
    """Build, serve on http://127.0.0.1:8000/, rebuild and reload the page on every save."""
    from rebalance.serve import DevServer, PortBusyError

    try:
        DevServer(host, int(port), content, Path(output), restart).run()
    except PortBusyError as error:
        raise Exit(str(error), 1) from None


@task(name="gh-pages", help={"remote": "git remote to push to", "push": "push after committing"})
def gh_pages(c, remote="origin", branch="gh-pages", push=True):
    """Build the production site and publish it to the gh-pages branch (ghp-import)."""
    if not build_site(PUBLISH_SETTINGS):
        raise Exit(code=1)
    publish_to_branch(OUTPUT, ROOT, remote, branch, push)


@task(help={"args": "extra arguments for pytest, e.g. -k booking or -x"})
def test(c, args=""):
    """Lint with ruff, then run every test with pytest."""
    c.run(f"{sys.executable} -m ruff check .", pty=False)
    c.run(f"{sys.executable} -m pytest {args}", pty=False, env={"PYTHONDONTWRITEBYTECODE": "1"})


# The front door's screenshots: the real content with the fictional demo content of
# tests/data/front-door (treatments, two clinicians, demo hours), so every section shows.
FRONT_DOOR = ROOT / "tests" / "data" / "front-door"
DEMO_HOURS = "Mo-Fr 08:00-19:00; Sa 09:00-13:00"
SHOTS = {
    "home": "/",
    "treatment": "/treatments/dry-needling/",
    "team": "/blog/author/robin-demo/",
    "article": "/blog/unlocking-relief-the-many-benefits-of-dry-needling/",
}
DEVICES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}


@task
def screenshots(c):
    """Save home, treatment, team and article pages (phone and desktop, light and dark, with the
    demo content), the article on the real content, and a problem report, to docs/screenshots/."""
    import html
    import os
    import re

    from playwright.sync_api import sync_playwright

    from rebalance.browser import CHROMIUM, CHROMIUM_ARGS, serve

    folder = ROOT / "docs" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        output = Path(tmp) / "output"
        if not build_site(DEV_SETTINGS, output):
            raise Exit(code=1)
        demo_content, demo = Path(tmp) / "demo" / "content", Path(tmp) / "demo" / "output"
        shutil.copytree(ROOT / "content", demo_content)
        shutil.copytree(FRONT_DOOR, demo_content, dirs_exist_ok=True)
        os.environ["CLINIC_HOURS"] = DEMO_HOURS  # read by the build's own process
        try:
            if not build_site(DEV_SETTINGS, demo, overrides={"PATH": str(demo_content)}):
                raise Exit(code=1)
        finally:
            del os.environ["CLINIC_HOURS"]
        # The first card on the home page is the newest article, whatever the content is.
        home = (output / "index.html").read_text(encoding="utf-8")
        article = re.search(r'class="post-card-title"><a href="([^"]+)"', home).group(1)
        # Viewport only: what a reader first sees, and PNGs small enough to keep in git.
        views = {
            "article-light": ({"width": 1280, "height": 900}, "light"),
            "article-dark": ({"width": 1280, "height": 900}, "dark"),
            "article-mobile": ({"width": 360, "height": 800}, "light"),
        }
        with sync_playwright() as p, serve(output) as base, serve(demo) as demo_base:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

            def shoot(url: str, name: str, viewport: dict, scheme: str) -> None:
                page = browser.new_page(viewport=viewport, color_scheme=scheme)
                page.goto(url)
                path = folder / f"{name}.png"
                page.screenshot(path=path)
                page.close()
                print(f"{path.relative_to(ROOT)} ({path.stat().st_size // 1024} KB)")

            try:
                for kind, address in SHOTS.items():
                    for device, viewport in DEVICES.items():
                        for scheme in ("light", "dark"):
                            shoot(demo_base + address, f"{kind}-{device}-{scheme}", viewport,
                                  scheme)  # fmt: skip
                for name, (viewport, scheme) in views.items():
                    shoot(base + article, name, viewport, scheme)
                # What `make check` prints for an article with typical mistakes: the real report
                # of a real build, shown as a terminal shows it.
                page = browser.new_page(viewport={"width": 1100, "height": 420})
                page.set_content(
                    f"<pre style='margin:0;padding:16px;background:#1e1e1e;"
                    f"color:#eee;font:14px/1.5 monospace;white-space:pre-wrap'>"
                    f"$ make check\n{html.escape(_sample_report(Path(tmp)))}</pre>"
                )
                path = folder / "check-report.png"
                page.locator("pre").screenshot(path=path)
                print(f"{path.relative_to(ROOT)} ({path.stat().st_size // 1024} KB)")
            finally:
                browser.close()
        print(screenshot_problems(folder / "problem-overlay.png").relative_to(ROOT))


SAMPLE = """Title: Knee pain after running
Date: 2026-11-20
Summary: Why knees hurt after a run, and what helps.
Tagz: knee pain

Most runners feel their knees at some point.

![](/images/knee.jpg)

Read [our dry needling article](dry-needling.html) too.
"""


def _sample_report(tmp: Path) -> str:
    """The report `make check` prints for SAMPLE (an article with three typical mistakes)
    added to a copy of content/."""
    content = tmp / "sample" / "content"  # shown as content/articles/…, as in the project
    shutil.copytree(ROOT / "content", content)
    (content / "articles" / "2026-11-20-knee-pain.md").write_text(SAMPLE, encoding="utf-8")
    command = [sys.executable, "-m", "invoke", "check", "--content", str(content)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    start = done.stderr.find("Content problems found")
    if done.returncode == 0 or start < 0:
        raise SystemExit(f"invoke check did not report SAMPLE's mistakes:\n{done.stderr}")
    return done.stderr[start:].split("\nBuild failed")[0].strip()


@task
def lint(c):
    """Check and format the Python code with ruff."""
    c.run(f"{sys.executable} -m ruff check --fix .")
    c.run(f"{sys.executable} -m ruff format .")


# --- New articles and pages ----------------------------------------------------------------------
# `invoke new-article --title "..."` writes a draft with every header line the checks need, so a
# physiotherapist starts from a file that builds, rather than from a copied one with stale lines.


def draft_text(kind: str, header: dict[str, str]) -> str:
    """A new draft: `header` lines, Summary and Status, then plain words on what to write where."""
    header = {
        **header,
        "Summary": f"Write one sentence (at most 160 characters) that tells a patient what this "
        f"{kind} is about.",
        "Status": "draft",
    }
    return (
        "".join(f"{key}: {value}\n" for key, value in header.items())
        + f'\nWrite the {kind} here. Start each section with a line "## Section heading".\n'
        + '\nWhen it is ready to publish, change "Status: draft" to "Status: published" above.\n'
    )


# A file name's leading date (2026-11-10-...), which is not part of the slug.
DATE_PREFIX = re.compile(r"^\d{4}-\d{2}-\d{2}-")
HEADER_LINE = re.compile(r"^(?P<key>[A-Za-z][\w-]*)\s*:\s*(?P<value>.*)$")


def slug_for(title: str, settings: dict) -> str:
    """The slug Pelican gives a title, with the project's slug settings (see pelican.contents)."""
    from pelican.utils import slugify

    return slugify(
        title,
        regex_subs=settings.get("SLUG_REGEX_SUBSTITUTIONS", []),
        preserve_case=settings.get("SLUGIFY_PRESERVE_CASE", False),
        use_unicode=settings.get("SLUGIFY_USE_UNICODE", False),
    )


def read_header(path: Path) -> dict[str, str]:
    """A content file's `Key: value` lines up to the first blank line, keys in lower case."""
    header = {}
    with path.open(encoding="utf-8-sig", errors="replace") as lines:
        for line in lines:
            if not line.strip():
                break
            if match := HEADER_LINE.match(line.strip()):
                header[match["key"].lower()] = match["value"].strip()
    return header


def _markdown_files(settings: dict) -> list[Path]:
    """Every Markdown file in the article and page folders, as Pelican would find them."""
    from pelican.readers import MarkdownReader

    content = Path(settings["PATH"])
    folders = [content / name for name in settings["ARTICLE_PATHS"] + settings["PAGE_PATHS"]]
    return sorted(
        path
        for folder in folders
        if folder.is_dir()
        for path in folder.rglob("*")
        if path.is_file() and path.suffix.lstrip(".") in MarkdownReader.file_extensions
    )


def find_slug(slug: str, settings: dict) -> Path | None:
    """The article or page that already has `slug`: in its file name, Slug line or Title."""
    for path in _markdown_files(settings):
        if DATE_PREFIX.sub("", path.stem) == slug:
            return path
        header = read_header(path)
        if header.get("slug") == slug:
            return path
        if header.get("title") and slug_for(header["title"], settings) == slug:
            return path
    return None


def _day(text: str, settings: dict) -> str:
    """The date for a new file: `text` (YYYY-MM-DD) if given, else today in the site's TIMEZONE."""
    from datetime import date, datetime
    from zoneinfo import ZoneInfo

    if not text:
        return datetime.now(ZoneInfo(settings.get("TIMEZONE") or "UTC")).date().isoformat()
    try:  # fromisoformat alone would also take 20261201 or 2026-W48-1
        day = date.fromisoformat(text) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) else None
    except ValueError:  # 2026-02-30
        day = None
    if day is None:
        raise Exit(f'"{text}" is not a date written YYYY-MM-DD, such as 2026-12-01.', 1)
    return day.isoformat()


def _new_slug(title: str, settings: dict, command: str) -> tuple[str, str]:
    """The cleaned-up title and its slug; refuses a missing title or a slug already in use."""
    title = " ".join(title.split())  # one line: a line break would end the header
    if not title:
        raise Exit(
            f'Give a title, for example: invoke {command} --title "Knee pain after running"', 1
        )
    slug = slug_for(title, settings)
    if not slug:
        raise Exit(
            f'The title "{title}" has no letters or digits to make a web address from. '
            "Use a title with words in it.",
            1,
        )
    if existing := find_slug(slug, settings):
        raise Exit(
            f'Nothing written: {_shown(existing)} already uses the address "{slug}". '
            "Choose a different title, or edit that file.",
            1,
        )
    return title, slug


def authors(settings: dict) -> list[str]:
    """Who may sign an article: the organisations (CLINICIANS, e.g. "Rebalance Team") and each
    clinician's Name in content/authors/, as plugins/clinicians reads them."""
    from rebalance.plugins.clinicians.clinicians import settings_for

    config = settings_for(settings)
    folder = Path(settings["PATH"]) / config["path"]
    people = [read_header(path).get("name", "") for path in sorted(folder.glob("*.md"))]
    return list(dict.fromkeys([*config["organisations"], *filter(None, people)]))


def _known_author(name: str, settings: dict) -> str:
    """`name` as the site knows it; refuses (before anything is written) a name it does not."""
    import difflib

    known = authors(settings)
    by_lower = {person.lower(): person for person in known}
    if name.lower() in by_lower:
        return by_lower[name.lower()]
    close = difflib.get_close_matches(name.lower(), list(by_lower), n=1, cutoff=0.5)
    close += [k for k in by_lower if name.lower() in k.split() and k not in close]
    hint = f' Did you mean "{by_lower[close[0]]}"?' if close else ""
    from rebalance.plugins.clinicians.clinicians import settings_for

    listed = ", ".join(f'"{person}"' for person in known)
    folder = _shown(Path(settings["PATH"]) / settings_for(settings)["path"])
    raise Exit(
        f'Nothing written: "{name}" is not an author of this site.{hint} Authors: {listed}. '
        f"A clinician needs a file in {folder}/ first (docs/authoring.md, Clinicians).",
        1,
    )


def _shown(path: Path) -> str:
    """`path` relative to the project when it is inside it, as an author would look for it."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def _write_new(path: Path, text: str, url: str, build: bool) -> None:
    """Writes a new content file, builds the site unless told not to, and says where to look."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8", newline="\n") as file:  # "x": never overwrite a file
        file.write(text)
    print(f"Created {_shown(path)} (a draft: not listed on the site until you publish it).")
    preview = f"http://{HOST}:{PORT}/{url}"
    if build and not build_site(DEV_SETTINGS):
        raise Exit(
            f"{_shown(path)} was kept, but the site did not build: fix the problems listed "
            f"above, then run `make serve` and open {preview}",
            1,
        )
    print(f"Preview: {preview}")
    print("Run `make serve` to see it; the page reloads each time you save the file.")


@task(
    name="new-article",
    help={
        "title": 'the article\'s title, e.g. "Knee pain after running"',
        "author": "who wrote it (default: the AUTHOR setting)",
        "tags": 'comma-separated tags, e.g. "knee pain, running" (default: physiotherapy)',
        "date": "the date, YYYY-MM-DD (default: today)",
        "build": "build the site afterwards (--no-build: only write the file)",
    },
)
def new_article(c, title="", author="", tags="", date="", build=True):
    """Start a draft article: content/articles/YYYY-MM-DD-<slug>.md, then build and preview."""
    settings = read(DEV_SETTINGS)
    title, slug = _new_slug(title, settings, "new-article")
    day = _day(date, settings)
    author = _known_author(" ".join(author.split()) or settings["AUTHOR"], settings)
    tag_list = [tag.strip() for tag in tags.split(",") if tag.strip()] or ["physiotherapy"]
    header = {
        "Title": title,
        "Date": day,
        "Modified": day,
        "Author": author,
        "Category": settings["DEFAULT_CATEGORY"],
        "Tags": ", ".join(tag_list),
    }
    folder = Path(settings["PATH"]) / settings["ARTICLE_PATHS"][0]
    url = settings["DRAFT_URL"].format(slug=slug, lang=settings["DEFAULT_LANG"])
    _write_new(folder / f"{day}-{slug}.md", draft_text("article", header), url, build)


@task(
    name="review-due",
    help={
        "months": "how many months old a review may be; 0 lists every article (default: CLINICIANS "
        "review_after_months, 12)",
        "content": "another content folder (default: the PATH setting, content/)",
    },
)
def review_due(c, months="", content=""):
    """List the articles due for medical review (last reviewed, or published, too long ago)."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    settings = read(DEV_SETTINGS)  # also makes plugins/ importable (pelicanconf.py)
    from rebalance.plugins.clinicians.clinicians import overdue, settings_for

    if content:
        settings["PATH"] = str(Path(content).resolve())
    if str(months).strip() == "":
        months = settings_for(settings)["review_after_months"]
    elif not str(months).strip().isdigit():
        raise Exit(f'--months takes a whole number, 0 or more (such as 12), not "{months}".', 1)
    months = int(months)  # 0: every article is due
    today = datetime.now(ZoneInfo(settings.get("TIMEZONE") or "UTC")).date()
    folders = settings["ARTICLE_PATHS"]
    articles = []
    for path in _markdown_files(settings):
        relative = path.relative_to(settings["PATH"]).as_posix()
        if not any(relative.startswith(folder.rstrip("/") + "/") for folder in folders):
            continue
        header = read_header(path)
        dated = re.match(settings["FILENAME_METADATA"] or "$^", path.name)
        if "date" not in header and dated and "date" in dated.groupdict():
            header["date"] = dated["date"]
        articles.append({**header, "path": _shown(path)})
    due = overdue(articles, months, today)
    if not due:
        print(
            f"No article is due for medical review: each was reviewed (or published) less "
            f"than {months} month{'s' * (months != 1)} ago."
        )
        return
    print(
        f"Due for medical review (not reviewed for {months} month{'s' * (months != 1)} or "
        "more), oldest first:"
    )
    for item in due:
        since = "last reviewed" if item.reviewed else "published, never reviewed"
        print(f"  {item.since.isoformat()}  {since:<25}  {item.path}  {item.title}")
    print(
        f"{len(due)} article{'s' * (len(due) != 1)} due. Review each, then set "
        '"Reviewed-by:" and "Last-reviewed:" in its header.'
    )


@task(
    name="new-page",
    help={
        "title": 'the page\'s title, e.g. "Our prices"',
        "build": "build the site afterwards (--no-build: only write the file)",
    },
)
def new_page(c, title="", build=True):
    """Start a draft page: content/pages/<slug>.md, then build and preview."""
    settings = read(DEV_SETTINGS)
    title, slug = _new_slug(title, settings, "new-page")
    folder = Path(settings["PATH"]) / settings["PAGE_PATHS"][0]
    url = settings["DRAFT_PAGE_URL"].format(slug=slug, lang=settings["DEFAULT_LANG"])
    _write_new(folder / f"{slug}.md", draft_text("page", {"Title": title}), url, build)
