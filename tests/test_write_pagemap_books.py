"""The EPUB's page-list: built with the print PDF, each entry points where that page begins."""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from pathlib import Path

import pypdf
import pytest
from conftest import BOOKS, ROOT, pdf_texts
from lxml import etree
from warm_epubcheck import epubcheck_messages

from chapbook.pipeline import build

XHTML = "{http://www.w3.org/1999/xhtml}"
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
SNIPPET = 30
"""Letters of text after a marker that must open the print page."""


def letters(text: str) -> str:
    return re.sub(r"[^a-z]", "", text.lower())


def page_list(epub: Path) -> list[tuple[str, str, str]]:
    """(label, document, the letters that follow the marker) for each page-list entry."""
    with zipfile.ZipFile(epub) as archive:
        nav = etree.fromstring(archive.read("EPUB/nav.xhtml"))
        navs = [n for n in nav.iter(f"{XHTML}nav") if n.get(EPUB_TYPE) == "page-list"]
        entries = []
        for link in navs[0].iter(f"{XHTML}a") if navs else []:
            name, _, anchor = link.get("href", "").partition("#")
            document = etree.fromstring(archive.read(f"EPUB/{name}"))
            marker = document.xpath("//*[@id=$id]", id=anchor)[0]
            following = "".join(marker.xpath("following::text()"))
            entries.append((link.text or "", name, letters(following)[:SNIPPET]))
    return entries


def labelled_texts(pdf: Path) -> dict[str, str]:
    """Each page's text (letters only) by its printed page number."""
    reader = pypdf.PdfReader(io.BytesIO(pdf.read_bytes()))
    return {
        label: letters(text) for label, text in zip(reader.page_labels, pdf_texts(pdf), strict=True)
    }


@pytest.mark.parametrize("folder", [ROOT / "manuscript", BOOKS / "full", BOOKS / "long"])
def test_every_page_list_entry_opens_its_print_page(folder: Path, tmp_path: Path) -> None:
    outputs = {o.target: o.path for o in build(folder, tmp_path, ["epub", "pdf"])}
    pages = labelled_texts(outputs["pdf"])
    entries = page_list(outputs["epub"])
    assert entries, "no page-list"
    for label, document, following in entries:
        assert following in pages[label], f"page {label} ({document}) does not show {following!r}"
    assert epubcheck_messages(outputs["epub"]) == []


def test_the_page_list_covers_every_page_but_the_half_title_contents_and_colophon(
    tmp_path: Path,
) -> None:
    outputs = {o.target: o.path for o in build(BOOKS / "long", tmp_path, ["epub", "pdf"])}
    pages = labelled_texts(outputs["pdf"])
    listed = [label for label, _, _ in page_list(outputs["epub"])]
    generated = {"i", "v", next(reversed(pages))}  # half title, contents, colophon
    assert pages["v"].startswith("contents") and "chapbook" in pages[next(reversed(pages))]
    assert listed == [label for label, text in pages.items() if text and label not in generated]
    assert listed[:3] == ["iii", "iv", "vii"]  # title page, copyright page, preface


def test_an_epub_built_alone_has_no_page_list(tmp_path: Path) -> None:
    (output,) = build(BOOKS / "full", tmp_path, ["epub"])
    assert page_list(output.path) == []
    with zipfile.ZipFile(output.path) as archive:
        assert b"pageBreakSource" not in archive.read("EPUB/content.opf")


def test_the_page_source_is_the_print_isbn(tmp_path: Path) -> None:
    shutil.copytree(BOOKS / "full", tmp_path / "book")
    toml = tmp_path / "book" / "book.toml"
    print_isbn = 'trim = "digest"\nisbn = "978-0-306-40615-7"'
    toml.write_text(toml.read_text().replace('trim = "digest"', print_isbn))
    built = build(tmp_path / "book", tmp_path / "out", ["epub", "pdf"])
    outputs = {o.target: o.path for o in built}
    with zipfile.ZipFile(outputs["epub"]) as archive:
        opf = archive.read("EPUB/content.opf").decode()
    assert '<meta property="pageBreakSource">urn:isbn:978-0-306-40615-7</meta>' in opf
