"""The problems of one build and the report an author reads at the end of it."""

from __future__ import annotations

import os
from dataclasses import dataclass


class ContentProblemsError(Exception):
    """Raised at the end of a build that found content problems, so Pelican exits non-zero."""


@dataclass(frozen=True)
class Problem:
    """One problem: the file to edit (absolute; None when no single file is to blame), the line
    where it can be known, and the message (what is wrong, then what to do)."""

    path: str | None
    line: int | None
    message: str
    kind: str = ""
    subject: str | None = None
    from_pelican: bool = False  # translated from one of Pelican's own log records

    def sort_key(self) -> tuple:
        return (self.path is None, self.path or "", self.line or 0, self.message)


def display_path(path: str, bases: list[str]) -> str:
    """path relative to the first base folder that holds it (the project), else as given."""
    for base in bases:
        relative = os.path.relpath(path, base)
        if not relative.startswith(os.pardir):
            return relative.replace(os.sep, "/")
    return path


def deduplicate(problems: list[Problem]) -> list[Problem]:
    """Each problem once. Pelican's own report of something our checks already explain (usually
    without a line number or a hint) is dropped in favour of ours."""
    own = [p for p in problems if not p.from_pelican]
    # A file that cannot be read at all explains every other complaint about it.
    unreadable = {p.path for p in own if p.kind in ("not-utf8", "empty-file")}

    def covered(p: Problem) -> bool:
        if p.path in unreadable and p.kind != "not-utf8" and p.kind != "empty-file":
            return True
        if not p.from_pelican:
            return False
        if p.kind == "unreadable":
            return any(q.path == p.path for q in own)
        return any(
            q.kind == p.kind
            and (p.path is None or q.path == p.path)
            and (p.subject is None or q.subject is None or q.subject == p.subject)
            for q in own
        )

    unique = {(p.path, p.line, p.message): p for p in problems if not covered(p)}
    return sorted(unique.values(), key=Problem.sort_key)


def format_report(problems: list[Problem], bases: list[str], stopped: str | None = None) -> str:
    """The text printed for the author: every problem, one per line, then a count."""
    lines = []
    for p in problems:
        where = display_path(p.path, bases) if p.path else "(site)"
        if p.line:
            where += f":{p.line}"
        lines.append(f"{where}: {p.message}")
    files = {p.path for p in problems}
    count = f"{len(problems)} content problem{'s' if len(problems) != 1 else ''}"
    in_files = f" in {len(files)} file{'s' if len(files) != 1 else ''}"
    heading = f"Content problems found: {len(problems)}{in_files}."
    tail = [f"\n{count}{in_files}. Fix them and build again."]
    if stopped:
        tail.append(
            f"The build stopped early ({stopped}), so some checks could not run: build again "
            "after fixing these to see any others."
        )
    return "\n".join([heading, "", *lines, *tail]) + "\n"
