"""Markdown -> an XHTML fragment, one `Markdown` object per chapter, extended by tree processors."""

from __future__ import annotations

import html
import html.entities
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

import markdown
from lxml import etree
from markdown.extensions.footnotes import NBSP_PLACEHOLDER
from markdown.extensions.toc import slugify_unicode
from markdown.inlinepatterns import (
    AutomailInlineProcessor,
    Delimiter,
    DelimiterProcessor,
    HtmlInlineProcessor,
)
from markdown.treeprocessors import Treeprocessor

from chapbook.model.fragments import XHTML, fragment_xml, parse_fragment
from chapbook.model.labels import words
from chapbook.read.markdown.fences import Fences, unclosed
from chapbook.read.markdown.headings import ALIAS, GithubIds, heading_aliases, leading_anchors
from chapbook.read.markdown.limits import overlong
from chapbook.read.markdown.sourcemap import normalized, stream
from chapbook.read.markdown.typography import localize
from chapbook.read.markdown.xhtml import (
    KNOWN,
    Locator,
    conform,
    escape_unknown_tags,
    unknown_tag_repairs,
)

Rewrite = Callable[[str], str]
"""Maps a link's href or an image's src, as the author wrote it, to its place in the book."""

EXTENSIONS: list[str | markdown.extensions.Extension] = [
    "abbr",
    "attr_list",
    "def_list",
    Fences(),
    "footnotes",
    "md_in_html",
    "tables",
    "smarty",
    "toc",
    "sane_lists",
]


@dataclass(frozen=True)
class Removal:
    """Something taken out of raw HTML: why, and text to find its line by."""

    message: str
    needle: str


@dataclass(frozen=True)
class Problem:
    """What the chapter holds that the book can't carry: an error at `line`, else at the
    first line that holds `needle`; or a warning. With its code (CODES)."""

    code: str
    message: str
    needle: str
    line: int | None = None
    occurrence: int = 1
    """Which occurrence of `needle` it is."""


@dataclass(frozen=True)
class Rendered:
    """A chapter's Markdown, converted. `title` comes from a leading `# ` heading, if any."""

    body: str
    title: str | None
    title_html: str | None
    ids: frozenset[str]
    without_alt: tuple[str, ...] = ()
    """The images (as written) that have no alt text and are not marked decorative."""
    removed: tuple[Removal, ...] = ()
    """What was taken out of the chapter's raw HTML."""
    problems: tuple[Problem, ...] = ()
    """What stops the chapter from being a part of the book (errors)."""
    warnings: tuple[Problem, ...] = ()
    """What the author should know of, at its line (an unclosed code fence)."""
    aliases: tuple[tuple[str, str], ...] = ()
    """Other ids that links may name, each with the id it stands for ("" for the chapter's
    start): see `headings`."""


SMARTY = {
    "left-single-quote": "‘",
    "right-single-quote": "’",
    "left-double-quote": "“",
    "right-double-quote": "”",
    "left-angle-quote": "«",
    "right-angle-quote": "»",
    "ndash": "–",
    "mdash": "—",
    "ellipsis": "…",
}
"""smarty's marks as characters (its default entities would not parse as XML); English,
made the book's language's by `typography.localize`."""


def new_markdown() -> markdown.Markdown:
    md = markdown.Markdown(
        extensions=EXTENSIONS,
        output_format="xhtml",
        extension_configs={
            "footnotes": {"SEPARATOR": "-"},  # its back links give way to numbered ones
            "smarty": {"substitutions": SMARTY},
            "toc": {"slugify": slugify_unicode},
        },
    )
    md.inlinePatterns.register(AutomailInlineProcessor(AUTOMAIL_RE, md), "automail", 110)
    md.inlinePatterns.register(CharacterReference(CHARACTER_REFERENCE_RE, md), "entity", 80)
    emphasis = Emphasis("*", "strong,em", md)
    emphasis.add("_", "strong,em", smart=True)
    md.inlinePatterns.register(emphasis, "em_strong", 60)
    return md


CHARACTER_REFERENCE_RE = "(&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);)"
"""What may be a character reference: `CharacterReference` keeps only the real ones."""


class CharacterReference(HtmlInlineProcessor):
    """A character reference, kept as written: `&0;` or `&nope;` are text, their `&`
    escaped (Python-Markdown's ENTITY_RE takes any `&word;` for one). A name is looked up
    rather than spelled out in the pattern: a pattern of HTML's 2,000 names takes about
    10 ms to compile, in every process that converts."""

    def handleMatch(  # type: ignore[override]  # the stubs give HtmlInlineProcessor Pattern's
        self, m: re.Match[str], data: str
    ) -> tuple[ET.Element | str | None, int | None, int | None]:
        reference = m.group(1)
        if not reference.startswith("&#") and reference[1:] not in html.entities.html5:
            return None, None, None
        return super().handleMatch(m, data)


AUTOMAIL_RE = "<([^<> !\x02\x03]+@[^@<> \x02\x03]+)>"
"""An address as `<a@b.c>`: not one holding a placeholder (`<a@<b>>` in emphasis, whose
text is read again once its `<b>` is put aside), which the mailto would lose."""


class Emphasis(DelimiterProcessor):
    """Python-Markdown's emphasis, without its pairs that take in text: in 3.11 a closing
    run paired past its own marks (`*a**b*c`) swallows the characters after it, or the
    placeholder of what follows (`&amp;`, a code span). Such runs stay as written."""

    data = ""

    def get_match(self, data: str, start: int) -> re.Match[str] | None:
        self.data = data  # the text the regions about to be added are of
        return super().get_match(data, start)

    def add_region(self, delim: Delimiter, a: int, b: int, c: int, d: int, size: int) -> None:
        if not (self.data[a:b] + self.data[c:d]).strip(delim.token):
            super().add_region(delim, a, b, c, d, size)


def render_markdown(text: str, language: str, link: Rewrite, image: Rewrite) -> Rendered:
    """Convert one chapter; `link` and `image` rewrite every href and src on the way,
    raw HTML's included, and the typography follows `language`."""
    md = new_markdown()
    book_tree = BookTree(md, words(language).notes)
    md.treeprocessors.register(book_tree, "chapbook", -10)
    md.treeprocessors.register(TitleId(md, book_tree), "chapbook-title-id", 7.5)
    md.treeprocessors.register(GithubIds(md), "chapbook-github-ids", 4)
    converted = md.convert(text)
    warnings = tuple(Problem("W216", fence.message, "", fence.line) for fence in unclosed(md))
    problems = lost_text(text, converted)
    body, removed, found, repaired = read_html(without_placeholders(converted), text)
    problems, warnings = problems + found, warnings + repaired
    problems += tuple(Problem("E123", message, "", line) for message, line in overlong(body, text))
    for nested in [a for a in body.iter(f"{XHTML}a") if is_in_link(a)]:
        unwrap(nested)  # a link inside a link (a note call in a link's text): only its text
    without_alt = rewrite_references(body, link, image)
    localize(body, language)
    if book_tree.title_id:
        keep_title_id(body, book_tree.title_id)
    ids = unique_ids(body)
    aliases = heading_aliases(body, ids, book_tree.start_ids)
    unlink_missing_backrefs(body, ids)
    title_html = title = None
    if book_tree.title_source is not None:
        heading = render_title(md, book_tree.title_source, text, language)
        removed, problems = removed + heading.removed, problems + heading.problems
        warnings += heading.warnings
        title, title_html = heading.title, heading.title_html
    return Rendered(
        fragment_xml(body),
        title,
        title_html,
        ids,
        without_alt,
        removed,
        problems,
        warnings,
        aliases,
    )


def render_title(md: markdown.Markdown, source: str, text: str, language: str) -> Rendered:
    """The title heading's inner HTML (`source`), finished as the chapter's text is: a
    Rendered with only its title, title_html, removed, problems and warnings."""
    converted = postprocessed(md, source)
    heading, removed, found, repaired = read_html(without_placeholders(converted), text)
    etree.strip_tags(heading, f"{XHTML}a")  # a title is not a link,
    for element in heading.iter():  # and is set in several places: it holds no id
        element.attrib.pop("id", "")
    localize(heading, language)
    title = " ".join("".join(map(str, heading.itertext())).split())
    problems = lost_text(text, converted) + found
    heading_xml = fragment_xml(heading).strip()
    return Rendered("", title, heading_xml, frozenset(), (), removed, problems, repaired)


def keep_title_id(body: etree._Element, identifier: str) -> None:
    """The title heading's own `{#id}` (the title is set without ids), for links to the
    title to land at the chapter's start: on its first block, or if that has an id of its
    own, on an empty `div` before it."""
    first = next(body.iterchildren(etree.Element), None)
    if first is not None and first.get("id") is None and not (body.text or "").strip():
        first.set("id", identifier)
        return
    anchor = etree.Element(f"{XHTML}div", id=identifier)
    anchor.tail, body.text = body.text or "\n", None
    body.insert(0, anchor)


LEFT_PLACEHOLDER = re.compile("\x02[^\x03]*\x03|&#0*2;(?:&#[0-9]+;|[^&<])*?&#0*3;")
"""What Python-Markdown failed to put back (it can, with tangled emphasis)."""
LEAK = re.compile(r"[\x02\x03]|klzzwxh:\d|wzxhzdk:\d|&#0*2;(?:&#[0-9]+;)+&#0*3;")
"""A sign of a placeholder that Python-Markdown did not put back: what it stood for is lost."""
CHARACTER_REFERENCE = re.compile(r"&#(?:x([0-9a-f]+)|([0-9]+));", re.IGNORECASE)
LEAD = 40
"""Letters and digits of the text before a loss looked for to find its line."""


def lost_text(text: str, converted: str) -> tuple[Problem, ...]:
    """An error if the conversion of `text` lost a part of it (a placeholder left in),
    at the line of the paragraph it happened in."""
    leak = LEAK.search(converted)
    if leak is None:
        return ()
    block_start = converted.rfind("\n", 0, leak.start()) + 1
    before = normalized(re.sub(r"<[^>]*>", "", converted[block_start : leak.start()]))
    source = stream(text)
    found = source.text.find(before[-LEAD:]) if before else -1
    line = source.line_at(found + len(before[-LEAD:]) - 1) if found >= 0 else None
    message = (
        "Markdown lost text in this paragraph (tangled * or _ marks, or raw HTML): write "
        "a * or _ that is not emphasis as \\* or \\_, a < that begins no tag as &lt;"
    )
    return (Problem("E122", message, "", line),)


def without_placeholders(converted: str) -> str:
    """The converted HTML without placeholders left in it, and with U+FFFD for character
    references that XML cannot hold (controls, U+FFFE, surrogates, past U+10FFFF)."""
    return CHARACTER_REFERENCE.sub(xml_reference, LEFT_PLACEHOLDER.sub("", converted))


def xml_reference(match: re.Match[str]) -> str:
    code = int(match[1], 16) if match[1] else int(match[2])
    allowed = code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0x10FFFF
    allowed = allowed and not 0xD800 <= code <= 0xDFFF and code not in (0xFFFE, 0xFFFF)
    return match[0] if allowed else "\ufffd"


def postprocessed(md: markdown.Markdown, fragment: str) -> str:
    """A piece of the tree's HTML with what the conversion's postprocessors put back
    (raw HTML, smart quotes, `&`), as the whole chapter gets it."""
    for processor in md.postprocessors:
        fragment = processor.run(fragment)
    return fragment


def unlink_missing_backrefs(body: etree._Element, ids: frozenset[str]) -> None:
    """A note that nothing refers to keeps its number, without a link to nowhere."""
    for number in body.iter(f"{XHTML}a"):
        target = (number.get("href") or "").removeprefix("#")
        if number.get("class") == "note-number" and target not in ids:
            number.tag = f"{XHTML}span"
            for name in ("href", "role"):
                del number.attrib[name]


def prefix_ids(fragment: str, prefix: str) -> str:
    """A fragment rendered apart (an epigraph) with its ids and links to them prefixed, so
    they can't clash with the chapter's."""
    container = parse_fragment(fragment)
    own = {str(e.get("id")) for e in container.iter(etree.Element) if e.get("id")}
    for element in container.iter(etree.Element):
        if element.get("id"):
            element.set("id", prefix + str(element.get("id")))
        target = (element.get("href") or "").removeprefix("#")
        if (element.get("href") or "").startswith("#") and target in own:
            element.set("href", "#" + prefix + target)
    return fragment_xml(container)


ID_UNSAFE = re.compile(r"[\s<>\"{}|\\^`%#\[\]]+")
"""What an id may not hold, for links to it to be valid URLs."""


def unique_ids(body: etree._Element) -> frozenset[str]:
    """Every id in the chapter, made valid (no white space, not empty) and unique: a
    repeated id gets a number. Links to a renamed id follow it."""
    seen: set[str] = set()
    renamed: dict[str, str] = {}
    for element in body.iter(etree.Element):
        identifier = element.get("id")
        if identifier is None:
            continue
        valid = ID_UNSAFE.sub("-", identifier) or "id"
        if valid != identifier:
            renamed.setdefault(identifier, valid)
        identifier = valid
        unique, count = identifier, 1
        while unique in seen:
            count += 1
            unique = f"{identifier}-{count}"
        element.set("id", unique)
        seen.add(unique)
    for element in body.iter(f"{XHTML}a"):
        target = (element.get("href") or "").removeprefix("#")
        if (element.get("href") or "").startswith("#") and target in renamed:
            element.set("href", "#" + renamed[target])
    return frozenset(seen)


def inline(body: str) -> str:
    """A one-paragraph fragment without its `<p>`, for text set inside another element."""
    match = re.fullmatch(r"\s*<p>(.*)</p>\s*", body, re.DOTALL)
    return match[1] if match and "<p>" not in match[1] else body


class BookTree(Treeprocessor):
    """Takes the title heading out and marks up note references, notes and scene breaks."""

    def __init__(self, md: markdown.Markdown, notes_label: str) -> None:
        super().__init__(md)
        self.notes_label = notes_label
        self.title_source: str | None = None
        """The title heading's inner HTML, with the placeholders of the conversion in it."""
        self.title_id = ""
        """The title heading's own `{#id}`, if it has one."""
        self.start_ids: tuple[str, ...] = ()
        """The title's other ids and those of the anchors above it: the chapter's start."""

    def run(self, root: ET.Element) -> None:
        for element in root.iter():  # attr_list's `{lang}` leaves an attribute set to None
            for name in [n for n, value in element.attrib.items() if value is None]:
                element.set(name, "")
        self.take_title(root)
        for element in root.iter():
            self.rewrite(element)
        for notes in root.iter("div"):
            if notes.get("class") == "footnote":
                mark_notes(notes, self.notes_label)

    def take_title(self, root: ET.Element) -> None:
        """Take out a leading `# ` heading (after comments and `<a id>` anchors, which go
        with it); its inner HTML is finished after the conversion."""
        start, anchors = leading_anchors(root, self.md)
        if len(root) > start and root[start].tag == "h1":
            heading = root[start]
            for element in list(root)[: start + 1]:
                root.remove(element)
            own = heading.get("id", "")
            self.start_ids = (*([own] if own != self.title_id else []), heading.get(ALIAS, ""))
            self.start_ids += anchors
            self.title_source = html.escape(heading.text or "", quote=False) + "".join(
                ET.tostring(child, encoding="unicode") for child in heading
            )

    def rewrite(self, element: ET.Element) -> None:
        if element.tag == "a" and element.get("class") == "footnote-ref":
            element.set("epub:type", "noteref")
            element.set("role", "doc-noteref")
        elif element.tag == "hr":
            element.set("class", "scene-break")


class TitleId(Treeprocessor):
    """Notes the leading `# ` heading's `{#id}` (set by attr_list) before toc gives every
    heading one of its own."""

    def __init__(self, md: markdown.Markdown, book_tree: BookTree) -> None:
        super().__init__(md)
        self.book_tree = book_tree

    def run(self, root: ET.Element) -> None:
        start = leading_anchors(root, self.md)[0]
        if len(root) > start and root[start].tag == "h1":
            self.book_tree.title_id = root[start].get("id") or ""


DROPPED = {
    **dict.fromkeys(("script", "noscript", "template"), "a script"),
    **dict.fromkeys(
        ("iframe", "frame", "frameset", "object", "embed", "applet"), "embedded content"
    ),
    **dict.fromkeys(("form", "input", "button", "select", "textarea"), "a form"),
    **dict.fromkeys(("style", "link", "meta", "base"), "a head element"),
    **dict.fromkeys(("audio", "video", "source", "track", "picture"), "media"),
    "svg": "inline SVG (use an image file)",
}
"""Raw HTML elements removed from a chapter (with what they hold), and why."""
SCRIPT_URL = re.compile(r"^\s*(javascript|vbscript|data:text/html)", re.IGNORECASE)
URL_ATTRIBUTES = ("href", "src", "action", "formaction", "poster", "background")


def read_html(
    fragment: str, text: str
) -> tuple[etree._Element, tuple[Removal, ...], tuple[Problem, ...], tuple[Problem, ...]]:
    """A converted fragment of the chapter `text` as XHTML that an EPUB may hold: tags that
    name no element made text, raw HTML sanitized, obsolete HTML refused, the rest brought
    to XHTML's rules (see `xhtml`). With what was removed, the errors and the warnings."""
    escaped, tags = escape_unknown_tags(fragment, KNOWN_NAMES)
    body = parse_fragment(escaped)
    removed = sanitize(body)
    problems = obsolete(body)
    where = Locator(text)
    repairs = unknown_tag_repairs(where, tags) + conform(body, where, frozenset(OBSOLETE))
    problems += tuple(Problem("E121", r.message, "", r.line) for r in repairs if r.error)
    warnings = tuple(Problem("W217", r.message, "", r.line) for r in repairs if not r.error)
    return body, removed, problems, warnings


def sanitize(body: etree._Element) -> tuple[Removal, ...]:
    """Take scripts, event handlers, embedded content, forms and script URLs out of the
    chapter, and style attributes that load files; say what went."""
    removed: list[Removal] = []
    for element in list(body.iterchildren(etree.Element)):
        name = etree.QName(element).localname
        if name in DROPPED:
            removed.append(Removal(f"<{name}> removed: {DROPPED[name]}", f"<{name}"))
            drop(element)
        else:
            removed.extend(clean_attributes(element, name))
            removed.extend(sanitize(element))
    return tuple(removed)


OBSOLETE = {
    "acronym": "<abbr>",
    "basefont": "the stylesheet",
    "big": "a <span> with a class (font-size: larger in the stylesheet)",
    "blink": "<em> or <strong>",
    "center": "a <div> or <p> with a class (text-align: center in the stylesheet)",
    "dir": "<ul>",
    "font": "a <span> with a class, styled in the stylesheet",
    "listing": "<pre> or a fenced code block",
    "marquee": "<em> or <strong>",
    "nobr": "a <span> with a class (white-space: nowrap in the stylesheet)",
    "plaintext": "<pre> or a fenced code block",
    "spacer": "a margin in the stylesheet",
    "strike": "<s>, or <del> for a deletion",
    "tt": "<code> or a `code span`",
    "xmp": "<pre> or a fenced code block",
}
"""Raw HTML elements that HTML no longer has (EPUB refuses them), each with what to write."""
KNOWN_NAMES = KNOWN | DROPPED.keys() | OBSOLETE.keys()
"""The names of HTML elements: a tag naming anything else is text (`Box<T>`)."""


OBSOLETE_ATTRIBUTES = {
    "align": "text-align or float in the stylesheet",
    "valign": "vertical-align in the stylesheet",
    "bgcolor": "background-color in the stylesheet",
    "background": "background-image in the stylesheet",
    "cellpadding": "padding in the stylesheet",
    "cellspacing": "border-spacing in the stylesheet",
    "clear": "clear in the stylesheet",
    "hspace": "margin in the stylesheet",
    "vspace": "margin in the stylesheet",
    "nowrap": "white-space: nowrap in the stylesheet",
    "frame": "borders in the stylesheet",
    "rules": "borders in the stylesheet",
}
"""Attributes that HTML no longer has on any element, each with what to write."""
TABLE_PARTS = {"table", "thead", "tbody", "tfoot", "tr", "td", "th", "col", "colgroup", "hr"}
"""Where `width` and `height` are obsolete (an image keeps them)."""


def obsolete(container: etree._Element) -> tuple[Problem, ...]:
    """An error for each element and attribute of `container` that HTML no longer has,
    found by the how-manieth of its kind (in the whole chapter) it is."""
    problems: list[Problem] = []
    counts: dict[str, int] = {}
    for element in container.iterdescendants(etree.Element):
        name = etree.QName(element).localname.lower()
        found = [(f"<{name}>", f"<{name}", OBSOLETE.get(name))]
        for attribute in map(str, element.attrib):
            instead = obsolete_attribute(name, attribute, element.get(attribute) or "")
            found.append((f'{attribute}="…" on <{name}>', f" {attribute}=", instead))
        for what, needle, instead in found:
            counts[needle] = counts.get(needle, 0) + 1
            if instead is not None:
                message = f"{what} is obsolete HTML, which EPUB does not allow: use {instead}"
                problems.append(Problem("E121", message, needle, occurrence=counts[needle]))
    return tuple(problems)


def obsolete_attribute(element: str, attribute: str, value: str) -> str | None:
    """What to use instead of `attribute` (with `value`) on `element`, if HTML no longer
    allows it there."""
    if attribute == "name" and element == "a":
        return "an id"
    if attribute == "border" and element == "table":
        return None if value in ("", "1") else 'the stylesheet (or border="1")'
    sized = attribute in ("width", "height") and element in TABLE_PARTS
    if sized or (attribute == "border" and element == "img"):
        return f"{attribute} in the stylesheet"
    return OBSOLETE_ATTRIBUTES.get(attribute)


def clean_attributes(element: etree._Element, name: str) -> list[Removal]:
    removed = []
    for attribute in list(element.attrib):
        local = etree.QName(attribute).localname
        value = element.get(attribute) or ""
        if local.lower().startswith("on"):
            reason = "an event handler"
        elif local in URL_ATTRIBUTES and SCRIPT_URL.match(value):
            reason = "a script URL"
        elif local == "style" and "url(" in value.lower().replace(" ", ""):
            reason = "a style that loads a file"
        elif local == "srcset":
            reason = "image sets are not supported"
        else:
            continue
        del element.attrib[attribute]
        removed.append(Removal(f'{local}="…" removed from <{name}>: {reason}', f"{local}="))
    return removed


def drop(element: etree._Element) -> None:
    """Remove an element and what it holds, keeping the text that follows it."""
    parent = element.getparent()
    if parent is None:
        return
    previous = element.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + (element.tail or "")
    else:
        parent.text = (parent.text or "") + (element.tail or "")
    parent.remove(element)
    if is_empty_paragraph(parent) and parent.getparent() is not None:
        drop(parent)


def is_in_link(element: etree._Element) -> bool:
    return next(element.iterancestors(f"{XHTML}a"), None) is not None


def unwrap(element: etree._Element) -> None:
    """Replace an element by what it holds."""
    parent = element.getparent()
    if parent is None:
        return
    index = parent.index(element)
    children = list(element)
    before = parent[index - 1] if index else None
    text, tail = element.text or "", element.tail or ""
    if before is not None:
        before.tail = (before.tail or "") + text
    else:
        parent.text = (parent.text or "") + text
    for offset, child in enumerate(children):
        parent.insert(index + offset, child)
    parent.remove(element)
    last = children[-1] if children else before
    if last is not None:
        last.tail = (last.tail or "") + tail
    else:
        parent.text = (parent.text or "") + tail


def is_empty_paragraph(element: etree._Element) -> bool:
    """A `<p>` left with nothing in it, once what it held was removed."""
    empty = not len(element) and not (element.text or "").strip()
    return empty and etree.QName(element).localname == "p"


URL_SAFE = "/:?#@!$&'()*+,;=%~-._"
"""What a URL may hold as it is; anything else is percent-encoded (EPUBCheck RSC-020)."""
OWN_LINKS = {"footnote-ref", "footnote-backref", "note-number"}
"""Classes of the links that the conversion itself made (notes and their back links)."""


def rewrite_references(body: etree._Element, link: Rewrite, image: Rewrite) -> tuple[str, ...]:
    """Point every link and image (raw HTML's too) at its place in the book; the images
    (as written) that have no alt text and are not marked decorative."""
    without_alt: list[str] = []
    for element in body.iter(f"{XHTML}a", f"{XHTML}img"):
        if element.tag == f"{XHTML}img" and element.get("src") is not None:
            if not describe(element):
                without_alt.append(element.get("src", ""))
            element.set("src", image(element.get("src", "")))
        elif element.get("href") is not None and element.get("class") not in OWN_LINKS:
            element.set("href", url(link(element.get("href", ""))))
    return tuple(without_alt)


def url(href: str) -> str:
    """`href` as a valid URL: what it may not hold percent-encoded, a `%` that starts no
    escape included."""
    address, hash_mark, fragment = re.sub(r"%(?![0-9A-Fa-f]{2})", "%25", href).partition("#")
    fragment = quote(fragment, safe=URL_SAFE.replace("#", ""))
    return quote(address, safe=URL_SAFE) + hash_mark + fragment


def describe(image: etree._Element) -> bool:
    """Whether the image has a text alternative or is decorative (class `decorative`:
    hidden from assistive technology)."""
    if "decorative" in (image.get("class") or "").split():
        image.set("alt", "")
        image.set("role", "presentation")
        return True
    return bool((image.get("alt") or "").strip())


def mark_notes(notes: ET.Element, label: str) -> None:
    """Python-Markdown's footnote list -> a section of footnote asides, each opening with
    its number, which links back to the (first) reference."""
    notes.tag = "section"
    notes.attrib.clear()
    notes.set("class", "footnotes")
    notes.set("epub:type", "footnotes")
    notes.set("aria-label", label)
    items = [note for rule_or_list in list(notes) for note in rule_or_list.iter("li")]
    for child in list(notes):
        notes.remove(child)
    for number, item in enumerate(items, 1):
        notes.append(note_aside(item, number))


def note_aside(item: ET.Element, number: int) -> ET.Element:
    """`<aside id="fn-N" epub:type="footnote" role="doc-footnote">` holding the note."""
    aside = ET.Element("aside", {"id": item.get("id", f"fn-{number}"), "class": "note"})
    aside.set("epub:type", "footnote")
    aside.set("role", "doc-footnote")
    back = ""
    for parent in item.iter():
        for link in [c for c in parent if c.tag == "a" and c.get("class") == "footnote-backref"]:
            back = back or link.get("href", "")
            drop_backref(parent, link)
    aside.extend(list(item))
    aside.text = item.text
    first = aside[0] if len(aside) and aside[0].tag == "p" else aside
    numbered = ET.Element("a", {"class": "note-number", "href": back, "role": "doc-backlink"})
    numbered.text = f"{number}."
    numbered.tail = " " + (first.text or "").lstrip()
    first.text = None
    first.insert(0, numbered)
    return aside


def drop_backref(parent: ET.Element, link: ET.Element) -> None:
    """Remove Markdown's back link (↩) and the space before it, keeping what follows."""
    index = list(parent).index(link)
    tail = link.tail or ""
    if index:
        previous = parent[index - 1]
        previous.tail = (previous.tail or "").rstrip("\u00a0 ").removesuffix(
            NBSP_PLACEHOLDER
        ) + tail
    else:
        parent.text = (parent.text or "").rstrip("\u00a0 ").removesuffix(NBSP_PLACEHOLDER) + tail
    parent.remove(link)
