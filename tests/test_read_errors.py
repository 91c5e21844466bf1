"""Bad input (issue 8): each broken book (one per case, in tests/books/errors/) is refused with
exactly its errors, each `path:line: message`, exit status 1 and no traceback; the odd but
valid ones (a BOM and CR LF line ends, a stylesheet with a slip, an image named by a
stylesheet) build."""

from __future__ import annotations

import shutil
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pypdf
import pytest
from PIL import Image, ImageFile
from warm_epubcheck import epubcheck_messages

from chapbook.diagnostics import BookErrors
from chapbook.read.files import url_problem
from chapbook.read.manuscript import read_book

ROOT = Path(__file__).resolve().parent.parent
ERRORS = "tests/books/errors"
LENGTH = "a length such as '3mm', '0.125in' or a number of mm"
SELF_CONTAINED = "an SVG image must hold all it shows"
NO_CODE = "an SVG image of a book must not run code"
REMOTE = "nothing is downloaded unless [build] allow-remote = true"
OBSOLETE = "is obsolete HTML, which EPUB does not allow: use "
NESTED = "lists, quotes and HTML elements nested {} levels deep (limit 32)"
UNUSABLE = ", which a book can't use: put the file in the book and name it by its path"

CASES: dict[str, list[str]] = {
    "missing-book-toml": ["book.toml: not found: a book is a folder that holds its book.toml"],
    "broken-toml": ["book.toml:4: TOML syntax error: Unclosed array at the end of the file"],
    "unknown-key": ["book.toml:4: 'auther' is not a [book] key; did you mean 'authors'?"],
    "wrong-type": [
        "book.toml:4: [book] 'authors' must be a list of strings",
        f"book.toml:8: [print] 'bleed' must be {LENGTH}",
        "book.toml:12: [booklet] 'marks' must be true or false",
        "book.toml:15: [build] 'allow-remote' must be true or false",
    ],
    "control-character-toml": [
        "book.toml:3: [book] 'subtitle' holds control character U+0007, not allowed in text"
    ],
    "missing-chapter": ["book.toml:8: chapter file 'chapters/02-gone.md' not found"],
    "listed-twice": ["book.toml:9: 'chapters/01-one.md' is listed twice"],
    "invalid-utf8": ["chapters/01-one.md:5: not valid UTF-8 (byte 25)"],
    "control-character": ["chapters/01-one.md:3: control character U+000C is not allowed in text"],
    "crlf-missing-image": ["chapters/01-lines.md:5: image 'gone.png' not found"],
    "broken-front-matter": [
        "chapters/01-one.md:3: front matter is not valid YAML: mapping values are not allowed here"
    ],
    "missing-image": ["chapters/01-maps.md:7: image 'map.png' not found"],
    "bad-images": [
        "chapters/01-pictures.md:3: image '../images/broken.png' is not a readable image",
        "chapters/01-pictures.md:5: image '../images/photo.png' is not a PNG image "
        "(its bytes are JPEG)",
        "chapters/01-pictures.md:7: image '../images/old.bmp' is not of a known type "
        "(.gif, .jpeg, .jpg, .png, .svg, .webp)",
    ],
    "remote-image": [
        "chapters/01-one.md:3: image 'https://example.com/photo.jpg' is not a file of the book "
        f"({REMOTE})"
    ],
    "unsafe-svg": [
        "chapters/01-drawings.md:3: image '../images/file-image.svg' refers to "
        f"'file:///etc/passwd': {SELF_CONTAINED}",
        "chapters/01-drawings.md:5: image '../images/remote-image.svg' refers to "
        f"'http://example.com/x.png': {SELF_CONTAINED}",
        "chapters/01-drawings.md:7: image '../images/use-other.svg' refers to "
        f"'other.svg#shape': {SELF_CONTAINED}",
        f"chapters/01-drawings.md:9: image '../images/script.svg' has a script: {NO_CODE}",
        "chapters/01-drawings.md:11: image '../images/onload.svg' has an event handler "
        f"'onload': {NO_CODE}",
        "chapters/01-drawings.md:13: image '../images/entity.svg' declares XML entities: "
        f"{SELF_CONTAINED}",
        "chapters/01-drawings.md:15: image '../images/style-import.svg' has an @import: "
        f"{SELF_CONTAINED}",
        "chapters/01-drawings.md:19: image '../images/nested.svg' refers to "
        f"'data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy5...': {SELF_CONTAINED}",
        "chapters/01-drawings.md:21: image '../images/animate.svg' animates its 'href': "
        f"{SELF_CONTAINED}",
        "chapters/01-drawings.md:23: image '../images/foreign-object.svg' refers to "
        f"'file:///etc/passwd': {SELF_CONTAINED}",
    ],
    "obsolete-html": [
        f"chapters/01-pasted.md:3: <center> {OBSOLETE}a <div> or <p> with a class "
        "(text-align: center in the stylesheet)",
        f"chapters/01-pasted.md:5: <font> {OBSOLETE}a <span> with a class, styled in the "
        "stylesheet",
        f"chapters/01-pasted.md:5: <tt> {OBSOLETE}<code> or a `code span`",
        f"chapters/01-pasted.md:5: <strike> {OBSOLETE}<s>, or <del> for a deletion",
        f"chapters/01-pasted.md:7: <center> {OBSOLETE}a <div> or <p> with a class "
        "(text-align: center in the stylesheet)",
        f'chapters/01-pasted.md:9: valign="…" on <p> {OBSOLETE}vertical-align in the stylesheet',
        f'chapters/01-pasted.md:9: align="…" on <p> {OBSOLETE}text-align or float in the '
        "stylesheet",
        f'chapters/01-pasted.md:9: name="…" on <a> {OBSOLETE}an id',
        f'chapters/01-pasted.md:11: width="…" on <table> {OBSOLETE}width in the stylesheet',
        f'chapters/01-pasted.md:11: bgcolor="…" on <td> {OBSOLETE}background-color in the '
        "stylesheet",
    ],
    "blank-title": ["chapters/01-one.md:2: front matter 'title' is empty"],
    "bad-font": ["styles/fonts/fake.ttf: not a font file"],
    "css-import": [
        "styles/print.css:2: @import 'extra.css' is not allowed: put its rules in the stylesheet"
    ],
    "css-urls": [
        "styles/print.css:2: '/usr/share/fonts/a.ttf' is outside the book",
        "styles/print.css:3: '../../../secret.png' is outside the book",
        f"styles/print.css:4: 'https://example.com/bg.png' is remote ({REMOTE})",
        "styles/print.css:5: 'file:///etc/passwd' is outside the book",
        f"styles/print.css:6: 'data:image/png;base64,iVBORw0KGgo=' is a data: URL{UNUSABLE}",
        "styles/print.css:7: '../images/gone.png' not found",
        "styles/print.css:8: 'fonts/none.woff2' not found",
    ],
    "cover-outside-the-book": ["book.toml:4: cover '/etc/hostname' is outside the book"],
    "data-url-font": [
        "styles/epub.css:2: 'data:font/woff2;base64,d09GMgABAAAAAAnUAA0AAAAAEzQAAAl9AA...' "
        f"is a data: URL{UNUSABLE}"
    ],
    "url-schemes": [
        "chapters/01-one.md:3: image 'data:image/png;base64,iVBORw0KGgo=' "
        f"is a data: URL{UNUSABLE}",
        f"chapters/01-one.md:5: image 'ftp://example.com/map.png' has the scheme 'ftp:'{UNUSABLE}",
        "chapters/01-one.md:7: image '//example.com/map.png' names a host ('example.com') "
        f"without a scheme{UNUSABLE}",
        f"styles/epub.css:2: 'gopher://example.com/bg.png' has the scheme 'gopher:'{UNUSABLE}",
        f"styles/epub.css:3: '//example.com/bg.png' names a host ('example.com') without a scheme"
        f"{UNUSABLE}",
    ],
    "list-nested-33-levels": [f"chapters/01-deep.md:37: {NESTED.format(33)}"],
    "quotes-nested-20000-levels": [f"chapters/01-deep.md:5: {NESTED.format('20,000')}"],
    "html-nested-1000-levels": [f"chapters/01-deep.md:5: {NESTED.format('1,000')}"],
    "lists-in-quotes-nested-48-levels": [f"chapters/01-deep.md:28: {NESTED.format(48)}"],
    "epigraph-nested-40-levels": [f"chapters/01-deep.md:2: {NESTED.format(40)}"],
}
"""Each broken book (a folder of tests/books/errors/), with its errors."""


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(ROOT / "build.py"), *args]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)


def refused(result: subprocess.CompletedProcess[str], out: Path) -> list[str]:
    """The errors of a build that failed as it should: exit 1, no traceback, no output,
    the count last."""
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 1, result.stderr
    assert not list(out.glob("*.epub")) and not list(out.glob("*.pdf"))
    *errors, count = result.stderr.splitlines()
    assert count == f"build failed: {len(errors)} error{'s' if len(errors) != 1 else ''}"
    return errors


@pytest.mark.parametrize(("case", "messages"), list(CASES.items()), ids=list(CASES))
def test_a_broken_book_is_refused_with_exactly_its_errors(
    case: str, messages: list[str], tmp_path: Path
) -> None:
    result = run("-m", f"{ERRORS}/{case}", "-o", str(tmp_path), "epub")
    assert refused(result, tmp_path) == [f"{ERRORS}/{case}/{message}" for message in messages]


def test_a_bom_and_crlf_line_ends_are_read_as_plain_text(tmp_path: Path) -> None:
    result = run("-m", f"{ERRORS}/bom-crlf", "-o", str(tmp_path), "epub")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    with zipfile.ZipFile(tmp_path / "bom-and-crlf.epub") as epub:
        chapter = epub.read("EPUB/chapter-01-windows.xhtml").decode()
        opf = epub.read("EPUB/content.opf").decode()
    assert ">BOM and CRLF</dc:title>" in opf
    assert "Windows Lines" in chapter and "Lines end in CR LF." in chapter
    assert "<p>The first paragraph\ngoes on here.</p>" in chapter
    assert 'class="scene-break"' in chapter
    assert "\r" not in chapter and "\ufeff" not in chapter


def test_a_stylesheet_syntax_error_is_a_warning_with_its_line(tmp_path: Path) -> None:
    result = run("-m", f"{ERRORS}/css-syntax", "-o", str(tmp_path), "epub")
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [
        f"{ERRORS}/css-syntax/styles/print.css:3: warning: "
        "CSS syntax error: Expected ':' after declaration name"
    ]


def test_the_default_stylesheets_have_no_syntax_error() -> None:
    assert read_book(ROOT / "manuscript").warnings == ()


def test_an_image_named_only_by_a_stylesheet_is_carried_by_both_outputs(tmp_path: Path) -> None:
    result = run("-m", f"{ERRORS}/css-image", "-o", str(tmp_path), "epub", "pdf")
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(tmp_path / "css-image.epub") as epub:
        assert "EPUB/images/ornament.png" in epub.namelist()
        assert "url(../images/ornament.png)" in epub.read("EPUB/styles/book.css").decode()
    pdf = pypdf.PdfReader(tmp_path / "css-image.pdf")
    assert any(page.images for page in pdf.pages)


def blank_png(path: Path, width: int, height: int) -> None:
    """A blank PNG of that size: small on disk, whatever its pixels."""
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("1", (width, height)).save(path)


def header_only_png(path: Path, width: int, height: int) -> None:
    """A PNG whose header says `width` x `height` and whose pixel data is garbage: only a
    reader that decodes it can tell."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    data = chunk(b"IHDR", header) + chunk(b"IDAT", b"garbage") + chunk(b"IEND", b"")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + data)


def small_book(folder: Path, chapter: str) -> Path:
    (folder / "chapters").mkdir(parents=True)
    (folder / "book.toml").write_text('[book]\ntitle = "Test"\nlanguage = "en"\n')
    (folder / "chapters" / "01-one.md").write_text(chapter)
    return folder


def test_a_huge_image_is_refused_from_its_header_before_anything_decodes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    book = small_book(
        tmp_path / "book",
        "# One\n\n![Large](../images/large.png)\n\n![Huger](../images/huger.png)\n\n"
        "![Huge](../images/huge.png)\n",
    )
    blank_png(book / "images" / "large.png", 8000, 6000)  # 48 megapixels: accepted
    blank_png(book / "images" / "huge.png", 8000, 7000)  # 56 megapixels
    header_only_png(book / "images" / "huger.png", 100_000, 100_000)

    expected = [
        "book/chapters/01-one.md:5: image '../images/huger.png' is too large: over 50 megapixels",
        "book/chapters/01-one.md:7: image '../images/huge.png' is too large: "
        "8000 x 7000 pixels, over 50 megapixels",
    ]
    result = run("-m", "book", "-o", str(tmp_path / "out"), "epub", cwd=tmp_path)
    assert refused(result, tmp_path / "out") == expected

    def no_decoding(image: ImageFile.ImageFile) -> None:
        raise AssertionError(f"an image of {image.size} was decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(BookErrors) as failure:
        read_book(Path("book"))
    assert [str(error) for error in failure.value.errors] == expected


def test_names_the_system_refuses_are_files_not_found(tmp_path: Path) -> None:
    long = "a" * 300
    book = small_book(
        tmp_path / "book",
        f"# One\n\n![A NUL](x%00y.png)\n\n![A long name]({long}.png)\n\n[A link](%00.md)\n",
    )
    (book / "chapters" / "02-folder.md").mkdir()
    result = run("-m", "book", "-o", str(tmp_path / "out"), "epub", cwd=tmp_path)
    assert refused(result, tmp_path / "out") == [
        "book/chapters: '02-folder.md' is not a file",
        "book/chapters/01-one.md:3: image 'x%00y.png' not found",
        f"book/chapters/01-one.md:5: image '{long}.png' not found",
        "book/chapters/01-one.md:7: link to '%00.md', which is not a chapter of the book",
    ]


ODD_BUT_VALID: dict[str, dict[str, str]] = {
    "tangled-emphasis": {"01-one.md": "# One\n\nword word *0**0*&0; and *a**b*c.\n"},
    "comment-with-dashes": {
        "01-one.md": "# One <!-- a -- b -->\n\nBefore <!-- x -- y --> after.\n\n"
        "<!-- the author's -- note -->\n\nThe end.\n"
    },
    "wbr": {"01-one.md": "# One\n\nSuper<wbr>cali<wbr>fragilistic and more.\n"},
    "title-id": {
        "01-one.md": "# One {#start}\n\nThe text. [Back to the start](#start).\n",
        "02-two.md": "# Two {#two}\n\n## Two {#two}\n\n[See one](01-one.md#start).\n",
    },
    "encoded-anchor": {
        "01-one.md": "# One\n\n[Café](02-two.md#caf%C3%A9), [naïve](#na%C3%AFve).\n\n## Naïve\n",
        "02-two.md": "# Two\n\n## Café\n",
    },
}
"""Raw HTML and Markdown that tripped the reader (found by the fuzz test), each as a book."""

KEPT_TEXT = {
    "tangled-emphasis": ["<p>word word *0**0*&amp;0; and *a**b*c.</p>"],
    "comment-with-dashes": ['<h1 class="chapter-title">One</h1>', "<p>Before  after.</p>"],
    "wbr": ["<p>Super<wbr/>cali<wbr/>fragilistic and more.</p>"],
    "title-id": [
        '<h1 class="chapter-title">One</h1>',
        '<p id="start">The text. <a href="#start">Back to the start</a>.</p>',
        '<div id="two"/>\n<h2 id="two-2">Two</h2>',
        '<a href="chapter-01-one.xhtml#start">See one</a>',
    ],
    "encoded-anchor": [
        '<a href="chapter-02-two.xhtml#caf%C3%A9">Café</a>',
        '<a href="#na%C3%AFve">naïve</a>',
        '<h2 id="café">Café</h2>',
    ],
}


@pytest.mark.skipif(shutil.which("java") is None, reason="EPUBCheck needs a Java runtime")
@pytest.mark.parametrize("case", list(ODD_BUT_VALID), ids=list(ODD_BUT_VALID))
def test_odd_markup_builds_an_epub_that_epubcheck_passes(case: str, tmp_path: Path) -> None:
    book = tmp_path / "book"
    (book / "chapters").mkdir(parents=True)
    (book / "book.toml").write_text('[book]\ntitle = "Test"\nlanguage = "en"\n')
    for name, text in ODD_BUT_VALID[case].items():
        (book / "chapters" / name).write_text(text, encoding="utf-8")
    result = run("-m", "book", "-o", "out", "epub", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    epub = tmp_path / "out" / "test.epub"
    with zipfile.ZipFile(epub) as archive:
        chapters = "".join(
            archive.read(name).decode() for name in sorted(archive.namelist()) if "chapter-" in name
        )
    for expected in KEPT_TEXT[case]:
        assert expected in chapters
    for leftover in ("klzzwxh", "\x02", "\x03", "<!--", "{#"):
        assert leftover not in chapters
    assert epubcheck_messages(epub) == []


def test_a_file_url_into_the_book_is_told_to_be_a_path(tmp_path: Path) -> None:
    book = tmp_path / "book"
    (book / "images").mkdir(parents=True)
    (book / "images" / "map.png").write_bytes(b"")
    assert url_problem(f"file://{book}/images/map.png", book) == (
        "is a file: URL: name the file by its path relative to this file instead"
    )
    assert url_problem(f"file://{tmp_path}/secret.png", book) == "is outside the book"
    assert url_problem("file://server/share/map.png", book) == f"has the scheme 'file:'{UNUSABLE}"


def test_a_print_pdf_that_preflight_faults_is_not_written(tmp_path: Path) -> None:
    """Exit 0 promises a PDF a printer accepts: text the trim would cut off fails the build,
    and no PDF (nor anything else) is written."""
    result = run("-m", f"{ERRORS}/print-past-the-trim", "-o", str(tmp_path), "epub", "pdf")
    assert refused(result, tmp_path) == [
        f"{tmp_path}/past-the-trim.pdf: the print PDF was not written: preflight: text outside "
        "the trim box (cut off when trimmed) on pages 4, 7: up to 25.0 mm past the left edge"
    ]
