"""Each local plugin stands alone, as pelican-plugins' plugins do: in a site that is not ours
(Pelican's defaults and default theme), with our content (less its `Template:` lines, which name
our theme's layouts) and PLUGINS holding that plugin alone, Pelican builds without a traceback
and exits 0, and what the plugin makes is there.

Each build runs in a process of its own: Pelican's signals are global, so plugins another test
of this session registered would still be connected in this one.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pelicanconf import PLUGINS
from rebalance.build import ROOT

LOCAL = [p for p in PLUGINS if isinstance(p, str) and p.startswith("rebalance.plugins.")]
ARTICLE = "blog/unlocking-relief-the-many-benefits-of-dry-needling"

# Runs Pelican as its own tests run plugins: Pelican(read_settings(path=None, override=...)).
RUN = """
import sys
from pelican import Pelican
from pelican.settings import read_settings
content, output, plugin = sys.argv[1:4]
settings = read_settings(path=None, override={
    "PATH": content, "OUTPUT_PATH": output, "CACHE_PATH": output + "-cache",
    "ARTICLE_PATHS": ["articles"], "PAGE_PATHS": ["pages"], "STATIC_PATHS": ["images", "extra"],
    "ARTICLE_URL": "blog/{slug}/", "ARTICLE_SAVE_AS": "blog/{slug}/index.html",
    "TIMEZONE": "UTC", "SITENAME": "A site with one plugin", "PLUGINS": [plugin],
})
try:
    Pelican(settings).run()
except Exception as error:  # what `pelican` itself does with a build's error: say it, exit 1
    if type(error).__name__ != "ContentProblemsError":  # the checks' report is printed already
        raise
    sys.exit(1)
"""

# What each plugin makes that a site without it lacks (relative to the output folder).
MAKES = {
    "rebalance.plugins.redirects": [f"post/{ARTICLE.split('/')[1]}/index.html"],
    "rebalance.plugins.social_cards": ["images/cards/" + ARTICLE.split("/")[1] + ".png"],
    "rebalance.plugins.search_index": ["pagefind/pagefind.js"],
    "rebalance.plugins.feeds": ["feeds/all.atom.xml"],
}


@pytest.fixture(scope="module")
def plain_content(tmp_path_factory) -> Path:
    content = tmp_path_factory.mktemp("alone") / "content"
    shutil.copytree(ROOT / "content", content)
    for md in content.rglob("*.md"):
        text = md.read_text(encoding="utf-8")
        md.write_text(re.sub(r"(?mi)^template:.*\n", "", text, count=1), encoding="utf-8")
    return content


def test_every_local_plugin_is_tested_alone():
    assert len(LOCAL) >= 10, LOCAL


@pytest.mark.parametrize("plugin", LOCAL, ids=[p.rsplit(".", 1)[-1] for p in LOCAL])
def test_plugin_builds_our_content_alone_in_a_plain_site(plugin, plain_content, tmp_path):
    output = tmp_path / "output"
    done = subprocess.run(
        [sys.executable, "-c", RUN, str(plain_content), str(output), plugin],
        capture_output=True, text=True, cwd=tmp_path, env={"COLUMNS": "200", "PATH": "/usr/bin"},
        timeout=300,
    )  # fmt: skip
    said = done.stdout + done.stderr
    assert "Traceback" not in said, said[-3000:]
    assert "Cannot load plugin" not in said, said[-3000:]
    if plugin.endswith("content_checks"):
        # Alone, it reports what the other plugins would have handled ({booking} links...):
        # a report, not a crash.
        assert done.returncode == 0 or "Content problems found" in said, said[-3000:]
        return
    assert done.returncode == 0, said[-3000:]
    assert (output / "index.html").is_file()
    assert (output / ARTICLE / "index.html").is_file()
    for made in MAKES.get(plugin, []):
        assert (output / made).is_file(), f"{plugin} alone did not make {made}"
