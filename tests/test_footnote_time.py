"""Footnotes in time proportional to the pages (issue 16, finding 9): WeasyPrint asks, for
every box of every line, whether its footnote is among those still to place; that list now
answers in constant time, and a chapter of notes (tests/books/many-footnotes: 200 notes in
one paragraph) still puts each note at the foot of its page. The times are measured by
bench/footnotes.py (see bench/README.md)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from conftest import pdf_texts

from chapbook.pipeline import build
from chapbook.writers.footnotes import Waiting, install

BOOK = Path(__file__).resolve().parent / "books" / "many-footnotes"
LOOKUPS = 2_000
WAITING = 100_000
"""A list of this many notes, asked this many times: 200,000,000 comparisons for a plain list
(seconds), a few thousand steps for Waiting."""


def test_the_notes_still_to_place_answer_in_in_constant_time() -> None:
    waiting = Waiting(object() for _ in range(WAITING))
    placed = object()
    start = time.perf_counter()
    assert not any(placed in waiting for _ in range(LOOKUPS))
    assert time.perf_counter() - start < 0.5
    waiting.append(placed)
    assert placed in waiting
    waiting.remove(placed)
    assert placed not in waiting and type(waiting.copy()) is Waiting


def test_a_book_is_laid_out_with_its_notes_waiting_in_such_a_list(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from weasyprint.layout import LayoutContext

    install()  # as writers/pdf.py does when it is first imported
    made: list[Any] = []
    init = LayoutContext.__init__

    def kept(self: Any, *args: Any, **options: Any) -> None:
        init(self, *args, **options)
        made.append(self)

    monkeypatch.setattr(LayoutContext, "__init__", kept)
    [pdf] = [output.path for output in build(BOOK, tmp_path, ["pdf"])]
    assert made and all(type(context.footnotes) is Waiting for context in made)
    pages = pdf_texts(pdf)
    # Every note is printed at the foot of a page, numbered: 200 in all.
    numbers = [n for n in range(1, 201) if any(f" {n}. " in f" {page}" for page in pages)]
    assert numbers == list(range(1, 201))
