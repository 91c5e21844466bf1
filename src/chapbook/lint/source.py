"""A chapter's source as the lint reads it: its blocks (paragraphs, headings, raw HTML; code
and front matter left out), places in it as line and column, and its text with what is not
prose (code, URLs, tags, Markdown's marks) masked, every character kept in its place."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import Enum
from functools import cached_property

from chapbook.read.chapter import FRONT_MATTER
from chapbook.read.markdown.fences import fenced_lines

MASK = "\x00"
"""Stands in for a character that is not prose: no word, no space, no mark."""


class Kind(Enum):
    PROSE = "prose"
    HEADING = "heading"
    HTML = "html"


@dataclass(frozen=True)
class Block:
    """A run of lines of one kind; `start` is the offset of its first character."""

    kind: Kind
    start: int
    text: str
    level: int = 0
    """A heading's level (1 for `#`)."""


@dataclass(frozen=True)
class Source:
    """A file's text (line ends made \\n, as the reader reads it), by the path messages show."""

    path: str
    text: str
    starts: list[int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        starts = [0] + [m.end() for m in re.finditer("\n", self.text)]
        object.__setattr__(self, "starts", starts)

    def place(self, offset: int) -> tuple[int, int]:
        """The 1-based line and column (in characters) of `offset`."""
        line = bisect.bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1

    def line_text(self, line: int) -> str:
        """The text of the 1-based `line`, without its end."""
        if not 1 <= line <= len(self.starts):
            return ""
        end = self.text.find("\n", self.starts[line - 1])
        return self.text[self.starts[line - 1] : None if end < 0 else end]

    def column(self, line: int, needle: str, occurrence: int = 1) -> int:
        """The column of `needle` (its `occurrence`-th, else its first) on `line`; else
        of the line's first character that is not a space."""
        text = self.line_text(line)
        found = [m.start() for m in re.finditer(re.escape(needle), text)] if needle else []
        if not found:
            return len(text) - len(text.lstrip()) + 1
        return found[occurrence - 1 if occurrence <= len(found) else 0] + 1

    @cached_property
    def blocks(self) -> tuple[Block, ...]:
        return tuple(split_blocks(self.text))

    @cached_property
    def prose(self) -> tuple[tuple[Block, str], ...]:
        """Every block with its prose text (see `prose_text`): made once for all checks."""
        return tuple((block, prose_text(block)) for block in self.blocks)


LINE = re.compile(r".*(?:\n|\Z)")
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]|$)")
SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
RULE = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
ITEM = re.compile(r"^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+|^ {0,3}\[\^[^\]]*\]:|^ {0,3}\|")
"""A line that starts a block of its own: a list item, a footnote, a table's row."""
INDENTED = re.compile(r"^(?: {4}|\t)")
HTML_BLOCK = re.compile(
    r"^ {0,3}<(/?)(address|article|aside|blockquote|details|div|dl|fieldset|figcaption|figure"
    r"|footer|form|h[1-6]|header|hgroup|hr|main|nav|ol|p|pre|section|table|ul|center)\b",
    re.IGNORECASE,
)
COMMENT_START = re.compile(r"^ {0,3}<!--")


def split_blocks(text: str) -> Iterator[Block]:
    """The blocks of a chapter's text, front matter, code blocks and rules left out."""
    lines = [(m.start(), m[0].rstrip("\n")) for m in LINE.finditer(text) if m[0]]
    front = FRONT_MATTER.match(text)
    index = 0
    while front is not None and index < len(lines) and lines[index][0] < front.end():
        index += 1
    group: list[tuple[int, str]] = []
    previous = ""
    fences = fenced_lines(FRONT_MATTER.sub(lambda m: "\n" * m[0].count("\n"), text, count=1))
    while index < len(lines):
        start, line = lines[index]
        if index in fences:  # fenced code, also in a block quote or a list item
            if group:
                yield prose(group)
            group, previous, index = [], "", fences[index]
            continue
        if group and SETEXT.match(line) and len(group) == 1 and not ITEM.match(group[0][1]):
            level = 1 if line.strip().startswith("=") else 2
            yield Block(Kind.HEADING, group[0][0], group[0][1], level)
            group, index = [], index + 1
            continue
        if group and (not line.strip() or starts_block(line)):
            previous = group[0][1]
            yield prose(group)
            group = []
        if not line.strip():
            index += 1
        elif not group and INDENTED.match(line) and is_code(previous):
            index = skip_code(lines, index)
            previous = ""
        elif not group and RULE.match(line):
            index, previous = index + 1, line
        elif not group and (match := ATX.match(line)):
            yield Block(Kind.HEADING, start, line, len(match[1]))
            index, previous = index + 1, line
        elif not group and (HTML_BLOCK.match(line) or COMMENT_START.match(line)):
            end = html_end(lines, index)
            yield Block(Kind.HTML, start, text[start : lines[end][0] + len(lines[end][1])])
            index, previous = end + 1, line
        else:
            group.append((start, line))
            index += 1
    if group:
        yield prose(group)


def starts_block(line: str) -> bool:
    """Whether `line` ends the paragraph being gathered: it is a block of its own kind."""
    return bool(ITEM.match(line) or ATX.match(line) or FENCE.match(line) or HTML_BLOCK.match(line))


def is_code(previous: str) -> bool:
    """Whether an indented line after the block that began with `previous` is code (not
    the continuation of a list item, a footnote or a definition)."""
    return not (ITEM.match(previous) or previous.startswith(":") or INDENTED.match(previous))


def prose(group: list[tuple[int, str]]) -> Block:
    start = group[0][0]
    return Block(Kind.PROSE, start, "\n".join(line for _, line in group))


def skip_code(lines: list[tuple[int, str]], index: int) -> int:
    """The index of the first line after the indented code block that starts at `index`."""
    while index < len(lines) and (INDENTED.match(lines[index][1]) or not lines[index][1]):
        index += 1
    return index


def html_end(lines: list[tuple[int, str]], index: int) -> int:
    """The index of the last line of the raw HTML block that starts at `index`: up to
    the tag's matching end (or the comment's), then to a blank line."""
    first = lines[index][1]
    if COMMENT_START.match(first):
        while index < len(lines) - 1 and "-->" not in lines[index][1]:
            index += 1
        return index
    match = HTML_BLOCK.match(first)
    if match is None or match[1] or "markdown" in first.split(">")[0]:
        return index  # an end tag, or a block whose content is Markdown: the tag's line
    tag = match[2].lower()
    opening = re.compile(rf"<{tag}\b", re.IGNORECASE)
    closing = re.compile(rf"</{tag}\s*>", re.IGNORECASE)
    depth = 0
    for end in range(index, len(lines)):
        line = lines[end][1]
        depth += len(opening.findall(line)) - len(closing.findall(line))
        if depth <= 0:
            break
    while end + 1 < len(lines) and lines[end + 1][1].strip():
        end += 1
    return end


def masked(text: str, pattern: re.Pattern[str]) -> str:
    """`text` with every match of `pattern` masked, line ends kept."""
    return pattern.sub(lambda match: re.sub(r"[^\n]", MASK, match[0]), text)


CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`).+?(?<!`)\1(?!`)", re.DOTALL)
COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
RAW_CODE = re.compile(r"<(pre|code|kbd|samp|script|style)\b.*?</\1\s*>", re.DOTALL | re.I)
TAG = re.compile(r"</?[A-Za-z][^<>]*>|<[A-Za-z][A-Za-z0-9+.-]*:[^<>\s]*>")
DESTINATION = re.compile(r"(?<=\])\((?:[^()\s]|\([^()\s]*\))*(?:\s+(?:\"[^\"]*\"|'[^']*'))?\)")
"""A link's or an image's `(url "title")`, after its text's `]`."""
BARE_URL = re.compile(
    r"(?:\b[A-Za-z][A-Za-z0-9+.-]*://|\bwww\.)[^\s<>\"()\[\]]*[^\s<>\"()\[\].,;:!?'’”]"
)
REFERENCE = re.compile(r"^ {0,3}\[[^\]^][^\]]*\]:.*$|^\*\[[^\]]+\]:.*$", re.MULTILINE)
"""A reference definition `[id]: url` or an abbreviation `*[HTML]: ...`: a whole line."""
NOTE_REFERENCE = re.compile(r"\[\^[^\]]*\]:?")
ATTRIBUTES = re.compile(r"\{:?[ \t]*[.#][^{}\n]*\}|\{[^{}\n]*=[^{}\n]*\}")
ESCAPE = re.compile(r"\\[\\`*_{}\[\]()#+\-.!\"'<>|~]")
ENTITY = re.compile(r"&(?:#[0-9]+|#x[0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")
MARKERS = re.compile(
    r"^(?:[ \t]*>)*[ \t]*(?:[-*+][ \t]+|\d{1,9}[.)][ \t]+|:[ \t]+|#{1,6}[ \t]+)?", re.MULTILINE
)
"""Quotes' `>`, list items' and definitions' marks, a heading's `#`: what starts a line."""
CLOSING_HASHES = re.compile(r"[ \t]+#+[ \t]*$", re.MULTILINE)


def without_code(text: str) -> str:
    """A block's text with code spans and comments masked: what Markdown reads as Markdown."""
    return masked(masked(text, COMMENT), CODE_SPAN)


def prose_text(block: Block) -> str:
    """A block's text with only its prose left: no code, tags, URLs, link targets, note
    references, attribute lists, escapes, entities or Markdown marks at a line's start."""
    text = without_code(block.text)
    if block.kind is Kind.HTML:
        text = masked(text, RAW_CODE)
    for pattern in (TAG, DESTINATION, REFERENCE, NOTE_REFERENCE, ATTRIBUTES, ESCAPE, ENTITY):
        text = masked(text, pattern)
    text = masked(text, BARE_URL)
    if block.kind is Kind.HEADING:
        text = masked(text, CLOSING_HASHES)
    return masked(text, MARKERS)


@dataclass(frozen=True)
class Hit:
    """What a check found in a file: at which offset of its text, and what."""

    offset: int
    message: str
