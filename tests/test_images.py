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
import struct
import subprocess
import sys
import time
from pathlib import Path

import pillow_heif
import pytest
from bs4 import BeautifulSoup
from conftest import build_content, build_here, parse
from PIL import Image, ImageChops, ImageCms, ImageDraw, ImageFilter, ImageStat
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
from rebalance.plugins.images.images import (
    DEFAULTS,
    Refused,
    chosen,
    eight_bit,
    sizes_px,
    upright_srgb,
    usable,
)
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


# --- Every picture mode ---------------------------------------------------------------------------
# Each picture is made here, with Pillow, in a mode a camera, a scanner or a drawing program saves
# (the modes Pillow gives for the formats the site reads), shown in one article, built for real,
# and every published variant compared with what a browser shows of the original, over white:
# the mean difference per channel stays under MODE_LIMIT (the variants are lossy: AVIF, WebP,
# JPEG), where a wrong conversion differs by tens (a 16-bit greyscale PNG cut off at 255 was
# almost white: 127 from its grey).
MODE_SIZE = (300, 200)  # narrower than the narrowest width: variants are not resized
MODE_LIMIT = 4.0


def over_white(image: Image.Image) -> Image.Image:
    """A picture as a page with a white background shows it."""
    rgba = image.convert("RGBA")
    return Image.alpha_composite(Image.new("RGBA", rgba.size, "white"), rgba).convert("RGB")


def difference(a: Image.Image, b: Image.Image) -> list[float]:
    """Mean absolute difference per channel (R, G, B), 0-255."""
    return ImageStat.Stat(ImageChops.difference(a, b)).mean


def png(image: Image.Image, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG", **options)
    return buffer.getvalue()


def from_values(mode: str, values) -> Image.Image:
    return Image.frombytes(mode, MODE_SIZE, bytes(values))


def ramp(angle: int = 0) -> Image.Image:
    """A smooth 0-255 greyscale gradient, MODE_SIZE."""
    return Image.linear_gradient("L").rotate(angle).resize(MODE_SIZE)


def grey16() -> tuple[bytes, Image.Image]:
    """A 16-bit greyscale PNG (scanners, X-rays, scientific cameras): the browser shows each
    value / 257."""
    width, height = MODE_SIZE
    values = [round(x * 65535 / (width - 1)) for _ in range(height) for x in range(width)]
    raw = b"".join(v.to_bytes(2, "little") for v in values)
    image = Image.frombytes("I;16", MODE_SIZE, raw)
    return png(image), from_values("L", (round(v / 257) for v in values))


def bilevel() -> tuple[bytes, Image.Image]:
    """Black and white (mode "1"): a scanned form, a line drawing."""
    seen = Image.new("L", MODE_SIZE, 255)
    draw = ImageDraw.Draw(seen)
    for x in range(0, MODE_SIZE[0], 50):
        for y in range(0, MODE_SIZE[1], 50):
            if (x + y) // 50 % 2:
                draw.rectangle((x, y, x + 49, y + 49), fill=0)
    return png(seen.convert("1", dither=Image.Dither.NONE)), seen


def grey_alpha() -> tuple[bytes, Image.Image]:
    """Greyscale with an alpha channel ("LA"): grey across, transparent towards the top."""
    grey, alpha = ramp(90), ramp()
    seen = (round(g * a / 255 + 255 * (255 - a) / 255)
            for g, a in zip(grey.tobytes(), alpha.tobytes(), strict=True))  # fmt: skip
    return png(Image.merge("LA", (grey, alpha))), from_values("L", seen)


def palette(alpha: bool) -> tuple[bytes, Image.Image]:
    """A palette PNG (drawing programs, screenshots made small): colour 0 wholly transparent
    (one tRNS index) or, with `alpha`, colours with their own opacity (a tRNS table)."""
    colours = [(255, 0, 0), (30, 120, 200), (250, 200, 20), (0, 0, 0)]
    opacity = [0, 255, 128, 60] if alpha else [0, 255, 255, 255]
    image = Image.new("P", MODE_SIZE, 1)
    image.putpalette([c for colour in colours for c in colour])
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 99, 199), fill=0)
    draw.ellipse((120, 20, 280, 180), fill=2)
    draw.rectangle((150, 90, 250, 110), fill=3)
    seen = []
    for index in image.tobytes():
        a = opacity[index]
        seen.extend(round(c * a / 255 + 255 * (255 - a) / 255) for c in colours[index])
    options = {"transparency": bytes(opacity)} if alpha else {"transparency": 0}
    return png(image, **options), from_values("RGB", seen)


def rgb_transparent_colour() -> tuple[bytes, Image.Image]:
    """An RGB PNG in which one colour is transparent (a tRNS colour): pure blue here."""
    image = Image.merge("RGB", (ramp(), ramp(90), Image.new("L", MODE_SIZE, 80)))
    ImageDraw.Draw(image).rectangle((100, 50, 199, 149), fill=(0, 0, 255))
    seen = image.copy()
    ImageDraw.Draw(seen).rectangle((100, 50, 199, 149), fill=(255, 255, 255))
    return png(image, transparency=(0, 0, 255)), seen


def cmyk_image() -> Image.Image:
    return Image.merge("CMYK", (ramp(), ramp(90), ramp(180), ramp(270).point(lambda v: v // 3)))


def cmyk_jpeg(icc: bytes | None) -> bytes:
    buffer = io.BytesIO()
    image = cmyk_image()
    image.save(buffer, "JPEG", quality=95, **({"icc_profile": icc} if icc else {}))
    return buffer.getvalue()


def cmyk_plain() -> tuple[bytes, Image.Image]:
    """A CMYK JPEG without a colour profile (printers' files): browsers take each ink as it
    is, R = (255 - C) x (255 - K) / 255, and so on."""
    data = cmyk_jpeg(None)
    with Image.open(io.BytesIO(data)) as decoded:
        inks = decoded.tobytes()
    seen = (round((255 - inks[i + n]) * (255 - inks[i + 3]) / 255)
            for i in range(0, len(inks), 4) for n in range(3))  # fmt: skip
    return data, from_values("RGB", seen)


def icc_cmyk_profile() -> bytes:
    """A small ICC v2 CMYK printer profile (CMYK to Lab through a 2-point lookup table) whose
    inks are far from the plain conversion's (cyan prints red, magenta green, yellow blue), so
    a picture published without its profile looks nothing like the original."""

    def s15(value: float) -> bytes:
        return struct.pack(">i", round(value * 65536))

    def xyz(x: float, y: float, z: float) -> bytes:
        return b"XYZ " + bytes(4) + s15(x) + s15(y) + s15(z)

    def lab(c: int, m: int, y: int, k: int) -> bytes:
        if k:
            return bytes((0, 128, 128))
        light, a, b = 100 - 30 * (c + m + y), 60 * c - 60 * m, 40 * c + 40 * m - 70 * y
        return bytes((round(light * 2.55), *(max(0, min(255, v + 128)) for v in (a, b))))

    text = b"Test CMYK inks\0"
    desc = b"desc" + bytes(4) + struct.pack(">I", len(text)) + text + bytes(8 + 3 + 67)
    identity = bytes(range(256))
    corners = b"".join(lab(c, m, y, k) for c in (0, 1) for m in (0, 1) for y in (0, 1)
                       for k in (0, 1))  # fmt: skip
    matrix = b"".join(s15(1 if i % 4 == 0 else 0) for i in range(9))
    a2b0 = b"mft1" + bytes(4) + bytes((4, 3, 2, 0)) + matrix + identity * 4 + corners
    a2b0 += identity * 3
    white = (0.9642, 1.0, 0.8249)  # D50
    tags = [(b"desc", desc), (b"wtpt", xyz(*white)), (b"cprt", b"text" + bytes(4) + b"none\0"),
            (b"A2B0", a2b0)]  # fmt: skip
    offset = 128 + 4 + 12 * len(tags)
    table, body = struct.pack(">I", len(tags)), b""
    for sig, data in tags:
        data += bytes(-len(data) % 4)
        table += sig + struct.pack(">II", offset + len(body), len(data))
        body += data
    header = (struct.pack(">I", offset + len(body)) + b"lcms" + struct.pack(">I", 0x02100000)
              + b"prtrCMYKLab " + bytes(12) + b"acsp" + bytes(24) + bytes(4)
              + xyz(*white)[8:] + bytes(48))  # fmt: skip
    assert len(header) == 128
    return header + table + body


def cmyk_with_profile() -> tuple[bytes, Image.Image]:
    """A CMYK JPEG with its printer's profile: a browser converts it with the profile."""
    profile = icc_cmyk_profile()
    data = cmyk_jpeg(profile)
    with Image.open(io.BytesIO(data)) as decoded:
        srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
        seen = ImageCms.profileToProfile(decoded, ImageCms.ImageCmsProfile(io.BytesIO(profile)),
                                         srgb, outputMode="RGB")  # fmt: skip
        plain = decoded.convert("RGB")
    assert min(difference(seen, plain)) > 20  # without its profile it would look different
    return data, seen


MODES = {
    "grey16.png": grey16,
    "bilevel.png": bilevel,
    "grey-alpha.png": grey_alpha,
    "palette.png": lambda: palette(alpha=False),
    "palette-alpha.png": lambda: palette(alpha=True),
    "transparent-colour.png": rgb_transparent_colour,
    "cmyk.jpg": cmyk_plain,
    "cmyk-profile.jpg": cmyk_with_profile,
}


@pytest.fixture(scope="module")
def modes(tmp_path_factory) -> tuple[Path, dict[str, Image.Image]]:
    root = tmp_path_factory.mktemp("modes")
    (root / "content" / "images").mkdir(parents=True)
    seen = {}
    for name, make in MODES.items():
        data, seen[name] = make()
        (root / "content" / "images" / name).write_bytes(data)
    shown = "\n\n".join(f"![The picture {name}]({{static}}/images/{name})" for name in MODES)
    files = {"articles/2026-11-01-modes.md": f"Title: Modes\nDate: 2026-11-01\nSummary: S.\n\n"
                                             f"{shown}\n"}  # fmt: skip
    output = build_content(root, files, CACHE_PATH=str(root / "cache"))
    assert output, "the article with a picture in every mode failed to build"
    return output, seen


@pytest.mark.parametrize("name", list(MODES))
def test_every_picture_mode_is_published_looking_like_the_original(modes, name):
    output, seen = modes
    page = parse(output / "blog" / "modes" / "index.html")
    img = page.find("img", alt=f"The picture {name}")
    picture = img.find_parent("picture")
    urls = [url for element in [*picture.find_all("source"), img]
            for url, _ in candidates(element)]  # fmt: skip
    assert len(urls) == 3, urls  # AVIF, WebP and the fallback, each at the original's width
    for url in urls:
        with Image.open(local(output, url)) as variant:
            assert variant.size == MODE_SIZE, url
            published = over_white(variant)
        diff = difference(published, seen[name].convert("RGB"))
        print(f"{name}: {url.rsplit('.', 1)[1]} differs by {[round(d, 2) for d in diff]}")
        assert max(diff) < MODE_LIMIT, (url, diff)


def test_a_picture_with_transparency_keeps_it(modes):
    output, _ = modes
    page = parse(output / "blog" / "modes" / "index.html")
    for name in ("grey-alpha.png", "palette.png", "palette-alpha.png", "transparent-colour.png"):
        img = page.find("img", alt=f"The picture {name}")
        with Image.open(local(output, img["src"])) as fallback:
            assert fallback.format == "PNG" and fallback.mode == "RGBA", name
            assert fallback.getextrema()[3][0] == 0, name  # wholly transparent somewhere


def test_the_modes_no_format_the_site_reads_gives_are_converted_or_refused():
    """ "I" and "PA" come from formats the site does not read (TIFF, and Pillow's own
    conversions): converted all the same; floating point ("F") is refused, not guessed at."""
    wide = Image.frombytes("I", (2, 1), struct.pack("=ii", 0, 65535))
    assert eight_bit(wide).tobytes() == bytes((0, 255))
    pa = Image.new("PA", (1, 1))
    pa.putpalette([10, 20, 30] * 256)
    pa.putpixel((0, 0), (0, 128))
    assert eight_bit(pa).convert("RGBA").getpixel((0, 0)) == (10, 20, 30, 128)
    with pytest.raises(Refused) as refused:
        eight_bit(Image.new("F", (1, 1), 0.5))
    assert refused.value.name == "image-mode"


# --- Pictures that move, and files that are not what their name says ---------------------------
def moving(fmt: str) -> bytes:
    pillow_heif.register_heif_opener()
    frames = [Image.new("RGB", (200, 100), colour) for colour in ("red", "blue", "green")]
    buffer = io.BytesIO()
    frames[0].save(buffer, fmt, save_all=True, append_images=frames[1:], duration=200, loop=0)
    return buffer.getvalue()


MOVING = {"nod.webp": "WEBP", "nod.png": "PNG", "nod.avif": "AVIF", "burst.heic": "HEIF"}


def one_picture(alt: str, name: str) -> dict[str, str]:
    """An article that shows content/images/`name` on its line 5."""
    text = f"Title: A\nDate: 2026-11-01\nSummary: S.\n\n![{alt}]({{static}}/images/{name})\n"
    return {"articles/2026-11-01-a.md": text}


def test_a_picture_that_moves_is_refused_like_a_gif_with_its_file_and_line(tmp_path):
    content = tmp_path / "content"
    (content / "images").mkdir(parents=True)
    for name, fmt in MOVING.items():
        (content / "images" / name).write_bytes(moving(fmt))
    shown = "\n\n".join(f"![A knee bending]({{static}}/images/{name})" for name in MOVING)
    (content / "articles").mkdir()
    (content / "articles" / "2026-11-01-a.md").write_text(
        f"Title: A\nDate: 2026-11-01\nSummary: S.\n\n{shown}\n", encoding="utf-8"
    )
    built = build_here(content, tmp_path / "output", CACHE_PATH=str(tmp_path / "cache"))
    for number, name in enumerate(MOVING):
        built.expect("content/articles/2026-11-01-a.md", 5 + 2 * number,
                     f'the picture "{name}" moves (it is an animation, or several pictures in '
                     "one file), like a GIF: the website publishes still copies")  # fmt: skip
    assert "Traceback" not in built.stderr
    assert not any("nod" in p.name or "burst" in p.name for p in (tmp_path / "output").rglob("*"))


def test_a_link_to_a_moving_picture_is_refused_once_per_article_at_its_line(tmp_path):
    """A picture only linked to (not shown) is not published either: its article is told why,
    rather than only that the link leads nowhere; one shown and linked is reported once."""
    content = tmp_path / "content"
    (content / "images").mkdir(parents=True)
    (content / "images" / "nod.webp").write_bytes(moving("WEBP"))
    (content / "articles").mkdir()
    (content / "articles" / "2026-11-01-a.md").write_text(
        "Title: A\nDate: 2026-11-01\nSummary: S.\n\nText.\n\n"
        "See [the nod]({static}/images/nod.webp).\n",
        encoding="utf-8",
    )
    (content / "articles" / "2026-11-02-b.md").write_text(
        "Title: B\nDate: 2026-11-02\nSummary: S.\n\n![A nod]({static}/images/nod.webp)\n\n"
        "See [the nod]({static}/images/nod.webp).\n",
        encoding="utf-8",
    )
    built = build_here(content, tmp_path / "output", CACHE_PATH=str(tmp_path / "cache"))
    built.expect("content/articles/2026-11-01-a.md", 7, 'the picture "nod.webp" moves')
    built.expect("content/articles/2026-11-02-b.md", 5, 'the picture "nod.webp" moves')
    moves = [m for _, _, m in built.problems if "moves" in m]
    assert len(moves) == 2, built.stderr


def test_a_failed_build_with_a_moving_picture_leaves_the_output_folder_alone(tmp_path):
    (tmp_path / "content" / "images").mkdir(parents=True)
    (tmp_path / "content" / "images" / "nod.webp").write_bytes(moving("WEBP"))
    files = one_picture("A knee bending", "nod.webp")
    assert build_content(tmp_path, files, CACHE_PATH=str(tmp_path / "cache")) is None
    assert not (tmp_path / "output").exists()


def test_a_camera_jpeg_with_a_second_picture_inside_is_published_as_a_photo(tmp_path):
    """Many cameras save a JPEG with a preview or depth map after the photo (MPO): it is a
    still photo, not an animation."""
    (tmp_path / "content" / "images").mkdir(parents=True)
    (tmp_path / "content" / "images" / "k.jpg").write_bytes(moving("MPO"))
    files = one_picture("A red square", "k.jpg")
    output = build_content(tmp_path, files, CACHE_PATH=str(tmp_path / "cache"))
    img = parse(output / "blog" / "a" / "index.html").select_one(".article-body picture img")
    with Image.open(local(output, img["src"])) as published:
        red, green, blue = published.convert("RGB").getpixel((100, 50))
    assert red > 200 and green < 50 and blue < 50


def test_a_file_of_another_format_under_a_picture_name_is_not_read(tmp_path, capfd):
    """Only the decoders of the formats the site reads ever see an author's file: a TIFF named
    .png is not a picture the site reads."""
    (tmp_path / "content" / "images").mkdir(parents=True)
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), "red").save(buffer, "TIFF")
    (tmp_path / "content" / "images" / "k.png").write_bytes(buffer.getvalue())
    files = one_picture("A red square", "k.png")
    assert build_content(tmp_path, files, CACHE_PATH=str(tmp_path / "cache")) is None
    assert (
        'content/articles/2026-11-01-a.md:5: the picture "k.png" cannot be read (it is not a '
        "picture in a format the site reads" in capfd.readouterr().err
    )
