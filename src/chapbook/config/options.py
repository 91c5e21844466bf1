"""Every book.toml key, declared once: its table, kind, default, one line of doc and what else
its value must be. Loading (load.py), the book.toml `chapbook init` writes and the README's key
reference (template.py) all read this table."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from chapbook.config.values import (
    DUPLEX,
    MARGIN_SHARES,
    OPENINGS,
    TRIM_PRESETS,
    VARIANTS,
    convert,
    default_margins,
)
from chapbook.model.book import PAPER_MM_PER_PAGE, SHEETS

Value = str | bool | int | float | tuple[str, ...]
"""A value as book.toml writes it (a tuple for an array)."""

KIND_NAMES = {
    "str": "a string",
    "strs": "a list of strings",
    "date": "a date (YYYY-MM-DD)",
    "length": "a length such as '3mm', '0.125in' or a number of mm",
    "bool": "true or false",
    "int": "a whole number",
    "paper": "'white', 'cream' or the thickness of one page in mm",
}
"""Each kind of value, as messages name it."""


@dataclass(frozen=True)
class Limit:
    """What a value of the right kind must also be: `holds(value)`, else `[table] key must`."""

    holds: Callable[[Any], bool]
    must: str


@dataclass(frozen=True)
class Option:
    """One book.toml key."""

    table: str
    key: str
    kind: str
    """A key of KIND_NAMES: what the value must be to be read at all."""
    doc: str = ""
    """One line: what the key does (the comment `init` writes beside it)."""
    default: Value | None = None
    """The value Chapbook takes when the key is left out, as book.toml would write it; None
    when there is none or it is worked out (then `unset` says how)."""
    unset: str | None = None
    """What happens when the key is left out, in words, when `default` cannot say it."""
    example: Value | None = None
    """A value to show in the template where the default is not one."""
    required: bool = False
    choices: tuple[str, ...] = ()
    """The values a string may take, when they are few."""
    limit: Limit | None = None

    @property
    def value(self) -> Any:
        """The default in its Python form (as `convert` gives a value read from book.toml)."""
        if self.default is None:
            return None
        raw = list(self.default) if isinstance(self.default, tuple) else self.default
        return convert(self.kind, raw)


@dataclass(frozen=True)
class Table:
    name: str
    doc: str = ""


def one_of(names: tuple[str, ...] | list[str]) -> str:
    """'a, b or c'."""
    return f"{', '.join(names[:-1])} or {names[-1]}"


def margin(side: str) -> Option:
    """`margin-<side>`: by default a share of the trim's width or height."""
    extent = "height" if side in ("top", "bottom") else "width"
    a5 = getattr(default_margins(TRIM_PRESETS["a5"]), side)
    share = f"{MARGIN_SHARES[side] * 100:g}% of the trim's {extent} (A5: {a5:g}mm)"
    return Option(
        "print",
        f"margin-{side}",
        "length",
        "the gutter" if side == "inside" else "",
        unset=share,
        example=f"{a5:g}mm",
    )


TRIMS = ", ".join(size.name for size in TRIM_PRESETS.values())
SHEET_NAMES = ", ".join(size.name for size in SHEETS.values())

TABLES = (
    Table("book"),
    Table("contents", "default: every chapters/*.md, in file-name order"),
    Table("print", "the print PDF"),
    Table("booklet", "the booklet; the command's flags override these"),
    Table("epub", "the EPUB"),
    Table("build", "how the book's files are gathered"),
    Table("check", "`chapbook check`, the manuscript's lint"),
)
"""book.toml's tables, in the order messages list them."""

NONE = "none"

OPTIONS = (
    Option("book", "title", "str", required=True, example="A Title"),
    Option("book", "subtitle", "str", unset=NONE, example="A Subtitle"),
    Option("book", "authors", "strs", "a list", (), NONE, ("Your Name",)),
    Option(
        "book",
        "language",
        "str",
        "a BCP 47 tag (en, en-GB, fr, de-CH...); it also sets hyphenation and quotation marks",
        required=True,
        example="en",
    ),
    Option(
        "book",
        "identifier",
        "str",
        unset="a stable one made from the title and authors",
        example="urn:uuid:...",
    ),
    Option(
        "book",
        "isbn",
        "str",
        "checksum verified; then the identifier",
        unset=NONE,
        example="978-3-16-148410-0",
    ),
    Option("book", "publisher", "str", unset=NONE, example="A Publisher"),
    Option(
        "book",
        "date",
        "date",
        "ISO date; it also fixes the build's timestamps",
        unset=NONE,
        example="2026-01-31",
    ),
    Option(
        "book",
        "rights",
        "str",
        "on the copyright page",
        unset=NONE,
        example="© Your Name. All rights reserved.",
    ),
    Option(
        "book",
        "description",
        "str",
        "also the back-cover text",
        unset=NONE,
        example="What the book is about.",
    ),
    Option("book", "subjects", "strs", "a list", (), NONE, ("Fiction",)),
    Option(
        "book",
        "cover",
        "str",
        "a PNG or JPEG, 1600 px or more on the long side",
        unset="a cover drawn from the title and authors",
        example="images/cover.png",
    ),
    Option("book", "edition", "str", "on the copyright page", unset=NONE, example="First edition"),
    Option(
        "contents",
        "front",
        "strs",
        "unnumbered, before chapter 1 (roman page numbers in print)",
        (),
        example=("front/foreword.md",),
    ),
    Option(
        "contents",
        "chapters",
        "strs",
        "numbered chapters, in reading order",
        unset="chapters/*.md in file-name order (but front and back)",
        example=("chapters/01-....md",),
    ),
    Option(
        "contents",
        "back",
        "strs",
        "unnumbered, after the last chapter",
        (),
        example=("back/afterword.md",),
    ),
    Option(
        "print",
        "trim",
        "str",
        f'{TRIMS}, or "W x H" with units: "5 x 8 in", "120mm x 180mm"',
        "A5",
    ),
    margin("top"),
    margin("bottom"),
    margin("inside"),
    margin("outside"),
    Option(
        "print",
        "bleed",
        "length",
        "the sheet grows by it on every side (3mm for a printer)",
        "0mm",
        limit=Limit(lambda mm: mm <= 10, "must be 10mm or less"),
    ),
    Option("print", "marks", "bool", "crop marks outside the bleed", False),
    Option("print", "variant", "str", ", ".join(VARIANTS), "none", choices=VARIANTS),
    Option(
        "print",
        "output-condition",
        "str",
        "PDF/X: the printing condition named in the output intent",
        "FOGRA39",
    ),
    Option(
        "print",
        "paper",
        "paper",
        f"{', '.join(PAPER_MM_PER_PAGE)} or one page's thickness in mm: the spine's width",
        "white",
    ),
    Option(
        "print",
        "opening",
        "str",
        f"a chapter's first line: {one_of(OPENINGS)}",
        "small-caps",
        choices=OPENINGS,
    ),
    Option("print", "half-title", "bool", "a half-title page before the title page", True),
    Option(
        "print",
        "isbn",
        "str",
        "the print edition's own ISBN",
        unset=NONE,
        example="978-3-16-148410-0",
    ),
    Option(
        "booklet",
        "sheet",
        "str",
        f'{SHEET_NAMES} or "W x H"',
        unset="the smallest that holds two pages side by side",
        example="A4",
    ),
    Option(
        "booklet",
        "signature",
        "int",
        "pages per gathering, a multiple of 4",
        unset="the whole book up to 40 pages, else 16",
        example=16,
        limit=Limit(lambda pages: pages >= 4 and pages % 4 == 0, "must be a multiple of 4 pages"),
    ),
    Option("booklet", "duplex", "str", one_of(DUPLEX), "short-edge", choices=DUPLEX),
    Option(
        "booklet",
        "creep",
        "length",
        "the innermost sheet's shift",
        unset="from [print] paper",
        example="0.3mm",
    ),
    Option("booklet", "marks", "bool", "fold and crop marks", False),
    Option(
        "booklet",
        "fit",
        "bool",
        "scale pages down to the sheet (else a trim too big is an error)",
        False,
    ),
    Option(
        "epub",
        "embed-fonts",
        "bool",
        "embed the typeface, cut down to the characters used",
        False,
    ),
    Option(
        "epub",
        "accessibility-summary",
        "str",
        unset="a summary written from what the EPUB has",
        example="...",
    ),
    Option("build", "allow-remote", "bool", "download the http(s) images the chapters name", False),
    Option(
        "check",
        "ignore",
        "strs",
        'codes not to report, e.g. ["W207"]; `chapbook check --codes` lists them all',
        (),
    ),
)
"""Every key, by table, in the order messages list them."""

SCHEMA: dict[str, dict[str, Option]] = {
    table.name: {option.key: option for option in OPTIONS if option.table == table.name}
    for table in TABLES
}
"""Each table's options by key."""


def option(table: str, key: str) -> Option:
    return SCHEMA[table][key]


def setting(table: dict[str, Any], name: str, key: str) -> Any:
    """`[name] key` as read (and checked) from book.toml, else its default."""
    return table[key] if key in table else option(name, key).value
