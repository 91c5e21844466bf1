"""Join the PDFs of a book's parts (write/print/parts.py) into the book's one PDF (pikepdf:
qpdf). Design: docs/architecture.md, 'Joining'."""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator, Sequence
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name

from chapbook.model.book import Book
from chapbook.support.cache import Cache
from chapbook.write.pdfcopy import bring
from chapbook.write.print.joinfonts import share_fonts
from chapbook.write.print.layout import LINK_ACROSS

CATALOG_KEYS = ("/Metadata", "/OutputIntents", "/Lang", "/MarkInfo")
"""What the book's catalog takes from the front part's."""


def join_parts(
    book: Book, parts: Sequence[tuple[bytes, int]], front_pages: int, cache: Cache
) -> bytes:
    """One PDF of the first `kept` pages of each part's PDF, in order; the body's arabic
    numbering starts after the first `front_pages` pages."""
    sources = [pikepdf.open(io.BytesIO(pdf)) for pdf, _ in parts]
    target = pikepdf.new()
    try:
        joined = Joined(target)
        for source, (_, kept) in zip(sources, parts, strict=True):
            joined.add(source, kept)
        joined.finish(sources[0], front_pages)
        link_across(target)
        share_fonts(target, book, cache)
        buffer = io.BytesIO()
        target.save(
            buffer,
            min_version=sources[0].pdf_version,
            object_stream_mode=pikepdf.ObjectStreamMode.generate,
            compress_streams=True,
            deterministic_id=True,
        )
    finally:
        for source in sources:
            source.close()
        target.close()
    return buffer.getvalue()


class Joined:
    """The book's PDF as the parts are added to it."""

    def __init__(self, target: pikepdf.Pdf) -> None:
        self.target = target
        self.elements = Array()
        self.document = target.make_indirect(
            Dictionary(Type=Name.StructElem, S=Name.Document, K=self.elements)
        )
        self.numbers = Array()
        self.destinations: dict[str, Any] = {}
        self.bookmarks: list[Any] = []
        self.tagged = True

    def add(self, source: pikepdf.Pdf, kept: int) -> None:
        """The first `kept` pages of `source`, and what they bring."""
        pages = list(source.pages)[:kept]
        on_kept = {page.obj.objgen for page in pages}
        elements = self.top_elements(source, on_kept)  # before copying: they lose their parent
        bookmarks = self.top_bookmarks(source)
        first = len(self.target.pages)
        with warnings.catch_warnings():  # named destinations: brought below, for kept pages
            warnings.simplefilter("ignore", pikepdf.exceptions.PageCopyWarning)
            self.target.pages.extend(pages)
        copied = self.target.pages[first:]
        self.elements.extend(self.adopt(bring(self.target, element)) for element in elements)
        self.bookmarks.extend(bring(self.target, bookmark) for bookmark in bookmarks)
        self.renumber(source, copied)
        names = source.Root.get("/Names")
        if names is not None and "/Dests" in names:
            for name, destination in pikepdf.NameTree(names.Dests).items():
                page = destination[0] if isinstance(destination, Array) else None
                if page is not None and page.objgen in on_kept:
                    self.destinations[name] = bring(self.target, destination)

    def top_elements(self, source: pikepdf.Pdf, on_kept: set[tuple[int, int]]) -> list[Any]:
        """The elements under the part's document element that lie on kept pages, cut
        loose from it (so that copying them does not copy the whole tree)."""
        tree = source.Root.get("/StructTreeRoot")
        if tree is None:
            self.tagged = False
            return []
        document = kids(tree)[0]
        found = []
        for element in kids(document):
            page = element.get("/Pg")
            if page is None or page.objgen in on_kept:
                del element["/P"]
                found.append(element)
        return found

    def adopt(self, element: Any) -> Any:
        element.P = self.document
        return element

    def top_bookmarks(self, source: pikepdf.Pdf) -> list[Any]:
        """The part's top-level bookmarks, cut loose from its outline."""
        outlines = source.Root.get("/Outlines")
        found = []
        item = outlines.get("/First") if outlines is not None else None
        while item is not None:
            following = item.get("/Next")
            for key in ("/Parent", "/Prev", "/Next"):
                if key in item:
                    del item[key]
            found.append(item)
            item = following
        return found

    def renumber(self, source: pikepdf.Pdf, pages: Sequence[pikepdf.Page]) -> None:
        """Give each copied page and link the next key of the book's parent tree, and the
        entry its part had for it."""
        tree = source.Root.get("/StructTreeRoot")
        if tree is None:
            return
        parents = dict(pairs(tree.ParentTree.get("/Nums", Array())))
        for page in pages:
            holders: list[tuple[Any, str]] = [(page.obj, "/StructParents")]
            holders += [(link, "/StructParent") for link in page.obj.get("/Annots", ())]
            for holder, key in holders:
                old = holder.get(key)
                if old is not None and int(old) in parents:
                    new = len(self.numbers) // 2
                    holder[key] = new
                    self.numbers.append(new)
                    self.numbers.append(bring(self.target, parents[int(old)]))

    def finish(self, front: pikepdf.Pdf, front_pages: int) -> None:
        """The catalog: the front part's metadata, the tree, outline, names and labels."""
        root = self.target.Root
        for key in CATALOG_KEYS:
            if key in front.Root:
                root[key] = bring(self.target, front.Root[key])
        self.target.docinfo = bring(self.target, front.docinfo)
        if self.tagged:
            tree = self.target.make_indirect(
                Dictionary(
                    Type=Name.StructTreeRoot,
                    K=Array([self.document]),
                    ParentTree=self.target.make_indirect(Dictionary(Nums=self.numbers)),
                    ParentTreeNextKey=len(self.numbers) // 2,
                )
            )
            self.document.P = tree
            root.StructTreeRoot = tree
        root.Outlines = outline(self.target, self.bookmarks)
        names = pikepdf.NameTree.new(self.target)
        for name in sorted(self.destinations):
            names[name] = self.destinations[name]
        root.Names = Dictionary(Dests=names.obj)
        root.PageLabels = Dictionary(
            Nums=Array([0, Dictionary(S=Name.r), front_pages, Dictionary(S=Name.D)])
        )
        root.ViewerPreferences = Dictionary(DisplayDocTitle=True)


def outline(target: pikepdf.Pdf, bookmarks: Sequence[Any]) -> Any:
    """An outline of `bookmarks` (each with its own children), in order."""
    root = target.make_indirect(Dictionary(Type=Name.Outlines))
    for previous, item in zip([None, *bookmarks], bookmarks, strict=False):
        item.Parent = root
        if previous is not None:
            item.Prev, previous.Next = previous, item
    if bookmarks:
        root.First, root.Last = bookmarks[0], bookmarks[-1]
    shown = sum(1 + max(0, int(item.get("/Count", 0))) for item in bookmarks)
    root.Count = shown
    return root


def kids(element: Any) -> list[Any]:
    """An element's kids (/K may be one kid or an array)."""
    found = element.get("/K")
    if found is None:
        return []
    return list(found) if isinstance(found, Array) else [found]


def pairs(numbers: Any) -> Iterator[tuple[int, Any]]:
    """A number tree's flat /Nums array as (key, value) pairs."""
    for index in range(0, len(numbers) - 1, 2):
        yield int(numbers[index]), numbers[index + 1]


def link_across(target: pikepdf.Pdf) -> None:
    """Each link to another part becomes a link to its named destination."""
    for page in target.pages:
        for annotation in page.obj.get("/Annots", ()):
            action = annotation.get("/A")
            uri = str(action.get("/URI", "")) if action is not None else ""
            if uri.startswith(LINK_ACROSS):
                del annotation["/A"]
                annotation.Dest = pikepdf.String(uri[len(LINK_ACROSS) :])
