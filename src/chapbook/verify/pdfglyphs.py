"""Whether the glyphs a PDF's fonts draw are there, for preflight: no character drawn with
.notdef or with a glyph whose outline is empty. Design: docs/architecture.md, 'Preflight'."""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeGuard

import pikepdf
from fontTools.ttLib import TTFont, TTLibError  # type: ignore[import-untyped]

NOT_DRAWN = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp", "Cs"})
"""Characters that need no ink: controls, formatting characters, spaces."""
INVISIBLE = re.compile("[\ufe00-\ufe0f\U000e0100-\U000e01ef\u034f]")
"""Variation selectors and the grapheme joiner: marks with no shape of their own."""
SHOWN = 3
"""Characters named in a finding; the others are counted."""
FONT_ERRORS = (
    *(TTLibError, KeyError, AssertionError, ValueError, IndexError, TypeError, EOFError),
    *(AttributeError, OverflowError, UnicodeDecodeError),
)
"""What fontTools may raise on an embedded program it can't read."""
CMAP_CHAR = re.compile(rb"<([0-9a-fA-F]+)>\s*(<[0-9a-fA-F]*>|\d+)")
CMAP_RANGE = re.compile(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*(<[0-9a-fA-F]*>|\d+)")
CHAR_SECTION = re.compile(rb"begin(?:bf|cid)char(.*?)end(?:bf|cid)char", re.S)
RANGE_SECTION = re.compile(rb"begin(?:bf|cid)range(.*?)end(?:bf|cid)range", re.S)
MAX_RANGE = 65536


@dataclass(frozen=True)
class MissingGlyphs:
    """What one font draws with no glyph: the characters drawn as .notdef, and those whose
    glyph has no outline in the embedded program."""

    notdef: tuple[str, ...]
    empty: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.notdef or self.empty)

    def messages(self, font: str) -> Iterator[str]:
        """One sentence for each kind of missing glyph."""
        if self.notdef:
            listed = named(self.notdef)
            yield f"font '{font}' draws {listed} with its .notdef glyph (an empty box)"
        if self.empty:
            listed = named(self.empty)
            yield f"font '{font}' has no outline for {listed} (they print as nothing)"


def named(texts: tuple[str, ...]) -> str:
    """`U+0066 LATIN SMALL LETTER F, ... and 12 more`."""
    shown = ", ".join(describe(text) for text in texts[:SHOWN])
    more = len(texts) - SHOWN
    return f"{shown} and {more} more" if more > 0 else shown


def describe(text: str) -> str:
    first = next((char for char in text if needs_ink(char)), text[:1] or "?")
    return f"U+{ord(first):04X} {unicodedata.name(first, '(no name)')}"


def needs_ink(char: str) -> bool:
    return unicodedata.category(char) not in NOT_DRAWN and not INVISIBLE.match(char)


def missing_glyphs(font: pikepdf.Object) -> MissingGlyphs:
    """The characters the composite font draws without a glyph (nothing for other fonts, or
    a font whose program can't be read)."""
    if entry(font, "/Subtype") != "/Type0":
        return MissingGlyphs((), ())
    descendants = entry(font, "/DescendantFonts")
    descendant = entry_of(descendants, 0)
    if not is_dictionary(descendant):
        return MissingGlyphs((), ())
    text = cmap_pairs(entry(font, "/ToUnicode"))
    widths = widths_of(entry(descendant, "/W"))
    codes = sorted(widths or set(text))
    glyph_of = glyph_mapping(entry(font, "/Encoding"), entry(descendant, "/CIDToGIDMap"))
    program = Program.of(entry(descendant, "/FontDescriptor"))
    notdef, empty = [], []
    for code in codes:
        chars = unicode_text(text.get(code))
        if not chars or not any(needs_ink(char) for char in chars):
            continue
        glyph = glyph_of(code)
        if glyph == 0:
            notdef.append(chars)
        elif widths.get(code, 1) and program is not None and not program.draws(glyph):
            empty.append(chars)  # (a glyph of no width may be empty: a font's placeholder)
    return MissingGlyphs(tuple(notdef), tuple(empty))


def is_dictionary(value: object) -> TypeGuard[pikepdf.Object]:
    """Whether `value` is a dictionary, a stream's included."""
    return isinstance(value, pikepdf.Dictionary | pikepdf.Stream)


def entry(dictionary: Any, key: str) -> Any:
    """`dictionary[key]`; None if absent or not a dictionary."""
    if not is_dictionary(dictionary):
        return None
    return dictionary.get(key)


def entry_of(array: Any, index: int) -> Any:
    if not isinstance(array, pikepdf.Array) or len(array) <= index:
        return None
    return array[index]


def widths_of(widths: Any) -> dict[int, float]:
    """The width of each glyph (CID) in a /W array: `first [w w ...]` or `first last w`."""
    found: dict[int, float] = {}
    if not isinstance(widths, pikepdf.Array):
        return found
    items = list(widths)
    index = 0
    while index + 1 < len(items):
        first, following = int(items[index]), items[index + 1]
        if isinstance(following, pikepdf.Array):
            found.update({first + i: float(width) for i, width in enumerate(following)})
            index += 2
        elif index + 2 < len(items):
            last = min(int(following), first + MAX_RANGE)
            found.update(dict.fromkeys(range(first, last + 1), float(items[index + 2])))
            index += 3
        else:
            break
    return found


def cmap_pairs(stream: Any) -> dict[int, bytes]:
    """A CMap stream's code -> value pairs (bfchar, bfrange, cidchar, cidrange): the value is
    a hex string (text, or the first of a range) or a decimal number (a CID)."""
    if not isinstance(stream, pikepdf.Stream):
        return {}
    data = stream.read_bytes()
    pairs: dict[int, bytes] = {}
    for section in CHAR_SECTION.findall(data):
        for code, value in CMAP_CHAR.findall(section):
            pairs[int(code, 16)] = value
    for section in RANGE_SECTION.findall(data):
        for low, high, value in CMAP_RANGE.findall(section):
            first, last = int(low, 16), int(high, 16)
            for code in range(first, min(last, first + MAX_RANGE) + 1):
                pairs[code] = shifted(value, code - first)
    return pairs


def shifted(value: bytes, by: int) -> bytes:
    """The value of a range's `by`-th code: the first value plus `by`."""
    if value.startswith(b"<"):
        digits = value[1:-1]
        number = int(digits or b"0", 16) + by
        return b"<" + f"{number:0{max(len(digits), 4)}x}".encode() + b">"
    return str(int(value) + by).encode()


def unicode_text(value: bytes | None) -> str:
    """A ToUnicode value (UTF-16BE in hex) as text; empty if there is none."""
    if value is None or not value.startswith(b"<"):
        return ""
    try:
        return bytes.fromhex(value[1:-1].decode()).decode("utf-16-be")
    except (ValueError, UnicodeDecodeError):
        return ""


def glyph_mapping(encoding: Any, cid_to_gid: Any) -> Callable[[int], int]:
    """Code -> glyph number in the program: through the /Encoding CMap (Identity-H if it
    is a name) and the /CIDToGIDMap (identity if it is a name)."""
    cids = {code: int(value) for code, value in cmap_pairs(encoding).items() if value.isdigit()}
    table = cid_to_gid.read_bytes() if isinstance(cid_to_gid, pikepdf.Stream) else None

    def glyph_of(code: int) -> int:
        cid = cids.get(code, code) if cids else code
        if table is None:
            return cid
        return int.from_bytes(table[2 * cid : 2 * cid + 2], "big") if 2 * cid < len(table) else 0

    return glyph_of


class Program:
    """An embedded font program: which of its glyphs draw something."""

    def __init__(self, font: TTFont) -> None:
        self.font = font
        self.order = font.getGlyphOrder()
        self.glyf = font.get("glyf")
        self.charstrings = None
        if self.glyf is None and "CFF " in font:
            self.charstrings = font["CFF "].cff.topDictIndex[0].CharStrings

    @classmethod
    def of(cls, descriptor: Any) -> Program | None:
        """The program a font descriptor embeds (TrueType, or CFF in an OpenType file);
        None if there is none that fontTools reads."""
        for key in ("/FontFile2", "/FontFile3"):
            stream = entry(descriptor, key)
            if isinstance(stream, pikepdf.Stream):
                try:
                    return cls(TTFont(io.BytesIO(stream.read_bytes()), lazy=True))
                except FONT_ERRORS:
                    return None
        return None

    def draws(self, glyph: int) -> bool:
        """Whether the glyph numbered `glyph` has an outline (or parts that have one)."""
        if glyph >= len(self.order):
            return False
        name = self.order[glyph]
        try:
            if self.glyf is not None:
                return bool(self.glyf[name].numberOfContours != 0)
            if self.charstrings is not None:
                return self.charstrings[name].calcBounds(self.charstrings) is not None
        except FONT_ERRORS:
            return True  # not known to be empty
        return True
