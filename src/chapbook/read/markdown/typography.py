"""Typography that follows the book's language: quotation marks and spaces for French, German
and Swiss German (`localize`, `localize_text`).
Design: docs/architecture.md, 'Typography by language'."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from lxml import etree

NNBSP = "\u202f"
NBSP = "\u00a0"
OBJECT = "\ufffc"
"""Stands in for an element whose text is left alone (code, math): it reads as a word."""
BREAK = "\u2029"
"""Stands in for a line break or a nested block: the end of a line."""
WHITE = " \t\n\r\u00a0\u202f\u2009"
"""The spaces an author may have typed (or this module written) next to a mark."""

SKIPPED = frozenset({"code", "pre", "kbd", "samp", "var", "script", "style", "math"})
BLOCKS = frozenset(
    {
        *("p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "td", "th", "dd"),
        *("dt", "figcaption", "div", "section", "aside", "caption", "ul", "ol", "dl"),
        *("table", "thead", "tbody", "tfoot", "tr", "figure", "header", "footer", "nav"),
        *("article", "main", "address", "details", "summary", "hr", "body", "html"),
        *("hgroup", "fieldset", "legend"),
    }
)

DOUBLE, SINGLE = "double", "single"
KIND = {"“": DOUBLE, "”": DOUBLE, "„": DOUBLE, "«": DOUBLE, "»": DOUBLE}
KIND |= {"‘": SINGLE, "’": SINGLE, "‚": SINGLE, "‹": SINGLE, "›": SINGLE}
CLOSING = {"«": "»", "‹": "›", "“": "”", "‘": "’", "„": "“", "‚": "‘"}
OPENING_MARKS = "([{«‹“‘„‚"
"""What no space is put after before ; ! ? :."""
CLOSING_MARKS = ")]}»›”’"
"""What may come before ; ! ? : when a space is put in front of them."""
URL = re.compile(r"(?:\b[A-Za-z][A-Za-z0-9+.\-]*://|\bwww\.)[^\s\u2029\ufffc]*")


# Streams: a block's text as one string, and where each character goes back to.


@dataclass(frozen=True)
class Slot:
    """The `.text` or the `.tail` of an element."""

    element: etree._Element
    tail: bool

    def read(self) -> str:
        return (self.element.tail if self.tail else self.element.text) or ""

    def write(self, text: str) -> None:
        if text == self.read():
            return
        if self.tail:
            self.element.tail = text or None
        else:
            self.element.text = text or None


@dataclass(frozen=True)
class Stream:
    """Text with, for each character, the slot it belongs to (-1: a stand-in, written nowhere)."""

    text: str
    owners: tuple[int, ...]

    @classmethod
    def of(cls, text: str) -> Stream:
        return cls(text, (0,) * len(text))

    def char(self, index: int) -> str:
        """The character at `index`, or "" outside the text."""
        return self.text[index] if 0 <= index < len(self.text) else ""


@dataclass(frozen=True)
class Edit:
    """Replace text[start:end] with `text`, which goes to slot `owner`."""

    start: int
    end: int
    text: str
    owner: int


def apply(stream: Stream, edits: list[Edit]) -> Stream:
    """The stream with non-overlapping edits made."""
    pieces: list[str] = []
    owners: list[int] = []
    position = 0
    for edit in sorted(edits, key=lambda edit: (edit.start, edit.end)):
        pieces += [stream.text[position : edit.start], edit.text]
        owners += [*stream.owners[position : edit.start], *[edit.owner] * len(edit.text)]
        position = edit.end
    pieces.append(stream.text[position:])
    owners += stream.owners[position:]
    return Stream("".join(pieces), tuple(owners))


Pass = Callable[[Stream], Stream]
"""One rule, applied to a block's stream."""


def chain(passes: list[Pass]) -> Pass:
    def run(stream: Stream) -> Stream:
        for step in passes:
            stream = step(stream)
        return stream

    return run


def replace(stream: Stream, start: int, end: int, text: str) -> Edit:
    """Replace a span of real characters; the new text goes where the span's first was."""
    return Edit(start, end, text, stream.owners[start])


def insert_before(stream: Stream, index: int, text: str) -> Edit:
    return Edit(index, index, text, stream.owners[index])


def insert_after(stream: Stream, index: int, text: str) -> Edit:
    return Edit(index + 1, index + 1, text, stream.owners[index])


@dataclass
class Block:
    """One block's slots and the stream of their text, built in document order."""

    slots: list[Slot] = field(default_factory=list)
    chars: list[str] = field(default_factory=list)
    owners: list[int] = field(default_factory=list)

    def add(self, element: etree._Element, tail: bool) -> None:
        slot = Slot(element, tail)
        text = slot.read()
        if text:
            self.owners += [len(self.slots)] * len(text)
            self.slots.append(slot)
            self.chars.append(text)

    def stand_in(self, char: str) -> None:
        self.chars.append(char)
        self.owners.append(-1)

    def stream(self) -> Stream:
        return Stream("".join(self.chars), tuple(self.owners))

    def write(self, stream: Stream) -> None:
        parts: list[list[str]] = [[] for _ in self.slots]
        for char, owner in zip(stream.text, stream.owners, strict=True):
            if owner >= 0:
                parts[owner].append(char)
        for slot, part in zip(self.slots, parts, strict=True):
            slot.write("".join(part))


def local_name(element: etree._Element) -> str | None:
    """The tag without a namespace; None for comments and processing instructions."""
    tag: object = element.tag
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else None


def blocks(element: etree._Element) -> Iterator[Block]:
    """The element as a block, then every block nested in it."""
    block = Block()
    nested: list[Block] = []
    block.add(element, tail=False)
    gather(element, block, nested)
    yield block
    yield from nested


def gather(parent: etree._Element, block: Block, nested: list[Block]) -> None:
    """Add the parent's children to the block; collect the blocks they contain."""
    for child in parent:
        name = local_name(child)
        if name in SKIPPED:
            block.stand_in(OBJECT)
        elif name in BLOCKS:
            block.stand_in(BREAK)
            nested.extend(blocks(child))
        elif name == "br":
            block.stand_in(BREAK)
        elif name is not None:
            block.add(child, tail=False)
            gather(child, block, nested)
        block.add(child, tail=True)


# Quotation marks.


@dataclass(frozen=True)
class QuoteStyle:
    """The marks a language writes for English “…” and ‘…’.

    `by_depth`: the outermost quotation takes `outer` and any quotation inside another
    `inner`, whichever marks the author used; otherwise doubles take `outer`, singles
    `inner`. `openers` and `closers` are the language's own marks, kept as typed."""

    outer: tuple[str, str]
    inner: tuple[str, str]
    by_depth: bool
    openers: str
    closers: str

    def marks(self, kind: str, depth: int) -> tuple[str, str]:
        if self.by_depth:
            return self.outer if depth == 0 else self.inner
        return self.outer if kind == DOUBLE else self.inner

    def opening(self) -> str:
        """What a quote opens after: brackets and opening marks."""
        return "([{" + self.openers + "".join(mark for mark in "“‘" if mark not in self.closers)

    def is_ambiguous(self, char: str) -> bool:
        """True for a closing mark that is also an English opening one (German “ and ‘)."""
        return char in self.closers and char in "“‘"


@dataclass(frozen=True)
class Opener:
    index: int
    kind: str
    english: bool


class Quotes:
    """The quotation marks of a text, paired: which opens, which closes, which is an
    apostrophe. English ’ closes the innermost open single quote unless it is an
    apostrophe (see `may_close`); ‘n’ (rock ‘n’ roll as smarty writes it) is two."""

    def __init__(self, text: str, style: QuoteStyle) -> None:
        self.text = text
        self.style = style
        self.pairs: list[tuple[Opener, int]] = []
        self.unpaired: list[Opener] = []
        self.strays: list[int] = []
        self.elisions: list[int] = []
        self.stack: list[Opener] = []
        for index, char in enumerate(text):
            self.take(index, char)
        self.unpaired += self.stack

    def take(self, index: int, char: str) -> None:
        if char in "‘’" and self.is_elision(index):
            self.elisions.append(index)
        elif char in self.style.openers:
            self.stack.append(Opener(index, KIND[char], english=False))
        elif self.style.is_ambiguous(char):
            self.take_ambiguous(index, char)
        elif char in self.style.closers:
            self.close(index, KIND[char])
        elif char in "“‘":
            self.stack.append(Opener(index, KIND[char], english=True))
        elif char == "”":
            self.take_closing_double(index)
        elif char == "’" and self.may_close(index):
            self.close(index, SINGLE)

    def take_ambiguous(self, index: int, char: str) -> None:
        """German “ and ‘ close an open „ or ‚, stay a closing mark where nothing is open
        and they follow a word, and are English opening marks otherwise."""
        kind = KIND[char]
        latest = self.latest(kind)
        if latest is not None and not latest.english:
            self.close(index, kind)
        elif latest is not None or not self.in_closing_place(index):
            self.stack.append(Opener(index, kind, english=True))

    def latest(self, kind: str) -> Opener | None:
        """The open quote a closing mark of this kind would close: the latest open double,
        or the innermost open quote if it is a single."""
        if kind == SINGLE:
            return self.stack[-1] if self.stack and self.stack[-1].kind == SINGLE else None
        return next((opener for opener in reversed(self.stack) if opener.kind == kind), None)

    def take_closing_double(self, index: int) -> None:
        """” closes the latest open double quote — in French only an English one, as a «
        there may have been a ‘ before a first run. With nothing to close, it closes a
        quotation begun in an earlier paragraph if it follows a word; else it stays."""
        latest = self.latest(DOUBLE)
        if latest is not None and (latest.english or not self.style.by_depth):
            self.close(index, DOUBLE)
        elif self.in_closing_place(index, strict=True):
            self.strays.append(index)

    def close(self, index: int, kind: str) -> bool:
        """Close the open quote of this kind, if any; the ones opened after it stay open."""
        opener = self.latest(kind)
        if opener is None:
            return False
        at = self.stack.index(opener)
        self.unpaired += self.stack[at + 1 :]
        del self.stack[at:]
        self.pairs.append((opener, index))
        return True

    def may_close(self, index: int) -> bool:
        """’ may close a quote unless it is an apostrophe: between two letters (don’t),
        opening a word (’90s) or closing the ’n’ of rock ’n’ roll."""
        before, after = self.text[index - 1 : index], self.text[index + 1 : index + 2]
        if before.isalpha() and after.isalpha():
            return False
        if self.is_elision(index - 2):
            return False
        return before not in ("", BREAK) and not before.isspace()

    def is_elision(self, index: int) -> bool:
        """‘n’ or ’n’ standing on its own at `index` (rock ’n’ roll)."""
        word = self.text[max(index - 1, 0) : index + 4]
        return re.fullmatch(r"(?:^|[^\w’‘])[‘’][nN]’(?:$|[^\w’‘])", word) is not None

    def in_closing_place(self, index: int, strict: bool = False) -> bool:
        """After a word or a closing mark, and not before a word or an opening mark.

        A German “ with nothing open is read as closing where this holds. In German,
        every mark a first run may turn into “ or ‘ counts against it, and a stray ” is
        made a closing mark only where it holds `strict`ly, so that a second run reads
        the marks the same."""
        before, after = self.text[index - 1 : index], self.text[index + 1 : index + 2]
        opening = self.style.opening()
        german = "“" in self.style.closers
        not_before = opening + ("“‘" if strict and german else "")
        not_after = opening + ("“‘’”" if german else "")
        just_opened = bool(self.stack) and self.stack[-1].index == index - 1
        follows = before not in ("", BREAK, *not_before) and not before.isspace()
        precedes = after != "" and (after.isalnum() or after in OBJECT + not_after)
        return follows and not just_opened and not precedes

    def spans(self) -> list[tuple[int, int]]:
        """Where each quotation runs: paired ones to their close, open doubles to the end."""
        spans = [(opener.index, close) for opener, close in self.pairs]
        open_doubles = [opener for opener in self.unpaired if opener.kind == DOUBLE]
        return spans + [(opener.index, len(self.text)) for opener in open_doubles]

    def marks(self) -> dict[int, str]:
        """Each quotation mark to be changed -> what it becomes."""
        spans = self.spans()

        def depth(index: int) -> int:
            return sum(1 for start, end in spans if start < index < end)

        def opening(opener: Opener) -> str:
            if not opener.english:
                return self.text[opener.index]
            return self.style.marks(opener.kind, depth(opener.index))[0]

        marks = {index: "’" for index in self.elisions}
        for opener, close in self.pairs:
            marks[opener.index] = opening(opener)
            marks[close] = CLOSING[marks[opener.index]]
        for opener in self.unpaired:
            if opener.english and opener.kind == DOUBLE:
                marks[opener.index] = opening(opener)
        for index in self.strays:
            marks[index] = self.style.marks(DOUBLE, depth(index))[1]
        return {index: mark for index, mark in marks.items() if mark != self.text[index]}


def quote_pass(style: QuoteStyle) -> Pass:
    def localize_quotes(stream: Stream) -> Stream:
        marks = Quotes(stream.text, style).marks()
        return apply(stream, [replace(stream, i, i + 1, mark) for i, mark in marks.items()])

    return localize_quotes


# Spaces.


def guillemet_spaces(space: str) -> Pass:
    """`space` inside « and », replacing whatever space the author typed there."""

    def after_opening(stream: Stream) -> Stream:
        edits = []
        for match in re.finditer(f"«([{WHITE}]*)", stream.text):
            following = stream.char(match.end())
            if following not in ("", BREAK, "»") and match[1] != space:
                edits.append(new_space(stream, match.start(), match.start(1), match.end(), space))
        return apply(stream, edits)

    def before_closing(stream: Stream) -> Stream:
        edits = []
        for match in re.finditer(f"([{WHITE}]*)»", stream.text):
            before = stream.char(match.start() - 1)
            if before not in ("", BREAK, "«") and match[1] != space:
                edits.append(new_space(stream, match.end() - 1, match.start(), match.end(1), space))
        return apply(stream, edits)

    return chain([after_opening, before_closing])


def new_space(stream: Stream, mark: int, start: int, end: int, space: str) -> Edit:
    """The typed space in text[start:end] made `space`; inserted next to the mark if none."""
    if start < end:
        return replace(stream, start, end, space)
    return insert_after(stream, mark, space) if mark < start else insert_before(stream, mark, space)


def punctuation_spaces(spaces: dict[str, str]) -> Pass:
    """Before each mark in `spaces`, its space: the one the author typed replaced, a
    missing one put in after a word, a number or a closing mark."""
    pattern = re.compile(f"([{WHITE}]*)([{re.escape(''.join(spaces))}])")

    def space_punctuation(stream: Stream) -> Stream:
        urls = [match.span() for match in URL.finditer(stream.text)]
        edits = []
        for match in pattern.finditer(stream.text):
            mark, space = match.start(2), spaces[match[2]]
            if any(start <= mark < end for start, end in urls) or match[1] == space:
                continue
            before = stream.char(match.start() - 1)
            if before in ("", BREAK) or before in OPENING_MARKS:
                continue
            if match[1]:
                edits.append(replace(stream, match.start(), mark, space))
            elif space and may_insert(stream, mark, before):
                edits.append(insert_before(stream, mark, space))
        return apply(stream, edits)

    return space_punctuation


def may_insert(stream: Stream, mark: int, before: str) -> bool:
    """A space goes before ; ! ? : after a word, a number or a closing mark — but not in
    10:30, nor before the // of an address."""
    if not (before.isalnum() or before == OBJECT or before in CLOSING_MARKS):
        return False
    if stream.text[mark] != ":":
        return True
    after = stream.char(mark + 1)
    return after != "/" and not (before.isdigit() and after.isdigit())


ABBREVIATIONS = (
    *("a. a. O.", "a. D.", "d. h.", "d. i.", "d. J.", "i. A.", "i. d. R.", "i. e. S."),
    *("i. V.", "i. w. S.", "m. E.", "m. W.", "n. Chr.", "o. Ä.", "o. g.", "s. o.", "s. u."),
    *("u. a.", "u. a. m.", "u. Ä.", "u. U.", "u. v. a.", "u. v. m.", "v. a.", "v. Chr."),
    *("z. B.", "z. d. A.", "z. Hd.", "z. T.", "z. Z.", "z. Zt."),
)
"""German abbreviations of more than one part, as the Duden writes them."""


def abbreviation_pattern(abbreviations: tuple[str, ...]) -> re.Pattern[str]:
    """Any of the abbreviations, the first letter in either case (sentences open with Z. B.),
    the parts apart by one space of any kind."""

    def one(abbreviation: str) -> str:
        first, rest = abbreviation[0], abbreviation[1:]
        parts = [re.escape(part) for part in rest.split(" ")]
        return f"[{first.lower()}{first.upper()}]" + f"[ \n{NBSP}{NNBSP}]".join(parts)

    longest_first = sorted(abbreviations, key=len, reverse=True)
    return re.compile(rf"(?<![^\W\d_])(?:{'|'.join(one(item) for item in longest_first)})")


ABBREVIATION = abbreviation_pattern(ABBREVIATIONS)


def abbreviation_spaces(stream: Stream) -> Stream:
    """z. B., d. h., u. a., o. Ä., i. d. R., ...: a narrow no-break space between the parts."""
    edits = []
    for match in ABBREVIATION.finditer(stream.text):
        for space in re.finditer(f"[ \n{NBSP}]", match[0]):
            at = match.start() + space.start()
            edits.append(replace(stream, at, at + 1, NNBSP))
    return apply(stream, edits)


# Languages.

FRENCH_QUOTES = QuoteStyle(("«", "»"), ("“", "”"), by_depth=True, openers="«‹", closers="»›")
GERMAN_QUOTES = QuoteStyle(("„", "“"), ("‚", "‘"), by_depth=False, openers="„‚", closers="“‘")
SWISS_QUOTES = QuoteStyle(("«", "»"), ("‹", "›"), by_depth=False, openers="«‹", closers="»›")

FRENCH = chain(
    [
        quote_pass(FRENCH_QUOTES),
        guillemet_spaces(NNBSP),
        punctuation_spaces({";": NNBSP, "!": NNBSP, "?": NNBSP, ":": NBSP}),
    ]
)
CANADIAN_FRENCH = chain(
    [
        quote_pass(FRENCH_QUOTES),
        guillemet_spaces(NBSP),
        punctuation_spaces({";": "", "!": "", "?": "", ":": NBSP}),
    ]
)
GERMAN = chain([quote_pass(GERMAN_QUOTES), abbreviation_spaces])
SWISS_GERMAN = chain([quote_pass(SWISS_QUOTES), abbreviation_spaces])


def rules_for(language: str) -> Pass | None:
    """The passes for a BCP 47 tag, or None where the text stays as it is."""
    primary, region = language_and_region(language)
    if primary == "fr":
        return CANADIAN_FRENCH if region == "ca" else FRENCH
    if primary == "de":
        return SWISS_GERMAN if region in ("ch", "li") else GERMAN
    return None


def language_and_region(language: str) -> tuple[str, str | None]:
    """'fr-Latn-CA' -> ('fr', 'ca'): the primary language and the region, lower case."""
    primary, *rest = language.strip().replace("_", "-").lower().split("-")
    for subtag in rest:
        if len(subtag) == 1:
            break
        if (len(subtag) == 2 and subtag.isalpha()) or (len(subtag) == 3 and subtag.isdigit()):
            return primary, subtag
    return primary, None


def localize(root: etree._Element, language: str) -> None:
    """Rewrite, in place, the text of `root` and everything in it for `language`."""
    rules = rules_for(language)
    if rules is None or local_name(root) in SKIPPED:
        return
    for block in list(blocks(root)):
        block.write(rules(block.stream()))


def localize_text(text: str, language: str) -> str:
    """A plain string (a title, say) with the typography of `language`."""
    rules = rules_for(language)
    return text if rules is None else rules(Stream.of(text)).text
