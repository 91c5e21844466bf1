"""Run Ace by DAISY (the EPUB accessibility checker) and collect its violations.

Ace is installed by `scripts/ace.sh` into `.tools/ace` as ace-puppeteer, which drives
Debian's Chromium (the plain `ace` command needs Electron).
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ACE = ROOT / ".tools" / "ace" / "node_modules" / ".bin" / "ace-puppeteer"
CHROMIUM = Path("/usr/bin/chromium")
TIMEOUT_SECONDS = 300


def ace_command() -> list[str] | None:
    """The command that runs Ace, or None if Ace or Chromium is not installed."""
    if not ACE.is_file() or not os.access(ACE, os.X_OK) or not CHROMIUM.is_file():
        return None
    return [str(ACE)]


def ace_violations(epub: Path) -> list[str]:
    """Every violation Ace reports for the EPUB at `epub`, one line each:
    `impact rule-id document: description`.

    Raises RuntimeError (with Ace's output) if Ace is not installed, times out or writes
    no report.
    """
    command = ace_command()
    if command is None:
        raise RuntimeError("Ace is not installed: run scripts/ace.sh")
    environment = {**os.environ, "PUPPETEER_EXECUTABLE_PATH": str(CHROMIUM)}
    with tempfile.TemporaryDirectory() as folder:
        out, temp = Path(folder) / "out", Path(folder) / "temp"
        temp.mkdir()
        arguments = ["--force", "--silent", "--outdir", str(out), "--tempdir", str(temp)]
        try:
            run = subprocess.run(
                [*command, *arguments, str(epub)],
                capture_output=True,
                text=True,
                check=False,
                env=environment,
                timeout=TIMEOUT_SECONDS,
            )
        except subprocess.TimeoutExpired as error:
            raise RuntimeError(f"Ace took over {TIMEOUT_SECONDS} s on {epub}") from error
        report = out / "report.json"
        if not report.exists():
            output = f"{run.stdout}\n{run.stderr}".strip()
            raise RuntimeError(f"Ace wrote no report for {epub} (exit {run.returncode}):\n{output}")
        data = json.loads(report.read_text(encoding="utf-8"))
    return [
        _describe(assertion, document)
        for document, assertion in _assertions(data)
        if assertion.get("earl:result", {}).get("earl:outcome") == "fail"
    ]


def _assertions(report: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(document URL, assertion) for every assertion of every document in the report."""
    found: list[tuple[str, dict[str, Any]]] = []
    for group in report.get("assertions", []):
        document = str(group.get("earl:testSubject", {}).get("url", "-"))
        found.extend((document, assertion) for assertion in group.get("assertions", []))
    return found


def _describe(assertion: dict[str, Any], document: str) -> str:
    """`impact rule-id document: description` for one assertion of the report."""
    test = assertion.get("earl:test", {})
    description = " ".join(str(assertion["earl:result"].get("dct:description", "")).split())
    return f"{test.get('earl:impact')} {test.get('dct:title')} {document}: {description}"
