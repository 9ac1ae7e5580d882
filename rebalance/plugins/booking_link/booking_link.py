"""Booking links: `{booking}` in Markdown, the theme's booking links, and where bookings come from.

Authors write `[Book now]({booking})`; the URL itself is the BOOKING_URL setting, so changing
booking provider is one edit in pelicanconf.py, never a search through every article. An article
(or page) may send its readers to another booking page, a given appointment type say, with a
`Booking: https://...` header line; it must be an https address (one that is not is reported,
and the site's BOOKING_URL is used instead). Without a BOOKING_URL setting (a site not set up for
bookings) `{booking}` is left as written, and Pelican warns about each.

Attribution without trackers: every booking link carries the BOOKING_UTM query parameters
(utm_source, utm_medium) and utm_campaign, the page's slug, so the booking service's own reports
show which article a booking came from. Nothing runs in the reader's browser and nothing is sent
anywhere else. BOOKING_UTM = None leaves the addresses as they are.

A problem is logged as a warning carrying extra={"content_problem": {...}}: plugins/content_checks,
when it runs, reports it with the others and fails the build. The words are MESSAGES.

Templates call `booking_href()` for the address on the page being written (`booking_href(False)`:
without the parameters, for print). External links in articles get rel="noopener".
"""

from __future__ import annotations

import ipaddress
import logging
import os
import re
import unicodedata
from html import escape
from urllib.parse import urlencode

import ada_url
from jinja2 import pass_context
from pelican import signals
from pelican.contents import Article, Content, Page

PLACEHOLDER = "{booking}"
# The default for BOOKING_UTM; utm_campaign (the page's slug) is added to it.
DEFAULT_UTM = {"utm_source": "website", "utm_medium": "referral"}
ANCHOR = re.compile(r"<a\s[^>]*>", re.I)
HREF = re.compile(r"""\shref\s*=\s*(["'])(.*?)\1""", re.I | re.S)
REL = re.compile(r"""\srel\s*=\s*(["'])(.*?)\1""", re.I | re.S)
# What an author is told, in plain words (docs/content-checks.md explains each further).
MESSAGES: dict[str, str] = {
    "booking-setting": (
        'BOOKING_URL "{value}" in the settings is not a booking page address: {why}. Set the '
        "address the booking service gives (https://...) in pelicanconf.py or the BOOKING_URL "
        "environment variable."
    ),
    "booking-url": (
        '"Booking: {value}" is not a booking page address: {why}. Copy the full address the '
        "booking service gives (https://...), or remove the line to use the clinic's usual "
        "booking page."
    ),
}
logger = logging.getLogger(__name__)
HOME = "https://site.invalid/"  # relative links are read against this without SITEURL


def is_external(href: str, siteurl: str) -> bool:
    """True for links a browser reads as leading to another site (WHATWG URL, ada)."""
    base = siteurl.rstrip("/") + "/" if siteurl.startswith(("http://", "https://")) else HOME
    try:
        target, home = ada_url.URL(href.strip(), base=base), ada_url.URL(base)
    except ValueError:
        return False
    return target.protocol in ("http:", "https:") and target.host != home.host


def add_noopener(tag: str) -> str:
    """The <a …> start tag with "noopener" in its rel attribute."""
    rel = REL.search(tag)
    if rel is None:
        return tag[:-1].rstrip() + ' rel="noopener">'
    values = rel.group(2).split()
    if "noopener" in values:
        return tag
    quote = rel.group(1)
    new = f" rel={quote}{' '.join([*values, 'noopener'])}{quote}"
    return tag[: rel.start()] + new + tag[rel.end() :]


def rewrite_links(html: str, booking_url: str, siteurl: str) -> str:
    """Replaces {booking} hrefs with booking_url and marks external links noopener."""

    def fix(match: re.Match) -> str:
        tag = match.group(0)
        href = HREF.search(tag)
        if href is None:
            return tag
        if href.group(2).strip() == PLACEHOLDER:
            tag = tag[: href.start(2)] + escape(booking_url) + tag[href.end(2) :]
            return add_noopener(tag)
        return add_noopener(tag) if is_external(href.group(2), siteurl) else tag

    return ANCHOR.sub(fix, html)


# --- Attribution ---------------------------------------------------------------------------------
def with_utm(url: str, utm: dict | None, campaign: str) -> str:
    """`url` with the utm parameters and utm_campaign=campaign added to its query (replacing any
    of the same name; the rest of the address is kept as it was). No parameters if utm is None."""
    if utm is None:
        return url
    params = {**utm, "utm_campaign": utm.get("utm_campaign", campaign)}
    params = {k: v for k, v in params.items() if v not in (None, "")}
    if not params:
        return url
    head, hash_, fragment = url.partition("#")
    base, _, query = head.partition("?")
    kept = [p for p in query.split("&") if p and p.split("=", 1)[0] not in params]
    query = "&".join([*kept, urlencode(params)])
    return f"{base}?{query}{hash_}{fragment}"


def campaign_for(output_file: str) -> str:
    """utm_campaign for a page that is no article or page, from its address: index.html is
    "home", blog/tag/knee/index.html is "blog-tag-knee", 404.html is "404"."""
    path = re.sub(r"(^|/)index\.html$", "", output_file).removesuffix(".html")
    return "-".join(part for part in path.split("/") if part) or "home"


def booking_url_problem(url: str) -> str | None:
    """Why an address cannot be a booking page's (None if it can), judged as a browser reads it
    (WHATWG URL, ada): the host checked is the one a browser would go to."""
    if any(c.isspace() or unicodedata.category(c) in ("Cc", "Cf") for c in url):
        return "it contains a space or an invisible character"
    if "\\" in url:  # browsers read it as "/": what looks like the host may not be
        return "it contains a backslash (\\), which browsers read as / and so as another address"
    if not url.lower().startswith("https://"):
        return "it must start with https:// (booking pages ask for personal details)"
    try:
        parsed = ada_url.URL(url)
    except ValueError:
        if not url[len("https://") :].strip("/"):
            return "there is no website name after https://"
        return "it is not a web address a browser can open"
    if parsed.protocol != "https:":
        return "it must start with https:// (booking pages ask for personal details)"
    if not parsed.hostname:
        return "there is no website name after https://"
    if parsed.username or parsed.password:
        return "it must not contain a user name or password"
    if _local(parsed.hostname):
        return "it is on your own computer or network, which patients cannot reach"
    return None


def _local(host: str) -> bool:
    """A host on the author's own computer or network: patients cannot reach it (the content
    checks judge links in articles the same way, with their own copy)."""
    host = host.strip("[]").lower().rstrip(".")
    if host == "localhost" or host.endswith((".localhost", ".local", ".internal", ".lan")):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return "." not in host  # a bare name ("intranet") is a local network's
    return not address.is_global


def check_setting(generators) -> None:
    """BOOKING_URL (the site's booking page) judged as a `Booking:` line is."""
    url = generators[0].settings.get("BOOKING_URL") if generators else None
    if url and (why := booking_url_problem(str(url))):
        text = MESSAGES["booking-setting"].format(value=url, why=why)
        problem = {"path": None, "line": None, "message": text, "subject": "BOOKING_URL"}
        logger.warning("%s", text, extra={"content_problem": problem})


def _utm(settings) -> dict | None:
    return settings.get("BOOKING_UTM", DEFAULT_UTM)


def header_line(path: str, key: str) -> int | None:
    """The line of `key` ("booking") in the header of the Markdown file at `path`."""
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


def _report(content, value: str, why: str) -> None:
    """A `Booking:` value that cannot be used, against its header line."""
    path, line = content.source_path, header_line(content.source_path, "booking")
    text = MESSAGES["booking-url"].format(value=value, why=why)
    project = os.path.dirname(os.path.abspath(content.settings["PATH"]))
    where = os.path.relpath(path, project).replace(os.sep, "/") + (f":{line}" if line else "")
    problem = {"path": path, "line": line, "message": text, "subject": "booking"}
    logger.warning("%s: %s", where, text, extra={"content_problem": problem})


def base_url(content) -> str | None:
    """The booking page for an article or page: its own `Booking:` if usable, else BOOKING_URL
    (None when the settings have none)."""
    own = content.metadata.get("booking")
    if isinstance(own, str) and own.strip():
        why = booking_url_problem(own.strip())
        if why is None:
            return own.strip()
        _report(content, own, why)
    return content.settings.get("BOOKING_URL")


def process(content) -> None:
    """Sets `booking_url` on an article or page (its booking address, with the attribution
    parameters) and rewrites its links, before Pelican resolves {filename} links."""
    if not isinstance(content, Article | Page):
        return  # a static file
    settings = content.settings
    content.booking_base_url = base = base_url(content)
    content.booking_url = base and with_utm(base, _utm(settings), content.slug or "")
    if not getattr(content, "_content", None):
        return
    booking = content.booking_url or PLACEHOLDER  # no BOOKING_URL: {booking} stays as written
    content._content = rewrite_links(content._content, booking, settings.get("SITEURL", ""))


@pass_context
def booking_href(context, tracked: bool = True, url: str | None = None) -> str:
    """The booking address for the page being written: the article's or page's own, else
    BOOKING_URL with utm_campaign taken from the page's address. tracked=False: without the
    attribution parameters (what a reader would type from paper). url: another booking page
    (a clinician's own), with this page's attribution parameters."""
    if url:
        return with_utm(url, context.get("BOOKING_UTM", DEFAULT_UTM), campaign_for(
            context.get("output_file") or "")) if tracked else url  # fmt: skip
    content = next((c for c in (context.get("article"), context.get("page"))
                    if isinstance(c, Content)), None)  # fmt: skip
    if content is not None and getattr(content, "booking_url", None):
        return content.booking_url if tracked else content.booking_base_url
    url = context.get("BOOKING_URL") or ""
    if not tracked or not url:
        return url
    return with_utm(url, context.get("BOOKING_UTM", DEFAULT_UTM), campaign_for(
        context.get("output_file") or ""))  # fmt: skip


def add_template_function(generator) -> None:
    """Makes booking_href() available to every template of this generator."""
    generator.env.globals["booking_href"] = booking_href


def register() -> None:
    # content_object_init: the body is rendered but Pelican has not yet replaced its {…} link
    # markers (that happens when .content is first read), so {booking} never reaches them.
    signals.content_object_init.connect(process)
    # all_generators_finalized: the settings' BOOKING_URL, once per build, before any page
    # uses it (and after the content checks, if on, listen for problems).
    signals.all_generators_finalized.connect(check_setting)
    # generator_init: each generator's Jinja environment exists and no template has run yet.
    signals.generator_init.connect(add_template_function)
