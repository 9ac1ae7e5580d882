"""plugins/build_cache: Pelican's own content cache, with typogrify inside it. A rebuild reads
only the files that changed, and its site is exactly the site a build from nothing makes.

Every build here is a real one (rebalance.build.build_site, as `invoke build` runs it) of the
real content plus a generated corpus (rebalance/corpus.py), compared file by file (the sitemap's
<lastmod> of list pages is the build time, so it is left out of the comparison).
"""

from __future__ import annotations

import pickle
import re
import shutil
from pathlib import Path

import pytest
from conftest import TRUST, build_here, content_with

from rebalance.build import DEV_SETTINGS, ROOT, build_site
from rebalance.corpus import make_corpus

LASTMOD = re.compile(rb"<lastmod>[^<]*</lastmod>")  # the sitemap stamps lists with the build time


def build(content: Path, output: Path, cache: Path, **settings) -> bool:
    return build_site(
        DEV_SETTINGS, output, {"PATH": str(content), "CACHE_PATH": str(cache), **settings}
    )


def newest(cache: Path) -> Path:
    """The fingerprint folder the last build used."""
    return max((cache / "build").iterdir(), key=lambda p: p.stat().st_mtime)


def cached_reads(cache: Path) -> dict[str, str]:
    """What Pelican's content cache holds for each article: its text, as the reader gave it."""
    with open(newest(cache) / "ArticlesGenerator-Readers", "rb") as handle:
        kept = pickle.load(handle)
    return {Path(path).name: data[0] for path, (_, data) in kept.items()}


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
    assert len(cached_reads(cache)) == len(list((corpus / "articles").glob("*.md")))
    assert build(corpus, tmp_path / "again", cache)
    assert_same_site(tmp_path / "again", tmp_path / "first")

    # One body changed: the cache holds its new text, typeset ("One more&nbsp;sentence.": the
    # typogrify Pelican would run after its cache ran inside it), and the feeds carry it.
    body = articles(corpus)[4]
    body.write_text(body.read_text(encoding="utf-8") + "\nOne more sentence.\n", "utf-8")
    assert build(corpus, tmp_path / "body", cache)
    assert "One more&nbsp;sentence." in cached_reads(cache)[body.name]
    feed = Path("feeds") / "all.atom.xml"
    assert "One more" not in (tmp_path / "again" / feed).read_text()
    assert "One more" in (tmp_path / "body" / feed).read_text()

    # A new title (neighbours and lists show it), other tags, one article gone, one new one;
    # and a body with more words and sections (its reading time and contents).
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
    assert build(corpus, tmp_path / "fresh", tmp_path / "fresh-cache")
    assert_same_site(tmp_path / "edited", tmp_path / "fresh")
    page = (tmp_path / "edited" / "blog" / "tag" / "a-brand-new-tag" / "index.html").read_text()
    assert "A New One" not in page and ">Tags:" not in page
    slug = re.search(r"^Slug: (.*)$", some[7].read_text("utf-8"), re.M)[1]
    assert 'href="#part-2"' in (tmp_path / "edited" / "blog" / slug / "index.html").read_text()


def test_an_unchanged_file_is_taken_from_the_cache_not_read_again(tmp_path, corpus):
    """What the cache holds for an unchanged file is what the next build publishes (here a
    marked copy, put there by hand): the file was not read or typeset again. Its own edit
    makes the build read it afresh."""
    cache = tmp_path / "cache"
    assert build(corpus, tmp_path / "first", cache)
    target = articles(corpus)[3]
    path = newest(cache) / "ArticlesGenerator-Readers"
    with open(path, "rb") as handle:
        kept = pickle.load(handle)
    key = next(k for k in kept if Path(k).name == target.name)
    stamp, (text, metadata) = kept[key]
    kept[key] = (stamp, (text.replace("<p>", "<p>FROM-THE-CACHE ", 1), metadata))
    with open(path, "wb") as handle:
        pickle.dump(kept, handle)
    slug = re.search(r"^Slug: (.*)$", target.read_text("utf-8"), re.M)[1]
    assert build(corpus, tmp_path / "second", cache)
    assert "FROM-THE-CACHE" in (tmp_path / "second" / "blog" / slug / "index.html").read_text()
    target.write_text(target.read_text("utf-8") + "\nAn edit.\n", "utf-8")
    assert build(corpus, tmp_path / "third", cache)
    assert "FROM-THE-CACHE" not in (tmp_path / "third" / "blog" / slug / "index.html").read_text()


def test_a_theme_or_settings_change_starts_from_an_empty_cache(tmp_path, corpus):
    theme, cache = tmp_path / "theme", tmp_path / "cache"
    shutil.copytree(ROOT / "theme", theme)
    assert build(corpus, tmp_path / "first", cache, THEME=str(theme))
    first = newest(cache)

    edit(theme / "templates" / "base.html", r"</main>", "</main><p>Footer note 42</p>")
    assert build(corpus, tmp_path / "theme-changed", cache, THEME=str(theme))
    assert newest(cache) != first and (first).is_dir()  # a new fingerprint; the old one kept
    page = tmp_path / "theme-changed" / "index.html"
    assert "Footer note 42" in page.read_text(encoding="utf-8")

    assert build(corpus, tmp_path / "renamed", cache, THEME=str(theme), SITENAME="Rebalanced")
    assert len(list((cache / "build").iterdir())) == 3
    assert_same_site(tmp_path / "renamed", _fresh(tmp_path, corpus, THEME=str(theme),
                                                    SITENAME="Rebalanced"))  # fmt: skip


def _fresh(tmp_path: Path, content: Path, **settings) -> Path:
    output = tmp_path / "fresh"
    shutil.rmtree(output, ignore_errors=True)
    assert build(content, output, tmp_path / "fresh-cache", **settings)
    return output


def test_the_cache_changes_nothing_in_the_site(tmp_path):
    """Typogrify runs in the reader while the plugin is on, and a cold build reads the articles
    on every processor (60: past READ_AHEAD_MIN): the site is byte for byte the one Pelican
    makes without the plugin, one file at a time, cold and from the cache."""
    from pelican.settings import read_settings

    corpus = make_corpus(tmp_path / "content", 60)
    plugins = [p for p in read_settings(str(DEV_SETTINGS))["PLUGINS"] if "build_cache" not in p]
    assert build(corpus, tmp_path / "plain", tmp_path / "plain-cache", PLUGINS=plugins)
    assert not (tmp_path / "plain-cache" / "build").exists()
    assert build(corpus, tmp_path / "cached", tmp_path / "cache")
    assert_same_site(tmp_path / "cached", tmp_path / "plain")
    assert build(corpus, tmp_path / "again", tmp_path / "cache")
    assert_same_site(tmp_path / "again", tmp_path / "plain")
    article = tmp_path / "cached" / "blog" / "unlocking-relief-the-many-benefits-of-dry-needling"
    html = (article / "index.html").read_text("utf-8")
    assert "&#8217;" in html and "&amp;#8217;" not in html  # typeset once: curly, not escaped


def test_problems_are_reported_on_every_build_until_fixed(tmp_path):
    """A problem is never hidden by the cache, nor lost by a file read in another process (60
    articles: read ahead on every processor): what the reader, the metadata checks and the
    checks of written pages find is reported again by the next build of the same files."""
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


def test_a_clinicians_profile_edit_shows_wherever_the_profile_does(tmp_path):
    """content/authors/ is read by plugins/clinicians, not by Pelican's cached reader: an edited
    bio reaches the clinician's page and the bylines of their articles, as from nothing."""
    content, cache = content_with(tmp_path, TRUST), tmp_path / "cache"
    assert build(content, tmp_path / "first", cache)
    profile = content / "authors" / "alex-example.md"
    profile.write_text(profile.read_text("utf-8") + "\nAlex also teaches balance classes.\n")
    assert build(content, tmp_path / "edited", cache)
    assert_same_site(tmp_path / "edited", _fresh(tmp_path, content))
    page = tmp_path / "edited" / "blog" / "author" / "alex-example" / "index.html"
    assert "balance classes" in page.read_text(encoding="utf-8")
