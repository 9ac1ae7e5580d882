"""One round trip: what a page needs before it can render fits the first congestion window."""

from __future__ import annotations

import pytest

from rebalance.measure import OURS
from rebalance.weight import BUDGET_BROTLI, critical_files, weigh


def test_article_renders_from_at_most_14000_brotli_bytes_in_at_most_two_files(built_site):
    weight = weigh(built_site, OURS["article"])
    assert weight.brotli <= BUDGET_BROTLI, weight
    assert len(weight.files) <= 2, weight.files


@pytest.mark.parametrize("kind", sorted(OURS))
def test_no_page_fetches_a_web_font_or_needs_a_script(built_site, kind):
    files = critical_files(built_site, OURS[kind])
    assert not [f for f in files if f.suffix in (".woff", ".woff2", ".ttf", ".otf", ".eot")]
    html = (built_site / OURS[kind]).read_text(encoding="utf-8")
    # The only script is JSON-LD data, which browsers never execute; the search page alone runs
    # one of ours, once it has rendered (a module is deferred; tests/test_search.py).
    if kind == "search":
        html = html.replace('<script type="module" src="/theme/search.js"></script>', "", 1)
    assert "<script src" not in html
    assert html.count("<script") == html.count('<script type="application/ld+json">')


def test_theme_uses_the_system_font_stack_only(built_site):
    css = (built_site / OURS["article"]).read_text(encoding="utf-8")
    assert "@font-face" not in css and "@import" not in css
    assert "system-ui" in css
