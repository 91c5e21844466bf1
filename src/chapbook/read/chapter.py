"""One chapter file -> a `Chapter`: its front matter, its Markdown rendered with every link
and image resolved, and every error and warning on the way, gathered by the `Reader`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import get_close_matches
from pathlib import Path
from urllib.parse import unquote, urlsplit

import yaml

from chapbook.config.values import control_character
from chapbook.diagnostics import line_of, place_of, short
from chapbook.model.book import EPIGRAPH_LINE, TITLE_LINE, Chapter, Part, Resource
from chapbook.model.fragments import parse_fragment
from chapbook.read import remote
from chapbook.read.files import (
    REMOTE_HINT,
    Link,
    Reader,
    decode_text,
    load_remote,
    load_resource,
    real,
    shown,
    url_problem,
)
from chapbook.read.markdown import nesting
from chapbook.read.markdown.markup import (
    Rendered,
    inline,
    prefix_ids,
    render_markdown,
)
from chapbook.read.markdown.sourcemap import block_lines

FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?(---|\.\.\.)[ \t]*(\n|\Z)", re.DOTALL)
FRONT_MATTER_KEYS = ("title", "epigraph", "epigraph-source")


@dataclass(frozen=True)
class Entry:
    """One chapter file as listed by book.toml (or found in chapters/)."""

    part: Part
    path: Path
    name: str
    listed_line: int | None


def read_chapter(
    reader: Reader, entry: Entry, file_names: dict[Path, str], data: bytes
) -> Chapter | None:
    """One chapter file (its bytes `data`) -> a Chapter: its front matter, its Markdown
    rendered with every link and image resolved; None if its text can't be read.

    What it reads of `reader.config` (the language, whether to download) and of the book
    (the images it names) must be in the cache key (`convert.book_key`) or in
    `reader.referenced`: a cached conversion is used again while those are unchanged."""
    text = decode_text(reader, entry.path, data)
    if text is None:
        return None
    meta, body = split_front_matter(reader, entry.path, text)
    if not shallow_enough(reader, entry.path, text, meta, body):
        return None

    def render(markdown: str) -> Rendered:
        """Markdown of this chapter, its links and images resolved from the chapter's place."""
        return render_markdown(
            markdown,
            reader.config.book.language,
            link=lambda href: resolve_link(reader, entry, text, file_names, href),
            image=lambda src: resolve_image(reader, entry.path, text, src),
        )

    try:
        rendered = render(body)
    except RecursionError:  # deeper than measured: nesting.py's estimate is of Markdown
        line = nesting.markdown_depth(body).line
        reader.error(
            entry.path, nesting.message(nesting.LIMIT + 1, at_least=True), line, code="E120"
        )
        return None
    if not converted_shallow_enough(reader, entry.path, body, rendered.body):
        return None
    check_alt_text(reader, entry.path, text, rendered)
    report(reader, entry.path, text, rendered)
    epigraph = source = None
    if "epigraph" in meta:
        said = render(meta["epigraph"])
        report(reader, entry.path, text, said, key_line(text, "epigraph"))
        epigraph = prefix_ids(said.body, "epigraph-")
    if "epigraph-source" in meta:
        said = render(meta["epigraph-source"])
        report(reader, entry.path, text, said, key_line(text, "epigraph-source"))
        source = inline(said.body)
    title, title_html = rendered.title or "", rendered.title_html or ""
    if "title" in meta:  # Markdown, finished as a `# ` title is
        said = render(title_markdown(meta["title"]))
        report(reader, entry.path, text, said, key_line(text, "title"))
        title, title_html = said.title or "", said.title_html or ""
    if not title and key_line(text, "title") is None:  # else its error is told already
        reader.error(
            entry.path, "no title: begin with a '# Title' heading or set 'title'", 1, code="E118"
        )
    if not body.strip():
        reader.error(entry.path, "chapter is empty", 1, code="E109")
    file_name = file_names[entry.path]
    reader.ids[file_name] = rendered.ids
    reader.aliases[file_name] = dict(rendered.aliases)
    return Chapter(
        id=file_name.removesuffix(".xhtml"),
        part=entry.part,
        number=None,
        title=title,
        title_html=title_html,
        body=rendered.body,
        source=shown(entry.path),
        file_name=file_name,
        epigraph=epigraph,
        epigraph_source=source,
        lines=source_lines(text, body, meta, rendered),
    )


def shallow_enough(reader: Reader, path: Path, text: str, meta: dict[str, str], body: str) -> bool:
    """Whether the chapter's Markdown (its text, and its front matter's) nests no deeper
    than nesting.LIMIT; an error at its deepest line if not. Measured before anything
    converts it: conversion goes by recursion, and would fail or take minutes."""
    deep = nesting.too_deep(body)
    if deep is not None:
        reader.error(path, nesting.message(deep.levels), deep.line, code="E120")
        return False
    for key in (key for key in FRONT_MATTER_KEYS if key in meta):
        deep = nesting.too_deep(meta[key])
        if deep is not None:
            reader.error(path, nesting.message(deep.levels), key_line(text, key), code="E120")
            return False
    return True


def converted_shallow_enough(reader: Reader, path: Path, body: str, xhtml: str) -> bool:
    """Whether the chapter's XHTML, counted element by element, nests no deeper than
    nesting.LIMIT (its Markdown was measured by its markers: this is exact); an error at
    the Markdown's deepest line if not."""
    levels = nesting.xhtml_levels(parse_fragment(xhtml))
    if levels <= nesting.LIMIT:
        return True
    line = nesting.markdown_depth(body).line
    reader.error(path, nesting.message(levels), line, code="E120")
    return False


def source_lines(
    text: str, body: str, meta: dict[str, str], rendered: Rendered
) -> tuple[tuple[int, int], ...]:
    """Where the chapter's title, epigraph and blocks begin in its file `text` (see
    `Chapter.lines`); `body` is `text` with its front matter blanked."""
    title = key_line(text, "title") if "title" in meta else None
    if title is None and rendered.title is not None:  # the leading `# ` heading
        title = next((n for n, line in enumerate(body.split("\n"), 1) if line.strip()), None)
    epigraph = key_line(text, "epigraph") if "epigraph" in meta else None
    found = [(TITLE_LINE, title), (EPIGRAPH_LINE, epigraph)]
    heads = tuple(sorted((key, line) for key, line in found if line is not None))
    return heads + block_lines(body, rendered.body)


def key_line(text: str, key: str) -> int | None:
    """The line of the front matter's `key`."""
    front = FRONT_MATTER.match(text)
    pattern = rf"^{re.escape(key)}[ \t]*:"
    match = re.search(pattern, front[0], re.MULTILINE) if front is not None else None
    return None if match is None else text.count("\n", 0, match.start()) + 1


def report(
    reader: Reader, path: Path, text: str, rendered: Rendered, line: int | None = None
) -> None:
    """What rendering took out of the chapter's raw HTML (warnings) and what the book can't
    carry (errors), each at its line in `text`, or at `line` (rendered from front matter)."""
    for removal in rendered.removed:
        reader.warn(path, removal.message, line or line_of(text, removal.needle), code="W213")
    for problem in rendered.problems:
        found = problem.line
        if found is None and problem.needle:
            found = line_of(text.lower(), problem.needle.lower(), problem.occurrence)
        reader.error(path, problem.message, line or found, code=problem.code)
    for warning in rendered.warnings:
        reader.warn(path, warning.message, line or warning.line, code=warning.code)


def check_alt_text(reader: Reader, path: Path, text: str, rendered: Rendered) -> None:
    """Warn of each image without a text alternative that is not marked decorative."""
    for src in rendered.without_alt:
        message = f"image '{src}' has no alt text: describe it in ![...] or mark it {{.decorative}}"
        line, column = place(text, src, f"![]({src}", f"]({src}", src)
        reader.warn(path, message, line, code="W201", column=column)


def place(text: str, name: str, *written: str) -> tuple[int | None, int | None]:
    """The line and column of `name` in `text`, where it is first written as one of
    `written` (each holding `name` at its end), else (None, None)."""
    for needle in written:
        found = place_of(text, needle)
        if found is not None:
            return found[0], found[1] + len(needle) - len(name)
    return None, None


def title_markdown(title: str) -> str:
    """Front matter's `title` as a `# ` heading: on one line, a `#` at its end kept."""
    line = " ".join(title.split())
    return "# " + re.sub(r"#+$", lambda marks: "\\#" * len(marks[0]), line)


def split_front_matter(reader: Reader, path: Path, text: str) -> tuple[dict[str, str], str]:
    """The YAML front matter (if any) and the Markdown after it, blank lines kept in its place
    so that line numbers stay true."""
    match = FRONT_MATTER.match(text)
    if match is None:
        return {}, text
    body = "\n" * match.group(0).count("\n") + text[match.end() :]
    try:
        meta = yaml.safe_load(match.group(1) or "") or {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = None if mark is None else mark.line + 2
        message = f"front matter is not valid YAML: {getattr(error, 'problem', error)}"
        reader.error(path, message, line, code="E119")
        return {}, body
    if not isinstance(meta, dict):
        reader.error(path, "front matter must be 'key: value' lines", 2, code="E119")
        return {}, body
    return check_front_matter(reader, path, text, meta), body


def check_front_matter(
    reader: Reader, path: Path, text: str, meta: dict[object, object]
) -> dict[str, str]:
    """The known keys of the front matter, each with text; errors for those without,
    a warning for each other key (other tools' keys are ignored: see `unused_key`)."""
    checked: dict[str, str] = {}
    for key, value in meta.items():
        line = key_line(text, str(key)) or line_of(text, f"{key}:")
        if key not in FRONT_MATTER_KEYS:
            reader.warn(path, unused_key(str(key)), line, code="W214")
        elif not isinstance(value, str):
            reader.error(path, f"front matter '{key}' must be text", line, code="E119")
        elif not value.strip():
            reader.error(path, f"front matter '{key}' is empty", line, code="E119")
        elif (bad := control_character(value)) is not None:
            message = f"front matter '{key}' holds control character {bad}"
            reader.error(path, message, line, code="E119")
        else:
            checked[str(key)] = value.strip()
    return checked


OTHER_TOOLS_KEYS = frozenset(
    {"author", "authors", "date", "tags", "draft", "layout", "subtitle", "categories"}
    | {"category", "description", "slug", "aliases", "weight", "lang", "language", "summary"}
    | {"keywords", "permalink", "published", "toc", "type", "id", "url", "image", "cover"}
    | {"series", "status", "created", "updated", "modified", "format", "abstract", "order"}
    | {"sidebar_position", "sidebar_label", "nav_order", "parent", "excerpt", "bibliography"}
)
"""Keys that Obsidian, Jekyll, Hugo, Quarto, pandoc, MkDocs or Docusaurus give a page: never
taken for a misspelling of one of Chapbook's (`subtitle` is no `title`)."""
UNUSED_KEY = re.compile(r"front matter key '(.*)' is not one Chapbook uses")


def unused_key(key: str) -> str:
    """The warning for a front matter key that Chapbook does not use, with the key it
    might be a misspelling of."""
    close = [] if key in OTHER_TOOLS_KEYS else get_close_matches(key, FRONT_MATTER_KEYS, 1)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    return f"front matter key '{key}' is not one Chapbook uses: ignored{hint}"


def resolve_link(
    reader: Reader, entry: Entry, text: str, file_names: dict[Path, str], href: str
) -> str:
    """A link as written -> its href in the book; links to chapters become `file.xhtml#id`."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc:
        return href
    line, column = place(text, href, f"({href}", href)
    where = shown(entry.path)
    if not parts.path:
        fragment = unquote(parts.fragment)
        reader.links.append(Link(file_names[entry.path], fragment, where, line, href, column))
        return href
    target = real(entry.path.parent / unquote(parts.path))
    if target not in file_names:
        message = f"link to '{parts.path}', which is not a chapter of the book"
        reader.error(entry.path, message, line, code="E101", column=column)
        return href
    fragment = unquote(parts.fragment)  # as the id it names: `caf%C3%A9` is `café`
    reader.links.append(Link(file_names[target], fragment, where, line, href, column))
    return file_names[target] + (f"#{parts.fragment}" if parts.fragment else "")


def resolve_image(reader: Reader, chapter: Path, text: str, src: str) -> str:
    """An image as written -> its href in the book, recorded as a Resource."""
    line, column = place(text, src, f"({src}", src)
    resource = image_resource(reader, chapter, src, line, column)
    return src if resource is None else resource.href


def image_resource(
    reader: Reader, chapter: Path, src: str, line: int | None, column: int | None = None
) -> Resource | None:
    """What an image's src names: a file of the book or, if the book allows it, an http(s)
    URL, downloaded; None (and an error) for anything else."""
    parts = urlsplit(src)
    if parts.scheme in remote.SCHEMES and reader.config.build.allow_remote:
        return load_remote(reader, chapter, src, line)
    if parts.scheme in remote.SCHEMES:
        message = f"image '{src}' is not a file of the book ({REMOTE_HINT})"
        reader.error(chapter, message, line, code="E117", column=column)
    elif parts.scheme or parts.netloc:
        message = f"image '{short(src)}' {url_problem(src, reader.root)}"
        reader.error(chapter, message, line, code="E117", column=column)
    else:
        name = unquote(parts.path)
        written = name if name.isprintable() else parts.path  # %00 shown as written
        reader.referenced.append(chapter.parent / name)
        path = chapter.parent / name
        return load_resource(reader, chapter, path, written, line, column=column)
    return None
