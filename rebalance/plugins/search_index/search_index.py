"""The site's own search: Pagefind indexes the published articles once Pelican has written them.

Pagefind (PyPI `pagefind[bin]`: its binary ships inside the package) reads the built HTML pages
and indexes only what the theme marks with `data-pagefind-body`: the text of each published
article (theme/templates/article.html). It writes the index, in small fragments, and the
JavaScript that searches it into the output folder (`pagefind/`; on a site with more articles
than SEARCH_INDEX["pages_per_part"], in parts: `pagefind-2/`... named in `pagefind/parts.json`,
which the search page merges, so that Pagefind's memory stays bounded). The search page
(theme/templates/search.html with theme/static/js/search.js) loads them in the reader's browser
when the reader starts typing: no search service, no request to another host.

Why a plugin on `finalized` rather than a step in tasks.py: `finalized` fires when Pelican has
written everything, with the folder it wrote to. Under rebalance.build.build_site() that is the
staging folder, so the index is built before the swap and a failed index fails the build with
output/ untouched; and `python -m pelican` builds the same site as `invoke build`.

Pagefind gets SEARCH_INDEX["timeout"] seconds. A failure (Pagefind fails, takes too long, or the
index cannot be written), like an article whose address falls in the index's folder, is logged
with a `content_problem` record (see MESSAGES): the content checks, when they run, report it
with the build's other problems and fail the build, so output/ keeps the last good site; without
them it is printed as an error. The time the index takes is printed apart ("Search index: 1
page, ... in 0.03 s"), and bench/search.py measures it on a large corpus.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import blinker
from pelican import signals
from pelican.log import console

logger = logging.getLogger(__name__)
# The named signal a build's plan of output files is gathered with (content_checks asks it).
PLAN = "rebalance.plan_outputs"

DEFAULTS = {
    # The folder of the output the index goes into; its address is /<bundle>/.
    "bundle": "pagefind",
    # Seconds each Pagefind run may take before the build gives up (1,000 articles: about 2 s
    # here; a run that hangs must not hold a build, or CI, for ever).
    "timeout": 120,
    # True: the build leaves the index out, and whoever runs it builds the index afterwards
    # with index_and_say(). `make serve` does, once the browser has reloaded the changed page.
    "defer": False,
    # Pagefind holds a whole index in memory while it builds it, about 160 MiB per 1,000
    # articles. A site with more articles than this gets its index in parts of at most this
    # many, each a bundle of its own (pagefind/, pagefind-2/, ...), which the search page merges
    # (Pagefind's mergeIndex): the build's memory stays the same however many articles there are.
    "pages_per_part": 1000,
}
# What an author (or whoever maintains the site) reads about a problem, by name (the wording the
# content checks gave these; docs/content-checks.md explains each).
ASK = "ask whoever maintains the website"
MESSAGES: dict[str, str] = {
    "search-index": (
        f"the search index could not be built ({{error}}), so the site's search would not work. "
        f"The site was not updated: {ASK}."
    ),
}
PARTS = "parts.json"  # in the first bundle: the names of the other parts, for the search page
# Pagefind also writes its ready-made search interfaces (about 420 KB); the search page uses its
# own small script (theme/static/js/search.js) with pagefind.js, so these are not published.
UNUSED = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js",
          "pagefind-modular-ui.css", "pagefind-component-ui.js", "pagefind-component-ui.css",
          "pagefind-highlight.js")  # fmt: skip
# The attribute the theme puts on what is to be indexed, as written in a start tag.
MARKED = re.compile(rb"<[a-zA-Z][^<>]*\sdata-pagefind-body[\s=>/]")


class SearchIndexError(Exception):
    """Pagefind could not index the site (index_site reports it as a problem of the site)."""


@dataclass(frozen=True)
class IndexStats:
    """What one run of Pagefind wrote, and how long it took."""

    pages: int  # pages indexed, all languages together
    files: int  # files in the bundle folder
    bytes: int  # their total size
    seconds: float  # wall time of the Pagefind run

    def __str__(self) -> str:
        pages = f"{self.pages} page{'s' * (self.pages != 1)}"
        return f"{pages}, {self.files} files, {self.bytes:,} bytes, in {self.seconds:.2f} s"


def settings_for(pelican_settings: dict) -> dict:
    """SEARCH_INDEX settings with defaults filled in ("marked": whether the theme marks what
    is to be indexed; see theme_marks)."""
    return {**DEFAULTS, "pages": article_pages(pelican_settings),
            "marked": theme_marks(pelican_settings),
            **pelican_settings.get("SEARCH_INDEX", {})}  # fmt: skip


def theme_marks(pelican_settings: dict) -> bool:
    """Whether the theme's templates mark what is to be indexed (data-pagefind-body), as ours
    does: then only marked pages are indexed, and a site with none gets no index. A theme that
    marks nothing (Pelican's own, say) gets its article pages indexed whole."""
    templates = Path(pelican_settings.get("THEME") or "") / "templates"
    files = (f for f in templates.rglob("*") if f.is_file()) if templates.is_dir() else ()
    return any(b"data-pagefind-body" in f.read_bytes() for f in files)


def article_pages(pelican_settings: dict) -> str:
    """A glob of the files articles are written to (ARTICLE_SAVE_AS, ARTICLE_LANG_SAVE_AS with
    each {…} a *): the only pages the theme marks for the index, so the only ones Pagefind
    needs to read. Reading no other page halves its time (1,000 articles: 2.8 s to 1.3 s)."""
    names = ("ARTICLE_SAVE_AS", "ARTICLE_LANG_SAVE_AS")
    globs = sorted({re.sub(r"\{[^}]*\}", "*", pelican_settings.get(n) or "") for n in names} - {""})
    return globs[0] if len(globs) == 1 else "{" + ",".join(globs) + "}" if globs else "**/*.html"


def enabled(settings: dict) -> bool:
    """Whether this build uses this plugin (signals are global: another Pelican in this process
    may not)."""
    names = set(settings.get("PLUGINS") or ())
    return bool(names & {__package__, __package__.rsplit(".", 1)[-1], __name__})


def fill_in(pelican) -> None:
    """The settings with defaults filled in, for this plugin and for the theme's templates (the
    search page names the index's folder)."""
    if enabled(pelican.settings):
        pelican.settings["SEARCH_INDEX"] = settings_for(pelican.settings)


def marked_pages(output: Path) -> list[Path]:
    """The built HTML pages that carry the data-pagefind-body mark, in order."""
    found = []
    for page in sorted(Path(output).rglob("*.html")):
        with page.open("rb") as handle:
            if MARKED.search(handle.read()):
                found.append(page)
    return found


def glob_pattern(glob: str) -> re.Pattern[str]:
    """A glob as Pagefind reads one (*, **, ?, {a,b}), as a regular expression over paths
    relative to the site's folder."""
    meaning = {"**/": "(?:.*/)?", "**": ".*", "*": "[^/]*", "?": "[^/]", "{": "(?:", "}": ")"}
    pattern, depth = [], 0
    for token in re.findall(r"\*\*/?|[*?{},]|[^*?{},]+", glob):
        depth += {"{": 1, "}": -1}.get(token, 0)
        if token == ",":
            pattern.append("|" if depth else ",")
        else:
            pattern.append(meaning.get(token, re.escape(token)))
    return re.compile("".join(pattern))


def pages_to_index(output: Path, config: dict) -> list[Path]:
    """The built pages the index is made of, in order: those marked with data-pagefind-body,
    or, when the theme marks nothing (config["marked"] false), those config["pages"] names."""
    if config.get("marked", True):
        return marked_pages(output)
    wanted = glob_pattern(config["pages"])
    return [page for page in sorted(Path(output).rglob("*.html"))
            if wanted.fullmatch(page.relative_to(output).as_posix())]  # fmt: skip


def index_parts(output: str | os.PathLike[str], config: dict,
                pages: list[Path] | None = None) -> IndexStats:  # fmt: skip
    """The search index of the site in `output` (of `pages`, default pages_to_index), in as
    many parts as config["pages_per_part"] asks (see DEFAULTS); the first bundle's parts.json
    names the others. A part is indexed from a folder of links to its pages (same paths, so
    the same addresses in the index)."""
    output = Path(output).resolve()
    bundle = config["bundle"]
    pages = pages_to_index(output, config) if pages is None else pages
    count = max(1, -(-len(pages) // max(1, int(config["pages_per_part"]))))
    names = [bundle, *(f"{bundle}-{n}" for n in range(2, count + 1))]
    if count == 1:
        stats = [build_index(output, bundle, config["timeout"], config["pages"])]
    else:
        size, stats = -(-len(pages) // count), []
        for n, name in enumerate(names):
            part = Path(tempfile.mkdtemp(prefix=f".{output.name}.search-", dir=output.parent))
            try:
                for page in pages[n * size : (n + 1) * size]:
                    _link(page, part / page.relative_to(output))
                stats.append(build_index(part, name, config["timeout"], into=output / name))
            finally:
                shutil.rmtree(part, ignore_errors=True)
    (output / bundle / PARTS).write_text(json.dumps(names[1:]) + "\n", encoding="utf-8")
    return IndexStats(*(sum(getattr(s, f) for s in stats) for f in IndexStats.__dataclass_fields__))


def _link(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:  # another file system: a copy does as well
        shutil.copyfile(source, target)


def build_index(output: str | os.PathLike[str], bundle: str = "pagefind",
                timeout: float = DEFAULTS["timeout"], pages: str = "**/*.{html}",
                into: Path | None = None) -> IndexStats:  # fmt: skip
    """Runs Pagefind on the built site in `output` (the files the glob `pages` names), writing
    the index to output/<bundle>/ (or to the folder `into`).

    Raises SearchIndexError with Pagefind's own words when it fails or takes too long.
    """
    output = Path(output).resolve()
    folder = Path(into).resolve() if into is not None else output / bundle
    command = [sys.executable, "-m", "pagefind", "--site", str(output), "--output-path",
               str(folder), "--glob", pages, "--silent"]  # fmt: skip
    start = time.perf_counter()
    # cwd: Pagefind reads a pagefind.yml/toml/json from its working folder; the built site has
    # none, so the options above are all it uses. A session of its own: on a timeout (or Ctrl+C)
    # the whole group is ended, with any process it started that still holds its output open.
    with subprocess.Popen(command, cwd=output, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, start_new_session=True) as process:  # fmt: skip
        try:
            stdout, stderr = process.communicate(timeout=timeout)
        except BaseException as error:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            if isinstance(error, subprocess.TimeoutExpired):
                raise SearchIndexError(f"Pagefind took more than {timeout:g} seconds") from None
            raise
    seconds = time.perf_counter() - start
    if process.returncode != 0:
        said = " ".join((stderr + stdout).split())[-500:]
        raise SearchIndexError(f"Pagefind exited with status {process.returncode}: {said}")
    entry = folder / "pagefind-entry.json"
    try:
        languages = json.loads(entry.read_text(encoding="utf-8"))["languages"]
    except (OSError, ValueError, KeyError) as error:
        raise SearchIndexError(f"Pagefind wrote no readable {entry.name}: {error}") from error
    for name in UNUSED:
        (folder / name).unlink(missing_ok=True)
    files = [f for f in folder.rglob("*") if f.is_file()]
    return IndexStats(
        pages=sum(language.get("page_count", 0) for language in languages.values()),
        files=len(files),
        bytes=sum(f.stat().st_size for f in files),
        seconds=seconds,
    )


def problem(path: str | None, line: int | None, name: str, subject: str = "", **values) -> None:
    """A problem for the author, through the content checks' channel: a logging record whose
    `content_problem` says which file (None: the site as a whole), line and what to do."""
    message = MESSAGES[name].format(**values)
    where = f"{path}:{line}" if path and line else path or "(site)"
    logger.error("%s: %s", where, message, extra={"content_problem": {
        "path": path, "line": line, "message": message, "subject": subject}})  # fmt: skip


def plan(generators: list) -> list[dict]:
    """The index's folder, claimed whole, for the build's plan of every file it writes
    (content_checks asks through the PLAN signal): a page or redirect inside it is refused."""
    if not generators or not enabled(generators[0].settings):
        return []
    bundle = settings_for(generators[0].settings)["bundle"].strip("/")
    return [{"path": bundle, "folder": True, "source": None, "line": None,
             "what": "the search index"}]  # fmt: skip


def index_site(pelican) -> None:
    """Builds the search index in the folder Pelican has just written."""
    config = settings_for(pelican.settings)
    if config["defer"] or not enabled(pelican.settings):
        return
    try:
        # Printed like Pelican's own "Done: ... in N seconds" line, which follows it (and whose
        # total includes this time): the index's share is timed apart.
        console.print(index_and_say(pelican.output_path, config))
    except (SearchIndexError, OSError) as error:
        problem(None, None, "search-index", subject="search index", error=error)


def index_and_say(output: str | os.PathLike[str], config: dict) -> str:
    """Indexes the site in `output` (index_parts) and says what was done, in one line; the
    build prints it, and so does `make serve`, which indexes after the page has reloaded."""
    output = Path(output).resolve()
    pages = pages_to_index(output, config)
    if not pages:
        # Nothing to index (no published article yet). Pagefind would index every page whole
        # instead, so it is not run: the search page says search is not available.
        return "Search index: no published article to index."
    return f"Search index: {index_parts(output, config, pages)} (Pagefind)."


def register() -> None:
    # initialized: before any template is rendered, so the search page reads the filled-in
    # settings too.
    signals.initialized.connect(fill_in)
    # The build's plan of every file it writes (a named blinker signal, content_checks asks):
    # the index's folder is claimed before anything is written.
    blinker.signal(PLAN).connect(plan)
    # finalized: Pelican has written the whole site into its output folder (build_site's
    # staging folder), which is what Pagefind reads; content_checks, connected after this
    # plugin, then reports a failure with everything else.
    signals.finalized.connect(index_site)
