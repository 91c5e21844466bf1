"""Book -> EPUB 3: XHTML from the templates, packaged by ebooklib, re-zipped reproducibly.

Every document sits at the root of the content folder, next to the chapters, so that the
chapters' links (`other.xhtml#id`) and image paths (`images/x.png`) resolve unchanged.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from datetime import UTC, datetime

from ebooklib import epub
from lxml import etree

from chapbook import __version__
from chapbook.model.book import FONT_FOLDER, Book, Chapter, Metadata, Part, Resource
from chapbook.model.fragments import fragment_xml, parse_fragment
from chapbook.model.labels import words
from chapbook.support.cache import Cache, code_digest, digest
from chapbook.support.templating import render
from chapbook.write import pagemap
from chapbook.write.cover import COVER_HREF, generate_cover
from chapbook.write.cover import FONT_HREF as COVER_FONT
from chapbook.write.epub.archive import Deflate, Member, Stamp, cached_deflate, deflate, zip_file
from chapbook.write.pagemap import OPENING, PageMap, PageStart, insert_breaks

XHTML = "application/xhtml+xml"
STYLESHEET = "styles/book.css"
COVER_PAGE = "cover.xhtml"
TITLE_PAGE = "titlepage.xhtml"
COPYRIGHT_PAGE = "copyright.xhtml"
NAV_PAGE = "nav.xhtml"
COVER_IMAGE_ID = "cover-image"
MATTER = {Part.FRONT: "frontmatter", Part.CHAPTER: "bodymatter", Part.BACK: "backmatter"}
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
ZIP_END = (2107, 12, 31, 23, 59, 58)
OPF = "EPUB/content.opf"
CONFORMANCE = "EPUB Accessibility 1.1 - WCAG 2.2 Level AA"
COVER_KIND = "cover"
"""The cache's folder for generated covers."""


def write_epub(book: Book, pages: PageMap | None = None, cache: Cache | None = None) -> bytes:
    """The complete EPUB 3 file for `book`: the same bytes for the same book. With `pages`
    (where the print PDF's pages begin) it carries the print edition's page numbers. With
    `cache`, what is costly to make again (the generated cover, the compressed documents)
    is taken from it when the same as before; the bytes are the same either way."""
    modified = _utc(book.metadata.modified)
    options = {
        "mtime": modified,
        "epub2_guide": False,
        "raise_exceptions": True,
        "compresslevel": 0,  # compressed once, by _repack
    }
    raw = io.BytesIO()
    cache = None if cache is None or cache.root is None else cache  # one that keeps nothing
    epub.write_epub(raw, _package(book, pages or (), cache), options)
    compress = deflate if cache is None else cached_deflate(cache)
    return _repack(raw.getvalue(), _zip_time(modified), book.metadata.language, compress)


def _package(book: Book, starts: PageMap, cache: Cache | None) -> epub.EpubBook:
    """The ebooklib book: metadata, then the manifest and the spine."""
    cover = book.cover or _generated_cover(book, cache)
    package = epub.EpubBook()
    _describe(package, book.metadata)
    documents = _pages(book, cover, starts)
    pages = [item for item, _ in documents]
    page_list = [
        (f"{item.file_name}#page-{label}", label) for item, labels in documents for label in labels
    ]
    nav = _nav(book, page_list)
    _declare_accessibility(package, book, page_list)
    stylesheet = _stylesheet(book)
    fonts = _fonts(book, [*pages, nav], stylesheet) if book.epub.embed_fonts else []
    for item in [*pages, nav, stylesheet, *_resources(book, cover), *fonts]:
        package.add_item(item)
    package.add_item(epub.EpubNcx())
    package.toc = [_toc_link(n, chapter) for n, chapter in enumerate(book.chapters, 1)]
    package.spine = [*pages, (nav, "no")]
    package.add_metadata(None, "meta", "", {"name": "cover", "content": COVER_IMAGE_ID})
    return package


def _generated_cover(book: Book, cache: Cache | None) -> Resource:
    """The cover `generate_cover` makes, kept in `cache` by what it is made of."""
    if cache is None:
        return generate_cover(book)
    font = next((r.data for r in book.resources if r.href == COVER_FONT), b"")
    metadata = book.metadata
    authors = "\n".join(metadata.authors)
    key = digest(COVER_KIND, code_digest(), metadata.title, metadata.subtitle or "", authors, font)
    data = cache.get(COVER_KIND, key)
    if data is not None:
        return Resource(COVER_HREF, "image/png", data)
    cover = generate_cover(book)
    cache.put(COVER_KIND, key, cover.data)
    return cover


def _describe(package: epub.EpubBook, metadata: Metadata) -> None:
    """Dublin Core metadata; ebooklib adds dcterms:modified from the `mtime` option."""
    package.set_identifier(metadata.identifier)
    if metadata.isbn and f"urn:isbn:{metadata.isbn}" != metadata.identifier:
        package.add_metadata("DC", "identifier", f"urn:isbn:{metadata.isbn}")
    _add_titles(package, metadata)
    package.set_language(metadata.language)
    for n, author in enumerate(metadata.authors, 1):
        package.add_author(author, role="aut", uid=f"author-{n}")
    for name, value in _optional_terms(metadata).items():
        if value:
            package.add_metadata("DC", name, value)
    for subject in metadata.subjects:
        package.add_metadata("DC", "subject", subject)


def _add_titles(package: epub.EpubBook, metadata: Metadata) -> None:
    """The title and, when there is one, the subtitle as a second, refined dc:title."""
    package.title = metadata.title
    package.add_metadata("DC", "title", metadata.title, {"id": "title"})
    if metadata.subtitle:
        package.add_metadata("DC", "title", metadata.subtitle, {"id": "subtitle"})
        _refine(package, "title", "title-type", "main")
        _refine(package, "subtitle", "title-type", "subtitle")


def _refine(package: epub.EpubBook, target: str, prop: str, value: str) -> None:
    package.add_metadata(None, "meta", value, {"refines": f"#{target}", "property": prop})


def _optional_terms(metadata: Metadata) -> dict[str, str | None]:
    return {
        "publisher": metadata.publisher,
        "date": metadata.date.isoformat() if metadata.date else None,
        "rights": metadata.rights,
        "description": metadata.description,
    }


Document = tuple[epub.EpubItem, list[str]]
"""A document of the reading order and the print pages that begin in it."""


def _pages(book: Book, cover: Resource, starts: PageMap) -> list[Document]:
    """The reading order: cover, title page, copyright page, then one document per chapter."""
    documents: list[Document] = [
        (_xhtml("cover", COVER_PAGE, _render(book, "cover", image=cover.href)), []),
        _front_page(book, "titlepage", TITLE_PAGE, _opening(starts, pagemap.TITLE_PAGE)),
        _front_page(book, "copyright", COPYRIGHT_PAGE, _opening(starts, pagemap.COPYRIGHT_PAGE)),
    ]
    for n, chapter in enumerate(book.chapters, 1):
        text, labels = _chapter(book, chapter, [s for s in starts if s.chapter == chapter.id])
        documents.append((_xhtml(f"chapter-{n}", chapter.file_name, text), labels))
    return documents


def _opening(starts: Sequence[PageStart], name: str) -> str | None:
    """The label of the print page that opens with the chapter or front page `name`."""
    return next((s.label for s in starts if s.chapter == name and s.element == OPENING), None)


def _front_page(book: Book, name: str, file_name: str, opening: str | None) -> Document:
    text = _render(book, name, opening=opening)
    return _xhtml(name, file_name, text), [opening] if opening else []


def _chapter(book: Book, chapter: Chapter, starts: Sequence[PageStart]) -> tuple[str, list[str]]:
    """A chapter's document, with a marker where each print page begins; and the page
    labels it marks, in reading order."""
    opening = _opening(starts, chapter.id)
    body, labels = _with_breaks(chapter.body, [s for s in starts if s.element != OPENING])
    text = _render(
        book, "chapter", chapter=chapter, body=body, opening=opening, matter=MATTER[chapter.part]
    )
    return text, ([opening] if opening else []) + labels


def _with_breaks(body: str, starts: Sequence[PageStart]) -> tuple[str, list[str]]:
    """`body` with page-break markers put in, and the labels of those it could place."""
    if not starts:
        return body, []
    container = parse_fragment(body)
    placed = insert_breaks(container, starts)
    return fragment_xml(container), placed


def _nav(book: Book, page_list: list[tuple[str, str]]) -> epub.EpubItem:
    """The EPUB 3 navigation document: the table of contents, the landmarks and the list
    of the print edition's pages."""
    text = _render(
        book,
        "nav",
        chapters=book.chapters,
        start=book.body_start or next(iter(book.chapters), None),
        cover_page=COVER_PAGE,
        title_page=TITLE_PAGE,
        copyright_page=COPYRIGHT_PAGE,
        page_list=page_list,
    )
    return _xhtml("nav", NAV_PAGE, text, properties=["nav"])


def _declare_accessibility(
    package: epub.EpubBook, book: Book, page_list: list[tuple[str, str]]
) -> None:
    """EPUB Accessibility 1.1 metadata: how the book can be read, what helps, no hazards."""
    images = _images(book)
    modes = ["textual", "visual"] if images else ["textual"]
    sufficient = ["textual"] if all(images) else []
    features = ["structuralNavigation", "tableOfContents", "readingOrder"]
    features += ["displayTransformability"]
    features += ["alternativeText"] if any(images) else []
    features += ["pageBreakMarkers", "pageNavigation"] if page_list else []
    properties = [("schema:accessMode", mode) for mode in modes]
    properties += [("schema:accessModeSufficient", ",".join(modes))] if images else []
    properties += [("schema:accessModeSufficient", mode) for mode in sufficient]
    properties += [("schema:accessibilityFeature", feature) for feature in features]
    properties += [("schema:accessibilityHazard", "none")]
    properties += [("schema:accessibilitySummary", _summary(book, images, bool(page_list)))]
    properties += [("dcterms:conformsTo", CONFORMANCE)]
    if page_list:
        source = f"urn:isbn:{book.print.isbn}" if book.print.isbn else book.metadata.identifier
        properties += [("pageBreakSource", source)]
    for name, value in properties:
        package.add_metadata(None, "meta", value, {"property": name})


def _images(book: Book) -> list[bool]:
    """For each image in the chapters, whether it has a text alternative."""
    found: list[bool] = []
    for chapter in book.chapters:
        if "<img" not in chapter.body:
            continue
        container = parse_fragment(chapter.body)
        for image in container.iter("{http://www.w3.org/1999/xhtml}img"):
            decorative = image.get("role") in ("presentation", "none")
            found.append(decorative or bool((image.get("alt") or "").strip()))
    return found


def _summary(book: Book, images: list[bool], paged: bool) -> str:
    if book.epub.accessibility_summary:
        return book.epub.accessibility_summary
    parts = [
        "This publication is structured with headings, a table of contents and landmarks, "
        "and its reading order follows the text.",
        "Every image has a text description." if images and all(images) else "",
        "Page break markers and a page list follow the print edition." if paged else "",
        "It has no flashing, sound or motion hazards.",
    ]
    return " ".join(part for part in parts if part)


def _render(book: Book, name: str, **context: object) -> str:
    template = f"epub/{name}.xhtml.j2"
    language = book.metadata.language
    return render(
        template, metadata=book.metadata, words=words(language), stylesheet=STYLESHEET, **context
    )


def _xhtml(
    uid: str, file_name: str, text: str, properties: list[str] | None = None
) -> epub.EpubItem:
    """A document item holding our own XHTML (ebooklib's EpubHtml would re-parse it as HTML)."""
    item = epub.EpubItem(uid=uid, file_name=file_name, media_type=XHTML, content=text.encode())
    item.properties = properties or []
    return item


def _stylesheet(book: Book) -> epub.EpubItem:
    """The base and EPUB styles; with `embed_fonts`, the typeface's rules before them."""
    parts = [book.styles.fonts] if book.epub.embed_fonts else []
    css = "\n".join([*parts, book.styles.base, book.styles.epub])
    return epub.EpubItem(
        uid="css", file_name=STYLESHEET, media_type="text/css", content=css.encode()
    )


def _fonts(
    book: Book, documents: Sequence[epub.EpubItem], stylesheet: epub.EpubItem
) -> list[epub.EpubItem]:
    """The fonts the stylesheet uses, each cut down to the characters of the book."""
    from chapbook.write.fonts import subset_font, used_characters  # fontTools: only here

    css = stylesheet.content.decode()
    texts = [document.content.decode() for document in documents]
    characters = used_characters(texts, [css])
    return [
        epub.EpubItem(
            uid=f"font-{n}",
            file_name=font.href,
            media_type=font.media_type,
            content=subset_font(font.data, characters),
        )
        for n, font in enumerate(_used_fonts(book, css), 1)
    ]


def _used_fonts(book: Book, css: str) -> list[Resource]:
    """The book's fonts that `css` (relative to `styles/`) refers to."""
    folder = FONT_FOLDER.removeprefix("styles/")
    return [
        font
        for font in book.resources
        if font.href.startswith(FONT_FOLDER)
        and f"{folder}{font.href.removeprefix(FONT_FOLDER)}" in css
    ]


def _resources(book: Book, cover: Resource) -> list[epub.EpubItem]:
    """Every non-font resource, plus the cover image if it was generated."""
    resources = [r for r in book.resources if not r.href.startswith(FONT_FOLDER)]
    if all(r.href != cover.href for r in resources):
        resources.append(cover)
    return [_resource(n, r, is_cover=r.href == cover.href) for n, r in enumerate(resources, 1)]


def _resource(n: int, resource: Resource, *, is_cover: bool) -> epub.EpubItem:
    uid = COVER_IMAGE_ID if is_cover else f"resource-{n}"
    item = epub.EpubItem(
        uid=uid, file_name=resource.href, media_type=resource.media_type, content=resource.data
    )
    item.properties = ["cover-image"] if is_cover else []
    return item


def _toc_link(n: int, chapter: Chapter) -> epub.Link:
    """An NCX entry; ebooklib builds the NCX for older readers from these."""
    return epub.Link(chapter.file_name, chapter.title, uid=f"navpoint-{n}")


def _utc(moment: datetime) -> datetime:
    """`moment` in UTC; a naive datetime is taken to be UTC already."""
    return moment.astimezone(UTC) if moment.tzinfo else moment


def _zip_time(moment: datetime) -> Stamp:
    """The zip entries' timestamp: `modified`, within what a zip file can hold."""
    stamp = (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second)
    return min(max(stamp, ZIP_EPOCH), ZIP_END)


def _repack(data: bytes, stamp: Stamp, language: str, compress: Deflate) -> bytes:
    """Re-zip ebooklib's output with one timestamp, `mimetype` first and stored."""
    members = []
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        for name in sorted(source.namelist(), key=lambda name: name != "mimetype"):
            content = source.read(name)
            if name == OPF:
                content = _finish_package(content, language)
            members.append(Member(name, content, compressed=name != "mimetype"))
    return zip_file(members, stamp, compress)


def _finish_package(opf: bytes, language: str) -> bytes:
    """The package document with its language (which ebooklib leaves out) and Chapbook,
    not ebooklib's version, as its generator."""
    root = etree.fromstring(opf)
    root.set("{http://www.w3.org/XML/1998/namespace}lang", language)
    for meta in root.iter("{http://www.idpf.org/2007/opf}meta"):
        if meta.get("name") == "generator":
            meta.set("content", f"Chapbook {__version__}")
    return etree.tostring(root, encoding="utf-8", xml_declaration=True)
