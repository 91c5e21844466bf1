"""The EPUBs of the sample book and of the full test book, as EPUBCheck and a reader see them."""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from conftest import BOOKS, Built
from PIL import Image
from warm_epubcheck import epubcheck_messages

from chapbook.diagnostics import BookErrors, Diagnostic
from chapbook.pipeline import build

XHTML = "{http://www.w3.org/1999/xhtml}"
OPF = "{http://www.idpf.org/2007/opf}"


def test_epubcheck_is_silent_on_the_sample_book(sample: Built) -> None:
    assert epubcheck_messages(sample.epub) == []


def test_epubcheck_is_silent_on_the_full_test_book(full: Built) -> None:
    assert epubcheck_messages(full.epub) == []


def read(built: Built, name: str) -> ET.Element:
    with zipfile.ZipFile(built.epub) as archive:
        return ET.fromstring(archive.read(name))


def test_the_sample_book_text_is_in_the_chapters(sample: Built) -> None:
    chapter = read(sample, "EPUB/chapter-02-the-leading-duo.xhtml")
    text = " ".join("".join(chapter.itertext()).split())
    assert "The La La Land Leading Duo: A Match Made in Hollywood Heaven" in text
    assert "his smooth vocals and effortless dance moves in “Crazy Stupid Love”" in text
    headings = [h.text for h in chapter.iter(f"{XHTML}h2")]
    assert headings == [
        "Ryan Gosling: The Idealistic Jazzman",
        "Emma Stone: The Aspiring Starlet",
        "A Chemistry that Ignited the Screen",
        "Beyond La La Land",
    ]
    # The title comes from the heading and is not shown twice.
    body = " ".join("".join(next(chapter.iter(f"{XHTML}body")).itertext()).split())
    assert body.count("A Match Made in Hollywood Heaven") == 1


def test_links_between_chapters_point_at_existing_anchors(full: Built) -> None:
    chapter = read(full, "EPUB/chapter-01-maps.xhtml")
    hrefs = {a.get("href") for a in chapter.iter(f"{XHTML}a")}
    assert "chapter-02-tables.xhtml#distances-between-towns" in hrefs
    assert "back-afterword.xhtml" in hrefs
    target = read(full, "EPUB/chapter-02-tables.xhtml")
    assert "distances-between-towns" in {e.get("id") for e in target.iter()}


def test_footnotes_link_both_ways(full: Built) -> None:
    chapter = read(full, "EPUB/chapter-01-maps.xhtml")
    by_id = {e.get("id"): e for e in chapter.iter() if e.get("id")}
    call = next(a for a in chapter.iter(f"{XHTML}a") if a.get("role") == "doc-noteref")
    note = by_id[call.get("href", "").lstrip("#")]
    assert "The legend sits in a corner of the map" in "".join(note.itertext())
    back = next(a for a in note.iter(f"{XHTML}a") if a.get("role") == "doc-backlink")
    assert back.get("href", "").lstrip("#") in by_id


def test_images_are_carried_with_their_alt_text(full: Built) -> None:
    chapter = read(full, "EPUB/chapter-01-maps.xhtml")
    image = next(chapter.iter(f"{XHTML}img"))
    assert image.get("src") == "images/map.png"
    assert image.get("alt") == "A small square map with a red dot"
    with zipfile.ZipFile(full.epub) as archive:
        assert "EPUB/images/map.png" in archive.namelist()


def with_cover(tmp_path: Path, size: tuple[int, int] | None) -> Path:
    """The full test book with a cover image of `size` pixels (None: a broken file)."""
    book = tmp_path / "book"
    shutil.copytree(BOOKS / "full", book)
    if size is None:
        (book / "cover.png").write_bytes(b"\x89PNG not really")
    else:
        Image.new("RGB", size, (200, 40, 40)).save(book / "cover.png")
    with (book / "book.toml").open("r+", encoding="utf-8") as toml:
        text = toml.read().replace("[book]\n", '[book]\ncover = "cover.png"\n')
        toml.seek(0)
        toml.write(text)
    return book


def test_the_authors_cover_comes_first_marked_as_the_cover_image(tmp_path: Path) -> None:
    warnings: list[Diagnostic] = []
    (output,) = build(
        with_cover(tmp_path, (1600, 2560)), tmp_path / "out", ["epub"], None, warnings.append
    )
    assert warnings == []
    with zipfile.ZipFile(output.path) as archive:
        opf = ET.fromstring(archive.read("EPUB/content.opf"))
        cover_page = archive.read("EPUB/cover.xhtml").decode()
    items = {i.get("id"): i for i in opf.iter(f"{OPF}item")}
    assert items["cover-image"].get("href") == "cover.png"
    assert items["cover-image"].get("properties") == "cover-image"
    assert [i.get("href") for i in items.values()].count("cover.png") == 1
    first = next(opf.iter(f"{OPF}itemref")).get("idref")
    assert items[first].get("href") == "cover.xhtml" and 'src="cover.png"' in cover_page
    assert epubcheck_messages(output.path) == []


def test_a_small_cover_is_a_warning_and_a_broken_one_an_error(tmp_path: Path) -> None:
    warnings: list[Diagnostic] = []
    build(
        with_cover(tmp_path / "small", (800, 1200)),
        tmp_path / "out",
        ["epub"],
        None,
        warnings.append,
    )
    assert [w.message for w in warnings] == [
        "cover 'cover.png' is 800 x 1200 px; ebook shops ask for at least 1600 px on the long side"
    ]
    with pytest.raises(BookErrors) as failure:
        build(with_cover(tmp_path / "broken", None), tmp_path / "out", ["epub"])
    assert [e.message for e in failure.value.errors] == [
        "cover 'cover.png' is not a readable image"
    ]


def test_a_full_build_gives_the_same_epub_twice_and_follows_source_date_epoch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def epub(out: str) -> bytes:
        outputs = build(BOOKS / "features", tmp_path / out, ["epub", "pdf"])
        return next(o.path for o in outputs if o.target == "epub").read_bytes()

    first, second = epub("one"), epub("two")
    assert first == second
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 2023-11-14T22:13:20Z
    dated = epub("three")
    with zipfile.ZipFile(io.BytesIO(dated)) as archive:
        opf = archive.read("EPUB/content.opf").decode()
        stamps = {info.date_time for info in archive.infolist()}
        first_name = archive.infolist()[0]
    assert '<meta property="dcterms:modified">2023-11-14T22:13:20Z</meta>' in opf
    assert stamps == {(2023, 11, 14, 22, 13, 20)}
    assert first_name.filename == "mimetype" and first_name.compress_type == zipfile.ZIP_STORED
