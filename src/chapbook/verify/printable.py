"""Whether the print PDF can print every character of the book, decided before anything is
laid out. Design: docs/architecture.md, 'Before layout: characters and tables'."""

from __future__ import annotations

import functools
import io
import os
import re
import struct
import unicodedata
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import fields
from pathlib import Path

from fontTools.ttLib import TTFont  # type: ignore[import-untyped]
from lxml import html as lxml_html

from chapbook.diagnostics import Diagnostic, line_of
from chapbook.model.book import EPIGRAPH_LINE, TITLE_LINE, Book, Chapter, Styles
from chapbook.model.fragments import body_elements
from chapbook.support.cache import Cache, digest
from chapbook.support.fontfiles import (
    READ_ERRORS,
    SystemFont,
    by_family,
    is_font_resource,
    system_fonts,
)

LISTED = 10
"""Characters named one by one for each file; the rest are counted in one more error."""
NOT_DRAWN = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp", "Cs"})
"""Categories of characters that need no glyph: controls, formatting (soft hyphen, joiners,
marks of direction), spaces (which HarfBuzz makes up when a font lacks them)."""
VARIATION_SELECTORS = re.compile("[\ufe00-\ufe0f\U000e0100-\U000e01ef]")
"""They choose a glyph's form (text or emoji); a font that lacks them draws the base form."""
FAMILY_LIST = re.compile(r"(?:font-family|--[\w-]+)\s*:\s*([^;{}]*)", re.IGNORECASE)
"""A declaration of font families: `font-family`, or a custom property (`--han: ...`)."""
FAMILY = re.compile(r"\"([^\"]*)\"|'([^']*)'|([A-Za-z][\w -]*)")
COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
GENERIC = frozenset({"serif", "sans-serif", "monospace", "cursive", "fantasy", "system-ui"})
GENERIC |= {"inherit", "initial", "unset", "revert", "emoji", "math", "fangsong"}
METADATA_FIELDS = ("title", "subtitle", "authors", "publisher", "rights", "edition")
"""What the print PDF shows of book.toml (title pages, running heads, copyright page)."""


def unprintable(
    book: Book, manuscript: Path, cache: Cache | None = None, printing: bool = True
) -> list[Diagnostic]:
    """An error (with `printing`, else a warning) for each character of the book that no print
    font has, at the first line of each file that has it; at most LISTED by file, and one
    more that counts the others."""
    covered = print_coverage(book, cache or Cache(None))
    if covered is None:
        message = "fc-list (fontconfig) not found: characters not checked against the fonts"
        return [Diagnostic("print fonts", message, code="W221")]
    found: list[Diagnostic] = []
    toml = manuscript / "book.toml"
    metadata = metadata_text(book)
    found += placed(toml, missing(metadata, covered), toml_text(toml), printing)
    for chapter in book.chapters:
        text = "".join(chapter_text(chapter))
        absent = missing(text, covered)
        if absent:
            found += placed(chapter.source, absent, source_text(chapter), printing, chapter)
    return found


def missing(text: str, covered: frozenset[int]) -> list[str]:
    """The characters of `text` that need a glyph and no font has, in order of appearance."""
    text = VARIATION_SELECTORS.sub("", text)
    absent = {char for char in set(text) if ord(char) not in covered and needs_glyph(char)}
    return sorted(absent, key=text.index)


def needs_glyph(char: str) -> bool:
    return unicodedata.category(char) not in NOT_DRAWN


def placed(
    path: Path | str,
    chars: list[str],
    source: str | None,
    printing: bool,
    chapter: Chapter | None = None,
) -> list[Diagnostic]:
    """The errors (or warnings) for `chars` in the file `path`, each at the line of the
    file's text `source` that first has it (else at its block's line in `chapter`)."""
    tail = "" if printing else " (the EPUB keeps it)"
    code = "E130" if printing else "W220"
    found = [
        Diagnostic(
            str(path),
            f"{describe(char)}: no font can print it{tail}",
            line_in(char, source, chapter),
            code=code,
        )
        for char in chars[:LISTED]
    ]
    rest = chars[LISTED:]
    if rest:
        named = ", ".join(f"U+{ord(char):04X}" for char in rest[:LISTED])
        more = ", ..." if len(rest) > LISTED else ""
        message = f"{len(rest)} more characters no font can print ({named}{more}){tail}"
        line = line_in(rest[0], source, chapter)
        found.append(Diagnostic(str(path), message, line, code=code))
    return found


def describe(char: str) -> str:
    """`U+1F600 GRINNING FACE`: the code point and the character's name."""
    return f"U+{ord(char):04X} {unicodedata.name(char, '(no name)')}"


def line_in(char: str, source: str | None, chapter: Chapter | None) -> int | None:
    """The first line of `source` (a file's text) with `char`; else, where the file writes it
    otherwise (a character reference), the line where the chapter's block with it begins."""
    if source is not None and char in source:
        return line_of(source, char)
    if chapter is not None:
        return block_line(chapter, char)
    return None


def block_line(chapter: Chapter, char: str) -> int | None:
    """The line where the first block of the chapter that shows `char` begins."""
    lines = dict(chapter.lines)
    if char in lxml_text(chapter.title_html):
        return lines.get(TITLE_LINE)
    if char in lxml_text(chapter.epigraph or "") + lxml_text(chapter.epigraph_source or ""):
        return lines.get(EPIGRAPH_LINE)

    root = lxml_html.fragment_fromstring(chapter.body or "<p></p>", create_parent="div")
    found = None
    for index, element in enumerate(body_elements(root)):
        found = lines.get(index, found)
        if char in (element.text or "") + (element.tail or ""):
            return found
    return found


def source_text(chapter: Chapter) -> str | None:
    """The text of the chapter's file, to find a character's line in; None if unreadable."""
    try:
        return Path(chapter.source).read_text("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None


def toml_text(path: Path) -> str | None:
    try:
        return path.read_text("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None


def metadata_text(book: Book) -> str:
    """The text of book.toml that the print PDF shows."""
    parts: list[str] = []
    for name in METADATA_FIELDS:
        value = getattr(book.metadata, name)
        parts += list(value) if isinstance(value, tuple) else [value or ""]
    return "\n".join(parts)


def chapter_text(chapter: Chapter) -> Iterator[str]:
    """Everything the chapter prints: its title, epigraph and body (with its notes)."""
    yield lxml_text(chapter.title_html)
    yield lxml_text(chapter.epigraph or "")
    yield lxml_text(chapter.epigraph_source or "")
    yield lxml_text(chapter.body)


def lxml_text(fragment: str) -> str:
    """The text of an HTML fragment, without its markup."""
    if not fragment.strip():
        return ""
    root = lxml_html.fragment_fromstring(fragment, create_parent="div")
    return "".join(root.itertext())


# The print fonts and the characters they have


def print_coverage(book: Book, cache: Cache) -> frozenset[int] | None:
    """Every character some print font has; None if the system's fonts can't be listed."""
    if not system_fonts():
        return None
    faces = tuple(
        face for family in print_families(book.styles) for face in by_family().get(family, ())
    )
    own = {
        digest(resource.data): resource.data
        for resource in book.resources
        if is_font_resource(resource.href, resource.media_type)
    }
    stamps = {face: file_stamp(face) for face in dict.fromkeys(faces)}
    known = (*own, *(stamp for stamp in stamps.values() if stamp is not None))
    if known not in UNIONS:
        covered: set[int] = set()
        for key, data in own.items():
            covered |= cached_cmap(cache, key, data, 0)
        for face, stamp in stamps.items():
            if stamp is not None:
                covered |= cached_cmap(cache, stamp, Path(face.path), face.index)
        UNIONS.clear()  # one book's fonts at a time (a watch rebuilds the same book)
        UNIONS[known] = frozenset(covered)
    return UNIONS[known]


UNIONS: dict[tuple[str, ...], frozenset[int]] = {}
"""The characters of the last set of fonts asked about (by their files' keys), in this process."""


def print_families(styles: Styles) -> list[str]:
    """The font families the print stylesheets name, in lower case, generic ones left out."""
    families: list[str] = []
    for field in fields(Styles):
        if field.name in ("epub", "cover"):
            continue
        text = COMMENT.sub("", getattr(styles, field.name))
        for declaration in FAMILY_LIST.finditer(text):
            families += family_names(declaration[1])
    return list(dict.fromkeys(families))


def family_names(value: str) -> Iterator[str]:
    """The family names in a list of them (`"EB Garamond", var(--han), serif`)."""
    for item in value.split(","):
        match = FAMILY.search(re.sub(r"var\([^)]*\)", "", item))
        if match is None:
            continue
        name = next(group for group in match.groups() if group is not None).strip().lower()
        if name and name not in GENERIC:
            yield name


def file_stamp(face: SystemFont) -> str | None:
    """A key for a system font face: its file's path, size and date, and its index in it."""
    try:
        stat = os.stat(face.path)
    except OSError:
        return None
    return digest(face.path, str(face.index), str(stat.st_size), str(stat.st_mtime_ns))


@functools.lru_cache(maxsize=512)
def remembered(key: str, data: bytes) -> frozenset[int]:
    """A cmap read from the cache once a process."""
    return frozenset(array("I", data))


def cached_cmap(cache: Cache, key: str, font: bytes | Path, index: int) -> frozenset[int]:
    """The characters of face `index` of `font` (a font file's bytes, or its path), cached
    under `key`."""
    data = cache.get("cmap", key)
    if data is None:
        try:
            read = font if isinstance(font, bytes) else font.read_bytes()
        except OSError:
            return frozenset()
        data = array("I", sorted(font_cmap(read, index))).tobytes()
        cache.put("cmap", key, data)
    return remembered(key, data)


def font_cmap(data: bytes, index: int) -> Iterable[int]:
    """The characters face `index` of a font file maps to glyphs (none if unreadable)."""
    try:
        font = TTFont(io.BytesIO(data), fontNumber=index, lazy=True)
        fast = raw_cmap(font.reader["cmap"]) if "cmap" in font.reader else None
        return fast if fast is not None else set(font.getBestCmap() or {})
    except (*READ_ERRORS, struct.error):
        return set()


UNICODE_SUBTABLES = ((3, 10), (0, 6), (0, 4), (3, 1), (0, 3))
"""The cmap subtables that map Unicode, best first: full Unicode, then the BMP only."""


def raw_cmap(table: bytes) -> set[int] | None:
    """The characters a `cmap` table maps to a glyph other than .notdef, read from its bytes
    (fontTools builds a glyph name for each, which takes seconds for a CJK font); None when
    its best Unicode subtable is not of format 4 or 12 (then fontTools reads it)."""
    count = struct.unpack_from(">H", table, 2)[0]
    offsets: dict[tuple[int, int], int] = {}
    for record in range(count):
        platform, encoding, offset = struct.unpack_from(">HHI", table, 4 + 8 * record)
        offsets.setdefault((platform, encoding), offset)
    best = next((offsets[key] for key in UNICODE_SUBTABLES if key in offsets), None)
    if best is None:
        return None
    kind = struct.unpack_from(">H", table, best)[0]
    if kind == 12:
        return format_12(table, best)
    if kind == 4:
        return format_4(table, best)
    return None


def format_12(table: bytes, start: int) -> set[int]:
    """Segmented coverage: groups of (first char, last char, first glyph)."""
    groups = struct.unpack_from(">I", table, start + 12)[0]
    found: set[int] = set()
    for group in range(groups):
        first, last, glyph = struct.unpack_from(">III", table, start + 16 + 12 * group)
        found.update(range(first + (glyph == 0), min(last, 0x10FFFF) + 1))
    return found


def format_4(table: bytes, start: int) -> set[int]:
    """Segment mapping to delta values: the BMP's characters by segments, each mapped by a
    delta or through an array of glyphs (where 0 is no glyph)."""
    segments = struct.unpack_from(">H", table, start + 6)[0] // 2
    ends = struct.unpack_from(f">{segments}H", table, start + 14)
    starts_at = start + 16 + 2 * segments
    starts = struct.unpack_from(f">{segments}H", table, starts_at)
    deltas = struct.unpack_from(f">{segments}h", table, starts_at + 2 * segments)
    ranges_at = starts_at + 4 * segments
    range_offsets = struct.unpack_from(f">{segments}H", table, ranges_at)
    found: set[int] = set()
    for segment in range(segments):
        first, last = starts[segment], ends[segment]
        if first > last or first == 0xFFFF:
            continue
        if range_offsets[segment] == 0:
            found.update(c for c in range(first, last + 1) if (c + deltas[segment]) & 0xFFFF)
            continue
        at = ranges_at + 2 * segment + range_offsets[segment]
        for char in range(first, last + 1):
            glyph = struct.unpack_from(">H", table, at + 2 * (char - first))[0]
            if glyph and (glyph + deltas[segment]) & 0xFFFF:
                found.add(char)
    return found
