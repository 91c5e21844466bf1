"""The only reader of the manuscript: files, front matter and order -> a finished `Book`, or
every error found on the way."""

from __future__ import annotations

import dataclasses
import io
import os
import re
import unicodedata
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote

from PIL import Image

from chapbook.config.load import Config, load_config
from chapbook.diagnostics import BookErrors, Diagnostic, line_of
from chapbook.model.book import Book, Chapter, Metadata, Part, Resource, Styles
from chapbook.model.fragments import XHTML, fragment_xml, parse_fragment
from chapbook.read.chapter import UNUSED_KEY, Entry
from chapbook.read.convert import read_chapters
from chapbook.read.files import (
    Reader,
    inside,
    is_file,
    load_resource,
    real,
    shown,
)
from chapbook.read.markdown.markup import url
from chapbook.read.styles import read_styles
from chapbook.support.cache import Cache
from chapbook.support.progress import SILENT, Progress

COVER_TYPES = {".png", ".jpg", ".jpeg"}
COVER_LONG_SIDE = 1600
"""Pixels on the long side that ebook shops ask of a cover image."""
FALLBACK_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def read_book(
    manuscript: Path, cache: Cache | None = None, jobs: int = 1, progress: Progress = SILENT
) -> Book:
    """Read everything under `manuscript`; raise BookErrors with all the problems found.
    Chapters are converted in up to `jobs` processes, each only if `cache` does not hold
    its conversion already (see `read_chapters`); `progress` hears of each."""
    root = real(manuscript)
    if not root.is_dir():
        raise BookErrors(
            [Diagnostic(shown(manuscript), "manuscript folder not found", code="E125")]
        )
    if not inside(root / "book.toml", root):
        raise BookErrors([Diagnostic(shown(root), "'book.toml' is outside the book", code="E125")])
    reader = Reader(root, load_config(root / "book.toml", shown(root / "book.toml")))
    _, chapters, cover, (styles, fonts) = read_files(reader, cache, jobs, progress)
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


def read_files(
    reader: Reader, cache: Cache | None, jobs: int = 1, progress: Progress = SILENT
) -> tuple[list[Entry], list[Chapter | None], Resource | None, tuple[Styles, list[Resource]]]:
    """Read the book's files as its settings in `reader` name them: the chapters in
    order (None for one that did not read), the cover, the styles and fonts; every
    problem goes into `reader`."""
    entries = list_entries(reader)
    warn_unlisted(reader, entries)
    chapters = read_chapters(reader, entries, assign_file_names(entries), cache, jobs, progress)
    check_anchors(reader)
    chapters = follow_aliases(reader, chapters)
    reader.warnings[:] = unused_keys_once(reader.warnings)
    return entries, chapters, read_cover(reader), read_styles(reader)


def list_entries(reader: Reader) -> list[Entry]:
    """The chapter files in reading order: as `[contents]` lists them, else chapters/*.md
    (also between the front and back that `[contents]` lists without its chapters)."""
    contents = reader.config.contents
    if contents is None:
        return found_entries(reader)
    listed = [
        (part, name)
        for part, names in (
            (Part.FRONT, contents.front),
            (Part.CHAPTER, contents.chapters or ()),
            (Part.BACK, contents.back),
        )
        for name in names
    ]
    if not listed and contents.chapters is not None:
        line = line_of(reader.config.text, "[contents]")
        reader.error(reader.config.source, "[contents] lists no chapter", line, code="E124")
    entries = check_listed(reader, listed)
    if contents.chapters is not None:
        return entries
    found = found_entries(reader, {entry.path for entry in entries})
    front = [entry for entry in entries if entry.part is Part.FRONT]
    return front + found + [entry for entry in entries if entry.part is Part.BACK]


def found_entries(reader: Reader, taken: set[Path] | None = None) -> list[Entry]:
    """chapters/*.md in file-name order, but those `taken` (as front or back matter); an
    error for each that is a link out of the book."""
    folder = reader.root / "chapters"
    found = [path for path in sorted(folder.glob("*.md")) if real(path) not in (taken or set())]
    if not found:
        reader.error(folder, "no chapters: add chapters/*.md", code="E124")
    entries = []
    for path in found:
        if not inside(path, reader.root):
            reader.error(folder, f"'{path.name}' is outside the book", code="E115")
        elif not is_file(path):
            reader.error(folder, f"'{path.name}' is not a file", code="E124")
        else:
            entries.append(Entry(Part.CHAPTER, real(path), path.name, None))
    return entries


def warn_unlisted(reader: Reader, entries: list[Entry]) -> None:
    """A warning for each Markdown file in chapters/, or beside a chapter, that `[contents]`
    leaves out of the book."""
    if reader.config.contents is None:
        return
    taken = {entry.path for entry in entries}
    folders = {reader.root / "chapters", *(entry.path.parent for entry in entries)}
    for path in sorted({path for folder in folders for path in folder.glob("*.md")}):
        if real(path) not in taken:
            message = f"not listed in [contents] of {reader.config.source}: left out of the book"
            reader.warn(path, message, 1, code="W211", column=1)


def check_listed(reader: Reader, listed: list[tuple[Part, str]]) -> list[Entry]:
    """The listed files that are chapters of the book, each once; errors for the others."""
    entries: list[Entry] = []
    seen: set[Path] = set()
    occurrences: Counter[str] = Counter()
    for part, name in listed:
        occurrences[name] += 1
        line = reader.config.line("", name, occurrence=occurrences[name])
        column = listing_column(reader.config.text, name, occurrences[name], line)
        source = reader.config.source
        path = real(reader.root / name)
        if path in seen:
            reader.error(source, f"'{name}' is listed twice", line, code="E105", column=column)
        elif not inside(path, reader.root):
            reader.error(source, f"'{name}' is outside the book", line, code="E115", column=column)
        elif not is_file(path):
            reader.error(
                source, f"chapter file '{name}' not found", line, code="E106", column=column
            )
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


def listing_column(text: str, name: str, occurrence: int, line: int | None) -> int | None:
    """The column of the `occurrence`-th listing of `name` (quoted) in book.toml's `text`,
    if it is on `line`."""
    listings = [m.start() + 1 for m in re.finditer(rf"(['\"]){re.escape(name)}\1", text)]
    if occurrence > len(listings):
        return None
    offset = listings[occurrence - 1]
    on_line = text.count("\n", 0, offset) + 1 == line
    return offset - text.rfind("\n", 0, offset) if on_line else None


def unused_keys_once(warnings: list[Diagnostic]) -> list[Diagnostic]:
    """The warnings with one for each front matter key that Chapbook does not use: the
    first, saying how many other chapters have that key."""
    firsts: dict[str, int] = {}
    counts: Counter[str] = Counter()
    kept: list[Diagnostic] = []
    for warning in warnings:
        match = UNUSED_KEY.match(warning.message)
        if match is not None and match[1] in firsts:
            counts[match[1]] += 1
            continue
        if match is not None:
            firsts[match[1]] = len(kept)
        kept.append(warning)
    for key, count in counts.items():
        first = kept[firsts[key]]
        also = f" (also in {count} other chapter{'s' * (count != 1)})"
        kept[firsts[key]] = dataclasses.replace(first, message=first.message + also)
    return kept


def check_anchors(reader: Reader) -> None:
    """Every link to `#fragment` must land on an id of its chapter, or an alias of one."""
    for link in reader.links:
        ids = reader.ids.get(link.target)
        known = link.fragment in (ids or ()) or link.fragment in reader.aliases.get(link.target, {})
        if link.fragment and ids is not None and not known:
            message = f"link to '{link.href}': no heading or anchor '#{link.fragment}' there"
            reader.error(link.where, message, link.line, code="E103", column=link.column)


def follow_aliases(reader: Reader, chapters: list[Chapter | None]) -> list[Chapter | None]:
    """The chapters with each link that names an alias (see `headings`) pointed at the id
    it stands for, or at the start of its chapter."""
    where = {link.where for link in reader.links if is_alias(reader, link.target, link.fragment)}
    return [
        relinked(reader, chapter) if chapter is not None and chapter.source in where else chapter
        for chapter in chapters
    ]


def is_alias(reader: Reader, target: str, fragment: str) -> bool:
    """Whether `fragment` is an alias in the chapter `target`, not an id of its own."""
    aliases = reader.aliases.get(target, {})
    return fragment in aliases and fragment not in reader.ids.get(target, frozenset())


def relinked(reader: Reader, chapter: Chapter) -> Chapter:
    """The chapter with its links to aliases (body, epigraph and its source) followed."""
    return dataclasses.replace(
        chapter,
        body=follow(reader, chapter.file_name, chapter.body) or "",
        epigraph=follow(reader, chapter.file_name, chapter.epigraph),
        epigraph_source=follow(reader, chapter.file_name, chapter.epigraph_source),
    )


def follow(reader: Reader, own: str, fragment: str | None) -> str | None:
    """The XHTML `fragment` of the chapter `own` with its links to aliases followed."""
    if fragment is None:
        return None
    container = parse_fragment(fragment)
    for link in container.iter(f"{XHTML}a"):
        name, mark, anchor = (link.get("href") or "").partition("#")
        target = name or own
        if mark and is_alias(reader, target, unquote(anchor)):
            to = reader.aliases[target][unquote(anchor)]
            link.set("href", url(f"{name}#{to}") if to else target)
    return fragment_xml(container)


def read_cover(reader: Reader) -> Resource | None:
    """The author's cover image, if book.toml names one: a PNG or JPEG of the book."""
    name = reader.config.book.cover
    if name is None:
        return None
    line = reader.config.line("cover", table="book")
    path = reader.root / name
    if not inside(path, reader.root):  # where it is comes first: what it is is no matter
        reader.error(reader.config.source, f"cover '{name}' is outside the book", line, code="E115")
        return None
    if path.suffix.lower() not in COVER_TYPES:
        reader.error(
            reader.config.source, f"cover '{name}' must be a PNG or JPEG image", line, code="E116"
        )
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
        reader.warn(reader.config.source, message, line, code="W218")


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
    fixed = source_date_epoch()
    if fixed is not None:
        return fixed
    if config.book.date is not None:
        return datetime(
            config.book.date.year, config.book.date.month, config.book.date.day, tzinfo=UTC
        )
    return FALLBACK_EPOCH


def source_date_epoch() -> datetime | None:
    """SOURCE_DATE_EPOCH (UTC), if it is set to a number of seconds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    return datetime.fromtimestamp(int(epoch), tz=UTC) if epoch.isdigit() else None


def slugify(text: str) -> str:
    """ASCII, lower case and hyphens: for file names."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
