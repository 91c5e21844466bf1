"""PDF preflight: the checks a printer runs on a file before accepting it (faults it rejects,
warnings it asks about). Design: docs/architecture.md, 'Preflight'."""

from __future__ import annotations

import dataclasses
import functools
import io
import itertools
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pypdf import PageObject, PdfReader
from pypdf.errors import PyPdfError
from pypdf.generic import (
    ContentStream,
    DictionaryObject,
    NameObject,
    StreamObject,
)

from chapbook.model.book import PT_PER_MM, PageSize, PrintSettings
from chapbook.verify.clipping import IDENTITY, Box, Matrix, multiply, outside_trim
from chapbook.verify.pdfglyphs import MissingGlyphs, missing_glyphs
from chapbook.verify.pdfread import LazyReader

MM_PER_PT = 1 / PT_PER_MM
PRINT_DPI = 300
"""Images placed below this resolution get a warning."""
LOW_DPI = 150
"""Below this, the warning calls the image too low for print."""
BOX_TOLERANCE_PT = 0.01
TRIM_TOLERANCE_MM = 0.3
BLEED_TOLERANCE_MM = 0.1
FONT_FILES = ("/FontFile", "/FontFile2", "/FontFile3")
SUBSET_PREFIX = re.compile(r"^[A-Z]{6}\+")
MAX_DEPTH = 24
"""How deep Form XObjects and patterns are followed inside one another."""
PDFX_INTENT = "/GTS_PDFX"
RDF_DESCRIPTION = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}Description"
XMP_IDS = {
    "{http://www.npes.org/pdfx/ns/id/}GTS_PDFXVersion": "pdfx",
    "{http://ns.adobe.com/pdfx/1.3/}GTS_PDFXVersion": "pdfx",
    "{http://www.aiim.org/pdfa/ns/id/}part": "pdfa",
    "{http://www.aiim.org/pdfa/ns/id/}conformance": "pdfa-conformance",
    "{http://www.aiim.org/pdfua/ns/id/}part": "pdfua",
}
"""The XMP properties that declare a PDF variant, by their expanded names."""


@dataclass(frozen=True)
class Finding:
    fault: bool
    """True: a printer would reject the file; False: a warning."""
    message: str

    def __str__(self) -> str:
        return f"{'fault' if self.fault else 'warning'}: {self.message}"


@dataclass(frozen=True)
class ImagePlacement:
    """One drawing of a raster image: where, how many pixels, how large, how sharp."""

    page: int
    name: str
    """The name given in `image_names`, else the image's resource name in the PDF."""
    pixels: tuple[int, int]
    size_mm: tuple[float, float]
    dpi: float
    """The effective resolution: the lower of the horizontal and the vertical one."""


@dataclass(frozen=True)
class Report:
    pages: int
    trim_mm: tuple[float, float]
    """Page 1's TrimBox, or its MediaBox when it has none."""
    bleed_mm: float
    """The smallest distance from a TrimBox to its BleedBox; 0 without BleedBoxes."""
    variant: str | None
    """The variants the file declares ('PDF/X-4', 'PDF/A-2B, PDF/UA-1'), None for a plain PDF."""
    fonts: tuple[str, ...]
    """Base names of the fonts drawn with, subset prefixes removed, sorted."""
    images: tuple[ImagePlacement, ...]
    findings: tuple[Finding, ...]
    unembedded_fonts: tuple[str, ...] = ()

    @property
    def faults(self) -> tuple[Finding, ...]:
        return tuple(finding for finding in self.findings if finding.fault)

    def lines(self) -> list[str]:
        """A short report for people: the file, its fonts, its images, then the findings."""
        findings = sorted(self.findings, key=lambda finding: not finding.fault)
        return [self._summary(), self._fonts_line(), self._images_line()] + [
            str(finding) for finding in findings
        ]

    def _summary(self) -> str:
        pages = "1 page" if self.pages == 1 else f"{self.pages} pages"
        trim, bleed = format_size(self.trim_mm), format_mm(self.bleed_mm)
        return f"{pages}, trim {trim} mm, bleed {bleed} mm, {self.variant or 'plain PDF'}"

    def _fonts_line(self) -> str:
        if not self.fonts:
            return "fonts: none"
        missing = len(self.unembedded_fonts)
        state = f"{missing} not embedded" if missing else "all embedded"
        return f"fonts: {', '.join(self.fonts)}; {state}"

    def _images_line(self) -> str:
        low = sum(1 for image in self.images if image.dpi < PRINT_DPI)
        return f"images: {len(self.images)}, {low or 'none'} under {PRINT_DPI} dpi"


def preflight(
    pdf: bytes,
    expected: PrintSettings | None = None,
    *,
    image_names: Mapping[str, str] | None = None,
    drawn: Drawn | None = None,
) -> Report:
    """Check `pdf` as a printer would, against the book's print settings when given.

    `image_names` maps image resource names (without the slash) to names for the report;
    `drawn`, when given, is what the pages draw, already read (from the parts a book was laid
    out in: see `drawn_on`), so the pages' contents are not read again.
    Raises ValueError if the bytes are not a PDF that can be read.
    """
    reader = open_pdf(pdf)
    try:
        return check(reader, expected, image_names or {}, drawn)
    except READ_ERRORS as error:
        raise ValueError(f"the PDF cannot be read: {error}") from error


READ_ERRORS = (PyPdfError, KeyError, TypeError, AttributeError, ValueError, AssertionError)
"""What pypdf raises on a malformed file (it asserts some things, such as `1 0 R` appearing in
a content stream)."""


def open_pdf(pdf: bytes) -> PdfReader:
    if b"%PDF-" not in pdf[:1024]:
        raise ValueError("not a PDF: the file does not start with a %PDF- header")
    try:
        reader = LazyReader(io.BytesIO(pdf))
        len(reader.pages)
    except READ_ERRORS as error:
        raise ValueError(f"the PDF cannot be read: {error}") from error
    return reader


def check(
    reader: PdfReader,
    expected: PrintSettings | None,
    names: Mapping[str, str],
    known: Drawn | None = None,
) -> Report:
    pages = list(reader.pages)
    if known is None:
        drawing = walking(pages, names)
        drawn, fonts = drawing.drawn(), list(drawing.font_objects.values())
    else:  # what the parts drew: their fonts are now the joined file's
        drawn, fonts = known, list(resource_fonts(pages))
    trim, bleed = trim_mm(pages), bleed_mm(pages)
    variants = declared_variants(reader)
    findings = [
        *page_count_findings(len(pages)),
        *box_findings(pages),
        *font_findings(drawn),
        *glyph_findings(fonts, drawn),
        *image_findings(drawn),
        *(Finding(True, cut) for cut in outside_trim(reader.stream)),
    ]
    if expected is not None:
        findings += trim_findings(trim, expected.trim) + bleed_findings(bleed, expected.bleed_mm)
        findings += variant_findings(reader, variants, expected.variant)
    return Report(
        pages=len(pages),
        trim_mm=trim,
        bleed_mm=bleed,
        variant=", ".join(variants) or None,
        fonts=tuple(sorted(drawn.fonts)),
        images=tuple(drawn.images),
        findings=tuple(findings),
        unembedded_fonts=tuple(sorted(drawn.unembedded)),
    )


# What the pages draw


@dataclass(frozen=True)
class Drawn:
    """What pages draw: each font (by name) and the first page it is drawn on, those not
    embedded, and each placement of a raster image."""

    fonts: dict[str, int]
    unembedded: dict[str, int]
    images: tuple[ImagePlacement, ...]

    def after(self, pages: int) -> Drawn:
        """The same, on pages numbered `pages` further on."""
        return Drawn(
            {name: page + pages for name, page in self.fonts.items()},
            {name: page + pages for name, page in self.unembedded.items()},
            tuple(dataclasses.replace(image, page=image.page + pages) for image in self.images),
        )

    def then(self, other: Drawn) -> Drawn:
        """What these pages draw, then `other`'s pages (numbered after these)."""
        return Drawn(
            other.fonts | self.fonts,
            other.unembedded | self.unembedded,
            self.images + other.images,
        )


def drawn_on(pdf: bytes, pages: int, names: Mapping[str, str]) -> Drawn:
    """What the first `pages` pages of `pdf` draw."""
    reader = open_pdf(pdf)
    try:
        return walk_pages(list(reader.pages)[:pages], names)
    except READ_ERRORS as error:
        raise ValueError(f"the PDF cannot be read: {error}") from error


def walk_pages(pages: Sequence[PageObject], names: Mapping[str, str]) -> Drawn:
    return walking(pages, names).drawn()


def walking(pages: Sequence[PageObject], names: Mapping[str, str]) -> Drawing:
    """The pages walked: what they draw, and the font dictionaries they draw with."""
    drawing = Drawing(names)
    for number, page in enumerate(pages, 1):
        drawing.walk_page(number, page)
    return drawing


def font_findings(drawn: Drawn) -> list[Finding]:
    return [
        Finding(True, f"page {page}: font '{name}' is not embedded")
        for name, page in sorted(drawn.unembedded.items(), key=lambda item: item[1])
    ]


def glyph_findings(fonts: Sequence[DictionaryObject], drawn: Drawn) -> list[Finding]:
    """A fault for each font that draws characters with its .notdef glyph or with glyphs
    its embedded program has no outline for (pdfglyphs.py), at the first page it is drawn on."""
    findings = []
    by_name: dict[str, list[MissingGlyphs]] = {}
    for font in fonts:
        missing = missing_glyphs(font)
        if missing:
            by_name.setdefault(font_facts(font)[0], []).append(missing)
    for name, found in sorted(by_name.items(), key=lambda item: drawn.fonts.get(item[0], 0)):
        joined = MissingGlyphs(
            tuple(dict.fromkeys(text for one in found for text in one.notdef)),
            tuple(dict.fromkeys(text for one in found for text in one.empty)),
        )
        page = drawn.fonts.get(name)
        where = f"page {page}: " if page is not None else ""
        findings += [Finding(True, where + message) for message in joined.messages(name)]
    return findings


def resource_fonts(pages: Sequence[PageObject]) -> Iterator[DictionaryObject]:
    """Every font dictionary the pages' resources (and their forms') name, once each."""
    seen: set[int] = set()
    stack: list[Any] = [entry(page, "/Resources") for page in pages]
    forms: set[int] = set()
    while stack:
        resources = stack.pop()
        if not isinstance(resources, DictionaryObject):
            continue
        fonts = entry(resources, "/Font")
        for reference in fonts.values() if isinstance(fonts, DictionaryObject) else ():
            font = reference.get_object()
            key = getattr(reference, "idnum", None) or id(font)
            if isinstance(font, DictionaryObject) and key not in seen:
                seen.add(key)
                yield font
        xobjects = entry(resources, "/XObject")
        for reference in xobjects.values() if isinstance(xobjects, DictionaryObject) else ():
            xobject = reference.get_object()
            key = getattr(reference, "idnum", None) or id(xobject)
            if isinstance(xobject, StreamObject) and key not in forms:
                forms.add(key)
                stack.append(entry(xobject, "/Resources"))


def image_findings(drawn: Drawn) -> list[Finding]:
    return [image_finding(image) for image in drawn.images if image.dpi < PRINT_DPI]


class Drawing:
    """Walks the pages' content streams with the current transformation matrix, noting the
    fonts drawn with (and the first page of each) and where each raster image is placed."""

    def __init__(self, names: Mapping[str, str]) -> None:
        self.names = names
        self.fonts: dict[str, int] = {}
        self.unembedded: dict[str, int] = {}
        self.images: list[ImagePlacement] = []
        self.page = 0
        self._active: list[int] = []
        self._patterns: set[int] = set()
        self._parsed: dict[int, list[Operation]] = {}
        self._font_facts: dict[int, tuple[str, bool]] = {}
        self.font_objects: dict[int, DictionaryObject] = {}
        """Each font dictionary drawn with, by its id."""

    def drawn(self) -> Drawn:
        return Drawn(self.fonts, self.unembedded, tuple(self.images))

    def walk_page(self, number: int, page: PageObject) -> None:
        self.page, self._patterns = number, set()
        contents = page.get_contents()
        if contents is not None:
            self._walk(operations(contents), resources_of(page, DictionaryObject()), IDENTITY)

    def _walk(self, walked: list[Operation], resources: DictionaryObject, base: Matrix) -> None:
        ctm, saved = base, []
        for operator, operand in walked:
            if operator == PUSH:
                saved.append(ctm)
            elif operator == POP:
                ctm = saved.pop() if saved else base
            elif operator == CONCAT:
                ctm = multiply(operand, ctm)
            elif operator == FONT:
                self._use_font(lookup(resources, "/Font", operand))
            elif operator == XOBJECT:
                self._draw_xobject(resources, operand, ctm)
            elif operator == PATTERN:
                self._fill_with_pattern(lookup(resources, "/Pattern", operand), base)
            elif operator == INLINE_IMAGE:
                self._place("inline image", operand, ctm)

    def _use_font(self, font: Any) -> None:
        if not isinstance(font, DictionaryObject):
            return
        if id(font) not in self._font_facts:
            self._font_facts[id(font)] = font_facts(font)
            self.font_objects[id(font)] = font
        name, embedded = self._font_facts[id(font)]
        self.fonts.setdefault(name, self.page)
        if not embedded:
            self.unembedded.setdefault(name, self.page)

    def _draw_xobject(self, resources: DictionaryObject, name: str, ctm: Matrix) -> None:
        xobject = lookup(resources, "/XObject", name)
        if not isinstance(xobject, StreamObject):
            return
        if entry(xobject, "/Subtype") == "/Image":
            label = self.names.get(name[1:], name[1:])
            self._place(label, (entry(xobject, "/Width"), entry(xobject, "/Height")), ctm)
        elif entry(xobject, "/Subtype") == "/Form":
            self._walk_inner(
                xobject, resources, multiply(matrix_of(entry(xobject, "/Matrix")), ctm)
            )

    def _fill_with_pattern(self, pattern: Any, base: Matrix) -> None:
        """A tiling pattern's cells are drawn in the pattern's own space: its Matrix maps
        that onto the space the current stream began in, wherever the fill happens."""
        if not isinstance(pattern, StreamObject) or id(pattern) in self._patterns:
            return
        self._patterns.add(id(pattern))
        self._walk_inner(
            pattern, DictionaryObject(), multiply(matrix_of(entry(pattern, "/Matrix")), base)
        )

    def _walk_inner(self, stream: StreamObject, outer: DictionaryObject, base: Matrix) -> None:
        """Walk a Form XObject or a pattern cell, unless it is already being walked."""
        if id(stream) in self._active or len(self._active) >= MAX_DEPTH:
            return
        self._active.append(id(stream))
        self._walk(self._operations(stream), resources_of(stream, outer), base)
        self._active.pop()

    def _operations(self, stream: StreamObject) -> list[Operation]:
        if id(stream) not in self._parsed:
            self._parsed[id(stream)] = operations(ContentStream(stream, None))
        return self._parsed[id(stream)]

    def _place(self, name: str, pixels: tuple[Any, Any], ctm: Matrix) -> None:
        placement = image_placement(self.page, name, (int(pixels[0]), int(pixels[1])), ctm)
        if placement is not None:
            self.images.append(placement)


# Reading content streams

Operation = tuple[int, Any]
"""One operator preflight interprets, with what it needs of its operands: a Matrix for
CONCAT, a resource name for FONT, XOBJECT and PATTERN, the (unchecked) width and height of an
INLINE_IMAGE, nothing for PUSH and POP."""
PUSH, POP, CONCAT, FONT, XOBJECT, PATTERN, INLINE_IMAGE = range(7)
REFERENCE = 7
"""Not an operation: `R` is an operator only to the fast reading; pypdf reads `1 0 R` as a
reference to an object, and fails on it."""


class Unsure(Exception):
    """The fast reading met something it does not read exactly as pypdf does."""


def operations(contents: ContentStream) -> list[Operation]:
    """What preflight interprets of a content stream, in order: read fast when it can be,
    else from pypdf's parse of the stream."""
    try:
        return fast_operations(contents.get_data())
    except Unsure:
        return pypdf_operations(contents.operations)


def pypdf_operations(parsed: list[tuple[Any, bytes]]) -> list[Operation]:
    """The operations preflight interprets, out of pypdf's parse of a content stream."""
    found: list[Operation] = []
    for operands, operator in parsed:
        if operator == b"q":
            found.append((PUSH, None))
        elif operator == b"Q":
            found.append((POP, None))
        elif operator == b"cm":
            found.append((CONCAT, matrix_of(operands)))
        elif operator == b"Tf" and operands:
            found.append((FONT, operands[0]))
        elif operator == b"Do" and operands:
            found.append((XOBJECT, operands[0]))
        elif operator in (b"scn", b"SCN") and operands and isinstance(operands[-1], NameObject):
            found.append((PATTERN, operands[-1]))
        elif operator == b"INLINE IMAGE":
            settings = operands["settings"]
            pixels = (
                settings.get("/W", settings.get("/Width")),
                settings.get("/H", settings.get("/Height")),
            )
            found.append((INLINE_IMAGE, pixels))
    return found


WS = rb"[\t\n\x0c\r ]"
REGULAR = rb"[^\t\n\x0c\r ()<>\[\]{}/%]"
"""A byte that is part of a name, number or operator. (Streams with a NUL or a vertical tab,
which pypdf counts as whitespace in some places and not in others, are left to pypdf.)"""
HEX = rb"<[0-9A-Fa-f\t\n\x0c\r ]*+>"
NUMBER = rb"[+,\-.0-9]++"
"""What pypdf reads as a number (it reads a malformed one as 0)."""
VALID_NUMBER = re.compile(rb"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)")


def literal(depth: int) -> bytes:
    """A literal string with parentheses nested up to `depth` deep inside it."""
    inner = rb"[^()\\]++|\\."
    if depth:
        inner += b"|" + literal(depth - 1)
    return rb"\((?:" + inner + rb")*+\)"


LITERAL = literal(3)
SIMPLE = rb"(?:" + WS + rb"++|" + HEX + b"|" + LITERAL + b"|" + NUMBER + rb"|/" + REGULAR + b"*+)"
"""The things an array or dictionary can be skipped over whole as made of."""
TOKEN = re.compile(
    rb"(?:" + WS + rb"++|%[^\r\n]*+)*+"  # whitespace and comments before the token
    rb"(?:"
    rb"([A-Za-z'\"]" + REGULAR + rb"*+)"  # 1: an operator
    rb"|(/" + REGULAR + rb"*+)"  # 2: a name
    rb"|(" + NUMBER + rb")"  # 3: a number
    rb"|(" + HEX + b"|" + LITERAL + rb"|\[" + SIMPLE + rb"*+\]|<<" + SIMPLE + rb"*+>>)"  # 4
    rb"|(\[|<<)"  # 5: an array or dictionary to read token by token
    rb"|(\]|>>)"  # 6: its end
    rb"|(.)"  # 7: anything else
    rb"|\Z"  # (after a last comment or whitespace)
    rb")",
    re.DOTALL,
)
"""One token of a content stream; group 4 is a whole string, or a whole array or dictionary
of simple things, which is an operand preflight never looks inside."""
KEPT = {b"q": PUSH, b"Q": POP, b"cm": CONCAT, b"Tf": FONT, b"Do": XOBJECT}
KEPT.update({b"scn": PATTERN, b"SCN": PATTERN, b"BI": INLINE_IMAGE, b"R": REFERENCE})
IN_ARRAYS = (b"true", b"false", b"null")
"""The only words pypdf reads inside an array or a dictionary of a content stream."""


def fast_operations(data: bytes) -> list[Operation]:
    """The operations preflight interprets, read with one regular expression.

    Operands are kept as the bytes of names and numbers, and None for strings, arrays and
    dictionaries. Raises Unsure when the stream holds anything this reading could get wrong."""
    if b"\x00" in data or b"\x0b" in data:
        raise Unsure
    found: list[Operation] = []
    operands: list[bytes | None] = []
    closers: list[bytes] = []
    for operator, name, number, whole, opener, closer, other in TOKEN.findall(data):
        if closers:
            if closer:
                if closer != closers.pop():
                    raise Unsure
                if not closers:
                    operands.append(None)
            elif opener:
                closers.append(b"]" if opener == b"[" else b">>")
            elif other or (operator and operator not in IN_ARRAYS):
                raise Unsure
        elif operator:
            kept = KEPT.get(operator)
            if kept is not None and (operation := kept_operation(kept, operands)) is not None:
                found.append(operation)
            operands = []
        elif name or number:
            operands.append(name or number)
        elif whole:
            operands.append(None)
        elif opener:
            closers.append(b"]" if opener == b"[" else b">>")
        elif closer or other:
            raise Unsure
    if closers:
        raise Unsure
    return found


def kept_operation(kept: int, operands: list[bytes | None]) -> Operation | None:
    """One operation with its operands as `pypdf_operations` would make it; None where that
    makes none (a font or XObject without a name, a colour that is not a pattern)."""
    if kept in (PUSH, POP):
        return kept, None
    if kept == CONCAT:
        if len(operands) != 6 or not all(is_number(value) for value in operands):
            raise Unsure
        a, b, c, d, e, f = (float(value) for value in operands if value is not None)
        return kept, (a, b, c, d, e, f)
    if kept in (FONT, XOBJECT):
        if not operands:
            return None
        first = operands[0]
        if first is None or not first.startswith(b"/"):
            raise Unsure
        return kept, name_of(first)
    if kept == PATTERN:
        last = operands[-1] if operands else None
        if last is None or not last.startswith(b"/"):
            return None
        return kept, name_of(last)
    raise Unsure  # an inline image, or a reference


def is_number(value: bytes | None) -> bool:
    """Whether an operand is a number that pypdf reads as Python does (not as 0)."""
    return value is not None and VALID_NUMBER.fullmatch(value) is not None


@functools.lru_cache(maxsize=4096)
def name_of(token: bytes) -> NameObject:
    """The name a token reads as (names may escape bytes as #xx), as pypdf reads it."""
    try:
        return NameObject.read_from_stream(io.BytesIO(token), None)
    except READ_ERRORS as error:
        raise Unsure from error


def resources_of(stream: DictionaryObject, outer: DictionaryObject) -> DictionaryObject:
    """A page's or stream's /Resources; a form without them uses its parent's."""
    resources = entry(stream, "/Resources")
    return resources if isinstance(resources, DictionaryObject) else outer


def lookup(resources: DictionaryObject, kind: str, name: str) -> Any:
    """The resource `name` of `kind` (/Font, /XObject, /Pattern), resolved; None if absent."""
    table = entry(resources, kind)
    if not isinstance(table, DictionaryObject) or name not in table:
        return None
    return table[name].get_object()


def font_facts(font: DictionaryObject) -> tuple[str, bool]:
    """The font's base name without a subset prefix, and whether its program is embedded.

    Type0 fonts keep their program in the descendant font; Type3 fonts draw their glyphs
    with PDF operators, which are always in the file."""
    name = SUBSET_PREFIX.sub("", str(entry(font, "/BaseFont") or "/unnamed font")[1:])
    if entry(font, "/Subtype") == "/Type3":
        return name, True
    described = font
    descendants = entry(font, "/DescendantFonts")
    if entry(font, "/Subtype") == "/Type0" and descendants:
        described = resolved(descendants[0])
    descriptor = entry(described, "/FontDescriptor")
    embedded = isinstance(descriptor, DictionaryObject) and any(
        key in descriptor for key in FONT_FILES
    )
    return name, embedded


def resolved(value: Any) -> Any:
    """`value` with an indirect reference followed; None stays None."""
    return value.get_object() if value is not None else None


def entry(dictionary: DictionaryObject, key: str) -> Any:
    """`dictionary[key]` resolved, None if absent (pypdf's `get` does not resolve)."""
    return resolved(dictionary.get(key))


def matrix_of(values: Iterable[Any] | None) -> Matrix:
    if values is None:
        return IDENTITY
    a, b, c, d, e, f = (float(resolved(value)) for value in values)
    return (a, b, c, d, e, f)


def image_placement(
    page: int, name: str, pixels: tuple[int, int], ctm: Matrix
) -> ImagePlacement | None:
    """An image drawn with `ctm` fills the unit square that the matrix maps onto the page."""
    a, b, c, d, _, _ = ctm
    width_pt, height_pt = math.hypot(a, b), math.hypot(c, d)
    if min(width_pt, height_pt) < 1e-6 or min(pixels) <= 0:
        return None
    dpi = min(pixels[0] / (width_pt / 72), pixels[1] / (height_pt / 72))
    size = (width_pt * MM_PER_PT, height_pt * MM_PER_PT)
    return ImagePlacement(page, name, pixels, size, dpi)


def image_finding(image: ImagePlacement) -> Finding:
    verdict = "too low for print" if image.dpi < LOW_DPI else f"under {PRINT_DPI} dpi"
    where = f"page {image.page}: {image.name}"
    return Finding(
        False, f"{where} {image.dpi:.0f} dpi at {format_size(image.size_mm)} mm, {verdict}"
    )


# Pages and their boxes


def page_count_findings(count: int) -> list[Finding]:
    if count == 0:
        return [Finding(True, "the PDF has no pages")]
    if count % 2:
        return [Finding(False, f"{count} pages, an odd count: most printers add a blank page")]
    return []


def box(page: PageObject, key: str) -> Box | None:
    value = entry(page, key)
    if value is None:
        return None
    x0, y0, x1, y1 = (float(resolved(number)) for number in value)
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


def trim_box(page: PageObject) -> Box | None:
    return box(page, "/TrimBox") or box(page, "/MediaBox")


def within(inner: Box, outer: Box) -> bool:
    return (
        inner[0] >= outer[0] - BOX_TOLERANCE_PT
        and inner[1] >= outer[1] - BOX_TOLERANCE_PT
        and inner[2] <= outer[2] + BOX_TOLERANCE_PT
        and inner[3] <= outer[3] + BOX_TOLERANCE_PT
    )


def box_faults(page: PageObject) -> list[str]:
    """What is wrong with one page's boxes: each box must lie within the next one out."""
    if box(page, "/MediaBox") is None:
        return ["has no MediaBox"]
    nested = [(key, box(page, key)) for key in ("/TrimBox", "/BleedBox", "/MediaBox")]
    present = [(key[1:], value) for key, value in nested if value is not None]
    return [
        f"{inner} is not within the {outer}"
        for (inner, inner_box), (outer, outer_box) in itertools.pairwise(present)
        if not within(inner_box, outer_box)
    ]


def box_findings(pages: list[PageObject]) -> list[Finding]:
    """One fault per kind of box problem, naming its first page and how many others."""
    pages_by_fault: dict[str, list[int]] = {}
    for number, page in enumerate(pages, 1):
        for fault in box_faults(page):
            pages_by_fault.setdefault(fault, []).append(number)
    findings = [
        Finding(True, f"page {numbers[0]}{others(len(numbers) - 1)}: {fault}")
        for fault, numbers in pages_by_fault.items()
    ]
    return findings + size_findings(pages)


def others(count: int) -> str:
    if count == 0:
        return ""
    return f" (and {count} other page{'s' if count > 1 else ''})"


def size_of(page_box: Box) -> tuple[float, float]:
    return (
        (page_box[2] - page_box[0]) * MM_PER_PT,
        (page_box[3] - page_box[1]) * MM_PER_PT,
    )


def size_findings(pages: list[PageObject]) -> list[Finding]:
    """A fault at the first page whose trim size differs from page 1's."""
    boxes = [trim_box(page) for page in pages]
    sizes = [(number, size_of(b)) for number, b in enumerate(boxes, 1) if b is not None]
    for number, size in sizes[1:]:
        first = sizes[0][1]
        if max(abs(size[0] - first[0]), abs(size[1] - first[1])) > BOX_TOLERANCE_PT * MM_PER_PT:
            differs = (
                f"trim is {format_size(size)} mm, page {sizes[0][0]}'s is {format_size(first)}"
            )
            message = f"page {number}: {differs} mm"
            return [Finding(True, message)]
    return []


def trim_mm(pages: list[PageObject]) -> tuple[float, float]:
    first = trim_box(pages[0]) if pages else None
    return size_of(first) if first is not None else (0.0, 0.0)


def bleed_mm(pages: list[PageObject]) -> float:
    """The smallest margin, over all sides of all pages, between TrimBox and BleedBox."""
    margins = [page_bleed(page) for page in pages]
    return min(margins, default=0.0)


def page_bleed(page: PageObject) -> float:
    bleed, trim = box(page, "/BleedBox"), trim_box(page)
    if bleed is None or trim is None:
        return 0.0
    sides = (trim[0] - bleed[0], trim[1] - bleed[1], bleed[2] - trim[2], bleed[3] - trim[3])
    return max(0.0, min(sides) * MM_PER_PT)


# What book.toml asks for


def trim_findings(trim: tuple[float, float], wanted: PageSize) -> list[Finding]:
    wanted_mm = (wanted.width_mm, wanted.height_mm)
    if all(
        abs(have - want) <= TRIM_TOLERANCE_MM for have, want in zip(trim, wanted_mm, strict=True)
    ):
        return []
    asked = f"{format_size(wanted_mm)} mm ({wanted.name})"
    message = f"trim is {format_size(trim)} mm, book.toml asks for {asked}"
    return [Finding(True, message)]


def bleed_findings(bleed: float, wanted: float) -> list[Finding]:
    if abs(bleed - wanted) <= BLEED_TOLERANCE_MM:
        return []
    return [
        Finding(True, f"bleed is {format_mm(bleed)} mm, book.toml asks for {format_mm(wanted)} mm")
    ]


def variant_findings(reader: PdfReader, variants: list[str], wanted: str | None) -> list[Finding]:
    """The file must declare the variant asked for; PDF/X also needs a PDF/X output intent."""
    if wanted is None:
        return []
    findings = []
    if not any(variant.lower().startswith(wanted.lower()) for variant in variants):
        declared = ", ".join(variants) or "none"
        findings.append(
            Finding(True, f"book.toml asks for {wanted.upper()}, the file declares {declared}")
        )
    if wanted.lower().startswith("pdf/x") and PDFX_INTENT not in output_intents(reader):
        findings.append(
            Finding(True, f"{wanted.upper()} needs a GTS_PDFX output intent; the file has none")
        )
    return findings


def output_intents(reader: PdfReader) -> list[str]:
    """The subtypes (/S) of the document's output intents."""
    intents = entry(reader.root_object, "/OutputIntents") or []
    return [str(entry(resolved(intent), "/S")) for intent in intents]


def declared_variants(reader: PdfReader) -> list[str]:
    """'PDF/X-4', 'PDF/A-2B', 'PDF/UA-1'... as the XMP metadata (or, for older PDF/X, the
    document information) declares them."""
    ids = xmp_ids(reader)
    info = reader.metadata
    found = []
    pdfx = ids.get("pdfx") or (entry(info, "/GTS_PDFXVersion") if info is not None else None)
    if pdfx:
        found.append(str(pdfx))
    if "pdfa" in ids:
        found.append(f"PDF/A-{ids['pdfa']}{ids.get('pdfa-conformance', '').upper()}")
    if "pdfua" in ids:
        found.append(f"PDF/UA-{ids['pdfua']}")
    return found


def xmp_ids(reader: PdfReader) -> dict[str, str]:
    """The variant-declaring properties of the XMP metadata, whether written as elements or
    as attributes of an rdf:Description; empty if there is no (readable) XMP."""
    metadata = entry(reader.root_object, "/Metadata")
    if metadata is None:
        return {}
    try:
        tree = ET.fromstring(metadata.get_data())
    except ET.ParseError:
        return {}
    found: dict[str, str] = {}
    for description in tree.iter(RDF_DESCRIPTION):
        values = dict(description.attrib)
        values.update({child.tag: (child.text or "").strip() for child in description})
        for tag, key in XMP_IDS.items():
            if values.get(tag):
                found.setdefault(key, values[tag])
    return found


def format_mm(value: float) -> str:
    """A length in mm to one decimal, without a trailing '.0'."""
    return f"{value:.1f}".removesuffix(".0")


def format_size(size: tuple[float, float]) -> str:
    return f"{format_mm(size[0])} x {format_mm(size[1])}"
