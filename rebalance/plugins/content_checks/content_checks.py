"""Every content problem of a build, reported at once in plain words; then the build fails.

One collector per build (a Checks object in the settings) receives every problem:

* files under content/ that are not part of the site, or links out of it (sources.inventory);
* the header of each Markdown file, read by our Markdown reader as Pelican reads it, and the
  metadata of each article and page (sources.py), and of the files other plugins read from
  their own folders (the clinicians in content/authors/: CONTENT_CHECKS["plugin_folders"]);
* every written HTML page, parsed as browsers parse it: the allowlist for author content, its
  structure, links and resources (written.py);
* pages Pelican could not write, with the file they were for (CheckedWriter);
* templates printing undefined variables (undefined.py), and every warning Pelican logs.

At the end of the build (`finalized`) one reporter prints them all, sorted by file and line (also
as GitHub annotations under Actions), and raises ContentProblemsError: Pelican's main() then exits
non-zero and tasks.build_site() leaves output/ untouched. The words are in messages.py and
explained for authors in docs/content-checks.md.
"""

from __future__ import annotations

import logging
import os
import sys

from jinja2 import TemplateError
from pelican import signals
from pelican.contents import Content
from pelican.writers import Writer

from . import addresses, sources, written
from .collector import (
    CHANNEL,
    DEFAULTS,
    STATE,
    Checks,
    ContentProblemsError,
    Problem,
    capture,
    checks_of,
    hide_report_traceback,
)
from .messages import MESSAGES


# --- Writing --------------------------------------------------------------------------------------
class CheckedWriter(Writer):
    """Pelican's Writer, but a page that cannot be written is a problem of its own source file
    (or template), and the other pages are still written and checked."""

    def write_file(self, name, template, context, *args, **kwargs):
        if self.refused(name) or not self.selected(name):
            return None
        content = kwargs.get("article") or kwargs.get("page")
        source = content.source_path if isinstance(content, Content) else None
        return self.blamed(source, name, super().write_file, name, template, context, *args,
                           **kwargs)  # fmt: skip

    def blamed(self, source, name, write, *args, **kwargs):
        """write(*args, **kwargs); what it logs or raises is a problem of `source`. None if it
        failed."""
        checks = checks_of(self.settings)
        if checks is None:
            return write(*args, **kwargs)
        checks.writing = source
        try:
            return write(*args, **kwargs)
        except TemplateError as error:
            path, line = _template_place(error, self.settings["TEMPLATE_EXTENSIONS"])
            checks.add(path, line, "template-error", error=error)
        except Exception as error:  # noqa: BLE001 - reported against the file it was for
            extensions = self.settings["TEMPLATE_EXTENSIONS"]
            path, line = _template_place(error, extensions)
            if not isinstance(error, OSError) and (path or "").endswith(tuple(extensions)):
                # Raised by the template's own code (a filter given the wrong value...).
                checks.add(path, line, "template-error", error=error)
            else:  # the file: a name the file system refuses, a full disk...
                hint = "Give it a shorter or different Slug." if source else ""
                checks.add(source, None, "write-failed", url=name, error=error, hint=hint)
        finally:
            checks.writing = None
        return None

    def selected(self, name) -> bool:
        """PREVIEW_PAGES (a set of absolute output paths; `make serve` writes the saved file's
        pages first, with the whole site's context): only those are written, and no feed. As
        Pelican's WRITE_SELECTED did until Pelican 4.12 removed it."""
        wanted = self.settings.get("PREVIEW_PAGES")
        return wanted is None or os.path.abspath(os.path.join(self.output_path, name)) in wanted

    def refused(self, name) -> bool:
        """An output the plan of the build refused (reported already: addresses.py)."""
        checks = checks_of(self.settings)
        return bool(name) and checks is not None and addresses.folded(name) in checks.refused

    def write_feed(self, *args, **kwargs):
        path = kwargs.get("path") or (args[2] if len(args) > 2 else "")
        if self.refused(path) or self.settings.get("PREVIEW_PAGES") is not None:
            return None
        checks = checks_of(self.settings)
        try:
            return super().write_feed(*args, **kwargs)
        except Exception as error:  # noqa: BLE001 - reported; the build fails at the end
            if checks is None:
                raise
            path = kwargs.get("path") or (args[2] if len(args) > 2 else "feed")
            hint = "An article above has a problem that breaks it."
            checks.add(None, None, "write-failed", url=path, error=error, hint=hint)


def _template_place(error: TemplateError, extensions: list[str]) -> tuple[str | None, int | None]:
    """The template file and line an error happened in (Jinja rewrites tracebacks to them)."""
    path, line = getattr(error, "filename", None), getattr(error, "lineno", None)
    tb = error.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.endswith(tuple(extensions)):
            path, line = tb.tb_frame.f_code.co_filename, tb.tb_lineno
        tb = tb.tb_next
    return path, line


# --- The build ------------------------------------------------------------------------------------
def start(pelican) -> None:
    """A fresh collector for this Pelican object; files outside the site are reported, and kept
    from being read at all."""
    if not any(getattr(p, "register", None) is register for p in pelican.plugins):
        return  # signals are global: another Pelican in this process may not use this plugin
    checks = pelican.settings[STATE] = Checks(pelican.settings)
    checks.pages = written.Site(checks)
    unknown = sorted(set(pelican.settings.get("CONTENT_CHECKS", {})) - set(DEFAULTS))
    for key in unknown:
        checks.add(None, None, "settings", key=key, known=", ".join(DEFAULTS))
    # A plugin Pelican could not load is only logged, before any of this ran: the build would
    # go on without it, and publish a site with what it does missing.
    loaded = {getattr(p, "__name__", "") for p in pelican.plugins}
    for name in pelican.settings.get("PLUGINS") or []:
        name = name if isinstance(name, str) else getattr(name, "__name__", "")
        if name not in loaded and f"pelican.plugins.{name}" not in loaded:
            checks.add(None, None, "plugin-not-loaded", subject=name, plugin=name)
    capture(checks)
    sources.inventory(checks)


def writer(pelican):
    return CheckedWriter if checks_of(pelican.settings) else None


def finish(pelican) -> None:
    checks = checks_of(pelican.settings)
    if checks is None:
        return
    checks.found()
    # PREVIEW_PAGES (`make serve` writes the saved page first) writes a few pages, which link to
    # pages not written: links between pages are checked in full builds only.
    if pelican.settings.get("PREVIEW_PAGES") is None:
        checks.pages.finish(pelican.output_path)
    checks.store.save()
    pelican.settings.pop(STATE, None)
    problems = checks.unique()
    if problems:
        sys.stderr.write("\n" + checks.report(problems))
    if any(not p.warning for p in problems):
        raise ContentProblemsError(f"{len(problems)} content problem(s), listed above")


def register() -> None:
    # initialized: before anything is read: a collector for the build, and the inventory of
    # content/ (a symlink out of it must be excluded before a generator opens it).
    signals.initialized.connect(start)
    # readers_init: Markdown is read by our reader (its header problems travel with the cached
    # metadata); every other reader is switched off.
    signals.readers_init.connect(sources.readers)
    # content_object_init: metadata per content type (cached reads included).
    signals.content_object_init.connect(sources.check_content)
    # all_generators_finalized: every article and page exists: addresses used twice or reserved.
    signals.all_generators_finalized.connect(sources.check_addresses)
    # ... then every file the build will write, Pelican's and the plugins' (addresses.PLAN),
    # compared before any is written.
    signals.all_generators_finalized.connect(addresses.plan)
    # page_generator_finalized: every article and page is read, no static file yet: files linked
    # with {static}/{attach} that the inventory does not allow are not published.
    signals.page_generator_finalized.connect(sources.linked_files)
    # get_writer: a page that cannot be written is reported against its source file.
    signals.get_writer.connect(writer)
    # content_written: each HTML page as written, checked as a browser parses it.
    signals.content_written.connect(written.check_page)
    # static_generator_finalized: the static files, to compare with the pages at the end.
    signals.static_generator_finalized.connect(written.static_files)
    # finalized: the whole site is written: links between pages, then the report.
    signals.finalized.connect(finish)
    logging.getLogger("pelican").addFilter(hide_report_traceback)


__all__ = ["CHANNEL", "MESSAGES", "ContentProblemsError", "Problem", "register"]
