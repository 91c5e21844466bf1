"""How commands print what went wrong: every error, one line each, then how many."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from chapbook.diagnostics import BookErrors, Diagnostic
from chapbook.support.output import WriteError


def error_lines(failure: BookErrors | OSError) -> list[str]:
    """A failed build's errors, one line each, as printed (the first SHOWN_ERRORS)."""
    if isinstance(failure, BookErrors):
        return capped([str(error) for error in failure.errors])
    return [str(failure)]


def print_warning(warning: Diagnostic) -> None:
    print(warning, file=sys.stderr)


def ignore(_: Diagnostic) -> None:
    """What -q does with a warning."""


def waiting_notice(out: Path) -> Callable[[], None]:
    """What to say when a build into `out` has to wait for another one."""

    def notice() -> None:
        print(f"{out}: waiting for another build to finish…", file=sys.stderr, flush=True)

    return notice


SHOWN_ERRORS = 50
"""The most errors printed; the others are counted in one line (--json gives them all)."""


def refused(failure: BookErrors | OSError) -> int:
    """Print why a command could not do its work, one line each (the first SHOWN_ERRORS);
    its exit status."""
    if isinstance(failure, OSError):
        print(f"{failure.filename or ''}: {failure.strerror or failure}", file=sys.stderr)
        return 1
    for line in capped([str(error) for error in failure.errors]):
        print(line, file=sys.stderr)
    return 1


def capped(lines: Sequence[str]) -> list[str]:
    """The first SHOWN_ERRORS of `lines`, then `and N more` if there are more."""
    if len(lines) <= SHOWN_ERRORS:
        return list(lines)
    return [*lines[:SHOWN_ERRORS], f"and {len(lines) - SHOWN_ERRORS} more"]


def failed(failure: BookErrors | OSError, what: str) -> int:
    """Print the errors of a failed run (as `refused`), then how many (but of an output
    that cannot be written: one line); its exit status."""
    if isinstance(failure, WriteError):
        print(failure, file=sys.stderr)
        return 1
    refused(failure)
    if isinstance(failure, BookErrors):
        count = len(failure.errors)
        print(f"{what} failed: {count} error{'s' if count != 1 else ''}", file=sys.stderr)
    return 1
