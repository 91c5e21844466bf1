"""The sample book's EPUB, unzipped and compared file by file with a golden copy.

A change to the EPUB shows here as a readable diff. When the change is meant, regenerate
the copy with `.venv/bin/python -m pytest tests/test_write_epub_golden.py --save-golden` and review
`git diff tests/golden` before committing it.
"""

from __future__ import annotations

import difflib
import shutil
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT

from chapbook.pipeline import build

GOLDEN = Path(__file__).resolve().parent / "golden" / "sample-epub"


def unzipped(tmp_path: Path) -> dict[str, bytes]:
    """The sample book's EPUB, built as `python build.py` builds it (with the print PDF,
    so with its page-list), as name -> bytes."""
    outputs = build(ROOT / "manuscript", tmp_path, ["epub", "pdf"])
    epub = next(output.path for output in outputs if output.target == "epub")
    with zipfile.ZipFile(epub) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def golden_files() -> dict[str, bytes]:
    return {
        path.relative_to(GOLDEN).as_posix(): path.read_bytes()
        for path in sorted(GOLDEN.rglob("*"))
        if path.is_file()
    }


def difference(name: str, expected: bytes, actual: bytes) -> str:
    if name.endswith((".png", ".jpg", ".ttf")):
        return f"{name}: {len(expected)} bytes expected, {len(actual)} built"
    lines = difflib.unified_diff(
        expected.decode().splitlines(),
        actual.decode().splitlines(),
        f"golden/{name}",
        f"built/{name}",
        lineterm="",
    )
    return "\n".join(lines)


def test_the_sample_epub_matches_its_golden_copy(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    built = unzipped(tmp_path)
    if request.config.getoption("--save-golden"):
        shutil.rmtree(GOLDEN, ignore_errors=True)
        for name, data in built.items():
            (GOLDEN / name).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / name).write_bytes(data)
    golden = golden_files()
    assert sorted(built) == sorted(golden)
    changed = [difference(n, golden[n], built[n]) for n in sorted(built) if built[n] != golden[n]]
    assert not changed, "\n\n".join(changed)
