"""User errors and warnings: each names a place in the manuscript and, for the lint, a stable
code (E1xx errors, W2xx warnings: a code's letter is its severity). They are reported
together."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

SHOWN_URL = 60
"""data: URLs longer than this are cut short in messages."""


@dataclass(frozen=True)
class Diagnostic:
    """One problem in the book, at a file and (when known) a line and column, with its stable
    code (CODES), whose letter is its severity: E an error, W a warning. Given no code, it is
    E100 or W200 (by `warning`); given one, `warning` follows from it."""

    path: Path | str
    message: str
    line: int | None = None
    warning: bool = False
    """A warning is reported but does not stop the build."""
    code: str = ""
    """Its stable code (CODES)."""
    column: int | None = None
    """The 1-based column of `line` where it is, when known."""

    def __post_init__(self) -> None:
        if not self.code:
            object.__setattr__(self, "code", "W200" if self.warning else "E100")
        elif is_error(self.code) and self.warning:
            raise ValueError(f"{self.code} is an error's code, not a warning's")
        object.__setattr__(self, "warning", not is_error(self.code))

    @property
    def severity(self) -> str:
        return "warning" if self.warning else "error"

    def __str__(self) -> str:
        where = str(self.path) if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {'warning: ' if self.warning else ''}{self.message}"


class BookErrors(Exception):
    """Raised with every error found, so that the author sees them all at once."""

    def __init__(self, errors: list[Diagnostic]) -> None:
        super().__init__("\n".join(str(error) for error in errors))
        self.errors = errors


def line_of(text: str, needle: str, occurrence: int = 1) -> int | None:
    """The 1-based line of the `occurrence`-th (by default the first) occurrence of
    `needle` in `text`, if there is one."""
    place = place_of(text, needle, occurrence)
    return None if place is None else place[0]


def place_of(text: str, needle: str, occurrence: int = 1) -> tuple[int, int] | None:
    """The 1-based line and column of the `occurrence`-th occurrence of `needle` in `text`."""
    index = -1
    for _ in range(occurrence):
        index = text.find(needle, index + 1)
        if index < 0:
            return None
    return text.count("\n", 0, index) + 1, index - text.rfind("\n", 0, index)


def short(url: str) -> str:
    """A URL as a message shows it: a long data: URL cut short."""
    if not url.startswith("data:") or len(url) <= SHOWN_URL:
        return url
    return url[: SHOWN_URL - 3] + "..."


CODES: dict[str, str] = {
    "E100": "another error: the book does not build (the message says why)",
    "E101": "a link to a file that is not a chapter of the book",
    "E102": "an image, a font or another file the book names, not found",
    "E103": "a link to a heading or anchor that is not there",
    "E104": "a footnote reference without a note",
    "E105": "a chapter listed twice in [contents]",
    "E106": "a chapter listed in [contents] not found",
    "E107": "an ISBN with a bad checksum",
    "E108": "a language that is not a BCP 47 tag",
    "E109": "an empty chapter",
    "E110": "book.toml cannot be read: missing, not UTF-8, or not valid TOML",
    "E111": "a book.toml key or table that Chapbook does not know",
    "E112": "a book.toml value of the wrong kind, or out of its range",
    "E113": "a book.toml key that a book needs, missing",
    "E114": "a text file of the book not valid UTF-8, or holding a control character",
    "E115": "a file the book names that is outside the book",
    "E116": "a file of the wrong kind: not a file, not a font, an image of an unknown "
    "type or unreadable, a cover not PNG or JPEG",
    "E117": "a URL that names no file of the book: remote without allow-remote, not "
    "downloaded, data:, file: or another scheme",
    "E118": "a chapter without a title",
    "E119": "front matter that is not 'key: value' lines of text (bad YAML, an empty value...)",
    "E120": "Markdown or HTML nested too deeply to convert or to lay out",
    "E121": "raw HTML that EPUB does not allow: obsolete, or that cannot be made XHTML",
    "E122": "Markdown that lost text in conversion (tangled * or _, a stray <)",
    "E123": "a paragraph too long for XHTML readers",
    "E124": "a book without chapters, or a chapter that cannot be one",
    "E125": "the manuscript folder not found, or its book.toml outside the book",
    "E126": "a stylesheet that imports another (@import)",
    "E127": "a URL the print layout asked for that is not a file of the book",
    "E128": "the print layout failed (a layout process ended)",
    "E129": "a booklet whose sheet cannot hold two pages side by side",
    "E130": "a character that no print font has, in a book built for print",
    "E131": "a print PDF that preflight faults: not written",
    "E132": "a PDF to preflight that is not there or cannot be read",
    "E133": "git cannot give the revision to compare with (diff, --since)",
    "E134": "an output, or the output folder, that cannot be written",
    "W200": "another warning",
    "W201": "an image without alt text",
    "W202": "a heading that skips a level",
    "W203": "a chapter with no text but its title",
    "W204": "a chapter title that another chapter has too",
    "W205": "a straight quote in raw HTML (no smart quotes there)",
    "W206": "a double hyphen in raw HTML (no dashes made there)",
    "W207": "a doubled word ('the the')",
    "W208": "repeated spaces between words",
    "W209": "unbalanced quotation marks in a paragraph",
    "W210": "unbalanced brackets in a paragraph",
    "W211": "a chapter file not listed in [contents]",
    "W212": "a footnote that nothing refers to",
    "W213": "raw HTML removed: a script, an event handler, embedded content...",
    "W214": "a front matter key that Chapbook does not use",
    "W215": "a CSS syntax error",
    "W216": "a code fence never closed",
    "W217": "raw HTML repaired to be XHTML (a tag that names no element made text...)",
    "W218": "a cover smaller than ebook shops ask for",
    "W219": "a table of more columns than print can hold legibly",
    "W220": "a character that no print font has (the EPUB keeps it)",
    "W221": "the characters not checked against the print fonts (no fontconfig)",
    "W222": "a PDF whose pages cannot be counted for stats, or older than the book",
}
"""Each code and what it finds, in one line (`chapbook check --codes`)."""


def is_error(code: str) -> bool:
    return code.startswith("E")
