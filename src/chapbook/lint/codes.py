"""The lint's codes: stable, never renumbered. E1xx are errors (the book won't build, or
builds wrong), W2xx warnings (style). A code's letter is its severity."""

from __future__ import annotations

CODES: dict[str, str] = {
    "E100": "the reader's other errors: the book does not build (the message says why)",
    "E101": "a link to a file that is not a chapter of the book",
    "E102": "an image not found",
    "E103": "a link to a heading or anchor that is not there",
    "E104": "a footnote reference without a note",
    "E105": "a chapter listed twice in [contents]",
    "E106": "a chapter listed in [contents] not found",
    "E107": "an ISBN with a bad checksum",
    "E108": "a language that is not a BCP 47 tag",
    "E109": "an empty chapter",
    "W200": "the reader's other warnings (raw HTML removed, a small cover, ...)",
    "W201": "an image without alt text",
    "W202": "a heading that skips a level",
    "W203": "a chapter with no text but its title",
    "W204": "a chapter title that another chapter has too",
    "W205": "a straight quote in raw HTML (no smart quotes there)",
    "W206": "a double hyphen in raw HTML (no dashes made there)",
    "W207": "a doubled word ('the the')",
    "W208": "repeated spaces between words",
    "W209": "unbalanced quotation marks in a paragraph",
    "W210": "unbalanced brackets in a paragraph",
    "W211": "a chapter file not listed in [contents]",
    "W212": "a footnote that nothing refers to",
}
"""Each code and what it finds, in one line (`chapbook check --codes`)."""


def is_error(code: str) -> bool:
    return code.startswith("E")
