"""Book -> print PDF: laid out as one document, or in parts side by side (parts.py) when the
book is long enough to gain."""

from __future__ import annotations

import dataclasses
from functools import partial

from chapbook.model.book import Book
from chapbook.support.cache import Cache
from chapbook.support.progress import SILENT, Progress
from chapbook.write.pagemap import FRONT_PAGES, page_labels, page_starts
from chapbook.write.print.layout import (
    Printed,
    body_start_page,
    book_html,
    finish,
    lay_out,
    press,
    stylesheets,
    tagged,
)
from chapbook.write.print.parts import print_in_parts, worth_parts
from chapbook.write.print.proof import proof_settings


def write_pdf(book: Book) -> bytes:
    """The book's print PDF."""
    return print_book(book).pdf


def print_book(
    book: Book,
    jobs: int = 1,
    cache: Cache | None = None,
    proof: str | None = None,
    progress: Progress = SILENT,
) -> Printed:
    """The book's print PDF and where its pages begin: laid out as one document, or with
    `jobs` processes in parts (parts.py) when the book is long enough to gain;
    with `proof` (a date), the proof of the book (proof.py) instead. `progress`
    hears of each part laid out."""
    if proof is not None:
        book = dataclasses.replace(book, print=proof_settings(book.print, proof))
    if jobs > 1 and worth_parts(book, jobs):
        return print_in_parts(book, jobs, cache, progress)
    made = press(book, stylesheets(book))
    pdf, document = lay_out(book, book_html(book), made, partial(finish, book), tagged(book))
    labels = page_labels(len(document.pages), body_start_page(book, document))
    openings = [*FRONT_PAGES, *(chapter.id for chapter in book.chapters)]
    return Printed(pdf, page_starts(document.pages, labels, openings))
