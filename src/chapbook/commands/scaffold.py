"""The author's loop, its writing side: `chapbook init DIR` starts a book that builds at once,
`chapbook new "Title"` adds the next numbered chapter and lists it in book.toml, edited with
tomlkit so that its comments and layout stay as the author left them."""

from __future__ import annotations

import json
import os
import re
import tomllib
from datetime import date
from pathlib import Path, PurePosixPath

import tomlkit
import yaml
from tomlkit.exceptions import TOMLKitError
from tomlkit.items import Array, InlineTable, Table

from chapbook.config import template
from chapbook.config.load import Config, load_config
from chapbook.config.options import Value
from chapbook.config.values import NOT_XML
from chapbook.diagnostics import BookErrors, Diagnostic
from chapbook.read.chapter import FRONT_MATTER, key_line
from chapbook.read.files import inside, is_file, shown
from chapbook.read.manuscript import slugify
from chapbook.read.markdown.fences import fenced_lines
from chapbook.read.styles import DEFAULT_STYLES

FIRST_CHAPTER = "chapters/01-first-chapter.md"
OWN_STYLES = ("print.css", "epub.css")
"""The stylesheets `init` gives a book of its own: copies of the defaults to change."""
SLUG_LENGTH = 50
"""New chapter files are named from at most this many characters of the title's slug."""
NUMBERED = re.compile(r"^(\d+)")
PLACEHOLDER = "Write this chapter here.\n"
"""A new chapter's text: a chapter may not be empty, and the book must still build."""
TITLE_HEADING = re.compile(r"^#[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$")
"""A `# Title` line (a closing run of `#` is no part of the title)."""

FIRST_CHAPTER_TEXT = """\
---
title: "The First Chapter"
epigraph: "Every book begins with a single sentence."
epigraph-source: "*An Old Saying*"
---

This is the first chapter of your book. Write each chapter in its own Markdown file in
`chapters/`; they are read in the order of their file names. Words between single asterisks
are in *italics*, between two in **bold**. "Straight quotes" become curly ones, in the
book's language.[^1]

A blank line starts a new paragraph. In print, its first line is indented.

* * *

A line of three asterisks is a scene break: an ornament in print, never alone at the top or
the foot of a page.

## A Section

A heading of two hashes starts a section; it appears in the PDF's bookmarks. To add the next
chapter, run `chapbook new "The Next Chapter"` beside the `manuscript` folder.

[^1]: A footnote: at the foot of its page in print, at the end of the chapter in the EPUB.
"""

STYLE_HEADER = """\
/* This book's own {name}. Chapbook uses it instead of its default {name}, of which it is a
   copy made by `chapbook init`: change what you like, or delete the file to go back to the
   default. Chapbook's other stylesheets (base.css, shared by the EPUB and the PDF, fonts.css
   and fallbacks.css) still apply; a file of the same name here would replace them too.{note} */

"""
STYLE_NOTES = {
    "print.css": "\n   The page size, margins, bleed and marks come from book.toml's [print].",
    "epub.css": "",
}

GITIGNORE = "dist/\n.chapbook-cache/\n"


def init_book(folder: Path) -> list[Path]:
    """Start a book in `folder` (missing or empty): book.toml, a first chapter, the book's own
    styles and a .gitignore. The files written, in order; BookErrors if `folder` is taken."""
    if folder.exists() and not folder.is_dir():
        raise BookErrors([Diagnostic(shown(folder), "already exists and is not a folder")])
    if folder.is_dir() and any(folder.iterdir()):
        raise BookErrors([Diagnostic(shown(folder), "already exists and is not empty")])
    files = {
        Path("manuscript/book.toml"): book_toml(book_title(folder), date.today()),
        Path("manuscript", FIRST_CHAPTER): FIRST_CHAPTER_TEXT,
        **{Path("styles", name): own_stylesheet(name) for name in OWN_STYLES},
        Path(".gitignore"): GITIGNORE,
    }
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return [folder / name for name in files]


def book_title(folder: Path) -> str:
    """A title from the folder's name: 'my-first_novel' -> 'My First Novel'."""
    words = re.split(r"[-_\s]+", Path(os.path.abspath(folder)).name)
    return " ".join(word[:1].upper() + word[1:] for word in words if word) or "Untitled"


def book_toml(title: str, today: date) -> str:
    """A book.toml with every key Chapbook knows, the optional ones commented out."""
    values: dict[str, Value] = {
        "book.title": title,
        "book.language": "en",
        "book.date": today.isoformat(),
    }
    return template.book_toml(values, {"contents.chapters": (FIRST_CHAPTER,)})


def own_stylesheet(name: str) -> str:
    """The default stylesheet `name`, under a comment saying what the book's own copy does."""
    default = (DEFAULT_STYLES / name).read_text(encoding="utf-8")
    return STYLE_HEADER.format(name=name, note=STYLE_NOTES[name]) + default


def new_chapter(manuscript: Path, title: str) -> tuple[Path, bool]:
    """Add the next numbered chapter, `chapters/NN-slug.md`, titled `title`, and list it in
    `[contents] chapters` if book.toml lists the chapters. The new file, and whether
    book.toml was changed; BookErrors (and nothing written) if it can't be done."""
    check_title(manuscript, title)
    toml_path = manuscript / "book.toml"
    config = load_config(toml_path, shown(toml_path))
    title = " ".join(title.split())
    check_title_is_new(manuscript, config, title)
    name = f"chapters/{chapter_number(manuscript, config)}-{file_slug(title)}.md"
    path = manuscript / name
    lists = config.contents is not None and config.contents.chapters is not None
    edited = listed(config, name) if lists else None
    if lists and edited is None:
        message = f"can't find [contents] chapters to add '{name}' to; add it there yourself"
        raise BookErrors([Diagnostic(shown(toml_path), message)])
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8") as file:
            file.write(f"---\ntitle: {json.dumps(title, ensure_ascii=False)}\n---\n\n")
            file.write(PLACEHOLDER)
    except FileExistsError:
        raise BookErrors([Diagnostic(shown(path), "already exists")]) from None
    if edited is not None:
        write_keeping_encoding(toml_path, edited)
    return path, edited is not None


def check_title(manuscript: Path, title: str) -> None:
    """A chapter's title must be a line of text."""
    problem = None
    if not title.strip():
        problem = "a new chapter needs a title"
    elif "\n" in title or "\r" in title or NOT_XML.search(title):
        problem = "a chapter's title must be one line of text, without control characters"
    if problem is not None:
        raise BookErrors([Diagnostic(shown(manuscript), problem)])


def check_title_is_new(manuscript: Path, config: Config, title: str) -> None:
    """A new chapter may not have the title of one the book has (told at that chapter's
    title): two chapters of one name in the contents help no reader."""
    wanted = same_title(title)
    for path in chapter_files(manuscript, config):
        found = written_title(path)
        if found is not None and same_title(found[0]) == wanted:
            message = (
                f"a chapter titled '{found[0]}' is here already: give the new one another title"
            )
            raise BookErrors([Diagnostic(shown(path), message, found[1])])


def same_title(title: str) -> str:
    """A title as another is compared with it: its letters and digits, case left aside."""
    return "".join(char for char in title.casefold() if char.isalnum())


def chapter_files(manuscript: Path, config: Config) -> list[Path]:
    """The book's chapter files: chapters/*.md, and those `[contents]` lists."""
    listed: list[str] = []
    if config.contents is not None:
        contents = config.contents
        listed = [*contents.front, *(contents.chapters or ()), *contents.back]
    found = [*sorted((manuscript / "chapters").glob("*.md")), *(manuscript / n for n in listed)]
    root = manuscript.resolve()
    return [path for path in dict.fromkeys(found) if is_file(path) and inside(path, root)]


def written_title(path: Path) -> tuple[str, int] | None:
    """The title a chapter file gives itself, and its line: front matter's `title`, else its
    first `# ` heading outside code blocks; None if it has none that reads."""
    try:
        text = path.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
    except (OSError, UnicodeDecodeError):
        return None
    front = FRONT_MATTER.match(text)
    if front is not None:
        try:
            meta = yaml.safe_load(front.group(1) or "")
        except yaml.YAMLError:
            meta = None
        if isinstance(meta, dict) and isinstance(meta.get("title"), str):
            return " ".join(meta["title"].split()), key_line(text, "title") or 1
    lines = text.split("\n")
    fenced = {n for start, end in fenced_lines(text).items() for n in range(start, end)}
    for number, line in enumerate(lines):
        heading = TITLE_HEADING.match(line)
        if heading is not None and number not in fenced:
            return " ".join(heading[1].split()), number + 1
    return None


def chapter_number(manuscript: Path, config: Config) -> str:
    """One more than the highest number that begins a chapter's file name (in chapters/ or
    listed in book.toml), as wide as that number was written: 09 -> 10, 7 -> 8."""
    names = [path.name for path in (manuscript / "chapters").glob("*.md") if path.is_file()]
    if config.contents is not None:
        names += [PurePosixPath(name).name for name in config.contents.chapters or ()]
    numbers = [(int(match[1]), len(match[1])) for n in names if (match := NUMBERED.match(n))]
    number, width = max(numbers, default=(0, 2))
    return f"{number + 1:0{width}d}"


def file_slug(title: str) -> str:
    """The title's slug, cut at a hyphen to at most SLUG_LENGTH characters."""
    slug = slugify(title) or "chapter"
    if len(slug) > SLUG_LENGTH:
        slug = slug[: SLUG_LENGTH + 1].rsplit("-", 1)[0] or slug[:SLUG_LENGTH]
    return slug


def listed(config: Config, name: str) -> str | None:
    """book.toml's text with `name` added at the end of `[contents] chapters`, its comments
    and layout kept; None if it can't be placed there for sure."""
    try:
        document = tomlkit.parse(config.text)
        contents = document.get("contents")
        chapters = contents.get("chapters") if isinstance(contents, Table | InlineTable) else None
        if not isinstance(chapters, Array):
            return None
        chapters.append(name)
        edited = document.as_string()
    except TOMLKitError:
        return None
    return edited if adds_only(config.text, edited, name) else None


def adds_only(text: str, edited: str, name: str) -> bool:
    """Whether the edited book.toml means the same as the old one but for `name` at the end
    of `[contents] chapters`."""
    try:
        before, after = tomllib.loads(text), tomllib.loads(edited)
    except tomllib.TOMLDecodeError:
        return False
    contents = dict(before.get("contents", {}))
    contents["chapters"] = [*contents.get("chapters", []), name]
    return after == {**before, "contents": contents}


def write_keeping_encoding(path: Path, text: str) -> None:
    """Write book.toml's new text, with its byte order mark if it had one."""
    bom = path.read_bytes().startswith(b"\xef\xbb\xbf")
    path.write_bytes(("\ufeff" if bom else "").encode() + text.encode("utf-8"))
