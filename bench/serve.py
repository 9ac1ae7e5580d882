#!/usr/bin/env python3
"""Save-to-screen time under `invoke serve`, next to a plain Pelican cold build of the same corpus.

On the varied corpus (rebalance.corpus, N articles) the real serve task runs as a subprocess
(rebalance.served.Served) and a headless Chromium (Debian's, through Playwright) opens one
article's page. Each run saves that article's Markdown file three times, in place as an editor
saves, and times each from the write to what the author waits for in the open page:

* an edit: a paragraph with a new marker sentence, until the marker shows;
* a mistake: a misspelt header line (`Catgory:`), until the problems box shows it;
* the fix: the header put right, until the box is gone and the page shows the text again.

Also shown, from serve's output: when the saved page's preview was in place ("Preview:") and
when the full build was done ("Rebuilt"). The target: a median of at most 0.2x the wall time of
a plain Pelican cold build (rebalance.measure.build_plain, median of 3 runs), for each.

Usage: .venv/bin/python bench/serve.py [articles=200] [runs=5]
"""

from __future__ import annotations

import re
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from rebalance.browser import CHROMIUM, CHROMIUM_ARGS, INSTALL_HINT
from rebalance.corpus import make_corpus
from rebalance.measure import arguments, build_plain, medians, plain_corpus, timed
from rebalance.served import Served

TARGET = 0.2  # edit-to-browser median / plain cold build wall time
HAS_TEXT = "m => document.body && document.body.innerText.includes(m)"
SHOWS_PROBLEM = "m => document.querySelector('aside.rebalance-problems')?.innerText.includes(m)"
NO_PROBLEM = (
    "m => !document.querySelector('aside.rebalance-problems')"
    " && document.body && document.body.innerText.includes(m)"
)


PHOTO_LOADED = (
    "m => [...document.querySelectorAll('main img')].some(i => i.currentSrc.includes(m)"
    " && i.complete && i.naturalWidth > 0)"
)


def twelve_megapixels(path: Path) -> None:
    """A 4000x3000 JPEG with detail everywhere (noise over a gradient), as a phone saves one."""
    from PIL import Image

    noise = Image.effect_noise((4000, 3000), 60).convert("RGB")
    gradient = Image.linear_gradient("L").resize((4000, 3000)).convert("RGB")
    Image.blend(noise, gradient, 0.5).save(path, "JPEG", quality=90)


def wait_for_text(page, text: str, timeout: float = 120, condition: str = HAS_TEXT) -> None:
    """Until `condition` holds for `text` in the page (by default: `text` shows); the page
    reloads meanwhile, so navigation errors retry."""
    from playwright.sync_api import Error

    deadline = time.monotonic() + timeout
    while True:
        try:
            left = max(deadline - time.monotonic(), 0.1)
            page.wait_for_function(condition, arg=text, timeout=left * 1000)
            return
        except Error:  # "Execution context was destroyed" during the reload, or the timeout
            if time.monotonic() >= deadline:
                raise


def main() -> None:
    articles, runs = arguments(200, 5)
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"{CHROMIUM} is missing: run `{INSTALL_HINT}`")
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        content = make_corpus(tmp / "varied", articles)
        plain_content = plain_corpus(content, tmp / "plain")
        plain = [timed(build_plain, plain_content, tmp / "out-plain") for _ in range(3)]
        pw, pc = medians(plain)
        print(f"{articles} articles; plain Pelican cold build (median of 3): {pw:.2f} s wall / "
              f"{pc:.2f} s CPU")  # fmt: skip

        source = sorted((content / "articles").glob("*-bench-*.md"))[articles // 2]
        slug = re.search(r"(?m)^Slug:\s*(\S+)", source.read_text(encoding="utf-8")).group(1)
        start = time.perf_counter()
        server = Served(content, tmp / "site")  # rebalance/served.py: `invoke serve` running
        kinds = {"edit": [], "mistake": [], "fix": [], "photo": []}
        try:
            server.wait_for("Serving http://", timeout=300)  # the first, cold build is done
            server.wait_until_listening()
            url = f"{server.base_url}/blog/{slug}/"
            first = time.perf_counter() - start
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_page()
                page.goto(url)
                page.wait_for_selector("html[data-rebalance-live=open]")
                print(f"serve's first build and start: {first:.1f} s; editing {source.name}, "
                      f"open at {url}")  # fmt: skip

                def save(kind: str, text: str, condition: str, arg: str) -> None:
                    time.sleep(1)  # settle: the last full build is done
                    done = server.output().count("Rebuilt") + server.output().count("Still")
                    seen = len(server.stamps)
                    source.write_text(text, encoding="utf-8")
                    t0 = time.perf_counter()
                    wait_for_text(page, arg, condition=condition)
                    kinds[kind].append(time.perf_counter() - t0)
                    deadline = time.monotonic() + 120
                    while server.output().count("Rebuilt") + server.output().count("Still") <= done:
                        if time.monotonic() > deadline:
                            raise SystemExit(f"no full build after the {kind}:\n{server.output()}")
                        time.sleep(0.05)
                    printed = server.stamps[seen:]
                    preview, full = (
                        next((f"{t - t0:.2f} s" for t, line in printed if key in line), "-")
                        for key in ("Preview:", "Rebuilt" if kind != "mistake" else "Still")
                    )
                    print(f"  {kind:>7}: shown after {kinds[kind][-1]:5.2f} s; preview in place at "
                          f"{preview}, full build done at {full}")  # fmt: skip

                for _ in range(runs):
                    marker = f"Marker {uuid.uuid4().hex[:6]}"
                    text = source.read_text(encoding="utf-8") + f"\n{marker} for the bench.\n"
                    save("edit", text, HAS_TEXT, marker)
                    wrong = re.sub(r"(?m)^Title:", "Catgory: Knees\nTitle:", text, count=1)
                    save("mistake", wrong, SHOWS_PROBLEM, 'unknown metadata key "Catgory"')
                    save("fix", text, NO_PROBLEM, marker)
                # A 12-megapixel photo, new, saved with the article that shows it: until the page
                # shows it loaded (the preview waits for its variants: plugins/images).
                photo = content / "images" / f"bench-photo-{uuid.uuid4().hex[:6]}.jpg"
                photo.parent.mkdir(exist_ok=True)
                twelve_megapixels(photo)
                shown = f"![A bench photo]({{static}}/images/{photo.name})"
                text = source.read_text(encoding="utf-8") + f"\n{shown}\n"
                save("photo", text, PHOTO_LOADED, photo.stem)
                browser.close()
        finally:
            server.stop()
        print(f"a new 12-megapixel photo, saved with the article that shows it, shown after "
              f"{kinds['photo'][0]:.2f} s")  # fmt: skip
        for kind, times in kinds.items():
            if kind == "photo":
                continue
            median = statistics.median(times)
            verdict = "meets" if median / pw <= TARGET else "misses"
            ratio = median / pw
            print(f"{kind:>7} to screen (median of {runs}): {median:.2f} s = {ratio:.2f}x the "
                  f"plain cold build's wall time ({verdict} the target <= {TARGET}x)")  # fmt: skip


if __name__ == "__main__":
    main()
