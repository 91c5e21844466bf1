"""The print PDF laid out in parts by several processes, then joined (writers/parts.py,
writers/join.py), against the same book laid out as one document: the same pages, text,
numbers, labels, outline, links and page map; a cache that gives the same bytes."""

from __future__ import annotations

import dataclasses
import io
import os
import shutil
import subprocess
import sys
from concurrent.futures import Future
from functools import cache
from pathlib import Path
from typing import Any

import pypdf
import pypdfium2
import pytest

from chapbook.model.book import Book
from chapbook.pipeline import build
from chapbook.read.manuscript import read_book
from chapbook.support.cache import Cache
from chapbook.support.progress import Progress
from chapbook.verify.preflight import preflight
from chapbook.write.pagemap import PageMap
from chapbook.write.print import parts
from chapbook.write.print import pdf as pdf_writer
from chapbook.write.print.layout import Printed
from chapbook.write.print.pdf import print_book
from chapbook.write.print.urls import image_names

BOOKS = Path(__file__).parent / "books"


@cache
def book(name: str) -> Book:
    return read_book(BOOKS / name)


@cache
def single(name: str) -> tuple[bytes, PageMap]:
    return print_book(book(name))[:2]


@cache
def in_parts(name: str) -> tuple[bytes, PageMap]:
    return parts.print_in_parts(book(name), 2, None)[:2]


def texts(pdf: bytes) -> list[str]:
    document = pypdfium2.PdfDocument(pdf)
    return [page.get_textpage().get_text_range() for page in document]


def outline(pdf: bytes) -> list[tuple[int, str, int, float]]:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    found: list[tuple[int, str, int, float]] = []

    def walk(items: list[object], depth: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                assert isinstance(item, pypdf.generic.Destination)
                page = reader.get_destination_page_number(item)
                found.append((depth, str(item.title), page, round(float(item.top or 0), 1)))

    walk(reader.outline, 0)
    return found


def links(pdf: bytes) -> list[tuple[int, str, int | None]]:
    """Each internal link: its page, its destination's name and the page that name is on."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    names = reader.named_destinations
    found = []
    for index, page in enumerate(reader.pages):
        for annotation in (item.get_object() for item in page.get("/Annots") or ()):
            name = str(annotation.get("/Dest"))
            target = names.get(name)
            page_number = reader.get_destination_page_number(target) if target else None
            found.append((index, name, page_number))
    return found


def labels(pdf: bytes) -> list[str]:
    return list(pypdf.PdfReader(io.BytesIO(pdf)).page_labels)


@pytest.mark.parametrize("name", ["long", "full"])
def test_parts_give_the_pages_of_one_document(name: str) -> None:
    whole, whole_map = single(name)
    joined, joined_map = in_parts(name)
    assert len(texts(joined)) == len(texts(whole)) > 10
    for number, (expected, got) in enumerate(zip(texts(whole), texts(joined), strict=True), 1):
        assert got == expected, f"page {number} differs"
    assert labels(joined) == labels(whole)
    assert joined_map == whole_map


@pytest.mark.parametrize("name", ["long", "full"])
def test_parts_keep_the_outline_and_every_link(name: str) -> None:
    whole, joined = single(name)[0], in_parts(name)[0]
    assert outline(joined) == outline(whole)
    assert len(outline(joined)) >= len(book(name).chapters)
    whole_links, joined_links = links(whole), links(joined)
    assert joined_links == whole_links
    assert all(page is not None for _, _, page in joined_links)
    # the contents page links to every chapter, each in another part
    assert {chapter.id for chapter in book(name).chapters} <= {name for _, name, _ in joined_links}


def test_links_between_chapters_cross_parts() -> None:
    """The full book links from one chapter to another: the joined PDF's link goes to the
    other part's page."""
    joined = links(in_parts("full")[0])
    across = [(page, name, target) for page, name, target in joined if "--" in name]
    assert across, "the full test book has links between chapters"
    assert all(target is not None and target != page for page, _, target in across)


def test_typefaces_are_embedded_once_and_the_size_stays_close() -> None:
    whole, joined = single("long")[0], in_parts("long")[0]
    reader = pypdf.PdfReader(io.BytesIO(joined))
    files = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            descendant = font.get_object()["/DescendantFonts"][0].get_object()
            files.add(descendant["/FontDescriptor"].raw_get("/FontFile2").idnum)
    assert len(files) == len(preflight(whole, None).fonts)  # one file per face drawn
    assert len(joined) <= 1.2 * len(whole), (len(joined), len(whole))
    report = preflight(joined, book("long").print)
    assert not report.faults and not report.unembedded_fonts


def test_wrong_guesses_are_laid_out_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """With a first guess of the page length far off, parts start at wrong pages, are found
    out and laid out again: the result is still the one document's."""
    monkeypatch.setattr(parts, "CHARS_PER_PAGE", 50)
    calls: list[int | None] = []
    cached_layout = parts.cached_layout

    def counted(part: parts.Part, start: int | None, *rest: Any) -> Future[parts.Laid]:
        calls.append(start)
        return cached_layout(part, start, *rest)

    monkeypatch.setattr(parts, "cached_layout", counted)
    joined, joined_map, _ = parts.print_in_parts(book("long"), 2, None)
    assert texts(joined) == texts(single("long")[0])
    assert joined_map == single("long")[1]
    chapters = len(parts.body_chapters(book("long")))
    assert len(calls) > chapters + 1  # some parts twice


def test_a_cache_hit_and_a_miss_give_the_bytes_of_a_cold_build(tmp_path: Path) -> None:
    manuscript = tmp_path / "book"
    shutil.copytree(BOOKS / "long", manuscript)
    cold = parts.print_in_parts(read_book(manuscript), 2, None)[0]
    store = Cache(tmp_path / "cache")
    first = parts.print_in_parts(read_book(manuscript), 2, store)[0]
    assert first == cold
    store = Cache(tmp_path / "cache")
    again = parts.print_in_parts(read_book(manuscript), 2, store)[0]
    assert again == cold
    assert store.misses == 0 and store.hits > 10

    chapter = manuscript / "chapters" / "05-low-water.md"
    chapter.write_text(chapter.read_text().replace("The ", "The very ", 3))
    edited = read_book(manuscript)
    store = Cache(tmp_path / "cache")
    warm = parts.print_in_parts(edited, 2, store)[0]
    assert warm == parts.print_in_parts(edited, 2, None)[0]
    assert warm != cold
    assert "The very" in "".join(texts(warm))
    assert 1 <= store.misses <= 4  # the chapter (its layout and its count), the front


def test_the_build_lays_out_in_parts_with_jobs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`build(jobs=2)` takes the parallel path for a long enough book, and its outputs (the
    booklet and the EPUB's page-list too) match those of `jobs=1`."""
    monkeypatch.setattr(parts, "PARTS_FROM", 0)
    used: list[int] = []
    monkeypatch.setattr(pdf_writer, "print_in_parts", spy(parts.print_in_parts, used))
    one = build(BOOKS / "long", tmp_path / "one", ["pdf", "epub", "booklet"], jobs=1)
    two = build(BOOKS / "long", tmp_path / "two", ["pdf", "epub", "booklet"], jobs=2)
    assert used == [2]
    for made_one, made_two in zip(one, two, strict=True):
        if made_one.target == "epub":
            assert made_one.path.read_bytes() == made_two.path.read_bytes()
        else:
            assert texts(made_one.path.read_bytes()) == texts(made_two.path.read_bytes())


def spy(function: object, calls: list[int]) -> object:
    def called(book: Book, jobs: int, cache: Cache | None, progress: Progress) -> Printed:
        calls.append(jobs)
        return function(book, jobs, cache, progress)  # type: ignore[operator, no-any-return]

    return called


def test_a_part_with_an_error_fails_the_build_with_its_place() -> None:
    deep = "<ul><li>" * 100 + "deep" + "</li></ul>" * 100  # as in test_bounds
    long = book("long")
    chapters = list(long.chapters)
    index = chapters.index(parts.body_chapters(long)[3])
    chapters[index] = dataclasses.replace(chapters[index], body=deep)
    from chapbook.diagnostics import BookErrors

    with pytest.raises(BookErrors) as failure:
        parts.print_in_parts(dataclasses.replace(long, chapters=chapters), 2, None)
    assert [error.path for error in failure.value.errors] == [chapters[index].source]


def test_the_cache_serves_a_new_process(tmp_path: Path) -> None:
    """Keys are the same in every process (whatever its hash seed): a second build in a new
    process finds everything in the cache and adds nothing to it."""
    manuscript = tmp_path / "book"
    shutil.copytree(BOOKS / "long", manuscript)
    script = (
        "import sys; from pathlib import Path; from chapbook.write.print import parts;"
        "from chapbook.pipeline import build; parts.PARTS_FROM = 0;"
        "build(Path(sys.argv[1]), Path(sys.argv[2]), ['pdf'], jobs=2, cache=Path(sys.argv[3]))"
    )
    store = tmp_path / "cache"
    entries = []
    for seed in ("1", "2"):
        environment = {**os.environ, "PYTHONHASHSEED": seed}
        command = [sys.executable, "-c", script, str(manuscript), str(tmp_path / "out"), str(store)]
        subprocess.run(command, check=True, env=environment)
        entries.append(sorted(path.name for path in store.rglob("*") if path.is_file()))
    assert entries[0] == entries[1]
    assert any(path.parent.parent.name == "pdf-part" for path in store.rglob("*"))


def structure(pdf: bytes) -> tuple[list[tuple[int, str, int | None]], list[list[str]], int]:
    """The structure tree: each element's depth, type and page, in order; the types that
    each page's marked content belongs to (the parent tree); how many links are elements
    that point back at them."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    page_of = {page.indirect_reference.idnum: i for i, page in enumerate(reader.pages)}  # type: ignore[union-attr]
    root = reader.root_object["/StructTreeRoot"].get_object()
    numbers = root["/ParentTree"].get_object()["/Nums"]
    parents = {int(numbers[i]): numbers[i + 1].get_object() for i in range(0, len(numbers), 2)}
    elements: list[tuple[int, str, int | None]] = []

    def visit(item: Any, depth: int) -> None:
        element = item.get_object()
        if not isinstance(element, pypdf.generic.DictionaryObject) or "/S" not in element:
            return
        page = element.raw_get("/Pg") if "/Pg" in element else None
        elements.append((depth, str(element["/S"]), page_of.get(page.idnum) if page else None))
        kids = element.get("/K")
        kids = kids.get_object() if kids is not None else []
        for kid in kids if isinstance(kids, list) else [kids]:
            visit(kid, depth + 1)

    visit(root["/K"].get_object()[0], 0)
    pages = [
        [str(e.get_object()["/S"]) for e in parents[page["/StructParents"]]]
        for page in reader.pages
    ]
    linked = 0
    for page in reader.pages:
        for annotation in (item.get_object() for item in page.get("/Annots") or ()):
            element = parents[annotation["/StructParent"]]
            objects = [kid.get_object() for kid in element["/K"]]
            reference = annotation.indirect_reference
            linked += any(
                o.get("/Type") == "/OBJR" and o.raw_get("/Obj").idnum == reference.idnum
                for o in objects
            )
    return elements, pages, linked


@pytest.mark.parametrize("name", ["long", "full"])
def test_parts_keep_the_structure_tree(name: str) -> None:
    """The tags a screen reader follows: the joined tree is the one document's, element by
    element and page by page, and every link is an element pointing back at it."""
    whole, joined = structure(single(name)[0]), structure(in_parts(name)[0])
    assert joined == whole
    assert len(joined[0]) > 100 and joined[2] == len(links(in_parts(name)[0]))


@pytest.mark.parametrize(
    "settings",
    [
        {"variant": "pdf/x-4", "bleed_mm": 3.0, "marks": True},
        {"variant": "pdf/x-1a"},
        {"variant": "pdf/a-2b"},
        {"variant": "pdf/ua-1"},
    ],
)
def test_parts_keep_the_print_variant(settings: dict[str, Any]) -> None:
    """What a printer's preflight sees is the same in parts as in one document."""
    variant = dataclasses.replace(
        book("full"), print=dataclasses.replace(book("full").print, **settings)
    )
    whole, printed = print_book(variant).pdf, parts.print_in_parts(variant, 2, None)
    joined = printed.pdf
    expected, got = preflight(whole, variant.print), preflight(joined, variant.print)
    assert got == expected
    names = image_names(variant)
    told = preflight(joined, variant.print, image_names=names, drawn=printed.drawn)
    assert told == preflight(joined, variant.print, image_names=names)
    assert told.images and told.fonts  # the full book has an image
    assert (got.trim_mm, got.bleed_mm, got.pages) == (
        expected.trim_mm,
        expected.bleed_mm,
        expected.pages,
    )
    assert not got.faults
    assert texts(joined) == texts(whole)


def die(part: parts.Part, start: int | None) -> parts.Laid:
    os._exit(9)  # as the kernel's out-of-memory killer would end it


def test_a_layout_process_that_dies_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parts, "lay_out_part", die)
    from chapbook.diagnostics import BookErrors

    with pytest.raises(BookErrors) as failure:
        parts.print_in_parts(book("long"), 2, None)
    assert str(failure.value.errors[0]) == (
        "print PDF: a layout process ended abruptly (out of memory?); try --jobs 1"
    )
