"""Clinicians: who wrote each article, who medically reviewed it and when.

Each clinician is one Markdown file, content/authors/<slug>.md (the folder is
CLINICIANS["path"]):

    Name: Alex Example
    Role: Physiotherapist
    Credentials: MSc
    Registration: Example Register EX00001
    Photo: images/alex-example.jpg

    A short bio, in Markdown.

They are read by Pelican's own readers, so the content checks read their headers as they read
articles' (the keys allowed are KEYS["author"] in content_checks/sources.py), into Clinician
objects that every template gets as `clinicians` (author slug -> Clinician):

* an article's Author or Authors must each be a clinician or one of the organisations
  (CLINICIANS["organisations"]; by default the AUTHOR setting, "Rebalance Team");
* `Reviewed-by: <a clinician>` and `Last-reviewed: <date>` go together; each article gets
  `reviewer` (a Clinician or None) and `last_reviewed` (an aware datetime or None);
* every clinician has an author page (blog/author/<slug>/), also one who has only reviewed;
* overdue() lists the articles whose last review, or publication, is older than
  CLINICIANS["review_after_months"] (`invoke review-due`). An overdue review never fails a
  build: a daily rebuild must keep publishing.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date, datetime

from pelican import signals
from pelican.contents import Author, Content
from pelican.generators import ArticlesGenerator
from pelican.utils import get_date, set_date_tzinfo

DEFAULTS = {
    "path": "authors",  # under content/: one <slug>.md per clinician
    "organisations": None,  # authors that are not people; None: [the AUTHOR setting]
    "review_after_months": 12,  # `invoke review-due` lists articles not reviewed for longer
}
PROBLEMS = "_content_problems"  # where the checked reader leaves header lines (content_checks)
ARTICLE_LISTS = ("articles", "translations", "hidden_articles", "hidden_translations", "drafts",
                 "drafts_translations")  # fmt: skip


def settings_for(settings: dict) -> dict:
    """CLINICIANS with defaults filled in."""
    config = {**DEFAULTS, **settings.get("CLINICIANS", {})}
    if config["organisations"] is None:
        config["organisations"] = [settings["AUTHOR"]] if settings.get("AUTHOR") else []
    return config


class Clinician(Content):
    """One clinician: the header's values as attributes (name, role, credentials, registration,
    photo: a path under content/, or None), the bio as `content`, and their author page."""

    name: str
    role = credentials = registration = ""
    photo: str | None = None

    @property
    def photo_url(self) -> str | None:
        """The photo's address on the site: the copy a link to it leads to (plugins/images
        publishes resized copies, never the original), else the file itself. Read when the
        templates render, once every static file is known."""
        if not self.photo:
            return None
        published = (self._context or {}).get("static_content", {}).get(self.photo)
        return published.url if published else self.photo

    @property
    def page(self) -> Author:
        """Pelican's author of this name: the same slug and page as in bylines."""
        return Author(self.name, self.settings)

    @property
    def slug(self) -> str:
        return self.page.slug

    @slug.setter
    def slug(self, value: str) -> None:  # Content sets one from a title; ours is the name's
        pass

    @property
    def url(self) -> str:
        return self.page.url

    @property
    def save_as(self) -> str:
        return self.page.save_as


def _checks(settings: dict):
    from rebalance.plugins.content_checks.content_checks import checks_of

    return checks_of(settings)


def _line(content: Content, key: str) -> int | None:
    return (content.metadata.get(PROBLEMS) or {}).get("lines", {}).get(key)


def _known(names: list[str]) -> str:
    return ", ".join(f'"{n}"' for n in sorted(names, key=str.lower)) or "none yet"


def _hint(name: str, names: list[str]) -> str:
    from rebalance.plugins.content_checks.sources import suggest

    close = suggest(name, names)
    return f' — did you mean "{close}"?' if close else "."


# --- Reading the profiles -------------------------------------------------------------------------
def read_clinicians(generator) -> None:
    """Reads every profile in content/authors/ before any article: `clinicians` in the context."""
    if not isinstance(generator, ArticlesGenerator):
        return
    settings, context = generator.settings, generator.context
    config, checks = settings_for(settings), _checks(settings)
    found: dict[str, Clinician] = {}
    for path in sorted(generator.get_files([config["path"]])):
        clinician = generator.readers.read_file(
            base_path=generator.path, path=path, content_class=Clinician, context=context
        )
        if not getattr(clinician, "name", "").strip():
            continue  # reported by the content checks ("there is no Name")
        if clinician.slug in found:
            if checks is not None:
                other = checks.shown(found[clinician.slug].source_path)
                checks.add(clinician.source_path, _line(clinician, "name"), "clinician-twice",
                           subject="name", name=clinician.name, others=other)  # fmt: skip
            continue
        clinician.photo = _photo(clinician, settings, checks)
        if clinician.photo:  # published as a linked file would be (plugins/images: a copy)
            context.setdefault("static_links", set()).add(clinician.photo)
        found[clinician.slug] = clinician
    context["clinicians"] = found


def _photo(clinician: Clinician, settings: dict, checks) -> str | None:
    """The photo's path under content/ ("images/alex.jpg"), if it is a picture the site
    publishes; a photo that is not is reported."""
    value = (clinician.metadata.get("photo") or "").strip()
    if not value:
        return None
    path = re.sub(r"^(\{static\}|\{attach\})?/*", "", value)
    if checks is None:
        ok = os.path.isfile(os.path.join(settings["PATH"], path))
    else:
        ok = path in checks.static_ok and path.rsplit(".", 1)[-1].lower() in {
            ext for types in checks.config["static_types"].values() for ext in types
        }
    if ok:
        return path
    if checks is not None:
        example = re.sub(r"[^a-z0-9]+", "-", clinician.name.lower()).strip("-") + ".jpg"
        checks.add(clinician.source_path, _line(clinician, "photo"), "photo", subject=value,
                   value=value, example=example)  # fmt: skip
    return None


# --- Each article: its authors and its review -----------------------------------------------------
def check_articles(generator) -> None:
    """Every author known, every review by a known clinician on a readable date; each article
    gets `reviewer` and `last_reviewed` for the templates."""
    settings = generator.settings
    clinicians = generator.context.get("clinicians", {})
    config, checks = settings_for(settings), _checks(settings)
    organisations = {Author(name, settings).slug for name in config["organisations"]}
    people = [c.name for c in clinicians.values()]
    everyone = people + list(config["organisations"])
    for article in (a for name in ARTICLE_LISTS for a in getattr(generator, name, [])):
        path = article.source_path
        for author in getattr(article, "authors", []):
            if author.slug not in clinicians and author.slug not in organisations and checks:
                key = "authors" if "authors" in article.metadata else "author"
                checks.add(path, _line(article, key), "unknown-author", subject=key,
                           name=author.name, hint=_hint(author.name, everyone),
                           known=_known(everyone))  # fmt: skip
        article.reviewer, article.last_reviewed = _review(article, clinicians, people, checks)
        if article.last_reviewed:
            article.locale_last_reviewed = article.last_reviewed.strftime(article.date_format)


def _review(article, clinicians: dict, people: list[str], checks):
    """(reviewer, date) of an article's medical review; (None, None) without a usable one."""
    from rebalance.plugins.content_checks.sources import date_problem

    name = (article.metadata.get("reviewed-by") or "").strip()
    when = (article.metadata.get("last-reviewed") or "").strip()
    path = article.source_path
    if bool(name) != bool(when):
        given, missing = ("Reviewed-by", "Last-reviewed") if name else ("Last-reviewed",
                                                                       "Reviewed-by")  # fmt: skip
        example = date.today().isoformat() if name else (people[:1] or ["Alex Example"])[0]
        if checks is not None:
            checks.add(path, _line(article, given.lower()), "review-incomplete",
                       subject=given.lower(), given=given, missing=missing,
                       example=example)  # fmt: skip
        return None, None
    if not name:
        return None, None
    reviewer = clinicians.get(Author(name, article.settings).slug)
    if reviewer is None and checks is not None:
        checks.add(path, _line(article, "reviewed-by"), "unknown-reviewer", subject="reviewed-by",
                   name=name, hint=_hint(name, people), known=_known(people))  # fmt: skip
    if date_problem(when):  # reported by the content checks ("bad-date")
        return None, None
    reviewed = set_date_tzinfo(get_date(when.replace("_", " ")), article.settings["TIMEZONE"])
    return (reviewer, reviewed) if reviewer else (None, None)


def add_profile_pages(generator) -> None:
    """A clinician who has written nothing yet (a reviewer, say) still gets an author page."""
    if not isinstance(generator, ArticlesGenerator):
        return
    listed = {author.slug for author, _ in generator.authors}
    for slug, clinician in generator.context.get("clinicians", {}).items():
        if slug not in listed:
            generator.authors.append((clinician.page, []))
    generator.authors.sort(key=lambda pair: pair[0].slug)


# --- Reviews that are due -------------------------------------------------------------------------
@dataclass(frozen=True)
class Due:
    """An article whose medical review is due: since `since` (its last review, or publication
    when it was never reviewed)."""

    path: str
    title: str
    since: date
    reviewed: bool


def months_before(day: date, months: int) -> date:
    """The same day `months` calendar months earlier (the month's last day if it is shorter)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


def overdue(articles: list[dict], months: int, today: date) -> list[Due]:
    """The published articles last reviewed (or, never reviewed, published) `months` or more
    before `today`, oldest first. Each article: {"path", "title", "date", "last-reviewed",
    "status"} with dates as written in its header."""
    from rebalance.plugins.content_checks.sources import date_problem

    limit, due = months_before(today, months), []
    for article in articles:
        published = _day(article.get("date"), date_problem)
        if article.get("status", "published").lower() == "draft" or published is None:
            continue
        if published > today:
            continue  # not published yet: a future date is a draft until its day
        reviewed = _day(article.get("last-reviewed"), date_problem)
        since = reviewed or published
        if since <= limit:
            due.append(Due(article["path"], article.get("title", ""), since, bool(reviewed)))
    return sorted(due, key=lambda d: (d.since, d.path))


def _day(value: str | None, date_problem) -> date | None:
    if not value or date_problem(value):
        return None
    parsed = get_date(value.replace("_", " "))
    return parsed.date() if isinstance(parsed, datetime) else parsed


def register() -> None:
    # article_generator_init: the profiles are read before any article, so every template and
    # check after this point knows the clinicians (and their pages can be linked from anywhere).
    signals.article_generator_init.connect(read_clinicians)
    # article_generator_pretaxonomy: every article is read (drafts and hidden ones too), none is
    # written: their authors and reviewers are checked and attached here.
    signals.article_generator_pretaxonomy.connect(check_articles)
    # article_generator_finalized: Pelican has grouped articles by author; a clinician without
    # an article is added, so each has a page a review line can link to.
    signals.article_generator_finalized.connect(add_profile_pages)
