"""Booklet imposition the way a print shop does it: two trimmed pages to a side of a sheet,
the sheets in saddle order, gathered in signatures, with creep, duplex modes and marks.
Design: docs/architecture.md, 'The booklet'."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name, Page, Pdf, Stream, String

from chapbook.diagnostics import BookErrors, Diagnostic
from chapbook.model.book import PT_PER_MM, SHEETS, BookletSettings, PageSize
from chapbook.support.templating import render
from chapbook.write.pdfcopy import bring

ONE_GATHERING_MAX = 40
"""A book of up to this many pages (after padding) folds as a single gathering."""
LONG_BOOK_SIGNATURE = 16
"""Pages per signature of a longer book, when `[booklet] signature` is not given."""
TOLERANCE_MM = 0.1
"""How much a spread may exceed its sheet and still count as fitting (rounding of boxes)."""
MARK_GAP_MM = 3.0
"""Marks stop this far short of the trim, so that a slightly off cut never shows them."""
MARK_LENGTH_MM = 8.0
MARK_MIN_MM = 2.0
"""Where the sheet leaves less room than this for a mark, the mark is left out."""


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


def reading_order(page_count: int) -> list[int | None]:
    """The pages as the reader meets them, padded with blanks (None) to a multiple of 4.

    The blanks go before the back cover: the book's last page stays the outside back of the
    booklet. A one-page book is a front cover alone, so its blanks follow it.
    """
    if page_count < 1:
        raise ValueError(f"a booklet needs at least one page, not {page_count}")
    blanks: list[int | None] = [None] * (-page_count % 4)
    if page_count == 1:
        return [1, *blanks]
    return [*range(1, page_count), *blanks, page_count]


def default_signature(page_count: int) -> int:
    """The whole book as one gathering up to ONE_GATHERING_MAX pages, else LONG_BOOK_SIGNATURE."""
    padded = page_count + -page_count % 4
    return padded if padded <= ONE_GATHERING_MAX else LONG_BOOK_SIGNATURE


def signatures(page_count: int, signature: int | None = None) -> list[list[Sheet]]:
    """The sheets of each gathering, gatherings in reading order, outermost sheet first.

    Every gathering holds `signature` pages but the last, which holds the rest (padded, with
    the blanks before the book's last page).
    """
    size = default_signature(page_count) if signature is None else signature
    if size < 4 or size % 4:
        raise ValueError(f"a signature is a multiple of 4 pages, not {size}")
    pages = reading_order(page_count)
    return [fold(pages[start : start + size]) for start in range(0, len(pages), size)]


def fold(pages: Sequence[int | None]) -> list[Sheet]:
    """One gathering's sheets in saddle order, outermost first; `pages` in reading order."""
    n = len(pages)
    return [
        Sheet(
            front=Side(pages[n - 1 - 2 * i], pages[2 * i]),
            back=Side(pages[2 * i + 1], pages[n - 2 - 2 * i]),
        )
        for i in range(n // 4)
    ]


def saddle_order(page_count: int, signature: int | None = None) -> list[Sheet]:
    """Every sheet in printing order: the gatherings' sheets one after the other."""
    return [sheet for gathering in signatures(page_count, signature) for sheet in gathering]


def creep_shifts(
    gatherings: list[list[Sheet]], creep_mm: float | None, paper_mm: float
) -> list[float]:
    """How far (mm) the pages of each sheet move toward the fold, sheet by sheet.

    Folded together, each sheet wraps around the ones inside it, so the inner sheets stick out
    at the fore-edge: by one sheet's thickness (2 x `paper_mm`) for every sheet outside them.
    Trimming the fore-edge flush then cuts their outer margins narrower. Creep compensation
    moves each page of a sheet toward the spine by as much as that sheet sticks out, so the
    text keeps the same distance from the trimmed fore-edge on every page (the issue's "shifted
    outward" names the push-out; the content itself moves inward). The shift grows linearly
    from 0 for the outermost sheet of each gathering to the total for its innermost sheet:
    `creep_mm` if given (the total of a full gathering, so a shorter last gathering takes
    the same step per sheet), else 2 x `paper_mm` x (sheets in the gathering - 1).
    """
    step = 2 * paper_mm
    if creep_mm is not None:
        step = creep_mm / max(len(gatherings[0]) - 1, 1)
    return [depth * step for gathering in gatherings for depth in range(len(gathering))]


def default_sheet(trim: PageSize, fit: bool = False) -> PageSize:
    """The smallest standard sheet (by area, of SHEETS) holding two trimmed pages side by side.

    Sheets of the trim's own family are tried first: ISO sheets (whole millimetres) for metric
    trims, US sheets (inches) for the others, then the other family. This gives A4 for A5, A5
    for A6, letter for digest and tabloid for trade (6 x 9 in). When no sheet holds the pages,
    `fit` takes the largest sheet of the trim's family; otherwise that is an error.
    """
    own = [sheet for sheet in SHEETS.values() if _is_metric(sheet) == _is_metric(trim)]
    other = [sheet for sheet in SHEETS.values() if sheet not in own]
    for family in (own, other):
        holding = [sheet for sheet in family if _holds(sheet, trim)]
        if holding:
            return min(holding, key=_area)
    if fit:
        return max(own, key=_area)
    names = ", ".join(sheet.name for sheet in SHEETS.values())
    message = (
        f"[booklet] no standard sheet ({names}) holds two {_dimensions(trim)} pages side by "
        "side; set sheet = 'W x H mm' or fit = true"
    )
    raise BookErrors([Diagnostic("book.toml", message, code="E129")])


def _is_metric(size: PageSize) -> bool:
    sides = (size.width_mm, size.height_mm)
    return all(abs(side - round(side)) < 0.05 for side in sides)


def _area(size: PageSize) -> float:
    return size.width_mm * size.height_mm


def _landscape(sheet: PageSize) -> tuple[float, float]:
    """The sheet's (width, height) in mm, laid landscape whichever way it was given."""
    return max(sheet.width_mm, sheet.height_mm), min(sheet.width_mm, sheet.height_mm)


def _holds(sheet: PageSize, trim: PageSize) -> bool:
    width, height = _landscape(sheet)
    return 2 * trim.width_mm <= width + TOLERANCE_MM and trim.height_mm <= height + TOLERANCE_MM


def _dimensions(size: PageSize) -> str:
    return f"{size.width_mm:g} x {size.height_mm:g} mm"


@dataclass(frozen=True)
class Layout:
    """Where a sheet side's two pages go, in points, the sheet laid landscape.

    The pages meet at the fold, the sheet's vertical centre line, and are centred top to bottom.
    """

    sheet: PageSize
    width: float
    height: float
    scale: float
    page_width: float
    page_height: float

    @property
    def fold(self) -> float:
        return self.width / 2

    @property
    def bottom(self) -> float:
        return (self.height - self.page_height) / 2


def layout(trim: PageSize, settings: BookletSettings) -> Layout:
    """The sheet (`settings.sheet` or `default_sheet`) and the pages' place and scale on it.

    Pages keep their size unless `settings.fit` is set and they do not fit: then they shrink
    (never grow) to the sheet. A trim that does not fit without `fit` is an error.
    """
    sheet = settings.sheet or default_sheet(trim, settings.fit)
    width, height = _landscape(sheet)
    scale = 1.0
    if not _holds(sheet, trim):
        if not settings.fit:
            raise _too_small(sheet, trim)
        scale = min(width / (2 * trim.width_mm), height / trim.height_mm)
    return Layout(
        sheet=sheet,
        width=width * PT_PER_MM,
        height=height * PT_PER_MM,
        scale=scale,
        page_width=trim.width_mm * PT_PER_MM * scale,
        page_height=trim.height_mm * PT_PER_MM * scale,
    )


def _too_small(sheet: PageSize, trim: PageSize) -> BookErrors:
    message = (
        f"[booklet] sheet {sheet.name} ({_dimensions(sheet)}) cannot hold two "
        f"{_dimensions(trim)} pages side by side; choose a larger sheet or set fit = true"
    )
    return BookErrors([Diagnostic("book.toml", message, code="E129")])


@dataclass(frozen=True)
class Printed:
    """A sheet side as drawn: its pages, the creep shift in mm, and whether it is turned 180°."""

    side: Side
    shift_mm: float = 0.0
    turned: bool = False


def impose_booklet(pdf: bytes, settings: BookletSettings, paper_mm: float) -> dict[str, bytes]:
    """Impose the print PDF as a booklet. Returns {"booklet": bytes} for duplex printing, or
    for settings.duplex == "manual": {"booklet-fronts": ..., "booklet-backs": ...,
    "booklet-howto": ...}. Each sheet side is one landscape page, the front and then the back
    of each sheet in `saddle_order`. `paper_mm` is the thickness of one page (half a sheet),
    for the creep. Placing and duplex: docs/architecture.md, 'The booklet'.
    """
    with pikepdf.open(io.BytesIO(pdf)) as source:
        gatherings = signatures(len(source.pages), settings.signature)
        sheets = [sheet for gathering in gatherings for sheet in gathering]
        shifts = creep_shifts(gatherings, settings.creep_mm, paper_mm)
        placing = layout(_trim(source.pages[0]), settings)
        fronts = [Printed(s.front, shift) for s, shift in zip(sheets, shifts, strict=True)]
        if settings.duplex == "manual":
            backs = [Printed(s.back, shift) for s, shift in zip(sheets, shifts, strict=True)]
            return {
                "booklet-fronts": _write(source, placing, fronts, settings.marks),
                "booklet-backs": _write(source, placing, backs[::-1], settings.marks),
                "booklet-howto": howto(source, placing, gatherings),
            }
        turned = settings.duplex == "long-edge"
        backs = [Printed(s.back, shift, turned) for s, shift in zip(sheets, shifts, strict=True)]
        sides = [side for pair in zip(fronts, backs, strict=True) for side in pair]
        return {"booklet": _write(source, placing, sides, settings.marks)}


Box = tuple[float, float, float, float]
"""A PDF rectangle as (left, bottom, right, top), as the file gives it."""


def _box(page: Page) -> Box:
    """The page's trim box (its crop box, else its media box, when it has none)."""
    left, bottom, right, top = (float(value) for value in page.trimbox)
    return left, bottom, right, top


def _trim(page: Page) -> PageSize:
    left, bottom, right, top = _box(page)
    width, height = round((right - left) / PT_PER_MM, 2), round((top - bottom) / PT_PER_MM, 2)
    return PageSize(f"{width:g} x {height:g} mm", width, height)


def _write(source: Pdf, placing: Layout, sides: list[Printed], marks: bool) -> bytes:
    target = pikepdf.new()
    marking = _marks(placing) if marks else []
    for printed in sides:
        page = Dictionary(
            Type=Name.Page,
            MediaBox=Array([0, 0, placing.width, placing.height]),
            Resources=Dictionary(),
        )
        ops, forms = list(marking), Dictionary()
        halves = ((printed.side.left, False), (printed.side.right, True))
        for index, (number, right) in enumerate(halves):
            if number is not None:
                page_in, name = source.pages[number - 1], f"/P{index}"
                forms[name] = _form(target, page_in, placing, right, printed)
                ops.append(f"q {_matrix(page_in, placing, right, printed)} cm {name} Do Q")
        if ops:
            page.Resources = Dictionary(XObject=forms)
            page.Contents = Stream(target, "\n".join([*ops, ""]).encode())
        target.pages.append(Page(target.make_indirect(page)))
    _copy_info(source, target)
    out = io.BytesIO()
    target.save(
        out,
        min_version=source.pdf_version,
        object_stream_mode=pikepdf.ObjectStreamMode.generate,
        compress_streams=True,
        deterministic_id=True,
    )
    return out.getvalue()


def _matrix(source: Page, placing: Layout, right: bool, printed: Printed) -> str:
    """The `cm` operands that draw `source`'s trimmed page in the right or left half, moved
    toward the fold by the creep, turned 180° about the sheet's centre for a turned side."""
    left, bottom, _, _ = _box(source)
    shift = printed.shift_mm * PT_PER_MM
    x = placing.fold - shift if right else placing.fold - placing.page_width + shift
    # Scale the trim box's corner to (x, bottom), then turn 180° about the sheet's centre.
    scale, dx = placing.scale, x - placing.scale * left
    dy = placing.bottom - placing.scale * bottom
    if printed.turned:
        scale, dx, dy = -scale, placing.width - dx, placing.height - dy
    return " ".join(_number(value) for value in (scale, 0, 0, scale, dx, dy))


def _form(target: Pdf, page: Page, placing: Layout, right: bool, printed: Printed) -> Stream:
    """`page` as a Form XObject of `target`, its content streams untouched (not parsed),
    shown only within its trim box, less what the creep pushes past the fold.

    Links (/Annots) are left behind: they cannot be followed on paper, and their targets
    would not survive imposition.
    """
    box = _box(page)
    cut = min(printed.shift_mm * PT_PER_MM / placing.scale, box[2] - box[0])
    form = _content(target, page)
    form.Type = Name.XObject
    form.Subtype = Name.Form
    form.BBox = Array(_clip(box, cut, right))
    resources = page.obj.get("/Resources")
    if resources is not None:
        form.Resources = bring(target, resources)
    return form


def _content(target: Pdf, page: Page) -> Stream:
    """A stream of `target` holding the page's content: a single stream's data as it is,
    still encoded, with its filter; several streams decoded and joined (compressed when
    written)."""
    contents = page.obj.get("/Contents")
    if isinstance(contents, Stream):
        stream = Stream(target, contents.read_raw_bytes())
        for key in ("/Filter", "/DecodeParms"):
            if key in contents:
                stream[key] = bring(target, contents[key])
        return stream
    parts: list[Any] = list(contents) if isinstance(contents, Array) else []
    return Stream(target, b"\n".join(part.read_bytes() for part in parts))


def _number(value: float) -> str:
    """A number for a content stream: up to 6 decimals, no trailing zeros, never -0."""
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _clip(box: Box, cut: float, right: bool) -> Box:
    """The trim box less `cut` on its spine side, which the creep shift pushes past the fold."""
    left, bottom, right_edge, top = box
    if right:
        return left + cut, bottom, right_edge, top
    return left, bottom, right_edge - cut, top


def _marks(placing: Layout) -> list[str]:
    """Hairline crop marks at the spread's outer corners and dashed fold marks at the top and
    bottom of the fold, all outside the trim, as drawing operators. Marks are drawn before the
    pages."""
    lines = crop_marks(placing)
    folds = fold_marks(placing)
    if not lines and not folds:
        return []
    return ["q", "0 G", "0.25 w", *lines, "[4 2] 0 d", *folds, "Q"]


def _mark_length(room: float) -> float:
    """How long a mark is where the sheet leaves `room` points beyond the trim (0: none)."""
    length = min(MARK_LENGTH_MM * PT_PER_MM, room - MARK_GAP_MM * PT_PER_MM)
    return length if length >= MARK_MIN_MM * PT_PER_MM else 0.0


def _line(x0: float, y0: float, x1: float, y1: float) -> str:
    return f"{x0:.3f} {y0:.3f} m {x1:.3f} {y1:.3f} l S"


def fold_marks(placing: Layout) -> list[str]:
    """Short dashed lines on the fold, above and below the pages (PDF drawing operators)."""
    length = _mark_length(placing.bottom)
    if not length:
        return []
    gap, x, top = MARK_GAP_MM * PT_PER_MM, placing.fold, placing.bottom + placing.page_height
    return [
        _line(x, placing.bottom - gap, x, placing.bottom - gap - length),
        _line(x, top + gap, x, top + gap + length),
    ]


def crop_marks(placing: Layout) -> list[str]:
    """Lines continuing the spread's outer edges beyond its four corners (drawing operators)."""
    gap = MARK_GAP_MM * PT_PER_MM
    across = _mark_length(placing.fold - placing.page_width)
    up = _mark_length(placing.bottom)
    lines = []
    for x, outward in (
        (placing.fold - placing.page_width, -1),
        (placing.fold + placing.page_width, 1),
    ):
        for y, away in ((placing.bottom, -1), (placing.bottom + placing.page_height, 1)):
            if across:
                start = x + outward * gap
                lines.append(_line(start, y, start + outward * across, y))
            if up:
                lines.append(_line(x, y + away * gap, x, y + away * (gap + up)))
    return lines


def howto(source: Pdf, placing: Layout, gatherings: list[list[Sheet]]) -> bytes:
    """A one-page instruction sheet for manual duplex, laid out with WeasyPrint."""
    import weasyprint

    html = render(
        "booklet/howto.html.j2",
        title=_info(source).get("/Title", ""),
        sheet=placing.sheet,
        dimensions=_dimensions(placing.sheet),
        sheets=sum(len(gathering) for gathering in gatherings),
        gatherings=_gathering_rows(gatherings),
    )
    pdf: bytes = weasyprint.HTML(string=html).write_pdf()
    return pdf


@dataclass(frozen=True)
class GatheringRow:
    """A line of the how-to's table: which sheets make a gathering and what pages it holds."""

    first_sheet: int
    last_sheet: int
    first_page: int
    last_page: int
    blanks: int


def _gathering_rows(gatherings: list[list[Sheet]]) -> list[GatheringRow]:
    rows, first = [], 1
    for gathering in gatherings:
        pages = [
            p for s in gathering for side in (s.front, s.back) for p in (side.left, side.right)
        ]
        real = [page for page in pages if page is not None]
        row = GatheringRow(
            first, first + len(gathering) - 1, min(real), max(real), len(pages) - len(real)
        )
        rows.append(row)
        first += len(gathering)
    return rows


def _info(source: Pdf) -> dict[str, str]:
    """The source's title and author, those it has."""
    info = source.trailer.get("/Info")
    if not isinstance(info, Dictionary):
        return {}
    return {key: str(info[key]) for key in ("/Title", "/Author") if key in info}


def _copy_info(source: Pdf, target: Pdf) -> None:
    """Copy the title and author of the source, and nothing dated."""
    kept = _info(source)
    if kept:
        target.docinfo = target.make_indirect(
            Dictionary({key: String(value) for key, value in kept.items()})
        )
