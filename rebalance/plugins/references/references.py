"""References: the sources an article ends with, as a numbered list of links, marked as citations.

An author writes them in either of two ways:

* footnotes, `…as shown in a trial[^1].` and, anywhere, `[^1]: Author, Title, Journal, 2020.
  https://doi.org/…` (Python-Markdown's footnotes, part of `extra`);
* a section at the end, `## References`, then a list (or one paragraph per reference).

Either becomes `<section class="references" aria-labelledby="…"><h2 id="…">References</h2>
<ol>…</ol></section>` in the article's body, by a Markdown extension this plugin adds to the
MARKDOWN setting (it works on the document tree, after the footnotes and the ids of headings are
made). Bare web addresses and `doi:10.…` in a reference become links. When an article has both,
its footnotes are notes: the same markup, class "footnote" and the heading "Notes", and not
citations.

Templates read the references back from the finished HTML with the `citations` filter
(`article.content|citations`): one schema.org CreativeWork (name, and url when it links) per
reference, for the structured data's `citation` list.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree

from markdown import Extension
from markdown.extensions.toc import unique
from markdown.treeprocessors import Treeprocessor
from pelican import signals
from selectolax.lexbor import LexborHTMLParser

DEFAULTS = {
    "headings": ["References"],  # an h2 with one of these words starts the references
    "title": "References",  # the heading given to footnotes
    "notes_title": "Notes",  # ...when the article has a References section of its own
}
EXTENSION = f"{__name__}:ReferencesExtension"
URL_RE = re.compile(r"\bhttps?://[^\s<>\"\x02\x03]+|\bdoi:\s?10\.\d{4,9}/[^\s<>\"\x02\x03]+", re.I)
TRAILING = ".,;:!?)]'’”"  # punctuation after an address ends the sentence, not the address
NO_LINKS = {"a", "code", "pre", "kbd", "samp"}
BACKREF = "footnote-backref"


def settings_for(settings: dict) -> dict:
    """REFERENCES with defaults filled in."""
    return {**DEFAULTS, **settings.get("REFERENCES", {})}


# --- Markdown: the section ------------------------------------------------------------------------
class ReferencesTreeprocessor(Treeprocessor):
    """Wraps the references (and footnotes) of one document in a named section."""

    def __init__(self, md, config: dict) -> None:
        super().__init__(md)
        self.config = config

    def run(self, root: etree.Element) -> None:
        ids = {el.get("id") for el in root.iter() if el.get("id")}
        children = list(root)
        words = {w.casefold() for w in self.config["headings"]}

        def text(el: etree.Element) -> str:
            return " ".join("".join(el.itertext()).split()).casefold()

        heading = next((el for el in children if el.tag == "h2" and text(el) in words), None)
        footnotes = next((el for el in children if el.tag == "div" and
                          el.get("class") == "footnote"), None)  # fmt: skip
        if heading is not None:
            self._section(root, heading, footnotes)
        if footnotes is not None:
            title = self.config["notes_title" if heading is not None else "title"]
            self._footnotes(root, footnotes, title, ids)

    def _section(self, root, heading, footnotes) -> None:
        """`## References` and what follows it, up to the next h2 (or the footnotes)."""
        children = list(root)
        start = children.index(heading)
        end = next((i for i, el in enumerate(children[start + 1 :], start + 1)
                    if el.tag in ("h1", "h2") or el is footnotes), len(children))  # fmt: skip
        body = children[start + 1 : end]
        if not heading.get("id"):
            heading.set("id", "references")
        section = _new_section("references", heading.get("id"))
        for el in children[start:end]:
            root.remove(el)
        section.append(heading)
        lists = [el for el in body if el.tag in ("ol", "ul")]
        if not lists and body and all(el.tag == "p" for el in body):
            listed = etree.SubElement(section, "ol")  # one paragraph per reference
            listed.text, listed.tail = "\n", "\n"
            for paragraph in body:
                item = etree.SubElement(listed, "li")
                item.text, item.tail = paragraph.text, "\n"
                item.extend(list(paragraph))
        else:
            for el in body:
                if el.tag == "ul":  # references are numbered, as they are cited
                    el.tag = "ol"
                section.append(el)
        for item in section.iter("li"):
            _linkify(item)
        root.insert(start, section)

    def _footnotes(self, root, footnotes, title: str, ids: set) -> None:
        """Markdown's <div class="footnote"><hr><ol>…</ol></div> as a named section."""
        index = list(root).index(footnotes)
        kind = "references" if title == self.config["title"] else "footnote"
        heading_id = unique(re.sub(r"[^\w]+", "-", title.lower()).strip("-") or "notes", ids)
        section = _new_section(kind, heading_id)
        heading = etree.SubElement(section, "h2", {"id": heading_id})
        heading.text, heading.tail = title, "\n"
        for el in footnotes:
            if el.tag != "hr":
                section.append(el)
        for item in section.iter("li"):
            _linkify(item)
        root.remove(footnotes)
        root.insert(index, section)


def _new_section(kind: str, heading_id: str) -> etree.Element:
    section = etree.Element("section", {"class": kind, "aria-labelledby": heading_id})
    section.text, section.tail = "\n", "\n"
    return section


def _linkify(element: etree.Element) -> None:
    """Bare web addresses and DOIs in the text of `element` (not in links or code) as links."""
    if element.tag in NO_LINKS:
        return
    element.text, new = _split(element.text)
    for position, link in enumerate(new):
        element.insert(position, link)
    for child in list(element):
        _linkify(child)
        child.tail, new = _split(child.tail)
        at = list(element).index(child) + 1
        for offset, link in enumerate(new):
            element.insert(at + offset, link)


def _split(text: str | None) -> tuple[str | None, list[etree.Element]]:
    """(text before the first address, the links, each with the text after it as its tail)."""
    if not text or not URL_RE.search(text):
        return text, []
    before, links, last = None, [], 0
    for match in URL_RE.finditer(text):
        shown = match.group(0).rstrip(TRAILING)
        if shown.count("(") > shown.count(")") and match.group(0)[len(shown) :].startswith(")"):
            shown += ")"  # https://en.wikipedia.org/wiki/Knee_(joint)
        start, end = match.start(), match.start() + len(shown)
        if before is None:
            before = text[:start]
        else:
            links[-1].tail = text[last:start]
        href = shown if shown.lower().startswith("http") else (
            "https://doi.org/" + re.sub(r"^doi:\s?", "", shown, flags=re.I))  # fmt: skip
        link = etree.Element("a", {"href": href})
        link.text = shown
        links.append(link)
        last = end
    links[-1].tail = text[last:]
    return before, links


class ReferencesExtension(Extension):
    """Markdown extension: the references section (settings: REFERENCES, see DEFAULTS)."""

    def __init__(self, **kwargs) -> None:
        self.config = {key: [value, ""] for key, value in DEFAULTS.items()}
        super().__init__(**kwargs)

    def extendMarkdown(self, md) -> None:  # noqa: N802 - Python-Markdown's name
        # Priority 4: after the footnotes (50, 15) and the ids of headings (toc, 5), before the
        # stashed HTML comes back (unescape, 0).
        md.treeprocessors.register(ReferencesTreeprocessor(md, self.getConfigs()), "references", 4)


# --- Templates: the citations ---------------------------------------------------------------------
def citations(html: str) -> list[dict]:
    """The references in an article's finished HTML, as schema.org CreativeWorks."""
    if 'class="references"' not in (html or ""):
        return []
    found = []
    tree = LexborHTMLParser(html)
    for item in tree.css("section.references > ol > li"):
        for backref in item.css(f"a.{BACKREF}"):
            backref.decompose()
        name = " ".join(item.text().split())
        links = [a.attributes.get("href") or "" for a in item.css("a[href]")]
        url = next((u for u in links if u.startswith(("https://", "http://"))), None)
        found.append({"@type": "CreativeWork", "name": name, **({"url": url} if url else {})})
    return [f for f in found if f["name"]]


def configure(pelican) -> None:
    """The Markdown extension joins the MARKDOWN setting, and templates get `|citations`."""
    settings = pelican.settings
    markdown = settings.setdefault("MARKDOWN", {})
    markdown.setdefault("extension_configs", {})[EXTENSION] = settings_for(settings)
    settings.setdefault("JINJA_FILTERS", {})["citations"] = citations


def register() -> None:
    # initialized: before any reader or template exists, so every article is read with the
    # extension and every template can use the filter.
    signals.initialized.connect(configure)
