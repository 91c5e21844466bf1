"""Join the PDFs of a book's parts (writers/parts.py) into the book's one PDF (pypdf).

What a part cannot finish alone is finished here:
- links to another part, which a part writes as `LINK_ACROSS#name`, become links to the
  named destination that the other part brings;
- each typeface, which every part embeds cut down to the glyphs it uses (keeping each glyph's
  number), is embedded once, cut down to the glyphs the whole book uses;
- the structure tree (tags for screen readers): one tree of the parts' trees;
- the page labels (roman for the front, arabic from the body), and the front part's
  metadata, output intent and language, for the whole book.

pypdf joins; qpdf (pikepdf) writes the result compactly.
"""

from __future__ import annotations

import io
import re
import uuid
from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import Any

import pikepdf
from fontTools import subset  # type: ignore[import-untyped]
from fontTools.ttLib import TTFont, TTLibError  # type: ignore[import-untyped]
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    ByteStringObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    NumberObject,
    StreamObject,
    TextStringObject,
)

from chapbook.cache import Cache, digest
from chapbook.model import Book
from chapbook.writers.pdf import LINK_ACROSS

CATALOG_KEYS = ("/Metadata", "/OutputIntents", "/Lang", "/ViewerPreferences", "/PageMode")
"""What the book's catalog takes from the front part's."""
FONT_MEDIA = ("font/ttf", "font/otf", "font/sfnt", "application/font-sfnt")


def join_parts(
    book: Book, parts: Sequence[tuple[bytes, int]], front_pages: int, cache: Cache | None = None
) -> bytes:
    """One PDF of the first `kept` pages of each part's PDF, in order; the body's arabic
    numbering starts after the first `front_pages` pages."""
    writer = PdfWriter()
    readers = [PdfReader(io.BytesIO(pdf)) for pdf, _ in parts]
    for reader, (_, kept) in zip(readers, parts, strict=True):
        writer.append(reader, pages=(0, kept))
    relink(writer, readers[0], parts[0][1])
    link_across(writer)
    join_structure(writer, readers, [kept for _, kept in parts])
    share_fonts(writer, book, cache or Cache(None))
    front = readers[0]
    catalog = dictionary(front.trailer["/Root"])
    for key in CATALOG_KEYS:
        if key in catalog:
            writer._root_object[NameObject(key)] = catalog.raw_get(key).clone(writer)
    if front.metadata is not None:
        writer.add_metadata(dict(front.metadata))
    writer._root_object[NameObject("/PageLabels")] = page_labels(front_pages)
    writer._root_object[NameObject("/ViewerPreferences")] = DictionaryObject(
        {NameObject("/DisplayDocTitle"): BooleanObject(True)}
    )
    stable = uuid.uuid5(uuid.NAMESPACE_URL, book.metadata.identifier).bytes
    writer._ID = ArrayObject([ByteStringObject(stable), ByteStringObject(stable)])
    buffer = io.BytesIO()
    writer.write(buffer)
    return compact(buffer.getvalue())


def compact(pdf: bytes) -> bytes:
    """`pdf` rewritten by qpdf with only the objects its pages and catalog reach, the small
    ones packed into compressed object streams (pypdf writes every object on its own: the
    structure tree of a long book alone took megabytes); the same bytes for the same input."""
    with pikepdf.open(io.BytesIO(pdf)) as document:
        buffer = io.BytesIO()
        document.save(
            buffer,
            object_stream_mode=pikepdf.ObjectStreamMode.generate,
            compress_streams=True,
            deterministic_id=True,
        )
    return buffer.getvalue()


def page_labels(front_pages: int) -> DictionaryObject:
    """Roman numbers for the front pages, arabic from 1 after them."""

    def style(name: str) -> DictionaryObject:
        return DictionaryObject({NameObject("/S"): NameObject(name)})

    numbers = ArrayObject([NumberObject(0), style("/r")])
    numbers.extend([NumberObject(front_pages), style("/D")])
    return DictionaryObject({NameObject("/Nums"): numbers})


def relink(writer: PdfWriter, reader: PdfReader, kept: int) -> None:
    """Put back the links of the first `kept` pages (the front part's contents) that pypdf
    dropped for pointing at pages not kept: the stand-ins of the chapters, whose names the
    chapters' own parts now carry."""
    for index in range(kept):
        kept_names = {
            annotation.get_object().get("/Dest")
            for annotation in writer.pages[index].get("/Annots") or ()
        }
        for item in reader.pages[index].get("/Annots") or ():
            annotation = item.get_object()
            name = annotation.get("/Dest")
            if isinstance(name, str) and name not in kept_names:
                page = writer.pages[index]
                annotations = page.setdefault(NameObject("/Annots"), ArrayObject())
                assert isinstance(annotations, ArrayObject)
                annotations.append(item.clone(writer))  # the same link, its structure too


def join_structure(writer: PdfWriter, readers: Sequence[PdfReader], kept: Sequence[int]) -> None:
    """One structure tree (a tagged PDF's, for screen readers) of the parts' trees: their
    document's elements on the pages kept, in order, under one document element; and one
    parent tree, each page's and link's key renumbered in turn."""
    trees = [reader.root_object.get("/StructTreeRoot") for reader in readers]
    if any(tree is None for tree in trees):
        return  # an untagged variant (PDF/X-1a, X-3): no part has a tree
    root = DictionaryObject({NameObject("/Type"): NameObject("/StructTreeRoot")})
    root_reference = writer._add_object(root)
    elements = ArrayObject()
    document = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/StructElem"),
            NameObject("/S"): NameObject("/Document"),
            NameObject("/P"): root_reference,
            NameObject("/K"): elements,
        }
    )
    document_reference = writer._add_object(document)
    numbers = ArrayObject()
    first_page = 0
    for reader, tree, count in zip(readers, trees, kept, strict=True):
        source = dictionary(tree)
        parents = dict(pairs(dictionary(source["/ParentTree"]).get("/Nums", ArrayObject())))
        pages = {
            reference.idnum
            for index in range(count)
            if (reference := reader.pages[index].indirect_reference) is not None
        }
        for element in kids(dictionary(kids(source)[0])):  # the part's document's elements
            target = dictionary(element)
            page = target.get("/Pg")
            if page is None or page.idnum in pages:
                target[NameObject("/P")] = document_reference
                elements.append(element.clone(writer))
        for offset in range(count):
            page = writer.pages[first_page + offset]
            old = reader.pages[offset].get("/StructParents")  # pypdf leaves it out of the copy
            if old is not None:
                page[NameObject("/StructParents")] = old
            numbers.extend(renumber(writer, page, "/StructParents", parents, len(numbers) // 2))
            for annotation in (item.get_object() for item in page.get("/Annots") or ()):
                numbers.extend(
                    renumber(writer, annotation, "/StructParent", parents, len(numbers) // 2)
                )
        first_page += count
    root[NameObject("/K")] = ArrayObject([document_reference])
    root[NameObject("/ParentTree")] = writer._add_object(
        DictionaryObject({NameObject("/Nums"): numbers})
    )
    root[NameObject("/ParentTreeNextKey")] = NumberObject(len(numbers) // 2)
    writer._root_object[NameObject("/StructTreeRoot")] = root_reference
    writer._root_object[NameObject("/MarkInfo")] = DictionaryObject(
        {NameObject("/Marked"): BooleanObject(True)}
    )


def pairs(numbers: ArrayObject) -> Iterator[tuple[int, Any]]:
    """A number tree's flat /Nums array as (key, value) pairs."""
    for index in range(0, len(numbers) - 1, 2):
        yield int(numbers[index]), numbers[index + 1]


def kids(element: DictionaryObject) -> list[Any]:
    """An element's kids, as references (an element's /K may be one kid or an array)."""
    found = element.get("/K")
    if found is None:
        return []
    return list(found.get_object()) if isinstance(found.get_object(), ArrayObject) else [found]


def renumber(
    writer: PdfWriter, item: DictionaryObject, key: str, parents: dict[int, Any], new: int
) -> list[Any]:
    """Give `item` (a page or a link) the parent tree key `new` in place of its part's, and
    the parent tree entry for it: its part's, brought into the book."""
    old = item.get(key)
    if old is None or int(old) not in parents:
        return []
    item[NameObject(key)] = NumberObject(new)
    return [NumberObject(new), parents[int(old)].clone(writer)]


def link_across(writer: PdfWriter) -> None:
    """Each link to another part becomes a link to its named destination."""
    for page in writer.pages:
        for annotation in (item.get_object() for item in page.get("/Annots") or ()):
            uri = annotation.get("/A", {}).get("/URI")
            if isinstance(uri, str) and uri.startswith(LINK_ACROSS):
                del annotation["/A"]
                annotation[NameObject("/Dest")] = TextStringObject(uri[len(LINK_ACROSS) :])


def share_fonts(writer: PdfWriter, book: Book, cache: Cache) -> None:
    """One font dictionary for each font the parts share, with the widths and text of the
    glyphs every part used; and each of the book's typefaces embedded once, cut down to
    those glyphs."""
    resources = list(resource_dicts(writer))
    groups: dict[str, list[IndirectObject]] = defaultdict(list)
    for fonts in font_dicts(resources):
        for reference in fonts.values():
            font = reference.get_object()
            if font.get("/Subtype") == "/Type0" and reference not in groups[font["/BaseFont"]]:
                groups[font["/BaseFont"]].append(reference)
    leaders: dict[int, IndirectObject] = {}
    for members in groups.values():
        leaders |= {member.idnum: members[0] for member in members[1:]}
        merge_font_dicts(writer, [dictionary(member) for member in members])
    for fonts in font_dicts(resources):
        for key, reference in list(fonts.items()):
            if reference.idnum in leaders:
                fonts[key] = leaders[reference.idnum]
    embed_once(writer, book, [dictionary(members[0]) for members in groups.values()], cache)


def dictionary(item: Any) -> DictionaryObject:
    """`item`, or what it refers to, as the dictionary it must be."""
    found = item.get_object() if item is not None else None
    if not isinstance(found, DictionaryObject):
        raise ValueError(f"a dictionary was expected, not {type(found).__name__}")
    return found


def descendant_of(font: DictionaryObject) -> DictionaryObject:
    """The CIDFont inside a composite (Type0) font."""
    descendants = font["/DescendantFonts"].get_object()
    assert isinstance(descendants, ArrayObject)
    return dictionary(descendants[0])


def resource_dicts(writer: PdfWriter) -> Iterator[DictionaryObject]:
    """The resources of every page and of every form they draw, once each."""
    seen: set[int] = set()
    stack = [page.get("/Resources") for page in writer.pages]
    while stack:
        item = stack.pop()
        resources = item.get_object() if item is not None else None
        if not isinstance(resources, DictionaryObject) or id(resources) in seen:
            continue
        seen.add(id(resources))
        yield resources
        for xobject in (resources.get("/XObject") or DictionaryObject()).values():
            stack.append(xobject.get_object().get("/Resources"))


def font_dicts(resources: Sequence[DictionaryObject]) -> Iterator[DictionaryObject]:
    for item in resources:
        fonts = item.get("/Font")
        if fonts is not None:
            yield fonts.get_object()


def merge_font_dicts(writer: PdfWriter, fonts: Sequence[DictionaryObject]) -> None:
    """Give the first of `fonts` (one font, as several parts embedded it) the widths and
    the text of the glyphs all of them have."""
    widths: dict[int, float] = {}
    text: dict[int, str] = {}
    for font in fonts:
        widths |= glyph_widths(descendant_of(font).get("/W", ArrayObject()))
        cmap = font.get("/ToUnicode")
        cmap = cmap.get_object() if cmap is not None else None
        if isinstance(cmap, StreamObject):
            text |= glyph_text(cmap.get_data())
    first = fonts[0]
    descendant_of(first)[NameObject("/W")] = widths_array(widths)
    first[NameObject("/ToUnicode")] = writer._add_object(to_unicode(text))


def glyph_widths(widths: ArrayObject) -> dict[int, float]:
    """A /W array as glyph -> width: `first [w w ...]` or `first last w`."""
    found: dict[int, float] = {}
    index = 0
    while index + 1 < len(widths):
        first, following = int(widths[index]), widths[index + 1]
        if isinstance(following, ArrayObject):
            found |= {first + i: float(width) for i, width in enumerate(following)}
            index += 2
        else:
            found |= dict.fromkeys(range(first, int(following) + 1), float(widths[index + 2]))
            index += 3
    return found


def widths_array(widths: dict[int, float]) -> ArrayObject:
    """`widths` as a /W array of runs of consecutive glyphs."""
    array = ArrayObject()
    for glyph in sorted(widths):
        if glyph - 1 not in widths:
            array.extend([NumberObject(glyph), ArrayObject()])
        array[-1].append(FloatObject(widths[glyph]))
    return array


BFCHAR = re.compile(rb"beginbfchar(.*?)endbfchar", re.S)
PAIR = re.compile(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]*)>")


def glyph_text(cmap: bytes) -> dict[int, str]:
    """The glyph -> text pairs of a ToUnicode CMap's bfchar sections (as WeasyPrint writes)."""
    pairs = {}
    for section in BFCHAR.findall(cmap):
        for glyph, text in PAIR.findall(section):
            pairs[int(glyph, 16)] = bytes.fromhex(text.decode()).decode("utf-16-be", "replace")
    return pairs


def to_unicode(text: dict[int, str]) -> StreamObject:
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
    stream = StreamObject()
    stream.set_data(b"\n".join(lines))
    return stream.flate_encode()


def embed_once(
    writer: PdfWriter, book: Book, fonts: Sequence[DictionaryObject], cache: Cache
) -> None:
    """Embed each of the book's typefaces that `fonts` use once, cut down to the glyphs
    they have widths for; fonts from elsewhere (the system's) keep their own file."""
    originals = book_fonts(book)
    descriptors: dict[str, list[DictionaryObject]] = defaultdict(list)
    used: dict[str, set[int]] = defaultdict(set)
    for font in fonts:
        descendant = descendant_of(font)
        descriptor = dictionary(descendant["/FontDescriptor"])
        stream = descriptor.get("/FontFile2")
        data = stream.get_object() if stream is not None else None
        name = postscript_name(data.get_data()) if isinstance(data, StreamObject) else None
        if name in originals:
            descriptors[name].append(descriptor)
            used[name] |= set(glyph_widths(descendant.get("/W", ArrayObject())))
    for name, group in descriptors.items():
        data = subset_glyphs(originals[name], used[name], cache)
        stream = StreamObject()
        stream.set_data(data)
        packed = stream.flate_encode()
        packed[NameObject("/Length1")] = NumberObject(len(data))
        shared = writer._add_object(packed)
        for descriptor in group:
            descriptor[NameObject("/FontFile2")] = shared
            descriptor.pop("/CIDSet", None)


def book_fonts(book: Book) -> dict[str, bytes]:
    """The book's own font files by PostScript name."""
    fonts = {}
    for resource in book.resources:
        if resource.media_type in FONT_MEDIA or resource.href.endswith((".ttf", ".otf")):
            name = postscript_name(resource.data)
            if name:
                fonts[name] = resource.data
    return fonts


def postscript_name(data: bytes) -> str | None:
    try:
        font = TTFont(io.BytesIO(data), lazy=True)
        name = font["name"].getDebugName(6)
    except (TTLibError, KeyError, AssertionError, ValueError, IndexError):
        return None
    return str(name) if name else None


def subset_glyphs(data: bytes, glyphs: set[int], cache: Cache) -> bytes:
    """`data` cut down to `glyphs`, each keeping its number, as WeasyPrint embeds it."""
    key = digest(data, ",".join(map(str, sorted(glyphs))))
    cached = cache.get("font", key)
    if cached is not None:
        return cached
    options = subset.Options(
        retain_gids=True,
        passthrough_tables=True,
        ignore_missing_glyphs=True,
        hinting=False,
        desubroutinize=True,
        notdef_outline=True,
    )
    options.drop_tables += ["GSUB", "GPOS", "SVG", "BASE", "JSTF", "DSIG", "FFTM"]
    font = TTFont(io.BytesIO(data), recalcTimestamp=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(gids=sorted(glyphs | {0}))
    subsetter.subset(font)
    metrics = font["hmtx"].metrics
    kept = glyphs | {0}
    for index, name in enumerate(font.getGlyphOrder()):
        if index not in kept:
            metrics[name] = (0, 0)  # an empty glyph's width: never used, zeros pack away
    buffer = io.BytesIO()
    font.save(buffer, reorderTables=False)
    result = buffer.getvalue()
    cache.put("font", key, result)
    return result
