"""What the lint found, as the author reads it (`path:line:col: CODE message`, a summary
line) or as machines do (JSON); the exit status; the table of codes."""

from __future__ import annotations

import json
from dataclasses import dataclass

from chapbook.diagnostics import CODES, is_error


@dataclass(frozen=True)
class Finding:
    """One problem, at a file's line and column (1-based, in characters), with its code."""

    path: str
    line: int
    column: int
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.code} {self.message}"

    @property
    def error(self) -> bool:
        return is_error(self.code)


def summary(findings: list[Finding]) -> str:
    errors = sum(finding.error for finding in findings)
    warnings = len(findings) - errors
    return f"check: {plural(errors, 'error')}, {plural(warnings, 'warning')}"


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def exit_status(findings: list[Finding], strict: bool) -> int:
    """1 on an error, or on any finding when `strict`; else 0."""
    return 1 if any(f.error or strict for f in findings) else 0


def as_json(findings: list[Finding]) -> str:
    """The findings for machines: a list of {path, line, column, code, severity, message}."""
    return json.dumps(
        [
            {
                **vars(finding),
                "severity": "error" if finding.error else "warning",
            }
            for finding in findings
        ],
        ensure_ascii=False,
        indent=2,
    )


def code_lines() -> list[str]:
    """The code table, one code a line: code, severity, what it finds."""
    return [
        f"{code}  {'error  ' if is_error(code) else 'warning'}  {what}"
        for code, what in CODES.items()
    ]
