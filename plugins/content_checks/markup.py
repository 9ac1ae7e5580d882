"""Pure checks of rendered HTML (active content, broken or visible tags, images without alt
text), the URLs it links to, and finding the source line of what was found there."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from .checks import Finding, finding

URL_ATTRIBUTES = {
    "href", "src", "action", "formaction", "poster", "data", "cite", "background", "xlink:href",
    "srcset",
}  # fmt: skip
# Element names we recognise in text that a reader would see, e.g. "<div class=…" left as text.
HTML_ELEMENTS = "|".join([
    "a", "abbr", "address", "article", "aside", "audio", "b", "blockquote", "br", "button",
    "caption", "cite", "code", "col", "dd", "del", "details", "dfn", "div", "dl", "dt", "em",
    "embed", "figcaption", "figure", "footer", "form", "h[1-6]", "header", "hr", "i", "iframe",
    "img", "input", "ins", "kbd", "label", "li", "link", "main", "mark", "meta", "nav", "object",
    "ol", "p", "picture", "pre", "q", "s", "samp", "script", "section", "select", "small",
    "source", "span", "strong", "style", "sub", "summary", "sup", "table", "tbody", "td",
    "template", "textarea", "tfoot", "th", "thead", "time", "tr", "u", "ul", "var", "video",
])  # fmt: skip
VISIBLE_TAG_RE = re.compile(rf"</?(?:{HTML_ELEMENTS})\b[^<\n]{{0,40}}", re.I)
ACTIVE_URL_RE = re.compile(r"^(?:javascript|vbscript|data:text/html)", re.I)
# Typogrify curls quotes and adds no-break spaces; undo that to find the text in the source.
QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "\xa0": " "})


class _HtmlScanner(HTMLParser):
    """Collects the active content, broken tags and images without text of an HTML fragment."""

    def __init__(self, forbidden: set[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.forbidden = forbidden
        self.found: list[Finding] = []
        self._literal = 0  # inside <code>/<pre>: "<div" there is meant to be seen

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        raw = self.get_starttag_text() or f"<{tag}"
        if "<" in raw[1:]:  # `<div class="x"` without ">": the next tag is swallowed into it
            shown = " ".join(raw.split())[:60]
            self.found.append(finding("broken-tag", subject=f"<{tag}", shown=shown))
            return
        if tag in ("code", "pre"):
            self._literal += 1
        if tag in self.forbidden:
            self.found.append(finding("active-tag", subject=f"<{tag}", kind="active", tag=tag))
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(
                    finding("active-attribute", None, f"{name}=", kind="active", tag=tag,
                            attribute=name)
                )  # fmt: skip
            elif (
                name in URL_ATTRIBUTES
                and value
                and ACTIVE_URL_RE.match(re.sub(r"[\s\x00-\x1f]", "", value))
            ):
                url = value[:40]
                self.found.append(finding("active-url", None, url, kind="active", url=url))
        if tag == "img":
            values = dict(attrs)
            if not (values.get("alt") or "").strip():
                src = values.get("src") or ""
                name = src.rsplit("/", 1)[-1] or "(no file name)"
                self.found.append(finding("img-alt", subject=src, file=name, src=src))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in ("code", "pre"):
            self._literal -= 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("code", "pre") and self._literal:
            self._literal -= 1

    def handle_data(self, data: str) -> None:
        if self._literal:
            return
        for match in VISIBLE_TAG_RE.finditer(data):
            shown = match.group(0).strip().translate(QUOTES)
            self.found.append(finding("visible-html", subject=shown, shown=shown))


def scan_html(html: str, forbidden: set[str]) -> list[Finding]:
    """Active content, broken or visible tags and images without alt text in rendered HTML."""
    scanner = _HtmlScanner(forbidden)
    scanner.feed(html)
    scanner.close()
    return scanner.found


class _UrlCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: dict[str, list[str]] = {"all": [], "links": [], "files": []}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "srcset" and value:
                found = [part.split()[0] for part in value.split(",") if part.split()]
            elif name in URL_ATTRIBUTES and value is not None:
                found = [value]
            else:
                continue
            self.urls["all"] += found
            if name == "href" and tag in ("a", "area"):
                self.urls["links"] += found
            elif name in ("src", "srcset", "poster", "data"):
                self.urls["files"] += found


def collect_urls(html: str) -> dict[str, list[str]]:
    """The URLs an HTML fragment refers to, in order: "all" of them (href, src, srcset...),
    the "links" a reader follows (<a href>) and the "files" a page loads (src, srcset...)."""
    collector = _UrlCollector()
    collector.feed(html)
    collector.close()
    return collector.urls


def urls_in(html: str, which: str = "all") -> list[str]:
    """One list of collect_urls(): "all", "links" or "files"."""
    return collect_urls(html)[which]


def snippets(found: Finding) -> list[str]:
    """Text to look for in the source to find the line of a problem in the rendered HTML, most
    specific first: an image is `](x.png` in Markdown or `"x.png"` in HTML."""
    subject = found.subject or ""
    if found.kind == "img-alt":
        return [f"]({subject}", f'"{subject}"', subject]
    return [subject]


def find_line(text: str, snippet: str, nth: int = 0) -> int | None:
    """The line of the nth occurrence of snippet in text (case, curly quotes ignored), or of the
    first when there are fewer; None when it is not there."""
    if not snippet:
        return None
    haystack = text.translate(QUOTES).lower()
    needle = snippet.translate(QUOTES).lower()
    positions = []
    position = haystack.find(needle)
    while position >= 0 and len(positions) <= nth:
        positions.append(position)
        position = haystack.find(needle, position + 1)
    if not positions:
        return None
    return haystack.count("\n", 0, positions[nth if nth < len(positions) else 0]) + 1
