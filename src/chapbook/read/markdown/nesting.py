"""How deep a chapter nests its content, measured before it is converted (issue 16, finding 4).
Design: docs/architecture.md, 'Nesting depth and text length'."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree

from chapbook.read.markdown.fences import fenced_lines

LIMIT = 32
"""The most levels a chapter may nest: well past any book (lists rarely go 6 deep), well
short of where WeasyPrint (about 95 lists) or libxml2 (256 elements) give up."""
TAB = 4
"""Columns of indentation that nest a list one level deeper (Python-Markdown's tab)."""
NOT_LEVELS = frozenset(
    {"li", "dt", "dd", "thead", "tbody", "tfoot", "tr", "td", "th", "caption", "colgroup"}
    | {"p", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "figcaption", "summary", "legend"}
    | {"option", "optgroup", "rt", "rp"}
)
"""Elements that are no level of their own: parts of their parent, or holders of text."""
VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param"}
    | {"source", "track", "wbr"}
)
LEVELS = frozenset(
    {"div", "section", "article", "aside", "nav", "header", "footer", "main", "address"}
    | {"blockquote", "ul", "ol", "dl", "menu", "table", "figure", "details", "fieldset"}
    | {"form", "hgroup", "search", "span", "a", "em", "strong", "b", "i", "u", "s", "q"}
    | {"small", "sub", "sup", "code", "kbd", "samp", "var", "mark", "cite", "abbr", "dfn"}
    | {"del", "ins", "bdi", "bdo", "ruby", "time", "data", "label", "button", "select"}
    | {"object", "video", "audio", "picture", "canvas", "svg", "math", "noscript"}
    | {"template", "iframe", "map", "output", "progress", "meter", "big", "center", "font"}
    | {"strike", "tt", "nobr", "textarea"}
)
"""HTML elements (the names the Markdown may hold as raw HTML) that nest a level each."""

MARKER = re.compile(r"([ \t]*)(?:>|(?:[-*+]|\d{1,9}[.)])(?=[ \t]|$))[ \t]?")
"""A block quote or list item marker, with the indentation before it."""
TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)\b(?:[^<>\"']|\"[^\"]*\"|'[^']*')*?(/?)>")
CODE_SPAN = re.compile(r"(`+).+?\1")
COMMENT = re.compile(r"<!--.*?-->")


@dataclass(frozen=True)
class Depth:
    """The deepest point of a text: how many levels, and on which 1-based line."""

    levels: int
    line: int


def message(levels: int, at_least: bool = False) -> str:
    """The error of a text nested `levels` deep (`at_least` that many: it was not counted
    to the end)."""
    how = "at least " if at_least else ""
    return f"lists, quotes and HTML elements nested {how}{levels:,} levels deep (limit {LIMIT})"


def too_deep(markdown: str) -> Depth | None:
    """The deepest point of `markdown`, if it is past LIMIT."""
    deepest = markdown_depth(markdown)
    return deepest if deepest.levels > LIMIT else None


def markdown_depth(markdown: str) -> Depth:
    """The deepest point of `markdown`: the most levels open on one of its lines."""
    lines = markdown.split("\n")
    code = {n for start, end in fenced_lines(markdown).items() for n in range(start, end)}
    html = HtmlLevels()
    deepest = Depth(0, 1)
    for number, line in enumerate(lines):
        if number in code:
            continue
        if not line.strip():
            html.paragraph_ends()
            continue
        levels = markdown_levels(line) + html.read(line)
        if levels > deepest.levels:
            deepest = Depth(levels, number + 1)
    return deepest


def markdown_levels(line: str) -> int:
    """The quotes and lists `line` is in, by the markers that begin it: a level for each
    quote marker and each list marker, and one for each TAB columns of indentation before
    a marker (the lists it is inside)."""
    levels, at = 0, 0
    while (marker := MARKER.match(line, at)) is not None:
        levels += 1 + len(marker[1].expandtabs(TAB)) // TAB
        at = marker.end()
    return levels


class HtmlLevels:
    """The HTML elements open as the lines go by: block elements until they close (or the
    text ends), inline ones at most to the end of their paragraph, as a parser closes
    them; what is in a comment or a code span is not read."""

    def __init__(self) -> None:
        self.open: list[str] = []
        self.comment = False

    def read(self, line: str) -> int:
        """The most elements open on `line`, read with what was open before it."""
        most = len(self.open)
        if "<" not in line and not self.comment:  # the most lines, at once
            return most
        for closing, name in self.tags(line):
            if not closing:
                self.open.append(name)
                most = max(most, len(self.open))
            elif name in self.open:  # closes it and whatever it holds still open
                del self.open[len(self.open) - 1 - self.open[::-1].index(name) :]
        return most

    def tags(self, line: str) -> Iterator[tuple[bool, str]]:
        """The opening and closing tags of elements that are levels, in order."""
        text = self.outside_comments(line)
        for match in TAG.finditer(CODE_SPAN.sub("", text)):
            name = match[2].lower()
            if name in LEVELS and not match[3]:
                yield bool(match[1]), name

    def outside_comments(self, line: str) -> str:
        """`line` without the HTML comments in it (one may begin or end on another line)."""
        if self.comment:
            end = line.find("-->")
            if end < 0:
                return ""
            self.comment, line = False, line[end + 3 :]
        line = COMMENT.sub("", line)
        start = line.find("<!--")
        if start >= 0:
            self.comment, line = True, line[:start]
        return line

    def paragraph_ends(self) -> None:
        """A blank line: inline elements left open are closed with their paragraph."""
        while self.open and self.open[-1] in INLINE:
            self.open.pop()


INLINE = LEVELS - {
    "div", "section", "article", "aside", "nav", "header", "footer", "main", "address",
    "blockquote", "ul", "ol", "dl", "menu", "table", "figure", "details", "fieldset", "form",
    "hgroup", "search", "center", "noscript", "template", "object", "video", "audio",
}  # fmt: skip
"""The elements of LEVELS that a paragraph's end closes."""


def xhtml_levels(container: etree._Element) -> int:
    """The most levels inside an XHTML element (not counting it; elements of NOT_LEVELS
    apart), counted without recursion."""
    most = levels = 0
    for event, element in etree.iterwalk(container, events=("start", "end")):
        if not isinstance(element.tag, str) or element is container:
            continue
        counts = etree.QName(element).localname not in NOT_LEVELS
        levels += counts if event == "start" else -counts
        most = max(most, levels)
    return most
