"""A chapter converted on its own: what its conversion gives (`Converted`), kept in the cache
as JSON, and conversions run side by side in worker processes.
Design: docs/architecture.md, 'Chapters converted apart: the pool and the cache'."""

from __future__ import annotations

import dataclasses
import json
import multiprocessing
import os
import sys
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from chapbook.config.load import Config
from chapbook.diagnostics import Diagnostic, is_error
from chapbook.model.book import Chapter, Part, Resource
from chapbook.read.chapter import Entry, read_chapter
from chapbook.read.files import Link, Reader, fingerprint
from chapbook.support.cache import Cache, code_digest, digest
from chapbook.support.processes import stopping, worker_pool
from chapbook.support.progress import SILENT, Progress

KIND = "chapter"
"""The cache's folder for converted chapters."""


PER_PROCESS = 8
"""Conversions that a worker process must have to do to be worth starting. Measured on 2
cores: starting and stopping 2 workers takes 8-12 ms, a chapter of 3,000 words 12 ms; idle
cores gain from 4 chapters on, cores busy with other work only from about 32."""

Item = TypeVar("Item")

Result = TypeVar("Result")


@dataclass(frozen=True)
class Converted:
    """One chapter's conversion and what reading it gathered; `chapter` is None when its
    text could not be read (`errors` say why)."""

    chapter: Chapter | None
    errors: tuple[Diagnostic, ...]
    warnings: tuple[Diagnostic, ...]
    links: tuple[Link, ...]
    ids: tuple[tuple[str, frozenset[str]], ...]
    """The chapter's ids by its file name (none when it was not rendered)."""
    aliases: tuple[tuple[str, tuple[tuple[str, str], ...]], ...]
    """The chapter's other ids (see `Reader.aliases`) by its file name."""
    images: tuple[Resource, ...]
    """The images the chapter added to the book, in the order it named them."""
    referenced: tuple[Path, ...]
    """Each file the chapter's images named, found or not."""
    downloaded: bool
    """Whether it asked the network for an image: such a chapter is not cached."""


@dataclass(frozen=True)
class Job:
    """One chapter to convert, with all that its conversion reads but its images."""

    root: Path
    config: Config
    entry: Entry
    file_names: dict[Path, str]
    data: bytes
    """The chapter file's bytes."""
    book_key: str
    """A digest of what every chapter's conversion depends on (see `book_key`)."""

    def key(self) -> str:
        """The cache key of the conversion: a digest of everything it depends on but the
        images it names (which the cache entry lists, to be checked)."""
        path = os.fsencode(self.entry.path)
        return digest(self.book_key, self.entry.part.value, path, self.data)


def book_key(reader: Reader, file_names: dict[Path, str]) -> str:
    """A digest of what the conversion of any chapter of the book depends on: the program,
    the settings `read_chapter` reads and the chapters' file names (links are made with)."""
    names = b"".join(
        os.fsencode(path) + f"\t{name}\n".encode() for path, name in sorted(file_names.items())
    )
    return digest(
        code_digest(),
        os.fsencode(os.getcwd()),  # messages name files as seen from there
        os.fsencode(reader.root),
        reader.config.book.language,
        str(reader.config.build.allow_remote),
        names,
    )


def read_chapters(
    reader: Reader,
    entries: list[Entry],
    file_names: dict[Path, str],
    cache: Cache | None,
    jobs: int,
    progress: Progress = SILENT,
) -> list[Chapter | None]:
    """Every chapter, in order, converted on its own (in up to `jobs` processes) unless
    `cache` holds its conversion; what each gathered is taken into `reader` in the book's
    order, so that messages and images come as from one conversion after the other.
    `progress` hears of each chapter read ("reading")."""
    cache = None if cache is None or cache.root is None else cache  # one that keeps nothing
    shared = book_key(reader, file_names)
    work = [
        Job(reader.root, reader.config, entry, file_names, entry.path.read_bytes(), shared)
        for entry in entries
    ]
    files = Files(reader.root)
    done = [None if cache is None else cached(cache, job.key(), files) for job in work]
    todo = [job for job, converted in zip(work, done, strict=True) if converted is None]
    progress.stage("reading", len(work))
    progress.step("reading", len(work) - len(todo))

    def read_one() -> None:
        progress.step("reading")

    if reader.config.build.allow_remote:  # downloads shared: each URL once, told of once
        fresh = [told(convert(job, reader.downloads), read_one) for job in todo]
    else:
        fresh = in_processes(convert_apart, todo, jobs, read_one)
        fresh = [with_images(c, files) or convert(j) for c, j in zip(fresh, todo, strict=True)]
    made = iter(fresh)
    chapters = []
    for job, converted in zip(work, done, strict=True):
        if converted is None:
            converted = next(made)
            if cache is not None and not converted.downloaded:
                keep(cache, job.key(), converted, files)
        take(reader, converted)
        chapters.append(converted.chapter)
    return chapters


def convert(job: Job, downloads: dict[str, Resource | None] | None = None) -> Converted:
    """One chapter's conversion, with a reader of its own (sharing `downloads` if given)."""
    reader = Reader(job.root, job.config, downloads={} if downloads is None else downloads)
    chapter = read_chapter(reader, job.entry, job.file_names, job.data)
    return Converted(
        chapter=chapter,
        errors=tuple(reader.errors),
        warnings=tuple(reader.warnings),
        links=tuple(reader.links),
        ids=tuple(reader.ids.items()),
        aliases=tuple((name, tuple(sorted(a.items()))) for name, a in reader.aliases.items()),
        images=tuple(reader.images.values()),
        referenced=tuple(reader.referenced),
        downloaded=reader.downloaded,
    )


def convert_apart(job: Job) -> Converted:
    """`convert`, in a worker process: the images without their bytes, read again by
    `with_images` (an image that every chapter shows is sent back once)."""
    converted = convert(job)
    images = tuple(Resource(i.href, i.media_type, b"") for i in converted.images)
    return dataclasses.replace(converted, images=images)


def take(reader: Reader, converted: Converted) -> None:
    """What a chapter's conversion gathered, added to the book's reader."""
    reader.errors.extend(converted.errors)
    reader.warnings.extend(converted.warnings)
    reader.links.extend(converted.links)
    reader.ids.update(converted.ids)
    reader.aliases.update((name, dict(aliases)) for name, aliases in converted.aliases)
    for image in converted.images:
        reader.images.setdefault(image.href, image)


class Files:
    """The fingerprints (and bytes) of the files chapters' images name, each read once."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.seen: dict[Path, tuple[str, bytes | None]] = {}

    def fingerprint(self, path: Path) -> str:
        return self.read(path)[0]

    def data(self, path: Path) -> bytes | None:
        return self.read(path)[1]

    def read(self, path: Path) -> tuple[str, bytes | None]:
        if path not in self.seen:
            self.seen[path] = fingerprint(path, self.root)
        return self.seen[path]


def cached(cache: Cache, key: str, files: Files) -> Converted | None:
    """The conversion kept under `key`, if there is one and the files its images named are
    as they were; its images with their bytes, read again from the book."""
    data = cache.get(KIND, key)
    if data is None:
        return None
    kept = decode(data)
    if kept is not None and kept.fingerprints == tuple(
        map(files.fingerprint, kept.converted.referenced)
    ):
        converted = with_images(kept.converted, files)
        if converted is not None:
            return converted
    cache.rejected()  # not an entry, or out of date: a miss after all
    return None


def with_images(converted: Converted, files: Files) -> Converted | None:
    """A conversion read back from the cache with its images' bytes; None if one is gone."""
    images = []
    for image in converted.images:
        data = files.data(files.root / image.href)
        if data is None:
            return None
        images.append(Resource(image.href, image.media_type, data))
    return dataclasses.replace(converted, images=tuple(images))


def keep(cache: Cache, key: str, converted: Converted, files: Files) -> None:
    """Put a conversion in the cache, with what the files its images named are now."""
    fingerprints = [files.fingerprint(path) for path in converted.referenced]
    cache.put(KIND, key, encode(converted, fingerprints))


def in_processes(
    function: Callable[[Item], Result],
    items: Sequence[Item],
    jobs: int,
    each: Callable[[], None] = lambda: None,
) -> list[Result]:
    """`function` of each of `items`, in their order: in up to `jobs` worker processes when
    there are enough items for that to gain, else here; `each` hears of each result.
    `function` must be a module's own (it is sent to the workers by name)."""
    workers = min(jobs, len(items) // PER_PROCESS)
    pool = None
    if workers > 1:
        with suppress(OSError):  # no processes to be had: convert here
            pool = worker_pool(workers, _context())
    if pool is None:
        return [told(function(item), each) for item in items]
    with stopping(pool):
        chunks = max(1, len(items) // (4 * workers))
        return [told(result, each) for result in pool.map(function, items, chunksize=chunks)]


def told(result: Result, each: Callable[[], None]) -> Result:
    each()
    return result


def _context() -> multiprocessing.context.BaseContext:
    """Fork where it is safe (Linux): the workers start at once, with everything imported."""
    if sys.platform == "linux":
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()


def encode(converted: Converted, fingerprints: Sequence[str]) -> bytes:
    """`converted` as a cache entry, with the fingerprints of its referenced files (as they
    were when it was converted) and a checksum of the whole. Images are kept by name only:
    their bytes are read again from the book."""
    record = {
        "chapter": None if converted.chapter is None else converted.chapter.__dict__,
        "errors": [_error(e) for e in converted.errors],
        "warnings": [_error(w) for w in converted.warnings],
        "links": [
            [k.target, k.fragment, k.where, k.line, k.href, k.column] for k in converted.links
        ],
        "ids": [[name, sorted(ids)] for name, ids in converted.ids],
        "aliases": [[name, [list(pair) for pair in pairs]] for name, pairs in converted.aliases],
        "images": [[image.href, image.media_type] for image in converted.images],
        "referenced": [
            [str(path), f] for path, f in zip(converted.referenced, fingerprints, strict=True)
        ],
    }
    # ASCII: a file name that is not UTF-8 (surrogate escapes) survives the round trip
    return json.dumps(record, separators=(",", ":")).encode()


def _error(error: Diagnostic) -> list[object]:
    return [str(error.path), error.message, error.line, error.code, error.column]


@dataclass(frozen=True)
class Kept:
    """A cache entry read back: the conversion, its images without their bytes, and what
    its referenced files were (to compare with what they are now)."""

    converted: Converted
    fingerprints: tuple[str, ...]


def decode(data: bytes) -> Kept | None:
    """A cache entry made by `encode`; None if it is not one."""
    try:
        return _kept(json.loads(data))
    except (ValueError, TypeError, KeyError, IndexError, AttributeError):
        return None


def _kept(record: dict[str, Any]) -> Kept:
    chapter = record["chapter"]
    referenced = [(Path(_text(path)), _text(f)) for path, f in record["referenced"]]
    converted = Converted(
        chapter=None if chapter is None else _chapter(chapter),
        errors=tuple(_diagnostic(e, warning=False) for e in record["errors"]),
        warnings=tuple(_diagnostic(w, warning=True) for w in record["warnings"]),
        links=tuple(_link(*link) for link in record["links"]),
        ids=tuple((_text(name), frozenset(map(_text, ids))) for name, ids in record["ids"]),
        aliases=tuple(
            (_text(name), tuple((_text(alias), _text(target)) for alias, target in pairs))
            for name, pairs in record["aliases"]
        ),
        images=tuple(Resource(_text(href), _text(kind), b"") for href, kind in record["images"]),
        referenced=tuple(path for path, _ in referenced),
        downloaded=False,
    )
    return Kept(converted, tuple(f for _, f in referenced))


def _chapter(fields: dict[str, Any]) -> Chapter:
    return Chapter(
        id=_text(fields["id"]),
        part=Part(fields["part"]),
        number=_line(fields["number"]),
        title=_text(fields["title"]),
        title_html=_text(fields["title_html"]),
        body=_text(fields["body"]),
        source=_text(fields["source"]),
        file_name=_text(fields["file_name"]),
        epigraph=_optional(fields["epigraph"]),
        epigraph_source=_optional(fields["epigraph_source"]),
        lines=tuple((_number(n), _number(line)) for n, line in fields["lines"]),
    )


def _diagnostic(fields: list[Any], *, warning: bool) -> Diagnostic:
    path, message, line, code, column = fields
    if is_error(_text(code)) == warning:
        raise TypeError(f"{code} in the wrong list")
    return Diagnostic(_text(path), _text(message), _line(line), code=code, column=_line(column))


def _link(target: Any, fragment: Any, where: Any, line: Any, href: Any, column: Any) -> Link:
    return Link(
        _text(target), _text(fragment), _text(where), _line(line), _text(href), _line(column)
    )


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"text expected, not {value!r}")
    return value


def _optional(value: Any) -> str | None:
    return None if value is None else _text(value)


def _number(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"a number expected, not {value!r}")
    return value


def _line(value: Any) -> int | None:
    return None if value is None else _number(value)
