"""Read the whole book, then run the chosen writers, then write all their outputs atomically.

One build at a time writes into an output folder (a lock there); every output goes first to a
temporary file beside it, and only when all are on disk are they renamed into place.
"""

from __future__ import annotations

import dataclasses
import errno
import fcntl
import io
import os
import re
import secrets
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chapbook.cache import Cache
from chapbook.errors import BookError, BookErrors
from chapbook.manuscript import read_book, source_date_epoch
from chapbook.model import Book
from chapbook.progress import SILENT, Progress
from chapbook.tablefit import unfit_tables

if TYPE_CHECKING:
    from chapbook.preflight import Drawn, Report
    from chapbook.writers.pagemap import PageMap

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
    warn: Callable[[BookError], None] | None = None,
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
) -> list[BookError]:
    """The warnings for characters no print font has, when only the EPUB is built; raises
    BookErrors naming them when a print target is (`printing`; printable.py)."""
    from chapbook.printable import unprintable

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


def refused_print(pdf: Path, checked: Report) -> list[BookError]:
    """A print PDF that preflight faults is not written: one error for each fault (a printer
    would reject the file, and the build promises a file it accepts)."""
    return [
        BookError(pdf, f"the print PDF was not written: preflight: {fault.message}")
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
    from pypdf import PdfReader  # only for print targets

    return len(PdfReader(io.BytesIO(pdf)).pages)


def check_print(book: Book, pdf: bytes, drawn: Drawn | None = None) -> Report:
    """Preflight the print PDF against the book's `[print]` settings (with what its pages
    draw, when already known)."""
    from chapbook.preflight import preflight  # pypdf, only for print targets
    from chapbook.writers.urls import image_names

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
    jobs: int = 1
    """Processes that may lay out (and convert) chapters side by side."""
    drawn: Drawn | None = None
    """What the print PDF's pages draw, when the parts it was laid out in told."""
    cache: Cache = field(default_factory=lambda: Cache(None))
    proof: str | None = None
    """The date of the proof that the `pdf` target asks for instead of the print PDF."""
    progress: Progress = SILENT


def make_epub(book: Book, made: Made) -> dict[str, bytes]:
    from chapbook.writers.epub import write_epub

    return {"epub": write_epub(book, made.pages, made.cache)}


def make_pdf(book: Book, made: Made) -> dict[str, bytes]:
    from chapbook.writers.pdf import print_book  # WeasyPrint loads only when a PDF is asked for

    pdf, made.pages, made.drawn = print_book(book, made.jobs, made.cache, None, made.progress)
    return {"pdf": pdf}


def make_proof(book: Book, made: Made) -> dict[str, bytes]:
    from chapbook.writers.pdf import print_book

    return {"proof": print_book(book, made.jobs, made.cache, made.proof, made.progress).pdf}


def make_booklet(book: Book, made: Made) -> dict[str, bytes]:
    from chapbook.writers.booklet import impose_booklet

    return impose_booklet(made.files["pdf"]["pdf"], book.booklet, book.print.paper_mm)


def make_cover(book: Book, made: Made) -> dict[str, bytes]:
    from chapbook.writers.wrap import write_cover

    return {"cover": write_cover(book, page_count(made.files["pdf"]["pdf"]))}


WRITERS: dict[str, Callable[[Book, Made], dict[str, bytes]]] = {
    "epub": make_epub,
    "pdf": make_pdf,
    "proof": make_proof,
    "booklet": make_booklet,
    "cover": make_cover,
}


class WriteError(Exception):
    """The output folder or an output cannot be written: where, and why, in one line."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


LOCK = ".chapbook.lock"
"""The lock file in the output folder: one build at a time writes there."""
WAIT_NOTICE_SECONDS = 1.0
"""How long a build waits for another one before saying so."""
PART = re.compile(r"\..+\.(?:epub|pdf)\.[0-9a-f]{12}\.part")
"""The names of our temporary files: `.<output name>.<12 hex digits>.part`."""


SYSTEM_FOLDERS = tuple(
    Path(name)
    for name in (
        "/bin", "/boot", "/dev", "/etc", "/lib", "/lib32", "/lib64", "/libx32", "/proc",
        "/sbin", "/sys", "/usr", "/System", "/Library",
    )
)  # fmt: skip
"""The system's own folders: no output goes into them or anywhere inside them..."""
SHARED_INSIDE = (Path("/dev/shm"),)
"""...but into these, which are anyone's (shared memory)."""
TOP_FOLDERS = tuple(
    Path(name)
    for name in (
        "/home", "/media", "/mnt", "/opt", "/private", "/run", "/srv", "/var",
        "/Applications", "/Users", "/Volumes",
    )
)  # fmt: skip
"""Folders that hold other folders (the users', the mounted disks'): outputs may go into a
folder inside them, not among those."""


def check_output(out: Path, manuscript: Path | None = None) -> None:
    """Refuse an output folder (WriteError) that is no place for a book's outputs: the
    root, a system folder or one inside it, a folder of folders (`/home`), the manuscript
    folder or any folder holding a book.toml (the outputs would go among the sources)."""
    where = real_folder(out)
    system = next((f for f in SYSTEM_FOLDERS if is_within(where, f)), None)
    problem = None
    if where == Path(where.anchor):
        problem = "the root folder is no place for a book's outputs"
    elif system is not None and not any(is_within(where, f) for f in SHARED_INSIDE):
        problem = f"a system folder ({system}) is no place for a book's outputs"
    elif where in TOP_FOLDERS:
        problem = f"a folder of folders ({where}) is no place for a book's outputs"
    elif manuscript is not None and where == real_folder(manuscript):
        problem = "is the manuscript folder: the outputs would go among the book's sources"
    elif (where / "book.toml").exists():
        problem = "holds a book.toml: the outputs would go among a book's sources"
    if problem is not None:
        raise WriteError(out, f"{problem}; name a folder of their own with -o")


def real_folder(path: Path) -> Path:
    """Where the folder `path` is (links followed, even to a folder yet to be made)."""
    try:
        return path.resolve()
    except (OSError, RuntimeError, ValueError):
        return Path(os.path.abspath(path))


def is_within(path: Path, folder: Path) -> bool:
    """Whether `path` is `folder` or inside it, as it is or as `folder` resolves."""
    return any(path.is_relative_to(place) for place in {folder, real_folder(folder)})


@contextmanager
def output_folder(
    out: Path, waiting: Callable[[], None] | None = None, manuscript: Path | None = None
) -> Iterator[None]:
    """Hold `out` for one build: make it if missing, lock it (waiting for any other build
    into it), remove the temporary files a killed build left there; let it go at the end.
    WriteError if it is no place for the outputs of the book in `manuscript`."""
    check_output(out, manuscript)
    make_folder(out)
    lock = out / LOCK
    handle = acquire(lock, waiting)
    try:
        remove_stale_parts(out)
        yield
    finally:
        release(lock, handle)


def make_folder(out: Path) -> None:
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        if out.exists() and not out.is_dir():
            raise WriteError(out, "is a file, not a folder") from error
        raise WriteError(out, f"cannot make this folder ({error.strerror})") from error


def acquire(lock: Path, waiting: Callable[[], None] | None) -> int:
    """Lock the file `lock` (made if missing), waiting as long as another build holds it;
    the open handle. `waiting` is called once if that takes more than a second.

    The holder removes the file before letting go, so a lock won on a file that is no
    longer at `lock` is let go and taken again on the new file. flock is POSIX: Chapbook
    does not run on Windows.
    """
    deadline = time.monotonic() + WAIT_NOTICE_SECONDS
    while True:
        handle = open_lock(lock)
        try:
            if not try_lock(handle, deadline):
                if waiting is not None:
                    waiting()
                    waiting = None
                fcntl.flock(handle, fcntl.LOCK_EX)
        except BaseException:
            os.close(handle)
            raise
        if still_at(lock, handle):
            return handle
        os.close(handle)


def open_lock(lock: Path) -> int:
    try:
        return os.open(lock, os.O_RDONLY | os.O_CREAT, 0o644)
    except OSError as error:
        raise WriteError(lock.parent, cannot_write(lock.parent, error)) from error


def cannot_write(folder: Path, error: OSError) -> str:
    """Why no file can be made in `folder`, which exists: the system's reason, but for a
    folder that says it does not exist (a file system that takes no new files, /proc)."""
    if error.errno == errno.ENOENT and folder.is_dir():
        return "cannot write here (this folder's file system takes no new files)"
    return f"cannot write here ({error.strerror})"


def try_lock(handle: int, until: float) -> bool:
    """Try to lock `handle` now and again until the time `until`; whether it was locked."""
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= until:
                return False
            time.sleep(0.05)


def still_at(lock: Path, handle: int) -> bool:
    """Whether the file open as `handle` is still the one at `lock`."""
    try:
        return os.path.samestat(os.stat(lock), os.fstat(handle))
    except FileNotFoundError:
        return False


def release(lock: Path, handle: int) -> None:
    """Remove the lock file, then unlock it (in that order: see `acquire`)."""
    with suppress(OSError):
        os.unlink(lock)
    os.close(handle)


def remove_stale_parts(out: Path) -> None:
    """Remove our temporary files from `out`: only a killed build leaves any."""
    try:
        for path in out.iterdir():
            if PART.fullmatch(path.name) and path.is_file() and not path.is_symlink():
                path.unlink(missing_ok=True)
    except OSError as error:
        raise WriteError(out, f"cannot write here ({error.strerror})") from error


def replace_all(files: Mapping[Path, bytes]) -> None:
    """Write every file to a temporary file beside it, synced to disk; only then rename
    each into place, and sync their folders. A build killed at any moment thus leaves each
    output either as it was or complete and new. On a failure no temporary file is left,
    and if it comes before the renames, every previous output is left as it was."""
    parts = {path: part_of(path) for path in files}
    try:
        for path, data in files.items():
            write_part(parts[path], path, data)
        for path in files:
            rename_part(parts[path], path)
            del parts[path]
    finally:
        for part in parts.values():
            part.unlink(missing_ok=True)
    for folder in {path.parent for path in files}:
        sync_folder(folder)


def part_of(path: Path) -> Path:
    """A new name for the temporary file of `path`, beside it."""
    return path.with_name(f".{path.name}.{secrets.token_hex(6)}.part")


def write_part(part: Path, path: Path, data: bytes) -> None:
    """Make the file `part` (the temporary file of `path`) hold `data`, synced to disk."""
    try:
        handle = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except OSError as error:
        raise WriteError(path.parent, cannot_write(path.parent, error)) from error
    try:
        write_fully(handle, data)
        os.fsync(handle)
    except OSError as error:
        raise WriteError(path, sentence(error)) from error
    finally:
        os.close(handle)


def write_fully(handle: int, data: bytes) -> None:
    """Write all of `data` to `handle` (os.write may write only part of it at a time)."""
    view = memoryview(data)
    while view:
        view = view[os.write(handle, view) :]


def rename_part(part: Path, path: Path) -> None:
    try:
        os.replace(part, path)
    except OSError as error:
        raise WriteError(path, f"cannot replace it ({error.strerror})") from error


def sync_folder(folder: Path) -> None:
    """Make the renames in `folder` durable, where the system lets a folder be synced."""
    with suppress(OSError):
        handle = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)


def sentence(error: OSError) -> str:
    """The system's reason for `error`, as the rest of a message: 'no space left on device'."""
    reason = error.strerror or str(error)
    return reason[:1].lower() + reason[1:]
