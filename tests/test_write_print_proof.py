"""Proof mode (`--proof`): each block's file and line in the outer margin, DRAFT and the
date on every page, the print PDF and the EPUB left as they are.

Lines are checked against the Markdown files themselves: the line the reader gives a
block must hold the block's first words; the margin note of a known paragraph must name
the line found by searching the file for the paragraph's first words.
"""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import date
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from conftest import BOOKS, MM, ROOT, clean, pdf_texts
from lxml import etree
from lxml import html as lxml_html

from chapbook.cli import main
from chapbook.model.book import EPIGRAPH_LINE, TITLE_LINE, Book, Chapter
from chapbook.pipeline import Output, build
from chapbook.read.manuscript import read_book
from chapbook.read.markdown.markup import render_markdown
from chapbook.read.markdown.sourcemap import block_lines
from chapbook.write.print import parts
from chapbook.write.print.proof import PROOF_MARGIN_MM

EPOCH = "1767225600"
"""2026-01-01, UTC."""
DAY = "2026-01-01"
NOTE = re.compile(r"[\w.-]+\.md:\d+")
BOOK_NAMES = ["manuscript", "full", "long", "features", "fr", "de"]
BLOCKS = ("p", "li", "h2", "h3", "h4", "h5", "h6", "dt", "dd", "pre", "tr")


def words(text: str) -> list[str]:
    return re.findall(r"\w+", unicodedata.normalize("NFKC", text).casefold())


def folder(name: str) -> Path:
    return ROOT / "manuscript" if name == "manuscript" else BOOKS / name


def body_elements(chapter: Chapter) -> list[etree._Element]:
    root = lxml_html.fragment_fromstring(chapter.body, create_parent="div")
    return list(root.iter(etree.Element))[1:]


def own_text(element: etree._Element) -> str:
    """A block's text before any block inside it, without note numbers."""
    parts_of = [element.text or ""]
    for child in element:
        if child.tag in ("ul", "ol", "dl", "p", "table", "blockquote", "pre"):
            break
        if child.get("class") not in ("note-number", "footnote-ref") and not (
            child.tag == "sup" and len(child) and child[0].get("class") == "footnote-ref"
        ):
            parts_of.append("".join(child.itertext()))
        parts_of.append(child.tail or "")
    return "".join(parts_of)


def first_words(element: etree._Element) -> list[str]:
    if element.tag == "tr":
        return words(" ".join("".join(cell.itertext()) for cell in element))[:2]
    return words(own_text(element))[:2]


def is_row_start(element: etree._Element) -> bool:
    parent = element.getparent()
    return parent is not None and parent.tag == "tr" and element.getprevious() is None


@pytest.mark.parametrize("name", BOOK_NAMES)
def test_every_block_begins_on_its_line(name: str) -> None:
    book = read_book(folder(name))
    checked = 0
    for chapter in book.chapters:
        source = Path(chapter.source).read_text(encoding="utf-8").split("\n")
        elements = body_elements(chapter)
        lines = dict(chapter.lines)
        for number, element in enumerate(elements):
            block = element.getparent() if is_row_start(element) else element
            if block is None or element.tag == "tr" or block.tag not in BLOCKS:
                continue  # a table row's line is kept by its first cell
            if not first_words(block):
                continue
            assert number in lines, (chapter.source, number, block.tag)
            line = source[lines[number] - 1]
            assert set(first_words(block)) <= set(words(line)), (chapter.source, lines[number])
            checked += 1
        for number in (n for n in lines if n >= 0):
            element = elements[number]
            if not first_words(element) and not is_row_start(element):  # an image alone
                assert "![" in source[lines[number] - 1]
        if TITLE_LINE in lines:
            assert set(words(chapter.title)[:1]) <= set(words(source[lines[TITLE_LINE] - 1]))
        if EPIGRAPH_LINE in lines:
            assert source[lines[EPIGRAPH_LINE] - 1].startswith("epigraph:")
    assert checked > 5


TRICKY = """\
<!-- where the front matter would be -->



A paragraph that says the same thing.

A paragraph that says the same thing.

[A link](http://example.com) opens this one,
which runs on.[^n]

[^n]: A note defined in the middle,
    over two lines.

<!-- a comment the output drops -->
* a loose item

* another loose item

> quoted
>
> > and quoted again

```html
<b>code</b> with a tag
```

Term
:   Its definition.

| a | b |
|---|---|
| c | d |

The [reference][ref] link, *emphasis* and `code`.

[ref]: http://example.com
"""


def test_tricky_blocks_get_their_lines() -> None:
    rendered = render_markdown(TRICKY, "en", link=lambda href: href, image=lambda src: src)
    elements = list(
        lxml_html.fragment_fromstring(rendered.body, create_parent="div").iter(etree.Element)
    )[1:]
    found = [
        (elements[n].tag, "".join(elements[n].itertext())[:12], line)
        for n, line in block_lines(TRICKY, rendered.body)
    ]
    assert found == [
        ("p", "A paragraph ", 5),
        ("p", "A paragraph ", 7),
        ("p", "A link opens", 9),
        ("p", "a loose item", 16),
        ("p", "another loos", 18),
        ("p", "quoted", 20),
        ("p", "and quoted a", 22),
        ("pre", "<b>code</b> ", 25),
        ("dt", "Term", 28),
        ("dd", "Its definiti", 29),
        ("th", "a", 31),
        ("td", "c", 33),
        ("p", "The referenc", 35),
        ("p", "1. A note de", 12),
    ]


def paragraph_line(path: Path, start: str) -> int:
    """The line of the Markdown file `path` that begins with `start`."""
    lines = path.read_text(encoding="utf-8").split("\n")
    return next(n for n, line in enumerate(lines, 1) if line.startswith(start))


def note_place(
    path: Path, text: str, note: str
) -> tuple[int, tuple[float, ...], tuple[float, ...], float]:
    """The index of the page of the PDF at `path` that shows `text`, and the boxes of
    `text`'s first character and of `note`'s, and the page's width."""
    document = pdfium.PdfDocument(path.read_bytes())
    try:
        for index, page in enumerate(document):
            textpage = page.get_textpage()
            found = textpage.search(text).get_next()
            if found is None:
                continue
            noted = textpage.search(note).get_next()
            assert noted is not None, f"no {note} on page {index + 1}"
            return (
                index,
                textpage.get_charbox(found[0]),
                textpage.get_charbox(noted[0]),
                page.get_size()[0],
            )
    finally:
        document.close()
    raise AssertionError(f"{text!r} is on no page")


@pytest.fixture(scope="module")
def proofs(
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, tuple[Book, Path]]:
    """The proofs of `full` (as one document) and of `long` (in parts), and their books."""
    made = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        patch.setattr(parts, "PARTS_FROM", 0)
        for name, jobs in (("full", 1), ("long", 2)):
            out = tmp_path_factory.mktemp(name)
            outputs = build(BOOKS / name, out, ["pdf"], jobs=jobs, proof=True)
            made[name] = (read_book(BOOKS / name), one_pdf(outputs))
    return made


def one_pdf(outputs: list[Output]) -> Path:
    [output] = outputs
    assert output.target == "pdf"
    return output.path


KNOWN = [
    ("full", "chapters/01-maps.md", "The tables of distances are in"),  # a left page
    ("full", "chapters/02-tables.md", "Back to [the maps]"),  # a right page
    ("full", "chapters/02-tables.md", "[^why]: Columns guide"),  # a footnote
    ("long", "chapters/03-the-ledger.md", "The ledger was"),
    ("long", "chapters/08-storm-tide.md", "Nobody said anything."),
]


@pytest.mark.parametrize(("name", "chapter", "start"), KNOWN)
def test_the_outer_margin_shows_a_paragraphs_file_and_line(
    proofs: dict[str, tuple[Book, Path]], name: str, chapter: str, start: str
) -> None:
    book, proof = proofs[name]
    path = BOOKS / name / chapter
    note = f"{path.name}:{paragraph_line(path, start)}"
    shown = re.sub(r"\[\^\w+\]: |\[|\]", "", start)  # as printed
    index, text, noted, width = note_place(proof, shown, note)
    outer = (book.print.margins.outside + PROOF_MARGIN_MM) * MM
    left, bottom, right, _ = noted
    if index % 2 == 0:  # a right-hand page: the outer margin is on the right
        assert left > width - outer
    else:
        assert right < outer
    assert abs(bottom - text[1]) < 2  # beside the paragraph's first line


def test_the_note_names_the_line_where_the_paragraph_begins(
    proofs: dict[str, tuple[Book, Path]],
) -> None:
    _, proof = proofs["long"]
    texts = pdf_texts(proof)
    notes = [note for text in texts for note in NOTE.findall(text)]
    assert len(notes) > 100
    for note in notes:
        name, line = note.rsplit(":", 1)
        [path] = (BOOKS / "long").glob(f"*/{name}")
        assert int(line) <= len(path.read_text(encoding="utf-8").split("\n"))
        assert path.read_text(encoding="utf-8").split("\n")[int(line) - 1].strip()


@pytest.mark.parametrize("name", ["full", "long"])
def test_every_page_says_draft_and_the_date(
    proofs: dict[str, tuple[Book, Path]], name: str
) -> None:
    _, proof = proofs[name]
    for number, text in enumerate(pdf_texts(proof), 1):
        assert f"DRAFT {DAY}" in text, number


@pytest.mark.parametrize("name", ["full", "long"])
def test_a_proof_has_the_pages_and_lines_of_the_print_pdf(
    proofs: dict[str, tuple[Book, Path]], name: str, tmp_path: Path
) -> None:
    book, proof = proofs[name]
    [printed] = build(BOOKS / name, tmp_path, ["pdf"])
    print_texts, proof_texts = pdf_texts(printed.path), pdf_texts(proof)
    assert len(proof_texts) == len(print_texts)
    for print_text, proof_text in zip(print_texts, proof_texts, strict=True):
        without = NOTE.sub("", proof_text.replace(f"DRAFT {DAY}", ""))
        assert without.split() == print_text.split()
    document = pdfium.PdfDocument(proof.read_bytes())
    try:
        width, height = document[0].get_size()
    finally:
        document.close()
    trim = book.print.trim
    assert width == pytest.approx((trim.width_mm + PROOF_MARGIN_MM) * MM, abs=0.1)
    assert height == pytest.approx(trim.height_mm * MM, abs=0.1)


def test_a_proof_is_dated_today_without_source_date_epoch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    [output] = build(BOOKS / "full", tmp_path, ["pdf"], proof=True)
    assert f"DRAFT {date.today().isoformat()}" in pdf_texts(output.path)[0]


@pytest.mark.parametrize(("book", "mark"), [("fr", "ÉPREUVE"), ("de", "KORREKTURABZUG")])
def test_a_proof_says_draft_in_the_books_language(
    book: str, mark: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    [output] = build(BOOKS / book, tmp_path, ["pdf"], proof=True)
    texts = pdf_texts(output.path)
    assert all(f"{mark} {DAY}" in text for text in texts)
    assert not any("DRAFT" in text for text in texts)


def test_a_proof_leaves_the_print_pdf_and_the_epub_as_they_are(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    plain = build(BOOKS / "full", tmp_path / "plain", ["pdf", "epub"])
    out = tmp_path / "out"
    before = build(BOOKS / "full", out, ["pdf", "epub"], cache=cache)
    kept = {output.path: output.path.read_bytes() for output in before}
    proofed = build(BOOKS / "full", out, ["pdf", "epub"], cache=cache, proof=True)
    after = build(BOOKS / "full", out, ["pdf", "epub"], cache=cache)
    assert sorted(o.path.name for o in proofed) == [
        "the-field-guide-proof.pdf",
        "the-field-guide.epub",
    ]
    for first, again, cold in zip(before, after, plain, strict=True):
        assert kept[first.path] == again.path.read_bytes() == cold.path.read_bytes()
    epub = next(output.path for output in proofed if output.target == "epub")
    assert epub.read_bytes() == kept[out / "the-field-guide.epub"]
    assert not any(
        NOTE.search(text) or "DRAFT" in text for text in pdf_texts(out / "the-field-guide.pdf")
    )


def test_proof_and_print_pdf_laid_out_in_parts_share_a_cache_apart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parts, "PARTS_FROM", 0)
    cache = tmp_path / "cache"
    [cold] = build(BOOKS / "full", tmp_path / "cold", ["pdf"], jobs=2)
    [proof] = build(BOOKS / "full", tmp_path / "proof", ["pdf"], jobs=2, cache=cache, proof=True)
    [warm] = build(BOOKS / "full", tmp_path / "warm", ["pdf"], jobs=2, cache=cache)
    [again] = build(BOOKS / "full", tmp_path / "again", ["pdf"], jobs=2, cache=cache, proof=True)
    assert warm.path.read_bytes() == cold.path.read_bytes()
    assert again.path.read_bytes() == proof.path.read_bytes()
    assert any(NOTE.search(text) for text in pdf_texts(again.path))


def test_the_command_writes_the_proof_beside_the_outputs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    arguments = ["pdf", "--proof", "-m", str(BOOKS / "full"), "-o", str(tmp_path), "-j", "1"]
    assert main([*arguments, "--no-cache", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    [output] = summary["outputs"]
    assert output["path"] == str(tmp_path / "the-field-guide-proof.pdf")
    assert output["pages"] == len(pdf_texts(tmp_path / "the-field-guide-proof.pdf"))
    assert summary["report"] == []  # a proof is not for the printer: no preflight
    assert not (tmp_path / "the-field-guide.pdf").exists()
    first = clean(pdf_texts(tmp_path / "the-field-guide-proof.pdf")[0])
    assert f"DRAFT {DAY}" in first
