"""`chapbook diff`: the redline of tests/books/redline/new against ../old, whose changes are
known (see new/book.toml): the summary table, the words marked inserted and deleted in each
chapter, what is left out, the PDF read back, the same marks from git, and the errors."""

from __future__ import annotations

import copy
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pypdf
import pytest
from lxml import html as lxml_html

from chapbook.read.files import shown
from chapbook.redline import Redline, write_redline
from chapbook.redline.blocks import Block, Run
from chapbook.redline.compare import word_diff
from chapbook.redline.render import paper
from tests.conftest import BOOKS, ROOT, pdf_texts

OLD = BOOKS / "redline/old"
MINUS = "\u2212"
NEW = BOOKS / "redline/new"
Marks = dict[str, dict[str, list[str]]]


@pytest.fixture(scope="module")
def redline(tmp_path_factory: pytest.TempPathFactory) -> Redline:
    return write_redline(NEW, tmp_path_factory.mktemp("redline"), folder=OLD)


def page(path: Path) -> lxml_html.HtmlElement:
    return lxml_html.fromstring(path.read_bytes())


def read(element: lxml_html.HtmlElement) -> str:
    """The text a sighted reader reads: without what only screen readers are told."""
    element = copy.deepcopy(element)
    for told in element.xpath('.//span[@class="vh"]'):
        told.drop_tree()
    return " ".join(element.text_content().split())


def marks(path: Path) -> Marks:
    """Each chapter section's inserted, deleted and restyled runs, by its title."""
    found: Marks = {}
    for section in page(path).xpath('//section[contains(@class, "chapter")]'):
        title = read(section.xpath(".//h2")[0])
        found[title] = {
            "ins": [read(e) for e in section.xpath(".//ins")],
            "del": [read(e) for e in section.xpath(".//del")],
            "restyled": [read(e) for e in section.xpath('.//span[@class="restyled"]')],
        }
    return found


EXPECTED: Marks = {
    "The Storm": {"ins": [], "del": [], "restyled": []},
    "Arrival": {
        "ins": ["silver", "She had read it twice on the way."],
        "del": ["grey"],
        "restyled": ["harbour"],
    },
    "The Harbour": {
        "ins": ["[image images/harbour.png: The harbour at dusk]", "fishers"],
        "del": [
            "[image images/harbour.png: The harbour at dawn]",
            "The customs house had been closed for years.",
            "fishermen",
        ],
        "restyled": [],
    },
    "Letters": {"ins": ["postwoman"], "del": ["postman"], "restyled": []},
    "A Cut Scene": {"ins": [], "del": ["A Cut Scene"], "restyled": []},
    "Epilogue": {
        "ins": ["Epilogue", "Years later, the light still turned over the water."],
        "del": [],
        "restyled": [],
    },
}


def test_the_redline_marks_each_word_inserted_and_deleted(redline: Redline) -> None:
    assert marks(redline.html) == EXPECTED


def test_the_summary_table_comes_first_with_a_row_per_chapter_changed(redline: Redline) -> None:
    document = page(redline.html)
    rows = [[read(cell) for cell in row] for row in document.xpath("//table/tbody/tr")]
    assert rows == [
        ["1", "The Storm chapters/04-storm.md", "moved from position 4 to 1", "+0", f"{MINUS}0"],
        ["2", "Arrival chapters/01-arrival.md", "changed", "+9", f"{MINUS}1"],
        ["3", "The Harbour chapters/02-harbour.md", "changed", "+1", f"{MINUS}9"],
        [
            "4",
            "Letters chapters/03-correspondence.md",
            "renamed from chapters/03-letters.md; changed",
            "+1",
            f"{MINUS}1",
        ],
        ["–", "A Cut Scene chapters/06-cut-scene.md", "deleted", "+0", f"{MINUS}10"],
        ["6", "Epilogue chapters/07-epilogue.md", "added", "+10", f"{MINUS}0"],
    ]
    assert [read(cell) for cell in document.xpath("//table/tfoot/tr/*")] == [
        "Total",
        "+21",
        f"{MINUS}21",
    ]
    first = document.xpath("//main/section")[0]
    assert first.get("class") == "summary"
    assert read(document.xpath('//p[@class="unchanged"]')[0]) == "1 unchanged chapter left out."
    assert read(document.xpath('//p[@class="compared"]')[0]) == f"Changes against {shown(OLD)}"
    assert read(document.xpath("//time")[0]) == "2026-02-01"  # the new book's date


def test_an_unchanged_chapter_is_left_out_though_its_emphasis_is_written_another_way(
    redline: Redline,
) -> None:
    text = read(page(redline.html))
    assert "Lighthouse Keeper" not in text
    assert "He trimmed" not in text
    assert not any("Lighthouse Keeper" in page_text for page_text in pdf_texts(redline.pdf))


def test_unchanged_paragraphs_are_collapsed_around_a_little_context(redline: Redline) -> None:
    harbour = page(redline.html).xpath('//section[@id="change-3"]/div')[0]
    shown = [(block.get("class"), read(block)) for block in harbour]
    assert shown[:3] == [
        ("gap", "… 3 unchanged paragraphs …"),
        ("p same", "Gulls argued over the nets."),
        ("p deleted", "[image images/harbour.png: The harbour at dawn]"),
    ]
    assert shown[-1] == (
        "note changed",
        "Note 1. So said the fishermen fishers, who had been there longest.",
    )
    letters = page(redline.html).xpath('//section[@id="change-4"]/div')[0]
    assert read(letters[-1]) == "… 1 unchanged paragraph …"


def test_screen_readers_are_told_what_is_inserted_and_deleted(redline: Redline) -> None:
    arrival = page(redline.html).xpath('//section[@id="change-2"]')[0]
    told = [" ".join(e.text_content().split()) for e in arrival.xpath(".//ins | .//del")]
    assert told == [
        "[deleted: grey]",
        "[inserted: silver]",
        "[inserted: She had read it twice on the way.]",
    ]


def test_the_page_stands_alone(redline: Redline) -> None:
    document = page(redline.html)
    assert document.get("lang") == "en"
    assert document.xpath("//section[@id='change-2']/div/@lang") == ["en"]
    assert len(document.xpath("//h1")) == 1
    assert document.xpath("//head/style")
    assert not document.xpath("//link | //script | //img | //*[@src]")
    assert all(href.startswith("#") for href in document.xpath("//@href"))


def test_the_pdf_reads_as_the_page_with_headers_and_page_numbers(redline: Redline) -> None:
    texts = pdf_texts(redline.pdf)
    whole = " ".join(texts)
    for words in ("Summary", "moved from position 4 to 1", "grey silver", "fishermen fishers"):
        assert words in whole
    assert "The customs house had been closed for years." in whole
    assert "[deleted:" not in whole  # what screen readers are told is not printed
    running = f"Harbour Lights Changes against {shown(OLD)}"  # the header's left and right
    count = len(texts)
    for number, text in enumerate(texts, start=1):  # PDFium reads the margins last
        assert text.endswith(f"{running} Page {number} of {count}")
    reader = pypdf.PdfReader(io.BytesIO(redline.pdf.read_bytes()))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4


def test_the_redline_is_the_same_bytes_each_time(redline: Redline, tmp_path: Path) -> None:
    again = write_redline(NEW, tmp_path, folder=OLD)
    assert again.html.read_bytes() == redline.html.read_bytes()
    assert again.pdf.read_bytes() == redline.pdf.read_bytes()
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "harbour-lights-changes.html",
        "harbour-lights-changes.pdf",
    ]


def run(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(ROOT / "build.py"), *args]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False, env=env)


def git(*args: str, cwd: Path) -> None:
    identity = ["-c", "user.name=Author", "-c", "user.email=author@example.org"]
    subprocess.run(["git", *identity, *args], cwd=cwd, check=True, capture_output=True)


def committed(folder: Path, book: Path) -> Path:
    """A git repository in `folder` holding `book` as its commit, under `book/`."""
    shutil.copytree(book, folder / "book")
    git("init", "-q", cwd=folder)
    git("add", "-A", cwd=folder)
    git("commit", "-q", "-m", "old", cwd=folder)
    return folder / "book"


def test_since_a_git_revision_marks_what_against_the_old_folder_marks(tmp_path: Path) -> None:
    book = committed(tmp_path, OLD)
    shutil.rmtree(book)
    shutil.copytree(NEW, book)
    result = run("diff", "-m", "book", "--since", "HEAD", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    summary, html, pdf = result.stdout.splitlines()
    assert summary.startswith("6 chapters changed since HEAD (")
    assert summary.endswith("): +21 -21 words")
    assert (html, pdf) == ("dist/harbour-lights-changes.html", "dist/harbour-lights-changes.pdf")
    assert marks(tmp_path / html) == EXPECTED
    assert sorted(os.listdir(tmp_path)) == [".git", "book", "dist"]  # no cache, nothing else


def test_no_changes_is_said_and_written(tmp_path: Path) -> None:
    result = run("diff", "-m", str(NEW), "--against", str(NEW), "-o", "out", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.splitlines()[0] == f"no changes against {NEW}"
    document = page(tmp_path / "out/harbour-lights-changes.html")
    assert read(document.xpath('//p[@class="nothing"]')[0]) == f"No changes against {NEW}."
    assert not document.xpath("//table | //ins | //del[not(ancestor::p[@class='legend'])]")


def test_a_revision_git_does_not_know(tmp_path: Path) -> None:
    committed(tmp_path, NEW)
    result = run("diff", "-m", "book", "--since", "no-such-tag", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "book: 'no-such-tag' is not a revision of this git repository",
        "diff failed: 1 error",
    ]
    assert not (tmp_path / "dist").exists()


def test_since_outside_a_git_repository(tmp_path: Path) -> None:
    shutil.copytree(NEW, tmp_path / "book")
    env = {**os.environ, "GIT_CEILING_DIRECTORIES": str(tmp_path)}
    result = run("diff", "-m", "book", "--since", "HEAD", cwd=tmp_path, env=env)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "book: --since needs a git repository; this is not in one",
        "diff failed: 1 error",
    ]


def test_a_manuscript_that_was_not_in_the_revision(tmp_path: Path) -> None:
    committed(tmp_path, NEW)
    shutil.copytree(NEW, tmp_path / "second")
    result = run("diff", "-m", "second", "--since", "HEAD", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "second: the manuscript folder is not in revision 'HEAD'",
        "diff failed: 1 error",
    ]


def test_an_old_version_that_does_not_read_is_named_as_the_old_one(tmp_path: Path) -> None:
    book = committed(tmp_path, NEW)
    arrival = book / "chapters/01-arrival.md"
    text = arrival.read_text(encoding="utf-8")
    arrival.write_text(text + "\n![Lost](../images/lost.png)\n", encoding="utf-8")
    git("commit", "-q", "-a", "-m", "broken", cwd=tmp_path)
    arrival.write_text(text, encoding="utf-8")
    result = run("diff", "-m", "book", "--since", "HEAD", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "HEAD:book/chapters/01-arrival.md:9: old version: image '../images/lost.png' not found",
        "diff failed: 1 error",
    ]


def test_against_a_folder_that_is_not_there(tmp_path: Path) -> None:
    result = run("diff", "-m", str(NEW), "--against", "nowhere", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "nowhere: old version: manuscript folder not found",
        "diff failed: 1 error",
    ]


def test_since_and_against_are_one_or_the_other(tmp_path: Path) -> None:
    result = run("diff", "-m", str(NEW), "--since", "HEAD", "--against", str(OLD), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == (
        "chapbook diff: error: argument --against: not allowed with argument --since"
    )
    result = run("diff", "-m", str(NEW), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == (
        "chapbook diff: error: one of the arguments --since --against is required"
    )


def test_office_paper_follows_the_region_of_the_language() -> None:
    assert [paper(tag) for tag in ("en", "en-GB", "fr-CA", "en-US", "de")] == [
        "A4",
        "A4",
        "letter",
        "letter",
        "A4",
    ]


def block(text: str, style: tuple[str, ...] = ()) -> Block:
    run = Run()
    run.text(text, style)
    return Block("p", tuple(run.tokens))


def pieces(old: Block, new: Block) -> list[tuple[str, str]]:
    return [(p.change, " ".join(t.key for t in p.tokens)) for p in word_diff(old, new)]


def test_a_rewritten_phrase_reads_as_one_deletion_and_one_insertion() -> None:
    old, new = block("the cat sat on the mat."), block("a dog sat by the rug.")
    assert pieces(old, new) == [
        ("del", "the cat sat on the mat"),
        ("ins", "a dog sat by the rug"),
        ("", "."),
    ]


def test_a_word_changed_and_a_word_emphasised_are_told_apart() -> None:
    old, new = block("a grey sky"), block("a silver sky")
    assert pieces(old, new) == [("", "a"), ("del", "grey"), ("ins", "silver"), ("", "sky")]
    assert pieces(block("sky"), block("sky", ("em",))) == [("restyled", "sky")]
