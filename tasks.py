"""Tasks for the Rebalance site: `invoke --list` (or `make help`) shows them.

Every build goes through build_site(): Pelican writes into a fresh folder beside output/, and
output/ is replaced only when the whole build succeeded. A failed build leaves the last good
site exactly as it was, so `make serve` keeps serving it and nothing half-built is published.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
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
        old = output.with_name(f".{output.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        output.rename(old)
        new.rename(output)
        shutil.rmtree(old, ignore_errors=True)
    else:
        new.rename(output)


def build_site(
    settings_file: Path = DEV_SETTINGS, output: Path = OUTPUT, overrides: dict | None = None
) -> bool:
    """Builds the site into `output` atomically; returns False (output untouched) on failure.

    `overrides` are extra Pelican settings (e.g. another content PATH, for tests).
    """
    output = Path(output).resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    # Same parent folder as output/, so the final rename is a cheap move on one file system.
    staging = Path(tempfile.mkdtemp(prefix=f".{output.name}.building-", dir=output.parent))
    try:
        command = [
            sys.executable,
            "-m",
            "pelican",
            "--settings",
            str(settings_file),
            "--output",
            str(staging),
            "--delete-output-directory",
        ]
        if overrides:  # one -e flag with every KEY=JSON pair: a second -e would replace the first
            command += ["--extra-settings", *(f"{k}={json.dumps(v)}" for k, v in overrides.items())]
        result = subprocess.run(command, cwd=ROOT, check=False)
        if result.returncode != 0:
            print(f"\nBuild failed: {output} was left as it was.", file=sys.stderr)
            return False
        _swap_in(staging, output, _settings(settings_file).get("OUTPUT_RETENTION", []))
        return True
    finally:
        shutil.rmtree(staging, ignore_errors=True)


@task
def build(c):
    """Build the site with development settings into output/."""
    if not build_site(DEV_SETTINGS):
        raise Exit(code=1)


@task
def preview(c):
    """Build the site with production settings (publishconf.py) into output/."""
    if not build_site(PUBLISH_SETTINGS):
        raise Exit(code=1)


@task
def clean(c, output=str(OUTPUT)):
    """Empty output/, keeping what OUTPUT_RETENTION names (e.g. .git, CNAME)."""
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

    overrides = {"PATH": str(Path(content).resolve())} if content else None
    output_path = Path(output).resolve()

    def rebuild() -> bool:
        # A failed build prints every problem and leaves output/ as it was: the browser keeps
        # showing the last good site until the problem is fixed and the next save rebuilds.
        if build_site(DEV_SETTINGS, output_path, overrides):
            print("Rebuilt: the browser reloads by itself.", flush=True)
            return True
        print("Still serving the last good build. Fix the problems above and save.", flush=True)
        return False

    def on_change() -> None:
        # livereload 2.7.1 drops a reload that comes within ~3 s of the previous one (its guard
        # against bursts of changes), so a quick second save would be built but never shown.
        # After a good build we reload the open pages ourselves; its own reload is then skipped.
        if rebuild():
            LiveReloadHandler.reload_waiters(path="*")

    rebuild()
    settings = _settings(DEV_SETTINGS)
    server = Server()
    for pattern in (
        f"{overrides['PATH'] if overrides else settings['PATH']}/**/*",
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
    """Save the newest article in light, dark and mobile views to docs/screenshots/."""
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
            finally:
                browser.close()


@task
def lint(c):
    """Check and format the Python code with ruff."""
    c.run(f"{sys.executable} -m ruff check --fix .")
    c.run(f"{sys.executable} -m ruff format .")
