"""Every address the build writes is known before anything is written (content_checks'
addresses.py, with what plugins declare through the "rebalance.plan_outputs" signal): two that
collide, as a case-insensitive, Unicode-normalising file system compares them, fail the build
against the author's file and line, with no traceback, and output/ is left as it was."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import PROBLEM_LINE, content_with

from rebalance.build import DEV_SETTINGS, ROOT, build_site

ARTICLE = "articles/2026-11-20-knee.md"
SHOWN = f"content/{ARTICLE}"


def article(**header: str) -> str:
    fields = {"Title": "Knee pain", "Date": "2026-11-20", "Summary": "Why knees hurt.", **header}
    return "".join(f"{k}: {v}\n" for k, v in fields.items()) + "\nSome text.\n"


def build(content: Path, output: Path) -> tuple[int, str, list[tuple[str, int | None, str]]]:
    """`python -m pelican`, as `make build` runs it: exit status, what it printed, problems."""
    done = subprocess.run(
        [sys.executable, "-m", "pelican", str(content), "-s", str(DEV_SETTINGS), "-o",
         str(output), "-e", f'CACHE_PATH="{output}-cache"'],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
        env={**os.environ, "COLUMNS": "200"},
    )  # fmt: skip
    said = done.stdout + done.stderr
    problems = [(m["file"], int(m["line"]) if m["line"] else None, m["message"])
                for m in map(PROBLEM_LINE.match, done.stderr.splitlines()) if m]  # fmt: skip
    return done.returncode, said, problems


@pytest.mark.parametrize(
    ("old", "taken_by"),
    [("/sitemap.xml", "the sitemap"),
     ("/robots.txt", "the robots.txt page"),
     ("/feeds/all.atom.xml", "the feed of all articles"),
     ("/favicon.svg", "the file content/extra/favicon.svg"),
     ("/theme/search.js", "a file of the theme"),
     ("/pagefind", "search index"),
     ("/About", "the page of content/pages/about.md"),
     ("/blog/archives", "the archives page")],
)  # fmt: skip
def test_a_redirect_onto_an_address_the_build_writes_fails_against_its_line(
    tmp_path, old, taken_by
):
    content = content_with(tmp_path)
    (content / ARTICLE).write_text(article(**{"Redirect-from": old}), encoding="utf-8")
    code, said, problems = build(content, tmp_path / "output")
    assert code != 0 and "Traceback" not in said, said[-3000:]
    mine = [(line, m) for f, line, m in problems if f == SHOWN]
    assert any(line == 4 and taken_by in m for line, m in mine), said[-3000:]
    assert not [f for f, _, _ in problems if f not in (SHOWN, "(site)")], problems


def test_a_category_named_like_a_site_feed_fails_against_its_article(tmp_path):
    content = content_with(tmp_path)
    (content / ARTICLE).write_text(article(Category="All"), encoding="utf-8")
    code, said, problems = build(content, tmp_path / "output")
    assert code != 0 and "Traceback" not in said
    assert any(f == SHOWN and line == 4 and "feed" in m for f, line, m in problems), said[-3000:]


def test_a_tag_that_slugifies_to_nothing_fails_against_its_article(tmp_path):
    content = content_with(tmp_path)
    (content / ARTICLE).write_text(article(Tags="knee pain, ???"), encoding="utf-8")
    code, said, problems = build(content, tmp_path / "output")
    assert code != 0 and "Traceback" not in said
    assert any(f == SHOWN and line == 4 and 'the tag "???" gives an empty web address' in m
               for f, line, m in problems), said[-3000:]  # fmt: skip


def test_two_pictures_differing_only_in_capitals_fail(tmp_path):
    """Knee.jpg and knee.jpg are two files here, one on macOS, Windows and many hosts."""
    from PIL import Image

    content = content_with(tmp_path)
    (content / "images").mkdir(exist_ok=True)
    for name in ("Knee.jpg", "knee.jpg"):
        Image.new("RGB", (64, 48), (200, 120, 90)).save(content / "images" / name)
    body = "![A knee]({static}/images/Knee.jpg)\n\n![Another knee]({static}/images/knee.jpg)\n"
    (content / ARTICLE).write_text(article() + "\n" + body, encoding="utf-8")
    code, said, problems = build(content, tmp_path / "output")
    assert code != 0 and "Traceback" not in said, said[-2000:]
    hits = {f for f, _, m in problems if "which the picture images/" in m}
    assert hits == {"content/images/Knee.jpg", "content/images/knee.jpg"}, said[-3000:]


def test_a_failed_plan_leaves_output_as_it_was(tmp_path):
    content = content_with(tmp_path)
    output = tmp_path / "output"
    assert build_site(DEV_SETTINGS, output, {"PATH": str(content)})
    before = {p: p.read_bytes() for p in output.rglob("*") if p.is_file()}
    (content / ARTICLE).write_text(article(**{"Redirect-from": "/sitemap.xml"}), "utf-8")
    assert not build_site(DEV_SETTINGS, output, {"PATH": str(content)})
    assert {p: p.read_bytes() for p in output.rglob("*") if p.is_file()} == before
    assert not list(tmp_path.glob(".output.building-*"))
