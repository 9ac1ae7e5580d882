"""Every file the build will write, known before anything is written, and where it comes from.

One plan for the whole build. Pelican's own outputs are listed here (articles, pages and drafts,
tag, category and author pages, the direct templates and template pages, feeds, static files,
the theme's files, known plugins' files such as the sitemap); every other plugin declares its
own by answering the named blinker signal PLAN, without importing anything of ours:

    blinker.signal("rebalance.plan_outputs").connect(receiver)
    def receiver(generators) -> list[dict]:  # at all_generators_finalized
        return [{"path": "images/cards/knee.png", "source": article.source_path,
                 "line": None, "what": "the sharing picture of …", "fix": "…",
                 "folder": False, "drop": callable or None}]

`path` is relative to the output folder; `folder` claims everything below it (the search
index's folder); `drop` is called when this output is refused, so the plugin does not write it;
`message`, if given, is what the author reads instead of the general words ("{other}" in it is
replaced by what the colliding output is).

Two outputs collide when a case-insensitive file system would take them for one file (macOS,
Windows and many hosts compare names so, after Unicode normalisation: NFC here), or when one
needs as a folder a name the other writes as a file. Each collision is reported against the
author's file and line where there is one (a redirect, a tag, a picture...), and that output is
not written, so the build ends with the report rather than a traceback.
"""

from __future__ import annotations

import math
import os
import posixpath
import unicodedata
from pathlib import Path

import blinker
from pelican.generators import ArticlesGenerator, StaticGenerator

from .collector import Problem, checks_of

PLAN = "rebalance.plan_outputs"


def folded(path: str) -> str:
    """A path as a case-insensitive, Unicode-normalising file system compares it."""
    path = posixpath.normpath(str(path).replace(os.sep, "/")).lstrip("/")
    return unicodedata.normalize("NFC", path).casefold()


def _lines(content) -> dict:
    return ((content.metadata.get("_content_problems") or {}).get("lines")) or {}


def _content_outputs(generators, checks) -> list[dict]:
    from .sources import addressed  # the lists of every article and page, whatever its status

    found = []
    for content in addressed(generators):
        lines = _lines(content)
        found.append({"path": content.save_as, "source": content.source_path,
                      "line": lines.get("slug") or lines.get("title"), "kind": "content",
                      "url": content.url, "slug": content.slug,
                      "what": f"the page of {checks.shown(content.source_path)}",
                      "fix": 'Give it another "Slug:" line.'})  # fmt: skip
    return found


def _taxonomy_outputs(generator: ArticlesGenerator, settings: dict) -> list[dict]:
    """Tag, category and author pages and feeds, blamed on the first article naming each."""
    found = []
    kinds = [("tag", "tags", list(generator.tags.items())),
             ("category", "category", list(generator.categories)),
             ("author", "author", list(generator.authors))]  # fmt: skip
    for kind, key, items in kinds:
        for item, articles in items:
            # A clinician who only reviews has an author page and no article (plugins/clinicians).
            first = min(articles, key=lambda a: a.source_path) if articles else None
            line = _lines(first).get(key) or _lines(first).get(f"{key}s") if first else None
            source = getattr(item, "source_path", None) or (first and first.source_path)
            base = {"source": source, "line": line, "kind": kind, "name": str(item),
                    "fix": f"Give the {kind} another name."}  # fmt: skip
            if not item.slug:
                found.append({**base, "path": "", "empty": True})
                continue
            if item.save_as:
                found.append({**base, "path": item.save_as,
                              "what": f'the page of the {kind} "{item}"'})  # fmt: skip
            for feed in ("ATOM", "RSS"):
                pattern = settings.get(f"{kind.upper()}_FEED_{feed}")
                if pattern:
                    found.append({**base, "path": pattern.format(slug=item.slug),
                                  "what": f'the feed of the {kind} "{item}"'})  # fmt: skip
    return found


def _site_outputs(generators, settings: dict) -> list[dict]:
    """What the site writes whatever the content: lists, feeds, template pages, theme files."""
    site = []
    for name in settings.get("DIRECT_TEMPLATES", []):
        path = settings.get(f"{name.upper()}_SAVE_AS", f"{name}.html")
        if path:
            site.append((path, f"the {name} page"))
    site += [(path, f"the {name} page") for name, path in
             (settings.get("TEMPLATE_PAGES") or {}).items()]  # fmt: skip
    for key, value in settings.items():
        feed = key.endswith(("_FEED_ATOM", "_FEED_RSS")) and key.startswith(("FEED", "TRANSL"))
        if feed and isinstance(value, str) and value and "{" not in value:
            site.append((value, "a feed of the site"))
    if settings.get("FEED_ALL_ATOM"):
        site.append((settings["FEED_ALL_ATOM"], "the feed of all articles"))
    articles = next((g for g in generators if isinstance(g, ArticlesGenerator)), None)
    per_page = settings.get("DEFAULT_PAGINATION") or 0
    if articles is not None and per_page:
        pages = math.ceil(len(articles.articles) / per_page)
        patterns = [p for p in settings.get("PAGINATION_PATTERNS", ()) if p[0] > 1]
        for number in range(2, pages + 1):
            for _, _, pattern in patterns[-1:]:
                path = pattern.format(base_name="", number=number).lstrip("/")
                site.append((path, "a page of the home page's list"))
    theme = Path(settings["THEME"])
    for folder in settings.get("THEME_STATIC_PATHS", []):
        root = theme / folder
        files = [p for p in root.rglob("*") if p.is_file()] if root.is_dir() else []
        for file in files:
            relative = file.relative_to(root if root.is_dir() else root.parent).as_posix()
            site.append((posixpath.join(settings["THEME_STATIC_DIR"], relative),
                         "a file of the theme"))  # fmt: skip
    plugins = {p if isinstance(p, str) else getattr(p, "__name__", "") for p in
               settings.get("PLUGINS") or []}  # fmt: skip
    if {"pelican.plugins.sitemap", "sitemap"} & plugins:
        form = (settings.get("SITEMAP") or {}).get("format", "xml")
        site.append((f"sitemap.{form}", "the sitemap"))
    return [{"path": path, "source": None, "line": None, "kind": "site", "what": what}
            for path, what in site]  # fmt: skip


def _static_outputs(generators, checks) -> list[dict]:
    found = []
    for generator in generators:
        if not isinstance(generator, StaticGenerator):
            continue
        root = os.path.abspath(generator.settings["PATH"]) + os.sep
        for static in list(generator.staticfiles):
            if not os.path.abspath(static.source_path).startswith(root):
                continue  # made by a plugin (a card, a picture's size): declared by it (PLAN)

            def drop(generator=generator, static=static) -> None:
                if static in generator.staticfiles:
                    generator.staticfiles.remove(static)

            found.append({"path": static.save_as, "source": static.source_path, "line": None,
                          "kind": "static", "drop": drop, "fix": "Rename the file.",
                          "what": f"the file {checks.shown(static.source_path)}"})  # fmt: skip
    return found


def plan(generators: list) -> None:
    """all_generators_finalized: every output of the build, compared before any is written."""
    settings = generators[0].settings if generators else {}
    checks = checks_of(settings)
    if checks is None:
        return
    entries = _content_outputs(generators, checks) + _site_outputs(generators, settings)
    entries += _static_outputs(generators, checks)
    for generator in generators:
        if isinstance(generator, ArticlesGenerator):
            entries += _taxonomy_outputs(generator, settings)
    for receiver, answer in blinker.signal(PLAN).send(generators):
        for entry in answer or ():
            if isinstance(entry, dict) and entry.get("path"):
                entries.append({"kind": getattr(receiver, "__module__", "a plugin"), **entry})
    for entry in [e for e in entries if e.get("empty")]:
        checks.add(entry["source"], entry["line"], "name-empty", subject=entry["name"],
                   kind=entry["kind"], name=entry["name"])  # fmt: skip
    entries = [e for e in entries if not e.get("empty")]
    for loser, winner, how in collisions(entries):
        refuse(checks, loser, winner, how)


def collisions(entries: list[dict]):
    """(entry, the one it collides with, how) for each output that cannot be written beside
    another: the same file on a case-insensitive file system, a file where another needs a
    folder, or a file in a folder another claims whole."""
    by_key: dict[str, dict] = {}
    folders: dict[str, dict] = {}  # every folder some output needs -> the first such output
    claimed: list[tuple[str, dict]] = []  # folders claimed whole
    for entry in entries:
        key = folded(entry["path"])
        if entry.get("folder"):
            claimed.append((key, entry))
            continue
        parts = key.split("/")
        for n in range(1, len(parts)):
            folders.setdefault("/".join(parts[:n]), entry)
    for entry in entries:
        if entry.get("folder"):
            continue
        key = folded(entry["path"])
        other = by_key.get(key)
        if other is None:
            by_key[key] = entry
        elif not _same(entry, other):
            how = "same" if other["path"] == entry["path"] else "case"
            yield from _blame(entry, other, how)
        if key in folders and folders[key] is not entry:
            yield from _blame(entry, folders[key], "folder")
        for folder, owner in claimed:
            if (key == folder or key.startswith(folder + "/")) and owner.get("kind") != entry.get(
                "kind"
            ):
                yield from _blame(entry, owner, "claimed")


def _same(one: dict, other: dict) -> bool:
    """Two declarations of one output (the same file from the same source)."""
    return one["path"] == other["path"] and one.get("source") == other.get("source") and (
        one.get("kind") == other.get("kind"))  # fmt: skip


RANK = {"site": 0, "content": 1, "static": 2, "tag": 3, "category": 3, "author": 3}
OTHER = 4  # what a plugin declares (a redirect, a card, a picture)


def _rank(entry: dict) -> int:
    if not entry.get("source"):
        return 0  # the site's own
    return RANK.get(entry.get("kind", ""), OTHER) + (10 if entry.get("draft") else 0)


def _blame(one: dict, other: dict, how: str):
    """Which of two colliding outputs gives way: the site's own outputs first, then pages,
    then published files, then tag and category pages, then what plugins make for an author's
    file (a redirect, a card, a picture); a draft's after any published one's. Of two alike,
    both are reported. Two contents at one address are reported by sources.check_addresses."""
    if one.get("kind") == other.get("kind") == "content" and how == "same":
        return
    ranks = (_rank(one), _rank(other))
    if ranks[0] == ranks[1] == 0:
        yield one, other, how  # two of the site's own: for whoever maintains it
        return
    if ranks[0] >= ranks[1]:
        yield one, other, how
    if ranks[1] >= ranks[0]:
        yield other, one, how


def refuse(checks, loser: dict, winner: dict, how: str) -> None:
    """Reports an output that cannot be written, and keeps it from being written."""
    theirs = winner["path"].lstrip("/")
    why = {"same": "",
           "case": f' (on a case-insensitive file system, as many hosts have, "/{theirs}" is '
                   "the same file)",
           "folder": f" (it needs that name as a folder, for /{theirs})",
           "claimed": f" (its folder /{theirs.rstrip('/')}/ belongs to it)"}[how]  # fmt: skip
    if how == "folder" and folded(winner["path"]).startswith(folded(loser["path"]) + "/"):
        why = f" (it needs /{loser['path'].lstrip('/')} as a folder, for /{theirs})"
    if loser.get("kind") == "content" and not winner.get("source"):  # the site's own address
        checks.add(loser["source"], loser.get("line"), "slug-reserved", subject="slug",
                   url=loser["url"], owner=winner.get("what") or "the site",
                   example=f"about-{loser['slug']}")  # fmt: skip
        checks.refused.add(folded(loser["path"]))
        return
    if isinstance(loser.get("message"), str):  # the plugin's own words, with {other} to fill
        text = loser["message"].replace("{other}", winner.get("what") or "the site")
        checks.keep(Problem(loser.get("source"), loser.get("line"), text, loser["path"]))
        checks.refused.add(folded(loser["path"]))
        if callable(loser.get("drop")):
            loser["drop"]()
        return
    values = {"url": loser["path"].lstrip("/"), "other": winner.get("what") or "the site",
              "why": why, "fix": loser.get("fix") or "Choose another name."}  # fmt: skip
    checks.add(loser.get("source"), loser.get("line"), "address-taken",
               subject=loser["path"], **values)  # fmt: skip
    checks.refused.add(folded(loser["path"]))
    if callable(loser.get("drop")):
        loser["drop"]()
