"""Preflight: real books read back as a printer would, and small PDFs with one fault each."""

from __future__ import annotations

import base64
import dataclasses
import io
import re
import warnings
from decimal import Decimal
from typing import Any

import pikepdf
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw
import pytest
import weasyprint
from conftest import BOOKS, ROOT
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    ContentStream,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    NumberObject,
    StreamObject,
)

import chapbook.verify.preflight as preflight_module
from chapbook.config.values import TRIM_PRESETS, default_margins
from chapbook.model.book import Book, PrintSettings
from chapbook.pipeline import build
from chapbook.read.manuscript import read_book
from chapbook.verify.preflight import Matrix, Report, preflight
from chapbook.write.print.pdf import write_pdf
from chapbook.write.print.urls import image_names


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


# The fast reading of content streams against qpdf's parser (pikepdf's)


def qpdf_parse(data: bytes) -> list[Any]:
    """pikepdf's parse of a content stream's data; ValueError if qpdf warns that it is
    damaged, as preflight's fallback does."""
    with pikepdf.new() as scratch, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (pikepdf's, of operands left at the end)
        parsed = list(pikepdf.parse_content_stream(pikepdf.Stream(scratch, data)))
        damage = scratch.get_warnings()
    if damage:
        raise ValueError(f"a content stream is damaged: {str(damage[0]).split('): ', 1)[-1]}")
    return parsed


def page_data(page: Any) -> bytes:
    """A page's contents as qpdf joins them (in one stream)."""
    pikepdf.Page(page).contents_coalesce()
    data: bytes = page.Contents.read_bytes()
    return data


class ReferenceDrawing(preflight_module.Drawing):
    """The walker without the fast reading: qpdf parses every content stream."""

    def walk_page(self, number: int, page: Any) -> None:
        self.page, self._patterns = number, set()
        if page.get("/Contents") is not None:
            resources = preflight_module.resources_of(page, preflight_module.EMPTY)
            self._walk(qpdf_parse(page_data(page)), resources, preflight_module.IDENTITY)

    def _walk(self, operations: Any, resources: Any, base: Matrix) -> None:
        ctm, saved = base, []
        for operands, operator in operations:
            if bytes(operator) == b"q":
                saved.append(ctm)
            elif bytes(operator) == b"Q":
                ctm = saved.pop() if saved else base
            elif bytes(operator) == b"cm":
                ctm = preflight_module.multiply(preflight_module.matrix_of(operands), ctm)
            else:
                self._draw(bytes(operator), operands, resources, ctm, base)

    def _draw(
        self, operator: bytes, operands: Any, resources: Any, ctm: Matrix, base: Matrix
    ) -> None:
        lookup = preflight_module.lookup
        name = pikepdf.Name
        if operator == b"Tf" and operands and isinstance(operands[0], name):
            self._use_font(lookup(resources, "/Font", str(operands[0])))
        elif operator == b"Do" and operands and isinstance(operands[0], name):
            self._draw_xobject(resources, str(operands[0]), ctm)
        elif operator in (b"scn", b"SCN") and operands and isinstance(operands[-1], name):
            self._fill_with_pattern(lookup(resources, "/Pattern", str(operands[-1])), base)
        elif operator == b"INLINE IMAGE":
            settings = operands[0].obj
            self._place("inline image", (settings.get("/Width"), settings.get("/Height")), ctm)

    def _operations(self, stream: Any, key: Any) -> Any:
        return qpdf_parse(stream.read_bytes())


def reference_preflight(pdf: bytes, monkeypatch: pytest.MonkeyPatch, **kwargs: Any) -> Report | str:
    """The report as qpdf's own parsing of every content stream gives it, or the error."""
    with monkeypatch.context() as patch:
        patch.setattr(preflight_module, "Drawing", ReferenceDrawing)
        return report_or_error(pdf, **kwargs)


def report_or_error(pdf: bytes, **kwargs: Any) -> Report | str:
    try:
        return preflight(pdf, **kwargs)
    except ValueError as error:
        return f"ValueError: {error}"


def stream_pdf(*pages: bytes) -> bytes:
    """Pages drawing `pages`, with a font F1 (not embedded), an image Im1 (40 x 20 pixels), a
    form Fm1 drawing that image and a tiling pattern P1 whose cell draws the form."""
    writer = PdfWriter()
    image = StreamObject()
    image.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Image"),
            NameObject("/Width"): NumberObject(40),
            NameObject("/Height"): NumberObject(20),
            NameObject("/ColorSpace"): NameObject("/DeviceGray"),
            NameObject("/BitsPerComponent"): NumberObject(8),
        }
    )
    image.set_data(bytes(800))
    image_ref = writer._add_object(image)
    xobjects = DictionaryObject({NameObject("/Im1"): image_ref})
    form = StreamObject()
    form.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/BBox"): ArrayObject([NumberObject(v) for v in (0, 0, 1, 1)]),
            NameObject("/Matrix"): ArrayObject([FloatObject(v) for v in (2, 0, 0, 3, 0, 0)]),
            NameObject("/Resources"): DictionaryObject({NameObject("/XObject"): xobjects}),
        }
    )
    form.set_data(b"q 10 0 0 10 0 0 cm /Im1 Do Q (/Im1 Do) Tj")
    form_ref = writer._add_object(form)
    pattern = StreamObject()
    pattern.update(
        {
            NameObject("/PatternType"): NumberObject(1),
            NameObject("/PaintType"): NumberObject(1),
            NameObject("/TilingType"): NumberObject(1),
            NameObject("/BBox"): ArrayObject([NumberObject(v) for v in (0, 0, 20, 20)]),
            NameObject("/XStep"): NumberObject(20),
            NameObject("/YStep"): NumberObject(20),
            NameObject("/Matrix"): ArrayObject([FloatObject(v) for v in (0.5, 0, 0, 0.5, 0, 0)]),
            NameObject("/Resources"): DictionaryObject(
                {NameObject("/XObject"): DictionaryObject({NameObject("/Fm1"): form_ref})}
            ),
        }
    )
    pattern.set_data(b"q 4 0 0 4 0 0 cm /Fm1 Do Q")
    helvetica = {"/Type": "/Font", "/Subtype": "/Type1", "/BaseFont": "/Helvetica"}
    font = DictionaryObject({NameObject(k): NameObject(v) for k, v in helvetica.items()})
    resources = DictionaryObject(
        {
            NameObject("/Font"): DictionaryObject({NameObject("/F1"): font}),
            NameObject("/XObject"): DictionaryObject(
                {NameObject("/Im1"): image_ref, NameObject("/Fm1"): form_ref}
            ),
            NameObject("/Pattern"): DictionaryObject(
                {NameObject("/P1"): writer._add_object(pattern)}
            ),
        }
    )
    for data in pages:
        page = writer.add_blank_page(200, 200)
        content = ContentStream(None, writer)
        content.set_data(data)
        page.replace_contents(content)
        page[NameObject("/Resources")] = resources
    return pdf_of(writer)


STREAMS = {
    "strings": rb"BT (Do \) /Im1 Do) Tj (a (nested (Tf) /F1 9 Tf) b) Tj <2f496d3120446f> Tj ET"
    rb" 1 0 0 1 5 5 cm /Im1 Do",
    "escapes": rb"(\\) q 2 0 0 2 0 0 cm (\() Tj [(\)) -20 (cm) 10 <0041>] TJ /Im1 Do Q",
    "comments": b"% /Im1 Do\nq 3 0 0 3 0 0 cm %)\n/Fm1 Do Q % q\n/Im1 Do",
    "dictionaries": b"/Span <</MCID 0 /Alt (x) /A [1 <00> (y)]>> BDC /F1 12 Tf EMC"
    b" /P << /Nested << /Deep [1 [2 [3]]] >> >> BDC q 0.5 0 0 0.5 0 0 cm /Im1 Do Q EMC",
    "patterns": b"/Pattern cs /P1 scn 0 0 200 200 re f 0 0 1 scn /Pattern CS 1 0 0 /P1 SCN S",
    "escaped names": b"/F#31 12 Tf q 1 0 0 1 0 0 cm /Im#31 Do Q /Fm#31 Do",
    "numbers": b"q +1. .0 -.0 1.0 -5 +5 cm /Im1 Do Q q 1 0 0 1 0 0 cm Q Q Q /Im1 Do",
    "nested strings": b"(a (b (c (d) c) b) a) Tj /Im1 Do /F1 3 Tf",
    "deeper strings": b"(a (b (c (d (e) d) c) b) a) Tj /Im1 Do /F1 3 Tf",
    "inline image": b"q 30 0 0 15 0 0 cm BI /W 6 /H 3 /CS /G /BPC 8 ID 0123456789abcdefgh EI Q",
}
"""Content streams that a tokenizer could get wrong, each with something for preflight."""


@pytest.fixture(scope="module")
def weasyprint_pdf() -> bytes:
    """A WeasyPrint PDF with text in two fonts, an image, a background in a form and a
    repeated one in a tiling pattern, on several pages."""
    picture = io.BytesIO()
    Image.new("RGB", (60, 30), "green").save(picture, format="PNG")
    url = "data:image/png;base64," + base64.b64encode(picture.getvalue()).decode()
    box = "width: 2in; height: 1in; background-size: 1in"
    html = (
        f'<p>Plain <em>italic</em> (paren\\) text) <img src="{url}" style="width: 1in"></p>'
        f'<div style="{box}; background: url({url}) no-repeat"></div>'
        '<p style="break-before: page">Second page</p>'
        f'<div style="{box}; background: url({url}) repeat"></div>'
    )
    pdf: bytes = weasyprint.HTML(string=html).write_pdf(pdf_tags=True)
    return pdf


def test_weasyprint_pdfs_are_read_fast_and_as_qpdf_reads_them(
    weasyprint_pdf: bytes, sample_pdf: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    for pdf in (weasyprint_pdf, sample_pdf):
        report = preflight(pdf)
        assert report == reference_preflight(pdf, monkeypatch)
        for page in pikepdf.open(io.BytesIO(pdf)).pages:
            contents = preflight_module.page_contents(page.obj)
            assert contents is not None
            fast = preflight_module.fast_operations(contents)
            assert fast == preflight_module.parsed_operations(qpdf_parse(page_data(page.obj)))
    report = preflight(weasyprint_pdf)
    assert len(report.images) == 3 and len(report.fonts) >= 2


def test_the_weasyprint_pdf_draws_through_forms_and_patterns(weasyprint_pdf: bytes) -> None:
    """The images found are the placed one, the background in its form, and the repeated
    background in its pattern (the test above compares more than empty reports)."""
    report = preflight(weasyprint_pdf)
    assert sorted(image.page for image in report.images) == [1, 1, 2]
    assert {round(image.dpi) for image in report.images} >= {60}


@pytest.mark.parametrize("name", list(STREAMS))
def test_tricky_streams_give_the_report_qpdf_gives(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = STREAMS[name]
    pdf = stream_pdf(data, b"BT /F1 9 Tf (x) Tj ET " + data)
    report = preflight(pdf, image_names={"Im1": "picture.png"})
    assert report == reference_preflight(pdf, monkeypatch, image_names={"Im1": "picture.png"})
    assert isinstance(report, Report) and report.images
    if name in ("inline image", "deeper strings"):  # handed to qpdf's parser
        with pytest.raises(preflight_module.Unsure):
            preflight_module.fast_operations(data)
    else:
        assert preflight_module.fast_operations(data)


def test_strings_are_not_read_as_operators() -> None:
    pdf = stream_pdf(b"(/Im1 Do) Tj <2f496d3120446f> Tj (\\) /Im1 Do) Tj (/F1 1 Tf) Tj")
    report = preflight(pdf)
    assert report.images == () and report.fonts == ()


def test_forms_and_patterns_are_walked() -> None:
    """The pattern's cell (scaled 0.5) draws the form (scaled 4, then 2 x 3 by its matrix),
    which draws the image scaled 10: 40 x 60 pt for 40 x 20 pixels."""
    [image] = preflight(stream_pdf(STREAMS["patterns"])).images
    assert image.size_mm == pytest.approx((40 * 25.4 / 72, 60 * 25.4 / 72))
    assert image.dpi == pytest.approx(20 / (60 / 72))


@pytest.mark.parametrize(
    "data",
    [
        b"(unbalanced Tj /Im1 Do",
        b"stray ) /Im1 Do",
        b"1 2 3 4 5 cm /Im1 Do",
        b"/a /b /c /d /e /f cm",
        b"[1 2 /Im1 Do",
        b"<< /A 1 ] /Im1 Do",
        b"1.2.3 0 0 1 0 0 cm /Im1 Do",
        b"<zz> Tj /Im1 Do",
        b"q\x00 /Im1 Do",
        b"\x0b/Im1 Do",
        b"[true false null] TJ /Im1 Do [tru] TJ",
        b"(a) 12 Tf 5 Do /Im1 5 Do",
        b"/#zz Do",
        b"BI /W 4 /H 4 ID xx",
        b"1 0 R /Im1 Do",
        b"<< /A (x) /B <<>> >> BDC /Im1 Do } { /Im1 Do",
    ],
)
def test_malformed_streams_give_what_qpdf_gives(
    data: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A report or a ValueError, never another exception, and the same as qpdf's parsing
    gives, since whatever the fast reading is unsure of is left to qpdf."""
    pdf = stream_pdf(data)
    assert report_or_error(pdf) == reference_preflight(pdf, monkeypatch)


FRAGMENTS = [
    b"q", b"Q", b"1 0 0 1 5 5 cm", b"2 0 0 2 0 0 cm", b"/F1 12 Tf", b"/Im1 Do", b"/Fm1 Do",
    b"/P1 scn", b"0 0 1 scn", b"/P1 SCN", b"BT", b"ET", b"(a (b) c)", b"(\\) Do)", b"(Tf",
    b")", b"<00ff>", b"<<", b">>", b"[", b"]", b"[(a) 1 <0a>] TJ", b"<</MCID 0>> BDC", b"%c\n",
    b"% /Im1 Do\n", b"true", b"1.2.3", b"-.5", b"/Span", b"(\\\\)", b"<z>", b"\n", b"BI",
    b"ID", b"EI", b"null", b"+", b"5Do", b"/F#31", b"/#zz", b"12345678901234567890", b"1 0 R",
    b"<</A 1 /#41 2>>", b"<</A>>", b"<</A <</B 1>> /A 2>>", b"[/a#00]", b"{",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=14), st.sampled_from([b" ", b"\n", b"\t"]))
def test_fast_reading_is_qpdfs_or_unsure(fragments: list[bytes], space: bytes) -> None:
    """Whatever the fast reading reads, qpdf's parser reads the same way, without a warning."""
    data = space.join(fragments)
    try:
        fast = preflight_module.fast_operations(data)
    except preflight_module.Unsure:
        return
    expected = preflight_module.parsed_operations(qpdf_parse(data))
    assert fast == expected


def test_objects_in_a_tagged_pdfs_object_streams_are_read_as_pypdf_reads_them(
    weasyprint_pdf: bytes,
) -> None:
    """A tagged PDF keeps nearly all its objects in object streams: the fonts and pages
    preflight reads from them are the objects pypdf reads."""
    full = PdfReader(io.BytesIO(weasyprint_pdf))
    assert full.xref_objStm, "WeasyPrint writes object streams"
    with pikepdf.open(io.BytesIO(weasyprint_pdf)) as document:
        pages = preflight_module.page_dictionaries(document)
        drawing = preflight_module.walking(pages, {})
        assert len(drawing.font_objects) >= 2
        for font in drawing.font_objects.values():
            number, _ = font.objgen
            assert number in full.xref_objStm
            assert plain(font) == plain(full.get_object(number))
        for page, read in zip(pages, full.pages, strict=True):
            assert plain(page.MediaBox) == plain(read["/MediaBox"])


def plain(value: Any, top: bool = True) -> Any:
    """A PDF object, as read by pikepdf or pypdf, as plain Python values: the objects it
    refers to as their numbers, names and strings as text, numbers as floats."""
    if isinstance(value, pikepdf.Object) and value.is_indirect and not top:
        return ("ref", value.objgen[0])
    if isinstance(value, IndirectObject):
        return ("ref", value.idnum)
    if isinstance(value, pikepdf.Dictionary | pikepdf.Stream):
        return {str(key): plain(value[key], top=False) for key in value.keys()}  # noqa: SIM118 (a pikepdf object)
    if isinstance(value, dict):
        return {str(key): plain(dict.__getitem__(value, key), top=False) for key in value}
    if isinstance(value, pikepdf.Array):
        return [plain(item, top=False) for item in value]
    if isinstance(value, list):
        return [plain(list.__getitem__(value, index), top=False) for index in range(len(value))]
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return round(float(value), 6)
    return str(value)


def object_stream_pdf(header: bytes | None = None, count: int = 4) -> bytes:
    """A one-page PDF whose catalog, pages, page and font are in an object stream, with
    cross-references in an xref stream; `header` replaces the stream's index when given."""
    members = {
        1: b"<</Type /Catalog /Pages 2 0 R>>",
        2: b"<</Type /Pages /Kids [3 0 R] /Count 1>>",
        3: b"<</Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R"
        b" /Resources <</Font <</F1 5 0 R>>>>>>",
        5: b"<</Type /Font /Subtype /Type1 /BaseFont /Helvetica>>",
    }
    body, offsets = b"", []
    for number, data in members.items():
        offsets.append(b"%d %d" % (number, len(body)))
        body += data + b"\n"
    index = header if header is not None else b" ".join(offsets) + b"\n"
    pdf = b"%PDF-1.7\n"
    where: dict[int, int] = {}
    content = b"BT /F1 12 Tf (Hi) Tj ET"
    where[4] = len(pdf)
    pdf += b"4 0 obj\n<</Length %d>>\nstream\n%s\nendstream\nendobj\n" % (len(content), content)
    stream = index + body
    where[6] = len(pdf)
    pdf += (
        b"6 0 obj\n<</Type /ObjStm /N %d /First %d /Length %d>>\nstream\n%s\nendstream\nendobj\n"
        % (
            count,
            len(index),
            len(stream),
            stream,
        )
    )
    rows = [b"\x00\x00\x00\x00\x00\xff\xff"]
    for number in range(1, 8):
        if number in members:
            position = list(members).index(number)
            rows.append(b"\x02" + (6).to_bytes(4, "big") + position.to_bytes(2, "big"))
        elif number in where:
            rows.append(b"\x01" + where[number].to_bytes(4, "big") + b"\x00\x00")
        else:
            rows.append(b"\x01" + len(pdf).to_bytes(4, "big") + b"\x00\x00")
    xref = b"".join(rows)
    start = len(pdf)
    pdf += b"7 0 obj\n<</Type /XRef /Size 8 /W [1 4 2] /Root 1 0 R /Length %d>>\nstream\n" % len(
        xref
    )
    pdf += xref + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % start
    return pdf


INDEX = b"1 0 2 32 3 72 5 177\n"
"""The index `object_stream_pdf` writes."""


def test_objects_in_object_streams_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    pdf = object_stream_pdf()
    assert pdf == object_stream_pdf(INDEX, 4)
    report = preflight(pdf)
    assert report.fonts == ("Helvetica",) and report.pages == 1
    assert report == reference_preflight(pdf, monkeypatch)


@pytest.mark.parametrize(
    ("header", "count"),
    [
        (b"1 0 2 32 3 72 5 177\n", 4),  # as written
        (b"1 0 2 32 3 72 5 900\n", 4),  # an offset past the end
        (b"1 0 2 72 3 32 5 177\n", 4),  # offsets out of order
        (b"1 0 2 32 3 x 5 177\n", 4),  # not a number
        (b"1 0 2 32\n", 4),  # fewer objects than /N
        (b"1 0 2 32 3 72 5 177\n", 400),
        (b"1 0 2 32 3 72 5 177\n", -1),
        (b"1 0 2 32 3 73 5 177\n", 4),  # an offset off by one
    ],
)
def test_a_malformed_object_stream_is_left_to_pypdf(
    header: bytes, count: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    pdf = object_stream_pdf(header, count)
    report = report_or_error(pdf)
    assert report == reference_preflight(pdf, monkeypatch)
    if (header, count) == (INDEX, 4):
        assert isinstance(report, Report) and report.fonts == ("Helvetica",)
