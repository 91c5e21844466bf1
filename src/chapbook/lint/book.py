"""The lint of a whole book: the reader runs as for a build (its errors and warnings are
findings, with the code and column they were made with), then every check of the code table
runs over the chapters' sources. A book the reader rejects is still read as far as it can
be: a book.toml that does not load gives way to its raw TOML, or to chapters/*.md."""

from __future__ import annotations

import dataclasses
import re
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chapbook.config.load import (
    BookTable,
    CheckTable,
    Config,
    ContentsTable,
    booklet_settings,
    load_config,
    print_settings,
    value_errors,
)
from chapbook.config.values import BCP47
from chapbook.diagnostics import BookErrors, Diagnostic
from chapbook.lint.chapters import (
    heading_skips,
    is_title_only,
    notes_never_referenced,
    raw_html_dashes,
    raw_html_quotes,
    references_without_note,
    title_offset,
)
from chapbook.lint.prose import (
    doubled_words,
    repeated_spaces,
    unbalanced_brackets,
    unbalanced_quotes,
)
from chapbook.lint.source import Block, Hit, Kind, Source
from chapbook.model.book import Chapter
from chapbook.read.chapter import Entry
from chapbook.read.files import Reader, real, shown
from chapbook.read.manuscript import read_files
from chapbook.support.cache import Cache


@dataclass(frozen=True)
class Gathered:
    """What the reader made of the book, and the sources of its files by shown path."""

    config: Config
    raw: dict[str, Any]
    """book.toml as TOML ({} if it is not TOML)."""
    entries: list[Entry]
    chapters: list[Chapter | None]
    reader: Reader
    sources: dict[str, Source]


ChapterCheck = Callable[[Source, str], Iterator[Hit]]
"""A check of one chapter's source (in the book's language)."""
BookCheck = Callable[[Gathered], Iterator[Diagnostic]]

IGNORE_COMMENT = re.compile(r"<!--\s*chapbook:\s*ignore\s+([A-Z0-9, ]+?)\s*-->")


def check_book(manuscript: Path, cache: Path | None = None, jobs: int = 1) -> list[Diagnostic]:
    """Every finding of the lint in the book at `manuscript`, in the book's order, but
    those that `[check] ignore` or an ignore comment silences. Chapters are read as a
    build reads them: in up to `jobs` processes, from the build's `cache` folder when it
    holds them (with the messages they gave)."""
    root = real(manuscript)
    if not root.is_dir():
        return [
            Diagnostic(shown(manuscript), "manuscript folder not found", 1, code="E125", column=1)
        ]
    book = gather(root, Cache(cache), jobs)
    found = {*reader_findings(book), *chapter_findings(book)}
    for check in BOOK_CHECKS:
        found.update(check(book))
    silenced = {path: silences(source) for path, source in book.sources.items()}
    silenced.pop(book.config.source, None)  # book.toml has no ignore comments
    kept = [
        f
        for f in found
        if f.code not in book.config.check.ignore
        and f.code not in silenced.get(str(f.path), {}).get(f.line or 0, ())
    ]
    return sorted(kept, key=in_book_order(book))


def gather(root: Path, cache: Cache, jobs: int) -> Gathered:
    """Read the book as a build does, gathering every error."""
    toml = shown(root / "book.toml")
    config, problems = lenient_config(root / "book.toml", toml)
    reader = Reader(root, config, errors=list(problems))
    entries, chapters, _, _ = read_files(reader, cache, jobs)
    sources = {toml: Source(toml, config.text)}
    for entry in entries:
        text = source_text(entry.path)
        if text is not None:
            sources[shown(entry.path)] = Source(shown(entry.path), text)
    return Gathered(config, raw_toml(config.text), entries, chapters, reader, sources)


def source_text(path: Path) -> str | None:
    """A file's text as the reader reads it; None if it is not UTF-8 (the reader says so)."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def lenient_config(path: Path, source: str) -> tuple[Config, list[Diagnostic]]:
    """book.toml's settings and no error; or, if it does not load, what can be made of it
    and its errors."""
    try:
        return load_config(path, source), []
    except BookErrors as failure:
        return fallback_config(source_text(path) or "", source), failure.errors


def fallback_config(text: str, source: str) -> Config:
    """Settings from a book.toml that does not load: its title, language, [contents] and
    [check] ignore where they are right, defaults for the rest."""
    raw = raw_toml(text)
    book, contents = table(raw, "book"), table(raw, "contents")
    language = book.get("language")
    parts = ("front", "chapters", "back")
    listed = {key: strings(contents.get(key)) for key in parts if strings(contents.get(key))}
    settings = print_settings({}, "", source, [])
    booklet = booklet_settings({}, "", source, [])
    assert settings is not None and booklet is not None  # none is wrong in an empty table
    return Config(
        book=BookTable(
            title=str(book.get("title", "")),
            language=language if isinstance(language, str) and BCP47.fullmatch(language) else "en",
        ),
        contents=ContentsTable(**listed) if listed else None,
        print=settings,
        booklet=booklet,
        source=source,
        text=text,
        check=CheckTable(strings(table(raw, "check").get("ignore"))),
    )


def raw_toml(text: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return {}


def table(raw: dict[str, Any], name: str) -> dict[str, Any]:
    value = raw.get(name)
    return value if isinstance(value, dict) else {}


def strings(value: object) -> tuple[str, ...]:
    """A TOML list of strings as a tuple; () for anything else."""
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return tuple(value)
    return ()


def reader_findings(book: Gathered) -> Iterator[Diagnostic]:
    """The reader's errors and warnings, each with its code and column."""
    for problem in (*book.reader.errors, *book.reader.warnings):
        yield placed(book, problem)


def placed(book: Gathered, problem: Diagnostic) -> Diagnostic:
    """A problem as a finding: at line 1 if it has no line, at the start of its line's text
    if it has no column."""
    path, line = str(problem.path), problem.line or 1
    column = problem.column
    if column is None:
        source = book.sources.get(path)
        column = 1 if source is None else source.column(line, "")
    return dataclasses.replace(problem, path=path, line=line, column=column)


CHAPTER_CHECKS: dict[str, ChapterCheck] = {
    "E104": references_without_note,
    "W202": heading_skips,
    "W205": raw_html_quotes,
    "W206": raw_html_dashes,
    "W207": doubled_words,
    "W208": repeated_spaces,
    "W209": unbalanced_quotes,
    "W210": unbalanced_brackets,
    "W212": notes_never_referenced,
}
"""The checks of each chapter's source, by code."""


def chapter_findings(book: Gathered) -> Iterator[Diagnostic]:
    language = book.config.book.language
    for entry in book.entries:
        source = book.sources.get(shown(entry.path))
        if source is None:
            continue
        for code, check in CHAPTER_CHECKS.items():
            if code not in book.config.check.ignore:
                for hit in check(source, language):
                    yield at(source, hit.offset, code, hit.message)


def at(source: Source, offset: int, code: str, message: str) -> Diagnostic:
    line, column = source.place(offset)
    return Diagnostic(source.path, message, line, code=code, column=column)


def chapters_with_sources(book: Gathered) -> Iterator[tuple[Chapter, Source]]:
    for chapter in book.chapters:
        source = None if chapter is None else book.sources.get(chapter.source)
        if chapter is not None and source is not None:
            yield chapter, source


def title_only(book: Gathered) -> Iterator[Diagnostic]:
    for chapter, source in chapters_with_sources(book):
        if source.blocks and is_title_only(chapter):
            yield at(source, title_offset(source), "W203", "chapter has no text but its title")


def duplicate_titles(book: Gathered) -> Iterator[Diagnostic]:
    first: dict[str, str] = {}
    for chapter, source in chapters_with_sources(book):
        key = chapter.title.casefold()
        if key and key in first:
            message = f"title '{chapter.title}' is also the title of {first[key]}"
            yield at(source, title_offset(source), "W204", message)
        first.setdefault(key, source.path)


def book_values(book: Gathered) -> Iterator[Diagnostic]:
    """The language's form (E108) and the ISBNs' checksums (E107), by config/load.py's own
    check, also when book.toml does not load for another reason (config/load.py then stops
    before it)."""
    raw_book = table(book.raw, "book")
    isbns = (raw_book.get("isbn"), table(book.raw, "print").get("isbn"))
    config = book.config
    for problem in value_errors(raw_book.get("language"), isbns, config.text, config.source):
        yield placed(book, problem)


BOOK_CHECKS: tuple[BookCheck, ...] = (title_only, duplicate_titles, book_values)
"""The checks that look at the whole book: W203, W204, E107 and E108 (W211 is the reader's)."""


def silences(source: Source) -> dict[int, set[str]]:
    """The codes silenced on each line of a block: those an `<!-- chapbook: ignore CODE
    ... -->` names in the block, or in a raw HTML block just before it."""
    lines: dict[int, set[str]] = {}
    previous: Block | None = None
    for block in source.blocks:
        codes = {
            code
            for holder in (previous, block)
            if holder is not None
            for names in IGNORE_COMMENT.findall(holder.text)
            for code in names.replace(",", " ").split()
        }
        first = source.place(block.start)[0]
        for line in range(first, first + block.text.count("\n") + 1):
            lines.setdefault(line, codes)
        previous = block if block.kind is Kind.HTML else None
    return lines


def in_book_order(
    book: Gathered,
) -> Callable[[Diagnostic], tuple[int, str, int, int, str]]:
    """Findings' order: book.toml, the chapters in reading order, other files by name."""
    rank = {book.config.source: 0}
    for entry in book.entries:
        rank.setdefault(shown(entry.path), len(rank))
    return lambda f: (
        rank.get(str(f.path), len(rank)),
        str(f.path),
        f.line or 0,
        f.column or 0,
        f.code,
    )
