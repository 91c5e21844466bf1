"""The options several commands share: the book's folder, the outputs, speed, the booklet."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from chapbook.config.values import DUPLEX, parse_trim
from chapbook.model.book import SHEETS, PageSize
from chapbook.support.cache import FOLDER


def book_options(command: argparse.ArgumentParser) -> None:
    manuscript_option(command)
    command.add_argument(
        "-o",
        "--out",
        type=Path,
        default=Path("dist"),
        metavar="DIR",
        help="where the outputs go (default: dist)",
    )
    quiet_option(command, "print only errors")


def manuscript_option(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "-m",
        "--manuscript",
        type=Path,
        default=Path("manuscript"),
        metavar="DIR",
        help="the book's folder, holding book.toml (default: manuscript)",
    )


def quiet_option(command: argparse.ArgumentParser, what: str) -> None:
    command.add_argument("-q", "--quiet", action="store_true", help=what)


def speed_options(command: argparse.ArgumentParser) -> None:
    group = command.add_argument_group("speed")
    group.add_argument(
        "-j",
        "--jobs",
        type=jobs,
        default=os.cpu_count() or 1,
        metavar="N",
        help="processes that lay out chapters side by side (default: all cores; 1 lays the "
        "book out as one document)",
    )
    group.add_argument(
        "--cache",
        type=Path,
        metavar="DIR",
        help=f"where converted and laid out chapters are kept (default: $CHAPBOOK_CACHE, else "
        f"{FOLDER} beside the manuscript folder; safe to delete)",
    )
    group.add_argument("--no-cache", action="store_true", help="convert and lay out everything")


def jobs(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"'{value}' is not a number of processes")
    return int(value)


def booklet_options(command: argparse.ArgumentParser) -> None:
    """Flags that override book.toml's [booklet]."""
    group = command.add_argument_group("booklet (override [booklet] in book.toml)")
    group.add_argument("--sheet", type=sheet, help="paper: A4, A3, letter, tabloid, ... or 'W x H'")
    group.add_argument("--signature", type=signature, metavar="N", help="pages per gathering")
    group.add_argument("--duplex", choices=DUPLEX, help="how the printer turns the sheet")
    group.add_argument(
        "--creep", dest="creep_mm", type=float, metavar="MM", help="total creep compensation"
    )
    group.add_argument("--marks", action="store_true", default=None, help="fold and crop marks")
    group.add_argument("--fit", action="store_true", default=None, help="scale pages to the sheet")


def sheet(value: str) -> PageSize:
    size = parse_trim(value, SHEETS)
    if size is None:
        names = ", ".join(size.name for size in SHEETS.values())
        raise argparse.ArgumentTypeError(f"'{value}' is not a sheet ({names} or 'W x H unit')")
    return size


def signature(value: str) -> int:
    if not value.isdigit() or int(value) < 4 or int(value) % 4:
        raise argparse.ArgumentTypeError(f"'{value}' is not a multiple of 4 pages")
    return int(value)


def cache_folder(args: argparse.Namespace) -> Path | None:
    """--cache, else $CHAPBOOK_CACHE, else .chapbook-cache beside the manuscript folder."""
    if args.no_cache:
        return None
    default = os.environ.get("CHAPBOOK_CACHE") or args.manuscript.parent / FOLDER
    return args.cache or Path(default)
