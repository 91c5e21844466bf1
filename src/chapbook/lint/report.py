"""What the lint found, as the author reads it (`path:line:col: CODE message`, a summary
line) or as machines do (JSON); the exit status; the table of codes."""

from __future__ import annotations

import json

from chapbook.diagnostics import CODES, Diagnostic, is_error


def located(finding: Diagnostic) -> str:
    """A finding as `check` prints it: `path:line:col: CODE message`."""
    return f"{finding.path}:{finding.line}:{finding.column}: {finding.code} {finding.message}"


def summary(findings: list[Diagnostic]) -> str:
    errors = sum(not finding.warning for finding in findings)
    warnings = len(findings) - errors
    return f"check: {plural(errors, 'error')}, {plural(warnings, 'warning')}"


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def exit_status(findings: list[Diagnostic], strict: bool) -> int:
    """1 on an error, or on any finding when `strict`; else 0."""
    return 1 if any(not f.warning or strict for f in findings) else 0


def as_json(findings: list[Diagnostic]) -> str:
    """The findings for machines: a list of {path, line, column, code, severity, message}."""
    return json.dumps(
        [
            {
                "path": str(finding.path),
                "line": finding.line,
                "column": finding.column,
                "code": finding.code,
                "message": finding.message,
                "severity": finding.severity,
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
