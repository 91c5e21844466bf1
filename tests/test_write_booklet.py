"""Tests of the booklet: the page order, signatures and padding, and real imposed PDFs read
back page number by page number (sheets, duplex modes, manual duplex, creep, marks)."""

from __future__ import annotations

import io
import math
from functools import cache
from typing import Any, TypeVar

import pypdfium2 as pdfium
import pytest
import weasyprint
from conftest import MM
from PIL import Image, ImageChops
from pypdf import PdfReader, PdfWriter, Transformation
from pypdf.generic import ArrayObject, DecodedStreamObject, NameObject, RectangleObject

from chapbook.config.values import TRIM_PRESETS
from chapbook.diagnostics import BookErrors
from chapbook.model.book import SHEETS, BookletSettings, PageSize
from chapbook.write.booklet import (
    Sheet,
    Side,
    default_sheet,
    impose_booklet,
    saddle_order,
    signatures,
)

A4_WIDTH, A4_HEIGHT = 297 * MM, 210 * MM
A5_WIDTH = 148 * MM
WHITE = 0.0572
FLAT = BookletSettings(creep_mm=0)
"""Settings without creep, where a test checks exact positions."""

Label = str
"""A half-sheet as read back: its page number, or '' for a blank."""
T = TypeVar("T")


def real_pages(sheets: list[Sheet]) -> list[int]:
    """Every non-blank page number printed on the sheets, in printing order."""
    sides = [side for sheet in sheets for side in (sheet.front, sheet.back)]
    return [page for side in sides for page in (side.left, side.right) if page is not None]


def read_folded(sheets: list[tuple[tuple[T, T], tuple[T, T]]]) -> list[T]:
    """The halves of one gathering's sheets ((front left, right), (back left, right)) in the
    order a reader meets them in the folded, stapled gathering.

    Print each sheet double-sided so that the back's left half lies behind the front's right
    half (turning the sheet about its short edge). Stack the sheets fronts down, the first one
    at the bottom, and fold the stack in half so that the first sheet wraps the others. The
    right halves become the leaves of the first half, outermost sheet first; each leaf shows
    its front-right side, then (turning it) its back-left. The left halves make the second
    half, innermost sheet first; each leaf shows its back-right, then its front-left.
    """
    first_half = [page for front, back in sheets for page in (front[1], back[0])]
    second_half = [page for front, back in reversed(sheets) for page in (back[1], front[0])]
    return first_half + second_half


def as_pairs(sheets: list[Sheet]) -> list[tuple[tuple[int | None, int | None], ...]]:
    return [((s.front.left, s.front.right), (s.back.left, s.back.right)) for s in sheets]


def expected_reading(count: int) -> list[int | None]:
    """Pages 1 to count, the blanks just before the last page (after it for one page)."""
    blanks: list[int | None] = [None] * (-count % 4)
    if count == 1:
        return [1, *blanks]
    return [*range(1, count), *blanks, count]


# The pure page order


@pytest.mark.parametrize("count", [1, 2, 3, 4, 5, 8, 17, 33, 100])
def test_saddle_order_places_every_page_once(count: int) -> None:
    sheets = saddle_order(count)
    assert len(sheets) == math.ceil(count / 4)
    assert sorted(real_pages(sheets)) == list(range(1, count + 1))


def test_saddle_order_of_eight_pages() -> None:
    assert saddle_order(8) == [
        Sheet(front=Side(8, 1), back=Side(2, 7)),
        Sheet(front=Side(6, 3), back=Side(4, 5)),
    ]


def test_blanks_go_before_the_back_cover() -> None:
    assert saddle_order(2) == [Sheet(front=Side(2, 1), back=Side(None, None))]
    assert saddle_order(3) == [Sheet(front=Side(3, 1), back=Side(2, None))]
    assert saddle_order(5) == [
        Sheet(front=Side(5, 1), back=Side(2, None)),
        Sheet(front=Side(None, 3), back=Side(4, None)),
    ]


def test_one_page_is_a_front_cover_alone() -> None:
    assert saddle_order(1) == [Sheet(front=Side(None, 1), back=Side(None, None))]


@pytest.mark.parametrize("count", range(1, 41))
def test_folded_booklet_reads_in_order(count: int) -> None:
    assert read_folded(as_pairs(saddle_order(count))) == expected_reading(count)


@pytest.mark.parametrize(
    ("count", "signature", "sheets"),
    [
        (40, None, [10]),
        (41, None, [4, 4, 3]),
        (100, None, [4] * 6 + [1]),
        (33, 16, [4, 4, 1]),
        (33, 8, [2, 2, 2, 2, 1]),
        (12, 4, [1, 1, 1]),
    ],
)
def test_signatures_fold_one_by_one_and_read_in_order(
    count: int, signature: int | None, sheets: list[int]
) -> None:
    gatherings = signatures(count, signature)
    assert [len(gathering) for gathering in gatherings] == sheets
    pages = [page for gathering in gatherings for page in read_folded(as_pairs(gathering))]
    assert pages == expected_reading(count)
    assert saddle_order(count, signature) == [sheet for g in gatherings for sheet in g]


@pytest.mark.parametrize(("count", "signature"), [(0, None), (-3, None), (8, 6), (8, 0)])
def test_saddle_order_needs_a_page_and_whole_sheets(count: int, signature: int | None) -> None:
    with pytest.raises(ValueError):
        saddle_order(count, signature)


# Real PDFs, read back


@cache
def numbered_pdf(count: int, width: float = 148, height: float = 210) -> bytes:
    """A PDF of `width` x `height` mm pages, page k showing only the number k, big and centred."""
    pages = "".join(f'<div class="page">{k}</div>' for k in range(1, count + 1))
    line = height - 2
    style = f"""
        @page {{ size: {width}mm {height}mm; margin: 0 }}
        body {{ margin: 0; font-family: DejaVu Sans }}
        .page {{ font-size: 72pt; height: {line}mm; line-height: {line}mm; text-align: center;
                 break-after: page }}
        .page:last-child {{ break-after: auto }}
    """
    head = f'<title>Numbers</title><meta name="author" content="A. Poet"><style>{style}</style>'
    pdf: bytes = weasyprint.HTML(string=f"<html><head>{head}</head><body>{pages}").write_pdf()
    assert len(PdfReader(io.BytesIO(pdf)).pages) == count
    return pdf


def booklet(count: int, **settings: Any) -> bytes:
    return impose_booklet(numbered_pdf(count), BookletSettings(**settings), WHITE)["booklet"]


def half_texts(pdf: bytes) -> list[tuple[Label, Label]]:
    """The stripped text in the left and right halves of each page, read with pdfium."""
    document = pdfium.PdfDocument(pdf)
    try:
        halves = []
        for page in document:
            width, height = page.get_size()
            text = page.get_textpage()
            left = text.get_text_bounded(0, 0, width / 2, height).strip()
            right = text.get_text_bounded(width / 2, 0, width, height).strip()
            halves.append((left, right))
        return halves
    finally:
        document.close()


def visible_chars(page: pdfium.PdfPage) -> list[tuple[tuple[float, float, float, float], float]]:
    """The box (left, bottom, right, top) and angle (radians) of every visible character."""
    text = page.get_textpage()
    indices = [i for i in range(text.count_chars()) if not text.get_text_range(i, 1).isspace()]
    return [(text.get_charbox(i), pdfium.raw.FPDFText_GetCharAngle(text.raw, i)) for i in indices]


def char_boxes(pdf: bytes) -> list[list[tuple[float, float, float, float]]]:
    """The sorted box of every visible character on every page."""
    document = pdfium.PdfDocument(pdf)
    try:
        return [sorted(box for box, _ in visible_chars(page)) for page in document]
    finally:
        document.close()


def angles(pdf: bytes) -> list[set[float]]:
    """The angles of the characters on each page, in degrees, rounded."""
    document = pdfium.PdfDocument(pdf)
    try:
        return [{round(math.degrees(a)) % 360 for _, a in visible_chars(p)} for p in document]
    finally:
        document.close()


def flat(boxes: list[tuple[float, float, float, float]]) -> list[float]:
    return [value for box in boxes for value in box]


def label(page: int | None) -> Label:
    return "" if page is None else str(page)


def as_read(pdf: bytes, turned_backs: bool) -> list[tuple[tuple[Label, Label], ...]]:
    """The sheets' halves as a reader holding them sees them: a back printed turned 180° for
    a long-edge flip shows its right half on the reader's left, and the other way round."""
    sides = half_texts(pdf)
    fronts, backs = sides[0::2], sides[1::2]
    if turned_backs:
        backs = [(right, left) for left, right in backs]
    return list(zip(fronts, backs, strict=True))


ORDERS = [
    (1, None, [1]),
    (2, None, [1]),
    (3, None, [1]),
    (4, None, [1]),
    (5, None, [2]),
    (8, None, [2]),
    (17, None, [5]),
    (33, None, [9]),
    (33, 16, [4, 4, 1]),
    (33, 8, [2, 2, 2, 2, 1]),
    (100, None, [4] * 6 + [1]),
]


@pytest.mark.parametrize("duplex", ["short-edge", "long-edge"])
@pytest.mark.parametrize(("count", "signature", "sheets"), ORDERS)
def test_booklet_reads_in_order_when_folded(
    count: int, signature: int | None, sheets: list[int], duplex: str
) -> None:
    imposed = booklet(count, signature=signature, duplex=duplex)
    turned = duplex == "long-edge"
    turns = angles(imposed)
    assert all(turn <= {0} for turn in turns[0::2])
    assert all(turn <= ({180} if turned else {0}) for turn in turns[1::2])

    printed = as_read(imposed, turned)
    assert len(printed) == sum(sheets)
    pages, start = [], 0
    for size in sheets:
        pages += read_folded(printed[start : start + size])
        start += size
    assert pages == [label(page) for page in expected_reading(count)]


@pytest.mark.parametrize(("count", "signature", "sheets"), ORDERS[1:])
def test_last_page_is_the_outside_back(
    count: int, signature: int | None, sheets: list[int]
) -> None:
    fronts = half_texts(booklet(count, signature=signature))[0::2]
    last_gathering = fronts[sum(sheets[:-1])]
    assert last_gathering[0] == str(count)


def test_one_page_booklet_is_page_one_on_the_outside_front() -> None:
    assert half_texts(booklet(1)) == [("", "1"), ("", "")]


def test_long_edge_backs_are_the_short_edge_backs_turned() -> None:
    short = render(booklet(8, duplex="short-edge"), scale=0.5)
    long = render(booklet(8, duplex="long-edge"), scale=0.5)
    assert all(difference(a, b) == 0 for a, b in zip(short[0::2], long[0::2], strict=True))
    for a, b in zip(short[1::2], long[1::2], strict=True):
        assert difference(a.rotate(180), b) < difference(a, b) / 5


def render(pdf: bytes, scale: float) -> list[Image.Image]:
    document = pdfium.PdfDocument(pdf)
    try:
        return [page.render(scale=scale).to_pil().convert("L") for page in document]
    finally:
        document.close()


def difference(a: Image.Image, b: Image.Image) -> float:
    """The mean difference of two greyscale images, 0 to 255."""
    histogram = ImageChops.difference(a, b).histogram()
    return sum(value * n for value, n in enumerate(histogram)) / (a.width * a.height)


def test_manual_duplex_writes_fronts_backs_in_reverse_and_a_howto() -> None:
    source = numbered_pdf(33)
    duplex = half_texts(impose_booklet(source, BookletSettings(signature=16), WHITE)["booklet"])
    files = impose_booklet(source, BookletSettings(signature=16, duplex="manual"), WHITE)

    assert set(files) == {"booklet-fronts", "booklet-backs", "booklet-howto"}
    assert half_texts(files["booklet-fronts"]) == duplex[0::2]
    assert half_texts(files["booklet-backs"]) == duplex[1::2][::-1]
    assert all(turn <= {0} for turn in angles(files["booklet-backs"]))
    howto = pdf_text(files["booklet-howto"])
    assert len(howto) == 1
    for words in ("9 sheets of A4", "booklet-fronts.pdf", "booklet-backs.pdf", "the last sheet"):
        assert words in howto[0]
    assert "Gathering Sheets Pages 1 1–4 1–16 2 5–8 17–32 3 9 33 (3 blanks" in howto[0]


def test_howto_of_one_gathering_says_to_staple() -> None:
    files = impose_booklet(numbered_pdf(8), BookletSettings(duplex="manual"), WHITE)
    howto = pdf_text(files["booklet-howto"])[0]
    assert "2 sheets of A4 paper (210 x 297 mm)" in howto
    assert "staple through the fold" in howto


def pdf_text(pdf: bytes) -> list[str]:
    document = pdfium.PdfDocument(pdf)
    try:
        return [" ".join(page.get_textpage().get_text_range().split()) for page in document]
    finally:
        document.close()


# Sheets and scale

DIGEST, TRADE = TRIM_PRESETS["digest"], TRIM_PRESETS["trade"]


@pytest.mark.parametrize(
    ("trim", "sheet"),
    [
        (TRIM_PRESETS["a5"], "A4"),
        (TRIM_PRESETS["a6"], "A5"),
        (DIGEST, "letter"),
        (TRADE, "tabloid"),
        (TRIM_PRESETS["b-format"], "A4"),
        (TRIM_PRESETS["pocket"], "letter"),
        (TRIM_PRESETS["letter"], "tabloid"),
    ],
)
def test_default_sheet_is_the_smallest_of_the_trims_family(trim: PageSize, sheet: str) -> None:
    assert default_sheet(trim).name == sheet


@pytest.mark.parametrize(
    ("trim", "sheet"),
    [
        (TRIM_PRESETS["a5"], "a4"),
        (TRIM_PRESETS["a6"], "a5"),
        (DIGEST, "letter"),
        (TRADE, "tabloid"),
    ],
)
def test_booklet_sheets_are_the_default_sheet_laid_landscape(trim: PageSize, sheet: str) -> None:
    source = numbered_pdf(4, trim.width_mm, trim.height_mm)
    imposed = impose_booklet(source, BookletSettings(), WHITE)["booklet"]
    size = SHEETS[sheet]
    for page in PdfReader(io.BytesIO(imposed)).pages:
        assert float(page.mediabox.width) == pytest.approx(size.height_mm * MM, abs=0.01)
        assert float(page.mediabox.height) == pytest.approx(size.width_mm * MM, abs=0.01)
    assert half_texts(imposed) == [("4", "1"), ("2", "3")]


def test_a_trim_too_big_for_the_sheet_is_an_error() -> None:
    with pytest.raises(BookErrors) as raised:
        booklet(4, sheet=SHEETS["a5"])
    assert str(raised.value) == (
        "book.toml: [booklet] sheet A5 (148 x 210 mm) cannot hold two 148 x 210 mm pages "
        "side by side; choose a larger sheet or set fit = true"
    )


def test_no_standard_sheet_is_an_error() -> None:
    with pytest.raises(
        BookErrors, match=r"no standard sheet \(A3, .*\) holds two 300 x 400 mm pages"
    ):
        default_sheet(PageSize("300 x 400 mm", 300, 400))


def test_fit_scales_the_pages_down_to_the_sheet_centred_at_the_fold() -> None:
    full = char_boxes(booklet(4, creep_mm=0))[0]
    fitted = booklet(4, creep_mm=0, sheet=SHEETS["a5"], fit=True)
    sheet = PdfReader(io.BytesIO(fitted)).pages[0].mediabox
    assert (float(sheet.width), float(sheet.height)) == pytest.approx((210 * MM, 148 * MM))
    scale = min(210 / 296, 148 / 210)

    def scaled(x: float, y: float) -> tuple[float, float]:
        """Where a point of the A4 sheet lands on the A5 sheet, both centred."""
        return (105 * MM + (x - A4_WIDTH / 2) * scale, 74 * MM + (y - A4_HEIGHT / 2) * scale)

    expected = [(*scaled(left, bottom), *scaled(right, top)) for left, bottom, right, top in full]
    assert flat(char_boxes(fitted)[0]) == pytest.approx(flat(expected), abs=0.05)
    assert half_texts(fitted) == [("4", "1"), ("2", "3")]


def test_pages_keep_their_size_and_meet_at_the_fold() -> None:
    source = numbered_pdf(8)
    source_boxes = char_boxes(source)
    imposed_boxes = char_boxes(impose_booklet(source, FLAT, WHITE)["booklet"])
    left_x = A4_WIDTH / 2 - A5_WIDTH

    sides = [side for sheet in saddle_order(8) for side in (sheet.front, sheet.back)]
    for side, boxes in zip(sides, imposed_boxes, strict=True):
        assert side.left is not None and side.right is not None
        expected = [
            (left + shift, bottom, right + shift, top)
            for page, shift in ((side.left, left_x), (side.right, A4_WIDTH / 2))
            for left, bottom, right, top in source_boxes[page - 1]
        ]
        assert flat(boxes) == pytest.approx(flat(sorted(expected)), abs=0.01)


# Creep


def mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def distances_to_fold(pdf: bytes) -> list[tuple[float | None, float | None]]:
    """For each sheet side, how far the page number's centre in each half is from the fold
    (None for a blank half)."""
    document = pdfium.PdfDocument(pdf)
    try:
        sides = []
        for page in document:
            fold = page.get_size()[0] / 2
            centres = [(box[0] + box[2]) / 2 for box, _ in visible_chars(page)]
            left = [fold - x for x in centres if x < fold]
            right = [x - fold for x in centres if x > fold]
            sides.append((mean(left), mean(right)))
        return sides
    finally:
        document.close()


@pytest.mark.parametrize("duplex", ["short-edge", "long-edge"])
def test_creep_moves_inner_pages_toward_the_fold_linearly(duplex: str) -> None:
    flat_sides = distances_to_fold(booklet(32, duplex=duplex, creep_mm=0))
    crept = distances_to_fold(booklet(32, duplex=duplex, creep_mm=2.1))
    for index, (before, after) in enumerate(zip(flat_sides, crept, strict=True)):
        shift = 0.3 * MM * (index // 2)
        assert None not in before + after
        assert after == pytest.approx((before[0] - shift, before[1] - shift), abs=0.01)  # type: ignore[operator]


@pytest.mark.parametrize(
    ("count", "signature", "depths"),
    [(32, None, range(8)), (33, 16, [0, 1, 2, 3, 0, 1, 2, 3, 0])],
)
def test_default_creep_is_the_paper_thickness_per_sheet(
    count: int, signature: int | None, depths: list[int]
) -> None:
    paper = 0.0635
    source = numbered_pdf(count)
    settings = BookletSettings(signature=signature)
    flat_sides = distances_to_fold(impose_booklet(source, settings, 0)["booklet"])
    crept = distances_to_fold(impose_booklet(source, settings, paper)["booklet"])
    fronts = zip(flat_sides[0::2], crept[0::2], strict=True)
    for depth, (before, after) in zip(depths, fronts, strict=True):
        shift = 2 * paper * depth * MM
        # 33's last front shows only its back cover, on the left.
        assert before[0] is not None and after[0] is not None
        assert after[0] == pytest.approx(before[0] - shift, abs=0.01)


# Marks


def spread_box(
    width_mm: float, height_mm: float, sheet: PageSize, scale: float
) -> tuple[int, int, int, int]:
    """The two pages' trim on the rendered sheet, in pixels (left, top, right, bottom)."""
    sheet_w, sheet_h = sheet.height_mm * MM * scale, sheet.width_mm * MM * scale
    page_w, page_h = width_mm * MM * scale, height_mm * MM * scale
    return (
        math.floor(sheet_w / 2 - page_w),
        math.floor((sheet_h - page_h) / 2),
        math.ceil(sheet_w / 2 + page_w),
        math.ceil((sheet_h + page_h) / 2),
    )


def test_marks_are_drawn_outside_the_trim() -> None:
    source = numbered_pdf(4, TRADE.width_mm, TRADE.height_mm)
    plain, marked = (
        render(impose_booklet(source, BookletSettings(marks=marks), WHITE)["booklet"], 1)[0]
        for marks in (False, True)
    )
    marks = ImageChops.difference(plain, marked).point(lambda value: 255 if value > 40 else 0)
    left, top, right, bottom = spread_box(TRADE.width_mm, TRADE.height_mm, SHEETS["tabloid"], 1)
    assert marks.crop((left, top, right, bottom)).getbbox() is None
    middle = (left + right) // 2
    regions = {
        "fold, top": (middle - 2, 0, middle + 3, top),
        "fold, bottom": (middle - 2, bottom, middle + 3, marks.height),
        "top left": (0, top - 2, left, top + 3),
        "top left, up": (left - 2, 0, left + 3, top),
        "bottom right": (right, bottom - 3, marks.width, bottom + 2),
        "bottom right, down": (right - 3, bottom, right + 2, marks.height),
    }
    for name, region in regions.items():
        assert marks.crop(region).getbbox() is not None, name


def test_marks_are_left_out_where_the_sheet_has_no_room() -> None:
    plain = render(booklet(4), 1)[0]
    marked = render(booklet(4, marks=True), 1)[0]
    assert difference(plain, marked) == 0


# The PDF itself


def shifted(pdf: bytes, dx: float, dy: float) -> bytes:
    """The same PDF with every page's content and boxes moved by (dx, dy)."""
    writer = PdfWriter(clone_from=io.BytesIO(pdf))
    for page in writer.pages:
        box = page.mediabox
        moved = RectangleObject((box.left + dx, box.bottom + dy, box.right + dx, box.top + dy))
        page.add_transformation(Transformation().translate(dx, dy))
        page.mediabox = moved
        page.cropbox = moved
        page.trimbox = moved
        page.bleedbox = moved
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_booklet_handles_boxes_away_from_the_origin() -> None:
    source = numbered_pdf(5)
    moved = shifted(source, 300, -120)
    assert PdfReader(io.BytesIO(moved)).pages[0].mediabox.left == pytest.approx(300)

    imposed = impose_booklet(moved, BookletSettings(), WHITE)["booklet"]

    expected = impose_booklet(source, BookletSettings(), WHITE)["booklet"]
    assert half_texts(imposed) == half_texts(expected)
    for boxes, unmoved in zip(char_boxes(imposed), char_boxes(expected), strict=True):
        assert flat(boxes) == pytest.approx(flat(unmoved), abs=0.01)
    for page in PdfReader(io.BytesIO(imposed)).pages:
        assert (page.mediabox.left, page.mediabox.bottom) == (0, 0)


def test_booklet_uses_the_trim_box_and_clips_the_bleed() -> None:
    style = "@page { size: A5; bleed: 5mm; margin: 20mm; background: black }"
    source = weasyprint.HTML(string=f"<style>{style}</style><p>1</p>").write_pdf()
    page = PdfReader(io.BytesIO(source)).pages[0]
    assert page.mediabox.width > page.trimbox.width + 20

    image = render(impose_booklet(source, FLAT, WHITE)["booklet"], 1)[0]

    assert (image.width, image.height) == pytest.approx((A4_WIDTH, A4_HEIGHT), abs=1)
    middle, row = round(A4_WIDTH / 2), round(A4_HEIGHT / 2)
    # The blank left half stays white right up to the fold; the black page fills its half.
    assert image.getpixel((middle - 3, row)) == 255
    assert image.getpixel((middle + 3, row)) == 0
    assert image.getpixel((image.width - 2, 1)) == 0


def test_booklet_is_reproducible() -> None:
    source = numbered_pdf(17)
    for duplex in ("short-edge", "manual"):
        settings = BookletSettings(duplex=duplex, marks=True)
        assert impose_booklet(source, settings, WHITE) == impose_booklet(source, settings, WHITE)


def test_booklet_copies_title_and_stays_small() -> None:
    source = numbered_pdf(17)
    imposed = booklet(17)
    metadata = PdfReader(io.BytesIO(imposed)).metadata
    assert metadata is not None
    assert metadata.title == "Numbers"
    assert metadata.author == "A. Poet"
    assert "/CreationDate" not in metadata
    assert "/ModDate" not in metadata
    assert len(imposed) < 2 * len(source)


def test_booklet_shares_fonts_between_sheets() -> None:
    words = [
        "small",
        "books",
        "of",
        "verse",
        "fold",
        "once",
        "and",
        "staple",
        "in",
        "the",
        "middle",
    ]
    paragraphs = "".join(
        "<p>" + " ".join(words[(i + j) % len(words)] for j in range(150)) + "</p>"
        for i in range(40)
    )
    style = "@page { size: A5; margin: 20mm } body { font-family: DejaVu Serif }"
    source = weasyprint.HTML(string=f"<style>{style}</style>{paragraphs}").write_pdf()
    assert len(PdfReader(io.BytesIO(source)).pages) > 12

    imposed = impose_booklet(source, BookletSettings(), WHITE)["booklet"]

    assert len(imposed) < 1.5 * len(source)
    fonts = {
        font.idnum
        for page in PdfReader(io.BytesIO(imposed)).pages
        for form in page["/Resources"]["/XObject"].values()
        for font in form["/Resources"]["/Font"].values()
    }
    assert len(fonts) == 1


def test_pages_are_placed_as_forms_with_their_content_untouched() -> None:
    source = numbered_pdf(4)
    imposed = PdfReader(io.BytesIO(impose_booklet(source, FLAT, WHITE)["booklet"]))
    pages = PdfReader(io.BytesIO(source)).pages

    sheet = imposed.pages[0]
    assert sheet.get_contents() is not None
    drawn = sheet.get_contents().get_data().decode()  # type: ignore[union-attr]
    assert drawn.count(" Do Q") == 2
    forms = sheet["/Resources"]["/XObject"]
    for name, number in (("/P0", 4), ("/P1", 1)):
        form, page = forms[name], pages[number - 1]
        assert form["/Subtype"] == "/Form"
        assert form.get_data() == page.get_contents().get_data()  # type: ignore[union-attr]
        assert [float(v) for v in form["/BBox"]] == [float(v) for v in page.trimbox]


def test_pages_of_several_content_streams_are_joined() -> None:
    source = numbered_pdf(4)
    writer = PdfWriter(clone_from=io.BytesIO(source))
    for page in writer.pages:
        data = page.get_contents().get_data()  # type: ignore[union-attr]
        middle = data.index(b"\n", len(data) // 2)
        parts = []
        for part in (data[:middle], data[middle + 1 :]):
            stream = DecodedStreamObject()
            stream.set_data(part)
            parts.append(writer._add_object(stream))
        page[NameObject("/Contents")] = ArrayObject(parts)
    out = io.BytesIO()
    writer.write(out)

    imposed = impose_booklet(out.getvalue(), FLAT, WHITE)["booklet"]

    expected = impose_booklet(source, FLAT, WHITE)["booklet"]
    assert half_texts(imposed) == [("4", "1"), ("2", "3")]
    assert char_boxes(imposed) == char_boxes(expected)


def test_links_are_dropped() -> None:
    pages = "".join(
        f'<p style="break-after: page"><a href="#p{k}" id="p{k}">{k}</a></p>' for k in range(4)
    )
    source = weasyprint.HTML(string=f"<style>@page {{ size: A5 }}</style>{pages}").write_pdf()
    assert any("/Annots" in page for page in PdfReader(io.BytesIO(source)).pages)

    imposed = PdfReader(io.BytesIO(impose_booklet(source, FLAT, WHITE)["booklet"]))

    assert not any("/Annots" in page for page in imposed.pages)
