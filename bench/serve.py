#!/usr/bin/env python3
"""Edit-to-browser time under `invoke serve`, next to a plain Pelican cold build of the same corpus.

On the varied corpus (bench/corpus.py, N articles) the real serve task runs as a subprocess and
a headless Chromium (Debian's, through Playwright) opens one article's page. Each run appends a
paragraph with a new marker sentence to that article's Markdown file, in place as an editor
saves, and times from the write to the marker showing in the open page: livereload's polling
(every 0.8 s) sees the save, serve rebuilds the whole site and reloads the page. Also shown, from
serve's output: when livereload started the rebuild ("Running task") and when it was done
("Rebuilt"), so the wait splits into noticing, building and reloading. The target: a median of
at most 0.2x the wall time of a plain Pelican cold build (common.build_plain, median of 3 runs).

Usage: .venv/bin/python bench/serve.py [articles=200] [runs=5]
"""

from __future__ import annotations

import collections
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, build_plain, medians, plain_corpus, timed  # noqa: E402
from corpus import make_corpus  # noqa: E402

sys.path.insert(0, str(ROOT / "tests"))
from browser_tools import CHROMIUM, CHROMIUM_ARGS, INSTALL_HINT  # noqa: E402

TARGET = 0.2  # edit-to-browser median / plain cold build wall time
HAS_TEXT = "m => document.body && document.body.innerText.includes(m)"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_serve(content: Path, output: Path, port: int):
    """`invoke serve` in its own process group; a thread reads its output into a tail and notes
    when each rebuild started and finished."""
    command = [sys.executable, "-m", "invoke", "serve", "--content", str(content),
               "--output", str(output), "--port", str(port)]  # fmt: skip
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, start_new_session=True)  # fmt: skip
    tail, events = collections.deque(maxlen=40), {"Running task": [], "Rebuilt": []}

    def read() -> None:
        for line in proc.stdout:
            tail.append(line)
            for key, stamps in events.items():
                if key in line:
                    stamps.append(time.perf_counter())

    threading.Thread(target=read, daemon=True).start()
    return proc, tail, events


def wait_until_served(proc, tail, url: str, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"invoke serve exited ({proc.returncode}):\n{''.join(tail)}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{url} did not answer within {timeout:.0f} s:\n{''.join(tail)}")


def wait_for_text(page, text: str, timeout: float = 120) -> None:
    """Until `text` is in the page; the page reloads meanwhile, so navigation errors retry."""
    from playwright.sync_api import Error

    deadline = time.monotonic() + timeout
    while True:
        try:
            left = max(deadline - time.monotonic(), 0.1)
            page.wait_for_function(HAS_TEXT, arg=text, timeout=left * 1000)
            return
        except Error:  # "Execution context was destroyed" during the reload, or the timeout
            if time.monotonic() >= deadline:
                raise


def main() -> None:
    articles = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"{CHROMIUM} is missing: run `{INSTALL_HINT}`")
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        content = make_corpus(tmp / "varied", articles)
        plain_content = plain_corpus(content, tmp / "plain")
        plain = [timed(build_plain, plain_content, tmp / "out-plain") for _ in range(3)]
        pw, pc = medians(plain)
        print(f"{articles} articles; plain Pelican cold build (median of 3): {pw:.2f} s wall / "
              f"{pc:.2f} s CPU")  # fmt: skip

        source = sorted((content / "articles").glob("*-bench-*.md"))[articles // 2]
        slug = re.search(r"(?m)^Slug:\s*(\S+)", source.read_text(encoding="utf-8")).group(1)
        port = free_port()
        start = time.perf_counter()
        proc, tail, events = start_serve(content, tmp / "site", port)
        try:
            url = f"http://127.0.0.1:{port}/blog/{slug}/"
            wait_until_served(proc, tail, url)
            first = time.perf_counter() - start
            times = []
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_page()
                page.goto(url)
                print(f"serve's first build and start: {first:.1f} s; editing {source.name}, "
                      f"open at {url}")  # fmt: skip
                for run in range(runs):
                    time.sleep(4)  # settle; livereload's own reload guard is ~3 s
                    marker = f"Marker {uuid.uuid4().hex[:6]}"
                    with source.open("a", encoding="utf-8") as f:
                        f.write(f"\n{marker} for the serve benchmark.\n")
                    t0 = time.perf_counter()
                    seen = {key: len(stamps) for key, stamps in events.items()}
                    wait_for_text(page, marker)
                    times.append(time.perf_counter() - t0)
                    started, done = (events[key][seen[key] :] or [t0] for key in seen)
                    print(f"  run {run + 1}: shown after {times[-1]:5.2f} s; rebuild started at "
                          f"{started[0] - t0:.2f} s, done at {done[0] - t0:.2f} s, "
                          f"{len(events['Rebuilt']) - seen['Rebuilt']} build(s)")  # fmt: skip
                browser.close()
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        median = statistics.median(times)
        verdict = "meets" if median / pw <= TARGET else "misses"
        print(f"edit to browser (median of {runs}): {median:.2f} s = {median / pw:.2f}x the plain "
              f"cold build's wall time ({verdict} the target <= {TARGET}x)")  # fmt: skip


if __name__ == "__main__":
    main()
