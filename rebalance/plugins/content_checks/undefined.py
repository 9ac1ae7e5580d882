"""A Jinja `undefined` that reports a template printing a variable that does not exist.

Jinja's default prints nothing for `{{ artcle.title }}` (a typo), so the page silently loses its
title. StrictUndefined would stop the build at the first one and also forbids the tests themes
rely on. This class allows everything that only *tests* a value — `{% if x %}`, `x|default(…)`,
`x is defined`, `x.y` chains — and reports each place that *prints* one (`{{ x }}`, `~`, filters
that turn it into text), with the template file and line, through the "pelican" logger. The
content_checks plugin turns that into a problem that fails the build; without the plugin the
warning is still shown. Set in pelicanconf.py: JINJA_ENVIRONMENT["undefined"].
"""

from __future__ import annotations

import logging
import sys

from jinja2 import ChainableUndefined

from .messages import say

logger = logging.getLogger("pelican.content_checks.templates")


def _template_location() -> tuple[str | None, int | None]:
    """File and line of the template being rendered: Jinja marks the globals of its compiled
    templates with __jinja_template__ (jinja2/debug.py reads tracebacks the same way)."""
    frame = sys._getframe(2)
    while frame is not None:
        template = frame.f_globals.get("__jinja_template__")
        if template is not None:
            return template.filename or template.name, template.get_corresponding_lineno(
                frame.f_lineno
            )
        frame = frame.f_back
    return None, None


class ReportingUndefined(ChainableUndefined):
    """Undefined values may be tested and chained; printing one is reported (and prints "")."""

    __slots__ = ()

    def __str__(self) -> str:
        # No name: an inline `{{ "x" if cond }}` whose condition is false. That is meant to print
        # nothing, not a missing variable.
        if self._undefined_name is not None:
            path, line = _template_location()
            what = self._undefined_message
            message = say("template-undefined", what=what)
            found = {"path": path, "line": line, "message": message, "subject": what}
            logger.warning("%s:%s: %s", path, line, message, extra={"content_problem": found})
        return ""

    __html__ = __str__
