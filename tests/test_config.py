"""book.toml: trims, ISBNs, language tags and the messages for what is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from chapbook.config import isbn_is_valid, load_config, parse_trim
from chapbook.errors import BookErrors


@pytest.mark.parametrize(
    ("value", "size"),
    [
        ("A5", (148, 210)),
        ("a6", (105, 148)),
        ("digest", (139.7, 215.9)),
        ("trade", (152.4, 228.6)),
        ("5 x 8 in", (127, 203.2)),
        ("120mm x 180mm", (120, 180)),
        ("12 x 18 cm", (120, 180)),
    ],
)
def test_trims(value: str, size: tuple[float, float]) -> None:
    trim = parse_trim(value)
    assert trim is not None
    assert (trim.width_mm, trim.height_mm) == pytest.approx(size)


@pytest.mark.parametrize("value", ["B7", "5 x 8", "0 x 8 in", "wide"])
def test_bad_trims_are_refused(value: str) -> None:
    assert parse_trim(value) is None


def test_isbn_checksums() -> None:
    assert isbn_is_valid("978-3-16-148410-0")
    assert isbn_is_valid("0-306-40615-2")
    assert not isbn_is_valid("978-3-16-148410-1")
    assert not isbn_is_valid("12345")


def messages(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "book.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(BookErrors) as failure:
        load_config(path, "book.toml")
    return [str(error) for error in failure.value.errors]


def test_every_problem_in_book_toml_is_named(tmp_path: Path) -> None:
    text = (
        '[book]\ntitle = "T"\nlanguage = "english language"\nisbn = "978-3-16-148410-1"\n'
        'authors = "Ada"\n\n[print]\ntrim = "huge"\n\n[stlyes]\nx = 1\n'
    )
    assert messages(tmp_path, text) == [
        "book.toml:5: [book] 'authors' must be a list of strings",
        "book.toml:10: '[stlyes]' is not a book.toml table (known: book, contents, print)",
    ]


def test_values_are_checked_once_the_keys_are_right(tmp_path: Path) -> None:
    text = '[book]\ntitle = "T"\nlanguage = "english language"\nisbn = "978-3-16-148410-1"\n'
    assert messages(tmp_path, text) == [
        "book.toml:3: language 'english language' is not a BCP 47 tag",
        "book.toml:4: ISBN '978-3-16-148410-1' has a bad checksum",
    ]


def test_required_keys(tmp_path: Path) -> None:
    assert messages(tmp_path, '[book]\ntitle = "T"\n') == ["book.toml: [book] needs 'language'"]
