"""The redline as a standalone HTML page, and as a PDF laid out from it with WeasyPrint the way
the print PDF is (the book's typeface, no file from outside the book, the book's date)."""

from __future__ import annotations

import dataclasses
import html
from collections.abc import Iterator, Sequence
from itertools import groupby

import pydyf
from markupsafe import Markup
from weasyprint import Document

from chapbook.model.book import Book
from chapbook.read.markdown.typography import language_and_region
from chapbook.redline.blocks import Block, Token
from chapbook.redline.compare import ChapterChange, Gap, Piece, Shown
from chapbook.support.templating import render
from chapbook.write.print.layout import lay_out, press

LETTER_REGIONS = {"US", "CA", "MX", "PH"}
"""Where office paper is US Letter (else A4), by the region of the book's language tag."""
MARKED = {"ins": "inserted", "del": "deleted", "restyled": "formatting changed"}
"""What a screen reader is told before each kind of change."""


def redline_html(book: Book, compared: str, changes: Sequence[ChapterChange]) -> str:
    """The page: a summary table, a legend, then each chapter that changed."""
    meta = book.metadata
    return render(
        "redline/changes.html.j2",
        title=meta.title,
        language=meta.language,
        compared=compared,
        date=meta.modified.date().isoformat(),
        timestamp=meta.modified.strftime("%Y-%m-%dT%H:%M:%SZ"),
        changes=changes,
        sections=[(change, [item_html(item) for item in change.items]) for change in changes],
        unchanged=len(book.chapters) - sum(c.state != "deleted" for c in changes),
        added=sum(change.added for change in changes),
        deleted=sum(change.deleted for change in changes),
        paper=paper(meta.language),
    )


def paper(language: str) -> str:
    _, region = language_and_region(language)
    return "letter" if (region or "").upper() in LETTER_REGIONS else "A4"


def item_html(item: Shown | Gap) -> Markup:
    if isinstance(item, Gap):
        plural = "s" if item.count != 1 else ""
        return Markup(f'<p class="gap">… {item.count} unchanged paragraph{plural} …</p>')
    return block_html(item.block, item.pieces, item.state)


def block_html(block: Block, pieces: tuple[Piece, ...], state: str) -> Markup:
    """A block in its element (a heading one level below the chapter's, a paragraph...)."""
    tag = "pre" if block.kind == "pre" else "p"
    if block.kind[:1] == "h" and block.kind[1:].isdigit():
        tag = f"h{min(int(block.kind[1:]) + 1, 6)}"
    classes = " ".join([block.kind, state, *(["quoted"] if block.quoted else [])])
    label = f"Note {block.label}" if block.kind == "note" else block.label
    label = f'<span class="label">{html.escape(label)}</span> ' if block.label else ""
    inner = "".join(map(piece_html, pieces, spaces(pieces)))
    return Markup(f'<{tag} class="{classes}">{label}{inner}</{tag}>')


def spaces(pieces: Sequence[Piece]) -> Iterator[str]:
    """The space before each piece: none before the first; one between a word deleted and
    a word inserted in its place even where the text had none (at the start of a block)."""
    previous = None
    for piece in pieces:
        gap = piece.tokens[0].gap if previous is not None and piece.tokens else ""
        if not gap and previous and previous.change == "del" and piece.change == "ins":
            gap = " " if previous.tokens[-1].word and piece.tokens[0].word else ""
        yield gap
        previous = piece


def piece_html(piece: Piece, before: str) -> str:
    """A piece's tokens, marked as inserted, deleted or restyled, after the space `before`
    (outside the mark)."""
    if not piece.tokens:
        return ""
    text = styled(piece.tokens)
    if not piece.change:
        return before + text
    told = f'<span class="vh">[{MARKED[piece.change]}: </span>{text}<span class="vh">]</span>'
    tag = piece.change if piece.change in ("ins", "del") else 'span class="restyled"'
    return f"{before}<{tag}>{told}</{tag.split()[0]}>"


def styled(tokens: Sequence[Token]) -> str:
    """Tokens with their spaces between them, each run of one formatting in its elements
    (the space before a run outside them)."""
    parts = []
    for index, (style, run) in enumerate(groupby(tokens, key=lambda token: token.style)):
        head, *rest = run
        text = head.html + "".join(token.gap + token.html for token in rest)
        opening = "".join(f"<{tag}>" for tag in style)
        closing = "".join(f"</{tag}>" for tag in reversed(style))
        parts.append(f"{head.gap if index else ''}{opening}{text}{closing}")
    return "".join(parts)


def redline_pdf(book: Book, page: str) -> bytes:
    """The page laid out for office paper, in the book's typeface: a plain, tagged PDF."""
    plain = dataclasses.replace(book, print=dataclasses.replace(book.print, variant=None))
    made = press(plain, [book.styles.fonts])
    pdf, _ = lay_out(plain, page, made, unchanged, tags=True)
    return pdf


def unchanged(document: Document, pdf: pydyf.PDF) -> None:
    """Nothing to add to the PDF WeasyPrint made."""
