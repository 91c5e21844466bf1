"""Tables the print can't set: more columns than the book's measure holds.
Design: docs/architecture.md, 'Before layout: characters and tables'."""

from __future__ import annotations

from lxml import etree
from lxml import html as lxml_html

from chapbook.diagnostics import Diagnostic
from chapbook.model.book import Book, Chapter
from chapbook.model.fragments import body_elements, local
from chapbook.model.tables import column_count

MIN_COLUMN_MM = 3.5
"""The narrowest a column can be and still show two letters of a crowded table's type."""


def measure_mm(book: Book) -> float:
    """The width of the print's text block."""
    margins = book.print.margins
    return book.print.trim.width_mm - margins.inside - margins.outside


def unfit_tables(book: Book) -> list[Diagnostic]:
    """A warning for each table of more columns than the print's measure holds."""
    measure = measure_mm(book)
    most = int(measure // MIN_COLUMN_MM)
    warnings = []
    for chapter in book.chapters:
        for columns, line in table_sizes(chapter):
            if columns > most:
                message = (
                    f"a table of {columns} columns can't be printed legibly: at most {most} "
                    f"fit the {measure:.0f} mm measure; split it, or turn it so that its "
                    "rows are columns"
                )
                warnings.append(Diagnostic(chapter.source, message, line, code="W219"))
    return warnings


def table_sizes(chapter: Chapter) -> list[tuple[int, int | None]]:
    """Each table of the chapter: its columns and the line where it begins in its file."""
    if "<table" not in chapter.body:
        return []
    container = lxml_html.fragment_fromstring(chapter.body, create_parent="div")
    elements = body_elements(container)  # numbered as `chapter.lines` numbers them
    numbers = {element: number for number, element in enumerate(elements)}
    lines = dict(chapter.lines)
    sizes = []
    for table in (e for e in elements if local(e) == "table"):
        found = [lines[numbers[e]] for e in table.iter(etree.Element) if numbers.get(e) in lines]
        sizes.append((column_count(table), min(found, default=None)))
    return sizes
