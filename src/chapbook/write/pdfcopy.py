"""Objects of one PDF brought into another with pikepdf: for the join of a book's parts and
for the booklet's sheets."""

from __future__ import annotations

from typing import Any

import pikepdf
from pikepdf import Array, Dictionary


def bring(target: pikepdf.Pdf, value: Any) -> Any:
    """`value` from another PDF into `target`: what it refers to copied once (qpdf keeps a
    map, so the fonts the pages share, or a page copied with its part, are copied once)."""
    if isinstance(value, pikepdf.Object) and value.is_indirect:
        return target.copy_foreign(value)
    if isinstance(value, Array):
        return Array(bring(target, item) for item in value)
    if isinstance(value, Dictionary):
        return Dictionary({key: bring(target, item) for key, item in value.items()})
    return value
