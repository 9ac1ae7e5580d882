"""Treatments: one Markdown file per treatment the clinic offers, each at /treatments/<slug>/.

Why a plugin and not plain pages: a treatment is written like any page (content/pages/
treatments/<slug>.md, read and checked by Pelican as a page, so every header and link check
applies), but it needs three things a page cannot ask for itself: a clean address of its own
outside the other pages (/treatments/dry-needling/), the treatment template, and a list of all
treatments and of each one's related articles for the templates. Everything else is Markdown:

    Title: Dry needling
    Summary: One line for the home page's card and for search results.
    Booking: https://clinic.janeapp.com/#/discipline/1/treatment/7   (optional)

    ## What it is
    ## Who it may help
    ## What a session involves
    ## Duration and price          (left out until the clinic gives them)

Related articles are the articles tagged with the treatment's name ("Tags: dry needling"), and
the articles its text links to ([…]({filename}../../articles/2026-11-10-….md)).

Templates get `treatments` (every published treatment, by title); each treatment has
`related_articles`. The template is TREATMENTS["template"] when the theme has it; a theme
without it (Pelican's own) shows a treatment as a plain page. A treatment without a Summary is
reported through the content problem channel (a logging record with `content_problem`).
"""

from __future__ import annotations

import logging
import os
import posixpath
import re

from pelican import signals
from pelican.contents import Page
from pelican.generators import PagesGenerator
from pelican.utils import slugify

DEFAULTS = {
    "path": "pages/treatments",  # under content/: one <slug>.md per treatment
    "url": "treatments/{slug}/",
    "save_as": "treatments/{slug}/index.html",
    "template": "treatment",
}
FILENAME_LINK = re.compile(r"""href=["']\{(?:filename|static)\}([^"'#?]+)""")
logger = logging.getLogger(__name__)

MESSAGES = {
    "no-summary": (
        "This treatment has no Summary line, so the home page would list it without saying "
        "what it is. Add a line such as “Summary: Fine needles that release tight, painful "
        "muscle knots.” to its header, under the Title."
    ),
}


def settings_for(settings: dict) -> dict:
    """TREATMENTS with defaults filled in."""
    return {**DEFAULTS, **settings.get("TREATMENTS", {})}


def _relative(content) -> str:
    return content.relative_source_path.replace(os.sep, "/")


def is_treatment(content, settings: dict) -> bool:
    """True for a page whose file is in the treatments folder."""
    folder = settings_for(settings)["path"].strip("/") + "/"
    return isinstance(content, Page) and _relative(content).startswith(folder)


def _theme_has(settings: dict, template: str) -> bool:
    extensions = settings.get("TEMPLATE_EXTENSIONS", [".html"])
    folder = os.path.join(settings["THEME"], "templates")
    return any(os.path.isfile(os.path.join(folder, template + ext)) for ext in extensions)


def place(content) -> None:
    """A treatment gets its own address and template, before anything reads them."""
    settings = content.settings
    if not is_treatment(content, settings):
        return
    config = settings_for(settings)
    content.is_treatment = True
    # override_url/override_save_as are how Pelican's Content honours a URL/Save_as header.
    if "url" not in content.metadata:
        content.override_url = config["url"].format(slug=content.slug)
    if "save_as" not in content.metadata:
        content.override_save_as = config["save_as"].format(slug=content.slug)
    if "template" not in content.metadata and _theme_has(settings, config["template"]):
        content.template = config["template"]


def _named(treatment, articles_by_path: dict) -> list:
    """The articles the treatment's text links to, in the order it names them."""
    here = posixpath.dirname(_relative(treatment))
    found = []
    for target in FILENAME_LINK.findall(treatment._content or ""):
        path = posixpath.normpath(target.lstrip("/") if target.startswith("/") else
                                  posixpath.join(here, target))  # fmt: skip
        article = articles_by_path.get(path)
        if article is not None and article not in found:
            found.append(article)
    return found


def collect(generator) -> None:
    """`treatments` for every template, and each one's related articles."""
    if not isinstance(generator, PagesGenerator):
        return
    settings, context = generator.settings, generator.context
    treatments = sorted(
        (p for p in generator.pages if getattr(p, "is_treatment", False)),
        key=lambda p: p.title.lower(),
    )
    articles = context.get("articles", [])
    by_path = {_relative(a): a for a in articles}
    for treatment in treatments:
        if not (treatment.metadata.get("summary") or "").strip():
            message = MESSAGES["no-summary"]
            logger.warning("%s: %s", treatment.relative_source_path, message,
                           extra={"content_problem": {"path": treatment.source_path, "line": None,
                                                      "message": message,
                                                      "subject": "summary"}})  # fmt: skip
        tag = slugify(treatment.title, regex_subs=settings.get("SLUG_REGEX_SUBSTITUTIONS", []))
        tagged = [a for a in articles if any(t.slug == tag for t in getattr(a, "tags", []))]
        named = _named(treatment, by_path)
        treatment.related_articles = named + [a for a in tagged if a not in named]
    context["treatments"] = treatments


def register() -> None:
    # content_object_init: the page is made but nothing has read its address or template yet.
    signals.content_object_init.connect(place)
    # page_generator_finalized: every page is read, and the articles (read before the pages)
    # are in the context, so related articles can be found.
    signals.page_generator_finalized.connect(collect)
