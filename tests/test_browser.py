"""The theme in a real browser (Debian's Chromium, driven by Playwright), on every page type.

Patients read the site on phones, with screen readers, on slow networks, on paper. So on each
page type: axe-core finds nothing in light or dark colours; nothing scrolls sideways at 320 px;
nothing is fetched from another host and nothing fails; it reads and navigates without
JavaScript; keyboard focus is always visible and the skip link works; print and reduced motion
are looked after; body text is large enough and its lines are a comfortable length.

One browser and one served copy of the real site (the `built_site` fixture) for the module.
Outside CI a missing tool skips these tests; under CI=true it fails them (browser_tools).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import pytest

from rebalance.browser import (
    format_axe_violations,
    require_axe,
    run_axe,
)
from rebalance.measure import OURS

pytestmark = pytest.mark.browser

# Where a reader meets each page type. The 404 page is reached the way readers reach it: by
# asking for an address that does not exist (the server answers with 404.html, status 404).
URLS = {
    kind: "/" + path.removesuffix("index.html") if kind != "404" else "/blog/no-such-article/"
    for kind, path in OURS.items()
}
KINDS = list(URLS)
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 320, "height": 568}  # the narrowest phone still in use (iPhone SE, 1st gen.)


@dataclass
class Visit:
    """One page opened in a fresh browser context, with everything that happened on the way."""

    page: object
    requests: list[str] = field(default_factory=list)
    bad_responses: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)


@pytest.fixture
def visit(browser, base_url):
    """visit(kind, **context options) -> Visit: opens that page type in a new context."""
    contexts = []

    def open_page(kind: str, wait_until: str = "load", **options) -> Visit:
        context = browser.new_context(**{"viewport": DESKTOP, **options})
        contexts.append(context)
        page = context.new_page()
        seen = Visit(page)
        document = base_url + URLS[kind]
        page.on("request", lambda request: seen.requests.append(request.url))
        page.on("requestfailed", lambda r: seen.failed_requests.append(f"{r.url}: {r.failure}"))

        def expected(url: str) -> bool:
            # The 404 page itself is meant to come with status 404 (which Chromium also logs
            # as a console error); nothing else is.
            return kind == "404" and url == document

        page.on(
            "response",
            lambda r: (
                r.status >= 400
                and not expected(r.url)
                and seen.bad_responses.append(f"{r.status} {r.url}")
            ),
        )
        page.on(
            "console",
            lambda m: (
                m.type == "error"
                and not expected(m.location.get("url", ""))
                and seen.console_errors.append(f"{m.text} {m.location}")
            ),
        )
        page.on("pageerror", lambda error: seen.console_errors.append(str(error)))
        response = page.goto(document, wait_until=wait_until)
        assert response is not None
        assert response.status == (404 if kind == "404" else 200), document
        return seen

    yield open_page
    for context in contexts:
        context.close()


# --------------------------------------------------------------------------- accessibility


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("kind", KINDS)
def test_axe_finds_no_wcag_22_aa_or_best_practice_problems(visit, kind, scheme):
    require_axe()
    page = visit(kind, color_scheme=scheme).page
    violations = run_axe(page)
    assert violations == [], f"{kind} ({scheme}):\n" + format_axe_violations(violations)


@pytest.mark.parametrize("kind", KINDS)
def test_nothing_scrolls_sideways_at_320_px(visit, kind):
    page = visit(kind, viewport=PHONE).page
    scroll, client = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert client == PHONE["width"]
    assert scroll <= client, f"{kind}: {scroll - client} px of sideways scrolling at 320 px"


# --------------------------------------------------------------------------- network, console


@pytest.mark.parametrize("kind", KINDS)
def test_page_requests_nothing_from_another_host(visit, base_url, kind):
    seen = visit(kind, wait_until="networkidle")
    ours = urlsplit(base_url).netloc
    elsewhere = [url for url in seen.requests if urlsplit(url).netloc != ours]
    assert seen.requests, "no request recorded at all: the listener is broken"
    assert elsewhere == []


@pytest.mark.parametrize("kind", KINDS)
def test_page_loads_without_console_errors_failed_requests_or_404s(visit, kind):
    seen = visit(kind, wait_until="networkidle")
    assert seen.console_errors == []
    assert seen.failed_requests == []
    assert seen.bad_responses == []  # e.g. a missing favicon


# Chromium asks for a page's icon only once in a while (it remembers icons, and failures, across
# pages), so the test above cannot be relied on to catch a missing one: ask for each directly.
FILES_JS = """() => [
  ...[...document.querySelectorAll("link[rel~='icon'], link[rel~='stylesheet']")].map(l => l.href),
  ...[...document.querySelectorAll('img[src], script[src]')].map(e => e.src),
]"""


@pytest.mark.parametrize("kind", KINDS)
def test_every_icon_image_and_stylesheet_the_page_names_is_served(visit, base_url, kind):
    page = visit(kind).page
    files = page.evaluate(FILES_JS)
    icons = page.eval_on_selector_all("link[rel~='icon']", "links => links.map(l => l.href)")
    assert len(icons) >= 2, "an SVG favicon and a PNG fallback"
    # /favicon.ico too: some browsers and feed readers ask for it whatever the page says.
    scripts = set(page.eval_on_selector_all("script[src]", "scripts => scripts.map(s => s.src)"))
    for url in [*files, base_url + "/favicon.ico"]:
        response = page.request.get(url)
        assert response.status == 200, url
        kind_of_file = ("text/javascript",) if url in scripts else ("image/", "text/css")
        assert response.headers["content-type"].startswith(kind_of_file), url


# --------------------------------------------------------------------------- without JavaScript


@pytest.mark.parametrize("kind", KINDS)
def test_page_reads_and_navigates_without_javascript(visit, base_url, settings, kind):
    seen = visit(kind, java_script_enabled=False)
    page = seen.page
    main = page.locator("main#main")
    assert main.is_visible()
    heading = main.locator("h1")
    assert heading.count() == 1 and heading.is_visible()
    assert len(main.inner_text().strip()) > 40, "the main content is (nearly) empty"
    booking = page.locator(f"header a.booking-link[href^='{settings['BOOKING_URL']}?']")
    assert booking.is_visible()

    links = page.eval_on_selector_all("nav a[href]", "links => links.map(a => a.href)")
    assert len(links) >= 4, "no navigation links found"
    for href in links:  # every navigation link leads to a page...
        assert page.request.get(href).status == 200, href
    # ...and one is followed by a click, a different one on each page type, so that between
    # them the page types click every link of the navigation.
    index = KINDS.index(kind) % len(links)
    if "#" in links[index] and links[index].split("#")[0] == page.url.split("#")[0]:
        # A section of this page (the home page's Treatments): the link scrolls to it.
        page.locator("nav a[href]").nth(index).click()
        assert page.url == links[index]
        assert page.locator("#" + links[index].split("#")[1]).is_visible()
        return
    with page.expect_navigation(timeout=5_000) as navigation:
        page.locator("nav a[href]").nth(index).click()
    assert navigation.value.status == 200, links[index]
    assert page.url == urljoin(base_url, links[index])
    assert page.locator("main#main h1").is_visible(), links[index]


# --------------------------------------------------------------------------- keyboard

# Every element that Tab reaches, numbered (the numbers only label them for the test), and how
# each looks while not focused, to compare with how it looks focused.
NUMBER_FOCUSABLES_JS = """() => {
  const all = [...document.querySelectorAll(
    'a[href], area[href], button, input, select, textarea, summary, [tabindex]')]
    .filter(el => el.tabIndex >= 0 && !el.disabled && el.checkVisibility());
  return all.map((el, i) => {
    el.dataset.focusTest = i;
    const s = getComputedStyle(el);
    return {outline: `${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor}`, shadow: s.boxShadow};
  });
}"""

FOCUSED_JS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const s = getComputedStyle(el), r = el.getBoundingClientRect();
  const transparent = c => c === 'transparent' || /rgba\\(.*,\\s*0\\)$/.test(c);
  return {
    index: el.dataset.focusTest === undefined ? null : Number(el.dataset.focusTest),
    html: el.outerHTML.slice(0, 120),
    focusVisible: el.matches(':focus-visible'),
    outline: `${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor}`,
    outlineShown: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0
      && !transparent(s.outlineColor),
    shadow: s.boxShadow,
    // the box with its focus ring (outline width + offset), as far as the reader sees it
    ring: s.outlineStyle === 'none' ? 0
      : parseFloat(s.outlineWidth) + Math.max(0, parseFloat(s.outlineOffset)),
    rect: [r.left, r.top, r.right, r.bottom],
    viewport: [innerWidth, innerHeight],
  };
}"""


def _on_screen(rect: list[float], width: float, height: float, ring: float = 0) -> bool:
    """Whether a box (left, top, right, bottom), grown by `ring` on every side, is in the window."""
    left, top, right, bottom = rect
    slack = 0.5  # sub-pixel layout
    return (
        min(left - ring, top - ring) >= -slack
        and right + ring <= width + slack
        and bottom + ring <= height + slack
    )


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("kind", KINDS)
def test_keyboard_focus_is_always_visible_and_on_screen(visit, kind, viewport):
    page = visit(kind, viewport=viewport).page
    unfocused = page.evaluate(NUMBER_FOCUSABLES_JS)
    assert unfocused, "nothing focusable on the page"
    reached = []
    for _ in range(len(unfocused) + 5):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED_JS)
        if focused is None:  # past the last element, focus leaves the page
            break
        where = f"{kind}: {focused['html']}"
        assert focused["index"] is not None, f"Tab reached an element not counted: {where}"
        before = unfocused[focused["index"]]
        outline = focused["outlineShown"] and focused["outline"] != before["outline"]
        shadow = focused["shadow"] != "none" and focused["shadow"] != before["shadow"]
        assert focused["focusVisible"] and (outline or shadow), f"focus not visible: {where}"
        width, height = focused["viewport"]
        assert _on_screen(focused["rect"], width, height, focused["ring"]), (
            f"focus ring not wholly in the {width}x{height} window after scrolling "
            f"({focused['rect']}, ring {focused['ring']} px): {where}"
        )
        reached.append(focused["index"])
    assert reached == list(range(len(unfocused))), "Tab order misses or repeats elements"


@pytest.mark.parametrize("kind", KINDS)
def test_first_tab_shows_the_skip_link_and_enter_jumps_to_main(visit, kind):
    page = visit(kind, viewport=PHONE).page  # a phone: the header is tallest there
    page.keyboard.press("Tab")
    skip = page.evaluate(
        """() => { const el = document.activeElement, r = el.getBoundingClientRect();
        return {cls: el.className, href: el.getAttribute('href'),
                rect: [r.left, r.top, r.right, r.bottom], w: innerWidth, h: innerHeight}; }"""
    )
    assert "skip-link" in skip["cls"] and skip["href"] == "#main", skip
    assert _on_screen(skip["rect"], skip["w"], skip["h"]), f"skip link off screen: {skip}"
    assert page.locator(".skip-link").is_visible()

    page.keyboard.press("Enter")
    page.wait_for_url("**#main")
    after = page.evaluate(
        """() => { const main = document.querySelector('main#main');
        const root = document.documentElement;
        return {focused: document.activeElement === main, top: main.getBoundingClientRect().top,
                atBottom: scrollY + innerHeight >= root.scrollHeight - 1}; }"""
    )
    assert after["focused"], "Enter on the skip link did not move focus to main#main"
    # main is scrolled to the top of the window (unless the page is too short to scroll so far)
    assert abs(after["top"]) <= 1 or after["atBottom"], after
    # ...and the next Tab carries on from main, past the header's links.
    page.keyboard.press("Tab")
    follows = page.evaluate(
        """() => { const el = document.activeElement, main = document.querySelector('main#main');
        return el !== document.body && !document.querySelector('.site-header').contains(el)
          && !!(main.compareDocumentPosition(el)
                & (Node.DOCUMENT_POSITION_FOLLOWING | Node.DOCUMENT_POSITION_CONTAINED_BY)); }"""
    )
    assert follows, "the Tab after the skip link went back into the header"


# --------------------------------------------------------------------------- comfort

COLOURS_JS = """() => { const s = getComputedStyle(document.body);
  return [s.backgroundColor, s.color]; }"""


def _luminance(css_colour: str) -> float:
    """Relative luminance (WCAG) of an rgb()/rgba() colour."""
    r, g, b = (float(v) / 255 for v in re.findall(r"[\d.]+", css_colour)[:3])

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)


@pytest.mark.parametrize("kind", KINDS)
def test_dark_colour_scheme_gives_light_text_on_a_dark_background(visit, kind):
    light_bg, light_text = visit(kind, color_scheme="light").page.evaluate(COLOURS_JS)
    dark_bg, dark_text = visit(kind, color_scheme="dark").page.evaluate(COLOURS_JS)
    assert (light_bg, light_text) != (dark_bg, dark_text)
    assert _luminance(light_bg) > _luminance(light_text), (light_bg, light_text)
    assert _luminance(dark_bg) < _luminance(dark_text), (dark_bg, dark_text)
    assert _luminance(dark_bg) < 0.05, f"the dark scheme's background is not dark: {dark_bg}"


AFTER_CONTENT_JS = "el => getComputedStyle(el, '::after').content"


@pytest.mark.parametrize("kind", KINDS)
def test_print_hides_navigation_and_prints_the_booking_address(visit, settings, kind):
    page = visit(kind).page
    page.emulate_media(media="print")
    for selector in (".skip-link", "nav.site-nav", ".site-footer-nav"):
        shown = [el for el in page.locator(selector).all() if not el.is_hidden()]
        assert not shown, f"{selector} is printed on {kind}"
    assert page.locator("main#main h1").is_visible()
    printed = [
        link.evaluate(AFTER_CONTENT_JS)
        for link in page.locator("a.booking-link").all()
        if link.is_visible()
    ]
    with_address = [text for text in printed if settings["BOOKING_URL"] in text]
    assert len(with_address) == 1, f"{kind}: booking links printed as {printed}"


def test_print_puts_each_link_address_after_its_text_in_the_article(visit):
    page = visit("article").page
    page.emulate_media(media="print")
    links = page.locator(".article-body a[href^='http']").all()
    assert links, "the article has no absolute link to check"
    for link in links:
        href = link.get_attribute("href")
        assert href in link.evaluate(AFTER_CONTENT_JS), href
    page.emulate_media(media="screen")
    assert links[0].evaluate(AFTER_CONTENT_JS) == "none", "addresses must show on paper only"


MOTION_JS = """() => {
  const moving = [];
  const durations = v => v.split(',').map(d => parseFloat(d) || 0);
  for (const el of document.querySelectorAll('*')) {
    for (const pseudo of [null, '::before', '::after']) {
      const s = getComputedStyle(el, pseudo);
      const animated = s.animationName !== 'none' && durations(s.animationDuration).some(d => d);
      const transitions = durations(s.transitionDuration).some(d => d)
        && s.transitionProperty !== 'none';
      if (animated || transitions)
        moving.push(`${el.tagName.toLowerCase()}.${el.className}${pseudo || ''}`);
    }
  }
  if (getComputedStyle(document.documentElement).scrollBehavior !== 'auto') moving.push('html');
  return moving;
}"""


@pytest.mark.parametrize("kind", KINDS)
def test_reduced_motion_leaves_nothing_animated(visit, kind):
    page = visit(kind, reduced_motion="reduce").page
    assert page.evaluate("matchMedia('(prefers-reduced-motion: reduce)').matches")
    assert page.evaluate(MOTION_JS) == []


# Characters on each rendered line of each article paragraph, found from where each character
# is drawn (Range.getClientRects): a character below the current line starts a new line.
LINE_LENGTHS_JS = """() => [...document.querySelectorAll('.article-body p')].map(p => {
  const lines = [];
  const range = document.createRange();
  const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (let i = 0; i < node.length; i++) {
      range.setStart(node, i);
      range.setEnd(node, i + 1);
      const rect = range.getClientRects()[0];
      if (!rect) continue;
      const line = lines[lines.length - 1];
      if (!line || rect.top >= line.bottom - 2) lines.push({bottom: rect.bottom, chars: 1});
      else { line.chars++; line.bottom = Math.max(line.bottom, rect.bottom); }
    }
  }
  return lines.map(line => line.chars);
})"""


def test_article_text_is_16px_or_more_at_60_to_75_characters_a_line(visit):
    page = visit("article", viewport=DESKTOP).page
    sizes = page.eval_on_selector_all(
        "body, .article-body p, .article-body li",
        "els => els.map(el => parseFloat(getComputedStyle(el).fontSize))",
    )
    assert min(sizes) >= 16, f"body text smaller than 16 px: {sorted(set(sizes))}"

    paragraphs = page.evaluate(LINE_LENGTHS_JS)
    full_lines = [n for lines in paragraphs for n in lines[:-1]]  # a last line is a short one
    assert len(full_lines) >= 20, f"too few full lines to measure: {paragraphs}"
    average = sum(full_lines) / len(full_lines)
    print(f"\n[line length] {average:.1f} characters a line on average "
          f"({min(full_lines)}-{max(full_lines)}, {len(full_lines)} full lines); "
          f"font size {sizes[0]:.0f} px")  # fmt: skip
    assert 60 <= average <= 75, f"{average:.1f} characters a line"
