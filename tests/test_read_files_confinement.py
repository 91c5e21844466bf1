"""Building a book reads only the book (issue 8): a hostile book (tests/books/hostile/) that
tries every way out of its folder toward a secret beside it is refused, one error for each
escape, and nothing of the secret reaches an output; with `[build] allow-remote = true` an
image given as an http(s) URL is downloaded, within a timeout and a size limit."""

from __future__ import annotations

import base64
import hashlib
import http.server
import io
import shutil
import subprocess
import sys
import threading
import time
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pypdf
import pytest
from PIL import Image, PngImagePlugin

from chapbook.diagnostics import BookErrors
from chapbook.pipeline import build
from chapbook.read import remote
from chapbook.read.manuscript import read_book

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = Path(__file__).resolve().parent / "books" / "hostile"
FONT = ROOT / "src" / "chapbook" / "styles" / "fonts" / "EBGaramond12-Regular.ttf"
TOKEN = f"CHAPBOOK-SECRET-{uuid.uuid4().hex}"
SELF_CONTAINED = "an SVG image must hold all it shows"
REMOTE = "nothing is downloaded unless [build] allow-remote = true"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(ROOT / "build.py"), *args]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)


def png(text: str = "", size: tuple[int, int] = (16, 16)) -> bytes:
    """A small PNG; `text`, if any, in a tEXt chunk (kept byte for byte by an EPUB)."""
    info = PngImagePlugin.PngInfo()
    if text:
        info.add_text("Comment", text)
    data = io.BytesIO()
    Image.new("RGB", size, (160, 30, 30)).save(data, "PNG", pnginfo=info)
    return data.getvalue()


def make_secret(folder: Path) -> Path:
    """Files outside the book, each holding TOKEN, each a valid file of its kind."""
    folder.mkdir()
    (folder / "secret.png").write_bytes(png(TOKEN))
    (folder / "secret.css").write_text(f'body::before {{ content: "{TOKEN}"; }}\n')
    (folder / "secret.md").write_text(f"# Secret\n\n{TOKEN}\n")
    (folder / "secret.ttf").write_bytes(FONT.read_bytes() + TOKEN.encode())
    return folder


def data_svg(secret: Path) -> str:
    """A data: URL of an SVG image that shows the secret."""
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        f'<image href="file://{secret}/secret.png" width="10" height="10"/></svg>'
    )
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def hostile_book(folder: Path, secret: Path, *, escapes: bool = True) -> Path:
    """The hostile book in `folder`, its templates filled in, its links made; without
    `escapes`, every line that mentions the secret left out and no link to it made."""
    shutil.copytree(HOSTILE, folder)
    for template in folder.rglob("*.in"):
        text = template.read_text()
        if not escapes:
            text = "".join(line for line in text.splitlines(True) if "secret" not in line.lower())
        text = text.replace("@SECRET@", str(secret)).replace("@DATA_SVG@", data_svg(secret))
        template.with_suffix("").write_text(text)
        template.unlink()
    (folder / "images" / "alias.png").symlink_to("ok.png")
    if escapes:
        (folder / "images" / "secret-link.png").symlink_to(secret / "secret.png")
        (folder / "styles" / "epub.css").symlink_to(secret / "secret.css")
        (folder / "styles" / "fonts").mkdir()
        (folder / "styles" / "fonts" / "secret.ttf").symlink_to(secret / "secret.ttf")
        (folder / "chapters" / "02-secret.md").symlink_to(secret / "secret.md")
    return folder


def test_every_escape_from_the_book_is_refused(tmp_path: Path) -> None:
    secret = make_secret(tmp_path / "secret")
    hostile_book(tmp_path / "book", secret)
    result = run("-m", "book", "-o", "out", cwd=tmp_path)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 1
    chapter = "book/chapters/01-escapes.md"
    data_url = data_svg(secret)[:57] + "..."
    assert result.stderr.splitlines() == [
        "book/book.toml:7: cover '" + f"{secret}/secret.png' is outside the book",
        "book/chapters: '02-secret.md' is outside the book",
        f"{chapter}:7: image '../../secret/secret.png' is outside the book",
        f"{chapter}:9: image '{secret}/secret.png' is outside the book",
        f"{chapter}:11: image 'file://{secret}/secret.png' is outside the book",
        f"{chapter}:13: image '../images/secret-link.png' is outside the book",
        f"{chapter}:15: image 'http://127.0.0.1:9/secret.png' is not a file of the book ({REMOTE})",
        f"{chapter}:17: image '{data_url}' is a data: URL, which a book can't use: put the "
        "file in the book and name it by its path",
        f"{chapter}:19: image '../images/secret-reference.svg' refers to "
        f"'file://{secret}/secret.png': {SELF_CONTAINED}",
        f"{chapter}:21: image '../../secret/../secret/secret.png' is outside the book",
        "book/styles: 'epub.css' is outside the book",
        "book/styles: 'fonts/secret.ttf' is outside the book",
        f"book/styles/print.css:2: @import '{secret}/secret.css' is not allowed: "
        "put its rules in the stylesheet",
        "book/styles/print.css:3: '../../secret/secret.png' is outside the book",
        "book/styles/print.css:4: '%2e%2e/%2e%2e/secret/secret.png' is outside the book",
        "build failed: 15 errors",
    ]
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def contents(path: Path) -> Iterator[bytes]:
    """Every byte of an output as a reader could get at it: the file, each file of an
    EPUB unzipped, each stream of a PDF decoded."""
    data = path.read_bytes()
    yield data
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as package:
            yield from (package.read(name) for name in package.namelist())
    elif data.startswith(b"%PDF"):
        pdf = pypdf.PdfReader(path)
        for number in range(1, int(pdf.trailer["/Size"])):
            stream = pdf.get_object(number)
            if isinstance(stream, pypdf.generic.StreamObject):
                yield stream.get_data()


def test_the_book_without_its_escapes_builds_and_holds_nothing_of_the_secret(
    tmp_path: Path,
) -> None:
    secret = make_secret(tmp_path / "secret")
    hostile_book(tmp_path / "book", secret, escapes=False)
    result = run("-m", "book", "-o", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    outputs = sorted((tmp_path / "out").iterdir())
    names = ["hostile-booklet.pdf", "hostile-cover.pdf", "hostile.epub", "hostile.pdf"]
    assert [path.name for path in outputs] == names
    for output in outputs:
        for data in contents(output):
            assert TOKEN.encode() not in data, output.name
    with zipfile.ZipFile(tmp_path / "out" / "hostile.epub") as epub:
        assert "EPUB/images/ok.png" in epub.namelist()  # the link inside the book, followed
        assert 'src="images/ok.png"' in epub.read("EPUB/chapter-01-escapes.xhtml").decode()


def test_a_linked_styles_folder_is_outside_the_book(tmp_path: Path) -> None:
    secret = make_secret(tmp_path / "secret")
    shutil.copy(secret / "secret.css", secret / "print.css")
    book = tmp_path / "book"
    (book / "chapters").mkdir(parents=True)
    (book / "book.toml").write_text('[book]\ntitle = "T"\nlanguage = "en"\n')
    (book / "chapters" / "01-one.md").write_text("# One\n\nText.\n")
    (book / "styles").symlink_to(secret)
    result = run("-m", "book", "-o", "out", "epub", cwd=tmp_path)
    assert result.stderr.splitlines() == [
        "book/styles: 'print.css' is outside the book",
        "build failed: 1 error",
    ]


def test_a_loop_of_links_is_no_file(tmp_path: Path) -> None:
    book = tmp_path / "book"
    (book / "chapters").mkdir(parents=True)
    (book / "images").mkdir()
    (book / "book.toml").write_text('[book]\ntitle = "T"\nlanguage = "en"\n')
    (book / "chapters" / "01-one.md").write_text("# One\n\n![A loop](../images/a.png)\n")
    (book / "images" / "a.png").symlink_to("b.png")
    (book / "images" / "b.png").symlink_to("a.png")
    result = run("-m", "book", "-o", "out", "epub", cwd=tmp_path)
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        "book/chapters/01-one.md:3: image '../images/a.png' not found",
        "build failed: 1 error",
    ]


# ---------------------------------------------------------------------------------------------
# [build] allow-remote = true, against a server on this machine


class Handler(http.server.BaseHTTPRequestHandler):
    """Serves what each test URL stands for."""

    big = 1_200_000
    asked: list[str] = []  # noqa: RUF012 (the paths asked for, by every handler)

    def do_GET(self) -> None:
        self.asked.append(self.path)
        routes = {
            "/picture.png": (200, "image/png", png(size=(20, 10))),
            "/page.png": (200, "text/html; charset=utf-8", b"<html>Not an image</html>"),
            "/script.svg": (
                200,
                "image/svg+xml",
                b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            ),
            "/big.png": (200, "image/png", b"\0" * self.big),
        }
        if self.path == "/slow.png":
            time.sleep(3)
        redirects = {"/redirect.png": "file:///etc/passwd", "/ftp.png": "ftp://127.0.0.1/x.png"}
        if self.path in redirects:
            self.send_response(302)
            self.send_header("Location", redirects[self.path])
            self.end_headers()
            return
        if self.path == "/declared-big.png":
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(self.big))
            self.end_headers()
            return
        status, media_type, body = routes.get(self.path, (404, "text/plain", b"Not found"))
        self.send_response(status)
        self.send_header("Content-Type", media_type)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that gave up on /slow.png


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The base URL of a local server; downloads time out after half a second and stop
    at 1 MB; no proxy is asked."""
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(remote, "TIMEOUT", 0.5)
    monkeypatch.setattr(remote, "MAX_BYTES", 1_000_000)
    Handler.asked.clear()
    httpd = Server(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def remote_book(folder: Path, chapter: str, allow: bool = True, css: str = "") -> Path:
    (folder / "chapters").mkdir(parents=True)
    build_table = "\n[build]\nallow-remote = true\n" if allow else ""
    (folder / "book.toml").write_text(f'[book]\ntitle = "Remote"\nlanguage = "en"\n{build_table}')
    (folder / "chapters" / "01-one.md").write_text(chapter)
    if css:
        (folder / "styles").mkdir()
        (folder / "styles" / "epub.css").write_text(css)
    return folder


def test_an_allowed_remote_image_is_downloaded_into_the_epub(tmp_path: Path, server: str) -> None:
    url = f"{server}/picture.png"
    book = remote_book(
        tmp_path / "book",
        f"# One\n\n![A picture]({url})\n\nAgain: ![The same picture]({url})\n",
        css=f"h1 {{ background: url({url}); }}\n",
    )
    [output] = build(book, tmp_path / "out", ["epub"])
    href = f"remote/{hashlib.sha1(url.encode()).hexdigest()}.png"
    with zipfile.ZipFile(output.path) as epub:
        assert epub.read(f"EPUB/{href}") == png(size=(20, 10))
        chapter = epub.read("EPUB/chapter-01-one.xhtml").decode()
        stylesheet = epub.read("EPUB/styles/book.css").decode()
    assert chapter.count(f'src="{href}"') == 2
    assert f"url(../{href})" in stylesheet


def test_a_remote_image_that_cant_be_had_is_an_error(tmp_path: Path, server: str) -> None:
    names = ["missing", "slow", "page", "big", "declared-big", "redirect", "ftp", "script"]
    suffix = {"script": ".svg"}
    urls = [f"{server}/{name}{suffix.get(name, '.png')}" for name in names]
    text = "# One\n\n" + "\n\n".join(
        f"![{name}]({url})" for name, url in zip(names, urls, strict=True)
    )
    book = remote_book(tmp_path / "book", text + "\n")
    with pytest.raises(BookErrors) as failure:
        read_book(book)
    messages = [f"{error.line}: {error.message}" for error in failure.value.errors]
    missing, slow, page, big, declared, redirect, ftp, script = urls
    assert messages == [
        f"3: image '{missing}' could not be downloaded: HTTP 404 Not Found",
        f"5: image '{slow}' could not be downloaded: no answer in 0.5 seconds",
        f"7: image '{page}' is served as text/html, not as an image of a known type",
        f"9: image '{big}' is larger than 1 MB",
        f"11: image '{declared}' is larger than 1 MB",
        f"13: image '{redirect}' could not be downloaded: redirected to 'file:///etc/passwd'",
        f"15: image '{ftp}' could not be downloaded: redirected to 'ftp://127.0.0.1/x.png'",
        f"17: image '{script}' has a script: an SVG image of a book must not run code",
    ]


def test_without_allow_remote_nothing_is_downloaded(tmp_path: Path, server: str) -> None:
    url = f"{server}/picture.png"
    book = remote_book(
        tmp_path / "book",
        f"# One\n\n![A picture]({url})\n",
        allow=False,
        css=f"h1 {{ background: url({url}); }}\n",
    )
    with pytest.raises(BookErrors) as failure:
        read_book(book)
    assert [error.message for error in failure.value.errors] == [
        f"image '{url}' is not a file of the book ({REMOTE})",
        f"'{url}' is remote ({REMOTE})",
    ]
    assert Handler.asked == []
