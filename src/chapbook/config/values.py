"""book.toml's values read: lengths, trims, kinds of value, language tags and ISBNs."""

from __future__ import annotations

import re
from datetime import date

from chapbook.model.book import PAPER_MM_PER_PAGE, PT_PER_MM, Margins, PageSize

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


def control_character(value: object) -> str | None:
    """The first character of a string (or list of strings) that no text may hold, as
    U+XXXX; None if there is none."""
    text = "".join(value) if isinstance(value, tuple) else value
    bad = NOT_XML.search(text) if isinstance(text, str) else None
    return None if bad is None else f"U+{ord(bad[0]):04X}"


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
