"""What reading a book gathers, and how a file of the book is loaded: the `Reader` with its
errors and warnings, texts read as UTF-8, images kept inside the book or downloaded."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from chapbook.config.load import Config
from chapbook.config.values import NOT_XML
from chapbook.diagnostics import Diagnostic
from chapbook.model.book import Resource
from chapbook.read import remote
from chapbook.read.resources import EXTENSIONS, IMAGE_TYPES, image_problem

REMOTE_HINT = "nothing is downloaded unless [build] allow-remote = true"
REMOTE_FOLDER = "remote/"
"""Where downloaded images go in the book: `remote/<sha1 of the URL>.<ext>`."""


def shown(path: Path) -> str:
    """A path as the author knows it (a symbolic link by its own name, not its target's):
    relative to the working folder when inside it."""
    absolute = Path(os.path.abspath(path))
    try:
        return str(absolute.relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


@dataclass(frozen=True)
class Link:
    """A link to an anchor, kept to be checked once every chapter's ids are known."""

    target: str
    fragment: str
    where: str
    line: int | None
    href: str
    column: int | None = None


@dataclass
class Reader:
    """Collects a book's pieces and every error met while reading them."""

    root: Path
    config: Config
    errors: list[Diagnostic] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)
    images: dict[str, Resource] = field(default_factory=dict)
    """Every file the outputs carry but the fonts, by href: images of the chapters, the
    stylesheets and the cover, downloaded images."""
    downloads: dict[str, Resource | None] = field(default_factory=dict)
    """Each remote URL asked for, with what its download gave."""
    links: list[Link] = field(default_factory=list)
    ids: dict[str, frozenset[str]] = field(default_factory=dict)
    """The ids of each chapter (by file name), as its Markdown rendered them."""
    aliases: dict[str, dict[str, str]] = field(default_factory=dict)
    """Other ids that links to each chapter (by file name) may name, each with the id it
    stands for ("" for the chapter's start): GitHub's heading ids, the title's."""
    referenced: list[Path] = field(default_factory=list)
    """Each file of the book a chapter's image names, found or not: what a cached
    conversion of the chapter depends on besides its text."""
    downloaded: bool = False
    """Whether a remote file was asked for: what the network gave is not cached."""

    def report(
        self,
        path: Path | str,
        message: str,
        line: int | None = None,
        *,
        code: str,
        column: int | None = None,
    ) -> None:
        """A problem at `path` (shown as the author knows it) and `line`: an error (the book
        won't build) or a warning (told to the author, the build goes on), as its code says."""
        where = shown(path) if isinstance(path, Path) else path
        problem = Diagnostic(where, message, line, code=code, column=column)
        (self.warnings if problem.warning else self.errors).append(problem)

    error = warn = report
    """Named for what the caller means; the code decides."""


def read_text(reader: Reader, path: Path) -> str | None:
    """A chapter's or a stylesheet's text: UTF-8 (a BOM is dropped), line ends made \\n,
    no control character that XHTML can't hold."""
    return decode_text(reader, path, path.read_bytes())


def decode_text(reader: Reader, path: Path, data: bytes) -> str | None:
    """The text of the file `path` from its bytes `data`, checked as `read_text` does."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        reader.error(path, f"not valid UTF-8 (byte {error.start})", line, code="E114")
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    bad = NOT_XML.search(text)
    if bad is not None:
        line = text.count("\n", 0, bad.start()) + 1
        message = f"control character U+{ord(bad[0]):04X} is not allowed in text"
        reader.error(path, message, line, code="E114")
        return None
    return text


def load_resource(
    reader: Reader,
    where: Path | str,
    path: Path,
    name: str,
    line: int | None,
    kind: str = "image",
    column: int | None = None,
) -> Resource | None:
    """The image at `path`, which must be a file of the manuscript, as a Resource (each
    file once); None, and an error, if it can't be one."""
    if not inside(path, reader.root):
        reader.error(where, f"{labelled(kind, name)} is outside the book", line, code="E115")
        return None
    href = real(path).relative_to(reader.root).as_posix()
    return add_file(reader, where, path, href, labelled(kind, name), line, column)


def add_file(
    reader: Reader,
    where: Path | str,
    path: Path,
    href: str,
    label: str,
    line: int | None,
    column: int | None = None,
) -> Resource | None:
    """The image at `path` (already known to be of the book) as the Resource `href`."""
    media_type = IMAGE_TYPES.get(path.suffix.lower())
    if href in reader.images:
        return reader.images[href]
    if not is_file(path):
        reader.error(where, f"{label} not found", line, code="E102", column=column)
    elif media_type is None:
        known = ", ".join(sorted(IMAGE_TYPES))
        reader.error(where, f"{label} is not of a known type ({known})", line, code="E116")
    else:
        return add_image(reader, where, Resource(href, media_type, path.read_bytes()), label, line)
    return None


def add_image(
    reader: Reader, where: Path | str, image: Resource, label: str, line: int | None
) -> Resource | None:
    """Record `image` if its bytes are what its type says, within the size allowed."""
    problem = image_problem(image.media_type, image.data)
    if problem is not None:
        reader.error(where, f"{label} {problem}", line, code="E116")
        return None
    reader.images[image.href] = image
    return image


def load_remote(
    reader: Reader, where: Path | str, url: str, line: int | None, kind: str = "image"
) -> Resource | None:
    """The image at an http(s) URL, downloaded as `remote/<sha1 of the URL>.<ext>`; each
    URL once (and told of once, if it fails)."""
    reader.downloaded = True
    if url in reader.downloads:
        return reader.downloads[url]
    reader.downloads[url] = None
    try:
        download = remote.fetch(url, EXTENSIONS)
    except remote.RemoteError as error:
        reader.error(where, f"{labelled(kind, url)} {error}", line, code="E117")
        return None
    digest = hashlib.sha1(url.encode(), usedforsecurity=False).hexdigest()
    href = f"{REMOTE_FOLDER}{digest}{EXTENSIONS[download.media_type]}"
    image = Resource(href, download.media_type, download.data)
    reader.downloads[url] = add_image(reader, where, image, labelled(kind, url), line)
    return reader.downloads[url]


def url_problem(url: str, root: Path) -> str:
    """What keeps `url`, a URL that is neither a path nor an http(s) URL, from naming a file
    of the book (whose folder is `root`), as the end of a message after the URL: the
    data: URL, the scheme or the host it has, or that it leads outside the book."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "file" and parts.netloc in ("", "localhost"):
        if inside(Path(unquote(parts.path)), root):
            return "is a file: URL: name the file by its path relative to this file instead"
        return "is outside the book"
    if scheme == "data":
        problem = "is a data: URL"
    elif scheme:
        problem = f"has the scheme '{scheme}:'"
    else:
        problem = f"names a host ('{parts.netloc}') without a scheme"
    return f"{problem}, which a book can't use: {URL_HINT}"


URL_HINT = "put the file in the book and name it by its path"
"""What a book may name instead of a URL it can't use."""


def labelled(kind: str, name: str) -> str:
    """How a message names a file: `image 'x.png'`, or only `'x.png'` when of no kind."""
    return f"{kind} '{name}'" if kind else f"'{name}'"


def fingerprint(path: Path, root: Path) -> tuple[str, bytes | None]:
    """What a conversion that named the file `path` depends on: where it is, links followed,
    and its bytes' digest (or that it is no file of the book); with the bytes, if read.
    A file outside the book is not read."""
    where = real(path)
    if not where.is_relative_to(root) or not is_file(where):
        return f"{where} -", None
    try:
        data = where.read_bytes()
    except OSError:
        return f"{where} ?", None
    return f"{where} {hashlib.sha256(data).hexdigest()}", data


def real(path: Path) -> Path:
    """Where `path` is, links followed; a loop of links is left as it is (and found to be
    no file)."""
    try:
        return path.resolve()
    except (RuntimeError, OSError, ValueError):  # a loop (RuntimeError before 3.13), a NUL
        return Path(os.path.abspath(path))


def is_file(path: Path) -> bool:
    """Whether `path` is a file (links followed); False for a name the system refuses (too
    long, holding a NUL) rather than an exception."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def inside(path: Path, root: Path) -> bool:
    """Whether `path`, links followed, is inside the (resolved) folder `root`."""
    return real(path).is_relative_to(root)
