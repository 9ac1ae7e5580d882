"""Social cards: the picture shown when a page of the site is shared in a message or on social
media (Open Graph's og:image, Twitter's summary_large_image).

Each article gets its own 1200×630 card, drawn at build time with Pillow: its title, wrapped and
sized to fit, above a band with the clinic's name, in the theme's colours. The colours are read
from the custom properties in the theme's static/css/tokens.css (the light scheme), so the cards
follow the theme with nothing to keep in step; the font ships with the theme (static/fonts, with
its licence). A theme without them (Pelican's own, say) gets this plugin's defaults: the colours
of our theme as it stands and Pillow's own font. Pages and list pages share one site card: the
clinic's name and tagline.

Cards are files of the site itself (images/cards/<slug>.png), so a shared link makes no request
to another host. They are fetched by social networks, not by readers: no page loads them.

Drawing takes a few milliseconds, so each card is kept in a cache (CACHE_PATH/social-cards),
named by a hash of everything that shapes it: the title, the name, the colours, the size, the
font's bytes and this module's own source. An unchanged article's card is taken from the cache,
never drawn again; a change to any of those draws a new card. (`invoke clean` empties the
cache.) Cards are drawn in the build's own process, once every article is read, and published
as Pelican static files: Pelican copies them from the cache with the site's other files.

A problem (a colour the theme names that Pillow cannot read, a card whose address another file
already has) is logged with a `content_problem` record (see MESSAGES): the content checks, when
they run, report it with the build's other problems and fail the build.
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
import os
import posixpath
import re
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from itertools import chain
from pathlib import Path

import blinker
from pelican import signals
from pelican.contents import Static
from pelican.generators import ArticlesGenerator, StaticGenerator
from PIL import Image, ImageColor, ImageDraw, ImageFont
from PIL import __version__ as PILLOW_VERSION

logger = logging.getLogger(__name__)
# The named signal a build's plan of output files is gathered with (content_checks asks it).
PLAN = "rebalance.plan_outputs"

DEFAULTS = {
    "size": [1200, 630],
    # Where the cards are published, under the output folder.
    "folder": "images/cards",  # one per article: <folder>/<slug>.png (<slug>-<lang> if translated)
    "site_card": "images/site-card.png",  # pages and list pages (outside <folder>: no slug clash)
    "cache": "social-cards",  # under CACHE_PATH
    # Theme files, relative to the theme's static folder (without them: FALLBACK_COLOURS and
    # Pillow's own font).
    "font": "fonts/LiberationSans-Bold.ttf",
    "tokens": "css/tokens.css",
    # Which custom property of tokens.css colours each part of the card.
    "colours": {
        "background": "--color-accent",
        "title": "--color-accent-text",
        "band": "--color-surface",
        "name": "--color-accent",
    },
    "name": None,  # the name on every card; None: CLINIC["name"], else SITENAME
    "site_title": None,  # the site card's title; None: SITE_TAGLINE
    # Title sizes in pixels, largest first: the largest at which the title fits is used.
    "title_sizes": [76, 68, 60, 54, 48, 42],
    # Shades from each background to the text on it, ends included: the PNG's palette holds
    # only these (2 × 8 = 16 colours), so the flat areas keep their exact colours, text edges
    # stay smooth, and a card weighs 5-22 KB (median 18.6 KB over 200 titles of varied length).
    "shades": 8,
}
# Each part's colour when the theme has no tokens.css, or no such token: our theme's light
# scheme (theme/static/css/tokens.css, 2026-12), white on teal.
FALLBACK_COLOURS = {
    "background": (0x0B, 0x5F, 0x5A),
    "title": (0xFF, 0xFF, 0xFF),
    "band": (0xF1, 0xF6, 0xF5),
    "name": (0x0B, 0x5F, 0x5A),
}
# What an author (or whoever maintains the theme) reads about a problem, by name (the wording
# the content checks gave these; docs/content-checks.md explains each).
ASK = "ask whoever maintains the website"
MESSAGES: dict[str, str] = {
    "theme": (
        f"{{problem}} This comes from the theme (the site's templates), not an article: {ASK}."
    ),
    "written-twice": (
        "this would be published at /{url}, like {others}, so one would overwrite the other. "
        'Give each its own "Slug:" line (or file name).'
    ),
    "write-failed": "the page /{url} could not be written ({error}). {hint}",
}
SOURCE = Path(__file__)
COMMENT = re.compile(r"/\*.*?\*/", re.S)
DECLARATION = re.compile(r"(--[\w-]+)\s*:\s*([^;]+)")
TAG = re.compile(r"<[^>]*>")
NAME_MAX = 200  # bytes of a card's file name before ".png" (file systems allow 255)


@dataclass(frozen=True)
class Card:
    """A published card, as templates use it: {{ card.url }}, .width, .height, .alt, .type."""

    url: str
    width: int
    height: int
    alt: str
    type: str = "image/png"


class ThemeError(Exception):
    """The theme names a colour Pillow cannot read."""


def settings_for(settings: dict) -> dict:
    """SOCIAL_CARDS settings with defaults filled in."""
    merged = {**DEFAULTS, **settings.get("SOCIAL_CARDS", {})}
    merged["colours"] = {**DEFAULTS["colours"], **merged["colours"]}
    return merged


def problem(path: str | None, line: int | None, name: str, subject: str = "", **values) -> None:
    """A problem for the author, through the content checks' channel: a logging record whose
    `content_problem` says which file (None: the site as a whole), line and what to do."""
    message = MESSAGES[name].format(**values)
    where = f"{path}:{line}" if path and line else path or "(site)"
    logger.warning("%s: %s", where, message, extra={"content_problem": {
        "path": path, "line": line, "message": message, "subject": subject}})  # fmt: skip


def root_tokens(css: str) -> dict[str, str]:
    """The custom properties of the stylesheet's top-level `:root` rules (the light scheme: the
    dark scheme's `:root` inside `@media` is not top-level)."""
    css = COMMENT.sub("", css)
    tokens: dict[str, str] = {}
    depth, selector_start, body_start, selector = 0, 0, 0, ""
    for brace in re.finditer(r"[{}]", css):
        if brace.group() == "{":
            if depth == 0:
                selector, body_start = css[selector_start : brace.start()].strip(), brace.end()
            depth += 1
        elif depth:
            depth -= 1
            if depth == 0:
                if selector == ":root":
                    for name, value in DECLARATION.findall(css[body_start : brace.start()]):
                        tokens.setdefault(name, value.strip())
                selector_start = brace.end()
    return tokens


def theme_colours(tokens_css: str, wanted: dict[str, str]) -> dict[str, tuple[int, int, int]]:
    """Each part of the card -> its RGB colour, from the custom property named for it (a part
    whose property the stylesheet lacks keeps its FALLBACK_COLOURS colour)."""
    tokens = root_tokens(tokens_css)
    colours = {}
    for part, token in wanted.items():
        if token not in tokens:
            colours[part] = FALLBACK_COLOURS[part]
            continue
        try:
            colours[part] = ImageColor.getrgb(tokens[token])[:3]
        except ValueError:
            raise ThemeError(f"{token}: {tokens[token]} is not a colour Pillow can read.") from None
    return colours


def plain_title(title: str) -> str:
    """A title as text: typogrify's markup removed, entities decoded. Its no-break spaces stay,
    so the last two words stay together as on the page."""
    text = html.unescape(TAG.sub("", title))
    return re.sub(r"[ \t\r\n]+", " ", text).strip()


def wrap(text: str, font: ImageFont.FreeTypeFont, width: float) -> list[str]:
    """Lines of `text` no wider than `width`, broken at spaces (a word wider than a whole line
    is broken between letters)."""
    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        candidate = f"{line} {word}" if line else word
        if font.getlength(candidate) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        line = ""
        for letter in word:  # a word that fits is one pass; a longer one is split
            if line and font.getlength(line + letter) > width:
                lines.append(line)
                line = ""
            line += letter
    if line:
        lines.append(line)
    return lines


def load_font(font_path: str | None, size: int) -> ImageFont.FreeTypeFont:
    """The font at a size; None: Pillow's own (Aileron, with FreeType)."""
    if font_path is None:
        return ImageFont.load_default(size)
    return ImageFont.truetype(font_path, size)


FontAt = Callable[[int], ImageFont.FreeTypeFont]


def fit_title(text: str, font_path: str | None, sizes: list[int], width: float, height: float,
              font_at: FontAt | None = None):  # fmt: skip
    """The font and lines at the largest size whose lines fit the box; at the smallest size,
    the lines that fit, the last one ending in an ellipsis. `font_at(size)` loads the font
    (default: from font_path each time)."""
    font_at = font_at or (lambda size: load_font(font_path, size))
    for size in sizes:
        font = font_at(size)
        lines = wrap(text, font, width)
        if len(lines) * line_height(size) <= height:
            return font, lines
    keep = max(1, int(height // line_height(size)))
    if len(lines) > keep:
        last = lines[keep - 1]
        while last and font.getlength(last + "…") > width:
            last = last[:-1]
        lines = [*lines[: keep - 1], last.rstrip() + "…"]
    return font, lines


def line_height(size: int) -> int:
    return round(size * 1.18)


def draw_card(title: str, name: str, palette: list[int], font_at: FontAt, config: dict,
              shades: int) -> Image.Image:  # fmt: skip
    """The card: the title on the background colour, the name on a band along the bottom.

    Drawn as palette indices (palette_for): each pixel's value is the index of its colour. The
    title is drawn with index shades - 1 on index 0, so its anti-aliased edges take the indices
    between, the shades from the background to the title's colour; the name likewise, from the
    band's index (shades) to its last. One byte a pixel, no colour image to reduce afterwards:
    2.5 times faster than drawing in RGB and quantizing (measured on 30 cards, 2026-11-24)."""
    width, height = config["size"]
    margin = round(width / 15)  # 80 px on a 1200 px card
    band = round(height * 0.2)
    image = Image.new("L", (width, height), 0)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, height - band, width, height), fill=shades)

    name_font = font_at(round(band * 0.36))
    draw.text((margin, height - band / 2), name, font=name_font, fill=2 * shades - 1, anchor="lm")

    box_top, box_bottom = margin, height - band - margin * 0.6
    font, lines = fit_title(title, None, config["title_sizes"], width - 2 * margin,
                            box_bottom - box_top, font_at)  # fmt: skip
    step = line_height(font.size)
    ascent, descent = font.getmetrics()
    block = step * (len(lines) - 1) + ascent + descent
    top = box_top + max(0, (box_bottom - box_top - block) / 2)  # centred in its box
    for n, line in enumerate(lines):
        draw.text((margin, top + ascent + n * step), line, font=font, fill=shades - 1,
                  anchor="ls")  # fmt: skip
    image.putpalette(palette)  # "L" becomes "P": the values are the indices
    return image


def palette_for(colours: dict, shades: int) -> list[int]:
    """The palette: `shades` steps from the background to the title's colour, then from the
    band to the name's (every colour an anti-aliased edge between them can have), as RGB
    values."""
    pairs = [("background", "title"), ("band", "name")]
    steps = [
        tuple(round(a + (b - a) * n / (shades - 1)) for a, b in zip(start, end, strict=True))
        for start, end in ((colours[x], colours[y]) for x, y in pairs)
        for n in range(shades)
    ]
    return [value for rgb in steps for value in rgb]


def save_png(image: Image.Image, path: Path) -> None:
    """Saves the card as a palette PNG (Pillow writes 4 bits a pixel for 16 colours or fewer),
    atomically, so an interrupted build never leaves half a card in the cache."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    # zlib's run-length strategy suits a card's long runs of one colour: 1.7 ms a card and
    # 14.8 KB, where the default strategy took 2.3 ms for 17.3 KB at level 3, 7 ms for 14.2 KB
    # at level 6 (CPU time, 60 cards, 2026-11-24). Cards are fetched by link previews, never
    # by a page: a cold build's time matters more than the last kilobyte.
    image.save(partial, format="PNG", compress_level=6, compress_type=zlib.Z_RLE)
    os.replace(partial, path)


class Cards:
    """One build's card maker: the theme read once, each card drawn only if not in the cache.

    Raises ThemeError when the theme names a colour Pillow cannot read."""

    def __init__(self, settings: dict) -> None:
        self.config = config = settings_for(settings)
        static = Path(settings.get("THEME") or "") / "static"
        font = static / config["font"]
        tokens = static / config["tokens"]
        self.font = str(font) if font.is_file() else None  # None: Pillow's own
        css = tokens.read_text(encoding="utf-8") if tokens.is_file() else ""
        self.colours = theme_colours(css, config["colours"])
        clinic = settings.get("CLINIC") or {}
        self.name = config["name"] or clinic.get("name") or settings["SITENAME"]
        self.cache = Path(settings.get("CACHE_PATH") or "cache").resolve() / config["cache"]
        self.fonts: dict[int, ImageFont.FreeTypeFont] = {}  # by size: a card tries several
        # Everything but the title that shapes a card: part of every card's cache key.
        shape = [self.name, self.colours, config["size"], config["title_sizes"], config["shades"]]
        font_bytes = font.read_bytes() if self.font else f"Pillow {PILLOW_VERSION}".encode()
        self.shape = hashlib.sha256(
            json.dumps(shape).encode() + font_bytes + SOURCE.read_bytes()
        ).hexdigest()
        self.palette = palette_for(self.colours, config["shades"])
        self.drawn = self.cached = 0

    def font_at(self, size: int) -> ImageFont.FreeTypeFont:
        if size not in self.fonts:
            self.fonts[size] = load_font(self.font, size)
        return self.fonts[size]

    def cache_file(self, title: str) -> Path:
        key = hashlib.sha256(f"{self.shape}\n{title}".encode()).hexdigest()[:32]
        return self.cache / f"{key}.png"

    def draw(self, title: str) -> Image.Image:
        return draw_card(title, self.name, self.palette, self.font_at, self.config,
                         self.config["shades"])  # fmt: skip

    def card(self, save_as: str, alt: str) -> Card:
        """What the templates print of a card."""
        width, height = self.config["size"]
        return Card(url=save_as, width=width, height=height, alt=alt)

    def ready(self, title: str) -> Path:
        """The cache file of the card for `title`, drawn into the cache if it is not there."""
        cached = self.cache_file(title)
        if cached.is_file():
            self.cached += 1
        else:
            save_png(self.draw(title), cached)
            self.drawn += 1
        return cached


def card_save_as(folder: str, article) -> str:
    """Where an article's card is published: its slug, and its language if it is a translation.
    A name too long for a file system (255 bytes) is cut and made unique with a hash: the
    content checks tell the author about the slug itself."""
    default = article.settings.get("DEFAULT_LANG")
    name = article.slug if article.lang == default else f"{article.slug}-{article.lang}"
    if getattr(article, "status", "") == "draft":  # never over a published article's card
        folder = f"{folder}/drafts"
    if len(name.encode()) > NAME_MAX:
        digest = hashlib.sha256(name.encode()).hexdigest()[:12]
        name = name.encode()[: NAME_MAX - 13].decode(errors="ignore") + "-" + digest
    return f"{folder}/{name}.png"


def static_card(generator: StaticGenerator, cached: Path, save_as: str) -> Static:
    """A Pelican static file that copies the cached card to `save_as` in the output folder."""
    metadata = {"title": posixpath.basename(save_as), "save_as": save_as, "url": save_as}
    return Static(None, metadata=metadata, settings=generator.settings,
                  source_path=str(cached), context=generator.context)  # fmt: skip


def enabled(settings: dict) -> bool:
    """Whether this build uses this plugin (signals are global: another Pelican in this process
    may not)."""
    names = set(settings.get("PLUGINS") or ())
    return bool(names & {__package__, __package__.rsplit(".", 1)[-1], __name__})


def make_cards(generators: list) -> None:
    """A card for every article that is written, and the site card for the other pages: their
    addresses for the templates, the cards drawn (or taken from the cache) and handed to the
    static generator, which copies them into the output folder with the site's other files."""
    articles = next((g for g in generators if isinstance(g, ArticlesGenerator)), None)
    statics = next((g for g in generators if isinstance(g, StaticGenerator)), None)
    if articles is None or statics is None or not enabled(articles.settings):
        return
    settings = articles.settings
    try:
        cards = Cards(settings)
    except ThemeError as error:
        problem(None, None, "theme", subject="social cards", problem=f"Social cards: {error}")
        return
    start, config = time.perf_counter(), cards.config
    reserved = {os.path.normpath(f.save_as).replace(os.sep, "/"): f.source_path
                for f in statics.staticfiles}  # fmt: skip
    site_title = config["site_title"] or settings.get("SITE_TAGLINE") or settings["SITENAME"]
    todo = [(site_title, config["site_card"], "the site")]
    written = chain(
        articles.articles, articles.translations, articles.hidden_articles,
        articles.hidden_translations, articles.drafts, articles.drafts_translations,
    )  # fmt: skip
    for article in (a for a in written if a.save_as):  # drafts in production: no page, no card
        save_as = card_save_as(config["folder"], article)
        title = plain_title(article.title)
        alt = " ".join(title.split())  # no-break spaces only matter where a line may break
        article.social_card = cards.card(save_as, f"{alt} – {cards.name}")
        todo.append((title, save_as, f'the article "{title}"'))
    # The context is shared by every generator: list pages, pages and the 404 page read it.
    articles.context["site_card"] = cards.card(config["site_card"], f"{cards.name}: {site_title}")
    for title, save_as, owner in todo:
        if save_as in reserved:
            problem(reserved[save_as], None, "written-twice", subject=save_as, url=save_as,
                    others=f"the social card of {owner}")  # fmt: skip
            continue
        try:
            cached = cards.ready(title)
        except OSError as error:  # a full disk, a cache folder that cannot be written...
            problem(None, None, "write-failed", subject=save_as, url=save_as, error=error, hint="")
            continue
        statics.staticfiles.append(static_card(statics, cached, save_as))
    logger.info("Social cards: %d drawn, %d from the cache (%s), in %.2f s", cards.drawn,
                cards.cached, cards.cache, time.perf_counter() - start)  # fmt: skip


def plan(generators: list) -> list[dict]:
    """The cards this build will publish, for the build's plan of every file it writes
    (content_checks asks through the PLAN signal): each with the article it is drawn for."""
    articles = next((g for g in generators if isinstance(g, ArticlesGenerator)), None)
    if articles is None or not enabled(articles.settings):
        return []
    config = settings_for(articles.settings)
    found = [{"path": config["site_card"], "source": None, "line": None,
              "what": "the site's sharing picture"}]  # fmt: skip
    written = chain(
        articles.articles,
        articles.translations,
        articles.hidden_articles,
        articles.hidden_translations,
        articles.drafts,
        articles.drafts_translations,
    )
    for article in (a for a in written if a.save_as):
        found.append({"path": card_save_as(config["folder"], article),
                      "source": article.source_path, "line": None,
                      "draft": getattr(article, "status", "") == "draft",
                      "what": f"the sharing picture of {article.source_path}",
                      "fix": 'Give it another "Slug:" line.'})  # fmt: skip
    return found


def register() -> None:
    # all_generators_finalized: every article is read (title, slug, status) and the static
    # files are known, but no page is written and nothing copied yet: each article gets its
    # card's address before the templates that print og:image run, and the cards join the
    # static files Pelican copies into the output folder.
    signals.all_generators_finalized.connect(make_cards)
    # The build's plan of every file it writes (a named blinker signal, content_checks asks).
    blinker.signal(PLAN).connect(plan)
