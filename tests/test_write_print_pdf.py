"""The print PDF and the booklet of the sample book and of the full test book, read back."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pypdf
import pytest
from conftest import MM, Built, half_texts, outline_titles, pdf_texts

from chapbook.write.booklet import saddle_order

SAMPLE_CHAPTERS = [
    "A Love Letter to the Golden Age",
    "The La La Land Leading Duo: A Match Made in Hollywood Heaven",
]


def page_sizes_mm(path: Path) -> set[tuple[int, int]]:
    reader = pypdf.PdfReader(io.BytesIO(path.read_bytes()))
    boxes = [page.trimbox for page in reader.pages]
    return {(round(float(box.width) / MM), round(float(box.height) / MM)) for box in boxes}


def first_page_of(texts: list[str], heading: str, after: int) -> int:
    """1-based number of the first page after `after` whose text starts a chapter `heading`."""
    for index, text in enumerate(texts[after:], start=after + 1):
        if heading in text:
            return index
    raise AssertionError(f"{heading!r} not found after page {after}")


def contents_page(texts: list[str]) -> int:
    """The 1-based number of the contents page."""
    return next(i for i, text in enumerate(texts, start=1) if text.startswith("Contents"))


def test_sample_pdf_is_a5_with_title_and_contents(sample: Built) -> None:
    texts = pdf_texts(sample.pdf)
    assert page_sizes_mm(sample.pdf) == {(148, 210)}
    assert texts[0] == "City of Stars"  # the half title
    assert texts[2] == "City of Stars A Look Back at La La Land’s Enduring Allure"
    contents = next(i for i, text in enumerate(texts) if text.startswith("Contents"))
    for title in SAMPLE_CHAPTERS:
        assert title in texts[contents]


def test_sample_chapters_open_on_right_hand_pages(sample: Built) -> None:
    texts = pdf_texts(sample.pdf)
    contents = next(i for i, text in enumerate(texts) if text.startswith("Contents"))
    for title in SAMPLE_CHAPTERS:
        page = first_page_of(texts, title, contents + 1)
        assert page % 2 == 1, f"{title!r} opens on page {page}, a left-hand page"


def test_contents_page_numbers_are_the_real_ones(full: Built) -> None:
    """The number after each entry's leader dots is the page number printed where it opens."""
    texts = pdf_texts(full.pdf)
    contents = texts[contents_page(texts) - 1]
    for title, numeral in (("Reading Maps", "1"), ("Tables and Notes", "3"), ("Afterword", "5")):
        match = re.search(re.escape(title) + r"[ .]*?(\d+)", contents)
        assert match is not None and match[1] == numeral, contents
        opening = first_page_of(texts, title, contents_page(texts))
        assert texts[opening - 1].split()[-1] == numeral
    assert re.search(r"Foreword[ .]*vii\b", contents)


def test_every_word_of_the_manuscript_is_printed(sample: Built) -> None:
    printed = " ".join(pdf_texts(sample.pdf))
    printed = re.sub(r"(\w)[-\u2010] (\w)", r"\1\2", printed)  # hyphenation at line ends
    manuscript = Path(__file__).resolve().parent.parent / "manuscript" / "chapters"
    for chapter in sorted(manuscript.glob("*.md")):
        for paragraph in chapter.read_text(encoding="utf-8").split("\n\n"):
            words = paragraph.lstrip("# ").split()
            assert " ".join(words[:6]) in printed


def test_bookmarks_name_the_chapters_and_sections(sample: Built, full: Built) -> None:
    titles = outline_titles(sample.pdf)
    for title in SAMPLE_CHAPTERS:
        assert title in titles
    assert "Ryan Gosling: The Idealistic Jazzman" in titles
    assert outline_titles(full.pdf)[:5] == [
        "Contents",
        "Foreword",
        "Reading Maps",
        "Tables and Notes",
        "Distances between towns",
    ]


def test_pdf_metadata_and_fonts(full: Built) -> None:
    reader = pypdf.PdfReader(io.BytesIO(full.pdf.read_bytes()))
    info = reader.metadata
    assert info is not None
    assert info.title == "The Field Guide: A Test Book with Every Kind of Part"
    assert info.author == "Ada Writer, Ben Editor"
    assert info["/CreationDate"].startswith("D:20250601")
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"
    fonts = [
        descendant.get_object()["/FontDescriptor"]
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
        for descendant in font.get_object().get("/DescendantFonts", [font])
    ]
    assert len(fonts) >= 3
    assert all("/FontFile2" in f or "/FontFile3" in f for f in fonts)
    assert all("EB-Garamond" in str(f["/FontName"]) for f in fonts)


def test_digest_trim_and_footnotes_on_their_page(full: Built) -> None:
    assert page_sizes_mm(full.pdf) == {(140, 216)}
    texts = pdf_texts(full.pdf)
    maps = first_page_of(texts, "Reading Maps", contents_page(texts)) - 1
    assert "explains its signs.1" in texts[maps]
    assert "1. The legend sits in a corner of the map" in texts[maps]
    tables = first_page_of(texts, "Tables and Notes", contents_page(texts)) - 1
    assert "1. Columns guide the eye down the page." in texts[tables]


def test_links_between_chapters_land_on_their_target(full: Built) -> None:
    reader = pypdf.PdfReader(io.BytesIO(full.pdf.read_bytes()))
    texts = pdf_texts(full.pdf)
    maps = first_page_of(texts, "Reading Maps", contents_page(texts)) - 1
    tables = first_page_of(texts, "Tables and Notes", contents_page(texts)) - 1
    named = reader.named_destinations
    targets = set()
    annotations = [a for page in reader.pages[maps:tables] for a in page.get("/Annots", [])]
    for annotation in annotations:
        destination = annotation.get_object().get("/Dest") or annotation.get_object()["/A"].get(
            "/D"
        )
        target = named.get(str(destination), destination)
        targets.add(reader.get_destination_page_number(target))
    assert tables in targets


def test_builds_are_reproducible(tmp_path: Path) -> None:
    from chapbook.pipeline import build

    root = Path(__file__).resolve().parent / "books" / "full"
    first = {o.target: o.path.read_bytes() for o in build(root, tmp_path / "a")}
    second = {o.target: o.path.read_bytes() for o in build(root, tmp_path / "b")}
    assert first == second


@pytest.mark.parametrize(("book", "paper"), [("sample", (297, 210)), ("full", (279.4, 215.9))])
def test_booklet_sheets_hold_the_pages_in_saddle_order(
    book: str, paper: tuple[float, float], request: pytest.FixtureRequest
) -> None:
    """A5 pages on A4 and digest pages on US Letter, landscape, in saddle order."""
    built: Built = request.getfixturevalue(book)
    pages = pdf_texts(built.pdf)
    sheets = saddle_order(len(pages))
    sides = half_texts(built.booklet)
    assert len(sides) == 2 * len(sheets)
    sheet = pypdf.PdfReader(io.BytesIO(built.booklet.read_bytes())).pages[0].mediabox
    assert (float(sheet.width) / MM, float(sheet.height) / MM) == pytest.approx(paper, abs=0.2)
    expected = [
        tuple("" if number is None else pages[number - 1] for number in (side.left, side.right))
        for each in sheets
        for side in (each.front, each.back)
    ]
    assert sides == expected


def test_words_are_hyphenated_in_the_books_language(sample: Built) -> None:
    """Some line ends split a word that the manuscript writes whole: hyphenation is on."""
    printed = " ".join(pdf_texts(sample.pdf))
    manuscript = Path(__file__).resolve().parent.parent / "manuscript" / "chapters"
    words = set(" ".join(p.read_text(encoding="utf-8") for p in manuscript.glob("*.md")).split())
    splits = [a + b for a, b in re.findall(r"(\w+)[-\u2010] (\w+)", printed)]
    assert any(any(word.startswith(split) for word in words) for split in splits), splits


def test_links_in_an_epigraph_and_to_the_chapter_itself_land_in_it(tmp_path: Path) -> None:
    from chapbook.pipeline import build
    from chapbook.read.manuscript import read_book
    from chapbook.write.print.layout import print_chapter

    (tmp_path / "chapters").mkdir()
    (tmp_path / "book.toml").write_text('[book]\ntitle = "Links"\nlanguage = "en"\n')
    (tmp_path / "chapters" / "01-one.md").write_text(
        '---\ntitle: One\nepigraph: "As [below](#b) says."\n---\n\nTop.\n\n'
        "## B {#b}\n\nThe [chapter](#) itself.\n"
    )
    chapter = read_book(tmp_path).chapters[0]
    printed = print_chapter(chapter, frozenset({chapter.id}))
    assert f'href="#{chapter.id}--b"' in (printed.epigraph or "")
    assert f'id="{chapter.id}--b"' in printed.body
    assert f'href="#{chapter.id}"' in printed.body
    pdf = next(o.path for o in build(tmp_path, tmp_path / "dist", ["pdf"]))
    reader = pypdf.PdfReader(pdf)
    links = [
        annotation.get_object()
        for page in reader.pages
        for annotation in page.get("/Annots", [])
        if annotation.get_object().get("/Subtype") == "/Link"
    ]
    internal = [link for link in links if "/Dest" in link or "/D" in link.get("/A", {})]
    assert len(internal) >= 2  # the epigraph's and the body's, both inside the document
