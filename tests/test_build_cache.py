"""plugins/build_cache: a rebuild reuses what did not change, and its site is exactly the site a
build from nothing makes, whatever changed: articles, tags, the theme, the settings.

Every build here is a real one (tasks.build_site, as `invoke build` runs it) of the real content
plus a dozen generated articles (bench/corpus.py), with a cache folder of the test's own.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
from pathlib import Path

import pytest
from conftest import TRUST, build_here, content_with

from rebalance.build import DEV_SETTINGS, ROOT, build_site, preview_site
from rebalance.plugins.build_cache.parallel import FORK_MIN

# bench/corpus.py, loaded by its path: bench/ on sys.path would hide plugins of the same name.
_spec = importlib.util.spec_from_file_location("bench_corpus", ROOT / "bench" / "corpus.py")
_corpus = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_corpus)
make_corpus = _corpus.make_corpus

LASTMOD = re.compile(rb"<lastmod>[^<]*</lastmod>")  # the sitemap stamps lists with the build time


def build(content: Path, output: Path, cache: Path, **settings) -> bool:
    return build_site(
        DEV_SETTINGS, output, {"PATH": str(content), "CACHE_PATH": str(cache), **settings}
    )


def stats(cache: Path) -> dict:
    """What the last successful build with this cache reused (plugins/build_cache writes it)."""
    newest = max((cache / "build").iterdir(), key=lambda p: p.stat().st_mtime)
    return json.loads((newest / "last-build.json").read_text(encoding="utf-8"))


def kept_feeds(cache: Path) -> dict[str, int]:
    """The feeds the last successful build kept (plugins/build_cache/writer.py), each entry's
    inode: a feed written again is a new file."""
    newest = max((cache / "build").iterdir(), key=lambda p: p.stat().st_mtime)
    return {p.name: p.stat().st_ino for p in (newest / "pages").glob("feed-*")}


def files(output: Path) -> dict[str, bytes]:
    found = {}
    for path in sorted(output.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            found[path.relative_to(output).as_posix()] = (
                LASTMOD.sub(b"", data) if path.name == "sitemap.xml" else data
            )
    return found


def assert_same_site(built: Path, expected: Path) -> None:
    got, want = files(built), files(expected)
    assert sorted(got) == sorted(want), set(got) ^ set(want)
    different = [name for name in want if got[name] != want[name]]
    assert not different, f"differs from a build from nothing: {different[:10]}"


@pytest.fixture
def corpus(tmp_path) -> Path:
    return make_corpus(tmp_path / "content", 12)


def articles(content: Path) -> list[Path]:
    return sorted((content / "articles").glob("*bench*.md"))


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert re.search(old, text, re.M), f"{old!r} not in {path.name}"
    path.write_text(re.sub(old, new, text, count=1, flags=re.M), encoding="utf-8")


def test_rebuild_after_edits_is_the_site_built_from_nothing(tmp_path, corpus):
    cache = tmp_path / "cache"
    assert build(corpus, tmp_path / "first", cache)
    total = stats(cache)["rendered"]
    assert stats(cache)["reused"] == 0
    feeds = kept_feeds(cache)
    assert len(feeds) == len(list((tmp_path / "first" / "feeds").iterdir()))
    # Nothing changed: every page and feed comes from the cache, and no page is checked again.
    assert build(corpus, tmp_path / "again", cache)
    assert stats(cache)["rendered"] == 0 and stats(cache)["reused"] == total
    assert kept_feeds(cache) == feeds
    assert stats(cache)["checks: new"] == 0
    assert_same_site(tmp_path / "again", tmp_path / "first")

    # One body changed: only the pages that show or link to that article are rendered again
    # (its own, its neighbours', the lists it is on), and only its own page changed.
    body = articles(corpus)[4]
    body.write_text(body.read_text(encoding="utf-8") + "\nOne more sentence.\n", "utf-8")
    assert build(corpus, tmp_path / "body", cache)
    slug = re.search(r"^Slug: (.*)$", body.read_text("utf-8"), re.M)[1]
    showing = [p for p in (tmp_path / "body").rglob("*.html") if f"/blog/{slug}/" in p.read_text()]
    assert 1 <= stats(cache)["rendered"] <= len(showing) < total, (stats(cache), len(showing))
    assert stats(cache)["checks: new"] == 1
    # The feeds are kept too, by what their entries hold: the new sentence ("One
    # more&nbsp;sentence.", typeset) is in them.
    feed = Path("feeds") / "all.atom.xml"
    assert "One more" not in (tmp_path / "again" / feed).read_text()
    assert "One more" in (tmp_path / "body" / feed).read_text()

    # A new title (neighbours and lists show it), other tags, one article gone, one new one;
    # and a body with more words and sections (its reading time and contents, kept by text).
    some = articles(corpus)
    sections = "".join(f"\n## Part {n}\n\n" + "Word after word. " * 200 for n in range(3))
    some[7].write_text(some[7].read_text("utf-8") + sections, "utf-8")
    edit(some[2], r"^Title: .*$", "Title: A Completely New Title")
    edit(some[5], r"^Tags: .*$", "Tags: knee pain, a brand new tag")
    some[-1].unlink()  # the newest: the others link only to older ones
    new = corpus / "articles" / "2026-01-02-a-new-one.md"
    shutil.copy(some[9], new)
    edit(new, r"^Title: .*$", "Title: A New One")
    edit(new, r"^Slug: .*$", "Slug: a-new-one")
    assert build(corpus, tmp_path / "edited", cache)
    assert stats(cache)["reused"] > 0
    assert build(corpus, tmp_path / "fresh", tmp_path / "fresh-cache")
    assert_same_site(tmp_path / "edited", tmp_path / "fresh")
    page = (tmp_path / "edited" / "blog" / "tag" / "a-brand-new-tag" / "index.html").read_text()
    assert "A New One" not in page and ">Tags:" not in page
    slug = re.search(r"^Slug: (.*)$", some[7].read_text("utf-8"), re.M)[1]
    assert 'href="#part-2"' in (tmp_path / "edited" / "blog" / slug / "index.html").read_text()


def test_a_theme_or_settings_change_rebuilds_every_page(tmp_path, corpus):
    theme, cache = tmp_path / "theme", tmp_path / "cache"
    shutil.copytree(ROOT / "theme", theme)
    assert build(corpus, tmp_path / "first", cache, THEME=str(theme))
    total = stats(cache)["rendered"]

    edit(theme / "templates" / "base.html", r"</main>", "</main><p>Footer note 42</p>")
    assert build(corpus, tmp_path / "theme-changed", cache, THEME=str(theme))
    assert stats(cache)["reused"] == 0 and stats(cache)["rendered"] == total
    page = tmp_path / "theme-changed" / "index.html"
    assert "Footer note 42" in page.read_text(encoding="utf-8")

    assert build(corpus, tmp_path / "renamed", cache, THEME=str(theme), SITENAME="Rebalanced")
    assert stats(cache)["reused"] == 0
    assert_same_site(tmp_path / "renamed", _fresh(tmp_path, corpus, THEME=str(theme),
                                                    SITENAME="Rebalanced"))  # fmt: skip


def _fresh(tmp_path: Path, content: Path, **settings) -> Path:
    output = tmp_path / "fresh"
    shutil.rmtree(output, ignore_errors=True)
    assert build(content, output, tmp_path / "fresh-cache", **settings)
    return output


def test_the_cache_changes_nothing_in_the_site(tmp_path):
    """Typogrify runs in the reader while the plugin is on, a cold build reads articles, draws
    social cards and renders pages on every processor, and pages come from the cache: the site
    is byte for byte the one Pelican makes without the plugin, one file at a time."""
    from pelican.settings import read_settings

    from rebalance.plugins.build_cache.parallel import processors

    corpus = make_corpus(tmp_path / "content", 60)  # enough to be read and drawn in parallel
    plugins = [p for p in read_settings(str(DEV_SETTINGS))["PLUGINS"] if p != "build_cache"]
    assert build(corpus, tmp_path / "plain", tmp_path / "plain-cache", PLUGINS=plugins)
    assert not (tmp_path / "plain-cache" / "build").exists()
    assert build(corpus, tmp_path / "cached", tmp_path / "cache")
    assert stats(tmp_path / "cache")["processes"] == processors()
    assert_same_site(tmp_path / "cached", tmp_path / "plain")
    article = tmp_path / "cached" / "blog" / "unlocking-relief-the-many-benefits-of-dry-needling"
    html = (article / "index.html").read_text("utf-8")
    assert "&#8217;" in html and "&amp;#8217;" not in html  # typeset once: curly, not escaped


def test_problems_are_reported_on_every_build_until_fixed(tmp_path):
    """A problem is never hidden by the cache, nor lost by a file read in parallel: what the
    reader, the metadata checks and the checks of written pages find is reported again by the
    next build of the same files."""
    corpus, cache = make_corpus(tmp_path / "content", 60), tmp_path / "cache"
    assert build_here(corpus, tmp_path / "ok", CACHE_PATH=str(cache)).code == 0
    one, two = articles(corpus)[1], articles(corpus)[3]
    edit(one, r"^Summary: .*$", "Summary: " + "Far too long. " * 20)
    one.write_text(one.read_text("utf-8") + "\n[the home page](javascript:alert(1))\n", "utf-8")
    edit(two, r"^Title: .*$", "Titel: A typo in the key")
    three = articles(corpus)[6]  # Python-Markdown's reader logs this one itself
    edit(three, r"^(Category: .*)$", r"\1\nCategory: Sport")
    (cache / "build").rename(tmp_path / "set-aside")  # the first run reads everything again
    reports = [build_here(corpus, tmp_path / f"run{n}", CACHE_PATH=str(cache)) for n in (1, 2)]
    for result in reports:
        assert result.code == 1
        assert f"content/articles/{one.name}" in result.stderr
        assert '"javascript:" addresses are not allowed' in result.stderr
        assert "Summary" in result.stderr and "Titel" in result.stderr
        assert f"content/articles/{three.name}" in result.stderr
    strip = re.compile(r"in [0-9.]+ seconds")
    assert strip.sub("", reports[0].stderr) == strip.sub("", reports[1].stderr)


def test_what_goes_wrong_in_a_page_rendered_elsewhere_is_reported(tmp_path):
    """Pages are rendered on every processor (plugins/build_cache/writer.py): a template that
    prints a missing value, or fails, on pages rendered in another process is reported as in
    this one, against the template and its line, and a page that failed is not written."""
    corpus, theme = make_corpus(tmp_path / "content", 12), tmp_path / "theme"
    shutil.copytree(ROOT / "theme", theme)
    odd = "('1', '3', '5', '7', '9')"
    edit(
        theme / "templates" / "article.html",
        r"\{\{ article\.title\|safe \}\}</h1>",
        "{{ article.title|safe }}{{ article['nope_' ~ article.slug] }}"
        f"{{% if article.slug.endswith({odd}) %}}{{{{ 1 // 0 }}}}{{% endif %}}</h1>",
    )
    output = tmp_path / "output"
    built = build_here(corpus, output, CACHE_PATH=str(tmp_path / "cache"), THEME=str(theme))
    assert built.code == 1
    slugs = {path: re.search(r"^Slug: (.*)$", path.read_text("utf-8"), re.M)[1]
             for path in articles(corpus)}  # fmt: skip
    failed = {path for path, slug in slugs.items() if slug.endswith(tuple("13579"))}
    assert failed and len(failed) < len(slugs)
    # Enough pages to be rendered on every processor (test_the_cache_changes_nothing_in_the_site
    # checks that they are): the pages are interleaved, so each process renders some articles.
    assert len(list(output.rglob("*.html"))) >= FORK_MIN
    assert re.search(r"^theme/templates/article\.html:\d+: the template has an error \(integer "
                     r"division or modulo by zero\)", built.stderr, re.M)  # fmt: skip
    for path, slug in slugs.items():
        assert f"no attribute 'nope_{slug}'" in built.stderr
        page = output / "blog" / slug / "index.html"
        if path in failed:
            assert not page.exists()
        else:
            assert page.is_file()


def test_a_clinicians_profile_edit_shows_wherever_the_profile_does(tmp_path):
    """content/authors/ is read by plugins/clinicians, not by Pelican's cached reader: an edited
    bio reaches the clinician's page and the bylines of their articles, as from nothing."""
    content, cache = content_with(tmp_path, TRUST), tmp_path / "cache"
    assert build(content, tmp_path / "first", cache)
    profile = content / "authors" / "alex-example.md"
    profile.write_text(profile.read_text("utf-8") + "\nAlex also teaches balance classes.\n")
    assert build(content, tmp_path / "edited", cache)
    assert stats(cache)["rendered"] > 0 and stats(cache)["reused"] > 0  # not every page
    assert_same_site(tmp_path / "edited", _fresh(tmp_path, content))
    page = tmp_path / "edited" / "blog" / "author" / "alex-example" / "index.html"
    assert "balance classes" in page.read_text(encoding="utf-8")


def test_a_preview_is_the_full_builds_page_and_nothing_else(tmp_path, corpus):
    """`make serve` shows a saved article's page before the rest of the site is rebuilt
    (tasks.preview_site, plugins/build_cache's PREVIEW): that page is byte for byte the one the
    full build makes, no other file of the served site changes, and revert() puts back exactly
    what was there. A file that is no article's source, or has problems, previews nothing."""
    cache, served = tmp_path / "cache", tmp_path / "served"
    settings = {"PATH": str(corpus), "CACHE_PATH": str(cache)}
    assert build(corpus, served, cache)
    before = files(served)
    body = articles(corpus)[4]
    body.write_text(body.read_text("utf-8") + "\nA sentence to preview, with a marker.\n", "utf-8")
    slug = re.search(r"^Slug: (.*)$", body.read_text("utf-8"), re.M)[1]
    page = f"blog/{slug}/index.html"

    shown = preview_site([body], DEV_SETTINGS, served, settings)
    assert shown is not None and shown.pages == [page]
    after = files(served)
    assert "A sentence to preview" in after[page].decode()
    # From nothing, not from this cache: the preview kept its page there, so a build from the
    # cache would hand the same page back whatever the preview got wrong.
    assert after[page] == files(_fresh(tmp_path, corpus))[page]
    assert sorted(after) == sorted(before)
    assert [name for name in before if after[name] != before[name]] == [page]
    shown.revert()
    assert files(served) == before

    logo = corpus / "extra" / "logo.png"  # a static file, no article's source
    assert logo.is_file() and preview_site([logo], DEV_SETTINGS, served, settings) is None
    edit(body, r"^Title: .*$", "Titel: A typo in the key")
    assert preview_site([body], DEV_SETTINGS, served, settings) is None
    assert files(served) == before
    assert not list(tmp_path.glob(".served.*")), "a preview leaves no folder behind"
