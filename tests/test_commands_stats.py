"""`chapbook stats`: the counts of a tiny book whose numbers are known, its pages read from the
PDF's bookmarks, the words changed since a git revision, and the errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pypdf
from PIL import Image

from chapbook.commands.stats import pdf_pages, reading_minutes
from chapbook.diagnostics import Diagnostic
from chapbook.read.manuscript import read_book

ROOT = Path(__file__).resolve().parent.parent

ONE = """\
---
title: One
---
Alpha beta, gamma's sun-drenched delta.[^1]

* * *

![A map](../images/map.png)

Second paragraph here.

[^1]: Note words.
"""
# Words: "One" (title) 1 + 5 + 3 + the note's 2 = 11 (the note's call and number are not text).
# Characters, spaces left out: 3 + 35 + 20 + 10 = 68. Paragraphs: 2 (not the image's, not
# the note's). Footnotes 1, images 1.
TWO = "# Two\n\nOne two three four five.\n\n- a list item\n- another one\n"
# Words 1 + 5 + 3 + 2 = 11; characters 3 + 20 + 9 + 10 = 42; paragraphs 1.
THREE = "# Three\n\n" + "lorem " * 357 + "\n"
# Words 358: 1.504 minutes, 2 rounded; characters 5 + 5 x 357 = 1,790.


def run(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(ROOT / "build.py"), *args]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False, env=env)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def tiny_book(folder: Path) -> Path:
    write(folder / "book.toml", '[book]\ntitle = "Tiny"\nlanguage = "en"\n')
    write(folder / "chapters/01-one.md", ONE)
    write(folder / "chapters/02-two.md", TWO)
    write(folder / "chapters/03-three.md", THREE)
    (folder / "images").mkdir()
    Image.new("RGB", (600, 400), "white").save(folder / "images/map.png")
    return folder


def git(*args: str, cwd: Path) -> None:
    identity = ["-c", "user.name=Author", "-c", "user.email=author@example.org"]
    subprocess.run(["git", *identity, *args], cwd=cwd, check=True, capture_output=True)


def test_stats_counts_what_the_reader_reads(tmp_path: Path) -> None:
    tiny_book(tmp_path / "book")
    result = run("stats", "-m", "book", "-o", "dist", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stderr == ""
    assert result.stdout.splitlines() == [
        "chapter   words  characters  paragraphs  footnotes  images  reading  pages",
        "1. One       11          68           2          1       1    0 min      -",
        "2. Two       11          42           1          0       0    0 min      -",
        "3. Three    358       1,790           1          0       0    2 min      -",
        "total       380       1,900           4          1       1    2 min      -",
    ]


def test_stats_reads_each_chapters_pages_from_the_pdf_bookmarks(tmp_path: Path) -> None:
    tiny_book(tmp_path / "book")
    built = run("-m", "book", "-o", "dist", "-q", "pdf", cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    pdf = pypdf.PdfReader(tmp_path / "dist/tiny.pdf")
    starts = [pdf.get_destination_page_number(entry) for entry in pdf.outline]
    # Contents, then each chapter on a right-hand page, then the colophon on the last page.
    assert (starts, len(pdf.pages)) == ([4, 6, 8, 10], 14)
    result = run("stats", "-m", "book", "-o", "dist", cwd=tmp_path)
    assert [line.split()[-1] for line in result.stdout.splitlines()] == [
        "pages",
        "2",  # its page and the blank left-hand page before chapter 2
        "2",
        "3",  # up to the colophon
        "14",  # the whole PDF
    ]


def test_stats_since_counts_words_added_and_removed_in_git(tmp_path: Path) -> None:
    tiny_book(tmp_path / "book")
    git("init", "-q", cwd=tmp_path)
    git("add", ".", cwd=tmp_path)
    git("commit", "-q", "-m", "first", cwd=tmp_path)
    changed = ONE.replace("Second paragraph here.", "Second long paragraph there.")
    write(tmp_path / "book/chapters/01-one.md", changed)
    write(tmp_path / "book/chapters/04-four.md", "# Four\n\nFive new words right here.\n")
    result = run("stats", "-m", "book", "--since", "HEAD", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "chapter   words  characters  paragraphs  footnotes  images  reading  pages"
        "  added  removed",
        "1. One       12          73           2          1       1    0 min      -"
        "     +2       -1",
        "2. Two       11          42           1          0       0    0 min      -"
        "     +0       -0",
        "3. Three    358       1,790           1          0       0    2 min      -"
        "     +0       -0",
        "4. Four       6          26           1          0       0    0 min      -"
        "     +6       -0",
        "total       387       1,931           5          1       1    2 min      -"
        "     +8       -1",
    ]


def test_stats_since_a_bad_revision(tmp_path: Path) -> None:
    tiny_book(tmp_path / "book")
    git("init", "-q", cwd=tmp_path)
    result = run("stats", "-m", "book", "--since", "no-such-tag", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "book: 'no-such-tag' is not a revision of this git repository"
    ]
    assert result.stdout == ""


def test_stats_since_outside_a_git_repository(tmp_path: Path) -> None:
    tiny_book(tmp_path / "book")
    env = {**os.environ, "GIT_CEILING_DIRECTORIES": str(tmp_path)}
    result = run("stats", "-m", "book", "--since", "HEAD", cwd=tmp_path, env=env)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "book: --since needs a git repository; this is not in one"
    ]


def test_stats_since_without_git(tmp_path: Path) -> None:
    tiny_book(tmp_path / "book")
    env = {**os.environ, "PATH": str(tmp_path / "no-programs-here")}
    result = run("stats", "-m", "book", "--since", "HEAD", cwd=tmp_path, env=env)
    assert result.returncode == 1
    assert result.stderr.splitlines() == ["book: --since needs git, which is not installed"]


def test_stats_of_a_broken_book_names_its_errors(tmp_path: Path) -> None:
    write(tmp_path / "book/book.toml", '[book]\ntitle = "Tiny"\n')
    write(tmp_path / "book/chapters/01-one.md", "# One\n\nText.\n")
    result = run("stats", "-m", "book", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "book/book.toml: [book] needs 'language'",
        "stats failed: 1 error",
    ]


def test_reading_time_is_rounded_half_up_at_238_words_a_minute() -> None:
    assert [reading_minutes(n) for n in (0, 118, 119, 238, 356, 357, 358)] == [0, 0, 1, 1, 1, 2, 2]


def test_stats_since_follows_a_renamed_chapter_and_lists_a_deleted_one(tmp_path: Path) -> None:
    tiny_book(tmp_path / "book")
    git("init", "-q", cwd=tmp_path)
    git("add", ".", cwd=tmp_path)
    git("commit", "-q", "-m", "first", cwd=tmp_path)
    chapters = tmp_path / "book/chapters"
    (chapters / "02-two.md").unlink()
    three = (chapters / "03-three.md").read_text()
    (chapters / "03-three.md").unlink()
    write(chapters / "02-three.md", three + "\nA new closing line.\n")
    result = run("stats", "-m", "book", "--since", "HEAD", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "chapter       words  characters  paragraphs  footnotes  images  reading  pages"
        "  added  removed",
        "1. One           11          68           2          1       1    0 min      -"
        "     +0       -0",
        "2. Three        362       1,806           2          0       0    2 min      -"
        "     +4       -0",
        "deleted: Two      -           -           -          -       -        -      -"
        "     +0      -11",
        "total           373       1,874           4          1       1    2 min      -"
        "     +4      -11",
    ]


def test_stats_says_when_the_pdf_is_older_than_the_book(tmp_path: Path) -> None:
    tiny_book(tmp_path / "book")
    built = run("-m", "book", "-o", "dist", "-q", "pdf", cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    fresh = run("stats", "-m", "book", "-o", "dist", cwd=tmp_path)
    assert fresh.stderr == ""
    made = (tmp_path / "dist/tiny.pdf").stat().st_mtime
    os.utime(tmp_path / "book/chapters/02-two.md", (made + 60, made + 60))
    stale = run("stats", "-m", "book", "-o", "dist", cwd=tmp_path)
    assert stale.returncode == 0
    assert stale.stderr.splitlines() == [
        "dist/tiny.pdf: warning: the pages are counted in this PDF, which is older than "
        "book/chapters/02-two.md: build the PDF again for the pages of the book as it is now"
    ]
    assert stale.stdout == fresh.stdout  # the pages are still shown, as they were counted
    (tmp_path / "book/.git").mkdir()  # a commit is no change to the book
    (tmp_path / "book/.git/index").write_text("")
    os.utime(tmp_path / "book/chapters/02-two.md", (made - 60, made - 60))
    assert run("stats", "-m", "book", "-o", "dist", cwd=tmp_path).stderr == ""


def test_stats_warns_when_the_pdf_cannot_be_read(tmp_path: Path) -> None:
    tiny_book(tmp_path / "book")
    write(tmp_path / "dist/tiny.pdf", "not a PDF")
    book = read_book(tmp_path / "book")
    heard: list[Diagnostic] = []

    pages = pdf_pages(book, tmp_path / "dist/tiny.pdf", heard.append)

    assert pages == ([None, None, None], None)
    assert [(d.code, d.message.split(" (")[0]) for d in heard] == [
        ("W222", "can't read its bookmarks")
    ]
    assert "tiny.pdf" not in heard[0].message, "the file is named once, by the diagnostic"
