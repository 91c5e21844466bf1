"""`python build.py` and `chapbook`: arguments in, a build, an exit status out."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from chapbook import __version__
from chapbook.errors import BookErrors
from chapbook.pipeline import TARGETS, build


def parser() -> argparse.ArgumentParser:
    command = argparse.ArgumentParser(
        prog="chapbook",
        description="Build a Markdown manuscript into an EPUB 3, a print PDF and a booklet.",
    )
    command.add_argument(
        "targets",
        nargs="*",
        metavar="TARGET",
        help=f"what to build: {', '.join(TARGETS)} (default: all)",
    )
    command.add_argument(
        "-m",
        "--manuscript",
        type=Path,
        default=Path("manuscript"),
        metavar="DIR",
        help="the book's folder, holding book.toml (default: manuscript)",
    )
    command.add_argument(
        "-o",
        "--out",
        type=Path,
        default=Path("dist"),
        metavar="DIR",
        help="where the outputs go (default: dist)",
    )
    command.add_argument("-q", "--quiet", action="store_true", help="print only errors")
    command.add_argument("--version", action="version", version=f"chapbook {__version__}")
    return command


def main(argv: Sequence[str] | None = None) -> int:
    command = parser()
    args = command.parse_args(argv)
    unknown = [target for target in args.targets if target not in TARGETS]
    if unknown:
        command.error(f"unknown target '{unknown[0]}' (choose from {', '.join(TARGETS)})")
    targets = [target for target in TARGETS if target in args.targets] or list(TARGETS)
    try:
        outputs = build(args.manuscript, args.out, targets)
    except BookErrors as failure:
        for error in failure.errors:
            print(error, file=sys.stderr)
        count = len(failure.errors)
        print(f"build failed: {count} error{'s' if count != 1 else ''}", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"{error.filename or ''}: {error.strerror or error}", file=sys.stderr)
        return 1
    if not args.quiet:
        for output in outputs:
            print(f"{output.path}  {output.size / 1024:.0f} KB  {output.seconds:.2f}s")
    return 0
