"""Any input, valid output (issue 8): generated manuscripts either build or are refused with
BookErrors, and what they build is well-formed XML that EPUBCheck passes, and a PDF.

The chapters are made of what authors write and what they paste: nested lists, tables with
inline markup and pipes, footnotes (referenced once, twice or never, and references to
nothing), raw HTML well-formed or not, entities, stray `<` and `&`, headings of every level
with and without ids, emphasis, links to anchors in the same or another chapter, code spans
and fenced code holding `<` and `&`, odd Unicode (combining marks, right-to-left text, emoji,
joiners, noncharacters, C0 controls: everything that can be written as UTF-8), very long words
and lines, quotes and apostrophes of several languages, front matter, empty chapters and
chapters without a title.

`CHAPBOOK_ANY_INPUT_SCALE=10 pytest tests/test_read_any_input.py` runs ten times as many examples.
"""

from __future__ import annotations

import importlib
import logging
import os
import pkgutil
import posixpath
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import pypdf
import pytest
import yaml
from hypothesis import HealthCheck, Phase, event, example, given, note, settings
from hypothesis import strategies as st
from lxml import etree
from warm_epubcheck import epubcheck_messages

import chapbook
from chapbook.diagnostics import BookErrors
from chapbook.pipeline import Output, build

for _module in pkgutil.walk_packages(chapbook.__path__, "chapbook."):
    # Hypothesis draws some values from the constants of the local modules loaded when a
    # test runs: load them all, so that the fixed examples do not depend on which modules
    # the code under test happens to import, or lazily, by then.
    importlib.import_module(_module.name)

SCALE = max(1, int(os.environ.get("CHAPBOOK_ANY_INPUT_SCALE", "1")))
LANGUAGES = ("en", "fr", "de", "fr-CA")
XML_FORBIDDEN = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
"""What XML 1.0's `Char` production leaves out: C0 controls but tab and line ends,
surrogates, U+FFFE and U+FFFF."""
XML_FILES = (".xhtml", ".opf", ".ncx", ".xml")
XHTML = "{http://www.w3.org/1999/xhtml}"
VALID_URL = re.compile(r"(?:[A-Za-z0-9\-._~:/?#@!$&'()*+,;=]|%[0-9A-Fa-f]{2}|[^\x00-\x7f])*")
"""What RFC 3987 lets a URL (an IRI) hold: its characters, escapes as % and two hex digits."""
PLACEHOLDER = re.compile(r"[\x02\ufffd]?(klzzwxh|wzxhzdk):\d+[\x03\ufffd]?")
"""Python-Markdown's stand-ins for escaped characters and stashed HTML, which must never
reach the output (the generated text never has these words)."""


def fuzz_settings(examples: int, *, shrink: bool = True) -> settings:
    """Fixed examples (derandomized) for a stable CI; `shrink=False` for a test whose
    every example is slow: its failure is shown as found, not made smaller first."""
    phases = [Phase.explicit, Phase.reuse, Phase.generate, *([Phase.shrink] if shrink else [])]
    return settings(
        max_examples=examples * SCALE,
        phases=phases,
        report_multiple_bugs=shrink,
        deadline=None,
        derandomize=True,
        database=None,
        print_blob=True,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.filter_too_much,
            HealthCheck.large_base_example,
        ],
    )


# ---------------------------------------------------------------------------------------------
# Inline pieces. In each pool the plainest comes first: that is where shrinking goes.

WORDS = st.sampled_from(
    ["word", "the", "Harbour", "naïve", "Straße", "café", "ﬁne", "façade", "über", "x", "A1"]
)
ODD = st.sampled_from(
    [
        "e\u0301",  # e + combining acute
        "a\u0300\u0301\u0302\u0303\u0308",  # a pile of combining marks
        "\u0301start",  # a combining mark with nothing to combine with
        "שלום עולם",  # Hebrew
        "مرحبا بالعالم",  # Arabic
        "\u202eright-to-left override\u202c",
        "\u200f\u200e\u2066isolate\u2069",
        "😀",
        "👨\u200d👩\u200d👧\u200d👦",  # a family: emoji joined by zero-width joiners
        "🏳️\u200d🌈",
        "\U0001f1eb\U0001f1f7",  # a flag: two regional indicators
        "zero\u200bwidth\u200cnon\u200djoin\u2060word",
        "\ufeffbom",
        "soft\u00adhyphen",
        "nb\u00a0sp\u202fnarrow\u2009thin",
        "漢字かなカナ",
        "ｆｕｌｌｗｉｄｔｈ",  # noqa: RUF001
        "नमस्ते",
        "ภาษาไทย",
        "\U0001d54f\U0001d552\U0001d55d",  # mathematical double-struck letters
        "\U000e0041\U000e0042",  # tag characters
        "\ufdd0\U0010ffff\U0001fffe",  # noncharacters XML allows
        "\ufffc\ufffd",
        "line\u2028separator",
        "para\u2029separator",
        "next\x85line",
        "\ufffe",  # noncharacters XML forbids
        "\uffff",
        "\x00",  # C0 controls, all forbidden by XML 1.0 but tab and line ends
        "\x01",
        "\x08",
        "\x0b",
        "\x0c",
        "\x1b[31m",
        "\x1f",
        "\x7f",  # DEL and C1 controls: allowed (discouraged) by XML 1.0
        "\x9f",
        "tab\there",
        "cr\rhere",
    ]
)
QUOTES = st.sampled_from(
    [
        '"quoted"',
        "'single'",
        "don't",
        "l'été",
        "aujourd'hui",
        "'90s",
        "\"nested 'inner' quote\"",
        '"',
        "'",
        "« Bonjour »",
        "«sans espaces»",
        "„Guten Tag“",
        "‚einfach‘",
        "“English”",
        "‘single’",
        "‹angle›",
        "z. B.",
        "d. h.",
        "u. a.",
        "Quoi ?",
        "Attention !",
        "ceci ; cela",
        "note : ici",
        "wait...",
        "dash -- and --- more",
        '"unclosed',
        "unopened'",
        "“crossed‘ ’marks”",
        '""',
        "''",
        "\"'\"'",
    ]
)
ENTITIES = st.sampled_from(
    [
        "&amp;",
        "&nbsp;",
        "&copy;",
        "&#x1F600;",
        "&#169;",
        "&lt;tag&gt;",
        "&hellip;&mdash;&laquo;&raquo;",
        "&",
        "a & b",
        "&&",
        "AT&T",
        "&bogus;",
        "&amp",
        "&#0;",
        "&#x1;",
        "&#xB;",
        "&#xD800;",
        "&#xFFFE;",
        "&#x110000;",
        "&#99999999999;",
        "<",
        "a < b",
        "<3",
        "x<y",
        ">",
        "</",
        "<>",
        "<<>>",
        "a <b c",
        "<!-- a comment -->",
        "<!--",
        "-->",
        "<?php echo 1; ?>",
        "<![CDATA[ x < y ]]>",
        "]]>",
    ]
)
INLINE_HTML = st.sampled_from(
    [
        "<br>",
        "<br/>",
        "<br />",
        "<b>bold</b>",
        "<i>italic",
        "</i>",
        "<span>",
        "</span>",
        '<span class="x">span</span>',
        '<span lang="he"\ndir="rtl">שלום\nעולם</span>',  # noqa: RUF001
        "<span>across\nlines</span>",
        "<em>em <strong>strong</em> crossed</strong>",
        "<sup>1</sup>",
        "<sub>2</sub>",
        "<q>quote</q>",
        "<abbr title='HyperText'>HTML</abbr>",
        "<code>a < b</code>",
        "<kbd>Ctrl</kbd>",
        "<mark>marked</mark>",
        "<small>small</small>",
        '<a href="#a">raw link</a>',
        '<a href="https://example.com/?a=1&b=2">raw external</a>',
        '<a id="raw-anchor"></a>',
        "<a>no href</a>",
        '<span id="dup">one</span><span id="dup">two</span>',
        "<wbr>",
        "<p>",
        "</p>",
        "<div>",
        "</div>",
        '<img alt="">',
        "<font color=red>old</font>",
        "<u>under</u>",
        "<ruby>漢<rt>kan</rt></ruby>",
        "<bdi>إيان</bdi>",
        '<time datetime="2020-01-01">then</time>',
        "<x-custom>custom</x-custom>",
        "<o:p></o:p>",
        "<span style='color:red'>styled</span>",
        "<span onclick='x()'>handler</span>",
    ]
)
CODE_SPANS = st.sampled_from(
    [
        "`code`",
        "`a < b && c > d`",
        "`&amp; &nbsp; &#x1F600;`",
        "`<div>`",
        "`</code>`",
        "``a ` b``",
        "`a|b`",
        "`]]>`",
        "`\"quotes\" 'stay'`",
        "`\x01`",
        "`",
        "``",
        "` `",
    ]
)
LONG = st.sampled_from(
    [
        "x" * 500,
        "Donaudampfschifffahrtsgesellschaftskapitän" * 12,
        "漢" * 500,
        "e\u0301" * 250,
        "https://example.com/" + "a" * 480,
        "&" * 300,
        "<" * 300,
        "*" * 301,
        "_" * 300,
        "-" * 500,
        "😀" * 250,
        "\u200b".join("y" * 300),
        "'" * 300,
        '"' * 301,
    ]
)
LONG_RANDOM = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Zs", "Zl", "Zp", "Cc"]),
    min_size=500,
    max_size=520,
)
ANY_TEXT = st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=12)
PIPES = st.sampled_from(["a \\| b", "\\|", "|", "`x|y`", "a|b", "||"])
NOTE_LABELS = ("1", "2", "note", "é", "two words", "x<y", "3")
ANCHORS = ("a", "b-2", "sec_3")
NOTE_REFS = st.sampled_from(NOTE_LABELS).map(lambda label: f"[^{label}]")
CHAPTER_REF = st.sampled_from(["", "@CH0", "@CH1", "@CH2"])
"""Placeholders for another chapter's file, filled in once the book's chapters are known."""


@st.composite
def links(draw: st.DrawFn, text: st.SearchStrategy[str]) -> str:
    label = draw(text)
    kind = draw(st.integers(0, 5))
    if kind <= 2:
        return f"[{label}]({draw(CHAPTER_REF)}#{draw(st.sampled_from(ANCHORS))})"
    if kind == 3:
        chapter = draw(st.sampled_from(["@CH0", "@CH1", "@CH2"]))
        return f"[{label}]({chapter})"
    if kind == 4:
        return f"[{label}](https://example.com/a?b=1&c=<2>)"
    return draw(st.sampled_from(["<https://example.com>", "[ref][nowhere]", "[]()", "[x](#)"]))


ATOMS = st.one_of(
    WORDS,
    QUOTES,
    ODD,
    ENTITIES,
    INLINE_HTML,
    CODE_SPANS,
    NOTE_REFS,
    LONG,
    PIPES,
    ANY_TEXT,
    LONG_RANDOM,
)


def spans(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.lists(inner, min_size=1, max_size=3).map(" ".join)


INLINE = st.recursive(
    ATOMS,
    lambda inner: st.one_of(
        spans(inner).map(lambda s: f"*{s}*"),
        spans(inner).map(lambda s: f"**{s}**"),
        spans(inner).map(lambda s: f"_{s}_"),
        spans(inner).map(lambda s: f"***{s}***"),
        spans(inner).map(lambda s: f"<em>{s}</em>"),
        spans(inner).map(lambda s: f"<span>{s}"),
        links(spans(inner)),
    ),
    max_leaves=6,
)


@st.composite
def text_line(draw: st.DrawFn, max_size: int = 8) -> str:
    """Inline text on one line (as far as the pieces have no line ends of their own)."""
    parts: list[str] = draw(st.lists(INLINE, min_size=1, max_size=max_size))
    out = parts[0]
    for part in parts[1:]:
        out += draw(st.sampled_from([" ", " ", " ", ""])) + part
    return out


LINE = text_line()
LONG_LINE = st.integers(150, 250).map(lambda n: " ".join(["long", "line", "words"] * n))


@st.composite
def paragraph(draw: st.DrawFn) -> str:
    lines = draw(st.lists(st.one_of(LINE, LONG_LINE), min_size=1, max_size=3))
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Blocks


@st.composite
def heading(draw: st.DrawFn) -> str:
    level = draw(st.integers(1, 6))
    text = draw(text_line(max_size=4))
    anchor = draw(st.one_of(st.just(""), st.sampled_from(ANCHORS).map(lambda a: f" {{#{a}}}")))
    closing = draw(st.sampled_from(["", " " + "#" * level]))
    return f"{'#' * level} {text}{anchor}{closing}"


@st.composite
def list_block(draw: st.DrawFn, depth: int = 0) -> str:
    ordered = draw(st.booleans())
    marker = draw(st.sampled_from(["1.", "2)", "9."] if ordered else ["-", "*", "+"]))
    indent = draw(st.sampled_from(["    ", "    ", "  ", "\t"]))
    items = []
    for _ in range(draw(st.integers(1, 4))):
        item = f"{marker} {draw(LINE)}"
        if draw(st.integers(0, 3)) == 0:
            item += f"\n\n{indent}{draw(LINE)}"  # a loose item: a second paragraph
        if depth < 3 and draw(st.integers(0, 2)) == 0:
            nested = draw(list_block(depth + 1))
            item += "\n" + "\n".join(indent + line if line else "" for line in nested.split("\n"))
        items.append(item)
    return draw(st.sampled_from(["\n", "\n\n"])).join(items)


@st.composite
def table(draw: st.DrawFn) -> str:
    columns = draw(st.integers(1, 4))
    cell = st.one_of(text_line(max_size=3), PIPES, st.just(""))
    header = [draw(cell) for _ in range(columns)]
    rule = [draw(st.sampled_from(["---", ":--", "--:", ":-:"])) for _ in range(columns)]
    rows = draw(
        st.lists(st.lists(cell, min_size=max(1, columns - 1), max_size=columns + 1), max_size=4)
    )
    outer = draw(st.booleans())

    def row(cells: list[str]) -> str:
        inner = " | ".join(c.replace("\n", " ") for c in cells)
        return f"| {inner} |" if outer else inner

    return "\n".join(row(cells) for cells in [header, rule, *rows])


@st.composite
def note_definition(draw: st.DrawFn) -> str:
    label = draw(st.sampled_from(NOTE_LABELS))
    text = f"[^{label}]: {draw(LINE)}"
    more = draw(st.integers(0, 3))
    if more == 1:
        text += f"\n\n    {draw(LINE)}"
    elif more == 2:
        text += "\n\n    - in a note\n    - a list"
    return text


RAW_BLOCKS = st.sampled_from(
    [
        "<p>unclosed paragraph",
        "<p>one<p>two",
        "<div>\n*not Markdown*\n</div>",
        '<div markdown="1">\n\n*Markdown* inside &copy;\n\n</div>',
        '<div markdown="1">\n- a list\n- in a div\n</div>',
        '<div markdown="block">\n# A heading in a div\n\ntext[^1]\n</div>',
        "<div>unclosed div",
        "</div>",
        "<div><p>crossed</div></p>",
        "<span>across\nlines</span>",
        "<br>",
        "<hr>",
        "<table><tr><td>cell<td>cell</table>",
        "<ul><li>one<li>two</ul>",
        "<!-- a comment -->",
        "<!-- unclosed comment",
        "<blockquote>quote &copy; &nbsp; &#x1F600; &bogus;</blockquote>",
        "<pre>a < b && c</pre>",
        "<details><summary>More</summary>\n\nText\n</details>",
        '<section><h2 id="raw-heading">raw heading</h2></section>',
        "<aside>aside</aside>",
        "<dl><dt>term<dd>definition</dl>",
        "<figure><figcaption>caption</figcaption></figure>",
        "<h1>a raw h1</h1>",
        "<?xml version='1.0'?>",
        "<!DOCTYPE html>",
        "<![CDATA[ x < y ]]>",
        "&nbsp;&copy;&#x1F600;&bogus;&#0;",
        "< not a tag",
        "<a<b>>",
        "<math><mi>x</mi></math>",
        '<svg width="10" height="10"><circle r="4"/></svg>',
        "<script>var a = 1 < 2;</script>",
        "<style>p { color: red }</style>",
        "<center>old</center>",
        "<html><body>a whole document</body></html>",
        "<head><title>t</title></head>",
        "<p xmlns='http://example.com/other'>other namespace</p>",
        "<p xml:lang='fr' lang='de'>languages</p>",
        '<p id="1">a numeric id</p>',
        '<p id="two words">an id with a space</p>',
        "<epub:switch>x</epub:switch>",
        "<ns:tag>prefixed</ns:tag>",
    ]
)


@st.composite
def fenced_code(draw: st.DrawFn) -> str:
    fence = draw(st.sampled_from(["```", "~~~", "````"]))
    language = draw(st.sampled_from(["", "html", "python", "{.lang #code-id}", "<b>"]))
    lines = draw(
        st.lists(
            st.one_of(
                st.sampled_from(
                    [
                        "a < b && c > d",
                        "<div>&nbsp;&copy;</div>",
                        "</code></pre>",
                        "]]>",
                        "<!--",
                        "\"quotes\" and 'apostrophes' -- stay",
                        "    indented",
                        "```",
                        "# not a heading",
                        "[^1] not a note",
                    ]
                ),
                ODD,
                ANY_TEXT,
            ),
            max_size=4,
        )
    )
    closed = draw(st.integers(0, 9)) > 0
    return "\n".join([fence + language, *lines, *([fence] if closed else [])])


BLOCK = st.one_of(
    paragraph(),
    heading(),
    list_block(),
    table(),
    note_definition(),
    RAW_BLOCKS,
    fenced_code(),
    st.tuples(LINE, LINE).map(lambda t: f"> {t[0]}\n>\n> > {t[1]}"),
    st.sampled_from(["* * *", "---", "***", "___"]),
    st.tuples(WORDS, LINE).map(lambda t: f"{t[0]}\n:   {t[1]}"),
    st.just("*[HTML]: HyperText Markup Language\n\nHTML and HTML."),
    LINE.map(lambda line: f"    indented code {line}"),
    LINE.map(lambda line: f"{line}\n{{: #a .klass }}"),
)


# ---------------------------------------------------------------------------------------------
# Chapters and books


@dataclass(frozen=True)
class Chapter:
    name: str
    """The file name under `chapters/`."""
    text: str
    kind: str
    """Either titled, or untitled or empty: two errors the manuscript format defines."""


@dataclass(frozen=True)
class Manuscript:
    title: str
    language: str
    chapters: tuple[Chapter, ...]

    @property
    def expected_errors(self) -> list[str]:
        """What the build must report: the manuscript format forbids these."""
        expected = []
        for chapter in self.chapters:
            if chapter.kind == "empty":
                expected.append(f"chapters/{chapter.name}:1: chapter is empty")
            elif chapter.kind == "untitled":
                expected.append(f"chapters/{chapter.name}:1: no title")
        return expected


FORMAT_ERRORS = {"chapter is empty", "no title: begin with a '# Title' heading or set 'title'"}
"""What the build says of an empty chapter and of one without a title."""
EMPTY_TEXTS = st.sampled_from(
    ["", "\n", "   \n\n\t\n", "\ufeff", "\ufeff\n\n", "---\ntitle: Only Front Matter\n---\n"]
)
FILE_NAMES = ("one", "two", "three", "été", "two words", "😀", "a&b", "x'y", "ünïcödé-ñ")


@st.composite
def chapter_text(draw: st.DrawFn, kind: str, tame: Callable[[str], str]) -> str:
    """A chapter's Markdown, passed through `tame`; its links still name other chapters as
    `@CHn`."""
    if kind == "empty":
        return draw(EMPTY_TEXTS)
    front: dict[str, str] = {}
    if draw(st.integers(0, 5)) == 0:
        for key in ("epigraph", "epigraph-source"):
            if draw(st.booleans()):
                front[key] = tame(draw(LINE))
    if kind == "titled":
        opening = f"# {draw(text_line(max_size=4))}"
        if draw(st.integers(0, 4)) == 0:
            opening += " {#chapter-title}"
    else:
        opening = "A first paragraph, with no title before it."
    blocks = draw(st.lists(BLOCK, max_size=7))
    text = opening
    for block in blocks:
        text += draw(st.sampled_from(["\n\n", "\n\n", "\n\n\n", "\n"])) + block
    text = tame(text) + draw(st.sampled_from(["\n", "", "\n\n\n", "  "]))
    if front:
        text = "---\n" + yaml.safe_dump(front, allow_unicode=True) + "---\n" + text
    return text


def without_forbidden(text: str) -> str:
    return XML_FORBIDDEN.sub("", text)


def unchanged(text: str) -> str:
    return text


LINK = re.compile(r"\]\((@CH\d)?#([\w-]+)\)|href=\"#([\w-]+)\"")


def with_targets(texts: list[str], names: list[str], kinds: list[str]) -> list[str]:
    """Fill in the chapters' names, and give every anchor a link points at a heading in the
    chapter it names, unless that chapter is to stay empty (a link to a missing anchor is an
    error the build rightly reports)."""
    wanted: list[set[str]] = [set() for _ in texts]
    for n, text in enumerate(texts):
        for match in LINK.finditer(text):
            target = int(match[1][3:]) if match[1] else n
            target = target if target < len(texts) else n  # @CHn of a chapter not there: this
            wanted[target].add(match[2] or match[3])
    filled = []
    for n, text in enumerate(texts):
        for k, name in enumerate(names):
            text = text.replace(f"@CH{k}", quote(name))
        text = re.sub(r"@CH\d", "", text)  # a chapter the book does not have: this one
        missing = sorted(a for a in wanted[n] if f"{{#{a}}}" not in text and kinds[n] != "empty")
        text += "".join(f"\n\n## Target {anchor} {{#{anchor}}}\n" for anchor in missing)
        filled.append(text)
    return filled


KINDS = st.sampled_from(["titled"] * 8 + ["untitled", "empty"])
BOOK_TITLES = st.one_of(
    st.sampled_from(
        [
            "Test Book",
            "L'été « chaud »",
            "Quotes \"and\" 'more'",
            "Ünïcödé 😀 שלום",
            "<b>Bold</b> & Co",
            "A\u0301\u200d\u202e",
            "Tab\there",
            "\x01control",
            "non\ufffecharacter",
        ]
    ),
    ANY_TEXT,
)


@st.composite
def manuscripts(draw: st.DrawFn, kinds: st.SearchStrategy[str] = KINDS) -> Manuscript:
    """A book of one to three chapters; `kinds` draws whether each has a title, none or
    nothing at all."""
    count = draw(st.integers(1, 3))
    names = draw(st.lists(st.sampled_from(FILE_NAMES), min_size=count, max_size=count, unique=True))
    names = [f"{n:02d}-{name}.md" for n, name in enumerate(names, 1)]
    drawn = [draw(kinds) for _ in names]
    # One book in five may hold the characters XML forbids (which the build may refuse):
    # the others are free of them, so that most books get as far as the writers.
    tame = unchanged if draw(st.integers(0, 4)) == 4 else without_forbidden
    texts = [draw(chapter_text(kind, tame)) for kind in drawn]
    texts = with_targets(texts, names, drawn)
    return Manuscript(
        title=tame(draw(BOOK_TITLES)) or "Test Book",
        language=draw(st.sampled_from(LANGUAGES)),
        chapters=tuple(Chapter(*c) for c in zip(names, texts, drawn, strict=True)),
    )


def toml_string(text: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters escaped."""

    def escape(match: re.Match[str]) -> str:
        char = match[0]
        return "\\" + char if char in '"\\' else f"\\u{ord(char):04x}"

    return '"' + re.sub(r'["\\\x00-\x08\x0a-\x1f\x7f]', escape, text) + '"'


def write_manuscript(book: Manuscript, root: Path) -> Path:
    folder = root / "manuscript"
    (folder / "chapters").mkdir(parents=True)
    listed = ", ".join(toml_string(f"chapters/{c.name}") for c in book.chapters)
    (folder / "book.toml").write_text(
        f"[book]\ntitle = {toml_string(book.title)}\nlanguage = {toml_string(book.language)}\n"
        f"\n[contents]\nchapters = [{listed}]\n",
        encoding="utf-8",
    )
    for chapter in book.chapters:
        path = folder / "chapters" / chapter.name
        path.write_text(chapter.text, encoding="utf-8", newline="")
    return folder


# ---------------------------------------------------------------------------------------------
# What a valid output is


def excerpt(text: str, line: int, column: int = 0) -> str:
    lines = text.splitlines()
    shown = lines[max(0, line - 3) : line + 2] if line else lines[:5]
    return "\n".join(s if len(s) < 300 else s[:150] + " ... " + s[-150:] for s in shown)


def check_xml_files(epub: Path) -> dict[str, etree._Element]:
    """Every XML file of the EPUB is UTF-8, free of the characters XML forbids and
    well-formed; its ids are unique; its links inside the book land on an id."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    documents: dict[str, etree._Element] = {}
    with zipfile.ZipFile(epub) as package:
        names = set(package.namelist())
        for name in sorted(names):
            if not name.endswith(XML_FILES):
                continue
            data = package.read(name)
            text = data.decode("utf-8")
            bad = XML_FORBIDDEN.search(text)
            assert bad is None, (
                f"{name} holds U+{ord(bad[0]):04X}, which XML 1.0 forbids:\n"
                + excerpt(text, text.count("\n", 0, bad.start()) + 1)
            )
            leaked = PLACEHOLDER.search(text)
            assert leaked is None, (
                f"{name} holds Python-Markdown's placeholder {leaked[0]!r} instead of text:\n"
                + excerpt(text, text.count("\n", 0, leaked.start()) + 1)
            )
            try:
                documents[name] = etree.fromstring(data, parser)
            except etree.XMLSyntaxError as error:
                line, column = error.position
                raise AssertionError(
                    f"{name} is not well-formed XML: {error}\n{excerpt(text, line, column)}"
                ) from None
    ids: dict[str, set[str]] = {}
    for name, root in documents.items():
        if not name.endswith(".xhtml"):
            continue
        seen = [str(e.get("id")) for e in root.iter(etree.Element) if e.get("id") is not None]
        twice = sorted({i for i in seen if seen.count(i) > 1})
        assert not twice, f"{name}: ids used more than once: {twice}"
        spaced = [i for i in seen if not i or re.search(r"\s", i)]
        assert not spaced, f"{name}: ids empty or with white space in them: {spaced}"
        ids[name] = set(seen)
        nested = [
            a
            for a in root.iter(f"{XHTML}a")
            if next(a.iterancestors(f"{XHTML}a"), None) is not None
        ]
        assert not nested, f"{name}: a link inside a link: {[etree.tostring(a) for a in nested]}"
        for element in root.iter(etree.Element):
            for attribute in ("href", "src"):
                url = element.get(attribute)
                assert url is None or (VALID_URL.fullmatch(url) and url.count("#") <= 1), (
                    f"{name}: {attribute}={url!r} is not a valid URL"
                )
    for name, root in documents.items():
        if not name.endswith(".xhtml"):
            continue
        for element in root.iter(f"{XHTML}a"):
            href = element.get("href")
            if href is None:
                continue
            parts = urlsplit(href)
            if parts.scheme or parts.netloc:
                continue
            target = name
            if parts.path:
                target = posixpath.normpath(
                    posixpath.join(posixpath.dirname(name), unquote(parts.path))
                )
            assert target in names, f"{name}: link {href!r} to a file the EPUB lacks"
            if parts.fragment and target in ids:
                assert unquote(parts.fragment) in ids[target], (
                    f"{name}: link {href!r} to an id that {target} lacks"
                )
    return documents


def check_pdf(path: Path) -> None:
    data = path.read_bytes()
    assert data.startswith(b"%PDF-"), f"{path.name} is not a PDF"
    assert len(pypdf.PdfReader(path).pages) >= 4  # half title, title, copyright, a chapter


def build_or_refuse(
    book: Manuscript, targets: list[str], check: Callable[[list[Output]], None]
) -> None:
    """Build `book`; it must either build (and pass `check`) or be refused with BookErrors
    that say what is wrong, among them what the manuscript format itself forbids."""
    for chapter in book.chapters:
        note(f"--- chapters/{chapter.name} ({chapter.kind})\n{chapter.text!r}")
    with tempfile.TemporaryDirectory() as folder, logged("weasyprint") as records:
        manuscript = write_manuscript(book, Path(folder))
        try:
            outputs = build(manuscript, Path(folder) / "out", targets)
        except BookErrors as errors:
            messages = [str(error) for error in errors.errors]
            assert messages, "BookErrors without any error"
            assert all(error.message.strip() for error in errors.errors), messages
            for message in messages:
                event("refused: " + re.sub(r"'[^']*'", "'…'", message.split(": ", 1)[-1])[:60])
            for expected in book.expected_errors:
                # book.toml's errors stop the reading; a chapter refused for something
                # else (a control character, say) need not be read any further
                source = expected.split(":")[0]
                others = [str(e) for e in errors.errors if e.message not in FORMAT_ERRORS]
                if not any("book.toml" in other or source in other for other in others):
                    assert any(expected in message for message in messages), (
                        f"expected an error {expected!r}, got {messages}"
                    )
            return
        assert not book.expected_errors, f"built, but expected errors {book.expected_errors}"
        event("built")
        check(outputs)
        complaints = [r.getMessage() for r in records if r.levelno >= logging.ERROR]
        assert not complaints, f"WeasyPrint's errors while printing: {complaints}"


@contextmanager
def logged(name: str) -> Iterator[list[logging.LogRecord]]:
    """The records that the logger `name` (and those below it) emits meanwhile."""
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Keep(logging.WARNING)
    logging.getLogger(name).addHandler(handler)
    try:
        yield records
    finally:
        logging.getLogger(name).removeHandler(handler)


# ---------------------------------------------------------------------------------------------
# The nastiest inputs found so far: the smallest book that shows each bug reported on issue 8,
# and the two errors the manuscript format itself makes of a chapter.


def one_chapter(text: str, title: str = "Test Book", kind: str = "titled") -> Manuscript:
    return Manuscript(title, "en", (Chapter("01-one.md", text, kind),))


NASTY = [
    one_chapter("# Tom & Jerry\n\nText.\n"),  # a bare & in a title
    one_chapter("# a < b\n\nText.\n"),
    one_chapter("# \x01\n\nText.\n"),  # a control character in a title
    one_chapter("# Title\n\nText.\n", title="\x01"),  # ... in book.toml's title
    one_chapter('---\ntitle: "a\\x01b"\n---\nText.\n'),  # ... in front matter's
    one_chapter("# Title\n\nText \ufffe here.\n"),  # a noncharacter XML forbids
    one_chapter("# Title\n\nText &#xFFFE; here.\n"),
    one_chapter("# Title\n\n<o:p></o:p>\n"),  # a prefix without its namespace (Word)
    one_chapter("# Title\n\n<span a:b='1'>x</span>\n"),
    one_chapter("# Title\n\n<y]>\n"),  # HTML read back as an element XML can't name
    one_chapter("# Title\n\n<p>a <y\n"),
    one_chapter("# Title\n\n<!DOCTYPE html>\n"),
    one_chapter("# Title\n\n[^1]: A note nothing refers to.\n"),
    one_chapter("# Title\n\nText.\n\n## Notes {#fn-1}\n\nText[^1].\n\n[^1]: A note.\n"),
    one_chapter('# Title\n\n<span id="x">one</span> <span id="x">two</span>\n'),
    one_chapter("# Title\n\n_*a** *\\|*\n"),  # Python-Markdown's placeholder left in
    one_chapter("# _*a** *\\|*\n\nText.\n"),
    one_chapter("# Title\n\n**x*<a@<b>>**\n"),  # raw HTML's placeholder, in a mailto
    one_chapter("# The *Odyssey*{lang}\n\nText.\n"),  # an attribute without a value
    one_chapter("# See [the end](#nowhere)\n\nText.\n"),  # links in titles go unchecked
    Manuscript(
        "Test Book",
        "en",
        (
            Chapter("01-one.md", "# See [two](02-two.md)\n\nText.\n", "titled"),
            Chapter("02-two.md", "# Two\n\nText.\n", "titled"),
        ),
    ),
    one_chapter('# Title\n\n<p class="\ufffe">x</p>\n'),
    one_chapter(  # the epigraph's notes and the chapter's get the same ids
        '---\nepigraph: "Said[^1]\\n\\n[^1]: its note"\n---\n'
        "# Title\n\nText[^1].\n\n[^1]: A note.\n"
    ),
    one_chapter('# <span id="x">one</span> <span id="x">two</span>\n\nText.\n'),
    one_chapter('---\nepigraph: "As [below](#a)."\n---\n# Title\n\n## Below {#a}\n'),
    one_chapter("# Title\n\nSee [this[^1]](#a).\n\n## A {#a}\n\n[^1]: A note.\n"),  # a in a
    one_chapter("# Title\n\nText[^a b].\n\n[^a b]: A note.\n"),  # a label with a space
    one_chapter("# Title\n\nText[^x<y].\n\n[^x<y]: A note.\n"),
    one_chapter("# Title\n\nWrite to <a%b@example.com>.\n"),  # not a URL
    one_chapter("# Title\n\nword word *0**0*&0;\n"),  # emphasis that swallowed text
    one_chapter("# Title\n\n[^1]\n\n[^1]: word *0**0*&0;\n"),  # ... in a note
    one_chapter("# Title\n\n***x*<a@<b>>**\n"),  # an address around a placeholder
    one_chapter("# Title\n\na <!-- x -- y --> b\n\n<!-- a -- b -->\n"),  # `--` in comments
    one_chapter("# Title {#top}\n\n[Up](#top).\n"),  # a link to the title's id
    one_chapter('# Title\n\nText <A0<"x@y>> more\n'),  # an address in a tag XML can't name
    one_chapter("# Title\n\nlong<wbr>word and more\n"),  # text after a <wbr>
    Manuscript(
        "Test Book",
        "en",
        (
            Chapter("01-one.md", "# One\n\n[x](02-two.md#caf%C3%A9)\n", "titled"),
            Chapter("02-two.md", "# Two\n\n## Café\n", "titled"),
        ),
    ),
    one_chapter('---\ntitle: "  "\n---\nText.\n'),  # refused once, not twice
    one_chapter("# Title\n\n<center>old</center>\n"),  # refused: obsolete HTML
    one_chapter("\ufeff\n\n", kind="empty"),  # refused, as the format says
    one_chapter("Text before any title.\n", kind="untitled"),
]


NASTY_IN_PRINT = [
    one_chapter("# Title\n\n[^1]: See this very note[^1].\n"),  # a note only it refers to
    one_chapter("# Title\n\n[^a]: See[^b].\n[^b]: See[^a].\n"),
]


def examples(books: list[Manuscript]) -> Callable[[Callable[..., None]], Callable[..., None]]:
    def add(test: Callable[..., None]) -> Callable[..., None]:
        for book in reversed(books):  # the decorators apply inside out
            test = example(book)(test)
        return test

    return add


@examples(NASTY)
@fuzz_settings(200)
@given(manuscripts())
def test_any_manuscript_builds_a_well_formed_epub_or_is_refused(book: Manuscript) -> None:
    def check(outputs: list[Output]) -> None:
        (epub,) = [o.path for o in outputs if o.target == "epub"]
        check_xml_files(epub)

    build_or_refuse(book, ["epub"], check)


VALID = manuscripts(kinds=st.just("titled"))
"""Books the format allows (as far as the generator knows): the slow tests spend their few
examples on books that build."""


@examples(NASTY_IN_PRINT)
@fuzz_settings(12)
@given(VALID)
def test_any_manuscript_builds_a_pdf_too(book: Manuscript) -> None:
    def check(outputs: list[Output]) -> None:
        paths = {o.target: o.path for o in outputs}
        check_xml_files(paths["epub"])  # with the print edition's page-list
        check_pdf(paths["pdf"])

    build_or_refuse(book, ["epub", "pdf"], check)


@pytest.mark.skipif(shutil.which("java") is None, reason="EPUBCheck needs a Java runtime")
@fuzz_settings(5, shrink=False)
@given(VALID)
def test_epubcheck_passes_what_builds(book: Manuscript) -> None:
    """EPUBCheck (1-2 s a book) on a few books, built with their page-list."""

    def check(outputs: list[Output]) -> None:
        (epub,) = [o.path for o in outputs if o.target == "epub"]
        check_xml_files(epub)
        messages = epubcheck_messages(epub)
        assert messages == [], "\n".join(messages)

    build_or_refuse(book, ["epub", "pdf"], check)
