"""Shared fixtures: the real site, built once per test session with the project's settings."""

from __future__ import annotations

import contextlib
import io
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from pelican import Pelican
from pelican.settings import read_settings

from rebalance.browser import chromium, serve
from rebalance.build import DEV_SETTINGS, PUBLISH_SETTINGS, ROOT, build_site
from rebalance.plugins.content_checks.content_checks import ContentProblemsError

# A copy of the clinic's post as it stood on its old blog (shared/seeds/000_0dbcba3e3b3df241.txt):
# tests read nothing outside the repository.
SEED = ROOT / "tests" / "data" / "dry-needling-seed.txt"
ARTICLE_URL = "/blog/unlocking-relief-the-many-benefits-of-dry-needling/"
# What a production build needs from the environment (publishconf.py refuses placeholders).
PRODUCTION_ENV = {
    "SITEURL": "https://www.rebalance.test",
    "BOOKING_URL": "https://rebalance.booking.test/book",
    "CLINIC_ADDRESS": "1 Test Street, Testtown, TE1 1ST",
    "CLINIC_PHONE": "+44 20 7946 0000",
    "CLINIC_EMAIL": "hello@rebalance.test",
    "CLINIC_HOURS": "Monday to Friday, 8am to 6pm",
}
# Two fictional clinicians (one with a photo), an article they wrote and reviewed with footnotes,
# and one with a References section: the real clinicians are not known yet.
TRUST = ROOT / "tests" / "data" / "trust"


@pytest.fixture(scope="session")
def settings() -> dict:
    """The development settings, as Pelican reads them."""
    return read_settings(str(DEV_SETTINGS))


@pytest.fixture
def production_env(monkeypatch):
    """The environment of a production build (PRODUCTION_ENV), for this test only."""
    for name, value in PRODUCTION_ENV.items():
        monkeypatch.setenv(name, value)


@pytest.fixture(scope="session")
def production_site(tmp_path_factory) -> Path:
    """The real site, built once as CI publishes it: publishconf.py with PRODUCTION_ENV."""
    output = tmp_path_factory.mktemp("production") / "output"
    with pytest.MonkeyPatch.context() as patch:
        for name, value in PRODUCTION_ENV.items():
            patch.setenv(name, value)
        assert build_site(PUBLISH_SETTINGS, output), "the production build failed"
    return output


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """The whole site, built once like `invoke build` does, into a temporary folder."""
    output = tmp_path_factory.mktemp("site") / "output"
    assert build_site(DEV_SETTINGS, output), "the real site failed to build"
    return output


@pytest.fixture(scope="module")
def browser():
    """One Chromium for a test module (Playwright's sync API allows one at a time per thread)."""
    with chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def base_url(built_site) -> str:
    """The real site, served on 127.0.0.1 for the browser."""
    with serve(built_site) as base:
        yield base


@pytest.fixture(scope="session")
def html_pages(built_site) -> dict[str, BeautifulSoup]:
    """Every built HTML page, parsed, keyed by the URL path a reader would visit."""
    pages = {}
    for path in sorted(built_site.rglob("*.html")):
        url = "/" + path.relative_to(built_site).as_posix()
        url = re.sub(r"(^|/)index\.html$", r"\1", url)
        pages[url] = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    return pages


@pytest.fixture(scope="session")
def article(html_pages) -> BeautifulSoup:
    """The dry needling article page."""
    return html_pages[ARTICLE_URL]


def normalise(text: str) -> str:
    """Text as compared with the seed: typographic quotes and spaces made plain, spaces folded."""
    table = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\xa0": " "})
    return re.sub(r"\s+", " ", text.translate(table)).strip()


PROBLEM_LINE = re.compile(r"^(?P<file>\S+?)(?::(?P<line>\d+))?: (?P<message>.+)$")


@dataclass
class Built:
    code: int  # the exit status `python -m pelican` has (or would have)
    stderr: str  # the report, as the author reads it
    output: Path
    stdout: str = ""

    @property
    def problems(self) -> list[tuple[str, int | None, str]]:
        """(file, line, message) of every problem in the report."""
        found = []
        for text in self.stderr.splitlines():
            match = PROBLEM_LINE.match(text)
            if match and (match["file"].startswith(("content/", "theme/")) or text[0] == "("):
                line = int(match["line"]) if match["line"] else None
                found.append((match["file"], line, match["message"]))
        return found

    def of(self, file: str) -> list[tuple[int | None, str]]:
        """(line, message) of each problem the report names for one file."""
        return [(n, m) for f, n, m in self.problems if f == file]

    def messages(self, file: str, line: int | None = None) -> list[str]:
        """The messages for one file (and line, if given)."""
        return [m for f, n, m in self.problems if f == file and (line is None or n == line)]

    def expect(self, file: str, line: int | None | str, expected: str) -> None:
        """The build failed and reported `expected` (in a message) at file:line (line "any":
        on any line of that file, or none)."""
        assert self.code in (1, 3), self.stderr  # 3: `pelican`'s status after the report
        found = self.messages(file) if line == "any" else self.messages(file, line)
        hit = any(expected in m for m in found)
        assert hit, f"{expected!r} not reported at {file}:{line}; the report:\n{self.stderr}"

    def page(self, url: str) -> str:
        return (self.output / url.strip("/") / "index.html").read_text("utf-8")


def build_here(content: Path, output: Path, **settings) -> Built:
    """Builds `content` with Pelican's API in this process, as `pelican` does: the exit status
    `pelican` would have, and the report an author reads."""
    overrides = {"PATH": str(content), "OUTPUT_PATH": str(output), **settings}
    stderr = io.StringIO()
    code = 0
    with contextlib.redirect_stderr(stderr):
        try:
            Pelican(read_settings(str(DEV_SETTINGS), override=overrides)).run()
        except ContentProblemsError:
            code = 1
    return Built(code, stderr.getvalue(), output)


def build_content(tmp_path: Path, files: dict[str, str], **overrides) -> Path | None:
    """Builds a small site from `files` (paths under content/) with the project's settings.

    Returns the output folder, or None if the build failed. Goes through build_site(), the
    same code path as `invoke build`.
    """
    content = tmp_path / "content"
    for name, text in files.items():
        (content / name).parent.mkdir(parents=True, exist_ok=True)
        (content / name).write_text(text, encoding="utf-8")
    output = tmp_path / "output"
    ok = build_site(DEV_SETTINGS, output, overrides={"PATH": str(content), **overrides})
    return output if ok else None


def content_with(tmp_path: Path, *extras: Path) -> Path:
    """A copy of the real content/ in tmp_path, with the files of each folder in `extras` added
    (tests/data/trust/authors/x.md goes to content/authors/x.md)."""
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    for extra in extras:
        shutil.copytree(extra, content, dirs_exist_ok=True)
    return content


def parse(path: Path) -> BeautifulSoup:
    """A built HTML file, parsed."""
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


# --- The Makefile, without a real virtualenv ----------------------------------------------------
@pytest.fixture
def make_project(tmp_path) -> tuple[Path, Path]:
    """The Makefile in a folder with a ready virtualenv whose `invoke` only records its arguments.

    Returns the folder and the file the stand-in invoke writes its arguments to (as JSON).
    """
    if not shutil.which("make"):
        pytest.skip("make is not installed")
    folder = tmp_path / "make"
    folder.mkdir()
    for name in ("Makefile", "pyproject.toml"):
        shutil.copy2(ROOT / name, folder / name)  # copy2 keeps the times: the stamp is newer
    record = tmp_path / "invoke-args.json"
    stand_in = folder / ".venv" / "bin" / "invoke"
    stand_in.parent.mkdir(parents=True)
    stand_in.write_text(
        f"#!{sys.executable}\nimport json, sys\n"
        f"open({str(record)!r}, 'w').write(json.dumps(sys.argv[1:]))\n",
        encoding="utf-8",
    )
    stand_in.chmod(0o755)
    (folder / ".venv" / ".installed").touch()
    return folder, record
