"""The book's look: its stylesheets and fonts, over the default ones, each kept inside the
book; every file a stylesheet asks for (`url()`) checked and loaded, `@import` refused,
syntax errors told with their lines. CSS is read with tinycss2."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import tinycss2  # type: ignore[import-untyped]
from tinycss2 import ast
from tinycss2.serializer import serialize_url  # type: ignore[import-untyped]

from chapbook.diagnostics import short
from chapbook.model.book import FONT_FOLDER, Resource, Styles
from chapbook.read import remote
from chapbook.read.files import (
    REMOTE_FOLDER,
    REMOTE_HINT,
    Reader,
    add_file,
    is_file,
    labelled,
    load_remote,
    load_resource,
    read_text,
    real,
    url_problem,
)
from chapbook.read.resources import FONT_TYPES, is_font

STYLESHEETS = ("base.css", "epub.css", "print.css", "cover.css", "fonts.css", "fallbacks.css")
DEFAULT_STYLES = Path(__file__).resolve().parents[1] / "styles"
STYLES_FOLDER = "styles/"
"""Where the stylesheets are in the book: their `url()`s are relative to it."""
Node = Any
"""A tinycss2 node (tinycss2 has no type annotations)."""
RULE_LISTS = {"media", "supports", "layer", "container", "document", "scope", "starting-style"}
"""At-rules whose block holds rules; the others' blocks hold declarations."""
NAMESPACE = "namespace"
"""`@namespace url(...)` names a namespace, not a file."""
UNFILLED = re.compile(r",? got \{[\w.]+\}")
"""A placeholder that tinycss2 1.5 leaves in one of its messages ("..., got {colon.type}")."""


@dataclass(frozen=True)
class Reference:
    """A file a stylesheet asks for: `url(...)`, or the target of an `@import`."""

    url: str
    line: int
    imported: bool = False


def read_styles(reader: Reader) -> tuple[Styles, list[Resource]]:
    """The book's own `styles/` (beside, then inside the manuscript) over the default look:
    each stylesheet replaces the default of its name, each font is added."""
    folders = style_folders(reader.root)
    texts: dict[str, tuple[Path, str]] = {}
    fonts: dict[str, Resource] = {}
    for folder in folders:
        texts.update(read_stylesheets(reader, folders, folder))
        fonts.update(read_fonts(reader, folders, folder))
    checked = {
        name: check_stylesheet(reader, folders, path, text, fonts)
        for name, (path, text) in texts.items()
    }
    return Styles(*(checked.get(name, "") for name in STYLESHEETS)), list(fonts.values())


def style_folders(root: Path) -> list[Path]:
    """The default styles, then the book's own `styles/` folders that exist."""
    own = (root.parent / "styles", root / "styles")
    return [DEFAULT_STYLES, *(f for f in own if f.is_dir() and real(f) != DEFAULT_STYLES)]


def confined(reader: Reader, folders: list[Path], path: Path) -> bool:
    """Whether `path`, links followed, is in the manuscript or in a styles folder (by the
    folder's own place: a folder that is a link to elsewhere does not count)."""
    target = real(path)
    return any(target.is_relative_to(place) for place in (reader.root, *folders))


def read_stylesheets(
    reader: Reader, folders: list[Path], folder: Path
) -> dict[str, tuple[Path, str]]:
    """The stylesheets in `folder`, by name, with their paths."""
    found: dict[str, tuple[Path, str]] = {}
    for name in STYLESHEETS:
        path = folder / name
        if not is_file(path):
            continue
        if not confined(reader, folders, path):
            reader.error(folder, f"'{name}' is outside the book", code="E115")
            continue
        text = read_text(reader, path)
        if text is not None:
            found[name] = (path, text)
    return found


def read_fonts(reader: Reader, folders: list[Path], folder: Path) -> dict[str, Resource]:
    """The fonts in `folder`/fonts, by href; the book's own must be font files."""
    fonts: dict[str, Resource] = {}
    for font in sorted((folder / "fonts").glob("*")):
        media_type = FONT_TYPES.get(font.suffix.lower())
        if media_type is None or not is_file(font):
            continue
        if not confined(reader, folders, font):
            reader.error(folder, f"'fonts/{font.name}' is outside the book", code="E115")
            continue
        data = font.read_bytes()
        if folder != DEFAULT_STYLES and not is_font(data):
            reader.error(font, "not a font file", code="E116")
            continue
        fonts[FONT_FOLDER + font.name] = Resource(FONT_FOLDER + font.name, media_type, data)
    return fonts


def check_stylesheet(
    reader: Reader, folders: list[Path], path: Path, text: str, fonts: dict[str, Resource]
) -> str:
    """Warn of the stylesheet's syntax errors, check (and load) the files it asks for; its
    text, with downloaded files' URLs made theirs in the book."""
    for line, message in syntax_errors(text):
        reader.warn(path, f"CSS syntax error: {message}", line, code="W215")
    downloaded: dict[str, str] = {}
    for reference in references(text):
        if reference.imported:
            message = f"@import '{short(reference.url)}' is not allowed: "
            reader.error(
                path, message + "put its rules in the stylesheet", reference.line, code="E126"
            )
            continue
        href = css_file(reader, folders, path, reference, fonts)
        if href is not None and href.startswith(REMOTE_FOLDER):
            downloaded[reference.url] = posixpath.relpath(href, STYLES_FOLDER)
    return rewrite_urls(text, downloaded.get) if downloaded else text


def css_file(
    reader: Reader,
    folders: list[Path],
    path: Path,
    reference: Reference,
    fonts: dict[str, Resource],
) -> str | None:
    """The href in the book of the file a `url()` names, loaded; None (with an error if
    it is not a file of the book) when there is none."""
    url, line = reference.url, reference.line
    parts = urlsplit(url)
    if not (parts.scheme or parts.netloc or parts.path):
        return None  # url(#id): a part of the document itself
    if parts.scheme in remote.SCHEMES:
        return remote_file(reader, path, url, line)
    if parts.scheme or parts.netloc:
        reader.error(path, f"'{short(url)}' {url_problem(url, reader.root)}", line, code="E117")
        return None
    href = posixpath.normpath(STYLES_FOLDER + unquote(parts.path))
    if parts.path.startswith("/") or href.split("/")[0] == "..":
        reader.error(path, f"'{short(url)}' is outside the book", line, code="E115")
        return None
    if href.startswith(FONT_FOLDER):
        if href not in fonts:
            reader.error(path, f"'{url}' not found", line, code="E102")
        return href if href in fonts else None
    resource = (
        style_file(reader, folders, path, href, url, line)
        if href.startswith(STYLES_FOLDER)
        else load_resource(reader, path, reader.root / href, url, line, kind="")
    )
    return None if resource is None else resource.href


def remote_file(reader: Reader, path: Path, url: str, line: int) -> str | None:
    """A remote image named by a stylesheet: downloaded if the book allows it."""
    if not reader.config.build.allow_remote:
        reader.error(path, f"'{url}' is remote ({REMOTE_HINT})", line, code="E117")
        return None
    resource = load_remote(reader, path, url, line, kind="")
    return None if resource is None else resource.href


def style_file(
    reader: Reader, folders: list[Path], path: Path, href: str, url: str, line: int
) -> Resource | None:
    """An image in a styles folder (the book's own before the default)."""
    name = href.removeprefix(STYLES_FOLDER)
    found = next((f / name for f in reversed(folders) if is_file(f / name)), None)
    if found is None or not confined(reader, folders, found):
        problem, code = ("not found", "E102") if found is None else ("is outside the book", "E115")
        reader.error(path, f"'{url}' {problem}", line, code=code)
        return None
    return add_file(reader, path, found, href, labelled("", url), line)


def references(css: str) -> list[Reference]:
    """Every `url()` and `@import` of the stylesheet, in order, with its line."""
    return list(find_references(tinycss2.parse_component_value_list(css)))


def find_references(nodes: Sequence[Node]) -> Iterator[Reference]:
    """The references among `nodes` and inside them; what follows `@import` (or
    `@namespace`, which names no file) is that rule's target."""
    skip: Node = None
    for index, node in enumerate(nodes):
        if node is skip:
            continue
        if node.type == "at-keyword" and node.lower_value in ("import", NAMESPACE):
            skip = next((n for n in nodes[index + 1 :] if n.type != "whitespace"), None)
            if node.lower_value == "import":
                target = skip.value if skip is not None and skip.type == "string" else url_of(skip)
                yield Reference(str(target or ""), node.source_line, imported=True)
            continue
        url = url_of(node)
        if url is not None:
            yield Reference(url, node.source_line)
        else:
            yield from find_references(children(node))


def url_of(node: Node) -> str | None:
    """The URL of a `url(...)` token or function."""
    if node is None:
        return None
    if node.type == "url":
        return str(node.value)
    if node.type == "function" and node.lower_name == "url":
        strings = [argument for argument in node.arguments if argument.type == "string"]
        return str(strings[0].value) if strings else ""
    return None


def children(node: Node) -> Sequence[Node]:
    """The nodes inside a function or a block."""
    if node.type == "function":
        return list(node.arguments)
    if node.type in ("() block", "[] block", "{} block"):
        return list(node.content)
    return []


def syntax_errors(css: str) -> list[tuple[int, str]]:
    """The stylesheet's syntax errors as (line, message), in order."""
    rules = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
    return sorted(set(find_errors(rules)))


def find_errors(nodes: Sequence[Node]) -> Iterator[tuple[int, str]]:
    """Errors in rules, in their blocks (parsed as declarations or as rules) and in values."""
    for node in nodes:
        if node.type == "error":
            yield node.source_line, UNFILLED.sub("", str(node.message)).rstrip(".")
        elif node.type in ("qualified-rule", "at-rule"):
            yield from find_errors(node.prelude)
            yield from find_errors(block_contents(node))
        elif node.type == "declaration":
            yield from find_errors(node.value)
        else:
            yield from find_errors(children(node))


def block_contents(rule: Node) -> list[Node]:
    """A rule's block, parsed: rules for `@media` and the like, declarations otherwise."""
    if rule.content is None:
        return []
    options = {"skip_comments": True, "skip_whitespace": True}
    if rule.type == "at-rule" and rule.lower_at_keyword in RULE_LISTS:
        return list(tinycss2.parse_rule_list(rule.content, **options))
    return list(tinycss2.parse_declaration_list(rule.content, **options))


def rewrite_urls(css: str, rewrite: Callable[[str], str | None]) -> str:
    """The stylesheet with each `url()` replaced by `rewrite(url)` where that is not None.
    (The text is written back by tinycss2: its escapes may change, not its meaning.)"""
    nodes = tinycss2.parse_component_value_list(css)
    return str(tinycss2.serialize(replace_urls(nodes, rewrite)))


def replace_urls(nodes: Sequence[Node], rewrite: Callable[[str], str | None]) -> list[Node]:
    """`nodes` with their `url()`s (at any depth) rewritten."""
    replaced = []
    for node in nodes:
        url = url_of(node)
        new = None if url is None else rewrite(url)
        if new is not None:
            node = ast.URLToken(node.source_line, node.source_column, new, url_css(new))
        elif node.type == "function":
            node.arguments = replace_urls(node.arguments, rewrite)
        elif node.type in ("() block", "[] block", "{} block"):
            node.content = replace_urls(node.content, rewrite)
        replaced.append(node)
    return replaced


def url_css(url: str) -> str:
    """`url(...)` as CSS writes it."""
    return f"url({serialize_url(url)})"
