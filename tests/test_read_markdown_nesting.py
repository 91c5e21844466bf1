"""Nesting (issue 16, finding 4): a chapter nests at most nesting.LIMIT levels (lists, quotes,
HTML elements, any mix), measured before it is converted, in well under a second at any depth;
past it, for the EPUB as for the PDF, one error at the deepest line, never a traceback. The
error books are in tests/books/errors/ (their messages in test_read_errors.py); these are the
ones too big to keep there, made here, and the book at the limit, which builds."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import pdf_texts

from chapbook.model.fragments import parse_fragment
from chapbook.read.markdown.markup import render_markdown
from chapbook.read.markdown.nesting import LIMIT, markdown_depth, too_deep, xhtml_levels
from chapbook.verify.preflight import preflight

ROOT = Path(__file__).resolve().parent.parent
AT_THE_LIMIT = ROOT / "tests" / "books" / "nested-32-levels"
MEASURED_SECONDS = 1.0
"""The most the measure of any chapter below may take (it takes 0.1 s for the 9 MB one)."""


def deep_list(levels: int, indent: int) -> str:
    return "\n".join(" " * (indent * level) + f"- level {level + 1}" for level in range(levels))


DEEP = {
    # (the chapter's text after its title, the levels and the line reported)
    "a list 400 levels deep, 4 spaces a level": (deep_list(400, 4), 400, 402),
    "a list 1,000 levels deep, 2 spaces a level": (deep_list(1000, 2), 500, 1001),
    "a list 3,000 levels deep, 2 spaces a level (9 MB)": (deep_list(3000, 2), 1500, 3001),
    "20,000 quotes in one": ("Intro.\n\n" + ">" * 20000 + " deep", 20000, 5),
    "10,000 HTML elements in one": ("<span>" * 10000 + "deep" + "</span>" * 10000, 10000, 3),
    "lists and quotes in turn, 300 levels": ("- > " * 150 + "deep", 300, 3),
}


def chapter(body: str) -> str:
    return f"# Deep\n\n{body}\n"


@pytest.mark.parametrize("case", list(DEEP))
def test_the_depth_is_measured_in_well_under_a_second(case: str) -> None:
    text, levels, line = DEEP[case]
    start = time.perf_counter()
    deepest = too_deep(chapter(text))
    assert time.perf_counter() - start < MEASURED_SECONDS
    assert deepest is not None and (deepest.levels, deepest.line) == (levels, line)


@pytest.mark.parametrize("target", ["epub", "pdf"])
@pytest.mark.parametrize(
    "case", ["a list 3,000 levels deep, 2 spaces a level (9 MB)", "10,000 HTML elements in one"]
)
def test_a_deep_chapter_is_one_error_for_each_output(
    tmp_path: Path, case: str, target: str
) -> None:
    text, levels, line = DEEP[case]
    book = tmp_path / "book"
    (book / "chapters").mkdir(parents=True)
    (book / "book.toml").write_text('[book]\ntitle = "Deep"\nlanguage = "en"\n')
    (book / "chapters" / "01-deep.md").write_text(chapter(text))
    command = [sys.executable, str(ROOT / "build.py"), "-m", str(book), "-o", str(tmp_path / "out")]
    start = time.monotonic()
    result = subprocess.run([*command, target], capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"{book}/chapters/01-deep.md:{line}: lists, quotes and HTML elements nested {levels:,} "
        f"levels deep (limit {LIMIT})",
        "build failed: 1 error",
    ]
    print(f"{case}, {target}: {time.monotonic() - start:.2f} s, the whole command")


def test_a_book_nested_to_the_limit_builds_both_outputs(tmp_path: Path) -> None:
    command = [sys.executable, str(ROOT / "build.py"), "-q", "-m", str(AT_THE_LIMIT)]
    result = subprocess.run(
        [*command, "-o", str(tmp_path), "epub", "pdf"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert markdown_depth((AT_THE_LIMIT / "chapters" / "01-nested.md").read_text()).levels == LIMIT
    (pdf,) = tmp_path.glob("*.pdf")  # printed inside the trim, its words whole
    assert [str(fault) for fault in preflight(pdf.read_bytes()).faults] == []
    assert "a quote 32 deep" in " ".join(pdf_texts(pdf))


@pytest.mark.parametrize(
    "markdown",
    [
        deep_list(10, 4),
        deep_list(10, 2),
        "\n\n".join("    " * i + f"{i + 1}. level" for i in range(10)),
        "> " * 10 + "deep",
        "- > " * 5 + "deep",
        "\n".join(" " * (4 * i) + f"- > level {i + 1}" for i in range(10)),
        "<div>" * 10 + "x" + "</div>" * 10,
        "- a\n\n    > b\n    >\n    > - c",
        "***x*** and <span><em>y</em></span>",
    ],
)
def test_the_measure_of_the_markdown_is_the_xhtml_s(markdown: str) -> None:
    """Where the Markdown's markers tell the levels, they are those of its XHTML; code and
    comments are no levels."""
    rendered = render_markdown(markdown, "en", link=lambda href: href, image=lambda src: src)
    assert markdown_depth(markdown).levels == xhtml_levels(parse_fragment(rendered.body))


def test_code_and_comments_are_no_levels() -> None:
    fenced = "```\n" + "> " * 40 + "\n```"
    spans = "`<div><div><div>` and <!-- <div><div>\n<div> --> text"
    assert markdown_depth(f"{fenced}\n\n{spans}\n").levels == 0
