"""EPUBCheck for the tests, in one Java VM kept warm for the whole session.

`epubcheck_messages` gives exactly what `chapbook.verify.epubcheck.epubcheck_messages` gives
(the same command line arguments, run by EPUBCheck's own entry point, the same JSON report read
the same way), without starting a Java VM and loading EPUBCheck's schemas for every EPUB:
that took 2-10 s an EPUB, most of the suite's EPUBCheck time. Where the warm VM cannot be had
(no Java, or a Java without its source launcher), or where CHAPBOOK_TEST_EPUBCHECK=cold, each
call runs the product's function, a Java VM each.
"""

from __future__ import annotations

import atexit
import json
import os
import select
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

from chapbook.verify import epubcheck as product
from chapbook.verify.epubcheck import TIMEOUT_S, EpubCheckUnavailable, report_messages

SERVER = Path(__file__).resolve().parent / "WarmEpubCheck.java"


class _Warm:
    """The Java VM running WarmEpubCheck.java, started at the first check."""

    def __init__(self) -> None:
        self.process: subprocess.Popen[str] | None = None
        self.cwd = ""
        self.failed = False
        self.lock = threading.Lock()

    def start(self) -> subprocess.Popen[str] | None:
        if self.process is not None and self.process.poll() is None:
            return self.process
        java = shutil.which("java")
        if self.failed or java is None or os.environ.get("CHAPBOOK_TEST_EPUBCHECK") == "cold":
            return None
        self.process = subprocess.Popen(
            [java, "-cp", str(product.JAR), str(SERVER)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            encoding="utf-8",
            bufsize=1,
        )
        self.cwd = os.getcwd()
        atexit.register(self.stop)
        return self.process

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            assert process.stdin is not None
            process.stdin.close()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def run(self, arguments: list[str], console: Path) -> int | None:
        """EPUBCheck's exit status for `arguments`, its console output written to `console`;
        None if the warm VM could not run it."""
        process = self.start()
        if process is None or os.getcwd() != self.cwd:
            # EPUBCheck names a file by its path from the working folder, the VM's own.
            return None
        assert process.stdin is not None and process.stdout is not None
        try:
            process.stdin.write("\t".join([str(console), *arguments]) + "\n")
            process.stdin.flush()
        except OSError:
            self.failed = True
            self.stop()
            return None
        ready, _, _ = select.select([process.stdout], [], [], TIMEOUT_S)
        answer = process.stdout.readline() if ready else ""
        if not answer.startswith("done "):
            # The source launcher failed (no compiler in this Java), or a check hung: the
            # VM is stopped and each check from here on runs as the product runs it.
            self.failed = True
            process.kill()
            process.wait()
            self.process = None
            if not ready:
                raise subprocess.TimeoutExpired(arguments, TIMEOUT_S)
            return None
        return int(answer.split()[1])


_WARM = _Warm()


def epubcheck_messages(path: Path) -> list[str]:
    """Every message EPUBCheck has about the EPUB at `path`: `SEVERITY ID place: text`."""
    epub = str(path)
    if any(char in epub for char in "\t\r\n"):
        return product.epubcheck_messages(path)
    with _WARM.lock, tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report.json"
        console = Path(folder) / "console.txt"
        if _WARM.run([epub, "--json", str(report)], console) is None:
            return product.epubcheck_messages(path)
        if not report.exists():
            printed = console.read_text(encoding="utf-8") if console.exists() else ""
            raise EpubCheckUnavailable(f"EPUBCheck wrote no report for {path}: {printed.strip()}")
        return report_messages(json.loads(report.read_text(encoding="utf-8")))
