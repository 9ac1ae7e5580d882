"""Work shared out among processors by forking: for the parts of a cold build that are many
independent pieces (reading Markdown files, rendering and checking pages, drawing social cards)."""

from __future__ import annotations

import os
import pickle
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

FORK_MIN = 40  # fewer pieces of work than this are done in this process: not worth a fork


def workers_for(items: list, settings: dict | None = None) -> int:
    """How many processes to share items out among: every processor, or this one for few."""
    return processors(settings) if len(items) >= FORK_MIN else 1


def processors(settings: dict | None = None) -> int:
    """Processors this process may run on; at most the BUILD_PROCESSES setting, if it is set
    (1: everything in the build's own process)."""
    found = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    limit = (settings or {}).get("BUILD_PROCESSES")
    return max(1, min(found or 1, limit) if limit else found or 1)


def share_out(items: list, work: Callable[[list], list], workers: int) -> list:
    """work(share) for each of `workers` shares of items at once: the first share in this
    process, the others in forked children, which hand their results back pickled. The results
    in share order; a child that fails hands back nothing (the caller does that work itself, or
    finds it undone). Without fork, or with one worker, everything runs here."""
    workers = max(1, min(workers, len(items)))
    if workers == 1 or not hasattr(os, "fork"):
        return work(items)
    shares = [items[n::workers] for n in range(workers)]  # interleaved: similar sizes mixed
    children = [_child(work, share) for share in shares[1:]]
    results = work(shares[0])
    for child in children:
        results += _collect(*child)
    return results


def _collect(pid: int, path: str) -> list:
    """What a child handed back, once it has ended; nothing if it failed."""
    code = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
    try:
        if code == 0:
            with open(path, "rb") as handle:
                return pickle.load(handle)
    except (OSError, pickle.PickleError, EOFError):
        pass  # undone: the caller's usual path does it
    finally:
        Path(path).unlink(missing_ok=True)
    return []


def _child(work: Callable[[list], list], share: list) -> tuple[int, str]:
    handle, path = tempfile.mkstemp(prefix="rebalance-share-", suffix=".pickle")
    os.close(handle)
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid:
        return pid, path
    code = 1
    try:  # the child: work, hand over, and leave without running the parent's cleanup
        result = work(share)
        with open(path, "wb") as out:
            pickle.dump(result, out, protocol=pickle.HIGHEST_PROTOCOL)
        code = 0
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
