"""Tasks for the Rebalance site: `invoke --list` (or `make help`) shows them.

Every build goes through build_site(): Pelican writes into a fresh folder beside output/ (and
its plugins finish there: the search index is built in it), and output/ is replaced only when
the whole build succeeded. A failed build leaves the last good
site exactly as it was, so `make serve` keeps serving it and nothing half-built is published.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from invoke import Exit, task

ROOT = Path(__file__).resolve().parent
OUTPUT = ROOT / "output"
DEV_SETTINGS = ROOT / "pelicanconf.py"
PUBLISH_SETTINGS = ROOT / "publishconf.py"
HOST, PORT = "127.0.0.1", 8000


def _settings(settings_file: Path) -> dict:
    """The Pelican settings a build with settings_file would use."""
    from pelican.settings import read_settings

    return read_settings(str(settings_file))


def _swap_in(new: Path, output: Path, retention: list[str]) -> None:
    """Replaces output/ with new/, carrying over the entries named in OUTPUT_RETENTION."""
    if output.exists():
        for name in retention:
            if (output / name).exists() and not (new / name).exists():
                shutil.move(str(output / name), str(new / name))
        trash = Path(tempfile.mkdtemp(prefix=f".{output.name}.old-", dir=output.parent))
        output.rename(trash / output.name)
        new.rename(output)
        _delete_later(list(output.parent.glob(f".{output.name}.old-*")))
    else:
        new.rename(output)


def _delete_later(folders: list[Path]) -> None:
    """Deletes the folders old sites were moved into (the last, and any a stopped machine left
    behind) in a process of its own: the new site is in place already, and deleting thousands
    of files takes longer than building a page (0.75 s at 1,000 articles here). Without fork,
    here and now."""
    if not hasattr(os, "fork"):
        for folder in folders:
            shutil.rmtree(folder, ignore_errors=True)
        return
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid:
        os.waitpid(pid, 0)  # the child's child deletes; nothing is left to wait for
        return
    try:  # the child: a child of its own does the work, unwaited for, and this one ends
        if os.fork() == 0:
            for folder in folders:
                shutil.rmtree(folder, ignore_errors=True)
    finally:
        os._exit(0)


_LOADED: dict[str, int] = {}  # the project's modules this process loaded: file -> mtime


def _project_files() -> dict[str, str]:
    """The project's own modules loaded in this process (not the virtualenv's, which may be
    inside the project's folder): name -> file."""
    ours, venv = f"{ROOT}{os.sep}", f"{Path(sys.prefix).resolve()}{os.sep}"
    files = {name: str(getattr(module, "__file__", None) or "")
             for name, module in list(sys.modules.items())}  # fmt: skip
    return {n: f for n, f in files.items() if f.startswith(ours) and not f.startswith(venv)}


def _mtime(file: str) -> int:
    try:
        return os.stat(file).st_mtime_ns
    except OSError:
        return -1


def _fork_pelican(args: list[str], quiet: bool = False, nice: int = 0) -> int:
    """Starts `python -m pelican args` in a child forked from this process, which has Python,
    the libraries and the plugins already loaded (see _warm_up): a rebuild starts in
    milliseconds instead of half a second. If a file of the project's own code (plugins,
    tasks) changed since it was loaded, the child loads all of them afresh, so an edit counts
    on the next build. Returns the child's pid. quiet: the child prints nothing. nice: lowers
    its priority (os.nice), so that the server and the browser come first."""
    # A module of the project this process loaded since _warm_up (a tool's own, say): as its
    # file is now, so that only a later edit makes the child load the project's code afresh.
    for file in _project_files().values():
        _LOADED.setdefault(file, _mtime(file))
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the child: one build, then exit without running the parent's cleanup
        code = 1
        try:
            if quiet:
                for fd in (1, 2):
                    os.dup2(os.open(os.devnull, os.O_WRONLY), fd)
            if nice:
                os.nice(nice)
            os.chdir(ROOT)
            loaded = _project_files()
            if any(_mtime(file) != _LOADED.get(file) for file in loaded.values()):
                for name in loaded:
                    del sys.modules[name]
            _forget_receivers()
            from pelican import main

            main(args)
            code = 0
        except SystemExit as error:
            code = error.code if isinstance(error.code, int) else int(error.code is not None)
        except BaseException:  # noqa: BLE001 - shown, and the build counts as failed
            import traceback

            traceback.print_exc()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    return pid


def _forget_receivers() -> None:
    """Disconnects what a Pelican run in this process connected to Pelican's signals (its
    plugins' register()), so that a build in a forked child runs its own plugins only, once."""
    import weakref

    from blinker import Signal
    from pelican import signals

    for signal in vars(signals).values():
        if isinstance(signal, Signal):
            for ref in list(signal.receivers.values()):
                receiver = ref() if isinstance(ref, weakref.ref) else ref
                if receiver is not None:
                    signal.disconnect(receiver)


def _run_forked(args: list[str], quiet: bool = False) -> int:
    """`python -m pelican args` in a forked child (_fork_pelican); its exit status."""
    return os.waitstatus_to_exitcode(os.waitpid(_fork_pelican(args, quiet), 0)[1])


def _warm_up() -> None:
    """Loads the libraries and plugins every build uses, once, for the builds _fork_pelican
    starts."""
    import importlib

    import feedgenerator  # noqa: F401
    import markdown.extensions.extra  # noqa: F401
    import markdown.extensions.meta  # noqa: F401
    import markdown.extensions.toc  # noqa: F401
    import pelican.generators  # noqa: F401
    import pelican.plugins.neighbors  # noqa: F401
    import pelican.plugins.related_posts  # noqa: F401
    import pelican.plugins.sitemap  # noqa: F401
    import PIL.ImageDraw  # noqa: F401
    import selectolax.lexbor  # noqa: F401
    import typogrify.filters  # noqa: F401

    settings = _settings(DEV_SETTINGS)
    folders = [str(ROOT / p) for p in settings.get("PLUGIN_PATHS", [])]
    sys.path[:0] = [f for f in folders if f not in sys.path]
    for name in settings["PLUGINS"]:
        if any(os.path.isdir(os.path.join(f, name)) for f in folders):
            importlib.import_module(name)  # imported only: no signal is connected here
    _LOADED.update((file, _mtime(file)) for file in _project_files().values())


def _begin(settings_file: Path, output: Path, overrides: dict | None) -> tuple[Path, list[str]]:
    """A fresh staging folder beside `output` (one file system: the final rename is a cheap
    move), and the Pelican arguments that build into it."""
    output.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{output.name}.building-", dir=output.parent))
    command = ["--settings", str(settings_file), "--output", str(staging),
               "--delete-output-directory"]  # fmt: skip
    if overrides:  # one -e flag with every KEY=JSON pair: a second -e would replace the first
        command += ["--extra-settings", *(f"{k}={json.dumps(v)}" for k, v in overrides.items())]
    return staging, command


def _end(settings_file: Path, output: Path, staging: Path, returncode: int) -> bool:
    """Puts a successful build in place of `output`; a failed one is thrown away."""
    try:
        if returncode != 0:
            print(f"\nBuild failed: {output} was left as it was.", file=sys.stderr)
            return False
        _swap_in(staging, output, _settings(settings_file).get("OUTPUT_RETENTION", []))
        return True
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def build_site(
    settings_file: Path = DEV_SETTINGS,
    output: Path = OUTPUT,
    overrides: dict | None = None,
    fork: bool = False,
) -> bool:
    """Builds the site into `output` atomically; returns False (output untouched) on failure.

    `overrides` are extra Pelican settings (e.g. another content PATH, for tests). fork: build
    in a child forked from this process (where os.fork exists), as `make serve` does.
    """
    output = Path(output).resolve()
    staging, command = _begin(settings_file, output, overrides)
    try:
        if fork and hasattr(os, "fork"):
            returncode = _run_forked(command)
        else:
            command = [sys.executable, "-m", "pelican", *command]
            returncode = subprocess.run(command, cwd=ROOT, check=False).returncode
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return _end(settings_file, output, staging, returncode)


class Preview:
    """The pages of the files an author saved, built with the whole site's context and put into
    the served output/ at once, while the full build runs (`make serve`). revert() puts back
    what output/ had, if the full build fails; the full build's output replaces it all if not."""

    def __init__(self, output: Path, staging: Path, pages: list[str]) -> None:
        self.output, self.pages = output, pages
        self.backup = Path(tempfile.mkdtemp(prefix=f".{output.name}.preview-", dir=output.parent))
        self.added: list[Path] = []
        self.replaced: list[tuple[Path, Path]] = []
        for page in pages:
            new, old, kept = staging / page, output / page, self.backup / page
            if old.exists():
                kept.parent.mkdir(parents=True, exist_ok=True)
                os.replace(old, kept)
                self.replaced.append((old, kept))
            else:
                old.parent.mkdir(parents=True, exist_ok=True)
                self.added.append(old)
            os.replace(new, old)  # each page whole: a reader never sees half of one

    def revert(self) -> None:
        for path in self.added:
            path.unlink(missing_ok=True)
        for path, kept in self.replaced:
            os.replace(kept, path)
        self.discard()

    def discard(self) -> None:
        shutil.rmtree(self.backup, ignore_errors=True)


def preview_site(
    sources: list[Path], settings_file: Path, output: Path, overrides: dict | None = None
) -> Preview | None:
    """The pages of `sources` (Markdown files just saved) rebuilt into the served `output`
    without waiting for the rest of the site (plugins/build_cache's PREVIEW): forked and quiet,
    as `make serve` runs it. None when there is nothing to preview or the preview failed: the
    full build, which follows every preview, reports and decides."""
    if not hasattr(os, "fork") or not output.is_dir():
        return None
    extra = {**(overrides or {}), "PREVIEW": [str(p) for p in sources]}
    staging, command = _begin(settings_file, output, extra)
    try:
        if _run_forked(command, quiet=True) != 0:
            return None
        from build_cache.build_cache import PREVIEW_LIST

        pages = json.loads((staging / PREVIEW_LIST).read_text(encoding="utf-8"))
        return Preview(output, staging, pages) if pages else None
    finally:
        shutil.rmtree(staging, ignore_errors=True)


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
        clean_output_dir(output, _settings(DEV_SETTINGS).get("OUTPUT_RETENTION", []))
    shutil.rmtree(ROOT / "cache", ignore_errors=True)


@task(
    help={
        "port": f"port to serve on (default {PORT})",
        "content": "another content folder (default: the PATH setting, content/)",
        "output": "folder to build into and serve (default output/)",
    }
)
def serve(c, host=HOST, port=PORT, content="", output=str(OUTPUT)):
    """Build, serve on http://127.0.0.1:8000/ and rebuild + reload the browser on every edit."""
    from livereload import Server
    from livereload.handlers import LiveReloadHandler
    from livereload.watcher import Watcher
    from tornado import ioloop

    class QuickWatcher(Watcher):
        """livereload's watcher, looking for saved files every 0.1 s instead of every 0.8 s."""

        def start(self, callback) -> bool:
            ioloop.PeriodicCallback(callback, 100).start()
            return True  # livereload then starts no polling of its own

    settings = _settings(DEV_SETTINGS)
    # The feeds' addresses are absolute (FEED_DOMAIN): make them this server's, whatever its port.
    # The search index is built after the browser has reloaded (index_search), not before.
    search = {**settings["SEARCH_INDEX"], "defer": True}
    from search_index.search_index import SearchIndexError, index_and_say, settings_for

    config = settings_for(settings)
    overrides = {"FEED_DOMAIN": f"http://{host}:{port}", "SEARCH_INDEX": search}
    if content:
        overrides["PATH"] = str(Path(content).resolve())
    output_path = Path(output).resolve()
    indexing: list[threading.Thread] = []

    def index_search() -> None:
        """Pagefind, in the background: the changed page shows without waiting for it."""

        def run() -> None:
            try:
                print(index_and_say(output_path, config), flush=True)
            except (SearchIndexError, OSError) as error:
                print(f"The search index was not rebuilt: {error}", flush=True)

        indexing[:] = [threading.Thread(target=run, daemon=True)]
        indexing[0].start()

    def say(built: bool) -> bool:
        print("Rebuilt: the browser reloads by itself." if built else
              "Still serving the last good build. Fix the problems above and save.",
              flush=True)  # fmt: skip
        return built

    from pelican.readers import MarkdownReader

    markdown = {f".{e}" for e in MarkdownReader.file_extensions}  # the files previewed on save
    content_path = Path(overrides.get("PATH", settings["PATH"])).resolve()
    # The build running (its child's pid), the preview it follows, and a save it came too late
    # for: the server goes on serving while a build runs in a forked child.
    state: dict = {"building": None, "shown": None, "again": None}

    def preview(changed: str | None) -> Preview | None:
        """A saved Markdown file's own pages first, shown at once; the full build follows."""
        path = Path(changed).resolve() if changed else None
        if path is None or path.suffix not in markdown or not path.is_relative_to(content_path):
            return None
        for thread in indexing:  # Pagefind reads the pages: one at a time
            thread.join()
        shown = preview_site([path], DEV_SETTINGS, output_path, overrides)
        if shown is not None:
            LiveReloadHandler.reload_waiters(path="*")
            pages = ", ".join(f"/{p}" for p in shown.pages)
            print(f"Preview: {pages} shown; the rest of the site follows.", flush=True)
        return shown

    def start_build(changed: str | None) -> None:
        state["shown"] = preview(changed)
        for thread in indexing:  # never replace the folder Pagefind is writing into
            thread.join()
        staging, command = _begin(DEV_SETTINGS, output_path, overrides)
        # After a preview the author is looking at the page it showed: loading it comes first.
        pid = state["building"] = _fork_pelican(command, nice=10 if state["shown"] else 0)
        loop = ioloop.IOLoop.current()

        def wait() -> None:
            code = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
            loop.add_callback(built, staging, code)

        threading.Thread(target=wait, daemon=True).start()

    def built(staging: Path, code: int) -> None:
        # A failed build prints every problem and leaves output/ as it was (without the
        # preview): the browser shows the last good site until the problem is fixed and saved.
        shown, good = state["shown"], _end(DEV_SETTINGS, output_path, staging, code)
        if shown is not None and good:
            shown.discard()
        elif shown is not None:
            shown.revert()
        if say(good):
            index_search()
        # livereload 2.7.1 drops a reload that comes within ~3 s of the previous one (its guard
        # against bursts of changes), so a quick second save would be built but never shown:
        # we reload the open pages ourselves.
        LiveReloadHandler.reload_waiters(path="*")
        state["building"] = None
        if state["again"] is not None:
            changed, state["again"] = state["again"], None
            start_build(changed)

    def on_change() -> None:
        changed = watcher.filepath or ""
        if state["building"] is not None:  # built once this build is done
            state["again"] = changed
        else:
            start_build(changed)
        # livereload reloads the browser after this returns, unless it reloaded it less than
        # ~3 s ago: it would only show the site as it was. We reload when the build is done.
        LiveReloadHandler._last_reload_time = time.time()

    _warm_up()
    if say(build_site(DEV_SETTINGS, output_path, overrides, fork=True)):  # before serving
        index_search()
    watcher = QuickWatcher()
    server = Server(watcher=watcher)
    for pattern in (
        f"{content_path}/**/*",
        f"{settings['THEME']}/**/*",
        str(DEV_SETTINGS),
        str(ROOT / "plugins" / "**" / "*.py"),
    ):
        server.watch(pattern, on_change)
    output_path.mkdir(parents=True, exist_ok=True)
    print(f"Serving http://{host}:{port}/ (Ctrl+C to stop)", flush=True)
    server.serve(host=host, port=int(port), root=str(output_path), open_url_delay=None)


def publish_to_branch(output: Path, repo: Path, remote: str, branch: str, push: bool) -> None:
    """Commits `output` as the whole of `branch` in `repo` (ghp-import), optionally pushing it."""
    command = [sys.executable, "-m", "ghp_import", "--no-jekyll", "--force",
               *(["--push"] if push else []),
               "--branch", branch, "--remote", remote, "--message", "Publish the site",
               str(output)]  # fmt: skip
    subprocess.run(command, cwd=repo, check=True)


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


@task
def screenshots(c):
    """Save the newest article in light, dark and mobile views, and a problem report, to
    docs/screenshots/."""
    import html
    import re

    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(ROOT / "tests"))
    from browser_tools import CHROMIUM, CHROMIUM_ARGS, serve

    folder = ROOT / "docs" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        output = Path(tmp) / "output"
        if not build_site(DEV_SETTINGS, output):
            raise Exit(code=1)
        # The first card on the home page is the newest article, whatever the content is.
        home = (output / "index.html").read_text(encoding="utf-8")
        article = re.search(r'class="post-card-title"><a href="([^"]+)"', home).group(1)
        # Viewport only: what a reader first sees, and PNGs small enough to keep in git.
        views = {
            "article-light": ({"width": 1280, "height": 900}, "light"),
            "article-dark": ({"width": 1280, "height": 900}, "dark"),
            "article-mobile": ({"width": 360, "height": 800}, "light"),
        }
        with sync_playwright() as p, serve(output) as base:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                for name, (viewport, scheme) in views.items():
                    page = browser.new_page(viewport=viewport, color_scheme=scheme)
                    page.goto(base + article)
                    path = folder / f"{name}.png"
                    page.screenshot(path=path)
                    page.close()
                    print(f"{path.relative_to(ROOT)} ({path.stat().st_size // 1024} KB)")
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
    settings = _settings(DEV_SETTINGS)
    title, slug = _new_slug(title, settings, "new-article")
    day = _day(date, settings)
    tag_list = [tag.strip() for tag in tags.split(",") if tag.strip()] or ["physiotherapy"]
    header = {
        "Title": title,
        "Date": day,
        "Modified": day,
        "Author": " ".join(author.split()) or settings["AUTHOR"],
        "Category": settings["DEFAULT_CATEGORY"],
        "Tags": ", ".join(tag_list),
    }
    folder = Path(settings["PATH"]) / settings["ARTICLE_PATHS"][0]
    url = settings["DRAFT_URL"].format(slug=slug, lang=settings["DEFAULT_LANG"])
    _write_new(folder / f"{day}-{slug}.md", draft_text("article", header), url, build)


@task(
    name="review-due",
    help={
        "months": "how old a review may be (default: CLINICIANS review_after_months, 12)",
        "content": "another content folder (default: the PATH setting, content/)",
    },
)
def review_due(c, months=0, content=""):
    """List the articles due for medical review (last reviewed, or published, too long ago)."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    settings = _settings(DEV_SETTINGS)  # also makes plugins/ importable (pelicanconf.py)
    from clinicians.clinicians import overdue, settings_for

    if content:
        settings["PATH"] = str(Path(content).resolve())
    months = int(months) or settings_for(settings)["review_after_months"]
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
    settings = _settings(DEV_SETTINGS)
    title, slug = _new_slug(title, settings, "new-page")
    folder = Path(settings["PATH"]) / settings["PAGE_PATHS"][0]
    url = settings["DRAFT_PAGE_URL"].format(slug=slug, lang=settings["DEFAULT_LANG"])
    _write_new(folder / f"{slug}.md", draft_text("page", {"Title": title}), url, build)
