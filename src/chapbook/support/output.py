"""Outputs written safely: one build at a time in an output folder (a lock there), and every
output first to a temporary file beside it, renamed into place only when all are on disk."""

from __future__ import annotations

import errno
import fcntl
import os
import re
import secrets
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path

from chapbook.diagnostics import BookErrors, Diagnostic


class WriteError(BookErrors):
    """The output folder or an output cannot be written: where, and why, in one line (E134)."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__([Diagnostic(path, reason, code="E134")])
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
