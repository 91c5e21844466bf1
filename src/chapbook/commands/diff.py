"""`chapbook diff`: a redline of the book's revisions, in HTML and PDF."""

from __future__ import annotations

import argparse
from pathlib import Path

from chapbook.commands.options import book_options
from chapbook.commands.report import failed
from chapbook.diagnostics import BookErrors
from chapbook.redline import write_redline


def parser() -> argparse.ArgumentParser:
    command = argparse.ArgumentParser(
        prog="chapbook diff",
        description="A redline of the book's revisions for an editor: <slug>-changes.html and "
        "<slug>-changes.pdf, a summary table, then the words inserted and deleted in each "
        "chapter that changed, and the chapters added, deleted, renamed or moved.",
    )
    book_options(command)
    old = command.add_mutually_exclusive_group(required=True)
    old.add_argument("--since", metavar="REV", help="compare with the book in a git revision")
    old.add_argument(
        "--against", type=Path, metavar="DIR", help="compare with an older manuscript folder"
    )
    return command


def run(_: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    try:
        redline = write_redline(args.manuscript, args.out, args.since, args.against)
    except (BookErrors, OSError) as failure:
        return failed(failure, "diff")
    if not args.quiet:
        print(redline.summary)
        print(f"{redline.html}\n{redline.pdf}")
    return 0
