"""Valid HTML: the Nu Html Checker (vnu.jar, the W3C validator) finds no error in any built page.

One JVM checks the whole built site at once. A deliberately broken canary page goes into the
same run: it must be reported, which proves the checker really read the files (an empty report
from a checker that looked at nothing would pass otherwise).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from rebalance.browser import format_vnu_messages, require_vnu, run_vnu
from rebalance.measure import OURS

pytestmark = pytest.mark.browser

CANARY = "<!doctype html><html lang=en><title>Canary</title><p><div>block in a p</div></span>"


@pytest.fixture(scope="module")
def errors_by_file(built_site, tmp_path_factory) -> dict[str, list[dict]]:
    """vnu's errors, keyed by path relative to the built site ("canary.html" for the canary)."""
    require_vnu()
    canary = tmp_path_factory.mktemp("vnu") / "canary.html"
    canary.write_text(CANARY, encoding="utf-8")
    messages = run_vnu([built_site, canary])
    by_file: dict[str, list[dict]] = {}
    for message in messages:
        path = Path(unquote(urlsplit(message.get("url", "")).path))
        name = "canary.html" if path == canary else path.relative_to(built_site).as_posix()
        by_file.setdefault(name, []).append(message)
    return by_file


def test_the_checker_reports_the_broken_canary(errors_by_file):
    assert errors_by_file.get("canary.html"), "vnu did not report an obviously invalid page"


@pytest.mark.parametrize("kind", sorted(OURS))
def test_page_type_is_valid_html(errors_by_file, kind):
    errors = errors_by_file.get(OURS[kind], [])
    assert errors == [], format_vnu_messages(errors)


def test_every_built_page_is_valid_html(errors_by_file, built_site):
    assert len(list(built_site.rglob("*.html"))) >= len(OURS)
    site_errors = [m for name, ms in errors_by_file.items() if name != "canary.html" for m in ms]
    assert site_errors == [], format_vnu_messages(site_errors)
