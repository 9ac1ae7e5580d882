"""Site settings for Rebalance, used by every build (development and production).

Clinic facts live in CLINIC and BOOKING_URL only; templates read them from here. Values we have
not been given are obvious placeholders: production builds refuse to run while they remain
(see publishconf.py).
"""

from __future__ import annotations

import os

from rebalance.clinic import EXAMPLE as HOURS_EXAMPLE
from rebalance.clinic import HoursError, hours_lines, hours_text, parse_hours

# The site's plugins are in the `rebalance` package, installed by the Makefile (pip install -e).
from rebalance.plugins.content_checks.undefined import ReportingUndefined

# --- Site ---------------------------------------------------------------------------------------
SITENAME = "Rebalance"
SITE_TAGLINE = "Physiotherapy clinic"
# The home page's first words under its title, condensed from the clinic's own article.
HOME = {
    "intro": "We help you move better, feel stronger and live without pain, with a care plan "
    "made for your needs."
}
SITEURL = ""  # development: root-relative links; production sets the real URL (publishconf.py)
AUTHOR = "Rebalance Team"
DEFAULT_LANG = "en"
TIMEZONE = "UTC"  # placeholder until the clinic's own time zone is confirmed
LOCALE = ("C.UTF-8", "C")  # fixed so dates render the same on every machine
DEFAULT_DATE_FORMAT = "%-d %B %Y"

# --- Clinic facts -------------------------------------------------------------------------------
# One place for everything about the clinic; templates read CLINIC and BOOKING_URL only.
# PLACEHOLDERS are obviously not real (example.com, the unassigned +00 calling code, bracketed
# text). Each can be set here or, per deployment, by the environment variable named beside it;
# publishconf.py refuses to build while any placeholder is left.
PLACEHOLDERS = {
    "CLINIC_ADDRESS": "[Street address, Town, Postcode: to be confirmed]",
    "CLINIC_PHONE": "+00 0000 000000",
    "CLINIC_EMAIL": "hello@example.com",
    "CLINIC_HOURS": "[Opening hours: to be confirmed]",
    # example.com is reserved for documentation (RFC 2606): a placeholder never reaches a real site.
    "BOOKING_URL": "https://booking.example.com/rebalance",
}


def _setting(name: str) -> str:
    """The environment's value for a deployment-specific setting, else its placeholder."""
    return os.environ.get(name) or PLACEHOLDERS[name]


def _opening_hours() -> list[dict]:
    """CLINIC_HOURS ("Mo-Fr 08:00-19:00; Sa 09:00-13:00") in its structured form
    (rebalance/clinic.py); [] until the clinic gives its hours."""
    text = _setting("CLINIC_HOURS")
    if text == PLACEHOLDERS["CLINIC_HOURS"]:
        return []
    try:
        return parse_hours(text)
    except HoursError as error:
        raise SystemExit(
            f"CLINIC_HOURS: {error}. Write the opening hours as, for example, "
            f'"{HOURS_EXAMPLE}" (see docs/deploy.md).'
        ) from None


CLINIC = {
    "name": "Rebalance",
    "description": "Physiotherapy clinic",
    "address": _setting("CLINIC_ADDRESS"),
    "phone": _setting("CLINIC_PHONE"),
    "email": _setting("CLINIC_EMAIL"),
    # The opening hours, given once: [{"days": ["Mo", "Tu", "We", "Th", "Fr"], "opens": "08:00",
    # "closes": "19:00"}, ...], read from CLINIC_HOURS (or write the list here). Empty until the
    # clinic gives them: the site then leaves hours out, and production refuses to build.
    "opening_hours": _opening_hours(),
}
# Made from opening_hours, never written by hand: the text readers see ("Monday–Friday
# 8:00–19:00"); the structured data's openingHoursSpecification is made from the same list.
CLINIC["hours"] = hours_text(CLINIC["opening_hours"])
# The clinic's logo for search engines: a square PNG of at least 112 px (Google's minimum), made
# from favicon.svg. ARTICLE_IMAGE is the picture the structured data gives an article that has
# no social card of its own (plugins/social_cards draws one for each).
LOGO = {"path": "logo.png", "width": 512, "height": 512}
ARTICLE_IMAGE = LOGO

# The clinic's external booking service (Jane App, Cliniko, Calendly...).
BOOKING_URL = _setting("BOOKING_URL")
BOOKING = {
    "label": "Book an appointment",
    "cta_heading": "Ready to feel better?",
    "cta_text": "Book an assessment with one of our physiotherapists online.",
}
# Added to every booking link (plugins/booking_link), with utm_campaign set to the page's slug, so
# the booking service's own reports show which article brought a booking: no tracker, no script.
# None leaves booking links as BOOKING_URL (or an article's own "Booking:" address) gives them.
BOOKING_UTM = {"utm_source": "website", "utm_medium": "referral"}

# --- Content ------------------------------------------------------------------------------------
PATH = "content"
# Only Markdown is read (the content_checks plugin reports any other file under content/).
READERS = {"rst": None, "html": None, "htm": None}
ARTICLE_PATHS = ["articles"]
PAGE_PATHS = ["pages"]
STATIC_PATHS = ["images", "extra"]
EXTRA_PATH_METADATA = {
    "extra/favicon.svg": {"path": "favicon.svg"},
    "extra/favicon.ico": {"path": "favicon.ico"},
    "extra/favicon.png": {"path": "favicon.png"},
    "extra/logo.png": {"path": "logo.png"},
}
DEFAULT_CATEGORY = "Treatments"
# Without this Pelican names the category after the folder ("articles") when none is given.
USE_FOLDER_AS_CATEGORY = False
# An article dated in the future is a draft (drafts/, not listed, not in the sitemap) until a build
# on or after its date publishes it. (Pelican's default, True, publishes it at once.)
WITH_FUTURE_DATES = False
SUMMARY_MAX_LENGTH = None  # the Summary metadata is the summary; never cut a body mid-sentence
DEFAULT_PAGINATION = 10
# The home page shows the latest three articles, not pages of them (the archives list them all).
PAGINATED_TEMPLATES = {"tag": None, "category": None, "author": None}
PAGINATION_PATTERNS = (
    (1, "{url}", "{save_as}"),
    (2, "{base_name}/page/{number}/", "{base_name}/page/{number}/index.html"),
)

MARKDOWN = {
    "extension_configs": {
        "markdown.extensions.extra": {},
        "markdown.extensions.meta": {},
        "markdown.extensions.toc": {},
    },
    "output_format": "html5",
}
TYPOGRIFY = True

# --- URLs: clean, folder-style ------------------------------------------------------------------
ARTICLE_URL = "blog/{slug}/"
ARTICLE_SAVE_AS = "blog/{slug}/index.html"
ARTICLE_LANG_URL = "blog/{slug}-{lang}/"
ARTICLE_LANG_SAVE_AS = "blog/{slug}-{lang}/index.html"
DRAFT_URL = "drafts/{slug}/"
DRAFT_SAVE_AS = "drafts/{slug}/index.html"
# A draft page previews at a clean address too (Pelican's default is drafts/pages/<slug>.html).
DRAFT_PAGE_URL = "drafts/{slug}/"
DRAFT_PAGE_SAVE_AS = "drafts/{slug}/index.html"
PAGE_URL = "{slug}/"
PAGE_SAVE_AS = "{slug}/index.html"
CATEGORY_URL = "blog/category/{slug}/"
CATEGORY_SAVE_AS = "blog/category/{slug}/index.html"
TAG_URL = "blog/tag/{slug}/"
TAG_SAVE_AS = "blog/tag/{slug}/index.html"
AUTHOR_URL = "blog/author/{slug}/"
AUTHOR_SAVE_AS = "blog/author/{slug}/index.html"
# Pelican has *_SAVE_AS for these direct templates; the *_URL twins are ours, for templates.
ARCHIVES_URL = "blog/archives/"
ARCHIVES_SAVE_AS = "blog/archives/index.html"
CATEGORIES_URL = "blog/categories/"
CATEGORIES_SAVE_AS = "blog/categories/index.html"
TAGS_URL = "blog/tags/"
TAGS_SAVE_AS = "blog/tags/index.html"
AUTHORS_URL = "blog/authors/"
AUTHORS_SAVE_AS = "blog/authors/index.html"
SEARCH_URL = "search/"
SEARCH_SAVE_AS = "search/index.html"
DIRECT_TEMPLATES = ["index", "archives", "categories", "tags", "authors", "404", "search"]
# robots.txt names the sitemap, whose URL must be absolute: a template, so it follows SITEURL.
TEMPLATE_PAGES = {"robots.txt": "robots.txt"}
# Served by static hosts (GitHub Pages, Netlify, Cloudflare Pages) for any missing path.
# (Pelican derives the file name from the template name: 404 -> 404.html.)

# Atom feeds in every build (a link to the feed must work in development too). Their links are
# absolute: the local server's address here, the site's in production (publishconf.py).
FEED_DOMAIN = "http://127.0.0.1:8000"
FEED_ALL_ATOM = "feeds/all.atom.xml"
CATEGORY_FEED_ATOM = "feeds/{slug}.atom.xml"
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None

# --- Theme and plugins --------------------------------------------------------------------------
THEME = "theme"
# The CSS is inlined into every page (plugins/inline_css); the only theme file copied is the
# search page's script (theme/static/js/search.js -> /theme/search.js), loaded on that page only.
THEME_STATIC_PATHS = ["static/js"]
# The hours as lines of text ("Monday–Friday", "8:00–19:00"), made from CLINIC["opening_hours"].
JINJA_FILTERS = {"hours_lines": hours_lines}
# Printing a variable that does not exist is reported (file and line) and fails the build.
JINJA_ENVIRONMENT = {
    "autoescape": True,
    "trim_blocks": True,
    "lstrip_blocks": True,
    "undefined": ReportingUndefined,
    # Every build has an environment of its own, made after the templates last changed: no need
    # to look at each template file's time again on each of the thousands of pages it renders.
    "auto_reload": False,
}
PLUGINS = [
    "rebalance.plugins.reading_time",
    "rebalance.plugins.booking_link",
    "rebalance.plugins.headings",
    "pelican.plugins.neighbors",
    "pelican.plugins.related_posts",
    "rebalance.plugins.redirects",
    "rebalance.plugins.inline_css",
    "rebalance.plugins.security_headers",  # _headers and the policy as <meta> (SECURITY_HEADERS)
    # pictures: resized AVIF/WebP/JPEG variants without metadata (IMAGES settings)
    "rebalance.plugins.images",
    "pelican.plugins.sitemap",
    "rebalance.plugins.clinicians",
    "rebalance.plugins.treatments",  # treatment pages at /treatments/<slug>/
    "rebalance.plugins.references",
    "rebalance.plugins.feeds",
    "rebalance.plugins.social_cards",
    "rebalance.plugins.search_index",
    "rebalance.plugins.content_checks",  # checks what the others produced
    # last: caches what is read, rendered and checked, kept only when content_checks passed
    "rebalance.plugins.build_cache",
]

# The site's one security policy (plugins/security_headers): `_headers` for the hosts that read
# it (Netlify, Cloudflare Pages) is made from it, and production pages carry the policy as <meta>
# tags too ("meta", publishconf.py), for GitHub Pages, which sends no headers. Nothing comes from
# another host. Scripts: only files of this site (the search page's), and Pagefind's WebAssembly
# ('wasm-unsafe-eval'); never an inline script. Styles: the stylesheet inlined into each page
# (the meta tag allows each page's own by its sha256 instead of 'unsafe-inline'). form-action:
# the search form opens the archives without JavaScript. docs/deploy.md explains each.
SECURITY_HEADERS = {
    "policy": {
        "default-src": ["'self'"],
        "script-src": ["'self'", "'wasm-unsafe-eval'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
    "referrer": "strict-origin-when-cross-origin",
    "headers": {
        "X-Content-Type-Options": "nosniff",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    },
    "file": "_headers",
    "meta": False,  # development: make serve adds its own script and panel to each page
}

# One Markdown file per treatment in content/pages/treatments/, at /treatments/<slug>/.
TREATMENTS = {"path": "pages/treatments"}
READING_TIME = {"words_per_minute": 260}
# Pagefind indexes the published articles after each build into /pagefind/ (plugins/search_index).
SEARCH_INDEX = {"bundle": "pagefind"}
# Long articles: a link after each ## and ### heading, and a list of contents from 3 sections.
HEADINGS = {"anchor_levels": [2, 3], "toc_min_sections": 3}
# pelican-related-posts: up to 3 articles sharing the most tags, below each article.
RELATED_POSTS_MAX = 3
# Old addresses lead to the articles (redirect pages, and _redirects for Netlify and Cloudflare
# Pages). Each is named by its article's "Redirect-from:" line: the posts of the clinic's old
# hosted blog carry their /post/<slug> there. None is made from an article's slug: an article
# written here never had an old address, and one made from today's Slug: would move if the slug
# were ever changed, which the old blog's links cannot.
REDIRECTS = {"hosts_file": "_redirects"}
# Who writes and reviews: one file per clinician in content/authors/ (docs/authoring.md).
CLINICIANS = {
    "path": "authors",
    # Authors that are not people: the clinic's own byline.
    "organisations": [AUTHOR],
    # `invoke review-due` lists the articles whose last medical review (or, never reviewed,
    # publication) is this many months old or older. It never fails a build.
    "review_after_months": 12,
}
# An article's sources: footnotes, or a "## References" section at its end (plugins/references).
REFERENCES = {"headings": ["References"], "title": "References", "notes_title": "Notes"}
CONTENT_CHECKS = {
    # content/authors/ holds the clinicians' profiles, read by plugins/clinicians.
    "plugin_folders": {CLINICIANS["path"]: "author"},
}
SITEMAP = {
    "format": "xml",
    "priorities": {"articles": 0.7, "indexes": 0.5, "pages": 0.6},
    "changefreqs": {"articles": "monthly", "indexes": "weekly", "pages": "monthly"},
    # Regexes on the URL. Only content belongs in the sitemap: not the lists of tags, authors,
    # categories or the archive (crawlers follow their links anyway, and the plugin would stamp
    # them with the build time), not the 404 page or the search page, not robots.txt.
    "exclude": [
        r"^blog/(tag|author|category)/",
        r"^blog/(archives|authors|categories|tags)/$",
        r"^404\.html$",
        r"^search/$",
        r"^robots\.txt$",
    ],
}

# Navigation: pages listed in the header after Treatments, Team and Articles, in this order (by
# slug); FOOTER_PAGES in the footer's list (pages that do not exist yet are left out).
MENU_PAGES = ["about", "contact"]
FOOTER_PAGES = ["new-patients", "about", "contact", "privacy"]
DISPLAY_PAGES_ON_MENU = False
DISPLAY_CATEGORIES_ON_MENU = False

DELETE_OUTPUT_DIRECTORY = True
# Kept when output/ is cleaned or replaced: a gh-pages checkout and a custom-domain file.
OUTPUT_RETENTION = [".git", "CNAME"]
# Rebuilds read, render and check only what changed: plugins/build_cache turns Pelican's content
# cache on under cache/build/<fingerprint of settings, theme, plugins and packages>.
CACHE_PATH = "cache"
