"""`book.toml` -> typed, frozen settings, by the option table; every unknown key is named."""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

from chapbook.config.options import KIND_NAMES, SCHEMA, TABLES, setting
from chapbook.config.values import (
    BCP47,
    MARGIN_SHARES,
    TRIM_PRESETS,
    control_character,
    convert,
    default_margins,
    isbn_is_valid,
    parse_trim,
)
from chapbook.diagnostics import CODES, BookErrors, Diagnostic
from chapbook.model.book import (
    PAPER_MM_PER_PAGE,
    SHEETS,
    BookletSettings,
    EpubSettings,
    Margins,
    PrintSettings,
)

Place = tuple[int, int]
"""A 1-based line and column in book.toml."""


@dataclass(frozen=True)
class BookTable:
    title: str
    language: str
    subtitle: str | None = None
    authors: tuple[str, ...] = ()
    identifier: str | None = None
    isbn: str | None = None
    publisher: str | None = None
    date: date | None = None
    rights: str | None = None
    description: str | None = None
    subjects: tuple[str, ...] = ()
    cover: str | None = None
    edition: str | None = None


@dataclass(frozen=True)
class ContentsTable:
    front: tuple[str, ...] = ()
    chapters: tuple[str, ...] | None = None
    """None when `[contents]` does not list them: chapters/*.md are the chapters."""
    back: tuple[str, ...] = ()


@dataclass(frozen=True)
class BuildTable:
    """`[build]`: how the reader may gather the book's files."""

    allow_remote: bool = False
    """Download images given as http(s) URLs (otherwise they are errors)."""


@dataclass(frozen=True)
class CheckTable:
    """`[check]`: what `chapbook check` leaves out."""

    ignore: tuple[str, ...] = ()
    """Codes (such as "W207") not to report for this book."""


@dataclass(frozen=True)
class Config:
    book: BookTable
    contents: ContentsTable | None
    print: PrintSettings
    booklet: BookletSettings
    epub: EpubSettings = field(default_factory=EpubSettings)
    source: str = "book.toml"
    text: str = ""
    build: BuildTable = field(default_factory=BuildTable)
    check: CheckTable = field(default_factory=CheckTable)

    def line(
        self, key: str, value: str | None = None, table: str | None = None, occurrence: int = 1
    ) -> int | None:
        """The line of `key = ...` (in `[table]` when given), or of the `occurrence`-th
        string `value`, in book.toml, for messages."""
        if value is not None:
            quoted = (f'"{value}"', f"'{value}'")
            return next((p[0] for q in quoted if (p := place_of(self.text, q, occurrence))), None)
        return key_line(self.text, key, table)


TABLE_HEADER = re.compile(r"^[ \t]*\[[^\[\]\n]+\][ \t]*(#.*)?$", re.MULTILINE)


def place_of(text: str, needle: str, occurrence: int = 1) -> Place | None:
    """The line and column of the `occurrence`-th `needle` in `text`, if it is there."""
    index = -1
    for _ in range(occurrence):
        index = text.find(needle, index + 1)
        if index < 0:
            return None
    return at(text, index)


def at(text: str, index: int) -> Place:
    return text.count("\n", 0, index) + 1, index - text.rfind("\n", 0, index)


def key_index(text: str, key: str, table: str | None = None) -> int | None:
    """Where `key = ...` begins: in `[table]` if it is there, else anywhere."""
    start, end = 0, len(text)
    header = None if table is None else table_header(text, table)
    if header is not None:
        following = TABLE_HEADER.search(text, header.end())
        start, end = header.end(), len(text) if following is None else following.start()
    match = re.compile(rf"^[ \t]*({re.escape(key)})[ \t]*=", re.MULTILINE).search(text, start, end)
    if match is None:
        return None if header is None else key_index(text, key)
    return match.start(1)


def key_place(text: str, key: str, table: str | None = None) -> Place | None:
    """Where `key = ...` is: in `[table]` if it is there, else anywhere."""
    index = key_index(text, key, table)
    return None if index is None else at(text, index)


def key_line(text: str, key: str, table: str | None = None) -> int | None:
    """The line of `key = ...`: in `[table]` if it is there, else anywhere."""
    place = key_place(text, key, table)
    return None if place is None else place[0]


def value_place(text: str, key: str, table: str, value: str) -> Place | None:
    """Where `value` is written in `key = ...`; where the key is, if not on its line."""
    index = key_index(text, key, table)
    if index is None:
        return None
    found = text.find(value, text.find("=", index))
    line_end = text.find("\n", index)
    return at(text, index if found < 0 or 0 <= line_end < found else found)


def table_header(text: str, table: str) -> re.Match[str] | None:
    """The `[table]` line of book.toml, if it has one."""
    return re.search(rf"^[ \t]*\[\s*{re.escape(table)}\s*\]", text, re.MULTILINE)


def problem(shown: str, message: str, code: str, place: Place | None = None) -> Diagnostic:
    """An error in book.toml, at `place` when it is known."""
    line, column = place or (None, None)
    return Diagnostic(shown, message, line, code=code, column=column)


def load_config(path: Path, shown: str) -> Config:
    """Read and check `book.toml`; raise BookErrors naming every problem."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        message = "not found: a book is a folder that holds its book.toml"
        raise BookErrors([problem(shown, message, "E110")]) from None
    except UnicodeDecodeError as error:
        message = f"not valid UTF-8 ({error.reason})"
        raise BookErrors([problem(shown, message, "E110")]) from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise BookErrors([toml_syntax_error(shown, text, error)]) from None
    errors: list[Diagnostic] = []
    tables = check_schema(raw, text, shown, errors)
    config = build_config(tables, text, shown, errors) if not errors else None
    if errors or config is None:
        raise BookErrors(errors)
    return config


def toml_syntax_error(shown: str, text: str, error: tomllib.TOMLDecodeError) -> Diagnostic:
    """tomllib's message, its line taken out of the text and put in the place (at the line's
    start, as the lint has always shown it)."""
    message = str(error)
    match = re.search(r"\(at line (\d+), column (\d+)\)$", message)
    if message.endswith("(at end of document)"):
        reason = message.removesuffix("(at end of document)").strip()
        last_line = len(text.rstrip("\n").split("\n"))
        message = f"TOML syntax error: {reason} at the end of the file"
        return problem(shown, message, "E110", (last_line, 1))
    if match is None:
        return problem(shown, f"TOML syntax error: {message}", "E110")
    line = int(match[1])
    return problem(
        shown, f"TOML syntax error: {message[: match.start()].strip()}", "E110", (line, 1)
    )


def suggestion(name: str, known: list[str]) -> str:
    """The end of a message about an unknown name: the closest known one, or them all."""
    close = difflib.get_close_matches(name, known, n=1)
    return f"; did you mean '{close[0]}'?" if close else f" (known: {', '.join(known)})"


def check_schema(
    raw: dict[str, Any], text: str, shown: str, errors: list[Diagnostic]
) -> dict[str, dict[str, Any]]:
    """Check tables, keys and value kinds against the option table; return the tables as
    dicts of values in their Python form."""
    tables: dict[str, dict[str, Any]] = {}
    for name, table in raw.items():
        if name not in SCHEMA:
            place = place_of(text, f"[{name}]") or place_of(text, name)
            message = f"'[{name}]' is not a book.toml table{suggestion(name, list(SCHEMA))}"
            errors.append(problem(shown, message, "E111", place))
        elif not isinstance(table, dict):
            message = f"'{name}' must be a table ([{name}])"
            errors.append(problem(shown, message, "E112", place_of(text, name)))
        else:
            tables[name] = check_table(name, table, text, shown, errors)
    for each in TABLES:
        for key, declared in SCHEMA[each.name].items():
            if declared.required and key not in tables.get(each.name, {}):
                errors.append(problem(shown, f"[{each.name}] needs '{key}'", "E113"))
    return tables


def check_table(
    name: str, table: dict[str, Any], text: str, shown: str, errors: list[Diagnostic]
) -> dict[str, Any]:
    """The keys of `[name]` with their values converted; an error for each unknown key,
    value of the wrong kind or text with a control character."""
    known = SCHEMA[name]
    checked: dict[str, Any] = {}
    for key, value in table.items():
        place = key_place(text, key, name)
        if key not in known:
            hint = suggestion(key, list(known))
            errors.append(problem(shown, f"'{key}' is not a [{name}] key{hint}", "E111", place))
            continue
        kind = known[key].kind
        converted = convert(kind, value)
        bad = control_character(converted)
        if bad is not None:
            message = f"[{name}] '{key}' holds control character {bad}, not allowed in text"
            errors.append(problem(shown, message, "E112", place))
        elif converted is None:
            message = f"[{name}] '{key}' must be {KIND_NAMES[kind]}"
            errors.append(problem(shown, message, "E112", place))
        else:
            checked[key] = converted
    return checked


def build_config(
    tables: dict[str, dict[str, Any]], text: str, shown: str, errors: list[Diagnostic]
) -> Config | None:
    book = BookTable(**tables["book"])
    isbns = (book.isbn, tables.get("print", {}).get("isbn"))
    errors += value_errors(book.language, isbns, text, shown)
    settings = print_settings(tables.get("print", {}), text, shown, errors)
    if settings is None:
        return None
    booklet = booklet_settings(tables.get("booklet", {}), text, shown, errors)
    if booklet is None:
        return None
    contents = ContentsTable(**tables["contents"]) if "contents" in tables else None
    epub = tables.get("epub", {})
    settings_epub = EpubSettings(
        embed_fonts=setting(epub, "epub", "embed-fonts"),
        accessibility_summary=setting(epub, "epub", "accessibility-summary"),
    )
    build = BuildTable(allow_remote=setting(tables.get("build", {}), "build", "allow-remote"))
    check = check_settings(tables.get("check", {}), text, shown, errors)
    return Config(book, contents, settings, booklet, settings_epub, shown, text, build, check)


def value_errors(
    language: object, isbns: tuple[object, ...], text: str, shown: str
) -> list[Diagnostic]:
    """The language's form and the ISBNs' checksums. The values may be book.toml's raw ones
    (as the lint gives them): what is not a string with text is left to the schema."""
    errors: list[Diagnostic] = []
    tag = convert("str", language)
    if isinstance(tag, str) and not BCP47.fullmatch(tag):
        message = f"language '{tag}' is not a BCP 47 tag"
        errors.append(problem(shown, message, "E108", value_place(text, "language", "book", tag)))
    for value in isbns:
        isbn = convert("str", value)
        if isinstance(isbn, str) and not isbn_is_valid(isbn):
            place = place_of(text, isbn) or key_place(text, "isbn")
            errors.append(problem(shown, f"ISBN '{isbn}' has a bad checksum", "E107", place))
    return errors


def check_settings(
    table: dict[str, Any], text: str, shown: str, errors: list[Diagnostic]
) -> CheckTable:
    """`[check]`: an error for each code in `ignore` that the lint does not have."""
    ignore: tuple[str, ...] = setting(table, "check", "ignore")
    for code in ignore:
        if code not in CODES:
            hint = suggestion(code, list(CODES))
            quoted = place_of(text, f'"{code}"')
            place = (quoted[0], quoted[1] + 1) if quoted else key_place(text, "ignore", "check")
            message = f"[check] ignore: '{code}' is not a check code{hint}"
            errors.append(problem(shown, message, "E112", place))
    return CheckTable(ignore=ignore)  # with an unknown code, load_config raises instead


def out_of_range(
    name: str, table: dict[str, Any], text: str, shown: str, checks: Literal["choices", "limit"]
) -> list[Diagnostic]:
    """An error for each value of `[name]` that is of the right kind but not one of its
    option's `choices` (checks "choices") or outside its `limit` (checks "limit"), in the
    table's order."""
    errors = []
    for key, declared in SCHEMA[name].items():
        if key not in table:
            continue
        value = table[key]
        if checks == "choices" and declared.choices and value not in declared.choices:
            must = f"must be one of {', '.join(declared.choices)}"
        elif checks == "limit" and declared.limit and not declared.limit.holds(value):
            must = declared.limit.must
        else:
            continue
        place = key_place(text, key, name)
        errors.append(problem(shown, f"[{name}] {key} {must}", "E112", place))
    return errors


def booklet_settings(
    table: dict[str, Any], text: str, shown: str, errors: list[Diagnostic]
) -> BookletSettings | None:
    """`[booklet]`, checked; what is left out is chosen when the book's pages are known."""
    count = len(errors)
    sheet = parse_trim(table["sheet"], SHEETS) if "sheet" in table else None
    if "sheet" in table and sheet is None:
        names = ", ".join(size.name for size in SHEETS.values())
        message = f"[booklet] sheet must be one of {names} or 'W x H' with units"
        errors.append(problem(shown, message, "E112", key_place(text, "sheet", "booklet")))
    errors += out_of_range("booklet", table, text, shown, "limit")
    errors += out_of_range("booklet", table, text, shown, "choices")
    if len(errors) > count:
        return None
    return BookletSettings(
        sheet=sheet,
        signature=setting(table, "booklet", "signature"),
        duplex=setting(table, "booklet", "duplex"),
        creep_mm=setting(table, "booklet", "creep"),
        marks=setting(table, "booklet", "marks"),
        fit=setting(table, "booklet", "fit"),
    )


def print_settings(
    table: dict[str, Any], text: str, shown: str, errors: list[Diagnostic]
) -> PrintSettings | None:
    """`[print]` with every default filled in; margins follow the trim unless given."""
    count = len(errors)
    trim = parse_trim(setting(table, "print", "trim"))
    if trim is None:
        presets = ", ".join(size.name for size in TRIM_PRESETS.values())
        message = f"trim must be one of {presets} or 'W x H' with units (e.g. '5 x 8 in')"
        errors.append(problem(shown, message, "E112", key_place(text, "trim", "print")))
        return None
    errors += out_of_range("print", table, text, shown, "choices")
    defaults = default_margins(trim)
    margins = Margins(
        **{side: table.get(f"margin-{side}", getattr(defaults, side)) for side in MARGIN_SHARES}
    )
    if margins.inside + margins.outside >= trim.width_mm * 0.6:
        message = "[print] margins leave less than 40% of the page's width for the text"
        errors.append(problem(shown, message, "E112", key_place(text, "margin-inside", "print")))
    errors += out_of_range("print", table, text, shown, "limit")
    if len(errors) > count:
        return None
    paper = setting(table, "print", "paper")
    variant = setting(table, "print", "variant")
    return PrintSettings(
        trim=trim,
        margins=margins,
        bleed_mm=setting(table, "print", "bleed"),
        marks=setting(table, "print", "marks"),
        variant=None if variant == "none" else variant,
        output_condition=setting(table, "print", "output-condition"),
        paper_mm=PAPER_MM_PER_PAGE[paper] if isinstance(paper, str) else paper,
        opening=setting(table, "print", "opening"),
        half_title=setting(table, "print", "half-title"),
        isbn=setting(table, "print", "isbn"),
    )
