"""Rebuild only what changed, and build from nothing on every processor (docs/speed.md).

Three caches, all under CACHE_PATH/build/<fingerprint>/, where the fingerprint is a hash of
everything that shapes the output besides the content itself: the settings as the build uses
them, every file of the theme and of PLUGIN_PATHS, and the installed packages' versions. Change
any of those and the build starts from an empty cache (unused fingerprints are pruned).

* Reading: Pelican's own content cache (CACHE_CONTENT), keyed by each file's MD5. Pelican caches
  what the reader returns and runs typogrify after its cache; so while this plugin is on,
  typogrify runs in the reader instead (TYPOGRIFY is taken over at `initialized`, with the same
  TYPOGRIFY_* settings), and a rebuild never typesets an unchanged file again. The reader's
  header problems travel in its metadata (plugins/content_checks), and so do the problems
  logged while it read (LOGGED): a cached read reports them again. In a cold build the articles
  are read ahead on every processor (read_ahead, parallel.py).
* Rendering: each page's HTML, keyed by the template and what the template can print from the
  page's context (page_key): what was passed for this page alone, the site-wide lists the
  template names, the page's own article with all it holds, and of the other articles it shows
  only the attributes its template reads from them (learnt as it renders: track_reads). Pages
  are still written and signalled (content_written), so the sitemap and the checks see them all.
* Checking: plugins/content_checks keeps what it found in each written page, keyed by the page's
  HTML, through `stored()` / `store()` below.

A preview (PREVIEW setting: the source files an author just saved, as `make serve` passes them)
reads and builds the whole site's context as usual, but writes only those files' own pages
(content_checks' writer asks `writes()`), checks them, and lists them in PREVIEW_LIST in the
output folder; tasks.py puts them into the served site while the full build runs. A preview
keeps the pages it rendered and nothing else (a full build follows it).

New entries are kept only when the build succeeds (this plugin's `finalized` runs after
content_checks', which fails a build with problems), so a page whose rendering or checks reported
something is rendered and checked again by the next build.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
import os
import pickle
import shutil
import sysconfig
import time
from pathlib import Path

from jinja2 import FileSystemBytecodeCache, Template, meta
from pelican import signals
from pelican.contents import Content
from pelican.generators import ArticlesGenerator, PagesGenerator
from pelican.paginator import Page as ListPage
from pelican.paginator import Paginator
from pelican.readers import _filter_discardable_metadata
from pelican.urlwrappers import URLWrapper

from .parallel import processors, share_out, workers_for

logger = logging.getLogger(__name__)
STATE = "_build_cache"  # key of the running build's Cache in the settings dict
BASE = "_build_cache_base"  # CACHE_PATH as the settings give it
TYPESET = "_build_cache_typogrify"  # typogrify runs in the reader (taken over from Pelican)
LOGGED = "_build_cache_logged"  # metadata: the problems logged while the file was read
ONLY = "_build_cache_only"  # a preview: the output paths it writes (see select)
PREVIEW = "PREVIEW"  # setting: the source files to preview (absolute paths); empty: a full build
PREVIEW_LIST = ".preview.json"  # in a preview's output folder: the pages it wrote
MAX_WORKERS = 8  # processes reading ahead in a cold build, at most
# Settings that do not change what is written: where it goes, how many processes build it, and
# this plugin's own state.
# A preview's pages are those of the full build: the two share a fingerprint.
NOT_OUTPUT = {"OUTPUT_PATH", "CACHE_PATH", "CACHE_CONTENT", "LOAD_CONTENT_CACHE", STATE, PREVIEW,
              "BUILD_PROCESSES"}  # fmt: skip
KEEP = 4  # fingerprints kept: development, serve and preview settings, plus one spare
IDLE = 3600  # seconds unused before a fingerprint beyond those may be pruned
TOP = object()  # "not in the context" (None could be a value)


# --- What shapes the output besides the content ---------------------------------------------------
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
    return sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def fingerprint(settings: dict) -> str:
    """A hash of the settings, the theme's and plugins' files and the installed packages."""
    digest = hashlib.blake2b(digest_size=12)
    values = {k: v for k, v in settings.items() if k not in NOT_OUTPUT and not k.startswith("_")}
    digest.update(json.dumps(_stable(values), sort_keys=True).encode())
    folders = [settings["THEME"], *settings.get("PLUGIN_PATHS", [])]
    for path in (f for d in folders for f in _files(Path(d))):
        digest.update(f"\0{path}\0".encode() + path.read_bytes())
    libraries = {sysconfig.get_paths()[k] for k in ("purelib", "platlib")}
    packages = sorted(  # the installed distributions, by their metadata folders' names
        name for entry in libraries if os.path.isdir(entry)
        for name in os.listdir(entry) if name.endswith((".dist-info", ".egg-info"))
    )  # fmt: skip
    digest.update("\0".join(packages).encode())
    return digest.hexdigest()


# --- The cache of one build -----------------------------------------------------------------------
class Cache:
    """The rendered pages and the checks' findings of a build, with what earlier builds kept."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.pages = folder / "pages"
        self.new_pages = folder / "pages.new"  # this build's, kept only if it succeeds
        shutil.rmtree(self.new_pages, ignore_errors=True)
        self.used: set[str] = set()
        self.stores: dict[str, dict] = {}
        self.digests: dict[tuple, str] = {}  # (id of an article, level, attributes) -> digest
        self.parsed: dict[str, tuple] = {}  # template file -> (names it uses, templates it uses)
        self.shared: dict[tuple, list[str]] = {}  # site-wide context value -> its encoding
        self.templates: dict[str, dict] = {}  # template -> what it reads from listed articles
        self.hits = 0
        self.read_now: set[str] = set()  # files read (not taken from the cache) in this build
        self.rendered: list[str] = []  # the pages rendered, not taken from the cache
        self.processes = 1  # how many processes rendered the pages (writer.py)

    # Rendered pages: one file each, named by its key.
    def page(self, key: str, count: bool = True) -> str | None:
        """The page kept under key, if any. count=False: not a page (a feed), not counted as
        one reused in last-build.json."""
        self.used.add(key)
        try:
            text = (self.pages / key).read_text(encoding="utf-8")
        except OSError:
            return None
        self.hits += count
        return text

    def keep_page(self, key: str, html: str) -> None:
        self.used.add(key)
        self.new_pages.mkdir(parents=True, exist_ok=True)
        (self.new_pages / key).write_text(html, encoding="utf-8")

    # Other stores (the checks' findings): one pickle each, loaded on first use.
    def stored(self, name: str) -> dict:
        if name not in self.stores:
            try:
                with open(self.folder / f"{name}.pickle", "rb") as handle:
                    old = pickle.load(handle)
            except (OSError, pickle.PickleError, EOFError, AttributeError, ImportError):
                old = {}
            self.stores[name] = {"old": old, "new": {}}
        return self.stores[name]["old"]

    def store(self, name: str, key: str, value: object) -> None:
        self.stored(name)
        self.stores[name]["new"][key] = value

    # Pages rendered in forked processes (writer.py): what one learnt, taken in here.
    def mark(self) -> tuple:
        return set(self.used), self.hits, len(self.rendered)

    def since(self, mark: tuple) -> dict:
        """What this process added since mark(): the pages it rendered are files already; the
        keys it used, and what its templates were found to read (all, being few)."""
        used, hits, rendered = mark
        return {
            "used": self.used - used,
            "hits": self.hits - hits,
            "rendered": self.rendered[rendered:],
            "templates": dict(self.templates),
        }

    def merge(self, learnt: dict) -> None:
        self.used |= learnt["used"]
        self.hits += learnt["hits"]
        self.rendered += learnt["rendered"]
        for name, theirs in learnt["templates"].items():
            ours = self.templates.get(name)
            if ours is None:
                self.templates[name] = ours = theirs
            else:  # what either read; pages were kept under either's sets
                ours["reads"] = sorted({*ours["reads"], *theirs["reads"]})
                ours["coarse"] = ours["coarse"] or theirs["coarse"]
                sets = [*ours["sets"], *(s for s in theirs["sets"] if s not in ours["sets"])]
                ours["sets"] = sets[-SETS:]
            self.store("templates", name, ours)

    def save(self, preview: bool = False) -> None:
        """After a successful build: the entries it used or made, and nothing else. After a
        preview: only the pages it rendered are added (it saw too little to drop anything)."""
        self.pages.mkdir(parents=True, exist_ok=True)
        if self.new_pages.is_dir():
            for entry in os.scandir(self.new_pages):
                os.replace(entry.path, self.pages / entry.name)
            self.new_pages.rmdir()
        if preview:
            return
        for entry in os.scandir(self.pages):
            if entry.name not in self.used:
                os.unlink(entry.path)
        stats = {
            "rendered": len(self.rendered),
            "reused": self.hits,
            "processes": self.processes,
            "pages": sorted(self.rendered),
        }
        for name, store in self.stores.items():
            stats[f"{name}: reused"] = len(set(store["new"]) & set(store["old"]))
            stats[f"{name}: new"] = len(set(store["new"]) - set(store["old"]))
            path = self.folder / f"{name}.pickle"
            with open(f"{path}.new", "wb") as handle:
                pickle.dump(store["new"], handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(f"{path}.new", path)
        # What the last successful build reused (bench/ and the tests read it).
        (self.folder / "last-build.json").write_text(json.dumps(stats) + "\n", encoding="utf-8")


def cache_of(settings: dict) -> Cache | None:
    return settings.get(STATE)


def remembered(settings: dict, store: str, text: str, compute, *args: str):
    """compute(text, *args), kept in the cache under the digest of the text and args, for what
    plugins work out of each article's text on every build (its words, its sections, its links
    rewritten): a rebuild, or a preview, looks it up instead. compute must depend on what it is
    given alone (its code is in the fingerprint); what it returns is pickled. Without the
    cache: compute(text, *args)."""
    cache = cache_of(settings)
    if cache is None:
        return compute(text, *args)
    key = hashlib.blake2b("\0".join((*args, text)).encode(), digest_size=16).hexdigest()
    kept = cache.stored(store)
    value = kept[key] if key in kept else compute(text, *args)
    cache.store(store, key, value)
    return value


# --- Digests of what a template sees --------------------------------------------------------------
SKIP = {"_context", "settings"}
PAGE, ARTICLE, REFERRED, LISTED = 0, 1, 2, 3  # where a value is met (see _encode)
OWN = ("article", "page")  # the context names of a page's own article or page
SETS = 4  # sets of attributes read, per template, under which pages may have been kept


class Coarse(Exception):
    """A template reads, from an article it lists, other articles or a method: its pages are
    keyed with everything those articles hold."""


def _encode(value: object, cache: Cache, parts: list[str], level: int, seen: set[int],
            reads: frozenset | None = None) -> None:  # fmt: skip
    """Appends to parts a text that changes whenever anything a template could print from value
    changes. With `reads` (the attributes the template reads from articles other than the
    page's own), an article met in a list or as a neighbour counts with those attributes only;
    without, with everything it holds, and the articles it refers to with what they hold (and
    those by their path: REFERRED)."""
    if isinstance(value, str):  # as it is, after its length: no repr of a whole article
        parts.append(f"{type(value).__name__}:{len(value)}:{value}")
    elif value is None or isinstance(value, bool | int | float | bytes):
        parts.append(f"{type(value).__name__}:{value!r}")
    elif isinstance(value, datetime.date | datetime.time):
        parts.append(f"{type(value).__name__}:{value.isoformat()}:{getattr(value, 'tzinfo', '')}")
    elif isinstance(value, Content):
        if reads is not None:
            if level == LISTED:
                raise Coarse
            parts.append(listed_digest(value, cache, reads))
        else:
            parts.append(f"ref:{value.source_path}" if level == REFERRED else
                         content_digest(value, cache, level + 1))  # fmt: skip
    elif isinstance(value, URLWrapper):  # a tag, category or author (its settings are in the key)
        parts.append(f"{type(value).__name__}:{value.name}:{value.slug}")
    elif id(value) in seen:
        parts.append("cycle")
    elif isinstance(value, Paginator):  # not its whole list: what pagination links use
        parts.append(f"paginator:{value.name}:{value.url}:{value.count}:{value.num_pages}")
    elif isinstance(value, ListPage):
        parts.append(f"page:{value.number}:{value.paginator.num_pages}:{value.paginator.count}")
        _encode(value.object_list, cache, parts, level, seen, reads)
    elif isinstance(value, type) or (callable(value) and not hasattr(value, "__dict__")):
        if level == LISTED:
            raise Coarse  # a method: what it returns is not known here
        parts.append(f"code:{getattr(value, '__qualname__', type(value).__qualname__)}")
    else:
        seen.add(id(value))
        if isinstance(value, dict):
            parts.append("{")
            for k in sorted(value, key=repr):
                parts.append(repr(k))
                _encode(value[k], cache, parts, level, seen, reads)
            parts.append("}")
        elif isinstance(value, list | tuple | set | frozenset):
            items = sorted(value, key=repr) if isinstance(value, set | frozenset) else value
            parts.append("[")
            for item in items:
                _encode(item, cache, parts, level, seen, reads)
            parts.append("]")
        elif hasattr(value, "__dict__"):
            parts.append(f"{type(value).__qualname__}(")
            fields = {k: v for k, v in vars(value).items() if k not in SKIP}
            _encode(fields, cache, parts, level, seen, reads)
            parts.append(")")
        else:  # an address in the text makes a new key each build: rendered again, never stale
            parts.append(f"{type(value).__qualname__}:{value!r}")
        seen.discard(id(value))


def _fields(content: Content) -> dict:
    fields = {k: v for k, v in vars(content).items() if k not in SKIP}
    # What templates print: the text and summary with {filename}/{static} links resolved.
    fields["content"], fields["summary"] = content.content, getattr(content, "summary", "")
    return fields


def _digest(parts: list[str]) -> str:
    return hashlib.blake2b("\0".join(parts).encode(), digest_size=16).hexdigest()


def content_digest(content: Content, cache: Cache, level: int = ARTICLE,
                   reads: frozenset | None = None) -> str:  # fmt: skip
    """The digest of an article or page: its attributes, text with links resolved, address."""
    key = (id(content), level, reads)
    if key not in cache.digests:
        parts: list[str] = [type(content).__name__, str(content.url), str(content.save_as)]
        _encode(_fields(content), cache, parts, level, {id(content)}, reads)
        cache.digests[key] = _digest(parts)
    return cache.digests[key]


def listed_digest(content: Content, cache: Cache, reads: frozenset) -> str:
    """The digest of an article a page lists or links to: the attributes the template reads."""
    key = (id(content), LISTED, reads)
    if key not in cache.digests:
        fields = {}
        for name in sorted(reads):
            try:
                fields[name] = getattr(content, name)
            except Exception as error:  # noqa: BLE001 - what the template would meet too
                fields[name] = f"error:{type(error).__name__}"
        parts = [type(content).__name__, content.source_path]
        _encode(fields, cache, parts, LISTED, {id(content)}, reads)
        cache.digests[key] = _digest(parts)
    return cache.digests[key]


def used_names(template: Template, cache: Cache) -> set[str] | None:
    """The names a template and every template it extends, includes or imports refer to.
    None: a template named at run time, which could use anything."""
    env, seen, names, todo = template.environment, set(), set(), [template.name]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        if name not in cache.parsed:
            tree = env.parse(env.loader.get_source(env, name)[0])
            refs = list(meta.find_referenced_templates(tree))
            cache.parsed[name] = (meta.find_undeclared_variables(tree), refs)
        found, refs = cache.parsed[name]
        if None in refs:
            return None
        names |= found
        todo += refs
    return names


def page_key(template: Template, context: dict, cache: Cache, shared: dict, settings: dict,
             reads: frozenset | None) -> str:  # fmt: skip
    """The key of a page: the template, and what it can print from this context."""
    names = cache.templates[template.name]["names"]
    parts: list[str] = [template.name, repr(sorted(reads)) if reads is not None else "all"]
    for key in sorted(context):
        value = context[key]
        if settings.get(key, TOP) is value:
            continue  # a setting: in the fingerprint
        is_shared = shared.get(key, TOP) is value
        if (
            names is not None
            and key not in names
            and (is_shared or isinstance(value, list | tuple | dict | set))
        ):
            continue  # a list this template does not name (all articles, a tag's...)
        parts.append(key)
        if key in OWN and isinstance(value, Content) and reads is not None:
            parts.append(content_digest(value, cache, PAGE, reads))  # all it holds
        elif is_shared:  # the same for every page: encoded once
            memo = (key, reads)
            if memo not in cache.shared:
                cache.shared[memo] = encoded = []
                _encode(value, cache, encoded, PAGE, set(), reads)
            parts += cache.shared[memo]
        else:
            _encode(value, cache, parts, PAGE, set(), reads)
    return hashlib.blake2b("\0".join(parts).encode(), digest_size=20).hexdigest()


class CachedTemplate(Template):
    """A template whose render() returns the page kept for the same inputs, if there is one.

    What the template reads from articles other than the page's own is learnt as it renders
    (the environment's getattr/getitem, track_reads) and kept with the cache: a page is keyed
    with those attributes of the articles it lists or links to, so a list page is not rendered
    again when only the body of an article on it changed. A template that reads, from such an
    article, other articles or a method is keyed with everything they hold instead."""

    def render(self, *args, **kwargs) -> str:
        cache, shared, settings = getattr(self.environment, "build_cache", (None, {}, {}))
        if cache is None or len(args) != 1 or kwargs or not isinstance(args[0], dict):
            return super().render(*args, **kwargs)
        context = args[0]
        new = {"reads": [], "coarse": False, "sets": []}
        state = cache.templates.setdefault(self.name, cache.stored("templates").get(self.name, new))
        if "names" not in state:  # the same in every build of this fingerprint: found once
            state["names"] = used_names(self, cache)
        html = None
        # A page was kept under the attributes its template was known to read when it was
        # rendered (all it read among them): each such set is tried, the newest first.
        tried: dict = {}  # the keys tried, by set of attributes
        for reads in self._read_sets(state):
            tried[reads] = self._key(context, cache, shared, settings, reads)
            if (html := cache.page(tried[reads])) is not None:
                break
        if html is None:
            owns = {id(context[k]) for k in OWN if isinstance(context.get(k), Content)}
            self.environment.build_reads = (owns, set())
            try:
                html = super().render(context)
            finally:
                read = self.environment.build_reads[1]
                self.environment.build_reads = None
            if not state["coarse"]:
                state["reads"] = sorted({*state["reads"], *read})
            reads = next(iter(self._read_sets(state)))
            key = tried.get(reads) if not state["coarse"] else None  # the same attributes
            cache.keep_page(key or self._key(context, cache, shared, settings, reads), html)
            if reads is not None and list(reads) not in state["sets"]:
                state["sets"] = [*state["sets"][-(SETS - 1) :], sorted(reads)]
            cache.rendered.append(str(context.get("output_file", self.name)))
        cache.store("templates", self.name, state)
        return html

    def _read_sets(self, state: dict) -> list[tuple[str, ...] | None]:
        if state["coarse"]:
            return [None]
        sets = [tuple(state["reads"]), *(tuple(s) for s in reversed(state["sets"]))]
        return list(dict.fromkeys(sets))

    def _key(self, context, cache, shared, settings, reads) -> str:
        if reads is not None:
            try:
                return page_key(self, context, cache, shared, settings, frozenset(reads))
            except Coarse:
                cache.templates[self.name]["coarse"] = True  # in the builds after this one too
        return page_key(self, context, cache, shared, settings, None)


def track_reads(env) -> None:
    """Notes each attribute a template reads from an article or page that is not the page's
    own, while a page is rendered (env.build_reads: (ids of its own, attributes read))."""
    get_attribute, get_item = env.getattr, env.getitem
    env.build_reads = None

    def note(obj, name) -> None:
        reads = env.build_reads
        if reads is not None and isinstance(obj, Content) and id(obj) not in reads[0]:
            reads[1].add(str(name))

    def getattr_(obj, attribute):
        note(obj, attribute)
        return get_attribute(obj, attribute)

    def getitem(obj, argument):
        note(obj, argument)
        return get_item(obj, argument)

    env.getattr, env.getitem = getattr_, getitem


# --- The build ------------------------------------------------------------------------------------
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


def start(pelican) -> None:
    """Points Pelican's caches at this build's fingerprint and takes over typogrify."""
    if not any(getattr(p, "register", None) is register for p in pelican.plugins):
        return
    settings = pelican.settings
    base = Path(settings["CACHE_PATH"]) / "build"
    folder = base / fingerprint(settings)
    folder.mkdir(parents=True, exist_ok=True)
    os.utime(folder)  # most recently used: kept when older fingerprints are pruned
    olds = sorted(base.iterdir(), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in olds[KEEP:]:  # not one a build running beside this one may be using
        if time.time() - old.stat().st_mtime > IDLE:
            shutil.rmtree(old, ignore_errors=True)
    # Pelican's content cache is read from CACHE_PATH as the generators are created: pointed at
    # this fingerprint's folder until then (restore_cache_path), so that the other plugins'
    # caches (pictures, social cards), which do not depend on templates or code, stay put.
    settings[BASE] = settings["CACHE_PATH"]
    settings.update(CACHE_PATH=str(folder), CACHE_CONTENT=True, LOAD_CONTENT_CACHE=True,
                    CONTENT_CACHING_LAYER="reader", CHECK_MODIFIED_METHOD="md5",
                    GZIP_CACHE=False)  # fmt: skip
    settings[STATE] = Cache(folder)
    if settings.get("TYPOGRIFY"):
        settings["TYPOGRIFY"] = False  # Pelican would typeset again after its cache
        settings[TYPESET] = True


def restore_cache_path(generator) -> None:
    """Every generator exists (and has loaded its cache): CACHE_PATH is the settings' again."""
    if BASE in generator.settings:
        generator.settings["CACHE_PATH"] = generator.settings.pop(BASE)


def readers(readers) -> None:
    """The Markdown reader, typesetting what it returns (so the cache keeps the result), and
    keeping with it the problems logged while it read (so a cached read still reports them)."""
    if (cache := cache_of(readers.settings)) is None or "md" not in readers.reader_classes:
        return
    base = readers.reader_classes["md"]
    apply = typogrified(readers.settings) if readers.settings.get(TYPESET) else None

    def read(self, source_path):
        checks = self.settings.get("_content_checks")  # plugins/content_checks' collector
        before = len(checks.problems) if checks is not None else 0
        content, metadata = base.read(self, source_path)
        if apply is not None:
            for field in ("title", "summary"):
                if isinstance(metadata.get(field), str):
                    metadata[field] = type(metadata[field])(apply(metadata[field]))
            content = apply(content) if content else content
        metadata[LOGGED] = checks.problems[before:] if checks is not None else []
        cache.read_now.add(source_path)
        return content, metadata

    readers.reader_classes["md"] = type(f"Cached{base.__name__}", (base,), {"read": read})


def replay(content) -> None:
    """An article or page read from the cache: the problems logged when it was read, again."""
    cache, checks = cache_of(content.settings), content.settings.get("_content_checks")
    logged = content.metadata.get(LOGGED)
    if cache is None or checks is None or content.source_path in cache.read_now:
        return  # read in this build: its problems were recorded as they were logged
    checks.problems.extend(logged or [])


def read_ahead(generator) -> None:
    """A cold build reads on every processor: the articles not in the cache are shared out
    among forked children (parallel.share_out), each reading its share with the same reader
    as this process reads its own; what they read goes into Pelican's content cache, where
    the generator then finds it. The result is the same as reading them one by one."""
    settings, readers = generator.settings, generator.readers
    if cache_of(settings) is None or "md" not in readers.readers:
        return
    files = generator.get_files(settings["ARTICLE_PATHS"], exclude=settings["ARTICLE_EXCLUDES"])
    paths = [os.path.abspath(os.path.join(generator.path, f)) for f in files]
    todo = [p for p in paths if p.endswith(".md") and readers.get_cached_data(p) is None]
    if workers_for(todo, settings) == 1:
        return  # few, or one processor: the generator reads them one by one
    reader = readers.readers["md"]

    def read(share: list[str]) -> list[tuple[str, tuple]]:
        done = []
        for path in share:
            try:
                content, metadata = reader.read(path)
            except Exception:  # noqa: BLE001, S112 - the generator reads it again and reports
                continue
            # What Pelican's Readers.read_file does with a reader's metadata before its cache.
            done.append((path, (content, _filter_discardable_metadata(metadata))))
        return done

    for path, data in share_out(todo, read, min(processors(settings), MAX_WORKERS)):
        readers.cache_data(path, data)


def templates(generator) -> None:
    """Every template of this generator renders through the page cache."""
    if (cache := cache_of(generator.settings)) is not None:
        generator.env.template_class = CachedTemplate
        # Templates compiled once per fingerprint, not in every build.
        (cache.folder / "jinja").mkdir(exist_ok=True)
        generator.env.bytecode_cache = FileSystemBytecodeCache(str(cache.folder / "jinja"))
        generator.env.build_cache = (cache, generator.context, generator.settings)
        track_reads(generator.env)


class NothingToPreview(Exception):
    """The saved files are not the source of any article or page: only a full build will do."""


def writes(settings: dict, name: str | None = None) -> bool:
    """Whether the writer writes the page `name` (relative to the output folder): in a preview,
    only the saved files' own pages. Without a name: whether everything is written (the site
    is whole: not a preview)."""
    only = settings.get(ONLY)
    return only is None or (name is not None and os.path.normpath(name) in only)


CONTENT_LISTS = ("articles", "translations", "drafts", "drafts_translations", "hidden_articles",
                 "hidden_translations", "pages", "hidden_pages", "draft_pages",
                 "draft_translations")  # fmt: skip


def addressed(generators: list) -> list[Content]:
    """Every article and page the article and page generators hold, whatever its status,
    that has an address (save_as)."""
    return [content for generator in generators
            if isinstance(generator, ArticlesGenerator | PagesGenerator)
            for name in CONTENT_LISTS for content in getattr(generator, name, [])
            if content.save_as]  # fmt: skip


def fix_addresses(generators: list) -> None:
    """Every article and page has its address for good: each keeps it, as Pelican's own
    override_url and override_save_as, so that the thousands of times templates, page keys and
    checks ask for it, it is not formatted from the settings again (Content.url_format copies
    the metadata each time: rendering a cold build's pages at 1,000 articles takes 16 % fewer
    function calls without it)."""
    if not generators or cache_of(generators[0].settings) is None:
        return
    for content in addressed(generators):
        content.override_url, content.override_save_as = content.url, content.save_as


def select(generators: list) -> None:
    """A preview: every article and page is read and has its address; the saved files' pages,
    and only those, will be written."""
    settings = generators[0].settings if generators else {}
    sources = {os.path.abspath(p) for p in settings.get(PREVIEW) or ()}
    if not sources or cache_of(settings) is None:
        return
    only = {os.path.normpath(c.save_as) for c in addressed(generators)
            if os.path.abspath(c.source_path) in sources}  # fmt: skip
    if not only:
        raise NothingToPreview(f"no article or page comes from {', '.join(sorted(sources))}")
    settings[ONLY] = only


def finish(pelican) -> None:
    """The build succeeded (content_checks' finalized would have raised): keep the caches."""
    if (cache := cache_of(pelican.settings)) is not None:
        only = pelican.settings.get(ONLY)
        if only is not None:  # a preview: the pages written, for tasks.py to serve
            out = pelican.output_path
            written = sorted(p for p in only if os.path.isfile(os.path.join(out, p)))
            with open(os.path.join(out, PREVIEW_LIST), "w", encoding="utf-8") as handle:
                json.dump(written, handle)
        cache.save(preview=only is not None)
        logger.info("Pages rendered: %d, from the cache: %d", len(cache.rendered), cache.hits)
        pelican.settings.pop(STATE, None)


def register() -> None:
    from .writer import get_generators

    # initialized: before any generator exists: the fingerprint, Pelican's cache settings.
    signals.initialized.connect(start)
    # readers_init: the Markdown reader typesets, and keeps what was logged while it read.
    signals.readers_init.connect(readers)
    # article_generator_init: its reader and cache exist, nothing is read yet: read ahead.
    signals.article_generator_init.connect(read_ahead)
    # content_object_init: an article or page read from the cache reports its read's problems.
    signals.content_object_init.connect(replay)
    # article_generator_pretaxonomy: every generator has loaded its cache: CACHE_PATH back.
    signals.article_generator_pretaxonomy.connect(restore_cache_path)
    # generator_init: each generator's Jinja environment renders through the page cache.
    signals.generator_init.connect(templates)
    # all_generators_finalized: every article and page has its address: kept on each, and a
    # preview's pages chosen.
    signals.all_generators_finalized.connect(fix_addresses)
    signals.all_generators_finalized.connect(select)
    # get_generators: last of the plugins' generators (PLUGINS order), so that every page is
    # handed to the writer before it renders them all at once (writer.py).
    signals.get_generators.connect(get_generators)
    # finalized: after content_checks' (PLUGINS order): reached only by a successful build.
    signals.finalized.connect(finish)
