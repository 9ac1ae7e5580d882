"""A running `invoke serve` for the tests and bench/serve.py: started as a subprocess (its own
process group), its output lines waited for. A failed wait raises AssertionError, which pytest
reports as the test's failure."""

from __future__ import annotations

import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from rebalance.build import ROOT


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Served:
    """A running `invoke serve` whose output lines can be waited for."""

    def __init__(self, content: Path, output: Path, port: int | None = None) -> None:
        self.port = port or free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.lines: queue.Queue[str] = queue.Queue()
        self.log: list[str] = []
        self.stamps: list[tuple[float, str]] = []  # (perf_counter when read, line): bench/serve
        self.process = subprocess.Popen(
            [sys.executable, "-m", "invoke", "serve", "--port", str(self.port),
             "--content", str(content), "--output", str(output),
             "--no-restart"],  # others may be editing the site's Python: tests keep one server
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            start_new_session=True,  # its own process group: stop() ends it and anything it started
        )  # fmt: skip
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.stamps.append((time.perf_counter(), line))
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
        raise AssertionError(f"no {text!r} within {timeout}s; output:\n{''.join(self.log)}")

    def wait_printed(self, text: str, times: int, timeout: float = 30) -> str:
        """Waits until `text` has been printed that many times (in lines already waited for
        too); returns everything printed."""
        deadline = time.monotonic() + timeout
        while (log := self.output()).count(text) < times:
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} not printed {times} times in {timeout}s:\n{log}")
            time.sleep(0.1)
        return log

    def output(self) -> str:
        """Everything the server has printed so far."""
        while not self.lines.empty():
            self.log.append(self.lines.get_nowait())
        return "".join(self.log)

    def wait_until_listening(self, timeout: float = 30) -> None:
        """`serve` prints "Serving" just before its server listens: wait until it accepts a
        connection (on loopback, a bounded number of tries), so a first request never races it."""
        host, port = urlsplit(self.base_url).hostname, urlsplit(self.base_url).port
        deadline = time.monotonic() + timeout
        while True:
            try:
                with socket.create_connection((host, port), timeout=1):
                    return
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise AssertionError(f"serve never listened:\n{self.output()}") from None
                time.sleep(0.05)

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(f"{self.base_url}{path}", timeout=5) as r:
                return r.status, r.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8")

    def stop(self) -> None:
        """Ends the server and any build it has running, as Ctrl+C in a terminal does."""
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(self.process.pid, sig)
            except ProcessLookupError:
                break
            try:
                self.process.wait(timeout=10)
                break
            except subprocess.TimeoutExpired:
                continue


@contextmanager
def serving(
    tmp_path: Path, files: dict[str, str], port: int | None = None
) -> Iterator[tuple[Served, Path]]:
    """`invoke serve` on a small content folder: `files` plus the real favicons the theme links.

    Yields the running server and the content folder, and stops the server afterwards.
    """
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content" / "extra", content / "extra")
    for name, text in files.items():
        (content / name).parent.mkdir(parents=True, exist_ok=True)
        (content / name).write_text(text, encoding="utf-8")
    server = Served(content, tmp_path / "output", port)
    try:
        server.wait_for("Serving http://")
        server.wait_until_listening()
        yield server, content
    finally:
        server.stop()
