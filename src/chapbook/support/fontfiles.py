"""The font files a print PDF may draw with (the book's own and the system's, through
`fc-list`), and what tells one file from another once it has been cut down to a subset.
Design: docs/architecture.md, 'Progress, templates, fonts'."""

from __future__ import annotations

import functools
import io
import subprocess
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from fontTools.ttLib import TTFont, TTLibError  # type: ignore[import-untyped]

from chapbook.model.book import Book

FONT_MEDIA = ("font/ttf", "font/otf", "font/sfnt", "application/font-sfnt")
FONT_SUFFIXES = (".ttf", ".otf", ".ttc")
LISTING = "%{file}\\t%{index}\\t%{postscriptname}\\t%{family}\\n"
"""fc-list's format: one line per face, its file, its index in the file, its PostScript
name and its families (comma-separated: the family in each language it names it in)."""
FC_LIST_SECONDS = 60
READ_ERRORS = (TTLibError, KeyError, AssertionError, ValueError, IndexError, OSError, EOFError)
"""What fontTools raises on a file that is not a font it can read."""


@dataclass(frozen=True)
class SystemFont:
    """One face fontconfig knows: the file and the index of the face in it (a collection,
    .ttc, holds several), its PostScript name and its family names."""

    path: str
    index: int
    postscript: str
    families: tuple[str, ...]


@dataclass(frozen=True)
class Identity:
    """What a subset keeps of the file it was cut from, enough to find that file again and
    to tell two files of one name apart: the PostScript name, the dates and revision in the
    `head` table, the units per em, and the kind of outlines (TrueType or CFF)."""

    postscript: str
    created: int
    modified: int
    revision: float
    units: int
    cff: bool


def identity(data: bytes, index: int = 0) -> Identity | None:
    """The identity of the font `index` in `data`; None if it is not a font fontTools reads
    or it has no PostScript name."""
    try:
        font = TTFont(io.BytesIO(data), fontNumber=index, lazy=True)
        head = font["head"]
        name = font["name"].getDebugName(6)
        return (
            Identity(
                str(name),
                int(head.created),
                int(head.modified),
                round(float(head.fontRevision), 4),
                int(head.unitsPerEm),
                "CFF " in font or "CFF2" in font,
            )
            if name
            else None
        )
    except READ_ERRORS:
        return None


def is_font_resource(href: str, media_type: str) -> bool:
    return media_type in FONT_MEDIA or href.lower().endswith(FONT_SUFFIXES)


def book_fonts(book: Book) -> dict[Identity, bytes]:
    """The book's own font files by identity."""
    found = {}
    for resource in book.resources:
        if is_font_resource(resource.href, resource.media_type):
            known = identity(resource.data)
            if known is not None:
                found[known] = resource.data
    return found


@functools.lru_cache(maxsize=1)
def system_fonts() -> tuple[SystemFont, ...]:
    """Every face fontconfig knows (none if fc-list is not there)."""
    try:
        listed = subprocess.run(
            ["fc-list", "--format", LISTING],
            capture_output=True,
            check=True,
            timeout=FC_LIST_SECONDS,
        ).stdout.decode("utf-8", "replace")
    except (OSError, subprocess.SubprocessError):
        return ()
    found = []
    for line in sorted(set(listed.splitlines())):
        path, index, postscript, families = [*line.split("\t"), "", "", ""][:4]
        if path and index.isdigit():
            names = tuple(name.replace("\\", "") for name in split_families(families))
            found.append(SystemFont(path, int(index), postscript, names))
    return tuple(found)


def split_families(families: str) -> list[str]:
    """fc-list's comma-separated family names (a comma in a name is escaped as `\\,`)."""
    names, current, escaped = [], "", False
    for char in families:
        if escaped:
            current, escaped = current + char, False
        elif char == "\\":
            escaped = True
        elif char == ",":
            names.append(current)
            current = ""
        else:
            current += char
    return [name.strip() for name in [*names, current] if name.strip()]


@functools.lru_cache(maxsize=1)
def by_postscript() -> dict[str, tuple[SystemFont, ...]]:
    """The system's faces by PostScript name."""
    found: dict[str, list[SystemFont]] = defaultdict(list)
    for face in system_fonts():
        if face.postscript:
            found[face.postscript].append(face)
    return {name: tuple(faces) for name, faces in found.items()}


@functools.lru_cache(maxsize=1)
def by_family() -> dict[str, tuple[SystemFont, ...]]:
    """The system's faces by family name, in lower case (CSS matches families so)."""
    found: dict[str, list[SystemFont]] = defaultdict(list)
    for face in system_fonts():
        for family in face.families:
            found[family.lower()].append(face)
    return {name: tuple(faces) for name, faces in found.items()}


def system_original(wanted: Identity) -> tuple[bytes, int] | None:
    """The system's file (its bytes, and the index of the face in it) whose identity is
    `wanted`: the file a subset of that identity was cut from; None if there is none."""
    for face in by_postscript().get(wanted.postscript, ()):
        try:
            data = Path(face.path).read_bytes()
        except OSError:
            continue
        if identity(data, face.index) == wanted:
            return data, face.index
    return None
