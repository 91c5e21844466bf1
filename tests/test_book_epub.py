"""The EPUBs of the sample book and of the full test book, as EPUBCheck and a reader see them."""

from __future__ import annotations

import zipfile
from xml.etree import ElementTree as ET

from conftest import Built

from chapbook.epubcheck import epubcheck_messages

XHTML = "{http://www.w3.org/1999/xhtml}"


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
