"""Ctrl-C and SIGTERM (issue 16, finding 5): a build stopped at any moment prints one line,
`interrupted`, exits 130, leaves the outputs of the last good build as they were and removes
its temporary files and its lock; its worker processes print nothing and are gone. A lock
left by a killed build is taken over at once: it is held by a live process or it is not
(flock, which the system lets go when its holder dies).

Each build runs as a command in a process group of its own (as a terminal's foreground job)
and is stopped from inside at a chosen moment, so that the test is exact."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from chapbook.support.output import LOCK, PART

ROOT = Path(__file__).resolve().parent.parent
FULL = ROOT / "tests" / "books" / "full"
NAMES = ("the-field-guide.epub", "the-field-guide.pdf")

STOPPED = """
import os, signal, sys, time
sys.path.insert(0, {src!r})
from chapbook import cli
from chapbook.support import output
from chapbook.write.print import parts

parts.PARTS_FROM = 0  # the full book in parts, laid out by worker processes
lay_out = parts.lay_out
write_part = output.write_part

def ctrl_c_in_a_worker(*args, **options):
    \"\"\"Ctrl-C at the terminal, while a worker lays out a part that takes long.\"\"\"
    os.killpg(os.getpgrp(), signal.SIGINT)
    time.sleep(60)
    return lay_out(*args, **options)

def term_after_one_write(part, path, data):
    \"\"\"SIGTERM (a timeout's) to the build alone, with one temporary file written.\"\"\"
    write_part(part, path, data)
    os.kill(os.getpid(), signal.SIG{signal})

def killed_holding_the_lock(out):
    os.kill(os.getpid(), signal.SIGKILL)

if {moment!r} == "layout":
    parts.lay_out = ctrl_c_in_a_worker
elif {moment!r} == "writing":
    output.write_part = term_after_one_write
else:
    output.remove_stale_parts = killed_holding_the_lock
raise SystemExit(cli.main(sys.argv[1:]))
"""
"""build.py, stopped at a `moment` by a `signal`."""


def stopped_build(out: Path, moment: str, signal_name: str = "TERM") -> tuple[int, str, float]:
    """Run a build of the full book's EPUB and PDF into `out` (two processes) stopped at
    `moment`; its exit status, its stderr, and how long it took."""
    code = STOPPED.format(src=str(ROOT / "src"), moment=moment, signal=signal_name)
    command = [sys.executable, "-c", code, "-m", str(FULL), "-o", str(out), "-j", "2"]
    start = time.monotonic()
    process = subprocess.run(
        [*command, "epub", "pdf"],
        capture_output=True,
        text=True,
        start_new_session=True,  # its own group: the Ctrl-C reaches it and its workers only
        check=False,
        timeout=120,
    )
    return process.returncode, process.stderr, time.monotonic() - start


@pytest.fixture(scope="module")
def previous(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The outputs of a good build, to be found unchanged after an interrupted one."""
    out = tmp_path_factory.mktemp("good")
    command = [sys.executable, str(ROOT / "build.py"), "-q", "-m", str(FULL), "-o", str(out)]
    subprocess.run([*command, "epub", "pdf"], check=True)
    return {name: (out / name).read_bytes() for name in NAMES}


def with_previous(out: Path, previous: dict[str, bytes]) -> Path:
    out.mkdir()
    for name, data in previous.items():
        (out / name).write_bytes(data)
    return out


def assert_left_as_it_was(out: Path, previous: dict[str, bytes]) -> None:
    """The previous outputs, byte for byte, and nothing else: no lock, no temporary file."""
    assert sorted(path.name for path in out.iterdir()) == sorted(NAMES)
    assert {name: (out / name).read_bytes() for name in NAMES} == previous


def test_ctrl_c_while_workers_lay_out_stops_them_all_with_one_line(
    tmp_path: Path, previous: dict[str, bytes]
) -> None:
    out = with_previous(tmp_path / "dist", previous)
    status, stderr, seconds = stopped_build(out, "layout")
    assert (status, stderr) == (130, "interrupted\n")
    assert seconds < 30  # the worker asleep in its layout was stopped, not waited for
    assert_left_as_it_was(out, previous)


@pytest.mark.parametrize("signal_name", ["TERM", "INT"])
def test_a_signal_while_writing_removes_the_temporary_files_and_the_lock(
    tmp_path: Path, previous: dict[str, bytes], signal_name: str
) -> None:
    out = with_previous(tmp_path / "dist", previous)
    status, stderr, _ = stopped_build(out, "writing", signal_name)
    assert (status, stderr) == (130, "interrupted\n")
    assert_left_as_it_was(out, previous)


def test_the_lock_of_a_killed_build_is_taken_over_at_once(
    tmp_path: Path, previous: dict[str, bytes]
) -> None:
    out = with_previous(tmp_path / "dist", previous)
    status, _, _ = stopped_build(out, "killed")
    assert status == -signal.SIGKILL
    assert (out / LOCK).exists()  # left by the dead build, and locked by no one
    book = tmp_path / "book"
    shutil.copytree(FULL, book)
    command = [sys.executable, str(ROOT / "build.py"), "-m", str(book), "-o", str(out), "epub"]
    start = time.monotonic()
    result = subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "waiting for another build" not in result.stderr
    assert time.monotonic() - start < 30
    assert sorted(path.name for path in out.iterdir()) == sorted(NAMES)
    assert not any(PART.fullmatch(path.name) for path in out.iterdir())


def test_a_signal_ignored_at_the_start_stays_ignored() -> None:
    """`nohup chapbook ...` keeps running after SIGHUP and, likewise, a build started with
    SIGTERM ignored is not made to stop by it."""
    code = (
        f"import os, signal, sys; sys.path.insert(0, {str(ROOT / 'src')!r})\n"
        "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        "from chapbook import cli\n"
        "with cli.interruptions():\n"
        "    os.kill(os.getpid(), signal.SIGTERM)\n"
        "    print('still here')\n"
        "print(signal.getsignal(signal.SIGTERM) == signal.SIG_IGN)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.stdout.split() == ["still", "here", "True"], result.stderr
