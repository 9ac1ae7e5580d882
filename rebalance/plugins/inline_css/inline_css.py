"""Inline the theme's CSS into every page: `{{ inline_css() }}` in a template.

Our whole stylesheet is a few KB. Inlining it means the page renders after one round trip with
no render-blocking request, which matters most to patients on phones and slow networks.
(eleventy-base-blog inlines its CSS the same way.) Comments and extra white space are removed.
A theme without these files (Pelican's own, say) gets an empty string: it links its own CSS.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from markupsafe import Markup
from pelican import signals

DEFAULTS = {"files": ["css/tokens.css", "css/main.css"]}
COMMENT = re.compile(r"/\*.*?\*/", re.S)
SPACE = re.compile(r"\s+")
AROUND_PUNCT = re.compile(r"\s*([{};,>])\s*")
logger = logging.getLogger(__name__)


def minify(css: str) -> str:
    """Removes comments and white space that CSS does not need."""
    css = COMMENT.sub("", css)
    css = SPACE.sub(" ", css)
    css = AROUND_PUNCT.sub(r"\1", css)
    return css.replace(";}", "}").strip()


def read_css(theme: str, files: list[str]) -> str:
    """The theme's CSS files (paths relative to theme/static), concatenated and minified. Files
    the theme lacks are left out (logged at debug level: Pelican's own theme has only main.css)."""
    static = Path(theme) / "static"
    found = [static / name for name in files if (static / name).is_file()]
    if len(found) < len(files):
        logger.debug("inline_css: %s lacks some of %s", static, ", ".join(files))
    return minify("\n".join(path.read_text(encoding="utf-8") for path in found))


def add_global(generator) -> None:
    """Makes inline_css() available to every template this generator renders."""
    settings = {**DEFAULTS, **generator.settings.get("INLINE_CSS", {})}
    theme, files = generator.settings["THEME"], settings["files"]

    # Read once per build (each build is a new process, so `make serve` picks up CSS edits on
    # the next rebuild), not once per page: a thousand pages would read and minify it a thousand
    # times. A stylesheet can never close the <style> element early.
    css = Markup(read_css(theme, files).replace("</", "<\\/"))

    def inline_css() -> Markup:
        return css

    generator.env.globals["inline_css"] = inline_css


def register() -> None:
    # generator_init: each generator has its own Jinja environment, ready at this signal.
    signals.generator_init.connect(add_global)
