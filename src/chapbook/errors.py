"""User errors: each names a place in the manuscript, and they are reported together."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

SHOWN_URL = 60
"""data: URLs longer than this are cut short in messages."""


@dataclass(frozen=True)
class BookError:
    """One problem in the book, at a file and (when known) a line."""

    path: Path | str
    message: str
    line: int | None = None
    warning: bool = False
    """A warning is reported but does not stop the build."""

    def __str__(self) -> str:
        where = str(self.path) if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {'warning: ' if self.warning else ''}{self.message}"


class BookErrors(Exception):
    """Raised with every error found, so that the author sees them all at once."""

    def __init__(self, errors: list[BookError]) -> None:
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
