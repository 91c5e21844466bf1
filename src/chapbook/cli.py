"""`python build.py` and `chapbook`: the command line to the command it names
(commands/), run; its exit status."""

from __future__ import annotations

import importlib
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from chapbook.commands import COMMANDS

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
    name = COMMANDS.get(arguments[0], "build") if arguments else "build"
    if name != "build":
        arguments = arguments[1:]
    command = importlib.import_module(f"chapbook.commands.{name}")
    parser = command.parser()
    status: int = command.run(parser, parser.parse_args(arguments))
    return status
