#!/usr/bin/env python3
"""The content checks' share of a build: the same corpus built with and without the
content_checks plugin, alternately, each in a fresh process.

Prints the median wall time and the median CPU time (user + system of the build process, which
other work on the machine does not inflate), and the checks' share of the build.

Usage: .venv/bin/python bench/checks.py [articles=1000] [runs=3]
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from rebalance.corpus import ROOT, make_corpus
from rebalance.measure import arguments, medians, timed


def build(content: Path, output: Path, checks: bool) -> tuple[float, float]:
    """(wall, CPU) seconds of one `python -m pelican` build."""
    from pelican.settings import read_settings

    command = [sys.executable, "-m", "pelican", str(content), "-s", str(ROOT / "pelicanconf.py"),
               "-o", str(output), "--delete-output-directory", "-q"]  # fmt: skip
    if not checks:
        plugins = [p for p in read_settings(str(ROOT / "pelicanconf.py"))["PLUGINS"]
                   if p != "content_checks"]  # fmt: skip
        command += ["-e", f"PLUGINS={json.dumps(plugins)}"]
    return timed(
        lambda *_: subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL),
        content,
        output,
    )


def main() -> None:
    articles, runs = arguments(1000, 3)
    with tempfile.TemporaryDirectory() as tmp:
        content = make_corpus(Path(tmp) / "content", articles)
        times: dict[bool, list[tuple[float, float]]] = {True: [], False: []}
        for _ in range(runs):
            for checks in (True, False):
                times[checks].append(build(content, Path(tmp) / f"out-{checks}", checks))
    print(f"{articles} varied articles, median of {runs} builds each (cpu {os.cpu_count()})")
    median = {checks: medians(times[checks]) for checks in times}
    for checks, label in ((True, "with the checks"), (False, "without the checks")):
        wall, cpu = median[checks]
        print(f"  {label:<20} wall {wall:6.2f} s   cpu {cpu:6.2f} s")
    for i, what in ((0, "wall"), (1, "cpu")):
        share = (median[True][i] - median[False][i]) / median[True][i]
        print(f"  checks' share of the build ({what}): {share:.1%}")


if __name__ == "__main__":
    main()
