"""Links: {filename}/{static} markers in the rendered bodies (before writing), then every
internal link of the written site (after writing).

The written site is checked as a visitor would meet it: "/prices/" is fine if prices/index.html
(or a file "prices/") exists in the output folder, whatever produced it.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections import defaultdict
from html import unescape
from urllib.parse import unquote, urlparse, urlsplit

from .checks import finding
from .markup import collect_urls, find_line, urls_in


def _linked(content, key: str, value: str):
    """(source path, Content or None if it failed) that a {filename}/{static} link names, looked
    up as Pelican's Content._link_replacer does; None when nothing matches."""
    table = content._context.get(key, {})
    path = urlparse(value).path
    for candidate in (path, unquote(path), urlparse(unescape(value)).path):
        if candidate.startswith("/"):
            found = candidate[1:]
        else:
            found = content.get_relative_source_path(os.path.join(content.relative_dir, candidate))
        if found in table:
            return found, table[found]
    return None


def _static_exists(content, value: str) -> bool:
    # Pelican registers a {static} target even when the file is missing: look on disk too.
    found = _linked(content, "static_content", value)
    return bool(found) and os.path.isfile(os.path.join(content.settings["PATH"], found[0]))


def check_marker(build, content, what: str, value: str, link: str):
    """The problem with one {what}value link marker in a body (a Finding), if any."""
    if what in ("category", "tag", "author", "index"):
        return None  # always replaced; a page that does not exist shows up in check_output
    if what not in ("filename", "static", "attach"):
        return finding("unknown-marker", subject=link, link=link, what=what)
    folder = "" if value.startswith("/") else content.relative_dir
    target = os.path.join(build.content_path, folder, urlparse(value).path.lstrip("/"))
    target = build.shown(os.path.normpath(target))
    if what == "filename":
        found = _linked(content, "generated_content", value)
        if found is None and _static_exists(content, value):
            return finding("filename-static", subject=link, link=link, value=value)
        if found and found[1] is None:
            name = "link-to-failed"
            return finding(name, subject=link, kind="missing-link", link=link, target=target)
        if found and found[1].status == "draft" and content.status != "draft":
            return finding("link-to-draft", subject=link, link=link, target=target)
        if found:
            return None
    elif _static_exists(content, value):
        return None
    return finding("missing-link", subject=link, link=link, target=target)


# Problems check_marker reports about a {marker} link: the written link is then not reported again.
MARKER_KINDS = {"missing-link", "unknown-marker", "filename-static", "link-to-draft"}


def link_target(url: str, page: str, siteurl: str) -> str | None:
    """The output path (relative, "/"-separated) an internal link on `page` leads to; None for a
    link that leaves the site or stays on the page (external, mailto:, #anchor)."""
    url = url.strip()
    if siteurl and (url == siteurl or url.startswith(siteurl.rstrip("/") + "/")):
        url = url[len(siteurl.rstrip("/")) :] or "/"
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path:
        return None
    return posixpath.normpath(posixpath.join("/", posixpath.dirname(page), unquote(parts.path)))


def exists(output: str, target: str) -> bool:
    """Whether a web server would find something at target: the file, or its folder's index."""
    path = os.path.normpath(os.path.join(output, target.lstrip("/")))
    if path != output and not path.startswith(output + os.sep):
        return False  # "../../" out of the site
    return os.path.isfile(path) or os.path.isfile(os.path.join(path, "index.html"))


def check_output(build, output: str) -> None:  # build: content_checks.Build
    """Every internal link (and {marker} left unreplaced) in the written HTML that leads nowhere,
    blamed on the article or page that contains it, else on the theme.

    From the theme only links a reader follows (<a href>) are checked: the files the theme loads
    (favicons...) come with the project's content/extra, and a small test site has none.
    """
    output = os.path.normpath(os.path.abspath(output))
    siteurl = build.settings.get("SITEURL", "")
    marker = re.compile(build.settings["INTRASITE_LINK_REGEX"])
    origins: dict[str, set[str]] = defaultdict(set)  # link as written -> source files with it
    checked: set[tuple[str, str]] = set()  # (link, source) made from a {marker}: checked already
    drafts = set()  # drafts' pages link to tag and category pages that exist only once published
    files: set[str] = set()  # images and other files a body loads
    for content in build.contents:
        html = content.content + "\n" + (content.metadata.get("summary") or "")
        raw = set(urls_in(content._content or ""))
        files.update(urls_in(html, "files"))
        for url in urls_in(html):
            origins[url].add(content.source_path)
            if url not in raw:
                checked.add((url, content.source_path))
        if content.status == "draft" and content.save_as:
            drafts.add(os.path.normpath(content.save_as))

    broken: dict[str, list[str]] = defaultdict(list)  # link -> pages where it leads nowhere
    for content in build.stand_ins:  # files Pelican skipped: their links are in no page
        page = os.path.normpath(content.save_as)
        files.update(urls_in(content._content or "", "files"))
        for url in urls_in(content._content or ""):
            target = link_target(url, page, siteurl)
            if not marker.match(url.strip()) and target and not exists(output, target):
                origins[url].add(content.source_path)
                broken[url].append(page)
    for folder, _, names in os.walk(output):
        for name in names:
            if not name.endswith(".html"):
                continue
            path = os.path.join(folder, name)
            page = os.path.relpath(path, output).replace(os.sep, "/")
            if os.path.normpath(page) in drafts:
                continue
            with open(path, encoding="utf-8") as handle:
                urls = collect_urls(handle.read())
            for url in set(urls["all"]) & (set(urls["links"]) | set(origins)):
                if marker.match(url.strip()):
                    broken[url].append(page)
                    continue
                target = link_target(url, page, siteurl)
                if target is not None and not exists(output, target):
                    broken[url].append(page)

    for url, pages in sorted(broken.items()):
        if not origins.get(url):
            shown = ", ".join(f"/{p}" for p in sorted(pages)[:3])
            shown += f" and {len(pages) - 3} more" if len(pages) > 3 else ""
            build.add(None, finding("broken-link-theme", subject=url, link=url, pages=shown))
        for source in sorted(origins.get(url, ())):
            if (url, source) not in checked and not build.has(source, url, MARKER_KINDS):
                line = find_line(build.sources.get(source, ""), url)
                name = "broken-file" if url in files else "broken-link"
                build.add(source, finding(name, line, url, kind="broken-link", link=url))
