"""The development server behind `make serve`: build, serve, and rebuild on every save.

It works the way Pelican's own `pelican --autoreload --listen` does: watchfiles (which Pelican
itself uses) says which files changed, and a small static server answers in a thread. What it
adds:

* Every build goes into a staging folder and is put in place only when it succeeded
  (rebalance.build.staging_for, swap_in): a build with problems leaves the last good site.
* The saved page first: when a Markdown file under content/ is saved, a first build in this
  process (a Pelican object from the settings read once, `.run()`, as `pelican -r` does) writes
  only that file's own page(s) (PREVIEW_PAGES: the content checks' writer skips every other
  page, as Pelican's WRITE_SELECTED did until 4.12 removed it). They are moved into the served
  site with the pictures they show, and the page reloads.
* Then the whole site, in a plain subprocess (`python -m pelican`, as `make build` runs it): the
  server keeps answering while it runs, and a newer save stops it and starts again.
* The browser follows: each page it serves carries a small script (serve_files/live.js, never
  in a built page) that reloads the page when it changed, or goes to its new address when a save
  moved it (a draft published, a new Slug).
* Problems in the page: while the last build had problems, every page it serves shows them over
  the last good version (serve_files/problems.html), as the terminal printed them.
* The theme's 404 page for a missing address; a busy port is one line saying what to do.

A change to the settings or to the site's Python restarts the server (os.execv of the same
command): the new code runs from a fresh process, as a new `make serve` would.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import hashlib
import http.server
import io
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from rebalance.build import (
    DEV_SETTINGS,
    HOST,
    OUTPUT,
    PORT,
    ROOT,
    pelican_args,
    read,
    staging_for,
    swap_in,
)

FILES = Path(__file__).resolve().parent / "serve_files"
PREFIX = "/__rebalance__/"  # the server's own addresses; never a page of the site
CHECKS = "rebalance.plugins.content_checks"
# Where a problem's file name leads: an editor's address for a file and line. VS Code's by
# default; e.g. EDITOR_URL="idea://open?file={path}&line={line}", or EDITOR_URL="" for none.
EDITOR_URL = "vscode://file/{path}:{line}"
# A line of content_checks' report: "content/articles/x.md:3: message" or "(site): message".
REPORT_LINE = re.compile(r"^(?P<where>\(site\)|[^\s:][^:]*?)(?::(?P<line>\d+))?: (?P<message>.+)$")
REPORT_END = re.compile(r"^\d+ content problems? in \d+ files?\.")  # the report's last line
# What a preview moves into the served site besides its pages: the files they reference.
REFERENCE = re.compile(r"""(?:src|href)="(/[^"#?]*)"|srcset="([^"]*)\"""")
CONTENT_LISTS = ("articles", "translations", "drafts", "drafts_translations", "hidden_articles",
                 "hidden_translations", "pages", "hidden_pages", "draft_pages",
                 "draft_translations")  # fmt: skip


class PortBusyError(Exception):
    """The port is taken: the message says which and how to choose another."""


@dataclass
class Problem:
    """One line of the report, as the terminal printed it, and the file it is about."""

    where: str
    line: int | None
    message: str
    path: str | None = None

    @property
    def link(self) -> str:
        template = os.environ.get("EDITOR_URL", EDITOR_URL)
        if not template or not self.path:
            return ""
        return template.format(path=urllib.parse.quote(self.path), line=self.line or 1)

    @property
    def place(self) -> str:
        return f"{self.where}{f':{self.line}' if self.line else ''}"

    def __str__(self) -> str:
        return f"{self.place}: {self.message}"


@dataclass
class Outcome:
    """What one build did: its addresses by source file, and the problems it printed."""

    ok: bool
    urls: dict[str, str] = field(default_factory=dict)  # source path -> /address/
    problems: list[Problem] = field(default_factory=list)
    seconds: float = 0.0


@dataclass
class FullBuild:
    """The whole site's build, running in a process of its own into `staging`."""

    process: subprocess.Popen
    staging: Path
    started: float
    printed: list[str] = field(default_factory=list)  # its stderr: the report, for the page
    relay: threading.Thread | None = None


def address(save_as: str) -> str:
    """The address a page saved as `save_as` is served at: blog/x/index.html -> /blog/x/."""
    url = "/" + save_as.replace(os.sep, "/")
    return url[: -len("index.html")] if url.endswith("/index.html") else url


def parse_report(text: str, content: Path) -> list[Problem]:
    """The problems of content_checks' report ("Content problems found: ..." then one line
    each) in what a build printed; paths are relative to the content folder's parent."""
    start = text.rfind("Content problems found")
    if start < 0:
        return []
    problems = []
    for line in text[start:].splitlines()[1:]:
        if REPORT_END.match(line):
            break
        if match := REPORT_LINE.match(line):
            where = match["where"]
            path = None if where == "(site)" else str((content.parent / where).resolve())
            number = int(match["line"]) if match["line"] else None
            problems.append(Problem(where, number, match["message"], path))
    return problems


class _Tee(io.TextIOBase):
    """Writes to the terminal and keeps a copy: the build's report, for the page."""

    def __init__(self, terminal) -> None:
        self.terminal, self.copy = terminal, io.StringIO()

    def write(self, text: str) -> int:
        self.copy.write(text)
        return self.terminal.write(text)

    def flush(self) -> None:
        self.terminal.flush()


def writer_class():
    """Pelican's Writer, subclassed through its public methods: only the selected pages."""
    from pelican.writers import Writer

    class Selected(Writer):
        def selected(self, name: str) -> bool:
            wanted = self.settings.get("PREVIEW_PAGES")
            return wanted is None or os.path.abspath(os.path.join(self.output_path, name)) in wanted

        def write_file(self, name, *args, **kwargs):
            if name and self.selected(name):
                return super().write_file(name, *args, **kwargs)
            return None

        def write_feed(self, *args, **kwargs):
            return (
                None
                if self.settings.get("PREVIEW_PAGES") is not None
                else super().write_feed(*args, **kwargs)
            )

    return Selected


class Channel(logging.Handler):
    """The problems plugins report while a preview runs (THE PROBLEM CHANNEL: a log record
    carrying `content_problem`), about the files being previewed: shown at once, before the
    full build and its checks confirm them."""

    def __init__(self, sources: list[str], content: Path) -> None:
        super().__init__(logging.WARNING)
        self.sources, self.content = set(sources), content
        self.problems: list[Problem] = []

    def emit(self, record: logging.LogRecord) -> None:
        problem = getattr(record, "content_problem", None)
        path = problem.get("path") if isinstance(problem, dict) else None
        if path and os.path.abspath(path) in self.sources:
            where = os.path.relpath(os.path.abspath(path), self.content.parent)
            line = problem.get("line") if isinstance(problem.get("line"), int) else None
            found = Problem(where, line, str(problem.get("message", "")), os.path.abspath(path))
            if found not in self.problems:
                self.problems.append(found)


def image_defaults() -> dict:
    """plugins/images' defaults (IMAGES), or none if it has none to give."""
    import importlib

    try:
        module = importlib.import_module("rebalance.plugins.images.images")
    except ImportError:
        return {}
    return getattr(module, "DEFAULTS", {})


class Builder:
    """Builds the site in this process, one Pelican object per build, as `pelican -r` does."""

    def __init__(self, settings: dict, output: Path) -> None:
        from pelican import signals

        self.settings, self.output = settings, output
        self.content = Path(settings["PATH"])
        self.urls: dict[str, str] = {}  # of the last good full build
        self.writer = writer_class()
        self.mapped: dict[str, str] = {}
        self.selecting: list[str] = []  # the saved files whose pages a preview writes
        # Connected once, for this server's builds only (weak=False: bound methods).
        # all_generators_finalized: every article and page knows its save_as; a preview selects
        # the pages of the saved files, by their address in this very build.
        signals.all_generators_finalized.connect(self.addresses, weak=False)
        # get_writer: a preview's pages only (a full build leaves the writer to the plugins).
        signals.get_writer.connect(self.preview_writer, weak=False)

    def addresses(self, generators) -> None:
        settings = generators[0].settings
        urls = {}
        for generator in generators:
            for name in CONTENT_LISTS:
                for item in getattr(generator, name, None) or []:
                    if getattr(item, "save_as", ""):
                        urls[os.path.abspath(item.source_path)] = item.save_as
        self.mapped = {path: address(save_as) for path, save_as in urls.items()}
        if "PREVIEW_PAGES" in settings:  # a preview
            output = settings["OUTPUT_PATH"]
            settings["PREVIEW_PAGES"] = {
                os.path.abspath(os.path.join(output, urls[source]))
                for source in self.selecting
                if source in urls
            }

    def preview_writer(self, pelican):
        """A preview's writer, for a site without the content checks (whose writer writes
        PREVIEW_PAGES only itself: two writers would be one too many for Pelican)."""
        if CHECKS in (pelican.settings.get("PLUGINS") or ()):
            return None
        return self.writer if "PREVIEW_PAGES" in pelican.settings else None

    def run(self, into: Path, preview: list[str] | None = None, cached: bool = True) -> Outcome:
        """One Pelican build into `into` (a preview of `preview`'s pages when given)."""
        from pelican import Pelican

        settings = {**self.settings, "OUTPUT_PATH": str(into), "LOAD_CONTENT_CACHE": cached}
        if preview is not None:
            # With the checks: a mistake in the saved file is on screen with its page (their
            # writer writes only PREVIEW_PAGES, and they leave out the links between pages, a
            # preview's few pages linking to pages it does not write). The same settings for
            # every preview (which pages: self.selecting, and PREVIEW_PAGES, filled in once the
            # addresses are known), so that a content cache keyed by the settings
            # (plugins/build_cache) is one for all previews.
            self.selecting = list(preview)
            settings.update(
                STATIC_CREATE_LINKS=True,  # links, not copies: a preview moves in a few only
                PREVIEW_PAGES=set(),
                SEARCH_INDEX={**settings.get("SEARCH_INDEX", {}), "defer": True},
            )
            # Pictures as JPEG only (the fallback every browser shows): a new photo is on
            # screen once its JPEG sizes are encoded; AVIF and WebP follow with the full build.
            # (The plugin's defaults for what the settings leave out: its public DEFAULTS.)
            images = settings.get("IMAGES") or {}
            formats = images.get("formats") or image_defaults().get("formats") or {}
            if "jpeg" in formats:
                settings["IMAGES"] = {**images, "formats": {"jpeg": formats["jpeg"]}}
        self.mapped = {}
        started = time.perf_counter()
        tee = _Tee(sys.stderr)
        channel = Channel(preview or [], self.content)
        logging.getLogger().addHandler(channel)
        error = None
        with contextlib.redirect_stderr(tee):
            try:
                Pelican(settings).run()
            except Exception as exc:  # noqa: BLE001 - reported as the build's problem
                error = exc
            finally:
                logging.getLogger().removeHandler(channel)
        outcome = Outcome(error is None, dict(self.mapped), channel.problems)
        outcome.seconds = time.perf_counter() - started
        if error is not None:
            outcome.problems = parse_report(tee.copy.getvalue(), self.content)
            saved = {os.path.abspath(p) for p in preview or ()}
            mine = [p for p in outcome.problems if p.path and os.path.abspath(p.path) in saved]
            if preview is not None and outcome.problems and not mine:
                # The checks failed the preview for other files only (shown since the last
                # full build): the saved file's pages are written and sound.
                outcome.ok, outcome.problems = True, []
                return outcome
            if not outcome.problems:
                message = " ".join(str(error).split()) or type(error).__name__
                shown = f"The build stopped: {message}"
                print(f"(site): {shown}", file=sys.stderr)
                outcome.problems = [Problem("(site)", None, shown)]
        return outcome


class State:
    """What the browsers are told: a version number per change of the served site, the
    problems of the last build, and the addresses that moved."""

    def __init__(self) -> None:
        self.changed = threading.Condition()
        self.server = uuid.uuid4().hex[:8]  # a restarted server: every page reloads
        self.version = 0
        self.problems: list[Problem] = []
        self.moved: dict[str, str] = {}
        self.unchanged: list[str] = []
        self.closing = False

    def publish(self, problems=None, moved=None, unchanged=None) -> None:
        with self.changed:
            self.version += 1
            self.problems = list(problems or [])
            self.moved = dict(moved or {})
            self.unchanged = list(unchanged or [])
            self.changed.notify_all()

    def message(self) -> dict:
        return {
            "server": self.server,
            "version": self.version,
            "moved": self.moved,
            "unchanged": self.unchanged,
            "problems": [str(p) for p in self.problems],
        }


@functools.cache
def _overlay_template():
    from jinja2 import Environment, FileSystemLoader

    environment = Environment(loader=FileSystemLoader(FILES), autoescape=True)
    return environment.get_template("problems.html")


def dev_markup(state: State) -> bytes:
    """What the server adds before </body> of each page: the problems, then the script."""
    problems = _overlay_template().render(problems=state.problems) if state.problems else ""
    script = (f'<script src="{PREFIX}live.js" data-version="{state.version}" '
              f'data-server="{state.server}"></script>')  # fmt: skip
    return (problems + script).encode()


class Handler(http.server.SimpleHTTPRequestHandler):
    """The built site as a static host serves it (404.html for a missing address, no listing),
    revalidated on every load, with the development script (and problems) added to each page."""

    state: State  # set per server by DevServer
    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".html": "text/html; charset=utf-8",
        ".js": "text/javascript; charset=utf-8",
        ".xml": "application/xml",
        ".webp": "image/webp",
        ".avif": "image/avif",
    }

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-cache")  # asked again each time: 304 if unchanged
        super().end_headers()

    def do_GET(self) -> None:  # noqa: N802 - the base class's name
        path = urllib.parse.urlsplit(self.path).path
        if path == PREFIX + "events":
            return self.events()
        if path == PREFIX + "live.js":
            return self.send_body(200, (FILES / "live.js").read_bytes(), "text/javascript")
        return super().do_GET()

    def send_head(self):
        path = self.translate_path(self.path)
        if os.path.isdir(path) and self.path.split("?", 1)[0].endswith("/"):
            path = os.path.join(path, "index.html")
        if path.endswith(".html") and os.path.isfile(path):
            return self.page(200, path)
        return super().send_head()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None):
        page = os.path.join(self.directory, "404.html")
        if code == 404 and not os.path.isfile(page):  # no site yet: the first build failed
            page = str(FILES / "unbuilt.html")
        if code != 404:
            return super().send_error(code, message, explain)
        body = self.page(404, page)
        if body is not None and self.command != "HEAD":
            self.wfile.write(body.read())

    def list_directory(self, path):  # type: ignore[override]
        self.send_error(404)  # static hosts don't list folders without an index.html

    def page(self, status: int, path: str):
        try:
            html = Path(path).read_bytes()
        except OSError:  # swapped away between the check and the read: the new site has it
            html = b""
        end = html.rfind(b"</body>")
        end = len(html) if end < 0 else end
        body = html[:end] + dev_markup(self.state) + html[end:]
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)

    def send_body(self, status: int, body: bytes, kind: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", f"{kind}; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def events(self) -> None:
        """Server-sent events: the state now, then on each change (a comment every 15 s keeps
        the connection open)."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        state, seen = self.state, None

        def news() -> bool:
            return state.version != seen or state.closing

        try:
            while True:
                with state.changed:
                    state.changed.wait_for(news, 15)
                    if state.closing:
                        return
                    message = state.message() if state.version != seen else None
                    seen = state.version
                text = f"data: {json.dumps(message)}\n\n" if message else ": still here\n\n"
                self.wfile.write(text.encode())
                self.wfile.flush()
        except OSError:  # the tab was closed or reloaded
            return


class SiteServer(http.server.ThreadingHTTPServer):
    """One thread per request (the browsers' event streams stay open); a restarted server binds
    its port again at once."""

    allow_reuse_address = True
    daemon_threads = True


def listen(host: str, port: int, output: Path, state: State) -> SiteServer:
    """Binds the server (before any build: a busy port is known at once); serve_forever() later."""
    handler = functools.partial(
        type("SiteHandler", (Handler,), {"state": state}), directory=str(output)
    )
    try:
        server = SiteServer((host, port), handler)
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise PortBusyError(
                f"Port {port} is already in use (another `make serve`?): stop that one, or "
                f"choose another port: make serve PORT={port + 1}"
            ) from None
        raise PortBusyError(f"Cannot serve on {host}:{port}: {error.strerror}.") from None
    return server


class DevServer:
    """`make serve`: builds, serves, watches, rebuilds; see the module's docstring."""

    def __init__(
        self,
        host: str = HOST,
        port: int = PORT,
        content: str = "",
        output: Path = OUTPUT,
        restart: bool = True,
    ) -> None:
        self.host, self.port, self.restarts = host, int(port), restart
        self.base = f"http://{host}:{self.port}"
        overrides = {"FEED_DOMAIN": self.base, "CACHE_CONTENT": True}
        if content:
            overrides["PATH"] = str(Path(content).resolve())
        self.overrides = overrides
        self.settings = read(DEV_SETTINGS, overrides)
        self.output = Path(output).resolve()
        self.content = Path(self.settings["PATH"]).resolve()
        # Caches of its own, per content folder: a `make build` or `make check` meanwhile
        # (whose content cache has the same file names) never swaps this server's for its own.
        # Another content folder (tests, bench/) keeps its caches beside the output, not here.
        key = hashlib.sha256(str(self.content).encode()).hexdigest()[:10]
        caches = Path(self.settings["CACHE_PATH"]) / "serve" / key
        if not self.content.is_relative_to(ROOT):
            caches = self.output.parent / f".{self.output.name}.cache"
        self.settings["CACHE_PATH"] = str(caches)
        self.overrides["CACHE_PATH"] = self.settings["CACHE_PATH"]
        # Each build has a Jinja environment of its own (Pelican makes one per run): compiled
        # templates are kept on disk (by name and source), not compiled again on every save.
        from jinja2 import FileSystemBytecodeCache

        compiled = Path(self.settings["CACHE_PATH"]) / "templates"
        compiled.mkdir(parents=True, exist_ok=True)
        self.settings["JINJA_ENVIRONMENT"] = {
            **self.settings["JINJA_ENVIRONMENT"],
            "bytecode_cache": FileSystemBytecodeCache(str(compiled)),
        }
        self.state = State()
        self.builder = Builder(self.settings, self.output)
        self.watching = False
        self.previewed: dict[Path, Path] = {}  # served file -> the one it replaced (None: new)
        self.previewed_urls: set[str] = set()  # addresses previewed since the last full build
        self.pending: FullBuild | None = None  # the full build running, if one is

    # --- building -------------------------------------------------------------------------
    def full_build(self, cached: bool = True) -> bool:
        """The whole site, built and put in place (or its problems shown); waits for it."""
        self.start_full_build(cached)
        self.pending.process.wait()
        return self.finish_full_build()

    def start_full_build(self, cached: bool = True) -> None:
        """Starts the whole site's build in a process of its own (`python -m pelican`, as
        `make build` runs it), so the server keeps answering and a new save can stop it."""
        self.cancel_full_build()
        staging = staging_for(self.output)
        overrides = {**self.overrides, **({} if cached else {"LOAD_CONTENT_CACHE": False})}
        command = [sys.executable, "-m", "pelican", *pelican_args(DEV_SETTINGS, staging, overrides)]
        process = subprocess.Popen(command, cwd=ROOT, stderr=subprocess.PIPE, text=True)
        build = FullBuild(process, staging, time.perf_counter())

        def relay() -> None:  # what it prints reaches the terminal, and is kept for the page
            for line in process.stderr:
                sys.stderr.write(line)
                build.printed.append(line)

        build.relay = threading.Thread(target=relay, daemon=True, name="full-build")
        build.relay.start()
        self.pending = build

    def cancel_full_build(self) -> None:
        """A newer save makes the running full build useless: it is stopped and thrown away."""
        build, self.pending = self.pending, None
        if build is not None:
            build.process.terminate()
            build.process.wait()
            build.relay.join(timeout=5)
            shutil.rmtree(build.staging, ignore_errors=True)

    def finish_full_build(self) -> bool:
        """The full build has ended: put in place, or its problems shown over the last good
        site (the previews taken back)."""
        build, self.pending = self.pending, None
        build.relay.join(timeout=5)
        seconds = time.perf_counter() - build.started
        try:
            if build.process.returncode != 0:
                printed = "".join(build.printed)
                problems = parse_report(printed, self.content)
                if not problems:
                    last = printed.strip().splitlines()[-1:] or ["no message"]
                    shown = f"The build stopped: {' '.join(last[0].split())}"
                    print(f"(site): {shown}", file=sys.stderr)
                    problems = [Problem("(site)", None, shown)]
                taken_back = bool(self.previewed)
                self.take_back_preview()
                # The preview showed these already, over the same page: nothing to reload.
                if taken_back or problems != self.state.problems:
                    self.state.publish(problems=problems)
                print(f"Still serving the last good build: fix the problem"
                      f"{'s' * (len(problems) != 1)} above and save; the page in the "
                      "browser shows them too.", flush=True)  # fmt: skip
                return False
            same = [url for url in self.previewed_urls if self.same_as_served(build.staging, url)]
            swap_in(build.staging, self.output, self.settings.get("OUTPUT_RETENTION", []))
            self.forget_preview()
            self.state.publish(unchanged=same)
            print(f"Rebuilt in {seconds:.2f} s.", flush=True)
            return True
        finally:
            shutil.rmtree(build.staging, ignore_errors=True)

    def preview(self, sources: list[str]) -> list[str]:
        """The saved files' own pages first: built, moved in, the browsers told. Returns their
        addresses (none if the preview failed: the full build follows anyway)."""
        staging = staging_for(self.output)
        try:
            outcome = self.builder.run(staging, preview=sources)
            urls = [outcome.urls[s] for s in sources if s in outcome.urls]
            # The last build's problems about other files stand until the full build has run.
            others = [p for p in self.state.problems if p.path not in sources]
            if outcome.problems:  # the page stays as it was, the problems show
                found = outcome.problems + [p for p in others if p not in outcome.problems]
                self.state.publish(problems=found)
                print("Problems found in the preview, shown in the page (the full build "
                      "follows, with every check):", flush=True)  # fmt: skip
                for problem in outcome.problems:
                    print(f"  {problem}", flush=True)
                return []
            if not outcome.ok or not urls:
                return []
            files = [self.file_for(staging, url) for url in urls]
            files = [f for f in files if f.is_file()]
            if not files:
                return []
            for file in dict.fromkeys(files + self.references(staging, files)):
                self.put_in_place(staging, file)
            self.state.publish(moved=self.moves(outcome.urls), problems=others)
            self.builder.urls = outcome.urls
            self.previewed_urls.update(urls)
            for url in urls:
                print(f"Preview: {self.base}{url} ({outcome.seconds:.2f} s)", flush=True)
            return urls
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    def warm_up(self) -> None:
        """A preview that writes no page: it reads every article as a preview does, so that
        the first save's preview finds them in the content cache."""
        staging = staging_for(self.output)
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                outcome = self.builder.run(staging, preview=[])
            self.builder.urls = outcome.urls  # every page's address, to see which ones move
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    @staticmethod
    def file_for(folder: Path, url: str) -> Path:
        relative = urllib.parse.unquote(url).lstrip("/")
        return folder / (relative + "index.html" if relative.endswith("/") or not relative
                         else relative)  # fmt: skip

    def same_as_served(self, staging: Path, url: str) -> bool:
        new, old = self.file_for(staging, url), self.file_for(self.output, url)
        return new.is_file() and old.is_file() and new.read_bytes() == old.read_bytes()

    def references(self, staging: Path, pages: list[Path]) -> list[Path]:
        """The local files the pages load (pictures and their variants) that the preview wrote
        and the served site does not have: a page is shown with its pictures, or not at all."""
        found = []
        for page in pages:
            for single, sources in REFERENCE.findall(page.read_text(encoding="utf-8")):
                urls = [single] if single else [c.split()[0] for c in sources.split(",") if c]
                for url in urls:
                    file = self.file_for(staging, url)
                    if url.startswith("/") and file.is_file():
                        served = self.output / file.relative_to(staging)
                        if not served.is_file() or served.stat().st_size != file.stat().st_size:
                            found.append(file)
        return found

    def put_in_place(self, staging: Path, file: Path) -> None:
        target = self.output / file.relative_to(staging)
        if target not in self.previewed:
            keep = None
            if target.exists():
                keep = self.backup() / file.relative_to(staging)
                keep.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(target, keep)
            self.previewed[target] = keep
        target.parent.mkdir(parents=True, exist_ok=True)
        if file.is_symlink():  # a static file linked across file systems: its bytes
            shutil.copyfile(file.resolve(), target)
        else:
            os.replace(file, target)

    def backup(self) -> Path:
        folder = self.output.parent / f".{self.output.name}.before-preview"
        folder.mkdir(exist_ok=True)
        return folder

    def take_back_preview(self) -> None:
        """The full build failed: the served site is the last good build again."""
        for target, keep in self.previewed.items():
            if keep is None:
                target.unlink(missing_ok=True)
            else:
                os.replace(keep, target)
        self.forget_preview()

    def forget_preview(self) -> None:
        self.previewed, self.previewed_urls = {}, set()
        shutil.rmtree(self.output.parent / f".{self.output.name}.before-preview",
                      ignore_errors=True)  # fmt: skip

    def moves(self, urls: dict[str, str]) -> dict[str, str]:
        """Old address -> new, for each page whose address this build changed."""
        old = self.builder.urls
        return {old[s]: url for s, url in urls.items() if s in old and old[s] != url}

    # --- watching -------------------------------------------------------------------------
    def watched(self) -> list[Path]:
        theme = Path(self.settings["THEME"])
        return [p for p in (self.content, theme, DEV_SETTINGS, ROOT / "rebalance") if p.exists()]

    def needs_restart(self, path: Path) -> bool:
        """Settings and the site's Python are loaded once per process: a change restarts."""
        return path == DEV_SETTINGS or (
            path.suffix == ".py" and path.is_relative_to(ROOT / "rebalance")
        )

    def changed(self, changes) -> None:
        from watchfiles import Change

        paths = {Path(p) for _, p in changes}
        if self.restarts and any(self.needs_restart(p) for p in paths):
            print("The settings or the site's code changed: restarting the server.", flush=True)
            self.restart()
        # A new folder's files may be written before the watcher sees into it: all of them.
        written = {Path(p) for kind, p in changes if kind != Change.deleted}
        written |= {f for p in written if p.is_dir() for f in p.rglob("*.md")}
        saved = sorted(
            str(p)
            for p in written
            if p.suffix == ".md" and p.is_relative_to(self.content) and p.is_file()
        )
        shown = ", ".join(sorted(self.shown(p) for p in paths))
        print(f"Saved: {shown}", flush=True)
        self.cancel_full_build()  # built from files that changed since: of no use now
        try:
            if saved:
                self.preview(saved)
        except OSError as error:  # e.g. a file deleted under it: the full build follows
            print(f"No preview this time ({error.strerror}): building the whole site.")
        self.start_full_build()

    def shown(self, path: Path) -> str:
        return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)

    def restart(self) -> None:
        self.cancel_full_build()
        self.state.closing = True
        with self.state.changed:
            self.state.changed.notify_all()
        self.httpd.server_close()
        sys.stdout.flush()
        # The same command: `invoke serve …` (make serve), or `python -m invoke serve …`, whose
        # argv[0] is invoke's __main__.py, run again as a module, not as a script.
        main = ["-m", "invoke"] if sys.argv[0].endswith("__main__.py") else [sys.argv[0]]
        os.execv(sys.executable, [sys.executable, *main, *sys.argv[1:]])

    def run(self) -> None:
        """Binds the port, builds, serves, and rebuilds on each change until Ctrl+C."""
        from pelican.log import init as init_logging
        from watchfiles import watch

        self.httpd = listen(self.host, self.port, self.output, self.state)
        init_logging(level=logging.WARNING, name="pelican")
        count = sum(1 for _ in self.content.rglob("*.md"))
        print(f"Building the site from {self.shown(self.content)} ({count} Markdown files): "
              f"about {max(2, count // 40)} s the first time, well under a second for each "
              "save after that.", flush=True)  # fmt: skip
        if not self.full_build(cached=False):
            print("The site has problems (listed above): serving what could be built.")
        self.warm_up()
        self.output.mkdir(parents=True, exist_ok=True)
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.1},
                         daemon=True, name="serve").start()  # fmt: skip
        # Every 50 ms without a change, a look at the full build running meanwhile.
        watching = watch(
            *self.watched(), debounce=400, step=30, yield_on_timeout=True, rust_timeout=50
        )
        try:
            for changes in watching:
                if not self.watching:  # the first (empty) batch: the watcher is running
                    self.watching = True
                    print(f"Serving {self.base}/ (Ctrl+C to stop). Each save rebuilds the site "
                          "and reloads the page.", flush=True)  # fmt: skip
                if changes:
                    self.changed(changes)
                elif self.pending is not None and self.pending.process.poll() is not None:
                    self.finish_full_build()
        except KeyboardInterrupt:
            pass
        finally:
            self.cancel_full_build()
            self.state.closing = True
            self.httpd.shutdown()
            self.httpd.server_close()


def screenshot_problems(path: Path, content: Path | None = None) -> Path:
    """Saves to `path` what an author sees under `make serve` after a save with mistakes: a copy
    of the site's newest article given a misspelt header line and a link to a page that does not
    exist, built for real by this server, its problems shown over the last good page in Chromium
    (docs/authoring.md shows it; `invoke screenshots` calls this)."""
    import tempfile

    from playwright.sync_api import sync_playwright

    from rebalance.browser import CHROMIUM, CHROMIUM_ARGS

    with tempfile.TemporaryDirectory(prefix="rebalance-overlay-") as tmp:
        copy = Path(tmp) / "content"
        shutil.copytree(content or ROOT / "content", copy)
        article = max((copy / "articles").glob("*.md"))  # YYYY-MM-DD-…: the newest
        with socket_port() as port:
            server = DevServer(HOST, port, str(copy), Path(tmp) / "output", restart=False)
        server.httpd = listen(server.host, server.port, server.output, server.state)
        serving = None
        try:
            if not server.full_build(cached=False):
                raise SystemExit(f"{article.name} does not build as it is: nothing to show")
            server.warm_up()  # every page's address
            good = article.read_text(encoding="utf-8")
            mistakes = re.sub(r"(?m)^Title:", "Catgory: Treatments\nTitle:", good, count=1)
            mistakes += "\nMore in [our exercises page](/blog/exercises-for-knees/).\n"
            article.write_text(mistakes, encoding="utf-8")
            server.full_build()
            url = server.base + server.builder.urls[str(article.resolve())]
            serving = threading.Thread(target=server.httpd.serve_forever, daemon=True)
            serving.start()
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                try:
                    page = browser.new_page(viewport={"width": 1100, "height": 760})
                    page.goto(url)
                    page.locator("aside.rebalance-problems").wait_for()
                    path.parent.mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=path)
                finally:
                    browser.close()
        finally:
            server.state.closing = True
            if serving is not None:
                server.httpd.shutdown()
            server.httpd.server_close()
    return path


@contextlib.contextmanager
def socket_port():
    """A port free on HOST just now (the server binds it again right after)."""
    import socket

    with socket.socket() as sock:
        sock.bind((HOST, 0))
        yield sock.getsockname()[1]
