"""A build: read the whole book, run the chosen writers and checks, then write all their
outputs at once (support/output.py)."""

from __future__ import annotations

import dataclasses
import io
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chapbook.diagnostics import BookErrors, Diagnostic
from chapbook.model.book import Book
from chapbook.read.manuscript import read_book, source_date_epoch
from chapbook.support.cache import Cache
from chapbook.support.output import check_output, output_folder, replace_all
from chapbook.support.progress import SILENT, Progress
from chapbook.verify.tablefit import unfit_tables

if TYPE_CHECKING:
    from chapbook.verify.preflight import Drawn, Report
    from chapbook.write.pagemap import PageMap

TARGETS = ("epub", "pdf", "booklet", "cover")
NEEDS_PDF = ("pdf", "booklet", "cover")
"""Targets made from the print PDF: the booklet imposes its pages, the cover counts them."""
ORDER = ("pdf", "proof", "epub", "booklet", "cover")
"""The order writers run in: the PDF first, so that an EPUB built with it carries its pages."""


@dataclass(frozen=True)
class Output:
    target: str
    path: Path
    size: int
    seconds: float
    report: tuple[str, ...] = ()
    """Preflight's short report, for the print PDF."""
    pages: int | None = None
    """The print PDF's page count."""


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
    warn: Callable[[Diagnostic], None] | None = None,
    waiting: Callable[[], None] | None = None,
    jobs: int = 1,
    cache: Path | None = None,
    proof: bool = False,
    progress: Progress = SILENT,
) -> list[Output]:
    """Build the targets of the book in `manuscript` into `out`; `booklet` overrides
    fields of the book's BookletSettings (command-line flags); `warn` hears of each warning;
    `waiting` hears once when this build has waited a second for another one into `out`;
    `jobs` processes lay out (and convert) chapters side by side; `cache` is the folder where
    chapters already converted and laid out are kept (None: no cache). With `proof`, the
    `pdf` target is the book's proof (`<slug>-proof.pdf`, dated `proof_date()`) instead of
    its print PDF, which is left as it is; the other targets are built as without it.
    `progress` hears of each stage and each chapter as the build goes.

    Raises BookErrors (and writes nothing) if the book has errors, WriteError if `out` or an
    output cannot be written (the previous outputs are then left as they were). The book is
    read first; then, holding `out` for itself, the build makes every output in memory and
    writes them all (see `replace_all`).
    """
    check_output(out, manuscript)
    store = Cache(cache)
    book = read_book(manuscript, cache=store, jobs=jobs, progress=progress)
    printing = any(target in NEEDS_PDF for target in targets)
    printed = unfit_tables(book) if printing else []
    printed += printable_characters(book, manuscript, store, printing)
    for warning in [*book.warnings, *printed]:
        if warn is not None:
            warn(warning)
    if booklet:
        book = dataclasses.replace(book, booklet=dataclasses.replace(book.booklet, **booklet))
    with output_folder(out, waiting, manuscript):
        proved = proof_date() if proof else None
        made = Made(jobs=jobs, cache=store, proof=proved, progress=progress)
        files, outputs = make_outputs(book, out, targets, made)
        replace_all(files)
    store.prune()
    return outputs


def printable_characters(
    book: Book, manuscript: Path, cache: Cache, printing: bool
) -> list[Diagnostic]:
    """The warnings for characters no print font has, when only the EPUB is built; raises
    BookErrors naming them when a print target is (`printing`; printable.py)."""
    from chapbook.verify.printable import unprintable

    found = unprintable(book, manuscript, cache, printing)
    errors = [problem for problem in found if not problem.warning]
    if errors:
        raise BookErrors(errors)
    return found


def make_outputs(
    book: Book, out: Path, targets: Sequence[str], made: Made | None = None
) -> tuple[dict[Path, bytes], list[Output]]:
    """Run the writers the targets need, in ORDER, into `made`; each output's path and
    bytes, and its description."""
    made = made or Made()
    seconds: dict[str, float] = {}
    for writer in writers(targets, made.proof is not None):
        made.progress.stage(writer)
        start = time.perf_counter()
        made.files[writer] = WRITERS[writer](book, made)
        seconds[writer] = time.perf_counter() - start
    pdf = made.files.get("pdf", {}).get("pdf", b"")
    printed = "pdf" in targets and made.proof is None
    if printed:
        made.progress.stage("preflight")
    checked = check_print(book, pdf, made.drawn) if printed else None
    if checked and checked.faults:
        raise BookErrors(refused_print(output_path(book, out, "pdf"), checked))
    report = tuple(checked.lines()) if checked else ()
    files: dict[Path, bytes] = {}
    outputs = []
    for target in (target for target in TARGETS if target in targets):
        writer = "proof" if target == "pdf" and made.proof is not None else target
        for name, data in made.files[writer].items():
            path = output_path(book, out, name)
            files[path] = data
            shown = report if name == "pdf" else ()
            pages = checked.pages if checked and name == "pdf" else None
            pages = page_count(data) if name == "proof" else pages
            outputs.append(Output(target, path, len(data), seconds[writer], shown, pages))
    return files, outputs


def refused_print(pdf: Path, checked: Report) -> list[Diagnostic]:
    """A print PDF that preflight faults is not written: one error for each fault (a printer
    would reject the file, and the build promises a file it accepts)."""
    return [
        Diagnostic(pdf, f"the print PDF was not written: preflight: {fault.message}", code="E131")
        for fault in checked.faults
    ]


def writers(targets: Sequence[str], proof: bool) -> list[str]:
    """The writers that make `targets`, in ORDER: each target's own, and the print PDF's
    for what is made from it (the booklet, the cover and, built with the print PDF, the
    EPUB's page list). With `proof`, the `pdf` target is made by the proof's writer, and
    the print PDF only for the others: those come out as they would without a proof."""
    asked = set(targets)
    printed = "pdf" in asked and (not proof or "epub" in asked)
    run = asked | {"pdf"} if printed or asked & {"booklet", "cover"} else asked - {"pdf"}
    if proof and "pdf" in asked:
        run.add("proof")
    return [writer for writer in ORDER if writer in run]


def proof_date() -> str:
    """The date a proof bears: SOURCE_DATE_EPOCH's (UTC) if it is set, else today's (a
    proof is dated the day it is made)."""
    fixed = source_date_epoch()
    return (date.today() if fixed is None else fixed.date()).isoformat()


def page_count(pdf: bytes) -> int:
    import pikepdf  # only for print targets

    with pikepdf.open(io.BytesIO(pdf)) as document:
        return len(document.pages)


def check_print(book: Book, pdf: bytes, drawn: Drawn | None = None) -> Report:
    """Preflight the print PDF against the book's `[print]` settings (with what its pages
    draw, when already known)."""
    from chapbook.verify.preflight import preflight  # only for print targets
    from chapbook.write.print.urls import image_names

    return preflight(pdf, book.print, image_names=image_names(book), drawn=drawn)


def preflight_file(manuscript: Path, out: Path, pdf: Path | None) -> tuple[Path, Report]:
    """Preflight a PDF already built: `pdf`, or by default the book's own in `out`.

    Raises BookErrors if the book or the file can't be read."""
    book = read_book(manuscript)
    path = pdf or output_path(book, out, "pdf")
    try:
        return path, check_print(book, path.read_bytes())
    except FileNotFoundError:
        hint = "" if pdf else "; build it first with: python build.py pdf"
        raise BookErrors([Diagnostic(str(path), f"no such file{hint}", code="E132")]) from None
    except ValueError as error:
        raise BookErrors([Diagnostic(str(path), str(error), code="E132")]) from None


@dataclass
class Made:
    """What the writers made so far in one build."""

    files: dict[str, dict[str, bytes]] = field(default_factory=dict)
    """target -> output name -> bytes."""
    pages: PageMap | None = None
    """Where the print PDF's pages begin, when the PDF was made."""
    jobs: int = 1
    """Processes that may lay out (and convert) chapters side by side."""
    drawn: Drawn | None = None
    """What the print PDF's pages draw, when the parts it was laid out in told."""
    cache: Cache = field(default_factory=lambda: Cache(None))
    proof: str | None = None
    """The date of the proof that the `pdf` target asks for instead of the print PDF."""
    progress: Progress = SILENT


def make_epub(book: Book, made: Made) -> dict[str, bytes]:
    from chapbook.write.epub.ebook import write_epub

    return {"epub": write_epub(book, made.pages, made.cache)}


def make_pdf(book: Book, made: Made) -> dict[str, bytes]:
    from chapbook.write.print.pdf import print_book  # WeasyPrint loads only when a PDF is asked for

    pdf, made.pages, made.drawn = print_book(book, made.jobs, made.cache, None, made.progress)
    return {"pdf": pdf}


def make_proof(book: Book, made: Made) -> dict[str, bytes]:
    from chapbook.write.print.pdf import print_book

    return {"proof": print_book(book, made.jobs, made.cache, made.proof, made.progress).pdf}


def make_booklet(book: Book, made: Made) -> dict[str, bytes]:
    from chapbook.write.booklet import impose_booklet

    return impose_booklet(made.files["pdf"]["pdf"], book.booklet, book.print.paper_mm)


def make_cover(book: Book, made: Made) -> dict[str, bytes]:
    from chapbook.write.print.wrap import write_cover

    return {"cover": write_cover(book, page_count(made.files["pdf"]["pdf"]))}


WRITERS: dict[str, Callable[[Book, Made], dict[str, bytes]]] = {
    "epub": make_epub,
    "pdf": make_pdf,
    "proof": make_proof,
    "booklet": make_booklet,
    "cover": make_cover,
}
