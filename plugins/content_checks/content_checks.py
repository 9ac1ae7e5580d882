"""Every content problem of a build, reported at once in plain words; then the build fails.

Pelican as it comes publishes broken content silently (a missing title skips the article, a
`{filename}` link to a missing file ships as a literal href, `Stauts: draft` publishes a
draft...). For one build, this plugin collects:

* its own checks of the source files (header, dates, status, encoding), of the rendered bodies
  (links, active content, broken HTML, images without alt text) and of the written site
  (internal links that go nowhere, link markers left unresolved): checks.py, markup.py,
  links.py;
* every warning or error Pelican itself logs during the build: pelican_log.py;
* templates printing undefined variables: undefined.py (set in JINJA_ENVIRONMENT).

At the end it prints them all, sorted by file and line, and raises ContentProblemsError:
Pelican's main() then exits with status 1, so tasks.build_site() leaves output/ untouched.
The messages are in messages.py and explained for authors in docs/content-checks.md.
"""

from __future__ import annotations

import logging
import os
import re
import sys
from collections import Counter, defaultdict

from jinja2 import TemplateError, TemplateNotFound
from markdown import Markdown
from pelican import signals
from pelican.contents import Page
from pelican.generators import ArticlesGenerator, PagesGenerator, PelicanTemplateNotFound
from pelican.readers import MarkdownReader
from pelican.utils import file_suffix
from pelican.writers import FileOverwriteFailedError

from . import checks, markup
from .checks import finding
from .links import check_marker, check_output
from .messages import say
from .pelican_log import capture, hide_report_traceback, translate
from .report import ContentProblemsError, Problem, deduplicate, format_report

DEFAULTS = {
    # Header keys authors may use (any capitalisation); others are reported as misspelt.
    "metadata_keys": ["Title", "Date", "Modified", "Author", "Authors", "Category", "Tags",
                      "Slug", "Summary", "Status", "Lang", "Translation", "Template"],
    "statuses": ["published", "draft", "hidden"],
    # Elements that run code or change the whole page: not allowed in articles and pages...
    "forbidden_tags": ["script", "iframe", "object", "embed", "form", "style", "meta", "base",
                       "link", "frame", "frameset", "applet"],
    # ...unless listed here, e.g. ["iframe"] to allow embedded videos.
    "allowed_tags": [],
}  # fmt: skip
# Key of the running build's Build object in the settings dict: every signal handler can reach
# the settings (generators, contents, the Pelican object), and each build has its own.
STATE = "_content_checks_build"
CONTENT_LISTS = (
    "articles", "translations", "drafts", "drafts_translations", "hidden_articles",
    "hidden_translations", "pages", "hidden_pages", "draft_pages", "draft_translations",
)  # fmt: skip


def settings_for(settings: dict) -> dict:
    """CONTENT_CHECKS settings with defaults filled in."""
    return {**DEFAULTS, **settings.get("CONTENT_CHECKS", {})}


class Build:
    """The problems of one build, and what the checks need to know about its files."""

    def __init__(self, settings: dict) -> None:
        self.settings = settings
        self.config = settings_for(settings)
        self.content_path = settings["PATH"]
        self.problems: list[Problem] = []
        self.sources: dict[str, str] = {}  # source path -> text
        self.headers: dict[str, checks.Header] = {}
        self.contents: list = []  # every article and page Pelican read, of any status
        self.stand_ins: list = []  # Pages made from the files Pelican skipped, to check them too

    def add(self, path: str | None, found: checks.Finding, line: int | None = None) -> None:
        line = line or found.line
        self.problems.append(Problem(path, line, found.message, found.kind, found.subject))

    def has(self, path: str | None, subject: str, kinds: set[str]) -> bool:
        """Whether a problem of one of these kinds about this subject is already reported."""
        return any(
            p.path == path and p.subject == subject and p.kind in kinds for p in self.problems
        )

    def on_record(self, record: logging.LogRecord, error: BaseException | None) -> None:
        try:
            problem = translate(record, error, self.content_path)
        except Exception:  # a message in a shape we did not expect: keep Pelican's own words
            detail = " ".join(str(record.msg).split())
            problem = Problem(None, None, say("pelican-other", detail=detail), "pelican")
        self.problems.append(problem)

    def shown(self, path: str) -> str:
        """A source path as the author knows it: content/articles/… ."""
        return os.path.relpath(path, os.path.dirname(self.content_path)).replace(os.sep, "/")

    def report(self, stopped: str | None = None) -> str:
        bases = [os.path.dirname(os.path.abspath(self.content_path)), os.getcwd()]
        return format_report(deduplicate(self.problems), bases, stopped)


# --- Source files -------------------------------------------------------------------------------
def check_sources(build: Build, generators: list) -> None:
    """Encoding, emptiness and the header of every file Pelican reads as an article or page."""
    for gen in generators:
        if isinstance(gen, ArticlesGenerator):
            kind, paths, exclude = "article", "ARTICLE_PATHS", "ARTICLE_EXCLUDES"
        elif isinstance(gen, PagesGenerator):
            kind, paths, exclude = "page", "PAGE_PATHS", "PAGE_EXCLUDES"
        else:
            continue
        for relative in sorted(gen.get_files(gen.settings[paths], exclude=gen.settings[exclude])):
            path = os.path.normpath(os.path.join(gen.path, relative))
            reader = gen.readers.readers.get(file_suffix(path))
            check_source(build, gen, path, kind, isinstance(reader, MarkdownReader))


def _date_required(settings: dict, path: str, header: checks.Header) -> bool:
    """Whether Pelican needs a Date line: not for drafts, nor when the file name has the date."""
    status = header.get("status")
    if settings.get("DEFAULT_DATE") or (status and status.value.lower() == "draft"):
        return False
    base = os.path.splitext(os.path.basename(path))[0]
    match = settings.get("FILENAME_METADATA") and re.match(settings["FILENAME_METADATA"], base)
    return not (match and match.groupdict().get("date"))


def _template_exists(gen, name: str) -> bool:
    for extension in gen.settings["TEMPLATE_EXTENSIONS"]:
        try:
            gen.env.get_template(name + extension)
            return True
        except TemplateNotFound:
            continue
    return False


def check_source(build: Build, gen, path: str, kind: str, markdown: bool) -> None:
    with open(path, "rb") as source:
        text, problem = checks.decode(source.read())
    if problem:
        build.add(path, problem)
        return
    build.sources[path] = text
    if not markdown:
        return
    header = build.headers[path] = checks.parse_header(text)
    keys, statuses = build.config["metadata_keys"], build.config["statuses"]
    required = kind == "article" and _date_required(build.settings, path, header)
    for found in checks.check_header(header, keys=keys, statuses=statuses, date_required=required):
        build.add(path, found)
    template = header.get("template")
    if template and template.value and not _template_exists(gen, template.value):
        build.add(path, finding("template-missing", template.line, value=template.value))


# --- Articles and pages as Pelican read them ---------------------------------------------------
def check_contents(build: Build, generators: list) -> None:
    """Same web address twice, then the body of every article and page: its links to other
    files, and its rendered HTML. Files Pelican skipped (a bad date, say) are rendered here, so
    the problems in their text are reported in the same build as the one that got them skipped.
    """
    gens = [g for g in generators if isinstance(g, ArticlesGenerator | PagesGenerator)]
    build.contents = [c for g in gens for name in CONTENT_LISTS for c in getattr(g, name, [])]
    check_duplicates(build)
    built = {c.source_path for c in build.contents}
    skipped = [stand_in(build, gens[0].context, p) for p in build.headers if p not in built]
    build.stand_ins = [c for c in skipped if c is not None]
    for content in build.contents + build.stand_ins:
        check_body(build, content)


def stand_in(build: Build, context: dict, path: str) -> Page | None:
    """A Page made from a Markdown file Pelican skipped, for its text to be checked (never
    written). Creating it runs the other plugins' content_object_init, e.g. {booking} links."""
    header = build.headers[path]
    status = header.get("status")
    status = "draft" if status and status.value.lower() == "draft" else "published"
    try:
        md = Markdown(**build.settings["MARKDOWN"])
        html = md.convert(build.sources[path])
        summary = header.get("summary")
        metadata = {"title": "", "status": status}
        if summary:
            metadata["summary"] = md.reset().convert(summary.value)
        return Page(html, metadata, settings=build.settings, source_path=path, context=context)
    except Exception:  # noqa: BLE001 - the reason is already reported for this file
        return None


def check_body(build: Build, content) -> None:
    """Active content, broken HTML, images without alt text, {filename}/{static} links."""
    forbidden = set(build.config["forbidden_tags"]) - set(build.config["allowed_tags"])
    path, text = content.source_path, build.sources.get(content.source_path, "")
    html = (content._content or "") + "\n" + (content.metadata.get("summary") or "")
    seen: Counter = Counter()
    for found in markup.scan_html(html, forbidden):
        nth = seen[found.subject]
        seen[found.subject] += 1
        lines = (markup.find_line(text, s, nth) for s in markup.snippets(found))
        build.add(path, found, next((n for n in lines if n), None))
    for match in content._get_intrasite_link_regex().finditer(html):
        found = check_marker(build, content, match["what"], match["value"], match["path"])
        if found:
            build.add(path, found, markup.find_line(text, match["path"]))


def check_duplicates(build: Build) -> None:
    """Two articles or pages (or translations in one language) with one slug or web address."""
    groups: dict[tuple, list] = defaultdict(list)
    for c in build.contents:
        groups[("slug", type(c).__name__, getattr(c, "slug", None), c.lang)].append(c)
        if c.save_as:  # empty: not written at all (e.g. drafts in production builds)
            groups[("output", os.path.normpath(c.save_as))].append(c)
    reported: set[frozenset] = set()
    for key, items in groups.items():
        sources = frozenset(c.source_path for c in items)
        if len(items) < 2 or sources in reported:
            continue
        reported.add(sources)
        for c in items:
            others = ", ".join(sorted(build.shown(o.source_path) for o in items if o is not c))
            header = build.headers.get(c.source_path)
            slug_line = header.get("slug") if header else None
            name = "duplicate-slug" if key[0] == "slug" else "duplicate-output"
            found = finding(name, subject="slug", kind="duplicate-slug", slug=c.slug,
                            others=others, url=c.url)  # fmt: skip
            build.add(c.source_path, found, slug_line.line if slug_line else None)


# --- The end of the build -----------------------------------------------------------------------
def stopped_by(build: Build, error: Exception) -> bool:
    """Records why the build stopped early; True when the problems found explain it."""
    kinds = {p.kind for p in build.problems}
    if isinstance(error, FileOverwriteFailedError) and "duplicate-slug" in kinds:
        return True
    if isinstance(error, PelicanTemplateNotFound) and "template-missing" in kinds:
        return True
    if isinstance(error, TemplateError):
        path, line = getattr(error, "filename", None), getattr(error, "lineno", None)
        extensions = tuple(build.settings["TEMPLATE_EXTENSIONS"])
        tb = error.__traceback__
        while tb is not None:  # Jinja rewrites tracebacks to point into the templates
            if tb.tb_frame.f_code.co_filename.endswith(extensions):
                path, line = tb.tb_frame.f_code.co_filename, tb.tb_lineno
            tb = tb.tb_next
        build.add(path, finding("template-error", line, error=error))
        return True
    return False


def wrap_run(pelican) -> None:
    """Runs each build of this Pelican object with a fresh Build, capturing Pelican's log."""
    if not any(getattr(p, "register", None) is register for p in pelican.plugins):
        return  # signals are global: another Pelican in this process may not use this plugin
    run = pelican.run

    def checked_run() -> None:
        build = pelican.settings[STATE] = Build(pelican.settings)
        try:
            with capture(build.on_record):
                run()
        except ContentProblemsError:
            raise
        except Exception as error:
            explained = stopped_by(build, error)
            problems = deduplicate(build.problems)
            if problems:
                sys.stderr.write("\n" + build.report(stopped=type(error).__name__))
            if explained:
                message = f"{len(problems)} content problem(s), listed above"
                raise ContentProblemsError(message) from error
            raise
        finally:
            pelican.settings.pop(STATE, None)

    pelican.run = checked_run


def after_reading(generators: list) -> None:
    build = generators[0].settings.get(STATE) if generators else None
    if build is not None:
        check_sources(build, generators)
        check_contents(build, generators)


def at_end(pelican) -> None:
    build = pelican.settings.get(STATE)
    if build is None:
        return
    check_output(build, pelican.output_path)
    problems = deduplicate(build.problems)
    if problems:
        sys.stderr.write("\n" + build.report())
        raise ContentProblemsError(f"{len(problems)} content problem(s), listed above")


def register() -> None:
    # initialized: the Pelican object exists; wrap its run() so each build gets a fresh Build and
    # a build that stops early (an exception) still reports what it found.
    signals.initialized.connect(wrap_run)
    # all_generators_finalized: every file is read and rendered, nothing is written yet: the last
    # moment to see the raw {filename} links, and the files Pelican skipped.
    signals.all_generators_finalized.connect(after_reading)
    # finalized: the whole site is written; check its links, then fail if anything was found.
    signals.finalized.connect(at_end)
    # Pelican's main() logs our exception with a traceback that would bury the report.
    logging.getLogger("pelican").addFilter(hide_report_traceback)
