"""The EPUB writer: a small hand-built book, checked with EPUBCheck and read back."""

from __future__ import annotations

import dataclasses
import io
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from lxml import etree
from PIL import Image
from warm_epubcheck import epubcheck_messages

from chapbook.model.book import (
    Book,
    BookletSettings,
    Chapter,
    Margins,
    Metadata,
    PageSize,
    Part,
    PrintSettings,
    Resource,
    Styles,
)
from chapbook.read.styles import DEFAULT_STYLES
from chapbook.write.cover import generate_cover
from chapbook.write.epub.ebook import write_epub

FONT = "styles/fonts/EBGaramond12-Regular.ttf"
NS = {
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "xhtml": "http://www.w3.org/1999/xhtml",
    "container": "urn:oasis:names:tc:opendocument:xmlns:container",
    "epub": "http://www.idpf.org/2007/ops",
}
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
TITLES = ["A Word First", "The Lighthouse", "The Harbour", "Afterword"]

FOOTNOTE_BODY = """<p>The keeper climbed the stairs<sup><a id="fnref-1" href="#fn-1" \
epub:type="noteref" role="doc-noteref">1</a></sup> and looked out.</p>
<p>See also <a href="02-harbour.xhtml#boats">the boats</a>.</p>
<hr/>
<p><img src="images/lamp.png" alt="A lamp"/></p>
<section class="footnotes" epub:type="endnotes" role="doc-endnotes">
<ol>
<li id="fn-1" epub:type="endnote"><p>All 117 of them. \
<a href="#fnref-1" role="doc-backlink">&#8617;</a></p></li>
</ol>
</section>
"""

TABLE_BODY = """<p id="boats">Boats came and went.</p>
<table>
<thead><tr><th>Boat</th><th>Crew</th></tr></thead>
<tbody><tr><td>Gull</td><td>3</td></tr><tr><td>Tern</td><td>5</td></tr></tbody>
</table>
"""


def png(width: int, height: int, colour: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, format="PNG")
    return out.getvalue()


def chapter(n: int, part: Part, number: int | None, file_name: str, body: str) -> Chapter:
    title = TITLES[n]
    return Chapter(
        id=file_name.removesuffix(".xhtml"),
        part=part,
        number=number,
        title=title,
        title_html=title.replace("The ", "<em>The</em> "),
        body=body,
        source=f"chapters/{file_name.removesuffix('.xhtml')}.md",
        file_name=file_name,
    )


def make_book(cover: Resource | None = None) -> Book:
    """One front chapter, two numbered chapters, one back chapter; a note, a table, an image."""
    metadata = Metadata(
        title="The Keeper's Year",
        subtitle="Notes from a Lighthouse",
        authors=("Ada Lantern", "Ben Wick"),
        language="en-GB",
        identifier="urn:uuid:6f1c2b8e-3a4d-4e5f-9a0b-1c2d3e4f5a6b",
        isbn="9780306406157",
        publisher="Harbour Press",
        date=date(2024, 5, 1),
        rights="© 2024 Ada Lantern",
        edition=None,
        description="A year of weather & light.",
        subjects=("Lighthouses", "Sea stories"),
        modified=datetime(2024, 5, 1, 12, 30, 0, tzinfo=UTC),
    )
    chapters = (
        chapter(0, Part.FRONT, None, "00-preface.xhtml", "<p>Before we begin.</p>"),
        chapter(1, Part.CHAPTER, 1, "01-lighthouse.xhtml", FOOTNOTE_BODY),
        chapter(2, Part.CHAPTER, 2, "02-harbour.xhtml", TABLE_BODY),
        chapter(3, Part.BACK, None, "03-afterword.xhtml", "<p>Thanks, all.</p>"),
    )
    resources = [
        Resource("images/lamp.png", "image/png", png(40, 30, "gold")),
        Resource(FONT, "font/ttf", (DEFAULT_STYLES.parent / FONT).read_bytes()),
    ]
    if cover is not None:
        resources.append(cover)
    return Book(
        metadata=metadata,
        chapters=chapters,
        resources=tuple(resources),
        cover=cover,
        print=PrintSettings(PageSize("A5", 148, 210), Margins(16, 20, 19, 15)),
        booklet=BookletSettings(),
        styles=Styles(
            base="body { line-height: 1.4; }",
            epub="h1 { text-align: center; }",
            print="",
            cover="",
            fonts="",
        ),
        slug="keepers-year",
    )


def author_cover() -> Resource:
    return Resource("images/cover.png", "image/png", png(600, 900, "navy"))


@pytest.fixture(scope="module")
def epub_bytes() -> bytes:
    return write_epub(make_book())


@pytest.fixture(scope="module")
def archive(epub_bytes: bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(epub_bytes))


def opf_path(archive: zipfile.ZipFile) -> str:
    container = etree.fromstring(archive.read("META-INF/container.xml"))
    path = container.find(".//container:rootfile", NS)
    assert path is not None
    return str(path.get("full-path"))


def opf(archive: zipfile.ZipFile) -> etree._Element:
    return etree.fromstring(archive.read(opf_path(archive)))


def in_content(archive: zipfile.ZipFile, href: str) -> str:
    """The zip path of a manifest href (hrefs are relative to the OPF)."""
    return str(Path(opf_path(archive)).parent / href)


def manifest(archive: zipfile.ZipFile) -> dict[str, etree._Element]:
    return {str(item.get("id")): item for item in opf(archive).iterfind(".//opf:item", NS)}


def check(tmp_path: Path, data: bytes) -> list[str]:
    path = tmp_path / "book.epub"
    path.write_bytes(data)
    return epubcheck_messages(path)


def test_epubcheck_is_silent_with_a_generated_cover(tmp_path: Path, epub_bytes: bytes) -> None:
    assert check(tmp_path, epub_bytes) == []


def test_epubcheck_is_silent_with_the_authors_cover(tmp_path: Path) -> None:
    assert check(tmp_path, write_epub(make_book(author_cover()))) == []


def test_epubcheck_is_silent_without_subtitle_date_or_font(tmp_path: Path) -> None:
    book = make_book()
    metadata = dataclasses.replace(book.metadata, subtitle=None, date=None, publisher=None)
    fonts_gone = tuple(r for r in book.resources if r.href != FONT)
    sparse = dataclasses.replace(book, metadata=metadata, resources=fonts_gone)
    assert check(tmp_path, write_epub(sparse)) == []


def test_metadata_is_read_back(archive: zipfile.ZipFile) -> None:
    package = opf(archive)
    unique = package.get("unique-identifier")
    texts = {
        name: [element.text for element in package.iterfind(f".//dc:{name}", NS)]
        for name in ("title", "creator", "language", "identifier", "publisher", "date", "subject")
    }
    assert texts["title"] == ["The Keeper's Year", "Notes from a Lighthouse"]
    assert texts["creator"] == ["Ada Lantern", "Ben Wick"]
    assert texts["language"] == ["en-GB"]
    assert texts["identifier"] == [
        "urn:uuid:6f1c2b8e-3a4d-4e5f-9a0b-1c2d3e4f5a6b",
        "urn:isbn:9780306406157",
    ]
    primary = package.find(f".//dc:identifier[@id='{unique}']", NS)
    assert primary is not None and primary.text == texts["identifier"][0]
    assert texts["publisher"] == ["Harbour Press"]
    assert texts["date"] == ["2024-05-01"]
    assert texts["subject"] == ["Lighthouses", "Sea stories"]
    modified = package.find(".//opf:meta[@property='dcterms:modified']", NS)
    assert modified is not None and modified.text == "2024-05-01T12:30:00Z"


def test_authors_have_the_aut_role(archive: zipfile.ZipFile) -> None:
    package = opf(archive)
    for creator in package.iterfind(".//dc:creator", NS):
        role = package.find(f".//opf:meta[@refines='#{creator.get('id')}']", NS)
        assert role is not None and (role.get("property"), role.text) == ("role", "aut")


def test_spine_is_cover_title_and_copyright_pages_chapters_then_the_nav(
    archive: zipfile.ZipFile,
) -> None:
    items = manifest(archive)
    spine = opf(archive).find("opf:spine", NS)
    assert spine is not None
    refs = [(items[str(ref.get("idref"))].get("href"), ref.get("linear")) for ref in spine]
    chapters = [(c.file_name, None) for c in make_book().chapters]
    front = [("cover.xhtml", None), ("titlepage.xhtml", None), ("copyright.xhtml", None)]
    linear = [*front, *chapters]
    assert refs == [*linear, ("nav.xhtml", "no")]


def test_nav_lists_every_chapter(archive: zipfile.ZipFile) -> None:
    navs = [item for item in manifest(archive).values() if item.get("properties") == "nav"]
    assert len(navs) == 1
    nav = etree.fromstring(archive.read(in_content(archive, str(navs[0].get("href")))))
    toc = nav_links(nav, "toc")
    assert [(a.get("href"), "".join(a.itertext())) for a in toc] == [
        (c.file_name, c.title) for c in make_book().chapters
    ]
    emphasis = [[em.text for em in a.iterfind("xhtml:em", NS)] for a in toc]
    assert emphasis == [["The"] if "<em>" in c.title_html else [] for c in make_book().chapters]
    landmarks = [a.get(EPUB_TYPE) for a in nav_links(nav, "landmarks")]
    assert landmarks == ["cover", "titlepage", "copyright-page", "toc", "bodymatter"]


def nav_links(nav_document: etree._Element, kind: str) -> list[etree._Element]:
    """The links of the document's <nav epub:type=kind>."""
    navs = [n for n in nav_document.iterfind(".//xhtml:nav", NS) if n.get(EPUB_TYPE) == kind]
    assert len(navs) == 1
    return list(navs[0].iterfind(".//xhtml:a", NS))


def test_every_document_parses_and_has_a_language(archive: zipfile.ZipFile) -> None:
    documents = [
        item
        for item in manifest(archive).values()
        if item.get("media-type") == "application/xhtml+xml"
    ]
    assert len(documents) == 8
    for item in documents:
        root = etree.fromstring(archive.read(in_content(archive, str(item.get("href")))))
        assert root.get("lang") == "en-GB"
        assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "en-GB"


def test_numbered_chapters_show_their_number(archive: zipfile.ZipFile) -> None:
    text = archive.read(in_content(archive, "02-harbour.xhtml")).decode()
    assert '<p class="chapter-number">Chapter 2</p>' in text
    assert '<h1 class="chapter-title"><em>The</em> Harbour</h1>' in text
    assert "chapter-number" not in archive.read(in_content(archive, "00-preface.xhtml")).decode()


def test_generated_cover_is_marked_and_shown(archive: zipfile.ZipFile) -> None:
    covers = [
        item for item in manifest(archive).values() if item.get("properties") == "cover-image"
    ]
    assert len(covers) == 1
    href = str(covers[0].get("href"))
    assert Image.open(io.BytesIO(archive.read(in_content(archive, href)))).size == (1600, 2400)
    page = etree.fromstring(archive.read(in_content(archive, "cover.xhtml")))
    image = page.find(".//xhtml:img", NS)
    assert image is not None
    assert (image.get("src"), image.get("alt")) == (href, "Cover: The Keeper's Year")


def test_authors_cover_is_used_once() -> None:
    data = write_epub(make_book(author_cover()))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        items = manifest(archive)
        assert items["cover-image"].get("href") == "images/cover.png"
        assert items["cover-image"].get("properties") == "cover-image"
        assert sum(item.get("href") == "images/cover.png" for item in items.values()) == 1
        assert not any(name.endswith("chapbook-cover.png") for name in archive.namelist())


def test_stylesheet_and_images_are_carried_but_not_fonts(archive: zipfile.ZipFile) -> None:
    css = archive.read(in_content(archive, "styles/book.css")).decode()
    assert css == "body { line-height: 1.4; }\nh1 { text-align: center; }"
    hrefs = {item.get("href"): item.get("media-type") for item in manifest(archive).values()}
    assert hrefs["images/lamp.png"] == "image/png"
    assert not any(str(href).startswith("styles/fonts/") for href in hrefs)


def test_two_writes_give_identical_bytes(epub_bytes: bytes) -> None:
    assert write_epub(make_book()) == epub_bytes


def test_zip_layout(archive: zipfile.ZipFile) -> None:
    first = archive.infolist()[0]
    assert (first.filename, first.compress_type) == ("mimetype", zipfile.ZIP_STORED)
    assert archive.read("mimetype") == b"application/epub+zip"
    assert all(info.compress_type == zipfile.ZIP_DEFLATED for info in archive.infolist()[1:])
    assert {info.date_time for info in archive.infolist()} == {(2024, 5, 1, 12, 30, 0)}


def test_generated_cover_is_a_deterministic_png() -> None:
    book = make_book()
    cover = generate_cover(book)
    image = Image.open(io.BytesIO(cover.data))
    assert (image.format, image.size, cover.media_type) == ("PNG", (1600, 2400), "image/png")
    assert generate_cover(book).data == cover.data


def test_generated_cover_without_the_font_still_works() -> None:
    book = make_book()
    fonts_gone = dataclasses.replace(book, resources=book.resources[:1])
    image = Image.open(io.BytesIO(generate_cover(fonts_gone).data))
    assert image.size == (1600, 2400)
