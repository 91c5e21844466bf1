"""What no part of a book may exceed (a run of text over libxml2's limit), refused with its
place rather than cut short. Design: docs/architecture.md, 'Nesting depth and text length'."""

from __future__ import annotations

from lxml import etree

from chapbook.read.markdown.sourcemap import normalized, stream

TEXT_LIMIT = 10_000_000
"""Bytes (UTF-8) of text that libxml2 takes between two tags (XML_MAX_TEXT_LENGTH)."""
LEAD = 40
"""Letters and digits of an overlong text looked for in the Markdown to find its line."""


def overlong(body: etree._Element, markdown: str) -> list[tuple[str, int | None]]:
    """A message and a line of `markdown` for each run of text in `body` over TEXT_LIMIT."""
    found: list[tuple[str, int | None]] = []
    for element in body.iter():
        for text in (element.text, element.tail):
            size = len(text.encode()) if text and len(text) * 4 > TEXT_LIMIT else 0
            if size > TEXT_LIMIT:
                found.append((message(size), line_of_text(markdown, text or "")))
    return found


def message(size: int) -> str:
    return (
        f"this paragraph holds {size:,} bytes of text without markup, over the "
        f"{TEXT_LIMIT:,} that XHTML readers take (libxml2's limit): split it into paragraphs"
    )


def line_of_text(markdown: str, text: str) -> int | None:
    """The line of `markdown` where `text` begins, found by its first letters and digits."""
    lead = normalized(text[: LEAD * 10])[:LEAD]
    source = stream(markdown)
    found = source.text.find(lead) if lead else -1
    return source.line_at(found) if found >= 0 else None
