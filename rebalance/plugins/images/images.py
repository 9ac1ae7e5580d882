"""Pictures for phones: an author drops a photo into content/images/ and writes
`![What it shows]({static}/images/photo.jpg)`; readers get it resized, in AVIF, WebP and JPEG,
with no metadata. The original is never published.

Each picture an article or page shows (an `<img>` whose src is `{static}/…`, `{attach}/…` or
`/images/…` and names a file of IMAGES["types"] in a folder of IMAGES["folders"]) is:

* read (JPEG, PNG, WebP, AVIF, and HEIC/HEIF from phones through pillow-heif; only these
  decoders of Pillow's ever see the file, whatever its name); its pixels made what a browser
  shows (16-bit greyscale scaled to 8 bits, palette and single-colour transparency made an
  alpha channel, black and white made grey; eight_bit()); turned upright (phones record the
  rotation in EXIF, which is about to go); converted to sRGB (what browsers assume of an
  image without a colour profile); and stripped of everything else: EXIF (GPS position,
  camera serial number, dates), XMP, comments, the colour profile;
* encoded at each of IMAGES["widths"] up to the original's width, plus the original's own width
  when it is narrower than the widest (never upscaled), in each of IMAGES["formats"] (the last
  is the fallback `<img>`: JPEG; PNG for a picture with transparency);
* written as `<picture>`: a `<source>` per format with srcset and sizes (IMAGES["sizes"]: the
  width of the reading column, from tokens.css), and an `<img>` with the author's alt and title,
  width and height (the browser keeps the space free: nothing moves as it loads),
  decoding="async", and loading="lazy" after the first IMAGES["eager"] pictures of the page
  (the first is usually on the first screen: it loads at once);
* published as the variants only (Pelican static files); a `{static}` link to the original,
  such as `[full size]({static}/images/photo.jpg)`, leads to the largest fallback variant.

Only pictures that are regular files (no symlinks) inside a folder of IMAGES["folders"] that is
in STATIC_PATHS are read. Variants are cached by content hash in IMAGES["cache"] (default:
CACHE_PATH/images). A variant's key is the original's bytes, the variant (format, width, encoder
options) and ENCODER (this code's version and the libraries'), so an unchanged picture is never
encoded twice and a change to any of these encodes it again. A picture that cannot be read is a
content problem of the page that shows it; so is a picture without a description (alt text),
unless it is an HTML `<img alt="">` (decoration); so is a picture that moves (an animated
WebP, PNG or AVIF, or several pictures in one HEIC), refused as GIFs are rather than published
as its first frame (resizing every frame in three formats would multiply the bytes, the JPEG
fallback cannot move, and WCAG 2.2.2 asks that motion can be paused), and one whose colours are
stored as floating-point numbers (Refused). A picture refused or unreadable that is only linked
to is reported against the articles linking it. Each is logged with a `content_problem` record
against the article's source file and line (see MESSAGES): the content checks, when they run,
report it with the build's other problems and fail the build. An `<img>` with attributes the
content checks do not allow is left as written, for the checks to report.

Each article or page keeps the pictures it shows (`shown_pictures`); once the static files are
known, their variants join them. Nothing is kept between builds but the cache on disk.

Why Pillow and not pelican-image-process (pelican-plugins; read at 3.3.0 and 3.4.0):

* It rewrites each HTML file after Pelican has written it (content_written). article.content
  never changes, so the content checks, which find article.content in each written page, would
  no longer find the article's text in its page; feeds get a second, separate pass.
* Pictures are chosen by a class on each `<img>` (`image-process-<name>`), which authors would
  have to type in attribute syntax, and which the content checks' class allowlist refuses.
* Its cache compares the modification times of the original and of the derivative in the
  output folder. Every build here writes a fresh output folder, so every picture would be
  encoded on every build; a change of settings never re-encodes.
* It saves with `i.save(path, progressive=True)`: no quality per format, no EXIF orientation
  (phone photos would lie on their side), colour profiles dropped without conversion; and the
  image info Pillow carries through a resize goes into the file (a JPEG's comment, where a
  camera may put its serial number, is written again).
* No HEIC; srcset descriptors name the configured width even when the original is narrower
  (`scale_in` does not upscale, the "720w" stays); no width/height with srcset, no loading or
  decoding attributes. (3.4.0 added output formats, so WebP and AVIF it can do.)
"""

from __future__ import annotations

import array
import hashlib
import html
import io
import json
import logging
import os
import posixpath
import re
import time
import unicodedata
from dataclasses import dataclass, field
from urllib.parse import unquote, urljoin, urlsplit

import blinker
import pillow_heif
from pelican import signals
from pelican.contents import Article, Page, Static
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError
from PIL import __version__ as PILLOW_VERSION

logger = logging.getLogger(__name__)
# The named signal a build's plan of output files is gathered with (content_checks asks it).
PLAN = "rebalance.plan_outputs"

DEFAULTS = {
    # Folders of STATIC_PATHS whose pictures are published as variants (never as they are).
    "folders": ["images"],
    # The kinds of picture read (the content checks allow the same in content/images/).
    "types": ["jpg", "jpeg", "png", "webp", "avif", "heic", "heif"],
    # Widths in pixels: a 360 CSS px phone takes 360 (1x screen) or 720 (2x); the reading
    # column, at most 40rem (640 px), 720 or 1440.
    "widths": [360, 720, 1080, 1440],
    # In <source> order; the last is the <img> fallback. Pillow's save() options, set so that
    # the three differ from the original by about as much (tests' 4000x3000 photo at 720 px:
    # PSNR 29.9-30.0 dB each; AVIF in 47% and WebP in 54% of the JPEG's 78.8 KB).
    "formats": {
        "avif": {"quality": 50, "speed": 6},
        "webp": {"quality": 75, "method": 6},
        "jpeg": {"quality": 82, "optimize": True, "progressive": True},
    },
    # The picture's width on screen: the reading column (--measure, 55ch at 1.125rem: at most
    # 40rem) or, on a narrower window, the window less the page's padding (2 x --space-3).
    "sizes": "(min-width: 42rem) 40rem, calc(100vw - 2rem)",
    # Pictures at the top of a page load at once; the others when the reader scrolls near them.
    "eager": 1,
    "cache": "",  # folder of encoded variants; "" is CACHE_PATH/images
}
CODE_VERSION = 2  # raise when a change here changes the bytes of a variant
ENCODER = f"images {CODE_VERSION}, Pillow {PILLOW_VERSION}, pillow-heif {pillow_heif.__version__}"
# What an author reads about a problem, by name (the wording the content checks gave these;
# docs/content-checks.md explains each).
MESSAGES: dict[str, str] = {
    "img-alt": (
        'the image "{file}" has no description (alt text), which blind and partially sighted '
        "readers rely on. Describe the picture between the square brackets: ![Physiotherapist "
        'treating a knee](...). (For a purely decorative image in HTML write alt="".)'
    ),
    "image-unreadable": (
        'the picture "{file}" cannot be read ({error}), so it cannot be published. Open it in a '
        "photo program and save it again as .jpg (photos) or .png (drawings), or replace it."
    ),
    "image-animated": (
        'the picture "{file}" moves (it is an animation, or several pictures in one file), like '
        "a GIF: the website publishes still copies of every picture, so readers would see only "
        "its first frame. Save the moment you want to show as a still picture (.jpg for photos, "
        ".png for drawings) and use that file instead."
    ),
    "image-mode": (
        'the picture "{file}" stores its colours in a way the site cannot publish faithfully '
        "({mode}). Open it in a photo program and save it again as .jpg (photos) or .png "
        "(drawings), or replace it."
    ),
}
# Pillow's name, MIME type and file extension of each output format.
FORMATS = {
    "avif": ("AVIF", "image/avif", "avif"),
    "webp": ("WEBP", "image/webp", "webp"),
    "jpeg": ("JPEG", "image/jpeg", "jpg"),
    "png": ("PNG", "image/png", "png"),
}
PNG_OPTIONS = {"optimize": True}  # the fallback for pictures with transparency
IMG_RE = re.compile(r"""<img\b((?:[^>"']|"[^"]*"|'[^']*')*)>""", re.I)
ATTR_RE = re.compile(r"""\s+([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""")
MARKER_RE = re.compile(r"^[{|](static|attach)[|}](.*)$", re.S)
KEPT = ("alt", "title", "id", "lang", "dir", "class")  # the author's, carried over
REPLACED = {"src", "width", "height", "srcset", "sizes", "loading", "decoding"}  # ours instead
LENGTH_RE = re.compile(r"^([\d.]+)(px|rem|em|vw)$")
# What Pillow raises for a file it cannot read (a broken PNG raises SyntaxError), and why, in
# the author's words.
REASONS = [
    (UnidentifiedImageError, "it is not a picture in a format the site reads, or it is damaged"),
    (Image.DecompressionBombError, "it has too many pixels"),
    ((OSError, ValueError, SyntaxError, EOFError), "the file is damaged or incomplete"),
]
UNREADABLE = (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError,
              SyntaxError, EOFError)  # fmt: skip
# Pillow's modes a refused picture may have, in the author's words.
MODES = {"F": "32-bit floating-point numbers", "HSV": "HSV",
         "LAB": "Lab colours"}  # fmt: skip
# The formats read (Pillow's names), whatever the file's extension says: no other decoder of
# Pillow's ever sees an author's file. MPO is how many cameras save a JPEG with a second,
# smaller picture inside (a preview or depth map): Pillow's JPEG reader opens it as "MPO", and
# its first picture is the photo.
READ_FORMATS = ["JPEG", "PNG", "WEBP", "AVIF", "HEIF"]
# Formats whose frames are an animation (or, for HEIF, several pictures in one file): refused,
# as GIFs are, rather than published as a still first frame.
MOVING = {"PNG", "WEBP", "AVIF", "HEIF"}


class Refused(Exception):
    """A picture Pillow reads whose pixels the site will not publish: MESSAGES[name]."""

    def __init__(self, name: str, detail: str) -> None:
        super().__init__(name, detail)
        self.name, self.detail = name, detail


@dataclass(frozen=True)
class Variant:
    format: str
    width: int
    height: int
    key: str  # hash of the original's bytes, this variant and ENCODER
    save_as: str  # where it is published, relative to the output folder

    @property
    def cache_name(self) -> str:
        return f"{self.key[:2]}/{self.key}.{FORMATS[self.format][2]}"


@dataclass
class Picture:
    source: str  # relative to PATH
    width: int  # upright, in pixels
    height: int
    alpha: bool
    variants: dict[str, list[Variant]]  # by format, narrowest first
    cache: str  # the folder its variants are in
    # What making it took in this build: variants encoded and found in the cache, wall-clock and
    # processor time (AVIF encodes on several threads).
    encoded: int = 0
    cached: int = 0
    seconds: float = 0.0
    cpu: float = 0.0

    @property
    def fallback(self) -> list[Variant]:
        return list(self.variants.values())[-1]

    def path(self, variant: Variant) -> str:
        """The variant's file in the cache."""
        return os.path.join(self.cache, variant.cache_name)


@dataclass
class Pictures:
    """Reads pictures and has their variants in the cache, with one build's settings."""

    settings: dict
    config: dict
    cache: str
    pictures: dict[str, Picture | Exception] = field(default_factory=dict)  # read by this one

    @classmethod
    def of(cls, settings: dict) -> Pictures:
        config = {**DEFAULTS, **settings.get("IMAGES", {})}
        cache = config["cache"] or os.path.join(settings.get("CACHE_PATH", "cache"), "images")
        return cls(settings, config, os.path.abspath(cache))

    # --- Reading and encoding -------------------------------------------------------------------
    def picture(self, source: str) -> Picture:
        """The picture of content file `source` (relative to PATH), its variants all in the cache.
        Raises what Pillow raises for a file it cannot read."""
        if source not in self.pictures:
            try:
                self.pictures[source] = self._make(source)
            except Exception as error:  # noqa: BLE001 - reported against the page that shows it
                self.pictures[source] = error
        found = self.pictures[source]
        if isinstance(found, Exception):
            raise found
        return found

    def _make(self, source: str) -> Picture:
        start, cpu = time.perf_counter(), time.process_time()
        with open(os.path.join(self.settings["PATH"], source), "rb") as handle:
            data = handle.read()
        digest = hashlib.sha256(data).hexdigest()
        info_path = os.path.join(self.cache, "info", f"{digest}.json")
        info, image = _read_json(info_path), None
        if info.get("encoder") != ENCODER:
            image = upright_srgb(data)
            info = {"encoder": ENCODER, "width": image.width, "height": image.height,
                    "alpha": image.mode == "RGBA"}  # fmt: skip
            _write(info_path, json.dumps(info).encode())
        picture = self._plan(source, digest, info["width"], info["height"], info["alpha"])
        missing = [v for vs in picture.variants.values() for v in vs if not self._has(v)]
        picture.cached = sum(map(len, picture.variants.values())) - len(missing)
        if missing:
            image = image or upright_srgb(data)
            for width in sorted({v.width for v in missing}):
                small = resized(image, width, _height(picture, width))
                for variant in (v for v in missing if v.width == width):
                    options = self._options(variant.format)
                    _write(self._path(variant), encode(small, variant.format, options))
                    picture.encoded += 1
        picture.seconds = time.perf_counter() - start
        picture.cpu = time.process_time() - cpu
        return picture

    def _plan(self, source: str, digest: str, width: int, height: int, alpha: bool) -> Picture:
        widths = [w for w in self.config["widths"] if w <= width]
        if width < max(self.config["widths"]) and width not in widths:
            widths.append(width)  # the original's own width: the sharpest it can be
        formats = list(self.config["formats"])
        if alpha and formats[-1] == "jpeg":
            formats[-1] = "png"  # JPEG has no transparency
        folder, name = posixpath.split(source)
        folder = "/".join(map(slug, folder.split("/")))  # srcset URLs: no spaces or commas
        stem = slug(os.path.splitext(name)[0])
        variants: dict[str, list[Variant]] = {}
        for fmt in formats:
            spec = json.dumps([digest, ENCODER, fmt, self._options(fmt)], sort_keys=True)
            for w in sorted(widths):
                key = hashlib.sha256(f"{spec} {w}".encode()).hexdigest()
                save_as = posixpath.join(folder, f"{stem}-{w}-{key[:10]}.{FORMATS[fmt][2]}")
                h = max(1, round(w * height / width))
                variants.setdefault(fmt, []).append(Variant(fmt, w, h, key, save_as))
        return Picture(source, width, height, alpha, variants, self.cache)

    def _options(self, fmt: str) -> dict:
        return self.config["formats"].get(fmt, PNG_OPTIONS if fmt == "png" else {})

    def _path(self, variant: Variant) -> str:
        return os.path.join(self.cache, variant.cache_name)

    def _has(self, variant: Variant) -> bool:
        return os.path.isfile(self._path(variant))

    # --- Publishing ------------------------------------------------------------------------------
    def statics(self, picture: Picture, generator) -> list[Static]:
        """A Pelican static file for each variant: Pelican copies it from the cache."""
        return [static(generator, picture.path(v), v.save_as)
                for vs in picture.variants.values() for v in vs]  # fmt: skip


def _height(picture: Picture, width: int) -> int:
    return next(v.height for vs in picture.variants.values() for v in vs if v.width == width)


def slug(stem: str) -> str:
    """A file name's stem as it may appear in a URL (and in a srcset, where spaces and commas
    would split it): ASCII letters, digits and hyphens."""
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_stem.lower()).strip("-") or "picture"


def upright_srgb(data: bytes) -> Image.Image:
    """The picture as readers should see it: upright, in sRGB, RGB or RGBA (only when it has
    transparency), without any of the file's metadata. Raises Refused for a picture that moves
    (its first frame alone would be published) or whose pixels cannot be shown as they are."""
    with Image.open(io.BytesIO(data), formats=READ_FORMATS) as opened:
        if opened.format in MOVING and getattr(opened, "n_frames", 1) > 1:
            raise Refused("image-animated", opened.format)
        icc = opened.info.get("icc_profile")
        image = ImageOps.exif_transpose(opened)  # a copy: upright, Orientation tag dropped
    image = eight_bit(image)
    if icc and image.mode in ("RGB", "RGBA", "L", "CMYK"):
        try:
            profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            if "srgb" not in ImageCms.getProfileDescription(profile).lower().replace(" ", ""):
                mode = "RGBA" if image.mode == "RGBA" else "RGB"
                image = ImageCms.profileToProfile(image, profile, _srgb(), outputMode=mode)
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # a broken profile: the numbers are taken as sRGB, as a browser would
    image = image.convert("RGBA" if image.mode in ("RGBA", "LA") else "RGB")
    if image.mode == "RGBA" and image.getextrema()[3][0] == 255:
        image = image.convert("RGB")  # an alpha channel with nothing transparent in it
    image.info = {}
    return image


def eight_bit(image: Image.Image) -> Image.Image:
    """The picture in a mode a colour profile applies to (L, RGB, CMYK) or with its
    transparency made an alpha channel (LA, RGBA), its pixels as a browser shows them: 16-bit
    greyscale scaled to 8 bits (not cut off at 255, which is almost white), a palette or a
    transparent colour (PNG's tRNS) turned into alpha, bilevel made black and white.
    Raises Refused for a mode no picture format the site reads gives (floating point)."""
    transparency = image.info.get("transparency")
    if image.mode.startswith("I;16") or image.mode == "I":
        wide = image.convert("I") if image.mode != "I" else image
        grey = wide.point(lambda v: v * (1 / 257) + 0.5).convert("L")  # 0-65535 to 0-255
        if isinstance(transparency, int):  # the one 16-bit grey value that is transparent
            values = array.array("I", wide.tobytes())  # "I": 32-bit, machine order
            grey.putalpha(
                Image.frombytes(
                    "L", wide.size, bytes(0 if v == transparency else 255 for v in values)
                )
            )
        return grey
    if image.mode == "CMYK":
        return image  # its profile, or the browsers' plain conversion, makes it RGB
    if image.mode not in ("1", "L", "LA", "La", "P", "PA", "RGB", "RGBA", "RGBa", "YCbCr"):
        raise Refused("image-mode", image.mode)
    alpha = image.mode in ("LA", "La", "PA", "RGBA", "RGBa") or transparency is not None
    if image.mode in ("1", "L", "LA", "La"):
        return image.convert("LA" if alpha else "L")
    return image.convert("RGBA" if alpha else "RGB")


def _srgb() -> ImageCms.ImageCmsProfile:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def resized(image: Image.Image, width: int, height: int) -> Image.Image:
    if (width, height) == image.size:
        return image
    return image.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)


def encode(image: Image.Image, fmt: str, options: dict) -> bytes:
    """The picture in one format. Pillow writes some of image.info by itself (a JPEG's comment,
    an AVIF's or PNG's colour profile): it is emptied first, so nothing but pixels is saved."""
    image.info = {}
    buffer = io.BytesIO()
    image.save(buffer, FORMATS[fmt][0], **options)
    return buffer.getvalue()


def _read_json(path: str) -> dict:
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return {}


def _write(path: str, data: bytes) -> None:
    """Written whole or not at all: an interrupted build leaves no half file in the cache."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    temporary = f"{path}.{os.getpid()}.tmp"
    with open(temporary, "wb") as handle:
        handle.write(data)
    os.replace(temporary, path)


def static(generator, source_path: str, save_as: str) -> Static:
    metadata = {"title": posixpath.basename(save_as), "save_as": save_as, "url": save_as}
    return Static(None, metadata=metadata, settings=generator.settings,
                  source_path=source_path, context=generator.context)  # fmt: skip


# --- What a browser picks -------------------------------------------------------------------------
def sizes_px(sizes: str, viewport: float, rem: float = 16.0) -> float:
    """The width in CSS pixels that `sizes` gives at a viewport width. Understands what
    IMAGES["sizes"] uses: (min-width|max-width: N px|rem|em) conditions, lengths in px, rem,
    em and vw, and calc(a - b)."""
    for entry in (e.strip() for e in sizes.split(",")):
        condition = re.fullmatch(r"\((min|max)-width:\s*([\d.]+)(px|rem|em)\)\s+(.+)", entry)
        if condition:
            limit = float(condition[2]) * (1 if condition[3] == "px" else rem)
            if viewport >= limit if condition[1] == "min" else viewport <= limit:
                return _length(condition[4], viewport, rem)
            continue
        return _length(entry, viewport, rem)
    return viewport


def _length(text: str, viewport: float, rem: float) -> float:
    calc = re.fullmatch(r"calc\(\s*(\S+)\s*([-+])\s*(\S+)\s*\)", text.strip())
    if calc:
        a, b = _length(calc[1], viewport, rem), _length(calc[3], viewport, rem)
        return a - b if calc[2] == "-" else a + b
    value, unit = LENGTH_RE.fullmatch(text.strip()).groups()
    return float(value) * {"px": 1, "rem": rem, "em": rem, "vw": viewport / 100}[unit]


def chosen(srcset: str, sizes: str, viewport: float, dpr: float) -> str:
    """The srcset candidate a browser fetches for a viewport width and device pixel ratio: the
    narrowest at least sizes x DPR pixels wide, else the widest (what Chromium does)."""
    candidates = sorted((int(w[:-1]), url) for url, w in (c.split() for c in srcset.split(",")))
    needed = sizes_px(sizes, viewport) * dpr
    return next((url for width, url in candidates if width >= needed), candidates[-1][1])


# --- Articles and pages ---------------------------------------------------------------------------
def enabled(settings: dict) -> bool:
    """Whether this build uses this plugin (signals are global: another Pelican in this process
    may not)."""
    names = set(settings.get("PLUGINS") or ())
    return bool(names & {__package__, __package__.rsplit(".", 1)[-1], __name__})


def usable(settings: dict, config: dict, relative: str) -> bool:
    """Whether the content file `relative` (to PATH) is a picture this plugin publishes: a
    regular file, reached through no symlink, with a type of IMAGES["types"], inside a folder of
    IMAGES["folders"] that STATIC_PATHS publishes."""
    extension = posixpath.splitext(relative)[1][1:].lower()
    folders = tuple(f.strip("/") + "/" for f in config["folders"])
    statics = [f.strip("/") for f in settings.get("STATIC_PATHS") or ()]
    if extension not in config["types"] or not relative.startswith(folders):
        return False
    if "" not in statics and not relative.startswith(tuple(f + "/" for f in statics)):
        return False
    root = os.path.realpath(settings["PATH"])
    full = os.path.join(root, *relative.split("/"))
    # realpath resolves every symlink on the way: the same path means none was followed.
    return os.path.realpath(full) == full and os.path.isfile(full)


def _source(content, src: str, pictures: Pictures) -> str | None:
    """The content file (relative to PATH) an <img> src names, if it is one of ours."""
    url = html.unescape(src).strip()
    marker = MARKER_RE.match(url)
    if marker:
        url = marker[2]
    elif not url.startswith("/") or url.startswith("//"):
        return None
    path = unquote(urlsplit(url).path)
    if path.startswith("/"):
        relative = path.lstrip("/")
    elif marker:
        relative = posixpath.join(content.relative_dir.replace(os.sep, "/"), path)
    else:
        return None
    relative = posixpath.normpath(relative)
    if relative.startswith("../") or not usable(pictures.settings, pictures.config, relative):
        return None  # not ours: Pelican and the content checks report a file that is not there
    return relative


def _attributes(text: str) -> dict[str, str] | None:
    """An <img>'s attributes, unescaped; None if the tag is not plainly written."""
    attributes: dict[str, str] = {}
    position, text = 0, text.rstrip().removesuffix("/")
    for match in ATTR_RE.finditer(text):
        if match.start() != position:
            return None
        name = match[1].lower()
        if name in attributes:
            return None  # a browser takes the first; the checks see what it sees
        value = next((v for v in match.groups()[1:] if v is not None), "")
        attributes[name] = html.unescape(value)
        position = match.end()
    return attributes if text[position:].strip() == "" else None


def markup(picture: Picture, attributes: dict[str, str], eager: bool, siteurl: str, sizes: str):
    """The <picture> for an <img>: a <source> per format, the fallback <img> last. Addresses
    are the site's (SITEURL), as Pelican would make them from {static} links: the variants are
    not files under content/ for Pelican to resolve."""
    esc = html.escape
    base = siteurl.rstrip("/") + "/"

    def srcset(variants: list[Variant]) -> str:
        return ", ".join(f"{urljoin(base, v.save_as)} {v.width}w" for v in variants)

    parts = ["<picture>"]
    for fmt, variants in list(picture.variants.items())[:-1]:
        parts.append(f'<source type="{FORMATS[fmt][1]}" srcset="{esc(srcset(variants))}" '
                     f'sizes="{esc(sizes)}">')  # fmt: skip
    fallback = picture.fallback
    src = next((v for v in fallback if v.width >= 720), fallback[-1])  # srcset-less browsers
    largest = fallback[-1]
    kept = "".join(f' {n}="{esc(attributes[n])}"' for n in KEPT if n in attributes)
    parts.append(
        f'<img src="{esc(urljoin(base, src.save_as))}" srcset="{esc(srcset(fallback))}" '
        f'sizes="{esc(sizes)}"{kept} width="{largest.width}" height="{largest.height}" '
        f'loading="{"eager" if eager else "lazy"}" decoding="async"></picture>'
    )
    return "".join(parts)


def rewrite(content) -> None:
    """Each picture of an article or page becomes a <picture> of its variants; the pictures it
    shows are kept on it (shown_pictures) for publish()."""
    if not isinstance(content, Article | Page) or not content._content:
        return
    if not enabled(content.settings):
        return
    pictures = Pictures.of(content.settings)
    shown: dict[str, Picture] = {}
    refused: set[str] = set()  # reported here: not again for a link to the same picture
    count = 0  # <picture>s made so far on this page
    siteurl, sizes = content.settings.get("SITEURL", ""), pictures.config["sizes"]

    def replace(match: re.Match) -> str:
        nonlocal count
        attributes = _attributes(match[1])
        if attributes is None or set(attributes) - set(KEPT) - REPLACED:
            return match[0]  # as written: the content checks report what is not allowed
        source = _source(content, attributes.get("src", ""), pictures)
        if source is None:
            return match[0]
        if not attributes.get("alt", "").strip():
            describe(content, attributes)
        try:
            picture = pictures.picture(source)
        except (Refused, *UNREADABLE) as error:
            report(content, source, attributes.get("src", ""), error)
            refused.add(source)
            return match[0]
        shown.setdefault(source, picture)
        count += 1
        eager = count <= pictures.config["eager"]
        return markup(picture, attributes, eager, siteurl, sizes)

    content._content = IMG_RE.sub(replace, content._content)
    content.shown_pictures = shown
    content.refused_pictures = refused


def problem(content, line: int | None, name: str, subject: str, **values) -> None:
    """A problem for the author, through the content checks' channel: a logging record whose
    `content_problem` names the article's source file, the line and what to do."""
    message, path = MESSAGES[name].format(**values), content.source_path
    shown = os.path.relpath(path, os.path.dirname(os.path.abspath(content.settings["PATH"])))
    where = (path if shown.startswith(os.pardir) else shown) + (f":{line}" if line else "")
    logger.warning("%s: %s", where, message, extra={"content_problem": {
        "path": path, "line": line, "message": message, "subject": subject}})  # fmt: skip


def source_line(content, *needles: str) -> int | None:
    """The line of the article's source file where the first of `needles` found is written."""
    try:
        with open(content.source_path, encoding="utf-8", errors="replace") as handle:
            text = handle.read()
    except OSError:
        return None
    for needle in (n for n in needles if n):
        position = text.find(needle)
        if position >= 0:
            return text.count("\n", 0, position) + 1
    return None


def describe(content, attributes: dict[str, str]) -> None:
    """A picture without a description (alt text) is reported here, by the file name the author
    wrote, before it becomes the variants' names: an <img> with no alt, or a Markdown ![](…)
    (which gives alt=""); an HTML alt="" marks decoration and is left alone. Without alt, the
    <picture> gets alt="", so the content checks do not report it again under a variant's
    name."""
    src = attributes["src"]
    path = urlsplit(html.unescape(src)).path
    names = [posixpath.basename(path), posixpath.basename(unquote(path))]
    if "alt" in attributes:
        try:
            with open(content.source_path, encoding="utf-8", errors="replace") as handle:
                text = handle.read()
        except OSError:
            text = ""
        markdown = (rf"!\[\s*\]\([^)\n]*{re.escape(name)}" for name in names if name)
        if not any(re.search(pattern, text) for pattern in markdown):
            return  # alt="" written in HTML: decoration
    line = source_line(content, src, *names)
    problem(content, line, "img-alt", src, file=names[0] or src)
    attributes.setdefault("alt", "")


def report(content, source: str, src: str, error: Exception) -> None:
    """A picture that cannot be read, or is refused: a content problem of the page that shows
    it."""
    name = posixpath.basename(source)
    line = source_line(content, src, name)
    if isinstance(error, Refused):
        problem(
            content, line, error.name, src, file=name, mode=MODES.get(error.detail, error.detail)
        )
        return
    reason = next(why for kind, why in REASONS if isinstance(error, kind))
    problem(content, line, "image-unreadable", src, file=name, error=reason)


def fill_in(pelican) -> None:
    """IMAGES with defaults filled in, its cache folder absolute: where the variants are is
    settled before anything (another plugin included) moves CACHE_PATH during the build."""
    if enabled(pelican.settings):
        pictures = Pictures.of(pelican.settings)
        pelican.settings["IMAGES"] = {**pictures.config, "cache": pictures.cache}


# --- Static files ---------------------------------------------------------------------------------
def contents(context: dict):
    """Every article and page of the build, translations included."""
    for name in ("articles", "drafts", "hidden_articles", "pages", "hidden_pages", "draft_pages"):
        for content in context.get(name) or ():
            yield content
            yield from getattr(content, "translations", ())


def publish(generator) -> None:
    """The variants of every picture shown or linked are published; the originals never are."""
    settings = generator.settings
    if not enabled(settings):
        return
    pictures = Pictures.of(settings)
    context = generator.context
    made: list[Picture] = []  # every picture read this build (stats), once per page showing it
    shown: dict[str, Picture] = {}
    for content in contents(context):
        for source, picture in getattr(content, "shown_pictures", {}).items():
            made.append(picture)
            shown.setdefault(source, picture)
    linked = set(context.get("static_links", ()))
    kept, originals = [], []
    for sc in generator.staticfiles:
        relative = sc.get_relative_source_path().replace(os.sep, "/")
        extension = posixpath.splitext(relative)[1][1:].lower()
        folders = tuple(f.strip("/") + "/" for f in pictures.config["folders"])
        if relative.startswith(folders) and extension in pictures.config["types"]:
            originals.append(relative)
        else:
            kept.append(sc)
    for relative in originals:
        if relative not in linked or not usable(settings, pictures.config, relative):
            context["static_content"].pop(relative, None)
            continue
        try:  # an <a href="{static}/images/…">: it leads to the largest fallback variant
            picture = shown.get(relative) or pictures.picture(relative)
        except (Refused, *UNREADABLE) as error:
            linked_from(context, relative, error)  # it is not published: say why
            continue
        if relative not in shown:
            made.append(picture)
            shown[relative] = picture
        largest = picture.fallback[-1]
        context["static_content"][relative] = static(generator, picture.path(largest),
                                                     largest.save_as)  # fmt: skip
    published: set[str] = set()
    for picture in shown.values():
        for sc in pictures.statics(picture, generator):
            if sc.save_as not in published:
                published.add(sc.save_as)
                kept.append(sc)
                context["static_content"][sc.save_as] = sc
    generator.staticfiles[:] = kept
    if made:
        logger.info(
            "Pictures: %d, %d variants encoded and %d from the cache (%s) in %.2f s (%.2f s of "
            "processor time)", len(shown), sum(p.encoded for p in made),
            sum(p.cached for p in made), pictures.cache, sum(p.seconds for p in made),
            sum(p.cpu for p in made),
        )  # fmt: skip


def linked_from(context: dict, relative: str, error: Exception) -> None:
    """A picture only linked to (`[see it]({static}/images/…)`) that is not published because it
    cannot be read or is refused: reported against each article or page linking to it, unless
    it shows it too (reported then already)."""
    name = re.escape(posixpath.basename(relative))
    link = re.compile(r"[{|](?:static|attach)[|}][^\s\"'<>()]*?(?<![^/}|])" + name + r"(?![\w.-])")
    for content in contents(context):
        if relative in getattr(content, "refused_pictures", ()):
            continue
        found = link.search(content._content or "")
        if found:
            report(content, relative, found[0], error)


def plan(generators: list) -> list[dict]:
    """Every size of every picture this build publishes, for the build's plan of the files it
    writes (content_checks asks through the PLAN signal), each with its original: two pictures
    whose names differ only in capitals or accents would publish the same files."""
    settings = generators[0].settings if generators else {}
    if not enabled(settings):
        return []
    root = settings["PATH"]
    found, seen = [], set()
    for content in contents(generators[0].context):
        for relative, picture in getattr(content, "shown_pictures", {}).items():
            for variant in (v for vs in picture.variants.values() for v in vs):
                if (relative, variant.save_as) in seen:
                    continue
                seen.add((relative, variant.save_as))
                found.append({"path": variant.save_as, "source": os.path.join(root, relative),
                              "line": None, "what": f"the picture {relative}",
                              "fix": "Rename the picture."})  # fmt: skip
    return found


def register() -> None:
    # HEIC/HEIF (iPhone photos) become readable by Pillow, like any other format.
    pillow_heif.register_heif_opener()
    # initialized: before any generator reads anything, the settings are filled in.
    signals.initialized.connect(fill_in)
    # content_object_init: the body is rendered and its {static} links not yet resolved (that
    # happens when .content is first read), so the <img> can become a <picture> of the
    # variants before the content checks (or anything else) read it.
    signals.content_object_init.connect(rewrite)
    # static_generator_finalized: every article and page is made (with the pictures it shows)
    # and the static files are known but not yet copied: originals out, variants in (Pelican
    # copies them from the cache into the output folder).
    signals.static_generator_finalized.connect(publish)
    # The build's plan of every file it writes (a named blinker signal, content_checks asks).
    blinker.signal(PLAN).connect(plan)
