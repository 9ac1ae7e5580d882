"""`invoke serve`: serves the site, rebuilds on save, keeps the last good build through mistakes."""

from __future__ import annotations

import queue
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tasks import ROOT

ARTICLE = "Title: {title}\nDate: 2026-01-05\nSummary: A test.\n\nFirst version of the text.\n"
BROKEN = "Title: Broken\nTemplate: no-such-template\n\nThis page cannot be rendered.\n"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Served:
    """A running `invoke serve` whose output lines can be waited for."""

    def __init__(self, content: Path, output: Path) -> None:
        self.port = free_port()
        self.lines: queue.Queue[str] = queue.Queue()
        self.log: list[str] = []
        self.process = subprocess.Popen(
            [sys.executable, "-m", "invoke", "serve", "--port", str(self.port),
             "--content", str(content), "--output", str(output)],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line)

    def wait_for(self, text: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                continue
            self.log.append(line)
            if text in line:
                return
        pytest.fail(f"no {text!r} within {timeout}s; output:\n{''.join(self.log)}")

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=5) as r:
                return r.status, r.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            return error.code, ""

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


@pytest.fixture
def served(tmp_path):
    content = tmp_path / "content"
    (content / "articles").mkdir(parents=True)
    (content / "articles" / "a.md").write_text(ARTICLE.format(title="Hello"), encoding="utf-8")
    server = Served(content, tmp_path / "output")
    server.wait_for("Serving http://")
    yield server, content
    server.stop()
    shutil.rmtree(tmp_path / "output", ignore_errors=True)


def test_serve_builds_and_serves_clean_urls(served):
    server, _ = served
    status, html = server.get("/blog/hello/")
    assert status == 200
    assert "<h1" in html and "Hello" in html
    # live reload is wired in, from the local server only
    assert "livereload.js" in html


def test_serve_rebuilds_on_save_keeps_last_good_build_and_recovers(served):
    server, content = served
    article = content / "articles" / "a.md"

    article.write_text(ARTICLE.format(title="Hello").replace("First", "Second"), encoding="utf-8")
    server.wait_for("Rebuilt")
    assert "Second version" in server.get("/blog/hello/")[1]

    broken = content / "pages" / "broken.md"
    broken.parent.mkdir()
    broken.write_text(BROKEN, encoding="utf-8")
    server.wait_for("Still serving the last good build")
    status, html = server.get("/blog/hello/")
    assert status == 200 and "Second version" in html
    assert server.process.poll() is None, "the server must keep running"

    broken.unlink()
    article.write_text(ARTICLE.format(title="Hello").replace("First", "Third"), encoding="utf-8")
    server.wait_for("Rebuilt")
    assert "Third version" in server.get("/blog/hello/")[1]
