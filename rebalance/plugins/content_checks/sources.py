"""The sources: every file under content/ accounted for, each Markdown header as Markdown reads
it, and the metadata of each article and page checked for its content type.

Header problems are found while our reader reads the file (it knows where Markdown's meta
extension stopped) and travel with the reader's metadata, so they are reported on every build,
also when Pelican takes the file from its cache.
"""

from __future__ import annotations

import difflib
import fnmatch
import os
import re
import tempfile
from datetime import datetime

from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor
from pelican.contents import Article, Page
from pelican.generators import ArticlesGenerator, PagesGenerator
from pelican.readers import MarkdownReader
from pelican.utils import get_date

from .collector import checks_of
from .written import invisible

KEYS = {
    "article": ["Title", "Date", "Modified", "Author", "Authors", "Category", "Tags", "Slug",
                "Summary", "Status", "Lang", "Translation", "Template", "Redirect-from",
                "Booking",
                "Reviewed-by", "Last-reviewed"],  # the medical review (plugins/clinicians)
    "page": ["Title", "Modified", "Slug", "Summary", "Status", "Lang", "Translation", "Template",
             "Redirect-from", "Booking"],
    # A clinician's profile, content/authors/<slug>.md (plugins/clinicians): a folder that
    # CONTENT_CHECKS["plugin_folders"] names as holding this kind.
    "author": ["Name", "Role", "Credentials", "Registration", "Photo", "Booking"],
}  # fmt: skip
ALL_KEYS = list(dict.fromkeys(KEYS["article"] + KEYS["page"]))  # what Pelican reads itself
SINGLE = {"title", "date", "modified", "slug", "summary", "status", "lang", "template", "category",
          "booking", "reviewed-by", "last-reviewed",
          *(k.lower() for k in KEYS["author"])}  # fmt: skip
DATES = ["date", "modified", "last-reviewed"]
# Keys without which a file is not usable; only these say that lines below a blank line were
# meant as header (see header_problems).
REQUIRED = {"article": {"title", "date", "summary"}, "page": {"title", "date", "summary"},
            "author": {"name", "role"}}  # fmt: skip
EXAMPLES = {"title": "Exercises for a stiff neck", "date": "2026-11-10",
            "summary": "Five gentle exercises you can do at your desk.", "name": "Alex Example",
            "role": "Physiotherapist"}  # fmt: skip
STATUSES = ["published", "draft", "hidden"]
PROBLEMS = "_content_problems"  # metadata key carrying the reader's findings
SLUG_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
MARKUP_RE = re.compile(r"</?[A-Za-z!?][^>]*>?|&(?:#\d+|#x[0-9a-f]+|[a-z][a-z0-9]*);", re.I)
HEADER_LINE_RE = re.compile(r"^[ ]{0,3}(?P<key>[A-Za-z0-9_-]+):")
ISO_DATE_RE = re.compile(
    r"^\d{4}-\d{2}-\d{2}"  # 2026-11-10
    r"(?:[ T_]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"  # optional time: 09:30, 09:30:15
    r"(?:\s?(?:Z|UTC|[+-]\d{2}:?\d{2}))?$"  # optional zone
)
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
MONTH_RE = re.compile(r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b", re.I)
# Placeholder text (docs/content-checks.md lists the markers): a bracketed note, the usual
# capitalised markers as whole words, and dummy Latin.
PLACEHOLDER_RE = re.compile(
    r"\[\s*(?:placeholder|to be (?:confirmed|written|added)|tbc|tbd|todo)\b[^\]\n]*\]?"
    r"|\b(?:TODO|TBC|TBD|FIXME|XXX)\b|(?i:lorem ipsum)"
)
# The guide text `make new-article` and `make new-page` write (tasks.draft_text), to be replaced.
DRAFT_TEXT_RE = re.compile(
    r"Write one sentence \(at most 160 characters\)|Write the (?:article|page) here\."
    r"|When it is ready to publish, change"
)
FOOTNOTE_RE = re.compile(r"^ {0,3}\[\^([^\]\s]+)\]:")
# The years a date may have: the clinic's articles are written now; a year outside these is a
# typing mistake ("0026", "20226"). 1990: older articles brought over from elsewhere.
YEARS = (1990, 2100)
NAME_MAX, PATH_MAX = 255, 4096  # bytes, as on Linux, macOS and Windows file systems


_checks = checks_of

CONTENT_LISTS = ("articles", "translations", "drafts", "drafts_translations", "hidden_articles",
                 "hidden_translations", "pages", "hidden_pages", "draft_pages",
                 "draft_translations")  # fmt: skip


def addressed(generators: list) -> list:
    """Every article and page the article and page generators hold, whatever its status, that
    has an address (save_as)."""
    return [content for generator in generators
            if isinstance(generator, ArticlesGenerator | PagesGenerator)
            for name in CONTENT_LISTS for content in getattr(generator, name, [])
            if content.save_as]  # fmt: skip


def spelt(key: str) -> str:
    """A header key as the guides write it ("last-reviewed" -> "Last-reviewed")."""
    spellings = {k.lower(): k for keys in KEYS.values() for k in keys}
    return spellings.get(key.lower(), key.title())


def suggest(word: str, choices: list[str]) -> str | None:
    """The choice closest to a misspelt word ("Stauts" -> "Status"), if one is close enough."""
    by_lower = {c.lower(): c for c in choices}
    close = difflib.get_close_matches(word.lower(), list(by_lower), n=1, cutoff=0.6)
    return by_lower[close[0]] if close else None


# --- Every file under content/ --------------------------------------------------------------------
def inventory(checks) -> None:
    """Each file under content/ is read as Markdown, published as an allowed static file, or
    ignored by name; anything else is reported. Symlinks out of content/ are reported and kept
    from Pelican (IGNORE_FILES), which would otherwise read or publish what they point to."""
    settings, config = checks.settings, checks.config
    root = os.path.realpath(settings["PATH"])
    settings["IGNORE_FILES"] = [*settings.get("IGNORE_FILES", []), *config["ignore"]]
    folders = {"article": settings["ARTICLE_PATHS"], "page": settings["PAGE_PATHS"],
               "plugin": list(config["plugin_folders"])}  # fmt: skip
    static = settings["STATIC_PATHS"]
    extra = set(settings.get("EXTRA_PATH_METADATA", {}))
    known = [*folders["article"], *folders["page"], *folders["plugin"], *static]
    for folder, dirs, files in os.walk(root):
        for name in [*dirs, *files]:
            path = os.path.join(folder, name)
            relative = os.path.relpath(path, root).replace(os.sep, "/")
            if any(fnmatch.fnmatch(name, pattern) for pattern in config["ignore"]):
                dirs[:] = [d for d in dirs if d != name]
                continue
            escaped = re.sub(r"([*?\[])", r"[\1]", name)
            if os.path.islink(path):
                target = os.path.realpath(path)
                if not (target == root or target.startswith(root + os.sep)):
                    checks.add(path, None, "symlink", target=target)
                    settings["IGNORE_FILES"].append(escaped)  # never read, never published
                    continue
            if hit := invisible(name):
                checks.add(path, None, "invisible", subject=relative,
                           what=f"file name {relative!r}", **hit)  # fmt: skip
            if name in dirs:
                continue
            why = _unaccounted(relative, folders, static, extra, config["static_types"], known)
            if why:
                checks.add(path, None, "unaccounted", subject=relative, why=why)
                settings["IGNORE_FILES"].append(escaped)
            elif _under(relative, static):
                checks.static_ok.add(relative)


def linked_files(generator) -> None:
    """Pelican publishes every file a {static} or {attach} link names, wherever it is under
    content/ (and whatever it is). Only the files the inventory allows stay linked; a link to
    another is then reported as a link to a file that does not exist."""
    checks = _checks(generator.settings)
    if checks is not None:
        links = generator.context["static_links"]
        links.intersection_update(checks.static_ok)


def _under(relative: str, folders: list[str]) -> str | None:
    return next((f for f in folders if relative.startswith(f.rstrip("/") + "/")), None)


def _unaccounted(relative, folders, static, extra, types, known) -> str | None:
    """Why a file is not part of the site (None when it is)."""
    base, ext = os.path.splitext(relative)
    ext = ext[1:]
    if _under(relative, folders["article"] + folders["page"]):
        if ext == "md":
            return None
        if ext.lower() in ("md", "markdown", "mdown", "mkd", "txt", "rst", "html", "htm"):
            return (f"only Markdown files ending in .md are read. Rename it to "
                    f"{os.path.basename(base)}.md (and write it in Markdown).")  # fmt: skip
        return "articles and pages are .md files. Move images to content/images/."
    folder = _under(relative, folders["plugin"])
    if folder:  # read by a plugin, as Markdown: content/authors/ (plugins/clinicians)
        if ext == "md":
            return None
        return (f"{folder}/ holds Markdown files ending in .md only. Move pictures to "
                "content/images/ (and other files out of the content folder).")  # fmt: skip
    folder = _under(relative, static)
    if folder:
        allowed = types.get(folder.rstrip("/"))
        if relative in extra or (allowed and ext.lower() in allowed):
            return None
        if allowed is None:
            return f"{folder}/ holds the site's own files only ({', '.join(sorted(extra))})."
        return (f'".{ext}" files are not published from {folder}/: allowed are '
                f"{', '.join('.' + a for a in allowed)}. Save the picture in one of those "
                "formats (SVG can carry scripts, so it is not allowed).")  # fmt: skip
    first = relative.split("/")[0]
    if ext.lower() in ("md", "markdown", "txt"):
        top = "/".join(f"content/{f}/" for f in folders["article"])
        return f"articles are read from {top} only (pages from content/pages/): move it there."
    close = suggest(first, known) if "/" in relative else None
    if close:
        return f'the folder "{first}" is not one the site reads: did you mean "{close}"?'
    return f"it is in no folder the site reads ({', '.join(known)}). Move it, or delete it."


# --- Markdown, as Pelican reads it ----------------------------------------------------------------
class _Count(Preprocessor):
    """Notes the lines just before the meta extension reads the header."""

    def run(self, lines: list[str]) -> list[str]:
        self.md.checked_lines = list(lines)
        return lines


class _Header(Preprocessor):
    """Just after the meta extension read the header (md.Meta): what is wrong with it, and
    stand-ins for bad values in md.Meta itself, which Pelican's reader then parses, so one bad
    value does not hide the file's other problems."""

    def __init__(self, md, reader: CheckedMarkdownReader) -> None:
        super().__init__(md)
        self.reader = reader

    def run(self, lines: list[str]) -> list[str]:
        reader, md = self.reader, self.md
        if reader.found.get("header_read"):  # Pelican converting the Summary: not a header
            return lines
        reader.found["header_read"] = True
        everything = getattr(md, "checked_lines", lines)
        count = len(everything) - len(lines)  # the header, as Markdown saw it
        meta = {k.lower(): v for k, v in getattr(md, "Meta", {}).items()}
        kind = reader.kind
        keys = ALL_KEYS if kind in ("article", "page") else KEYS[kind]
        found = reader.found
        found["problems"] += header_problems(everything, count, meta, keys, REQUIRED[kind])
        found["raw"] = {k: " ".join(v) for k, v in meta.items() if v}
        found["lines"] = {m["key"].lower(): n for n, m in _header(everything, count) if m}
        meta = stand_ins(meta, os.path.basename(reader.path), keys, kind)
        if "date" not in meta and reader.is_article:
            meta["date"] = ["1970-01-01"]  # reported as missing by check_content
        md.Meta = meta
        return lines


class _HeaderExtension(Extension):
    def __init__(self, reader: CheckedMarkdownReader) -> None:
        super().__init__()
        self.reader = reader

    def __getstate__(self) -> dict:
        # Pelican's content cache pickles the tags and authors a reader made, with the reader's
        # settings, this extension among them: a pickled copy does not need the reader.
        return {k: v for k, v in self.__dict__.items() if k != "reader"}

    def extendMarkdown(self, md) -> None:  # noqa: N802 - Python-Markdown's name
        # Around the meta extension (priority 27): before it, and just after it.
        md.preprocessors.register(_Count(md), "checked_lines", 28)
        md.preprocessors.register(_Header(md, self.reader), "checked_header", 26)


class CheckedMarkdownReader(MarkdownReader):
    """Pelican's Markdown reader, run as it is (its public read()), with a Markdown extension of
    ours beside the meta extension: it reports what is wrong with a file's header and gives
    Pelican usable stand-ins for bad values, so the rest of the file is still checked. What the
    file's reading logged travels with its metadata (PROBLEMS), so that a read taken from
    Pelican's content cache reports it again."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        markdown = self.settings["MARKDOWN"]
        # This reader's own copy of the settings, with the extension: nothing else sees it.
        extensions = [*markdown.get("extensions", []), _HeaderExtension(self)]
        self.settings = {**self.settings, "MARKDOWN": {**markdown, "extensions": extensions}}

    def read(self, source_path: str):
        self.path, self.kind = source_path, self._kind(source_path)
        self.is_article = self._is_article(source_path)
        self.found: dict = {"problems": [], "raw": {}, "lines": {}, "kind": self.kind}
        with open(source_path, "rb") as handle:
            data = handle.read()
        read_from = source_path
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = data[: error.start].count(b"\n") + 1
            before = data[: error.start].rsplit(b"\n", 1)[-1][-20:].decode("utf-8", "replace")
            self.found["problems"].append((line, "not-utf8", "", {"before": before}))
            # Pelican cannot open it: the rest is still checked, read from a copy in UTF-8.
            text = data.decode("utf-8", "replace")
            with tempfile.NamedTemporaryFile("w", suffix=".md", delete=False,
                                             encoding="utf-8") as copy:  # fmt: skip
                copy.write(text)
            read_from = copy.name
        # What is logged while the file is read (by Markdown extensions: plugins') is kept.
        checks = checks_of(self.settings)
        if checks is not None:
            checks.reading = []
        try:
            content, metadata = super().read(read_from)
        finally:
            logged = checks.reading if checks is not None else []
            if checks is not None:
                checks.reading = None
            if read_from != source_path:
                os.unlink(read_from)
        if not content.strip():
            self.found["problems"].append((None, "empty", "body", {}))
        for number, line in enumerate(text.splitlines(), 1):
            if found := DRAFT_TEXT_RE.search(line):
                self.found["problems"].append((number, "draft-text", "draft", {"text": found[0]}))
            elif found := PLACEHOLDER_RE.search(line):
                self.found["problems"].append((number, "placeholder", found[0],
                                               {"text": found[0]}))  # fmt: skip
        if control := CONTROL_RE.search(text):  # invisible, and they break the feed's XML
            line = text.count("\n", 0, control.start()) + 1
            code = f"U+{ord(control[0]):04X}"
            self.found["problems"].append((line, "control", "control", {"code": code}))
        metadata[PROBLEMS] = {**self.found, "logged": logged}
        return content, metadata

    def _kind(self, path: str) -> str:
        """What the file is: "page" in PAGE_PATHS, the kind a plugin reads from one of
        CONTENT_CHECKS["plugin_folders"] ("author"), else "article"."""
        relative = os.path.relpath(path, self.settings["PATH"]).replace(os.sep, "/")
        if _under(relative, self.settings["PAGE_PATHS"]):
            return "page"
        plugin = self.settings.get("CONTENT_CHECKS", {}).get("plugin_folders", {})
        folder = _under(relative, list(plugin))
        return plugin[folder] if folder and plugin[folder] in KEYS else "article"

    def _is_article(self, path: str) -> bool:
        relative = os.path.relpath(path, self.settings["PATH"]).replace(os.sep, "/")
        dated = re.match(self.settings["FILENAME_METADATA"] or "$^", os.path.basename(path))
        return bool(_under(relative, self.settings["ARTICLE_PATHS"])) and not dated


def _header(lines: list[str], count: int):
    return [(n, HEADER_LINE_RE.match(line)) for n, line in enumerate(lines[:count], 1)]


def header_problems(lines: list[str], count: int, meta: dict, keys: list[str] = ALL_KEYS,
                    required: set[str] = REQUIRED["article"]) -> list[tuple]:  # fmt: skip
    """(line, message, subject, values) for the header's shape and keys (`keys`: those allowed
    in this kind of file; `required`: those it cannot do without)."""
    found = []
    ended = lines[count - 1].strip() if count else ""
    if count < len(lines) and meta and ended not in ("", "---", "..."):
        # The header stopped at a line that is not "Key: value": that line is shown as text.
        number, text = count + 1, lines[count].strip()
        word = re.match(r"[A-Za-z][A-Za-z-]*", text)
        key = word and suggest(word.group(0), keys)
        if key and text.strip():
            fixed = f"{key}: {text[word.end() :].lstrip(' -=:;,.')}".strip()
            found.append((number, "header-colon", key.lower(), {"text": text, "fixed": fixed}))
        elif text:
            found.append((number, "header-no-blank-line", "header", {"last": count}))
    elif count and ended == "" and count < len(lines):
        rest = lines[count:]
        while rest and not rest[0].strip():
            rest = rest[1:]
        paragraph = rest[: next((i for i, s in enumerate(rest) if not s.strip()), len(rest))]
        below = [m["key"] for m in map(HEADER_LINE_RE.match, paragraph) if m]
        # Only a missing required key says the text is header: "Status: improving" is prose.
        missing = required - set(meta)
        if below and len(below) == len(paragraph) and any(k.lower() in missing for k in below):
            shown = ", ".join(f'"{k}"' for k in below)
            found.append((count, "header-blank-line", "header", {"keys": shown}))
    for number, match in _header(lines, count):
        if not match:
            continue
        key = match["key"]
        if key.lower() not in {k.lower() for k in keys}:
            close = suggest(key, keys)
            hint = (
                f' — did you mean "{close}"? Fix the spelling'
                if close
                else (". Remove the line or correct the key")
            )
            values = {"key": key, "hint": hint, "allowed": ", ".join(keys)}
            found.append((number, "unknown-key", key.lower(), values))
    fences = [n for n, line in enumerate(lines[count:], count + 1) if FENCE_RE.match(line)]
    if len(fences) % 2:  # Markdown shows an unclosed fence, and what follows, as text
        found.append((fences[-1], "unclosed-fence", "```", {}))
    given: dict[str, list[int]] = {}
    for number, match in _header(lines, count):
        if match:
            given.setdefault(match["key"].lower(), []).append(number)
    for key, values in meta.items():
        if key in SINGLE and len(values) > 1:
            if len(given.get(key, [])) == 1:  # one "Key:" line, continued on indented lines
                number = given[key][0]
                found.append((number, "wrapped", key, {"key": spelt(key), "next": number + 1}))
            else:
                found.append((None, "duplicate-key", key, {"key": spelt(key)}))
    for key, values in meta.items():
        for value in values:
            if hit := invisible(value):
                line = given.get(key, [None])[0]
                found.append((line, "invisible", key, {"what": f"{spelt(key)} line", **hit}))
                break
    seen: dict[str, int] = {}
    for number, line in enumerate(lines[count:], count + 1):
        if note := FOOTNOTE_RE.match(line):
            if note[1] in seen:
                values = {"name": note[1], "first": seen[note[1]]}
                found.append((number, "footnote-twice", f"[^{note[1]}]", values))
            seen.setdefault(note[1], number)
    return found


def stand_ins(meta: dict, name: str, keys: list[str] = ALL_KEYS, kind: str = "article") -> dict:
    """The header with values Pelican can use in place of bad ones (the problems are recorded),
    so one bad value does not hide the file's other problems."""
    meta = {k: v[:1] if k in SINGLE else v for k, v in meta.items() if k.lower() in
            {x.lower() for x in keys}}  # fmt: skip
    if kind not in ("article", "page"):
        return meta  # read by a plugin, which checks its own values
    for key in ("tags", "authors"):  # on commas only, as documented (Pelican would use ";")
        if key in meta:
            meta[key] = [[v.strip() for v in ",".join(meta[key]).split(",") if v.strip()]]
    for key in ("date", "modified"):
        if key in meta and (date_problem(meta[key][0]) or not _sane(meta[key][0])):
            meta[key] = ["1970-01-01"]
    if "status" in meta and meta["status"][0].lower() not in STATUSES:
        meta["status"] = ["draft"]
    if not (meta.get("title") or [""])[0].strip():
        meta["title"] = [os.path.splitext(name)[0]]
    for key in ("template", "slug", "lang"):
        meta.pop(key, None) if meta.get(key) == [""] else None
    return meta


def _sane(value: str) -> bool:
    """Whether a date's year is one this site can mean (YEARS): "0026-09-19" is not."""
    year = re.match(r"\s*(\d{4})-", value)
    return not year or YEARS[0] <= int(year[1]) <= YEARS[1]


def date_problem(value: str) -> bool:
    """Whether a date (Date, Modified, Last-reviewed) cannot be read without guessing."""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value := value.strip()):  # the usual case, quickly
        try:
            return not datetime.strptime(value, "%Y-%m-%d")
        except ValueError:
            return True
    try:
        get_date(value.replace("_", " "))
    except (ValueError, OverflowError):
        return True
    # dateutil reads "10/11/2026" as 11 October and "March" as this year's March: guesses.
    # A date with its month in words and a four-digit year ("7 August 2026") is not.
    words = MONTH_RE.search(value) and re.search(r"\b\d{4}\b", value)
    return not (ISO_DATE_RE.match(value) or words)


def readers(readers) -> None:
    """Only Markdown is read (.md), by the checking reader; every other reader is off (but
    Pelican's "static" one, which only notes a static file's path)."""
    if _checks(readers.settings) is not None:
        static = {k: v for k, v in readers.reader_classes.items() if k == "static"}
        readers.reader_classes = {**static, "md": CheckedMarkdownReader}


# --- Each article and page ------------------------------------------------------------------------
def check_content(content) -> None:
    """The header problems the reader found, then the metadata rules of the content type.
    Files a plugin reads (a clinician's profile) get the reader's findings and their required
    keys; the plugin checks what their values mean."""
    checks = _checks(content.settings)
    found = content.metadata.get(PROBLEMS) or {"problems": [], "raw": {}, "lines": {}}
    kind = "article" if isinstance(content, Article) else "page" if isinstance(
        content, Page) else found.get("kind")  # fmt: skip
    if checks is None or kind is None:
        return
    path, raw, lines = content.source_path, found["raw"], found["lines"]
    for line, message, subject, values in found["problems"]:
        checks.add(path, line, message, subject=subject, **values)
    for problem in found.get("logged", []):
        checks.keep(problem)

    def add(field: str, message: str, /, **values) -> None:
        checks.add(path, lines.get(field), message, subject=field, **values)

    if kind not in ("article", "page"):
        for key in sorted(REQUIRED[kind], key=[k.lower() for k in KEYS[kind]].index):
            if not raw.get(key, "").strip():
                add(key, "missing", key=spelt(key), example=EXAMPLES[key])
        return

    if kind == "page":
        for key in sorted(set(raw) & ({k.lower() for k in KEYS["article"]} - set(KEYS_PAGE))):
            add(key, "wrong-type-key", key=spelt(key), folder=_folder(checks, path),
                articles="content/articles/")  # fmt: skip
    required = ["title"] + (["summary"] if kind == "article" else [])
    if kind == "article" and not re.match(content.settings["FILENAME_METADATA"] or "$^",
                                          os.path.basename(path)):  # fmt: skip
        required.append("date")
    for key in required:
        if not raw.get(key, "").strip():
            add(key, "missing", key=key.title(), example=EXAMPLES[key])
    if (code := MARKUP_RE.search(raw.get("title", ""))) is not None:
        add("title", "title-markup", code=code.group(0))
    for key in DATES:
        if key in raw and date_problem(raw[key]):
            add(key, "bad-date", key=spelt(key), value=raw[key])
        elif key in raw and not _sane(raw[key]):
            add(key, "date-range", key=spelt(key), value=raw[key], low=YEARS[0], high=YEARS[1])
    date, modified = getattr(content, "date", None), getattr(content, "modified", None)
    if isinstance(date, datetime) and isinstance(modified, datetime) and modified < date and \
            "date" in raw and "modified" in raw and not date_problem(raw["modified"]):  # fmt: skip
        add("modified", "modified-before-date", modified=raw["modified"], date=raw["date"])
    if isinstance(modified, datetime) and "modified" in raw and not date_problem(raw["modified"]) \
            and modified.date() > datetime.now().date():  # fmt: skip
        add("modified", "modified-future", modified=raw["modified"],
            today=datetime.now().date().isoformat())  # fmt: skip
    status = raw.get("status")
    if status is not None and status.lower() not in STATUSES:
        close = suggest(status, STATUSES)
        hint = f' — did you mean "{close}"?' if close else "."
        add("status", "status", value=status, hint=hint, allowed=", ".join(STATUSES))
    summary = raw.get("summary", "")
    if kind == "article" and summary:
        if (code := MARKUP_RE.search(summary)) is not None:
            add("summary", "summary-markup", code=code.group(0))
        elif len(summary) > (limit := checks.config["summary_length"]):
            add("summary", "summary-long", length=len(summary), limit=limit)
    template = raw.get("template")
    allowed = checks.config["templates"].get(kind, [kind])
    if template is not None and template not in allowed:
        add("template", "template", value=template, kind=kind, allowed=", ".join(allowed))
        content.template = allowed[0]
    lang = raw.get("lang")
    if lang is not None and not _valid_language(lang):
        add("lang", "lang", value=lang)
    slug = raw.get("slug")
    example = "-".join(re.findall(r"[a-z0-9]+", (slug or raw.get("title", "")).lower())[:6])
    if slug is not None and not SLUG_RE.fullmatch(slug):
        add("slug", "slug", value=slug, example=example or "knee-pain")
    elif not content.slug:
        add("slug", "slug-empty", example="knee-pain")
    if not SLUG_RE.fullmatch(content.slug or ""):  # reported: a stand-in keeps links working
        stem = os.path.splitext(os.path.basename(path))[0].lower()
        content.slug = "-".join(re.findall(r"[a-z0-9]+", stem)) or "untitled"


def _valid_language(tag: str) -> bool:
    import langcodes  # only when an article sets Lang: its data takes a tenth of a second to load

    return langcodes.tag_is_valid(tag)


KEYS_PAGE = [k.lower() for k in KEYS["page"]]


def _folder(checks, path: str) -> str:
    return os.path.dirname(checks.shown(path)) + "/"


def check_addresses(generators: list) -> None:
    """No two articles or pages, and no article or page and the site itself, at one address;
    every file name short enough for the file system."""
    checks = _checks(generators[0].settings) if generators else None
    if checks is None:
        return
    settings = checks.settings
    reserved = _reserved(settings)
    owners: dict[str, list] = {}
    for content in addressed(generators):
        owners.setdefault(os.path.normpath(content.save_as), []).append(content)
    stand_ins: list = []

    def lines(content) -> int | None:
        return (content.metadata.get(PROBLEMS) or {}).get("lines", {}).get("slug")

    for save_as, contents in owners.items():
        for content in contents:
            path = content.source_path
            others = [checks.shown(c.source_path) for c in contents if c is not content]
            if others:
                checks.add(path, lines(content), "written-twice", subject="slug",
                           url=content.url, others=", ".join(sorted(others)))  # fmt: skip
            owner = next((o for prefix, o in reserved if save_as.startswith(prefix)), None)
            if owner:
                checks.add(path, lines(content), "slug-reserved", subject="slug", url=content.url,
                           owner=owner, example=f"about-{content.slug}")  # fmt: skip
            long = max(len(part.encode()) for part in save_as.split(os.sep))
            full = len(os.path.join(os.path.abspath(settings["OUTPUT_PATH"]), save_as).encode())
            if long > NAME_MAX or full > PATH_MAX:
                short = "-".join(content.slug.split("-")[:5])
                checks.add(path, lines(content), "too-long", subject="slug",
                           length=max(long, full), limit=NAME_MAX if long > NAME_MAX else PATH_MAX,
                           example=short)  # fmt: skip
            if others[:1] or owner or long > NAME_MAX or full > PATH_MAX:
                # Reported; a stand-in address keeps Pelican from overwriting (or failing to
                # write) a page, so the rest of the site is still built and checked.
                content.slug = f"{'-'.join(content.slug.split('-')[:5])}-{len(stand_ins)}"
                stand_ins.append(content)


def _reserved(settings: dict) -> list[tuple[str, str]]:
    """(path prefix, what owns it) for every address the site writes itself: the list pages
    (archives, tags, categories, authors), their own pages, feeds, drafts and static folders."""
    reserved = []
    for key, value in settings.items():
        if not (key.endswith("_SAVE_AS") and isinstance(value, str) and value) or key.startswith(
            ("ARTICLE", "PAGE", "DRAFT")
        ):
            continue
        prefix = value.split("{")[0]
        prefix = prefix if prefix.endswith("/") else os.path.dirname(prefix) + "/"
        if prefix.strip("/"):
            reserved.append((os.path.normpath(prefix) + os.sep, key[: -len("_SAVE_AS")].lower()))
    for key, value in settings.items():
        if "FEED" in key and isinstance(value, str) and "/" in value:
            reserved.append((os.path.dirname(os.path.normpath(value)) + os.sep, "the feeds"))
    for folder in settings["STATIC_PATHS"]:
        reserved.append((os.path.normpath(folder) + os.sep, f"the {folder} folder"))
    for _, _, pattern in settings.get("PAGINATION_PATTERNS", ()):
        prefix = pattern.replace("{base_name}/", "").split("{")[0]
        if prefix.strip("/"):
            reserved.append((os.path.normpath(prefix) + os.sep, "page numbers"))
    return reserved
