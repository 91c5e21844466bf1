"""`chapbook init DIR`: start a new book that builds at once."""

from __future__ import annotations

import argparse
from pathlib import Path

from chapbook.commands import scaffold
from chapbook.commands.options import quiet_option
from chapbook.commands.report import refused
from chapbook.diagnostics import BookErrors


def parser() -> argparse.ArgumentParser:
    command = argparse.ArgumentParser(
        prog="chapbook init",
        description="Start a new book in DIR (missing or empty): manuscript/book.toml with "
        "every key explained, a first chapter and the book's own styles; it builds at once.",
    )
    command.add_argument("folder", type=Path, metavar="DIR", help="where the book goes")
    quiet_option(command, "print only errors")
    return command


def run(_: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    folder = args.folder
    try:
        created = scaffold.init_book(folder)
    except (BookErrors, OSError) as failure:
        return refused(failure)
    if not args.quiet:
        for path in created:
            print(f"created {path}")
        print(f"build it: chapbook -m {folder / 'manuscript'} -o {folder / 'dist'}")
    return 0
