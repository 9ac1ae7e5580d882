"""Pages rendered on every processor (docs/speed.md).

Pelican renders and writes its pages one after another, on one processor; in a cold build that
is about a third of the time. Here the writer takes each page as Pelican hands it over, does
what Pelican's Writer does around rendering (the output path, its folder, the check that no two
pages share a file) and keeps the rendering for later; once every generator has handed over its
pages (the Flush generator, after all but the static files), the pages are shared out among
forked processes (parallel.share_out), each rendering its share through the page cache and
writing it, and the feeds likewise. Where a page was rendered, the writer's `note` runs on its
HTML (content_checks checks the page there). This process then takes in what they learnt
(build_cache.Cache.merge, the problems they met, the notes) and signals `content_written` for
each page in Pelican's order, so the checks and the sitemap see the pages as if they had been
written one by one.

A page whose rendering fails is reported against its source file (the writer's `blamed`, which
content_checks' writer fills in) and is not signalled: as with Pelican's writer, it is not there.
Pages are kept for later only while a whole site is built with the page cache on, and not with
RELATIVE_URLS, where Pelican's writer changes the shared context from one page to the next.
"""

from __future__ import annotations

import hashlib
import inspect
import os
from dataclasses import dataclass

from pelican import signals
from pelican.generators import Generator
from pelican.utils import get_relative_path, path_to_url, sanitised_join
from pelican.writers import Writer

from .build_cache import TOP, cache_of, writes
from .parallel import share_out, workers_for

NOTE = "_written_note"  # in a page's context as content_written is sent: what note() returned


@dataclass
class Job:
    """A page to render: its template and context as Pelican's writer would render them. The
    context is kept as what it adds to a copy of the context the generator passed (base),
    shared by the pages given the same: a whole copy for each page made the build's peak 276 MiB
    at 3,000 articles instead of 242 (bench/memory.py)."""

    template: object
    base: dict
    own: dict
    source: str | None  # the article or page it is for
    path: str = ""  # the file, as the writer opened it
    name: str = ""  # relative to the output folder

    def context(self) -> dict:
        return {**self.base, **self.own}


@dataclass
class Feed:
    """A feed to write: the arguments Pelican's generator gave write_feed."""

    args: tuple
    kwargs: dict


def feed_key(given: dict, settings: dict) -> str:
    """The key of a feed: the arguments Pelican's generator gave write_feed, what Pelican's
    writer takes from each entry (Writer._add_item_to_the_feed: title, address, text, summary,
    dates, author, category, tags; Pelican's version is in the fingerprint), and what the
    feed_generated receivers read from the context besides settings (which are in the
    fingerprint too): the categories' addresses (plugins/feeds). A receiver reading anything
    else must add it here. Encoding whole articles instead (content_digest) took longer than
    writing the feeds."""
    context, path = given["context"], given["path"]
    site_url = context.get("SITEURL", path_to_url(get_relative_path(path)))
    head = [given[k] for k in ("path", "url", "feed_type", "override_output", "feed_title")]
    parts = ["feed", repr(head)]
    parts += sorted(f"{c.slug}\0{c.url}" for c, _ in context.get("categories", []))
    for item in given["elements"][: settings["FEED_MAX_ITEMS"]]:
        tags = [(str(t), t.slug) for t in getattr(item, "tags", None) or []]
        parts += [str(item.title), str(item.url), item.get_content(site_url),
                  str(getattr(item, "summary", None)), repr(item.date),
                  repr(getattr(item, "modified", None)), str(getattr(item, "author", "")),
                  repr(getattr(item, "category", None)), repr(tags)]  # fmt: skip
    return "feed-" + hashlib.blake2b("\0".join(parts).encode(), digest_size=20).hexdigest()


class _Later:
    """Stands in for a template while Pelican's write_file runs: takes the context it would
    have been rendered with, and the writer's _open_w the file it would have gone to."""

    def __init__(self, template, writer: ParallelWriter, base: dict, source: str | None) -> None:
        self.template, self.writer, self.base, self.source = template, writer, base, source

    def render(self, context: dict) -> str:
        base = self.base
        own = {k: v for k, v in context.items() if base.get(k, TOP) is not v}
        self.writer.later = Job(self.template, base, own, self.source)
        return ""  # what the file holds until its share is rendered


class ParallelWriter(Writer):
    """Pelican's Writer, its pages rendered all at once on every processor (flush)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.jobs: list[Job | Feed] = []
        self.later: Job | None = None
        self.bases: dict[int, tuple[dict, dict]] = {}  # id of a context -> (it, a copy)
        self.deferring = (cache_of(self.settings) is not None and writes(self.settings)
                          and not self.settings.get("RELATIVE_URLS"))  # fmt: skip

    def note(self, job: Job, html: str, context: dict) -> object:
        """Run where the page was rendered, just after it was written: a picklable note on it,
        put into its context (NOTE) for the content_written receivers (content_checks' writer
        checks the page there, while its HTML is at hand)."""
        return None

    def blamed(self, source: str | None, name: str, write, *args, **kwargs):
        """write(*args, **kwargs) for the page `name` of `source`; content_checks' writer
        reports a failure against the source and returns None."""
        return write(*args, **kwargs)

    def write_file(self, name, template, context, *args, **kwargs):
        if not self.deferring:
            return super().write_file(name, template, context, *args, **kwargs)
        content = kwargs.get("article") or kwargs.get("page")
        source = getattr(content, "source_path", None)
        later = _Later(template, self, self._base(context), source)
        with signals.content_written.muted():  # signalled once the page is there (flush)
            return super().write_file(name, later, context, *args, **kwargs)

    def write_feed(self, *args, **kwargs):
        if not self.deferring:
            return super().write_feed(*args, **kwargs)
        self.jobs.append(Feed(args, kwargs))  # written with the pages (flush)
        return None  # Pelican's generators do not use the feed it returns

    def _base(self, context: dict) -> dict:
        """A copy of the context a generator passed, as it is now: the same copy as for the
        last page given this context, unless something in it has changed since."""
        kept = self.bases.get(id(context))
        if (
            kept is not None
            and kept[0] is context
            and len(kept[1]) == len(context)
            and all(kept[1].get(k, TOP) is v for k, v in context.items())
        ):
            return kept[1]
        self.bases[id(context)] = (context, copy := dict(context))
        return copy

    def _open_w(self, filename, encoding, override=False):
        job, self.later = self.later, None
        handle = super()._open_w(filename, encoding, override)
        if job is not None and handle.name != os.devnull:  # devnull: Pelican skips the page
            job.path, job.name = filename, os.path.relpath(filename, self.output_path)
            self.jobs.append(job)
        return handle

    def flush(self) -> None:
        """Renders and writes every page and feed kept for later, then signals each page as
        written."""
        jobs, self.jobs, self.deferring = self.jobs, [], False
        self.bases = {}
        if not jobs:
            return
        cache, checks = cache_of(self.settings), self.settings.get("_content_checks")
        here = os.getpid()

        def work(share: list[int]) -> list[tuple]:
            if os.getpid() == here:  # this process: its cache and problems are the build's
                return [({i: self._do(jobs[i]) for i in share}, [], None)]
            mark = cache.mark()
            before = len(checks.problems) if checks is not None else 0
            done = {i: self._do(jobs[i]) for i in share}
            problems = checks.problems[before:] if checks is not None else []
            return [(done, problems, cache.since(mark))]

        indexes = list(range(len(jobs)))
        results = share_out(indexes, work, workers_for(indexes, self.settings))
        cache.processes = len(results)  # one result each
        done: dict[int, tuple | None] = {}  # None: the page failed
        for rendered, problems, learnt in results:
            done.update(rendered)
            if checks is not None:
                checks.problems += problems
            if learnt is not None:
                cache.merge(learnt)
        for rendered, _, _ in work([i for i in range(len(jobs)) if i not in done]):
            done.update(rendered)  # a child that failed: its share is rendered here
        for i, job in enumerate(jobs):
            if isinstance(job, Feed):
                continue  # a feed's problems were reported where it was written
            if done[i] is not None:
                context = job.context()
                if done[i][0] is not None:
                    context[NOTE] = done[i][0]
                signals.content_written.send(job.path, context=context)
            else:
                os.unlink(job.path)  # as Pelican's writer: a page that failed is not written

    def _do(self, job: Job | Feed) -> tuple | None:
        """A page rendered and written: (its note,), or None if it failed. A feed: ()."""
        if isinstance(job, Feed):
            self._feed(job)
            return ()
        return self.blamed(job.source, job.name, self._render, job)

    def _feed(self, job: Feed) -> None:
        """A feed written as Pelican's writer writes it, or as it was kept for the same key
        (feed_key): the same text, through the same overwrite check."""
        given = inspect.signature(Writer.write_feed).bind(self, *job.args, **job.kwargs)
        given.apply_defaults()
        given = given.arguments
        cache = cache_of(self.settings)
        if not given["path"]:
            self.write_feed(*job.args, **job.kwargs)
            return
        key = feed_key(given, self.settings)
        kept = cache.page(key, count=False)
        path = sanitised_join(self.output_path, given["path"])
        if kept is None:
            self.write_feed(*job.args, **job.kwargs)  # through the subclass's own write_feed
            with open(path, encoding="utf-8", newline="") as handle:
                cache.keep_page(key, handle.read())
            return
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with self._open_w(path, "utf-8", given["override_output"]) as handle:
            handle.write(kept)

    def _render(self, job: Job) -> tuple:
        context = job.context()
        html = job.template.render(context)
        with open(job.path, "w", encoding="utf-8") as handle:
            handle.write(html)
        return (self.note(job, html, context),)


class Flush(Generator):
    """The last generator before the static files: every page has been handed to the writer,
    which now renders them (ParallelWriter.flush)."""

    def generate_output(self, writer) -> None:
        if isinstance(writer, ParallelWriter):
            writer.flush()


def get_generators(pelican):
    return Flush if cache_of(pelican.settings) is not None else None
