"""Social cards: every article has its own 1200×630 picture for links shared on social media
(og:image, twitter:card), drawn at build time in the theme's colours and cached by content;
every other page has the site's card."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import PRODUCTION_ENV, build_content, parse
from PIL import Image, ImageFont

from rebalance.build import PUBLISH_SETTINGS, ROOT, build_site
from rebalance.plugins.social_cards.social_cards import (
    DEFAULTS,
    FALLBACK_COLOURS,
    fit_title,
    line_height,
    plain_title,
    root_tokens,
    wrap,
)

FONT = str(ROOT / "theme" / "static" / DEFAULTS["font"])
TOKENS = ROOT / "theme" / "static" / DEFAULTS["tokens"]
LONG = (
    "Persistent Lower Back Pain After Years of Desk Work, Heavy Lifting and Poor Sleep: What "
    "the Evidence Says About Exercise, Manual Therapy, Education and Returning to Sport Safely"
)
FILES = {
    "articles/short.md": (
        'Title: TMJ & Jaw Pain: "Clicks" Explained\nDate: 2026-02-01\nCategory: Jaw\n'
        "Tags: TMJ\nSummary: Why a jaw clicks.\n\nText.\n"
    ),
    "articles/long.md": f"Title: {LONG}\nDate: 2026-02-02\nSummary: Long.\n\nText.\n",
    "pages/about.md": "Title: About\nSummary: Who we are.\n\nAbout us.\n",
}
SHORT_URL, LONG_URL = (
    "blog/tmj-jaw-pain-clicks-explained",
    "blog/" + "-".join("".join(c for c in w.lower() if c.isalnum()) for w in LONG.split()),
)
LISTS = ["index.html", "about/index.html", "blog/archives/index.html", "blog/tags/index.html",
         "blog/category/jaw/index.html", "blog/tag/tmj/index.html", "404.html"]  # fmt: skip


def colour(token: str) -> tuple[int, int, int]:
    """A colour of the light scheme in tokens.css, as RGB."""
    value = root_tokens(TOKENS.read_text(encoding="utf-8"))[token]
    return tuple(int(value[i : i + 2], 16) for i in (1, 3, 5))


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("cards")
    output = build_content(root, FILES, CACHE_PATH=str(root / "cache"))
    assert output is not None
    return output


def card_of(output: Path, page: str) -> tuple[dict[str, str], Path]:
    """The social-media tags of a page, and the file its og:image names."""
    soup = parse(output / page)
    tags = {m.get("property") or m.get("name"): m["content"] for m in soup.select("meta[content]")}
    return tags, output / tags["og:image"].lstrip("/")


@pytest.mark.parametrize("url", [SHORT_URL, LONG_URL])
def test_every_article_has_its_own_card_of_1200_by_630(site, url):
    tags, card = card_of(site, f"{url}/index.html")
    slug = url.rsplit("/", 1)[-1]
    assert tags["og:image"] == f"/images/cards/{slug}.png"
    with Image.open(card) as image:
        assert image.size == (1200, 630)
    assert (tags["og:image:width"], tags["og:image:height"]) == ("1200", "630")
    assert tags["og:image:type"] == "image/png"
    title = " ".join(tags["og:title"].split())  # the title's no-break spaces made plain
    assert tags["og:image:alt"] == f"{title} – Rebalance"
    assert tags["twitter:card"] == "summary_large_image"
    assert tags["twitter:image"] == tags["og:image"]
    assert tags["og:type"] == "article"


def test_the_alt_text_is_plain_text(site):
    tags, _ = card_of(site, f"{SHORT_URL}/index.html")
    alt = tags["og:image:alt"]
    assert alt.startswith("TMJ & Jaw Pain: \u201cClicks\u201d Explained")
    assert "<" not in alt and "&" + "nbsp;" not in alt


@pytest.mark.parametrize("page", LISTS)
def test_pages_and_list_pages_show_the_site_card(site, page):
    tags, card = card_of(site, page)
    assert tags["og:image"] == "/images/site-card.png"
    assert card.is_file()
    assert tags["og:type"] == "website" and tags["og:title"] and tags["og:description"]
    assert tags["twitter:card"] == "summary_large_image"
    assert tags["og:image:alt"] == "Rebalance: Physiotherapy clinic"


def test_cards_are_in_the_theme_colours(site):
    _, card = card_of(site, f"{SHORT_URL}/index.html")
    with Image.open(card) as image:
        rgb = image.convert("RGB")
        assert rgb.getpixel((5, 5)) == colour("--color-accent")  # the background
        assert rgb.getpixel((5, 625)) == colour("--color-surface")  # the band with the name
        assert colour("--color-accent-text") in {c for _, c in rgb.getcolors(256)}  # the title


def test_cards_follow_a_change_of_the_theme_colours(tmp_path):
    theme = tmp_path / "theme"
    shutil.copytree(ROOT / "theme", theme)
    tokens = theme / "static" / DEFAULTS["tokens"]
    css = tokens.read_text(encoding="utf-8")
    tokens.write_text(css.replace("--color-accent: #0b5f5a;", "--color-accent: #123456;", 1))
    output = build_content(tmp_path, FILES, THEME=str(theme), CACHE_PATH=str(tmp_path / "cache"))
    assert output is not None
    for page in (f"{SHORT_URL}/index.html", "index.html"):
        with Image.open(card_of(output, page)[1]) as image:
            assert image.convert("RGB").getpixel((5, 5)) == (0x12, 0x34, 0x56), page


def test_a_theme_without_tokens_or_font_gets_the_default_colours_and_pillows_font(tmp_path):
    theme = tmp_path / "theme"
    shutil.copytree(ROOT / "theme", theme)
    (theme / "static" / DEFAULTS["tokens"]).unlink()
    shutil.rmtree(theme / "static" / "fonts")
    output = build_content(tmp_path, FILES, THEME=str(theme), CACHE_PATH=str(tmp_path / "cache"))
    assert output is not None
    with Image.open(card_of(output, f"{SHORT_URL}/index.html")[1]) as image:
        rgb = image.convert("RGB")
        assert image.size == (1200, 630)
        assert rgb.getpixel((5, 5)) == FALLBACK_COLOURS["background"]
        assert rgb.getpixel((5, 625)) == FALLBACK_COLOURS["band"]
        assert FALLBACK_COLOURS["title"] in {c for _, c in rgb.getcolors(256)}


def test_a_colour_pillow_cannot_read_is_a_problem_of_the_theme(tmp_path, capfd):
    theme = tmp_path / "theme"
    shutil.copytree(ROOT / "theme", theme)
    tokens = theme / "static" / DEFAULTS["tokens"]
    css = tokens.read_text(encoding="utf-8")
    tokens.write_text(
        css.replace("--color-accent-text: #ffffff;", "--color-accent-text: teal-ish;")
    )
    output = build_content(tmp_path, FILES, THEME=str(theme), CACHE_PATH=str(tmp_path / "cache"))
    assert output is None
    report = capfd.readouterr().err
    assert (
        "(site): Social cards: --color-accent-text: teal-ish is not a colour Pillow can read. This "
        "comes from the theme" in " ".join(report.split())
    ), report
    assert "Traceback" not in report


def test_cards_are_small_palette_pngs(site):
    cards = [*(site / "images" / "cards").glob("*.png"), site / "images" / "site-card.png"]
    assert len(cards) == 3
    for card in cards:
        with Image.open(card) as image:
            assert image.format == "PNG" and image.mode == "P", card.name
            assert len(image.getcolors()) <= 2 * DEFAULTS["shades"], card.name
        # Even the five lines of the longest title weigh less than 30 KB.
        assert card.stat().st_size < 30_000, (card.name, card.stat().st_size)


def test_unchanged_articles_are_not_drawn_again(tmp_path):
    cache = tmp_path / "cache" / "social-cards"
    assert build_content(tmp_path, FILES, CACHE_PATH=str(tmp_path / "cache"))
    first = {p.name: p.stat().st_mtime_ns for p in cache.iterdir()}
    assert len(first) == 3  # two articles and the site

    output = build_content(tmp_path, FILES, CACHE_PATH=str(tmp_path / "cache"))
    assert {p.name: p.stat().st_mtime_ns for p in cache.iterdir()} == first
    assert (output / "images" / "cards" / "tmj-jaw-pain-clicks-explained.png").is_file()

    changed = {**FILES, "articles/short.md": FILES["articles/short.md"].replace("Clicks", "Pops")}
    changed["articles/short.md"] = (
        "Slug: tmj-jaw-pain-clicks-explained\n" + changed["articles/short.md"]
    )
    output = build_content(tmp_path, changed, CACHE_PATH=str(tmp_path / "cache"))
    after = {p.name: p.stat().st_mtime_ns for p in cache.iterdir()}
    assert len(after) == 4 and {n: after[n] for n in first} == first  # one new card, others kept
    new = cache / next(iter(set(after) - set(first)))
    published = output / "images" / "cards" / "tmj-jaw-pain-clicks-explained.png"
    assert published.read_bytes() == new.read_bytes()


def test_a_picture_named_like_a_card_cannot_replace_it(tmp_path):
    # Originals in content/images/ are never published under their own name (the images plugin
    # publishes resized copies), so a file called site-card.png cannot take the card's place.
    files = {**FILES, "images/site-card.png": "not really a picture"}
    output = build_content(tmp_path, files, CACHE_PATH=str(tmp_path / "cache"))
    assert output is not None
    with Image.open(output / "images" / "site-card.png") as card:
        assert card.size == (1200, 630)


def test_production_cards_have_absolute_addresses(tmp_path, production_env):
    content = tmp_path / "content"
    for name, text in FILES.items():
        (content / name).parent.mkdir(parents=True, exist_ok=True)
        (content / name).write_text(text, encoding="utf-8")
    output = tmp_path / "output"
    overrides = {"PATH": str(content), "CACHE_PATH": str(tmp_path / "cache")}
    assert build_site(PUBLISH_SETTINGS, output, overrides)
    site = PRODUCTION_ENV["SITEURL"]
    tags, _ = card_of(output, f"{SHORT_URL}/index.html")
    assert tags["og:image"] == f"{site}/images/cards/tmj-jaw-pain-clicks-explained.png"
    assert tags["twitter:image"] == tags["og:image"]
    assert tags["og:url"] == f"{site}/{SHORT_URL}/"
    tags, card = card_of(output, "blog/category/jaw/index.html")
    assert tags["og:image"] == f"{site}/images/site-card.png"
    assert tags["og:url"] == f"{site}/blog/category/jaw/"
    assert (output / "images" / "site-card.png").is_file()


def test_the_real_article_has_its_card(html_pages, built_site, article):
    image = article.select_one('meta[property="og:image"]')["content"]
    assert image == "/images/cards/unlocking-relief-the-many-benefits-of-dry-needling.png"
    assert (built_site / image.lstrip("/")).is_file()


# --- Pure helpers -----------------------------------------------------------------------------
def test_tokens_are_those_of_the_light_scheme():
    css = ":root { --a: #fff; /* --b: #000; */ }\n@media (x) { :root { --a: #000; --c: red; } }"
    assert root_tokens(css) == {"--a": "#fff"}


def test_plain_title_keeps_its_no_break_space():
    title = 'TMJ <span class="amp">&amp;</span> <span class="caps">TMJ</span> Jaw&nbsp;Pain'
    assert plain_title(title) == "TMJ & TMJ Jaw\xa0Pain"


def test_a_title_wraps_at_spaces_but_not_at_no_break_spaces():
    font = ImageFont.truetype(FONT, 60)
    lines = wrap("one two three four five six seven eight\xa0nine", font, 400)
    assert all(font.getlength(line) <= 400 for line in lines)
    assert lines[-1].endswith("eight\xa0nine")
    assert " ".join(lines) == "one two three four five six seven eight\xa0nine"


def test_a_word_longer_than_a_line_is_split():
    font = ImageFont.truetype(FONT, 60)
    lines = wrap("a " + "x" * 40, font, 300)
    assert len(lines) > 2 and all(font.getlength(line) <= 300 for line in lines)


@pytest.mark.parametrize("title", ["Short", LONG, LONG + " " + LONG])
def test_every_title_fits_its_box(title):
    width, height = 1040, 378
    font, lines = fit_title(title, FONT, DEFAULTS["title_sizes"], width, height)
    assert all(font.getlength(line) <= width for line in lines)
    assert len(lines) * line_height(font.size) <= height
    if title == "Short":
        assert font.size == DEFAULTS["title_sizes"][0]
    if len(title) > 300:  # too long even at the smallest size: cut, and said to be
        assert font.size == DEFAULTS["title_sizes"][-1] and lines[-1].endswith("…")


def test_a_draft_with_a_published_articles_slug_never_replaces_its_card(tmp_path):
    """A draft's card is drawn apart (images/cards/drafts/), so a draft that shares a published
    article's slug leaves the published card, and the published page's og:image, as they were."""
    published = "Title: Knee pain\nDate: 2026-11-01\nSummary: Why knees hurt.\n\nText.\n"
    draft = ("Title: A completely different title\nDate: 2026-11-02\nSlug: knee-pain\n"
             "Status: draft\nSummary: Draft.\n\nDraft text.\n")  # fmt: skip
    out = build_content(tmp_path, {"articles/a.md": published, "articles/b.md": draft})
    assert out is not None
    card = out / "images" / "cards" / "knee-pain.png"
    assert (out / "images" / "cards" / "drafts" / "knee-pain.png").is_file()
    page = parse(out / "blog" / "knee-pain" / "index.html")
    image = page.select_one('meta[property="og:image"]')["content"]
    assert image.endswith("/images/cards/knee-pain.png")
    alone = build_content(tmp_path / "alone", {"articles/a.md": published})
    assert card.read_bytes() == (alone / "images" / "cards" / "knee-pain.png").read_bytes()
