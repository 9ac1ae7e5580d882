"""Building the site: one Pelican run into a staging folder, put in place only when it succeeded.

tasks.py, the tests and bench/ all build through build_site(): Pelican writes into a fresh folder
beside output/ (its plugins finish there too: the search index is built in it), and output/ is
replaced only when the whole build succeeded. A failed build leaves the last good site exactly
as it was, so `make serve` keeps serving it and nothing half-built is published.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "output"
DEV_SETTINGS = ROOT / "pelicanconf.py"
PUBLISH_SETTINGS = ROOT / "publishconf.py"
HOST, PORT = "127.0.0.1", 8000
PROBLEMS_REPORTED = 3  # Pelican's exit status when the content checks printed their report


def read(settings_file: Path = DEV_SETTINGS, overrides: dict | None = None) -> dict:
    """The Pelican settings a build with settings_file (and overrides) would use."""
    from pelican.settings import read_settings

    return read_settings(str(settings_file), override=overrides)


def swap_in(new: Path, output: Path, retention: list[str]) -> None:
    """Replaces output/ with new/, carrying over the entries named in OUTPUT_RETENTION. The old
    site is moved aside first (a rename), so output/ is never half one site and half another."""
    if not output.exists():
        new.rename(output)
        return
    for name in retention:
        if (output / name).exists() and not (new / name).exists():
            shutil.move(str(output / name), str(new / name))
    trash = Path(tempfile.mkdtemp(prefix=f".{output.name}.old-", dir=output.parent))
    output.rename(trash / output.name)
    new.rename(output)
    shutil.rmtree(trash, ignore_errors=True)


def staging_for(output: Path) -> Path:
    """A fresh staging folder beside `output` (one file system: the final rename is a move)."""
    output.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{output.name}.building-", dir=output.parent))


def pelican_args(settings_file: Path, into: Path, overrides: dict | None = None) -> list[str]:
    """The `pelican` command-line arguments that build with settings_file into `into`."""
    args = ["--settings", str(settings_file), "--output", str(into), "--delete-output-directory"]
    if overrides:  # one -e flag with every KEY=JSON pair: a second -e would replace the first
        args += ["--extra-settings", *(f"{k}={json.dumps(v)}" for k, v in overrides.items())]
    return args


def build_site(
    settings_file: Path = DEV_SETTINGS, output: Path = OUTPUT, overrides: dict | None = None
) -> bool:
    """Builds the site into `output` atomically; returns False (output untouched) on failure.

    `overrides` are extra Pelican settings (e.g. another content PATH, for tests). Pelican runs
    in a process of its own (`python -m pelican`), so each build starts from fresh modules.
    """
    output = Path(output).resolve()
    staging = staging_for(output)
    # A kill (SIGTERM) ends this process through its `finally` too, as Ctrl+C does, so the
    # staging folder goes on every way out (signals can be set in the main thread only).
    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _stop) if main else None
    try:
        args = pelican_args(settings_file, staging, overrides)
        returncode = subprocess.run([sys.executable, "-m", "pelican", *args], cwd=ROOT).returncode
        if returncode == PROBLEMS_REPORTED:  # the report's last line has said it all
            return False
        if returncode != 0:
            shown = output.relative_to(ROOT) if output.is_relative_to(ROOT) else output.name
            print(f"\nBuild failed: {shown}/ was left as it was.", file=sys.stderr)
            return False
        swap_in(staging, output, read(settings_file).get("OUTPUT_RETENTION", []))
        return True
    finally:  # every way out, Ctrl+C and a kill included: no staging folder is left behind
        shutil.rmtree(staging, ignore_errors=True)
        if main:
            signal.signal(signal.SIGTERM, previous)


def _stop(signum: int, frame) -> None:
    raise SystemExit(128 + signum)


def publish_to_branch(output: Path, repo: Path, remote: str, branch: str, push: bool) -> None:
    """Commits `output` as the whole of `branch` in `repo` (ghp-import), optionally pushing it."""
    command = [sys.executable, "-m", "ghp_import", "--no-jekyll", "--force",
               *(["--push"] if push else []),
               "--branch", branch, "--remote", remote, "--message", "Publish the site",
               str(output)]  # fmt: skip
    subprocess.run(command, cwd=repo, check=True)
