"""Shared by the bench scripts: build our site and plain Pelican on the same content."""

from __future__ import annotations

import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rebalance.build import DEV_SETTINGS, ROOT, build_site, read

# The page types a reader meets, as URL paths in our build and in a plain Pelican build.
ARTICLE_SLUG = "unlocking-relief-the-many-benefits-of-dry-needling"
OURS = {
    "home": "index.html",
    "article": f"blog/{ARTICLE_SLUG}/index.html",
    "page": "about/index.html",
    "contact": "contact/index.html",
    "archives": "blog/archives/index.html",
    "categories": "blog/categories/index.html",
    "category": "blog/category/treatments/index.html",
    "tags": "blog/tags/index.html",
    "tag": "blog/tag/dry-needling/index.html",
    "authors": "blog/authors/index.html",
    "author": "blog/author/rebalance-team/index.html",
    "404": "404.html",
    "search": "search/index.html",
}
PLAIN = {
    "home": "index.html",
    "article": f"{ARTICLE_SLUG}.html",
    "page": "pages/about.html",
    "contact": "pages/contact.html",
    "archives": "archives.html",
    "categories": "categories.html",
    "category": "category/treatments.html",
    "tags": "tags.html",
    "tag": "tag/dry-needling.html",
    "authors": "authors.html",
    "author": "author/rebalance-team.html",
}


def arguments(count: int, runs: int) -> tuple[int, int]:
    """The command line's two numbers (how many articles or copies, how many runs), else these
    defaults: every bench script takes them in that order."""
    given = sys.argv[1:3]
    return (int(given[0]) if given else count, int(given[1]) if len(given) > 1 else runs)


def corpora(tmp: Path, articles: int) -> dict[str, Path]:
    """The real content/ and a varied corpus of `articles` more (bench/corpus.py), by name."""
    from rebalance.corpus import make_corpus

    return {
        "real content (1 article, 2 pages)": ROOT / "content",
        f"varied ({articles} articles + real)": make_corpus(tmp / "varied", articles),
    }


def timed(build, *args, **kwargs) -> tuple[float, float]:
    """(wall, CPU) seconds of build(*args, **kwargs), run in child processes."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    build(*args, **kwargs)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def medians(samples: list[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples)


def plain_corpus(content: Path, into: Path) -> Path:
    """A copy of `content` that plain Pelican can build: our `Template:` lines removed."""
    shutil.copytree(content, into)
    for md in into.rglob("*.md"):
        text = md.read_text(encoding="utf-8")
        md.write_text(re.sub(r"(?m)^Template:.*\n", "", text), encoding="utf-8")
    return into


def build_ours(content: Path, output: Path, cache: Path | None = None,
               search: bool = True, fork: bool = False) -> None:  # fmt: skip
    """Our build, exactly as `invoke build` runs it. cache: a CACHE_PATH of its own (an empty
    folder: a cold build, with nothing drawn, encoded, read or rendered before); search=False
    leaves the search index out (index_search times it apart); fork: in a child forked from
    this process, as `make serve` builds (call tasks._warm_up first, as serve does)."""
    overrides: dict = {"PATH": str(content)}
    if cache is not None:
        overrides["CACHE_PATH"] = str(cache)
    if not search:
        overrides["SEARCH_INDEX"] = {**read(DEV_SETTINGS)["SEARCH_INDEX"], "defer": True}
    if not build_site(DEV_SETTINGS, output, overrides=overrides, fork=fork):
        raise SystemExit("our build failed")


def index_search(output: Path) -> None:
    """The search index of a site built with search=False, as the build would make it."""
    from rebalance.plugins.search_index.search_index import index_parts, settings_for

    index_parts(output, settings_for(read(DEV_SETTINGS)))


def build_plain(content: Path, output: Path, cache: Path | None = None) -> None:
    """Plain Pelican 4.12: default theme (notmyidea), default settings, no plugins. cache: with
    Pelican's own content cache on (CACHE_CONTENT, LOAD_CONTENT_CACHE) in that folder, which
    Pelican's defaults leave off."""
    cached = f"CACHE_CONTENT = LOAD_CONTENT_CACHE = True\nCACHE_PATH = {str(cache)!r}\n"
    with tempfile.TemporaryDirectory() as tmp:
        settings = Path(tmp) / "plainconf.py"
        settings.write_text(
            f"PATH = {str(content)!r}\nTIMEZONE = 'UTC'\nAUTHOR = 'Rebalance Team'\n"
            "SITENAME = 'Rebalance'\nTYPOGRIFY = True\n" + (cached if cache else ""),
            encoding="utf-8",
        )
        subprocess.run(
            [sys.executable, "-m", "pelican", "-s", str(settings), "-o", str(output), "-q"],
            check=True,
            stdout=subprocess.DEVNULL,
        )


def touch_one(content: Path) -> None:
    """Edits one article a little, as an author saving a change would."""
    articles = sorted((content / "articles").glob("*.md"))
    article = articles[len(articles) // 2]
    article.write_text(article.read_text(encoding="utf-8") + "\nOne more sentence.\n", "utf-8")
