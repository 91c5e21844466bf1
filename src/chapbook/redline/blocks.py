"""A chapter as the redline compares it: its blocks (title, paragraphs, headings, list items,
table rows, notes...) in reading order, each a run of tokens (words, punctuation, note calls,
images) that know how they are shown."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from lxml import etree

from chapbook.model.book import Chapter
from chapbook.model.fragments import WORD, local, parse_fragment

LEAVES = {"caption", "dd", "dt", "figcaption", "li", "p", "pre", "summary"}
LEAVES |= {f"h{level}" for level in range(1, 7)}
"""Blocks whose own text is one block of the redline."""
CONTAINERS = {
    "address", "article", "aside", "blockquote", "details", "div", "dl", "figure", "footer",
    "header", "main", "nav", "ol", "section", "table", "tbody", "tfoot", "thead", "ul",
}  # fmt: skip
"""Blocks that only hold other blocks (text directly in one is read as a paragraph)."""
BLOCKS = LEAVES | CONTAINERS | {"tr", "hr"}
STYLES = ("b", "code", "em", "i", "s", "small", "strong", "sub", "sup", "u")
"""Inline formatting kept, shown, and compared apart from the words."""
TOKEN = re.compile(rf"(\s*)({WORD.pattern}|[^\w\s]+)")
"""White space, then a word (as stats counts one) or punctuation."""
NOTE_CALL = "\x1fnote"
CELL = "\x1fcell"
BREAK = "\x1fbreak"


@dataclass(frozen=True)
class Token:
    key: str
    """What is compared: the word itself, or a code for a note call, an image, a cell."""
    html: str
    """How it is shown, but for its inline formatting (`style`)."""
    gap: str = ""
    """The white space before it, as shown."""
    style: tuple[str, ...] = ()
    word: bool = False
    """Whether it counts as a word."""


@dataclass(frozen=True)
class Block:
    kind: str
    """'title', 'epigraph', 'p', 'h2'..'h6', 'li', 'dt', 'dd', 'pre', 'tr', 'note', 'hr'..."""
    tokens: tuple[Token, ...]
    quoted: bool = False
    """Inside a blockquote."""
    label: str = ""
    """What is shown before it and not compared: a note's number."""

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(token.key for token in self.tokens)

    @property
    def words(self) -> int:
        return sum(token.word for token in self.tokens)


@dataclass
class Run:
    """The tokens of one block as they are read, and the white space still pending."""

    pre: bool = False
    tokens: list[Token] = field(default_factory=list)
    pending: str = ""

    def text(self, text: str | None, style: tuple[str, ...]) -> None:
        """Read the tokens of `text`, set in `style`."""
        end = 0
        for match in TOKEN.finditer(text or ""):
            word = match[2][0].isalnum() or match[2][0] == "_"
            self.add(match[2], html.escape(match[2], quote=False), match[1], style, word)
            end = match.end()
        self.pending += (text or "")[end:]

    def add(self, key: str, html: str, space: str, style: tuple[str, ...], word: bool) -> None:
        """A token after the white space pending and `space` (one space, but in a `pre`)."""
        gap = self.pending + space
        if not self.pre:
            gap = " " if gap else ""
        self.tokens.append(Token(key, html, gap, style, word))
        self.pending = ""


def chapter_blocks(chapter: Chapter) -> list[Block]:
    """The chapter's title, epigraph and body as blocks, in reading order."""
    blocks = [inline_block("title", chapter.title_html)]
    if chapter.epigraph:
        blocks.append(inline_block("epigraph", chapter.epigraph))
    if chapter.epigraph_source:
        blocks.append(inline_block("epigraph", chapter.epigraph_source))
    blocks += body_blocks(parse_fragment(chapter.body), "p", False)
    return [block for block in blocks if block.tokens]


def inline_block(kind: str, fragment: str) -> Block:
    run = Run()
    inline_contents(parse_fragment(fragment), (), run)
    return Block(kind, tuple(run.tokens))


def is_block(element: etree._Element) -> bool:
    return local(element) in BLOCKS


def body_blocks(element: etree._Element, kind: str, quoted: bool) -> Iterator[Block]:
    """The blocks of `element`; its own text (beside its inner blocks) as blocks of `kind`.
    Everything in a footnote is of kind 'note'."""
    name = local(element)
    if name == "tr":
        yield Block("tr", row_tokens(element), quoted)
        return
    if name == "hr":
        yield Block("hr", (Token(BREAK, "⁂"),), quoted)
        return
    if element.get("role") == "doc-footnote":
        kind = "note"
    elif name in LEAVES and kind != "note":
        kind = name
    quoted = quoted or name == "blockquote"
    label = note_number(element) if kind == "note" else ""
    run = Run(pre=name == "pre")
    run.text(element.text, ())
    for child in element:
        if is_block(child):
            yield from flushed(run, kind, quoted, label)
            label, run = "", Run(pre=name == "pre")
            yield from body_blocks(child, "note" if kind == "note" else "p", quoted)
        elif isinstance(child.tag, str):
            inline(child, (), run)
        run.text(child.tail, ())
    yield from flushed(run, kind, quoted, label)


def flushed(run: Run, kind: str, quoted: bool, label: str) -> Iterator[Block]:
    """The block that `run` read, if it read anything."""
    if run.tokens:
        yield Block(kind, tuple(run.tokens), quoted, label)


def note_number(element: etree._Element) -> str:
    """The number that opens a note, in the paragraph holding it."""
    number = next((a for a in element.iter() if a.get("class") == "note-number"), None)
    return "".join(map(str, number.itertext())).strip() if number is not None else ""


def row_tokens(row: etree._Element) -> tuple[Token, ...]:
    """A table row's cells, one after the other, between bars."""
    run = Run()
    for index, cell in enumerate(child for child in row if isinstance(child.tag, str)):
        if index:
            run.add(CELL, '<span class="cell">|</span>', " ", (), False)
            run.pending = " "
        inline_contents(cell, (), run)
    return tuple(run.tokens)


def inline_contents(element: etree._Element, style: tuple[str, ...], run: Run) -> None:
    run.text(element.text, style)
    for child in element:
        if isinstance(child.tag, str):
            inline(child, style, run)
        run.text(child.tail, style)


def inline(element: etree._Element, style: tuple[str, ...], run: Run) -> None:
    """The tokens of an inline element: its words in their formatting, a note call, an image."""
    name, kind = local(element), element.get("class")
    if kind == "note-number":
        return
    if kind == "footnote-ref" or element.get("role") == "doc-noteref":
        number = html.escape("".join(map(str, element.itertext())).strip())
        run.add(NOTE_CALL, f'<sup class="noteref">{number}</sup>', "", (), False)
    elif name == "img":
        run.add(*image_token(element), " ", (), False)
    elif name == "br":
        run.pending += "\n" if run.pre else " "
    else:
        inline_contents(element, (*style, name) if name in STYLES else style, run)


def image_token(image: etree._Element) -> tuple[str, str]:
    """An image's key (its file and text alternative) and how it is shown."""
    src, alt = image.get("src") or "", image.get("alt") or ""
    described = f": {html.escape(alt)}" if alt else " (no description)"
    shown_html = f'<span class="image">[image <code>{html.escape(src)}</code>{described}]</span>'
    return f"\x1fimage {src}\x1f{alt}", shown_html


def words(blocks: list[Block]) -> list[str]:
    """The words of some blocks, for telling how alike two chapters are."""
    return [token.key for block in blocks for token in block.tokens if token.word]
