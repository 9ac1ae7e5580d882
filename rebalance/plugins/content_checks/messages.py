"""Every message an author can get from the content checks, in one place.

Each says what is wrong, then what to do, in plain words: the readers are physiotherapists, not
programmers. docs/content-checks.md explains each one further (a test keeps the two in step).
"""

from __future__ import annotations

ASK = "ask whoever maintains the website"
LINKS = (
    "articles are linked as {{filename}}2026-11-10-title.md, pages as {{filename}}/pages/about.md, "
    "images as {{static}}/images/photo.jpg"
)

MESSAGES = {
    # --- Files under content/ ------------------------------------------------------------------
    "symlink": (
        "this is a link to {target}, outside the content folder, so it is not read or published. "
        "Copy the file itself into the content folder, or delete the link."
    ),
    "unaccounted": "this file is not part of the site: {why}",
    "not-utf8": (
        'the file is not saved as UTF-8 text (a character after "{before}" cannot be read). Save '
        'it again with the encoding "UTF-8" (most editors offer it under "Save as").'
    ),
    "control": (
        "the text contains an invisible control character ({code}), which breaks the feed and "
        "can hide text. Delete it: retype the words around it."
    ),
    "empty": (
        "there is no text below the header. Write the text after an empty line, or delete the file."
    ),
    # --- The header ----------------------------------------------------------------------------
    "header-colon": (
        'this header line has no colon: "{text}". Write it as "{fixed}" — without the colon the '
        "header stops here, and this line and the lines below it would be shown as article text."
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
    "wrong-type-key": (
        '"{key}" belongs in articles, not pages: this file looks like an article saved in '
        "{folder}. Move it to {articles} (or remove the line)."
    ),
    "duplicate-key": '"{key}" is given more than once; only the first is used. Keep one.',
    "wrapped": (
        '"{key}" goes on over the next line (line {next}): in the header, a line that starts '
        "with spaces belongs to the line above, and only the first part would be used. Write the "
        "whole {key} on one line."
    ),
    "footnote-twice": (
        "the footnote [^{name}] is defined twice (first on line {first}): only one of the two "
        "texts would be published, so a source would be lost. Give each footnote its own name "
        "([^1], [^2]...)."
    ),
    "date-range": (
        '"{key}: {value}" has a year this site cannot mean: it must be between {low} and {high}. '
        'Check the year, for example "{key}: 2026-11-10".'
    ),
    "missing": (
        'there is no {key}. Add a line "{key}: {example}" to the header at the top of the file.'
    ),
    "title-markup": (
        'the title contains the HTML code "{code}". Titles are plain text: type the words and '
        "characters themselves (for example & rather than &amp;)."
    ),
    "bad-date": (
        '"{key}: {value}" is not a date that can be read without guessing. Write it as '
        'YYYY-MM-DD, for example "{key}: 2026-11-10" (a time may follow: 2026-11-10 09:30).'
    ),
    "modified-future": (
        '"Modified: {modified}" is later than today ({today}): readers would see "Updated" on a '
        "day that has not come. Write the day the article was changed."
    ),
    "modified-before-date": (
        "Modified ({modified}) is earlier than Date ({date}). Modified is when the article was "
        "last changed: correct one of the two."
    ),
    "status": 'status "{value}" is not allowed{hint} Use one of: {allowed}.',
    "slug": (
        'the web address "{value}" is not usable: use lowercase letters, digits and hyphens, '
        'for example "Slug: {example}".'
    ),
    "slug-empty": (
        "the title gives an empty web address (it has no letters or digits). Add a line such as "
        '"Slug: {example}".'
    ),
    "slug-reserved": (
        "the web address /{url} is used by the site itself ({owner}). Choose another with a line "
        '"Slug: {example}".'
    ),
    "too-long": (
        "the web address made from the title is too long to be saved as a file ({length} bytes, "
        'at most {limit}). Add a shorter one, e.g. "Slug: {example}".'
    ),
    "template": (
        '"Template: {value}" is not a layout for {kind}s; allowed: {allowed}. Remove the line '
        f"(the usual layout is then used) or {ASK}."
    ),
    "lang": (
        '"Lang: {value}" is not a language tag. Use a code such as "en", "en-GB" or "fr", or '
        "remove the line."
    ),
    "summary-long": (
        "the Summary is {length} characters long; search engines and the home page show at most "
        "{limit}. Shorten it to one sentence."
    ),
    "summary-markup": (
        'the Summary contains the HTML code "{code}". A Summary is plain text: remove the code.'
    ),
    # Old addresses, booking pages, clinicians: in plugins/redirects, booking_link and
    # clinicians (their MESSAGES), logged through the content_problem channel.
    # --- Two things, one address ---------------------------------------------------------------
    "address-taken": (
        "this would write /{url}, which {other} writes too{why}, so one would replace the other. "
        "{fix}"
    ),
    "name-empty": (
        'the {kind} "{name}" gives an empty web address (it has no letters or digits), so its '
        "page cannot be written. Give it a name with letters or digits."
    ),
    "written-twice": (
        "this would be published at /{url}, like {others}, so one would overwrite the other. "
        'Give each its own "Slug:" line (or file name).'
    ),
    # --- The text, as a browser reads the published page ---------------------------------------
    "element": (
        "the HTML element <{tag}> is not allowed in articles and pages{why}. Remove it, or write "
        f"it with Markdown (if it is needed, {ASK})."
    ),
    "heading-1": (
        'the heading "{near}" is written with one # (or <h1>), which makes it a second title: '
        "the page's title is its Title: line, and it is shown as the page's only main heading. "
        'Start this heading with ## instead ("## {near}"), and a heading below it with ###.'
    ),
    "unknown-element": (
        'browsers read "<{tag}>" as an HTML tag, so it disappears from the page. To show the '
        "angle brackets, write &lt;{tag}&gt; or put it between backticks: `<{tag}>`."
    ),
    "attribute": (
        'the HTML tag <{tag}> has the attribute "{attribute}", which is not allowed in articles '
        "and pages{why}. Remove the attribute."
    ),
    "url": (
        'the address "{url}" is not allowed here: {why}. Link to a web page (https://...), an '
        "article or page of this site, mailto:name@example.com or tel:+441234567890."
    ),
    "resource": (
        'the image or file "{url}" is not on this site: {why}. Save the file in content/images/ '
        "and link it with {{static}}, e.g. ![Knee exercise]({{static}}/images/knee.jpg)."
    ),
    "img-alt": (
        'the image "{file}" has no description (alt text), which blind and partially sighted '
        "readers rely on. Describe the picture between the square brackets: ![Physiotherapist "
        'treating a knee](...). (For a purely decorative image in HTML write alt="".)'
    ),
    "unclosed": (
        "the HTML tag <{tag}> is opened here but never closed, so it changes the rest of the page "
        "(the footer and booking box too). Add </{tag}> where it should end."
    ),
    "stray-close": (
        "the text closes an HTML element that it did not open ({tags}), which breaks the layout "
        "of the rest of the page. Remove the stray closing tag."
    ),
    "swallows": (
        "from here on the rest of the page is swallowed (hidden, or shown as code) by "
        "{what}. Close it, or remove it."
    ),
    "leaks": (
        "the HTML in this text changes the page outside it (an unclosed, stray or misplaced tag). "
        "Check that every HTML tag you open is closed, in the right order."
    ),
    "placeholder": (
        'this is placeholder text ("{text}"): a production build does not publish it. Write the '
        "real text, or remove it."
    ),
    "draft-text": (
        'this is the guide text that make new-article writes ("{text}..."): a production build '
        "does not publish it. Replace it with your own words."
    ),
    "local-link": (
        'the link "{url}" goes to your own computer or network (copied from the preview?): '
        "readers cannot open it, and a production build refuses it. Link an article as "
        "{{filename}}2026-11-10-title.md, or use its address on the real site."
    ),
    "link-disguised": (
        'the link text "{text}" shows the address {shown}, but the link goes to {host}: readers '
        "would trust an address they are not taken to. Show the address the link really goes "
        'to, or use words ("the NHS page on back pain").'
    ),
    "invisible": (
        "the {what} contains an invisible character, {char} ({code}, character {position}): it "
        "can hide text, or make it read in a different order than it is stored (a link that "
        "shows one address and goes to another). Delete it: retype the text around it."
    ),
    "literal-markdown": ('readers would see Markdown code as text: "{shown}". {hint}'),
    "unclosed-fence": (
        "this code block (```) is never closed, so the rest of the article is shown as code. Add "
        "a line with ``` where the code ends."
    ),
    "fragment": (
        'the link "{url}" points to a place ("#{fragment}") that does not exist on {where}. Use '
        "the address of a heading that exists (## Why knees hurt is #why-knees-hurt), or drop "
        'the "#..." part.'
    ),
    "broken-link": (
        'the link "{url}" goes to a page that does not exist on this site. Check the address, '
        "or link to the file itself so the address is always right: " + LINKS + "."
    ),
    "marker": (
        'the link "{url}" could not be resolved ("{{{what}}}" {why}). Check the file name and '
        f"folder: {LINKS}."
    ),
    "theme": f"{{problem}} This comes from the theme (the site's templates), not an article: {ASK}."
    "",
    "duplicate-id": (
        'the name "{id}" is used twice on /{page} (id="{id}"), so links to it are ambiguous. '
        "Give headings different titles, or change the id."
    ),
    # --- Writing and the theme -------------------------------------------------------------------
    "write-failed": "the page /{url} could not be written ({error}). {hint}",
    "template-undefined": (
        "the template prints a value that does not exist ({what}), so the page shows nothing "
        "there. Fix the name, or print it only when it exists: {{% if … %}}…{{% endif %}} or "
        '…|default("…").'
    ),
    "template-error": f"the template has an error ({{error}}). Fix the template (or {ASK}).",
    "settings": "CONTENT_CHECKS in the settings has the unknown key {key}; known keys: {known}.",
    "plugin-not-loaded": (
        "the plugin {plugin}, named in PLUGINS in the settings, could not be loaded, so the site "
        f"would be published without what it does. The reason is printed above; {ASK}."
    ),
    # --- Pelican's own complaints ----------------------------------------------------------------
    "pelican": "Pelican reported: {detail}",
    "pelican-missing": (
        'this file has no "{key}", so it is not published. Add a line "{key}: ..." to its header.'
    ),
    "pelican-duplicate": '"{key}" is given more than once; only the first is used. Keep one.',
    "pelican-link": (
        'a link points to "{url}", which is not a file of the site, so it would lead nowhere. '
        f"Check the file name and folder: {LINKS}."
    ),
}


def say(message: str, /, **values: object) -> str:
    """The message named `message`, filled in."""
    return MESSAGES[message].format(**values)
