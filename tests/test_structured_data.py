"""One schema.org graph per page (theme/templates/partials/meta/json_ld.html), checked on a
production build of every page type: its shape here, and structured-data-testing-tool's Google,
Twitter and Facebook presets (node tests/sdtt.js).

The build is the real content/ plus the fictional clinicians and their articles
(tests/data/trust), with the production settings and the environment of tests/test_publish.py.
The validator is an npm devDependency (package.json): outside CI, the tests that need it skip
with the command that installs it; under CI=true a missing tool fails them.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import PRODUCTION_ENV, TRUST, content_with

from rebalance.browser import INSTALL_HINT, NODE_MODULES, require_tool
from rebalance.build import PUBLISH_SETTINGS, ROOT, build_site
from rebalance.measure import OURS

SITEURL = PRODUCTION_ENV["SITEURL"]
# Every page type (bench/common.py), and the pages only clinicians and reviews make.
PAGES = {
    **OURS,
    "treatment": "treatments/dry-needling/index.html",
    "reviewed article": "blog/knee-pain-after-running/index.html",
    "article with references": "blog/stretching-before-exercise/index.html",
    "clinician": "blog/author/alex-example/index.html",
    "reviewer": "blog/author/sam-sample/index.html",
}
ARTICLES = {"article", "reviewed article", "article with references"}
SDTT = NODE_MODULES / "structured-data-testing-tool"
SDTT_SCRIPT = ROOT / "tests" / "sdtt.js"


@pytest.fixture(scope="module")
def production(tmp_path_factory) -> Path:
    """The production build (publishconf.py, real-looking values in the environment)."""
    tmp = tmp_path_factory.mktemp("structured-data")
    content = content_with(tmp, TRUST)
    with pytest.MonkeyPatch.context() as env:
        for name, value in PRODUCTION_ENV.items():
            env.setenv(name, value)
        assert build_site(PUBLISH_SETTINGS, tmp / "output", overrides={"PATH": str(content)})
    return tmp / "output"


def graph_of(output: Path, kind: str) -> list[dict]:
    soup = BeautifulSoup((output / PAGES[kind]).read_text("utf-8"), "html.parser")
    scripts = soup.find_all("script", type="application/ld+json")
    assert len(scripts) == 1, f"{kind}: {len(scripts)} JSON-LD scripts"
    data = json.loads(scripts[0].string)
    assert data["@context"] == "https://schema.org"
    return data["@graph"]


def defined(value) -> dict[str, dict]:
    """Every node a JSON value defines (an object with an @id and more), by @id: the graph's
    own nodes and those inside them (the clinic's logo, a page's image)."""
    found = {}
    if isinstance(value, list):
        for item in value:
            found.update(defined(item))
    elif isinstance(value, dict):
        if "@id" in value and set(value) != {"@id"}:
            found[value["@id"]] = value
        for item in value.values():
            found.update(defined(item))
    return found


def references(value) -> list[str]:
    """Every {"@id": …} reference in a JSON value."""
    if isinstance(value, list):
        return [ref for item in value for ref in references(item)]
    if not isinstance(value, dict):
        return []
    if set(value) == {"@id"}:
        return [value["@id"]]
    return [ref for item in value.values() for ref in references(item)]


# --- The graph ------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", sorted(PAGES))
def test_every_page_has_one_graph_whose_references_all_resolve(production, kind):
    graph = graph_of(production, kind)
    top = [node["@id"] for node in graph]
    assert len(top) == len(set(top)), top
    ids = defined(graph)
    assert all(i.startswith(SITEURL + "/") for i in ids), ids
    for ref in references(graph):
        assert ref in ids, f"{kind}: a reference to {ref}, which is not in the graph"
    types = {node["@type"] for node in graph}
    assert {"Physiotherapy", "WebSite"} <= types


def test_clinic_is_a_physiotherapy_with_its_facts_and_booking(production):
    (clinic,) = [n for n in graph_of(production, "home") if n["@type"] == "Physiotherapy"]
    assert clinic["@id"] == f"{SITEURL}/#clinic"
    assert clinic["url"] == f"{SITEURL}/"
    assert clinic["address"] == PRODUCTION_ENV["CLINIC_ADDRESS"]
    assert clinic["telephone"] == PRODUCTION_ENV["CLINIC_PHONE"]
    assert clinic["email"] == PRODUCTION_ENV["CLINIC_EMAIL"]
    assert clinic["logo"]["url"] == f"{SITEURL}/logo.png"
    assert (production / "logo.png").is_file()
    action = clinic["potentialAction"]
    assert action["@type"] == "ReserveAction"
    assert action["target"]["@type"] == "EntryPoint"
    assert action["target"]["urlTemplate"] == PRODUCTION_ENV["BOOKING_URL"]
    # Not given in a form machines read yet (CLINIC["opening_hours"] is empty): left out.
    assert "openingHours" not in clinic


@pytest.mark.parametrize("kind", sorted(ARTICLES))
def test_an_article_is_a_medical_web_page_with_a_blog_posting(production, kind):
    nodes = defined(graph_of(production, kind))
    url = SITEURL + "/" + PAGES[kind].removesuffix("index.html")
    page, posting = nodes[url], nodes[url + "#article"]
    assert (page["@type"], posting["@type"]) == ("MedicalWebPage", "BlogPosting")
    assert page["mainEntity"] == {"@id": posting["@id"]}
    assert posting["mainEntityOfPage"] == {"@id": url}
    assert posting["publisher"] == {"@id": f"{SITEURL}/#clinic"}
    image = nodes[posting["image"]["@id"]]  # the article's own social card, 1200×630
    assert image["url"].startswith(f"{SITEURL}/images/cards/") and image["url"].endswith(".png")
    assert (image["width"], image["height"]) == (1200, 630)
    assert (production / image["url"].removeprefix(f"{SITEURL}/")).is_file()
    assert posting["datePublished"] and posting["dateModified"] and posting["headline"]
    crumbs = nodes[page["breadcrumb"]["@id"]]["itemListElement"]
    assert [(c["position"], c["name"], c["item"]) for c in crumbs] == [
        (1, "Home", f"{SITEURL}/"),
        (2, "Articles", f"{SITEURL}/blog/archives/"),
        (3, posting["headline"], url),
    ]


def test_a_reviewed_article_says_who_reviewed_it_and_when(production):
    nodes = {n["@id"]: n for n in graph_of(production, "reviewed article")}
    (page,) = [n for n in nodes.values() if n["@type"] == "MedicalWebPage"]
    assert page["lastReviewed"] == "2026-10-20"
    assert nodes[page["reviewedBy"]["@id"]]["name"] == "Sam Sample"


# --- structured-data-testing-tool ---------------------------------------------------------------
def embedded(graph: list[dict]) -> list[dict]:
    """Each node of the graph, with each {"@id": …} reference to another node replaced by that
    node (a node is never put inside itself)."""
    nodes = defined(graph)

    def embed(value, inside: frozenset):
        if isinstance(value, list):
            return [embed(item, inside) for item in value]
        if not isinstance(value, dict):
            return value
        ref = value.get("@id")
        if set(value) == {"@id"} and ref in nodes and ref not in inside:
            value = nodes[ref]
        inside = inside | {ref} if ref else inside
        return {key: embed(item, inside) for key, item in value.items()}

    return [embed(node, frozenset()) for node in graph]


def as_consumers_read_it(html: str) -> str:
    """The page with its JSON-LD graph as Google reads it: each node of @graph at the top, with
    the nodes it refers to inside it. structured-data-testing-tool (web-auto-extractor 1.0.17)
    reads neither @graph nor references: on the page as it is, it finds no schema at all and
    its Google preset tests nothing."""
    soup = BeautifulSoup(html, "html.parser")
    for script in soup.find_all("script", type="application/ld+json"):
        data = json.loads(script.string)
        top = [{"@context": data["@context"], **node} for node in embedded(data["@graph"])]
        script.string = json.dumps(top)
    return str(soup)


@pytest.fixture(scope="module")
def sdtt(production, tmp_path_factory) -> dict[str, dict]:
    """structured-data-testing-tool's results for each page type: preset -> passed, failed,
    warnings (each test: group, description, test, type, error)."""
    require_tool("Node.js", "node", "apt-get install nodejs")
    require_tool("structured-data-testing-tool", SDTT, INSTALL_HINT)
    folder = tmp_path_factory.mktemp("sdtt")
    files = {}
    for kind, path in PAGES.items():
        files[kind] = folder / (kind.replace(" ", "-") + ".html")
        html = (production / path).read_text("utf-8")
        files[kind].write_text(as_consumers_read_it(html), encoding="utf-8")
    done = subprocess.run(
        ["node", str(SDTT_SCRIPT), *map(str, files.values())],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)
    return {kind: results[str(file)] for kind, file in files.items()}


def failures(result: dict) -> list[str]:
    return [f"{t.get('group')}: {t['description']} ({t.get('error')})" for t in result["failed"]]


@pytest.mark.parametrize("kind", sorted(PAGES))
def test_google_preset_passes_on_every_page_type(sdtt, kind):
    google = sdtt[kind]["Google"]
    assert failures(google) == []
    assert {"Physiotherapy", "WebSite"} <= set(google["schemas"])
    if kind in ARTICLES:
        # The preset did test the article, as Google's article rich results read it.
        tested = {t["description"] for t in google["passed"] if t["test"].startswith("Blog")}
        assert {"author", "datePublished", "headline", "image", "publisher.@type",
                "publisher.name", "publisher.logo", "publisher.logo.url"} <= tested  # fmt: skip
        assert google["warnings"] == []  # dateModified and mainEntityOfPage are there too


@pytest.mark.parametrize("preset", ["Twitter", "Facebook"])
@pytest.mark.parametrize("kind", sorted(PAGES))
def test_social_presets_pass_on_every_page_type(sdtt, kind, preset):
    # Open Graph and Twitter card tags (partials/meta/opengraph.html) with each page's card.
    assert failures(sdtt[kind][preset]) == []


def test_the_validator_is_pinned_in_package_json():
    package = json.loads((ROOT / "package.json").read_text())
    version = package["devDependencies"]["structured-data-testing-tool"]
    assert version[0].isdigit(), "pin an exact version"
    lock = json.loads((ROOT / "package-lock.json").read_text())
    assert lock["packages"]["node_modules/structured-data-testing-tool"]["version"] == version
