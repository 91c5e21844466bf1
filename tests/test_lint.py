"""`chapbook check`: one tiny book per code under tests/books/lint/, each finding asserted
with its exact place (line and column) and message; the sample books give none; silencing,
--strict, and a book the reader rejects still linted in full."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chapbook.cli import main
from chapbook.diagnostics import CODES

ROOT = Path(__file__).resolve().parent.parent
LINT = ROOT / "tests" / "books" / "lint"

FINDINGS = {
    "reader-error": [
        "reader-error/chapters/01-one.md:1:1: E118 no title: begin with a '# Title' heading or "
        "set 'title'",
        "reader-error/chapters/01-one.md:2:1: W214 front matter key 'titel' is not one "
        "Chapbook uses: ignored; did you mean 'title'?",
    ],
    "link-not-a-chapter": [
        "link-not-a-chapter/chapters/01-one.md:3:17: E101 link to 'notes.md', which is not a "
        "chapter of the book",
    ],
    "missing-image": ["missing-image/chapters/01-one.md:3:19: E102 image 'map.png' not found"],
    "missing-anchor": [
        "missing-anchor/chapters/01-one.md:3:11: E103 link to '02-two.md#nowhere': no heading "
        "or anchor '#nowhere' there",
    ],
    "reference-without-note": [
        "reference-without-note/chapters/01-one.md:3:22: E104 footnote '[^2]' has no note: add "
        "'[^2]: ...' to the chapter",
    ],
    "listed-twice": [
        "listed-twice/book.toml:6:36: E105 'chapters/01-one.md' is listed twice",
    ],
    "listed-missing": [
        "listed-missing/book.toml:8:6: E106 chapter file 'chapters/02-gone.md' not found",
    ],
    "bad-isbn": ["bad-isbn/book.toml:4:9: E107 ISBN '978-0-306-40615-8' has a bad checksum"],
    "bad-language": [
        "bad-language/book.toml:3:13: E108 language 'english_uk' is not a BCP 47 tag",
    ],
    "empty-chapter": ["empty-chapter/chapters/02-empty.md:1:1: E109 chapter is empty"],
    "reader-warning": ["reader-warning/chapters/01-one.md:5:1: W213 <script> removed: a script"],
    "no-alt-text": [
        "no-alt-text/chapters/01-one.md:5:5: W201 image 'map.png' has no alt text: describe it "
        "in ![...] or mark it {.decorative}",
    ],
    "heading-skip": [
        "heading-skip/chapters/01-one.md:5:1: W202 heading skips a level: h3 after h1",
        "heading-skip/chapters/01-one.md:11:1: W202 heading skips a level: h4 after h2",
    ],
    "title-only": ["title-only/chapters/02-alone.md:1:3: W203 chapter has no text but its title"],
    "duplicate-title": [
        "duplicate-title/chapters/02-two.md:2:8: W204 title 'home' is also the title of "
        "duplicate-title/chapters/01-one.md",
    ],
    "raw-html-quotes": [
        "raw-html-quotes/chapters/01-one.md:4:13: W205 straight quote '\"' in raw HTML: "
        "type “ or ”",
        "raw-html-quotes/chapters/01-one.md:4:17: W205 straight quote '\"' in raw HTML: "
        "type “ or ”",
        'raw-html-quotes/chapters/01-one.md:4:22: W205 straight quote "\'" in raw HTML: '
        "type ’ or ‘",
    ],
    "raw-html-dashes": [
        "raw-html-dashes/chapters/01-one.md:3:23: W206 '--' in raw HTML: type – or —"
    ],
    "doubled-word": [
        "doubled-word/chapters/01-one.md:3:12: W207 doubled word 'the the'",
        "doubled-word/chapters/01-one.md:5:1: W207 doubled word 'the The'",
    ],
    "repeated-spaces": [
        "repeated-spaces/chapters/01-one.md:3:4: W208 2 spaces in a row between words",
        "repeated-spaces/chapters/01-one.md:3:10: W208 3 spaces in a row between words",
    ],
    "unbalanced-quotes": [
        "unbalanced-quotes/chapters/01-one.md:3:10: W209 straight quotation marks '\"' do not "
        "pair up (1 here)",
        "unbalanced-quotes/chapters/01-one.md:5:9: W209 '“' is not closed in its paragraph",
    ],
    "unbalanced-brackets": [
        "unbalanced-brackets/chapters/01-one.md:3:8: W210 '(' is not closed in its paragraph",
        "unbalanced-brackets/chapters/01-one.md:5:9: W210 ']' closes nothing in its paragraph",
    ],
    "not-listed": [
        "not-listed/chapters/02-extra.md:1:1: W211 not listed in [contents] of "
        "not-listed/book.toml: left out of the book",
    ],
    "note-never-referenced": [
        "note-never-referenced/chapters/01-one.md:6:1: W212 note '[^2]' is never referred to",
    ],
}


def check(
    capsys: pytest.CaptureFixture[str], *args: str, cwd: Path = LINT
) -> tuple[int, list[str], list[str]]:
    """`chapbook check ARGS` run from `cwd`: its status, its stdout and stderr lines (with
    no cache unless ARGS name one: none is left among the test books)."""
    cached = "--cache" in args or "--codes" in args
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(cwd)
        status = main(["check", *args, *(() if cached else ("--no-cache",))])
    out, err = capsys.readouterr()
    return status, out.splitlines(), err.splitlines()


LINTED = {f"E{n}" for n in range(101, 110)} | {f"W{n}" for n in range(201, 213)}
"""The codes the lint was made for (the others are the reader's and the writers': see
test_diagnostics.py), and two of the reader's."""


def test_every_code_has_a_book_of_its_own() -> None:
    found = {line.split(": ")[1].split()[0] for lines in FINDINGS.values() for line in lines}
    assert found == LINTED | {"E118", "W213", "W214"}
    assert found <= set(CODES)
    assert {path.name for path in LINT.iterdir()} >= set(FINDINGS)


@pytest.mark.parametrize("case", sorted(FINDINGS))
def test_each_book_gives_its_findings_at_their_place(
    case: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = check(capsys, "-m", case)
    assert out == FINDINGS[case]
    errors = sum(": E" in line for line in out)
    warnings = len(out) - errors
    assert err == [
        f"check: {errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"
    ]
    assert status == (1 if errors else 0)


@pytest.mark.parametrize("book", ["manuscript", "tests/books/full", "tests/books/long"])
def test_the_sample_books_have_nothing_to_report(
    book: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert check(capsys, "-m", book, cwd=ROOT) == (0, [], ["check: 0 errors, 0 warnings"])


@pytest.mark.parametrize("book", ["features", "fr", "de"])
def test_the_feature_and_language_books_give_no_false_finding(
    book: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = check(capsys, "-m", f"tests/books/{book}", cwd=ROOT)
    expected = {  # the one image the features book leaves without a description on purpose
        "features": [
            "tests/books/features/chapters/01-blocks.md:47:5: W201 image '../images/map.png' has "
            "no alt text: describe it in ![...] or mark it {.decorative}"
        ],
    }
    assert (status, out) == (0, expected.get(book, []))


def test_a_book_the_reader_rejects_still_gets_every_finding(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # book.toml has an unknown key (so its ISBN is never checked by the reader) and the
    # chapter a missing image: the prose and the headings are checked all the same.
    assert check(capsys, "-m", "rejected") == (
        1,
        [
            "rejected/book.toml:4:1: E111 'auther' is not a [book] key; did you mean 'authors'?",
            "rejected/book.toml:5:9: E107 ISBN '0-306-40615-3' has a bad checksum",
            "rejected/chapters/01-one.md:3:1: W202 heading skips a level: h3 after h1",
            "rejected/chapters/01-one.md:5:16: E102 image 'gone.png' not found",
            "rejected/chapters/01-one.md:5:34: W207 doubled word 'the the'",
        ],
        ["check: 3 errors, 2 warnings"],
    )


def test_a_book_toml_that_is_no_toml_leaves_the_chapters_found_in_chapters_checked(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert check(capsys, "-m", "broken-toml") == (
        1,
        [
            "broken-toml/book.toml:2:1: E110 TOML syntax error: Illegal character '\\n'",
            "broken-toml/chapters/01-one.md:3:12: W207 doubled word 'the the'",
        ],
        ["check: 1 error, 1 warning"],
    )


def test_check_ignore_in_book_toml_silences_a_code(capsys: pytest.CaptureFixture[str]) -> None:
    # the chapter has both 'the the' (W207, ignored) and two spaces (W208)
    assert check(capsys, "-m", "ignored") == (
        0,
        ["ignored/chapters/01-one.md:3:15: W208 2 spaces in a row between words"],
        ["check: 0 errors, 1 warning"],
    )


def test_an_unknown_code_in_ignore_is_a_book_toml_error_with_a_suggestion(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert check(capsys, "-m", "unknown-code") == (
        1,
        [
            "unknown-code/book.toml:6:12: E112 [check] ignore: 'W299' is not a check code; "
            "did you mean 'W219'?",
            "unknown-code/chapters/01-one.md:3:12: W207 doubled word 'the the'",
        ],
        ["check: 1 error, 1 warning"],
    )


def test_an_ignore_comment_silences_its_block_or_the_next(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # W207 silenced in the paragraph after the comment, not in the one after that; W208
    # silenced by a comment on its own line
    assert check(capsys, "-m", "ignore-comment")[1] == [
        "ignore-comment/chapters/01-one.md:7:11: W207 doubled word 'the the'"
    ]


def test_strict_fails_on_warnings_and_quiet_prints_no_summary(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert check(capsys, "-m", "doubled-word")[0] == 0
    status, out, err = check(capsys, "-m", "doubled-word", "--strict", "-q")
    assert (status, len(out), err) == (1, 2, [])
    assert check(capsys, "-m", "full", "--strict", cwd=LINT.parent)[0] == 0


def test_json_gives_each_finding_with_its_severity(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = check(capsys, "-m", "rejected", "--json")
    findings = json.loads("\n".join(out))
    assert (status, err, len(findings)) == (1, [], 5)
    assert findings[1] == {
        "path": "rejected/book.toml",
        "line": 5,
        "column": 9,
        "code": "E107",
        "message": "ISBN '0-306-40615-3' has a bad checksum",
        "severity": "error",
    }


def test_codes_lists_every_code_with_its_severity(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = check(capsys, "--codes")
    assert status == 0
    assert [line.split()[:2] for line in out] == [
        [code, "error" if code.startswith("E") else "warning"] for code in CODES
    ]
    assert out[7] == "E107  error    an ISBN with a bad checksum"


def test_a_missing_manuscript_folder_is_one_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    status, out, _ = check(capsys, "-m", "nowhere", cwd=tmp_path)
    assert (status, out) == (1, ["nowhere:1:1: E125 manuscript folder not found"])


def test_a_new_book_from_init_has_nothing_to_report(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["init", str(tmp_path / "book"), "-q"]) == 0
    status, out, err = check(capsys, "-m", "book/manuscript", cwd=tmp_path)
    assert (status, out, err) == (0, [], ["check: 0 errors, 0 warnings"])


def test_a_cached_check_reads_as_a_build_does_and_finds_the_same(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    cache = str(tmp_path / "cache")
    cold = check(capsys, "-m", "no-alt-text", "--cache", cache)
    assert list((tmp_path / "cache").rglob("*")), "the chapters read were kept"
    assert check(capsys, "-m", "no-alt-text", "--cache", cache) == cold
    assert check(capsys, "-m", "no-alt-text") == cold
    assert cold[1] == [
        "no-alt-text/chapters/01-one.md:5:5: W201 image 'map.png' has no alt text: describe it "
        "in ![...] or mark it {.decorative}"
    ]


def test_a_quotation_of_several_paragraphs_is_not_unbalanced() -> None:
    from chapbook.lint.prose import unbalanced_quotes
    from chapbook.lint.source import Source

    text = (
        "“It was a long winter,” she said. “The first storm came in October.\n\n"
        "“The second in March.”\n\n"
        "He said “no.\n\n"
        'And left. "A straight one.\n\n'
        '"Goes on."\n'
    )
    hits = list(unbalanced_quotes(Source("x.md", text), "en"))
    assert [(text[hit.offset :][:4], hit.message) for hit in hits] == [
        ("“no.", "'“' is not closed in its paragraph")
    ]


def test_an_enumeration_in_running_text_is_no_unbalanced_bracket() -> None:
    from chapbook.lint.prose import unbalanced_brackets
    from chapbook.lint.source import Source

    text = "Choose a) the sea, b) the marsh or iv) the heath; 2) then go.\n\nShe left) early.\n"
    hits = list(unbalanced_brackets(Source("x.md", text), "en"))
    assert [(text[hit.offset - 4 : hit.offset + 1], hit.message) for hit in hits] == [
        ("left)", "')' closes nothing in its paragraph")
    ]
