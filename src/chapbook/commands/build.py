"""`chapbook [TARGET...]`: build the book's outputs (the command run when no other is named)."""

from __future__ import annotations

import argparse
import dataclasses
import json
from collections.abc import Callable, Sequence
from contextlib import nullcontext

from chapbook import __version__
from chapbook.commands import COMMANDS
from chapbook.commands.check_epub import check_epub
from chapbook.commands.options import book_options, booklet_options, cache_folder, speed_options
from chapbook.commands.report import failed, ignore, print_warning, waiting_notice
from chapbook.diagnostics import BookErrors, Diagnostic
from chapbook.model.book import BookletSettings
from chapbook.pipeline import TARGETS, Output, build
from chapbook.support.output import WriteError
from chapbook.support.progress import SILENT, display


def parser(prog: str = "chapbook") -> argparse.ArgumentParser:
    command = argparse.ArgumentParser(
        prog=prog,
        description="Build a Markdown manuscript into an EPUB 3, a print PDF, a booklet and a "
        "cover wrap. 'chapbook preflight [PDF]' checks a print PDF as a printer would; "
        "'chapbook check-epub FILE' checks any EPUB with EPUBCheck; 'chapbook init DIR' "
        "starts a book, 'chapbook new TITLE' adds a chapter, 'chapbook stats' counts words; "
        "'chapbook watch [TARGET...]' rebuilds what each saved change affects; "
        "'chapbook check' lints the manuscript; 'chapbook diff --since REV' writes a redline.",
    )
    command.add_argument(
        "targets",
        nargs="*",
        metavar="TARGET",
        help=f"what to build: {', '.join(TARGETS)} (default: all)",
    )
    book_options(command)
    command.add_argument(
        "--check", action="store_true", help="run EPUBCheck on the EPUB; fail on any message"
    )
    command.add_argument(
        "--json",
        action="store_true",
        help="print a summary for machines instead (outputs, pages, warnings, errors)",
    )
    command.add_argument(
        "--proof",
        action="store_true",
        help="make the pdf target a proof, dist/<slug>-proof.pdf: each paragraph's file and "
        "line in the outer margin, DRAFT and the date on every page",
    )
    speed_options(command)
    booklet_options(command)
    command.add_argument("--version", action="version", version=f"chapbook {__version__}")
    return command


def run(command: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    """Build the targets asked for; print each output, or why the build failed."""
    targets = chosen_targets(command, args.targets)
    if args.json:
        return run_json(args, targets)
    try:
        outputs = build_as_asked(args, targets)
    except (BookErrors, OSError) as failure:
        return failed(failure, "build")
    if not args.quiet:
        for output in outputs:
            print(f"{output.path}  {output.size / 1024:.0f} KB  {output.seconds:.2f}s")
            for line in output.report:
                print(f"  preflight: {line}")
    epubs = [output.path for output in outputs if output.target == "epub"]
    return max((check_epub(path, args.quiet) for path in epubs if args.check), default=0)


def chosen_targets(command: argparse.ArgumentParser, asked: Sequence[str]) -> list[str]:
    """The targets asked for, in build order (all of them if none)."""
    unknown = [target for target in asked if target not in TARGETS]
    if unknown:
        choices = ", ".join((*TARGETS, *COMMANDS))
        command.error(f"unknown target '{unknown[0]}' (choose from {choices})")
    return [target for target in TARGETS if target in asked] or list(TARGETS)


def run_json(args: argparse.Namespace, targets: Sequence[str]) -> int:
    """Build, and print what came of it as one JSON object (for CI): `ok`, the `outputs`
    (target, path, bytes, seconds, pages), the `warnings` and the `errors` (path, line,
    message, code, column), and the print PDF's preflight `report`."""
    warnings: list[Diagnostic] = []
    errors: list[dict[str, object]] = []
    outputs: list[Output] = []
    try:
        outputs = build_as_asked(args, targets, warnings.append)
    except (WriteError, OSError) as failure:  # one line, as printed, with no path of its own
        code = failure.errors[0].code if isinstance(failure, WriteError) else "E100"
        path = str(getattr(failure, "filename", "") or "")
        errors = [{"path": path, "message": str(failure), "code": code, "column": None}]
    except BookErrors as failure:
        errors = [problem(error) for error in failure.errors]
    summary = {
        "ok": not errors,
        "outputs": [
            {
                "target": output.target,
                "path": str(output.path),
                "bytes": output.size,
                "seconds": round(output.seconds, 3),
                "pages": output.pages,
            }
            for output in outputs
        ],
        "warnings": [problem(warning) for warning in warnings],
        "errors": errors,
        "report": [line for output in outputs for line in output.report],
    }
    print(json.dumps(summary, ensure_ascii=False, indent=2))
    return 1 if errors else 0


def problem(error: Diagnostic) -> dict[str, object]:
    return {
        "path": str(error.path),
        "line": error.line,
        "message": error.message,
        "code": error.code,
        "column": error.column,
    }


def build_as_asked(
    args: argparse.Namespace,
    targets: Sequence[str],
    warn: Callable[[Diagnostic], None] | None = None,
) -> list[Output]:
    """Build `targets` with the options on the command line; warnings go to `warn`
    (by default, printed); on a terminal, a build past a second shows its progress."""
    overrides = {  # each BookletSettings field has a flag of its name
        field.name: getattr(args, field.name)
        for field in dataclasses.fields(BookletSettings)
        if getattr(args, field.name) is not None
    }
    shown = display(args.quiet or args.json)
    with shown or nullcontext():
        return build(
            args.manuscript,
            args.out,
            targets,
            overrides,
            warn=warn or (ignore if args.quiet else print_warning),
            waiting=None if args.quiet or args.json else waiting_notice(args.out),
            jobs=args.jobs,
            cache=cache_folder(args),
            proof=args.proof,
            progress=shown or SILENT,
        )
