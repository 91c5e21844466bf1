"""The proof (`--proof`): the print PDF with the file and line of each block in the outer
margin and a DRAFT mark with the date on every page.
Design: docs/architecture.md, 'The proof'."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import PurePath
from typing import Any

from lxml import etree
from weasyprint import Document
from weasyprint.formatting_structure.boxes import LineBox
from weasyprint.layout.absolute import AbsolutePlaceholder

from chapbook.model.book import EPIGRAPH_LINE, TITLE_LINE, Chapter, PageSize, PrintSettings
from chapbook.model.fragments import body_elements
from chapbook.support.templating import render

PROOF_MARGIN_MM = 30.0
"""How much wider than the trim a proof's page is, on the outside, for the notes: room
for a file name of about 35 characters beside the line number, in 7 pt type."""
NOTE_GAP_MM = 4.0
"""Between the text and a note."""
PROOF_LINE = "data-proof-line"
"""The attribute that carries a block's `file:line` into the proof's layout."""
PX_PER_MM = 96 / 25.4
"""WeasyPrint's layout unit, the CSS pixel, per millimetre."""


def proof_settings(settings: PrintSettings, date: str) -> PrintSettings:
    """The print settings of a proof dated `date`: the trim widened on the outside, the
    text block as it is; no bleed, crop marks or PDF variant (it is not for the printer)."""
    trim = settings.trim
    wider = PageSize(trim.name, trim.width_mm + PROOF_MARGIN_MM, trim.height_mm)
    outside = settings.margins.outside + PROOF_MARGIN_MM
    margins = dataclasses.replace(settings.margins, outside=outside)
    return dataclasses.replace(
        settings,
        trim=wider,
        margins=margins,
        bleed_mm=0.0,
        marks=False,
        variant=None,
        proof=date,
    )


def proof_css(settings: PrintSettings, draft: str) -> str:
    """A proof's own stylesheet: the notes' type and the `draft` mark (DRAFT in the book's
    language) with the date, for the settings made by `proof_settings`."""
    return render("print/proof.css.j2", draft=draft, date=settings.proof, gap=NOTE_GAP_MM)


def place(chapter: Chapter, line: int) -> str:
    """A block's place as a note shows it: the chapter file's name and the line."""
    return f"{PurePath(chapter.source).name}:{line}"


def mark_lines(root: etree._Element, chapter: Chapter) -> None:
    """Give each block of a chapter's body (parsed inside `root`) its place."""
    elements = body_elements(root)  # as Chapter.lines numbers them
    for number, line in chapter.lines:
        if 0 <= number < len(elements):
            elements[number].set(PROOF_LINE, place(chapter, line))


def title_place(chapter: Chapter) -> str | None:
    """The place of the chapter's title, if known."""
    line = dict(chapter.lines).get(TITLE_LINE)
    return None if line is None else place(chapter, line)


def mark_epigraph(root: etree._Element, chapter: Chapter) -> None:
    """Give the first block of the chapter's epigraph (parsed inside `root`) its place."""
    line = dict(chapter.lines).get(EPIGRAPH_LINE)
    first = next(root.iterchildren(etree.Element), None)
    if line is not None and first is not None:
        first.set(PROOF_LINE, place(chapter, line))


def to_outer_margins(document: Document) -> None:
    """Set each note of the laid out proof in its page's outer margin, its baseline on
    the baseline of its block's first line."""
    gap = NOTE_GAP_MM * PX_PER_MM
    for page in document.pages:
        page_box = page._page_box
        left, right = page_box.content_box_x(), page_box.content_box_x() + page_box.width
        verso = page_box.page_type.side == "left"
        for note, block in notes(page_box):
            box = note._box
            x = left - gap - box.margin_width() if verso else right + gap
            dy = baseline(block, note) - baseline(box, None)
            note.translate(x - box.position_x, dy)


def notes(box: Any, parent: Any = None) -> Iterator[tuple[AbsolutePlaceholder, Any]]:
    """The proof notes laid out in `box`, each with the block it belongs to."""
    if isinstance(box, AbsolutePlaceholder):
        if is_note(box._box):
            yield box, parent
        return
    for child in getattr(box, "children", ()):
        yield from notes(child, box)


def is_note(box: Any) -> bool:
    """Whether `box` is the `::before` box of a block with a place."""
    element = box.element
    marked = element is not None and element.get(PROOF_LINE) is not None
    return marked and str(box.element_tag).endswith("::before")


def baseline(box: Any, note: AbsolutePlaceholder | None) -> float:
    """Where the first line in `box` (`note` left out) has its baseline; its top if none."""
    line = first_line(box, note)
    if line is None:
        return float(box.position_y)
    return float(line.position_y + line.baseline)


def first_line(box: Any, note: AbsolutePlaceholder | None) -> Any:
    if isinstance(box, LineBox):
        return box
    for child in getattr(box, "children", ()):
        if child is not note and not isinstance(child, AbsolutePlaceholder):
            line = first_line(child, note)
            if line is not None:
                return line
    return None
