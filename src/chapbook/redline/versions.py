"""The two versions a redline compares, each read by the real reader: the manuscript as it is,
and the old one from another folder (`--against DIR`) or from git (`--since REV`, taken out
of the repository into a temporary folder that is removed once read)."""

from __future__ import annotations

import io
import os
import tarfile
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from chapbook.diagnostics import BookErrors, Diagnostic
from chapbook.model.book import Book
from chapbook.read.files import real, shown
from chapbook.read.manuscript import read_book
from chapbook.redline.compare import Named
from chapbook.redline.git import git, git_commit

OLD = "old version: "
"""What begins each message about the old version."""


@dataclass(frozen=True)
class Version:
    book: Book
    chapters: tuple[Named, ...]
    label: str
    """How the redline names it: the revision (with its commit and date) or the folder."""


def current(manuscript: Path) -> Version:
    """The manuscript as it is now; BookErrors if it does not read."""
    book = read_book(manuscript)
    return Version(book, named(book, manuscript), shown(manuscript))


def against(folder: Path) -> Version:
    """The old version in `folder`; its errors marked as the old version's."""
    try:
        book = read_book(folder)
    except BookErrors as failure:
        raise BookErrors([old_error(error) for error in failure.errors]) from None
    return Version(book, named(book, folder), shown(folder))


def since(manuscript: Path, revision: str) -> Version:
    """The manuscript folder as it was in the git `revision`; its errors named by the
    revision and its path in the repository (`HEAD~1:book/chapters/01.md`)."""
    commit = git_commit(manuscript, revision)
    top = real(Path(git(["rev-parse", "--show-toplevel"], manuscript).stdout.decode().strip()))
    inner = real(manuscript).relative_to(top).as_posix()
    archive = git(["archive", "--format=tar", commit, "--", inner], top)
    if archive.returncode:
        message = f"the manuscript folder is not in revision '{revision}'"
        raise BookErrors([Diagnostic(shown(manuscript), message, code="E133")])
    with tempfile.TemporaryDirectory(prefix="chapbook-diff-") as temporary:
        root = real(Path(temporary))
        unpack(archive.stdout, root, manuscript, revision)
        try:
            book = read_book(root / inner)
        except BookErrors as failure:
            errors = [old_error(error, root, f"{revision}:") for error in failure.errors]
            raise BookErrors(errors) from None
        chapters = named(book, root / inner)
    return Version(book, chapters, f"{revision} ({described(commit, manuscript)})")


def unpack(archive: bytes, root: Path, manuscript: Path, revision: str) -> None:
    """Git's tar of the manuscript into `root`, refusing links out of it."""
    try:
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(root, filter="data")
    except (tarfile.TarError, OSError) as error:
        message = f"{OLD}can't take it out of revision '{revision}' ({error})"
        raise BookErrors([Diagnostic(shown(manuscript), message, code="E133")]) from None


def described(commit: str, manuscript: Path) -> str:
    """A commit's short hash and date: '3f2a1bc, 2026-11-20'."""
    found = git(["show", "-s", "--format=%h, %cs", commit], manuscript)
    return found.stdout.decode().strip() or commit[:7]


def old_error(error: Diagnostic, root: Path | None = None, prefix: str = "") -> Diagnostic:
    """An error of the old version, saying so; a file under `root` named by `prefix` and
    its path there."""
    path = str(error.path)
    if root is not None:
        absolute = Path(os.path.abspath(path))
        if absolute.is_relative_to(root):
            path = prefix + absolute.relative_to(root).as_posix()
    return replace(error, path=path, message=OLD + error.message)


def named(book: Book, manuscript: Path) -> tuple[Named, ...]:
    """The book's chapters, each with its file's path inside the manuscript folder."""
    root = real(manuscript)
    chapters = []
    for position, chapter in enumerate(book.chapters, start=1):
        path = Path(os.path.abspath(chapter.source))
        name = path.relative_to(root).as_posix() if path.is_relative_to(root) else path.name
        chapters.append(Named(chapter, name, position))
    return tuple(chapters)
