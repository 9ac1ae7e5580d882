"""Clinicians: who wrote each article, who medically reviewed it and when.

Each clinician is one Markdown file, content/authors/<slug>.md (the folder is
CLINICIANS["path"]):

    Name: Alex Example
    Role: Physiotherapist
    Credentials: MSc
    Registration: Example Register EX00001 https://register.example.org/check
    Photo: images/alex-example.jpg
    Booking: https://clinic.janeapp.com/#/staff_member/1

    A short bio, in Markdown.

Registration is the professional body, then the number, then (optional) the address of the
body's public register where a patient can check it: each clinician gets `registration_body`,
`registration_number` and `registration_url` for the templates and the structured data.
Booking (optional, https only) is the clinician's own booking page (`booking`).

They are read by Pelican's own readers (so plugins/content_checks, when it runs, checks their
headers as it checks articles': KEYS["author"] in content_checks/sources.py), into Clinician
objects that every template gets as `clinicians` (author slug -> Clinician):

* an article's Author or Authors must each be a clinician or one of the organisations
  (CLINICIANS["organisations"]; by default the AUTHOR setting, "Rebalance Team");
* `Reviewed-by: <a clinician>` and `Last-reviewed: <date>` go together; each article gets
  `reviewer` (a Clinician or None) and `last_reviewed` (an aware datetime or None);
* every clinician has an author page (blog/author/<slug>/), also one who has only reviewed;
* overdue() lists the articles whose last review, or publication, is older than
  CLINICIANS["review_after_months"] (`invoke review-due`). An overdue review never fails a
  build: a daily rebuild must keep publishing.

Problems (an unknown author, a photo that is not a picture...) are logged as warnings carrying
extra={"content_problem": {...}}: plugins/content_checks, when it runs, reports them with the
others and fails the build; without it they are printed as warnings. The words are MESSAGES.
"""

from __future__ import annotations

import difflib
import logging
import os
import re
from dataclasses import dataclass
from datetime import date, datetime

from pelican import signals
from pelican.contents import Author, Content
from pelican.generators import ArticlesGenerator
from pelican.utils import get_date, set_date_tzinfo
from PIL import Image

DEFAULTS = {
    "path": "authors",  # under content/: one <slug>.md per clinician
    "organisations": None,  # authors that are not people; None: [the AUTHOR setting]
    "review_after_months": 12,  # `invoke review-due` lists articles not reviewed for longer
}
PHOTO_TYPES = {"jpg", "jpeg", "png", "webp", "avif", "heic", "heif"}  # as plugins/images publishes
ARTICLE_LISTS = ("articles", "translations", "hidden_articles", "hidden_translations", "drafts",
                 "drafts_translations")  # fmt: skip
ISO_DATE_RE = re.compile(
    r"^\d{4}-\d{2}-\d{2}"  # 2026-11-10
    r"(?:[ T_]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"  # optional time: 09:30, 09:30:15
    r"(?:\s?(?:Z|UTC|[+-]\d{2}:?\d{2}))?$"  # optional zone
)
# A profile's fields are shown as plain text: markup or an entity in them is a mistake.
PLAIN_FIELDS = ("name", "role", "credentials", "registration", "photo", "booking")
MARKUP_RE = re.compile(r"</?[A-Za-z!?][^>]*>?|&(?:#\d+|#x[0-9a-f]+|[a-z][a-z0-9]*);", re.I)
MONTH_RE = re.compile(r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b", re.I)
# What an author is told, in plain words (docs/content-checks.md explains each further).
MESSAGES: dict[str, str] = {
    "unknown-author": (
        'the author "{name}" is not known{hint} Known authors: {known}. Write one of these names, '
        "or describe the clinician in a new file in content/authors/ (see the authoring guide)."
    ),
    "unknown-reviewer": (
        '"Reviewed-by: {name}" does not name a clinician{hint} Clinicians: {known}. The reviewer '
        "is a clinician described in content/authors/ (see the authoring guide)."
    ),
    "review-incomplete": (
        '"{given}" needs "{missing}" too: a medical review says who reviewed the article and '
        'when. Add a line "{missing}: {example}", or remove this one.'
    ),
    "photo": (
        'the photo "{value}" is not a picture in content/images/. Save the picture there and '
        'write its path, for example "Photo: images/{example}".'
    ),
    "clinician-booking": (
        'the booking page "{value}" cannot be used: {why}. Copy the address your booking '
        "service gives for this clinician (see the authoring guide), or remove the line."
    ),
    "profile-markup": (
        'the {key} contains the HTML code "{code}". A profile\'s fields are plain text, shown as '
        "typed: write the words and characters themselves (for example & rather than &amp;)."
    ),
    "name-reserved": (
        "\"Name: {name}\" is the clinic's own byline, not a person's: a profile with it would "
        "turn the clinic's articles into one person's. Give the clinician's own name."
    ),
    "review-future": (
        '"Last-reviewed: {value}" is later than today ({today}): a review is recorded once it '
        "has happened. Write the date it was done."
    ),
    "review-before-date": (
        '"Last-reviewed: {value}" is before the article was published ({published}): a medical '
        "review is of the published text. Check the date."
    ),
    "photo-unreadable": (
        'the photo "{value}" cannot be read as a picture ({error}), so it cannot be shown. Open '
        "it in a photo program and save it again as JPEG or PNG, or choose another picture."
    ),
    "clinician-twice": (
        'this file describes "{name}", like {others}: each clinician has one file. Keep one of '
        "them."
    ),
}
logger = logging.getLogger(__name__)


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
    booking: str | None = None  # their own booking page (https), set by read_clinicians
    photo_url: str | None = None  # set by publish_photos, once every static file is known

    def _registration(self) -> tuple[str, str, str]:
        """(body, number, register's address) of "Body Name AB12345 https://…"."""
        words = (self.registration or "").split()
        url = words.pop() if words and words[-1].startswith("https://") else ""
        number = words.pop() if words and any(c.isdigit() for c in words[-1]) else ""
        return " ".join(words), number, url

    @property
    def registration_body(self) -> str:
        return self._registration()[0]

    @property
    def registration_number(self) -> str:
        return self._registration()[1]

    @property
    def registration_url(self) -> str:
        return self._registration()[2]

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


# --- Telling the author -----------------------------------------------------------------------
def header_line(path: str, key: str) -> int | None:
    """The line of `key` ("reviewed-by") in the header of the Markdown file at `path`."""
    try:
        with open(path, encoding="utf-8") as file:
            for number, text in enumerate(file, 1):
                if not text.strip():
                    return None  # the header ends at the first empty line
                if text.partition(":")[0].strip().lower() == key:
                    return number
    except (OSError, UnicodeDecodeError):
        return None
    return None


def shown(settings: dict, path: str) -> str:
    """A path as the author knows it: content/articles/… (relative to the project)."""
    relative = os.path.relpath(path, os.path.dirname(os.path.abspath(settings["PATH"])))
    return path if relative.startswith(os.pardir) else relative.replace(os.sep, "/")


def report(settings: dict, path: str, key: str, message: str, /, **values: object) -> None:
    """Logs the message named `message` against the header line of `key` in the file at `path`,
    for plugins/content_checks' report (or as a plain warning without it)."""
    text, line = MESSAGES[message].format(**values), header_line(path, key)
    where = shown(settings, path) + (f":{line}" if line else "")
    problem = {"path": path, "line": line, "message": text, "subject": key}
    logger.warning("%s: %s", where, text, extra={"content_problem": problem})


def _known(names: list[str]) -> str:
    return ", ".join(f'"{n}"' for n in sorted(names, key=str.lower)) or "none yet"


def _hint(name: str, names: list[str]) -> str:
    by_lower = {n.lower(): n for n in names}
    close = difflib.get_close_matches(name.lower(), list(by_lower), n=1, cutoff=0.6)
    return f' — did you mean "{by_lower[close[0]]}"?' if close else "."


def unreadable_date(value: str) -> bool:
    """Whether a date (Last-reviewed, Date) cannot be read without guessing: dateutil reads
    "10/11/2026" as 11 October and "March" as this year's March. YYYY-MM-DD (with a time) is
    read, and so is a month in words with a four-digit year ("7 August 2026")."""
    try:
        get_date((value := value.strip()).replace("_", " "))
    except (ValueError, OverflowError):
        return True
    words = MONTH_RE.search(value) and re.search(r"\b\d{4}\b", value)
    return not (ISO_DATE_RE.match(value) or words)


# --- Reading the profiles -------------------------------------------------------------------------
def read_clinicians(generator) -> None:
    """Reads every profile in content/authors/ before any article: `clinicians` in the context."""
    if not isinstance(generator, ArticlesGenerator):
        return
    settings, context = generator.settings, generator.context
    config = settings_for(settings)
    found: dict[str, Clinician] = {}
    for path in sorted(generator.get_files([config["path"]])):
        clinician = generator.readers.read_file(
            base_path=generator.path, path=path, content_class=Clinician, context=context
        )
        if not getattr(clinician, "name", "").strip():
            continue  # reported by the content checks ("there is no Name")
        if not plain_profile(clinician, settings, config):
            continue
        if clinician.slug in found:
            other = shown(settings, found[clinician.slug].source_path)
            report(settings, clinician.source_path, "name", "clinician-twice",
                   name=clinician.name, others=other)  # fmt: skip
            continue
        clinician.photo = clinician.photo_url = _photo(clinician, settings)
        clinician.booking = _booking(clinician, settings)
        if clinician.photo:  # published as a linked file would be (plugins/images: a copy)
            context.setdefault("static_links", set()).add(clinician.photo)
        found[clinician.slug] = clinician
    context["clinicians"] = found


def plain_profile(clinician: Clinician, settings: dict, config: dict) -> bool:
    """Every field of a profile is plain text, and its name is a person's, not the clinic's
    byline; False (reported) when the profile cannot be used."""
    usable = True
    for key in PLAIN_FIELDS:
        value = str(clinician.metadata.get(key) or "")
        if code := MARKUP_RE.search(value):
            report(settings, clinician.source_path, key, "profile-markup",
                   key=key.capitalize(), code=code.group(0))  # fmt: skip
            usable = False
    reserved = {Author(name, settings).slug for name in config["organisations"]}
    if Author(clinician.name, settings).slug in reserved:
        report(settings, clinician.source_path, "name", "name-reserved", name=clinician.name)
        usable = False
    return usable


def _photo(clinician: Clinician, settings: dict) -> str | None:
    """The photo's path under content/ ("images/alex.jpg"), if it is a picture there (a file
    inside content/ with a picture's extension); a photo that is not is reported."""
    value = (clinician.metadata.get("photo") or "").strip()
    if not value:
        return None
    path = re.sub(r"^(\{static\}|\{attach\})?/*", "", value)
    root = os.path.realpath(settings["PATH"])
    full = os.path.realpath(os.path.join(root, path))
    inside = os.path.commonpath([root, full]) == root
    if inside and os.path.isfile(full) and path.rsplit(".", 1)[-1].lower() in PHOTO_TYPES:
        try:
            with Image.open(full) as picture:
                picture.verify()  # the whole file, not only its header
        except Exception as error:  # noqa: BLE001 - Pillow raises many kinds for a bad file
            report(settings, clinician.source_path, "photo", "photo-unreadable", value=value,
                   error=f"{type(error).__name__}: {error}")  # fmt: skip
            return None
        return path
    example = re.sub(r"[^a-z0-9]+", "-", clinician.name.lower()).strip("-") + ".jpg"
    report(settings, clinician.source_path, "photo", "photo", value=value, example=example)
    return None


def _booking(clinician: Clinician, settings: dict) -> str | None:
    """The clinician's own booking page, if it is a usable https address; else reported."""
    value = (clinician.metadata.get("booking") or "").strip()
    if not value:
        return None
    if re.search(r"[\s\x00-\x1f\x7f]", value):
        why = "it contains a space or an invisible character"
    elif not re.match(r"https://[^/?#@\s]+\.[^/?#@\s]+", value, re.I):
        why = "it must start with https:// and a website name (booking asks for personal details)"
    else:
        return value
    report(settings, clinician.source_path, "booking", "clinician-booking", value=value, why=why)
    return None


def publish_photos(generators: list) -> None:
    """Each photo's address on the site: the copy a link to it leads to (plugins/images
    publishes resized copies, never the original), else the file itself."""
    context = generators[0].context if generators else {}
    static = context.get("static_content", {})
    for clinician in context.get("clinicians", {}).values():
        if clinician.photo and clinician.photo in static:
            clinician.photo_url = static[clinician.photo].url


# --- Each article: its authors and its review -----------------------------------------------------
def check_articles(generator) -> None:
    """Every author known, every review by a known clinician on a readable date; each article
    gets `reviewer` and `last_reviewed` for the templates."""
    settings = generator.settings
    clinicians = generator.context.get("clinicians", {})
    config = settings_for(settings)
    organisations = {Author(name, settings).slug for name in config["organisations"]}
    people = [c.name for c in clinicians.values()]
    everyone = people + list(config["organisations"])
    for article in (a for name in ARTICLE_LISTS for a in getattr(generator, name, [])):
        path = article.source_path
        for author in getattr(article, "authors", []):
            if author.slug not in clinicians and author.slug not in organisations:
                key = "authors" if "authors" in article.metadata else "author"
                report(settings, path, key, "unknown-author", name=author.name,
                       hint=_hint(author.name, everyone), known=_known(everyone))  # fmt: skip
        article.reviewer, article.last_reviewed = _review(article, clinicians, people)
        if article.last_reviewed:
            article.locale_last_reviewed = article.last_reviewed.strftime(article.date_format)


def _review(article, clinicians: dict, people: list[str]):
    """(reviewer, date) of an article's medical review; (None, None) without a usable one."""
    name = (article.metadata.get("reviewed-by") or "").strip()
    when = (article.metadata.get("last-reviewed") or "").strip()
    path, settings = article.source_path, article.settings
    if bool(name) != bool(when):
        given, missing = ("Reviewed-by", "Last-reviewed") if name else ("Last-reviewed",
                                                                       "Reviewed-by")  # fmt: skip
        example = date.today().isoformat() if name else (people[:1] or ["Alex Example"])[0]
        report(settings, path, given.lower(), "review-incomplete", given=given, missing=missing,
               example=example)  # fmt: skip
        return None, None
    if not name:
        return None, None
    reviewer = clinicians.get(Author(name, article.settings).slug)
    if reviewer is None:
        report(settings, path, "reviewed-by", "unknown-reviewer", name=name,
               hint=_hint(name, people), known=_known(people))  # fmt: skip
    if unreadable_date(when):  # reported by the content checks ("bad-date")
        return None, None
    reviewed = set_date_tzinfo(get_date(when.replace("_", " ")), article.settings["TIMEZONE"])
    today = date.today()
    if reviewed.date() > today:
        report(settings, path, "last-reviewed", "review-future", value=when,
               today=today.isoformat())  # fmt: skip
        return None, None
    published = getattr(article, "date", None)
    if published is not None and reviewed.date() < published.date():
        report(settings, path, "last-reviewed", "review-before-date", value=when,
               published=published.date().isoformat())  # fmt: skip
        return None, None
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
    limit, due = months_before(today, months), []
    for article in articles:
        published = _day(article.get("date"))
        if article.get("status", "published").lower() == "draft" or published is None:
            continue
        if published > today:
            continue  # not published yet: a future date is a draft until its day
        reviewed = _day(article.get("last-reviewed"))
        since = reviewed or published
        if since <= limit:
            due.append(Due(article["path"], article.get("title", ""), since, bool(reviewed)))
    return sorted(due, key=lambda d: (d.since, d.path))


def _day(value: str | None) -> date | None:
    if not value or unreadable_date(value):
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
    # all_generators_finalized: every static file is known (plugins/images has published its
    # copies), none is written: each photo's address is the one a link to it leads to.
    signals.all_generators_finalized.connect(publish_photos)
