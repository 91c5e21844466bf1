"""book.toml: trims, ISBNs, language tags and the messages for what is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from chapbook.config.load import load_config
from chapbook.config.values import BCP47, isbn_is_valid, parse_trim
from chapbook.diagnostics import BookErrors


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
        "book.toml:10: '[stlyes]' is not a book.toml table "
        "(known: book, contents, print, booklet, epub, build, check)",
    ]


def test_values_are_checked_once_the_keys_are_right(tmp_path: Path) -> None:
    text = '[book]\ntitle = "T"\nlanguage = "english language"\nisbn = "978-3-16-148410-1"\n'
    assert messages(tmp_path, text) == [
        "book.toml:3: language 'english language' is not a BCP 47 tag",
        "book.toml:4: ISBN '978-3-16-148410-1' has a bad checksum",
    ]


def test_required_keys(tmp_path: Path) -> None:
    assert messages(tmp_path, '[book]\ntitle = "T"\n') == ["book.toml: [book] needs 'language'"]


def test_print_settings_have_defaults_from_the_trim(tmp_path: Path) -> None:
    path = tmp_path / "book.toml"
    path.write_text('[book]\ntitle = "T"\nlanguage = "en"\n[print]\ntrim = "A6"\n')
    settings = load_config(path, "book.toml").print
    assert (settings.trim.width_mm, settings.trim.height_mm) == (105, 148)
    assert settings.margins.inside > settings.margins.outside
    assert settings.margins.bottom > settings.margins.top
    assert settings.margins.inside == pytest.approx(0.128 * 105, abs=0.25)
    assert (settings.bleed_mm, settings.marks, settings.variant) == (0, False, None)
    assert (settings.opening, settings.half_title, settings.paper_mm) == (
        "small-caps",
        True,
        0.0572,
    )


def test_print_settings_are_read(tmp_path: Path) -> None:
    path = tmp_path / "book.toml"
    path.write_text(
        '[book]\ntitle = "T"\nlanguage = "en"\n[print]\ntrim = "trade"\nbleed = "0.125in"\n'
        'marks = true\nvariant = "pdf/x-4"\npaper = "cream"\nopening = "drop-cap"\n'
        'half-title = false\nmargin-inside = "22mm"\nmargin-top = 12\n'
    )
    settings = load_config(path, "book.toml").print
    assert settings.bleed_mm == pytest.approx(3.175)
    assert (settings.marks, settings.variant, settings.paper_mm) == (True, "pdf/x-4", 0.0635)
    assert (settings.opening, settings.half_title) == ("drop-cap", False)
    assert (settings.margins.inside, settings.margins.top) == (22, 12)
    path.write_text('[book]\ntitle = "T"\nlanguage = "en"\n[print]\npaper = "0.08mm"\n')
    assert load_config(path, "book.toml").print.paper_mm == 0.08


def test_bad_print_settings_are_named(tmp_path: Path) -> None:
    text = (
        '[book]\ntitle = "T"\nlanguage = "en"\n[print]\nbleed = "lots"\nmarks = "yes"\n'
        'variant = "pdf/x-9"\nopening = "fancy"\npaper = "glossy"\n'
    )
    assert messages(tmp_path, text) == [
        "book.toml:5: [print] 'bleed' must be a length such as '3mm', '0.125in' or a number of mm",
        "book.toml:6: [print] 'marks' must be true or false",
        "book.toml:9: [print] 'paper' must be 'white', 'cream' or the thickness of one page in mm",
    ]
    text = '[book]\ntitle = "T"\nlanguage = "en"\n[print]\nvariant = "pdf/x-9"\nopening = "fancy"\n'
    assert messages(tmp_path, text) == [
        "book.toml:5: [print] variant must be one of "
        "none, pdf/x-4, pdf/x-3, pdf/x-1a, pdf/a-2b, pdf/a-3b, pdf/ua-1",
        "book.toml:6: [print] opening must be one of small-caps, drop-cap, plain",
    ]


def test_booklet_settings_are_read_and_checked(tmp_path: Path) -> None:
    path = tmp_path / "book.toml"
    path.write_text(
        '[book]\ntitle = "T"\nlanguage = "en"\n[booklet]\nsheet = "A3"\nsignature = 8\n'
        'duplex = "manual"\ncreep = "0.4mm"\nmarks = true\nfit = true\n'
    )
    booklet = load_config(path, "book.toml").booklet
    assert booklet.sheet is not None and booklet.sheet.name == "A3"
    assert (booklet.signature, booklet.duplex, booklet.creep_mm) == (8, "manual", 0.4)
    assert (booklet.marks, booklet.fit) == (True, True)
    text = (
        '[book]\ntitle = "T"\nlanguage = "en"\n[booklet]\nsheet = "napkin"\nsignature = 6\n'
        'duplex = "sideways"\n'
    )
    assert messages(tmp_path, text) == [
        "book.toml:5: [booklet] sheet must be one of A3, A4, A5, letter, legal, tabloid "
        "or 'W x H' with units",
        "book.toml:6: [booklet] signature must be a multiple of 4 pages",
        "book.toml:7: [booklet] duplex must be one of short-edge, long-edge, manual",
    ]


@pytest.mark.parametrize(
    "tag",
    ["en", "en-GB", "de-DE-1996", "de-CH-1901", "zh-Hant-TW", "zh-yue-HK", "sr-Latn-RS",
     "es-419", "en-US-x-twain", "en-u-ca-gregory", "x-klingon", "i-klingon", "sgn-BE-FR", "ast"],
)  # fmt: skip
def test_a_well_formed_language_tag_is_taken(tag: str) -> None:
    assert BCP47.fullmatch(tag)


@pytest.mark.parametrize(
    "tag",
    ["english", "english_uk", "e", "en-", "en--US", "en-US-1", "en-x", "x", "-en", "123", "en GB"],
)
def test_a_language_that_is_no_bcp_47_tag_is_refused(tag: str) -> None:
    assert not BCP47.fullmatch(tag)


def problems(tmp_path: Path, data: bytes) -> list[tuple[str, int | None, int | None]]:
    path = tmp_path / "book.toml"
    path.write_bytes(data)
    with pytest.raises(BookErrors) as failure:
        load_config(path, "book.toml")
    return [(error.code, error.line, error.column) for error in failure.value.errors]


@pytest.mark.parametrize(
    ("data", "found"),
    [
        (b'[book]\ntitle = "\xff"\n', [("E110", None, None)]),
        (b'[book]\ntitle = "T\n', [("E110", 2, 1)]),
        (b'[book]\ntitle = "T"\nlanguage = "en"\n  auther = "A"\n', [("E111", 4, 3)]),
        (b'[book]\ntitle = "T"\nlanguage = "en"\n[stlyes]\n', [("E111", 4, 1)]),
        (b'[book]\ntitle = "T"\nlanguage = "en"\nauthors = "A"\n', [("E112", 4, 1)]),
        (b'[book]\ntitle = "T"\nlanguage = "en"\n[print]\nbleed = "11mm"\n', [("E112", 5, 1)]),
        (b'[book]\ntitle = "T"\nlanguage = "en"\n[check]\nignore = ["W999"]\n', [("E112", 5, 12)]),
        (b'[book]\ntitle = "T"\n', [("E113", None, None)]),
        (b'[book]\ntitle = "T"\nlanguage = "english language"\n', [("E108", 3, 13)]),
        (b'[book]\ntitle = "T"\nlanguage = "en"\nisbn = "978-3-16-148410-1"\n', [("E107", 4, 9)]),
    ],
)
def test_book_toml_problems_have_codes_and_places(
    tmp_path: Path, data: bytes, found: list[tuple[str, int | None, int | None]]
) -> None:
    assert problems(tmp_path, data) == found


def test_a_missing_book_toml_is_e110(tmp_path: Path) -> None:
    with pytest.raises(BookErrors) as failure:
        load_config(tmp_path / "book.toml", "book.toml")
    assert [(e.code, str(e)) for e in failure.value.errors] == [
        ("E110", "book.toml: not found: a book is a folder that holds its book.toml")
    ]
