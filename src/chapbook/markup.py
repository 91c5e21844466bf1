"""Markdown -> an XHTML fragment, one `Markdown` object per chapter, extended by tree processors."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass

import markdown
from lxml import etree
from lxml import html as lxml_html
from markdown.extensions.footnotes import NBSP_PLACEHOLDER
from markdown.extensions.toc import slugify_unicode
from markdown.treeprocessors import Treeprocessor
from markdown.util import HTML_PLACEHOLDER_RE

Rewrite = Callable[[str], str]
"""Maps a link's href or an image's src, as the author wrote it, to its place in the book."""

EXTENSIONS = [
    "abbr",
    "attr_list",
    "def_list",
    "fenced_code",
    "footnotes",
    "md_in_html",
    "tables",
    "smarty",
    "toc",
    "sane_lists",
]

# Curly quotes and dashes as the book's language writes them (smarty's substitutions).
QUOTES = {
    "en": ("‘", "’", "“", "”"),
    "de": ("‚", "‘", "„", "“"),
    "fr": ("‹\u202f", "\u202f›", "«\u202f", "\u202f»"),
}
XHTML_WRAPPER = (
    '<div xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops">'
)


@dataclass(frozen=True)
class Rendered:
    """A chapter's Markdown, converted. `title` comes from a leading `# ` heading, if any."""

    body: str
    title: str | None
    title_html: str | None
    ids: frozenset[str]


def smarty_substitutions(language: str) -> dict[str, str]:
    primary = language.split("-")[0].lower()
    lsquo, rsquo, ldquo, rdquo = QUOTES.get(primary, QUOTES["en"])
    return {
        "left-single-quote": lsquo,
        "right-single-quote": rsquo,
        "left-double-quote": ldquo,
        "right-double-quote": rdquo,
        "left-angle-quote": "«",
        "right-angle-quote": "»",
        "ndash": "–",
        "mdash": "—",
        "ellipsis": "…",
    }


def new_markdown(language: str) -> markdown.Markdown:
    return markdown.Markdown(
        extensions=EXTENSIONS,
        output_format="xhtml",
        extension_configs={
            "footnotes": {
                "SEPARATOR": "-",
                "BACKLINK_TEXT": "↩\ufe0e",
                "BACKLINK_TITLE": "Back to the text of note %d",
            },
            "smarty": {"substitutions": smarty_substitutions(language)},
            "toc": {"slugify": slugify_unicode},
        },
    )


def render_markdown(text: str, language: str, link: Rewrite, image: Rewrite) -> Rendered:
    """Convert one chapter; `link` and `image` rewrite every href and src on the way."""
    md = new_markdown(language)
    book_tree = BookTree(md, link, image)
    md.treeprocessors.register(book_tree, "chapbook", -10)
    body = well_formed(md.convert(text))
    ids = frozenset(re.findall(r'\bid="([^"]+)"', body))
    return Rendered(body, book_tree.title, book_tree.title_html, ids)


def inline(body: str) -> str:
    """A one-paragraph fragment without its `<p>`, for text set inside another element."""
    match = re.fullmatch(r"\s*<p>(.*)</p>\s*", body, re.DOTALL)
    return match[1] if match and "<p>" not in match[1] else body


class BookTree(Treeprocessor):
    """Takes the title heading out, rewrites links and images, and marks up the notes."""

    def __init__(self, md: markdown.Markdown, link: Rewrite, image: Rewrite) -> None:
        super().__init__(md)
        self.link = link
        self.image = image
        self.title: str | None = None
        self.title_html: str | None = None

    def run(self, root: ET.Element) -> None:
        self.take_title(root)
        for element in root.iter():
            self.rewrite(element)
        for notes in root.iter("div"):
            if notes.get("class") == "footnote":
                mark_notes(notes)

    def take_title(self, root: ET.Element) -> None:
        if len(root) and root[0].tag == "h1":
            heading = root[0]
            root.remove(heading)
            inner = (heading.text or "") + "".join(
                ET.tostring(child, encoding="unicode") for child in heading
            )
            self.title_html = self.unstash(inner).strip()
            self.title = html.unescape(self.unstash("".join(heading.itertext()))).strip()

    def unstash(self, text: str) -> str:
        """Text with the placeholders that smarty's quotes and dashes leave in the tree
        until the end of the conversion put back."""
        blocks = self.md.htmlStash.rawHtmlBlocks
        return HTML_PLACEHOLDER_RE.sub(lambda match: str(blocks[int(match[1])]), text)

    def rewrite(self, element: ET.Element) -> None:
        if element.tag == "a" and element.get("href") is not None:
            if element.get("class") == "footnote-ref":
                element.set("epub:type", "noteref")
                element.set("role", "doc-noteref")
            elif element.get("class") != "footnote-backref":
                element.set("href", self.link(element.get("href", "")))
        elif element.tag == "img" and element.get("src") is not None:
            element.set("src", self.image(element.get("src", "")))
        elif element.tag == "hr":
            element.set("class", "scene-break")


def mark_notes(notes: ET.Element) -> None:
    """Python-Markdown's footnote list -> a section of footnote asides, each opening with
    its number, which links back to the (first) reference."""
    notes.tag = "section"
    notes.attrib.clear()
    notes.set("class", "footnotes")
    notes.set("epub:type", "footnotes")
    notes.set("aria-label", "Notes")
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


def well_formed(fragment: str) -> str:
    """The fragment as well-formed XHTML: kept if it parses as XML, else reserialized."""
    try:
        etree.fromstring(f"{XHTML_WRAPPER}{fragment}</div>")
        return fragment
    except etree.XMLSyntaxError:
        pass
    container = lxml_html.fragment_fromstring(fragment, create_parent="div")
    parts = [container.text or ""] if container.text else []
    parts += [etree.tostring(child, method="xml", encoding="unicode") for child in container]
    return "".join(parts)
