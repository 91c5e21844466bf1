"""The XHTML a `Book` holds, read and written back: chapter fragments parsed inside a `div`,
their elements in document order, and their words."""

from __future__ import annotations

import html
import re

from lxml import etree
from lxml import html as lxml_html

XHTML = "{http://www.w3.org/1999/xhtml}"
XHTML_WRAPPER = (
    '<div xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops">'
)
WORD = re.compile(r"\w+(?:[-'’]\w+)*")
"""A word, as counted: letters and digits, joined by hyphens or apostrophes."""


def local(element: etree._Element) -> str:
    """An element's name without its namespace ('' for a comment)."""
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def is_element(node: object) -> bool:
    return isinstance(node, etree._Element) and isinstance(node.tag, str)


def body_elements(container: etree._Element) -> list[etree._Element]:
    """The elements of a chapter body parsed inside `container`, in document order."""
    return list(container.iter(etree.Element))[1:]


XML_PARSER = etree.XMLParser(huge_tree=True)
HTML_PARSER = lxml_html.HTMLParser(huge_tree=True)
"""Parsers that read a run of text whole, however long: `limits` refuses one too long."""


def parse_fragment(fragment: str) -> etree._Element:
    """The fragment inside an XHTML `div`; what does not parse as XML (raw HTML written
    the HTML way) is read as HTML and reserialized, so the result is always well-formed."""
    try:
        return etree.fromstring(f"{XHTML_WRAPPER}{fragment}</div>", XML_PARSER)
    except etree.XMLSyntaxError:
        pass
    try:
        container = lxml_html.fragment_fromstring(fragment, "div", parser=HTML_PARSER)
    except etree.ParserError:  # nothing but a doctype or a comment
        return etree.fromstring(f"{XHTML_WRAPPER}</div>")
    # a comment may hold what XML's may not (`--`), and a comment is the author's note
    etree.strip_elements(container, etree.Comment, etree.ProcessingInstruction, with_tail=False)
    empty_void_elements(container)
    make_xml_names(container)
    parts = [html.escape(container.text or "", quote=False)]
    parts += [etree.tostring(child, method="xml", encoding="unicode") for child in container]
    return etree.fromstring(f"{XHTML_WRAPPER}{''.join(parts)}</div>", XML_PARSER)


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "keygen", "link", "meta"}
VOID |= {"param", "source", "track", "wbr"}
"""HTML's elements that hold nothing (lxml's HTML parser puts what follows some in them)."""


def empty_void_elements(container: etree._Element) -> None:
    """What the HTML parser put inside an element that holds nothing (`<wbr>`), moved
    after it."""
    for element in list(container.iter(*sorted(VOID))):
        parent = element.getparent()
        if parent is None or not (len(element) or element.text):
            continue
        children, tail = list(element), element.tail or ""
        element.tail, element.text = element.text, None
        index = parent.index(element)
        for offset, child in enumerate(children, 1):
            parent.insert(index + offset, child)
        last = children[-1] if children else element
        last.tail = (last.tail or "") + tail


XML_NAME = re.compile(r"^[A-Za-z_][\w.-]*$")
KEPT_PREFIXED = {"epub:type", "xml:lang"}


def make_xml_names(container: etree._Element) -> None:
    """What HTML accepts and XML does not: an element with a name XML can't hold becomes a
    `span` without attributes (`<x<a href=...>` is no link); such attributes (and prefixed
    ones but `epub:type`, `xml:lang`) are dropped."""
    for element in container.iter(etree.Element):
        if not XML_NAME.match(str(element.tag)):
            element.tag = "span"
            element.attrib.clear()
        for name in map(str, list(element.attrib)):
            if name not in KEPT_PREFIXED and not XML_NAME.match(name):
                del element.attrib[name]


def fragment_xml(container: etree._Element) -> str:
    """The content of a container made by `parse_fragment`, as XHTML text."""
    text = etree.tostring(container, encoding="unicode")
    if text.endswith("/>"):
        return ""
    return text[text.index(">") + 1 : text.rindex("</div>")]
