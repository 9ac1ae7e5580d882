"""Social cards: the picture shown when a page of the site is shared in a message or on social
media (Open Graph's og:image, Twitter's summary_large_image).

Each article gets its own 1200×630 card, drawn at build time with Pillow: its title, wrapped and
sized to fit, above a band with the clinic's name, in the theme's colours. The colours are read
from the custom properties in theme/static/css/tokens.css (the light scheme), so the cards follow
the theme with nothing to keep in step; the font ships with the theme (theme/static/fonts, with
its licence). Pages and list pages share one site card: the clinic's name and tagline.

Cards are files of the site itself (images/cards/<slug>.png), so a shared link makes no request
to another host. They are fetched by social networks, not by readers: no page loads them.

Drawing takes tens of milliseconds, so each card is kept in a cache (CACHE_PATH/social-cards),
named by a hash of everything that shapes it: the title, the name, the colours, the size, the
font's bytes and this module's own source. An unchanged article is copied from the cache, never
drawn again; a change to any of those draws a new card. (`invoke clean` empties the cache.)
"""

from __future__ import annotations

import functools
import hashlib
import html
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import time
import zlib
from dataclasses import dataclass
from itertools import chain
from pathlib import Path

from pelican import signals
from pelican.generators import ArticlesGenerator, StaticGenerator
from PIL import Image, ImageColor, ImageDraw, ImageFont

from rebalance.plugins.build_cache.build_cache import writes
from rebalance.plugins.build_cache.parallel import processors, share_out

logger = logging.getLogger(__name__)

DEFAULTS = {
    "size": [1200, 630],
    # Where the cards are published, under the output folder.
    "folder": "images/cards",  # one per article: <folder>/<slug>.png (<slug>-<lang> if translated)
    "site_card": "images/site-card.png",  # pages and list pages (outside <folder>: no slug clash)
    "cache": "social-cards",  # under CACHE_PATH
    # Theme files, relative to the theme's static folder.
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
SOURCE = Path(__file__)
COMMENT = re.compile(r"/\*.*?\*/", re.S)
DECLARATION = re.compile(r"(--[\w-]+)\s*:\s*([^;]+)")
TAG = re.compile(r"<[^>]*>")
NAME_MAX = 200  # bytes of a card's file name before ".png" (file systems allow 255)
STATE = "_social_cards"  # key of the running build's Cards in the settings dict
EARLY = "_social_cards_early"  # in the settings of a build that draws early (draw_early)
CARD_SETTINGS = ("THEME", "CACHE_PATH", "OUTPUT_PATH", "SOCIAL_CARDS", "CLINIC", "SITENAME")
# The command draw_ahead runs (with the plugins' folder as its argument).
DRAWER = (
    "import sys; sys.path.insert(0, sys.argv[1]); "
    "from rebalance.plugins.social_cards import social_cards; social_cards.draw_job()"
)
DRAW_AHEAD_MIN = 16  # fewer missing cards than this are drawn one by one: not worth a process


@dataclass(frozen=True)
class Card:
    """A published card, as templates use it: {{ card.url }}, .width, .height, .alt, .type."""

    url: str
    width: int
    height: int
    alt: str
    type: str = "image/png"


class ThemeError(Exception):
    """The theme lacks something the cards need (a colour token or the font)."""


def settings_for(settings: dict) -> dict:
    """SOCIAL_CARDS settings with defaults filled in."""
    merged = {**DEFAULTS, **settings.get("SOCIAL_CARDS", {})}
    merged["colours"] = {**DEFAULTS["colours"], **merged["colours"]}
    return merged


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
    """Each part of the card -> its RGB colour, from the custom property named for it."""
    tokens = root_tokens(tokens_css)
    colours = {}
    for part, token in wanted.items():
        if token not in tokens:
            raise ThemeError(f"the social cards' {part} colour {token} is not in tokens.css.")
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


@functools.lru_cache(maxsize=64)
def truetype(font_path: str, size: int) -> ImageFont.FreeTypeFont:
    """The font at a size, loaded once per process (a card tries several sizes)."""
    return ImageFont.truetype(font_path, size)


def fit_title(text: str, font_path: str, sizes: list[int], width: float, height: float):
    """The font and lines at the largest size whose lines fit the box; at the smallest size,
    the lines that fit, the last one ending in an ellipsis."""
    for size in sizes:
        font = truetype(font_path, size)
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


def draw_card(title: str, name: str, palette: list[int], font_path: str, config: dict,
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

    name_font = truetype(font_path, round(band * 0.36))
    draw.text((margin, height - band / 2), name, font=name_font, fill=2 * shades - 1, anchor="lm")

    box_top, box_bottom = margin, height - band - margin * 0.6
    font, lines = fit_title(title, font_path, config["title_sizes"], width - 2 * margin,
                            box_bottom - box_top)  # fmt: skip
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
    """One build's card maker: the theme read once, each card drawn only if not in the cache."""

    def __init__(self, settings: dict) -> None:
        self.settings = settings
        self.config = settings_for(settings)
        static = Path(settings["THEME"]) / "static"
        self.font = str(static / self.config["font"])
        tokens = static / self.config["tokens"]
        if not Path(self.font).is_file():
            raise ThemeError(f"the social cards' font {self.font} does not exist.")
        self.colours = theme_colours(tokens.read_text(encoding="utf-8"), self.config["colours"])
        clinic = settings.get("CLINIC") or {}
        self.name = self.config["name"] or clinic.get("name") or settings["SITENAME"]
        self.cache = Path(settings["CACHE_PATH"]) / self.config["cache"]
        self.output = Path(settings["OUTPUT_PATH"])
        # Everything but the title that shapes a card: part of every card's cache key.
        config = self.config
        shape = [self.name, self.colours, config["size"], config["title_sizes"], config["shades"]]
        self.shape = hashlib.sha256(
            json.dumps(shape).encode() + Path(self.font).read_bytes() + SOURCE.read_bytes()
        ).hexdigest()
        self.palette = palette_for(self.colours, self.config["shades"])
        self.drawn = self.cached = 0
        self.ahead: set[str] = set()  # titles whose cards draw_ahead drew
        self.drawing: list[subprocess.Popen] = []  # draw_ahead's processes, while they draw
        self.todo: list[tuple] = []  # (title, save_as, source file) to publish at the end

    def __getstate__(self) -> dict:
        """Pelican's content cache pickles the settings this is in (each category and tag keeps
        them): the processes drawing belong to this build alone."""
        return {**self.__dict__, "drawing": []}

    def cache_file(self, title: str) -> Path:
        key = hashlib.sha256(f"{self.shape}\n{title}".encode()).hexdigest()[:32]
        return self.cache / f"{key}.png"

    def draw_ahead(self, titles: list[str]) -> None:
        """Starts drawing the cards not in the cache yet, nor being drawn, in another process
        (draw_job), on every processor but this one, which meanwhile builds the site: a cold
        build draws a thousand cards, about 6 s on one processor. A fresh process rather than a
        fork of this large one, whose memory the fork would share until written to (measured at
        1,000 articles, single runs: the pages took 8.3-9.0 s to write beside a fork, 6.8-8.6 s
        beside a fresh process). publish_cards waits for them (wait); publish() draws any card
        they could not."""
        todo = [t for t in dict.fromkeys(titles)
                if t not in self.ahead and not self.cache_file(t).is_file()]  # fmt: skip
        if len(todo) < DRAW_AHEAD_MIN:
            return
        job = {"settings": {k: self.settings[k] for k in CARD_SETTINGS if k in self.settings},
               "titles": todo, "workers": max(1, processors(self.settings) - 1)}  # fmt: skip
        drawing = subprocess.Popen(
            [sys.executable, "-c", DRAWER, str(Path(__file__).resolve().parent.parent)],
            stdin=subprocess.PIPE,
        )
        with drawing.stdin as stdin:
            stdin.write(json.dumps(job).encode())
        self.drawing.append(drawing)
        self.ahead.update(todo)

    def draw_all(self, titles: list[str]) -> list:
        for title in titles:
            save_png(self.draw(title), self.cache_file(title))
        return []

    def draw(self, title: str) -> Image.Image:
        shades = self.config["shades"]
        return draw_card(title, self.name, self.palette, self.font, self.config, shades)

    def wait(self) -> None:
        """The cards draw_ahead started are drawn (or the process drawing them failed)."""
        for drawing in self.drawing:
            drawing.wait()
        self.drawing = []

    def card(self, save_as: str, alt: str) -> Card:
        """What the templates print of a card (it is published at the end: publish)."""
        width, height = self.config["size"]
        return Card(url=save_as, width=width, height=height, alt=alt)

    def publish(self, title: str, save_as: str) -> None:
        """The card for `title`, from the cache or drawn into it, published at `save_as`."""
        cached = self.cache_file(title)
        if cached.is_file() and title in self.ahead:
            self.drawn += 1
        elif cached.is_file():
            self.cached += 1
        else:
            save_png(self.draw(title), cached)
            self.drawn += 1
        target = self.output / save_as
        target.parent.mkdir(parents=True, exist_ok=True)
        link_or_copy(cached, target)


def draw_job() -> None:
    """The process draw_ahead starts: the cards of the titles it is given, into the cache."""
    job = json.load(sys.stdin)
    cards = Cards(job["settings"])
    share_out(job["titles"], cards.draw_all, job["workers"])


def link_or_copy(cached: Path, target: Path) -> None:
    """The cached card, published as a hard link to it where the file system allows (no bytes
    copied: a cache file is never written again, only replaced or removed), else a copy."""
    target.unlink(missing_ok=True)
    try:
        os.link(cached, target)
    except OSError:
        shutil.copyfile(cached, target)


def card_save_as(folder: str, article) -> str:
    """Where an article's card is published: its slug, and its language if it is a translation.
    A name too long for a file system (255 bytes) is cut and made unique with a hash: the
    content checks tell the author about the slug itself."""
    default = article.settings.get("DEFAULT_LANG")
    name = article.slug if article.lang == default else f"{article.slug}-{article.lang}"
    if len(name.encode()) > NAME_MAX:
        digest = hashlib.sha256(name.encode()).hexdigest()[:12]
        name = name.encode()[: NAME_MAX - 13].decode(errors="ignore") + "-" + digest
    return f"{folder}/{name}.png"


def make_cards(generators: list) -> None:
    """A card for every article that is written, and the site card for the other pages: their
    addresses for the templates now, the cards drawn meanwhile, published at the end."""
    articles = next((g for g in generators if isinstance(g, ArticlesGenerator)), None)
    if articles is None:
        return
    settings = articles.settings
    try:
        cards = settings.get(STATE) or Cards(settings)  # draw_early's, if it made one
    except (ThemeError, OSError) as error:
        _report_theme(settings, error)
        return
    settings[STATE] = cards
    config = cards.config
    reserved = _static_files(generators)
    site_title = config["site_title"] or settings.get("SITE_TAGLINE") or settings["SITENAME"]
    if config["site_card"] in reserved:
        _report_clash(settings, reserved[config["site_card"]], config["site_card"], "the site")
    # The context is shared by every generator: list pages, pages and the 404 page read it.
    articles.context["site_card"] = cards.card(config["site_card"], f"{cards.name}: {site_title}")
    cards.todo.append((site_title, config["site_card"], None))
    written = chain(
        articles.articles, articles.translations, articles.hidden_articles,
        articles.hidden_translations, articles.drafts, articles.drafts_translations,
    )  # fmt: skip
    written = [a for a in written if a.save_as]  # drafts in production: no page, so no card
    cards.draw_ahead([plain_title(a.title) for a in written])
    for article in written:
        save_as = card_save_as(config["folder"], article)
        title = plain_title(article.title)
        if save_as in reserved:
            _report_clash(settings, reserved[save_as], save_as, f'the article "{title}"')
        alt = " ".join(title.split())  # no-break spaces only matter where a line may break
        article.social_card = cards.card(save_as, f"{alt} – {cards.name}")
        cards.todo.append((title, save_as, article.source_path))


def draw_early(generator) -> None:
    """The articles are read but not yet made into Pelican's articles (a cold build reads them
    ahead, at this same signal: plugins/build_cache): the cards of the titles read start
    drawing now, while this process makes the articles on its own, one by one (a second a
    thousand), instead of once all exist (make_cards draws what this did not)."""
    settings, readers = generator.settings, generator.readers
    if not settings.get(EARLY) or STATE in settings:
        return
    files = generator.get_files(settings["ARTICLE_PATHS"], exclude=settings["ARTICLE_EXCLUDES"])
    titles = []
    for name in files:
        read = readers.get_cached_data(os.path.abspath(os.path.join(generator.path, name)), None)
        title = read[1].get("title") if read else None  # (content, metadata), as read
        if isinstance(title, str):
            titles.append(plain_title(title))
    if len(titles) < DRAW_AHEAD_MIN:
        return
    try:
        cards = Cards(settings)
    except (ThemeError, OSError):
        return  # make_cards reports it
    settings[STATE] = cards
    cards.draw_ahead(titles)


def draw_early_after_reading(pelican) -> None:
    """Connected now, after every plugin's own receivers (register() runs before `initialized`),
    so that draw_early runs after plugins/build_cache has read the articles ahead; only for a
    build with this plugin (signals are global: another build in this process may not)."""
    if any(getattr(p, "register", None) is register for p in pelican.plugins):
        pelican.settings[EARLY] = True
        signals.article_generator_init.connect(draw_early)


def publish_cards(pelican) -> None:
    """Every page is written: the cards, drawn by now, go into the output folder (a preview,
    which writes only a few pages, waits for them and publishes none)."""
    cards = pelican.settings.pop(STATE, None)
    if cards is None:
        return
    start = time.perf_counter()
    cards.wait()
    for title, save_as, source in cards.todo if writes(pelican.settings) else ():
        try:
            cards.publish(title, save_as)
        except OSError as error:  # a full disk, a folder that cannot be written...
            _report_unwritten(pelican.settings, source, save_as, error)
    seconds = time.perf_counter() - start
    logger.info("Social cards: %d drawn, %d from the cache, published in %.2f s", cards.drawn,
                cards.cached, seconds)  # fmt: skip


def _static_files(generators: list) -> dict[str, str]:
    """Static files' published paths -> their source files (a card must not overwrite one)."""
    static = next((g for g in generators if isinstance(g, StaticGenerator)), None)
    files = static.staticfiles if static else []
    return {os.path.normpath(f.save_as).replace(os.sep, "/"): f.source_path for f in files}


def _checks(settings: dict):
    try:
        from rebalance.plugins.content_checks.content_checks import checks_of
    except ImportError:
        return None
    return checks_of(settings)


def _report_theme(settings: dict, error: Exception) -> None:
    checks = _checks(settings)
    if checks is None:
        raise error
    checks.add(None, None, "theme", subject="social cards", problem=f"Social cards: {error}")


def _report_clash(settings: dict, source: str, save_as: str, owner: str) -> None:
    checks = _checks(settings)
    others = f"the social card of {owner}"  # the site / the article "Title"
    if checks is None:
        raise FileExistsError(f"{source} would be published at /{save_as}, like {others}")
    checks.add(source, None, "written-twice", subject=save_as, url=save_as, others=others)


def _report_unwritten(settings: dict, source: str, save_as: str, error: OSError) -> None:
    checks = _checks(settings)
    if checks is None:
        raise error
    checks.add(source, None, "write-failed", subject=save_as, url=save_as, error=error, hint="")


def register() -> None:
    # initialized: draw_early joins article_generator_init, behind the plugins' receivers.
    signals.initialized.connect(draw_early_after_reading)
    # all_generators_finalized: every article is read (title, slug, status), no page is written
    # yet: each article gets its card's address before the templates that print og:image run;
    # the missing cards are drawn meanwhile.
    signals.all_generators_finalized.connect(make_cards)
    # finalized: before the search index and the content checks (PLUGINS order), which look
    # at the output folder.
    signals.finalized.connect(publish_cards)
