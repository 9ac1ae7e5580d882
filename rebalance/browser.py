"""Shared helpers for the browser-based quality tests (no tests in here).

The tools come from `bash .ci/install-browser-tools`:

* Chromium: Debian's /usr/bin/chromium (no Playwright browser download: it cannot work here).
* axe-core, vnu-jar (the Nu Html Checker) and lighthouse 12: npm devDependencies pinned in
  package.json / package-lock.json, installed into ./node_modules (with
  structured-data-testing-tool, which tests/test_structured_data.py runs with Node).
* Java >= 17 for vnu.jar, Node >= 18.16 for lighthouse 12.

Every test that needs one of them calls `require_*()` first: outside CI a missing tool skips the
test with the command that installs it; under CI (env CI=true) a missing tool fails the test,
because a skipped quality gate is a gate that silently stopped working.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import http.server
import io
import json
import os
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = REPO_ROOT / "node_modules"
INSTALL_HINT = "bash .ci/install-browser-tools"

CHROMIUM = "/usr/bin/chromium"
# Flags for every Chromium we start (Playwright, and Lighthouse through chrome-launcher).
# Without the background-networking ones Chromium keeps trying to reach Google's hosts, which
# this machine's closed network refuses noisily. --no-sandbox: we run as root.
# --disable-dev-shm-usage: harmless here (/dev/shm is large) but saves the day in containers
# with a 64 MB /dev/shm. No --headless: Playwright adds its own and the Lighthouse batch passes
# --headless=new. No --user-data-dir: both make a fresh temporary profile per launch.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]

AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
LIGHTHOUSE_CLI = NODE_MODULES / "lighthouse" / "cli" / "index.js"

# The axe rule tags the site is held to.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
AXE_RUN_JS = (
    "axe.run(document, {runOnly: {type: 'tag', values: "
    + json.dumps(AXE_TAGS)
    + "}, resultTypes: ['violations']})"
)

LIGHTHOUSE_CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]


# --------------------------------------------------------------------------- tool presence


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() == "true"


def require_tool(
    name: str,
    check: str | os.PathLike[str] | Callable[[], object],
    how_to_install: str = INSTALL_HINT,
) -> None:
    """Skip (locally) or fail (under CI=true) the calling test unless the tool is there.

    `check` is a path that must exist, a bare command name looked up on PATH, or a callable
    that returns something truthy when the tool is usable.
    """
    if callable(check):
        try:
            ok = bool(check())
        except Exception:  # a broken tool is a missing tool
            ok = False
    else:
        s = os.fspath(check)
        ok = Path(s).exists() if os.sep in s else shutil.which(s) is not None
    if ok:
        return
    message = f"{name} is not available; install: {how_to_install}"
    if in_ci():
        pytest.fail(f"{message} (CI=true: a missing browser tool is a failure, not a skip)")
    pytest.skip(message)


def require_chromium() -> str:
    require_tool("Chromium", CHROMIUM, f"{INSTALL_HINT}  (apt-get install chromium)")
    return CHROMIUM


def require_playwright() -> None:
    require_chromium()

    def importable() -> bool:
        import playwright.sync_api  # noqa: F401

        return True

    require_tool("Playwright (python)", importable, "make setup  (pip install -e '.[dev]')")


def require_axe() -> None:
    require_playwright()
    require_tool("axe-core", AXE_JS)


def require_vnu() -> None:
    require_tool("java", "java", f"{INSTALL_HINT}  (apt-get install default-jre-headless)")
    require_tool("vnu-jar (Nu Html Checker)", VNU_JAR)


def require_lighthouse() -> None:
    require_chromium()
    require_tool("node", "node", "apt-get install nodejs")
    require_tool("lighthouse", LIGHTHOUSE_CLI)


# --------------------------------------------------------------------------- static server


class _StaticHandler(http.server.SimpleHTTPRequestHandler):
    """Serves a built site like a static host: 404.html with status 404 (also for a directory
    without index.html: no listings), no request log."""

    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".html": "text/html; charset=utf-8",
        ".css": "text/css; charset=utf-8",
        ".js": "text/javascript; charset=utf-8",
        ".mjs": "text/javascript; charset=utf-8",
        ".json": "application/json",
        ".xml": "application/xml",
        ".txt": "text/plain; charset=utf-8",
        ".svg": "image/svg+xml",
        ".webp": "image/webp",
        ".avif": "image/avif",
        ".woff2": "font/woff2",
        ".woff": "font/woff",
        ".ico": "image/x-icon",
        ".webmanifest": "application/manifest+json",
    }
    _COMPRESSIBLE = (
        "text/",
        "application/json",
        "application/xml",
        "image/svg+xml",
        "application/manifest+json",
    )
    compress = False  # set per server by serve(compress=True)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def send_error(self, code: int, message: str | None = None, explain: str | None = None):
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            return super().send_error(code, message, explain)
        body = page.read_bytes()
        self.send_response(404, message)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def list_directory(self, path):  # type: ignore[override]
        self.send_error(404)  # static hosts don't list directories without an index.html
        return None

    def send_head(self):  # type: ignore[override]
        if not self.compress or "gzip" not in self.headers.get("Accept-Encoding", ""):
            return super().send_head()
        # gzip text responses on the fly, as GitHub Pages / Netlify do, so Lighthouse's
        # transfer sizes (and so its simulated load times) match a real host.
        path = self.translate_path(self.path)
        if os.path.isdir(path):
            if not self.path.split("?", 1)[0].split("#", 1)[0].endswith("/"):
                return super().send_head()  # the base class redirects to "dir/"
            path = os.path.join(path, "index.html")
        ctype = self.guess_type(path)
        if not os.path.isfile(path) or not ctype.startswith(self._COMPRESSIBLE):
            return super().send_head()
        body = gzip.compress(Path(path).read_bytes(), mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)


@contextlib.contextmanager
def serve(directory: str | os.PathLike[str], *, compress: bool = False) -> Iterator[str]:
    """Serve `directory` on 127.0.0.1 on a free port in a background thread.

    Yields the base URL without a trailing slash, e.g. "http://127.0.0.1:41234".
    Missing paths get the site's 404.html with status 404 (plain 404 if there is none);
    directories without a trailing slash are redirected (301), index.html is served for them.
    compress=True gzips text responses for clients that accept it.
    """
    directory = os.fspath(Path(directory).resolve())
    handler = type("_Handler", (_StaticHandler,), {"compress": compress})
    handler_factory = functools.partial(handler, directory=directory)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler_factory)
    server.daemon_threads = True
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.05},  # shutdown() waits up to one poll interval
        name="static-server",
        daemon=True,
    )
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield f"http://{host}:{port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# --------------------------------------------------------------------------- Chromium


@contextlib.contextmanager
def chromium() -> Iterator:
    """Debian's Chromium, headless, through Playwright (skipped or failed as require_playwright
    says when it is missing); closed afterwards."""
    require_playwright()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


# --------------------------------------------------------------------------- axe-core


@functools.cache
def axe_source() -> str:
    """The text of axe.min.js, for `page.add_script_tag(content=axe_source())`."""
    return AXE_JS.read_text(encoding="utf-8")


def run_axe(page) -> list[dict]:
    """Inject axe-core into a Playwright page and return its violations for AXE_TAGS."""
    page.add_script_tag(content=axe_source())
    return page.evaluate(AXE_RUN_JS)["violations"]


def format_axe_violations(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        targets = ", ".join(" ".join(n["target"]) for n in v["nodes"][:5])
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({len(v['nodes'])}x: {targets})")
    return "\n".join(lines)


# --------------------------------------------------------------------------- Nu Html Checker


def vnu_command(paths: Iterable[str | os.PathLike[str]], *extra: str) -> list[str]:
    """argv that checks every given HTML file/directory in ONE JVM.

    JVM start-up is ~1.2 s of the ~1.3-1.8 s a run takes here, whether it checks 1 page or
    400: always pass all pages (or the output directory, walked recursively) in one call.

    JSON goes to stdout (--stdout); only errors are reported (--errors-only); directories are
    walked and non-HTML files in them skipped (--skip-non-html). Exit status is 1 when any
    document has an error, but parse the JSON rather than trusting the exit status alone.
    Extra flags (e.g. "--also-check-css", "--filterpattern", REGEX) go before the paths.
    """
    return [
        "java",
        # vnu needs >= 512k of thread stack; the x86_64 default (1M) passes, but e.g. adding
        # -XX:TieredStopAtLevel=1 already overflows it, so leave a margin for deep DOMs.
        "-Xss4m",
        "-jar",
        str(VNU_JAR),
        "--format",
        "json",
        "--stdout",
        "--errors-only",
        "--skip-non-html",
        *extra,
        *(os.fspath(p) for p in paths),
    ]


def run_vnu(
    paths: Iterable[str | os.PathLike[str]], *extra: str, timeout: float = 600
) -> list[dict]:
    """Run the Nu checker once over `paths` and return its messages (errors only)."""
    argv = vnu_command(paths, *extra)
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    try:
        messages = json.loads(proc.stdout)["messages"]
    except (json.JSONDecodeError, KeyError) as exc:
        raise RuntimeError(
            f"vnu exited {proc.returncode} without JSON:\n{proc.stdout[-2000:]}\n"
            f"{proc.stderr[-2000:]}"
        ) from exc
    return messages


def format_vnu_messages(messages: list[dict]) -> str:
    return "\n".join(
        f"{m.get('url', '?')}:{m.get('lastLine', '?')}:{m.get('firstColumn', '?')}: "
        f"{m.get('type')}: {m.get('message')}"
        for m in messages
    )


# --------------------------------------------------------------------------- Lighthouse


def lighthouse_env() -> dict[str, str]:
    """Environment for the lighthouse process: CHROME_PATH points chrome-launcher at Debian's
    Chromium (nothing is downloaded)."""
    return {**os.environ, "CHROME_PATH": CHROMIUM}


# Many pages, one Node process and one Chromium (Lighthouse's Node API). Compared with one CLI
# run per page this saves ~1.5 s of Node + Chromium start-up and, above all, the ~4-5 s that
# each lighthouse 12 CLI process idles after writing its report (a 5 s budget timer in its
# ImageElements gatherer is never unref'd, so the process can't exit before it fires).
_LIGHTHOUSE_BATCH_JS = r"""
import fs from 'node:fs';
import path from 'node:path';
import lighthouse from 'lighthouse';
import * as chromeLauncher from 'chrome-launcher';

const {urls, outDir, chromePath, chromeFlags, flags} = JSON.parse(process.argv[1]);
const chrome = await chromeLauncher.launch({chromePath, chromeFlags, logLevel: 'silent'});
let failed = 0;
try {
  for (const [i, url] of urls.entries()) {
    let out;
    try {
      const result = await lighthouse(url, {...flags, port: chrome.port});
      out = result.lhr;
    } catch (err) {
      failed++;
      out = {requestedUrl: url, batchError: String(err && err.stack || err)};
    }
    fs.writeFileSync(path.join(outDir, `${i}.json`), JSON.stringify(out));
  }
} finally {
  chrome.kill();
}
process.exit(failed ? 2 : 0);  // don't wait for lighthouse's dangling timers
"""


def run_lighthouse_many(
    urls: Iterable[str],
    *,
    categories: Iterable[str] = LIGHTHOUSE_CATEGORIES,
    flags: dict | None = None,
    timeout: float | None = None,
) -> dict[str, dict]:
    """Run Lighthouse on every URL in one Node process sharing one headless Chromium.

    Mobile form factor, so Lighthouse's mobile scoring and simulated throttling (150 ms RTT,
    1.6 Mbps, 4x CPU): scores don't depend on localhost's 0 ms round trip. `flags` are extra
    Lighthouse Node-API flags, e.g. {"ignoreStatusCode": True} to audit the 404 page (without
    it Lighthouse refuses a page served with status 404: runtimeError ERRORED_DOCUMENT_REQUEST).
    Returns {url: report}; raises if Lighthouse failed on any URL. ~5-6 s per small page here.
    """
    import tempfile

    urls = list(urls)
    if not urls:
        return {}
    with tempfile.TemporaryDirectory(prefix="lh-batch-") as out_dir:
        payload = {
            "urls": urls,
            "outDir": out_dir,
            "chromePath": CHROMIUM,
            "chromeFlags": ["--headless=new", *CHROMIUM_ARGS],
            "flags": {
                "output": "json",
                "logLevel": "error",
                "formFactor": "mobile",
                "onlyCategories": list(categories),
                "disableFullPageScreenshot": True,
                "locale": "en-US",
                **(flags or {}),
            },
        }
        proc = subprocess.run(
            ["node", "--input-type=module", "-e", _LIGHTHOUSE_BATCH_JS, json.dumps(payload)],
            cwd=REPO_ROOT,  # so `import 'lighthouse'` resolves to ./node_modules
            capture_output=True,
            text=True,
            env=lighthouse_env(),
            timeout=timeout if timeout is not None else 60 + 60 * len(urls),
        )
        reports = {}
        errors = []
        for i, url in enumerate(urls):
            f = Path(out_dir) / f"{i}.json"
            if not f.exists():
                errors.append(f"{url}: no report")
                continue
            report = json.loads(f.read_text(encoding="utf-8"))
            if "batchError" in report:
                errors.append(f"{url}: {report['batchError']}")
            elif report.get("runtimeError"):
                errors.append(f"{url}: runtimeError {report['runtimeError']}")
            reports[url] = report
        if errors or proc.returncode != 0:
            raise RuntimeError(
                f"lighthouse batch exited {proc.returncode}:\n"
                + "\n".join(errors)
                + f"\n{proc.stderr[-4000:]}"
            )
        return reports


def lighthouse_scores(report: dict) -> dict[str, float | None]:
    """{category id: score in [0, 1] or None} from a Lighthouse report."""
    return {cid: cat.get("score") for cid, cat in report["categories"].items()}


def lighthouse_failures(report: dict, category: str, threshold: float = 0.9) -> list[str]:
    """Human-readable list of the audits that pull `category` down (score < threshold)."""
    audits = report["audits"]
    out = []
    for ref in report["categories"][category]["auditRefs"]:
        audit = audits[ref["id"]]
        score = audit.get("score")
        if ref.get("weight", 0) > 0 and score is not None and score < threshold:
            out.append(
                f"{ref['id']} ({score}): {audit.get('title')} {audit.get('displayValue', '')}"
            )
    return out
