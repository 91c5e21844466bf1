"""Writing outputs: a killed build leaves each output old or new, never broken; builds into one
folder take turns; temporary files never outlive a build."""

from __future__ import annotations

import fcntl
import os
import random
import re
import shutil
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pypdf
import pytest

from chapbook.pipeline import build
from chapbook.support.output import LOCK, PART

ROOT = Path(__file__).resolve().parent.parent
FULL = ROOT / "tests" / "books" / "full"
NAMES = ("the-field-guide.epub", "the-field-guide.pdf")
SUBTITLES = ("First Version", "Second Version")
KILLS = 12
KILL_BUDGET_SECONDS = 30.0
LATEST_KILL = 1.5
"""Kills come up to this many times one build's duration after its start, so that some
builds finish and the outputs go from one version to the other."""
WAITING = "waiting for another build to finish"

HELD = """
import sys, time
from contextlib import contextmanager
sys.path.insert(0, {src!r})
from chapbook import cli, pipeline
held = pipeline.output_folder

@contextmanager
def timed(*args, **kwargs):
    with held(*args, **kwargs):
        start = time.monotonic()
        yield
        print("held", start, time.monotonic())

pipeline.output_folder = timed
raise SystemExit(cli.main(sys.argv[1:]))
"""
"""build.py that also prints when its build held the output folder (monotonic clock)."""

KILLED_AT_RENAME = """
import os, signal, sys
sys.path.insert(0, {src!r})
from chapbook import cli
from chapbook.support import output
rename = output.rename_part
renamed = []

def rename_or_die(part, path):
    if len(renamed) == {renames}:
        os.kill(os.getpid(), signal.SIGKILL)
    rename(part, path)
    renamed.append(path)

output.rename_part = rename_or_die
raise SystemExit(cli.main(sys.argv[1:]))
"""
"""build.py killed after its first `renames` outputs were renamed into place."""


@dataclass(frozen=True)
class References:
    """A copy of the full test book, and its outputs built whole in each version."""

    book: Path
    outputs: tuple[dict[str, bytes], dict[str, bytes]]
    pages: int
    seconds: float
    """How long one build of the EPUB and the PDF took, as a command."""


def use_version(book: Path, version: int) -> None:
    """Make the copy of the full book in `book` the given version (its subtitle)."""
    text = (FULL / "book.toml").read_text(encoding="utf-8")
    text, count = re.subn(r"(?m)^subtitle = .*$", f'subtitle = "{SUBTITLES[version]}"', text)
    assert count == 1, "the full test book has no subtitle line to change"
    book.joinpath("book.toml").write_text(text, encoding="utf-8")


def command(book: Path, out: Path) -> list[str]:
    return [sys.executable, str(ROOT / "build.py"), "-q", "-m", str(book), "-o", str(out)]


@pytest.fixture(scope="module")
def references(tmp_path_factory: pytest.TempPathFactory) -> References:
    base = tmp_path_factory.mktemp("atomic")
    book = base / "book"
    shutil.copytree(FULL, book)
    outputs: list[dict[str, bytes]] = []
    seconds = 0.0
    for version in (0, 1):
        use_version(book, version)
        out = base / f"reference-{version}"
        start = time.monotonic()
        subprocess.run([*command(book, out), "epub", "pdf"], check=True)
        seconds = max(seconds, time.monotonic() - start)
        outputs.append({name: (out / name).read_bytes() for name in NAMES})
    assert all(outputs[0][name] != outputs[1][name] for name in NAMES)
    pages = len(pypdf.PdfReader(base / "reference-0" / NAMES[1]).pages)
    return References(book, (outputs[0], outputs[1]), pages, seconds)


def assert_whole(out: Path, references: References) -> list[str]:
    """Every output in `out` is complete and one of the two versions; the names of any
    temporary files (a killed build's) beside them."""
    for name in NAMES:
        path = out / name
        if not path.exists():
            continue
        if name.endswith(".epub"):
            with zipfile.ZipFile(path) as epub:
                assert epub.testzip() is None
                assert epub.read("mimetype") == b"application/epub+zip"
        else:
            assert len(pypdf.PdfReader(path).pages) == references.pages
        data = path.read_bytes()
        assert data in (references.outputs[0][name], references.outputs[1][name]), name
    others = sorted(path.name for path in out.iterdir() if path.name not in NAMES)
    assert all(name == LOCK or PART.fullmatch(name) for name in others), others
    return [name for name in others if name != LOCK]


def test_a_killed_build_leaves_each_output_old_or_new(references: References) -> None:
    out = references.book.parent / "killed"
    chance = random.Random(20250601)
    started = time.monotonic()
    ends: dict[str, int] = {"finished": 0, "killed": 0, "left temporary files": 0}
    version = 0
    for kill in range(KILLS):
        if time.monotonic() - started > KILL_BUDGET_SECONDS:
            break
        version = kill % 2
        use_version(references.book, version)
        process = subprocess.Popen([*command(references.book, out), "epub", "pdf"])
        time.sleep(chance.uniform(0, LATEST_KILL * references.seconds))
        process.kill()
        ends["finished" if process.wait() == 0 else "killed"] += 1
        ends["left temporary files"] += bool(assert_whole(out, references))
    print(f"{ends} in {time.monotonic() - started:.1f}s; one build {references.seconds:.2f}s")
    assert ends["killed"] > 0
    subprocess.run([*command(references.book, out), "epub", "pdf"], check=True)
    assert assert_whole(out, references) == []
    assert sorted(path.name for path in out.iterdir()) == sorted(NAMES)
    # the last build ran on the book as the last kill's turn left it (the budget may end early)
    assert all((out / name).read_bytes() == references.outputs[version][name] for name in NAMES)


@pytest.mark.parametrize("renames", [0, 1])
def test_a_build_killed_between_its_renames_leaves_old_and_new_whole(
    renames: int, references: References
) -> None:
    out = references.book.parent / f"renamed-{renames}"
    out.mkdir()
    for name in NAMES:
        out.joinpath(name).write_bytes(references.outputs[0][name])
    use_version(references.book, 1)
    code = KILLED_AT_RENAME.format(src=str(ROOT / "src"), renames=renames)
    killed = [sys.executable, "-c", code, *command(references.book, out)[2:], "epub", "pdf"]
    assert subprocess.run(killed, check=False).returncode == -9
    assert len(assert_whole(out, references)) == len(NAMES) - renames  # its temporary files
    epub, pdf = (out.joinpath(name).read_bytes() for name in NAMES)
    assert epub == references.outputs[1 if renames else 0][NAMES[0]]  # renamed first
    assert pdf == references.outputs[0][NAMES[1]]
    subprocess.run([*command(references.book, out), "epub", "pdf"], check=True)
    assert sorted(path.name for path in out.iterdir()) == sorted(NAMES)
    assert all(out.joinpath(name).read_bytes() == references.outputs[1][name] for name in NAMES)


def test_two_builds_into_one_folder_take_turns(references: References) -> None:
    use_version(references.book, 0)
    out = references.book.parent / "together"
    out.mkdir()
    held = os.open(out / LOCK, os.O_RDONLY | os.O_CREAT)
    fcntl.flock(held, fcntl.LOCK_EX)  # as a build does: both must wait, and say so
    wrapped = [sys.executable, "-c", HELD.format(src=str(ROOT / "src"))]
    wrapped += ["-m", str(references.book), "-o", str(out), "epub", "pdf"]
    logs = [out.parent / f"together-{number}.log" for number in (1, 2)]
    processes = [
        subprocess.Popen(wrapped, stdout=subprocess.PIPE, stderr=log.open("w")) for log in logs
    ]
    deadline = time.monotonic() + 30
    while not all(WAITING in log.read_text() for log in logs) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert all(f"{out}: {WAITING}…" in log.read_text().splitlines() for log in logs)
    assert sorted(path.name for path in out.iterdir()) == [LOCK]
    os.unlink(out / LOCK)  # let go as a build does: the waiting ones lock a new file
    os.close(held)
    spans = []
    for process in processes:
        stdout, _ = process.communicate(timeout=60)
        assert process.returncode == 0
        (line,) = [line for line in stdout.decode().splitlines() if line.startswith("held ")]
        spans.append(tuple(float(stamp) for stamp in line.split()[1:]))
    first, second = sorted(spans)
    assert first[1] < second[0], f"the builds overlapped: {spans}"
    assert sorted(path.name for path in out.iterdir()) == sorted(NAMES)
    assert all((out / name).read_bytes() == references.outputs[0][name] for name in NAMES)


def test_a_build_removes_only_its_own_stale_temporary_files(tmp_path: Path) -> None:
    stale = ".the-field-guide.epub.0123456789ab.part"
    kept = [".notes.txt.0123456789ab.part", ".the-field-guide.epub.part", "draft.part"]
    tmp_path.joinpath(stale).write_bytes(b"PK half an EPUB")
    for name in kept:
        tmp_path.joinpath(name).write_text("mine")
    build(FULL, tmp_path, ["epub"])
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(
        [*kept, "the-field-guide.epub"]
    )
