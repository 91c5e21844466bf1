"""Footnotes in time proportional to the pages (issue 16, finding 9): WeasyPrint asks, for
every box of every line, whether its footnote is among those still to place; that list now
answers in constant time. And a page's footnote area is the sum of its notes, each laid out
once, instead of all of them laid out again at each note: the same heights as WeasyPrint's
own, to the bit, on a chapter of notes (tests/books/many-footnotes: 200 notes in one
paragraph) and on short notes, 32 to a page (tests/books/dense-footnotes), whose PDFs come
out the same either way. The times are measured by bench/footnotes.py (bench/README.md)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from conftest import pdf_texts

from chapbook.pipeline import build
from chapbook.write.print import footnotes
from chapbook.write.print.footnotes import Waiting, install

BOOK = Path(__file__).resolve().parent / "books" / "many-footnotes"
DENSE = Path(__file__).resolve().parent / "books" / "dense-footnotes"
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


def test_a_footnote_area_is_the_sum_of_its_notes_as_weasyprint_lays_it_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each time a note joins a page, both ways: WeasyPrint's (the whole area laid out) and
    the sum; the page's bottom, the area's height and the overflow must be the same."""
    from weasyprint.layout import LayoutContext

    install()
    compared: list[bool] = []

    def both(context: Any) -> bool:
        area = context.current_footnote_area
        before = (context.page_bottom, area.height, list(area.children))
        whole = (footnotes.WHOLE_AREA(context), context.page_bottom, area.height)
        context.page_bottom, area.height, area.children = before
        summed = footnotes.update_footnote_area(context)
        compared.append(whole == (summed, context.page_bottom, area.height))
        return summed

    monkeypatch.setattr(LayoutContext, "_update_footnote_area", both)
    for book in (BOOK, DENSE):
        build(book, tmp_path / book.name, ["pdf"])
    assert len(compared) > 400 and all(compared)


def test_the_pdf_is_the_one_weasyprint_and_pydyf_make_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the footnote areas summed and the page references kept, or without either."""
    import pydyf
    from weasyprint.layout import LayoutContext

    install()
    [faster] = [output.path for output in build(DENSE, tmp_path / "faster", ["pdf"])]
    monkeypatch.setattr(LayoutContext, "_update_footnote_area", footnotes.WHOLE_AREA)
    monkeypatch.setattr(pydyf.PDF, "page_references", footnotes.EVERY_PAGE)
    [alone] = [output.path for output in build(DENSE, tmp_path / "alone", ["pdf"])]
    assert faster.read_bytes() == alone.read_bytes()
