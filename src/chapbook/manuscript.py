"""The only reader of the manuscript: files, front matter and order -> a finished `Book`, or
every error found on the way."""

from __future__ import annotations

import html
import io
import os
import re
import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

import yaml
from PIL import Image

from chapbook.config import Config, load_config
from chapbook.errors import BookError, BookErrors, line_of
from chapbook.markup import Rendered, inline, render_markdown
from chapbook.model import FONT_FOLDER, Book, Chapter, Metadata, Part, Resource, Styles

IMAGE_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
}
COVER_TYPES = {".png", ".jpg", ".jpeg"}
COVER_LONG_SIDE = 1600
"""Pixels on the long side that ebook shops ask of a cover image."""
FONT_TYPES = {".ttf": "font/ttf", ".otf": "font/otf", ".woff": "font/woff", ".woff2": "font/woff2"}
STYLESHEETS = ("base.css", "epub.css", "print.css", "cover.css", "fonts.css")
DEFAULT_STYLES = Path(__file__).resolve().parents[2] / "styles"
FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?(---|\.\.\.)[ \t]*(\n|\Z)", re.DOTALL)
FRONT_MATTER_KEYS = ("title", "epigraph", "epigraph-source")
FALLBACK_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def shown(path: Path) -> str:
    """A path as the author knows it: relative to the working folder when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


@dataclass(frozen=True)
class Entry:
    """One chapter file as listed by book.toml (or found in chapters/)."""

    part: Part
    path: Path
    name: str
    listed_line: int | None


@dataclass(frozen=True)
class Link:
    """A link to an anchor, kept to be checked once every chapter's ids are known."""

    target: str
    fragment: str
    where: str
    line: int | None
    href: str


@dataclass
class Reader:
    """Collects a book's pieces and every error met while reading them."""

    root: Path
    config: Config
    errors: list[BookError] = field(default_factory=list)
    warnings: list[BookError] = field(default_factory=list)
    images: dict[str, Resource] = field(default_factory=dict)
    links: list[Link] = field(default_factory=list)
    ids: dict[str, frozenset[str]] = field(default_factory=dict)
    """The ids of each chapter (by file name), as its Markdown rendered them."""

    def error(self, path: Path | str, message: str, line: int | None = None) -> None:
        self.errors.append(
            BookError(shown(path) if isinstance(path, Path) else path, message, line)
        )

    def warn(self, path: Path | str, message: str, line: int | None = None) -> None:
        where = shown(path) if isinstance(path, Path) else path
        self.warnings.append(BookError(where, message, line, warning=True))


def read_book(manuscript: Path) -> Book:
    """Read everything under `manuscript`; raise BookErrors with all the problems found."""
    root = manuscript.resolve()
    if not root.is_dir():
        raise BookErrors([BookError(shown(manuscript), "manuscript folder not found")])
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
    contents = reader.config.contents
    if contents is None:
        found = sorted((reader.root / "chapters").glob("*.md"))
        if not found:
            reader.error(reader.root / "chapters", "no chapters: add chapters/*.md")
        return [Entry(Part.CHAPTER, path, path.name, None) for path in found]
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
        reader.error(
            reader.config.source, "[contents] lists no chapter", reader.config.line("contents")
        )
    return check_listed(reader, listed)


def check_listed(reader: Reader, listed: list[tuple[Part, str]]) -> list[Entry]:
    entries: list[Entry] = []
    seen: set[Path] = set()
    for part, name in listed:
        line = reader.config.line("", name)
        path = (reader.root / name).resolve()
        if path in seen:
            reader.error(reader.config.source, f"'{name}' is listed twice", line)
        elif not inside(path, reader.root):
            reader.error(reader.config.source, f"'{name}' is outside the book", line)
        elif not path.is_file():
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
    text = read_text(reader, entry.path)
    if text is None:
        return None
    meta, body = split_front_matter(reader, entry.path, text)

    def render(markdown: str) -> Rendered:
        return render_markdown(
            markdown,
            reader.config.book.language,
            link=lambda href: resolve_link(reader, entry, text, file_names, href),
            image=lambda src: resolve_image(reader, entry.path, text, src),
        )

    rendered = render(body)
    check_alt_text(reader, entry.path, text, rendered)
    epigraph = render(meta["epigraph"]).body if "epigraph" in meta else None
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
    numbered: list[Chapter] = []
    count = 0
    for chapter in chapters:
        if chapter.part is Part.CHAPTER:
            count += 1
            chapter = Chapter(**{**chapter.__dict__, "number": count})
        numbered.append(chapter)
    return numbered


def chapter_title(meta: dict[str, str], rendered: Rendered) -> tuple[str, str]:
    if "title" in meta:
        return meta["title"], html.escape(meta["title"], quote=False)
    return rendered.title or "", rendered.title_html or ""


def read_text(reader: Reader, path: Path) -> str | None:
    """A chapter's text: UTF-8 (a BOM is dropped), line ends made \\n."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        reader.error(path, f"not valid UTF-8 (byte {error.start})", line)
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n")


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
    checked: dict[str, str] = {}
    for key, value in meta.items():
        line = line_of(text, f"{key}:")
        if key not in FRONT_MATTER_KEYS:
            known = ", ".join(FRONT_MATTER_KEYS)
            reader.error(path, f"'{key}' is not a front matter key (known: {known})", line)
        elif not isinstance(value, str) or not value.strip():
            reader.error(path, f"front matter '{key}' must be text", line)
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
    target = (entry.path.parent / unquote(parts.path)).resolve()
    if target not in file_names:
        reader.error(
            entry.path, f"link to '{parts.path}', which is not a chapter of the book", line
        )
        return href
    reader.links.append(Link(file_names[target], parts.fragment, shown(entry.path), line, href))
    return file_names[target] + (f"#{parts.fragment}" if parts.fragment else "")


def check_anchors(reader: Reader) -> None:
    for link in reader.links:
        ids = reader.ids.get(link.target)
        if link.fragment and ids is not None and link.fragment not in ids:
            message = f"link to '{link.href}': no heading or anchor '#{link.fragment}' there"
            reader.error(link.where, message, link.line)


def resolve_image(reader: Reader, chapter: Path, text: str, src: str) -> str:
    """An image as written -> its href in the book, recorded as a Resource."""
    line = line_of(text, f"({src}") or line_of(text, src)
    parts = urlsplit(src)
    name = unquote(parts.path)
    if parts.scheme or parts.netloc:
        reader.error(
            chapter, f"image '{src}' is not a file of the book (nothing is downloaded)", line
        )
        return src
    path = (chapter.parent / name).resolve()
    resource = load_resource(reader, chapter, path, name, line)
    return src if resource is None else resource.href


def load_resource(
    reader: Reader, where: Path | str, path: Path, name: str, line: int | None, kind: str = "image"
) -> Resource | None:
    media_type = IMAGE_TYPES.get(path.suffix.lower())
    if not inside(path, reader.root):
        reader.error(where, f"{kind} '{name}' is outside the book", line)
    elif not path.is_file():
        reader.error(where, f"{kind} '{name}' not found", line)
    elif media_type is None:
        known = ", ".join(sorted(IMAGE_TYPES))
        reader.error(where, f"{kind} '{name}' is not of a known type ({known})", line)
    else:
        href = PurePosixPath(path.relative_to(reader.root).as_posix()).as_posix()
        resource = reader.images.get(href) or Resource(href, media_type, path.read_bytes())
        reader.images[href] = resource
        return resource
    return None


def read_cover(reader: Reader) -> Resource | None:
    name = reader.config.book.cover
    if name is None:
        return None
    line = reader.config.line("cover")
    path = (reader.root / name).resolve()
    if path.suffix.lower() not in COVER_TYPES:
        reader.error(reader.config.source, f"cover '{name}' must be a PNG or JPEG image", line)
        return None
    cover = load_resource(reader, reader.config.source, path, name, line, kind="cover")
    if cover is not None:
        check_cover_size(reader, cover, name, line)
    return cover


def check_cover_size(reader: Reader, cover: Resource, name: str, line: int | None) -> None:
    """A cover must be a readable image; under COVER_LONG_SIDE pixels it is a warning."""
    try:
        with Image.open(io.BytesIO(cover.data)) as image:
            width, height = image.size
    except (OSError, Image.DecompressionBombError):
        reader.error(reader.config.source, f"cover '{name}' is not a readable image", line)
        return
    if max(width, height) < COVER_LONG_SIDE:
        message = (
            f"cover '{name}' is {width} x {height} px; ebook shops ask for at least "
            f"{COVER_LONG_SIDE} px on the long side"
        )
        reader.warn(reader.config.source, message, line)


def read_styles(reader: Reader) -> tuple[Styles, list[Resource]]:
    """The book's own `styles/` (in or beside the manuscript) over the default look."""
    folders = [DEFAULT_STYLES] + [
        folder
        for folder in (reader.root.parent / "styles", reader.root / "styles")
        if folder.is_dir() and folder.resolve() != DEFAULT_STYLES
    ]
    texts: dict[str, str] = {}
    fonts: dict[str, Resource] = {}
    for folder in folders:
        for name in STYLESHEETS:
            if (folder / name).is_file():
                texts[name] = (folder / name).read_text(encoding="utf-8")
        for font in sorted((folder / "fonts").glob("*")):
            if font.suffix.lower() in FONT_TYPES:
                href = FONT_FOLDER + font.name
                fonts[href] = Resource(href, FONT_TYPES[font.suffix.lower()], font.read_bytes())
    styles = Styles(*(texts.get(name, "") for name in STYLESHEETS))
    return styles, list(fonts.values())


def metadata(config: Config) -> Metadata:
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


def inside(path: Path, root: Path) -> bool:
    return path.resolve().is_relative_to(root)


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
