"""`make check` (invoke check): every content check, without writing the site; and the
pre-commit hook that runs it."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time

import yaml

from rebalance.build import ROOT

BAD = "Title: Knee\nDate: 2026-11-01\nStauts: draft\nSummary: s.\n\nText.\n"


def run_check(content) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "invoke", "check", "--content", str(content)]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_check_passes_on_the_real_content_quickly():
    start = time.perf_counter()
    done = run_check(ROOT / "content")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No content problems." in done.stdout
    assert time.perf_counter() - start < 10  # a pre-commit hook must not make authors wait


def test_check_reports_problems_and_writes_nothing(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    (content / "articles" / "2026-11-01-knee.md").write_text(BAD, encoding="utf-8")
    output = ROOT / "output"
    before = sorted(output.rglob("*")) if output.exists() else None
    done = run_check(content)
    assert done.returncode != 0
    assert 'content/articles/2026-11-01-knee.md:3: unknown metadata key "Stauts"' in done.stderr
    assert (sorted(output.rglob("*")) if output.exists() else None) == before
    assert not list(tmp_path.glob("output*"))


def test_pre_commit_hook_runs_make_check_on_content_changes():
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    (hook,) = [h for repo in config["repos"] for h in repo["hooks"]]
    assert hook["entry"] == "make check" and hook["pass_filenames"] is False
    for path in ("content/articles/a.md", "theme/templates/base.html", "pelicanconf.py"):
        assert re.match(hook["files"], path)
    make = subprocess.run(["make", "-n", "check"], cwd=ROOT, capture_output=True, text=True)
    assert "invoke check" in make.stdout
