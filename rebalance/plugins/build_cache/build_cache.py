"""Rebuilds that read only what changed: Pelican's own content cache, with typogrify inside it.

Pelican can keep what its readers return (CACHE_CONTENT, keyed by each file's MD5), but it runs
typogrify after its cache, on every file, on every build. While this plugin is on, typogrify
runs in the Markdown reader instead (TYPOGRIFY is taken over at `initialized`, with the same
TYPOGRIFY_* settings), so a rebuild never typesets an unchanged file again.

The cache lives under CACHE_PATH/build/<fingerprint>/, where the fingerprint is a hash of what
shapes a read besides the file itself: the settings, every file of the theme and of the loaded
plugins, and the installed packages' versions. Change any of those and the build starts from an
empty cache (fingerprints unused for an hour, beyond the newest four, are pruned). The theme's
compiled templates are kept there too (Jinja's bytecode cache).

Nothing else of the build is changed: Pelican renders and writes every page, as always.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import shutil
import sysconfig
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from jinja2 import FileSystemBytecodeCache
from pelican import signals
from pelican.readers import _filter_discardable_metadata

BASE = "BUILD_CACHE_BASE"  # CACHE_PATH as the settings gave it, while Pelican's points elsewhere
TYPESET = "BUILD_CACHE_TYPOGRIFY"  # typogrify runs in the reader (taken over from Pelican)
FOLDER = "BUILD_CACHE_FOLDER"  # this build's fingerprint folder
# Settings that do not change what a read gives: where things go, and this plugin's own keys.
NOT_OUTPUT = {"OUTPUT_PATH", "CACHE_PATH", "CACHE_CONTENT", "LOAD_CONTENT_CACHE",
              "PREVIEW_PAGES", BASE, TYPESET, FOLDER}  # fmt: skip
KEEP = 4  # fingerprints always kept: development, serve and preview settings, plus one spare
IDLE = 3600  # seconds unused before a fingerprint beyond those may be pruned


# --- What shapes a read besides the file itself ---------------------------------------------------
def _stable(value: object) -> object:
    """A settings value as JSON can hold it, the same in every process."""
    if isinstance(value, dict):
        return {str(k): _stable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [_stable(v) for v in value]
        return sorted(items, key=repr) if isinstance(value, set | frozenset) else items
    if value is None or isinstance(value, bool | int | float | str):
        return value
    name = getattr(value, "__qualname__", None) or getattr(value, "__name__", None)
    name = name or type(value).__qualname__
    return f"<{getattr(value, '__module__', '')}.{name}>"  # code: hashed with its files


def _files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def fingerprint(settings: dict, plugin_folders: list[Path]) -> str:
    """A hash of the settings, the theme's and the plugins' files and the installed packages."""
    digest = hashlib.blake2b(digest_size=12)
    values = {k: v for k, v in settings.items() if k not in NOT_OUTPUT}
    digest.update(json.dumps(_stable(values), sort_keys=True).encode())
    for path in (f for d in [Path(settings["THEME"]), *plugin_folders] for f in _files(d)):
        digest.update(f"\0{path}\0".encode() + path.read_bytes())
    libraries = {sysconfig.get_paths()[k] for k in ("purelib", "platlib")}
    packages = sorted(  # the installed distributions, by their metadata folders' names
        name for entry in libraries if os.path.isdir(entry)
        for name in os.listdir(entry) if name.endswith((".dist-info", ".egg-info"))
    )  # fmt: skip
    digest.update("\0".join(packages).encode())
    return digest.hexdigest()


def _folder_of(module) -> Path:
    """The folder of a plugin's code: its package's, or its own file's."""
    path = Path(getattr(module, "__file__", None) or next(iter(module.__path__)))
    return path.parent if path.name == "__init__.py" or path.is_file() else path


# --- Typogrify in the reader ----------------------------------------------------------------------
def typogrified(settings: dict):
    """The text filter Pelican applies when TYPOGRIFY is on, with the same settings."""
    import smartypants
    from typogrify.filters import typogrify

    dashes = {"oldschool": smartypants.Attr.set2, "oldschool_inverted": smartypants.Attr.set3}
    attributes = dashes.get(settings["TYPOGRIFY_DASHES"], smartypants.Attr.set1)
    omit = dict.fromkeys(settings["TYPOGRIFY_OMIT_FILTERS"], False)

    def apply(text: str) -> str:
        smartypants.Attr.default = attributes | smartypants.Attr.w
        return typogrify(text, settings["TYPOGRIFY_IGNORE_TAGS"], **omit)

    return apply


class TypesetReader:
    """Mixed into the Markdown reader in use: what it returns is typeset, so Pelican's content
    cache keeps the typeset text."""

    def read(self, source_path):
        content, metadata = super().read(source_path)
        apply = typogrified(self.settings)
        for field in ("title", "summary"):
            if isinstance(metadata.get(field), str):
                metadata[field] = type(metadata[field])(apply(metadata[field]))
        return (apply(content) if content else content), metadata


# --- The build ------------------------------------------------------------------------------------
def start(pelican) -> None:
    """Points Pelican's content cache at this build's fingerprint and takes over typogrify."""
    settings = pelican.settings
    base = Path(settings["CACHE_PATH"]) / "build"
    folder = base / fingerprint(settings, [_folder_of(p) for p in pelican.plugins])
    folder.mkdir(parents=True, exist_ok=True)
    os.utime(folder)  # most recently used: kept when older fingerprints are pruned
    olds = sorted(base.iterdir(), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in olds[KEEP:]:  # not one a build running beside this one may be using
        if time.time() - old.stat().st_mtime > IDLE:
            shutil.rmtree(old, ignore_errors=True)
    # Pelican reads CACHE_PATH as it creates the generators: pointed at the fingerprint's folder
    # until then (restore_cache_path), so that the other plugins' caches (pictures, social
    # cards), which do not depend on templates or code, stay where the settings say.
    settings[BASE], settings[FOLDER] = settings["CACHE_PATH"], str(folder)
    settings.update(CACHE_PATH=str(folder), CACHE_CONTENT=True, LOAD_CONTENT_CACHE=True,
                    CONTENT_CACHING_LAYER="reader", CHECK_MODIFIED_METHOD="md5",
                    GZIP_CACHE=False)  # fmt: skip
    if settings.get("TYPOGRIFY"):
        settings["TYPOGRIFY"] = False  # Pelican would typeset again, after its cache
        settings[TYPESET] = True


def readers(readers) -> None:
    """The Markdown reader in use (another plugin's, maybe) typesets what it returns."""
    base = readers.reader_classes.get("md")
    if readers.settings.get(TYPESET) and base is not None and not issubclass(base, TypesetReader):
        readers.reader_classes["md"] = type(f"Typeset{base.__name__}", (TypesetReader, base), {})


# --- A cold build reads on every processor -----------------------------------------------------
READ_AHEAD_MIN = 40  # fewer articles to read: one by one (starting a pool costs ~0.2 s)
MAX_WORKERS = 8
# The reader the pool's processes use: set just before they are forked (each gets a copy of
# this process, with the plugins' readers and the settings as they are), cleared just after.
# Passed this way, not pickled with each file: a reader holds the whole settings.
_FORKED: dict = {}


def _read(path: str) -> tuple | None:
    """In a pool's process: one file read, as Pelican's Readers.read_file reads it before its
    cache (None if it fails: the generator reads it again, one by one, and reports it)."""
    try:
        content, metadata = _FORKED["reader"].read(path)
    except Exception:  # noqa: BLE001 - read again by the generator, which reports it
        return None
    # Pelican's own step before its cache: drop what the reader marked as "not given". The one
    # private name this house uses: Pelican has no public way to it, and a read cached without
    # it would carry the marker into the site.
    return content, _filter_discardable_metadata(metadata)


def read_ahead(generator) -> None:
    """A cold build reads the articles not yet in the content cache on every processor (the
    one parallel mechanism of the build: reading is half a cold build's work, bench/build.py
    --profile). Each is read as the generator would read it, and put into Pelican's content
    cache, where the generator then finds it: the site is the same as read one by one."""
    settings, readers = generator.settings, generator.readers
    if FOLDER not in settings or "md" not in readers.readers:
        return
    files = generator.get_files(settings["ARTICLE_PATHS"], exclude=settings["ARTICLE_EXCLUDES"])
    paths = [os.path.abspath(os.path.join(generator.path, f)) for f in files]
    todo = [p for p in paths if p.endswith(".md") and readers.get_cached_data(p) is None]
    workers = min(len(os.sched_getaffinity(0)), MAX_WORKERS)
    if workers < 2 or len(todo) < READ_AHEAD_MIN:
        return
    _FORKED["reader"] = readers.readers["md"]
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            chunk = max(1, len(todo) // (workers * 4))
            for path, data in zip(todo, pool.map(_read, todo, chunksize=chunk), strict=True):
                if data is not None:
                    readers.cache_data(path, data)
    finally:
        _FORKED.clear()


# --- Addresses worked out once -------------------------------------------------------------------
CONTENT_LISTS = ("articles", "translations", "drafts", "drafts_translations", "hidden_articles",
                 "hidden_translations", "pages", "hidden_pages", "draft_pages",
                 "draft_translations")  # fmt: skip


def fix_addresses(generators: list) -> None:
    """Every article and page has its address for good once all are read (and the content
    checks have given stand-ins to any that collide: PLUGINS order): each keeps it, as
    Pelican's own `override_url`/`override_save_as` (what a `URL:`/`Save_as:` line sets), so the
    tens of thousands of times templates, plugins and checks ask for it, it is not formatted
    from the settings again (Content.url_format: 1.6 s of a rebuild's profile at 1,000
    articles)."""
    if not generators or FOLDER not in generators[0].settings:
        return
    for generator in generators:
        for name in CONTENT_LISTS:
            for content in getattr(generator, name, None) or ():
                if content.save_as:
                    content.override_url, content.override_save_as = content.url, content.save_as


def templates(generator) -> None:
    """The theme's templates compiled once per fingerprint, not on every build."""
    if FOLDER in generator.settings:
        (Path(generator.settings[FOLDER]) / "jinja").mkdir(exist_ok=True)
        generator.env.bytecode_cache = FileSystemBytecodeCache(
            str(Path(generator.settings[FOLDER]) / "jinja")
        )


def restore_cache_path(generator) -> None:
    """Every generator exists (and has loaded its cache): CACHE_PATH is the settings' again."""
    if BASE in generator.settings:
        generator.settings["CACHE_PATH"] = generator.settings.pop(BASE)


def register() -> None:
    # initialized: before any generator exists: the fingerprint, Pelican's cache settings.
    signals.initialized.connect(start)
    # readers_init: after the other plugins' (PLUGINS order): the Markdown reader they chose
    # typesets what it returns.
    signals.readers_init.connect(readers)
    # article_generator_init: its reader and cache exist, nothing is read yet: a cold build
    # reads the articles ahead on every processor.
    signals.article_generator_init.connect(read_ahead)
    # all_generators_finalized: last of the plugins' (PLUGINS order), once every address is
    # final: each article and page keeps its own.
    signals.all_generators_finalized.connect(fix_addresses)
    # generator_init: each generator's Jinja environment gets the bytecode cache.
    signals.generator_init.connect(templates)
    # article_generator_pretaxonomy: every generator has loaded its cache: CACHE_PATH back.
    signals.article_generator_pretaxonomy.connect(restore_cache_path)
