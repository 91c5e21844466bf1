"""The XHTML an EPUB may hold, by construction: repairs told as warnings, what can't be
repaired an error, and the classes the stylesheets place images and tables by.
Design: docs/architecture.md, 'XHTML by construction'."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from functools import cached_property

from lxml import etree

from chapbook.model.fragments import is_element, local
from chapbook.model.tables import Column, table_columns
from chapbook.read.markdown.sourcemap import Stream, normalized, stream

XHTML = "{http://www.w3.org/1999/xhtml}"
EPUB_NS = "{http://www.idpf.org/2007/ops}"
XML_NS = "{http://www.w3.org/XML/1998/namespace}"


def word_set(words: str) -> frozenset[str]:
    """The names in `words`, separated by spaces."""
    return frozenset(words.split())


PHRASING = word_set(
    "a abbr area b bdi bdo br canvas cite code data del dfn em i img ins kbd label map mark "
    "meter output progress q ruby s samp slot small span strong sub sup template time u var "
    "wbr"
)
"""HTML's elements of phrasing content (text-level) that an EPUB may hold."""
FLOW = word_set(
    "address article aside blockquote caption col colgroup dd details div dl dt fieldset "
    "figcaption figure footer h1 h2 h3 h4 h5 h6 header hgroup hr legend li main menu nav ol "
    "p pre rb rp rt rtc section summary table tbody td tfoot th thead tr ul"
)
"""HTML's other elements that an EPUB may hold in a chapter."""
ELEMENTS = PHRASING | FLOW
NOT_IN_EPUB = {
    "math": "MathML is not supported: show the formula as an image",
    "dialog": "use a <div>",
    "search": "use a <div>",
    "html": "a chapter is the text of a body: leave out <html>, <head> and <body>",
    "head": "a chapter is the text of a body: leave out <html>, <head> and <body>",
    "body": "a chapter is the text of a body: leave out <html>, <head> and <body>",
    "title": "a chapter's title is its '# ' heading",
    "param": "use an image",
    "keygen": "leave it out",
    "menuitem": "leave it out",
}
"""HTML elements that EPUB's XHTML does not allow, each with what to do instead."""
TEXT_ONLY = word_set(
    "p h1 h2 h3 h4 h5 h6 pre span em strong b i u s small code kbd samp var cite q dfn abbr "
    "sub sup mark bdi bdo time data label output rb rt rp meter progress"
)
"""Elements that hold only phrasing content."""
CHILDREN = {
    **dict.fromkeys(("ul", "ol", "menu"), frozenset({"li"})),
    "dl": frozenset({"dt", "dd", "div"}),
    "table": frozenset({"caption", "colgroup", "thead", "tbody", "tfoot", "tr"}),
    **dict.fromkeys(("thead", "tbody", "tfoot"), frozenset({"tr"})),
    "tr": frozenset({"td", "th"}),
    "colgroup": frozenset({"col"}),
    "hgroup": frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "p"}),
}
"""Elements that hold only certain elements (and white space), besides <template>."""
PARENTS = {
    "li": frozenset({"ul", "ol", "menu"}),
    **dict.fromkeys(("dt", "dd"), frozenset({"dl", "div"})),
    "tr": frozenset({"table", "thead", "tbody", "tfoot"}),
    **dict.fromkeys(("td", "th"), frozenset({"tr"})),
    **dict.fromkeys(("caption", "colgroup", "thead", "tbody", "tfoot"), frozenset({"table"})),
    "col": frozenset({"colgroup"}),
    "figcaption": frozenset({"figure"}),
    "summary": frozenset({"details"}),
    "legend": frozenset({"fieldset"}),
    **dict.fromkeys(("rb", "rp", "rtc"), frozenset({"ruby"})),
    "rt": frozenset({"ruby", "rtc"}),
}
"""Elements that only certain parents may hold."""
KNOWN = ELEMENTS | NOT_IN_EPUB.keys()
"""Names that are HTML elements (those removed or refused by `markup` are added there)."""

GLOBAL_ATTRIBUTES = word_set(
    "about accesskey autocapitalize autofocus class content contenteditable datatype dir "
    "draggable enterkeyhint hidden id inert inlist inputmode is itemid itemprop itemref "
    "itemscope itemtype lang nonce popover prefix property rel resource rev role slot "
    "spellcheck style tabindex title translate typeof vocab"
)
"""Attributes any element may have (besides aria-*, data-*, epub:type and xml:*)."""
ATTRIBUTES = {
    "a": "href target download ping hreflang type referrerpolicy",
    "area": "alt coords shape href target download ping referrerpolicy",
    "img": "alt src srcset sizes crossorigin usemap ismap width height referrerpolicy "
    "decoding loading",
    "blockquote": "cite",
    "q": "cite",
    "del": "cite datetime",
    "ins": "cite datetime",
    "ol": "reversed start type",
    "li": "value",
    "td": "colspan rowspan headers",
    "th": "colspan rowspan headers scope abbr",
    "col": "span",
    "colgroup": "span",
    "table": "border",
    "time": "datetime",
    "data": "value",
    "meter": "value min max low high optimum",
    "progress": "value max",
    "details": "open",
    "map": "name",
    "label": "for",
    "output": "for name",
    "slot": "name",
    "canvas": "width height",
}
"""The attributes of each element besides the global ones."""
OWN_ATTRIBUTES = {name: frozenset(names.split()) for name, names in ATTRIBUTES.items()}
WHOLE_NUMBERS = {
    "colspan": r"[1-9]\d*",
    "rowspan": r"\d+",
    "span": r"[1-9]\d*",
    "start": r"-?\d+",
    "value": r"-?\d+",
    "tabindex": r"-?\d+",
}
"""Attributes that must hold a whole number (`value` on <li> only), as patterns."""
SIZED = frozenset({"img", "canvas"})
"""Elements whose `width` and `height` are sizes (on table parts they are obsolete)."""
PIXELS = re.compile(r"\s*(\d+)\s*(?:px)?\s*", re.IGNORECASE)
LENGTH = re.compile(r"\s*(\d*\.?\d+)\s*(%|px|cm|mm|in|inch|pt|pc|em|rem|ex|ch|vw|vh|q)?\s*", re.I)
DATA_NAME = re.compile(r"^[a-z_][a-z0-9_.-]*$")

WIDE_COLUMNS = 8
"""A table of this many columns or more is set smaller (class `wide`)."""
NARROWEST_MEASURE_EMS = 30.0
"""So is a table whose longest words (a column's each) and cell padding take more ems of a
table's type (9.9 pt) than this, a little less than an A5 page's measure: it would be wider
than the measure with its words whole."""
CROWDED_COLUMNS = 25
"""A table of this many columns or more has equal columns (class `crowded`): more than the
narrowest page sets by their words."""
WIDE_MEASURE_EMS = 43.0
"""The measure of an A5 page in ems of a wide table's type (7.4 pt): what its columns are
shared for (as percentages, which wider pages scale up)."""
EMS_PER_CHARACTER = 0.55
"""An average character's width, in ems (a little more than EB Garamond's and than the code
face's at its size)."""
CELL_PADDING_EMS = 1.2
"""A table's cell padding, left and right (base.css)."""
WIDE_PADDING_EMS = 0.6
"""A wide table's."""
TAG_SHOWN = 40
"""Characters of an unknown tag shown in its warning."""
BEFORE = 600
"""Characters of HTML before something converted kept to find its line by."""
NEARBY_LINES = 30
"""How far past the text before a repaired element its tag is looked for."""
LEAD = 40
"""Letters and digits of the text before a repaired element looked for to find its line."""


@dataclass(frozen=True)
class Repair:
    """What was repaired (a warning) or can't be (an error), at a line of the chapter's file."""

    message: str
    line: int | None
    error: bool = False


# Tags that name no element: text


TOKEN = re.compile(
    r"<!--.*?-->"  # a comment
    r"|<(svg|math|script|style|textarea|title|xmp|plaintext)\b.*?</\1\s*>"  # raw content
    r"|<(/?)([A-Za-z][^\s/<>]*)((?:[\s/](?:\"[^\"<]*\"|'[^'<]*'|[^<>\"'])*)?)>"  # a tag
    r"|<(/?[A-Za-z][^\s/<>]*)(?=<)",  # a tag broken by the next one: `<A0<b>`
    re.DOTALL | re.IGNORECASE,
)


@dataclass(frozen=True)
class Escaped:
    """A tag made text: as written, and the text before it in the fragment."""

    tag: str
    before: str


def escape_unknown_tags(fragment: str, known: frozenset[str]) -> tuple[str, tuple[Escaped, ...]]:
    """`fragment` (HTML) with each tag whose name is not in `known` made text, as written
    (`Box<T>`: `Box&lt;T&gt;`); and those tags, in order. What SVG, MathML, scripts and
    styles hold is left as it is (they are removed or refused whole)."""
    escaped: list[Escaped] = []

    def escape(match: re.Match[str]) -> str:
        name = match[3] or match[5]
        if name is None or (match[3] and name.lower() in known):
            return match[0]
        before = re.sub(r"<[^<>]*>", "", fragment[max(0, match.start() - BEFORE) : match.start()])
        escaped.append(Escaped(match[0], html.unescape(before)))
        return match[0].replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    return TOKEN.sub(escape, fragment), tuple(escaped)


def unknown_tag_repairs(where: Locator, tags: tuple[Escaped, ...]) -> list[Repair]:
    """A warning for each tag made text, at its line in the chapter."""
    repairs = []
    for escaped in tags:
        tag = escaped.tag
        shown = tag if len(tag) <= TAG_SHOWN else tag[: TAG_SHOWN - 4] + "...>"
        message = (
            f"'{shown}' is not an HTML element: printed as text; write it in backticks"
            if not tag.startswith("</")
            else f"'{shown}' closes no HTML element: printed as text; write it in backticks"
        )
        repairs.append(Repair(message, where.line_of(escaped.before, tag)))
    return repairs


FENCE = re.compile(r"^[ \t>]*(`{3,}|~{3,})")
CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(?:(?!\n[ \t>]*\n).)+?(?<!`)\1(?!`)", re.DOTALL)
HIDDEN = re.compile(r"<!--.*?-->|\\<", re.DOTALL)


def without_code(text: str) -> str:
    """`text` (Markdown) with its fenced code, code spans, comments and escaped `<` blanked
    out, its line ends kept: where a tag that became HTML can be looked for."""
    lines = text.split("\n")
    fence = ""
    for number, line in enumerate(lines):
        opening = FENCE.match(line)
        if fence:
            if opening and opening[1].startswith(fence):
                fence = ""
            lines[number] = ""
        elif opening:
            fence = opening[1]
            lines[number] = ""
    blanked = "\n".join(lines)
    for pattern in (CODE_SPAN, HIDDEN):
        blanked = pattern.sub(lambda m: re.sub(r"[^\n]", " ", m[0]), blanked)
    return blanked


# Finding a line


@dataclass
class Locator:
    """Finds where something of a chapter's converted text was written in its Markdown
    `text`: from the text before it (its last letters and digits, looked for in the file),
    then the first line from there that holds `needle` (its tag or attribute as written),
    code and comments left out."""

    text: str

    @cached_property
    def source(self) -> Stream:
        return stream(self.text)

    taken: set[tuple[int, int]] = field(default_factory=set)
    """The places (line, column) of the needles found so far."""

    @cached_property
    def lines(self) -> list[str]:
        return without_code(self.text).split("\n")

    def line(
        self, element: etree._Element, needle: str, at_start: bool = False, count: int = 1
    ) -> int | None:
        """The line of `element` of the converted chapter (see `line_of`)."""
        before: list[str] = []
        for text in reversed(list(element.xpath("preceding::text()"))):  # type: ignore[arg-type]
            before.insert(0, str(text))
            if sum(map(len, before)) > BEFORE:
                break
        return self.line_of("".join(before), needle, at_start, count)

    def line_of(
        self, before: str, needle: str, at_start: bool = False, count: int = 1
    ) -> int | None:
        """The line of the first `needle` (at a line's start if `at_start`; as written, else
        in any case) from where the text `before` it ends, that no earlier call took; it
        takes `count` of them (the elements a repair removed). The line where `before` ends
        if there is none."""
        start = self.line_after(normalized(before))
        end = min(start + NEARBY_LINES, len(self.lines))
        for fold in (str, str.lower):
            wanted = fold(needle)
            found = [
                (number, column)
                for number in range(start, end + 1)
                for column in occurrences(fold(self.lines[number - 1]), wanted, at_start)
                if (number, column) not in self.taken
            ]
            if found:
                self.taken.update(found[:count])
                return found[0][0]
        return start if before.strip() else None

    def line_after(self, before: str) -> int:
        """The line where the text `before` (normalized) ends in the file, else 1."""
        for size in (LEAD, LEAD // 2, LEAD // 4):
            lead = before[-size:]
            found = self.source.text.find(lead) if lead else -1
            if found >= 0:
                return self.source.line_at(found + len(lead) - 1)
        return 1


def occurrences(line: str, needle: str, at_start: bool) -> list[int]:
    """Where `needle` is in `line` (only at its start, quote marks and indent aside, if
    `at_start`)."""
    if at_start:
        stripped = line.lstrip(" >")
        return [len(line) - len(stripped)] if stripped.startswith(needle) else []
    return [match.start() for match in re.finditer(re.escape(needle), line)]


# The repairs


def conform(body: etree._Element, where: Locator, told: frozenset[str]) -> list[Repair]:
    """Bring the chapter's `body` (parsed by `fragments.parse_fragment`) to the XHTML an EPUB
    may hold, and set the classes the stylesheets place images and tables by; what was
    repaired and what can't be, placed by `where`. Elements named in `told` (obsolete
    ones, errors already) are left as they are."""
    repairs = element_names(body, where, told)
    repairs += captions(body, where)
    repairs += attributes(body, where)
    repairs += content_model(body, where)
    mark_images(body)
    mark_tables(body)
    return repairs


def element_names(body: etree._Element, where: Locator, told: frozenset[str]) -> list[Repair]:
    """Elements EPUB does not know: one of another namespace or an unknown name (one the
    HTML parser made: the tags were made text before) becomes its text; a name in capitals
    is made small; HTML elements that EPUB refuses are errors."""
    repairs = []
    for element in list(body.iterdescendants(etree.Element)):
        qname = etree.QName(element)
        if qname.namespace == XHTML[1:-1] and qname.localname.lower() != qname.localname:
            element.tag = XHTML + qname.localname.lower()
        name = local(element)
        if name in told:
            continue
        if qname.namespace != XHTML[1:-1] or name not in KNOWN:
            repairs.append(Repair(unknown_message(f"<{name}>"), where.line(element, f"<{name}")))
            as_text(element, f"<{name}>")
        elif name in NOT_IN_EPUB:
            message = f"<{name}> is not allowed in an EPUB: {NOT_IN_EPUB[name]}"
            repairs.append(Repair(message, where.line(element, f"<{name}"), error=True))
    return repairs


def unknown_message(tag: str) -> str:
    return f"'{tag}' is not an HTML element: printed as text; write it in backticks"


def as_text(element: etree._Element, tag: str) -> None:
    """Replace an element by its tag as text, followed by what it holds."""
    element.text = tag + (element.text or "")
    unwrap(element)


def unwrap(element: etree._Element) -> None:
    """Replace an element by what it holds."""
    parent = element.getparent()
    if parent is None:
        return
    index = parent.index(element)
    add_text(parent, index, element.text or "")
    children = list(element)
    for offset, child in enumerate(children):
        parent.insert(index + offset, child)
    tail = element.tail or ""
    parent.remove(element)
    add_text(parent, index + len(children), tail)


def add_text(parent: etree._Element, index: int, text: str) -> None:
    """Add `text` where the child `index` of `parent` is (after the one before it)."""
    if not text:
        return
    if index:
        before = parent[index - 1]
        before.tail = (before.tail or "") + text
    else:
        parent.text = (parent.text or "") + text


def remove(element: etree._Element) -> None:
    """Remove an element and what it holds, keeping the text after it."""
    parent = element.getparent()
    if parent is not None:
        index = parent.index(element)
        tail = element.tail or ""
        parent.remove(element)
        add_text(parent, index, tail)


# Captions


CAPTION_MARK = re.compile(r"^\s*(?:table)?:\s*", re.IGNORECASE)
TABLE_MARK = re.compile(r"^\s*table:\s*", re.IGNORECASE)
TRAILING_ATTRIBUTES = re.compile(r"\s*\{([^{}]*)\}\s*$")


def captions(body: etree._Element, where: Locator) -> list[Repair]:
    """Pandoc's table captions made the tables' <caption>; a definition list's definitions
    that have no term before them made paragraphs (a warning)."""
    for table in list(body.iter(XHTML + "table")):
        if table.find(XHTML + "caption") is None:
            caption_from_row(table) or caption_from_neighbour(table)
    repairs = []
    for dl in list(body.iter(XHTML + "dl")):
        repairs += orphan_definitions(dl, where)
    return repairs


def next_element(element: etree._Element, before: bool = False) -> etree._Element | None:
    """The element beside `element` (after it, or `before` it), if only white space is
    between them."""
    if before:
        sibling = element.getprevious()
        between = sibling.tail if sibling is not None else None
    else:
        sibling, between = element.getnext(), element.tail
    if sibling is None or (between or "").strip() or not is_element(sibling):
        return None
    return sibling


def caption_from_neighbour(table: etree._Element) -> bool:
    """A `<dl>` of one definition without a term just after the table (`: The fleet`, as
    Python-Markdown reads it), or a `Table: ...` paragraph after or before it."""
    after = next_element(table)
    if after is not None and local(after) == "dl" and [local(c) for c in after] == ["dd"]:
        make_caption(table, after[0])
        remove(after)
        return True
    for side in (after, next_element(table, before=True)):
        if side is not None and local(side) == "p" and TABLE_MARK.match(side.text or ""):
            side.text = TABLE_MARK.sub("", side.text or "", count=1)
            make_caption(table, side)
            remove(side)
            return True
    return False


def caption_from_row(table: etree._Element) -> bool:
    """A `: The fleet` line written just under the table, which Python-Markdown's tables
    read as one more row: its first cell holds the caption, the others nothing."""
    rows = list(table.iter(XHTML + "tr"))
    if len(rows) < 2:
        return False
    cells = list(rows[-1])
    first = cells[0] if cells else None
    empty = all(not len(c) and not (c.text or "").strip() for c in cells[1:])
    if first is None or not empty or not CAPTION_MARK.match(first.text or ""):
        return False
    first.text = CAPTION_MARK.sub("", first.text or "", count=1)
    make_caption(table, first)
    remove(rows[-1])
    return True


def make_caption(table: etree._Element, source: etree._Element) -> None:
    """Move what `source` holds into a new <caption> of `table`; a trailing `{#id .class}`
    goes to the table (pandoc's `{#tbl:fleet}`)."""
    caption = etree.Element(XHTML + "caption")
    caption.text = source.text
    for child in list(source):
        caption.append(child)
    paragraphs = [c for c in caption if is_element(c)]
    if len(paragraphs) == 1 and local(paragraphs[0]) == "p" and not (caption.text or "").strip():
        unwrap(paragraphs[0])  # a definition written with a blank line before it
    if source.get("id"):
        table.set("id", source.get("id", ""))
    take_attribute_list(caption, table)
    caption.tail = "\n"
    table.insert(0, caption)


def take_attribute_list(caption: etree._Element, table: etree._Element) -> None:
    """A `{#id .class key=value}` at the end of the caption's text set on the table."""
    last = caption[-1] if len(caption) else None
    text = (last.tail if last is not None else caption.text) or ""
    match = TRAILING_ATTRIBUTES.search(text)
    if match is None:
        return
    for token in match[1].split():
        if token.startswith("#") and len(token) > 1:
            table.set("id", token[1:])
        elif token.startswith(".") and len(token) > 1:
            table.set("class", " ".join(filter(None, [table.get("class"), token[1:]])))
        elif "=" in token:
            key, _, value = token.partition("=")
            table.set(data_name(key) or "data-attribute", value.strip("\"'"))
    if last is not None:
        last.tail = text[: match.start()]
    else:
        caption.text = text[: match.start()]


def orphan_definitions(dl: etree._Element, where: Locator) -> list[Repair]:
    """Definitions before a list's first term (`: text` after something not a paragraph)
    made paragraphs before the list, or the list replaced by them if it has no term."""
    orphans = []
    for child in dl:
        if is_element(child) and local(child) == "dt":
            break
        if is_element(child) and local(child) == "dd":
            orphans.append(child)
    if not orphans:
        return []
    message = (
        "a ': ' definition with no term on the line before it: printed as a paragraph "
        "(a caption goes just after its table)"
    )
    repair = Repair(message, where.line(orphans[0], ":", at_start=True))
    parent = dl.getparent()
    if parent is None:
        return []
    index = parent.index(dl)
    for offset, orphan in enumerate(orphans):
        dl.remove(orphan)
        holds_blocks = any(is_element(c) and local(c) not in PHRASING for c in orphan)
        orphan.tag = XHTML + ("div" if holds_blocks else "p")
        orphan.tail = "\n"
        parent.insert(index + offset, orphan)
    if not any(is_element(c) for c in dl):
        remove(dl)
    return [repair]


# Attributes


def attributes(body: etree._Element, where: Locator) -> list[Repair]:
    """Each element's attributes made what XHTML allows: sizes, whole numbers, and those HTML
    does not have kept as `data-*`."""
    repairs: list[Repair] = []
    for element in body.iterdescendants(etree.Element):
        name = local(element)
        for attribute in list(map(str, element.attrib)):
            qname = etree.QName(attribute)
            if qname.namespace is not None:
                continue  # epub:type, xml:lang: kept by fragments.make_xml_names
            attribute = qname.localname
            if attribute != attribute.lower():
                element.set(attribute.lower(), element.attrib.pop(attribute))
                attribute = attribute.lower()
            if attribute in ("width", "height") and name in SIZED:
                repairs += size(element, attribute, where)
            elif attribute in WHOLE_NUMBERS and is_allowed(name, attribute):
                repairs += whole_number(element, attribute, where)
            elif not is_allowed(name, attribute):
                value = element.attrib.pop(attribute)
                renamed = data_name(attribute)
                if renamed is not None and renamed not in element.attrib:
                    element.set(renamed, value)
    return repairs


def is_allowed(element: str, attribute: str) -> bool:
    """Whether HTML lets `element` have `attribute`."""
    if attribute in GLOBAL_ATTRIBUTES or attribute.startswith(("aria-", "data-")):
        return attribute not in ("aria-", "data-")
    if attribute == "value" and element == "li":
        return True
    return attribute in OWN_ATTRIBUTES.get(element, frozenset())


def data_name(attribute: str) -> str | None:
    """`data-<attribute>`, if that is a name XHTML can hold."""
    name = attribute.lower().removeprefix("data-")
    return f"data-{name}" if DATA_NAME.match(name) else None


def size(element: etree._Element, attribute: str, where: Locator) -> list[Repair]:
    """`width` or `height` as XHTML wants it: a whole number of pixels; a percentage or
    another length (pandoc's `{width=50%}`, `8cm`, `2.5in`) becomes a style, which both the
    EPUB and the print PDF honour: a width in % is a share of the text's width, a height in
    % a share of the page's height (`vh`)."""
    value = element.get(attribute, "")
    pixels = PIXELS.fullmatch(value)
    if pixels is not None:  # an attribute for reading systems, a style for WeasyPrint
        element.set(attribute, pixels[1])
        add_style(element, f"{attribute}: {pixels[1]}px")
        return []
    length = LENGTH.fullmatch(value)
    if length is None:
        name = local(element)
        message = (
            f'{attribute}="{value}" on <{name}> is not a size: give pixels (300), a percentage '
            "(50%) or a length (8cm, 2in)"
        )
        return [Repair(message, where.line(element, f"{attribute}="), error=True)]
    number, unit = length[1], (length[2] or "px").lower()
    unit = {"inch": "in", "%": "vh" if attribute == "height" else "%"}.get(unit, unit)
    del element.attrib[attribute]
    add_style(element, f"{attribute}: {number}{unit}")
    return []


def add_style(element: etree._Element, declaration: str) -> None:
    """`declaration` before the element's own style (which wins where they differ)."""
    style = (element.get("style") or "").strip()
    element.set("style", f"{declaration}; {style}" if style else declaration)


def whole_number(element: etree._Element, attribute: str, where: Locator) -> list[Repair]:
    """An error if `attribute` does not hold the whole number it must."""
    value = (element.get(attribute) or "").strip()
    if re.fullmatch(WHOLE_NUMBERS[attribute], value):
        element.set(attribute, value)
        return []
    positive = WHOLE_NUMBERS[attribute].startswith("[1-9]")
    kind = "a whole number above 0" if positive else "a whole number"
    message = f'{attribute}="{value}" on <{local(element)}> must be {kind}'
    return [Repair(message, where.line(element, f"{attribute}="), error=True)]


# Where elements may be


def content_model(body: etree._Element, where: Locator) -> list[Repair]:
    """Each element where its parent may hold it: a misplaced <br> removed (a warning),
    anything else misplaced an error."""
    repairs: list[Repair] = []
    for element in list(body.iterdescendants(etree.Element)):
        if element.getparent() is None:
            continue  # removed with a <br> before it
        name = local(element)
        if name in CHILDREN:
            repairs += children_of(element, CHILDREN[name], where)
        elif name == "figure":
            repairs += figure(element, where)
        parent = element.getparent()
        parent_name = "" if parent is None or parent is body else local(parent)
        if name in PARENTS and parent_name not in PARENTS[name]:
            place = f"inside <{parent_name}>" if parent_name else "at the top level"
            wanted = " or ".join(f"<{p}>" for p in sorted(PARENTS[name]) if p != "div")
            message = f"<{name}> is {place}: it belongs in {wanted}"
            repairs.append(Repair(message, where.line(element, f"<{name}"), error=True))
        elif parent_name in TEXT_ONLY and name in ELEMENTS and name not in PHRASING:
            message = (
                f"<{name}> is inside <{parent_name}>, which holds only text: write the "
                f"<{name}> on lines of its own, with a blank line before and after"
            )
            repairs.append(Repair(message, where.line(element, f"<{name}"), error=True))
    return repairs


def children_of(element: etree._Element, allowed: frozenset[str], where: Locator) -> list[Repair]:
    """A <br> among the children of a list, table or row removed; text there, or an element
    it can't hold, is an error (one that belongs elsewhere is told as the child's own)."""
    repairs = []
    name = local(element)
    wanted = " or ".join(f"<{n}>" for n in sorted(allowed))
    for child in list(element):
        if not is_element(child) or local(child) in allowed | {"template"}:
            continue
        child_name = local(child)
        if child_name == "br":
            message = f"<br> removed from <{name}>: a line break has no place between its parts"
            repairs.append(Repair(message, where.line(child, "<br")))
            remove(child)
        elif child_name in ELEMENTS and child_name not in PARENTS:
            message = f"<{child_name}> is inside <{name}>, which holds only {wanted}"
            repairs.append(Repair(message, where.line(child, f"<{child_name}"), error=True))
    texts = [element.text or ""] + [child.tail or "" for child in element]
    if any(text.strip() for text in texts):
        message = f"text directly inside <{name}>: put it in {wanted}"
        repairs.append(Repair(message, where.line(element, f"<{name}"), error=True))
    return repairs


def figure(element: etree._Element, where: Locator) -> list[Repair]:
    """A figure's caption comes first or last: <br>s between it and the figure's end (or
    start) are removed; a caption elsewhere, or two of them, are errors."""
    captions = [c for c in element if is_element(c) and local(c) == "figcaption"]
    if len(captions) > 1:
        message = "a <figure> has more than one <figcaption>"
        return [Repair(message, where.line(captions[1], "<figcaption"), error=True)]
    if not captions:
        return []
    caption = captions[0]
    children = [c for c in element if is_element(c)]
    index = children.index(caption)
    repairs = []
    for side in (children[index + 1 :], children[:index]):
        if side and all(local(c) == "br" for c in side):
            message = "<br> removed from a <figure>: its caption comes first or last"
            repairs.append(Repair(message, where.line(side[0], "<br", count=len(side))))
            for br in side:
                remove(br)
    children = [c for c in element if is_element(c)]
    first = children[0] is caption and not (element.text or "").strip()
    last = children[-1] is caption and not (caption.tail or "").strip()
    if not first and not last:
        message = "a <figure>'s <figcaption> must come first or last in it"
        repairs.append(Repair(message, where.line(caption, "<figcaption"), error=True))
    return repairs


# Classes for the stylesheets


def add_class(element: etree._Element, name: str) -> None:
    classes = (element.get("class") or "").split()
    if name not in classes:
        element.set("class", " ".join([*classes, name]))


def block_of(element: etree._Element) -> etree._Element | None:
    """The nearest ancestor of `element` that is not text-level (phrasing)."""
    for ancestor in element.iterancestors(etree.Element):
        if local(ancestor) not in PHRASING:
            return ancestor
    return None


def mark_images(body: etree._Element) -> None:
    """`p.image` for a paragraph that holds one image and no text (a block); `img.inline`
    for an image in a line of text that has no size of its own (scaled to the line)."""
    for image in body.iter(XHTML + "img"):
        block = block_of(image)
        if block is None or block is body:
            continue
        words = line_text(block).strip()
        alone = sum(1 for _ in block.iter(XHTML + "img")) == 1
        if not words and alone and local(block) == "p":
            add_class(block, "image")
        elif words and not sized(image):
            add_class(image, "inline")


def line_text(block: etree._Element) -> str:
    """The text of `block`'s own lines: without what the blocks inside it hold."""
    parts = [block.text or ""]
    for child in block:
        if is_element(child) and local(child) in PHRASING:
            parts.append("".join(map(str, child.itertext())))
        parts.append(child.tail or "")
    return "".join(parts)


def sized(image: etree._Element) -> bool:
    """Whether the author gave an image a size of its own."""
    style = (image.get("style") or "").lower()
    return (
        image.get("width") is not None
        or image.get("height") is not None
        or any(re.search(rf"(^|[;\s]){key}\s*:", style) for key in ("width", "height"))
    )


def mark_tables(body: etree._Element) -> None:
    """`table.wide` for a table of many columns, or whose longest words would not fit the
    narrowest measure side by side: set smaller, as wide as the measure, shared among its
    columns by what they hold (a <colgroup>); `table.crowded` for one of more columns than
    the narrowest page sets by their words: equal columns."""
    for table in body.iter(XHTML + "table"):
        columns = table_columns(table)
        natural = sum(c.longest * EMS_PER_CHARACTER + CELL_PADDING_EMS for c in columns)
        if len(columns) >= CROWDED_COLUMNS:
            add_class(table, "wide")
            add_class(table, "crowded")
        elif len(columns) >= WIDE_COLUMNS or natural > NARROWEST_MEASURE_EMS:
            add_class(table, "wide")
            share_columns(table, shares(columns))


def shares(columns: list[Column]) -> list[float]:
    """Each column's width in a wide table (WIDE_MEASURE_EMS wide): first what it can't do
    without (its short words and numbers whole), then of the rest in proportion to what
    more it wants (its longer words and texts)."""
    least = [c.least * EMS_PER_CHARACTER + WIDE_PADDING_EMS for c in columns]
    want = [c.want * EMS_PER_CHARACTER + WIDE_PADDING_EMS for c in columns]
    more = sum(want) - sum(least)
    if sum(least) >= WIDE_MEASURE_EMS or more <= 0:
        return least
    spare = min(1.0, (WIDE_MEASURE_EMS - sum(least)) / more)
    return [low + (wanted - low) * spare for low, wanted in zip(least, want, strict=True)]


def share_columns(table: etree._Element, widths: list[float]) -> None:
    """A <colgroup> giving each column its share of the table's width."""
    if any(local(c) in ("colgroup", "col") for c in table.iter(etree.Element)):
        return  # the author's own
    group = etree.Element(XHTML + "colgroup")
    for width in widths:
        etree.SubElement(group, XHTML + "col", style=f"width: {100 * width / sum(widths):.1f}%")
    group.tail = "\n"
    captions = [c for c in table if is_element(c) and local(c) == "caption"]
    table.insert(table.index(captions[0]) + 1 if captions else 0, group)
