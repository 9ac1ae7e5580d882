"""Old addresses keep working: each one leads to the article or page that lives elsewhere now.

The clinic's old hosted blog had its posts at /post/<slug>. For each path an article's or page's
`Redirect-from:` header line names (comma-separated: the old blog's posts carry their /post/…
address there), the build writes

* a redirect page, old/path/index.html (the theme's redirect.html, else this plugin's own: meta
  refresh, rel=canonical and a visible link), which static hosts serve for both /old/path and
  /old/path/ (GitHub Pages answers the first with a redirect to the second); a path ending in
  .html is written as is;
* a line in `_redirects` at the site root (Netlify, Cloudflare Pages): `/old/path /new/ 301`,
  and the same for the path with a trailing slash, so those hosts answer with a real 301.

A `Redirect-from:` path must be a path of this site (starting with /, no host, no ?query or
#fragment, no . or .. steps), and no old path may be the address of a page the site has (a real
page, a static file) or be claimed twice; each is reported with its file and line, as a warning
carrying extra={"content_problem": {...}} (plugins/content_checks, when it runs, reports it with
the others and fails the build). The words are MESSAGES. The redirect pages stay out of the
sitemap.

pelican-redirect (PyPI) writes such pages too, but from a fixed template (no lang, title or
theme: its pages fail the HTML checker and the site's own page tests), one `original_url` per
article, with no `_redirects` file and no checks, so this is ours.
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import blinker
from jinja2 import Template
from pelican import signals
from pelican.contents import Article, Content, Page
from pelican.generators import Generator, PelicanTemplateNotFound
from pelican.utils import sanitised_join

DEFAULTS = {
    # The redirects file for Netlify and Cloudflare Pages at the site root ("" for none).
    "hosts_file": "_redirects",
    "status": 301,
}
KEY = "redirect-from"
# The named signal a build's plan of output files is gathered with (content_checks asks it).
PLAN = "rebalance.plan_outputs"
# RFC 3986 path characters (percent-escapes included): what an old address may be made of.
PATH_RE = re.compile(r"/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*")
TEMPLATE = Path(__file__).with_name("redirect.html")  # for a theme without a "redirect" template
# What an author is told, in plain words (docs/content-checks.md explains each further).
MESSAGES: dict[str, str] = {
    "redirect-from": (
        '"Redirect-from: {value}" is not an old address of this site: {why}. Write the part of '
        'the old address after the site\'s name, for example "Redirect-from: /post/knee-pain"; '
        "separate several with commas."
    ),
    "redirect-taken": (
        "the old address {path} cannot lead here: it is {owner}. Remove it from the "
        '"Redirect-from:" line.'
    ),
}
logger = logging.getLogger(__name__)


def settings_for(pelican_settings: dict) -> dict:
    """REDIRECTS settings with defaults filled in."""
    return {**DEFAULTS, **pelican_settings.get("REDIRECTS", {})}


@dataclass(frozen=True)
class Redirect:
    old: str  # the old path, as the address bar shows it: /post/knee-pain
    to: Content  # the article or page whose Redirect-from: line names it

    @property
    def save_as(self) -> str:
        """The file that answers the old address on a static host."""
        path = unquote(self.old).strip("/")
        return path if path.lower().endswith((".html", ".htm")) else f"{path}/index.html"

    def sources(self) -> list[str]:
        """The old address in each form a reader may have it: with and without the slash."""
        if self.old.lower().endswith((".html", ".htm")):
            return [self.old]
        bare = self.old.rstrip("/")
        return [bare, bare + "/"]


def path_problem(path: str) -> str | None:
    """Why a Redirect-from value is not an old path of this site (None when it is)."""
    parts = urlsplit(path)
    if parts.scheme or path.startswith("//") or parts.netloc:
        return "give only the path, without https:// and the site's name"
    if not path.startswith("/"):
        return "it must start with /"
    if "?" in path or "#" in path:
        return "a ?… or #… part cannot be redirected by a static site: leave it out"
    if not PATH_RE.fullmatch(path):
        return "it may hold only letters, digits and - . _ ~ % / (spaces as %20)"
    if any(step in (".", "..") for step in unquote(path).split("/")):
        return "it must not contain /./ or /../"
    if not path.strip("/"):
        return "that is the home page"
    return None


def header_line(path: str, key: str) -> int | None:
    """The line of `key` ("redirect-from") in the header of the Markdown file at `path`."""
    try:
        with open(path, encoding="utf-8") as file:
            for number, text in enumerate(file, 1):
                if not text.strip():
                    return None  # the header ends at the first empty line
                if text.partition(":")[0].strip().lower() == key:
                    return number
    except (OSError, UnicodeDecodeError):
        return None
    return None


def shown(settings: dict, path: str) -> str:
    """A path as the author knows it: content/articles/… (relative to the project)."""
    relative = os.path.relpath(path, os.path.dirname(os.path.abspath(settings["PATH"])))
    return path if relative.startswith(os.pardir) else relative.replace(os.sep, "/")


def report(content: Content, line: int | None, message: str, /, **values: object) -> None:
    """Logs the message named `message` against `content`'s file, for plugins/content_checks'
    report (or as a plain warning without it)."""
    text, path = MESSAGES[message].format(**values), content.source_path
    where = shown(content.settings, path) + (f":{line}" if line else "")
    problem = {"path": path, "line": line, "message": text, "subject": KEY}
    logger.warning("%s: %s", where, text, extra={"content_problem": problem})


def read_header(content) -> None:
    """Sets `redirect_from` on an article or page: the usable paths of its Redirect-from: line;
    the others are reported."""
    if not isinstance(content, Article | Page):
        return  # a static file
    value = content.metadata.get(KEY) or ""
    values = value if isinstance(value, list) else [value]
    paths = [p.strip() for v in values for p in str(v).split(",") if p.strip()]
    content.redirect_from = []
    for path in paths:
        why = path_problem(path)
        if why is None:
            content.redirect_from.append(path)
        else:
            line = header_line(content.source_path, KEY)
            report(content, line, "redirect-from", value=path, why=why)


class RedirectsGenerator(Generator):
    """Writes the redirect pages and the hosts' redirects file, after the articles and pages."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.written: set[str] = set()  # files the writer has written in this build
        self.refused: set[str] = set()  # redirect pages the build's plan refused (PLAN)
        # Held weakly by blinker (a bound method): the receivers go with this build's generator.
        signals.content_written.connect(self.note_written)
        signals.feed_written.connect(self.note_written)
        # The build's plan of every file it writes (content_checks asks, if it runs): what this
        # plugin will write, before anything is written.
        blinker.signal(PLAN).connect(self.plan)

    def plan(self, generators) -> list[dict]:
        """The redirect pages and the hosts' file this build will write (each old path once:
        a path named twice is reported by redirects() itself)."""
        if not generators or generators[0].settings is not self.settings:
            return []  # another build's generators
        config = settings_for(self.settings)
        planned = {}
        for redirect in self.wanted():
            planned.setdefault(redirect.save_as, redirect)
        found = [{"path": config["hosts_file"], "source": None, "line": None,
                  "what": "the redirects file for Netlify and Cloudflare Pages"}] if (
            config["hosts_file"]) else []  # fmt: skip
        for save_as, redirect in planned.items():
            line = header_line(redirect.to.source_path, KEY)
            fix = 'Remove it from the "Redirect-from:" line.'
            taken = MESSAGES["redirect-taken"].format(path=redirect.old, owner="{other}")
            found.append({"path": save_as, "source": redirect.to.source_path, "line": line,
                          "what": f"the redirect from {redirect.old}", "fix": fix,
                          "message": taken,
                          "drop": lambda save_as=save_as: self.refused.add(save_as)})  # fmt: skip
        return found

    def note_written(self, path: str, **_) -> None:
        """A page or feed Pelican's writer wrote (content_written, feed_written)."""
        self.written.add(os.path.normcase(path))

    def generate_output(self, writer) -> None:
        config = settings_for(self.settings)
        redirects = self.redirects()
        if not redirects:
            return
        template = self.template()
        for redirect in redirects:
            # dates=[]: the page shows no article text (so the content checks look for none).
            writer.write_file(redirect.save_as, template, self.context,
                              self.settings["RELATIVE_URLS"], paginated={}, url=redirect.save_as,
                              redirect_to=redirect.to, redirect_from=redirect.old,
                              dates=[])  # fmt: skip
        self.keep_out_of_sitemap(redirects)
        if config["hosts_file"]:
            self.write_hosts_file(config, redirects)

    def template(self) -> Template:
        """The theme's "redirect" template, else this plugin's own."""
        try:
            return self.get_template("redirect")
        except PelicanTemplateNotFound:
            return self.env.from_string(TEMPLATE.read_text(encoding="utf-8"))

    def wanted(self) -> list[Redirect]:
        """Every redirect the articles' and pages' Redirect-from: lines ask for."""
        lists = ("articles", "hidden_articles", "pages", "hidden_pages")
        return [Redirect(old, content) for name in lists for content in self.context.get(name, ())
                for old in getattr(content, "redirect_from", ())]  # fmt: skip

    def redirects(self) -> list[Redirect]:
        """Every redirect to write, each old path once, none where the site has a page."""
        wanted = [r for r in self.wanted() if r.save_as not in self.refused]
        written = self.written
        static = {os.path.normpath(s.save_as) for s in self.context.get("staticfiles", ())}
        claimed: dict[str, Redirect] = {}
        redirects = []
        for redirect in wanted:
            target = os.path.normcase(sanitised_join(self.output_path, redirect.save_as))
            other = claimed.get(redirect.save_as)
            if other is not None and other.to is redirect.to:
                continue  # named twice for the same article: one page
            owner = None
            if target in written or os.path.normpath(redirect.save_as) in static:
                owner = "a page of this site"
            elif other is not None:
                owner = f"the old address of {shown(self.settings, other.to.source_path)}"
            if owner:
                self.report(redirect, owner)
                continue
            claimed[redirect.save_as] = redirect
            redirects.append(redirect)
        return redirects

    def report(self, redirect: Redirect, owner: str) -> None:
        """An old path that cannot be redirected: against the file that named it."""
        line = header_line(redirect.to.source_path, KEY)
        report(redirect.to, line, "redirect-taken", path=redirect.old, owner=owner)

    def keep_out_of_sitemap(self, redirects: list[Redirect]) -> None:
        """pelican-sitemap lists every page written: not these (a new dict for this build)."""
        sitemap = dict(self.settings.get("SITEMAP") or {})
        pages = [re.sub(r"(^|/)index\.html$", r"\1", r.save_as) for r in redirects]
        # One pattern for them all: the plugin tries each pattern on each address, and a pattern
        # per redirect (two per article) made that a million searches at 1,000 articles.
        if pages:
            either = "|".join(re.escape(page) for page in sorted(set(pages)))
            sitemap["exclude"] = [*sitemap.get("exclude", ()), f"^(?:{either})$"]
        self.settings["SITEMAP"] = sitemap

    def write_hosts_file(self, config: dict, redirects: list[Redirect]) -> None:
        """`_redirects`: one `/old /new/ 301` line per form of each old address."""
        base = urlsplit(self.settings.get("SITEURL", "")).path.rstrip("/")
        lines = [
            "# Old addresses and where they lead now, for Netlify and Cloudflare Pages (written",
            "# by plugins/redirects: the same redirects are also pages, for every other host).",
        ]
        for redirect in redirects:
            for old in redirect.sources():
                lines.append(f"{base}{old} {base}/{redirect.to.url} {config['status']}")
        path = sanitised_join(self.output_path, config["hosts_file"])
        with open(path, "w", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")


def get_generators(pelican):
    return RedirectsGenerator


def register() -> None:
    # content_object_init: each article's and page's Redirect-from: line is read and checked,
    # drafts included, so a mistake shows before the article is published.
    signals.content_object_init.connect(read_header)
    # get_generators: the redirects are written after the articles and pages, whose files are
    # then known (an old path must not replace one), and before the static files are copied.
    signals.get_generators.connect(get_generators)
