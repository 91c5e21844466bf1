"""Where the outputs may go (issue 16, finding 6): not the root, a system folder, a folder of
folders, the manuscript folder or any folder holding a book.toml, each refused in one line
before anything is read or written; and a folder that can't be written says the real reason."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from chapbook import pipeline
from chapbook.cli import main
from chapbook.support.output import WriteError, check_output

ROOT = Path(__file__).resolve().parent.parent
FULL = "tests/books/full"
SUFFIX = "; name a folder of their own with -o"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(ROOT / "build.py"), *args]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)


def listing(folder: Path) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*"))


@pytest.mark.parametrize(
    ("out", "message"),
    [
        ("/", "/: the root folder is no place for a book's outputs"),
        ("/proc", "/proc: a system folder (/proc) is no place for a book's outputs"),
        (
            "/usr/share/chapbook-outputs",
            "/usr/share/chapbook-outputs: a system folder (/usr) is no place for a book's outputs",
        ),
        ("/etc", "/etc: a system folder (/etc) is no place for a book's outputs"),
        ("/home", "/home: a folder of folders (/home) is no place for a book's outputs"),
    ],
)
def test_the_root_and_system_folders_are_refused(
    out: str, message: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """In this process, with the reading of the book made to fail the test: should the
    guard ever let one of these folders through, nothing is written there."""

    def not_read(*args: object, **options: object) -> None:
        raise AssertionError(f"the book was read to be built into {out}")

    monkeypatch.setattr(pipeline, "read_book", not_read)
    assert main(["-m", str(ROOT / FULL), "-o", out, "epub"]) == 1
    assert capsys.readouterr().err.splitlines() == [message + SUFFIX]
    assert not Path(out).exists() or out != "/usr/share/chapbook-outputs"


@pytest.mark.parametrize("out", [FULL, f"{FULL}/", f"{FULL}/../full", str(ROOT / FULL)])
def test_the_manuscript_folder_is_refused(out: str) -> None:
    before = listing(ROOT / FULL)
    result = run("-m", FULL, "-o", out, "epub", "pdf")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"{Path(out)}: is the manuscript folder: the outputs would go among the book's sources"
        + SUFFIX
    ]
    assert listing(ROOT / FULL) == before


def test_a_folder_holding_a_book_toml_is_refused() -> None:
    before = listing(ROOT / "tests/books/long")
    result = run("-m", FULL, "-o", "tests/books/long", "epub")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "tests/books/long: holds a book.toml: the outputs would go among a book's sources" + SUFFIX
    ]
    assert listing(ROOT / "tests/books/long") == before


def test_a_link_to_the_root_is_the_root(tmp_path: Path) -> None:
    (tmp_path / "out").symlink_to("/")
    with pytest.raises(WriteError) as refused:
        check_output(tmp_path / "out")
    assert str(refused.value) == f"{tmp_path / 'out'}: the root folder is no place" + (
        " for a book's outputs" + SUFFIX
    )


def test_the_redline_is_refused_among_the_sources_too() -> None:
    result = run("diff", "--against", FULL, "-m", FULL, "-o", FULL)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"{FULL}: is the manuscript folder: the outputs would go among the book's sources" + SUFFIX
    ]


@pytest.mark.parametrize("out", ["dist", "/tmp/a-book", "/dev/shm/a-book", "/home/author/dist"])
def test_ordinary_folders_are_taken(out: str, tmp_path: Path) -> None:
    check_output(tmp_path / out if not out.startswith("/") else Path(out), ROOT / FULL)
