"""Footnotes laid out in time proportional to the pages (issue 16, finding 9).

WeasyPrint keeps the footnotes it has not placed yet in a list, `LayoutContext.footnotes`,
and asks, for every box of every line it lays out, whether that box's footnote is in it:
`list.__contains__`, a walk through every note of the document still to come. A chapter
of thousands of notes thus took time in the square of its notes (5,000 notes: 165 s for
156 pages). The list is replaced here, in each layout context as it is made, by `Waiting`:
the same list, whose `in` looks an identity up in a count kept beside it. WeasyPrint's
footnotes are boxes compared by identity (no box defines `__eq__`), so the answers are
the same. If WeasyPrint ever makes the list otherwise, it is left as it is.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from weasyprint.layout import LayoutContext


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


def install() -> None:
    """Make each LayoutContext made from now on keep its footnotes in a `Waiting` list
    (once per process)."""
    made = LayoutContext.__init__
    if getattr(made, "waiting_footnotes", False):
        return

    @functools.wraps(made)
    def init(self: LayoutContext, *args: Any, **options: Any) -> None:
        made(self, *args, **options)
        if type(getattr(self, "footnotes", None)) is list:
            self.footnotes = Waiting(self.footnotes)

    init.waiting_footnotes = True  # type: ignore[attr-defined]
    LayoutContext.__init__ = init
