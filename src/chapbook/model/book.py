"""The book in memory: plain, immutable data that every writer reads and none changes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from chapbook.diagnostics import Diagnostic

PT_PER_MM = 72 / 25.4
"""PDF points per millimetre."""
FONT_FOLDER = "styles/fonts/"
"""Where the book's fonts live inside the book; stylesheets refer to them as `fonts/...`."""


class Part(StrEnum):
    """Where a chapter stands in the book."""

    FRONT = "front"
    CHAPTER = "chapter"
    BACK = "back"


@dataclass(frozen=True)
class Resource:
    """A file the outputs carry: an image, a font. `href` is its path inside the book."""

    href: str
    media_type: str
    data: bytes


@dataclass(frozen=True)
class Chapter:
    """One manuscript file, rendered.

    `body` is an XHTML fragment without the chapter title. Its links to other chapters
    point at `<other file_name>#id`, its images at the `href` of a `Resource`, and its
    ids are unique within the chapter only.
    """

    id: str
    part: Part
    number: int | None
    title: str
    title_html: str
    body: str
    source: str
    file_name: str
    epigraph: str | None = None
    """Inline XHTML of the chapter's epigraph (front matter `epigraph`), if any."""
    epigraph_source: str | None = None
    lines: tuple[tuple[int, int], ...] = ()
    """Where the chapter's blocks begin in its file, for proofs: (n, line) for the n-th
    element of `body` in document order (from 0), TITLE_LINE for the title and
    EPIGRAPH_LINE for the epigraph; `line` counts from 1, front matter included."""


TITLE_LINE = -1
EPIGRAPH_LINE = -2


@dataclass(frozen=True)
class Metadata:
    title: str
    subtitle: str | None
    authors: tuple[str, ...]
    language: str
    identifier: str
    isbn: str | None
    publisher: str | None
    date: date | None
    rights: str | None
    edition: str | None
    description: str | None
    subjects: tuple[str, ...]
    modified: datetime
    """The build's timestamp (UTC): SOURCE_DATE_EPOCH, else `date`, else a fixed epoch."""


@dataclass(frozen=True)
class PageSize:
    name: str
    width_mm: float
    height_mm: float


@dataclass(frozen=True)
class Margins:
    """Page margins in mm; `inside` is the gutter, mirrored on left and right pages."""

    top: float
    bottom: float
    inside: float
    outside: float


SHEETS = {
    "a3": PageSize("A3", 297, 420),
    "a4": PageSize("A4", 210, 297),
    "a5": PageSize("A5", 148, 210),
    "letter": PageSize("letter", 215.9, 279.4),
    "legal": PageSize("legal", 215.9, 355.6),
    "tabloid": PageSize("tabloid", 279.4, 431.8),
}
"""Paper sizes a booklet is printed on (portrait; the booklet lays them landscape)."""


PAPER_MM_PER_PAGE = {"white": 0.0572, "cream": 0.0635}
"""Thickness of one page (half a leaf) of common book papers, for the spine and for creep."""


@dataclass(frozen=True)
class PrintSettings:
    """How the print PDF is made: `[print]` in book.toml, every default filled in."""

    trim: PageSize
    margins: Margins
    bleed_mm: float = 0.0
    marks: bool = False
    variant: str | None = None
    """A WeasyPrint PDF variant ('pdf/x-4', 'pdf/a-2b', ...), None for a plain PDF."""
    output_condition: str = "FOGRA39"
    """The registered printing condition a PDF/X file is made for."""
    paper_mm: float = PAPER_MM_PER_PAGE["white"]
    opening: str = "small-caps"
    """How a chapter's first paragraph opens: 'small-caps', 'drop-cap' or 'plain'."""
    half_title: bool = True
    isbn: str | None = None
    """The print edition's own ISBN, when it has one apart from the book's."""
    proof: str | None = None
    """The date of a proof (writers/proof.py), made instead of the print PDF by `--proof`
    (never set by book.toml); None for the print PDF."""


@dataclass(frozen=True)
class EpubSettings:
    """How the EPUB is made: `[epub]` in book.toml."""

    embed_fonts: bool = False
    """Embed the book's typeface, subset to the characters the book uses."""
    accessibility_summary: str | None = None
    """The accessibility summary, in the author's words; None to describe the EPUB as built."""


@dataclass(frozen=True)
class BookletSettings:
    """How the booklet is imposed: `[booklet]` in book.toml, overridden by command flags."""

    sheet: PageSize | None = None
    """None: the smallest standard sheet that holds two pages side by side."""
    signature: int | None = None
    """Pages per folded gathering (a multiple of 4); None: one up to 40 pages, else 16."""
    duplex: str = "short-edge"
    """'short-edge', 'long-edge' or 'manual' (fronts and backs as two files)."""
    creep_mm: float | None = None
    """Total shift of the innermost pages; None: from the paper's thickness."""
    marks: bool = False
    fit: bool = False
    """Scale pages down to the sheet when they don't fit (otherwise that is an error)."""


@dataclass(frozen=True)
class Styles:
    """Stylesheet texts. Their `url()`s are relative to `styles/` inside the book."""

    base: str
    epub: str
    print: str
    cover: str
    fonts: str
    """The typeface's `@font-face` rules."""
    fallbacks: str = ""
    """The print fonts' fallback faces for other scripts, Han and symbols (custom properties
    that the print and cover stylesheets name in their `font-family`)."""


@dataclass(frozen=True)
class Book:
    metadata: Metadata
    chapters: tuple[Chapter, ...]
    resources: tuple[Resource, ...]
    """Images under their manuscript-relative path, fonts under `styles/`."""
    cover: Resource | None
    """The author's cover image, also listed in `resources`; None to generate one."""
    print: PrintSettings
    booklet: BookletSettings
    styles: Styles
    slug: str
    epub: EpubSettings = field(default_factory=EpubSettings)
    warnings: tuple[Diagnostic, ...] = ()
    """What the reader found worth telling the author that does not stop the build."""

    @property
    def body_start(self) -> Chapter | None:
        """The first chapter after the front matter: where the body (and page 1) begins."""
        return next((c for c in self.chapters if c.part is not Part.FRONT), None)
