"""`chapbook watch`: build, then rebuild what each saved change affects; `--serve` previews."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence

from chapbook.commands import build
from chapbook.commands.options import cache_folder
from chapbook.commands.report import error_lines, failed
from chapbook.diagnostics import BookErrors
from chapbook.preview.server import Preview, address, serve
from chapbook.preview.watch import clock, watch, watched_folders


def parser() -> argparse.ArgumentParser:
    command = build.parser("chapbook watch")
    serve_options(command)
    return command


def serve_options(command: argparse.ArgumentParser) -> None:
    group = command.add_argument_group("preview")
    group.add_argument(
        "--serve",
        action="store_true",
        help="also serve the book (its EPUB) on 127.0.0.1 as web pages that reload after "
        "each rebuild and show a failed build's errors",
    )
    group.add_argument(
        "--port",
        type=port,
        default=8000,
        metavar="N",
        help="the preview's port (default: 8000; 0: any free port)",
    )


def port(value: str) -> int:
    if not value.isdigit() or int(value) > 65535:
        raise argparse.ArgumentTypeError(f"'{value}' is not a port number")
    return int(value)


def run(command: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    """Build, then rebuild what each saved change affects, until Ctrl-C; with --serve,
    serve the book as web pages meanwhile."""

    preview = Preview()
    targets = build.chosen_targets(command, args.targets)
    if args.serve and "epub" not in targets:
        targets = ["epub", *targets]

    def rebuild(due: Sequence[str]) -> None:
        start = time.perf_counter()
        try:
            outputs = build.build_as_asked(args, due)
        except (BookErrors, OSError) as failure:
            failed(failure, "build")
            print(f"{clock()} the outputs of the last good build are kept", file=sys.stderr)
            preview.rebuilt(None, error_lines(failure))
            return
        pages = next((f", {o.pages} pages" for o in outputs if o.pages), "")
        seconds = time.perf_counter() - start
        print(f"{clock()} built {', '.join(due)} in {seconds:.2f}s{pages}", flush=True)
        preview.rebuilt(next((o.path for o in outputs if o.target == "epub"), None), [])

    def ready() -> None:
        folders = " and ".join(f"{folder}/" for folder in watched_folders(args.manuscript))
        print(f"watching {folders} (Ctrl-C to stop)", flush=True)

    skip = [args.out, *(folder for folder in [cache_folder(args)] if folder)]
    try:  # Ctrl-C (or SIGTERM) is how a watch ends, even during a build
        rebuild(targets)
        if args.serve:
            try:
                server = serve(preview, args.port)
            except OSError as failure:
                print(f"preview: port {args.port}: {failure.strerror}; try --port", file=sys.stderr)
                return 1
            print(f"serving the book at {address(server)}", flush=True)
        watch(args.manuscript, targets, rebuild, skip, ready)
    except KeyboardInterrupt:
        print()
    return 0
