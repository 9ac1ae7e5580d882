"""Pictures for phones: an author drops a photo into content/images/ and writes
`![What it shows]({static}/images/photo.jpg)`; readers get it resized, in AVIF, WebP and JPEG,
with no metadata. The original is never published.

Each picture an article or page shows (an `<img>` whose src is `{static}/…`, `{attach}/…` or
`/images/…` and names a file of IMAGES["types"] in a folder of IMAGES["folders"]) is:

* read once (JPEG, PNG, WebP, AVIF, and HEIC/HEIF from phones through pillow-heif); turned
  upright (phones record the rotation in EXIF, which is about to go); converted to sRGB (what
  browsers assume of an image without a colour profile); and stripped of everything else:
  EXIF (GPS position, camera serial number, dates), XMP, comments, the colour profile;
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

Variants are cached by content hash in IMAGES["cache"] (default: CACHE_PATH/images). A
variant's key is the original's bytes, the variant (format, width, encoder options) and ENCODER
(this code's version and the libraries'), so an unchanged picture is never encoded twice and a
change to any of these encodes it again. A picture that cannot be read is a content problem of
the page that shows it; so is a picture without a description (alt text), unless it is an
HTML `<img alt="">` (decoration). An `<img>` with attributes the content checks do not allow is
left as written, for the checks to report.

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

import pillow_heif
from pelican import signals
from pelican.contents import Article, Page, Static
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError
from PIL import __version__ as PILLOW_VERSION

logger = logging.getLogger(__name__)

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
CODE_VERSION = 1  # raise when a change here changes the bytes of a variant
ENCODER = f"images {CODE_VERSION}, Pillow {PILLOW_VERSION}, pillow-heif {pillow_heif.__version__}"
STATE = "_images"  # key of the running build's Pictures in the settings dict
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

    @property
    def fallback(self) -> list[Variant]:
        return list(self.variants.values())[-1]


@dataclass
class Pictures:
    """The pictures of one build, and what reading and encoding them took."""

    settings: dict
    config: dict
    cache: str
    pictures: dict[str, Picture | Exception] = field(default_factory=dict)
    encoded: int = 0
    cached: int = 0
    seconds: float = 0.0  # wall-clock time reading and encoding
    cpu: float = 0.0  # processor time (AVIF encodes on several threads)

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
        self.cached += sum(map(len, picture.variants.values())) - len(missing)
        if missing:
            image = image or upright_srgb(data)
            for width in sorted({v.width for v in missing}):
                small = resized(image, width, _height(picture, width))
                for variant in (v for v in missing if v.width == width):
                    options = self._options(variant.format)
                    _write(self._path(variant), encode(small, variant.format, options))
                    self.encoded += 1
        self.seconds += time.perf_counter() - start
        self.cpu += time.process_time() - cpu
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
        return Picture(source, width, height, alpha, variants)

    def _options(self, fmt: str) -> dict:
        return self.config["formats"].get(fmt, PNG_OPTIONS if fmt == "png" else {})

    def _path(self, variant: Variant) -> str:
        return os.path.join(self.cache, variant.cache_name)

    def _has(self, variant: Variant) -> bool:
        return os.path.isfile(self._path(variant))

    # --- Publishing ------------------------------------------------------------------------------
    def statics(self, picture: Picture, generator) -> list[Static]:
        """A Pelican static file for each variant: Pelican copies it from the cache."""
        return [static(generator, self._path(v), v.save_as)
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
    transparency), without any of the file's metadata."""
    with Image.open(io.BytesIO(data)) as opened:
        icc = opened.info.get("icc_profile")
        image = ImageOps.exif_transpose(opened)  # a copy: upright, Orientation tag dropped
    alpha = image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info
    if image.mode not in ("RGB", "RGBA", "L", "CMYK"):
        image = image.convert("RGBA" if alpha else "RGB")
    if icc:
        try:
            profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            if "srgb" not in ImageCms.getProfileDescription(profile).lower().replace(" ", ""):
                mode = "RGBA" if image.mode == "RGBA" else "RGB"
                image = ImageCms.profileToProfile(image, profile, _srgb(), outputMode=mode)
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # a broken profile: the numbers are taken as sRGB, as a browser would
    image = image.convert("RGBA" if alpha else "RGB")
    if alpha and image.getextrema()[3][0] == 255:
        image = image.convert("RGB")  # an alpha channel with nothing transparent in it
    image.info = {}
    return image


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
def state_of(settings: dict) -> Pictures | None:
    return settings.get(STATE)


def start(pelican) -> None:
    """A fresh Pictures for this build."""
    if not any(getattr(p, "register", None) is register for p in pelican.plugins):
        return  # signals are global: another Pelican in this process may not use this plugin
    settings = pelican.settings
    config = {**DEFAULTS, **settings.get("IMAGES", {})}
    cache = config["cache"] or os.path.join(settings.get("CACHE_PATH", "cache"), "images")
    settings[STATE] = Pictures(settings, config, os.path.abspath(cache))


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
    folders = [f.strip("/") + "/" for f in pictures.config["folders"]]
    extension = posixpath.splitext(relative)[1][1:].lower()
    if not relative.startswith(tuple(folders)) or extension not in pictures.config["types"]:
        return None
    root = os.path.realpath(pictures.settings["PATH"])
    full = os.path.realpath(os.path.join(root, relative))
    if not full.startswith(root + os.sep) or not os.path.isfile(full):
        return None  # Pelican and the content checks report a file that is not there
    checks = _checks(pictures.settings)
    if checks is not None and relative not in checks.static_ok:
        return None  # the content checks report it (a symlink out of content/, say)
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
    """The <picture> for an <img>: a <source> per format, the fallback <img> last."""
    esc = html.escape

    def srcset(variants: list[Variant]) -> str:
        base = siteurl.rstrip("/") + "/"  # as Pelican joins {static} URLs
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
        f'<img src="{{static}}/{esc(src.save_as)}" srcset="{esc(srcset(fallback))}" '
        f'sizes="{esc(sizes)}"{kept} width="{largest.width}" height="{largest.height}" '
        f'loading="{"eager" if eager else "lazy"}" decoding="async"></picture>'
    )
    return "".join(parts)


def rewrite(content) -> None:
    """Each picture of an article or page becomes a <picture> of its variants."""
    pictures = state_of(content.settings)
    if pictures is None or not isinstance(content, Article | Page) or not content._content:
        return
    shown = 0
    siteurl, sizes = content.settings.get("SITEURL", ""), pictures.config["sizes"]

    def replace(match: re.Match) -> str:
        nonlocal shown
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
        except UNREADABLE as error:
            report(content, source, attributes.get("src", ""), error)
            return match[0]
        shown += 1
        eager = shown <= pictures.config["eager"]
        return markup(picture, attributes, eager, siteurl, sizes)

    content._content = IMG_RE.sub(replace, content._content)


def describe(content, attributes: dict[str, str]) -> None:
    """A picture without a description (alt text) is reported by the content checks, which
    tell a Markdown ![](…) (a lapse) from an HTML alt="" (decoration), by the file name the
    author wrote: here, before it becomes the variants' names. Without alt, the <picture> gets
    alt="" so that the checks do not report it again under a variant's name."""
    checks = _checks(content.settings)
    src = attributes["src"]
    if checks is not None:
        message = "img-alt-empty" if "alt" in attributes else "img-alt"
        name = posixpath.basename(urlsplit(html.unescape(src)).path)
        checks.pages.problem(content.source_path, message, src, {"file": name})
    attributes.setdefault("alt", "")


def report(content, source: str, src: str, error: Exception) -> None:
    """A picture that cannot be read: a content problem of the page that shows it."""
    name = posixpath.basename(source)
    checks = _checks(content.settings)
    if checks is None:
        logger.error("%s: the picture %s cannot be read (%s)", content.source_path, source, error)
        return
    try:
        with open(content.source_path, encoding="utf-8", errors="replace") as handle:
            text = handle.read()
    except OSError:
        text = ""
    position = text.find(name)
    line = text.count("\n", 0, position) + 1 if position >= 0 else None
    reason = next(why for kind, why in REASONS if isinstance(error, kind))
    checks.add(content.source_path, line, "image-unreadable", subject=src, file=name,
               error=reason)  # fmt: skip


def _checks(settings: dict):
    try:
        from rebalance.plugins.content_checks.content_checks import checks_of
    except ImportError:
        return None
    return checks_of(settings)


# --- Static files ---------------------------------------------------------------------------------
def forget_variant_links(generator) -> None:
    """The variants' {static} links are not files under content/: Pelican must not look for
    them there (they are published from the cache instead)."""
    pictures = state_of(generator.settings)
    if pictures is None:
        return
    ours = {v.save_as for p in pictures.pictures.values() if isinstance(p, Picture)
            for vs in p.variants.values() for v in vs}  # fmt: skip
    generator.context["static_links"].difference_update(ours)


def publish(generator) -> None:
    """The variants of every picture shown or linked are published; the originals never are."""
    pictures = state_of(generator.settings)
    if pictures is None:
        return
    context = generator.context
    linked = set(context.get("static_links", ()))
    folders = tuple(f.strip("/") + "/" for f in pictures.config["folders"])
    kept, originals = [], []
    for sc in generator.staticfiles:
        relative = sc.get_relative_source_path().replace(os.sep, "/")
        extension = posixpath.splitext(relative)[1][1:].lower()
        if relative.startswith(folders) and extension in pictures.config["types"]:
            originals.append(relative)
        else:
            kept.append(sc)
    for relative in originals:
        if relative not in linked:
            context["static_content"].pop(relative, None)
            continue
        try:  # an <a href="{static}/images/…">: it leads to the largest fallback variant
            largest = pictures.picture(relative).fallback[-1]
        except UNREADABLE:
            continue  # reported; its link stays resolved (to a file that is not published)
        sc = static(generator, pictures._path(largest), largest.save_as)
        context["static_content"][relative] = sc
    published: set[str] = set()
    for picture in pictures.pictures.values():
        if not isinstance(picture, Picture):
            continue
        for sc in pictures.statics(picture, generator):
            if sc.save_as not in published:
                published.add(sc.save_as)
                kept.append(sc)
                context["static_content"][sc.save_as] = sc
    generator.staticfiles[:] = kept
    if pictures.pictures:
        logger.info(
            "Pictures: %d, %d variants encoded and %d from the cache (%s) in %.2f s (%.2f s of "
            "processor time)", len(pictures.pictures), pictures.encoded, pictures.cached,
            pictures.cache, pictures.seconds, pictures.cpu,
        )  # fmt: skip


def finish(pelican) -> None:
    pelican.settings.pop(STATE, None)


def register() -> None:
    # HEIC/HEIF (iPhone photos) become readable by Pillow, like any other format.
    pillow_heif.register_heif_opener()
    # initialized: one Pictures per build (the cache folder, what this build read and encoded).
    signals.initialized.connect(start)
    # content_object_init: the body is rendered and its {static} links not yet resolved (that
    # happens when .content is first read), so the <img> can become a <picture> of {static}
    # variants that Pelican resolves like any other link, before the content checks see it.
    signals.content_object_init.connect(rewrite)
    # article/page_generator_finalized: Pelican has collected the {static} links of every
    # article and page; the variants' are dropped, or it would look for them under content/.
    signals.article_generator_finalized.connect(forget_variant_links)
    signals.page_generator_finalized.connect(forget_variant_links)
    # static_generator_finalized: the static files are known and not yet copied: originals out,
    # variants in (Pelican copies them from the cache into the output folder).
    signals.static_generator_finalized.connect(publish)
    # finalized: this build's Pictures is not carried into the next build in this process.
    signals.finalized.connect(finish)
