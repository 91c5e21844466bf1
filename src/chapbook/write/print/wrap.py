"""Book -> cover wrap PDF: back cover, spine and front cover on one sheet, with bleed.
Design: docs/architecture.md, 'The cover wrap'."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

import pydyf
from PIL import ImageFont
from weasyprint import Document

from chapbook.model.book import PT_PER_MM, Book
from chapbook.support.templating import render
from chapbook.write.cover import AUTHORS, FONT_HREF, HEIGHT, MARGIN, RULE_Y, SUBTITLE, TITLE, WIDTH
from chapbook.write.print.layout import finish_for_print, lay_out, press, sheet_bleed_mm

POD_BLEED_MM = 3.175
"""0.125 in: the bleed most print-on-demand printers ask of a cover."""
SAFE_MM = 6.35
"""Text keeps this far from the trim edges and the spine folds."""
SPINE_TEXT_MM = 6.0
"""Narrower spines carry no text."""
BARCODE_MM = (50.8, 30.5)
"""The clear zone left for the printer's barcode: 2 x 1.2 in."""
SMALLEST_PT = 7.0
PT_MM = 1 / PT_PER_MM
"""Millimetres per point."""
FRONT_BOXES = {"title": TITLE, "subtitle": SUBTITLE, "authors": AUTHORS}
"""The generated front's texts, in the bands the PNG cover (`chapbook.write.cover`) gives them."""

Measure = Callable[[str], float]
"""The width of a text in em of the book's typeface."""


@dataclass(frozen=True)
class Wrap:
    """The sheet, in mm: two panels of the book's trim with the spine between them."""

    panel: float
    height: float
    spine: float
    bleed: float
    marks: bool

    @property
    def width(self) -> float:
        return 2 * self.panel + self.spine

    @property
    def css_bleed(self) -> float:
        """The CSS bleed: the real one, or with crop marks room for the marks beyond it."""
        return sheet_bleed_mm(self.bleed, self.marks)

    @property
    def front_left(self) -> float:
        return self.panel + self.spine

    @property
    def back_margin(self) -> float:
        return max(2 * SAFE_MM, 0.14 * self.panel)

    @property
    def back_top(self) -> float:
        return max(2 * SAFE_MM, 0.12 * self.height)

    @property
    def barcode(self) -> tuple[float, float, float, float]:
        """The barcode zone (left, top, right, bottom) from the sheet's trimmed top left."""
        width, height = BARCODE_MM
        right = self.panel - self.back_margin
        bottom = self.height - max(2 * SAFE_MM, 0.08 * self.height)
        return right - width, bottom - height, right, bottom


def spine_width_mm(pages: int, paper_mm: float) -> float:
    """The spine of a book of `pages` pages, each `paper_mm` thick."""
    return round(pages * paper_mm, 2)


def cover_bleed_mm(book: Book) -> float:
    """The book's own bleed, else the common print-on-demand one."""
    return book.print.bleed_mm if book.print.bleed_mm > 0 else POD_BLEED_MM


def cover_wrap(book: Book, pages: int) -> Wrap:
    trim = book.print.trim
    spine = spine_width_mm(pages, book.print.paper_mm)
    return Wrap(trim.width_mm, trim.height_mm, spine, cover_bleed_mm(book), book.print.marks)


def write_cover(book: Book, pages: int) -> bytes:
    """Lay out the cover wrap of `book`, printed on `pages` pages, and return the PDF."""
    wrap = cover_wrap(book, pages)
    identifier = f"{book.metadata.identifier}#cover"

    def finish(document: Document, pdf: pydyf.PDF) -> None:
        finish_for_print(pdf, book, wrap.bleed, identifier)

    pdf, _ = lay_out(
        book,
        cover_html(book, wrap),
        press(book, ["\n".join((book.styles.fonts, book.styles.fallbacks, book.styles.cover))]),
        finish,
        tags=False,
    )
    return pdf


def cover_html(book: Book, wrap: Wrap) -> str:
    return render(
        "print/cover.html.j2",
        meta=book.metadata,
        wrap=wrap,
        variables=css_variables(wrap, type_sizes(book, wrap, _measure(book))),
        cover_href=book.cover.href if book.cover else None,
        spine_text=wrap.spine >= SPINE_TEXT_MM,
        timestamp=book.metadata.modified.strftime("%Y-%m-%dT%H:%M:%SZ"),
    )


def css_variables(wrap: Wrap, sizes: dict[str, float]) -> dict[str, str]:
    """The geometry and the type sizes (pt) as the stylesheet's custom properties."""
    left, top, right, bottom = wrap.barcode
    lengths = {
        "panel": wrap.panel,
        "height": wrap.height,
        "spine": wrap.spine,
        "bleed": wrap.bleed,
        "mark-bleed": wrap.css_bleed,
        "back-margin": wrap.back_margin,
        "back-top": wrap.back_top,
        "barcode-left": left,
        "barcode-top": top,
        "barcode-width": right - left,
        "barcode-height": bottom - top,
        "safe": SAFE_MM,
    }
    variables = {name: f"{value:.3f}mm" for name, value in lengths.items()}
    variables |= {f"{name}-size": f"{value}pt" for name, value in sizes.items()}
    return variables | front_bands()


def front_bands() -> dict[str, str]:
    """Where the front's texts go, in % of the panel: as on the generated PNG cover."""
    bands = {
        "front-margin": f"{100 * MARGIN / WIDTH:.2f}%",
        "rule-top": f"{100 * RULE_Y / HEIGHT:.2f}%",
    }
    for name, box in FRONT_BOXES.items():
        bands[f"{name}-top"] = f"{100 * box.top / HEIGHT:.2f}%"
        bands[f"{name}-band"] = f"{100 * box.height / HEIGHT:.2f}%"
    return bands


def type_sizes(book: Book, wrap: Wrap, measure: Measure) -> dict[str, float]:
    """The largest type sizes (pt) at which each text fits its place on the cover."""
    meta = book.metadata
    spine_text = measure(meta.title) + 0.8 * measure(", ".join(meta.authors).upper()) + 2.5
    spine = min(15.0, 0.42 * wrap.spine / PT_MM, (wrap.height - 4 * SAFE_MM) / spine_text / PT_MM)
    blurb = (wrap.panel - 2 * wrap.back_margin, wrap.barcode[1] - wrap.back_top - 26)
    description = _fit_pt(measure, [meta.description or ""], blurb, 12.5, 1.45)
    return front_sizes(book, wrap, measure) | {"spine": round(spine, 1), "description": description}


def front_sizes(book: Book, wrap: Wrap, measure: Measure) -> dict[str, float]:
    """The sizes of the generated front's texts, which start from the PNG cover's."""
    meta = book.metadata
    texts = {
        "title": [meta.title],
        "subtitle": [meta.subtitle or ""],
        "authors": [author.upper() for author in meta.authors],
    }
    width = wrap.panel * (1 - 2 * MARGIN / WIDTH)
    return {
        name: _fit_pt(
            measure,
            texts[name],
            (width, box.height / HEIGHT * wrap.height),
            box.size / WIDTH * wrap.panel / PT_MM,
            1.25,
        )
        for name, box in FRONT_BOXES.items()
    }


def _fit_pt(
    measure: Measure,
    paragraphs: list[str],
    box: tuple[float, float],
    largest: float,
    leading: float,
) -> float:
    """The largest size up to `largest` at which the paragraphs, wrapped, fit `box` (mm)."""
    width, height = box
    size = largest
    while size > SMALLEST_PT:
        em = size * PT_MM
        lines = sum(_line_count(measure, text, 0.95 * width / em) for text in paragraphs)
        if lines * leading * em <= height:
            break
        size *= 0.92
    return round(max(size, SMALLEST_PT), 1)


def _line_count(measure: Measure, text: str, width: float) -> float:
    """How many lines `text` wraps to in `width` em; infinite if a word is wider."""
    lines: list[str] = []
    for word in text.split():
        if measure(word) > width:
            return float("inf")
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and measure(candidate) <= width:
            lines[-1] = candidate
        else:
            lines.append(word)
    return len(lines)


def _measure(book: Book) -> Measure:
    """Text widths in the book's typeface, or a fair guess when it carries none."""
    data = next((r.data for r in book.resources if r.href == FONT_HREF), None)
    if data is None:
        return lambda text: 0.55 * len(text)
    font = ImageFont.truetype(io.BytesIO(data), 1000)
    return lambda text: font.getlength(text) / 1000
