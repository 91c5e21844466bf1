"""Where the print edition's pages begin, carried into the EPUB as page-break markers.
Design: docs/architecture.md, "The print edition's pages in the EPUB"."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from lxml import etree

from chapbook.model.fragments import body_elements

MARK = "data-chapbook-at"
"""The attribute that carries `<chapter id>:<element number>` through the PDF's layout."""
OPENING = -1
"""The element number of a page that begins with the chapter's opening (its heading)."""
INVISIBLE = {"\u00ad", "\u2010"}
"""The soft hyphen and the hyphen that hyphenation adds at a line end."""
NOTEREF = "noteref"
EPUB_NS = "http://www.idpf.org/2007/ops"
TITLE_PAGE, COPYRIGHT_PAGE = FRONT_PAGES = ("title-page", "copyright-page")
"""The ids of the print PDF's generated pages that the EPUB has too."""


@dataclass(frozen=True)
class PageStart:
    """Where a page of the print PDF begins in a chapter."""

    label: str
    """The page number as printed: '12', 'iv'."""
    chapter: str
    """The chapter's id, or one of FRONT_PAGES."""
    element: int
    """The body element the page's first text is in, or OPENING."""
    offset: int = 0
    """Visible characters of that element set on earlier pages."""


PageMap = tuple[PageStart, ...]


def visible(text: str) -> int:
    return sum(1 for char in text if not char.isspace() and char not in INVISIBLE)


def mark_elements(container: etree._Element, chapter: str) -> None:
    """Stamp every element of the body with its chapter and number (the PDF side)."""
    for number, element in enumerate(body_elements(container)):
        element.set(MARK, f"{chapter}:{number}")


def page_labels(count: int, body_start: int | None) -> list[str]:
    """The printed page numbers: roman before the body, arabic from its first page."""
    start = count if body_start is None else body_start
    return [roman(n + 1) for n in range(start)] + [str(n + 1) for n in range(count - start)]


def roman(number: int) -> str:
    numerals = (
        (1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
        (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"),
    )  # fmt: skip
    text = ""
    for value, numeral in numerals:
        count, number = divmod(number, value)
        text += numeral * count
    return text


def page_starts(pages: Sequence[Any], labels: Sequence[str], openings: Sequence[str]) -> PageMap:
    """Where each page of a laid out WeasyPrint document begins, for the pages with text
    from the chapters or from one of the `openings` (ids of chapters and FRONT_PAGES);
    blank pages, the half title and the contents have none."""
    laid: dict[str, int] = {}
    starts: list[PageStart] = []
    for page, label in zip(pages, labels, strict=True):
        first: PageStart | None = None
        for text, marks in text_boxes(page._page_box.children[0], ()):
            count = visible(text)
            if count and first is None:
                first = start_of(label, marks, laid, page.anchors, openings)
            for mark in marks:
                laid[mark] = laid.get(mark, 0) + count
        if first is not None:
            starts.append(first)
    return tuple(starts)


def start_of(
    label: str,
    marks: tuple[str, ...],
    laid: dict[str, int],
    anchors: dict[str, object],
    openings: Sequence[str],
) -> PageStart | None:
    """The start of a page whose first text is inside `marks` (innermost last)."""
    if marks:
        chapter, _, number = marks[-1].rpartition(":")
        return PageStart(label, chapter, int(number), laid.get(marks[-1], 0))
    opening = next((name for name in openings if name in anchors), None)
    return None if opening is None else PageStart(label, opening, OPENING)


def text_boxes(box: Any, marks: tuple[str, ...]) -> Iterator[tuple[str, tuple[str, ...]]]:
    """The text of a box tree in layout order, each piece with the marks around it;
    generated text (`::before`, `::after`, note calls) is left out."""
    element = getattr(box, "element", None)
    mark = element.get(MARK) if element is not None else None
    if mark and (not marks or marks[-1] != mark):
        marks = (*marks, mark)
    text = getattr(box, "text", None)
    if isinstance(text, str) and "::" not in (box.element_tag or ""):
        yield text, marks
    for child in getattr(box, "children", ()):
        yield from text_boxes(child, marks)


def insert_breaks(container: etree._Element, starts: Sequence[PageStart]) -> list[str]:
    """Put a page-break marker where each page starts (the EPUB side). `container` holds
    the chapter's body; starts whose place can't be found are left out. The labels of the
    pages marked, in order."""
    elements = body_elements(container)
    placed = []
    for start in starts:
        if 0 <= start.element < len(elements):
            place = find(elements[start.element], start.offset)
            if place is not None:
                insert(place, page_break(container, start.label))
                placed.append(start.label)
    return placed


Place = tuple[etree._Element, str, int]
"""A text slot (`text` of the element or its `tail`) and a position in it."""


def find(element: etree._Element, offset: int) -> Place | None:
    """The first word boundary at or after `offset` visible characters into `element`."""
    seen = 0
    for node, slot in text_slots(element):
        text = getattr(node, slot) or ""
        for position, char in enumerate(text):
            if seen >= offset and not char.isspace() and starts_word(text, position, seen):
                return node, slot, position
            seen += visible(char)
    return None


def starts_word(text: str, position: int, seen: int) -> bool:
    """A page that begins inside a word (hyphenated across pages) is marked after it."""
    return position == 0 or text[position - 1].isspace() or seen == 0


def text_slots(element: etree._Element, top: bool = True) -> Iterator[tuple[etree._Element, str]]:
    """The text of `element` and its descendants in reading order, without note calls."""
    if not is_noteref(element):
        yield element, "text"
        for child in element:
            yield from text_slots(child, top=False)
    if not top:
        yield element, "tail"


def is_noteref(element: etree._Element) -> bool:
    types = element.get(f"{{{EPUB_NS}}}type") or element.get("epub:type") or ""
    return NOTEREF in types.split()


def page_break(container: etree._Element, label: str) -> etree._Element:
    """`<span epub:type="pagebreak" role="doc-pagebreak" id="page-12" aria-label="12"/>`."""
    namespace = etree.QName(container).namespace
    tag = f"{{{namespace}}}span" if namespace else "span"
    marker = etree.Element(tag)
    marker.set(f"{{{EPUB_NS}}}type", "pagebreak")
    marker.set("role", "doc-pagebreak")
    marker.set("id", f"page-{label}")
    marker.set("aria-label", label)
    return marker


def insert(place: Place, marker: etree._Element) -> None:
    node, slot, position = place
    text = getattr(node, slot) or ""
    setattr(node, slot, text[:position] or None)
    marker.tail = text[position:]
    if slot == "text":
        node.insert(0, marker)
    else:
        parent = node.getparent()
        if parent is not None:
            parent.insert(parent.index(node) + 1, marker)
