"""Shared by the bench scripts: build our site and plain Pelican on the same content, time it,
measure its memory, profile it.

Every build runs in a process of its own (ours through rebalance.build.build_site, as
`invoke build` runs it; plain Pelican as `python -m pelican`), so a figure is that of a fresh
build and the bench's own process is never in it. `python -m rebalance.measure KIND CONTENT
OUTPUT CACHE` runs one build in such a fresh process: timed with its peak memory (measured(),
for bench/memory.py), stage by stage between Pelican's signals (stages()), or under cProfile
(profiled()), the last two with Pelican run in that process (pelican.main), where the whole
build happens: nothing here forks.
"""

from __future__ import annotations

import contextlib
import cProfile
import json
import os
import pstats
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from itertools import pairwise
from pathlib import Path

from rebalance.build import DEV_SETTINGS, ROOT, build_site, pelican_args, read

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
    defaults: every bench script takes them in that order (flags such as --profile aside)."""
    given = [a for a in sys.argv[1:] if not a.startswith("--")][:2]
    return (int(given[0]) if given else count, int(given[1]) if len(given) > 1 else runs)


def corpora(tmp: Path, articles: int) -> dict[str, Path]:
    """The real content/ and a varied corpus of `articles` more (rebalance.corpus), by name."""
    from rebalance.corpus import make_corpus

    return {
        "real content": ROOT / "content",
        f"varied, {articles} articles": make_corpus(tmp / "varied", articles),
    }


def timed(build, *args, **kwargs) -> tuple[float, float]:
    """(wall, CPU) seconds of build(*args, **kwargs). CPU is user + system time of the processes
    it started and waited for (the build's Pelican process and Pagefind under it), which other
    work on the machine does not inflate as it does wall time."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    build(*args, **kwargs)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


@contextlib.contextmanager
def quiet():
    """What the builds print (Pelican's "Done: ..." lines, the search index's) kept out of the
    bench's table: file descriptor 1 goes to a file, shown on stderr only if the block fails."""
    sys.stdout.flush()
    saved = os.dup(1)
    with tempfile.TemporaryFile() as kept:
        os.dup2(kept.fileno(), 1)
        try:
            yield
        except BaseException:
            os.dup2(saved, 1)
            kept.seek(0)
            sys.stderr.write(kept.read().decode(errors="replace"))
            raise
        finally:
            sys.stdout.flush()
            os.dup2(saved, 1)
            os.close(saved)


def medians(samples: list[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples)


def load() -> str:
    """The machine's load averages (1, 5, 15 minutes) and processors: how noisy a run was."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} processors"


def plain_corpus(content: Path, into: Path) -> Path:
    """A copy of `content` that plain Pelican can build: our `Template:` lines removed."""
    shutil.copytree(content, into)
    for md in into.rglob("*.md"):
        text = md.read_text(encoding="utf-8")
        md.write_text(re.sub(r"(?m)^Template:.*\n", "", text), encoding="utf-8")
    return into


def overrides_for(content: Path, cache: Path | None = None, search: bool = True) -> dict:
    """The Pelican settings our bench builds change: the content folder; cache: a CACHE_PATH of
    its own (an empty folder: a cold build, nothing read, drawn or encoded before); search=False
    leaves the search index out (index_search() builds it apart)."""
    overrides: dict = {"PATH": str(content)}
    if cache is not None:
        overrides["CACHE_PATH"] = str(cache)
    if not search:
        overrides["SEARCH_INDEX"] = {**read(DEV_SETTINGS).get("SEARCH_INDEX", {}), "defer": True}
    return overrides


def build_ours(content: Path, output: Path, cache: Path | None = None, search: bool = True) -> None:
    """Our build, exactly as `invoke build` runs it (build_site: one Pelican process into a
    staging folder, then the swap), search index included unless search=False."""
    if not build_site(DEV_SETTINGS, output, overrides=overrides_for(content, cache, search)):
        raise SystemExit("our build failed")


def index_search(output: Path) -> None:
    """The search index of a site built with search=False, as the build would make it."""
    from rebalance.plugins.search_index.search_index import index_parts, settings_for

    index_parts(output, settings_for(read(DEV_SETTINGS)))


def plain_settings(content: Path, folder: Path, cache: Path | None = None) -> Path:
    """A settings file for plain Pelican 4.12: default theme (notmyidea), default settings, no
    plugins, typogrify on. cache: with Pelican's own content cache on (CACHE_CONTENT,
    LOAD_CONTENT_CACHE, which Pelican's defaults leave off) in that folder."""
    cached = f"CACHE_CONTENT = LOAD_CONTENT_CACHE = True\nCACHE_PATH = {str(cache)!r}\n"
    settings = folder / "plainconf.py"
    settings.write_text(
        f"PATH = {str(content)!r}\nTIMEZONE = 'UTC'\nAUTHOR = 'Rebalance Team'\n"
        "SITENAME = 'Rebalance'\nTYPOGRIFY = True\n" + (cached if cache else ""),
        encoding="utf-8",
    )
    return settings


def build_plain(content: Path, output: Path, cache: Path | None = None) -> None:
    """Plain Pelican with typogrify (plain_settings), in a process of its own."""
    with tempfile.TemporaryDirectory() as tmp:
        settings = plain_settings(content, Path(tmp), cache)
        subprocess.run(
            [sys.executable, "-m", "pelican", "-s", str(settings), "-o", str(output), "-q",
             "--delete-output-directory"],
            check=True,
            stdout=subprocess.DEVNULL,
        )  # fmt: skip


def touch_one(content: Path) -> None:
    """Edits one article a little, as an author saving a change would."""
    articles = sorted((content / "articles").glob("*.md"))
    article = articles[len(articles) // 2]
    article.write_text(article.read_text(encoding="utf-8") + "\nOne more sentence.\n", "utf-8")


# --- Profiles -------------------------------------------------------------------------------------
def profiled(content: Path, output: Path, cache: Path, top: int = 10) -> tuple[float, str]:
    """One build of ours, search index included, profiled in the build's own process: Pelican
    run in-process (pelican.main with the arguments build_site gives it, into `output` directly)
    under cProfile with the process's CPU clock, so other work on the machine does not inflate
    it. Returns the build's CPU seconds in that process (Pagefind, a program of its own, is not
    in it: time it apart) and its `top` functions by own time (tottime) and by time with what
    they call (cumtime). The whole build runs in that one process: the profile sees all of it."""
    with tempfile.TemporaryDirectory() as tmp:
        stats = Path(tmp) / "build.prof"
        command = [sys.executable, "-m", "rebalance.measure", "profile", str(content),
                   str(output), str(cache), str(stats)]  # fmt: skip
        done = subprocess.run(command, cwd=ROOT, stdout=subprocess.DEVNULL, check=False)
        if done.returncode != 0:
            raise SystemExit("the profiled build failed")
        table = pstats.Stats(str(stats))
        return table.total_tt, top_items(table, top)


def profile_in_process(content: Path, output: Path, cache: Path, stats: Path) -> None:
    """The build profiled() runs, in this process, its profile saved to `stats`."""
    profiler = cProfile.Profile(time.process_time)

    def build() -> None:
        import pelican  # imported in the profile: starting Pelican is part of every build

        try:
            pelican.main(pelican_args(DEV_SETTINGS, output, overrides_for(content, cache)))
        except SystemExit as stop:  # pelican.main exits non-zero when the build failed
            if stop.code:
                raise

    profiler.runcall(build)
    profiler.dump_stats(str(stats))


def top_items(stats: pstats.Stats, top: int) -> str:
    """The `top` functions by tottime, then by cumtime, then the signal receivers (the plugins'
    handlers) by cumtime, one line each: seconds, calls, where.
    (Read from Stats.stats, the table print_stats() prints: get_stats_profile() keys functions
    by bare name, so two `read` methods would be one.)"""
    rows = [(tt, ct, f"{nc}/{cc}" if nc != cc else str(nc), where(*func))
            for func, (cc, nc, tt, ct, _) in stats.stats.items()]  # fmt: skip
    whole = [r for r in rows if r[1] >= 0.9 * stats.total_tt]  # runpy, main, run: everything
    lines = [f"  {stats.total_tt:.2f} s of CPU in the profiled process"]
    for index, key, label in ((0, "tottime", "own time"), (1, "cumtime", "with what it calls")):
        lines.append(f"  top {top} by {key} ({label}):  tottime  cumtime      calls  function")
        ranked = sorted(rows, key=lambda r: -r[index])
        if index == 1:
            lines.append(f"    (leaving out the {len(whole)} calls around the whole build)")
            ranked = [r for r in ranked if r not in whole]
        for tottime, cumtime, calls, place in ranked[:top]:
            lines.append(f"    {tottime:8.2f} {cumtime:8.2f} {calls:>10}  {place}")
    # What each generator's two steps and each receiver of a signal (a plugin's handler) take:
    # the functions Pelican.run and blinker's send() call.
    handlers = sorted(((callers[caller][3], str(nc), where(*func))
                       for func, (_, nc, _, _, callers) in stats.stats.items()
                       for caller in callers if is_step(caller, func)), reverse=True)  # fmt: skip
    lines.append(f"  top {top} generators' steps and signals' receivers (plugins), cumtime:")
    lines += [f"    {'':8} {cumtime:8.2f} {calls:>10}  {place}" for cumtime, calls, place
              in handlers[:top]]  # fmt: skip
    return "\n".join(lines)


def is_step(caller: tuple, func: tuple) -> bool:
    """Whether func is a generator's generate_context/generate_output called by Pelican.run, or
    a receiver of a signal (called by blinker's send)."""
    path, _, name = caller
    if Path(path).parent.name == "blinker" and name == "send":
        return True
    return name == "run" and Path(path).parent.name == "pelican" and func[2].startswith("generate_")


def where(path: str, line: int, name: str) -> str:
    """A function's place, short: the package-relative file, or a built-in's name."""
    if path == "~" or not path:
        return name
    for root in sorted({*sys.path, str(ROOT)}, key=len, reverse=True):
        if root and path.startswith(root.rstrip("/") + "/"):
            path = path[len(root.rstrip("/")) + 1 :]
            break
    return f"{path}:{line}({name})"


# Pelican's signals that fire once per build, in the order they fire, with what happens between
# the one before and each (Pelican.run: every generator's context, then every generator's output).
STAGES = (
    ("initialized", "starting Python and Pelican, reading settings, loading the plugins"),
    ("article_generator_preread", "making the generators (Jinja environments), cleaning output"),
    ("article_generator_pretaxonomy", "reading the articles (Markdown, typogrify; or the cache)"),
    ("article_generator_finalized", "the articles' categories, tags, authors and order"),
    ("page_generator_finalized", "reading the pages"),
    ("all_generators_finalized", "the other generators' contexts (static files, plugins')"),
    ("get_writer", "all_generators_finalized's plugins (neighbours, related, cards), links"),
    ("article_writer_finalized", "rendering and writing articles, lists and feeds"),
    ("page_writer_finalized", "rendering and writing the pages"),
    ("finalized", "the other generators' output (redirects, static files, pictures)"),
    ("end", "finalized's plugins (checks of written pages, search index, sitemap, cards)"),
)


def stages_in_process(content: Path, output: Path, cache: Path, plain: bool = False) -> list[dict]:
    """One build of ours, search index included (plain: of plain Pelican, with its content cache
    in `cache`), run in this process (pelican.main), with the CPU seconds (this process and the
    programs it ran, Pagefind) and wall seconds between the signals of STAGES (the first time
    each fires), timed by receivers connected before the plugins' (so each mark is taken before
    the plugins handle that signal)."""

    def cpu() -> float:
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        return time.process_time() + children.ru_utime + children.ru_stime

    marks = [("start", cpu(), time.perf_counter())]

    def mark(name: str):
        def receiver(*args, **kwargs) -> None:
            if name not in (m[0] for m in marks):  # the first time: preread fires per file
                marks.append((name, cpu(), time.perf_counter()))

        return receiver

    from pelican import signals

    receivers = [mark(name) for name, _ in STAGES[:-1]]  # kept alive: blinker holds weak refs
    for (name, _), receiver in zip(STAGES[:-1], receivers, strict=True):
        getattr(signals, name).connect(receiver)
    import pelican

    with tempfile.TemporaryDirectory() as tmp:
        if plain:
            args = ["-s", str(plain_settings(content, Path(tmp), cache)), "-o", str(output),
                    "--delete-output-directory"]  # fmt: skip
        else:
            args = pelican_args(DEV_SETTINGS, output, overrides_for(content, cache))
        try:
            pelican.main(args)
        except SystemExit as stop:
            if stop.code:
                raise
    marks.append(("end", cpu(), time.perf_counter()))
    said = dict(STAGES)
    return [{"stage": said[name], "cpu": c - c0, "wall": w - w0}
            for (_, c0, w0), (name, c, w) in pairwise(marks)]  # fmt: skip


def stages(content: Path, output: Path, cache: Path, plain: bool = False) -> list[dict]:
    """stages_in_process() in a fresh process: [{"stage", "cpu", "wall"}, ...]."""
    command = [sys.executable, "-m", "rebalance.measure", "stages", str(content), str(output),
               str(cache), *(["plain"] if plain else [])]  # fmt: skip
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        sys.exit(f"the timed build failed:\n{result.stdout}{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- One build in a process of its own, with its peak memory -------------------------------------
def measured(kind: str, content: Path, output: Path, cache: Path) -> dict:
    """Wall s, CPU s and peak MiB of one build (kind: "ours" without the search index, "index"
    for the search index of that output, "plain"), run in a fresh process of this module,
    which starts the build's processes and reads getrusage(RUSAGE_CHILDREN) once they ended.
    Its ru_maxrss is the peak resident memory of the LARGEST single process among them (our
    Pelican process, Pagefind, or plain Pelican), not their sum; the value is a maximum over
    every child the process ever waited for, hence a fresh process for each build."""
    command = [sys.executable, "-m", "rebalance.measure", kind, str(content), str(output),
               str(cache)]  # fmt: skip
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        sys.exit(f"{kind} build of {content} failed:\n{result.stdout}{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main(kind: str, content: str, output: str, cache: str, *rest: str) -> None:
    """`python -m rebalance.measure KIND CONTENT OUTPUT CACHE`: one build, in this process's
    children (KIND ours, index or plain: its wall s, CPU s and peak MiB printed as JSON; see
    measured()), `profile ... STATS`: our build in this process, under cProfile, or `stages`:
    its stages timed (stages())."""
    if kind == "profile":
        profile_in_process(Path(content), Path(output), Path(cache), Path(rest[0]))
        return
    if kind == "stages":
        with quiet():
            timeline = stages_in_process(Path(content), Path(output), Path(cache),
                                         plain=rest[:1] == ("plain",))  # fmt: skip
        print(json.dumps(timeline))
        return
    start = time.perf_counter()
    if kind == "plain":
        build_plain(Path(content), Path(output))
    elif kind == "index":
        index_search(Path(output))
    else:
        build_ours(Path(content), Path(output), Path(cache), search=False)
    wall = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({"wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
                      "peak": usage.ru_maxrss / 1024}))  # KiB on Linux  # fmt: skip


if __name__ == "__main__":
    main(*sys.argv[1:])
