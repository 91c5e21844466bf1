"""What a build tells the author while it runs: a progress display per stage and chapter.
Design: docs/architecture.md, 'Progress, templates, fonts'."""

from __future__ import annotations

import sys
import threading
from typing import TYPE_CHECKING, Protocol, TextIO

if TYPE_CHECKING:
    from rich.progress import Progress as Bars
    from rich.progress import TaskID

DELAY = 1.0
"""Seconds a build runs before its progress is shown."""


class Progress(Protocol):
    def stage(self, name: str, total: int | None = None) -> None:
        """A stage begins: `total` steps (None: not counted)."""

    def step(self, name: str, done: int | None = None) -> None:
        """One more step of the stage `name` is done (or `done` steps in all)."""


class Silent:
    """Hears the progress and shows nothing."""

    def stage(self, name: str, total: int | None = None) -> None:
        pass

    def step(self, name: str, done: int | None = None) -> None:
        pass


SILENT = Silent()


class Display:
    """rich's progress bars on stderr, one per stage, from a second into the build."""

    def __init__(self, delay: float = DELAY, file: TextIO | None = None) -> None:
        """Bars on stderr, or on `file` as on a terminal."""
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
        )

        self.bars: Bars = Progress(
            SpinnerColumn(),
            TextColumn("{task.description:<10}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True)
            if file is None
            else Console(file=file, force_terminal=True),
            transient=True,
        )
        self.tasks: dict[str, TaskID] = {}
        self.lock = threading.Lock()
        self.timer = threading.Timer(delay, self.bars.start)
        self.timer.daemon = True

    def __enter__(self) -> Display:
        self.timer.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.timer.cancel()
        with self.lock:
            self.bars.stop()

    def stage(self, name: str, total: int | None = None) -> None:
        with self.lock:
            if name in self.tasks:
                self.bars.update(self.tasks[name], total=total)
                return
            for task in self.tasks.values():  # an uncounted stage is over once the next begins
                if self.bars.tasks[task].total is None:
                    self.bars.update(task, total=1, completed=1)
            self.tasks[name] = self.bars.add_task(name, total=total)

    def step(self, name: str, done: int | None = None) -> None:
        with self.lock:
            if name not in self.tasks:
                return
            if done is None:
                self.bars.advance(self.tasks[name])
            else:
                self.bars.update(self.tasks[name], completed=done)


def display(quiet: bool) -> Display | None:
    """The display for a build on the command line: None if quiet or stderr is no terminal."""
    if quiet or not sys.stderr.isatty():
        return None
    return Display()
