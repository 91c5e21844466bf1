"""Preflight: real books read back as a printer would, and small PDFs with one fault each."""

from __future__ import annotations

import base64
import dataclasses
import io
import re

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw
import pytest
import weasyprint
from conftest import BOOKS, ROOT
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ContentStream, DictionaryObject, NameObject

from chapbook.config import TRIM_PRESETS, default_margins
from chapbook.manuscript import read_book
from chapbook.model import Book, PrintSettings
from chapbook.pipeline import build
from chapbook.preflight import Report, preflight
from chapbook.writers.pdf import write_pdf
from chapbook.writers.urls import image_names


@pytest.fixture(scope="module")
def sample_pdf(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    [output] = build(ROOT / "manuscript", tmp_path_factory.mktemp("preflight"), ["pdf"])
    return output.path.read_bytes()


@pytest.fixture(scope="module")
def sample_book() -> Book:
    return read_book(ROOT / "manuscript")


def with_print(book: Book, **changes: object) -> Book:
    return dataclasses.replace(book, print=dataclasses.replace(book.print, **changes))  # type: ignore[arg-type]


def pdf_of(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def messages(report: Report, fault: bool) -> list[str]:
    return [finding.message for finding in report.findings if finding.fault is fault]


def test_the_sample_book_passes(sample_pdf: bytes, sample_book: Book) -> None:
    report = preflight(sample_pdf, sample_book.print)
    pages = len(PdfReader(io.BytesIO(sample_pdf)).pages)
    assert report.faults == ()
    assert report.pages == pages
    assert report.trim_mm == pytest.approx((148, 210), abs=0.01)
    assert report.variant is None
    assert "EB-Garamond" in report.fonts
    assert report.unembedded_fonts == ()
    assert report.lines()[:2] == [
        f"{pages} pages, trim 148 x 210 mm, bleed 0 mm, plain PDF",
        f"fonts: {', '.join(report.fonts)}; all embedded",
    ]


def test_a_font_without_its_program_is_a_fault() -> None:
    writer = PdfWriter()
    page = writer.add_blank_page(200, 200)
    content = ContentStream(None, writer)
    content.set_data(b"BT /F1 12 Tf 72 72 Td (Hi) Tj ET")
    page.replace_contents(content)
    helvetica = {"/Type": "/Font", "/Subtype": "/Type1", "/BaseFont": "/Helvetica"}
    font = DictionaryObject({NameObject(k): NameObject(v) for k, v in helvetica.items()})
    fonts = DictionaryObject({NameObject("/F1"): font})
    page[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): fonts})
    report = preflight(pdf_of(writer))
    assert messages(report, fault=True) == ["page 1: font 'Helvetica' is not embedded"]
    assert report.fonts == ("Helvetica",)
    assert report.lines()[1] == "fonts: Helvetica; 1 not embedded"


def test_a_low_resolution_image_is_a_warning() -> None:
    book = read_book(BOOKS / "low-res-image")
    pdf = write_pdf(book)
    report = preflight(pdf, book.print, image_names=image_names(book))
    [image] = report.images
    width_pt = placed_width_pt(pdf, image.page)
    dpi = 60 / (width_pt / 72)
    assert image.dpi == pytest.approx(dpi, abs=2)
    assert image.size_mm[0] == pytest.approx(100, abs=0.5)
    [warning] = [m for m in messages(report, fault=False) if "images/small.png" in m]
    assert warning.startswith(f"page {image.page}: images/small.png ")
    assert warning.endswith("too low for print")
    shown = re.search(r"(\d+) dpi", warning)
    assert shown is not None and abs(int(shown[1]) - dpi) <= 2
    assert report.faults == ()


def placed_width_pt(pdf: bytes, page_number: int) -> float:
    """The width of the one image on the page, as PDFium places it."""
    document = pdfium.PdfDocument(pdf)
    try:
        kinds = (pdfium_raw.FPDF_PAGEOBJ_IMAGE,)
        [image] = list(document[page_number - 1].get_objects(filter=kinds, max_depth=8))
        left, _, right, _ = image.get_bounds()
        return float(right - left)
    finally:
        document.close()


@pytest.mark.parametrize("repeat", ["no-repeat", "repeat"])
def test_an_image_drawn_as_a_background_is_found(repeat: str) -> None:
    """WeasyPrint draws a background image inside a Form XObject, and a repeated one
    through a tiling pattern whose cell draws that form: each tile is 1 x 0.5 in."""
    picture = io.BytesIO()
    Image.new("RGB", (60, 30), "green").save(picture, format="PNG")
    url = "data:image/png;base64," + base64.b64encode(picture.getvalue()).decode()
    style = f"width: 2in; height: 1in; background: url({url}) {repeat}; background-size: 1in"
    pdf = weasyprint.HTML(string=f'<div style="{style}"></div>').write_pdf()
    [image] = preflight(pdf).images
    assert image.pixels == (60, 30)
    assert image.dpi == pytest.approx(60, abs=0.5)
    assert image.size_mm == pytest.approx((25.4, 12.7), abs=0.1)


def test_pages_of_different_sizes_are_a_fault() -> None:
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.add_blank_page(300, 200)
    report = preflight(pdf_of(writer))
    assert messages(report, fault=True) == [
        "page 2: trim is 105.8 x 70.6 mm, page 1's is 70.6 x 70.6 mm"
    ]


def test_a_pdf_without_pages_is_a_fault() -> None:
    report = preflight(pdf_of(PdfWriter()))
    assert report.pages == 0
    assert messages(report, fault=True) == ["the PDF has no pages"]


def test_a_trim_other_than_book_toml_asks_for_is_a_fault(sample_pdf: bytes) -> None:
    digest = TRIM_PRESETS["digest"]
    report = preflight(sample_pdf, PrintSettings(digest, default_margins(digest)))
    assert messages(report, fault=True) == [
        "trim is 148 x 210 mm, book.toml asks for 139.7 x 215.9 mm (digest)"
    ]


def test_a_pdf_x_4_build_declares_itself(sample_book: Book, sample_pdf: bytes) -> None:
    book = with_print(sample_book, variant="pdf/x-4")
    report = preflight(write_pdf(book), book.print)
    assert report.variant is not None and report.variant.startswith("PDF/X-4")
    assert report.faults == ()
    plain = preflight(sample_pdf, book.print)
    assert messages(plain, fault=True) == [
        "book.toml asks for PDF/X-4, the file declares none",
        "PDF/X-4 needs a GTS_PDFX output intent; the file has none",
    ]


def test_the_bleed_is_read_from_the_bleed_box(sample_book: Book) -> None:
    book = with_print(sample_book, bleed_mm=3.0)
    report = preflight(write_pdf(book), book.print)
    assert report.bleed_mm == pytest.approx(3, abs=0.01)
    assert report.faults == ()


@pytest.mark.parametrize("data", [b"", b"not a PDF at all", b"%PDF-1.7\n1 0 obj garbage"])
def test_bytes_that_are_not_a_readable_pdf_are_refused(data: bytes) -> None:
    with pytest.raises(ValueError, match=r"not a PDF|cannot be read"):
        preflight(data)
