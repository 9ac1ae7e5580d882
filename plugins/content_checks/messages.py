"""Every message an author can get from the content checks, in one place.

Each says what is wrong, then what to do, in plain words: the readers are physiotherapists, not
programmers. docs/content-checks.md explains each one further (a test keeps the two in step).
"""

from __future__ import annotations

ASK = "ask whoever maintains the website"
LINK_EXAMPLES = (
    "other articles are linked as {{filename}}2026-11-10-title.md, pages as "
    "{{filename}}/pages/about.md, images as {{static}}/images/photo.jpg"
)

MESSAGES = {
    # --- The file itself ---------------------------------------------------------------------
    "not-utf8": (
        'the file is not saved as UTF-8 text (a character after "{before}" cannot be read), so '
        'it would be left out of the site. Save it again with the encoding "UTF-8" (most '
        'editors offer this under "Save as" or "Save with encoding").'
    ),
    "empty-file": (
        "the file is empty, so it would be left out of the site. Add a header (Title:, Date:) "
        "and the text, or delete the file."
    ),
    "no-body": (
        "there is no text below the header. Write the text after an empty line, or delete the file."
    ),
    # --- The header ----------------------------------------------------------------------------
    "header-colon": (
        'this header line has no colon: "{text}". Write it as "{fixed}" — without the colon the '
        "header stops here, and this line{after} would be shown as article text."
    ),
    "header-not-key-value": (
        'this line is inside the header but is not written as "Key: value", so the header stops '
        "here and the lines below it ({keys}) would be shown as article text. Add the missing "
        '":" or remove the line.'
    ),
    "header-no-blank-line": (
        "the text starts right after the header, with no empty line in between. Add an empty "
        "line after the last header line (line {last})."
    ),
    "header-blank-line": (
        "this empty line ends the header early, so the lines below it ({keys}) would be shown as "
        "article text. Remove this empty line."
    ),
    "unknown-key": 'unknown metadata key "{key}"{hint}; allowed keys are: {allowed}.',
    "duplicate-key": (
        '"{key}" is given twice (first on line {first}); only the first is used. Keep one '
        '"{key}" line.'
    ),
    "missing-title": (
        "there is no title, so the file would be left out of the site. Add a first line such as "
        '"Title: Exercises for a stiff neck".'
    ),
    "empty-title": 'the title is empty. Write the title after "Title:".',
    "title-markup": (
        'the title contains the HTML tag "{tag}". Titles are plain text: remove the tag (to show '
        "a symbol such as < or &, just type it)."
    ),
    "title-entity": (
        'the title contains the HTML code "{entity}". Titles are plain text: type the character '
        "itself instead (for example & rather than &amp;)."
    ),
    "bad-date": (
        '"{key}: {value}" is not a valid date. Write it as YYYY-MM-DD, for example '
        '"{key}: 2026-11-10" (a time may follow: 2026-11-10 09:30).'
    ),
    "ambiguous-date": (
        '"{key}: {value}" is not written as YYYY-MM-DD, so it could be read as the wrong day. '
        'Write it as YYYY-MM-DD, for example "{key}: 2026-11-10" (a time may follow: '
        "2026-11-10 09:30)."
    ),
    "missing-date": (
        "there is no date, so the article would be left out of the site. Add a line such as "
        '"Date: 2026-11-10" to the header (or start the file name with the date).'
    ),
    "status": 'status "{value}" is not allowed{hint} Use one of: {allowed}.',
    "slug": (
        'the slug "{value}" contains characters that do not belong in a web address. Use '
        'lowercase letters, digits and hyphens, for example "{example}".'
    ),
    "template-missing": (
        'the template "{value}" does not exist. Remove the "Template:" line (the usual layout is '
        f"then used) or {ASK}."
    ),
    # --- Two files, one address ----------------------------------------------------------------
    "duplicate-slug": (
        'the slug "{slug}" is also used by {others}, so they would overwrite each other at '
        '/{url}. Give each its own "Slug:" line (for example add a word).'
    ),
    "duplicate-output": (
        "this would be published at /{url}, like {others}, so they would overwrite each other. "
        'Give each its own "Slug:" line.'
    ),
    # --- Links ---------------------------------------------------------------------------------
    "missing-link": (
        'the link "{link}" points to a file that does not exist ({target}). Check the file name '
        f"and folder: {LINK_EXAMPLES}."
    ),
    "link-to-failed": (
        'the link "{link}" points to {target}, which is left out of the site because of its own '
        "problems (listed for that file). Fix that file first."
    ),
    "link-to-draft": (
        'the link "{link}" points to {target}, which is not published yet (a draft, or dated in '
        "the future). Remove the link until that article is published."
    ),
    "filename-static": (
        'the link "{link}" points to an image or file, but {{filename}} is for articles and '
        "pages. Write {{static}}{value} instead."
    ),
    "unknown-marker": (
        'the link "{link}" uses "{{{what}}}", which is not a known link type. Use {{filename}} for '
        "articles and pages, {{static}} for images and files."
    ),
    "broken-link": (
        'the link "{link}" goes to a page that does not exist on this site. Check the address, '
        "or link to the article or page file itself, e.g. [Prices]({{filename}}/pages/prices.md), "
        "so the address is always right."
    ),
    "broken-file": (
        'the image or file "{link}" does not exist on this site. Check the name, and link to files '
        "in the content folder with {{static}}, e.g. ![Knee exercise]({{static}}/images/knee.jpg)."
    ),
    "broken-link-theme": (
        'the link "{link}" (on {pages}) goes to a page that does not exist on this site. It is '
        f"not in any article or page, so it comes from the theme templates: {ASK}."
    ),
    # --- The text as a reader gets it --------------------------------------------------------
    "active-tag": (
        "the text contains the HTML element <{tag}>, which is not allowed in articles and pages: "
        f"it can run code or change the page for every reader. Remove it (if it is needed, {ASK})."
    ),
    "active-attribute": (
        'the HTML tag <{tag}> has an "{attribute}" attribute, which runs code in readers\' '
        "browsers and is not allowed. Remove the attribute."
    ),
    "active-url": (
        'the link "{url}" runs code instead of opening a page and is not allowed. Link to a web '
        "address instead."
    ),
    "visible-html": (
        'readers would see raw HTML here: "{shown}". The tag is not written correctly (often a '
        'missing ">" or quote), so it is shown as text. Fix the tag or remove it.'
    ),
    "broken-tag": (
        'the HTML tag "{shown}" is not closed with ">", so part of the text would disappear from '
        'the page. Add the missing ">" or remove the tag.'
    ),
    "img-alt": (
        'the image "{file}" has no description (alt text), which blind and partially sighted '
        "readers rely on. Describe the picture between the square brackets, for example: "
        "![Physiotherapist treating a knee]({src})."
    ),
    # --- The theme (for whoever maintains the website) ---------------------------------------
    "template-undefined": (
        "the template prints a value that does not exist ({what}), so the page shows nothing "
        "there. Fix the name, or print it only when it exists: {{% if … %}}…{{% endif %}} or "
        '…|default("…").'
    ),
    "template-error": (
        f"the template has an error ({{error}}), so the build stopped here. Fix the template (or "
        f"{ASK})."
    ),
    # --- Pelican's own complaints, in the same words -------------------------------------------
    "pelican-missing": (
        'there is no {prop}, so Pelican left the file out of the site. Add a line "{prop}: …" to '
        "the header at the top of the file."
    ),
    "pelican-status": (
        'status "{value}" is not allowed, so Pelican left the file out of the site. Use '
        "published, draft or hidden."
    ),
    "pelican-outside-output": (
        'this file would be saved outside the website folder ("{save_as}"). Remove any "Save_as" '
        'or "URL" line and check the "Slug".'
    ),
    "pelican-unreadable": (
        "Pelican could not read this file{reason}, so it was left out of the site."
    ),
    "pelican-duplicate-key": (
        '"{key}" is given twice in the header; only the first is used. Keep one.'
    ),
    "pelican-link": "a link points to a file that does not exist: {detail}",
    "pelican-duplicate-slug": (
        'several articles or pages share one web address: {detail}. Give each its own "Slug:".'
    ),
    "pelican-other": "Pelican reported: {detail}",
}


def say(message: str, /, **values: object) -> str:
    """The message named `message`, filled in."""
    return MESSAGES[message].format(**values)
