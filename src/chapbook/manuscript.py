"""The only reader of the manuscript: files, front matter and order -> a finished `Book`, or
every error found on the way."""

from __future__ import annotations

import html
import io
import os
import re
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

import yaml
from PIL import Image

from chapbook import remote
from chapbook.config import Config, control_character, load_config, suggestion
from chapbook.errors import BookError, BookErrors, line_of, short
from chapbook.markup import Rendered, inline, prefix_ids, render_markdown
from chapbook.model import Book, Chapter, Metadata, Part, Resource
from chapbook.reader import (
    REMOTE_HINT,
    Link,
    Reader,
    inside,
    is_file,
    load_remote,
    load_resource,
    read_text,
    real,
    shown,
)
from chapbook.styles import read_styles

COVER_TYPES = {".png", ".jpg", ".jpeg"}
COVER_LONG_SIDE = 1600
"""Pixels on the long side that ebook shops ask of a cover image."""
FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?(---|\.\.\.)[ \t]*(\n|\Z)", re.DOTALL)
FRONT_MATTER_KEYS = ("title", "epigraph", "epigraph-source")
FALLBACK_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Entry:
    """One chapter file as listed by book.toml (or found in chapters/)."""

    part: Part
    path: Path
    name: str
    listed_line: int | None


def read_book(manuscript: Path) -> Book:
    """Read everything under `manuscript`; raise BookErrors with all the problems found."""
    root = real(manuscript)
    if not root.is_dir():
        raise BookErrors([BookError(shown(manuscript), "manuscript folder not found")])
    if not inside(root / "book.toml", root):
        raise BookErrors([BookError(shown(root), "'book.toml' is outside the book")])
    reader = Reader(root, load_config(root / "book.toml", shown(root / "book.toml")))
    entries = list_entries(reader)
    file_names = assign_file_names(entries)
    chapters = [read_chapter(reader, entry, file_names) for entry in entries]
    check_anchors(reader)
    cover = read_cover(reader)
    styles, fonts = read_styles(reader)
    if reader.errors:
        raise BookErrors(sorted(reader.errors, key=lambda e: (str(e.path), e.line or 0)))
    return Book(
        metadata=metadata(reader.config),
        chapters=tuple(number_chapters([c for c in chapters if c is not None])),
        resources=(*reader.images.values(), *fonts),
        cover=cover,
        print=reader.config.print,
        booklet=reader.config.booklet,
        epub=reader.config.epub,
        styles=styles,
        warnings=tuple(sorted(reader.warnings, key=lambda w: (str(w.path), w.line or 0))),
        slug=slugify(reader.config.book.title) or "book",
    )


def list_entries(reader: Reader) -> list[Entry]:
    """The chapter files in reading order: as `[contents]` lists them, else chapters/*.md."""
    contents = reader.config.contents
    if contents is None:
        return found_entries(reader)
    listed = [
        (part, name)
        for part, names in (
            (Part.FRONT, contents.front),
            (Part.CHAPTER, contents.chapters),
            (Part.BACK, contents.back),
        )
        for name in names
    ]
    if not listed:
        line = line_of(reader.config.text, "[contents]")
        reader.error(reader.config.source, "[contents] lists no chapter", line)
    return check_listed(reader, listed)


def found_entries(reader: Reader) -> list[Entry]:
    """chapters/*.md in file-name order; an error for each that is a link out of the book."""
    folder = reader.root / "chapters"
    found = sorted(folder.glob("*.md"))
    if not found:
        reader.error(folder, "no chapters: add chapters/*.md")
    entries = []
    for path in found:
        if not inside(path, reader.root):
            reader.error(folder, f"'{path.name}' is outside the book")
        elif not is_file(path):
            reader.error(folder, f"'{path.name}' is not a file")
        else:
            entries.append(Entry(Part.CHAPTER, real(path), path.name, None))
    return entries


def check_listed(reader: Reader, listed: list[tuple[Part, str]]) -> list[Entry]:
    """The listed files that are chapters of the book, each once; errors for the others."""
    entries: list[Entry] = []
    seen: set[Path] = set()
    for index, (part, name) in enumerate(listed):
        occurrence = 1 + [other for _, other in listed[:index]].count(name)
        line = reader.config.line("", name, occurrence=occurrence)
        path = real(reader.root / name)
        if path in seen:
            reader.error(reader.config.source, f"'{name}' is listed twice", line)
        elif not inside(path, reader.root):
            reader.error(reader.config.source, f"'{name}' is outside the book", line)
        elif not is_file(path):
            reader.error(reader.config.source, f"chapter file '{name}' not found", line)
        else:
            entries.append(Entry(part, path, name, line))
        seen.add(path)
    return entries


def assign_file_names(entries: list[Entry]) -> dict[Path, str]:
    """Each chapter's XHTML file name: its part and file stem, made unique."""
    names: dict[Path, str] = {}
    for entry in entries:
        base = f"{entry.part.value}-{slugify(entry.path.stem) or 'text'}"
        name, count = base, 1
        while f"{name}.xhtml" in names.values():
            count += 1
            name = f"{base}-{count}"
        names[entry.path] = f"{name}.xhtml"
    return names


def read_chapter(reader: Reader, entry: Entry, file_names: dict[Path, str]) -> Chapter | None:
    """One chapter file -> a Chapter: its front matter, its Markdown rendered with every
    link and image resolved; None if its text can't be read."""
    text = read_text(reader, entry.path)
    if text is None:
        return None
    meta, body = split_front_matter(reader, entry.path, text)

    def render(markdown: str) -> Rendered:
        """Markdown of this chapter, its links and images resolved from the chapter's place."""
        return render_markdown(
            markdown,
            reader.config.book.language,
            link=lambda href: resolve_link(reader, entry, text, file_names, href),
            image=lambda src: resolve_image(reader, entry.path, text, src),
        )

    rendered = render(body)
    check_alt_text(reader, entry.path, text, rendered)
    for removal in rendered.removed:
        reader.warn(entry.path, removal.message, line_of(text, removal.needle))
    epigraph = (
        prefix_ids(render(meta["epigraph"]).body, "epigraph-") if "epigraph" in meta else None
    )
    source = inline(render(meta["epigraph-source"]).body) if "epigraph-source" in meta else None
    title, title_html = chapter_title(meta, rendered)
    if not title:
        reader.error(entry.path, "no title: begin with a '# Title' heading or set 'title'", 1)
    if not body.strip():
        reader.error(entry.path, "chapter is empty", 1)
    file_name = file_names[entry.path]
    reader.ids[file_name] = rendered.ids
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
    )


def check_alt_text(reader: Reader, path: Path, text: str, rendered: Rendered) -> None:
    """Warn of each image without a text alternative that is not marked decorative."""
    for src in rendered.without_alt:
        message = f"image '{src}' has no alt text: describe it in ![...] or mark it {{.decorative}}"
        line = line_of(text, f"![]({src}") or line_of(text, f"]({src}") or line_of(text, src)
        reader.warn(path, message, line)


def number_chapters(chapters: list[Chapter]) -> list[Chapter]:
    """The chapters with the numbered part's numbers (1, 2, ...) filled in."""
    numbered: list[Chapter] = []
    count = 0
    for chapter in chapters:
        if chapter.part is Part.CHAPTER:
            count += 1
            chapter = Chapter(**{**chapter.__dict__, "number": count})
        numbered.append(chapter)
    return numbered


def chapter_title(meta: dict[str, str], rendered: Rendered) -> tuple[str, str]:
    """The title as text and as inline XHTML: front matter's `title`, else the heading."""
    if "title" in meta:
        return meta["title"], html.escape(meta["title"], quote=False)
    return rendered.title or "", rendered.title_html or ""


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
        reader.error(
            path, f"front matter is not valid YAML: {getattr(error, 'problem', error)}", line
        )
        return {}, body
    if not isinstance(meta, dict):
        reader.error(path, "front matter must be 'key: value' lines", 2)
        return {}, body
    return check_front_matter(reader, path, text, meta), body


def check_front_matter(
    reader: Reader, path: Path, text: str, meta: dict[object, object]
) -> dict[str, str]:
    """The known keys of the front matter, each with text; errors for the others."""
    checked: dict[str, str] = {}
    for key, value in meta.items():
        line = line_of(text, f"{key}:")
        if key not in FRONT_MATTER_KEYS:
            hint = suggestion(str(key), list(FRONT_MATTER_KEYS))
            reader.error(path, f"'{key}' is not a front matter key{hint}", line)
        elif not isinstance(value, str) or not value.strip():
            reader.error(path, f"front matter '{key}' must be text", line)
        elif (bad := control_character(value)) is not None:
            reader.error(path, f"front matter '{key}' holds control character {bad}", line)
        else:
            checked[str(key)] = value.strip()
    return checked


def resolve_link(
    reader: Reader, entry: Entry, text: str, file_names: dict[Path, str], href: str
) -> str:
    """A link as written -> its href in the book; links to chapters become `file.xhtml#id`."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc:
        return href
    line = line_of(text, f"({href}") or line_of(text, href)
    if not parts.path:
        reader.links.append(
            Link(file_names[entry.path], parts.fragment, shown(entry.path), line, href)
        )
        return href
    target = real(entry.path.parent / unquote(parts.path))
    if target not in file_names:
        reader.error(
            entry.path, f"link to '{parts.path}', which is not a chapter of the book", line
        )
        return href
    reader.links.append(Link(file_names[target], parts.fragment, shown(entry.path), line, href))
    return file_names[target] + (f"#{parts.fragment}" if parts.fragment else "")


def check_anchors(reader: Reader) -> None:
    """Every link to `#fragment` must land on an id of its chapter."""
    for link in reader.links:
        ids = reader.ids.get(link.target)
        if link.fragment and ids is not None and link.fragment not in ids:
            message = f"link to '{link.href}': no heading or anchor '#{link.fragment}' there"
            reader.error(link.where, message, link.line)


def resolve_image(reader: Reader, chapter: Path, text: str, src: str) -> str:
    """An image as written -> its href in the book, recorded as a Resource."""
    line = line_of(text, f"({src}") or line_of(text, src)
    resource = image_resource(reader, chapter, src, line)
    return src if resource is None else resource.href


def image_resource(reader: Reader, chapter: Path, src: str, line: int | None) -> Resource | None:
    """What an image's src names: a file of the book or, if the book allows it, an http(s)
    URL, downloaded; None (and an error) for anything else."""
    parts = urlsplit(src)
    if parts.scheme in remote.SCHEMES and reader.config.build.allow_remote:
        return load_remote(reader, chapter, src, line)
    if parts.scheme in remote.SCHEMES:
        reader.error(chapter, f"image '{src}' is not a file of the book ({REMOTE_HINT})", line)
    elif parts.scheme or parts.netloc:
        reader.error(chapter, f"image '{short(src)}' is outside the book", line)
    else:
        name = unquote(parts.path)
        written = name if name.isprintable() else parts.path  # %00 shown as written
        return load_resource(reader, chapter, chapter.parent / name, written, line)
    return None


def read_cover(reader: Reader) -> Resource | None:
    """The author's cover image, if book.toml names one: a PNG or JPEG of the book."""
    name = reader.config.book.cover
    if name is None:
        return None
    line = reader.config.line("cover", table="book")
    path = reader.root / name
    if path.suffix.lower() not in COVER_TYPES:
        reader.error(reader.config.source, f"cover '{name}' must be a PNG or JPEG image", line)
        return None
    cover = load_resource(reader, reader.config.source, path, name, line, kind="cover")
    if cover is not None:
        check_cover_size(reader, cover, name, line)
    return cover


def check_cover_size(reader: Reader, cover: Resource, name: str, line: int | None) -> None:
    """A cover (known to be a readable image) under COVER_LONG_SIDE pixels is a warning."""
    with Image.open(io.BytesIO(cover.data)) as image:
        width, height = image.size
    if max(width, height) < COVER_LONG_SIDE:
        message = (
            f"cover '{name}' is {width} x {height} px; ebook shops ask for at least "
            f"{COVER_LONG_SIDE} px on the long side"
        )
        reader.warn(reader.config.source, message, line)


def metadata(config: Config) -> Metadata:
    """The book's metadata, with an identifier: the ISBN, the given one, or one made
    from the title and authors (stable from build to build)."""
    book = config.book
    if book.isbn:
        identifier = "urn:isbn:" + book.isbn.replace("-", "").replace(" ", "")
    elif book.identifier:
        identifier = book.identifier
    else:
        seed = "chapbook:" + "|".join((book.title, *book.authors))
        identifier = f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, seed)}"
    return Metadata(
        title=book.title,
        subtitle=book.subtitle,
        authors=book.authors,
        language=book.language,
        identifier=identifier,
        isbn=book.isbn,
        publisher=book.publisher,
        date=book.date,
        rights=book.rights,
        edition=book.edition,
        description=book.description,
        subjects=book.subjects,
        modified=build_time(config),
    )


def build_time(config: Config) -> datetime:
    """SOURCE_DATE_EPOCH if set, else the book's date, else a fixed epoch: never the clock."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=UTC)
    if config.book.date is not None:
        return datetime(
            config.book.date.year, config.book.date.month, config.book.date.day, tzinfo=UTC
        )
    return FALLBACK_EPOCH


def slugify(text: str) -> str:
    """ASCII, lower case and hyphens: for file names."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
