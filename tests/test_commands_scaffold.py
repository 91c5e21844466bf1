"""`chapbook init DIR` and `chapbook new TITLE`: the files they write, book.toml edited as text
with its comments kept, the numbering, and their refusals."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

from warm_epubcheck import epubcheck_messages

from chapbook.config.load import load_config
from chapbook.config.options import SCHEMA
from chapbook.read.manuscript import read_book
from chapbook.read.styles import DEFAULT_STYLES

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(ROOT / "build.py"), *args]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def files(folder: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_init_prints_what_it_made(tmp_path: Path) -> None:
    result = run("init", "my-first_novel", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stderr == ""
    assert result.stdout.splitlines() == [
        "created my-first_novel/manuscript/book.toml",
        "created my-first_novel/manuscript/chapters/01-first-chapter.md",
        "created my-first_novel/styles/print.css",
        "created my-first_novel/styles/epub.css",
        "created my-first_novel/.gitignore",
        "build it: chapbook -m my-first_novel/manuscript -o my-first_novel/dist",
    ]
    assert sorted(files(tmp_path / "my-first_novel")) == [
        ".gitignore",
        "manuscript/book.toml",
        "manuscript/chapters/01-first-chapter.md",
        "styles/epub.css",
        "styles/print.css",
    ]
    assert (tmp_path / "my-first_novel/.gitignore").read_text() == "dist/\n.chapbook-cache/\n"


def test_init_sets_title_date_and_language_and_nothing_else(tmp_path: Path) -> None:
    run("init", "my-first_novel", cwd=tmp_path)
    toml = tmp_path / "my-first_novel/manuscript/book.toml"
    text = toml.read_text(encoding="utf-8")
    set_lines = [line for line in text.splitlines() if re.match(r"[\w\[]", line)]
    assert set_lines == [
        "[book]                             # title and language are required",
        'title = "My First Novel"',
        'language = "en"                    # a BCP 47 tag (en, en-GB, fr, de-CH...); it also sets',
        f'date = "{date.today().isoformat()}"                # ISO date; it also fixes the '
        "build's timestamps",
    ]
    config = load_config(toml, "book.toml")
    assert (config.book.title, config.book.language) == ("My First Novel", "en")
    assert config.book.date == date.today()
    assert config.contents is None
    defaults = load_config(
        write(tmp_path / "min.toml", '[book]\ntitle = "X"\nlanguage = "en"\n'), ""
    )
    assert (config.print, config.booklet, config.epub, config.build) == (
        defaults.print,
        defaults.booklet,
        defaults.epub,
        defaults.build,
    )


def test_init_names_every_key_and_its_examples_are_valid(tmp_path: Path) -> None:
    run("init", "book", cwd=tmp_path)
    text = (tmp_path / "book/manuscript/book.toml").read_text(encoding="utf-8")
    for table, keys in SCHEMA.items():
        assert re.search(rf"^(# )?\[{table}\]", text, re.MULTILINE), table
        for key in keys:
            assert re.search(rf"^(# )?{key} = ", text, re.MULTILINE), f"[{table}] {key}"
    # Every commented key, uncommented, is a value book.toml accepts; the commented defaults
    # are Chapbook's defaults.
    uncommented = re.sub(r"^# (?=\[|[\w-]+ = )", "", text, flags=re.MULTILINE)
    config = load_config(write(tmp_path / "all.toml", uncommented), "all.toml")
    assert config.contents is not None
    assert config.contents.chapters == ("chapters/01-first-chapter.md",)
    assert (config.print.trim.name, config.print.margins.inside) == ("A5", 19.0)
    assert (config.print.variant, config.print.opening, config.print.half_title) == (
        None,
        "small-caps",
        True,
    )
    assert config.booklet.duplex == "short-edge"
    assert config.build.allow_remote is False


def test_init_writes_a_first_chapter_that_shows_the_markdown(tmp_path: Path) -> None:
    run("init", "book", cwd=tmp_path)
    text = (tmp_path / "book/manuscript/chapters/01-first-chapter.md").read_text()
    assert text.startswith(
        '---\ntitle: "The First Chapter"\n'
        'epigraph: "Every book begins with a single sentence."\n'
        'epigraph-source: "*An Old Saying*"\n---\n'
    )
    (chapter,) = read_book(tmp_path / "book/manuscript").chapters
    assert chapter.title == "The First Chapter"
    assert (
        chapter.epigraph_source is not None and "<em>An Old Saying</em>" in chapter.epigraph_source
    )
    assert "<em>italics</em>" in chapter.body
    assert "<strong>bold</strong>" in chapter.body
    assert "“Straight quotes”" in chapter.body
    assert '<hr class="scene-break"/>' in chapter.body
    assert chapter.body.count('role="doc-footnote"') == 1
    assert '<h2 id="a-section">A Section</h2>' in chapter.body


def test_init_styles_are_the_defaults_the_reader_loads_instead(tmp_path: Path) -> None:
    run("init", "book", cwd=tmp_path)
    book = read_book(tmp_path / "book/manuscript")
    for name, loaded in (("print.css", book.styles.print), ("epub.css", book.styles.epub)):
        own = (tmp_path / "book/styles" / name).read_text(encoding="utf-8")
        assert own.startswith(f"/* This book's own {name}. Chapbook uses it instead of")
        assert own.endswith((DEFAULT_STYLES / name).read_text(encoding="utf-8"))
        assert loaded == own


def test_the_new_book_builds_and_epubcheck_passes(tmp_path: Path) -> None:
    run("init", "book", cwd=tmp_path)
    run("new", "A Second Chapter", "-m", "book/manuscript", cwd=tmp_path)
    result = run("-m", "book/manuscript", "-o", "book/dist", "epub", "pdf", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert sorted(files(tmp_path / "book/dist")) == ["book.epub", "book.pdf"]
    assert epubcheck_messages(tmp_path / "book/dist/book.epub") == []


def test_init_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    write(tmp_path / "book/notes.txt", "mine")
    result = run("init", "book", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines() == ["book: already exists and is not empty"]
    assert result.stdout == ""
    assert files(tmp_path / "book") == {"notes.txt": b"mine"}


def test_init_refuses_a_file(tmp_path: Path) -> None:
    write(tmp_path / "book", "mine")
    result = run("init", "book", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines() == ["book: already exists and is not a folder"]


def test_init_in_an_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    assert run("init", "empty", "-q", cwd=tmp_path).stdout == ""
    assert (tmp_path / "empty/manuscript/book.toml").is_file()


LISTED = """\
# My book.
[book]
title = "Listed"   # the working title
language = "en"

[contents]
# In reading order:
chapters = [
    "chapters/01-one.md",   # the start
    "chapters/02-two.md",   # the middle
]  # end of the list

[print]
trim = "A5"
"""


def listed_book(folder: Path, toml: str = LISTED) -> Path:
    write(folder / "book.toml", toml)
    write(folder / "chapters/01-one.md", "# One\n\nText.\n")
    write(folder / "chapters/02-two.md", "# Two\n\nText.\n")
    return folder


def test_new_adds_a_chapter_and_lists_it_keeping_comments(tmp_path: Path) -> None:
    listed_book(tmp_path / "m")
    result = run("new", "The Café: Part “3”", "-m", "m", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.splitlines() == [
        "m/chapters/03-the-cafe-part-3.md",
        "m/book.toml: added to [contents] chapters",
    ]
    assert (tmp_path / "m/book.toml").read_text() == LISTED.replace(
        '    "chapters/02-two.md",   # the middle\n',
        '    "chapters/02-two.md",   # the middle\n    "chapters/03-the-cafe-part-3.md",\n',
    )
    assert (tmp_path / "m/chapters/03-the-cafe-part-3.md").read_text() == (
        '---\ntitle: "The Café: Part “3”"\n---\n\nWrite this chapter here.\n'
    )
    titles = [chapter.title for chapter in read_book(tmp_path / "m").chapters]
    assert titles == ["One", "Two", "The Café: Part “3”"]


def test_new_adds_a_comma_to_a_last_item_without_one(tmp_path: Path) -> None:
    toml = LISTED.replace('02-two.md",   # the middle', '02-two.md"   # the middle')
    listed_book(tmp_path / "m", toml)
    assert run("new", "Three", "-m", "m", cwd=tmp_path).returncode == 0
    assert (tmp_path / "m/book.toml").read_text() == toml.replace(
        '    "chapters/02-two.md"   # the middle\n',
        '    "chapters/02-two.md",   # the middle\n    "chapters/03-three.md"\n',
    )


def test_new_in_a_one_line_list(tmp_path: Path) -> None:
    toml = '[book]\ntitle = "T"\nlanguage = "en"\n[contents]\nchapters = ["chapters/01-one.md", "chapters/02-two.md"]  # all\n'  # noqa: E501
    listed_book(tmp_path / "m", toml)
    assert run("new", "Three", "-m", "m", cwd=tmp_path).returncode == 0
    assert (tmp_path / "m/book.toml").read_text() == toml.replace(
        '02-two.md"]', '02-two.md", "chapters/03-three.md"]'
    )


def test_new_keeps_crlf_line_ends(tmp_path: Path) -> None:
    toml = LISTED.replace("\n", "\r\n")
    listed_book(tmp_path / "m", toml)
    assert run("new", "Three", "-m", "m", cwd=tmp_path).returncode == 0
    assert (tmp_path / "m/book.toml").read_bytes() == toml.replace(
        '    "chapters/02-two.md",   # the middle\r\n',
        '    "chapters/02-two.md",   # the middle\r\n    "chapters/03-three.md",\r\n',
    ).encode()


def test_new_leaves_contents_without_chapters_alone(tmp_path: Path) -> None:
    """Without `chapters`, [contents] takes chapters/*.md: the new file is one of them."""
    toml = '[book]\ntitle = "T"\nlanguage = "en"\n\n[contents]  # only a foreword\nfront = ["front/foreword.md"]\n'  # noqa: E501
    listed_book(tmp_path / "m", toml)
    write(tmp_path / "m/front/foreword.md", "# Foreword\n\nText.\n")
    assert run("new", "Three", "-m", "m", cwd=tmp_path).returncode == 0
    assert (tmp_path / "m/book.toml").read_text() == toml
    titles = [c.title for c in read_book(tmp_path / "m").chapters]
    assert titles == ["Foreword", "One", "Two", "Three"]


def test_new_after_09_comes_10_and_book_toml_without_contents_is_left_alone(
    tmp_path: Path,
) -> None:
    toml = write(tmp_path / "m/book.toml", '[book]\ntitle = "T"\nlanguage = "en"\n')
    for number in range(1, 10):
        write(tmp_path / f"m/chapters/{number:02d}-c.md", f"# C{number}\n\nText.\n")
    result = run("new", "Ten", "-m", "m", cwd=tmp_path)
    assert result.stdout.splitlines() == ["m/chapters/10-ten.md"]
    assert toml.read_text() == '[book]\ntitle = "T"\nlanguage = "en"\n'
    assert read_book(tmp_path / "m").chapters[-1].title == "Ten"


def test_new_in_a_new_book_is_02(tmp_path: Path) -> None:
    run("init", "book", cwd=tmp_path)
    result = run("new", "  The   Next  ", "-m", "book/manuscript", cwd=tmp_path)
    assert result.stdout.splitlines() == ["book/manuscript/chapters/02-the-next.md"]
    text = (tmp_path / "book/manuscript/chapters/02-the-next.md").read_text()
    assert text.startswith('---\ntitle: "The Next"\n---\n')


def test_new_refuses_an_empty_title(tmp_path: Path) -> None:
    listed_book(tmp_path / "m")
    before = files(tmp_path / "m")
    result = run("new", "  ", "-m", "m", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines() == ["m: a new chapter needs a title"]
    assert files(tmp_path / "m") == before


def test_new_refuses_an_existing_file(tmp_path: Path) -> None:
    listed_book(tmp_path / "m")
    (tmp_path / "m/chapters/03-three.md").mkdir()  # not a chapter file, but its name is taken
    before = files(tmp_path / "m")
    result = run("new", "Three", "-m", "m", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines() == ["m/chapters/03-three.md: already exists"]
    assert files(tmp_path / "m") == before


def test_new_reports_a_broken_book_toml(tmp_path: Path) -> None:
    write(tmp_path / "m/book.toml", '[book]\ntitle = "T\n')
    result = run("new", "Three", "-m", "m", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "m/book.toml:2: TOML syntax error: Illegal character '\\n'"
    ]
    assert not (tmp_path / "m/chapters").exists()


TAKEN = "is here already: give the new one another title"


def test_new_refuses_a_title_a_chapter_already_has(tmp_path: Path) -> None:
    """tests/books/new-title-taken: 'The Storm' in front matter, 'Preface' a heading after a
    comment in the front matter [contents] lists; 'The Lighthouse' only in a code block."""
    shutil.copytree(ROOT / "tests/books/new-title-taken", tmp_path / "m")
    before = files(tmp_path / "m")
    for title, refusal in [
        ("The  storm!", f"m/chapters/01-the-storm.md:2: a chapter titled 'The Storm' {TAKEN}"),
        ("PREFACE", f"m/front/preface.md:2: a chapter titled 'Preface' {TAKEN}"),
    ]:
        result = run("new", title, "-m", "m", cwd=tmp_path)
        assert (result.returncode, result.stderr.splitlines()) == (1, [refusal])
        assert files(tmp_path / "m") == before
    result = run("new", "The Lighthouse", "-m", "m", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["m/chapters/03-the-lighthouse.md"]
