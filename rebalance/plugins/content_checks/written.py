"""Every written HTML page, checked as a browser parses it (Lexbor, a WHATWG HTML5 parser).

* Author content (each article's body, summary and title, as written into a page) must pass an
  allowlist of elements, attributes per element and URL schemes; what it loads must be on this
  site. Anything else is a problem, with the source file and the line where it is found.
* Structure: the author content is marked in a copy of the page, parsed with and without it. If
  anything outside it differs, the author's HTML changed the rest of the page (an unclosed `<b>`,
  a stray `</div>`, a `<textarea>`...).
* The whole page, theme included, requests nothing from another host; ids are unique; every
  `#fragment` and internal link resolves (at the end, when every file is written).
"""

from __future__ import annotations

import difflib
import hashlib
import ipaddress
import os
import posixpath
import re
import unicodedata
from urllib.parse import unquote

import ada_url
from pelican.contents import Content
from selectolax.lexbor import LexborHTMLParser

from .collector import checks_of
from .messages import say

START, END = "<x-author-start></x-author-start>", "<x-author-end></x-author-end>"
GLOBAL = {"id", "title", "lang", "dir", "class"}
ELEMENTS: dict[str, set[str]] = {
    **{tag: set() for tag in (
        "abbr b bdi bdo br caption cite code dd details dfn div dl dt em figcaption figure h2 h3 "
        "h4 h5 h6 hr i kbd mark p picture pre rp rt ruby s samp small span strong sub summary sup "
        "table tbody tfoot thead tr u ul var wbr").split()},
    # aria-label: the name of the link plugins/headings puts after each heading ("Link to
    # section: ..."), whose visible text is only "#".
    "a": {"href", "rel", "aria-label"}, "blockquote": {"cite"}, "q": {"cite"},
    "del": {"cite", "datetime"},
    "ins": {"cite", "datetime"}, "col": {"span"}, "colgroup": {"span"}, "details": {"open"},
    "img": {"src", "alt", "width", "height", "srcset", "sizes", "loading", "decoding"},
    "source": {"srcset", "sizes", "type", "media", "width", "height"}, "li": {"value"},
    "ol": {"start", "reversed", "type"}, "time": {"datetime"},
    "td": {"colspan", "rowspan", "style"}, "th": {"colspan", "rowspan", "scope", "style"},
    # plugins/references puts an article's references (or footnotes) in a section named by its
    # heading. For authors too it is harmless: a <div> with a name, labelled by a heading.
    "section": {"aria-labelledby"},
}  # fmt: skip
# The classes Markdown's extensions, typogrify and plugins/references write, and code languages;
# heading-anchored and heading-anchor: the wrapper and link plugins/headings adds to each ## and
# ### heading.
CLASS_RE = re.compile(
    r"caps|amp|dquo|quo|footnote(-ref|-backref)?|references|toc|toclink|language-[\w+#-]+"
    r"|heading-anchored|heading-anchor"
)
RELS = {"noopener", "noreferrer", "nofollow", "external", "ugc", "author", "license", "help"}
STYLE_RE = re.compile(r"\s*text-align:\s*(left|right|center);?\s*")  # tables' column alignment
ACTIVE = ": it can run code, load other sites or change the whole page"
WHY = {"h1": " (the title is the page's only main heading: start sections with ## instead)",
       **{tag: ACTIVE for tag in ("script style iframe frame frameset object embed applet base "
                                  "link meta form input button select textarea template svg math "
                                  "noscript").split()}}  # fmt: skip
OTHER_HTML = set(
    "address area article aside audio body canvas center data datalist dialog dir fieldset font "
    "footer head header hgroup html image label legend listing main map marquee menu meter nav "
    "noembed noframes optgroup option output param plaintext progress rb rtc search slot "
    "title track tt video xmp".split())  # fmt: skip
URLS = {"href", "cite", "src", "srcset", "poster", "data", "background", "action", "formaction",
        "xlink:href", "ping", "lowsrc", "dynsrc", "longdesc"}  # fmt: skip
RESOURCES = {"src", "srcset", "poster", "data", "background", "lowsrc", "dynsrc", "ping"}
FETCHING = {"stylesheet", "icon", "preload", "prefetch", "modulepreload", "manifest",
            "apple-touch-icon", "dns-prefetch", "preconnect", "prerender"}  # fmt: skip
# Elements that may make the browser fetch something (see _requests).
LOADS = ", ".join([*(f"[{a}]" for a in sorted(RESOURCES)), "[style]", "style", "link[href]",
                   "image", "use", "feimage"])  # fmt: skip
CSS_URL_RE = re.compile(r"url\(\s*['\"]?([^'\")]*)|@import\s+['\"]([^'\"]+)", re.I)
SCHEME_RE = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
MAILTO_RE = re.compile(r"^[^@\s/]+@[^@\s/]+\.[^@\s/]+(\?.*)?$")
TEL_RE = re.compile(r"^\+?[0-9][0-9 ().-]{2,}$")
BASE = "https://site.invalid/"  # relative addresses are read against this without SITEURL
LOCAL = "local"  # url_problem's word for a link to the author's own computer or network
VISIBLE = r"<[a-zA-Z][\w-]*(?:\s+[\w:-]+\s*=|\s*/?>)"
LITERAL = [(re.compile(pattern, re.M), hint) for pattern, hint in [  # Markdown shown as text
    (r"!?\[[^\]\n]+\]\([^)\s]*\)", "Markdown is not read inside HTML tags: write the link in "
     'HTML (<a href="...">...</a>) or move it out of the HTML block.'),
    (r"\[[^\]\n]+\]\[[^\]\n]*\]", "this reference link has no address: add a line such as "
     "[name]: https://example.com/page at the end of the article."),
    (r"\[\^[^\]\n]+\]", "this footnote has no text: add a line such as [^1]: The source. at the "
     "end of the article."),
    (r"\{(?:filename|static|attach|booking|index|tag|category|author)\}[^\s<]*", "link markers "
     "such as {booking} work only as the address of a link: [Book now]({booking})."),
    (r"(?<![\w*])\*\*[^*\n]+\*\*|(?<!\w)__[^_\n]+__(?!\w)|^#{1,6} \S", "Markdown is not read "
     "inside HTML tags: use HTML there (<strong>, <h2>) or move the text out of the HTML block."),
    (VISIBLE, "an HTML tag that is not written correctly (often a missing \">\" or quote) is "
     "shown as text. Fix the tag or remove it."),
]]  # fmt: skip
QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "\xa0": " "})
# Shown as text only when the source has them escaped (&lt;!-- and &gt;): checked then.
# typogrify makes the "--" of an unclosed comment a dash.
COMMENT = (
    re.compile("<!(?:--|[\u2013\u2014])"),
    "an HTML comment (<!-- ... -->) that is "
    "never closed is shown to readers as text. Close it with --> or remove it.",
)
DEEP = (re.compile(r"(?:^|\n)[ \t]*>(?:[ \t]*>)+"), "quote markers (>) nested deeper than "
        "Markdown reads are shown as text. Use at most a few levels of quotes.")  # fmt: skip
# Link text that is a web address: an optional scheme, then a name with a dot and a top-level
# domain of letters (or punycode), then the end or a path.
SHOWN_HOST_RE = re.compile(
    r"(?i)^(?:https?://)?((?:[\w-]+\.)+(?:[a-z]{2,}|xn--[\w-]+))(?:[/:?#]\S*)?$"
)
MARKERS = ["filename", "static", "attach", "booking", "index", "tag", "category", "author"]
# Elements a browser's parser carries on, or opens again, after the block they were opened in
# when they are not closed (the HTML standard's "formatting elements").
FORMATTING = "a b big code em font i nobr s small strike strong tt u".split()
TAG_RE = re.compile(r"<(/?)(" + "|".join(FORMATTING) + r")(?=[\s/>])", re.I)
# Author notes: <div class="note" markdown="1">…</div>, styled by the theme (docs/authoring.md).
CALLOUTS = {"note", "tip", "warning"}
ZW_JOINERS = "\u200c\u200d"  # zero-width non-joiner and joiner
# Letters and symbols that print as nothing (Hangul fillers, the blank Braille pattern...): used
# to make a title or a link text look empty or like something else. Refused like Cf ones.
BLANKS = "\u115f\u1160\u3164\uffa0\u2800\u17b4\u17b5"


def clean_url(url: str) -> str:
    """A URL as a browser reads it: no surrounding spaces or controls, no tabs or newlines."""
    return re.sub(r"[\t\n\r]", "", url.strip("".join(map(chr, range(33)))))


def url_problem(url: str, siteurl: str, resource: bool) -> str | None:
    """Why a URL may not be used in author content (None when it may), judged as a browser reads
    it (WHATWG URL, ada): the host checked is the host a browser would go to, whatever the
    address looks like ("/\\other.example", "https://a.example\\@b.example"). LOCAL: a link to
    the author's own computer or network, refused by production builds only."""
    url = clean_url(url)
    if url.startswith("{"):
        return "marker"
    base = siteurl.rstrip("/") + "/" if siteurl.startswith(("http://", "https://")) else BASE
    try:
        parsed = ada_url.URL(url, base=base)
    except ValueError:
        return "it cannot be read as a web address: check it for typing mistakes"
    home = ada_url.URL(base)
    name = parsed.protocol[:-1]
    typed = SCHEME_RE.match(url)
    same_site = parsed.protocol == home.protocol and parsed.host == home.host
    if resource:
        if same_site:
            return None
        if name == "data":
            return "pictures written into the text as data: are not allowed"
        return "it would be fetched from another web site, which this site never does"
    if not typed:  # relative: it must stay on this site
        if same_site:
            return None
        return "an address starting with // or \\ leaves the site: write it in full with https://"
    if name in ("http", "https"):
        return LOCAL if _local(parsed.hostname) else None
    if name in ("mailto", "tel"):
        rest = unquote(url[typed.end() :])
        regex, what = (MAILTO_RE, "an email link needs an address") if name == "mailto" else (
            TEL_RE, "a phone link needs a number")  # fmt: skip
        return None if regex.match(rest) else what
    return f'"{name}:" addresses are not allowed (they can run code or open other programs)'


def _local(host: str) -> bool:
    """A host on the author's own computer or network: readers cannot reach it. The same
    judgement as booking_link's for a `Booking:` address (each plugin keeps its own copy: no
    plugin imports another): a bare name ("intranet") is a local network's, and an address is
    local unless it is a global one."""
    host = host.strip("[]").lower().rstrip(".")
    if host == "localhost" or host.endswith((".localhost", ".local", ".internal", ".lan")):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return "." not in host
    return not address.is_global


def srcset_urls(value: str) -> list[str]:
    return [part.split()[0] for part in value.split(",") if part.split()]


def allowlist(html: str, siteurl: str, extra: dict | None = None) -> tuple[list, set[str], bytes]:
    """(message, subject, values) for everything in a piece of author HTML that is not allowed,
    the URLs and ids it has, and a digest of its tree as Lexbor writes it back. `extra` allows more
    elements: {"video": ["src", "controls"]} (CONTENT_CHECKS["elements"])."""
    found: list[tuple[str, str, dict]] = []
    names: set[str] = set()  # its URLs and ids, to tell the author's from the theme's
    elements = {**ELEMENTS, **{tag: set(names) for tag, names in (extra or {}).items()}}
    tree = LexborHTMLParser(f"<!DOCTYPE html><body>{html}")
    body = tree.body
    for node in (tree.root, body):  # <html a=...> or <body onload=...> in the text: the page's
        if node is not None and node.attributes:
            values = {"tag": node.tag, "why": ": its attributes would go to the whole page"}
            found.append(("element", f"<{node.tag}", {**values, "near": ""}))
    # Only the patterns found in the HTML source can be in its text (a tag shown as text is
    # written &lt;...): most articles have none, and their text nodes need no look.
    literal = [(r, h) for r, h in LITERAL[:-1] if r.search(html)]
    if "&lt;" in html:
        literal.append(LITERAL[-1])
    if "&lt;!" in html:
        literal.append(COMMENT)
    if "&gt;" in html:
        literal.append(DEEP)
    found += left_open(html)
    for node in body.traverse(include_text=bool(literal)) if body else ():
        tag, attributes = node.tag, node.attributes
        if tag == "-text" and not _inside(node, {"code", "pre", "kbd", "samp"}):
            for regex, hint in literal:
                for match in regex.finditer(node.text_content or ""):
                    shown = match.group(0).translate(QUOTES)
                    found.append(("literal-markdown", shown, {"shown": shown, "hint": hint}))
        if tag.startswith("-") or tag == "body":
            continue
        names.update(v or "" for n, v in attributes.items() if n in URLS or n == "id")
        if tag == "h1":  # written "# Heading" in Markdown, most likely
            found.append(("heading-1", "<h1", {"near": " ".join(node.text().split())[:60]}))
            continue
        if tag not in elements:
            near = " ".join(node.text().split())[:30]  # to find the line when "<tag" is not typed
            known = tag in WHY or tag in OTHER_HTML
            values = {"tag": tag, "why": WHY.get(tag, ""), "near": near}
            found.append(("element" if known else "unknown-element", f"<{tag}", values))
            continue
        for name, value in attributes.items():
            value, why = value or "", None
            if name not in GLOBAL and name not in elements[tag]:
                why = ": it runs code" if name.startswith("on") else ""
            elif name == "rel" and not set(value.lower().split()) <= RELS:
                why = ""
            elif name == "class" and not all(
                CLASS_RE.fullmatch(c) or (tag == "div" and c in CALLOUTS) for c in value.split()
            ):
                why = (
                    " with this value (classes could reuse the site's own design; a note is "
                    f'written <div class="note" markdown="1">: {", ".join(sorted(CALLOUTS))})'
                )
            elif name == "style" and not STYLE_RE.fullmatch(value):
                why = " (styles could cover or hide the page)"
            if why is not None:
                values = {"tag": tag, "attribute": name, "why": why}
                found.append(("attribute", f"{name}=" if name != "class" else value, values))
                continue
            for url in srcset_urls(value) if name == "srcset" else [value] if name in URLS else ():
                why = url_problem(url, siteurl, name in RESOURCES)
                marker = re.match(r"\{(\w*)", clean_url(url))
                if why == "marker":
                    why = "is not a known link type, or its file was not found"
                    values = {"url": url, "what": marker.group(1) if marker else "", "why": why}
                    found.append(("marker", url, values))
                elif why == LOCAL:
                    found.append(("local-link", url, {"url": url}))
                elif why:
                    message = "resource" if name in RESOURCES else "url"
                    found.append((message, url, {"url": url, "why": why}))
        for name, value in attributes.items():
            if name in URLS and (hit := invisible(value or "")):
                found.append(("invisible", value, {"what": f"address {value!r}", **hit}))
        if tag == "a" and (hit := invisible(node.text(deep=True))):
            found.append(("invisible", node.text(deep=True),
                          {"what": f"link text {node.text(deep=True)!r}", **hit}))  # fmt: skip
        elif tag == "a" and (disguised := _disguised(node.text(deep=True), attributes)):
            found.append(("link-disguised", node.text(deep=True).strip(), disguised))
        if tag == "img" and (hit := invisible(attributes.get("alt") or "")):
            found.append(("invisible", attributes.get("src") or "",
                          {"what": f"description {attributes.get('alt')!r}", **hit}))  # fmt: skip
        if tag == "img" and not (attributes.get("alt") or "").strip():
            src = attributes.get("src") or ""
            message = "img-alt" if "alt" not in attributes else "img-alt-empty"
            found.append((message, src, {"file": src.rsplit("/", 1)[-1] or src}))
    return found, names, _tree_digest(body.inner_html if body else "")


def _host(text: str) -> str | None:
    """The host a browser would go to for an address typed as text ("www.clinic.com/x",
    "https://clinic.com"), without "www.", or None when the text is no address."""
    found = SHOWN_HOST_RE.match(text.strip())
    if not found:
        return None
    try:
        host = ada_url.URL("https://" + found[1]).hostname
    except ValueError:
        return None
    return host.removeprefix("www.")


def _disguised(text: str, attributes: dict) -> dict | None:
    """A link whose text shows one web address while it goes to another site: the reader
    would trust the shown one."""
    shown = _host(text)
    href = clean_url(attributes.get("href") or "")
    if not shown or not href.lower().startswith(("http://", "https://")):
        return None
    try:
        going = ada_url.URL(href).hostname.removeprefix("www.")
    except ValueError:
        return None
    if going == shown or going.endswith("." + shown):
        return None
    return {"text": " ".join(text.split()), "shown": shown, "host": going}


def left_open(html: str) -> list[tuple[str, str, dict]]:
    """Formatting elements (a link, bold...) opened more often than closed in a piece of author
    HTML: a browser would carry each into the text that follows, reopening it in every later
    paragraph (a whole article that is one link)."""
    opened: dict[str, int] = {}
    for close, tag in TAG_RE.findall(re.sub(r"<!--.*?-->", "", html, flags=re.S)):
        opened[tag.lower()] = opened.get(tag.lower(), 0) + (-1 if close else 1)
    return [("unclosed", f"<{tag}", {"tag": tag}) for tag, n in opened.items() if n > 0]


def invisible(text: str) -> dict | None:
    """The first invisible or direction-changing character in text (Unicode Cc and Cf), with
    its position, or None. A zero-width joiner or non-joiner between two visible characters
    (inside a word, or an emoji sequence) is what some languages and emoji need: allowed."""
    for n, char in enumerate(text):
        if (unicodedata.category(char) not in ("Cc", "Cf") and char not in BLANKS) or (
            char in "\n\t"
        ):
            continue
        if (
            char in ZW_JOINERS
            and 0 < n < len(text) - 1
            and not (text[n - 1].isspace() or text[n + 1].isspace())
        ):
            continue
        name = unicodedata.name(char, "a control character").lower()
        return {"char": name, "code": f"U+{ord(char):04X}", "position": n + 1}
    return None


def _tree_digest(html: str) -> bytes:
    """A piece of HTML's tree as Lexbor writes it back, as a digest: compared, never shown, and
    a thousand articles' trees would take megabytes."""
    return hashlib.blake2b(html.encode(), digest_size=16).digest()


def _inside(node, tags: set[str]) -> bool:
    while (node := node.parent) is not None:
        if node.tag in tags:
            return True
    return False


def find_line(text: str, snippet: str) -> int | None:
    """The line of the first occurrence of snippet in text (case and curly quotes ignored)."""
    position = text.translate(QUOTES).lower().find(snippet.translate(QUOTES).lower())
    return text.count("\n", 0, position) + 1 if snippet and position >= 0 else None


# --- One written page -----------------------------------------------------------------------------
def _shown(context: dict) -> list[Content]:
    """The articles and pages whose text a page shows (and on an author's page, the profile
    that plugins/clinicians read from content/authors/: its bio is author content too)."""
    own = [context[k] for k in ("article", "page") if isinstance(context.get(k), Content)]
    listed = context.get("articles_page")
    listed = listed.object_list if listed is not None else ([] if own else context.get("dates"))
    author = getattr(context.get("author"), "slug", None)
    profile = (context.get("clinicians") or {}).get(author) if author else None
    profiles = [profile] if isinstance(profile, Content) else []
    return own + [c for c in listed or () if isinstance(c, Content)] + profiles


def _regions(html: str, contents: list[Content]) -> list[tuple[int, int, Content, str]]:
    """(start, end, content, fragment) of each piece of author HTML written into the page."""
    body, candidates = html.find("<body"), []
    for content in contents:
        for field in ("content", "summary", "title"):
            fragment = getattr(content, field, None)
            if not isinstance(fragment, str) or "<" not in fragment:
                continue  # without markup nothing in it can break out or load anything
            start = html.find(fragment, body)
            while start >= 0:
                candidates.append((start, start + len(fragment), content, fragment))
                start = html.find(fragment, start + len(fragment))
    regions: list[tuple[int, int, Content, str]] = []
    for region in sorted(candidates, key=lambda r: r[0] - r[1]):  # longest first
        if all(region[1] <= r[0] or region[0] >= r[1] for r in regions):
            regions.append(region)
    return sorted(regions, key=lambda r: r[0])


def _splice(html: str, regions, keep: bool) -> str:
    """The page with each region between markers (keep), or with only the markers."""
    parts, last = [], 0
    for start, end, _, _ in regions:
        parts += [html[last:start], START, html[start:end] if keep else "", END]
        last = end
    return "".join(parts) + html[last:]


def _contained(html: str, regions) -> bool:
    """Whether the page outside the regions is exactly what it would be without their markup."""
    tree = LexborHTMLParser(_splice(html, regions, keep=True))
    starts, ends = tree.css("x-author-start"), tree.css("x-author-end")
    if len(starts) != len(regions) or len(ends) != len(regions):
        return False
    for s, e in zip(starts, ends, strict=True):
        if s.parent.mem_id != e.parent.mem_id:
            return False
        while (node := s.next) is not None and node.mem_id != e.mem_id:
            node.decompose()
    return tree.body.html == LexborHTMLParser(_splice(html, regions, keep=False)).body.html


def _alone(html: str, regions, region):
    """The page with every other region left out, and the region's place in it."""
    parts, last, start = [], 0, 0
    for r in regions:
        parts.append(html[last : r[0]])
        if r is region:
            start = sum(map(len, parts))
            parts.append(r[3])
        last = r[1]
    parts.append(html[last:])
    return "".join(parts), (start, start + len(region[3]), region[2], region[3])


def _same_as_alone(tree, regions, allowed: dict) -> bool:
    """The quick test: each region's markers are siblings, and what is between them is the tree
    the region gives when parsed alone. Then nothing in it reached out of it: an unclosed,
    stray or swallowing tag would have moved a marker or changed the tree. (If this says no,
    _contained() decides, exactly, for each region alone.)"""
    starts, ends = tree.css("x-author-start"), tree.css("x-author-end")
    if len(starts) != len(regions) or len(ends) != len(regions):
        return False
    for s, e, region in zip(starts, ends, regions, strict=True):
        if s.parent.mem_id != e.parent.mem_id:
            return False
        parts, node = [], s.next
        while node is not None and node.mem_id != e.mem_id:
            parts.append(node.html or "")
            node = node.next
        if _tree_digest("".join(parts)) != allowed[region[3]][2]:
            return False
    return True


def _leak(html: str, region) -> tuple[str, str, dict]:
    """What a region that is not contained does to its page: (message, subject, values)."""
    tree = LexborHTMLParser(_splice(html, [region], keep=True))
    s, e = tree.css_first("x-author-start"), tree.css_first("x-author-end")
    if e is None or s is None:
        opened = re.findall(r"<(textarea|title|plaintext|xmp|noembed|noframes|noscript|script|"
                            r"style|iframe|template|select|option)\b", region[3], re.I)  # fmt: skip
        if not opened and "<!--" not in region[3]:
            return ("leaks", "", {})
        what = f"<{opened[-1].lower()}>" if opened else "an HTML comment (<!--) that is not closed"
        return ("swallows", f"<{opened[-1]}" if opened else "<!--", {"what": what})
    s_chain, e_chain = _ancestors(s), _ancestors(e)
    e_ids = [n.mem_id for n in e_chain]
    if s.parent.mem_id in e_ids and s.parent.mem_id != e.parent.mem_id:
        tag = e_chain[e_ids.index(s.parent.mem_id) - 1].tag
        return ("unclosed", f"<{tag}", {"tag": tag})
    closed = [n.tag for n in s_chain[1:] if n.mem_id not in e_ids]
    if closed:
        return ("stray-close", f"</{closed[-1]}", {"tags": f"</{closed[-1]}>"})
    return ("leaks", "", {})


def _ancestors(node) -> list:
    chain = [node]
    while (node := node.parent) is not None:
        chain.append(node)
    return chain


def check_page(path: str, context: dict) -> None:
    """One page, just written: its author content, structure, resources, ids and links. What
    a page's checks find depends only on its HTML and which source file wrote which part of it:
    an unchanged page is not parsed again (the checks' Store)."""
    checks = checks_of(context)
    if checks is None or not path.endswith(".html"):
        return
    with open(path, encoding="utf-8") as handle:
        html = handle.read()
    key, page, shown, draft, _, found = _identify(checks, path, html, context)
    if found is None:  # parsed once every page is written (Site.inspect_pending)
        checks.pages.pending.append((key, page, path, shown, draft))
        return
    checks.pages.take(key, page, found)


def _identify(checks, path: str, html: str, context: dict) -> tuple:
    """(key, page, shown, draft, regions, found) of a written page: its checks' key is its HTML
    and which source file wrote which part of it; found is what an earlier build found in it
    (None: not checked yet)."""
    page = os.path.relpath(path, checks.settings["OUTPUT_PATH"]).replace(os.sep, "/")
    shown = _shown(context)
    regions = _regions(html, shown)
    # A draft's page links to tag and category pages that exist only once it is published.
    draft = any(getattr(c, "status", "") == "draft" for c in shown[:1])
    key = hashlib.blake2b(repr((page, draft, [(r[0], r[1], r[2].source_path) for r in regions]))
                          .encode() + html.encode(), digest_size=20).hexdigest()  # fmt: skip
    return key, page, shown, draft, regions, checks.store.get(key)


# --- The whole site -------------------------------------------------------------------------------
class Site:
    """What the written pages tell about the site: checked at the end, when all are written."""

    def __init__(self, checks) -> None:
        self.checks = checks
        self.files: list[str] | None = None  # every file under content/, for "did you mean"
        self.ids: dict[str, set[str]] = {}  # page -> its ids
        self.links: list[tuple[str, str, str | None]] = []  # (page, href, source or None)
        self.sources: dict[str, str] = {}
        self.allowed: dict[str, list] = {}  # author HTML -> what the allowlist found in it
        self.static: list = []
        self.pending: list[tuple] = []  # (key, page, file, shown, draft): not checked yet
        self.strings: dict[str, str] = {}  # one copy of each link and id, however many pages

    def inspect(self, page: str, html: str, regions, draft: bool) -> dict:
        """What one page holds: problems (source file or None for the theme, message, subject,
        values), its ids and its links (page, href, source file or None)."""
        found: dict = {"problems": [], "ids": set(), "links": []}
        for _, _, content, fragment in regions:
            if fragment not in self.allowed:  # a summary is checked once, not on every list page
                siteurl, extra = (
                    self.checks.settings.get("SITEURL", ""),
                    self.checks.config["elements"],
                )
                self.allowed[fragment] = allowlist(fragment, siteurl, extra)
            for problem in self.allowed[fragment][0]:
                found["problems"].append((content.source_path, *problem))
        # One parse of the page as written, author content marked (the markers change nothing).
        tree = LexborHTMLParser(_splice(html, regions, keep=True))
        self.read(page, tree, regions, draft, found)
        if regions and not _same_as_alone(tree, regions, self.allowed):
            for region in regions:  # each alone, so that one cannot get another blamed
                alone, start = _alone(html, regions, region)
                if not _contained(alone, [start]):
                    found["problems"].append((region[2].source_path, *_leak(alone, start)))
        return found

    def inspect_pending(self) -> None:
        """The pages written in this build that no earlier build checked, parsed now, each read
        back as written."""
        todo, self.pending = self.pending, []
        for key, page, path, shown, draft in todo:
            self.take(key, page, self.inspect_safely(page, shown, draft, path=path))

    def inspect_safely(self, page: str, shown: list, draft: bool, html: str | None = None,
                       regions: list | None = None, path: str | None = None) -> dict:  # fmt: skip
        """inspect() of the page's HTML (read back from path if not given), or {"failed":
        (source file, error)} if it failed."""
        try:
            if html is None:
                with open(path, encoding="utf-8") as handle:
                    html = handle.read()
            regions = _regions(html, shown) if regions is None else regions
            return self.inspect(page, html, regions, draft)
        except Exception as error:  # noqa: BLE001 - the page's problem, reported
            source = shown[0].source_path if shown else None
            return {"failed": (source, f"{type(error).__name__}: {error}")}

    def take(self, key: str, page: str, found: dict) -> None:
        """What a page's checks found, now or in an earlier build (kept for the next)."""
        if "failed" in found:  # not kept: checked again by the next build
            source, error = found["failed"]
            self.checks.add(source, None, "write-failed", url=page, error=error, hint="")
            return
        self.checks.store.put(key, found)
        self.add(page, found)

    def add(self, page: str, found: dict) -> None:
        for problem in found["problems"]:
            self.problem(*problem)
        self.ids[page] = found["ids"]
        self.links += found["links"]

    def text(self, path: str) -> str:
        if path not in self.sources:
            with open(path, encoding="utf-8", errors="replace") as handle:
                self.sources[path] = handle.read()
        return self.sources[path]

    def problem(self, path: str | None, message: str, subject: str, values: dict) -> None:
        """Records a problem found in a written page against its source file and line (None: a
        problem of the theme, with the page it is on)."""
        if path is None:
            if message == "theme":
                self.checks.add(None, None, "theme", subject=subject, **values)
                return
            text = say(message, **values).split(". ")[0] + f" (on /{values.get('page', '')})."
            self.checks.add(None, None, "theme", subject=subject, problem=text)
            return
        text = self.text(path)
        if message == "marker":
            values = {**values, "why": self.why_unresolved(path, values)}
        if message == "img-alt-empty":  # alt="" in HTML marks decoration; in Markdown, a lapse
            name = re.escape(subject.rsplit("/", 1)[-1])
            if not (name and re.search(rf"!\[\s*\]\([^)\n]*{name}", text)):
                return
            message = "img-alt"
        if message == "literal-markdown" and re.fullmatch(VISIBLE, subject) and subject not in text:
            return  # typed as &lt;b&gt; on purpose: shown as text, as the author meant
        scheme = SCHEME_RE.match(clean_url(subject))
        # Most telling first; a short one ("x") only as an attribute value or Markdown target.
        short = [f'="{subject}"', f"={subject}", f"]({subject}"]
        long = [subject, scheme.group(0) if scheme else "", subject.rsplit("/", 1)[-1],
                subject[-10:], values.get("near", "")]  # fmt: skip
        snippets = short + [s for s in long if len(s.strip()) >= 4]
        line = next(filter(None, (find_line(text, s) for s in snippets)), None)
        self.checks.add(path, line, message, subject=subject, **values)

    def why_unresolved(self, source: str, values: dict) -> str:
        """Why a link marker was left in the page, with the link the author probably meant: a
        marker spelt otherwise ({Booking}), or the file whose name differs only in capitals,
        accents' encoding (Unicode normalisation) or a few letters."""
        what, url = values.get("what", ""), clean_url(values.get("url", ""))
        if what not in MARKERS:
            close = difflib.get_close_matches(what.lower(), MARKERS, n=1, cutoff=0.6)
            return f'is not a known link type: did you mean "{{{close[0]}}}"?' if close else (
                "is not a known link type")  # fmt: skip
        if what not in ("filename", "static", "attach"):
            return values.get("why", "")
        root = os.path.abspath(self.checks.settings["PATH"])
        written = re.split(r"[?#]", url.split("}", 1)[-1], maxsplit=1)[0]
        folder = root if written.startswith("/") else os.path.dirname(os.path.abspath(source))
        wanted = os.path.normpath(os.path.join(folder, unquote(written).lstrip("/")))
        files = self.content_files(root)
        same = [f for f in files if _folded(f) == _folded(wanted)]
        close = same or [
            os.path.join(os.path.dirname(wanted), name) if os.path.dirname(wanted) == folder
            else name
            for name in difflib.get_close_matches(os.path.basename(wanted),
                                                  [os.path.basename(f) for f in files], n=1)
        ]  # fmt: skip
        match = next(
            (f for f in files if close and (f == close[0] or os.path.basename(f) == close[0])), None
        )
        if match is None:
            return "found no file of that name: check the file name and folder"
        shown = os.path.relpath(match, folder) if not written.startswith("/") else (
            "/" + os.path.relpath(match, root))  # fmt: skip
        how = " (capitals and accents must match exactly)" if same else ""
        return f"found no file of that name{how}: did you mean {{{what}}}{shown}?"

    def content_files(self, root: str) -> list[str]:
        if self.files is None:
            self.files = [os.path.join(folder, name) for folder, _, names in os.walk(root)
                          for name in names]  # fmt: skip
        return self.files

    def read(self, page: str, tree, regions, draft: bool, found: dict) -> None:
        """Resources, ids and links of a whole page (theme included), into found."""
        siteurl = self.checks.settings.get("SITEURL", "")
        authors = {}  # URL or id -> the source file whose text has it on this page
        for _, _, content, fragment in regions:
            authors.update(dict.fromkeys(self.allowed[fragment][1], content.source_path))
        blame = authors.get
        ids: set[str] = set()
        for node in tree.css("[id], a[name]"):  # the selectors run in C: only what matters
            value = node.attributes.get("id") or node.attributes.get("name") or ""
            value = self.strings.setdefault(value, value)
            if value in ids and node.attributes.get("id"):
                values = {"id": value, "page": page}
                found["problems"].append((blame(value), "duplicate-id", value, values))
            ids.add(value)
        for node in tree.css(LOADS):
            for url in _requests(node, node.attributes):
                if url_problem(url, siteurl, resource=True) and not blame(url):
                    problem = f'the page /{page} loads "{url}" from another web site.'
                    found["problems"].append((None, "theme", url, {"problem": problem}))
        for node in tree.css("a[href], area[href]"):
            attributes = node.attributes  # an SVG link's may be xlink:href alone
            href = attributes.get("href") or attributes.get("xlink:href") or ""
            href = self.strings.setdefault(href, href)  # one copy of a link every page has
            source = blame(href)
            if source or not draft:
                found["links"].append((page, href, source))
        found["ids"] = ids

    def finish(self, output: str) -> None:
        """Links between pages, now that every page and file is written."""
        output = os.path.abspath(output)
        siteurl = self.checks.settings.get("SITEURL", "").rstrip("/")
        for static in self.static:
            save_as = os.path.normpath(static.save_as).replace(os.sep, "/")
            if save_as in self.ids:
                self.checks.add(static.source_path, None, "written-twice", subject="static",
                                url=save_as, others="an article or page")  # fmt: skip
        exists: dict[str, str | None] = {}  # target -> the file a server would send, if any
        resolved: dict = {}  # href (for a page's folder, unless it starts with /) -> target
        for page, href, source in self.links:
            key = href if href.startswith("/") and not href.startswith("//") else (page, href)
            if key not in resolved:
                resolved[key] = _target(page, href, siteurl)
            if resolved[key] is None:
                continue  # markers and other schemes: the allowlist has checked them
            target, fragment = resolved[key]
            if target not in exists:
                candidates = (target, posixpath.join(target, "index.html"))
                files = (t for t in candidates if os.path.isfile(os.path.join(output, t)))
                exists[target] = next(files, None)
            found = exists[target]
            if found is None or target.startswith(".."):
                self.problem(source, "broken-link", href, {"url": href, "page": page})
                continue
            ids = self.ids.get(posixpath.normpath(found))
            if fragment and fragment.lower() != "top" and ids is not None and fragment not in ids:
                where = "this page" if found == page else f"/{target}"
                values = {"url": href, "fragment": fragment, "where": where, "page": page}
                self.problem(source, "fragment", href, values)


def _folded(path: str) -> str:
    """A path as a case-insensitive file system compares it, whatever its Unicode form."""
    return unicodedata.normalize("NFC", path).casefold()


def _target(page: str, href: str, siteurl: str) -> tuple[str, str] | None:
    """The file path a link on `page` leads to in the site, and its #fragment, as a browser
    resolves it (WHATWG URL, ada); None for a link marker or another scheme or host."""
    url = clean_url(href)
    if url.startswith("#"):  # a sixth of all links (the headings' anchors): no parsing needed
        return page, unquote(url[1:])
    if siteurl and (url == siteurl or url.startswith(siteurl + "/")):
        url = url[len(siteurl) :] or "/"
    if url.startswith("{"):
        return None
    try:
        parsed = ada_url.URL(url, base=BASE + page)
    except ValueError:
        return None
    if parsed.origin != BASE.rstrip("/"):
        return None
    path = unquote(parsed.pathname).lstrip("/")
    target = posixpath.normpath(path) if path else ""
    return ("" if target == "." else target), unquote(parsed.hash[1:])


def _requests(node, attributes: dict) -> list[str]:
    """The URLs an element makes the browser fetch as the page loads (or on a click: ping)."""
    urls = []
    for name in RESOURCES | {"href", "xlink:href"}:
        if not (value := attributes.get(name)):
            continue
        rels = set((attributes.get("rel") or "").lower().split())
        if name in ("href", "xlink:href") and not (
            (node.tag == "link" and rels & FETCHING) or node.tag in ("image", "use", "feimage")
        ):
            continue
        split = srcset_urls if name == "srcset" else str.split if name == "ping" else None
        urls += split(value) if split else [value]
    css = attributes.get("style") or (node.text() if node.tag == "style" else "")
    urls += [a or b for a, b in CSS_URL_RE.findall(css or "")]
    return [u for u in urls if u.strip() and not u.strip().startswith("data:")]


def static_files(generator) -> None:
    """Remembered for the end: a static file must not overwrite a written page."""
    if (checks := checks_of(generator.settings)) is not None:
        checks.pages.static = generator.staticfiles
