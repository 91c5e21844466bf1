"""Checks of one chapter's Markdown: footnotes and their references, heading levels,
straight quotes and double hyphens that raw HTML keeps, a chapter with nothing but a title."""

from __future__ import annotations

import re
from collections.abc import Iterator

from chapbook.lint.source import Hit, Kind, Source, without_code
from chapbook.model.book import Chapter
from chapbook.model.fragments import parse_fragment
from chapbook.read.chapter import FRONT_MATTER

NOTE = re.compile(r"^ {0,3}\[\^([^\]]*)\]:", re.MULTILINE)
REFERENCE = re.compile(r"\[\^([^\]]*)\](?!:)")
TITLE_KEY = re.compile(r"^title:[ \t]*['\"]?", re.MULTILINE)
STRAIGHT_QUOTES = {'"': "“ or ”", "'": "’ or ‘"}
DOUBLE_HYPHEN = re.compile(r"-{2,}")


def notes_and_references(source: Source) -> tuple[dict[str, int], list[tuple[str, int]]]:
    """The chapter's notes (`[^label]: ...`) by label, with their offsets, and its
    references to notes, in order; none in code."""
    notes: dict[str, int] = {}
    references: list[tuple[str, int]] = []
    for block in source.blocks:
        if block.kind is Kind.HTML:
            continue
        text = without_code(block.text)
        for match in NOTE.finditer(text):
            notes.setdefault(match[1], block.start + match.start(1) - 2)
        references += [(m[1], block.start + m.start()) for m in REFERENCE.finditer(text)]
    return notes, references


def references_without_note(source: Source, language: str) -> Iterator[Hit]:
    notes, references = notes_and_references(source)
    for label, offset in references:
        if label not in notes:
            message = f"footnote '[^{label}]' has no note: add '[^{label}]: ...' to the chapter"
            yield Hit(offset, message)


def notes_never_referenced(source: Source, language: str) -> Iterator[Hit]:
    notes, references = notes_and_references(source)
    referenced = {label for label, _ in references}
    for label, offset in notes.items():
        if label not in referenced:
            yield Hit(offset, f"note '[^{label}]' is never referred to")


def heading_skips(source: Source, language: str) -> Iterator[Hit]:
    """A heading more than one level below the one before (the title is level 1)."""
    level = 1
    for block in source.blocks:
        if block.kind is Kind.HEADING:
            if block.level > level + 1:
                indent = len(block.text) - len(block.text.lstrip())
                message = f"heading skips a level: h{block.level} after h{level}"
                yield Hit(block.start + indent, message)
            level = block.level


def raw_html_quotes(source: Source, language: str) -> Iterator[Hit]:
    for block, text in source.prose:
        if block.kind is Kind.HTML:
            for index, char in enumerate(text):
                if char in STRAIGHT_QUOTES:
                    message = f"straight quote {char!r} in raw HTML: type {STRAIGHT_QUOTES[char]}"
                    yield Hit(block.start + index, message)


def raw_html_dashes(source: Source, language: str) -> Iterator[Hit]:
    for block, text in source.prose:
        if block.kind is Kind.HTML:
            for match in DOUBLE_HYPHEN.finditer(text):
                message = f"'{match[0]}' in raw HTML: type – or —"
                yield Hit(block.start + match.start(), message)


def title_offset(source: Source) -> int:
    """Where the chapter's title is written: front matter's `title:`, else the `# ` heading."""
    front = FRONT_MATTER.match(source.text)
    key = None if front is None else TITLE_KEY.search(source.text, 0, front.end())
    if key is not None:
        return key.end()
    for block in source.blocks:
        if block.kind is Kind.HEADING and block.level == 1:
            return block.start + len(block.text) - len(block.text.lstrip(" #"))
    return 0


def is_title_only(chapter: Chapter) -> bool:
    """Whether the chapter has no text, no image, nothing but its title."""
    body = parse_fragment(chapter.body)
    has_image = next(body.iter("{*}img"), None) is not None
    return not has_image and not "".join(map(str, body.itertext())).strip()
