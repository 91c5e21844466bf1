"""A plain generated cover: the title, subtitle and authors on a dark page, as a PNG."""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont

from chapbook.model.book import FONT_FOLDER, Book, Resource

WIDTH, HEIGHT = 1600, 2400
MARGIN = 180
BACKGROUND = (27, 34, 46)
INK = (241, 233, 216)
MUTED = (190, 180, 160)
FONT_HREF = FONT_FOLDER + "EBGaramond12-Regular.ttf"
COVER_HREF = "chapbook-cover.png"
SMALLEST_SIZE = 24

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@dataclass(frozen=True)
class Box:
    """Where a block of text goes: its vertical band, starting size and colour."""

    top: int
    height: int
    size: int
    colour: tuple[int, int, int]


TITLE = Box(top=520, height=880, size=160, colour=INK)
SUBTITLE = Box(top=1420, height=320, size=84, colour=MUTED)
AUTHORS = Box(top=1900, height=320, size=88, colour=INK)
RULE_Y = 1820


def generate_cover(book: Book) -> Resource:
    """A 1600x2400 PNG cover for `book`, the same bytes on every run."""
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(image)
    font_data = _font_data(book)
    metadata = book.metadata
    _draw_block(draw, [metadata.title], TITLE, font_data)
    if metadata.subtitle:
        _draw_block(draw, [metadata.subtitle], SUBTITLE, font_data)
    if metadata.authors:
        draw.line([(WIDTH / 2 - 120, RULE_Y), (WIDTH / 2 + 120, RULE_Y)], fill=MUTED, width=3)
        _draw_block(draw, list(metadata.authors), AUTHORS, font_data)
    return Resource(href=COVER_HREF, media_type="image/png", data=_png(image))


def _font_data(book: Book) -> bytes | None:
    """The bytes of the book's serif font, if the book carries it."""
    for resource in book.resources:
        if resource.href == FONT_HREF:
            return resource.data
    return None


def _font(font_data: bytes | None, size: int) -> Font:
    if font_data is None:
        return ImageFont.load_default(size)
    return ImageFont.truetype(io.BytesIO(font_data), size)


def _draw_block(
    draw: ImageDraw.ImageDraw, paragraphs: list[str], box: Box, font_data: bytes | None
) -> None:
    """Draw the paragraphs centred in `box`, shrinking the type until they fit."""
    size, lines = _fit(draw, paragraphs, box, font_data)
    font = _font(font_data, size)
    leading = round(size * 1.25)
    y = box.top + (box.height - leading * len(lines)) / 2
    for line in lines:
        x = (WIDTH - draw.textlength(line, font=font)) / 2
        draw.text((x, y), line, font=font, fill=box.colour)
        y += leading


def _fit(
    draw: ImageDraw.ImageDraw, paragraphs: list[str], box: Box, font_data: bytes | None
) -> tuple[int, list[str]]:
    """The largest size up to `box.size` at which the wrapped paragraphs fit, and the lines."""
    size = box.size
    while True:
        font = _font(font_data, size)
        lines = [line for text in paragraphs for line in _wrap(draw, text, font)]
        wide = any(draw.textlength(line, font=font) > WIDTH - 2 * MARGIN for line in lines)
        tall = round(size * 1.25) * len(lines) > box.height
        if size <= SMALLEST_SIZE or not (wide or tall):
            return size, lines
        size = max(SMALLEST_SIZE, round(size * 0.9))


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: Font) -> list[str]:
    """Greedy word wrap to the width between the margins."""
    lines: list[str] = []
    for word in text.split():
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and draw.textlength(candidate, font=font) <= WIDTH - 2 * MARGIN:
            lines[-1] = candidate
        else:
            lines.append(word)
    return lines


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
