"""PDF preflight: the checks a printer runs on a file before accepting it (faults it rejects,
warnings it asks about). Design: docs/architecture.md, 'Preflight'."""

from __future__ import annotations

import dataclasses
import functools
import io
import itertools
import math
import re
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pikepdf

from chapbook.model.book import PT_PER_MM, PageSize, PrintSettings
from chapbook.verify.clipping import IDENTITY, Box, Matrix, multiply, outside_trim
from chapbook.verify.pdfglyphs import MissingGlyphs, is_dictionary, missing_glyphs

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
    with open_pdf(pdf) as document:
        try:
            return check(document, pdf, expected, image_names or {}, drawn)
        except READ_ERRORS as error:
            raise ValueError(f"the PDF cannot be read: {error}") from error


READ_ERRORS = (pikepdf.PikepdfError, KeyError, TypeError, AttributeError, ValueError, IndexError)
"""What reading a malformed file raises: qpdf's errors, and Python's on objects of the wrong
kind (a name where a number belongs, an array too short)."""


def open_pdf(pdf: bytes) -> pikepdf.Pdf:
    if b"%PDF-" not in pdf[:1024]:
        raise ValueError("not a PDF: the file does not start with a %PDF- header")
    try:
        document = pikepdf.open(io.BytesIO(pdf))
    except READ_ERRORS as error:
        raise ValueError(f"the PDF cannot be read: {error}") from error
    try:
        len(document.pages)
    except READ_ERRORS as error:
        document.close()
        raise ValueError(f"the PDF cannot be read: {error}") from error
    return document


def check(
    document: pikepdf.Pdf,
    pdf: bytes,
    expected: PrintSettings | None,
    names: Mapping[str, str],
    known: Drawn | None = None,
) -> Report:
    pages = page_dictionaries(document)
    if known is None:
        drawing = walking(pages, names)
        drawn, fonts = drawing.drawn(), list(drawing.font_objects.values())
    else:  # what the parts drew: their fonts are now the joined file's
        drawn, fonts = known, list(resource_fonts(pages))
    trim, bleed = trim_mm(pages), bleed_mm(pages)
    variants = declared_variants(document)
    findings = [
        *page_count_findings(len(pages)),
        *box_findings(pages),
        *font_findings(drawn),
        *glyph_findings(fonts, drawn),
        *image_findings(drawn),
        *(Finding(True, cut) for cut in outside_trim(pdf)),
    ]
    if expected is not None:
        findings += trim_findings(trim, expected.trim) + bleed_findings(bleed, expected.bleed_mm)
        findings += variant_findings(document, variants, expected.variant)
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


Page = pikepdf.Dictionary
"""A page's dictionary."""
INHERITED = ("/Resources", "/MediaBox")
"""The page attributes preflight reads that a page may inherit from its parents."""


def page_dictionaries(document: pikepdf.Pdf) -> list[Page]:
    """The pages' dictionaries, each with the attributes it inherits set on it."""
    pages = [page.obj for page in document.pages]
    for page in pages:
        for key in INHERITED:
            if key not in page:
                value = inherited(page, key)
                if value is not None:
                    page[key] = value
    return pages


def inherited(page: Page, key: str) -> Any:
    """`key` of the nearest of the page's ancestors that has it; None if none has."""
    node, seen = page.get("/Parent"), set()
    while is_dictionary(node) and node.objgen not in seen:
        seen.add(node.objgen)
        if key in node:
            return node[key]
        node = node.get("/Parent")
    return None


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
    with open_pdf(pdf) as document:
        try:
            return walk_pages(page_dictionaries(document)[:pages], names)
        except READ_ERRORS as error:
            raise ValueError(f"the PDF cannot be read: {error}") from error


def walk_pages(pages: Sequence[Page], names: Mapping[str, str]) -> Drawn:
    return walking(pages, names).drawn()


def walking(pages: Sequence[Page], names: Mapping[str, str]) -> Drawing:
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


def glyph_findings(fonts: Sequence[pikepdf.Object], drawn: Drawn) -> list[Finding]:
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


def resource_fonts(pages: Sequence[Page]) -> Iterator[pikepdf.Object]:
    """Every font dictionary the pages' resources (and their forms') name, once each."""
    seen: set[Key] = set()
    stack: list[Any] = [page.get("/Resources") for page in pages]
    forms: set[Key] = set()
    while stack:
        resources = stack.pop()
        if not is_dictionary(resources):
            continue
        fonts = resources.get("/Font")
        for font in fonts.values() if is_dictionary(fonts) else ():
            if is_dictionary(font) and key_of(font) not in seen:
                seen.add(key_of(font))
                yield font
        xobjects = resources.get("/XObject")
        for xobject in xobjects.values() if is_dictionary(xobjects) else ():
            if isinstance(xobject, pikepdf.Stream) and key_of(xobject) not in forms:
                forms.add(key_of(xobject))
                stack.append(xobject.get("/Resources"))


Key = tuple[int, int] | bytes
"""What tells PDF objects apart: an indirect object's number and generation, a direct one's
PDF syntax (pikepdf gives a new Python object at each access)."""


def key_of(value: pikepdf.Object) -> Key:
    objgen = value.objgen
    return objgen if objgen != (0, 0) else value.unparse()


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
        self._active: list[Key] = []
        self._patterns: set[Key] = set()
        self._parsed: dict[Key, list[Operation]] = {}
        self._font_facts: dict[Key, tuple[str, bool]] = {}
        self.font_objects: dict[Key, pikepdf.Object] = {}
        """Each font dictionary drawn with, by its key."""

    def drawn(self) -> Drawn:
        return Drawn(self.fonts, self.unembedded, tuple(self.images))

    def walk_page(self, number: int, page: Page) -> None:
        self.page, self._patterns = number, set()
        contents = page_contents(page)
        if contents is not None:
            self._walk(operations(contents), resources_of(page, EMPTY), IDENTITY)

    def _walk(self, walked: list[Operation], resources: Any, base: Matrix) -> None:
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
        if not is_dictionary(font):
            return
        key = key_of(font)
        if key not in self._font_facts:
            self._font_facts[key] = font_facts(font)
            self.font_objects[key] = font
        name, embedded = self._font_facts[key]
        self.fonts.setdefault(name, self.page)
        if not embedded:
            self.unembedded.setdefault(name, self.page)

    def _draw_xobject(self, resources: Any, name: str, ctm: Matrix) -> None:
        xobject = lookup(resources, "/XObject", name)
        if not isinstance(xobject, pikepdf.Stream):
            return
        subtype = xobject.get("/Subtype")
        if subtype == "/Image":
            label = self.names.get(name[1:], name[1:])
            self._place(label, (xobject.get("/Width"), xobject.get("/Height")), ctm)
        elif subtype == "/Form":
            self._walk_inner(xobject, resources, multiply(matrix_of(xobject.get("/Matrix")), ctm))

    def _fill_with_pattern(self, pattern: Any, base: Matrix) -> None:
        """A tiling pattern's cells are drawn in the pattern's own space: its Matrix maps
        that onto the space the current stream began in, wherever the fill happens."""
        if not isinstance(pattern, pikepdf.Stream) or key_of(pattern) in self._patterns:
            return
        self._patterns.add(key_of(pattern))
        self._walk_inner(pattern, EMPTY, multiply(matrix_of(pattern.get("/Matrix")), base))

    def _walk_inner(self, stream: pikepdf.Stream, outer: Any, base: Matrix) -> None:
        """Walk a Form XObject or a pattern cell, unless it is already being walked."""
        key = key_of(stream)
        if key in self._active or len(self._active) >= MAX_DEPTH:
            return
        self._active.append(key)
        self._walk(self._operations(stream, key), resources_of(stream, outer), base)
        self._active.pop()

    def _operations(self, stream: pikepdf.Stream, key: Key) -> list[Operation]:
        if key not in self._parsed:
            self._parsed[key] = operations(stream.read_bytes())
        return self._parsed[key]

    def _place(self, name: str, pixels: tuple[Any, Any], ctm: Matrix) -> None:
        placement = image_placement(self.page, name, (int(pixels[0]), int(pixels[1])), ctm)
        if placement is not None:
            self.images.append(placement)


EMPTY: Mapping[str, Any] = {}
"""No resources."""


def page_contents(page: Page) -> bytes | None:
    """The page's content streams' data, joined by newlines; None if it has none."""
    contents = page.get("/Contents")
    if isinstance(contents, pikepdf.Stream):
        return contents.read_bytes()
    if not isinstance(contents, pikepdf.Array):
        return None
    return b"\n".join(each.read_bytes() for each in contents if isinstance(each, pikepdf.Stream))


# Reading content streams

Operation = tuple[int, Any]
"""One operator preflight interprets, with what it needs of its operands: a Matrix for
CONCAT, a resource name for FONT, XOBJECT and PATTERN, the (unchecked) width and height of an
INLINE_IMAGE, nothing for PUSH and POP."""
PUSH, POP, CONCAT, FONT, XOBJECT, PATTERN, INLINE_IMAGE = range(7)


class Unsure(Exception):
    """The fast reading met something it does not read exactly as qpdf's parser does."""


def operations(data: bytes) -> list[Operation]:
    """What preflight interprets of a content stream's data, in order: read fast when it can
    be, else from qpdf's parse of the stream (pikepdf's)."""
    try:
        return fast_operations(data)
    except Unsure:
        return parsed_operations(parse(data))


def parse(data: bytes) -> list[Any]:
    """qpdf's parse of a content stream; ValueError if qpdf finds it damaged (it warns, reads
    what it can and drops the rest). Operands left without an operator at the end are not
    damage (pikepdf warns of them in Python: ignored)."""
    with pikepdf.new() as scratch, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parsed = list(pikepdf.parse_content_stream(pikepdf.Stream(scratch, data)))
        damage = scratch.get_warnings()
    if damage:
        raise ValueError(f"a content stream is damaged: {str(damage[0]).split('): ', 1)[-1]}")
    return parsed


def parsed_operations(parsed: Iterable[Any]) -> list[Operation]:
    """The operations preflight interprets, out of qpdf's parse of a content stream."""
    found: list[Operation] = []
    for instruction in parsed:
        operands, operator = instruction.operands, bytes(instruction.operator)
        if operator == b"q":
            found.append((PUSH, None))
        elif operator == b"Q":
            found.append((POP, None))
        elif operator == b"cm":
            found.append((CONCAT, matrix_of(operands)))
        elif operator in (b"Tf", b"Do") and operands and isinstance(operands[0], pikepdf.Name):
            found.append((FONT if operator == b"Tf" else XOBJECT, str(operands[0])))
        elif operator in (b"scn", b"SCN") and operands and isinstance(operands[-1], pikepdf.Name):
            found.append((PATTERN, str(operands[-1])))
        elif operator == b"INLINE IMAGE":
            settings = operands[0].obj
            found.append((INLINE_IMAGE, (settings.get("/Width"), settings.get("/Height"))))
    return found


WS = rb"[\t\n\x0c\r ]"
REGULAR = rb"[^\t\n\x0c\r ()<>\[\]{}/%]"
"""A byte that is part of a name, number or operator. (Streams with a NUL or a vertical tab,
which qpdf also counts as whitespace, are left to qpdf.)"""
HEX = rb"<[0-9A-Fa-f\t\n\x0c\r ]*+>"
NUMBER = rb"[+-]?+(?:[0-9]{1,18}+(?:\.[0-9]*+)?+|\.[0-9]++)(?!" + REGULAR + rb")"
"""A number as qpdf reads it, integers short enough for it (it reads a longer one as null)."""
NUMBERISH = b"+-.0123456789"
"""How a word that is not a NUMBER but that qpdf might read as one starts."""


def literal(depth: int) -> bytes:
    """A literal string with parentheses nested up to `depth` deep inside it."""
    inner = rb"[^()\\]++|\\."
    if depth:
        inner += b"|" + literal(depth - 1)
    return rb"\((?:" + inner + rb")*+\)"


LITERAL = literal(3)
NAME = rb"/" + REGULAR + rb"*+"
SIMPLE = rb"(?:" + WS + rb"++|" + HEX + b"|" + LITERAL + b"|" + NUMBER + b"|" + NAME + b")"
"""The things an array can be skipped over whole as made of."""
VALUE = rb"(?:" + HEX + b"|" + LITERAL + b"|" + NUMBER + b"|" + NAME + rb"|\[" + SIMPLE + rb"*+\])"
PAIR = re.compile(WS + rb"*+(" + NAME + b")" + WS + b"*+" + VALUE)
PAIRS = rb"<<(?:" + WS + rb"*+" + NAME + WS + b"*+" + VALUE + rb")*+" + WS + rb"*+>>"
"""A key and its value in a dictionary that can be skipped over whole."""
TOKEN = re.compile(
    rb"(?:" + WS + rb"++|%[^\r\n]*+)*+"  # whitespace and comments before the token
    rb"(?:"
    rb"(" + NUMBER + rb")"  # 1: a number
    rb"|((?![+\-.0-9])" + REGULAR + rb"++)"  # 2: a word: an operator, true, false or null
    rb"|(" + NAME + rb")"  # 3: a name
    rb"|(" + HEX + b"|" + LITERAL + rb"|\[" + SIMPLE + rb"*+\])"  # 4: a string, an array
    rb"|(" + PAIRS + rb")"  # 5: a dictionary
    rb"|(\[|<<)"  # 6: an array or dictionary to read token by token
    rb"|(\]|>>)"  # 7: its end
    rb"|(.)"  # 8: anything else (a word that starts as a number but is none)
    rb"|\Z"  # (after a last comment or whitespace)
    rb")",
    re.DOTALL,
)
"""One token of a content stream; groups 4 and 5 are a whole string, or a whole array or
dictionary of simple things, which is an operand preflight never looks inside."""
VALUE_WORD = -1
KEPT = {b"q": PUSH, b"Q": POP, b"cm": CONCAT, b"Tf": FONT, b"Do": XOBJECT}
KEPT.update({b"scn": PATTERN, b"SCN": PATTERN, b"BI": INLINE_IMAGE, b"ID": INLINE_IMAGE})
KEPT.update({b"true": VALUE_WORD, b"false": VALUE_WORD, b"null": VALUE_WORD})
"""The words read: the operators preflight interprets, and those qpdf reads as operands."""
VALUES = (b"true", b"false", b"null")
BAD_ESCAPE = re.compile(rb"#(?![0-9A-Fa-f]{2})|#00")
"""What qpdf warns of in a name (also matched in strings: the reading is then unsure)."""


def fast_operations(data: bytes) -> list[Operation]:
    """The operations preflight interprets, read with one regular expression.

    Operands are kept as the bytes of names and numbers, and None for strings, arrays,
    dictionaries, true, false and null. Raises Unsure when the stream holds anything this
    reading could get wrong, or that qpdf would warn of."""
    if b"\x00" in data or b"\x0b" in data:
        raise Unsure
    found: list[Operation] = []
    operands: list[bytes | None] = []
    nested = Nesting()
    escapes = b"#" in data
    for number, word, name, whole, dictionary, opener, closer, other in TOKEN.findall(data):
        if nested.open:
            nested.read(word, name, whole or dictionary, opener, closer, other, escapes)
            if not nested.open:
                operands.append(None)
        elif number:
            operands.append(number)
        elif word:
            kept = KEPT.get(word)
            if kept is None:
                operands = []
            elif kept == VALUE_WORD:
                operands.append(None)
            else:
                if (operation := kept_operation(kept, operands)) is not None:
                    found.append(operation)
                operands = []
        elif name:
            if escapes:
                check_escapes(name)
            operands.append(name)
        elif whole:
            if escapes:
                check_escapes(whole)
            operands.append(None)
        elif dictionary:
            check_dictionary(dictionary, escapes)
            operands.append(None)
        elif opener:
            nested.push(opener)
        elif closer or other:
            raise Unsure
    if nested.open:
        raise Unsure
    return found


def check_escapes(token: bytes) -> None:
    """Unsure of a name (or of anything holding names) with an escape qpdf warns of."""
    if BAD_ESCAPE.search(token):
        raise Unsure


def check_dictionary(dictionary: bytes, escapes: bool) -> None:
    """Unsure of a dictionary qpdf warns of: a bad escape in a name, twice the same key."""
    if escapes:
        check_escapes(dictionary)
    if dictionary.count(b"/") > 1:
        keys = PAIR.findall(dictionary, 2)
        if len({unescaped(key) for key in keys}) != len(keys):
            raise Unsure


class Nesting:
    """The arrays and dictionaries being read token by token, innermost last; Unsure of a
    dictionary whose keys are not names, or twice the same, or with a key and no value."""

    def __init__(self) -> None:
        self.open: list[tuple[bytes, set[bytes] | None]] = []
        self.key: bytes | None = None
        """In the innermost dictionary: a key whose value is to come."""
        self.keys: list[bytes | None] = []

    def push(self, opener: bytes) -> None:
        self.keys.append(self.key)
        self.key = None
        self.open.append((b"]", None) if opener == b"[" else (b">>", set()))

    def pop(self, closer: bytes) -> None:
        expected, keys = self.open.pop()
        if closer != expected or (keys is not None and self.key is not None):
            raise Unsure
        self.key = self.keys.pop()

    def read(
        self, word: bytes, name: bytes, whole: bytes, opener: bytes, closer: bytes, other: bytes,
        escapes: bool,
    ) -> None:  # fmt: skip
        """One token inside an array or dictionary."""
        if opener:
            self.item(b"")  # (the array or dictionary opened is a value)
            self.push(opener)
        elif closer:
            self.pop(closer)
        elif other or (word and word not in VALUES):
            raise Unsure
        else:
            if name and escapes:
                check_escapes(name)
            if whole:
                check_dictionary(whole, escapes)
            self.item(name)

    def item(self, name: bytes) -> None:
        """One item in the innermost container: `name` if it is a name, else empty."""
        keys = self.open[-1][1]
        if keys is None:
            return
        if self.key is not None:
            self.key = None
            return
        if not name:
            raise Unsure
        decoded = unescaped(name)
        if decoded in keys:
            raise Unsure
        keys.add(decoded)
        self.key = name


def kept_operation(kept: int, operands: list[bytes | None]) -> Operation | None:
    """One operation with its operands as `parsed_operations` would make it; None where that
    makes none (a font or XObject without a name, a colour that is not a pattern)."""
    if kept in (PUSH, POP):
        return kept, None
    if kept == CONCAT:
        if len(operands) != 6 or not all(value and value[:1] != b"/" for value in operands):
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
    raise Unsure  # an inline image


ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")


def unescaped(token: bytes) -> bytes:
    """A name's bytes, its #xx escapes read."""
    if b"#" not in token:
        return token
    return ESCAPE.sub(lambda match: bytes.fromhex(match[1].decode()), token)


@functools.lru_cache(maxsize=4096)
def name_of(token: bytes) -> str:
    """The name a token reads as (names may escape bytes as #xx), as qpdf reads it; Unsure
    of names with other than printable ASCII in them."""
    name = unescaped(token)
    if any(not 32 <= byte < 127 for byte in name):
        raise Unsure
    return name.decode()


def resources_of(stream: Any, outer: Any) -> Any:
    """A page's or stream's /Resources; a form without them uses its parent's."""
    resources = stream.get("/Resources")
    return resources if is_dictionary(resources) else outer


def lookup(resources: Any, kind: str, name: str) -> Any:
    """The resource `name` of `kind` (/Font, /XObject, /Pattern); None if absent."""
    table = resources.get(kind)
    if not is_dictionary(table):
        return None
    return table.get(name)


def font_facts(font: pikepdf.Object) -> tuple[str, bool]:
    """The font's base name without a subset prefix, and whether its program is embedded.

    Type0 fonts keep their program in the descendant font; Type3 fonts draw their glyphs
    with PDF operators, which are always in the file."""
    name = SUBSET_PREFIX.sub("", str(font.get("/BaseFont") or "/unnamed font")[1:])
    subtype = font.get("/Subtype")
    if subtype == "/Type3":
        return name, True
    described: pikepdf.Object = font
    descendants = font.get("/DescendantFonts")
    if subtype == "/Type0" and descendants:
        described = descendants[0]
    descriptor = described.get("/FontDescriptor")
    embedded = is_dictionary(descriptor) and any(key in descriptor for key in FONT_FILES)
    return name, embedded


def matrix_of(values: Iterable[Any] | None) -> Matrix:
    if values is None:
        return IDENTITY
    a, b, c, d, e, f = (float(value) for value in values)
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


def box(page: Page, key: str) -> Box | None:
    value = page.get(key)
    if value is None:
        return None
    x0, y0, x1, y1 = (float(number) for number in value)
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


def trim_box(page: Page) -> Box | None:
    return box(page, "/TrimBox") or box(page, "/MediaBox")


def within(inner: Box, outer: Box) -> bool:
    return (
        inner[0] >= outer[0] - BOX_TOLERANCE_PT
        and inner[1] >= outer[1] - BOX_TOLERANCE_PT
        and inner[2] <= outer[2] + BOX_TOLERANCE_PT
        and inner[3] <= outer[3] + BOX_TOLERANCE_PT
    )


def box_faults(page: Page) -> list[str]:
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


def box_findings(pages: list[Page]) -> list[Finding]:
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


def size_findings(pages: list[Page]) -> list[Finding]:
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


def trim_mm(pages: list[Page]) -> tuple[float, float]:
    first = trim_box(pages[0]) if pages else None
    return size_of(first) if first is not None else (0.0, 0.0)


def bleed_mm(pages: list[Page]) -> float:
    """The smallest margin, over all sides of all pages, between TrimBox and BleedBox."""
    margins = [page_bleed(page) for page in pages]
    return min(margins, default=0.0)


def page_bleed(page: Page) -> float:
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


def variant_findings(
    document: pikepdf.Pdf, variants: list[str], wanted: str | None
) -> list[Finding]:
    """The file must declare the variant asked for; PDF/X also needs a PDF/X output intent."""
    if wanted is None:
        return []
    findings = []
    if not any(variant.lower().startswith(wanted.lower()) for variant in variants):
        declared = ", ".join(variants) or "none"
        findings.append(
            Finding(True, f"book.toml asks for {wanted.upper()}, the file declares {declared}")
        )
    if wanted.lower().startswith("pdf/x") and PDFX_INTENT not in output_intents(document):
        findings.append(
            Finding(True, f"{wanted.upper()} needs a GTS_PDFX output intent; the file has none")
        )
    return findings


def output_intents(document: pikepdf.Pdf) -> list[str]:
    """The subtypes (/S) of the document's output intents."""
    intents: Iterable[Any] = document.Root.get("/OutputIntents") or []
    return [str(intent.get("/S")) for intent in intents]


def declared_variants(document: pikepdf.Pdf) -> list[str]:
    """'PDF/X-4', 'PDF/A-2B', 'PDF/UA-1'... as the XMP metadata (or, for older PDF/X, the
    document information) declares them."""
    ids = xmp_ids(document)
    info = document.trailer.get("/Info")
    found = []
    pdfx = ids.get("pdfx") or (info.get("/GTS_PDFXVersion") if is_dictionary(info) else None)
    if pdfx:
        found.append(str(pdfx))
    if "pdfa" in ids:
        found.append(f"PDF/A-{ids['pdfa']}{ids.get('pdfa-conformance', '').upper()}")
    if "pdfua" in ids:
        found.append(f"PDF/UA-{ids['pdfua']}")
    return found


def xmp_ids(document: pikepdf.Pdf) -> dict[str, str]:
    """The variant-declaring properties of the XMP metadata, whether written as elements or
    as attributes of an rdf:Description; empty if there is no (readable) XMP."""
    metadata = document.Root.get("/Metadata")
    if metadata is None:
        return {}
    try:
        tree = ET.fromstring(metadata.read_bytes())
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
