"""XSS: no article can put running script or another host's resources into the published site.

Every vector of tests/data/xss_vectors.json (known XSS vectors from public sanitizer research:
OWASP, html5sec, PortSwigger, DOMPurify, mXSS papers, plus Markdown and Pelican link markers) is
written into an article of a copy of content/. For each one, either

* the build fails naming that article's file (with a message the control article, which has the
  same header and a harmless body, does not get), or
* the published article page, and every list page that shows its summary, opened in Chromium,
  runs no script and fetches nothing from another host: no dialog, no call to alert / confirm /
  prompt / print / fetch / XMLHttpRequest / sendBeacon / open, no request to any host but
  127.0.0.1 (all such requests are aborted: no traffic leaves), no element with an on*
  attribute, no javascript: / vbscript: / data:text/html URL in a URL attribute, no script,
  iframe, frame, object, embed, base or meta http-equiv element that the theme did not put there
  (the theme's only script is JSON-LD), and no reference that would load something from
  another host (src, srcset, poster, CSS url(), @import...).

A few builds, not one per vector: build A holds every vector (its report names the rejected
files; the summary vectors in a build of their own, as a report may blame the list-page cards
that another card's unclosed tag swallows), build B only the others (it must succeed; its pages
are then inspected). Only when a build fails without naming any vector file are more builds
made, halving the set to find the vectors that do that (each such vector fails: the build must
name the file). Findings on a list page are traced to the card they sit in, if need be on
copies of the page with one card each; each summary vector is also checked on such a copy, so
that a neighbour cannot hide it.

test_detector_catches_live_vectors proves the detector reports a live page,
test_findings_on_list_pages_are_traced_to_their_card that list pages are traced right, and the
control article that neither the build nor the detector objects to the header or the theme.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

import pytest
from conftest import PROBLEM_LINE

from rebalance.browser import REPO_ROOT, chromium, require_playwright, serve

VECTORS_FILE = Path(__file__).parent / "data" / "xss_vectors.json"
VECTORS: list[dict[str, str]] = json.loads(VECTORS_FILE.read_text(encoding="utf-8"))
IDS = [vector["id"] for vector in VECTORS]
SETTINGS = REPO_ROOT / "pelicanconf.py"
CONTROL = "control"  # an article with the same header and a harmless body
CONTROL_BODY = "Another ordinary paragraph, with *emphasis* and a [link](/about/)."
HOSTS = re.compile(r"//([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")
# Builds allowed beyond A and B, when a build fails without naming the files to blame: then the
# vectors that do that are found by halving (a few builds each; none when all goes well).
EXTRA_BUILDS = 80
VIEWPORT = {"width": 1280, "height": 900}
LOCAL = "127.0.0.1"  # serve() listens here; requests to any other host are findings
SETTLE_MS = 100  # after load (and half after hovering): async handlers (ontoggle, onerror) fire
WORKERS = 3  # Chromiums inspecting pages side by side


def article_text(vector_id: str, where: str, source: str) -> str:
    """The article for one vector: the fixed header, an ordinary paragraph, then the vector."""
    summary = source if where == "summary" else "One sentence summary of a test article."
    body = CONTROL_BODY if vector_id == CONTROL else (source if where != "summary" else "")
    header = f"Title: XSS vector {vector_id}\nDate: 2026-11-01\nSummary: {summary}\nTags: test\n"
    return f"{header}\nAn ordinary paragraph of text.\n\n{body}\n"


def file_name(vector_id: str) -> str:
    return f"xss-{vector_id}.md"


# --- The corpus ---------------------------------------------------------------------------------
@pytest.mark.parametrize("check", ["size", "ids", "fields", "hosts"])
def test_corpus_is_large_varied_and_well_formed(check):
    if check == "size":
        assert len(VECTORS) >= 100, f"only {len(VECTORS)} vectors"
        wheres = [v["where"] for v in VECTORS]
        assert wheres.count("summary") >= 10, "fewer than 10 summary vectors"
        assert wheres.count("link") >= 10, "fewer than 10 Markdown vectors"
    elif check == "ids":
        duplicates = sorted({i for i in IDS if IDS.count(i) > 1})
        assert not duplicates, f"duplicate ids: {duplicates}"
        bad = [i for i in IDS if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", i) or i == CONTROL]
        assert not bad, f"ids must be short kebab-case (and not {CONTROL!r}): {bad}"
    elif check == "fields":
        for v in VECTORS:
            assert set(v) == {"id", "where", "source", "origin"}, v
            assert v["where"] in ("body", "summary", "link"), v
            assert v["source"].strip() and v["origin"].strip(), v
            if v["where"] == "summary":  # a header line: one line only
                assert not re.search(r"[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]", v["source"]), v
    else:  # "other host" vectors use the reserved evil.example only (RFC 2606)
        for v in VECTORS:
            for host in HOSTS.findall(v["source"]):
                assert host == "evil.example" or host.endswith(".evil.example"), (v["id"], host)


# --- Building -----------------------------------------------------------------------------------
@dataclass
class Build:
    label: str
    code: int
    stderr: str
    output: Path
    seconds: float
    stdout: str = ""

    def named(self) -> dict[str, list[str]]:
        """{file as the report names it: [messages]} for every report line."""
        found: dict[str, list[str]] = {}
        for line in self.stderr.splitlines():
            match = PROBLEM_LINE.match(line)
            if match:
                found.setdefault(match["file"], []).append(match["message"])
        return found

    def messages(self, vector_id: str) -> list[str]:
        """What the report says about one vector's file (named however the report names it)."""
        return [
            message
            for file, found in self.named().items()
            if PurePosixPath(file).name == file_name(vector_id)
            for message in found
        ]

    def rejects(self, vector_id: str) -> list[str]:
        """The messages that reject this vector's file: it failed, named the file, and said
        something it does not also say about the control article (which has the same header)."""
        if self.code == 0:
            return []

        def plain(message: str, who: str) -> str:
            return message.replace(who, "<id>")

        control = {plain(m, CONTROL) for m in self.messages(CONTROL)}
        return [m for m in self.messages(vector_id) if plain(m, vector_id) not in control]


def pelican(label: str, content: Path, output: Path) -> Build:
    """`python -m pelican <content> --settings pelicanconf.py --output <output>`, from the repo."""
    command = [sys.executable, "-m", "pelican", str(content), "--settings", str(SETTINGS),
               "--output", str(output)]  # fmt: skip
    start = time.monotonic()
    env = {**os.environ, "COLUMNS": "160"}  # Pelican's own log lines, less wrapped
    done = subprocess.run(
        command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=900, env=env
    )
    return Build(label, done.returncode, done.stderr, output, time.monotonic() - start, done.stdout)


def site_with(root: Path, vectors: list[dict[str, str]]) -> Path:
    """A copy of content/ with one article per vector, plus the control article."""
    content = root / "content"
    shutil.copytree(REPO_ROOT / "content", content)
    for v in [*vectors, {"id": CONTROL, "where": "body", "source": ""}]:
        text = article_text(v["id"], v["where"], v["source"])
        (content / "articles" / file_name(v["id"])).write_text(text, encoding="utf-8")
    return content


# --- Inspecting pages in Chromium ---------------------------------------------------------------
# Where a card on a list page links to: its vector's article. `cardOf` is shared by both scripts.
CARD_OF_JS = r"""
const cardOf = (node) => {
  for (let hop = 0; node && hop < 12; hop++) {
    const card = node.closest ? node.closest('.post-card') : null;
    if (card) {
      const link = card.querySelector('.post-card-title a');
      return link ? link.getAttribute('href') : null;
    }
    const root = node.getRootNode ? node.getRootNode() : null;
    if (root && root.host) { node = root.host; continue; }
    const doc = node.ownerDocument || node;
    try { node = doc.defaultView && doc.defaultView.frameElement; } catch (e) { node = null; }
  }
  return null;
};
"""

# Runs before any script of every document (frames too): records calls that only script makes,
# with the card of the element whose handler, <script> or frame made them.
INIT_JS = (
    r"""
(() => {
"""
    + CARD_OF_JS
    + r"""
  const culprit = () => {
    let node = document.currentScript;
    const event = window.event;
    if (!node && event && event.target && event.target.nodeType) node = event.target;
    if (!node) { try { node = window.frameElement; } catch (e) { node = null; } }
    return node;
  };
  const text = (value) => { try { return String(value); } catch (e) { return '?'; } };
  const absolute = (value) => { try { return new URL(text(value), location.href).href; }
                                catch (e) { return text(value); } };
  const record = (name, args, url) => {
    let card = null;
    try { card = cardOf(culprit()); } catch (e) { card = null; }
    const detail = `${name}(${args.map(text).join(', ')})`.slice(0, 200);
    const keys = [`${name}:${args.length ? text(args[0]) : ''}`];
    if (url) keys.push(url);
    try { window.__xssRecord({detail, card, keys, frame: location.href}); } catch (e) {}
  };
  for (const name of ['alert', 'confirm', 'prompt']) {
    const original = window[name];
    window[name] = function (...args) { record(name, args); return original.apply(this, args); };
  }
  window.print = function (...args) { record('print', args); };
  const originalOpen = window.open;
  window.open = function (...args) {
    record('open', args, args.length ? absolute(args[0]) : null);
    return originalOpen.apply(this, args);
  };
  const originalFetch = window.fetch;
  window.fetch = function (input, init) {
    const url = absolute(input && input.url ? input.url : input);
    record('fetch', [url], url);
    return originalFetch.apply(this, arguments);
  };
  const originalXhrOpen = XMLHttpRequest.prototype.open;
  XMLHttpRequest.prototype.open = function (method, url, ...rest) {
    record('XMLHttpRequest.open', [method, absolute(url)], absolute(url));
    return originalXhrOpen.call(this, method, url, ...rest);
  };
  if (navigator.sendBeacon) {
    const originalBeacon = navigator.sendBeacon.bind(navigator);
    navigator.sendBeacon = (url, data) => {
      record('sendBeacon', [absolute(url)], absolute(url));
      return originalBeacon(url, data);
    };
  }
})();
"""
)

# Hover (synthetic pointer and mouse events) and focus every element of <main>, within a time
# budget; returns the centres of visible ones for real mouse moves.
POKE_JS = r"""
(budgetMs) => {
  const main = document.querySelector('main') || document.body;
  if (!main) return [];
  const elements = [];
  const walk = (root) => {
    for (const el of root.querySelectorAll('*')) {
      if (elements.length >= 800) return;
      elements.push(el);
      if (el.shadowRoot) walk(el.shadowRoot);
    }
  };
  walk(main);
  const start = performance.now();
  const points = [];
  for (const el of elements) {
    if (performance.now() - start > budgetMs) break;
    try {
      for (const type of ['pointerover', 'pointerenter', 'mouseover', 'mouseenter', 'mousemove']) {
        const Event = type.startsWith('pointer') && window.PointerEvent ? PointerEvent : MouseEvent;
        el.dispatchEvent(new Event(type, {bubbles: !type.endsWith('enter'), composed: true}));
      }
      if (typeof el.focus === 'function') el.focus({preventScroll: true});
      const box = el.getBoundingClientRect();
      if (points.length < 120 && box.width > 0 && box.height > 0 && box.bottom > 0 &&
          box.right > 0 && box.top < innerHeight && box.left < innerWidth) {
        points.push([box.left + box.width / 2, box.top + box.height / 2]);
      }
    } catch (e) {}
  }
  return points;
}
"""

# What the page holds that runs script or fetches from elsewhere. Each finding: kind, detail,
# the card it sits in (list pages), keys (to match it with a request or call) and a hint (text
# to look for in the raw HTML when it sits in no card, e.g. an attribute merged into <body>).
SCAN_JS = (
    r"""
() => {
"""
    + CARD_OF_JS
    + r"""
  const here = location.hostname;  // 127.0.0.1: any port of it is not "another host"
  const found = [];
  const open = (el) => {
    const html = el.outerHTML || `<${el.localName}>`;
    const end = html.indexOf('>');
    return (end >= 0 ? html.slice(0, end + 1) : html).slice(0, 160);
  };
  const add = (kind, el, detail, keys = [], hint = null) =>
    found.push({kind, detail: `${detail} on ${open(el)}`, card: cardOf(el), keys, hint});
  // Whitespace and control characters are ignored by URL parsers (or hidden by them).
  const IGNORED = /[\s\u0000-\u001f\u007f-\u009f\u180e\u200b-\u200f]/g;  // \s: Unicode spaces
  const squash = (value) => value.replace(IGNORED, '').toLowerCase();
  const RUNS = ['javascript:', 'vbscript:', 'data:text/html', 'data:application/xhtml+xml'];
  const runs = (value) => RUNS.some((scheme) => squash(value).startsWith(scheme));
  const URL_ATTRIBUTES = new Set(['href', 'src', 'action', 'formaction', 'xlink:href', 'data',
    'srcdoc', 'poster', 'background', 'values', 'to', 'from', 'by', 'lowsrc', 'dynsrc']);
  const ELEMENTS = new Set(['iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'portal',
    'base']);
  // Attributes that load something without a click (ping: when the link is followed).
  const LOADS = {
    img: ['src', 'srcset'], source: ['src', 'srcset'], video: ['src', 'poster'], audio: ['src'],
    track: ['src'], input: ['src'], script: ['src', 'href', 'xlink:href'], iframe: ['src'],
    frame: ['src'], embed: ['src'], object: ['data', 'codebase'],
    link: ['href', 'imagesrcset'], image: ['href', 'xlink:href', 'src'],
    use: ['href', 'xlink:href'], feimage: ['href', 'xlink:href'], a: ['ping'], area: ['ping'],
  };
  // <link rel="alternate" href=...> and the like only name an address: nothing is fetched.
  const NAMES_ONLY = new Set(['alternate', 'canonical', 'author', 'license', 'help', 'next',
    'prev', 'bookmark', 'me', 'external', 'nofollow', 'noopener', 'noreferrer', 'tag',
    'privacy-policy', 'terms-of-service']);
  const linksOnly = (el) => {
    const rels = (el.getAttribute('rel') || '').toLowerCase().split(/\s+/).filter(Boolean);
    return rels.length > 0 && rels.every((rel) => NAMES_ONLY.has(rel));
  };
  const elsewhere = (value) => {
    try {
      const url = new URL(value.trim(), document.baseURI);
      return /^(https?|wss?|ftp):$/.test(url.protocol) && url.hostname !== here ? url.href : null;
    } catch (e) { return null; }
  };
  const candidates = (name, value) => name.endsWith('srcset')
    ? value.split(',').map((part) => part.trim().split(/\s+/)[0]).filter(Boolean)
    : name === 'ping' ? value.split(/\s+/).filter(Boolean) : [value];
  const cssUrls = (css) => {
    const urls = [];
    const pattern = new RegExp([
      String.raw`url\(\s*(?:"([^"]*)"|'([^']*)'|([^)\s]*))\s*\)`,
      String.raw`@import\s*(?:"([^"]*)"|'([^']*)')`,
      String.raw`image-set\(([^)]*)\)`,
    ].join('|'), 'gi');
    for (const m of css.matchAll(pattern)) {
      if (m[6] !== undefined) {
        for (const s of m[6].matchAll(/"([^"]*)"|'([^']*)'/g)) urls.push(s[1] ?? s[2]);
      } else {
        urls.push(m[1] ?? m[2] ?? m[3] ?? m[4] ?? m[5]);
      }
    }
    return urls;
  };
  const elements = [];
  const walk = (root) => {
    for (const el of root.querySelectorAll('*')) {
      elements.push(el);
      if (el.shadowRoot) walk(el.shadowRoot);
    }
  };
  walk(document);
  for (const el of elements) {
    const tag = el.localName.toLowerCase();
    if (tag === 'script') {
      const type = (el.getAttribute('type') || '').trim().toLowerCase();
      if (type !== 'application/ld+json') {
        add('script element', el, 'a <script> element', [], '<script');
      }
    } else if (ELEMENTS.has(tag)) {
      add('active element', el, `an <${tag}> element`, [], `<${tag}`);
    } else if (tag === 'meta' && el.hasAttribute('http-equiv')) {
      add('active element', el, 'a <meta http-equiv> element', [], 'http-equiv');
    }
    let scriptUrl = false;
    for (const attr of Array.from(el.attributes)) {
      const name = attr.name.toLowerCase();
      const local = (attr.localName || name).toLowerCase();
      if (name.startsWith('on')) {
        add('handler attribute', el, `the attribute ${attr.name}="${attr.value.slice(0, 80)}"`,
            [], attr.name.replace(/[^a-z0-9]+$/i, ''));
      }
      if (URL_ATTRIBUTES.has(name) || URL_ATTRIBUTES.has(local)) {
        const values = local === 'values' ? attr.value.split(';') : [attr.value];
        if (values.some(runs)) {
          scriptUrl = true;
          add('script URL', el, `the URL ${attr.name}="${attr.value.slice(0, 80)}"`);
        }
      }
      const loads = ((LOADS[tag] || []).includes(name) || (LOADS[tag] || []).includes(local) ||
                     name === 'background') && !(tag === 'link' && linksOnly(el));
      if (loads) {
        for (const value of candidates(name, attr.value)) {
          const url = elsewhere(value);
          if (url) add('fetches another host', el, `${attr.name} loads ${url}`, [url]);
        }
      }
    }
    // A <base> or an odd URL can turn an innocent-looking attribute into a script URL.
    if (!scriptUrl) {
      for (const [property, attribute] of [['href', 'href'], ['action', 'action'],
                                           ['formAction', 'formaction']]) {
        if (el.hasAttribute(attribute) && typeof el[property] === 'string' && runs(el[property])) {
          add('script URL', el, `${property} resolves to ${el[property].slice(0, 80)}`);
        }
      }
    }
    const css = [];
    if (el.hasAttribute('style')) css.push(el.getAttribute('style'));
    if (tag === 'style') css.push(el.textContent);
    for (const text of css) {
      for (const value of cssUrls(text)) {
        const url = elsewhere(value);
        if (url) add('fetches another host', el, `CSS loads ${url}`, [url]);
      }
    }
  }
  return found;
}
"""
)


@dataclass(frozen=True)
class Finding:
    kind: str
    detail: str
    card: str | None = None  # the href of the list card it came from
    keys: tuple[str, ...] = ()  # to pair a request or dialog with what caused it
    hint: str | None = None  # raw-HTML text that identifies its card when it is in none

    def __str__(self) -> str:
        return f"{self.kind}: {self.detail}"


@dataclass
class Inspector:
    """Opens pages of one served site in Chromium, each in a fresh context."""

    browser: object
    base: str  # e.g. "http://127.0.0.1:41234"
    budget_s: float = 0.15  # for hovering and focusing

    def inspect(self, path: str) -> list[Finding]:
        from playwright.sync_api import Error as PlaywrightError

        url = self.base + path
        found: list[Finding] = []
        context = self.browser.new_context(
            java_script_enabled=True, service_workers="block", viewport=VIEWPORT
        )

        def route(route) -> None:
            request = route.request
            if request.url.startswith(self.base + "/") or request.url == self.base:
                route.continue_()
                return
            if urlsplit(request.url).hostname == LOCAL:  # not another host, but not ours either
                route.abort()
                return
            kind = "navigation" if request.is_navigation_request() else request.resource_type
            found.append(Finding("request", f"{kind} to {request.url}", keys=(request.url,)))
            route.abort()

        def recorded(call: dict) -> None:
            where = "" if call.get("frame", url) == url else f" (in frame {call['frame'][:80]})"
            found.append(
                Finding("script ran", call["detail"] + where, call.get("card"), tuple(call["keys"]))
            )

        def dialog(d) -> None:
            key = f"{d.type}:{d.message}"
            found.append(Finding("dialog", f"{d.type}({d.message!r})", keys=(key,)))
            d.dismiss()

        def ours() -> bool:
            return page.url.split("#")[0] == url

        def navigated(frame) -> None:
            if frame == page.main_frame and not ours():
                found.append(Finding("navigation", f"the page went to {frame.url[:120]}"))

        context.route("**/*", route)
        context.expose_function("__xssRecord", recorded)
        context.add_init_script(INIT_JS)
        context.on("page", lambda p: p.on("dialog", dialog))
        page = context.new_page()
        page.on("websocket", lambda ws: found.append(Finding("request", f"WebSocket {ws.url}")))
        page.on("popup", lambda p: found.append(Finding("navigation", f"a popup for {p.url}")))
        page.on("framenavigated", navigated)
        try:
            page.goto(url, wait_until="load", timeout=20_000)
            page.wait_for_timeout(SETTLE_MS)
            points = page.evaluate(POKE_JS, int(self.budget_s * 1000)) if ours() else []
            deadline = time.monotonic() + self.budget_s
            for x, y in points:
                if time.monotonic() > deadline or not ours():
                    break
                page.mouse.move(x, y)
            page.wait_for_timeout(SETTLE_MS // 2)
            # Once it has gone elsewhere (already a finding) there is nothing of ours to scan.
            for item in page.evaluate(SCAN_JS) if ours() else []:
                found.append(
                    Finding(item["kind"], item["detail"], item["card"], tuple(item["keys"]),
                            item["hint"])
                )  # fmt: skip
            page.wait_for_timeout(20)  # let the last recorded calls arrive
        except PlaywrightError as error:
            found.append(Finding("unchecked", f"{url}: {str(error).splitlines()[0][:200]}"))
        finally:
            context.close()
        return found


def inspect_pages(base: str, paths: list[str], workers: int = WORKERS) -> dict[str, list[Finding]]:
    """{path: findings}, the pages shared out among a few threads, each with its own Playwright
    and Chromium (the sync API is per thread): most of a page's time is waiting."""

    def work(share: list[str]) -> dict[str, list[Finding]]:
        with chromium() as browser:
            inspector = Inspector(browser, base)
            return {path: inspector.inspect(path) for path in share}

    shares = [paths[i::workers] for i in range(workers) if paths[i::workers]]
    with ThreadPoolExecutor(max_workers=max(1, len(shares))) as pool:
        done = list(pool.map(work, shares))
    return {path: found for part in done for path, found in part.items()}


# --- Reading the built site ---------------------------------------------------------------------
def url_of(output: Path, html: Path) -> str:
    return "/" + re.sub(r"(^|/)index\.html$", r"\1", html.relative_to(output).as_posix())


def first_h1(html: str) -> str | None:
    match = re.search(r"<h1\b[^>]*>(.*?)</h1>", html, re.S | re.I)
    if not match:
        return None
    text = re.sub(r"<[^>]*>", "", match[1])
    text = re.sub(r"&nbsp;|&#160;|\xa0", " ", text)
    return " ".join(text.split())


CARD_MARK = '<li class="post-card">'
CARD_LINK = re.compile(r'class="post-card-title"><a href="([^"]+)"')


def split_cards(html: str) -> tuple[str, list[tuple[str, str]], str]:
    """A list page as (what comes before the cards, [(card link, card HTML)], what comes after),
    cut at the template's own markup so that a broken summary cannot hide its neighbours."""
    head, *chunks = html.split(CARD_MARK)
    if not chunks:
        return html, [], ""
    end = chunks[-1].rfind("</ol>")  # the template closes the list after its last card
    if end >= 0:
        chunks[-1], tail = chunks[-1][:end], chunks[-1][end:]
    else:
        tail = ""
    cards = [(m[1] if (m := CARD_LINK.search(chunk)) else "", chunk) for chunk in chunks]
    return head, cards, tail


def only_card(html: str, keep: int | None) -> str:
    """The list page with all its cards but one (or all: keep=None) taken out."""
    head, cards, tail = split_cards(html)
    return head + ("" if keep is None else CARD_MARK + cards[keep][1]) + tail


# --- The two builds and the inspection, once for the module -------------------------------------
@dataclass(repr=False)
class Outcome:
    builds: list[Build] = field(default_factory=list)
    rejected: dict[str, list[str]] = field(default_factory=dict)  # id: messages
    unnamed: dict[str, str] = field(default_factory=dict)  # id: a build it fails, not naming it
    error: str | None = None  # why the published pages could not be checked
    pages: dict[str, str] = field(default_factory=dict)  # id: article URL
    lists: list[str] = field(default_factory=list)  # list pages that show summaries
    findings: dict[str, list[str]] = field(default_factory=dict)  # id: what was found
    control_findings: list[str] = field(default_factory=list)
    browser_seconds: float = 0.0

    def verdict(self, vector_id: str) -> str:
        if vector_id in self.rejected:
            return "rejected"
        if vector_id in self.unnamed:
            return "unnamed"
        if self.error or vector_id not in self.pages:
            return "unchecked"
        return "live" if self.findings.get(vector_id) else "inert"


def attribute(
    page: str, found: list[Finding], cards: list[tuple[str, str]], owners: dict[str, str]
) -> tuple[dict[str, list[str]], list[Finding]]:
    """({owner: [findings]}, [findings not traced]) for a list page. A finding is its card's;
    one in no card (e.g. an attribute the parser moved onto <body>, a dialog) is dropped when an
    attributed finding has the same request or call, else given to the one card whose raw HTML
    holds its hint; what is left is not traced."""
    result: dict[str, list[str]] = {}
    placed = [f for f in found if f.card]
    for f in placed:
        result.setdefault(owners.get(f.card, CONTROL), []).append(f"{f} (on {page})")
    known_keys = {key for f in placed for key in f.keys}
    untraced = []
    for f in found:
        if f.card or set(f.keys) & known_keys:
            continue
        holders = set()
        if f.hint:
            pattern = re.compile(re.escape(f.hint), re.I)
            holders = {owners.get(link, CONTROL) for link, raw in cards if pattern.search(raw)}
        if len(holders) == 1:
            result.setdefault(holders.pop(), []).append(f"{f} (on {page})")
        else:
            untraced.append(f)
    return result, untraced


def judge(
    output: Path, pages: dict[str, str], lists: list[str], alone: frozenset[str] = frozenset()
) -> dict[str, list[str]]:
    """{owner: findings} for a served site: `pages` {owner: its article URL}, `lists` the list
    pages. An article page's findings are its owner's; a list page's are traced to the cards
    they came from. What cannot be traced is looked for again on copies of the page that keep
    one card each (and none: what remains is the theme's). The cards of the owners in `alone`
    (summary vectors) are also checked once each on such a copy, so that what a neighbour's
    card does to them (an unclosed comment hides them) cannot make them look harmless.
    Owners: vector ids, or CONTROL for the control article and anything else."""
    owners = {url: owner for owner, url in pages.items()}
    result: dict[str, list[str]] = {}

    def blame(owner: str, lines: list[str]) -> None:
        if lines:
            result.setdefault(owner, []).extend(lines)

    with serve(output) as base:
        found = inspect_pages(base, [*pages.values(), *lists])
        for owner, page in pages.items():
            blame(owner, [f"{f} (on {page})" for f in found[page]])
        copies: dict[str, tuple[str, int | None, str, bool]] = {}  # (page, card, owner, alone)
        untraced_of: dict[str, set[str]] = {}
        seen_alone: set[str] = set()
        for page in lists:
            raw = (output / page.lstrip("/") / "index.html").read_text(encoding="utf-8")
            _, cards, _ = split_cards(raw)
            traced, untraced = attribute(page, found[page], cards, owners)
            for owner, lines in traced.items():
                blame(owner, lines)
            untraced_of[page] = {str(f) for f in untraced}
            wanted: dict[int | None, bool] = {}  # card: checked alone
            for n, (link, _) in enumerate(cards):
                owner = owners.get(link, CONTROL)
                if owner in alone and owner not in seen_alone:
                    seen_alone.add(owner)
                    wanted[n] = True
                elif untraced:
                    wanted[n] = False
            for n, is_alone in [(None, False), *wanted.items()] if wanted else []:
                copy = f"xss-card-copies/{len(copies)}"
                (output / copy).mkdir(parents=True)
                (output / copy / "index.html").write_text(only_card(raw, n), encoding="utf-8")
                owner = CONTROL if n is None else owners.get(cards[n][0], CONTROL)
                copies[f"/{copy}/"] = (page, n, owner, is_alone)
        again = inspect_pages(base, list(copies)) if copies else {}
    for page in dict.fromkeys(v[0] for v in copies.values()):
        mine = {copy: v for copy, v in copies.items() if v[0] == page}
        bare = {str(f) for f in again[next(c for c, v in mine.items() if v[1] is None)]}
        theme = bare & untraced_of[page]  # what the page does without any card
        blame(CONTROL, [f"{f} (on {page}, even without its cards)" for f in sorted(theme)])
        left = untraced_of[page] - theme
        for copy, (_, n, owner, is_alone) in mine.items():
            if n is None:
                continue
            seen = {str(f) for f in again[copy]} - bare
            if not is_alone:
                seen &= left
            where = f"on a copy of {page} with only this card"
            blame(owner, [f"{f} ({where})" for f in sorted(seen)])
            left -= seen
        together = [v[2] for v in mine.values() if v[1] is not None and v[2] != CONTROL]
        for f in sorted(left):
            note = f"only with the cards {', '.join(together)} together"
            for owner in together or [CONTROL]:
                blame(owner, [f"{f} (on {page}, {note})"])
    return result


REJECTED_OR_UNNAMED = ("rejected", "unnamed")
VERDICTS = ["rejected", "inert", "live", "unnamed", "unchecked"]


@dataclass
class Builder:
    """Builds sites of some of the vectors (and the control article), recording in `result`
    every vector a build rejects, within the budget of EXTRA_BUILDS."""

    root: Path
    result: Outcome

    def build(self, label: str, vectors: list[dict[str, str]]) -> Build | None:
        if len(self.result.builds) >= 3 + EXTRA_BUILDS:  # A1, A2, B and the extra ones
            return None
        folder = self.root / f"build-{len(self.result.builds)}"
        build = pelican(label, site_with(folder, vectors), folder / "output")
        self.result.builds.append(build)
        for v in vectors:
            if messages := build.rejects(v["id"]):
                self.result.rejected.setdefault(v["id"], messages)
        return build

    def find_unnamed(self, group: list[dict[str, str]], failed: Build) -> bool:
        """Record the vectors of `group` (whose build `failed` without naming any of them) that
        make a build fail without naming them. False when the budget ran out."""
        if len(group) == 1:
            said = (failed.stderr.strip() or failed.stdout.strip()).splitlines()
            self.result.unnamed[group[0]["id"]] = f"(exit {failed.code}) " + "\n".join(
                line.rstrip() for line in said[-12:]
            )
            return True
        found_before = len(self.result.unnamed)
        half = len(group) // 2
        for part in (group[:half], group[half:]):
            build = self.build(f"{len(part)} of the vectors", part)
            if build is None:
                return False
            failed_unnamed = build.code != 0 and not any(build.rejects(v["id"]) for v in part)
            if failed_unnamed and not self.find_unnamed(part, build):
                return False
        if len(self.result.unnamed) == found_before:  # only together do they fail the build
            for v in group:
                self.result.unnamed[v["id"]] = "the build fails only with all of: " + ", ".join(
                    x["id"] for x in group
                )
        return True


@pytest.fixture(scope="module")
def outcome(tmp_path_factory) -> Outcome:
    require_playwright()
    result = Outcome()
    root = tmp_path_factory.mktemp("xss")

    # Build A: every vector. The files its report names (for reasons of their own) are rejected.
    # In two parts: a summary shows on the list pages among other cards, and a report may blame
    # the cards an unclosed tag swallows; body and Markdown vectors are kept clear of that.
    builder = Builder(root, result)
    builder.build("A1 (body and Markdown)", [v for v in VECTORS if v["where"] != "summary"])
    builder.build("A2 (summaries)", [v for v in VECTORS if v["where"] == "summary"])

    # Build B: the others; it must succeed. If it fails naming more vector files (a report can
    # stop early), those are rejected too, and B is built again without them. If it fails naming
    # none, the vectors that make a build fail without being named are found by halving.
    control_builds = False
    while result.error is None:
        remaining = [v for v in VECTORS if result.verdict(v["id"]) not in REJECTED_OR_UNNAMED]
        build = builder.build("B (the rest)", remaining)
        if build is None:
            result.error = f"more than {EXTRA_BUILDS} extra builds were needed"
        elif build.code == 0:
            break
        elif any(build.rejects(v["id"]) for v in remaining):
            continue  # builder.build recorded them
        elif not control_builds and remaining:
            control = builder.build("the control article alone", [])
            control_builds = control is not None and control.code == 0
            if not control_builds:
                said = f"{control.stderr[-6000:]}\n{control.stdout[-3000:]}" if control else ""
                result.error = f"the control article alone does not build:\n{said}"
        if result.error is None and not (remaining and builder.find_unnamed(remaining, build)):
            result.error = (
                f"build B failed (exit {build.code}) naming none of its vector files, and the "
                f"ones to blame could not be found within {EXTRA_BUILDS} builds:\n"
                f"{build.stderr[-6000:]}\n(stdout:)\n{build.stdout[-3000:]}"
            )
    if result.error:
        return result

    # Find each article by its <h1> (not by guessing the slug) and the list pages.
    output = build.output
    title_ids = {f"XSS vector {v['id']}": v["id"] for v in remaining}
    title_ids[f"XSS vector {CONTROL}"] = CONTROL
    for html_file in sorted(output.rglob("*.html")):
        html = html_file.read_text(encoding="utf-8", errors="replace")
        owner = title_ids.get(first_h1(html) or "")
        if owner:
            result.pages[owner] = url_of(output, html_file)
        elif 'class="post-card-summary"' in html:
            result.lists.append(url_of(output, html_file))

    start = time.monotonic()
    summaries = frozenset(v["id"] for v in remaining if v["where"] == "summary")
    for owner, lines in judge(output, result.pages, result.lists, summaries).items():
        if owner == CONTROL:
            result.control_findings.extend(lines)
        else:
            result.findings[owner] = lines
    result.browser_seconds = time.monotonic() - start
    return result


# --- The detector works -------------------------------------------------------------------------
LIVE_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Live</title>
<script type="application/ld+json">{"@type": "Article"}</script></head>
<body><main>
<p>An ordinary paragraph of text.</p>
<img src=x onerror=alert(1)>
<a href="javascript:alert(1)">x</a>
<p style="background:url(//evil.example/x)">text</p>
</main></body></html>
"""
CLEAN_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Clean</title>
<script type="application/ld+json">{"@type": "Article"}</script></head>
<body><main><p>An ordinary <a href="/about/">paragraph</a> of text.</p>
<img src="/missing.png" alt="x"></main></body></html>
"""


@pytest.mark.browser
def test_detector_catches_live_vectors(tmp_path):
    """A page written directly (not built) with live vectors is reported; a clean one is not."""
    require_playwright()
    (tmp_path / "live").mkdir()
    (tmp_path / "live" / "index.html").write_text(LIVE_PAGE, encoding="utf-8")
    (tmp_path / "clean").mkdir()
    (tmp_path / "clean" / "index.html").write_text(CLEAN_PAGE, encoding="utf-8")
    with serve(tmp_path) as base:
        found = inspect_pages(base, ["/live/", "/clean/"], workers=2)
    live, clean = found["/live/"], found["/clean/"]
    report = "\n".join(map(str, live))
    kinds = {f.kind for f in live}
    assert any(f.kind == "handler attribute" and "onerror" in f.detail for f in live), report
    assert any(f.kind == "script URL" and "javascript:alert(1)" in f.detail for f in live), report
    assert {"dialog", "script ran", "request", "fetches another host"} <= kinds, report
    assert any("evil.example/x" in f.detail for f in live if f.kind == "request"), report
    assert not clean, "\n".join(map(str, clean))


THEME_FETCH = '<link rel="stylesheet" href="https://evil.example/theme.css">'  # in no card
LIST_CARDS = {
    "a": "<body onload=alert(1)>",  # the parser moves the attribute onto <body>: in no card
    "b": '<i style="background:\\75\\72\\6C(//evil.example/e.png)">b</i>',  # request only
    "c": "Harmless.",
    "d": "<img src=x onerror=alert(2)>",
    "e": "Opens a comment <!-- and never closes it",  # hides the cards after it
    "f": "<img src=x onerror=alert(3)>",  # hidden here: only a copy with this card alone shows it
}


@pytest.mark.browser
def test_findings_on_list_pages_are_traced_to_their_card(tmp_path):
    """A list page written in the template's shape: each finding goes to the card it came from,
    including a handler the parser moved onto <body> and a request only the browser sees; what
    the page does without any card is the theme's; a summary hidden by its neighbour's unclosed
    comment is still checked on its own."""
    require_playwright()
    cards = "".join(
        f'{CARD_MARK}\n    <article>\n      <h3 class="post-card-title"><a href="/blog/{name}/">'
        f'{name}</a></h3>\n      <div class="post-card-summary"><p>{summary}</p></div>\n'
        "    </article>\n  </li>\n"
        for name, summary in LIST_CARDS.items()
    )
    page = tmp_path / "page" / "2" / "index.html"
    page.parent.mkdir(parents=True)
    page.write_text(
        f'<!doctype html><html lang="en"><head><title>x</title>{THEME_FETCH}</head><body><main>\n'
        f'<ol class="post-list">\n{cards}</ol>\n</main></body></html>\n',
        encoding="utf-8",
    )
    for name in LIST_CARDS:  # each card's article: harmless
        (tmp_path / "blog" / name).mkdir(parents=True)
        (tmp_path / "blog" / name / "index.html").write_text(CLEAN_PAGE, encoding="utf-8")
    articles = {name: f"/blog/{name}/" for name in LIST_CARDS}
    found = judge(tmp_path, articles, ["/page/2/"], alone=frozenset({"e", "f"}))
    everything = "\n".join(f"{owner}: {line}" for owner, lines in found.items() for line in lines)
    assert set(found) == {"a", "b", "d", "f", CONTROL}, everything
    assert all("theme.css" in line for line in found[CONTROL]), everything  # not a card's
    assert any("handler attribute" in line and "onload" in line for line in found["a"]), everything
    assert any(line.startswith("dialog: alert('1')") for line in found["a"]), everything
    assert any("request: image to http://evil.example/e.png" in line for line in found["b"])
    assert all("alert(1)" not in line for line in found["d"]), everything
    assert any("onerror" in line and "only this card" in line for line in found["f"]), everything


# --- Every vector is rejected or inert ----------------------------------------------------------
@pytest.mark.browser
def test_control_article_is_accepted_and_clean(outcome):
    """An article with the same header and a harmless body: not reported, page found, nothing
    found on it (else the rejections would mean nothing and the detector would see the theme)."""
    assert not outcome.error, outcome.error
    said = [m for b in outcome.builds[:2] for m in b.messages(CONTROL)]
    assert not said, "the control article was reported:\n" + "\n".join(said)
    assert CONTROL in outcome.pages, "no page with the <h1> 'XSS vector control' was built"
    assert not outcome.control_findings, "\n".join(outcome.control_findings)


@pytest.mark.browser
@pytest.mark.parametrize("vector_id", IDS)
def test_vector_is_rejected_or_inert(outcome, vector_id):
    vector = next(v for v in VECTORS if v["id"] == vector_id)
    verdict = outcome.verdict(vector_id)
    if verdict == "rejected":
        return
    where = f"{vector_id} ({vector['where']}: {vector['source']!r})"
    if outcome.error:  # the whole report is in test_control_article_is_accepted_and_clean
        tail = "\n".join(outcome.error.rstrip().splitlines()[-12:])
        pytest.fail(f"{where} could not be checked: {tail}", pytrace=False)
    if verdict == "unnamed":
        pytest.fail(
            f"{where}: the build fails, but its report does not name the file:\n"
            f"{outcome.unnamed[vector_id]}",
            pytrace=False,
        )
    if verdict == "unchecked":
        pytest.fail(
            f"{where} was not rejected, but no page with the <h1> 'XSS vector {vector_id}' was "
            "built, so it could not be checked",
            pytrace=False,
        )
    if verdict == "live":
        findings = "\n  ".join(outcome.findings[vector_id])
        pytest.fail(f"{where} was published live:\n  {findings}", pytrace=False)


@pytest.mark.browser
def test_summary(outcome, capsys):
    """The counts, printed for the record (also without -s)."""
    by_verdict: dict[str, list[str]] = {}
    for vector_id in IDS:
        by_verdict.setdefault(outcome.verdict(vector_id), []).append(vector_id)
    count = {k: len(by_verdict.get(k, [])) for k in VERDICTS}
    a, last = outcome.builds[0], outcome.builds[-1]  # A1, and the B that was inspected
    lines = [
        f"XSS corpus: {len(IDS)} vectors: rejected {count['rejected']}, published inert "
        f"{count['inert']}, published live {count['live']}, build failed without naming the "
        f"file {count['unnamed']}, unchecked {count['unchecked']}",
        f"  {len(outcome.builds)} builds in {sum(b.seconds for b in outcome.builds):.1f} s "
        f"({a.label}: exit {a.code}; last, {last.label}: exit {last.code}); Chromium: "
        f"{len(outcome.pages)} article pages + {len(outcome.lists)} list pages in "
        f"{outcome.browser_seconds:.1f} s",
    ]
    lines += [f"  {k}: {', '.join(by_verdict[k])}" for k in VERDICTS[1:] if by_verdict.get(k)]
    with capsys.disabled():
        print("\n" + "\n".join(lines))
    assert sum(count.values()) == len(IDS), by_verdict.keys()
