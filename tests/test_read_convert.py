"""Cached and parallel conversion (issues 6 and 7): a chapter whose text, images and
settings did not change is taken from `.chapbook-cache/`, converted chapters come out the
same in worker processes, and either way the book, its messages and its EPUB are exactly
those of a plain read."""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import pytest
from conftest import BOOKS
from PIL import Image

from chapbook.diagnostics import BookErrors
from chapbook.model.book import Book
from chapbook.read import convert, remote
from chapbook.read.manuscript import read_book
from chapbook.support.cache import Cache
from chapbook.write.epub.archive import Member, zip_file
from chapbook.write.epub.ebook import write_epub

CHAPTERS = 4
"""The chapters of tests/books/full: a foreword, two chapters and an afterword."""


@pytest.fixture
def book(tmp_path: Path) -> Path:
    """A copy of the full test book (notes, a table, an image, links between chapters)."""
    copy = tmp_path / "book"
    shutil.copytree(BOOKS / "full", copy)
    return copy


@pytest.fixture
def cache_folder(tmp_path: Path) -> Path:
    return tmp_path / ".chapbook-cache"


def read(book: Path, folder: Path, jobs: int = 1) -> tuple[Book, Cache]:
    cache = Cache(folder)
    return read_book(book, cache=cache, jobs=jobs), cache


def messages(book: Path, cache: Cache | None = None, jobs: int = 1) -> list[str]:
    with pytest.raises(BookErrors) as refused:
        read_book(book, cache=cache, jobs=jobs)
    return [str(error) for error in refused.value.errors]


def png(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(out, "PNG")
    return out.getvalue()


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def test_a_cached_read_is_a_plain_read(book: Path, cache_folder: Path) -> None:
    plain = read_book(book)
    first, cold = read(book, cache_folder)
    again, warm = read(book, cache_folder)
    assert (cold.hits, cold.misses) == (0, CHAPTERS)
    assert (warm.hits, warm.misses) == (CHAPTERS, 0)
    assert first == plain
    assert again == plain
    assert write_epub(again, cache=Cache(cache_folder)) == write_epub(plain)


def test_the_epub_is_the_same_from_a_warm_cache(book: Path, cache_folder: Path) -> None:
    plain = read_book(book)
    expected = write_epub(plain)
    assert write_epub(plain, cache=Cache(cache_folder)) == expected
    warm = Cache(cache_folder)
    assert write_epub(plain, cache=warm) == expected
    assert warm.misses == 0 and warm.hits > 0  # the cover and the larger documents


def test_an_edited_chapter_alone_is_converted_again(book: Path, cache_folder: Path) -> None:
    read(book, cache_folder)
    append(book / "chapters" / "02-tables.md", "\nOne more line.\n")
    edited, cache = read(book, cache_folder)
    assert (cache.hits, cache.misses) == (CHAPTERS - 1, 1)
    assert edited == read_book(book)
    assert "One more line." in edited.chapters[2].body


def test_a_changed_image_converts_the_chapters_that_show_it(book: Path, cache_folder: Path) -> None:
    read(book, cache_folder)
    (book / "images" / "map.png").write_bytes(png((200, 30, 30)))
    changed, cache = read(book, cache_folder)
    assert (cache.hits, cache.misses) == (CHAPTERS - 1, 1)  # only chapters/01-maps.md
    assert changed == read_book(book)
    image = next(r for r in changed.resources if r.href == "images/map.png")
    assert image.data == png((200, 30, 30))


def test_an_image_added_where_one_was_missing_is_found(book: Path, cache_folder: Path) -> None:
    chapter = book / "chapters" / "02-tables.md"
    append(chapter, "\n![A drawn chart](../images/chart.png)\n")
    [missing] = messages(book, Cache(cache_folder))
    assert missing.endswith("02-tables.md:16: image '../images/chart.png' not found")
    (book / "images" / "chart.png").write_bytes(png((10, 10, 200)))
    found, cache = read(book, cache_folder)
    assert cache.misses == 1
    assert "images/chart.png" in [r.href for r in found.resources]


def test_a_damaged_cache_entry_is_a_miss(book: Path, cache_folder: Path) -> None:
    plain, _ = read(book, cache_folder)
    entries = sorted((cache_folder / "chapter").rglob("*"))
    entries = [entry for entry in entries if entry.is_file()]
    assert len(entries) == CHAPTERS
    entries[0].write_bytes(b"not an entry")
    entries[1].write_bytes(entries[1].read_bytes()[:-20])  # cut short
    flipped = bytearray(entries[2].read_bytes())
    flipped[len(flipped) // 2] ^= 1  # one bit of the text
    entries[2].write_bytes(bytes(flipped))
    again, cache = read(book, cache_folder)
    assert (cache.hits, cache.misses) == (CHAPTERS - 3, 3)
    assert again == plain


def test_an_entry_of_the_wrong_shape_is_a_miss() -> None:
    for payload in (b"[]", b'{"chapter": 5}', b"null", b'{"chapter": {"id": 1}}'):
        assert convert.decode(payload) is None


def test_the_language_converts_every_chapter_again_the_title_none(
    book: Path, cache_folder: Path
) -> None:
    read(book, cache_folder)
    toml = book / "book.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("The Field Guide", "Field Notes"))
    assert read(book, cache_folder)[1].misses == 0
    toml.write_text(toml.read_text(encoding="utf-8").replace('"en-GB"', '"fr"'))
    french, cache = read(book, cache_folder)
    assert (cache.hits, cache.misses) == (0, CHAPTERS)
    assert french == read_book(book)


def test_a_damaged_compressed_document_is_not_used(book: Path, cache_folder: Path) -> None:
    plain = read_book(book)
    expected = write_epub(plain)
    write_epub(plain, cache=Cache(cache_folder))
    for entry in (cache_folder / "deflated").rglob("*"):
        if entry.is_file():
            entry.write_bytes(entry.read_bytes()[:-8] + b"\0" * 8)
    for entry in (cache_folder / "cover").rglob("*"):
        if entry.is_file():
            entry.write_bytes(b"\x89PNG broken")
    assert write_epub(plain, cache=Cache(cache_folder)) == expected


def test_errors_and_warnings_are_told_again_from_the_cache(book: Path, cache_folder: Path) -> None:
    append(book / "chapters" / "01-maps.md", "\n![](../images/map.png)\n[gone](#nowhere)\n")
    append(book / "back" / "afterword.md", "\n![A plan](plan.png)\n")
    plain = messages(book)
    assert len(plain) == 2
    assert messages(book, Cache(cache_folder)) == plain
    warm = Cache(cache_folder)
    assert messages(book, warm) == plain
    assert (warm.hits, warm.misses) == (CHAPTERS, 0)
    (book / "back" / "afterword.md").write_text("# Afterword\n\nFixed.\n", encoding="utf-8")
    (book / "chapters" / "01-maps.md").write_text(
        (BOOKS / "full" / "chapters" / "01-maps.md").read_text(encoding="utf-8")
        + "\n![](../images/map.png)\n",
        encoding="utf-8",
    )
    warned = read_book(book, cache=Cache(cache_folder)).warnings
    assert warned == read(book, cache_folder)[0].warnings == read_book(book).warnings
    assert [w.message for w in warned] == [
        "image '../images/map.png' has no alt text: describe it in ![...] or mark it {.decorative}"
    ]


def test_a_chapter_with_a_downloaded_image_is_not_kept(
    book: Path, cache_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []

    def fetch(url: str, accept: object) -> remote.Download:
        asked.append(url)
        if url.endswith("gone.png"):
            raise remote.RemoteError("could not be downloaded: HTTP 404 Not Found")
        return remote.Download("image/png", png((0, 120, 0)))

    monkeypatch.setattr(remote, "fetch", fetch)
    append(book / "book.toml", "\n[build]\nallow-remote = true\n")
    for name in ("front/foreword.md", "back/afterword.md"):
        append(book / name, "\n![A plan](https://example.org/plan.png)\n")
    append(book / "back/afterword.md", "\n![Lost](https://example.org/gone.png)\n")
    told = messages(book, Cache(cache_folder), jobs=2)
    assert [m.split(": ", 1)[1] for m in told] == [
        "image 'https://example.org/gone.png' could not be downloaded: HTTP 404 Not Found"
    ]
    assert asked == ["https://example.org/plan.png", "https://example.org/gone.png"]  # once each
    (book / "back/afterword.md").write_text(
        "# Afterword\n\n![A plan](https://example.org/plan.png)\n"
    )
    asked.clear()
    again, cache = read(book, cache_folder, jobs=2)
    assert (cache.hits, cache.misses) == (CHAPTERS - 2, 2)  # the two that download
    assert asked == ["https://example.org/plan.png"]
    assert again == read_book(book)


@pytest.fixture
def processes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Worker processes for even a few chapters."""
    monkeypatch.setattr(convert, "PER_PROCESS", 1)


@pytest.mark.usefixtures("processes")
def test_chapters_converted_in_processes_make_the_same_book(book: Path) -> None:
    assert read_book(book, jobs=2) == read_book(book, jobs=1)


@pytest.mark.usefixtures("processes")
def test_processes_tell_the_same_errors_in_the_same_order(book: Path) -> None:
    for name in ("front/foreword.md", "chapters/02-tables.md", "back/afterword.md"):
        append(book / name, "\n![A plan](plan.png)\n\n[gone](01-maps.md#nowhere)\n")
    serial = messages(book)
    assert len(serial) == 6
    assert messages(book, jobs=2) == serial
    assert messages(book, Cache(None), jobs=2) == serial


@pytest.mark.usefixtures("processes")
def test_processes_with_a_cache_convert_only_what_changed(book: Path, cache_folder: Path) -> None:
    cold, _ = read(book, cache_folder, jobs=2)
    append(book / "front" / "foreword.md", "\nA new line.\n")
    append(book / "back" / "afterword.md", "\nAnother.\n")
    warm, cache = read(book, cache_folder, jobs=2)
    assert (cache.hits, cache.misses) == (CHAPTERS - 2, 2)
    assert warm == read_book(book)
    assert warm.chapters[1:3] == cold.chapters[1:3]


def test_the_archive_has_the_bytes_zipfile_writes() -> None:
    members = [
        Member("mimetype", b"application/epub+zip", compressed=False),
        Member("EPUB/chapter.xhtml", "<p>Le cœur — ".encode() * 500),
        Member("EPUB/résumé.xhtml", b"<p/>"),
        Member("EPUB/empty.css", b""),
    ]
    stamp = (2026, 11, 28, 13, 45, 31)
    expected = io.BytesIO()
    with zipfile.ZipFile(expected, "w") as archive:
        for member in members:
            info = zipfile.ZipInfo(member.name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED if member.compressed else zipfile.ZIP_STORED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            archive.writestr(info, member.data)
    assert zip_file(members, stamp) == expected.getvalue()
