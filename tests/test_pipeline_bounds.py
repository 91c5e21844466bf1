"""Resource bounds (issue 8): hostile books build, or fail with the book's errors, never with
a traceback. Outcomes only: the times and memory are measured by bench/bounds.py, whose
generators make these books (smaller here, so that this file runs in well under a minute)."""

from __future__ import annotations

import importlib.util
import io
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from types import ModuleType

import pypdf
import pytest

ROOT = Path(__file__).resolve().parent.parent


def load_bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_bounds", ROOT / "bench" / "bounds.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


bounds = load_bench()
SMALL = bounds.Sizes(chapter_bytes=300_000, chapters=100, rows=2_000, depth=100)
PRINTED_ROWS = 500
"""The table's rows in the PDF test: a 2,000-row table takes half a minute to lay out."""
ERROR_LINE = re.compile(r"^\S[^:]*(:\d+)?: .+$")


def build(manuscript: Path, out: Path, target: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(ROOT / "build.py"), "-m", str(manuscript), "-o", str(out)]
    return subprocess.run(
        [*command, target], cwd=ROOT, capture_output=True, text=True, check=False, timeout=300
    )


def output(result: subprocess.CompletedProcess[str], out: Path, target: str) -> Path | None:
    """The built file; or None after a clean failure: exit 1, every line of stderr a book
    error (`path[:line]: message`) and the count last. Never a traceback."""
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    if result.returncode == 0:
        [made] = out.glob(f"*.{target}")
        return made
    assert result.returncode == 1, result.stderr[-3000:]
    *errors, verdict = result.stderr.splitlines()
    assert re.fullmatch(r"build failed: \d+ errors?", verdict), result.stderr[-3000:]
    assert errors and all(ERROR_LINE.match(line) for line in errors), result.stderr[-3000:]
    return None


def epub_text(epub: Path, name: str) -> str:
    with zipfile.ZipFile(epub) as archive:
        return archive.read(f"EPUB/{name}").decode()


def pdf_pages(pdf: Path) -> int:
    return len(pypdf.PdfReader(io.BytesIO(pdf.read_bytes())).pages)


def test_a_300_kb_chapter_builds_the_epub(tmp_path: Path) -> None:
    manuscript = bounds.big_chapter(tmp_path / "book", SMALL)
    epub = output(build(manuscript, tmp_path / "out", "epub"), tmp_path / "out", "epub")
    assert epub is not None
    text = epub_text(epub, "chapter-01-long.xhtml")
    source = (manuscript / "chapters" / "01-long.md").read_text()
    assert text.count("<p>") == source.count("\n\n")  # every paragraph, the title apart


def test_a_300_kb_chapter_builds_the_pdf(tmp_path: Path) -> None:
    manuscript = bounds.big_chapter(tmp_path / "book", SMALL)
    pdf = output(build(manuscript, tmp_path / "out", "pdf"), tmp_path / "out", "pdf")
    assert pdf is not None
    assert pdf_pages(pdf) > 100


def test_100_chapters_build_the_epub(tmp_path: Path) -> None:
    manuscript = bounds.many_chapters(tmp_path / "book", SMALL)
    epub = output(build(manuscript, tmp_path / "out", "epub"), tmp_path / "out", "epub")
    assert epub is not None
    with zipfile.ZipFile(epub) as archive:
        chapters = [name for name in archive.namelist() if name.startswith("EPUB/chapter-")]
    assert len(chapters) == 100
    assert epub_text(epub, "nav.xhtml").count('href="chapter-') >= 100


def test_100_chapters_build_the_pdf(tmp_path: Path) -> None:
    manuscript = bounds.many_chapters(tmp_path / "book", SMALL)
    pdf = output(build(manuscript, tmp_path / "out", "pdf"), tmp_path / "out", "pdf")
    assert pdf is not None
    assert pdf_pages(pdf) >= 200  # each chapter opens on a right-hand page


def test_a_2000_row_table_builds_the_epub(tmp_path: Path) -> None:
    manuscript = bounds.big_table(tmp_path / "book", SMALL)
    epub = output(build(manuscript, tmp_path / "out", "epub"), tmp_path / "out", "epub")
    assert epub is not None
    assert epub_text(epub, "chapter-01-table.xhtml").count("<tr") == 2_001  # with the head


def test_a_long_table_builds_the_pdf(tmp_path: Path) -> None:
    sizes = bounds.Sizes(chapter_bytes=0, chapters=0, rows=PRINTED_ROWS, depth=0)
    manuscript = bounds.big_table(tmp_path / "book", sizes)
    pdf = output(build(manuscript, tmp_path / "out", "pdf"), tmp_path / "out", "pdf")
    assert pdf is not None
    assert pdf_pages(pdf) > 10


@pytest.mark.parametrize("target", ["epub", "pdf"])
def test_a_list_nested_100_deep_is_refused_at_its_line(tmp_path: Path, target: str) -> None:
    """Past nesting.LIMIT (issue 16): refused while reading, for the EPUB as for the PDF,
    at the line of its deepest item."""
    manuscript = bounds.deep_list(tmp_path / "book", SMALL)
    result = build(manuscript, tmp_path / "out", target)
    assert output(result, tmp_path / "out", target) is None
    assert result.stderr.splitlines() == [
        f"{manuscript}/chapters/01-list.md:203: lists, quotes and HTML elements nested 100 "
        "levels deep (limit 32)",
        "build failed: 1 error",
    ]


def test_the_generated_books_are_the_same_every_time() -> None:
    assert bounds.big_chapter_text(20_000) == bounds.big_chapter_text(20_000)
    assert 20_000 <= len(bounds.big_chapter_text(20_000).encode()) < 22_000
    assert bounds.table_text(10) == bounds.table_text(10)


def test_the_bench_measures_a_build(tmp_path: Path) -> None:
    command = [sys.executable, str(ROOT / "bench" / "bounds.py"), "--quick", "--no-reference"]
    command += ["--case", "many-chapters", "--target", "epub", "--keep", str(tmp_path)]
    result = subprocess.run(command, capture_output=True, text=True, check=True, timeout=120)
    row = r"^\| many-chapters +\| epub +\| ok +\| .* KB \| +- \|$"
    assert re.search(row, result.stdout, re.M)  # (deep-list is an error since issue 16)
