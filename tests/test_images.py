"""Pictures (plugins/images): a phone photo dropped into content/images/ reaches readers as
resized AVIF, WebP and JPEG variants in a <picture>, with none of its metadata, cached by content
hash; the original is never published.

The photos are made here with Pillow (a 4000x3000 JPEG carrying GPS EXIF, a camera serial
number, XMP, a comment and a colour profile; an iPhone-style HEIC; a PNG with transparency; a
photo stored sideways with an EXIF rotation), put into a copy of the real content/ folder with
an article that shows them, and built for real as `invoke build` builds (content checks on).
"""

from __future__ import annotations

import io
import os
import random
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pillow_heif
import pytest
from bs4 import BeautifulSoup
from conftest import build_content, parse
from PIL import Image, ImageChops, ImageCms, ImageDraw, ImageFilter
from PIL.ExifTags import IFD, Base

from rebalance.browser import (
    format_axe_violations,
    format_vnu_messages,
    require_axe,
    require_vnu,
    run_axe,
    run_vnu,
    serve,
)
from rebalance.build import DEV_SETTINGS, ROOT, build_site
from rebalance.plugins.content_checks.written import allowlist
from rebalance.plugins.images.images import DEFAULTS, chosen, sizes_px, upright_srgb, usable
from rebalance.weight import picture_bytes

SERIAL = "SN-4000-TEST-0042"
GPS = {1: "N", 2: (51.0, 30.0, 12.34), 3: "W", 4: (0.0, 7.0, 39.0)}  # a patient's street
SLUG = "what-a-knee-assessment-looks-like"
PAGE = f"blog/{SLUG}/index.html"
PHONE_LIMIT = 100_000  # bytes: what a 360 px phone may fetch for the photo
FILLER = "\n\n".join(
    f"Paragraph {n}: the physiotherapist asks about the pain, then tests how the knee bends, "
    "straightens and carries weight, and explains what she finds as she goes."
    for n in range(40)
)
ARTICLE = f"""Title: What a knee assessment looks like
Date: 2026-11-01
Slug: {SLUG}
Summary: Photos of a knee assessment, step by step.

![A physiotherapist bends a patient's knee]({{static}}/images/knee.jpg "The first test")

{FILLER}

![The same knee seen from the side]({{static}}/images/shoulder.heic)

An exercise band: ![A red exercise band tied in a loop]({{static}}/images/exercise band.png)

![A patient stands on one leg]({{static}}/images/sideways.jpg)

The [full-size photo]({{static}}/images/knee.jpg) is there for whoever wants it.
"""


# --- Photos as phones make them -------------------------------------------------------------------
def phone_photo(width: int = 4000, height: int = 3000, seed: int = 4000) -> Image.Image:
    """A photo-like picture: shapes and edges, texture at several scales (skin, fabric, wood)
    and sensor grain. Detail costs bytes: at 1440 px its JPEG takes about 1.4 bits a pixel,
    as busy photos do. Deterministic (seeded), so byte counts repeat."""
    rnd = random.Random(seed)

    def noise(w: int, h: int, spread: int) -> Image.Image:  # grey, 128 +- spread
        grey = Image.frombytes("L", (w, h), rnd.randbytes(w * h))
        return grey.point(lambda v: 128 + (v - 128) * spread // 128)

    ramp = Image.linear_gradient("L").resize((width, height))
    channels = [
        ramp.point(lambda v, a=a, b=b: a - v // b) for a, b in ((200, 3), (210, 4), (230, 2))
    ]
    image = Image.merge("RGB", channels)
    draw = ImageDraw.Draw(image)
    for _ in range(400):
        x, y, size = rnd.randrange(width), rnd.randrange(height), rnd.randrange(20, 600)
        box = (x, y, x + size, y + size * rnd.uniform(0.2, 1.8))
        colour = tuple(rnd.randrange(30, 230) for _ in range(3))
        kind = rnd.randrange(3)
        if kind == 2:
            draw.line(box, fill=colour, width=rnd.randrange(2, 14))
        else:
            (draw.ellipse if kind else draw.rectangle)(box, fill=colour)
    image = image.filter(ImageFilter.GaussianBlur(2))
    for scale, amount in ((40, 0.12), (10, 0.14), (5, 0.12)):
        size = (width // scale, height // scale)
        layers = [noise(*size, 100).resize((width, height), Image.Resampling.BICUBIC)
                  for _ in range(3)]  # fmt: skip
        image = Image.blend(image, Image.merge("RGB", layers), amount)
    grain = noise(width, height, 10)
    return ImageChops.add(image, Image.merge("RGB", (grain, grain, grain)), offset=-128)


def camera_exif(orientation: int = 1) -> bytes:
    exif = Image.Exif()
    exif[Base.Make], exif[Base.Model], exif[Base.Orientation] = "Apple", "iPhone 15", orientation
    exif.get_ifd(IFD.GPSInfo).update(GPS)
    exif.get_ifd(IFD.Exif)[Base.BodySerialNumber] = SERIAL
    return exif.tobytes()


XMP = f'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF>{SERIAL}</rdf:RDF></x:xmpmeta>'.encode()


def jpeg_bytes(image: Image.Image, orientation: int = 1) -> bytes:
    buffer = io.BytesIO()
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    image.save(buffer, "JPEG", quality=90, exif=camera_exif(orientation), xmp=XMP,
               comment=SERIAL.encode(), icc_profile=srgb)  # fmt: skip
    return buffer.getvalue()


def heic_bytes(image: Image.Image) -> bytes:
    pillow_heif.register_heif_opener()
    buffer = io.BytesIO()
    image.save(buffer, "HEIF", quality=50, exif=camera_exif(), xmp=XMP)
    return buffer.getvalue()


def transparent_png() -> bytes:
    image = Image.new("RGBA", (500, 300), (0, 0, 0, 0))
    ImageDraw.Draw(image).ellipse((20, 20, 480, 280), outline=(200, 30, 30, 255), width=40)
    buffer = io.BytesIO()
    image.save(buffer, "PNG", exif=camera_exif())
    return buffer.getvalue()


def sideways_jpeg() -> bytes:
    """Stored 800x600 with Orientation 6 (turn 90 degrees clockwise to view): a portrait photo,
    as phones save one. The stored left edge is red: upright, it is the top."""
    image = Image.new("RGB", (800, 600), (40, 90, 160))
    ImageDraw.Draw(image).rectangle((0, 0, 99, 599), fill=(220, 20, 20))
    return jpeg_bytes(image, orientation=6)


ORIGINALS = {
    "knee.jpg": lambda: jpeg_bytes(phone_photo()),
    "shoulder.heic": lambda: heic_bytes(phone_photo(1000, 750).filter(ImageFilter.BoxBlur(4))),
    "exercise band.png": transparent_png,
    "sideways.jpg": sideways_jpeg,
}


# --- The site -------------------------------------------------------------------------------------
class Site:
    def __init__(self, root: Path) -> None:
        self.root, self.content, self.cache = root, root / "content", root / "cache"
        self.seconds: list[float] = []
        self.originals: dict[str, bytes] = {}

    def build(self, name: str) -> Path:
        """The real site's content plus the photo article, built as `invoke build` builds."""
        output = self.root / name
        start = time.perf_counter()
        overrides = {"PATH": str(self.content), "CACHE_PATH": str(self.cache)}
        assert build_site(DEV_SETTINGS, output, overrides=overrides), "the build failed"
        self.seconds.append(time.perf_counter() - start)
        return output

    def cached(self) -> dict[str, int]:
        """The encoded pictures and cards in the cache (not the other plugins' folders, whose
        records may be rewritten every build)."""
        return {p.relative_to(self.cache).as_posix(): p.stat().st_mtime_ns
                for p in self.cache.rglob("*") if p.is_file() and
                p.relative_to(self.cache).parts[0] in ("images", "social-cards")}  # fmt: skip


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Site:
    site = Site(tmp_path_factory.mktemp("pictures"))
    shutil.copytree(ROOT / "content", site.content)
    (site.content / "images").mkdir(exist_ok=True)
    for name, make in ORIGINALS.items():
        data = make()
        site.originals[name] = data
        (site.content / "images" / name).write_bytes(data)
    (site.content / "articles" / "2026-11-01-knee-assessment.md").write_text(ARTICLE, "utf-8")
    return site


@pytest.fixture(scope="module")
def output(site) -> Path:
    return site.build("output")


@pytest.fixture(scope="module")
def page(output) -> BeautifulSoup:
    return parse(output / PAGE)


def published_pictures(output: Path) -> list[Path]:
    kinds = {".jpg", ".jpeg", ".png", ".webp", ".avif", ".heic", ".heif", ".gif"}
    return [p for p in output.rglob("*") if p.suffix.lower() in kinds and p.is_file()]


def local(output: Path, url: str) -> Path:
    assert url.startswith("/") and not url.startswith("//"), url
    return output / url.lstrip("/")


def candidates(element) -> list[tuple[str, int]]:
    return [(url, int(w[:-1])) for url, w in (c.split() for c in element["srcset"].split(","))]


# --- The build ------------------------------------------------------------------------------------
def test_the_real_site_with_a_photo_article_builds_with_no_content_problem(output):
    # build_site() fails on any content problem: the checks passed the injected markup.
    assert (output / PAGE).is_file()
    assert (output / "blog" / "unlocking-relief-the-many-benefits-of-dry-needling").is_dir()


def test_the_injected_markup_passes_the_content_checks_allowlist(page):
    body = page.select_one(".article-body").decode_contents()
    assert body.count("<picture>") == 4
    found, _, _ = allowlist(body, siteurl="")
    assert found == []


# --- No metadata ----------------------------------------------------------------------------------
def test_no_published_picture_keeps_gps_serial_number_xmp_comment_or_profile(site, output):
    pictures = published_pictures(output)
    assert len(pictures) >= 20
    for path in pictures:
        data = path.read_bytes()
        assert SERIAL.encode() not in data, path
        assert b"xmpmeta" not in data and b"Exif\0\0" not in data, path
        with Image.open(path) as image:
            assert not image.getexif(), path
            assert not image.getexif().get_ifd(IFD.GPSInfo), path
            leftover = {"exif", "xmp", "XML:com.adobe.xmp", "comment", "icc_profile"}
            assert not leftover & set(image.info), (path, set(image.info))


def test_the_originals_are_never_published(site, output):
    published = {p.read_bytes() for p in output.rglob("*") if p.is_file()}
    for name, data in site.originals.items():
        assert data not in published, name
        assert not list(output.rglob(name)), name
    for html in output.rglob("*.html"):
        text = html.read_text(encoding="utf-8")
        assert "/images/knee.jpg" not in text and ".heic" not in text, html


def test_a_link_to_the_original_leads_to_the_largest_jpeg_variant(output, page):
    link = page.find("a", string="full-size photo")
    assert re.fullmatch(r"/images/knee-1440-[0-9a-f]{10}\.jpg", link["href"])
    with Image.open(local(output, link["href"])) as image:
        assert (image.format, image.size) == ("JPEG", (1440, 1080))


# --- Variants and markup --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("number", "widths", "size", "fallback"),
    [
        (0, [360, 720, 1080, 1440], (4000, 3000), "image/jpeg"),  # the phone photo
        (1, [360, 720, 1000], (1000, 750), "image/jpeg"),  # HEIC: never upscaled past 1000
        (2, [360, 500], (500, 300), "image/png"),  # transparent: PNG, not JPEG
        (3, [360, 600], (600, 800), "image/jpeg"),  # stored sideways: published upright
    ],
)
def test_variants_have_the_widths_and_formats_the_markup_names(output, page, number, widths,
                                                               size, fallback):  # fmt: skip
    picture = page.select("picture")[number]
    sources = picture.find_all("source")
    img = picture.find("img")
    assert [s["type"] for s in sources] == ["image/avif", "image/webp"]
    for element, kind in [*((s, s["type"]) for s in sources), (img, fallback)]:
        assert element["sizes"] == DEFAULTS["sizes"]
        assert [w for _, w in candidates(element)] == widths
        for url, width in candidates(element):
            with Image.open(local(output, url)) as image:
                assert Image.MIME[image.format] == kind, url
                assert image.size == (width, round(width * size[1] / size[0])), url
    assert (int(img["width"]), int(img["height"])) == (
        widths[-1],
        round(widths[-1] * size[1] / size[0]),
    )


def test_every_picture_has_its_alt_text_width_height_and_async_decoding(page):
    images = page.select(".article-body img")
    assert [i["alt"] for i in images] == [
        "A physiotherapist bends a patient's knee",
        "The same knee seen from the side",
        "A red exercise band tied in a loop",
        "A patient stands on one leg",
    ]
    assert images[0]["title"] == "The first test"
    assert all(i["decoding"] == "async" and int(i["width"]) and int(i["height"]) for i in images)


def test_the_first_picture_loads_at_once_and_the_others_lazily(page):
    assert [i["loading"] for i in page.select(".article-body img")] == ["eager"] + ["lazy"] * 3


def test_a_photo_stored_sideways_is_published_upright(output, page):
    img = page.select("picture")[3].find("img")
    with Image.open(local(output, img["src"])) as image:
        upright = image.convert("RGB")
    assert upright.width < upright.height
    top, bottom = (
        upright.getpixel((upright.width // 2, 5)),
        upright.getpixel((300, 795 * 600 // 800)),
    )
    assert top[0] > 180 and top[2] < 80, top  # the red edge is at the top
    assert bottom[2] > 120, bottom


def test_a_heic_stored_sideways_is_read_upright():
    # pillow-heif turns the picture as it reads it and sets Orientation to 1: not turned twice.
    stored = Image.new("RGB", (400, 300), (40, 90, 160))
    ImageDraw.Draw(stored).rectangle((0, 0, 49, 299), fill=(220, 20, 20))
    pillow_heif.register_heif_opener()
    buffer = io.BytesIO()
    stored.save(buffer, "HEIF", quality=60, exif=camera_exif(orientation=6))
    upright = upright_srgb(buffer.getvalue())
    assert upright.size == (300, 400)
    red, _, blue = upright.getpixel((150, 5))
    assert red > 180 and blue < 80


# --- A phone --------------------------------------------------------------------------------------
@pytest.mark.parametrize(("dpr", "width"), [(1, 360), (2, 720)])
def test_a_360_px_phone_fetches_at_most_100_kb_of_the_4000_px_photo(output, page, dpr, width):
    """At 360 CSS px the picture is 328 px wide (the column less 2 x 16 px): the 360 px
    variant on a 1x screen, the 720 px one on a 2x screen; in every format at most 100 KB."""
    assert sizes_px(DEFAULTS["sizes"], 360) == 328
    picture = page.select("picture")[0]
    for element in [*picture.find_all("source"), picture.find("img")]:
        url = chosen(element["srcset"], element["sizes"], 360, dpr)
        assert f"-{width}-" in url
        size = local(output, url).stat().st_size
        print(f"360 px, {dpr}x: {url.rsplit('/', 1)[-1]} {size:,} B")
        assert size <= PHONE_LIMIT, (url, size)


def test_the_weight_bench_counts_the_pictures_a_phone_fetches(output, page):
    expected = sum(local(output, chosen(p.find("source")["srcset"], DEFAULTS["sizes"], 360, 2))
                   .stat().st_size for p in page.select("picture"))  # fmt: skip
    assert picture_bytes(output, PAGE) == (4, expected)


def test_sizes_follow_the_reading_column():
    sizes = DEFAULTS["sizes"]
    assert [round(sizes_px(sizes, w), 3) for w in (320, 360, 414, 671, 672, 1280)] == [
        288, 328, 382, 639, 640, 640]  # fmt: skip


# --- The cache ------------------------------------------------------------------------------------
def test_a_second_build_takes_every_variant_from_the_cache(site, output):
    before = site.cached()
    again = site.build("output-again")
    assert site.cached() == before  # no file written again, none added
    first = {p.relative_to(output): p.read_bytes() for p in published_pictures(output)}
    second = {p.relative_to(again): p.read_bytes() for p in published_pictures(again)}
    assert first == second
    print(f"builds: first {site.seconds[0]:.2f} s, second (cached) {site.seconds[1]:.2f} s")


def test_changed_settings_or_original_encode_only_what_they_change(tmp_path):
    photo = jpeg_bytes(phone_photo(800, 600))
    article = "Title: A\nDate: 2026-11-01\nSummary: S.\n\n![A knee]({static}/images/k.jpg)\n"
    files = {"articles/2026-11-01-a.md": article}
    cache = tmp_path / "cache"

    def build(name: str, data: bytes, **images) -> dict[str, int]:
        (tmp_path / name / "content" / "images").mkdir(parents=True)
        (tmp_path / name / "content" / "images" / "k.jpg").write_bytes(data)
        overrides = {"CACHE_PATH": str(cache), **({"IMAGES": images} if images else {})}
        assert build_content(tmp_path / name, files, **overrides)
        variants = (cache / "images").rglob("*.*")
        return {p.name: p.stat().st_mtime_ns for p in variants if p.suffix != ".json"}

    first = build("a", photo)
    assert sorted(n.rsplit(".", 1)[1] for n in first) == ["avif"] * 3 + ["jpg"] * 3 + ["webp"] * 3
    jpeg = {**DEFAULTS["formats"]["jpeg"], "quality": 60}
    second = build("b", photo, formats={**DEFAULTS["formats"], "jpeg": jpeg})
    assert {n: t for n, t in second.items() if n in first} == first  # untouched
    assert sorted(n.rsplit(".", 1)[1] for n in set(second) - set(first)) == ["jpg"] * 3
    third = build("c", jpeg_bytes(phone_photo(800, 600, seed=1)))
    assert len(set(third) - set(second)) == 9


# --- Problems -------------------------------------------------------------------------------------
def test_a_picture_that_cannot_be_read_is_reported_with_its_file_and_line(tmp_path, capfd):
    article = (
        "Title: A\nDate: 2026-11-01\nSummary: S.\n\nText.\n\n![A knee]({static}/images/k.jpg)\n"
    )
    files = {"articles/2026-11-01-a.md": article, "images/k.jpg": "not a picture"}
    assert build_content(tmp_path, files, CACHE_PATH=str(tmp_path / "cache")) is None
    assert (
        'content/articles/2026-11-01-a.md:7: the picture "k.jpg" cannot be read (it is not a '
        "picture in a format the site reads, or it is damaged)" in capfd.readouterr().err
    )


@pytest.mark.parametrize(
    "picture", ["![]({static}/images/k.jpg)", '<img src="{static}/images/k.jpg" title="k">']
)
def test_a_picture_without_description_is_reported_once_with_its_file_and_line(
    tmp_path, capfd, picture
):
    article = f"Title: A\nDate: 2026-11-01\nSummary: S.\n\nText.\n\n{picture}\n"
    (tmp_path / "content" / "images").mkdir(parents=True)
    (tmp_path / "content" / "images" / "k.jpg").write_bytes(jpeg_bytes(phone_photo(400, 300)))
    files = {"articles/2026-11-01-a.md": article}
    assert build_content(tmp_path, files, CACHE_PATH=str(tmp_path / "cache")) is None
    report = capfd.readouterr().err
    assert 'content/articles/2026-11-01-a.md:7: the image "k.jpg" has no description' in report
    assert "1 content problem in 1 file" in report


def test_a_decorative_html_picture_is_published_like_any_other(tmp_path):
    decorative = '<img src="{static}/images/k.jpg" alt="">'
    article = f"Title: A\nDate: 2026-11-01\nSummary: S.\n\nText.\n\n{decorative}\n"
    (tmp_path / "content" / "images").mkdir(parents=True)
    (tmp_path / "content" / "images" / "k.jpg").write_bytes(jpeg_bytes(phone_photo(400, 300)))
    files = {"articles/2026-11-01-a.md": article}
    output = build_content(tmp_path, files, CACHE_PATH=str(tmp_path / "cache"))
    img = parse(output / "blog" / "a" / "index.html").select_one(".article-body picture img")
    assert img["alt"] == "" and img["srcset"]
    assert re.fullmatch(r"/images/k-400-[0-9a-f]{10}\.jpg", img["src"])


def test_only_regular_picture_files_in_a_published_folder_are_read(tmp_path):
    content = tmp_path / "content"
    (content / "images" / "inner").mkdir(parents=True)
    (content / "drafts").mkdir()
    outside = tmp_path / "outside.jpg"
    for path in (content / "images" / "k.jpg", content / "drafts" / "d.jpg", outside):
        path.write_bytes(jpeg_bytes(phone_photo(400, 300)))
    (content / "images" / "link.jpg").symlink_to(outside)
    (content / "images" / "alias").symlink_to(content / "images" / "inner")
    (content / "images" / "inner" / "i.jpg").write_bytes(b"x")
    (content / "images" / "notes.txt").write_text("not a picture", encoding="utf-8")
    settings = {"PATH": str(content), "STATIC_PATHS": ["images", "extra"]}
    config = {**DEFAULTS, "folders": ["images", "drafts"]}
    assert usable(settings, config, "images/k.jpg")
    assert usable(settings, config, "images/inner/i.jpg")
    assert not usable(settings, config, "images/link.jpg")  # a symlink out of content/
    assert not usable(settings, config, "images/alias/i.jpg")  # through a symlinked folder
    assert not usable(settings, config, "images/notes.txt")  # not a picture type
    assert not usable(settings, config, "images/missing.jpg")
    assert not usable(settings, config, "drafts/d.jpg")  # a folder STATIC_PATHS leaves out


def test_alone_an_unreadable_picture_is_logged_against_its_article_and_line(tmp_path):
    """Without the content checks, the problem prints with the article's file and line, and
    Pelican exits 0 (as pelican-plugins' plugins do); the other pictures are still published."""
    content = tmp_path / "content"
    (content / "images").mkdir(parents=True)
    (content / "images" / "k.jpg").write_text("not a picture", encoding="utf-8")
    (content / "images" / "ok.jpg").write_bytes(jpeg_bytes(phone_photo(400, 300)))
    (content / "a.md").write_text(
        "Title: A\nDate: 2026-11-01\n\nText.\n\n![A knee]({static}/images/k.jpg)\n\n"
        "![A hip]({static}/images/ok.jpg)\n", encoding="utf-8")  # fmt: skip
    conf = tmp_path / "conf.py"
    conf.write_text(f"PATH = {str(content)!r}\nTIMEZONE = 'UTC'\nSITENAME = 'Alone'\n"
                    f"STATIC_PATHS = ['images']\nCACHE_PATH = {str(tmp_path / 'cache')!r}\n"
                    "PLUGINS = ['rebalance.plugins.images']\n", encoding="utf-8")  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-m", "pelican", "-s", str(conf), "-o", str(tmp_path / "out")],
        capture_output=True, text=True, cwd=tmp_path, timeout=300,
        env={**os.environ, "COLUMNS": "400"},
    )  # fmt: skip
    said = done.stdout + done.stderr
    assert done.returncode == 0 and "Traceback" not in said, said
    assert 'content/a.md:6: the picture "k.jpg" cannot be read (it is not a picture' in said
    page = parse(tmp_path / "out" / "a.html")
    assert len(page.select("picture")) == 1
    assert not list((tmp_path / "out").rglob("k*.jpg"))
    assert len(list((tmp_path / "out" / "images").glob("ok-400-*"))) == 3


def test_content_checks_accept_the_formats_phones_save():
    from rebalance.plugins.content_checks.content_checks import DEFAULTS as CHECKS

    assert set(CHECKS["static_types"]["images"]) == set(DEFAULTS["types"])
    assert {"jpg", "jpeg", "heic", "heif", "png", "webp"} <= set(DEFAULTS["types"])


# --- In a browser ---------------------------------------------------------------------------------
SCROLL_TO_THE_END = """async () => {
  for (let y = 0; y < document.body.scrollHeight; y += 300) {
    window.scrollTo(0, y);
    await new Promise(r => setTimeout(r, 30));
  }
}"""
LAYOUT_SHIFT = """() => new Promise(resolve => {
  let total = 0;
  new PerformanceObserver(list => list.getEntries().forEach(e => { total += e.value; }))
    .observe({type: "layout-shift", buffered: true});
  setTimeout(() => resolve(total), 200);
})"""


@pytest.mark.browser
@pytest.mark.parametrize(("dpr", "width"), [(1, 360), (2, 720)])
def test_in_chromium_a_phone_fetches_that_variant_later_ones_lazily_and_nothing_moves(
    output, browser, dpr, width
):
    require_axe()
    with serve(output) as base:
        context = browser.new_context(viewport={"width": 360, "height": 640},
                                      device_scale_factor=dpr)  # fmt: skip
        page = context.new_page()
        requested: list[str] = []
        page.on("request", lambda request: requested.append(request.url))
        page.goto(f"{base}/{PAGE.removesuffix('index.html')}", wait_until="load")
        first = page.eval_on_selector(".article-body img", "img => img.currentSrc")
        assert re.search(rf"/images/knee-{width}-[0-9a-f]{{10}}\.avif$", first), first
        pictures = [u for u in requested if "/images/" in u]
        assert pictures == [first], "only the first picture loads before the reader scrolls"
        page.evaluate(SCROLL_TO_THE_END)
        page.wait_for_function("[...document.images].every(i => i.complete && i.naturalWidth)")
        assert len({u for u in requested if "/images/" in u}) == 4
        assert page.evaluate(LAYOUT_SHIFT) == 0
        violations = run_axe(page)
        context.close()
        assert violations == [], format_axe_violations(violations)


@pytest.mark.browser
def test_the_article_with_pictures_is_valid_html(output):
    require_vnu()
    errors = run_vnu([output / PAGE])
    assert errors == [], format_vnu_messages(errors)
