"""The book's files as other tools leave them (issue 15, findings 4 and 11): a `[contents]`
that lists only front and back matter keeps the chapters of chapters/, a Markdown file that
no list names is a build warning, and front matter keys from other tools are one warning per
key and book, not errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from chapbook.cli import main
from chapbook.model.book import Part
from chapbook.read.manuscript import read_book

ROOT = Path(__file__).resolve().parent.parent
BOOKS = ROOT / "tests" / "books"


def test_contents_without_chapters_keeps_the_chapters_of_chapters_folder() -> None:
    book = read_book(BOOKS / "contents-without-chapters")
    assert [(c.part, c.number, c.title) for c in book.chapters] == [
        (Part.FRONT, None, "Preface"),
        (Part.CHAPTER, 1, "One"),
        (Part.CHAPTER, 2, "Two"),
        (Part.BACK, None, "Afterword"),
    ]


def test_a_markdown_file_no_list_names_is_a_build_warning(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(BOOKS)
        status = main(["epub", "-m", "contents-without-chapters", "-o", str(tmp_path)])
    assert status == 0
    assert capsys.readouterr().err.splitlines()[0] == (
        "contents-without-chapters/front/notes.md:1: warning: not listed in [contents] of "
        "contents-without-chapters/book.toml: left out of the book"
    )


def test_front_matter_keys_of_other_tools_are_one_warning_each() -> None:
    book = read_book(BOOKS / "front-matter-from-other-tools")
    assert [c.title for c in book.chapters] == ["One", "Two", "Three"]
    folder = "tests/books/front-matter-from-other-tools/chapters"
    unused = "is not one Chapbook uses: ignored"
    assert [str(w) for w in book.warnings] == [
        f"{folder}/01-obsidian.md:2: warning: front matter key 'author' {unused} "
        "(also in 2 other chapters)",
        f"{folder}/01-obsidian.md:3: warning: front matter key 'date' {unused} "
        "(also in 1 other chapter)",
        f"{folder}/01-obsidian.md:4: warning: front matter key 'tags' {unused}",
        f"{folder}/02-jekyll.md:2: warning: front matter key 'layout' {unused}",
        f"{folder}/02-jekyll.md:6: warning: front matter key 'draft' {unused}",
        f"{folder}/03-hugo.md:2: warning: front matter key 'subtitle' {unused}",
        f"{folder}/03-hugo.md:3: warning: front matter key 'titel' {unused}; did you mean 'title'?",
    ]
