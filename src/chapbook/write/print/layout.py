"""A book (or a part of it) laid out with WeasyPrint into a PDF: the HTML, the stylesheets,
the finishing touches for print; what the whole book (pdf.py), its parts (parts.py) and the
cover wrap (wrap.py) share."""

from __future__ import annotations

import dataclasses
import logging
import os
import re
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any, NamedTuple

import pydyf
from lxml import etree
from lxml import html as lxml_html
from weasyprint import CSS, HTML, Document
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from chapbook.diagnostics import BookErrors, Diagnostic, line_of
from chapbook.model.book import PT_PER_MM, Book, Chapter, PrintSettings, Styles
from chapbook.model.labels import words
from chapbook.support.templating import render
from chapbook.write.pagemap import (
    PageMap,
    mark_elements,
)
from chapbook.write.print import footnotes
from chapbook.write.print.proof import (
    PROOF_LINE,
    mark_epigraph,
    mark_lines,
    proof_css,
    title_place,
    to_outer_margins,
)
from chapbook.write.print.urls import BASE_URL

if TYPE_CHECKING:
    from chapbook.verify.preflight import Drawn

logging.getLogger("weasyprint").setLevel(logging.ERROR)  # refusals are reported as BookErrors
footnotes.install()  # thousands of notes in time proportional to the pages

LINK_ACROSS = "https://chapbook.invalid/#"
"""How a chapter laid out in a part (write/print/parts.py) links to another part's anchor: a
link WeasyPrint keeps, made a link within the book when the parts are joined."""
MARKS_SPACE_MM = 8.0
"""With crop marks, the sheet reaches this much beyond the bleed; the marks sit in its
outer half, clear of the bleed."""


class BookFetcher(URLFetcher):  # type: ignore[misc]
    """Serves only the book's own resources; refuses, and remembers, everything else."""

    def __init__(self, book: Book) -> None:
        super().__init__()
        self.files = {BASE_URL + resource.href: resource for resource in book.resources}
        self.refused: list[str] = []

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        resource = self.files.get(url.split("#")[0])
        if resource is None:
            self.refused.append(url.removeprefix(BASE_URL))
            raise ValueError(f"'{url}' is not a file of the book")
        return URLFetcherResponse(url, resource.data, headers={"Content-Type": resource.media_type})

    def raise_refusals(self, book: Book) -> None:
        """Report every URL the stylesheets or pages asked for that is not the book's."""
        if self.refused:
            raise BookErrors([refusal(book, url) for url in dict.fromkeys(self.refused)])


def too_deep(book: Book) -> Diagnostic:
    """The error for a book nested too deeply for WeasyPrint, at its deepest chapter."""
    depths = {chapter.source: nesting(chapter.body) for chapter in book.chapters}
    deepest = max(depths, key=lambda source: depths[source], default="styles")
    message = (
        f"content nested {depths.get(deepest, 0)} levels deep (lists within lists, quotes "
        "within quotes) is too deep to lay out in print"
    )
    return Diagnostic(deepest, message, code="E120")


def nesting(body: str) -> int:
    """How many elements deep a chapter body goes."""
    root = lxml_html.fragment_fromstring(body, create_parent="div")
    return max((sum(1 for _ in element.iterancestors()) for element in root.iter()), default=0)


def refusal(book: Book, url: str) -> Diagnostic:
    """The error for a refused URL, at the stylesheet line or the chapter that names it
    (as written, or as WeasyPrint resolved it: then found by its file name)."""
    message = f"'{url}' is not a file of the book"
    texts = {
        f"styles/{field.name}.css": getattr(book.styles, field.name) for field in fields(Styles)
    }
    texts |= {chapter.source: chapter.body for chapter in book.chapters}
    for needle in dict.fromkeys((url, url.rstrip("/").rsplit("/", 1)[-1])):
        for place, text in texts.items():
            if needle in text:
                line = line_of(text, needle) if place.startswith("styles/") else None
                return Diagnostic(place, message, line, code="E127")
    return Diagnostic("styles", message, code="E127")


Finisher = Callable[[Document, pydyf.PDF], None]
"""What WeasyPrint calls with the document and the PDF objects just before writing them."""


@dataclass(frozen=True)
class Part:
    """A run of the book laid out as one document: by default, the whole book."""

    chapters: tuple[Chapter, ...]
    front: bool = True
    """With the half title, title, copyright and contents pages."""
    colophon: bool = True
    end: bool = False
    """Followed by a page that opens the next part (not kept), so that the part ends as the
    book would before the next chapter: with a blank left page if needed."""
    stubs: tuple[tuple[str, int], ...] = ()
    """Each later chapter's id and page number, for the contents (pages not kept)."""


class Printed(NamedTuple):
    """The print PDF, where its pages begin, and (laid out in parts) what its pages draw."""

    pdf: bytes
    pages: PageMap
    drawn: Drawn | None = None


def stylesheets(book: Book) -> list[str]:
    """The page box from `[print]`, then the book's type and print stylesheets (and for a
    proof, the proof's)."""
    styles = book.styles
    sheets = [
        page_css(book.print),
        "\n".join((styles.fonts, styles.fallbacks, styles.base, styles.print)),
    ]
    if book.print.proof is None:
        return sheets
    return [*sheets, proof_css(book.print, words(book.metadata.language).draft)]


def tagged(book: Book) -> bool:
    """Whether the PDF carries a structure tree (PDF/X-1a and X-3 forbid one)."""
    return book.print.variant not in ("pdf/x-1a", "pdf/x-3")


@dataclass
class Press:
    """What WeasyPrint needs to lay out the book's documents, made once: a fetcher that
    serves only the book's files, the fonts, and the parsed stylesheets."""

    fetcher: BookFetcher
    fonts: FontConfiguration
    sheets: list[CSS]

    def sheet(self, text: str) -> CSS:
        return CSS(
            string=text,
            base_url=BASE_URL + "styles/",
            url_fetcher=self.fetcher,
            font_config=self.fonts,
        )


def press(book: Book, stylesheets: Sequence[str]) -> Press:
    made = Press(BookFetcher(book), FontConfiguration(), [])
    made.sheets = [made.sheet(text) for text in stylesheets]
    return made


def lay_out(
    book: Book,
    html: str,
    made: Press,
    finisher: Finisher,
    tags: bool,
    extra: str = "",
) -> tuple[bytes, Document]:
    """The PDF of `html` in the book's PDF variant, with the book's files as its only
    resources (`made`'s fetcher) and the book's date as the clock; and the laid out
    document. `extra` is a stylesheet of this document's own. A proof's notes are set in
    the outer margins."""
    sheets = [*made.sheets, made.sheet(extra)] if extra else made.sheets
    options = {"pdf_variant": book.print.variant, "pdf_tags": tags}
    html_document = HTML(string=html, base_url=BASE_URL, url_fetcher=made.fetcher)
    with source_date_epoch(int(book.metadata.modified.timestamp())):
        try:
            document = html_document.render(stylesheets=sheets, font_config=made.fonts, **options)
            if book.print.proof is not None:
                to_outer_margins(document)
            pdf: bytes = document.write_pdf(finisher=finisher, **options)
        except RecursionError:  # WeasyPrint lays out nested boxes by recursion
            raise BookErrors([too_deep(book)]) from None
    made.fetcher.raise_refusals(book)
    return pdf, document


@contextmanager
def source_date_epoch(timestamp: int) -> Iterator[None]:
    """Fix the clock that font subsetting (fontTools) stamps into each embedded font."""
    before = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(timestamp)
    try:
        yield
    finally:
        if before is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = before


def page_css(settings: PrintSettings) -> str:
    """The page box from `[print]`: trim, mirrored margins, bleed and marks."""
    return render(
        "print/page.css.j2",
        trim=settings.trim,
        margins=settings.margins,
        sheet_bleed=sheet_bleed_mm(settings.bleed_mm, settings.marks),
        marks=settings.marks,
        cmyk=is_pdf_x(settings),
    )


def sheet_bleed_mm(bleed_mm: float, marks: bool) -> float:
    """How far the sheet reaches beyond the trim (WeasyPrint's CSS `bleed`): the bleed, and
    with crop marks as much again plus MARKS_SPACE_MM, the marks in its outer half."""
    return 2 * bleed_mm + MARKS_SPACE_MM if marks else bleed_mm


def is_pdf_x(settings: PrintSettings) -> bool:
    return (settings.variant or "").startswith("pdf/x")


def finish(book: Book, document: Document, pdf: pydyf.PDF) -> None:
    """Last touches to the book's PDF: page labels, then what every print file gets."""
    start = body_start_page(book, document)
    labels = pydyf.Array([0, pydyf.Dictionary({"S": "/r"})])
    if start is not None:
        labels.extend([start, pydyf.Dictionary({"S": "/D"})])
    pdf.catalog["PageLabels"] = pydyf.Dictionary({"Nums": labels})
    finish_for_print(pdf, book, book.print.bleed_mm, book.metadata.identifier)


def finish_for_print(pdf: pydyf.PDF, book: Book, bleed_mm: float, identifier: str) -> None:
    """Exact bleed boxes (WeasyPrint caps them at 10 pt beyond the trim), a PDF/X output
    intent, and a document id that does not change from build to build."""
    bleed = bleed_mm * PT_PER_MM
    for page in (pdf.objects[number] for number in pdf.pages["Kids"][::3]):  # kids: n 0 R
        left, top, right, bottom = page["TrimBox"]
        page["BleedBox"] = pydyf.Array([left - bleed, top - bleed, right + bleed, bottom + bleed])
    if is_pdf_x(book.print) and "OutputIntents" not in pdf.catalog:
        pdf.catalog["OutputIntents"] = pydyf.Array([output_intent(book.print.output_condition)])
    stable_document_id(pdf, identifier)


def output_intent(condition: str) -> pydyf.Dictionary:
    """A PDF/X output intent naming a printing condition registered with the ICC
    (FOGRA39, CGATS TR 006, ...), which the printer's own profile will serve."""
    return pydyf.Dictionary(
        {
            "Type": "/OutputIntent",
            "S": "/GTS_PDFX",
            "OutputConditionIdentifier": pydyf.String(condition),
            "RegistryName": pydyf.String("http://www.color.org"),
            "Info": pydyf.String(condition),
        }
    )


def body_start_page(book: Book, document: Document) -> int | None:
    """The index of the page where the body, and its arabic numbering, begins."""
    if book.body_start is None:
        return None
    anchor = book.body_start.id
    return next((i for i, page in enumerate(document.pages) if anchor in page.anchors), None)


def stable_document_id(pdf: pydyf.PDF, identifier: str) -> None:
    """Swap the random XMP DocumentID that WeasyPrint writes (PDF/X-4) for one derived
    from the book's identifier."""
    stable = f"xmp.did:{uuid.uuid5(uuid.NAMESPACE_URL, identifier)}".encode()
    for item in pdf.objects:
        if isinstance(item, pydyf.Stream) and item.extra.get("Type") == "/Metadata":
            item.stream = [
                re.sub(rb"xmp\.did:[0-9a-f-]{36}", stable, part)
                if isinstance(part, bytes)
                else part
                for part in item.stream
            ]


def book_html(book: Book, part: Part | None = None) -> str:
    """The print document of `part`, by default the whole book."""
    part = part or Part(tuple(book.chapters))
    here = frozenset(chapter.id for chapter in part.chapters)
    proof = book.print.proof is not None
    titles = {c.id: at for c in part.chapters if proof and (at := title_place(c))}
    return render(
        "print/book.html.j2",
        meta=book.metadata,
        words=words(book.metadata.language),
        settings=book.print,
        timestamp=book.metadata.modified.strftime("%Y-%m-%dT%H:%M:%SZ"),
        contents=book.chapters,
        part=dataclasses.replace(
            part,
            chapters=tuple(print_chapter(chapter, here, proof) for chapter in part.chapters),
        ),
        body_start=book.body_start.id if book.body_start else "",
        titles=titles,
    )


def print_chapter(chapter: Chapter, here: frozenset[str], proof: bool = False) -> Chapter:
    """The chapter as a part of one document with the chapters `here`: notes at the foot of
    their page, ids prefixed with the chapter's, links to chapters here made links within
    the document, to others links across (LINK_ACROSS) that the join turns into links; in
    a `proof`, each block marked with its place in the chapter's file."""
    root = lxml_html.fragment_fromstring(chapter.body, create_parent="div")
    mark_elements(root, chapter.id)
    if proof:
        mark_lines(root, chapter)
    inline_notes(root)
    mark_initial(root)
    relink(root, chapter, here)
    mark = mark_epigraph if proof else None
    epigraph = chapter.epigraph and relinked(chapter.epigraph, chapter, here, mark)
    source = chapter.epigraph_source and relinked(chapter.epigraph_source, chapter, here)
    return dataclasses.replace(
        chapter, body=serialized(root), epigraph=epigraph, epigraph_source=source
    )


def relink(root: etree._Element, chapter: Chapter, here: frozenset[str]) -> None:
    """Ids prefixed with the chapter's, links made links within the document (see
    `internal_href`)."""
    for element in root.iter(etree.Element):
        if element.get("id"):
            element.set("id", f"{chapter.id}--{element.get('id')}")
        href = element.get("href")
        if element.tag == "a" and href is not None:
            element.set("href", internal_href(chapter, href, here))


def relinked(
    html: str,
    chapter: Chapter,
    here: frozenset[str],
    mark: Callable[[etree._Element, Chapter], None] | None = None,
) -> str:
    """`relink` on a fragment of the chapter's (its epigraph, the epigraph's source),
    `mark`ed first (in a proof, with its place)."""
    root = lxml_html.fragment_fromstring(html, create_parent="div")
    if mark is not None:
        mark(root, chapter)
    relink(root, chapter, here)
    return serialized(root)


def serialized(root: etree._Element) -> str:
    """The HTML inside `root`."""
    return (root.text or "") + "".join(
        etree.tostring(child, method="html", encoding="unicode") for child in root
    )


INITIAL = re.compile(r"[\"'“‘„‚«‹(\[]*\w")


def mark_initial(root: etree._Element) -> None:
    """Wrap the first letter of an opening paragraph (with any quotation mark before it)
    in `<span class="initial">`, for a drop cap."""
    first = root[0] if len(root) and not (root.text or "").strip() else None
    match = INITIAL.match(first.text or "") if first is not None and first.tag == "p" else None
    if first is None or match is None:
        return
    span = etree.Element("span", {"class": "initial"})
    span.text, span.tail = match[0], (first.text or "")[match.end() :]
    first.text = None
    first.insert(0, span)


def internal_href(chapter: Chapter, href: str, here: frozenset[str]) -> str:
    if href.startswith("#"):  # a place in the chapter, or (a bare '#') the chapter
        return f"#{chapter.id}--{href[1:]}" if href[1:] else f"#{chapter.id}"
    name, _, fragment = href.partition("#")
    if "/" in name or ":" in name or not name.endswith(".xhtml"):
        return href
    target = name.removesuffix(".xhtml")
    anchor = f"{target}--{fragment}" if fragment else target
    return f"#{anchor}" if target in here else LINK_ACROSS + anchor


def inline_notes(root: etree._Element) -> None:
    """Each note reference becomes the note itself, floated to the foot of the page."""
    notes = {note.get("id"): note for note in root.iter("aside") if is_type(note, "footnote")}
    for call in list(root.iter("a")):
        note = notes.get((call.get("href") or "").removeprefix("#"))
        if call.get("epub:type") != "noteref" or note is None or note in call.iterancestors():
            continue  # a note that calls itself keeps that call as a plain number
        parent = call.getparent()
        anchor = parent if parent is not None and parent.tag == "sup" else call
        span = note_span(note)
        span.tail = anchor.tail
        container = anchor.getparent()
        if container is not None:
            container.replace(anchor, span)
    for section in list(root.iter("section")):
        container = section.getparent()
        if is_type(section, "footnotes") and container is not None:
            container.remove(section)


def is_type(element: etree._Element, name: str) -> bool:
    return name in (element.get("epub:type") or "").split()


def note_span(note: etree._Element) -> etree._Element:
    """A note's paragraphs, without their numbers and back links, as one inline element."""
    for back in list(note.iter("a")):
        if back.get("role") == "doc-backlink":
            remove_backlink(back)
    span = etree.Element("span", {"class": "footnote"})
    paragraphs = [child for child in note if child.tag == "p"] or [note]
    if paragraphs[0].get(PROOF_LINE) is not None:  # a proof's note keeps its place
        span.set(PROOF_LINE, paragraphs[0].get(PROOF_LINE, ""))
    for index, paragraph in enumerate(paragraphs):
        if index:
            etree.SubElement(span, "br").tail = paragraph.text
        else:
            span.text = paragraph.text
        span.extend(list(paragraph))
    return span


def remove_backlink(link: etree._Element) -> None:
    """Remove a note's back link (its number), keeping what follows."""
    parent, previous = link.getparent(), link.getprevious()
    if parent is None:
        return
    if previous is not None:
        previous.tail = (previous.tail or "") + (link.tail or "")
    else:
        parent.text = ((parent.text or "") + (link.tail or "")).lstrip()
    parent.remove(link)
