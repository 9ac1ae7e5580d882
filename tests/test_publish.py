"""Publishing: atomic builds lose nothing, production refuses placeholders, gh-pages works."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import PRODUCTION_ENV, build_content, parse

from pelicanconf import PLACEHOLDERS
from rebalance.build import DEV_SETTINGS, PUBLISH_SETTINGS, ROOT, build_site, publish_to_branch

# A page whose template does not exist: Pelican itself fails on it.
BROKEN = {"pages/broken.md": "Title: Broken\nTemplate: no-such-template\n\nText.\n"}
GOOD = {"articles/a.md": "Title: Good\nDate: 2026-01-01\nSummary: Fine.\n\nFine.\n"}


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under folder (hidden ones too) with a hash of its bytes."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_failed_build_leaves_previous_output_byte_for_byte(tmp_path):
    output = build_content(tmp_path, GOOD)
    assert output is not None
    before = snapshot(output)
    content = tmp_path / "content"
    (content / "pages").mkdir()
    (content / "pages" / "broken.md").write_text(BROKEN["pages/broken.md"], encoding="utf-8")

    assert not build_site(DEV_SETTINGS, output, overrides={"PATH": str(content)})
    assert snapshot(output) == before
    # No staging folder is left behind either.
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".output")] == []


def test_rebuild_keeps_retained_files_and_drops_stale_ones(tmp_path):
    output = build_content(tmp_path, GOOD)
    (output / "CNAME").write_text("www.rebalance.test\n")
    (output / ".git").mkdir()
    (output / ".git" / "HEAD").write_text("ref: refs/heads/gh-pages\n")
    (output / "stale.html").write_text("old")

    assert build_site(DEV_SETTINGS, output, overrides={"PATH": str(tmp_path / "content")})
    assert (output / "CNAME").read_text() == "www.rebalance.test\n"
    assert (output / ".git" / "HEAD").is_file()
    assert not (output / "stale.html").exists()
    assert (output / "blog" / "good" / "index.html").is_file()


def test_clean_empties_output_but_respects_output_retention(tmp_path, settings):
    assert ".git" in settings["OUTPUT_RETENTION"] and "CNAME" in settings["OUTPUT_RETENTION"]
    output = build_content(tmp_path, GOOD)
    (output / "CNAME").write_text("www.rebalance.test\n")
    (output / ".git").mkdir()

    subprocess.run(
        [sys.executable, "-m", "invoke", "clean", "--output", str(output)], cwd=ROOT, check=True
    )
    assert sorted(p.name for p in output.iterdir()) == [".git", "CNAME"]


def test_production_build_refuses_placeholders_and_names_them(tmp_path, monkeypatch):
    for name in PRODUCTION_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CLINIC_PHONE", PRODUCTION_ENV["CLINIC_PHONE"])
    result = subprocess.run(
        [sys.executable, "-m", "pelican", "-s", str(PUBLISH_SETTINGS), "-o", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    message = result.stderr + result.stdout
    assert set(PRODUCTION_ENV) == {"SITEURL", *PLACEHOLDERS}
    for name in set(PRODUCTION_ENV) - {"CLINIC_PHONE"}:
        assert f"- {name}" in message
    assert "- CLINIC_PHONE" not in message  # it was set
    assert "docs/deploy.md" in message
    assert list(tmp_path.iterdir()) == []


def test_production_guard_accepts_a_real_value_written_into_pelicanconf(tmp_path, monkeypatch):
    # The refusal message offers two ways out; the second (edit pelicanconf.py) must work too.
    for name in PRODUCTION_ENV:
        monkeypatch.delenv(name, raising=False)
    for name in ("pelicanconf.py", "publishconf.py"):
        shutil.copy(ROOT / name, tmp_path / name)
    conf = tmp_path / "pelicanconf.py"
    text = conf.read_text(encoding="utf-8")
    assert '"phone": _setting("CLINIC_PHONE")' in text
    conf.write_text(text.replace('_setting("CLINIC_PHONE")', '"+44 20 7946 0000"'), "utf-8")
    (tmp_path / "rebalance").symlink_to(ROOT / "rebalance")
    result = subprocess.run([sys.executable, "-c", "import publishconf"], cwd=tmp_path,
                            capture_output=True, text=True, check=False)  # fmt: skip
    assert result.returncode != 0 and "- BOOKING_URL" in result.stderr
    assert "- CLINIC_PHONE" not in result.stderr
    assert "write the real value into CLINIC or BOOKING_URL in pelicanconf.py" in result.stderr


def test_production_build_uses_real_values_and_absolute_urls(production_site):
    output = production_site
    page = parse(
        output / "blog" / "unlocking-relief-the-many-benefits-of-dry-needling" / "index.html"
    )
    booking = page.select_one("header a.booking-link")["href"]
    assert booking.startswith(PRODUCTION_ENV["BOOKING_URL"] + "?utm_source=website&")
    assert page.find("link", rel="canonical")["href"].startswith("https://www.rebalance.test/blog/")
    assert PRODUCTION_ENV["CLINIC_PHONE"] in page.find("footer", class_="site-footer").get_text()
    assert "[" not in page.find("footer", class_="site-footer").get_text()
    assert (output / "feeds" / "all.atom.xml").is_file()
    assert "Sitemap: https://www.rebalance.test/sitemap.xml" in (output / "robots.txt").read_text()


def test_production_build_never_writes_drafts_or_future_articles(tmp_path, production_env):
    future = "Title: Next Year\nDate: 2099-01-01\nSummary: Later.\n\nNot yet.\n"
    draft = "Title: Unfinished\nDate: 2026-01-02\nStatus: draft\nSummary: Soon.\n\nWork.\n"
    content = tmp_path / "content"
    for name, text in {**GOOD, "articles/future.md": future, "articles/draft.md": draft}.items():
        (content / name).parent.mkdir(parents=True, exist_ok=True)
        (content / name).write_text(text, encoding="utf-8")
    output = tmp_path / "output"
    assert build_site(PUBLISH_SETTINGS, output, overrides={"PATH": str(content)})
    assert (output / "blog" / "good" / "index.html").is_file()
    written = [p.relative_to(output).as_posix() for p in output.rglob("*") if p.is_file()]
    assert not [p for p in written if "next-year" in p or "unfinished" in p or "drafts" in p]
    for page in ("index.html", "sitemap.xml", "feeds/all.atom.xml"):
        text = (output / page).read_text(encoding="utf-8")
        assert "Next Year" not in text and "Unfinished" not in text, page


def _git(*args: str, cwd: Path) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout


def test_gh_pages_publishes_the_site_with_nojekyll_to_a_bare_remote(tmp_path, production_site):
    remote = tmp_path / "remote.git"
    _git("init", "--bare", "--quiet", str(remote), cwd=tmp_path)
    repo = tmp_path / "repo"
    repo.mkdir()
    _git("init", "--quiet", cwd=repo)
    _git("remote", "add", "origin", str(remote), cwd=repo)
    output = production_site

    _git("config", "user.name", "Test", cwd=repo)
    _git("config", "user.email", "test@rebalance.test", cwd=repo)
    publish_to_branch(output, repo, remote="origin", branch="gh-pages", push=True)

    files = _git("ls-tree", "-r", "--name-only", "gh-pages", cwd=remote).split()
    assert ".nojekyll" in files
    assert "index.html" in files
    assert "blog/unlocking-relief-the-many-benefits-of-dry-needling/index.html" in files
    published = _git("show", "gh-pages:index.html", cwd=remote)
    assert "https://rebalance.booking.test/book" in published


@pytest.mark.parametrize("signal_name", ["SIGINT", "SIGTERM"])
def test_a_build_stopped_midway_leaves_output_as_it_was_and_no_staging_folder(
    tmp_path, signal_name
):
    """Ctrl+C (SIGINT to the terminal's whole process group) or a kill (SIGTERM) in the middle
    of a build: the site in output/ is the one before it, and no staging folder is left."""
    import os
    import signal
    import time

    from rebalance.corpus import make_corpus

    content = make_corpus(tmp_path / "content", 150)
    output = tmp_path / "output"
    assert build_site(DEV_SETTINGS, output, {"PATH": str(content)})
    before = {p: p.read_bytes() for p in output.rglob("*") if p.is_file()}
    (content / "articles" / "2026-01-01-new.md").write_text(
        "Title: New\nDate: 2026-01-01\nSummary: New.\n\nNew text.\n", encoding="utf-8"
    )
    runner = (
        "import sys\nfrom pathlib import Path\n"
        "from rebalance.build import DEV_SETTINGS, build_site\n"
        "ok = build_site(DEV_SETTINGS, Path(sys.argv[1]), {'PATH': sys.argv[2],"
        " 'CACHE_PATH': sys.argv[3]})\nsys.exit(0 if ok else 1)\n"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", runner, str(output), str(content), str(tmp_path / "cold-cache")],
        cwd=ROOT, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(".output.building-*/*")) and time.monotonic() < deadline:
        time.sleep(0.05)  # until Pelican has started writing into the staging folder
    time.sleep(0.5)
    os.killpg(child.pid, getattr(signal, signal_name))
    said = child.communicate(timeout=60)[0].decode(errors="replace")
    assert child.returncode != 0, said
    assert {p: p.read_bytes() for p in output.rglob("*") if p.is_file()} == before
    assert not list(tmp_path.glob(".output.*")), said
