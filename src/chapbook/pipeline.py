"""Read the whole book, then run the chosen writers, each writing its output atomically."""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from chapbook.manuscript import read_book
from chapbook.model import Book

TARGETS = ("epub", "pdf", "booklet")


@dataclass(frozen=True)
class Output:
    target: str
    path: Path
    size: int
    seconds: float


def output_paths(book: Book, out: Path) -> dict[str, Path]:
    return {
        "epub": out / f"{book.slug}.epub",
        "pdf": out / f"{book.slug}.pdf",
        "booklet": out / f"{book.slug}-booklet.pdf",
    }


def build(manuscript: Path, out: Path, targets: Sequence[str] = TARGETS) -> list[Output]:
    """Build the targets of the book in `manuscript` into `out`.

    Raises BookErrors (and writes nothing) if the book has errors. Outputs are made in
    memory first and each replaces its file only when complete.
    """
    book = read_book(manuscript)
    made: dict[str, bytes] = {}
    seconds: dict[str, float] = {}
    for target in TARGETS:
        if target in targets or (target == "pdf" and "booklet" in targets):
            start = time.perf_counter()
            made[target] = WRITERS[target](book, made)
            seconds[target] = time.perf_counter() - start
    paths = output_paths(book, out)
    out.mkdir(parents=True, exist_ok=True)
    outputs = []
    for target in TARGETS:
        if target in targets:
            write_atomically(paths[target], made[target])
            outputs.append(Output(target, paths[target], len(made[target]), seconds[target]))
    return outputs


def make_epub(book: Book, made: dict[str, bytes]) -> bytes:
    from chapbook.writers.epub import write_epub

    return write_epub(book)


def make_pdf(book: Book, made: dict[str, bytes]) -> bytes:
    from chapbook.writers.pdf import write_pdf  # WeasyPrint loads only when a PDF is asked for

    return write_pdf(book)


def make_booklet(book: Book, made: dict[str, bytes]) -> bytes:
    from chapbook.writers.booklet import impose

    return impose(made["pdf"])


WRITERS: dict[str, Callable[[Book, dict[str, bytes]], bytes]] = {
    "epub": make_epub,
    "pdf": make_pdf,
    "booklet": make_booklet,
}


def write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary file beside `path`, then rename it into place."""
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
