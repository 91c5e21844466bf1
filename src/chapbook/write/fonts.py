"""Subset the book's typeface to the characters the book uses, for embedding in the EPUB;
and to the glyphs a PDF laid out in parts draws, for the joined PDF (`subset_glyph_ids`).
Design: docs/architecture.md, 'Embedded fonts'."""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Iterable, Iterator

from fontTools import subset  # type: ignore[import-untyped]
from fontTools.ttLib import TTFont  # type: ignore[import-untyped]
from lxml import etree

GENERATED = "0123456789.-)( \u2010"
"""What a reading system may set without it being in the text: list-marker digits and
punctuation, the space, and the hyphen (U+2010, else U+002D) of automatic hyphenation."""

LAYOUT_FEATURES = (
    *("kern", "liga", "clig", "calt"),
    *("smcp", "c2sc", "onum", "lnum", "pnum", "tnum", "frac", "sups"),
    *("ccmp", "locl", "mark", "mkmk"),
)
"""The OpenType features kept: kerning, ligatures, small capitals, figure styles,
fractions, superiors, and what composes and places accents."""

NAME_IDS = (0, 1, 2, 3, 4, 5, 6, 13, 14, 16, 17)
"""Names kept: copyright (0), family and style (1, 2, 16, 17), identifiers (3, 4, 6),
version (5), licence and its URL (13, 14)."""

DROPPED_TABLES = ("FFTM",)
"""FontForge's build stamp: of no use to a reading system."""

SKIPPED_ELEMENTS = frozenset({"head", "script", "style"})
"""Elements whose text the reader never sees."""

GENERATING_PROPERTIES = frozenset({"content", "quotes"})
"""CSS properties whose strings are shown to the reader."""

_CSS_TOKEN = re.compile(
    r"""
      (?P<comment>/\*.*?(?:\*/|\Z))
    | (?P<string>"(?:[^"\\]|\\.)*"?|'(?:[^'\\]|\\.)*'?)
    | (?P<property>(?<![-\w])[a-zA-Z-]+(?=\s*:))
    | (?P<end>[;{}])
    """,
    re.VERBOSE | re.DOTALL,
)

_CSS_ESCAPE = re.compile(r"\\(?:([0-9a-fA-F]{1,6})(?:\r\n|[ \t\r\n\f])?|(\r\n|[\n\r\f])|(.))", re.S)


def used_characters(documents: Iterable[str], stylesheets: Iterable[str]) -> str:
    """Every character a reader may see in the book, sorted and each once.

    `documents` are XHTML documents (their text content, outside `<head>`, `<script>`
    and `<style>`); `stylesheets` are CSS (the strings of `content` and `quotes`, CSS
    escapes resolved). Control characters such as line breaks are left out."""
    found: set[str] = set(GENERATED)
    for document in documents:
        found.update(_document_text(document))
    for stylesheet in stylesheets:
        found.update(_generated_text(stylesheet))
    return "".join(sorted(c for c in found if unicodedata.category(c) != "Cc"))


def _document_text(document: str) -> str:
    """The text content of an XHTML document, without what the reader does not see."""
    parser = etree.XMLParser(encoding="utf-8", resolve_entities=False, no_network=True)
    root = etree.fromstring(document.encode("utf-8"), parser)
    return "".join(_element_text(root))


def _element_text(element: etree._Element) -> Iterator[str]:
    """The text inside an element and its descendants, skipping unseen elements."""
    if _local_name(element) in SKIPPED_ELEMENTS:
        return
    if element.text:
        yield element.text
    for child in element:
        if isinstance(child.tag, str):  # not a comment or processing instruction
            yield from _element_text(child)
        if child.tail:
            yield child.tail


def _local_name(element: etree._Element) -> str:
    """The element's name without its namespace."""
    return etree.QName(element).localname


def _generated_text(stylesheet: str) -> str:
    """The strings of the stylesheet's `content` and `quotes` declarations, unescaped."""
    strings: list[str] = []
    generating = False
    for token in _CSS_TOKEN.finditer(stylesheet):
        kind = token.lastgroup
        if kind == "property":
            generating = token.group().lower() in GENERATING_PROPERTIES
        elif kind == "end":
            generating = False
        elif kind == "string" and generating:
            strings.append(_unescape(_unquote(token.group())))
    return "".join(strings)


def _unquote(string: str) -> str:
    """A CSS string token without its quotes (a string left open at the end has one)."""
    quote, body = string[0], string[1:]
    if body.endswith(quote) and not _escaped_end(body):
        body = body[:-1]
    return body


def _escaped_end(body: str) -> bool:
    """Whether the last character of a string body is escaped by a backslash."""
    backslashes = len(body[:-1]) - len(body[:-1].rstrip("\\"))
    return backslashes % 2 == 1


def _unescape(text: str) -> str:
    """Resolve CSS escapes: `\\2766 ` is ❦, `\\"` is a quote, a backslash-newline is nothing."""
    return _CSS_ESCAPE.sub(_escape_value, text)


def _escape_value(match: re.Match[str]) -> str:
    """The character one CSS escape stands for."""
    hex_digits, newline, literal = match.groups()
    if newline is not None:
        return ""
    if literal is not None:
        return literal
    code = int(hex_digits, 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return "\ufffd"
    return chr(code)


def subset_font(data: bytes, characters: str) -> bytes:
    """The font in `data` cut down to `characters` and the glyphs they reach through the
    kept layout features, with its copyright and licence names, without hinting.

    The output is in the input's format (a TrueType font stays one) and depends on the
    input alone: the font's own `head.modified` is kept, never the clock's time."""
    font = TTFont(io.BytesIO(data), recalcTimestamp=False)
    subsetter = subset.Subsetter(options=_options())
    subsetter.populate(unicodes=sorted({ord(c) for c in characters}))
    subsetter.subset(font)
    return _saved(font)


def subset_glyph_ids(data: bytes, glyphs: set[int], index: int = 0) -> bytes:
    """The font `index` of `data` (a font file or a collection) cut down to `glyphs`, each
    keeping its number (the PDF's text
    draws glyphs by number), as WeasyPrint embeds a font: without layout tables or hinting.
    The widths of the glyphs left out are zeros, which compress to nothing."""
    options = subset.Options(
        retain_gids=True,
        passthrough_tables=True,
        ignore_missing_glyphs=True,
        hinting=False,
        desubroutinize=True,
        notdef_outline=True,
    )
    options.drop_tables += ["GSUB", "GPOS", "SVG", "BASE", "JSTF", "DSIG", *DROPPED_TABLES]
    font = TTFont(io.BytesIO(data), recalcTimestamp=False, fontNumber=index)
    subsetter = subset.Subsetter(options)
    kept = glyphs | {0}
    subsetter.populate(gids=sorted(kept))
    subsetter.subset(font)
    metrics = font["hmtx"].metrics
    for index, name in enumerate(font.getGlyphOrder()):
        if index not in kept:
            metrics[name] = (0, 0)
    return _saved(font)


def _saved(font: TTFont) -> bytes:
    """The font's bytes, with its own `head.modified`, never the clock's."""
    font.recalcTimestamp = False
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def _options() -> subset.Options:
    """fontTools' subsetting options for an embedded book font."""
    options = subset.Options()
    options.layout_features = list(LAYOUT_FEATURES)
    options.layout_closure = True
    options.name_IDs = list(NAME_IDS)
    options.hinting = False
    options.notdef_outline = True
    options.recalc_timestamp = False
    options.drop_tables = [*options.drop_tables, *DROPPED_TABLES]
    return options
