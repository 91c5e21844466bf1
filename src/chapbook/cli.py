"""`python build.py` and `chapbook`: arguments in, a build, an exit status out."""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from pathlib import Path

from chapbook import __version__
from chapbook.cache import FOLDER
from chapbook.config import DUPLEX, SHEETS, parse_trim
from chapbook.epubcheck import EpubCheckUnavailable, epubcheck_messages
from chapbook.errors import BookError, BookErrors
from chapbook.manuscript import read_book
from chapbook.model import BookletSettings, PageSize
from chapbook.pipeline import TARGETS, Output, WriteError, build, preflight_file
from chapbook.progress import SILENT, display


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


def preflight_parser() -> argparse.ArgumentParser:
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


def check_epub_parser() -> argparse.ArgumentParser:
    command = argparse.ArgumentParser(
        prog="chapbook check-epub",
        description="Check any EPUB with EPUBCheck (Java); exit 1 on any message.",
    )
    command.add_argument("epub", type=Path, metavar="FILE", help="the EPUB to check")
    quiet_option(command, "print only messages")
    return command


def init_parser() -> argparse.ArgumentParser:
    command = argparse.ArgumentParser(
        prog="chapbook init",
        description="Start a new book in DIR (missing or empty): manuscript/book.toml with "
        "every key explained, a first chapter and the book's own styles; it builds at once.",
    )
    command.add_argument("folder", type=Path, metavar="DIR", help="where the book goes")
    quiet_option(command, "print only errors")
    return command


def new_parser() -> argparse.ArgumentParser:
    command = argparse.ArgumentParser(
        prog="chapbook new",
        description="Add the next numbered chapter, chapters/NN-slug.md, and list it at the "
        "end of [contents] chapters in book.toml if the book lists its chapters there.",
    )
    command.add_argument("title", metavar="TITLE", help="the chapter's title")
    manuscript_option(command)
    return command


def stats_parser() -> argparse.ArgumentParser:
    command = argparse.ArgumentParser(
        prog="chapbook stats",
        description="Words, characters, paragraphs, footnotes, images, reading time and "
        "printed pages (from the last PDF built) of each chapter and of the book.",
    )
    book_options(command)
    command.add_argument(
        "--since", metavar="REV", help="also the words added and removed since a git revision"
    )
    return command


INTERRUPTED = 130
"""The exit status of a run stopped by Ctrl-C or SIGTERM: 128 + SIGINT, as shells give."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command `argv` asks for; its exit status. Ctrl-C or SIGTERM stops it with
    one line, `interrupted`, and INTERRUPTED: the outputs of the last good build are left
    as they were, the temporary files and the lock of this one removed on the way out."""
    try:
        with interruptions():
            return run_command(argv)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return INTERRUPTED


@contextmanager
def interruptions() -> Iterator[None]:
    """While in it, SIGTERM interrupts as Ctrl-C does (a KeyboardInterrupt), and only the
    first of either does: the next ones, while the run unwinds and cleans up, are ignored.
    A signal that was ignored when Chapbook started (`nohup`, a background job) stays so."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    kept = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM)}
    caught = [number for number, handler in kept.items() if handler != signal.SIG_IGN]

    def interrupt(number: int, frame: object) -> None:
        for each in caught:
            signal.signal(each, signal.SIG_IGN)
        raise KeyboardInterrupt

    try:
        for number in caught:
            signal.signal(number, interrupt)
        yield
    finally:
        for number, handler in kept.items():
            signal.signal(number, signal.SIG_DFL if handler is None else handler)


def run_command(argv: Sequence[str] | None) -> int:
    """The command line's work: a command of COMMANDS, else a build."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments and arguments[0] in COMMANDS:
        make_parser, run = COMMANDS[arguments[0]]
        command = make_parser()
        return run(command, command.parse_args(arguments[1:]))
    command = parser()
    args = command.parse_args(arguments)
    targets = chosen_targets(command, args.targets)
    if args.json:
        return run_json(args, targets)
    try:
        outputs = build_as_asked(args, targets)
    except (BookErrors, WriteError, OSError) as failure:
        return failed(failure, "build")
    if not args.quiet:
        for output in outputs:
            print(f"{output.path}  {output.size / 1024:.0f} KB  {output.seconds:.2f}s")
            for line in output.report:
                print(f"  preflight: {line}")
    epubs = [output.path for output in outputs if output.target == "epub"]
    return max((run_check_epub(path, args.quiet) for path in epubs if args.check), default=0)


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
    message), and the print PDF's preflight `report`."""
    warnings: list[BookError] = []
    errors: list[dict[str, object]] = []
    outputs: list[Output] = []
    try:
        outputs = build_as_asked(args, targets, warnings.append)
    except BookErrors as failure:
        errors = [problem(error) for error in failure.errors]
    except (WriteError, OSError) as failure:
        errors = [{"path": str(getattr(failure, "filename", "") or ""), "message": str(failure)}]
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


def problem(error: BookError) -> dict[str, object]:
    return {"path": str(error.path), "line": error.line, "message": error.message}


def build_as_asked(
    args: argparse.Namespace,
    targets: Sequence[str],
    warn: Callable[[BookError], None] | None = None,
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


def cache_folder(args: argparse.Namespace) -> Path | None:
    """--cache, else $CHAPBOOK_CACHE, else .chapbook-cache beside the manuscript folder."""
    if args.no_cache:
        return None
    default = os.environ.get("CHAPBOOK_CACHE") or args.manuscript.parent / FOLDER
    return args.cache or Path(default)


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


def watch_parser() -> argparse.ArgumentParser:
    command = parser("chapbook watch")
    serve_options(command)
    return command


def run_watch(command: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    """Build, then rebuild what each saved change affects, until Ctrl-C; with --serve,
    serve the book as web pages meanwhile."""
    from chapbook.preview import Preview, address, serve
    from chapbook.watch import clock, watch, watched_folders

    preview = Preview()
    targets = chosen_targets(command, args.targets)
    if args.serve and "epub" not in targets:
        targets = ["epub", *targets]

    def rebuild(due: Sequence[str]) -> None:
        start = time.perf_counter()
        try:
            outputs = build_as_asked(args, due)
        except (BookErrors, WriteError, OSError) as failure:
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


def error_lines(failure: BookErrors | WriteError | OSError) -> list[str]:
    """A failed build's errors, one line each, as printed (the first SHOWN_ERRORS)."""
    if isinstance(failure, BookErrors):
        return capped([str(error) for error in failure.errors])
    return [str(failure)]


def print_warning(warning: BookError) -> None:
    print(warning, file=sys.stderr)


def ignore(_: BookError) -> None:
    """What -q does with a warning."""


def waiting_notice(out: Path) -> Callable[[], None]:
    """What to say when a build into `out` has to wait for another one."""

    def notice() -> None:
        print(f"{out}: waiting for another build to finish…", file=sys.stderr, flush=True)

    return notice


def run_check_epub(path: Path, quiet: bool) -> int:
    """EPUBCheck's verdict on `path`, printed; 1 if it has anything to say."""
    if not path.is_file():
        print(f"{path}: no such file", file=sys.stderr)
        return 1
    try:
        messages = epubcheck_messages(path)
    except (EpubCheckUnavailable, OSError, subprocess.TimeoutExpired) as failure:
        print(f"{path}: {failure}", file=sys.stderr)
        return 1
    for message in messages:
        print(message, file=sys.stderr)
    if messages:
        count = len(messages)
        print(f"EPUBCheck: {count} message{'s' if count != 1 else ''}", file=sys.stderr)
    elif not quiet:
        print(f"EPUBCheck: {path} passes with no messages")
    return 1 if messages else 0


def run_preflight(_: argparse.ArgumentParser, args: argparse.Namespace) -> int:
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


def run_init(_: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    from chapbook import scaffold  # each command imports only what it needs

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


def run_new(_: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    from chapbook import scaffold

    try:
        path, listed = scaffold.new_chapter(args.manuscript, args.title)
    except (BookErrors, OSError) as failure:
        return refused(failure)
    print(path)
    if listed:
        print(f"{args.manuscript / 'book.toml'}: added to [contents] chapters")
    return 0


def run_stats(_: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    from chapbook import stats  # pypdf: not for a build's start

    try:
        book = read_book(args.manuscript)
    except (BookErrors, OSError) as failure:
        return failed(failure, "stats")
    warn = ignore if args.quiet else print_warning
    try:
        lines = stats.report(book, args.manuscript, args.out, args.since, warn)
    except (BookErrors, OSError) as failure:
        return refused(failure)
    print("\n".join(lines))
    return 0


def check_parser() -> argparse.ArgumentParser:
    command = argparse.ArgumentParser(
        prog="chapbook check",
        description="Lint the manuscript: each finding as 'path:line:col: CODE message'; "
        "exit 1 on an error (E...), 0 on warnings (W...) only. [check] ignore = [...] in "
        "book.toml silences codes for the book.",
    )
    manuscript_option(command)
    command.add_argument("--strict", action="store_true", help="exit 1 on warnings too")
    command.add_argument("--json", action="store_true", help="print the findings as JSON")
    command.add_argument(
        "--codes", action="store_true", help="list every code, its severity and what it finds"
    )
    quiet_option(command, "print only the findings, no summary")
    speed_options(command)
    return command


def run_check(_: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    from chapbook.lint import book, report  # the lint: for this command only

    if args.codes:
        print("\n".join(report.code_lines()))
        return 0
    try:
        findings = book.check_book(args.manuscript, cache_folder(args), args.jobs)
    except OSError as failure:
        return refused(failure)
    if args.json:
        print(report.as_json(findings))
        return report.exit_status(findings, args.strict)
    for finding in findings:
        print(finding)
    if not args.quiet:
        print(report.summary(findings), file=sys.stderr)
    return report.exit_status(findings, args.strict)


def diff_parser() -> argparse.ArgumentParser:
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


def run_diff(_: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    from chapbook.redline import write_redline  # WeasyPrint: only when a redline is asked for

    try:
        redline = write_redline(args.manuscript, args.out, args.since, args.against)
    except (BookErrors, WriteError, OSError) as failure:
        return failed(failure, "diff")
    if not args.quiet:
        print(redline.summary)
        print(f"{redline.html}\n{redline.pdf}")
    return 0


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


def failed(failure: BookErrors | WriteError | OSError, what: str) -> int:
    """Print the errors of a failed run (as `refused`), then how many; its exit status."""
    if isinstance(failure, WriteError):
        print(failure, file=sys.stderr)
        return 1
    refused(failure)
    if isinstance(failure, BookErrors):
        count = len(failure.errors)
        print(f"{what} failed: {count} error{'s' if count != 1 else ''}", file=sys.stderr)
    return 1


def run_check_epub_file(_: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    return run_check_epub(args.epub, args.quiet)


Run = Callable[[argparse.ArgumentParser, argparse.Namespace], int]
COMMANDS: dict[str, tuple[Callable[[], argparse.ArgumentParser], Run]] = {
    "watch": (watch_parser, run_watch),
    "check": (check_parser, run_check),
    "diff": (diff_parser, run_diff),
    "preflight": (preflight_parser, run_preflight),
    "check-epub": (check_epub_parser, run_check_epub_file),
    "init": (init_parser, run_init),
    "new": (new_parser, run_new),
    "stats": (stats_parser, run_stats),
}
"""The commands besides a build: each one's parser and what runs it (given the parser,
for its errors, and the arguments)."""
