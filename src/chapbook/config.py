"""`book.toml` -> typed, frozen settings; every default is here, every unknown key is named."""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from chapbook.diagnostics import CODES, BookErrors, Diagnostic, line_of
from chapbook.model.book import (
    PAPER_MM_PER_PAGE,
    PT_PER_MM,
    SHEETS,
    BookletSettings,
    EpubSettings,
    Margins,
    PageSize,
    PrintSettings,
)

MM_PER_UNIT = {"mm": 1.0, "cm": 10.0, "in": 25.4, "pt": 1 / PT_PER_MM}

TRIM_PRESETS = {
    "a5": PageSize("A5", 148, 210),
    "a6": PageSize("A6", 105, 148),
    "b-format": PageSize("B-format", 129, 198),
    "digest": PageSize("digest", 139.7, 215.9),
    "trade": PageSize("trade", 152.4, 228.6),
    "pocket": PageSize("pocket", 107.95, 174.5),
    "letter": PageSize("letter", 215.9, 279.4),
}
DEFAULT_TRIM = "A5"
DUPLEX = ("short-edge", "long-edge", "manual")
VARIANTS = ("none", "pdf/x-4", "pdf/x-3", "pdf/x-1a", "pdf/a-2b", "pdf/a-3b", "pdf/ua-1")
OPENINGS = ("small-caps", "drop-cap", "plain")
MARGIN_SHARES = {"top": 0.076, "bottom": 0.095, "inside": 0.128, "outside": 0.1}
"""Default margins as shares of the trim's height (top, bottom) and width (inside, outside)."""

NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
"""Characters that no XHTML document may hold: C0 controls but tab and line ends, U+FFFE and
U+FFFF. No text of the book may hold them."""
BCP47 = re.compile(
    r"""
    (?:
        [a-z]{2,3}(?:-[a-z]{3}){0,3}                        # language (and extlang)
        (?:-[a-z]{4})?                                      # script
        (?:-(?:[a-z]{2}|[0-9]{3}))?                         # region
        (?:-(?:[a-z0-9]{5,8}|[0-9][a-z0-9]{3}))*            # variants
        (?:-[a-wyz0-9](?:-[a-z0-9]{2,8})+)*                 # extensions
        (?:-x(?:-[a-z0-9]{1,8})+)?                          # private use
    |   x(?:-[a-z0-9]{1,8})+                                # private use alone
    |   en-gb-oed|i-(?:ami|bnn|default|enochian|hak|klingon|lux|mingo|navajo|pwn|tao|tay|tsu)
    |   sgn-(?:be-fr|be-nl|ch-de)                           # grandfathered (irregular)
    |   art-lojban|cel-gaulish|no-bok|no-nyn|zh-(?:guoyu|hakka|min|min-nan|xiang)
    )
    """,
    re.IGNORECASE | re.VERBOSE,
)
"""A well-formed language tag, by RFC 5646's grammar; but a language of 4 to 8 letters,
which the grammar reserves and no language has, is refused ('english' is a mistake)."""


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
            return next((line for q in quoted if (line := line_of(self.text, q, occurrence))), None)
        return key_line(self.text, key, table)


TABLE_HEADER = re.compile(r"^[ \t]*\[[^\[\]\n]+\][ \t]*(#.*)?$", re.MULTILINE)


def key_line(text: str, key: str, table: str | None = None) -> int | None:
    """The line of `key = ...`: in `[table]` if it is there, else anywhere."""
    start, end = 0, len(text)
    header = None if table is None else table_header(text, table)
    if header is not None:
        following = TABLE_HEADER.search(text, header.end())
        start, end = header.end(), len(text) if following is None else following.start()
    match = re.compile(rf"^[ \t]*{re.escape(key)}[ \t]*=", re.MULTILINE).search(text, start, end)
    if match is None:
        return None if header is None else key_line(text, key)
    return text.count("\n", 0, match.start()) + 1


def table_header(text: str, table: str) -> re.Match[str] | None:
    """The `[table]` line of book.toml, if it has one."""
    return re.search(rf"^[ \t]*\[\s*{re.escape(table)}\s*\]", text, re.MULTILINE)


# Each key's kind: "str", "strs" (a list of strings) or "date". Required keys are in REQUIRED.
SCHEMA: dict[str, dict[str, str]] = {
    "book": {
        "title": "str",
        "subtitle": "str",
        "authors": "strs",
        "language": "str",
        "identifier": "str",
        "isbn": "str",
        "publisher": "str",
        "date": "date",
        "rights": "str",
        "description": "str",
        "subjects": "strs",
        "cover": "str",
        "edition": "str",
    },
    "contents": {"front": "strs", "chapters": "strs", "back": "strs"},
    "print": {
        "trim": "str",
        "margin-top": "length",
        "margin-bottom": "length",
        "margin-inside": "length",
        "margin-outside": "length",
        "bleed": "length",
        "marks": "bool",
        "variant": "str",
        "output-condition": "str",
        "paper": "paper",
        "opening": "str",
        "half-title": "bool",
        "isbn": "str",
    },
    "booklet": {
        "sheet": "str",
        "signature": "int",
        "duplex": "str",
        "creep": "length",
        "marks": "bool",
        "fit": "bool",
    },
    "epub": {"embed-fonts": "bool", "accessibility-summary": "str"},
    "build": {"allow-remote": "bool"},
    "check": {"ignore": "strs"},
}
REQUIRED = {"book": ("title", "language")}
KIND_NAMES = {
    "str": "a string",
    "strs": "a list of strings",
    "date": "a date (YYYY-MM-DD)",
    "length": "a length such as '3mm', '0.125in' or a number of mm",
    "bool": "true or false",
    "int": "a whole number",
    "paper": "'white', 'cream' or the thickness of one page in mm",
}


def load_config(path: Path, shown: str) -> Config:
    """Read and check `book.toml`; raise BookErrors naming every problem."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        message = "not found: a book is a folder that holds its book.toml"
        raise BookErrors([Diagnostic(shown, message)]) from None
    except UnicodeDecodeError as error:
        raise BookErrors([Diagnostic(shown, f"not valid UTF-8 ({error.reason})")]) from None
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
    """tomllib's message, its line taken out of the text and put in the place."""
    message = str(error)
    match = re.search(r"\(at line (\d+), column \d+\)$", message)
    if message.endswith("(at end of document)"):
        reason = message.removesuffix("(at end of document)").strip()
        last_line = len(text.rstrip("\n").split("\n"))
        return Diagnostic(shown, f"TOML syntax error: {reason} at the end of the file", last_line)
    if match is None:
        return Diagnostic(shown, f"TOML syntax error: {message}")
    return Diagnostic(
        shown, f"TOML syntax error: {message[: match.start()].strip()}", int(match[1])
    )


def suggestion(name: str, known: list[str]) -> str:
    """The end of a message about an unknown name: the closest known one, or them all."""
    close = difflib.get_close_matches(name, known, n=1)
    return f"; did you mean '{close[0]}'?" if close else f" (known: {', '.join(known)})"


def check_schema(
    raw: dict[str, Any], text: str, shown: str, errors: list[Diagnostic]
) -> dict[str, dict[str, Any]]:
    """Check tables, keys and value kinds against SCHEMA; return the tables as dicts."""
    tables: dict[str, dict[str, Any]] = {}
    for name, table in raw.items():
        if name not in SCHEMA:
            line = line_of(text, f"[{name}]") or line_of(text, name)
            errors.append(
                Diagnostic(
                    shown,
                    f"'[{name}]' is not a book.toml table{suggestion(name, list(SCHEMA))}",
                    line,
                )
            )
        elif not isinstance(table, dict):
            errors.append(
                Diagnostic(shown, f"'{name}' must be a table ([{name}])", line_of(text, name))
            )
        else:
            tables[name] = check_table(name, table, text, shown, errors)
    for name, keys in REQUIRED.items():
        for key in keys:
            if key not in tables.get(name, {}):
                errors.append(Diagnostic(shown, f"[{name}] needs '{key}'"))
    return tables


def check_table(
    name: str, table: dict[str, Any], text: str, shown: str, errors: list[Diagnostic]
) -> dict[str, Any]:
    """The keys of `[name]` with their values converted; an error for each unknown key,
    value of the wrong kind or text with a control character."""
    known = SCHEMA[name]
    checked: dict[str, Any] = {}
    for key, value in table.items():
        line = key_line(text, key, name)
        if key not in known:
            hint = suggestion(key, list(known))
            errors.append(Diagnostic(shown, f"'{key}' is not a [{name}] key{hint}", line))
            continue
        converted = convert(known[key], value)
        bad = control_character(converted)
        if bad is not None:
            message = f"[{name}] '{key}' holds control character {bad}, not allowed in text"
            errors.append(Diagnostic(shown, message, line))
        elif converted is None:
            kind = KIND_NAMES[known[key]]
            errors.append(Diagnostic(shown, f"[{name}] '{key}' must be {kind}", line))
        else:
            checked[key] = converted
    return checked


def control_character(value: object) -> str | None:
    """The first character of a string (or list of strings) that no text may hold, as
    U+XXXX; None if there is none."""
    text = "".join(value) if isinstance(value, tuple) else value
    bad = NOT_XML.search(text) if isinstance(text, str) else None
    return None if bad is None else f"U+{ord(bad[0]):04X}"


def convert(kind: str, value: object) -> object | None:
    """The value in its Python form, or None if it is not of the kind."""
    if kind == "bool":
        return value if isinstance(value, bool) else None
    if kind == "int":
        return value if isinstance(value, int) and not isinstance(value, bool) else None
    if kind == "length":
        return parse_length(value)
    if kind == "paper":
        if isinstance(value, str) and value.strip().lower() in PAPER_MM_PER_PAGE:
            return value.strip().lower()
        thickness = parse_length(value)
        return thickness if thickness is not None and 0.01 <= thickness <= 1 else None
    if kind == "str":
        return value.strip() if isinstance(value, str) and value.strip() else None
    if kind == "strs":
        ok = isinstance(value, list) and all(isinstance(item, str) for item in value)
        return tuple(value) if ok and isinstance(value, list) else None
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


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
        embed_fonts=epub.get("embed-fonts", False),
        accessibility_summary=epub.get("accessibility-summary"),
    )
    build = BuildTable(allow_remote=tables.get("build", {}).get("allow-remote", False))
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
        errors.append(Diagnostic(shown, message, key_line(text, "language", "book")))
    for value in isbns:
        isbn = convert("str", value)
        if isinstance(isbn, str) and not isbn_is_valid(isbn):
            line = line_of(text, isbn) or key_line(text, "isbn")
            errors.append(Diagnostic(shown, f"ISBN '{isbn}' has a bad checksum", line))
    return errors


def check_settings(
    table: dict[str, Any], text: str, shown: str, errors: list[Diagnostic]
) -> CheckTable:
    """`[check]`: an error for each code in `ignore` that the lint does not have."""
    ignore: tuple[str, ...] = table.get("ignore", ())
    for code in ignore:
        if code not in CODES:
            hint = suggestion(code, list(CODES))
            line = line_of(text, f'"{code}"') or key_line(text, "ignore", "check")
            errors.append(
                Diagnostic(shown, f"[check] ignore: '{code}' is not a check code{hint}", line)
            )
    return CheckTable(ignore=ignore)  # with an unknown code, load_config raises instead


def booklet_settings(
    table: dict[str, Any], text: str, shown: str, errors: list[Diagnostic]
) -> BookletSettings | None:
    """`[booklet]`, checked; what is left out is chosen when the book's pages are known."""
    count = len(errors)
    sheet = parse_trim(table["sheet"], SHEETS) if "sheet" in table else None
    if "sheet" in table and sheet is None:
        names = ", ".join(size.name for size in SHEETS.values())
        message = f"[booklet] sheet must be one of {names} or 'W x H' with units"
        errors.append(Diagnostic(shown, message, key_line(text, "sheet", "booklet")))
    signature = table.get("signature")
    if signature is not None and (signature < 4 or signature % 4):
        message = "[booklet] signature must be a multiple of 4 pages"
        errors.append(Diagnostic(shown, message, key_line(text, "signature", "booklet")))
    duplex = table.get("duplex", "short-edge")
    if duplex not in DUPLEX:
        message = f"[booklet] duplex must be one of {', '.join(DUPLEX)}"
        errors.append(Diagnostic(shown, message, key_line(text, "duplex", "booklet")))
    if len(errors) > count:
        return None
    return BookletSettings(
        sheet=sheet,
        signature=signature,
        duplex=duplex,
        creep_mm=table.get("creep"),
        marks=table.get("marks", False),
        fit=table.get("fit", False),
    )


def print_settings(
    table: dict[str, Any], text: str, shown: str, errors: list[Diagnostic]
) -> PrintSettings | None:
    """`[print]` with every default filled in; margins follow the trim unless given."""
    count = len(errors)
    trim = parse_trim(table.get("trim", DEFAULT_TRIM))
    if trim is None:
        presets = ", ".join(size.name for size in TRIM_PRESETS.values())
        message = f"trim must be one of {presets} or 'W x H' with units (e.g. '5 x 8 in')"
        errors.append(Diagnostic(shown, message, key_line(text, "trim", "print")))
        return None
    choices = {"variant": VARIANTS, "opening": OPENINGS}
    for key, allowed in choices.items():
        if key in table and table[key] not in allowed:
            message = f"[print] {key} must be one of {', '.join(allowed)}"
            errors.append(Diagnostic(shown, message, key_line(text, key, "print")))
    defaults = default_margins(trim)
    margins = Margins(
        **{side: table.get(f"margin-{side}", getattr(defaults, side)) for side in MARGIN_SHARES}
    )
    if margins.inside + margins.outside >= trim.width_mm * 0.6:
        message = "[print] margins leave less than 40% of the page's width for the text"
        errors.append(Diagnostic(shown, message, key_line(text, "margin-inside", "print")))
    if table.get("bleed", 0) > 10:
        message = "[print] bleed must be 10mm or less"
        errors.append(Diagnostic(shown, message, key_line(text, "bleed", "print")))
    if len(errors) > count:
        return None
    paper = table.get("paper", "white")
    variant = table.get("variant", "none")
    return PrintSettings(
        trim=trim,
        margins=margins,
        bleed_mm=table.get("bleed", 0.0),
        marks=table.get("marks", False),
        variant=None if variant == "none" else variant,
        output_condition=table.get("output-condition", "FOGRA39"),
        paper_mm=PAPER_MM_PER_PAGE[paper] if isinstance(paper, str) else paper,
        opening=table.get("opening", "small-caps"),
        half_title=table.get("half-title", True),
        isbn=table.get("isbn"),
    )


def default_margins(trim: PageSize) -> Margins:
    """Margins in proportion to the trim, rounded to half millimetres."""

    def share(side: str, extent: float) -> float:
        return round(MARGIN_SHARES[side] * extent * 2) / 2

    return Margins(
        top=share("top", trim.height_mm),
        bottom=share("bottom", trim.height_mm),
        inside=share("inside", trim.width_mm),
        outside=share("outside", trim.width_mm),
    )


def parse_length(value: object) -> float | None:
    """'3mm', '0.125 in', '9pt' or a bare number of mm -> mm; None if not a length."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if value >= 0 else None
    if not isinstance(value, str):
        return None
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(mm|cm|in|pt)?\s*", value)
    if match is None:
        return None
    return round(float(match[1]) * MM_PER_UNIT[match[2] or "mm"], 3)


def parse_trim(value: str, presets: dict[str, PageSize] = TRIM_PRESETS) -> PageSize | None:
    """A preset name or 'W x H unit' (each side may carry its own unit) -> PageSize in mm."""
    preset = presets.get(value.strip().lower())
    if preset is not None:
        return preset
    number = r"(\d+(?:\.\d+)?)\s*(mm|cm|in|pt)?"
    match = re.fullmatch(rf"\s*{number}\s*[x×]\s*{number}\s*", value)
    if match is None or (match[4] is None and match[2] is None):
        return None
    unit = match[4] or match[2]
    width = float(match[1]) * MM_PER_UNIT[match[2] or unit]
    height = float(match[3]) * MM_PER_UNIT[unit]
    if not (20 <= width <= 1000 and 20 <= height <= 1000):
        return None
    return PageSize(value.strip(), round(width, 3), round(height, 3))


def isbn_is_valid(isbn: str) -> bool:
    """Whether an ISBN-13 or ISBN-10 (hyphens and spaces allowed) has a right check digit."""
    digits = isbn.replace("-", "").replace(" ", "").upper()
    if re.fullmatch(r"\d{13}", digits):
        total = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(digits))
        return total % 10 == 0
    if re.fullmatch(r"\d{9}[\dX]", digits):
        total = sum((10 - i) * (10 if d == "X" else int(d)) for i, d in enumerate(digits))
        return total % 11 == 0
    return False
