"""Fenced code as authors write it (GFM, mdBook, pandoc, Quarto), in a Python-Markdown
extension. Design: docs/architecture.md, 'Fenced code'."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

import markdown
from markdown.blockparser import BlockParser
from markdown.blockprocessors import CodeBlockProcessor
from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor
from markdown.util import HTML_PLACEHOLDER

QUOTE = re.compile(r" *> ?")
"""One block quote marker, with the spaces before it and the one after it."""
OPENING = re.compile(
    r"(?P<lead>(?: *(?:[-*+:]|\d{1,9}[.)]) +)*)(?P<indent> *)(?P<marker>`{3,}|~{3,})(?P<info>.*)$"
)
"""A fence's opening line (its block quote markers taken off): list item and definition
marks, indent, the fence and its info string."""
LANGUAGE = re.compile(r"[\w#+.-]+")
"""What a language name may be (`c++`, `c#`, `objective-c`, `rust`)."""
ATTRIBUTES = re.compile(r"\{([^{}]*)\}")
COMMENT_OPEN = re.compile(r" {0,3}<!--")
LIST_INDENT = 4
"""Python-Markdown's indent of a list item's blocks: a fence indented this much (or more)
is in a list item, and ends where a line is indented less."""
PLACEHOLDER = re.compile(
    "^(?P<prefix>[ >]*)" + re.escape(HTML_PLACEHOLDER).replace("%s", "(?P<key>[0-9]+)") + "$"
)


@dataclass
class Fence:
    """A fenced code block found in a chapter's lines: lines `start` to `end` (excluded)."""

    start: int
    quote: str
    """The block quote markers before the opening fence, as written."""
    depth: int
    """How many block quotes it is in."""
    lead: str
    """List item or definition marks on the opening line, as written (`1. `, `: `), if any."""
    indent: int
    marker: str
    info: str
    end: int = 0
    code: list[str] = field(default_factory=list)
    closed: bool = False
    ended_by: str = "chapter"
    """What ended a fence that was not closed: the chapter, its block quote or list item."""

    @property
    def column(self) -> int:
        """Where the code's lines begin, past the block quote markers."""
        return len(self.lead) + self.indent


def strip_quotes(line: str, depth: int) -> tuple[int, str]:
    """How many of `depth` block quote markers `line` begins with, and what follows them."""
    found = 0
    while found < depth and (match := QUOTE.match(line)) is not None:
        line, found = line[match.end() :], found + 1
    return found, line


def opening(line: str) -> Fence | None:
    """The fence that `line` opens, if it opens one (its code and end still to be found)."""
    if "```" not in line and "~~~" not in line:  # at once: OPENING backtracks over indents
        return None
    rest, depth = line, 0
    while (match := QUOTE.match(rest)) is not None:
        rest, depth = rest[match.end() :], depth + 1
    found = OPENING.match(rest)
    if found is None or (found["marker"][0] == "`" and "`" in found["info"]):
        return None
    quote = line[: len(line) - len(rest)]
    lead, indent = found["lead"], len(found["indent"])
    return Fence(0, quote, depth, lead, indent, found["marker"], found["info"].strip())


def closes(fence: Fence, content: str) -> bool:
    """Whether a line (its block quote markers taken off) is the fence's closing fence."""
    stripped = content.lstrip(" ")
    if len(content) - len(stripped) > fence.column + 3:
        return False
    run = len(stripped) - len(stripped.lstrip(fence.marker[0]))
    return run >= len(fence.marker) and not stripped[run:].strip(" ")


def ends_container(fence: Fence, line: str) -> str | None:
    """What a line shows has ended the fence's block quote or list item, if it does."""
    depth, content = strip_quotes(line, fence.depth)
    if not content.strip():
        return None  # a blank line goes on (lines of only `>` included)
    if depth < fence.depth:
        return "block quote"
    indented = len(content) - len(content.lstrip(" "))
    if (fence.lead or fence.column >= LIST_INDENT) and indented < min(fence.column, LIST_INDENT):
        return "list item"
    return None


def code_line(fence: Fence, line: str) -> str:
    """A line of the fence's code: its block quote markers and the fence's indent taken off."""
    content = strip_quotes(line, fence.depth)[1]
    indented = len(content) - len(content.lstrip(" "))
    return content[min(indented, fence.column) :]


def scan(lines: list[str]) -> list[Fence]:
    """Every fenced code block of a chapter's lines (tabs expanded), in order. HTML comments
    are the author's notes: a fence inside one is not looked for."""
    fences: list[Fence] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        if COMMENT_OPEN.match(strip_quotes(line, 99)[1]):
            while index < len(lines) and "-->" not in lines[index]:
                index += 1
            index += 1
            continue
        fence = opening(line)
        if fence is None:
            index += 1
            continue
        fence.start = index
        index = gather(fence, lines, index + 1)
        fences.append(fence)
    return fences


def gather(fence: Fence, lines: list[str], index: int) -> int:
    """Read the fence's code from `index` on; the index of the line after the fence. A
    fence that its container ends (or the chapter) leaves the blank lines before that end."""
    while index < len(lines):
        line = lines[index]
        ended = ends_container(fence, line)
        if ended is not None:
            fence.ended_by = ended
            break
        if closes(fence, strip_quotes(line, fence.depth)[1]):
            fence.closed, fence.end = True, index + 1
            return index + 1
        fence.code.append(code_line(fence, line))
        index += 1
    while fence.code and not fence.code[-1].strip():
        fence.code.pop()
    fence.end = fence.start + 1 + len(fence.code)
    return fence.end


def language(info: str) -> tuple[str, str]:
    """The language and the id an info string names: `rust,ignore` -> rust; `python
    title="x.py"` -> python; `{#id .python .numberLines}` -> python and id; `{python}` ->
    python. A name that is not a language's is left out."""
    attributes = ATTRIBUTES.search(info)
    tokens = attributes[1].replace(",", " ").split() if attributes else []
    identifier = next((t[1:] for t in tokens if t.startswith("#")), "")
    before = info[: attributes.start()] if attributes else info
    first = before.split(maxsplit=1)[0].split(",")[0].lstrip(".") if before.strip() else ""
    if not first:
        classes = [t.lstrip(".") for t in tokens if "=" not in t and not t.startswith("#")]
        first = classes[0] if classes else ""
    return (first if LANGUAGE.fullmatch(first) else ""), identifier


def code_html(fence: Fence) -> str:
    """The fence's code as Python-Markdown's fenced_code writes it."""
    name, identifier = language(fence.info)
    pre = f' id="{html.escape(identifier)}"' if identifier else ""
    code = f' class="language-{html.escape(name)}"' if name else ""
    text = html.escape("\n".join(fence.code) + "\n" if fence.code else "", quote=False)
    return f"<pre{pre}><code{code}>{text}</code></pre>"


@dataclass(frozen=True)
class Unclosed:
    """A fence never closed: its line (from 1) and what ended it."""

    line: int
    marker: str
    ended_by: str

    @property
    def message(self) -> str:
        return (
            f"code fence {self.marker} is never closed: the code runs to the end of its "
            f"{self.ended_by}; close it with a line {self.marker}"
        )


@dataclass(frozen=True)
class Stashed:
    """A fence's original lines and its placeholder line, to put back as written."""

    lines: tuple[str, ...]
    placeholder: str


class FencePreprocessor(Preprocessor):
    """Replaces each fence by its placeholder line, between blank lines of its block quote."""

    def __init__(self, md: markdown.Markdown) -> None:
        super().__init__(md)
        self.unclosed: dict[str, Unclosed] = {}
        """The fences never closed, by their placeholder."""
        self.originals: dict[str, Stashed] = {}

    def run(self, lines: list[str]) -> list[str]:
        self.unclosed, self.originals = {}, {}
        out: list[str] = []
        done = 0
        for fence in scan(lines):
            out += lines[done : fence.start]
            key = self.md.htmlStash.store(code_html(fence))
            line = fence.quote + (fence.lead or " " * fence.indent) + key
            self.originals[key] = Stashed(tuple(lines[fence.start : fence.end]), line)
            out += around(fence, line, out, lines[fence.end : fence.end + 1])
            done = fence.end
            if not fence.closed:
                self.unclosed[key] = Unclosed(fence.start + 1, fence.marker, fence.ended_by)
        return out + lines[done:]


def around(fence: Fence, line: str, before: list[str], after: list[str]) -> list[str]:
    """The placeholder `line` of `fence`, with blank lines of its block quote around it
    where it would otherwise run into a paragraph (none on a list item's own line)."""
    if fence.lead:
        return [line]
    blank = fence.quote.rstrip()
    head = [blank] if before and before[-1].strip(" >") else []
    tail = [blank] if after and after[0].strip(" >") else []
    return [*head, line, *tail]


class IndentedCode(CodeBlockProcessor):
    """Python-Markdown's indented code, with a fence inside it put back as written."""

    def __init__(self, parser: BlockParser, fences: FencePreprocessor) -> None:
        super().__init__(parser)
        self.fences = fences

    def run(self, parent: ET.Element, blocks: list[str]) -> None:
        blocks[0] = "\n".join(self.put_back(line) for line in blocks[0].split("\n"))
        super().run(parent, blocks)

    def put_back(self, line: str) -> str:
        match = PLACEHOLDER.match(line)
        stashed = None if match is None else self.fences.originals.get(match[0].lstrip(" >"))
        if match is None or stashed is None:
            return line
        self.fences.unclosed.pop(stashed.placeholder.lstrip(" >"), None)  # no fence after all
        cut = len(stashed.placeholder) - len(line)
        return "\n".join(original[cut:] for original in stashed.lines)


class Fences(Extension):
    """Fenced code in any info string's form, in block quotes and list items at any depth:
    registered in place of Python-Markdown's fenced_code."""

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        fences = FencePreprocessor(md)
        md.preprocessors.register(fences, "fenced_code_block", 25)
        md.parser.blockprocessors.register(IndentedCode(md.parser, fences), "code", 80)


def unclosed(md: markdown.Markdown) -> tuple[Unclosed, ...]:
    """The fences that the last conversion by `md` found never closed."""
    fences = md.preprocessors["fenced_code_block"]
    return tuple(fences.unclosed.values()) if isinstance(fences, FencePreprocessor) else ()


def fenced_lines(text: str) -> dict[int, int]:
    """Where each fenced code block of a chapter's text begins and ends, as Markdown reads
    it: the index of its first line (from 0), and of the line after it."""
    lines = text.expandtabs(4).split("\n")
    return {fence.start: fence.end for fence in scan(lines)}
