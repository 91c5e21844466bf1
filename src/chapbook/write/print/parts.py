"""The print PDF laid out in parts, side by side, then joined (write/print/join.py): the pages
of one document. Design: docs/architecture.md, 'Laid out in parts'."""

from __future__ import annotations

import dataclasses
import math
import multiprocessing
import pickle
import re
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial

import pydyf
import weasyprint

from chapbook.diagnostics import BookErrors, Diagnostic
from chapbook.model.book import Book, Chapter
from chapbook.support.cache import Cache, canonical, digest
from chapbook.support.processes import stopping, worker_pool
from chapbook.support.progress import SILENT, Progress
from chapbook.support.templating import render
from chapbook.verify.preflight import Drawn, drawn_on
from chapbook.write.pagemap import FRONT_PAGES, PageMap, page_labels, page_starts
from chapbook.write.print.join import join_parts
from chapbook.write.print.layout import (
    Part,
    Press,
    Printed,
    book_html,
    finish_for_print,
    lay_out,
    press,
    stylesheets,
    tagged,
)
from chapbook.write.print.urls import image_names

PARTS_FROM = 200_000
"""Characters of chapter text from which laying out in parts pays for its start."""
CHARS_PER_PAGE = 2_000
"""A first guess of a page's length in characters of text, before any part is done."""
PART_END = "chapbook-part-end"
"""The id on the page that opens the next part (book.html.j2)."""

NOTHING_DRAWN = Drawn({}, {}, ())
BOOK: Book | None = None
"""The book, in each worker process (inherited when the pool forks)."""
PRESS: list[Press] = []
"""The book's parsed stylesheets and fonts, made by each worker for its first part."""


@dataclass(frozen=True)
class Laid:
    """A part laid out: its PDF, how many of its pages the book keeps, where they begin."""

    pdf: bytes
    kept: int
    starts: PageMap
    drawn: Drawn | None = None
    """What the kept pages draw, for preflight."""
    errors: tuple[Diagnostic, ...] = ()


def worth_parts(book: Book, jobs: int) -> bool:
    """Whether to lay the book out in parts: with more than one process, a body of several
    chapters and enough text."""
    body = body_chapters(book)
    size = sum(len(chapter.body) for chapter in body)
    return jobs > 1 and len(body) > 1 and size >= PARTS_FROM


def body_chapters(book: Book) -> tuple[Chapter, ...]:
    """The chapters from the body's start on, each laid out as a part of its own."""
    if book.body_start is None:
        return ()
    return book.chapters[book.chapters.index(book.body_start) :]


def print_in_parts(
    book: Book, jobs: int, cache: Cache | None, progress: Progress = SILENT
) -> Printed:
    """The book's print PDF, laid out in parts by `jobs` processes, and where its pages
    begin; parts already laid out at the same place are taken from `cache`. `progress`
    hears how many chapters are laid out at their true first page ("pdf")."""
    store = cache or Cache(None)
    body = body_chapters(book)
    parts = [
        Part((chapter,), front=False, colophon=chapter is body[-1], end=chapter is not body[-1])
        for chapter in body
    ]
    try:
        with workers(book, jobs) as pool:
            laid = lay_out_body(book, parts, store, pool, jobs, progress)
    except BrokenProcessPool:
        message = "a layout process ended abruptly (out of memory?); try --jobs 1"
        raise BookErrors([Diagnostic("print PDF", message, code="E128")]) from None
    errors = [error for part in laid for error in part.errors]
    if errors:
        raise BookErrors(list(dict.fromkeys(errors)))
    progress.stage("join")
    pdf = join_parts(book, [(part.pdf, part.kept) for part in laid], laid[0].kept, store)
    drawn, before = NOTHING_DRAWN, 0
    for part in laid:
        drawn = drawn.then((part.drawn or NOTHING_DRAWN).after(before))
        before += part.kept
    return Printed(pdf, tuple(start for part in laid for start in part.starts), drawn)


@contextmanager
def workers(book: Book, jobs: int) -> Iterator[ProcessPoolExecutor]:
    """A pool of `jobs` processes that know the book."""
    global BOOK
    BOOK = book  # forked into each worker, never pickled
    PRESS.clear()
    context = multiprocessing.get_context("fork")
    try:
        with stopping(worker_pool(jobs, context)) as pool:
            yield pool
    finally:
        BOOK = None


def front_part(book: Book, starts: Sequence[int]) -> Part:
    """The front: the pages before the body, with the body chapters' first pages."""
    body = body_chapters(book)
    stubs = tuple((chapter.id, start) for chapter, start in zip(body, starts, strict=True))
    return Part(book.chapters[: len(book.chapters) - len(body)], colophon=False, stubs=stubs)


def page_numbers(counts: Sequence[int]) -> list[int]:
    """The number of each part's first page, from 1, given the pages each part keeps."""
    starts = [1]
    for count in counts[:-1]:
        starts.append(starts[-1] + count)
    return starts


def lay_out_body(
    book: Book,
    parts: Sequence[Part],
    cache: Cache,
    pool: ProcessPoolExecutor,
    jobs: int,
    progress: Progress = SILENT,
) -> list[Laid]:
    """The front, then every body part, laid out at its true first page, `jobs` at a time
    (the front as soon as every chapter's first page is known)."""
    shared = book_key(book)
    keys = [part_key(book, shared, part, None) for part in parts]
    counts = {i: int(data) for i, key in enumerate(keys) if (data := cache.get("pages", key))}
    lengths = [length(part) for part in parts]
    places = [digest("place", book.metadata.identifier, part.chapters[0].id) for part in parts]
    hints = {  # what a chapter counted when last laid out, before an edit
        i: int(data)
        for i, place in enumerate(places)
        if i not in counts and (data := cache.get("last-pages", place))
    }
    done: dict[int, tuple[int, Laid]] = {}
    running: dict[Future[Laid], tuple[int, int]] = {}
    front: Future[Laid] | None = None
    progress.stage("pdf", len(parts) + 1)
    while True:
        settle(done, counts, len(parts))
        progress.step("pdf", len(done) + (front is not None and front.done()))
        if front is None and all(i in counts for i in range(len(parts) - 1)):
            starts = page_numbers([counts.get(i, 0) for i in range(len(parts))])
            part = front_part(book, starts)
            front = cached_layout(part, None, part_key(book, shared, part, None), cache, pool)
        if len(done) == len(parts) and not running and front is not None:
            laid = [front.result(), *(done[i][1] for i in range(len(parts)))]
            progress.step("pdf", len(laid))
            return laid
        busy = {index for index, _ in running.values()}
        waiting = (i for i in range(len(parts)) if i not in done and i not in busy)
        for index in waiting:
            if len(running) >= jobs:
                break
            start = guess_start(lengths, counts | hints, done, index)
            key = part_key(book, shared, parts[index], start)
            future = cached_layout(parts[index], start, key, cache, pool)
            running[future] = (index, start)
        finished, _ = wait(running, return_when=FIRST_COMPLETED)
        for future in finished:
            index, start = running.pop(future)
            result = future.result()
            done[index] = (start, result)
            fresh = counts.get(index) != result.kept and not result.errors
            counts[index] = result.kept
            if fresh:  # not a count the cache holds already, nor one of a part that failed
                cache.put("pages", keys[index], str(result.kept).encode())
                cache.put("last-pages", places[index], str(result.kept).encode())


def settle(done: dict[int, tuple[int, Laid]], counts: dict[int, int], total: int) -> None:
    """Forget each part laid out at a first page that the counts before it now disprove."""
    start = 1
    for index in range(total):
        if index in done and done[index][0] != start:
            del done[index]
        if index not in counts:
            return
        start += counts[index]


def guess_start(
    lengths: Sequence[int], counts: dict[int, int], done: dict[int, tuple[int, Laid]], index: int
) -> int:
    """Part `index`'s first page: certain when the parts before it are counted, else a guess
    from their `counts` (or hints of them) and `lengths`, at the characters per page of the
    parts done so far."""
    laid = [(lengths[i], result.kept) for i, (_, result) in done.items()]
    chars, pages = sum(chars for chars, _ in laid), sum(kept for _, kept in laid)
    per_page = chars / (pages - 1.5 * len(laid)) if pages > 1.5 * len(laid) else CHARS_PER_PAGE
    start = 1
    for before in range(index):
        known = counts.get(before)
        start += known if known is not None else estimate_pages(lengths[before], per_page)
    return start


TAG = re.compile(r"<[^>]*>")


def length(part: Part) -> int:
    """The characters of text in the part's chapters, roughly (tags left out)."""
    return sum(len(TAG.sub("", chapter.body)) for chapter in part.chapters)


def cached_layout(
    part: Part, start: int | None, key: str, cache: Cache, pool: ProcessPoolExecutor
) -> Future[Laid]:
    """`part` laid out from page `start`: from the cache under `key`, or by a worker (then
    cached)."""
    data = cache.get("pdf-part", key)  # checked: a damaged entry is a miss
    future: Future[Laid] = Future()
    if data is not None:
        future.set_result(pickle.loads(data))
        return future
    future = pool.submit(lay_out_part, part, start)

    def keep(done: Future[Laid]) -> None:
        if done.exception() is None and not done.result().errors:
            cache.put("pdf-part", key, pickle.dumps(done.result()))

    future.add_done_callback(keep)
    return future


def book_key(book: Book) -> str:
    """What every part's layout depends on besides its own chapters: the book's metadata,
    settings, styles and files, and the versions of Chapbook and WeasyPrint."""
    shared = dataclasses.replace(book, chapters=(), warnings=())
    return digest(weasyprint.__version__, canonical(shared))


def part_key(book: Book, shared: str, part: Part, start: int | None) -> str:
    """A part's layout: the book's (`shared`), its chapters, its first page number, and for
    the front, every chapter's title and number for the contents."""
    contents = [(c.id, c.number, c.title_html, c.part) for c in book.chapters if part.front]
    return digest(shared, canonical((part, start, contents)))


def lay_out_part(part: Part, start: int | None) -> Laid:
    """In a worker: lay out `part` with its page counter from `start` (the front: from 1)."""
    book = BOOK
    assert book is not None, "lay_out_part runs in a pool made by workers()"
    if not PRESS:
        PRESS.append(press(book, stylesheets(book)))
    html = book_html(book, part)
    finisher = partial(finish_part, book)
    extra = part_css(book, part, start)
    try:
        pdf, document = lay_out(book, html, PRESS[0], finisher, tagged(book), extra=extra)
    except BookErrors as failure:
        return Laid(b"", 0, (), errors=tuple(failure.errors))
    pages = document.pages
    kept = next((i for i, page in enumerate(pages) if PART_END in page.anchors), len(pages))
    if start is None:
        labels = page_labels(kept, None)
    else:
        labels = [str(start + number) for number in range(kept)]
    openings = [*(FRONT_PAGES if part.front else ()), *(c.id for c in part.chapters)]
    drawn = drawn_on(pdf, kept, image_names(book))
    return Laid(pdf, kept, page_starts(pages[:kept], labels, openings), drawn)


def finish_part(book: Book, document: weasyprint.Document, pdf: pydyf.PDF) -> None:
    finish_for_print(pdf, book, book.print.bleed_mm, book.metadata.identifier)


def part_css(book: Book, part: Part, start: int | None) -> str:
    """What a part needs to print as it would in the whole book: its first page number, the
    book's title for the running heads, and the numbers of the chapters after the front."""
    return render(
        "print/part.css.j2",
        start=start,
        title=css_string(book.metadata.title),
        stubs=part.stubs,
    )


def css_string(text: str) -> str:
    """`text` as a quoted CSS string."""
    escaped = "".join(
        f"\\{ord(char):x} " if char in '"\\' or ord(char) < 0x20 else char for char in text
    )
    return f'"{escaped}"'


def estimate_pages(chars: int, per_page: float) -> int:
    """The pages a part of `chars` characters of text keeps: its text, half a page more for
    its opening, rounded up to an even count (a part ends on a left page). Measured on a
    100-chapter book, right for 85 in 100 chapters."""
    pages = math.ceil(0.5 + chars / per_page)
    return max(2, pages + pages % 2)
