"""What a print PDF draws outside its pages' trim box, where the trimming cuts it off: the
check behind preflight's "nothing clipped". Design: docs/architecture.md, 'Preflight'."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

import pypdfium2 as pdfium

Box = tuple[float, float, float, float]
"""Left, bottom, right, top, in points."""
Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
TOLERANCE_PT = 1.0
"""How far past the trim a glyph's or a drawing's box may reach and count as inside (the
boxes PDFium gives are a little generous)."""
MAX_DEPTH = 16
"""How deep Form XObjects are followed inside one another."""
MM_PER_PT = 25.4 / 72
KINDS = {
    pdfium.raw.FPDF_PAGEOBJ_TEXT: "text",
    pdfium.raw.FPDF_PAGEOBJ_IMAGE: "an image",
    pdfium.raw.FPDF_PAGEOBJ_PATH: "rules or shapes",
    pdfium.raw.FPDF_PAGEOBJ_SHADING: "rules or shapes",
}
SIDES = ("left", "bottom", "right", "top")


@dataclass(frozen=True)
class Overflow:
    """Something drawn past the trim on one page: what, how far (the farthest), past which
    edge."""

    page: int
    kind: str
    distance_pt: float
    side: str


def outside_trim(pdf: bytes | IO[bytes]) -> list[str]:
    """What `pdf` (its bytes, or a file open on them) draws outside its trim boxes and
    would be cut off, one message for each kind of thing (text, images, rules and shapes)
    with the pages it is on; none if nothing is (or if PDFium can't read the file: the
    rest of preflight says why)."""
    if not isinstance(pdf, bytes):
        pdf.seek(0)
        pdf = pdf.read()
    try:
        document = pdfium.PdfDocument(pdf)
    except pdfium.PdfiumError:
        return []
    try:
        found = [o for index in range(len(document)) for o in page_overflows(document, index)]
    finally:
        document.close()
    return [message(kind, [o for o in found if o.kind == kind]) for kind in kinds_of(found)]


def kinds_of(found: list[Overflow]) -> list[str]:
    return list(dict.fromkeys(overflow.kind for overflow in found))


def message(kind: str, found: list[Overflow]) -> str:
    """One line for what is cut off of a kind: its pages and the farthest overflow."""
    farthest = max(found, key=lambda overflow: overflow.distance_pt)
    pages = page_ranges(sorted({overflow.page for overflow in found}))
    distance = f"{farthest.distance_pt * MM_PER_PT:.1f} mm"
    label = "page" if len(found) == 1 else "pages"
    return (
        f"{kind} outside the trim box (cut off when trimmed) on {label} {pages}: up to "
        f"{distance} past the {farthest.side} edge"
    )


def page_ranges(pages: list[int]) -> str:
    """`3, 5-7, 12` for pages [3, 5, 6, 7, 12]."""
    ranges: list[list[int]] = []
    for page in pages:
        if ranges and page == ranges[-1][1] + 1:
            ranges[-1][1] = page
        else:
            ranges.append([page, page])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in ranges)


def page_overflows(document: pdfium.PdfDocument, index: int) -> list[Overflow]:
    """The farthest overflow of each kind on page `index` (0-based); none if PDFium can't
    read the page (the rest of preflight says why)."""
    try:
        page = document[index]
    except pdfium.PdfiumError:
        return []
    try:
        trim = normal(page.get_trimbox())
        bleed = normal(page.get_bleedbox())
        has_bleed = any(abs(a - b) > TOLERANCE_PT for a, b in zip(trim, bleed, strict=True))
        farthest: dict[str, Overflow] = {}
        for kind, box in drawn(page):
            if kind != "text" and (has_bleed or not overlaps(box, bleed)):
                continue  # bleed art, or a crop mark outside the bleed
            distance, side = past(box, trim)
            if distance > TOLERANCE_PT and distance > getattr(farthest.get(kind), "distance_pt", 0):
                farthest[kind] = Overflow(index + 1, kind, distance, side)
        return list(farthest.values())
    finally:
        page.close()


def drawn(page: pdfium.PdfPage) -> Iterator[tuple[str, Box]]:
    """Each thing the page draws, with its bounding box on the page."""
    yield from drawn_in(page, None, IDENTITY, 0)


def drawn_in(
    page: pdfium.PdfPage, form: pdfium.PdfObject | None, matrix: Matrix, depth: int
) -> Iterator[tuple[str, Box]]:
    """What the page (or a form on it, placed by `matrix`) draws."""
    for item in page.get_objects(max_depth=1, form=form):
        if item.type == pdfium.raw.FPDF_PAGEOBJ_FORM:
            if depth < MAX_DEPTH:
                placed = multiply(form_matrix(item), matrix)
                yield from drawn_in(page, item, placed, depth + 1)
        elif item.type in KINDS:
            box = item.get_bounds()
            yield KINDS[item.type], transformed(normal(box), matrix)


def form_matrix(form: pdfium.PdfObject) -> Matrix:
    """How a Form XObject's space is placed in its parent's."""
    a, b, c, d, e, f = (float(value) for value in form.get_matrix().get())
    return a, b, c, d, e, f


def normal(box: tuple[float, ...]) -> Box:
    left, bottom, right, top = box
    return min(left, right), min(bottom, top), max(left, right), max(bottom, top)


def overlaps(box: Box, other: Box) -> bool:
    return box[0] < other[2] and other[0] < box[2] and box[1] < other[3] and other[1] < box[3]


def past(box: Box, trim: Box) -> tuple[float, str]:
    """How far `box` reaches past `trim`, and past which edge (the farthest)."""
    distances = (trim[0] - box[0], trim[1] - box[1], box[2] - trim[2], box[3] - trim[3])
    farthest = max(range(4), key=lambda side: distances[side])
    return distances[farthest], SIDES[farthest]


def multiply(first: Matrix, then: Matrix) -> Matrix:
    """The matrix that applies `first`, then `then` (PDF's row-vector convention)."""
    a, b, c, d, e, f = first
    a2, b2, c2, d2, e2, f2 = then
    return (
        a * a2 + b * c2,
        a * b2 + b * d2,
        c * a2 + d * c2,
        c * b2 + d * d2,
        e * a2 + f * c2 + e2,
        e * b2 + f * d2 + f2,
    )


def transformed(box: Box, matrix: Matrix) -> Box:
    """The bounding box of `box` placed by `matrix`."""
    if matrix == IDENTITY:
        return box
    a, b, c, d, e, f = matrix
    corners = [(x, y) for x in (box[0], box[2]) for y in (box[1], box[3])]
    xs = [a * x + c * y + e for x, y in corners]
    ys = [b * x + d * y + f for x, y in corners]
    return min(xs), min(ys), max(xs), max(ys)
