"""`chapbook stats`: how long each chapter is, counted in the Book the reader builds (what a
reader sees, not Markdown), its pages in the last print PDF, and with `--since REV` the words
added and removed since a git revision."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, fields
from pathlib import Path

import pikepdf
from lxml import etree

from chapbook.commands.options import book_options
from chapbook.commands.report import failed, ignore, print_warning, refused
from chapbook.diagnostics import BookErrors, Diagnostic
from chapbook.model.book import Book, Chapter
from chapbook.model.fragments import WORD, XHTML, local, parse_fragment
from chapbook.pipeline import output_path
from chapbook.read.files import shown
from chapbook.read.manuscript import read_book
from chapbook.redline.compare import compare
from chapbook.redline.versions import named, since

WORDS_PER_MINUTE = 238
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
    counts: Counts | None
    """None for a chapter deleted since the revision given with --since."""
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
        paragraphs=sum(1 for p in body.iter(f"{XHTML}p") if is_paragraph(p)),
        footnotes=sum(1 for e in body.iter() if e.get("role") == "doc-footnote"),
        images=sum(1 for part in parts for _ in part.iter(f"{XHTML}img")),
    )


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
    book: Book, pdf: Path, warn: Callable[[Diagnostic], None]
) -> tuple[list[int | None], int | None]:
    """Each chapter's pages in the print PDF (from its first page to the next bookmarked
    part's, the last chapter's to the colophon) and the PDF's page count; Nones if there is
    no PDF or a chapter has no bookmark in it."""
    nothing: list[int | None] = [None] * len(book.chapters)
    if not pdf.is_file():
        return nothing, None
    try:
        with pikepdf.open(pdf) as document:
            total = len(document.pages)
            starts = bookmark_starts(document)
    except (pikepdf.PdfError, OSError, ValueError, KeyError, TypeError) as error:
        reason = str(error).removeprefix(f"{pdf}: ")  # qpdf names the file first
        warn(Diagnostic(shown(pdf), f"can't read its bookmarks ({reason})", code="W222"))
        return nothing, None
    return chapter_pages(book.chapters, starts, total), total


def bookmark_starts(document: pikepdf.Pdf) -> list[tuple[str, int]]:
    """The top-level bookmarks' (title as `normal`, 0-based page) in order, those whose
    destination is a page of the document."""
    index = {page.obj.objgen: number for number, page in enumerate(document.pages)}
    outlines = document.Root.get("/Outlines")
    item = outlines.get("/First") if isinstance(outlines, pikepdf.Dictionary) else None
    starts, seen = [], set()
    while isinstance(item, pikepdf.Dictionary) and item.objgen not in seen:
        seen.add(item.objgen)
        target = destination(document, item)
        page = target[0] if isinstance(target, pikepdf.Array) and len(target) else None
        if isinstance(page, pikepdf.Dictionary) and page.objgen in index:
            starts.append((normal(str(item.get("/Title", ""))), index[page.objgen]))
        item = item.get("/Next")
    return starts


def destination(document: pikepdf.Pdf, item: pikepdf.Dictionary) -> object:
    """A bookmark's destination (its /Dest, or its GoTo action's), a name looked up in the
    document's named destinations."""
    target = item.get("/Dest")
    action = item.get("/A")
    if target is None and isinstance(action, pikepdf.Dictionary) and action.get("/S") == "/GoTo":
        target = action.get("/D")
    if isinstance(target, pikepdf.String):
        names = document.Root.get("/Names")
        tree = names.get("/Dests") if isinstance(names, pikepdf.Dictionary) else None
        found = pikepdf.NameTree(tree).get(str(target)) if tree is not None else None
        target = found
    elif isinstance(target, pikepdf.Name):
        dests = document.Root.get("/Dests")
        target = dests.get(target) if isinstance(dests, pikepdf.Dictionary) else None
    if isinstance(target, pikepdf.Dictionary):
        target = target.get("/D")
    return target


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


def word_changes(
    book: Book, manuscript: Path, revision: str
) -> tuple[list[tuple[int, int]], list[Row]]:
    """Words added and removed in each chapter since the git `revision`, compared as the
    redline compares them (a renamed file with its old self, a new one all added), and a row
    for each chapter deleted since. BookErrors without git, the revision or an old book."""
    changes = compare(since(manuscript, revision).chapters, named(book, manuscript))
    found = {c.position: (c.added, c.deleted) for c in changes if c.state != "deleted"}
    deleted = [
        Row(f"deleted: {change.title}", None, None, (0, change.deleted))
        for change in changes
        if change.state == "deleted"
    ]
    return [found.get(n, (0, 0)) for n in range(1, len(book.chapters) + 1)], deleted


def report(
    book: Book,
    manuscript: Path,
    out: Path,
    since: str | None,
    warn: Callable[[Diagnostic], None],
) -> list[str]:
    """The stats table's lines; BookErrors if `since` can't be compared with. `warn` hears
    when the pages come from a PDF older than a file of the book."""
    stale = stale_pdf(output_path(book, out, "pdf"), manuscript, out)
    if stale is not None:
        warn(stale)
    if since is None:
        return table(*rows(book, out, None, [], warn))
    return table(*rows(book, out, *word_changes(book, manuscript, since), warn))


def stale_pdf(pdf: Path, manuscript: Path, out: Path) -> Diagnostic | None:
    """A warning when `pdf` is older than a file of the book (the manuscript folder and
    its styles, hidden files and the outputs apart): its pages may not be the book's now."""
    try:
        built = pdf.stat().st_mtime_ns
    except OSError:
        return None
    changed = newer_source(manuscript, out, built)
    if changed is None:
        return None
    message = (
        f"the pages are counted in this PDF, which is older than {shown(changed)}: build the "
        "PDF again for the pages of the book as it is now"
    )
    return Diagnostic(shown(pdf), message, code="W222")


def newer_source(manuscript: Path, out: Path, than: int) -> Path | None:
    """A file of the book changed after the time `than` (nanoseconds), if there is one."""
    outputs = out.resolve()
    for path in book_files(manuscript):
        where = path.resolve()
        if where != outputs and outputs not in where.parents and modified(path) > than:
            return path
    return None


def book_files(manuscript: Path) -> Iterator[Path]:
    """The files in the manuscript folder and in the book's styles folder beside it, but
    hidden ones and those in hidden folders (.git)."""
    for folder in (manuscript, manuscript.parent / "styles"):
        for path in sorted(folder.rglob("*")) if folder.is_dir() else ():
            hidden = any(part.startswith(".") for part in path.relative_to(folder).parts)
            if not hidden and path.is_file():
                yield path


def modified(path: Path) -> int:
    """When the file `path` was last changed, in nanoseconds (0 if it can't be told)."""
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0


def rows(
    book: Book,
    out: Path,
    changes: list[tuple[int, int]] | None,
    deleted: list[Row],
    warn: Callable[[Diagnostic], None],
) -> tuple[list[Row], Row]:
    """A row for each chapter, then for each chapter deleted, and the total."""
    pages, total_pages = pdf_pages(book, output_path(book, out, "pdf"), warn)
    each_change: list[tuple[int, int] | None] = [*changes] if changes else [None] * len(pages)
    each = [
        Row(label(chapter), chapter_counts(chapter), page, change)
        for chapter, page, change in zip(book.chapters, pages, each_change, strict=True)
    ]
    sums = Counts(*(sum(getattr(row.counts, f.name) for row in each) for f in fields(Counts)))
    total_changes = None
    if changes is not None:
        every = [*changes, *(row.changes for row in deleted if row.changes)]
        total_changes = (sum(c[0] for c in every), sum(c[1] for c in every))
    return [*each, *deleted], Row("total", sums, total_pages, total_changes)


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
    if counts is None:
        return [*cells, *["-"] * 7, "+0", f"-{row.changes[1] if row.changes else 0:,}"]
    cells += [f"{n:,}" for n in (counts.words, counts.characters, counts.paragraphs)]
    cells += [f"{n:,}" for n in (counts.footnotes, counts.images)]
    cells += [f"{reading_minutes(counts.words)} min", "-" if row.pages is None else f"{row.pages}"]
    if since and row.changes is not None:
        cells += [f"+{row.changes[0]:,}", f"-{row.changes[1]:,}"]
    return cells


def parser() -> argparse.ArgumentParser:
    command = argparse.ArgumentParser(
        prog="chapbook stats",
        description="Words, characters, paragraphs, footnotes, images, reading time and "
        "printed pages (from the last PDF built) of each chapter and of the book.",
    )
    book_options(command)
    command.add_argument(
        "--since", metavar="REV", help="also the words added and removed since a git revision"
    )
    return command


def run(_: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    try:
        book = read_book(args.manuscript)
    except (BookErrors, OSError) as failure:
        return failed(failure, "stats")
    warn = ignore if args.quiet else print_warning
    try:
        lines = report(book, args.manuscript, args.out, args.since, warn)
    except (BookErrors, OSError) as failure:
        return refused(failure)
    print("\n".join(lines))
    return 0
