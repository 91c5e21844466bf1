"""Where the book's files are for WeasyPrint, and the names it gives them in a PDF.

Kept apart from layout.py so that preflight can name images without loading WeasyPrint.
"""

from __future__ import annotations

import hashlib

from chapbook.model.book import Book

BASE_URL = "file:///chapbook-book/"
"""Where the book's files seem to live; the fetcher serves them from memory, nothing else."""


def image_names(book: Book) -> dict[str, str]:
    """The names WeasyPrint gives the book's images inside the PDF -> their paths, for
    preflight's messages ('i' + md5 of the URL + whether the image is interpolated)."""
    names = {}
    for resource in book.resources:
        if resource.media_type.startswith("image/"):
            digest = hashlib.md5((BASE_URL + resource.href).encode(), usedforsecurity=False)
            for smooth in "01":
                names[f"i{digest.hexdigest()}{smooth}"] = resource.href
    return names
