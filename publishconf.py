"""Production settings: everything in pelicanconf.py, plus what only the published site needs.

Deployment-specific values come from environment variables (in GitHub Actions: repository
variables, see docs/deploy.md). A production build refuses to run while any of them still holds
its placeholder, so the public site can never show a fake phone number or booking link.
"""

import importlib
import os

import pelicanconf  # installed with the rebalance package (pyproject.toml)

# Read afresh: in a process that imported pelicanconf before (tests, tasks), the values taken
# from the environment must be the environment's now.
importlib.reload(pelicanconf)
from pelicanconf import *  # noqa: E402,F403
from pelicanconf import PLACEHOLDERS  # noqa: E402

SITEURL = os.environ.get("SITEURL", "https://www.example.com").rstrip("/")
RELATIVE_URLS = False

FEED_DOMAIN = SITEURL
# What is unfinished (placeholder text, make new-article's guide text, links to the author's own
# computer) fails a production build; development builds only show it.
CONTENT_CHECKS = {**CONTENT_CHECKS, "production": True}  # noqa: F405
FEED_ALL_ATOM = "feeds/all.atom.xml"
# GitHub Pages sends no HTTP headers: every page carries the policy as <meta> tags (docs/deploy.md).
SECURITY_HEADERS = {**SECURITY_HEADERS, "meta": True}  # noqa: F405

# Drafts and future-dated articles can be previewed locally (drafts/ in development builds),
# but the public site never carries them, not even at an unlisted address.
DRAFT_SAVE_AS = DRAFT_LANG_SAVE_AS = DRAFT_PAGE_SAVE_AS = DRAFT_PAGE_LANG_SAVE_AS = ""


def _placeholders_left() -> list[str]:
    """Names of the production settings whose values, as this build would use them, are still
    the placeholders (whether they come from the environment or from pelicanconf.py)."""
    used = {
        "CLINIC_ADDRESS": CLINIC["address"],  # noqa: F405
        "CLINIC_PHONE": CLINIC["phone"],  # noqa: F405
        "CLINIC_EMAIL": CLINIC["email"],  # noqa: F405
        # No hours given is the placeholder: the structured list is empty.
        "CLINIC_HOURS": CLINIC["hours"] or PLACEHOLDERS["CLINIC_HOURS"],  # noqa: F405
        "BOOKING_URL": BOOKING_URL,  # noqa: F405
    }
    left = [name for name, value in used.items() if value == PLACEHOLDERS[name]]
    if "example.com" in SITEURL or not SITEURL.startswith("https://"):
        left.insert(0, "SITEURL")
    return left


if _placeholders_left():
    raise SystemExit(
        "Production build refused: these settings still hold placeholder values:\n"
        + "".join(f"  - {name}\n" for name in _placeholders_left())
        + "Set each as an environment variable (in GitHub: Settings > Secrets and variables > "
        "Actions > Variables), or write the real value into CLINIC or BOOKING_URL in "
        "pelicanconf.py. See docs/deploy.md."
    )
