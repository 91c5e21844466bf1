"""Where each block of a converted chapter begins in its Markdown file.
Design: docs/architecture.md, 'Source lines'."""

from __future__ import annotations

import bisect
import html
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree
from lxml import html as lxml_html

from chapbook.model.fragments import body_elements

NOTED = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dt", "dd", "pre", "tr"})
NOTED |= {"figcaption", "caption"}
"""The blocks that get a line, when they begin with text of their own."""
NESTED = NOTED | {"ul", "ol", "dl", "table", "blockquote", "div", "section", "aside", "hr"}
NESTED |= {"figure", "header", "footer", "nav", "details", "summary", "address"}
"""Where a block's own text ends: at the first block inside it."""
LEAD = 40
"""Characters of a block's text looked for at first; shorter starts if that fails."""
SHORTER = (20, 10, 5)
NEARBY_LINES = 12
"""How far past the last block found a short start may be found."""

SYNTAX = [
    re.compile(r"\]\([^)\s]*(?:\s+\"[^\"]*\")?\)"),  # a link or image target: ](url "title")
    re.compile(r"\]\[[^\]]*\]"),  # a reference link's label
    re.compile(r"\[\^[^\]\s]+\]:?"),  # a note reference or a note's label
    re.compile(r"\{:?\s*[#.][^}]*\}"),  # an attribute list
    re.compile(r"<[^<>]*>"),  # a tag
]
NOT_ALPHANUMERIC = re.compile(r"[\W_]+")
"""What is not a letter or a digit (a word character is one of those or the underscore)."""
NOTE_LABEL = re.compile(r"^ {0,3}\[\^([^\]\s]+)\]:", re.MULTILINE)


def normalized(text: str) -> str:
    """`text` as it is compared: Markdown and HTML syntax out, then only its letters and
    digits, case folded."""
    text = html.unescape(text)
    for pattern in SYNTAX:
        text = pattern.sub("", text)
    return NOT_ALPHANUMERIC.sub("", unicodedata.normalize("NFKC", text).casefold())


@dataclass(frozen=True)
class Stream:
    """A Markdown file's text as compared: `text`; `starts[n]` is where line n begins in
    it, `raw[n - 1]` is line n as written."""

    text: str
    starts: tuple[int, ...]
    raw: tuple[str, ...]

    def line_at(self, index: int) -> int:
        """The 1-based line of the character at `index` (past the end: the last's)."""
        if not self.text:
            return 1
        return bisect.bisect_right(self.starts, min(index, len(self.text) - 1)) - 1


def stream(markdown: str) -> Stream:
    raw = markdown.split("\n")
    text: list[str] = []
    starts = [0]
    length = 0
    for line in raw:
        starts.append(length)
        text.append(normalized(line))
        length += len(text[-1])
    starts.append(length)
    return Stream("".join(text), tuple(starts), tuple(raw))


def block_lines(markdown: str, body: str) -> tuple[tuple[int, int], ...]:
    """For each block of `body` (a chapter's converted XHTML) that begins with text, its
    number among the body's elements (in document order, the body's container not
    counted, as write/pagemap.py numbers them) and the 1-based line of `markdown` (the
    chapter file's text, front matter blanked) where it begins; the note is kept by the
    first cell of a table row."""
    try:
        container = lxml_html.fragment_fromstring(body, create_parent="div")
    except etree.ParserError:  # nothing but a comment
        return ()
    elements = body_elements(container)
    numbers = {element: number for number, element in enumerate(elements)}
    source = stream(markdown)
    labels = note_labels(markdown)
    found: dict[int, int] = {}
    cursor = 0
    for element in elements:
        if is_note(element):
            note_lines(source, labels, element, numbers, found)
        elif not skipped(element) and (place := block_line(source, element, cursor)):
            found[numbers[holder(element)]], cursor = place
    return tuple(sorted(found.items()))


def skipped(element: etree._Element) -> bool:
    """Whether `element` is inside a note (see `note_lines`) or a table of contents
    (`[TOC]`: its text is the headings')."""
    return any(is_note(a) or a.get("class") == "toc" for a in element.iterancestors())


def is_note(element: etree._Element) -> bool:
    return "footnote" in (element.get("epub:type") or "").split()


def note_labels(markdown: str) -> dict[str, int]:
    """The line of each note's first `[^label]:`, by label (found in one pass: a chapter
    may have thousands)."""
    lines: dict[str, int] = {}
    line, counted = 1, 0
    for match in NOTE_LABEL.finditer(markdown):
        line += markdown.count("\n", counted, match.start())
        counted = match.start()
        lines.setdefault(match[1], line)
    return lines


def note_lines(
    source: Stream,
    labels: dict[str, int],
    note: etree._Element,
    numbers: dict[etree._Element, int],
    found: dict[int, int],
) -> None:
    """The lines of a note's blocks, looked for from its `[^label]:` line (in `labels`) on."""
    line = labels.get((note.get("id") or "").removeprefix("fn-"))
    cursor = 0 if line is None else source.starts[line]
    for element in note.iter(etree.Element):
        if place := block_line(source, element, cursor):
            found[numbers[holder(element)]], cursor = place


def block_line(source: Stream, element: etree._Element, cursor: int) -> tuple[int, int] | None:
    """If `element` is a block that begins with text, the line where it begins, found at
    or after `cursor` in `source`, and where its text ends there (the next cursor)."""
    if element.tag not in NOTED:
        return None
    lead = normalized(own_text(element))
    if not lead:
        return image_line(source, element, cursor)
    at = find(source, lead, cursor)
    if at is None:
        return None
    return source.line_at(at), at + common_length(source.text, at, lead)


def find(source: Stream, lead: str, cursor: int) -> int | None:
    """Where `lead` (or, failing that, a shorter start of it, nearby) is at or after
    `cursor`."""
    at = source.text.find(lead[:LEAD], cursor)
    if at >= 0:
        return at
    line = source.line_at(cursor)
    nearby = source.starts[min(line + NEARBY_LINES, len(source.starts) - 1)]
    for size in SHORTER:
        at = source.text.find(lead[:size], cursor, nearby + size)
        if at >= 0 and size < len(lead):
            return at
    return None


def image_line(source: Stream, element: etree._Element, cursor: int) -> tuple[int, int] | None:
    """The line of a block that holds only an image without alt text: the next line
    with an image on it."""
    if next(element.iter("img"), None) is None:
        return None
    after = source.line_at(cursor - 1) + 1 if cursor else 1  # the last block's line
    for number in range(after, len(source.raw) + 1):
        if "![" in source.raw[number - 1] or "<img" in source.raw[number - 1].lower():
            return number, source.starts[number + 1]
    return None


def common_length(text: str, at: int, lead: str) -> int:
    """How many characters of `lead` `text` holds from `at` on, before they differ."""
    theirs = text[at : at + len(lead)]
    low, high = 0, len(theirs) + 1  # lead and theirs begin alike for `low`, not `high`
    while high - low > 1:  # halving: slices compare at C speed
        middle = (low + high) // 2
        if lead[:middle] == theirs[:middle]:
            low = middle
        else:
            high = middle
    return max(low, 1)


def holder(element: etree._Element) -> etree._Element:
    """The element that shows a block's line: a table row's first cell, else the block."""
    if element.tag == "tr":
        return next(element.iterchildren(etree.Element), element)
    return element


def own_text(element: etree._Element) -> str:
    """The text of a block up to the first block inside it: images by their alt text,
    without note references."""
    return "".join(texts(element))


def texts(element: etree._Element) -> Iterator[str]:
    if element.get("class") == "footnote-ref" or element.get("class") == "note-number":
        return
    if element.tag == "img":
        yield element.get("alt") or ""
    yield element.text or ""
    for child in element:
        if child.tag in NESTED:
            return
        if isinstance(child.tag, str):  # not a comment
            yield from texts(child)
        yield child.tail or ""
