"""`chapbook new TITLE`: add the next numbered chapter."""

from __future__ import annotations

import argparse

from chapbook.commands import scaffold
from chapbook.commands.options import manuscript_option
from chapbook.commands.report import refused
from chapbook.diagnostics import BookErrors


def parser() -> argparse.ArgumentParser:
    command = argparse.ArgumentParser(
        prog="chapbook new",
        description="Add the next numbered chapter, chapters/NN-slug.md, and list it at the "
        "end of [contents] chapters in book.toml if the book lists its chapters there.",
    )
    command.add_argument("title", metavar="TITLE", help="the chapter's title")
    manuscript_option(command)
    return command


def run(_: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    try:
        path, listed = scaffold.new_chapter(args.manuscript, args.title)
    except (BookErrors, OSError) as failure:
        return refused(failure)
    print(path)
    if listed:
        print(f"{args.manuscript / 'book.toml'}: added to [contents] chapters")
    return 0
