"""Print craft, read back from the PDF: page labels, running heads, blank pages, openings,
scene breaks, mirrored margins, boxes for bleed and marks, and the PDF variants."""

from __future__ import annotations

import dataclasses
import io
import re
from functools import cache
from pathlib import Path

import pypdf
import pypdfium2 as pdfium
import pytest
from conftest import BOOKS, MM, ROOT, Built, clean, pdf_texts

from chapbook.model.book import Book
from chapbook.read.manuscript import read_book
from chapbook.write.print.pdf import write_pdf

ORNAMENT = "\u2766"
COLOPHON = "was made with Chapbook."
"""The end of the colophon on the book's last page, which has no folio or running head."""


@cache
def sample_book() -> Book:
    return read_book(ROOT / "manuscript")


def with_print(book: Book, **settings: object) -> Book:
    return dataclasses.replace(book, print=dataclasses.replace(book.print, **settings))


def reader(data: bytes) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(data))


def band_texts(path: Path, top: bool) -> list[str]:
    """The text of each page in its top margin (running heads) or in the rest of it."""
    document = pdfium.PdfDocument(path.read_bytes())
    texts = []
    try:
        for page in document:
            width, height = page.get_size()
            line = height - 14 * MM  # below the running head, above the first line
            band = (0, line, width, height) if top else (0, 0, width, line)
            texts.append(clean(page.get_textpage().get_text_bounded(*band)))
    finally:
        document.close()
    return texts


def test_page_labels_are_roman_then_arabic_and_match_the_folios(sample: Built) -> None:
    labels = reader(sample.pdf.read_bytes()).page_labels
    texts = pdf_texts(sample.pdf)
    heads = band_texts(sample.pdf, top=True)
    body = labels.index("1")
    assert labels[:body] == ["i", "ii", "iii", "iv", "v", "vi"][:body]
    assert labels[body:] == [str(n) for n in range(1, len(labels) - body + 1)]
    assert texts[body].startswith("CHAPTER 1 A Love Letter")
    for label, text, head in zip(labels, texts, heads, strict=True):
        if text and (label.isdigit() or text.startswith("Contents")) and COLOPHON not in text:
            assert label in head.split() or text.split()[-1] == label, (label, text[-60:])


@pytest.mark.parametrize("name", ["full", "long"])
def test_running_heads_book_title_left_chapter_title_right(
    name: str, request: pytest.FixtureRequest
) -> None:
    built: Built = request.getfixturevalue(name)
    book = read_book(BOOKS / name)
    titles = "|".join(re.escape(chapter.title) for chapter in book.chapters)
    labels = reader(built.pdf.read_bytes()).page_labels
    heads = band_texts(built.pdf, top=True)
    bodies = band_texts(built.pdf, top=False)
    chapter, checked = "", 0
    for label, head, body in zip(labels, heads, bodies, strict=True):
        opening = re.match(rf"(CHAPTER \d+ )?({titles})", body)
        if not label.isdigit() or opening or not body or COLOPHON in body:
            assert head == "", f"page {label} has a running head: {head}"
            chapter = opening[2] if opening else chapter
            continue
        left = int(label) % 2 == 0
        assert head == (f"{label} {book.metadata.title}" if left else f"{chapter} {label}")
        checked += 1
    assert checked >= (1 if name == "full" else 20)


def test_blank_pages_are_truly_blank_and_only_before_an_opening(full: Built) -> None:
    texts = pdf_texts(full.pdf)
    blanks = [index for index, text in enumerate(texts) if not text]
    assert blanks, "the test book should need a blank page"
    for index in blanks:
        assert index % 2 == 1, f"page {index + 1} is blank but is a right-hand page"
        following = texts[index + 1]
        assert following.startswith(("CHAPTER", "Contents", "Afterword", "Foreword", "The "))


def test_the_book_ends_with_a_colophon_on_a_left_hand_page(full: Built, long: Built) -> None:
    for built in (full, long):
        texts = pdf_texts(built.pdf)
        assert len(texts) % 2 == 0
        assert texts[-1].endswith(f"is set in EB Garamond and {COLOPHON}")
        assert COLOPHON not in " ".join(texts[:-1])


def test_half_title_title_and_copyright_pages(full: Built) -> None:
    texts = pdf_texts(full.pdf)
    assert texts[0] == "The Field Guide"
    assert texts[1] == ""
    assert texts[2].startswith("The Field Guide A Test Book with Every Kind of Part")
    for line in ("© 2025 Ada Writer. All rights reserved.", "Second edition", "ISBN 978-3"):
        assert line in texts[3]


def test_half_title_can_be_left_out() -> None:
    document = reader(write_pdf(with_print(sample_book(), half_title=False)))
    assert document.page_labels[:1] == ["i"]
    first = clean(pdfium.PdfDocument(document.stream.getvalue())[0].get_textpage().get_text_range())
    assert first.startswith("City of Stars A Look Back")


def test_epigraph_sits_between_title_and_first_paragraph(full: Built) -> None:
    texts = pdf_texts(full.pdf)
    opening = next(text for text in texts if text.startswith("CHAPTER 1 Reading Maps"))
    epigraph = "The map is not the territory, but it is the way in. — A surveyor’s saying"
    assert opening.startswith(f"CHAPTER 1 Reading Maps {epigraph} A map is a picture")


def char_heights(data: bytes, page: int) -> list[tuple[str, float]]:
    """Each visible character of a page with the height of its box, in points."""
    document = pdfium.PdfDocument(data)
    text = document[page].get_textpage()
    heights = []
    for index in range(text.count_chars()):
        char = text.get_text_range(index, 1)
        if char.strip():
            _, bottom, _, top = text.get_charbox(index)
            heights.append((char, top - bottom))
    document.close()
    return heights


def test_drop_cap_is_two_lines_tall() -> None:
    """The opening letter spans two lines of text; the other letters are text size."""
    book = sample_book()
    plain = write_pdf(with_print(book, opening="plain"))
    dropped = write_pdf(with_print(book, opening="drop-cap"))
    start = reader(plain).page_labels.index("1")
    f_height = max(height for char, height in char_heights(plain, start) if char == "F")
    tallest = sorted(char_heights(dropped, start), key=lambda pair: pair[1])
    assert tallest[-1][0] == "F"
    line_height = 11 * 1.36
    # from the cap height of the first line down to the baseline of the second
    assert 1.35 * line_height < tallest[-1][1] < 1.65 * line_height
    assert f_height < 0.6 * line_height


@pytest.mark.parametrize("name", ["full", "long"])
def test_scene_breaks_print_an_ornament_never_alone_at_a_page_edge(
    name: str, request: pytest.FixtureRequest
) -> None:
    built: Built = request.getfixturevalue(name)
    bodies = band_texts(built.pdf, top=False)
    manuscript = [p.read_text() for p in (BOOKS / name).rglob("*.md")]
    breaks = sum(len(re.findall(r"^(\* \* \*|---)$", text, re.MULTILINE)) for text in manuscript)
    front_matter = sum(2 for text in manuscript if text.startswith("---"))
    assert sum(body.count(ORNAMENT) for body in bodies) == breaks - front_matter > 0
    for body in bodies:
        text = re.sub(r"\s*\S+$", "", body)  # without the folio at the foot
        assert not text.endswith(ORNAMENT)
        if name == "long":  # the full book's break follows an image, which text can't show
            assert not text.startswith(ORNAMENT)


def body_left_edges(data: bytes) -> dict[str, float]:
    """For each arabic-numbered page, the left edge of its text block in mm."""
    labels = reader(data).page_labels
    document = pdfium.PdfDocument(data)
    edges = {}
    for label, page in zip(labels, document, strict=True):
        text = page.get_textpage()
        boxes = [text.get_charbox(i) for i in range(text.count_chars())]
        lefts = [box[0] for box in boxes if box[2] > box[0]]
        if label.isdigit() and lefts and COLOPHON not in text.get_text_range():
            edges[label] = min(lefts) / MM
    document.close()
    return edges


def test_margins_are_mirrored_with_the_gutter_inside() -> None:
    book = sample_book()
    margins = book.print.margins
    assert margins.inside > margins.outside
    edges = body_left_edges(write_pdf(book))
    for label, left in edges.items():
        expected = margins.outside if int(label) % 2 == 0 else margins.inside
        assert left == pytest.approx(expected, abs=1.0), label


def boxes_mm(data: bytes) -> dict[str, tuple[float, ...]]:
    page = reader(data).pages[0]
    return {
        name: tuple(round(float(value) / MM, 2) for value in page[name])
        for name in ("/MediaBox", "/TrimBox", "/BleedBox")
    }


def test_boxes_without_bleed_are_the_trim_and_the_plain_pdf_is_tagged() -> None:
    data = write_pdf(sample_book())
    assert "/StructTreeRoot" in reader(data).trailer["/Root"]
    boxes = boxes_mm(data)
    assert boxes == dict.fromkeys(("/MediaBox", "/TrimBox", "/BleedBox"), (0, 0, 148, 210))


def test_bleed_grows_the_sheet_and_marks_sit_outside_the_bleed() -> None:
    bled = boxes_mm(write_pdf(with_print(sample_book(), bleed_mm=3.0)))
    assert bled["/TrimBox"] == (0, 0, 148, 210)
    assert bled["/BleedBox"] == bled["/MediaBox"] == (-3, -3, 151, 213)
    marked = boxes_mm(write_pdf(with_print(sample_book(), bleed_mm=3.0, marks=True)))
    assert marked["/TrimBox"] == (0, 0, 148, 210)
    assert marked["/BleedBox"] == (-3, -3, 151, 213)
    assert marked["/MediaBox"] == (-14, -14, 162, 224)


def test_crop_marks_stay_outside_the_bleed() -> None:
    """Crop marks extend the trim lines into the sheet's edge, and stop short of the bleed."""
    data = write_pdf(with_print(sample_book(), bleed_mm=3.0, marks=True))
    image = pdfium.PdfDocument(data)[0].render(scale=4).to_pil().convert("L")
    px = image.width / (148 + 2 * 14)  # pixels per mm; the sheet starts 14 mm before the trim

    def ink(left: float, top: float, right: float, bottom: float) -> int:
        box = (round(left * px), round(top * px), round(right * px), round(bottom * px))
        darkest, _ = image.crop(box).getextrema()
        return 255 - int(darkest)

    assert ink(0, 13.5, 6, 14.5) > 128, "no mark along the top trim line"
    assert ink(13.5, 0, 14.5, 6) > 128, "no mark along the left trim line"
    assert ink(7.5, 0, 13.5, 13.5) < 40, "ink between the marks and the trim"
    assert ink(11, 11, 14, 100) < 40, "ink in the bleed"


VARIANT_MARKS = {
    "pdf/x-4": b"<pdfxid:GTS_PDFXVersion>PDF/X-4",
    "pdf/x-1a": b"PDF/X-1a:2003",
    "pdf/a-2b": b'pdfaid:part="2"',
    "pdf/ua-1": b'pdfuaid:part="1"',
}


@pytest.mark.parametrize("variant", list(VARIANT_MARKS))
def test_variants_declare_themselves_and_keep_the_trim(variant: str) -> None:
    data = write_pdf(with_print(sample_book(), variant=variant))
    document = reader(data)
    catalog = document.trailer["/Root"]
    xmp = catalog["/Metadata"].get_object().get_data()
    assert VARIANT_MARKS[variant] in xmp
    assert boxes_mm(data)["/TrimBox"] == (0, 0, 148, 210)
    if variant.startswith("pdf/x"):
        intents = catalog["/OutputIntents"]
        assert intents[0].get_object()["/S"] == "/GTS_PDFX"
    assert ("/StructTreeRoot" in catalog) is (variant != "pdf/x-1a")  # tagged where allowed
    assert document.page_labels[0] == "i"


def test_pdf_x4_builds_are_byte_identical() -> None:
    book = with_print(sample_book(), variant="pdf/x-4")
    assert write_pdf(book) == write_pdf(book)


def test_never_more_than_two_hyphenated_lines_in_a_row(long: Built) -> None:
    """WeasyPrint has no hyphenate-limit-lines; this holds the long book to the rule."""
    document = pdfium.PdfDocument(long.pdf.read_bytes())
    run, longest, hyphenated = 0, 0, 0
    for page in document:
        for line in page.get_textpage().get_text_range().split("\r\n"):
            ends_split = re.search(r"\w[\x02\ufffe\u2010-]$", line) is not None
            run = run + 1 if ends_split else 0
            hyphenated += ends_split
            longest = max(longest, run)
    document.close()
    assert hyphenated > 10
    assert longest <= 2


def test_a_section_heading_is_never_the_last_line_of_a_page(long: Built) -> None:
    headings = [
        line.removeprefix("## ").strip()
        for path in (BOOKS / "long").rglob("*.md")
        for line in path.read_text().splitlines()
        if line.startswith("## ")
    ]
    assert len(headings) >= 2
    bodies = [re.sub(r"\s*\S+$", "", body) for body in band_texts(long.pdf, top=False)]
    for heading in headings:
        [page] = [body for body in bodies if heading in body]
        assert not page.endswith(heading)
        assert len(page.split(heading, 1)[1].split()) >= 10  # lines of its section follow it
