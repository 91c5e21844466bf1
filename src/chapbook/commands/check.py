"""`chapbook check`: lint the manuscript, each finding with its place and code."""

from __future__ import annotations

import argparse
import sys

from chapbook.commands.options import cache_folder, manuscript_option, quiet_option, speed_options
from chapbook.commands.report import refused
from chapbook.lint import book, report


def parser() -> argparse.ArgumentParser:
    command = argparse.ArgumentParser(
        prog="chapbook check",
        description="Lint the manuscript: each finding as 'path:line:col: CODE message'; "
        "exit 1 on an error (E...), 0 on warnings (W...) only. [check] ignore = [...] in "
        "book.toml silences codes for the book.",
    )
    manuscript_option(command)
    command.add_argument("--strict", action="store_true", help="exit 1 on warnings too")
    command.add_argument("--json", action="store_true", help="print the findings as JSON")
    command.add_argument(
        "--codes", action="store_true", help="list every code, its severity and what it finds"
    )
    quiet_option(command, "print only the findings, no summary")
    speed_options(command)
    return command


def run(_: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    if args.codes:
        print("\n".join(report.code_lines()))
        return 0
    try:
        findings = book.check_book(args.manuscript, cache_folder(args), args.jobs)
    except OSError as failure:
        return refused(failure)
    if args.json:
        print(report.as_json(findings))
        return report.exit_status(findings, args.strict)
    for finding in findings:
        print(report.located(finding))
    if not args.quiet:
        print(report.summary(findings), file=sys.stderr)
    return report.exit_status(findings, args.strict)
