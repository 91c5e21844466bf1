"""The author's git repository, for what compares the book with an earlier revision
(`stats --since`, `diff --since`)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from chapbook.diagnostics import BookErrors, Diagnostic
from chapbook.read.files import shown


def git_commit(manuscript: Path, revision: str) -> str:
    """The commit `revision` names in the repository holding `manuscript`."""
    place = shown(manuscript)
    if shutil.which("git") is None:
        raise BookErrors(
            [Diagnostic(place, "--since needs git, which is not installed", code="E133")]
        )
    if git(["rev-parse", "--is-inside-work-tree"], manuscript).returncode:
        message = "--since needs a git repository; this is not in one"
        raise BookErrors([Diagnostic(place, message, code="E133")])
    arguments = ["rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}"]
    found = None if revision.startswith("-") else git(arguments, manuscript)
    if found is None or found.returncode:
        message = f"'{revision}' is not a revision of this git repository"
        raise BookErrors([Diagnostic(place, message, code="E133")])
    return found.stdout.decode().strip()


def git(arguments: list[str], folder: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        ["git", *arguments], cwd=folder, capture_output=True, check=False, timeout=60
    )
