"""Saddle-stitch imposition: two pages to a sheet side, ready to fold and staple."""

from __future__ import annotations

import io
from dataclasses import dataclass

from pypdf import PageObject, PdfReader, PdfWriter, Transformation
from pypdf.generic import NameObject, RectangleObject


@dataclass(frozen=True)
class Side:
    """One side of a sheet: 1-based source page numbers, None for a blank half."""

    left: int | None
    right: int | None


@dataclass(frozen=True)
class Sheet:
    """A sheet of paper, printed on both sides."""

    front: Side
    back: Side


def saddle_order(page_count: int) -> list[Sheet]:
    """The sheets for `page_count` pages, padded with blanks at the end to a multiple of 4."""
    if page_count < 1:
        raise ValueError(f"a booklet needs at least one page, not {page_count}")
    n = -(-page_count // 4) * 4

    def page(number: int) -> int | None:
        return number if number <= page_count else None

    return [
        Sheet(
            front=Side(page(n - 2 * i), page(2 * i + 1)),
            back=Side(page(2 * i + 2), page(n - 2 * i - 1)),
        )
        for i in range(n // 4)
    ]


def impose(pdf: bytes) -> bytes:
    """Impose a PDF of equal-sized pages two-up, in saddle-stitch order."""
    reader = PdfReader(io.BytesIO(pdf))
    box: RectangleObject = reader.pages[0].trimbox
    writer = PdfWriter()
    for sheet in saddle_order(len(reader.pages)):
        for side in (sheet.front, sheet.back):
            target = writer.add_blank_page(2 * box.width, box.height)
            _place(target, reader, side.left, 0.0)
            _place(target, reader, side.right, float(box.width))
            target.compress_content_streams()
    _copy_info(reader, writer)
    writer.compress_identical_objects()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _place(target: PageObject, reader: PdfReader, number: int | None, x: float) -> None:
    """Draw source page `number` (1-based) with its box's lower-left corner at (x, 0)."""
    if number is None:
        return
    source = reader.pages[number - 1]
    box: RectangleObject = source.trimbox
    # pypdf clips a merged page to its CropBox: clip to the finished page instead.
    source.cropbox = box
    # Links cannot be followed on paper, and their targets would not survive imposition.
    source.pop(NameObject("/Annots"), None)
    shift = Transformation().translate(x - float(box.left), -float(box.bottom))
    target.merge_transformed_page(source, shift)


def _copy_info(reader: PdfReader, writer: PdfWriter) -> None:
    """Copy the title and author of the source, and nothing dated."""
    info = reader.metadata
    if info is not None:
        writer.add_metadata({key: str(info[key]) for key in ("/Title", "/Author") if key in info})
