"""The collector of one build's problems, how they reach it, and what it keeps between builds.

THE CHANNEL: any plugin reports a content problem by logging a WARNING (or worse) that carries
a structured `extra`, without importing this plugin:

    logger.warning("%s: %s", shown_path, message, extra={"content_problem": {
        "path": content.source_path, "line": 12, "message": message, "subject": "booking"}})

path is the file the author edits (None: the site as a whole), line an int or None, message
the whole text an author reads (what is wrong, then what to do). With content_checks on, the
record is collected from whichever logger logged it, not printed, and reported at the end with
every other problem, failing the build; without it, it prints as an ordinary warning. Pelican's
own warnings (the "pelican" loggers) are collected too, in plain words (messages.py).
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import re
from dataclasses import dataclass
from pathlib import Path

from .messages import say

CHANNEL = "content_problem"  # the `extra` key a problem's log record carries
# Pelican's own warnings an author meets most, in the author's words (messages.py); any other is
# shown as Pelican words it ("pelican"), its paths made relative to the project.
PELICAN_WORDS = [
    (
        re.compile(r"Skipping .*?: could not find information about '(?P<key>\w+)'"),
        "pelican-missing",
    ),
    (re.compile(r"Duplicate definition of `(?P<key>[^`]+)`"), "pelican-duplicate"),
    (re.compile(r"Unable to find '(?P<url>[^']*)', skipping url replacement"), "pelican-link"),
]

DEFAULTS = {
    # Extra HTML elements authors may use, with their allowed attributes: {"video": ["src"]}.
    "elements": {},
    # Layouts each content type may ask for with "Template:".
    "templates": {"article": ["article"], "page": ["page", "contact"]},
    # Static files allowed per folder of STATIC_PATHS, by extension. Folders not listed here may
    # hold only the files EXTRA_PATH_METADATA names (the maintainers' favicons and logo).
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
    # Production (publishconf.py): what is unfinished (UNFINISHED) fails the build; in
    # development it is shown as a warning, so that a draft can be previewed.
    "production": False,
}
# Placeholder text, the guide text `make new-article` writes, links to the author's own
# computer or network: fine while writing, never published.
UNFINISHED = {"placeholder", "draft-text", "local-link"}
GUIDE = "docs/content-checks.md"
STATE = "_content_checks"  # key of the running build's Checks in the settings dict
CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")  # shown as \x01 in the report, which is one line each
# Pelican's own checks that ours replace, by the function that logs them: find_empty_alt warns
# about every alt="", which WCAG prescribes for decorative images (written.py tells the two apart).
SUPERSEDED = {"find_empty_alt"}


class ContentProblemsError(Exception):
    """Raised at the end of a build that found problems, so Pelican exits non-zero."""

    exitcode = 3  # Pelican's main() exits with it: "the report was printed", not a crash


@dataclass(frozen=True)
class Problem:
    """One problem: the file to edit (absolute; None for the site as a whole), the line where it
    is known, the message (what is wrong, then what to do), and what it is about."""

    path: str | None
    line: int | None
    message: str
    subject: str = ""
    pelican: bool = False  # one of Pelican's own log records
    warning: bool = False  # unfinished, in a development build: shown, does not fail it

    def sort_key(self) -> tuple:
        return (self.path is None, self.path or "", self.line or 0, self.message)


class Checks:
    """The problems of one build, and what the checks of written pages gather for the end."""

    def __init__(self, settings: dict) -> None:
        self.settings = settings
        self.config = {**DEFAULTS, **settings.get("CONTENT_CHECKS", {})}
        self.problems: list[Problem] = []
        self.writing: str | None = None  # source file of the page being written
        # While the reader reads a file: the problems logged meanwhile, kept with its metadata
        # (sources.CheckedMarkdownReader), so that a read taken from Pelican's content cache
        # reports them again.
        self.reading: list[Problem] | None = None
        self.static_ok: set[str] = set()  # static files the inventory allows (relative paths)
        self.refused: set[str] = set()  # outputs not to write (addresses.py), folded
        self.pages = None  # written.Site, set by content_checks.start
        self.store = Store(settings)

    def add(self, path: str | None, line: int | None, message: str, /, subject: str = "",
            **values: object) -> None:  # fmt: skip
        """Records the message named `message` (filled in with values) against path:line."""
        shown = {k: CONTROL_RE.sub(lambda m: f"\\x{ord(m[0]):02x}", v) if isinstance(v, str) else v
                 for k, v in values.items()}  # fmt: skip
        warning = message in UNFINISHED and not self.config["production"]
        self.keep(Problem(path, line, say(message, **shown), subject, warning=warning))

    def keep(self, problem: Problem) -> None:
        (self.problems if self.reading is None else self.reading).append(problem)

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
        """A problem some plugin logged (CHANNEL), or one of Pelican's warnings or errors:
        blamed on the file it names, or on the one being written."""
        own = getattr(record, CHANNEL, None)
        if isinstance(own, dict):  # already in plain words, with its file and line
            path, line = own.get("path"), own.get("line")
            self.keep(Problem(os.fspath(path) if path else None,
                              line if isinstance(line, int) else None,
                              str(own.get("message") or record.getMessage()),
                              str(own.get("subject") or "")))  # fmt: skip
            return
        args = record.args if isinstance(record.args, tuple) else ()
        paths = [getattr(a, "source_path", a) for a in args]
        paths = [os.path.join(self.settings["PATH"], p) for p in paths if isinstance(p, str)]
        path = next((p for p in paths if os.path.isfile(p)), self.writing)
        detail = self.relative(" ".join(record.getMessage().split()))
        subject = " ".join(str(a) for a in args if isinstance(a, str))
        for pattern, name in PELICAN_WORDS:
            if found := pattern.search(detail):
                message = say(name, **{k: self.relative(v) for k, v in found.groupdict().items()})
                break
        else:
            message = say("pelican", detail=detail)
        self.keep(Problem(path, None, message, subject, True))

    def relative(self, text: str) -> str:
        """Absolute paths of the project written as the author knows them (content/...)."""
        base = os.path.dirname(os.path.abspath(self.settings["PATH"]))
        return text.replace(base + os.sep, "")

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
        """The text an author reads: every problem, one per line, then a count; warnings (what
        is unfinished, in a development build) after them, apart."""
        errors = [p for p in problems if not p.warning]
        warnings = [p for p in problems if p.warning]
        files = {p.path for p in errors}
        in_files = f" in {len(files)} file{'s' * (len(files) != 1)}"
        text = []
        if errors:
            text += [f"Content problems found: {len(errors)}{in_files}.", "",
                     *self.lines(errors, "error")]  # fmt: skip
        if warnings:
            text += ["" if errors else None, f"Unfinished, shown in development only (a "
                     f"production build refuses them): {len(warnings)}.", "",
                     *self.lines(warnings, "warning")]  # fmt: skip
        if errors:
            count = f"{len(errors)} content problem{'s' * (len(errors) != 1)}"
            text.append(f"\n{count}{in_files}. Fix them and build again. What each message "
                        f"means: {GUIDE}")  # fmt: skip
        return "\n".join(t for t in text if t is not None) + "\n"

    def lines(self, problems: list[Problem], level: str) -> list[str]:
        lines = []
        github = os.environ.get("GITHUB_ACTIONS") == "true"
        for p in problems:
            where = self.shown(p.path) if p.path else "(site)"
            lines.append(f"{where}{f':{p.line}' if p.line else ''}: {p.message}")
            if github:  # an annotation on the file and line of the pull request's diff
                place = f"file={where},line={p.line or 1}," if p.path else ""
                text = p.message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
                lines.append(f"::{level} {place}title=Content problem::{text}")
        return lines


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
        ours = hasattr(record, CHANNEL)
        if not ours and not (record.name == "pelican" or record.name.startswith("pelican.")):
            return True  # another library's warning: shown as it is, not a content problem
        if record.funcName not in SUPERSEDED or ours:
            self.checks.on_record(record)
        return False


def capture(checks: Checks) -> None:
    """Every logger there is (the plugins' loggers exist by now: their modules are imported)
    hands the collector its problems: Pelican's warnings, and any record carrying CHANNEL."""
    capturing = _Capture(checks)
    names = ["", *(n for n, v in logging.root.manager.loggerDict.items()
                   if isinstance(v, logging.Logger))]  # fmt: skip
    for logger in map(logging.getLogger, names):
        logger.filters = [f for f in logger.filters if not isinstance(f, _Capture)]
        logger.filters.insert(0, capturing)
    if logging.getLogger("pelican").getEffectiveLevel() > logging.WARNING:
        logging.getLogger("pelican").setLevel(logging.WARNING)  # --quiet must not hide problems


def hide_report_traceback(record: logging.LogRecord) -> bool:
    """Pelican's main() logs the exception that ends a build (CRITICAL, with its traceback):
    after our report, whose last line says it all, that would only bury it."""
    return not (record.exc_info and isinstance(record.exc_info[1], ContentProblemsError))


class Store:
    """What the checks of written pages found in each page, kept between builds: a page whose
    HTML (and whose sources) did not change is not parsed again. One pickle under
    CACHE_PATH/content-checks/, named by a digest of this plugin's code and the settings its
    findings depend on: change either and it starts empty. What a build did not use is dropped
    when it is saved."""

    def __init__(self, settings: dict) -> None:
        self.settings = settings
        self.old: dict | None = None
        self.new: dict = {}

    def path(self) -> Path:
        digest = hashlib.blake2b(digest_size=12)
        for file in sorted(Path(__file__).parent.glob("*.py")):
            digest.update(file.read_bytes())
        relevant = (self.settings.get("SITEURL", ""), repr(self.settings.get("CONTENT_CHECKS")))
        digest.update(repr(relevant).encode())
        # CACHE_PATH as the settings give it, whatever another plugin points it at meanwhile.
        return Path(self.settings["CACHE_PATH"]) / "content-checks" / f"{digest.hexdigest()}.pickle"

    def get(self, key: str) -> dict | None:
        if self.old is None:
            try:
                with open(self.path(), "rb") as handle:
                    self.old = pickle.load(handle)
            except (OSError, pickle.PickleError, EOFError, AttributeError, ImportError):
                self.old = {}
        return self.old.get(key)

    def put(self, key: str, found: dict) -> None:
        self.new[key] = found

    def save(self) -> None:
        if not self.new:
            return
        path = self.path()
        path.parent.mkdir(parents=True, exist_ok=True)
        for old in path.parent.glob("*.pickle"):  # an earlier version's findings
            if old != path:
                old.unlink(missing_ok=True)
        with open(f"{path}.new", "wb") as handle:
            pickle.dump(self.new, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(f"{path}.new", path)
