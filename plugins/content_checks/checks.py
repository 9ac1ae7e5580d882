"""Pure checks of one source file: its encoding and its Markdown header. No Pelican objects.

Every function returns Findings; content_checks.py attaches the file name and collects them for
the whole build. The words are in messages.py; checks of rendered HTML are in markup.py.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from pelican.utils import get_date

from .messages import say


@dataclass(frozen=True)
class Finding:
    """One problem in one file: `kind` groups problems for de-duplication, `subject` names the
    thing concerned (a key, a link) so the same problem reported twice is shown once."""

    kind: str
    message: str
    line: int | None = None
    subject: str | None = None


def finding(message: str, line: int | None = None, subject: str | None = None, *,
            kind: str | None = None, **values: object) -> Finding:  # fmt: skip
    """A Finding with the message named `message` in messages.py, filled in with `values` (so no
    placeholder there is called line, subject or kind); its kind is that name unless given."""
    return Finding(kind or message, say(message, **values), line, subject)


# --- The Markdown header ------------------------------------------------------------------------
# Python-Markdown's meta extension (markdown/extensions/meta.py), copied so we see the header
# exactly as Pelican's Markdown reader will: it ends at the first blank line, at a `---`/`...`
# line, or at the first line that is neither `Key: value` nor an indented continuation.
META_RE = re.compile(r"^[ ]{0,3}(?P<key>[A-Za-z0-9_-]+):\s*(?P<value>.*)")
META_MORE_RE = re.compile(r"^[ ]{4,}(?P<value>.*)")
BEGIN_RE = re.compile(r"^-{3}(\s.*)?")
END_RE = re.compile(r"^(-{3}|\.{3})(\s.*)?")
# "Status draft", "Title - Knee pain", "Date = 2026-11-10": a key, then no colon.
KEYISH_RE = re.compile(r"^[ ]{0,3}(?P<key>[A-Za-z][A-Za-z0-9_-]*)\s*[-=;,.]?\s*(?P<value>.*)$")
SEPARATOR_RE = re.compile(r"^\s*\S+\s*[-=;,.]")
ISO_DATE_RE = re.compile(
    r"^\d{4}-\d{2}-\d{2}"  # 2026-11-10
    r"(?:[ T_]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"  # optional time: 09:30, 09:30:15
    r"(?:\s?(?:Z|UTC|[+-]\d{2}:?\d{2}))?$"  # optional zone
)
TITLE_TAG_RE = re.compile(r"</?[A-Za-z!?][^>]*>?")
ENTITY_RE = re.compile(r"&(?:#\d+|#[xX][0-9A-Fa-f]+|[A-Za-z][A-Za-z0-9]{1,31});")
SLUG_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


@dataclass(frozen=True)
class Field:
    line: int  # 1-based line in the source file
    key: str  # as typed
    value: str


@dataclass
class Header:
    """What the Markdown meta extension will read as the header, and where the body starts."""

    fields: list[Field] = field(default_factory=list)
    stop: str = "eof"  # why the header ended: "blank", "end-marker", "text" or "eof"
    stop_line: int | None = None  # the line that ended it
    lines: list[str] = field(default_factory=list)  # every line of the file

    def get(self, key: str) -> Field | None:
        """The first field with this key (any capitalisation)."""
        return next((f for f in self.fields if f.key.lower() == key.lower()), None)

    @property
    def body(self) -> str:
        """The text after the header."""
        if self.stop_line is None:
            return ""
        start = self.stop_line if self.stop in ("blank", "end-marker") else self.stop_line - 1
        return "\n".join(self.lines[start:])


def parse_header(text: str) -> Header:
    """The header of a Markdown file, line by line, as Python-Markdown's meta extension reads it."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    header = Header(lines=lines)
    start = 1 if lines and BEGIN_RE.match(lines[0]) else 0
    last_key = None
    for number, line in enumerate(lines[start:], start=start + 1):
        if line.strip() == "" or END_RE.match(line):
            header.stop = "blank" if line.strip() == "" else "end-marker"
            header.stop_line = number
            return header
        match = META_RE.match(line)
        if match:
            last_key = match["key"]
            header.fields.append(Field(number, match["key"], match["value"].strip()))
        elif not (META_MORE_RE.match(line) and last_key):  # else: a continuation line
            header.stop, header.stop_line = "text", number
            return header
    return header


def suggest(word: str, choices: list[str]) -> str | None:
    """The choice closest to a misspelt word ("Stauts" -> "Status"), if any is close enough."""
    by_lower = {c.lower(): c for c in choices}
    close = difflib.get_close_matches(word.lower(), list(by_lower), n=1, cutoff=0.6)
    return by_lower[close[0]] if close else None


def _paragraph(lines: list[str]) -> list[str]:
    """The lines up to the first blank one."""
    return lines[: next((i for i, line in enumerate(lines) if not line.strip()), len(lines))]


def date_problem(key: str, value: str) -> str | None:
    """The message name if `value` is not a usable date (None when it is fine)."""
    try:
        get_date(value.replace("_", " "))  # what Pelican's reader does with it
    except (ValueError, OverflowError):
        return "bad-date"
    # dateutil reads "10/11/2026" as 11 October and "March" as this year's March: guesses.
    return None if ISO_DATE_RE.match(value.strip()) else "ambiguous-date"


def title_problem(title: str, line: int | None = None) -> Finding | None:
    """Why a title as typed is not plain text (None when it is)."""
    if tag := TITLE_TAG_RE.search(title):
        return finding("title-markup", line, "title", tag=tag.group(0))
    if entity := ENTITY_RE.search(title):
        return finding("title-entity", line, "title", kind="title-markup", entity=entity.group(0))
    return None


def _header_shape(header: Header, keys: list[str]) -> list[Finding]:
    """A header line without its colon, text glued to the header, a blank line inside it."""
    lowered = [k.lower() for k in keys]
    if header.stop == "text":
        number = header.stop_line
        line = header.lines[number - 1].strip()
        later = [m["key"] for m in map(META_RE.match, _paragraph(header.lines[number:])) if m]
        keyish = KEYISH_RE.match(line)
        key = None
        if keyish and keyish["key"].lower() in lowered:
            key = keys[lowered.index(keyish["key"].lower())]
        elif keyish and (later or SEPARATOR_RE.match(line)):
            key = suggest(keyish["key"], keys)  # "Stauts draft", "Tittle - Knee pain"
        if key:
            after = " and the lines below it" if later else ""
            fixed = f"{key}: {keyish['value']}".strip()
            return [finding("header-colon", number, line, text=line, fixed=fixed, after=after)]
        if later:
            shown = ", ".join(dict.fromkeys(later))
            return [finding("header-not-key-value", number, line, kind="header-colon", keys=shown)]
        if header.fields:
            return [finding("header-no-blank-line", number, last=number - 1)]
    if header.stop == "blank" and header.fields:
        rest = header.lines[header.stop_line :]
        while rest and not rest[0].strip():
            rest = rest[1:]
        matches = [META_RE.match(line) for line in _paragraph(rest)]
        if matches and all(matches) and any(m["key"].lower() in lowered for m in matches):
            shown = ", ".join(f'"{m["key"]}"' for m in matches)
            return [finding("header-blank-line", header.stop_line, keys=shown)]
    return []


def check_header(
    header: Header, *, keys: list[str], statuses: list[str], date_required: bool
) -> list[Finding]:
    """Every problem in the header of one Markdown file."""
    found = _header_shape(header, keys)
    lowered = {k.lower() for k in keys}
    seen: dict[str, Field] = {}
    for f in header.fields:
        name = f.key.lower()
        if name not in lowered:
            close = suggest(f.key, keys)
            hint = f' — did you mean "{close}"? Fix the spelling' if close else ""
            hint = hint or ". Remove the line or correct the key"
            found.append(
                finding("unknown-key", f.line, name, key=f.key, hint=hint, allowed=", ".join(keys))
            )
        elif name in seen:
            first = seen[name].line
            found.append(finding("duplicate-key", f.line, name, key=f.key, first=first))
        seen.setdefault(name, f)

    title = seen.get("title")
    if title is None:
        found.append(finding("missing-title", subject="title"))
    elif not title.value:
        found.append(finding("empty-title", title.line, "title", kind="missing-title"))
    elif problem := title_problem(title.value, title.line):
        found.append(problem)

    for key in ("date", "modified"):
        f = seen.get(key)
        if f is not None and (name := date_problem(f.key, f.value)):
            found.append(finding(name, f.line, key, kind="bad-date", key=f.key, value=f.value))
    if date_required and "date" not in seen:
        found.append(finding("missing-date", subject="date"))

    status = seen.get("status")
    if status is not None and status.value.lower() not in statuses:
        close = suggest(status.value, statuses)
        hint = f' — did you mean "{close}"?' if close else "."
        allowed = ", ".join(statuses)
        found.append(
            finding("status", status.line, "status", value=status.value, hint=hint, allowed=allowed)
        )

    slug = seen.get("slug")
    if slug is not None and not SLUG_RE.fullmatch(slug.value):
        example = "-".join(re.findall(r"[a-z0-9]+", slug.value.lower())) or "knee-pain"
        found.append(finding("slug", slug.line, "slug", value=slug.value, example=example))

    if header.fields and not header.body.strip() and header.stop != "text":
        found.append(finding("no-body", subject="body"))
    return found


def decode(data: bytes) -> tuple[str | None, Finding | None]:
    """The text of a source file (as Pelican reads it), or why it cannot be read."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        before = data[: error.start].rsplit(b"\n", 1)[-1][-20:].decode("utf-8", "replace")
        return None, finding("not-utf8", line, before=before)
    if not text.strip():
        return None, finding("empty-file")
    return text, None
