"""One security policy for every host: SECURITY_HEADERS is the site's Content-Security-Policy,
Referrer-Policy and other HTTP headers, from which this plugin makes

* `_headers` at the site root (SECURITY_HEADERS["file"]): one rule for every path (`/*`), for
  the hosts that read it (Netlify, Cloudflare Pages);
* with SECURITY_HEADERS["meta"] (production, publishconf.py), the same policy as
  `<meta http-equiv="Content-Security-Policy">` and `<meta name="referrer">` in each page, for
  hosts that send no headers (GitHub Pages ignores `_headers`). The theme's partial
  (partials/meta/security.html) writes them first in <head>, from SECURITY_HEADERS["meta_policy"],
  which this plugin fills in: the policy without what a meta tag cannot carry (frame-ancestors,
  report-uri, report-to, sandbox: browsers ignore them there).

Once a page is written (content_written: its HTML is final, the CSS inlined), the `'unsafe-inline'`
of style-src and script-src in its meta policy is replaced by the sha256 of each inline <style>
and <script> of its <head>, parsed as a browser parses the page (Lexbor, an HTML5 parser): the
theme's own, and nothing from an article (which is in <body>), so a <style> or <script> that
slipped into an article would still be blocked. A page with no inline script gets no script
hash: only the site's own script files run ('self'). JSON-LD (`type="application/ld+json"`) is
data, which a policy does not govern. `_headers` keeps `'unsafe-inline'` for styles, since one
rule serves every page; a browser that gets both enforces both, so the meta tag's stricter
list decides.

Development builds leave the meta tags out (`make serve` adds its own script and problem panel
to each page, and its server sends no policy either). An inline script allowed by the setting
(`'unsafe-inline'` in a script-src that reaches the meta tag) is refused: a problem of the site
as a whole, through the content_problem channel.
"""

from __future__ import annotations

import base64
import hashlib
import html
import logging
import os
import re

import blinker
from pelican import signals
from pelican.generators import Generator
from pelican.utils import sanitised_join
from selectolax.lexbor import LexborHTMLParser

logger = logging.getLogger(__name__)
# The named signal a build's plan of output files is gathered with (content_checks asks it).
PLAN = "rebalance.plan_outputs"
DEFAULTS = {
    # The Content-Security-Policy: directive -> sources, in the order written.
    "policy": {
        "default-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
    },
    "referrer": "strict-origin-when-cross-origin",  # Referrer-Policy, and <meta name="referrer">
    "headers": {},  # other headers for `_headers`: {"X-Content-Type-Options": "nosniff"}
    "file": "_headers",  # at the site root; "" for none
    "meta": False,  # the policy as <meta> tags in each page (publishconf.py: True)
}
# Directives a policy given in a <meta> tag cannot carry (CSP Level 3, 3.3).
NOT_IN_META = {"frame-ancestors", "report-uri", "report-to", "sandbox"}
HASHED = ("style-src", "script-src")  # where the page's own inline elements are allowed by hash
META_RE = re.compile(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">', re.I)
# What is executed as a script (HTML's "JavaScript MIME type essence match", and modules):
# anything else in a <script> is a data block, which a policy does not govern.
SCRIPT_TYPES = {"", "module", "text/javascript", "application/javascript", "text/ecmascript",
                "application/ecmascript", "text/jscript", "text/livescript",
                "application/x-javascript", "application/x-ecmascript",
                "text/x-javascript", "text/x-ecmascript"} | {
                f"text/javascript1.{n}" for n in range(6)}  # fmt: skip
MESSAGES = {
    "inline-scripts": (
        "SECURITY_HEADERS allows inline scripts ('unsafe-inline' in script-src), which would let "
        "a script that slipped into a page run. Remove it from script-src in pelicanconf.py and "
        "load scripts from files of the site."
    ),
}


def config(settings: dict) -> dict:
    """SECURITY_HEADERS with defaults filled in."""
    return {**DEFAULTS, **(settings.get("SECURITY_HEADERS") or {})}


def enabled(settings: dict) -> bool:
    """Whether this build uses this plugin (signals are global: another Pelican in this process
    may not)."""
    names = set(settings.get("PLUGINS") or ())
    return bool(names & {__package__, __package__.rsplit(".", 1)[-1], __name__})


def policy_text(policy: dict[str, list[str]]) -> str:
    return "; ".join(" ".join([name, *sources]) for name, sources in policy.items())


def meta_policy(policy: dict[str, list[str]], hashes: dict[str, list[str]] | None = None) -> str:
    """The policy as a meta tag carries it; with `hashes` (by directive), those in place of
    'unsafe-inline' in style-src and script-src."""
    shown = {}
    for name, sources in policy.items():
        if name in NOT_IN_META:
            continue
        if hashes is not None and name in HASHED:
            sources = [s for s in sources if s != "'unsafe-inline'"] + hashes.get(name, [])
        shown[name] = sources
    return policy_text(shown)


def headers_file(settings: dict) -> str:
    """The text of `_headers`."""
    conf = config(settings)
    lines = [
        "# HTTP headers for hosts that read this file (Netlify, Cloudflare Pages); GitHub Pages",
        "# ignores it, so production pages carry the same policy as <meta> tags. Made from",
        "# SECURITY_HEADERS in pelicanconf.py by plugins/security_headers (docs/deploy.md).",
        "/*",
        f"  Content-Security-Policy: {policy_text(conf['policy'])}",
        *([f"  Referrer-Policy: {conf['referrer']}"] if conf["referrer"] else []),
        *(f"  {name}: {value}" for name, value in conf["headers"].items()),
    ]
    return "\n".join(lines) + "\n"


def source_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def inline_hashes(page: str) -> dict[str, list[str]]:
    """The sha256 of each inline <style> and <script> of the page's <head>, as a browser reads
    them (the HTML5 parser's text of each: line ends made \\n, as browsers hash them)."""
    head = LexborHTMLParser(page).head
    found: dict[str, list[str]] = {"style-src": [], "script-src": []}
    for node in head.css("style, script") if head is not None else ():
        if node.tag == "script":
            kind = (node.attributes.get("type") or "").strip().lower()
            if "src" in node.attributes or kind not in SCRIPT_TYPES:
                continue  # a file ('self' judges it) or data
        directive = "style-src" if node.tag == "style" else "script-src"
        value = source_hash(node.text(deep=True))
        if value not in found[directive]:
            found[directive].append(value)
    return found


# --- Signals ------------------------------------------------------------------------------------
def fill_in(pelican) -> None:
    """SECURITY_HEADERS with defaults and meta_policy filled in, for the theme's partial."""
    settings = pelican.settings
    if not enabled(settings):
        return
    conf = config(settings)
    conf["meta_policy"] = meta_policy(conf["policy"])
    settings["SECURITY_HEADERS"] = conf


def fill_meta(path: str, context: dict) -> None:
    """A page just written: its meta policy gets the hashes of its own inline <head> elements.
    (The writer's context holds the build's settings, as Pelican copies them into it.)"""
    context = context or {}
    if not path.endswith((".html", ".htm")) or not enabled(context):
        return
    conf = config(context)
    if not conf["meta"] or "meta_policy" not in conf:
        return
    with open(path, encoding="utf-8") as handle:
        page = handle.read()
    found = META_RE.search(page)
    if not found or html.unescape(found[1]) != conf["meta_policy"]:
        return  # a template without the partial, or a policy that is not ours
    # Quotes left as they are but for the attribute's own ("): the tag stays short.
    policy = html.escape(meta_policy(conf["policy"], inline_hashes(page)), quote=False)
    policy = policy.replace('"', "&quot;")
    page = page[: found.start(1)] + policy + page[found.end(1) :]
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(page)


class HeadersGenerator(Generator):
    """Writes `_headers`, and names it in the build's plan of the files it writes."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Held weakly by blinker (a bound method): the receiver goes with this build's generator.
        blinker.signal(PLAN).connect(self.plan)

    def plan(self, generators) -> list[dict]:
        if not generators or generators[0].settings is not self.settings:
            return []  # another build's generators
        name = config(self.settings)["file"]
        what = "the HTTP headers file for Netlify and Cloudflare Pages"
        return [{"path": name, "source": None, "line": None, "what": what}] if name else []

    def generate_output(self, writer) -> None:
        conf = config(self.settings)
        # Here, not at initialized: the content checks (if they run) collect problems by now.
        scripts = conf["policy"].get("script-src", conf["policy"].get("default-src", []))
        if conf["meta"] and "'unsafe-inline'" in scripts:
            message = MESSAGES["inline-scripts"]
            problem = {
                "path": None,
                "line": None,
                "message": message,
                "subject": "SECURITY_HEADERS",
            }
            logger.error("(site): %s", message, extra={"content_problem": problem})
        name = conf["file"]
        if name:
            path = sanitised_join(self.output_path, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(headers_file(self.settings))


def get_generators(pelican):
    return HeadersGenerator if enabled(pelican.settings) else None


def register() -> None:
    # initialized: the meta tags' policy is in the settings before any template is rendered.
    signals.initialized.connect(fill_in)
    # get_generators: `_headers` is written with the other outputs, and planned before them.
    signals.get_generators.connect(get_generators)
    # content_written: each page's HTML is final here (the theme's CSS inlined): what its meta
    # policy allows is hashed from what was written.
    signals.content_written.connect(fill_meta)
