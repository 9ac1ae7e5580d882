"""Every content problem of a build, reported at once in plain words; then the build fails.

One collector per build (a Checks object in the settings) receives every problem:

* files under content/ that are not part of the site, or links out of it (sources.inventory);
* the header of each Markdown file, read by our Markdown reader as Pelican reads it, and the
  metadata of each article and page (sources.py), and of the files other plugins read from
  their own folders (the clinicians in content/authors/: CONTENT_CHECKS["plugin_folders"]);
* every written HTML page, parsed as browsers parse it: the allowlist for author content, its
  structure, links and resources (written.py);
* pages Pelican could not write, with the file they were for (CheckedWriter);
* templates printing undefined variables (undefined.py), and every warning Pelican logs.

At the end of the build (`finalized`) one reporter prints them all, sorted by file and line (also
as GitHub annotations under Actions), and raises ContentProblemsError: Pelican's main() then exits
non-zero and tasks.build_site() leaves output/ untouched. The words are in messages.py and
explained for authors in docs/content-checks.md.
"""

from __future__ import annotations

import logging
import os
import re
import sys
from dataclasses import dataclass

from jinja2 import TemplateError
from pelican import signals
from pelican.contents import Content

from rebalance.plugins.build_cache.build_cache import writes
from rebalance.plugins.build_cache.writer import ParallelWriter

from . import sources, written
from .messages import MESSAGES, say

DEFAULTS = {
    # Extra HTML elements authors may use, with their allowed attributes: {"video": ["src"]}.
    "elements": {},
    # Layouts each content type may ask for with "Template:".
    "templates": {"article": ["article"], "page": ["page", "contact"]},
    # Static files allowed per folder of STATIC_PATHS, by extension. Folders not listed here may
    # hold only the files EXTRA_PATH_METADATA names (the maintainers' favicons, _headers...).
    # Pictures are published as resized variants without metadata (plugins/images reads these;
    # HEIC/HEIF are what iPhones save). GIF is not among them: animation would be lost.
    "static_types": {"images": ["jpg", "jpeg", "png", "webp", "avif", "heic", "heif"]},
    # Folders under content/ that a plugin reads as another kind of content, with that kind:
    # Markdown files whose header keys are sources.KEYS[kind]. {"authors": "author"}: the
    # clinicians' profiles (plugins/clinicians).
    "plugin_folders": {},
    # Files under content/ that are neither read nor published, by name (shell patterns).
    "ignore": [".DS_Store", "Thumbs.db", "desktop.ini", ".gitkeep", "*~", ".#*", "*.swp"],
    "summary_length": 160,
}
STATE = "_content_checks"  # key of the running build's Checks in the settings dict
CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")  # shown as \x01 in the report, which is one line each
# Pelican's own checks that ours replace, by the function that logs them: find_empty_alt warns
# about every alt="", which WCAG prescribes for decorative images (written.py tells the two apart).
SUPERSEDED = {"find_empty_alt"}


class ContentProblemsError(Exception):
    """Raised at the end of a build that found problems, so Pelican exits non-zero."""


@dataclass(frozen=True)
class Problem:
    """One problem: the file to edit (absolute; None for the site as a whole), the line where it
    is known, the message (what is wrong, then what to do), and what it is about."""

    path: str | None
    line: int | None
    message: str
    subject: str = ""
    pelican: bool = False  # one of Pelican's own log records

    def sort_key(self) -> tuple:
        return (self.path is None, self.path or "", self.line or 0, self.message)


class Checks:
    """The problems of one build, and what the checks of written pages gather for the end."""

    def __init__(self, settings: dict) -> None:
        self.settings = settings
        self.config = {**DEFAULTS, **settings.get("CONTENT_CHECKS", {})}
        self.problems: list[Problem] = []
        self.writing: str | None = None  # source file of the page being written
        self.static_ok: set[str] = set()  # static files the inventory allows (relative paths)
        self.pages = written.Site(self)

    def add(self, path: str | None, line: int | None, message: str, /, subject: str = "",
            **values: object) -> None:  # fmt: skip
        """Records the message named `message` (filled in with values) against path:line."""
        shown = {k: CONTROL_RE.sub(lambda m: f"\\x{ord(m[0]):02x}", v) if isinstance(v, str) else v
                 for k, v in values.items()}  # fmt: skip
        self.problems.append(Problem(path, line, say(message, **shown), subject))

    def found(self) -> list[Problem]:
        """Every problem found so far, the written pages' included (they are parsed once all
        are written: Site.inspect_pending). Called once every page is written."""
        self.pages.inspect_pending()
        return self.problems

    def shown(self, path: str) -> str:
        """A path as the author knows it: content/articles/… (relative to the project)."""
        base = os.path.dirname(os.path.abspath(self.settings["PATH"]))
        relative = os.path.relpath(path, base)
        return path if relative.startswith(os.pardir) else relative.replace(os.sep, "/")

    def on_record(self, record: logging.LogRecord) -> None:
        """One of Pelican's warnings or errors: blamed on the file it names, or being written."""
        own = getattr(record, "content_checks", None)
        if own:  # our template Undefined: already in plain words
            self.problems.append(Problem(own["path"], own["line"], own["message"], own["what"]))
            return
        args = record.args if isinstance(record.args, tuple) else ()
        paths = [getattr(a, "source_path", a) for a in args]
        paths = [os.path.join(self.settings["PATH"], p) for p in paths if isinstance(p, str)]
        path = next((p for p in paths if os.path.isfile(p)), self.writing)
        detail = " ".join(record.getMessage().split())
        subject = " ".join(str(a) for a in args if isinstance(a, str))
        self.problems.append(Problem(path, None, say("pelican", detail=detail), subject, True))

    def unique(self) -> list[Problem]:
        """Each problem once, sorted. A Pelican record about something our checks reported (for
        the same file, or for any when Pelican names none: its arguments name our problem's
        subject) adds nothing and is dropped."""
        ours = [p for p in self.problems if not p.pelican]

        def covered(p: Problem) -> bool:
            return p.pelican and any(
                (q.path == p.path or p.path is None) and q.subject and p.subject
                and (q.subject in p.subject or any(a in q.subject for a in p.subject.split()))
                for q in ours
            )  # fmt: skip

        unique = {(p.path, p.line, p.message): p for p in self.problems if not covered(p)}
        return sorted(unique.values(), key=Problem.sort_key)

    def report(self, problems: list[Problem]) -> str:
        """The text an author reads: every problem, one per line, then a count."""
        lines, files = [], {p.path for p in problems}
        github = os.environ.get("GITHUB_ACTIONS") == "true"
        for p in problems:
            where = self.shown(p.path) if p.path else "(site)"
            lines.append(f"{where}{f':{p.line}' if p.line else ''}: {p.message}")
            if github:  # an annotation on the file and line of the pull request's diff
                place = f"file={where},line={p.line or 1}," if p.path else ""
                text = p.message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
                lines.append(f"::error {place}title=Content problem::{text}")
        count = f"{len(problems)} content problem{'s' * (len(problems) != 1)}"
        in_files = f" in {len(files)} file{'s' * (len(files) != 1)}"
        return "\n".join([f"Content problems found: {len(problems)}{in_files}.", "", *lines,
                          f"\n{count}{in_files}. Fix them and build again."]) + "\n"  # fmt: skip


def checks_of(settings: dict) -> Checks | None:
    return settings.get(STATE)


# --- Pelican's own log ----------------------------------------------------------------------------
class _Capture(logging.Filter):
    """Hands each WARNING-or-worse record of Pelican's loggers to the collector and keeps it from
    being printed: the author reads it once, in the report. A Filter on each logger, first in
    line, because Pelican's LimitFilter would drop a message already shown in this process (a
    second build in one process, such as a test, would miss it)."""

    def __init__(self, checks: Checks) -> None:
        super().__init__()
        self.checks = checks

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING or record.exc_info:
            return True  # exceptions: Pelican's main() reports them itself
        if record.funcName not in SUPERSEDED:
            self.checks.on_record(record)
        return False


def capture(checks: Checks) -> None:
    capturing = _Capture(checks)
    names = ["pelican", *(n for n in logging.root.manager.loggerDict if n.startswith("pelican."))]
    for logger in map(logging.getLogger, names):
        logger.filters = [f for f in logger.filters if not isinstance(f, _Capture)]
        logger.filters.insert(0, capturing)
    if logging.getLogger("pelican").getEffectiveLevel() > logging.WARNING:
        logging.getLogger("pelican").setLevel(logging.WARNING)  # --quiet must not hide problems


def hide_report_traceback(record: logging.LogRecord) -> bool:
    """Pelican's main() logs the exception that ends a build with its traceback; after our
    report a traceback would only bury it."""
    if record.exc_info and isinstance(record.exc_info[1], ContentProblemsError):
        record.exc_info, record.exc_text = None, None
    return True


# --- Writing --------------------------------------------------------------------------------------
class CheckedWriter(ParallelWriter):
    """Pelican's Writer, but a page that cannot be written is a problem of its own source file
    (or template), and the other pages are still written and checked. In a preview
    (plugins/build_cache) only the saved files' pages are written, and no feed. The pages of a
    whole site are rendered at once, on every processor (build_cache's ParallelWriter)."""

    def write_file(self, name, template, context, *args, **kwargs):
        if not writes(self.settings, name or None):
            return None
        content = kwargs.get("article") or kwargs.get("page")
        source = content.source_path if isinstance(content, Content) else None
        return self.blamed(source, name, super().write_file, name, template, context, *args,
                           **kwargs)  # fmt: skip

    def note(self, job, html: str, context: dict):
        """A page rendered at once with the others (flush) is checked as it is written, in the
        process that rendered it: its HTML is at hand, and the checks run on every processor."""
        return written.examined(job.path, html, context)

    def flush(self) -> None:
        if (cache := self.settings.get("_build_cache")) is not None:
            cache.stored("checks")  # loaded once, before the processes that render share it
        super().flush()

    def blamed(self, source, name, write, *args, **kwargs):
        """write(*args, **kwargs); what it logs or raises is a problem of `source`. None if it
        failed."""
        checks = checks_of(self.settings)
        if checks is None:
            return write(*args, **kwargs)
        checks.writing = source
        try:
            return write(*args, **kwargs)
        except TemplateError as error:
            path, line = _template_place(error, self.settings["TEMPLATE_EXTENSIONS"])
            checks.add(path, line, "template-error", error=error)
        except Exception as error:  # noqa: BLE001 - reported against the file it was for
            extensions = self.settings["TEMPLATE_EXTENSIONS"]
            path, line = _template_place(error, extensions)
            if not isinstance(error, OSError) and (path or "").endswith(tuple(extensions)):
                # Raised by the template's own code (a filter given the wrong value...).
                checks.add(path, line, "template-error", error=error)
            else:  # the file: a name the file system refuses, a full disk...
                hint = "Give it a shorter or different Slug." if source else ""
                checks.add(source, None, "write-failed", url=name, error=error, hint=hint)
        finally:
            checks.writing = None
        return None

    def write_feed(self, *args, **kwargs):
        if not writes(self.settings):
            return None
        checks = checks_of(self.settings)
        try:
            return super().write_feed(*args, **kwargs)
        except Exception as error:  # noqa: BLE001 - reported; the build fails at the end
            if checks is None:
                raise
            path = kwargs.get("path") or (args[2] if len(args) > 2 else "feed")
            hint = "An article above has a problem that breaks it."
            checks.add(None, None, "write-failed", url=path, error=error, hint=hint)


def _template_place(error: TemplateError, extensions: list[str]) -> tuple[str | None, int | None]:
    """The template file and line an error happened in (Jinja rewrites tracebacks to them)."""
    path, line = getattr(error, "filename", None), getattr(error, "lineno", None)
    tb = error.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.endswith(tuple(extensions)):
            path, line = tb.tb_frame.f_code.co_filename, tb.tb_lineno
        tb = tb.tb_next
    return path, line


# --- The build ------------------------------------------------------------------------------------
def start(pelican) -> None:
    """A fresh collector for this Pelican object; files outside the site are reported, and kept
    from being read at all."""
    if not any(getattr(p, "register", None) is register for p in pelican.plugins):
        return  # signals are global: another Pelican in this process may not use this plugin
    checks = pelican.settings[STATE] = Checks(pelican.settings)
    unknown = sorted(set(pelican.settings.get("CONTENT_CHECKS", {})) - set(DEFAULTS))
    for key in unknown:
        checks.add(None, None, "settings", key=key, known=", ".join(DEFAULTS))
    capture(checks)
    sources.inventory(checks)


def writer(pelican):
    return CheckedWriter if checks_of(pelican.settings) else None


def finish(pelican) -> None:
    checks = checks_of(pelican.settings)
    if checks is None:
        return
    checks.found()
    if writes(pelican.settings):  # not a preview, whose few pages link to those not written
        checks.pages.finish(pelican.output_path)
    pelican.settings.pop(STATE, None)
    problems = checks.unique()
    if problems:
        sys.stderr.write("\n" + checks.report(problems))
        raise ContentProblemsError(f"{len(problems)} content problem(s), listed above")


def register() -> None:
    # initialized: before anything is read: a collector for the build, and the inventory of
    # content/ (a symlink out of it must be excluded before a generator opens it).
    signals.initialized.connect(start)
    # readers_init: Markdown is read by our reader (its header problems travel with the cached
    # metadata); every other reader is switched off.
    signals.readers_init.connect(sources.readers)
    # content_object_init: metadata per content type (cached reads included).
    signals.content_object_init.connect(sources.check_content)
    # all_generators_finalized: every article and page exists: addresses used twice or reserved.
    signals.all_generators_finalized.connect(sources.check_addresses)
    # page_generator_finalized: every article and page is read, no static file yet: files linked
    # with {static}/{attach} that the inventory does not allow are not published.
    signals.page_generator_finalized.connect(sources.linked_files)
    # get_writer: a page that cannot be written is reported against its source file.
    signals.get_writer.connect(writer)
    # content_written: each HTML page as written, checked as a browser parses it.
    signals.content_written.connect(written.check_page)
    # static_generator_finalized: the static files, to compare with the pages at the end.
    signals.static_generator_finalized.connect(written.static_files)
    # finalized: the whole site is written: links between pages, then the report.
    signals.finalized.connect(finish)
    logging.getLogger("pelican").addFilter(hide_report_traceback)


__all__ = ["MESSAGES", "ContentProblemsError", "Problem", "register"]
