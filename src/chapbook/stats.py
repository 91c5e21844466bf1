"""`chapbook stats`: how long each chapter is, counted in the Book the reader builds (what a
reader sees, not Markdown), its pages in the last print PDF, and with `--since REV` the words
added and removed since a git revision."""

from __future__ import annotations

import difflib
import io
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, fields
from pathlib import Path

from lxml import etree
from pypdf.errors import PyPdfError
from pypdf.generic import Destination

from chapbook.errors import BookError, BookErrors
from chapbook.markup import parse_fragment
from chapbook.model import Book, Chapter
from chapbook.pdfread import LazyReader
from chapbook.pipeline import output_path
from chapbook.reader import shown

WORDS_PER_MINUTE = 238
WORD = re.compile(r"\w+(?:[-'’]\w+)*")
"""A word: letters or digits, held together by hyphens and apostrophes (it's, sun-drenched)."""
SKIPPED = {"footnote-ref", "note-number"}
"""Classes of what is not read as text: note calls and the numbers that open notes."""
BLOCKS = {
    "address", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption", "figure",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "li", "ol", "p", "pre", "section", "table",
    "td", "th", "tr", "ul",
}  # fmt: skip
"""Elements whose text is apart from the text around them."""
TITLE_LENGTH = 40
FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?\r?\n)---[ \t]*(\r?\n|\Z)", re.DOTALL)
KEYS = re.compile(r"^[\w-]+:", re.MULTILINE)
MARKDOWN_TARGETS = re.compile(r"\]\([^)]*\)|\[\^[^\]]*\]:?")
"""Link and image targets, footnote labels: Markdown that is not words of the text."""


@dataclass(frozen=True)
class Counts:
    """What one chapter holds, as the reader sees it."""

    words: int
    characters: int
    """Letters, digits and punctuation: every character but spaces."""
    paragraphs: int
    footnotes: int
    images: int


@dataclass(frozen=True)
class Row:
    label: str
    counts: Counts
    pages: int | None
    changes: tuple[int, int] | None = None
    """Words added and removed since the revision given with --since."""


def chapter_counts(chapter: Chapter) -> Counts:
    """The chapter's numbers: its title, epigraph, text and notes (not the note calls)."""
    parts = [parse_fragment(chapter.body)]
    parts += [parse_fragment(html) for html in (chapter.epigraph, chapter.epigraph_source) if html]
    text = " ".join([chapter.title, *("".join(element_text(part)) for part in parts)])
    body = parts[0]
    return Counts(
        words=len(WORD.findall(text)),
        characters=sum(not char.isspace() for char in text),
        paragraphs=sum(1 for p in body.iter(xhtml("p")) if is_paragraph(p)),
        footnotes=sum(1 for e in body.iter() if e.get("role") == "doc-footnote"),
        images=sum(1 for part in parts for _ in part.iter(xhtml("img"))),
    )


def xhtml(name: str) -> str:
    return f"{{http://www.w3.org/1999/xhtml}}{name}"


def local(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def element_text(element: etree._Element) -> Iterator[str]:
    """The text the reader reads in `element`, blocks kept apart by spaces."""
    if element.get("class") in SKIPPED or not isinstance(element.tag, str):
        return
    block = local(element) in BLOCKS
    yield " " if block else ""
    yield element.text or ""
    for child in element:
        yield from element_text(child)
        yield child.tail or ""
    yield " " if block else ""


def is_paragraph(p: etree._Element) -> bool:
    """A `<p>` of the text with words in it (not a note's, not one holding only an image)."""
    in_notes = any(a.get("role") == "doc-footnote" for a in p.iterancestors())
    return not in_notes and bool("".join(element_text(p)).strip())


def reading_minutes(words: int) -> int:
    """Minutes to read `words` at WORDS_PER_MINUTE, rounded (half up) to the minute."""
    return (2 * words + WORDS_PER_MINUTE) // (2 * WORDS_PER_MINUTE)


def pdf_pages(
    book: Book, pdf: Path, warn: Callable[[BookError], None]
) -> tuple[list[int | None], int | None]:
    """Each chapter's pages in the print PDF (from its first page to the next bookmarked
    part's, the last chapter's to the colophon) and the PDF's page count; Nones if there is
    no PDF or a chapter has no bookmark in it."""
    nothing: list[int | None] = [None] * len(book.chapters)
    if not pdf.is_file():
        return nothing, None
    try:
        reader = LazyReader(io.BytesIO(pdf.read_bytes()))
        total = len(reader.pages)
        starts = [
            (normal(str(entry.title)), page)
            for entry in reader.outline
            if isinstance(entry, Destination)
            and (page := reader.get_destination_page_number(entry)) is not None
        ]
    except (PyPdfError, OSError, ValueError, KeyError, TypeError) as error:
        warn(BookError(shown(pdf), f"can't read its bookmarks ({error})", warning=True))
        return nothing, None
    return chapter_pages(book.chapters, starts, total), total


def chapter_pages(
    chapters: Sequence[Chapter], starts: list[tuple[str, int]], total: int
) -> list[int | None]:
    """Each chapter's pages, from the bookmarks' (title, first page) in order: each chapter
    takes the next bookmark of its title."""
    pages: list[int | None] = []
    index = 0
    for chapter in chapters:
        found = next(
            (i for i in range(index, len(starts)) if starts[i][0] == normal(chapter.title)), None
        )
        if found is None:
            pages.append(None)
            continue
        index = found + 1
        end = starts[index][1] if index < len(starts) else total - 1
        pages.append(max(end - starts[found][1], 1))
    return pages


def normal(title: str) -> str:
    """A title as compared with a bookmark's: its letters and digits (the bookmark's quotation
    marks and spaces may be the typographer's)."""
    return "".join(char for char in title.casefold() if char.isalnum())


def label(chapter: Chapter) -> str:
    """The chapter as the table names it: its number and title, cut short."""
    title = chapter.title
    if len(title) > TITLE_LENGTH:
        title = title[: TITLE_LENGTH - 1].rstrip() + "…"
    return title if chapter.number is None else f"{chapter.number}. {title}"


def word_changes(book: Book, manuscript: Path, revision: str) -> list[tuple[int, int]]:
    """Words added and removed in each chapter's file since `revision` (git); a file that
    was not there counts all its words as added. BookErrors without git or the revision."""
    commit = git_commit(manuscript, revision)
    changes = []
    for chapter in book.chapters:
        path = Path(chapter.source)
        now = source_words(path.read_bytes().decode("utf-8-sig", errors="replace"))
        old = git(["show", f"{commit}:./{path.name}"], path.parent)
        before = [] if old.returncode else source_words(old.stdout.decode("utf-8-sig", "replace"))
        changes.append(diff_counts(before, now))
    return changes


def git_commit(manuscript: Path, revision: str) -> str:
    """The commit `revision` names in the repository holding `manuscript`."""
    place = shown(manuscript)
    if shutil.which("git") is None:
        raise BookErrors([BookError(place, "--since needs git, which is not installed")])
    if git(["rev-parse", "--is-inside-work-tree"], manuscript).returncode:
        raise BookErrors([BookError(place, "--since needs a git repository; this is not in one")])
    arguments = ["rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}"]
    found = None if revision.startswith("-") else git(arguments, manuscript)
    if found is None or found.returncode:
        message = f"'{revision}' is not a revision of this git repository"
        raise BookErrors([BookError(place, message)])
    return found.stdout.decode().strip()


def git(arguments: list[str], folder: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        ["git", *arguments], cwd=folder, capture_output=True, check=False, timeout=60
    )


def source_words(text: str) -> list[str]:
    """The words of a chapter file: its front matter's values and its Markdown's text, without
    link targets and note labels."""
    match = FRONT_MATTER.match(text)
    if match is not None:
        text = KEYS.sub(" ", match[1]) + text[match.end() :]
    return WORD.findall(MARKDOWN_TARGETS.sub(" ", text))


def diff_counts(before: list[str], after: list[str]) -> tuple[int, int]:
    """Words added and removed between two word lists."""
    added = removed = 0
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for tag, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        if tag != "equal":
            removed += old_end - old_start
            added += new_end - new_start
    return added, removed


def report(
    book: Book,
    manuscript: Path,
    out: Path,
    since: str | None,
    warn: Callable[[BookError], None],
) -> list[str]:
    """The stats table's lines; BookErrors if `since` can't be compared with."""
    changes = None if since is None else word_changes(book, manuscript, since)
    return table(*rows(book, out, changes, warn))


def rows(
    book: Book,
    out: Path,
    changes: list[tuple[int, int]] | None,
    warn: Callable[[BookError], None],
) -> tuple[list[Row], Row]:
    """A row for each chapter, and the total."""
    pages, total_pages = pdf_pages(book, output_path(book, out, "pdf"), warn)
    each_change: list[tuple[int, int] | None] = [*changes] if changes else [None] * len(pages)
    each = [
        Row(label(chapter), chapter_counts(chapter), page, change)
        for chapter, page, change in zip(book.chapters, pages, each_change, strict=True)
    ]
    sums = Counts(*(sum(getattr(row.counts, f.name) for row in each) for f in fields(Counts)))
    total_changes = None
    if changes is not None:
        total_changes = (sum(c[0] for c in changes), sum(c[1] for c in changes))
    return each, Row("total", sums, total_pages, total_changes)


def table(rows: list[Row], total: Row) -> list[str]:
    """The rows as a plain text table, numbers aligned right."""
    since = total.changes is not None
    header = ["chapter", "words", "characters", "paragraphs", "footnotes", "images"]
    header += ["reading", "pages", *(("added", "removed") if since else ())]
    cells = [header, *(row_cells(row, since) for row in [*rows, total])]
    widths = [max(len(line[column]) for line in cells) for column in range(len(header))]
    return [
        "  ".join(
            cell.ljust(width) if column == 0 else cell.rjust(width)
            for column, (cell, width) in enumerate(zip(line, widths, strict=True))
        ).rstrip()
        for line in cells
    ]


def row_cells(row: Row, since: bool) -> list[str]:
    counts = row.counts
    cells = [row.label]
    cells += [f"{n:,}" for n in (counts.words, counts.characters, counts.paragraphs)]
    cells += [f"{n:,}" for n in (counts.footnotes, counts.images)]
    cells += [f"{reading_minutes(counts.words)} min", "-" if row.pages is None else f"{row.pages}"]
    if since and row.changes is not None:
        cells += [f"+{row.changes[0]:,}", f"-{row.changes[1]:,}"]
    return cells
