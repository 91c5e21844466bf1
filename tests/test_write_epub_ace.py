"""The EPUBs of the sample book and of every test book, as Ace by DAISY (the EPUB
accessibility checker) sees them. Skipped when Ace is not installed (scripts/ace.sh)."""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from ace_util import ace_command, ace_violations
from conftest import BOOKS, ROOT

from chapbook.pipeline import build

if ace_command() is None:
    pytest.skip(
        "Ace by DAISY or /usr/bin/chromium is not installed (run scripts/ace.sh)",
        allow_module_level=True,
    )

# The sample book and every test book, except the books made to fail (errors/) and the lint's
# one-problem books (lint/).
TEST_BOOKS = sorted(
    toml.parent
    for toml in BOOKS.rglob("book.toml")
    if toml.parent.relative_to(BOOKS).parts[0] not in ("errors", "lint")
)
MANUSCRIPTS = [ROOT / "manuscript", *TEST_BOOKS]


def build_epub(manuscript: Path, out: Path) -> Path:
    """Build the EPUB of the book in `manuscript` into `out`, with the print PDF, as
    `python build.py` does: so with its page-break markers and page-list."""
    outputs = build(manuscript, out, ["epub", "pdf"], {})
    return next(output.path for output in outputs if output.target == "epub")


@pytest.mark.parametrize(
    "manuscript", MANUSCRIPTS, ids=[path.relative_to(ROOT).as_posix() for path in MANUSCRIPTS]
)
def test_ace_finds_no_violations(manuscript: Path, tmp_path: Path) -> None:
    violations = ace_violations(build_epub(manuscript, tmp_path))
    assert violations == [], "Ace found:\n" + "\n".join(violations)


def rewrite(epub: Path, change: Callable[[str, bytes, zipfile.ZipFile], bytes]) -> Path:
    """A copy of `epub` with every entry passed through `change(name, data, archive)`,
    keeping the order and compression of the entries (the mimetype first, stored)."""
    changed = epub.with_name(f"changed-{epub.name}")
    with zipfile.ZipFile(epub) as source, zipfile.ZipFile(changed, "w") as target:
        for info in source.infolist():
            target.writestr(info, change(info.filename, source.read(info), source))
    return changed


def image_without_alt(name: str, data: bytes, archive: zipfile.ZipFile) -> bytes:
    """Add an image with no alt attribute at the start of the first chapter's body."""
    if not re.fullmatch(r".*/chapter-01[^/]*\.xhtml", name):
        return data
    images = [n for n in archive.namelist() if n.lower().endswith((".png", ".jpg", ".jpeg"))]
    source = posixpath.relpath(images[0], posixpath.dirname(name))
    text, count = re.subn(r"(<body[^>]*>)", rf'\1<img src="{source}"/>', data.decode(), count=1)
    assert count == 1
    return text.encode()


def no_access_mode(name: str, data: bytes, archive: zipfile.ZipFile) -> bytes:
    """Remove the schema:accessMode metadata (if any) from the package document."""
    if not name.endswith(".opf"):
        return data
    pattern = r'\s*<meta\b[^>]*"schema:accessMode"[^>]*?(/>|>[^<]*</meta>)'
    return re.sub(pattern, "", data.decode()).encode()


@pytest.mark.parametrize(
    ("change", "rule", "document"),
    [(image_without_alt, "image-alt", "chapter-01"), (no_access_mode, "metadata-accessmode", "")],
    ids=["image-without-alt", "no-access-mode"],
)
def test_ace_reports_a_violation_put_into_an_epub(
    change: Callable[[str, bytes, zipfile.ZipFile], bytes],
    rule: str,
    document: str,
    tmp_path: Path,
) -> None:
    epub = rewrite(build_epub(ROOT / "manuscript", tmp_path), change)
    violations = ace_violations(epub)
    found = [line for line in violations if line.split()[1] == rule and document in line]
    assert found, f"Ace did not report {rule}; it found:\n" + "\n".join(violations)
