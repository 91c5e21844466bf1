"""Footnotes laid out in time proportional to the pages (issue 16, finding 9): three changes
to WeasyPrint and pydyf, made once per process by `install`.
Design: docs/architecture.md, 'Footnotes in time proportional to the pages'."""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable, Iterable
from math import inf
from typing import Any

import pydyf
from weasyprint.formatting_structure import build
from weasyprint.layout import LayoutContext
from weasyprint.layout.block import block_level_layout


class Waiting(list[Any]):
    """A list with `in` in constant time, by identity; every change keeps the count."""

    def __init__(self, items: Iterable[Any] = ()) -> None:
        super().__init__(items)
        self.identities = Counter(id(item) for item in self)

    def __contains__(self, item: object) -> bool:
        return self.identities[id(item)] > 0

    def append(self, item: Any) -> None:
        super().append(item)
        self.identities[id(item)] += 1

    def remove(self, item: Any) -> None:
        super().remove(item)
        self.identities[id(item)] -= 1

    def copy(self) -> Waiting:
        return Waiting(self)

    def recount(self) -> None:
        """Count afresh, after a change that is not one of the above."""
        self.identities = Counter(id(item) for item in self)


def recounting(name: str) -> Callable[..., Any]:
    """The list's method `name`, followed by a recount."""
    method = getattr(list, name)

    @functools.wraps(method)
    def changed(self: Waiting, *args: Any) -> Any:
        result = method(self, *args)
        self.recount()
        return result

    return changed


for _name in ("extend", "insert", "pop", "clear", "__setitem__", "__delitem__", "__iadd__"):
    setattr(Waiting, _name, recounting(_name))


WHOLE_AREA = LayoutContext._update_footnote_area
"""WeasyPrint's own: the whole footnote area laid out again."""


def update_footnote_area(context: Any) -> bool:
    """What WeasyPrint's `LayoutContext._update_footnote_area` does (the page's bottom
    moved up by its footnote area's height; whether the last note overflows the area),
    with the area's height summed from its notes' when they stack simply."""
    area = context.current_footnote_area
    notes = context.current_page_footnotes
    if not notes or context.in_column or not stacks_simply(area, notes):
        return bool(WHOLE_AREA(context))
    if area.height != "auto":
        context.page_bottom += area.margin_height()
    area.children = notes
    area.height = sum(note_height(context, area, note) for note in notes)
    context.page_bottom -= area.margin_height()
    return False


def stacks_simply(area: Any, notes: list[Any]) -> bool:
    """Whether the area's height is that of its notes one above the other: an area of
    no set height, and notes that are blocks without vertical margins."""
    style = area.style
    if style["height"] != "auto" or amount(style["max_height"]) != inf:
        return False
    if style["min_height"] != "auto" and amount(style["min_height"]) != 0:
        return False
    return all(
        note.style["footnote_display"] == "block"
        and amount(note.style["margin_top"]) == 0
        and amount(note.style["margin_bottom"]) == 0
        for note in notes
    )


def amount(value: Any) -> float | None:
    """A computed length's number (None for a keyword such as `auto`)."""
    number = getattr(value, "value", None)
    return number if isinstance(number, int | float) else None


def note_height(context: Any, area: Any, note: Any) -> float:
    """The height of `note` in `area`: laid out alone there, once per page."""
    heights: dict[int, float] = area.__dict__.setdefault("note_heights", {})
    if id(note) not in heights:
        kept, area.children = area.children, [note]
        alone = build.create_anonymous_boxes(area.deepcopy())
        area.children = kept
        heights[id(note)] = block_level_layout(context, alone, -inf, None, area.page)[0].height
    return heights[id(note)]


EVERY_PAGE = pydyf.PDF.page_references
"""pydyf's own: every page's reference, made afresh."""


def page_references(pdf: Any) -> tuple[bytes, ...]:
    """pydyf's `PDF.page_references`, kept while the number of pages stays the same (pages
    are only ever added, at the end)."""
    count = len(pdf.pages["Kids"])
    kept = pdf.__dict__.get("kept_page_references")
    if kept is None or kept[0] != count:
        kept = (count, tuple(EVERY_PAGE.fget(pdf)))
        pdf.__dict__["kept_page_references"] = kept
    references: tuple[bytes, ...] = kept[1]
    return references


def install() -> None:
    """Make each LayoutContext made from now on keep its footnotes in a `Waiting` list and
    sum its footnote areas, and pydyf keep its page references (once per process)."""
    made = LayoutContext.__init__
    if getattr(made, "waiting_footnotes", False):
        return
    LayoutContext._update_footnote_area = update_footnote_area
    pydyf.PDF.page_references = property(page_references)

    @functools.wraps(made)
    def init(self: LayoutContext, *args: Any, **options: Any) -> None:
        made(self, *args, **options)
        if type(getattr(self, "footnotes", None)) is list:
            self.footnotes = Waiting(self.footnotes)

    init.waiting_footnotes = True  # type: ignore[attr-defined]
    LayoutContext.__init__ = init
