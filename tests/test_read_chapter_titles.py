"""Titles from front matter are Markdown (issue 15, finding 10): code and emphasis in a
front-matter `title` come out as markup where markup is allowed (the opening, the contents
page, the EPUB's contents) and as plain text elsewhere (running heads, the NCX, <title>)."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from conftest import pdf_texts
from warm_epubcheck import epubcheck_messages

from chapbook.cli import main
from chapbook.read.manuscript import read_book

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "tests" / "books" / "markdown-titles"
MATCH = "The <code>match</code> Control Flow Construct"
PRIDE = "<em>Pride</em> and Mrs. Pell’s House – at Last #1"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("titles")
    assert main(["epub", "pdf", "-m", str(BOOK), "-o", str(out), "-q", "--no-cache"]) == 0
    return out


def test_a_front_matter_title_is_markdown() -> None:
    chapters = read_book(BOOK).chapters
    assert [(c.title, c.title_html) for c in chapters] == [
        ("The match Control Flow Construct", MATCH),
        ("Pride and Mrs. Pell’s House – at Last #1", PRIDE),
    ]


def test_the_epub_sets_markup_where_it_may_and_text_elsewhere(built: Path) -> None:
    with zipfile.ZipFile(built / "markdown-titles.epub") as epub:
        nav = epub.read("EPUB/nav.xhtml").decode()
        ncx = epub.read("EPUB/toc.ncx").decode()
        chapter = epub.read("EPUB/chapter-01-match.xhtml").decode()
    assert f'<li><a href="chapter-01-match.xhtml">{MATCH}</a></li>' in nav
    assert f'<li><a href="chapter-02-emphasis.xhtml">{PRIDE}</a></li>' in nav
    assert "<text>The match Control Flow Construct</text>" in ncx
    assert "<title>The match Control Flow Construct</title>" in chapter
    assert f'<h1 class="chapter-title">{MATCH}</h1>' in chapter


def test_the_print_has_no_backticks_and_plain_running_heads(built: Path) -> None:
    pages = pdf_texts(built / "markdown-titles.pdf")
    assert not any("`" in page or "*" in page for page in pages)
    assert any(page.startswith("Contents 1 The match Control Flow Construct .") for page in pages)
    assert any(page.endswith(" The match Control Flow Construct 3") for page in pages)


@pytest.mark.skipif(shutil.which("java") is None, reason="EPUBCheck needs a Java runtime")
def test_the_book_passes_epubcheck(built: Path) -> None:
    assert epubcheck_messages(built / "markdown-titles.epub") == []
