"""Code as authors fence it (issue 15, finding 5): every info string (mdBook's `rust,ignore`,
`python title="x.py"`, pandoc's `{.python}`), fences in block quotes and list items at any
depth, `~~~`, a fence never closed; the lint reads the same code as code."""

from __future__ import annotations

from pathlib import Path

import pytest

from chapbook.cli import main
from chapbook.read.manuscript import read_book
from chapbook.read.markdown.fences import fenced_lines, language
from chapbook.read.markdown.markup import render_markdown

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "tests" / "books" / "fences-as-authors-write-them"


def same(text: str) -> str:
    return text


def code(language: str, text: str, pre: str = "") -> str:
    """A code block as the reader writes it."""
    kind = f' class="language-{language}"' if language else ""
    return f"<pre{pre}><code{kind}>{text}\n</code></pre>"


@pytest.mark.parametrize(
    ("info", "expected"),
    [
        ("rust", ("rust", "")),
        ("rust,ignore", ("rust", "")),
        ("rust,noplayground,test_harness,does_not_compile,ignore", ("rust", "")),
        ('python title="x.py"', ("python", "")),
        ("{.python}", ("python", "")),
        ("{.python .numberLines}", ("python", "")),
        ("{#listing-1 .rust}", ("rust", "listing-1")),
        ("{python}", ("python", "")),
        ("python {#code .numberLines}", ("python", "code")),
        ("c++", ("c++", "")),
        ("", ("", "")),
        ("<b>", ("", "")),
    ],
)
def test_the_language_of_each_info_string(info: str, expected: tuple[str, str]) -> None:
    assert language(info) == expected


@pytest.fixture(scope="module")
def bodies() -> dict[str, str]:
    book = read_book(BOOK)
    return {chapter.source.rsplit("/", 1)[1]: chapter.body for chapter in book.chapters}


def test_every_info_string_is_code_and_the_prose_after_it_is_prose(
    bodies: dict[str, str],
) -> None:
    assert bodies["01-info-strings.md"] == "\n".join(
        [
            code("rust", "fn main() {}"),
            "<p>Prose after an mdBook fence.</p>",
            code("rust", "let x = 1;"),
            code("python", "# a comment, not a heading"),
            code("python", "print(1)"),
            code("python", "print(2)"),
            code("rust", "struct Listing;", ' id="listing-1"'),
            code("", "no language: &lt;b&gt;not bold&lt;/b&gt;"),
            code("markdown", "```rust,ignore\nshown as text\n```"),
            "<p>The last paragraph, not code.</p>",
        ]
    )


def test_fences_in_quotes_and_lists_at_any_depth(bodies: dict[str, str]) -> None:
    body = bodies["02-nested.md"]
    assert "<h1" not in body
    quoted = "# hidden line, not a heading\nfn main() {}\nlet the the = 1; // not prose"
    assert f"<p>A quote with code:</p>\n{code('rust', quoted)}\n<p>The quote goes on.</p>" in body
    assert f"<p>An item:</p>\n{code('console', '$ cargo run')}\n</li>" in body
    assert f"<li>\n{code('sh', 'cargo build')}\n</li>" in body
    deep = f"<p>Inner</p>\n<blockquote>\n{code('toml', '# in a quote in a list in a list')}"
    assert deep in body
    assert "<p>After the lists: prose the the lint reads.</p>" in body
    indented = code("", "```\nan indented code block, fence and all\n```")
    assert f"{indented}\n<p>The end.</p>" in body


def test_a_fence_never_closed_is_code_to_the_end_and_a_warning_at_its_line(
    bodies: dict[str, str],
) -> None:
    text = "fn never_closed() {}\n\nProse that the open fence takes in."
    assert bodies["03-unclosed.md"] == f"<p>Before.</p>\n{code('rust', text)}"
    warnings = [f"{w.path}:{w.line}: {w.message}" for w in read_book(BOOK).warnings]
    assert warnings == [
        "tests/books/fences-as-authors-write-them/chapters/03-unclosed.md:5: code fence ``` "
        "is never closed: the code runs to the end of its chapter; close it with a line ```"
    ]


def test_a_fence_ends_with_its_block_quote_or_list_item() -> None:
    rendered = render_markdown("> ```rust\n> code\n\nProse.\n", "en", same, same)
    assert rendered.body == f"<blockquote>\n{code('rust', 'code')}\n</blockquote>\n<p>Prose.</p>"
    assert [(w.line, w.message.split(":")[1]) for w in rendered.warnings] == [
        (1, " the code runs to the end of its block quote; close it with a line ```")
    ]
    rendered = render_markdown("- item\n\n    ```\n    code\n\nProse.\n", "en", same, same)
    assert rendered.body.endswith(f"{code('', 'code')}\n</li>\n</ul>\n<p>Prose.</p>")


def test_a_fence_on_a_definitions_line() -> None:
    rendered = render_markdown("Term\n: ```python\n  x = 1\n  ```\n\nProse.\n", "en", same, same)
    assert rendered.body == (
        f"<dl>\n<dt>Term</dt>\n<dd>{code('python', 'x = 1')}</dd>\n</dl>\n<p>Prose.</p>"
    )


def test_the_lint_reads_fenced_code_as_code(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(BOOK)
        main(["check", "-m", ".", "--no-cache"])
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "chapters/02-nested.md:31:28: W207 doubled word 'the the'",
        "chapters/03-unclosed.md:5:1: W216 code fence ``` is never closed: the code runs to "
        "the end of its chapter; close it with a line ```",
    ]


def test_fenced_lines_are_found_in_quotes_and_lists() -> None:
    text = "> ```rust\n> x\n> ```\n\n- a\n\n    ~~~\n    y\n    ~~~\n<!--\n```\n-->\n"
    assert fenced_lines(text) == {0: 3, 6: 9}
