"""The fonts of the book's joined PDF (write/print/join.py): each face once, with every glyph
that any part draws. Design: docs/architecture.md, 'Joining'."""

from __future__ import annotations

import io
import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import pikepdf
from fontTools.ttLib import TTFont  # type: ignore[import-untyped]
from fontTools.ttLib.tables._g_l_y_f import Glyph  # type: ignore[import-untyped]
from pikepdf import Array, Dictionary, Name

from chapbook.model.book import Book
from chapbook.support.cache import Cache, digest
from chapbook.support.fontfiles import READ_ERRORS, Identity, book_fonts, identity, system_original
from chapbook.write.fonts import subset_glyph_ids
from chapbook.write.print.hbsubset import subset_by_id

FONT_FILE_KEYS = ("/FontFile2", "/FontFile3")
NOT_FROM_FILE = ("fvar", "CBDT", "CBLC", "COLR", "SVG ", "sbix")
"""Tables of a font whose embedded glyphs WeasyPrint does not take from the file as they are:
a variable font is made static at its weight, colour glyphs are drawn as pictures and their
outlines left empty. The parts' subsets of such a font are merged, not the file cut again."""


@dataclass
class Embedded:
    """One font dictionary of the joined PDF (a Type0 font) and its program."""

    font: Any
    key: str
    """Where its program is in its descriptor: /FontFile2 (TrueType) or /FontFile3 (CFF)."""
    program: bytes
    source: Identity

    @property
    def descriptor(self) -> Any:
        return descendant_of(self.font).FontDescriptor

    @property
    def glyphs(self) -> set[int]:
        """The glyphs it draws: those it has widths for."""
        return set(glyph_widths(descendant_of(self.font).get("/W", Array())))


def share_fonts(target: pikepdf.Pdf, book: Book, cache: Cache) -> None:
    """Each font file embedded once with every glyph the pages draw from it, and one font
    dictionary for each face of each file, which every page uses."""
    resources = list(resource_dicts(target))
    faces: dict[tuple[str, Identity], list[Embedded]] = defaultdict(list)
    for font in unique_fonts(resources):
        embedded = embedded_font(font)
        if embedded is not None:
            faces[(str(font.BaseFont), embedded.source)].append(embedded)
    files: dict[Identity, list[Embedded]] = defaultdict(list)
    for (_, source), members in faces.items():
        files[source] += members
    originals = book_fonts(book)
    programs: dict[Identity, Any] = {}
    for source, members in files.items():
        if len(members) > 1:
            data = joined_program(source, members, originals, cache)
            if data is not None:
                programs[source] = font_stream(target, data, members[0].key)
    leaders: dict[tuple[int, int], Any] = {}
    for (_, source), members in faces.items():
        if source in programs:
            leaders |= {member.font.objgen: members[0].font for member in members[1:]}
            merge_font_dicts(target, [member.font for member in members])
            use_program(members[0], programs[source])
    for fonts in font_dicts(resources):
        for name in list(fonts.keys()):
            leader = leaders.get(fonts[name].objgen)
            if leader is not None:
                fonts[name] = leader


def unique_fonts(resources: Sequence[Any]) -> Iterator[Any]:
    """Every Type0 font the resources name, once each."""
    seen: set[tuple[int, int]] = set()
    for fonts in font_dicts(resources):
        for font in fonts.values():
            if font.get("/Subtype") == Name.Type0 and font.objgen not in seen:
                seen.add(font.objgen)
                yield font


def embedded_font(font: Any) -> Embedded | None:
    """The font with its program and the identity of the file it comes from; None for a
    font left as it is: one without a readable program, or with glyphs it lacks (an
    /Encoding that maps them to .notdef)."""
    if "/Encoding" in font and font.Encoding != Name("/Identity-H"):
        return None
    descriptor = descendant_of(font).get("/FontDescriptor")
    key = next(
        (key for key in FONT_FILE_KEYS if descriptor is not None and key in descriptor), None
    )
    if key is None:
        return None
    program = descriptor[key].read_bytes()
    source = identity(program)
    return Embedded(font, key, program, source) if source is not None else None


def joined_program(
    source: Identity, members: Sequence[Embedded], originals: dict[Identity, bytes], cache: Cache
) -> bytes | None:
    """One program with every glyph the `members` draw: their file cut down to those glyphs,
    else (a TrueType font) their subsets merged; None if neither can be had."""
    glyphs = set().union(*(member.glyphs for member in members))
    found = original(source, originals)
    if found is not None and from_file(*found):
        data, index = found
        return subset_glyphs(data, index, glyphs, cache)
    if not source.cff:
        return merged_outlines([member.program for member in members])
    return None


def original(source: Identity, originals: dict[Identity, bytes]) -> tuple[bytes, int] | None:
    """The file (and the index of the face in it) that subsets of `source` were cut from:
    one of the book's fonts, else one of the system's."""
    if source in originals:
        return originals[source], 0
    return system_original(source)


def from_file(data: bytes, index: int) -> bool:
    """Whether WeasyPrint embeds this font's glyphs as the file has them (see NOT_FROM_FILE)."""
    try:
        font = TTFont(io.BytesIO(data), fontNumber=index, lazy=True)
        return not any(table in font for table in NOT_FROM_FILE)
    except READ_ERRORS:
        return False


def subset_glyphs(data: bytes, index: int, glyphs: set[int], cache: Cache) -> bytes:
    """Face `index` of `data` cut down to `glyphs`, each keeping its number, cached."""
    key = digest(data, str(index), ",".join(map(str, sorted(glyphs))))
    cached = cache.get("font", key)
    if cached is None:
        cached = subset_by_id(data, glyphs, index) or subset_glyph_ids(data, glyphs, index)
        cache.put("font", key, cached)
    return cached


def merged_outlines(programs: Sequence[bytes]) -> bytes | None:
    """TrueType subsets of one file, each keeping the glyph numbers of the file, merged into
    one: the one with most glyphs, given every outline (and its width) that another has and
    it lacks, glyph by glyph number (their glyph names may differ: a subset without glyph
    names has names made from its own cmap). None if they are not all TrueType."""
    try:
        fonts = [TTFont(io.BytesIO(program), recalcTimestamp=False) for program in programs]
        if not all("glyf" in font and "hmtx" in font for font in fonts):
            return None
        base = max(fonts, key=lambda font: len(font.getGlyphOrder()))
        order = base.getGlyphOrder()
        for other in (font for font in fonts if font is not base):
            for number, name in enumerate(other.getGlyphOrder()):
                if has_outline(other["glyf"], name) and not has_outline(
                    base["glyf"], order[number]
                ):
                    # as bytes, which number a composite glyph's parts: read again by `base`
                    data = other["glyf"][name].compile(other["glyf"])
                    base["glyf"][order[number]] = Glyph(data)
                    base["hmtx"][order[number]] = other["hmtx"][name]
        out = io.BytesIO()
        base.save(out)
        return out.getvalue()
    except READ_ERRORS:
        return None


def has_outline(glyphs: Any, name: str) -> bool:
    """Whether the glyph `name` of a `glyf` table draws anything (contours or components)."""
    return bool(glyphs[name].numberOfContours != 0)


def font_stream(target: pikepdf.Pdf, data: bytes, key: str) -> Any:
    """A font program as a stream of the PDF: /Length1 for TrueType, /Subtype /OpenType for
    a CFF font in an OpenType file (as WeasyPrint embeds them)."""
    stream = target.make_stream(data)
    if data[:4] == b"OTTO":
        stream.Subtype = Name.OpenType
    elif key == "/FontFile2":
        stream.Length1 = len(data)
    return stream


def use_program(embedded: Embedded, stream: Any) -> None:
    """Make `embedded`'s descriptor embed the shared program; its /CIDSet (which lists the
    glyphs of one subset) goes."""
    descriptor = embedded.descriptor
    key = "/FontFile3" if "/Subtype" in stream and stream.Subtype == Name.OpenType else "/FontFile2"
    for old in FONT_FILE_KEYS:
        if old in descriptor and old != key:
            del descriptor[old]
    descriptor[key] = stream
    if "/CIDSet" in descriptor:
        del descriptor["/CIDSet"]


def resource_dicts(target: pikepdf.Pdf) -> Iterator[Any]:
    """The resources of every page and of every form they draw, once each."""
    seen: set[tuple[int, int]] = set()
    stack = [page.obj.get("/Resources") for page in target.pages]
    while stack:
        resources = stack.pop()
        if not isinstance(resources, Dictionary):
            continue
        if resources.is_indirect:
            if resources.objgen in seen:
                continue
            seen.add(resources.objgen)
        yield resources
        for xobject in resources.get("/XObject", Dictionary()).values():
            stack.append(xobject.get("/Resources"))


def font_dicts(resources: Sequence[Any]) -> Iterator[Any]:
    for item in resources:
        fonts = item.get("/Font")
        if isinstance(fonts, Dictionary):
            yield fonts


def descendant_of(font: Any) -> Any:
    """The CIDFont inside a composite (Type0) font."""
    return font.DescendantFonts[0]


def merge_font_dicts(target: pikepdf.Pdf, fonts: Sequence[Any]) -> None:
    """Give the first of `fonts` (one font, as several parts embedded it) the widths and
    the text of the glyphs all of them have, and a bounding box that holds theirs."""
    if len(fonts) < 2:
        return
    widths: dict[int, Any] = {}
    text: dict[int, str] = {}
    for font in fonts:
        widths |= glyph_widths(descendant_of(font).get("/W", Array()))
        if "/ToUnicode" in font:
            text |= glyph_text(font.ToUnicode.read_bytes())
    leader = descendant_of(fonts[0])
    leader.W = widths_array(widths)
    fonts[0].ToUnicode = target.make_stream(to_unicode(text))
    boxes = [descendant_of(font).FontDescriptor.get("/FontBBox") for font in fonts]
    boxes = [[float(value) for value in box] for box in boxes if box is not None and len(box) == 4]
    if boxes:
        lows = [min(box[i] for box in boxes) for i in (0, 1)]
        highs = [max(box[i] for box in boxes) for i in (2, 3)]
        leader.FontDescriptor.FontBBox = Array([*lows, *highs])


def glyph_widths(widths: Any) -> dict[int, Any]:
    """A /W array as glyph -> width: `first [w w ...]` or `first last w`."""
    found: dict[int, Any] = {}
    index = 0
    while index + 1 < len(widths):
        first, following = int(widths[index]), widths[index + 1]
        if isinstance(following, Array):
            found |= {first + i: width for i, width in enumerate(following)}
            index += 2
        else:
            found |= dict.fromkeys(range(first, int(following) + 1), widths[index + 2])
            index += 3
    return found


def widths_array(widths: dict[int, Any]) -> Array:
    """`widths` as a /W array of runs of consecutive glyphs."""
    runs: list[Any] = []
    for glyph in sorted(widths):
        if glyph - 1 not in widths:
            runs += [glyph, []]
        runs[-1].append(widths[glyph])
    return Array(Array(item) if isinstance(item, list) else item for item in runs)


BFCHAR = re.compile(rb"beginbfchar(.*?)endbfchar", re.S)
PAIR = re.compile(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]*)>")


def glyph_text(cmap: bytes) -> dict[int, str]:
    """The glyph -> text pairs of a ToUnicode CMap's bfchar sections (as WeasyPrint writes)."""
    pairs = {}
    for section in BFCHAR.findall(cmap):
        for glyph, text in PAIR.findall(section):
            pairs[int(glyph, 16)] = bytes.fromhex(text.decode()).decode("utf-16-be", "replace")
    return pairs


def to_unicode(text: dict[int, str]) -> bytes:
    """A ToUnicode CMap for `text`, in WeasyPrint's form."""
    lines = [
        b"/CIDInit /ProcSet findresource begin",
        b"12 dict begin",
        b"begincmap",
        b"/CIDSystemInfo",
        b"<< /Registry (Adobe)",
        b"/Ordering (UCS)",
        b"/Supplement 0",
        b">> def",
        b"/CMapName /Adobe-Identity-UCS def",
        b"/CMapType 2 def",
        b"1 begincodespacerange",
        b"<0000> <ffff>",
        b"endcodespacerange",
    ]
    pairs = sorted(text.items())
    for start in range(0, len(pairs), 100):
        batch = pairs[start : start + 100]
        lines.append(f"{len(batch)} beginbfchar".encode())
        for glyph, chars in batch:
            lines.append(f"<{glyph:04x}> <{chars.encode('utf-16-be').hex()}>".encode())
        lines.append(b"endbfchar")
    lines += [b"endcmap", b"CMapName currentdict /CMap defineresource pop", b"end", b"end"]
    return b"\n".join(lines)
