"""Tests of the saddle-stitch booklet: the page order, and real imposed PDFs."""

from __future__ import annotations

import io
import math
from functools import cache

import pypdfium2 as pdfium
import pytest
import weasyprint
from pypdf import PdfReader, PdfWriter, Transformation
from pypdf.generic import RectangleObject

from chapbook.writers.booklet import Sheet, Side, impose, saddle_order

A5_WIDTH = 148 / 25.4 * 72
A5_HEIGHT = 210 / 25.4 * 72


def real_pages(sheets: list[Sheet]) -> list[int]:
    """Every non-blank page number printed on the sheets, in printing order."""
    sides = [side for sheet in sheets for side in (sheet.front, sheet.back)]
    return [page for side in sides for page in (side.left, side.right) if page is not None]


def read_folded(sheets: list[Sheet]) -> list[int | None]:
    """The pages in the order a reader meets them in the folded, stapled booklet.

    Print each sheet double-sided, flipping on the short edge, so the back's left half lies
    behind the front's right half. Stack the sheets fronts down, the first one at the bottom,
    and fold the stack in half so that the first sheet wraps the others. The right halves
    become the leaves of the first half of the booklet, outermost sheet first; each leaf shows
    its front-right side, then (turning it) its back-left. The left halves make the second
    half, innermost sheet first; each leaf shows its back-right, then its front-left.
    """
    first_half = [(sheet.front.right, sheet.back.left) for sheet in sheets]
    second_half = [(sheet.back.right, sheet.front.left) for sheet in reversed(sheets)]
    return [page for leaf in first_half + second_half for page in leaf]


@pytest.mark.parametrize("count", [1, 2, 3, 4, 5, 8, 17])
def test_saddle_order_places_every_page_once(count: int) -> None:
    sheets = saddle_order(count)
    assert len(sheets) == math.ceil(count / 4)
    assert sorted(real_pages(sheets)) == list(range(1, count + 1))


def test_saddle_order_of_eight_pages() -> None:
    assert saddle_order(8) == [
        Sheet(front=Side(8, 1), back=Side(2, 7)),
        Sheet(front=Side(6, 3), back=Side(4, 5)),
    ]


def test_saddle_order_pads_with_blanks_at_the_end() -> None:
    assert saddle_order(1) == [Sheet(front=Side(None, 1), back=Side(None, None))]
    assert saddle_order(5) == [
        Sheet(front=Side(None, 1), back=Side(2, None)),
        Sheet(front=Side(None, 3), back=Side(4, 5)),
    ]


@pytest.mark.parametrize("count", range(1, 41))
def test_folded_booklet_reads_in_order(count: int) -> None:
    pages = read_folded(saddle_order(count))
    blanks = -count % 4
    assert pages == [*range(1, count + 1), *[None] * blanks]


@pytest.mark.parametrize("count", [0, -3])
def test_saddle_order_needs_a_page(count: int) -> None:
    with pytest.raises(ValueError):
        saddle_order(count)


@cache
def numbered_pdf(count: int) -> bytes:
    """An A5 PDF whose page k shows only the number k, large and centred."""
    pages = "".join(f'<div class="page">{k}</div>' for k in range(1, count + 1))
    style = """
        @page { size: A5; margin: 20mm }
        body { margin: 0; font-family: DejaVu Sans }
        .page { font-size: 96pt; text-align: center; break-after: page }
        .page:last-child { break-after: auto }
    """
    head = f'<title>Numbers</title><meta name="author" content="A. Poet"><style>{style}</style>'
    html = f"<html><head>{head}</head><body>{pages}</body></html>"
    pdf: bytes = weasyprint.HTML(string=html).write_pdf()
    return pdf


def half_texts(pdf: bytes) -> list[tuple[str, str]]:
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


def char_boxes(pdf: bytes) -> list[list[tuple[float, float, float, float]]]:
    """The box (left, bottom, right, top) of every visible character on every page.

    Read with pdfium, which also reports the spaces it infers between separate runs of text.
    """
    document = pdfium.PdfDocument(pdf)
    try:
        pages = []
        for page in document:
            text = page.get_textpage()
            indices = range(text.count_chars())
            visible = [i for i in indices if not text.get_text_range(i, 1).isspace()]
            pages.append(sorted(text.get_charbox(i) for i in visible))
        return pages
    finally:
        document.close()


def flat(boxes: list[tuple[float, float, float, float]]) -> list[float]:
    return [value for box in boxes for value in box]


def expected_halves(count: int) -> list[tuple[str, str]]:
    def label(page: int | None) -> str:
        return "" if page is None else str(page)

    sides = [side for sheet in saddle_order(count) for side in (sheet.front, sheet.back)]
    return [(label(side.left), label(side.right)) for side in sides]


@pytest.mark.parametrize("count", [1, 4, 5, 8, 17])
def test_impose_makes_a4_landscape_sheets(count: int) -> None:
    source = numbered_pdf(count)
    assert len(PdfReader(io.BytesIO(source)).pages) == count

    reader = PdfReader(io.BytesIO(impose(source)))

    assert len(reader.pages) == 2 * math.ceil(count / 4)
    for page in reader.pages:
        box = page.mediabox
        assert box.left == pytest.approx(0, abs=0.5)
        assert box.bottom == pytest.approx(0, abs=0.5)
        assert box.width == pytest.approx(2 * A5_WIDTH, abs=0.5)
        assert box.height == pytest.approx(A5_HEIGHT, abs=0.5)


@pytest.mark.parametrize("count", [1, 4, 5, 8, 17])
def test_impose_puts_pages_in_saddle_order(count: int) -> None:
    assert half_texts(impose(numbered_pdf(count))) == expected_halves(count)


def test_impose_keeps_pages_at_full_size_in_their_half() -> None:
    source = numbered_pdf(8)
    source_boxes = char_boxes(source)
    imposed_boxes = char_boxes(impose(source))
    width = float(PdfReader(io.BytesIO(source)).pages[0].mediabox.width)

    sides = [side for sheet in saddle_order(8) for side in (sheet.front, sheet.back)]
    for side, boxes in zip(sides, imposed_boxes, strict=True):
        assert side.left is not None and side.right is not None
        expected = [
            (left + shift, bottom, right + shift, top)
            for page, shift in ((side.left, 0.0), (side.right, width))
            for left, bottom, right, top in source_boxes[page - 1]
        ]
        assert flat(boxes) == pytest.approx(flat(sorted(expected)), abs=0.01)


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


def test_impose_handles_boxes_away_from_the_origin() -> None:
    source = numbered_pdf(5)
    moved = shifted(source, 300, -120)
    assert PdfReader(io.BytesIO(moved)).pages[0].mediabox.left == pytest.approx(300)

    imposed = impose(moved)

    assert half_texts(imposed) == expected_halves(5)
    expected = char_boxes(impose(source))
    for boxes, unmoved in zip(char_boxes(imposed), expected, strict=True):
        assert flat(boxes) == pytest.approx(flat(unmoved), abs=0.01)
    for page in PdfReader(io.BytesIO(imposed)).pages:
        assert (page.mediabox.left, page.mediabox.bottom) == (0, 0)


def test_impose_uses_the_trim_box_and_clips_the_bleed() -> None:
    style = "@page { size: A5; bleed: 5mm; margin: 20mm; background: black }"
    source = weasyprint.HTML(string=f"<style>{style}</style><p>1</p>").write_pdf()
    page = PdfReader(io.BytesIO(source)).pages[0]
    assert page.mediabox.width > page.trimbox.width + 20

    imposed = impose(source)

    front = PdfReader(io.BytesIO(imposed)).pages[0]
    assert front.mediabox.width == pytest.approx(2 * A5_WIDTH, abs=0.5)
    assert front.mediabox.height == pytest.approx(A5_HEIGHT, abs=0.5)
    document = pdfium.PdfDocument(imposed)
    try:
        image = document[0].render(scale=1).to_pil().convert("L")
    finally:
        document.close()
    middle, row = round(A5_WIDTH), round(A5_HEIGHT / 2)
    # The blank left half stays white right up to the fold; the black page fills its half.
    assert image.getpixel((middle - 3, row)) == 255
    assert image.getpixel((middle + 3, row)) == 0
    assert image.getpixel((image.width - 2, 1)) == 0


def test_impose_is_reproducible() -> None:
    source = numbered_pdf(17)
    assert impose(source) == impose(source)


def test_impose_copies_title_and_stays_small() -> None:
    source = numbered_pdf(17)
    imposed = impose(source)
    metadata = PdfReader(io.BytesIO(imposed)).metadata
    assert metadata is not None
    assert metadata.title == "Numbers"
    assert metadata.author == "A. Poet"
    assert "/CreationDate" not in metadata
    assert "/ModDate" not in metadata
    assert len(imposed) < 2 * len(source)


def test_impose_shares_fonts_between_sheets() -> None:
    words = (
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
    )
    paragraphs = "".join(
        "<p>" + " ".join(words[(i + j) % len(words)] for j in range(150)) + "</p>"
        for i in range(40)
    )
    style = "@page { size: A5; margin: 20mm } body { font-family: DejaVu Serif }"
    source = weasyprint.HTML(string=f"<style>{style}</style>{paragraphs}").write_pdf()
    assert len(PdfReader(io.BytesIO(source)).pages) > 12

    imposed = impose(source)

    assert len(imposed) < 1.5 * len(source)
    fonts = {
        font.idnum
        for page in PdfReader(io.BytesIO(imposed)).pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert len(fonts) == 1
