"""Links authors write (issue 15, finding 6): GitHub's and mdBook's heading ids resolve as well
as Chapbook's, a link to a title's id or to the `<a id>` anchors above it leads to the chapter,
and a title after comments and anchors is the title."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from warm_epubcheck import epubcheck_messages

from chapbook.cli import main
from chapbook.read.manuscript import read_book
from chapbook.read.markdown.headings import github_id
from chapbook.read.markdown.markup import render_markdown

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "tests" / "books" / "github-ids"


def same(text: str) -> str:
    return text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Where's the -> Operator?", "wheres-the---operator"),
        ("Concatenating with + or format!", "concatenating-with--or-format"),
        ("Café -- au lait", "café----au-lait"),
        ("Storing UTF-8 Encoded Text with Strings", "storing-utf-8-encoded-text-with-strings"),
        ("snake_case & CamelCase", "snake_case--camelcase"),
        ("Ünïcödé Ωmega", "ünïcödé-ωmega"),
    ],
)
def test_github_ids(text: str, expected: str) -> None:
    assert github_id(text) == expected


def test_each_heading_has_its_github_id_as_an_alias() -> None:
    text = (
        "# The `match` Construct\n\n## Where's the `->` Operator?\n\n## Where's the `->` "
        "Operator?\n\n## Mr. Pell -- at last...\n\n## Same {#same}\n"
    )
    rendered = render_markdown(text, "en", same, same)
    assert rendered.ids == {
        "wheres-the-operator",
        "wheres-the-operator_1",
        "mr-pell-at-last",
        "same",
    }
    assert dict(rendered.aliases) == {
        "the-match-construct": "",
        "wheres-the---operator": "wheres-the-operator",
        "wheres-the---operator-1": "wheres-the-operator_1",
        "mr-pell----at-last": "mr-pell-at-last",
    }
    assert "data-chapbook" not in rendered.body


def test_a_title_after_comments_and_anchors_is_the_title() -> None:
    text = '<!-- Old headings. -->\n\n<a id="old"></a>\n\n# The `match` Title\n\nText.\n'
    rendered = render_markdown(text, "en", same, same)
    assert (rendered.title, rendered.title_html) == (
        "The match Title",
        "The <code>match</code> Title",
    )
    assert rendered.body == "<p>Text.</p>"
    assert dict(rendered.aliases) == {"old": "", "the-match-title": ""}


@pytest.fixture(scope="module")
def bodies() -> dict[str, str]:
    book = read_book(BOOK)
    assert book.warnings == ()
    return {chapter.title: chapter.body for chapter in book.chapters}


def test_links_to_either_id_lead_to_the_heading(bodies: dict[str, str]) -> None:
    assert bodies["Method Syntax"].startswith(
        '<p>Links in the chapter: <a href="#wheres-the-operator">GitHub’s</a>, '
        '<a href="#wheres-the-operator">Chapbook’s</a>,\n'
        '<a href="chapter-01-methods.xhtml">the title’s</a>.</p>\n'
        '<h2 id="wheres-the-operator">Where’s'
    )
    there = "chapter-01-methods.xhtml"
    assert bodies["Links"] == (
        f'<p><a href="{there}#wheres-the-operator">GitHub’s</a>, '
        f'<a href="{there}#wheres-the-operator">Chapbook’s</a>,\n'
        f'<a href="{there}">the title’s</a>, <a href="{there}">an old anchor</a>,\n'
        f'<a href="{there}">another</a>, <a href="{there}#repeated_1">a repeat</a>,\n'
        f'<a href="{there}#repeated_1">Chapbook’s repeat</a>, '
        f'<a href="{there}#caf%C3%A9-au-lait">accented</a>,\n'
        f'<a href="{there}#caf%C3%A9-au-lait">encoded</a>.</p>'
    )


def test_the_lint_takes_the_ids_the_build_takes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(BOOK)
        assert main(["check", "-m", ".", "--no-cache"]) == 0
    assert capsys.readouterr().out == ""


@pytest.mark.skipif(shutil.which("java") is None, reason="EPUBCheck needs a Java runtime")
def test_the_book_passes_epubcheck(tmp_path: Path) -> None:
    assert main(["epub", "-m", str(BOOK), "-o", str(tmp_path), "-q", "--no-cache"]) == 0
    assert epubcheck_messages(tmp_path / "heading-ids.epub") == []
