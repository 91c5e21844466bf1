"""`chapbook check-epub FILE`: EPUBCheck's verdict on any EPUB."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from chapbook.commands.options import quiet_option
from chapbook.verify.epubcheck import EpubCheckUnavailable, epubcheck_messages


def parser() -> argparse.ArgumentParser:
    command = argparse.ArgumentParser(
        prog="chapbook check-epub",
        description="Check any EPUB with EPUBCheck (Java); exit 1 on any message.",
    )
    command.add_argument("epub", type=Path, metavar="FILE", help="the EPUB to check")
    quiet_option(command, "print only messages")
    return command


def run(_: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    return check_epub(args.epub, args.quiet)


def check_epub(path: Path, quiet: bool) -> int:
    """EPUBCheck's verdict on `path`, printed; 1 if it has anything to say."""
    if not path.is_file():
        print(f"{path}: no such file", file=sys.stderr)
        return 1
    try:
        messages = epubcheck_messages(path)
    except (EpubCheckUnavailable, OSError, subprocess.TimeoutExpired) as failure:
        print(f"{path}: {failure}", file=sys.stderr)
        return 1
    for message in messages:
        print(message, file=sys.stderr)
    if messages:
        count = len(messages)
        print(f"EPUBCheck: {count} message{'s' if count != 1 else ''}", file=sys.stderr)
    elif not quiet:
        print(f"EPUBCheck: {path} passes with no messages")
    return 1 if messages else 0
