"""A character no print font has: an error at its chapter's file and line when the PDF is
built (nothing written), a warning when only the EPUB is (which keeps the character)."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import BOOKS, ROOT

from chapbook.diagnostics import BookErrors, Diagnostic
from chapbook.pipeline import build

BOOK = BOOKS / "errors" / "missing-glyph"
CHAPTER = "tests/books/errors/missing-glyph/chapters/01-faces.md"
MELTING = "\U0001fae0"


def test_a_character_no_font_has_fails_the_print_build_at_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    with pytest.raises(BookErrors) as failure:
        build(BOOK.relative_to(ROOT), tmp_path, ["epub", "pdf"])
    assert [str(error) for error in failure.value.errors] == [
        f"{CHAPTER}:7: U+1FAE0 MELTING FACE: no font can print it"
    ]
    assert list(tmp_path.iterdir()) == []


def test_the_epub_alone_keeps_the_character_with_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    warnings: list[Diagnostic] = []
    [output] = build(BOOK.relative_to(ROOT), tmp_path, ["epub"], warn=warnings.append)
    assert [str(warning) for warning in warnings] == [
        f"{CHAPTER}:7: warning: U+1FAE0 MELTING FACE: no font can print it (the EPUB keeps it)"
    ]
    with zipfile.ZipFile(output.path) as epub:
        texts = [epub.read(name).decode() for name in epub.namelist() if name.endswith("xhtml")]
    assert any(MELTING in text for text in texts)


def test_the_cli_prints_the_error_without_a_traceback(tmp_path: Path) -> None:
    command = [sys.executable, "build.py", "pdf", "-m", str(BOOK.relative_to(ROOT))]
    result = subprocess.run(
        [*command, "-o", str(tmp_path)], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"{CHAPTER}:7: U+1FAE0 MELTING FACE: no font can print it",
        "build failed: 1 error",
    ]
