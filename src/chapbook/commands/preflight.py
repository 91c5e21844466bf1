"""`chapbook preflight [PDF]`: check a print PDF as a printer would."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from chapbook.commands.options import book_options
from chapbook.commands.report import failed
from chapbook.diagnostics import BookErrors
from chapbook.pipeline import preflight_file


def parser() -> argparse.ArgumentParser:
    command = argparse.ArgumentParser(
        prog="chapbook preflight",
        description="Check a print PDF as a printer would, against the book's [print] settings; "
        "exit 1 on a fault a printer would reject.",
    )
    command.add_argument(
        "pdf", nargs="?", type=Path, metavar="PDF", help="the file (default: the book's PDF)"
    )
    book_options(command)
    return command


def run(_: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    try:
        path, report = preflight_file(args.manuscript, args.out, args.pdf)
    except (BookErrors, OSError) as failure:
        return failed(failure, "preflight")
    faults = len(report.faults)
    if not args.quiet or faults:
        print(path)
        for line in report.lines():
            print(f"  {line}")
    verdict = f"{faults} fault{'s' if faults != 1 else ''}" if faults else "ready for print"
    print(f"preflight: {verdict}", file=sys.stderr if faults else sys.stdout)
    return 1 if faults else 0
