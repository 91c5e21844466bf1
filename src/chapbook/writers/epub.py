"""Book -> EPUB 3: XHTML from the templates, packaged by ebooklib, re-zipped reproducibly.

Every document sits at the root of the content folder, next to the chapters, so that the
chapters' links (`other.xhtml#id`) and image paths (`images/x.png`) resolve unchanged.
"""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime

from ebooklib import epub

from chapbook.cover import generate_cover
from chapbook.model import FONT_FOLDER, Book, Chapter, Metadata, Part, Resource
from chapbook.templating import render

XHTML = "application/xhtml+xml"
STYLESHEET = "styles/book.css"
COVER_PAGE = "cover.xhtml"
TITLE_PAGE = "titlepage.xhtml"
NAV_PAGE = "nav.xhtml"
COVER_IMAGE_ID = "cover-image"
MATTER = {Part.FRONT: "frontmatter", Part.CHAPTER: "bodymatter", Part.BACK: "backmatter"}
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
ZIP_END = (2107, 12, 31, 23, 59, 58)


def write_epub(book: Book) -> bytes:
    """The complete EPUB 3 file for `book`: the same bytes for the same book."""
    modified = _utc(book.metadata.modified)
    options = {"mtime": modified, "epub2_guide": False, "raise_exceptions": True}
    raw = io.BytesIO()
    epub.write_epub(raw, _package(book), options)
    return _repack(raw.getvalue(), _zip_time(modified))


def _package(book: Book) -> epub.EpubBook:
    """The ebooklib book: metadata, then the manifest and the spine."""
    cover = book.cover or generate_cover(book)
    package = epub.EpubBook()
    _describe(package, book.metadata)
    pages, nav = _pages(book, cover), _nav(book)
    for item in [*pages, nav, _stylesheet(book), *_resources(book, cover)]:
        package.add_item(item)
    package.add_item(epub.EpubNcx())
    package.toc = [_toc_link(n, chapter) for n, chapter in enumerate(book.chapters, 1)]
    package.spine = [*pages, (nav, "no")]
    package.add_metadata(None, "meta", "", {"name": "cover", "content": COVER_IMAGE_ID})
    return package


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


def _pages(book: Book, cover: Resource) -> list[epub.EpubItem]:
    """The reading order: cover page, title page, then one document per chapter."""
    pages = [
        _xhtml("cover", COVER_PAGE, _render(book, "cover", image=cover.href)),
        _xhtml("titlepage", TITLE_PAGE, _render(book, "titlepage")),
    ]
    for n, chapter in enumerate(book.chapters, 1):
        pages.append(_xhtml(f"chapter-{n}", chapter.file_name, _chapter(book, chapter)))
    return pages


def _chapter(book: Book, chapter: Chapter) -> str:
    return _render(book, "chapter", chapter=chapter, matter=MATTER[chapter.part])


def _nav(book: Book) -> epub.EpubItem:
    """The EPUB 3 navigation document: the table of contents and the landmarks."""
    text = _render(
        book,
        "nav",
        chapters=book.chapters,
        start=book.body_start or next(iter(book.chapters), None),
        cover_page=COVER_PAGE,
        title_page=TITLE_PAGE,
    )
    return _xhtml("nav", NAV_PAGE, text, properties=["nav"])


def _render(book: Book, name: str, **context: object) -> str:
    template = f"epub/{name}.xhtml.j2"
    return render(template, metadata=book.metadata, stylesheet=STYLESHEET, **context)


def _xhtml(
    uid: str, file_name: str, text: str, properties: list[str] | None = None
) -> epub.EpubItem:
    """A document item holding our own XHTML (ebooklib's EpubHtml would re-parse it as HTML)."""
    item = epub.EpubItem(uid=uid, file_name=file_name, media_type=XHTML, content=text.encode())
    item.properties = properties or []
    return item


def _stylesheet(book: Book) -> epub.EpubItem:
    css = book.styles.base + "\n" + book.styles.epub
    return epub.EpubItem(
        uid="css", file_name=STYLESHEET, media_type="text/css", content=css.encode()
    )


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


def _zip_time(moment: datetime) -> tuple[int, int, int, int, int, int]:
    """The zip entries' timestamp: `modified`, within what a zip file can hold."""
    stamp = (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second)
    return min(max(stamp, ZIP_EPOCH), ZIP_END)


def _repack(data: bytes, stamp: tuple[int, int, int, int, int, int]) -> bytes:
    """Re-zip ebooklib's output with one timestamp, `mimetype` first and stored."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        names = sorted(source.namelist(), key=lambda name: name != "mimetype")
        for name in names:
            target.writestr(_entry(name, stamp), source.read(name))
    return out.getvalue()


def _entry(name: str, stamp: tuple[int, int, int, int, int, int]) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=stamp)
    info.compress_type = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
    info.create_system = 3
    info.external_attr = 0o644 << 16
    return info
