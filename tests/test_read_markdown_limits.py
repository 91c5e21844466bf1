"""No size limit silently truncates (issue 15, finding 2): a paragraph of 11 MB came out as an
empty `<p/>` with exit status 0 (libxml2 stops a run of text at 10,000,000 bytes); now it is
refused at its line, naming the limit, and a 9 MB one is read whole and counted."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def huge_book(folder: Path, size: int) -> Path:
    """A book whose one chapter holds a paragraph of `size` bytes (words of 5 with their
    space) at line 5."""
    (folder / "chapters").mkdir(parents=True)
    (folder / "book.toml").write_text('[book]\ntitle = "Huge"\nlanguage = "en"\n')
    paragraph = "word " * (size // 5)
    text = f"# Huge\n\nA first paragraph.\n\n{paragraph.strip()}\n\nThe end.\n"
    (folder / "chapters" / "01-huge.md").write_text(text)
    return folder


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(ROOT / "build.py"), *args]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)


def test_a_paragraph_over_the_limit_is_refused_at_its_line(tmp_path: Path) -> None:
    huge_book(tmp_path / "book", 11_000_000)
    done = run("epub", "-m", "book", "-o", "out", "--no-cache", cwd=tmp_path)
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr.splitlines() == [
        "book/chapters/01-huge.md:5: this paragraph holds 10,999,999 bytes of text without "
        "markup, over the 10,000,000 that XHTML readers take (libxml2's limit): split it into "
        "paragraphs",
        "build failed: 1 error",
    ]
    assert not (tmp_path / "out" / "huge.epub").exists()


def test_a_paragraph_under_the_limit_is_read_and_counted_whole(tmp_path: Path) -> None:
    huge_book(tmp_path / "book", 9_000_000)
    done = run("stats", "-m", "book", "-o", "out", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    words = 1 + 3 + 9_000_000 // 5 + 2  # the title, the first paragraph, the huge one, the end
    assert f"1. Huge {words:,}" in " ".join(done.stdout.split())
