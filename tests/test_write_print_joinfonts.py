"""Every glyph prints: a book laid out in parts and joined prints the very pixels of the book
laid out as one document (code, tables, SVG labels, several scripts, emoji), and no page draws
a .notdef glyph or a glyph left without its outline by the join."""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pikepdf
import pypdfium2 as pdfium
import pytest
from conftest import BOOKS, ROOT
from fontTools.ttLib import TTFont
from PIL import Image, ImageChops

from chapbook.pipeline import build
from chapbook.write.print import parts
from chapbook.write.print import pdf as pdf_writer

BOOK = BOOKS / "print-glyphs"
SCALE = 0.8
"""Pages rendered at 58 dpi: a glyph left empty is 20 to 60 dark pixels gone."""
INK = 64
"""A pixel differs when its grey level differs by more than this."""
NOISE = 4
"""Differing pixels a page may have (anti-aliasing), far fewer than one missing glyph."""


def built(out: Path, jobs: int) -> Path:
    """The test book's print PDF, laid out in parts (jobs > 1) or as one document."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(parts, "PARTS_FROM", 0)  # a short book, laid out in parts all the same
        [output] = build(BOOK, out, ["pdf"], jobs=jobs, cache=None)
    return output.path


@pytest.fixture(scope="module")
def one(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built(tmp_path_factory.mktemp("one"), 1)


@pytest.fixture(scope="module")
def in_parts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    used: list[int] = []
    real = parts.print_in_parts
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pdf_writer, "print_in_parts", lambda *a: used.append(1) or real(*a))
        path = built(tmp_path_factory.mktemp("parts"), 2)
    assert used, "the book was not laid out in parts"
    return path


def rendered(path: Path) -> list[Image.Image]:
    """Every page in grey, rendered by PDFium."""
    document = pdfium.PdfDocument(path.read_bytes())
    try:
        return [page.render(scale=SCALE).to_pil().convert("L") for page in document]
    finally:
        document.close()


def differing(first: Image.Image, second: Image.Image) -> int:
    """How many pixels differ by more than INK grey levels."""
    difference = ImageChops.difference(first, second).point(lambda level: level > INK and 255)
    return int(difference.histogram()[255])


def assert_same_pixels(expected: Path, actual: Path) -> None:
    pages, other = rendered(expected), rendered(actual)
    assert len(pages) == len(other)
    differ = {
        number: count
        for number, (page, page_other) in enumerate(zip(pages, other, strict=True), 1)
        if (count := differing(page, page_other)) > NOISE
    }
    assert differ == {}, f"pages whose pixels differ (page: pixels): {differ}"


def test_parts_print_the_pixels_of_one_document(one: Path, in_parts: Path) -> None:
    assert_same_pixels(one, in_parts)


def test_subsets_are_merged_when_the_font_file_is_not_found(
    one: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without the system's files, a TrueType font's subsets are merged glyph by glyph and a
    CFF font's kept apart: the pages are the same."""
    from chapbook.write.print import joinfonts

    monkeypatch.setattr(joinfonts, "system_original", lambda source: None)
    assert_same_pixels(one, built(tmp_path, 2))


def test_no_glyph_drawn_is_notdef_or_empty(one: Path, in_parts: Path) -> None:
    for path in (one, in_parts):
        assert list(missing_glyphs(path)) == []


def test_each_font_file_is_embedded_once(in_parts: Path) -> None:
    """The join embeds one program for each font file, however many parts and faces use it."""
    with pikepdf.open(in_parts) as pdf:
        names = {program_name(font) for font in fonts_of(pdf)}
        streams = {program_objgen(font) for font in fonts_of(pdf)}
    assert len(streams) == len(names)


# An independent reading of the fonts: for each glyph a font has a width for, its text, its
# glyph (through the font's /Encoding), and whether the embedded program draws it.


def fonts_of(pdf: pikepdf.Pdf) -> Iterator[Any]:
    seen: set[tuple[int, int]] = set()
    for page in pdf.pages:
        for font in page.obj.Resources.get("/Font", {}).values():
            if font.objgen not in seen and font.get("/Subtype") == "/Type0":
                seen.add(font.objgen)
                yield font


def program_of(font: Any) -> Any:
    descriptor = font.DescendantFonts[0].FontDescriptor
    return descriptor.get("/FontFile2") or descriptor.get("/FontFile3")


def program_objgen(font: Any) -> tuple[int, int]:
    return tuple(program_of(font).objgen)  # type: ignore[return-value]


def program_name(font: Any) -> str:
    data = program_of(font).read_bytes()
    return str(TTFont(io.BytesIO(data), lazy=True)["name"].getDebugName(6))


def missing_glyphs(path: Path) -> Iterator[str]:
    """`FONT: notdef|empty U+XXXX` for each glyph drawn without a shape."""
    with pikepdf.open(path) as pdf:
        for font in fonts_of(pdf):
            yield from font_missing(font)


def font_missing(font: Any) -> Iterator[str]:
    descendant = font.DescendantFonts[0]
    text = to_unicode(font.ToUnicode.read_bytes())
    notdef_codes: set[int] = set()
    if isinstance(font.get("/Encoding"), pikepdf.Stream):
        encoding = font.Encoding.read_bytes().decode("latin-1")
        for line in encoding.splitlines():
            parts_ = line.split()
            if len(parts_) == 2 and parts_[0].startswith("<") and parts_[1] == "0":
                notdef_codes.add(int(parts_[0][1:-1], 16))
    program = TTFont(io.BytesIO(program_of(font).read_bytes()))
    order = program.getGlyphOrder()
    for glyph, width in widths_of(descendant.get("/W", [])):
        chars = text.get(glyph, "")
        if not any(unicodedata.category(c)[0] not in "CZ" for c in chars):
            continue
        name = f"{font.BaseFont} U+{ord(chars[0]):04X}"
        if glyph == 0 or glyph in notdef_codes:
            yield f"{name}: notdef"
        elif width and (glyph >= len(order) or not draws(program, order[glyph])):
            yield f"{name}: empty"  # (a font may draw a mark as an empty glyph of no width)


def draws(program: Any, name: str) -> bool:
    if "glyf" in program:
        return bool(program["glyf"][name].numberOfContours != 0)
    charstrings = program["CFF "].cff.topDictIndex[0].CharStrings
    return charstrings[name].calcBounds(charstrings) is not None


def widths_of(widths: Any) -> Iterator[tuple[int, float]]:
    """Each glyph of a /W array, with its width."""
    items, index = list(widths), 0
    while index + 1 < len(items):
        first = int(items[index])
        if isinstance(items[index + 1], pikepdf.Array):
            yield from ((first + i, float(w)) for i, w in enumerate(items[index + 1]))
            index += 2
        else:
            width = float(items[index + 2])
            yield from ((glyph, width) for glyph in range(first, int(items[index + 1]) + 1))
            index += 3


def to_unicode(cmap: bytes) -> dict[int, str]:
    found = {}
    for line in cmap.decode("latin-1").splitlines():
        fields = line.replace("><", "> <").split()
        if len(fields) == 2 and all(f.startswith("<") for f in fields):
            glyph, chars = (f[1:-1] for f in fields)
            found[int(glyph, 16)] = bytes.fromhex(chars).decode("utf-16-be", "replace")
    return found


def test_fonts_of_one_name_from_different_files_are_kept_apart() -> None:
    """Two parts whose fonts have one BaseFont (one @font-face family) but different files:
    each keeps its own glyphs."""
    import weasyprint

    from chapbook.read.manuscript import read_book
    from chapbook.support.cache import Cache
    from chapbook.write.print.joinfonts import share_fonts

    def part(file: str, text: str) -> bytes:
        url = (ROOT / "src" / "chapbook" / "styles" / "fonts" / file).as_uri()
        style = f"@font-face {{ font-family: X; src: url({url}) }} p {{ font-family: X }}"
        html = f"<style>{style}</style><p>{text}</p>"
        return bytes(weasyprint.HTML(string=html).write_pdf())

    sources = [
        part("EBGaramond12-Regular.ttf", "Quiet"),
        part("EBGaramondSC12-Regular.ttf", "Wavy"),
    ]
    joined = pikepdf.new()
    for source in sources:
        joined.pages.extend(pikepdf.open(io.BytesIO(source)).pages)
    assert len({str(font.BaseFont) for font in fonts_of(joined)}) == 1
    share_fonts(joined, read_book(BOOK), Cache(None))
    out = io.BytesIO()
    joined.save(out)
    pages = rendered_bytes(out.getvalue())
    for page, source in zip(pages, sources, strict=True):
        assert differing(page, rendered_bytes(source)[0]) <= NOISE


def rendered_bytes(pdf: bytes) -> list[Image.Image]:
    document = pdfium.PdfDocument(pdf)
    try:
        return [page.render(scale=SCALE).to_pil().convert("L") for page in document]
    finally:
        document.close()
