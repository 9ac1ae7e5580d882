"""Pelican's own warnings and errors during a build, captured and turned into problems.

Pelican logs what it skips ("Skipping …: could not find information about 'title'", "Could not
process …", "Unable to find …") and carries on. Every WARNING or worse from a `pelican.*` logger
during the build becomes a problem here, so nothing Pelican complains about is lost.

Why a Filter on each logger and not only a Handler: Pelican's LimitFilter sits on every
`pelican.*` logger and drops a message it has already shown *in this process* (and all but the
first five of a group such as "Unable to find …"). A Handler only sees what gets past it, so a
second build in the same process (tests, autoreload) would miss problems. Our filter runs first
on those loggers, records the message and stops it there: the author reads it once, in the
report, in plain words. A Handler on the "pelican" logger catches loggers created later.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from .messages import say
from .report import ContentProblemsError, Problem

OnRecord = Callable[[logging.LogRecord, BaseException | None], None]


class _Capture(logging.Filter):
    """Hands every WARNING-or-worse record to on_record and keeps it from being shown twice."""

    def __init__(self, on_record: OnRecord) -> None:
        super().__init__()
        self.on_record = on_record

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return True
        # Pelican logs "Could not process …" inside its `except`: the reason is still at hand.
        try:
            self.on_record(record, sys.exc_info()[1])
        except Exception:  # a bug here must not hide Pelican's message: let it be shown
            return True
        return False


class _Handler(logging.Handler):
    def __init__(self, on_record: OnRecord) -> None:
        super().__init__(level=logging.WARNING)
        self.on_record = on_record

    def emit(self, record: logging.LogRecord) -> None:
        self.on_record(record, None)


@contextmanager
def capture(on_record: OnRecord) -> Iterator[None]:
    """Captures Pelican's warnings and errors for the duration of one build."""
    names = [n for n in logging.root.manager.loggerDict if n.split(".")[0] == "pelican"]
    loggers = [lg for lg in map(logging.getLogger, names) if isinstance(lg, logging.Logger)]
    capturing, handler = _Capture(on_record), _Handler(on_record)
    pelican = logging.getLogger("pelican")
    level = pelican.level
    if pelican.getEffectiveLevel() > logging.WARNING:
        pelican.setLevel(logging.WARNING)  # `pelican --quiet` must not hide problems from us
    for logger in loggers:
        logger.filters.insert(0, capturing)
    pelican.addHandler(handler)
    try:
        yield
    finally:
        pelican.removeHandler(handler)
        pelican.setLevel(level)
        for logger in loggers:
            logger.removeFilter(capturing)


def hide_report_traceback(record: logging.LogRecord) -> bool:
    """Pelican's main() logs the exception that ends a build with its traceback; for our report
    (already printed, in plain words) a traceback would only bury it."""
    if record.exc_info and isinstance(record.exc_info[1], ContentProblemsError):
        record.exc_info, record.exc_text = None, None
    return True


def _path(value: object, content_path: str) -> str | None:
    """The source file a log argument names (a Content object or a path), if it exists."""
    text = str(getattr(value, "source_path", None) or value)
    if not text or "\n" in text or len(text) > 4096:
        return None
    path = text if os.path.isabs(text) else os.path.join(content_path, text)
    return os.path.normpath(path) if os.path.isfile(path) else None


def _first_path(args: tuple, content_path: str) -> str | None:
    return next((p for p in (_path(a, content_path) for a in args) if p), None)


def translate(record: logging.LogRecord, error: BaseException | None, content_path: str) -> Problem:
    """A problem an author can act on, from one of Pelican's log records."""
    own = getattr(record, "content_checks", None)
    if own:  # logged by this plugin (the template Undefined): already in plain words
        return Problem(own["path"], own["line"], own["message"], own["kind"], own["subject"])

    msg = record.msg if isinstance(record.msg, str) else str(record.msg)
    args = record.args if isinstance(record.args, tuple) else ()
    detail = " ".join(record.getMessage().split())
    path = _first_path(args, content_path)

    def problem(message: str, kind: str, /, where: str | None = path, subject=None, **values):
        return Problem(where, None, say(message, **values), kind, subject, from_pelican=True)

    if msg.startswith("Skipping %s: could not find information about"):
        prop = str(args[1])
        return problem("pelican-missing", f"missing-{prop}", subject=prop, prop=prop.title())
    if msg.startswith("Unknown status"):
        return problem("pelican-status", "status", subject="status", value=args[0])
    if msg.startswith("Skipping %s: file %r would be written outside"):
        return problem("pelican-outside-output", "outside-output", save_as=args[1])
    if msg.startswith("Could not process"):
        reason = f" ({error})" if error else ""
        return problem("pelican-unreadable", "unreadable", reason=reason)
    if msg.startswith("Duplicate definition of"):
        key = str(args[0])
        return problem("pelican-duplicate-key", "duplicate-key", subject=key.lower(), key=key)
    if msg.startswith("Empty alt attribute for image"):
        return problem("img-alt", "img-alt", file=args[0], src="…")
    if msg.startswith(("Unable to find", "Cannot get modification stamp")):
        return problem("pelican-link", "missing-link", where=None, detail=detail)
    if msg.startswith("{filename} used for linking to static content"):
        link = f"{{filename}}{args[0]}"
        return problem("filename-static", "filename-static", link=link, value=args[0])
    if msg.startswith("Replacement Indicator"):
        link = str(args[1]) if len(args) > 1 else ""
        return problem("unknown-marker", "unknown-marker", where=None, link=link, what=args[0])
    if msg.startswith(("There are %s items", "There are %s original", "All items (")):
        return problem("pelican-duplicate-slug", "duplicate-slug", detail=detail)
    return problem("pelican-other", "pelican", detail=detail)
