"""User errors: each names a place in the manuscript, and they are reported together."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


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


def line_of(text: str, needle: str) -> int | None:
    """The 1-based line of the first occurrence of `needle` in `text`, if any."""
    index = text.find(needle)
    if index < 0:
        return None
    return text.count("\n", 0, index) + 1
