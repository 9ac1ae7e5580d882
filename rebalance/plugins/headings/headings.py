"""Inside long articles: a link to each section heading, and a table of contents.

* Heading anchors. Python-Markdown's toc extension (on in MARKDOWN) gives every heading an id;
  its own `permalink` option puts the link *inside* the heading, so a screen reader would read
  "What is dry needling? ¶" as the heading, and the pilcrow as the link's name. Here each `##`
  and `###` heading is followed by its link instead, both in a wrapper that lays them out on one
  line, and the link is named for what it does ("Link to section: What is dry needling?"),
  the pattern GitHub and accessibility writers recommend:

      <div class="heading-anchored"><h2 id="x">Title</h2><a class="heading-anchor"
        href="#x" aria-label="Link to section: Title">#</a></div>

  It is a Markdown treeprocessor: the elements are built as a tree (nothing is pasted into
  HTML text), after the toc extension has named the headings. The markup is inside the
  article's body, so the content checks' allowlist (plugins/content_checks/written.py) allows
  exactly these two classes and aria-label on links.
* Table of contents. `content.toc`: the (id, text) of each `##` heading, for the article
  template, when there are at least `toc_min_sections` of them (else empty). The template draws
  it as plain text: nothing of the author's markup is copied outside the body.

pelican-toc (pelican-plugins) does the second part but is not on PyPI, so it cannot be pinned;
it also copies each heading's HTML into the contents list, and has no heading anchors.
"""

from __future__ import annotations

import html
import xml.etree.ElementTree as etree

from markdown import Markdown
from markdown.extensions import Extension
from markdown.extensions.toc import remove_fnrefs, render_inner_html, strip_tags
from markdown.treeprocessors import Treeprocessor
from pelican import signals
from pelican.contents import Article, Page
from selectolax.lexbor import LexborHTMLParser

DEFAULTS = {
    # Heading levels that get a link to themselves (## is 2, ### is 3).
    "anchor_levels": [2, 3],
    # The link's accessible name; {heading} is the heading's text.
    "anchor_label": "Link to section: {heading}",
    # The visible text of the link (hidden from screen readers by the label above).
    "anchor_text": "#",
    # An article with at least this many ## sections gets a table of contents.
    "toc_min_sections": 3,
}
WRAPPER_CLASS, ANCHOR_CLASS = "heading-anchored", "heading-anchor"


def settings_for(pelican_settings: dict) -> dict:
    """HEADINGS settings with defaults filled in."""
    return {**DEFAULTS, **pelican_settings.get("HEADINGS", {})}


class _Anchors(Treeprocessor):
    def __init__(self, md: Markdown, config: dict) -> None:
        super().__init__(md)
        self.config = config

    def run(self, root: etree.Element) -> None:
        tags = {f"h{level}" for level in self.config["anchor_levels"]}
        for parent in list(root.iter()):
            if {"references", "footnote"} & set((parent.get("class") or "").split()):
                continue  # plugins/references' sources and notes: their headings stay plain
            for index, heading in enumerate(list(parent)):
                if heading.tag in tags and heading.get("id"):
                    parent[index] = self.anchored(heading)

    def anchored(self, heading: etree.Element) -> etree.Element:
        """The heading and its link, in their wrapper (which takes the heading's place)."""
        # The heading's text as the toc extension reads it (footnote marks left out).
        name = html.unescape(strip_tags(render_inner_html(remove_fnrefs(heading), self.md)))
        wrapper = etree.Element("div", {"class": WRAPPER_CLASS})
        wrapper.tail, heading.tail = heading.tail, None
        wrapper.append(heading)
        label = self.config["anchor_label"].format(heading=name)
        link = etree.SubElement(wrapper, "a", {"class": ANCHOR_CLASS, "href": "#" + heading.get(
            "id"), "aria-label": label})  # fmt: skip
        link.text = self.config["anchor_text"]
        return wrapper


class HeadingAnchors(Extension):
    """Markdown extension: a link after each heading of the configured levels (see above)."""

    def __init__(self, **kwargs) -> None:
        self.config = {
            key: [value, f"see DEFAULTS in {__name__}"] for key, value in DEFAULTS.items()
        }
        super().__init__(**kwargs)

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 - Markdown's name
        # Priority 3: after the toc extension (5) has given each heading its id, and after
        # plugins/references (4) has found its "## References" heading and wrapped its section.
        md.treeprocessors.register(_Anchors(md, self.getConfigs()), "heading_anchors", 3)


def add_extension(pelican) -> None:
    """Adds HeadingAnchors to this build's Markdown settings, and keeps typogrify off the links
    (new values: pelicanconf's are left as they are, for the next build in the same process)."""
    settings = pelican.settings
    config = settings_for(settings)
    markdown = dict(settings["MARKDOWN"])
    extensions = [e for e in markdown.get("extensions", []) if not isinstance(e, HeadingAnchors)]
    markdown["extensions"] = [*extensions, HeadingAnchors(**config)]
    settings["MARKDOWN"] = markdown
    # Typogrify's amp filter takes a tag with a hyphenated attribute (aria-label) for text and
    # puts a <span> into its value ("Diet & exercise"): the links are left as they are.
    ignored = [t for t in settings.get("TYPOGRIFY_IGNORE_TAGS") or [] if t != f"a.{ANCHOR_CLASS}"]
    settings["TYPOGRIFY_IGNORE_TAGS"] = [*ignored, f"a.{ANCHOR_CLASS}"]


def sections(body: str) -> list[tuple[str, str]]:
    """(id, text) of each `##` heading of a rendered body that has an id."""
    tree = LexborHTMLParser(body)
    found = []
    for heading in tree.css("h2[id]"):
        text = " ".join(heading.text(deep=True).split())
        if text:
            found.append((heading.attributes["id"] or "", text))
    return found


def add_toc(content) -> None:
    """Sets `toc` on an article or page: its sections, if there are enough for a contents list."""
    if not isinstance(content, Article | Page):
        return  # a static file
    if not getattr(content, "_content", None):
        content.toc = []
        return
    found = sections(content._content)
    content.toc = found if len(found) >= settings_for(content.settings)["toc_min_sections"] else []


def register() -> None:
    # initialized: before any reader exists, so every Markdown file is read with the extension.
    signals.initialized.connect(add_extension)
    # content_object_init: each article's rendered body, before any template reads it.
    signals.content_object_init.connect(add_toc)
