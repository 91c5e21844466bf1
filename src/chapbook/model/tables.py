"""What the columns of a table hold, measured in characters: what the reader sizes a wide
table by, and what the print check (verify/tablefit.py) counts."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree

from chapbook.model.fragments import is_element, local

SHORT_WORD = 5
"""A word (or number) of up to this many characters is never broken in a wide table, if the
columns' least needs fit WIDE_MEASURE_EMS."""
LONG_WORD = 14
"""A longer word may be broken (hyphenated) however much room there is."""
PROSE = 60
PROSE_SHARE = 0.3
"""A column of texts wants room for this share of its longest text (up to PROSE characters)."""


@dataclass
class Column:
    """What a column of a table holds, in characters: its longest word, the part of it
    that a wide table keeps whole, and what it wants (its longest text's share)."""

    longest: int = 0
    least: int = 0
    want: float = 0.0


def table_columns(table: etree._Element) -> list[Column]:
    """What each column of `table` holds (a cell spanning several shares it among them)."""
    columns: list[Column] = []
    for row in rows(table):
        index = 0
        for cell in row:
            if not is_element(cell) or local(cell) not in ("td", "th"):
                continue
            span = int(cell.get("colspan") or 1) if (cell.get("colspan") or "1").isdigit() else 1
            span = max(span, 1)
            text = " ".join("".join(map(str, cell.itertext())).split())
            longest = max((len(word) for word in text.split()), default=0)
            want = max(min(longest, LONG_WORD), min(len(text), PROSE) * PROSE_SHARE)
            while len(columns) < index + span:
                columns.append(Column())
            for column in columns[index : index + span]:
                column.longest = max(column.longest, -(-longest // span))
                column.least = max(column.least, -(-min(longest, SHORT_WORD) // span))
                column.want = max(column.want, want / span)
            index += span
    return columns


def rows(table: etree._Element) -> Iterator[etree._Element]:
    """The rows of `table` (parsed as XHTML or as HTML), not those of tables inside it."""
    for row in table.iter(etree.Element):
        if local(row) == "tr" and nearest_table(row) is table:
            yield row


def nearest_table(element: etree._Element) -> etree._Element | None:
    return next((a for a in element.iterancestors(etree.Element) if local(a) == "table"), None)


def column_count(table: etree._Element) -> int:
    """How many columns `table` has (parsed as XHTML or as HTML)."""
    return len(table_columns(table))
