"""Nothing clipped, nothing lost in print (issue 15, findings 3, 7 and 8): sizes the author
gave are honoured, an image in a sentence stays in its line, a wide table is fitted to the
measure (one that can't be is a warning at its line), and preflight finds anything drawn
outside the trim box that is not bleed art. PDFs are read back with PDFium."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pytest

from chapbook.diagnostics import Diagnostic
from chapbook.pipeline import build
from chapbook.read.manuscript import read_book
from chapbook.verify.clipping import outside_trim
from chapbook.verify.preflight import Finding, preflight
from chapbook.verify.tablefit import measure_mm

ROOT = Path(__file__).resolve().parent.parent
BOOKS = "tests/books"
MM = 72 / 25.4


@pytest.fixture(autouse=True)
def from_the_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def printed(book: str, out: Path) -> tuple[Path, list[str]]:
    """The book's print PDF and the warnings of its build."""
    warnings: list[Diagnostic] = []
    (output,) = build(Path(BOOKS) / book, out, ["pdf"], warn=warnings.append)
    return output.path, [str(warning) for warning in warnings]


def image_boxes(pdf: Path) -> list[tuple[int, tuple[float, float, float, float]]]:
    """Each image drawn: its page (from 1) and its box in points."""
    document = pdfium.PdfDocument(pdf.read_bytes())
    try:
        return [
            (number, tuple(image.get_bounds()))
            for number, page in enumerate(document, 1)
            for image in page.get_objects([pdfium.raw.FPDF_PAGEOBJ_IMAGE])
        ]
    finally:
        document.close()


def test_sizes_the_author_gave_are_honoured_in_print(tmp_path: Path) -> None:
    pdf, warnings = printed("image-sizes", tmp_path)
    measure = measure_mm(read_book(Path(BOOKS) / "image-sizes"))
    widths = [(box[2] - box[0]) / MM for _, box in image_boxes(pdf)]
    expected = [measure / 2, measure * 0.4, 300 * 0.75 / MM, 80, measure / 2]
    assert widths == pytest.approx(expected, abs=0.5)
    assert warnings == []


def char_boxes(page: pdfium.PdfPage, text: str) -> list[tuple[float, float, float, float]]:
    """The boxes of the characters of the first `text` on the page."""
    textpage = page.get_textpage()
    searcher = textpage.search(text)
    found = searcher.get_next()
    assert found is not None, text
    start, count = found
    return [textpage.get_charbox(index) for index in range(start, start + count)]


def test_an_image_in_a_sentence_stays_in_its_line_scaled_to_it(tmp_path: Path) -> None:
    pdf, _ = printed("inline-images", tmp_path)
    (sun_page, sun), (map_page, harbour) = image_boxes(pdf)
    assert sun_page == map_page
    assert sun[3] - sun[1] <= 1.25 * 11  # no taller than the line's type
    document = pdfium.PdfDocument(pdf.read_bytes())
    try:
        page = document[sun_page - 1]
        before, after = char_boxes(page, "When the sun"), char_boxes(page, "shows over")
    finally:
        document.close()
    baseline = before[0][1]
    assert abs(after[0][1] - baseline) < 1  # one line, the image between its words
    assert before[-1][2] <= sun[0] and sun[2] <= after[0][0]
    assert sun[1] < before[0][3] and before[0][1] < sun[3]  # within the line's height
    assert harbour[1] < baseline  # the image alone in its paragraph: a block below it
    measure = measure_mm(read_book(Path(BOOKS) / "inline-images"))
    assert (harbour[2] - harbour[0]) / MM == pytest.approx(measure, abs=0.5)


def test_a_table_wider_than_the_measure_is_fitted_to_it(tmp_path: Path) -> None:
    pdf, warnings = printed("wide-table", tmp_path)
    assert warnings == []
    data = pdf.read_bytes()
    assert outside_trim(data) == []
    document = pdfium.PdfDocument(data)
    try:
        page = next(p for p in document if "1398" in p.get_textpage().get_text_range())
        text = page.get_textpage().get_text_range()
        width = page.get_width()
        left, right = min(b[0] for b in char_boxes(page, "1398")), char_boxes(page, "1805")[-1][2]
    finally:
        document.close()
    for number in ("1398", "1472", "1546", "1620", "1694", "1768", "1805"):  # every column
        assert number in text.split()
    measure = measure_mm(read_book(Path(BOOKS) / "wide-table")) * MM
    assert right - left < measure and left > 0 and right < width


def test_a_table_no_page_can_hold_is_a_warning_at_its_line(tmp_path: Path) -> None:
    pdf, warnings = printed("huge-table", tmp_path)
    assert warnings == [
        f"{BOOKS}/huge-table/chapters/01-readings.md:5: warning: a table of 2000 columns can't "
        "be printed legibly: at most 32 fit the 114 mm measure; split it, or turn it so that "
        "its rows are columns"
    ]
    assert outside_trim(pdf.read_bytes()) == []  # squeezed, not cut off


# Preflight: nothing drawn outside the trim box but bleed art


def page_pdf(content: bytes, bleed: float = 0, *, form: bool = False) -> bytes:
    """A one-page PDF, 200 x 300 pt trimmed, with `bleed` pt of bleed and 20 pt for marks
    beyond it when there is a bleed, drawing `content` (through a Form XObject, scaled by
    2 from its corner, if `form`)."""
    pdf = pikepdf.new()
    slug = bleed + 20 if bleed else 0
    pdf.add_blank_page(page_size=(200 + 2 * slug, 300 + 2 * slug))
    page = pdf.pages[0]
    page.TrimBox = [slug, slug, slug + 200, slug + 300]
    page.BleedBox = [slug - bleed, slug - bleed, slug + 200 + bleed, slug + 300 + bleed]
    font = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica
        )
    )
    fonts = pikepdf.Dictionary(F1=font)
    if form:
        inner = pikepdf.Stream(pdf, content)
        inner.Type, inner.Subtype = pikepdf.Name.XObject, pikepdf.Name.Form
        inner.BBox, inner.Resources = [0, 0, 1000, 1000], pikepdf.Dictionary(Font=fonts)
        xobjects = pikepdf.Dictionary(Fm1=pdf.make_indirect(inner))
        page.Resources = pikepdf.Dictionary(Font=fonts, XObject=xobjects)
        content = f"q 2 0 0 2 {slug} {slug} cm /Fm1 Do Q".encode()
    else:
        page.Resources = pikepdf.Dictionary(Font=fonts)
    page.Contents = pdf.make_stream(content)
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def text_at(x: float, y: float) -> bytes:
    return f"BT /F1 12 Tf {x} {y} Td (Harbour) Tj ET".encode()


def test_text_past_the_trim_is_cut_off() -> None:
    assert outside_trim(page_pdf(text_at(20, 150))) == []
    assert outside_trim(page_pdf(text_at(170, 150))) == [
        "text outside the trim box (cut off when trimmed) on page 1: up to 4.7 mm past the "
        "right edge"
    ]


def test_a_drawing_across_the_trim_is_bleed_art_only_with_a_bleed() -> None:
    rule = b"0 0 0 RG 1 w 150 100 m 260 100 l S"
    assert outside_trim(page_pdf(rule)) == [
        "rules or shapes outside the trim box (cut off when trimmed) on page 1: up to 21.5 mm "
        "past the right edge"
    ]
    art = b"0.2 0.4 0.6 rg 20 20 220 100 re f"  # the page's corner, into its 9 pt bleed
    marks = b"0 0 0 RG 0.25 w 0 29 m 15 29 l S 29 0 m 29 15 l S"  # in the slug: crop marks
    assert outside_trim(page_pdf(art + b"\n" + marks, bleed=9)) == []
    assert outside_trim(page_pdf(art + b"\n" + text_at(222, 100), bleed=9)) != []


def test_what_a_form_draws_is_placed_as_the_form_is() -> None:
    assert outside_trim(page_pdf(text_at(10, 10), form=True)) == []
    assert outside_trim(page_pdf(text_at(80, 10), form=True)) == [
        "text outside the trim box (cut off when trimmed) on page 1: up to 16.5 mm past the "
        "right edge"
    ]


def test_preflight_reports_what_is_cut_off_as_a_fault() -> None:
    report = preflight(page_pdf(text_at(170, 150)))
    assert Finding(True, outside_trim(page_pdf(text_at(170, 150)))[0]) in report.findings
    assert not [f for f in preflight(page_pdf(text_at(20, 150))).findings if "trim" in f.message]


def test_code_is_never_hyphenated(tmp_path: Path) -> None:
    """A hyphen added at a line end inside code changes the code: every code span is printed
    whole, while the prose around them is still hyphenated."""
    pdf, _ = printed("code-not-hyphenated", tmp_path)
    document = pdfium.PdfDocument(pdf.read_bytes())
    try:
        text = " ".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()
    lines = [line.rstrip() for line in text.splitlines()]
    assert any(line.endswith(("\u2010", "\x02")) for line in lines), "no prose hyphenated"
    source = (ROOT / BOOKS / "code-not-hyphenated/chapters/01-match.md").read_text()
    spans = set(re.findall("`([^`]+)`", source))
    assert [span for span in sorted(spans) if span not in " ".join(lines)] == []
