"""Read the whole book, then run the chosen writers, each writing its output atomically."""

from __future__ import annotations

import dataclasses
import io
import os
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chapbook.errors import BookError, BookErrors
from chapbook.manuscript import read_book
from chapbook.model import Book

if TYPE_CHECKING:
    from chapbook.preflight import Report
    from chapbook.writers.pagemap import PageMap

TARGETS = ("epub", "pdf", "booklet", "cover")
NEEDS_PDF = ("pdf", "booklet", "cover")
"""Targets made from the print PDF: the booklet imposes its pages, the cover counts them."""
ORDER = ("pdf", "epub", "booklet", "cover")
"""The order writers run in: the PDF first, so that an EPUB built with it carries its pages."""


@dataclass(frozen=True)
class Output:
    target: str
    path: Path
    size: int
    seconds: float
    report: tuple[str, ...] = ()
    """Preflight's short report, for the print PDF."""


def output_path(book: Book, out: Path, name: str) -> Path:
    """Where an output goes: `<slug>.epub`, `<slug>.pdf`, else `<slug>-<name>.pdf`."""
    if name in ("epub", "pdf"):
        return out / f"{book.slug}.{name}"
    return out / f"{book.slug}-{name}.pdf"


def build(
    manuscript: Path,
    out: Path,
    targets: Sequence[str] = TARGETS,
    booklet: Mapping[str, Any] | None = None,
    warn: Callable[[BookError], None] | None = None,
) -> list[Output]:
    """Build the targets of the book in `manuscript` into `out`; `booklet` overrides
    fields of the book's BookletSettings (command-line flags); `warn` hears of each warning.

    Raises BookErrors (and writes nothing) if the book has errors. Outputs are made in
    memory first and each replaces its file only when complete.
    """
    book = read_book(manuscript)
    for warning in book.warnings:
        if warn is not None:
            warn(warning)
    if booklet:
        book = dataclasses.replace(book, booklet=dataclasses.replace(book.booklet, **booklet))
    made = Made()
    seconds: dict[str, float] = {}
    for target in ORDER:
        if target in targets or (target == "pdf" and set(targets) & set(NEEDS_PDF)):
            start = time.perf_counter()
            made.files[target] = WRITERS[target](book, made)
            seconds[target] = time.perf_counter() - start
    pdf = made.files.get("pdf", {}).get("pdf", b"")
    report = tuple(check_print(book, pdf).lines()) if "pdf" in targets else ()
    out.mkdir(parents=True, exist_ok=True)
    outputs = []
    for target in (target for target in TARGETS if target in targets):
        for name, data in made.files[target].items():
            path = output_path(book, out, name)
            write_atomically(path, data)
            shown = report if name == "pdf" else ()
            outputs.append(Output(target, path, len(data), seconds[target], shown))
    return outputs


def check_print(book: Book, pdf: bytes) -> Report:
    """Preflight the print PDF against the book's `[print]` settings."""
    from chapbook.preflight import preflight  # pypdf, only for print targets
    from chapbook.writers.urls import image_names

    return preflight(pdf, book.print, image_names=image_names(book))


def preflight_file(manuscript: Path, out: Path, pdf: Path | None) -> tuple[Path, Report]:
    """Preflight a PDF already built: `pdf`, or by default the book's own in `out`.

    Raises BookErrors if the book or the file can't be read."""
    book = read_book(manuscript)
    path = pdf or output_path(book, out, "pdf")
    try:
        return path, check_print(book, path.read_bytes())
    except FileNotFoundError:
        hint = "" if pdf else "; build it first with: python build.py pdf"
        raise BookErrors([BookError(str(path), f"no such file{hint}")]) from None
    except ValueError as error:
        raise BookErrors([BookError(str(path), str(error))]) from None


@dataclass
class Made:
    """What the writers made so far in one build."""

    files: dict[str, dict[str, bytes]] = field(default_factory=dict)
    """target -> output name -> bytes."""
    pages: PageMap | None = None
    """Where the print PDF's pages begin, when the PDF was made."""


def make_epub(book: Book, made: Made) -> dict[str, bytes]:
    from chapbook.writers.epub import write_epub

    return {"epub": write_epub(book, made.pages)}


def make_pdf(book: Book, made: Made) -> dict[str, bytes]:
    from chapbook.writers.pdf import print_book  # WeasyPrint loads only when a PDF is asked for

    pdf, made.pages = print_book(book)
    return {"pdf": pdf}


def make_booklet(book: Book, made: Made) -> dict[str, bytes]:
    from chapbook.writers.booklet import impose_booklet

    return impose_booklet(made.files["pdf"]["pdf"], book.booklet, book.print.paper_mm)


def make_cover(book: Book, made: Made) -> dict[str, bytes]:
    from pypdf import PdfReader

    from chapbook.writers.wrap import write_cover

    pages = len(PdfReader(io.BytesIO(made.files["pdf"]["pdf"])).pages)
    return {"cover": write_cover(book, pages)}


WRITERS: dict[str, Callable[[Book, Made], dict[str, bytes]]] = {
    "epub": make_epub,
    "pdf": make_pdf,
    "booklet": make_booklet,
    "cover": make_cover,
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
