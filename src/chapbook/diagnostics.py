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
    """One problem in the book, at a file and (when known) a line and column, with its code."""

    path: Path | str
    message: str
    line: int | None = None
    warning: bool = False
    """A warning is reported but does not stop the build."""
    code: str | None = None
    """Its stable code (CODES)."""
    column: int | None = None
    """The 1-based column of `line` where it is, when known."""

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
    index = -1
    for _ in range(occurrence):
        index = text.find(needle, index + 1)
        if index < 0:
            return None
    return text.count("\n", 0, index) + 1


def short(url: str) -> str:
    """A URL as a message shows it: a long data: URL cut short."""
    if not url.startswith("data:") or len(url) <= SHOWN_URL:
        return url
    return url[: SHOWN_URL - 3] + "..."


CODES: dict[str, str] = {
    "E100": "the reader's other errors: the book does not build (the message says why)",
    "E101": "a link to a file that is not a chapter of the book",
    "E102": "an image not found",
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
    "W200": "the reader's other warnings (raw HTML removed, a small cover, ...)",
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
}
"""Each code and what it finds, in one line (`chapbook check --codes`)."""


def is_error(code: str) -> bool:
    return code.startswith("E")
