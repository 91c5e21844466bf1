"""What a file of the book must be: images that are readable, not too large and (for SVG)
self-contained and inert; fonts that are fonts. Checks of bytes only: no file is read here."""

from __future__ import annotations

import io
import re
import warnings

from fontTools.ttLib import TTFont  # type: ignore[import-untyped]
from lxml import etree
from PIL import Image

from chapbook.diagnostics import short

IMAGE_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
}
EXTENSIONS = {
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "image/svg+xml": ".svg",
    "image/webp": ".webp",
}
"""The extension a file of each image type gets (a downloaded image, for one)."""
FONT_TYPES = {".ttf": "font/ttf", ".otf": "font/otf", ".woff": "font/woff", ".woff2": "font/woff2"}
RASTER_FORMATS = {
    "image/png": "PNG",
    "image/jpeg": "JPEG",
    "image/gif": "GIF",
    "image/webp": "WEBP",
}
"""Pillow's name of the format each raster image type must hold."""
MAX_MEGAPIXELS = 50
"""The most pixels an image may have, in millions: a larger one is refused from its header,
before anything decodes it."""

SVG = "{http://www.w3.org/2000/svg}"
SVG_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
)
REFERENCE_ATTRIBUTES = {"href", "src", "srcset", "srcdoc", "data", "poster", "action"}
"""Attributes (of SVG, or of HTML in a `foreignObject`) that make a reader fetch something."""
ANIMATIONS = {"animate", "set"}
"""SVG elements that can give an attribute (an `href`, say) a new value."""
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")\s]*)""", re.IGNORECASE)
SELF_CONTAINED = "an SVG image must hold all it shows"


def image_problem(media_type: str, data: bytes) -> str | None:
    """What is wrong with an image of `media_type` holding `data`, as the end of a message
    that begins with the image's name ("is not a readable image"); None if nothing is."""
    if media_type == "image/svg+xml":
        return svg_problem(data)
    return raster_problem(RASTER_FORMATS[media_type], data)


def raster_problem(expected: str, data: bytes) -> str | None:
    """A PNG, JPEG, GIF or WebP image: its format and size read from its header only."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                found, (width, height) = image.format, image.size
                if found == expected and width * height <= MAX_MEGAPIXELS * 1_000_000:
                    image.verify()
    except Image.DecompressionBombError:
        return f"is too large: over {MAX_MEGAPIXELS} megapixels"
    except Exception:  # Pillow has no single error for a broken file: all mean "unreadable"
        return "is not a readable image"
    if found != expected:
        return f"is not a {expected} image (its bytes are {found or 'another format'})"
    if width * height > MAX_MEGAPIXELS * 1_000_000:
        return f"is too large: {width} x {height} pixels, over {MAX_MEGAPIXELS} megapixels"
    return None


def svg_problem(data: bytes) -> str | None:
    """An SVG image must parse, declare no entities, run no code and refer to nothing but
    its own parts (`#id`): no other file, no URL."""
    if b"<!ENTITY" in data:
        return f"declares XML entities: {SELF_CONTAINED}"
    try:
        root = etree.fromstring(data, SVG_PARSER)
    except etree.XMLSyntaxError:
        return "is not a readable SVG image"
    if root.tag != f"{SVG}svg":
        return "is not a readable SVG image"
    for node in (*root.itersiblings(preceding=True), *root.iter()):
        problem = node_problem(node)
        if problem is not None:
            return problem
    return None


def node_problem(node: etree._Element) -> str | None:
    """What makes one node of an SVG image unsafe, if anything."""
    if isinstance(node, etree._ProcessingInstruction):
        return f"has a processing instruction: {SELF_CONTAINED}"
    if not isinstance(node.tag, str):  # a comment or an entity
        return None
    name = etree.QName(node).localname
    if name == "script":
        return "has a script: an SVG image of a book must not run code"
    if name == "style":
        return css_problem(node.text or "")
    animated = node.get("attributeName", "").split(":")[-1]
    if name in ANIMATIONS and animated in REFERENCE_ATTRIBUTES:
        return f"animates its '{animated}': {SELF_CONTAINED}"
    for attribute, value in node.attrib.items():
        problem = attribute_problem(etree.QName(attribute).localname, str(value))
        if problem is not None:
            return problem
    return None


def attribute_problem(name: str, value: str) -> str | None:
    """An event handler, a reference to something outside the image, or CSS that has one."""
    if name.lower().startswith("on"):
        return f"has an event handler '{name}': an SVG image of a book must not run code"
    if name in REFERENCE_ATTRIBUTES and not is_own(value.strip()):
        return f"refers to '{short(value.strip())}': {SELF_CONTAINED}"
    return css_problem(value)


def is_own(reference: str) -> bool:
    """Whether a reference inside an SVG image is to one of its own parts (`#id`). (Not
    even a data: URL: the PDF's fetcher serves the book's files and nothing else.)"""
    return reference.startswith("#")


def css_problem(css: str) -> str | None:
    """CSS inside an SVG image (a `style` element or attribute, a paint like `url(#g)`)."""
    if "@import" in css.lower():
        return f"has an @import: {SELF_CONTAINED}"
    for url in CSS_URL.findall(css):
        if not is_own(url):
            return f"refers to '{short(url)}': {SELF_CONTAINED}"
    return None


def is_font(data: bytes) -> bool:
    """Whether `data` is a TrueType, OpenType or WOFF font that fontTools can read."""
    try:
        with TTFont(io.BytesIO(data), lazy=True) as font:
            font["head"]
            return font.getBestCmap() is not None
    except Exception:  # fontTools raises many kinds of error on what is not a font
        return False
