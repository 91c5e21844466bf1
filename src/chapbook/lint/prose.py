"""Checks of the prose of a chapter's paragraphs, headings and raw HTML: doubled words,
repeated spaces, quotation marks and brackets that do not pair up. Code, URLs, tags and
Markdown's marks are not prose (see `source.prose_text`)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from chapbook.lint.source import Block, Hit, Source

DOUBLED = re.compile(r"(?<![\w'’-])(\w+)\s+(\1)(?![\w'’-])", re.IGNORECASE)
REPEATS = {
    "en": {"had", "that", "ha"},
    "fr": {"nous", "vous"},
    "de": {"die", "der", "das", "den", "dem"},
}
"""Words that a sentence may rightly repeat, by language ("had had", "nous nous")."""
SPACES = re.compile(r"(?<=[^\s\x00])  +(?=[^\s\x00])")
STRAIGHT = '"'
PAIRS = {"“": "”", "„": "“", "«": "»", "»": "«", "(": ")", "[": "]"}
"""Each opening mark and the mark that closes it (German „…“ and »…«, French «…»)."""
QUOTES = "“”„«»"
LEFT_OPEN = "is not closed in its paragraph"
BRACKETS = "()[]"
ENUMERATOR = re.compile(r"(?:^|(?<=\s))(?:[a-z]|[0-9]{1,2}|[ivx]{1,4})\)$", re.IGNORECASE)
"""An enumeration's label in running text: 'a)', '2)', 'iv)'."""


def doubled_words(source: Source, language: str) -> Iterator[Hit]:
    allowed = REPEATS.get(language.split("-")[0].lower(), set())
    for block, text in source.prose:
        for match in DOUBLED.finditer(text):
            if match[1].lower() not in allowed and not is_name(match[1], match[2]):
                words = f"{match[1]} {match[2]}"
                yield Hit(block.start + match.start(2), f"doubled word '{words}'")


def is_name(first: str, second: str) -> bool:
    """Whether a repeat is a name ("La La Land", "Bora Bora") or a number: both words
    capitalized, or digits."""
    return first.isdigit() or (first[:1].isupper() and second[:1].isupper())


def repeated_spaces(source: Source, language: str) -> Iterator[Hit]:
    for block, text in source.prose:
        if "|" in block.text.split("\n")[0]:
            continue  # a table's row: its cells may be aligned with spaces
        for match in SPACES.finditer(text):
            count = len(match[0])
            yield Hit(block.start + match.start(), f"{count} spaces in a row between words")


def unbalanced_quotes(source: Source, language: str) -> Iterator[Hit]:
    """Quotation marks that do not pair up in a paragraph; but a quotation left open where
    the next paragraph opens with the same mark goes on there (a speech of several
    paragraphs opens each and closes only the last)."""
    blocks = source.prose
    for number, (block, text) in enumerate(blocks):
        following = blocks[number + 1][1].lstrip()[:1] if number + 1 < len(blocks) else ""
        for hit in unpaired(block, text, QUOTES):
            if not (
                hit.message.endswith(LEFT_OPEN) and text[hit.offset - block.start] == following
            ):
                yield hit
        straight = [index for index, char in enumerate(text) if char == STRAIGHT]
        if len(straight) % 2 and following != STRAIGHT:
            message = f"straight quotation marks '\"' do not pair up ({len(straight)} here)"
            yield Hit(block.start + straight[-1], message)


def unbalanced_brackets(source: Source, language: str) -> Iterator[Hit]:
    """Brackets that do not pair up in a paragraph; not the ')' of an enumeration's
    'a)', '2)' or 'iv)'."""
    for block, text in source.prose:
        for hit in unpaired(block, text, BRACKETS):
            if not ENUMERATOR.search(text, 0, hit.offset - block.start + 1):
                yield hit


def unpaired(block: Block, text: str, marks: str) -> Iterator[Hit]:
    """Each of `marks` in `text` that closes nothing, then each left open."""
    opened: list[int] = []
    for index, char in enumerate(text):
        if char not in marks:
            continue
        if opened and char == PAIRS[text[opened[-1]]]:
            opened.pop()
        elif char in PAIRS:
            opened.append(index)
        else:
            yield Hit(block.start + index, f"'{char}' closes nothing in its paragraph")
    for index in opened:
        yield Hit(block.start + index, f"'{text[index]}' {LEFT_OPEN}")
