"""The cover wrap PDF, read back: its boxes, where its text lies, its image, its bytes."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Iterator
from contextlib import contextmanager

import pypdf
import pypdfium2 as pdfium
import pytest
from conftest import BOOKS, MM, ROOT, clean
from PIL import Image

from chapbook.model.book import Book, Resource
from chapbook.read.manuscript import read_book
from chapbook.write.print.wrap import (
    SAFE_MM,
    cover_bleed_mm,
    cover_wrap,
    spine_width_mm,
    write_cover,
)

BACKGROUND = (27, 34, 46)
IMAGE_COLOUR = (200, 60, 40)
Rect = tuple[float, float, float, float]
"""left, top, right, bottom in mm from the trimmed sheet's top left."""


@pytest.fixture(scope="module")
def sample() -> Book:
    return read_book(ROOT / "manuscript")


@pytest.fixture(scope="module")
def full() -> Book:
    return read_book(BOOKS / "full")


def with_print(book: Book, **changes: object) -> Book:
    return dataclasses.replace(book, print=dataclasses.replace(book.print, **changes))  # type: ignore[arg-type]


def boxes_mm(pdf: bytes) -> dict[str, Rect]:
    """The page's boxes as (left, bottom, right, top) in mm, read with pypdf."""
    page = pypdf.PdfReader(io.BytesIO(pdf)).pages[0]
    boxes = {"media": page.mediabox, "trim": page.trimbox, "bleed": page.bleedbox}
    return {
        name: (box.left / MM, box.bottom / MM, box.right / MM, box.top / MM)
        for name, box in boxes.items()
    }


def size_mm(box: Rect) -> tuple[float, float]:
    return box[2] - box[0], box[3] - box[1]


@contextmanager
def pdfium_page(pdf: bytes) -> Iterator[pdfium.PdfPage]:
    document = pdfium.PdfDocument(pdf)
    try:
        yield document[0]
    finally:
        document.close()


def text_in(pdf: bytes, rect: Rect, height: float) -> str:
    """The text within `rect` of a wrap `height` mm high (PDF space has y upwards)."""
    left, top, right, bottom = rect
    with pdfium_page(pdf) as page:
        text = page.get_textpage()
        found = text.get_text_bounded(
            left * MM, (height - bottom) * MM, right * MM, (height - top) * MM
        )
    return clean(found)


def squashed(text: str) -> str:
    """Text without spaces or case: letter-spaced small capitals read back letter by letter."""
    return "".join(text.split()).casefold()


def char_rects(pdf: bytes, height: float) -> list[Rect]:
    """Every visible character's box, in the same mm as `Rect`."""
    rects = []
    with pdfium_page(pdf) as page:
        text = page.get_textpage()
        for index in range(text.count_chars()):
            if not text.get_text_range(index, 1).strip():
                continue
            left, bottom, right, top = text.get_charbox(index)
            rects.append((left / MM, height - top / MM, right / MM, height - bottom / MM))
    return rects


class Raster:
    """The page rendered, read by the colour at (x, y) mm from the trimmed sheet's top left."""

    def __init__(self, pdf: bytes, dpi: float = 25) -> None:
        boxes = boxes_mm(pdf)
        self.left = boxes["media"][0]
        self.top = boxes["media"][3] - boxes["trim"][3]
        self.scale = dpi / 72
        with pdfium_page(pdf) as page:
            self.image = page.render(scale=self.scale).to_pil().convert("RGB")

    def at(self, x: float, y: float) -> tuple[int, int, int]:
        point = ((x - self.left) * MM * self.scale, (y + self.top) * MM * self.scale)
        colour: tuple[int, int, int] = self.image.getpixel((int(point[0]), int(point[1])))
        return colour


def near(colour: tuple[int, int, int], expected: tuple[int, int, int]) -> bool:
    return all(abs(a - b) <= 6 for a, b in zip(colour, expected, strict=True))


def overlaps(a: Rect, b: Rect) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def test_spine_width_is_pages_times_paper() -> None:
    assert spine_width_mm(320, 0.0572) == 18.30
    assert spine_width_mm(320, 0.0635) == 20.32
    assert spine_width_mm(48, 0.0572) == 2.75


def test_cover_bleed_is_the_books_own_or_an_eighth_inch(sample: Book) -> None:
    assert cover_bleed_mm(sample) == 3.175
    assert cover_bleed_mm(with_print(sample, bleed_mm=5.0)) == 5.0


@pytest.mark.parametrize("pages", [48, 320])
@pytest.mark.parametrize("paper_mm", [0.0572, 0.0635], ids=["white", "cream"])
@pytest.mark.parametrize("bleed", [0.0, 5.0])
def test_boxes_are_two_panels_and_spine_with_bleed(
    sample: Book, pages: int, paper_mm: float, bleed: float
) -> None:
    book = with_print(sample, paper_mm=paper_mm, bleed_mm=bleed)
    boxes = boxes_mm(write_cover(book, pages))
    width = 2 * 148 + pages * paper_mm
    real_bleed = bleed or 3.175
    assert size_mm(boxes["trim"]) == pytest.approx((width, 210), abs=0.05)
    assert size_mm(boxes["media"]) == pytest.approx(
        (width + 2 * real_bleed, 210 + 2 * real_bleed), abs=0.05
    )
    grown = tuple(
        t + d
        for t, d in zip(
            boxes["trim"], (-real_bleed, -real_bleed, real_bleed, real_bleed), strict=True
        )
    )
    assert boxes["bleed"] == pytest.approx(grown, abs=0.05)


def test_crop_marks_lie_beyond_the_bleed(full: Book) -> None:
    book = with_print(full, marks=True, bleed_mm=3.0)
    pdf = write_cover(book, 200)
    boxes = boxes_mm(pdf)
    trim, bleed, media = boxes["trim"], boxes["bleed"], boxes["media"]
    assert bleed == pytest.approx((trim[0] - 3, trim[1] - 3, trim[2] + 3, trim[3] + 3), abs=0.05)
    assert media[0] < bleed[0] - 6 and media[3] > bleed[3] + 6
    wrap = cover_wrap(book, 200)
    raster = Raster(pdf, dpi=300)
    outside = 0.75 * wrap.css_bleed  # halfway along the marks, which run in from the sheet's edge
    for fold in (wrap.panel, wrap.front_left):
        for y in (-outside, wrap.height + outside):
            darkest = min(min(raster.at(fold + dx / 10, y)) for dx in range(-2, 3))
            assert darkest < 100, f"no fold mark at {fold} mm"
    assert near(raster.at(wrap.panel / 2, -outside), (255, 255, 255))
    assert near(raster.at(wrap.panel / 2, -2), BACKGROUND)


@pytest.mark.parametrize(("pages", "spine_has_text"), [(320, True), (105, True), (48, False)])
def test_spine_carries_the_title_only_when_wide_enough(
    full: Book, pages: int, spine_has_text: bool
) -> None:
    wrap = cover_wrap(full, pages)
    pdf = write_cover(full, pages)
    spine = text_in(pdf, (wrap.panel, 0, wrap.panel + wrap.spine, wrap.height), wrap.height)
    if spine_has_text:
        assert "The Field Guide" in spine
        assert squashed("Ada Writer, Ben Editor") in squashed(spine)
    else:
        assert spine == ""


def test_description_on_the_back_and_title_on_the_front(full: Book) -> None:
    wrap = cover_wrap(full, 200)
    pdf = write_cover(full, 200)
    back = text_in(pdf, (0, 0, wrap.panel, wrap.height), wrap.height)
    front = text_in(pdf, (wrap.front_left, 0, wrap.width, wrap.height), wrap.height)
    assert "A small book that uses footnotes, tables, an image and links." in back
    assert squashed("Chapbook Test Press") in squashed(back)
    assert "The Field Guide" in front
    assert "A Test Book with Every Kind of Part" in front
    assert "footnotes" not in front


@pytest.mark.parametrize("words", [10, 400])
def test_barcode_zone_is_clear_white_and_inside_the_back(full: Book, words: int) -> None:
    description = " ".join(["An uncommonly long description of this book."] * (words // 7))
    book = dataclasses.replace(
        full, metadata=dataclasses.replace(full.metadata, description=description)
    )
    wrap = cover_wrap(book, 200)
    pdf = write_cover(book, 200)
    left, top, right, bottom = zone = wrap.barcode
    assert (right - left, bottom - top) == pytest.approx((50.8, 30.5))
    assert left >= SAFE_MM and right <= wrap.panel - SAFE_MM and bottom <= wrap.height - SAFE_MM
    raster = Raster(pdf)
    assert near(raster.at((left + right) / 2, (top + bottom) / 2), (255, 255, 255))
    assert near(raster.at(left - 1, (top + bottom) / 2), BACKGROUND)
    inside = [rect for rect in char_rects(pdf, wrap.height) if overlaps(rect, zone)]
    assert inside == []
    assert "uncommonly long description" in text_in(pdf, (0, 0, wrap.panel, top), wrap.height)


LONG_TITLE = "The Very Long Title of a Field Guide to Everything Under the Sun, Revised"


@pytest.mark.parametrize("title", ["The Field Guide", LONG_TITLE])
def test_text_keeps_to_the_safe_zone(full: Book, title: str) -> None:
    book = dataclasses.replace(full, metadata=dataclasses.replace(full.metadata, title=title))
    wrap = cover_wrap(book, 320)
    pdf = write_cover(book, 320)
    folds = (0, wrap.panel, wrap.front_left, wrap.width)
    for rect in char_rects(pdf, wrap.height):
        assert rect[1] >= SAFE_MM and rect[3] <= wrap.height - SAFE_MM, rect
        if wrap.panel < rect[0] < wrap.front_left:  # on the spine
            continue
        assert all(rect[2] <= x - SAFE_MM or rect[0] >= x + SAFE_MM for x in folds), rect
    spine = text_in(pdf, (wrap.panel, 0, wrap.front_left, wrap.height), wrap.height)
    assert title in spine


def test_background_fills_the_bleed_of_every_panel(sample: Book) -> None:
    wrap = cover_wrap(sample, 320)
    pdf = write_cover(sample, 320)
    bleed = wrap.bleed / 2
    raster = Raster(pdf)
    for x, y in ((-bleed, -bleed), (wrap.panel + wrap.spine / 2, wrap.height + bleed)):
        assert near(raster.at(x, y), BACKGROUND)
    assert near(raster.at(wrap.width + bleed, wrap.height / 2), BACKGROUND)


def with_cover_image(book: Book) -> Book:
    image = Image.new("RGB", (300, 500), IMAGE_COLOUR)
    out = io.BytesIO()
    image.save(out, format="PNG")
    cover = Resource("images/cover.png", "image/png", out.getvalue())
    return dataclasses.replace(book, cover=cover, resources=(*book.resources, cover))


def test_author_image_fills_the_front_and_its_bleed(full: Book) -> None:
    book = with_cover_image(full)
    wrap = cover_wrap(book, 200)
    pdf = write_cover(book, 200)
    images = pypdf.PdfReader(io.BytesIO(pdf)).pages[0].images
    assert len(images) == 1 and images[0].image is not None
    assert images[0].image.convert("RGB").getpixel((0, 0)) == IMAGE_COLOUR
    centre = wrap.front_left + wrap.panel / 2
    raster = Raster(pdf)
    assert near(raster.at(centre, wrap.height / 2), IMAGE_COLOUR)
    assert near(raster.at(wrap.width + wrap.bleed / 2, -wrap.bleed / 2), IMAGE_COLOUR)
    assert near(raster.at(wrap.panel / 2, wrap.height / 2), BACKGROUND)
    assert text_in(pdf, (wrap.front_left, 0, wrap.width, wrap.height), wrap.height) == ""


@pytest.mark.parametrize("variant", [None, "pdf/x-4"])
def test_two_builds_give_the_same_bytes(sample: Book, variant: str | None) -> None:
    book = with_print(sample, variant=variant, marks=variant is not None)
    first = write_cover(book, 120)
    assert first == write_cover(book, 120)
    root = pypdf.PdfReader(io.BytesIO(first)).root_object
    assert ("/OutputIntents" in root) == (variant == "pdf/x-4")
    assert (b"<pdfxid:GTS_PDFXVersion>PDF/X-4" in first) == (variant == "pdf/x-4")
