"""Reading time for articles and pages: `article.reading_time` in whole minutes.

pelican-readtime (the only packaged alternative) floors the minutes and has not been released
since 2019, so this is ours: count the words a reader reads (the rendered body without markup)
and divide by a reading speed, rounding to the nearest minute, never less than one.
"""

from __future__ import annotations

import re

from pelican import signals
from selectolax.lexbor import LexborHTMLParser

DEFAULTS = {"words_per_minute": 260}
WORD = re.compile(r"\w+(?:[\'’-]\w+)*")


def count_words(html: str) -> int:
    """Number of words a reader sees in an HTML fragment (scripts and styles left out)."""
    body = LexborHTMLParser(f"<body>{html}").body
    if body is None:
        return 0
    body.strip_tags(["script", "style"])
    return len(WORD.findall(body.text(separator=" ")))


def minutes_to_read(words: int, words_per_minute: int) -> int:
    """Whole minutes to read `words` at `words_per_minute`; at least 1."""
    return max(1, round(words / words_per_minute))


def settings_for(pelican_settings: dict) -> dict:
    """READING_TIME settings with defaults filled in."""
    return {**DEFAULTS, **pelican_settings.get("READING_TIME", {})}


def add_reading_time(content) -> None:
    """Sets `reading_time` (minutes) on an article or page from its rendered body."""
    if not getattr(content, "_content", None):
        return
    wpm = settings_for(content.settings)["words_per_minute"]
    content.reading_time = minutes_to_read(count_words(content._content), wpm)


def register() -> None:
    # content_object_init: fires once per article/page right after its body is rendered,
    # before any template reads it.
    signals.content_object_init.connect(add_reading_time)
