"""`chapbook watch --serve`: the last good EPUB, served on localhost as web pages, each
reloaded after a rebuild, with a failed build's errors over it.
Design: docs/architecture.md, 'Watching and the preview'."""

from __future__ import annotations

import json
import mimetypes
import threading
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path, PurePosixPath
from urllib.parse import quote, unquote

from lxml import etree

HOST = "127.0.0.1"
STATE = "/_chapbook/state"
SCRIPT = "/_chapbook/preview.js"
TYPES = {".xhtml": "application/xhtml+xml", ".css": "text/css", ".svg": "image/svg+xml"}
OPF = "urn:oasis:names:tc:opendocument:xmlns:container"
PACKAGE = "http://www.idpf.org/2007/opf"
LOCAL_NAMES = ("127.0.0.1", "localhost", "[::1]")
"""The `Host` names the server answers to (with its port): this machine's."""
TIMEOUT = 10
"""Seconds a connection may stay silent before it is closed."""
POLICY = (
    "default-src 'self'; style-src 'self' 'unsafe-inline'; object-src 'none'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
"""The pages may load, run and show only what this server serves (the book's own inline
styles apart), may not be framed, and post nowhere."""
SECURITY_HEADERS = {
    "Content-Security-Policy": POLICY,
    "X-Content-Type-Options": "nosniff",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
"""Headers of every response."""
SCRIPT_TAG = f'<script src="{SCRIPT}"></script>'.encode()
WAITING = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"/><title>Chapbook preview</title>
</head>
<body><p>No book built yet: waiting for a build without errors.</p>{SCRIPT_TAG.decode()}</body>
</html>
"""


@dataclass
class Preview:
    """What the server shows: the EPUB of the last good build and its pages in reading
    order, the number of the last build, and that build's errors (none if it succeeded)."""

    epub: Path | None = None
    pages: list[str] = field(default_factory=list)
    build: int = 0
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def rebuilt(self, epub: Path | None, errors: Sequence[str]) -> None:
        """Hear of a build: the EPUB it made (None if it failed) and its errors."""
        pages = reading_order(epub) if epub else None  # read once a build, not per request
        with self.lock:
            self.epub = epub or self.epub
            self.pages = self.pages if pages is None else pages
            self.build += 1
            self.errors = list(errors)

    def state(self) -> dict[str, object]:
        with self.lock:
            return {"build": self.build, "errors": list(self.errors), "pages": self.pages}

    def member(self, name: str) -> bytes | None:
        """The file `name` of the EPUB, if it holds one."""
        with self.lock:
            epub = self.epub
        if epub is None:
            return None
        try:
            with zipfile.ZipFile(epub) as archive:
                return archive.read(name)
        except (KeyError, OSError, zipfile.BadZipFile):
            return None


def reading_order(epub: Path) -> list[str]:
    """The EPUB's pages as paths on the server: the contents page first, then the spine's
    pages in reading order."""
    try:
        with zipfile.ZipFile(epub) as archive:
            container = etree.fromstring(archive.read("META-INF/container.xml"))
            rootfile = container.find(f".//{{{OPF}}}rootfile")
            opf_name = "" if rootfile is None else str(rootfile.get("full-path", ""))
            opf = etree.fromstring(archive.read(opf_name))
    except (KeyError, OSError, zipfile.BadZipFile, etree.XMLSyntaxError):
        return []
    folder = PurePosixPath(opf_name).parent
    hrefs = {item.get("id"): item.get("href") for item in opf.iter(f"{{{PACKAGE}}}item")}
    spine = [ref.get("idref") for ref in opf.iter(f"{{{PACKAGE}}}itemref")]
    pages = [f"/{folder / str(hrefs[idref])}" for idref in spine if hrefs.get(idref)]
    contents = [page for page in pages if is_contents(page)]
    return [*contents, *(page for page in pages if not is_contents(page))]


def is_contents(page: str) -> bool:
    return page.endswith("/nav.xhtml")


def serve(preview: Preview, port: int) -> ThreadingHTTPServer:
    """Start serving `preview` on 127.0.0.1:`port` (0: any free port) in a thread."""

    class Handler(PreviewHandler):
        shown = preview

    server = PreviewServer((HOST, port), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def address(server: ThreadingHTTPServer) -> str:
    return f"http://{HOST}:{server.server_address[1]}/"


class PreviewServer(ThreadingHTTPServer):
    """The preview's server: a request that fails (a client gone, a broken connection)
    is let go without a word; the terminal is for the builds."""

    def handle_error(self, request: object, client_address: object) -> None:
        """Nothing is printed: not a traceback, nor anything the request held."""


class PreviewHandler(BaseHTTPRequestHandler):
    """Answers GET and HEAD from this machine's browser; the rules, for any request:

    - only a `Host` of 127.0.0.1, localhost or [::1] with the server's port is served
      (else 421): a page of another site that the browser sends here (DNS rebinding)
      gets nothing;
    - the status line carries the status's standard phrase, and no header carries
      anything from the request; error bodies are fixed texts;
    - a path that is not a file of the EPUB, in any bytes or encoding, is a 404;
    - every response says `nosniff` and forbids other origins (SECURITY_HEADERS);
    - a request the server can't take is a 4xx (another method 405, a malformed request
      or an HTTP version other than 1.x 400), never a 5xx; a silent client is let go
      after TIMEOUT seconds.
    """

    shown: Preview
    timeout = TIMEOUT
    default_request_version = "HTTP/1.0"
    """A request line without a version is answered as HTTP/1.0: with headers."""
    server_version = "Chapbook"
    sys_version = ""

    def parse_request(self) -> bool:
        """Read the request line and headers; answer (and drop) a request that is not a
        GET or a HEAD, a target that is not a path, or a foreign `Host`."""
        if not super().parse_request():
            return False
        if self.command not in ("GET", "HEAD"):
            self.refuse(HTTPStatus.METHOD_NOT_ALLOWED)
        elif not self.path.startswith("/"):
            self.refuse(HTTPStatus.BAD_REQUEST)
        elif not self.own_host(self.headers.get_all("Host") or []):
            self.refuse(HTTPStatus.MISDIRECTED_REQUEST)
        else:
            return True
        return False

    def own_host(self, hosts: Sequence[str]) -> bool:
        """Whether the request names this server, once, as the browser on this machine
        does."""
        bound = self.server.server_address
        port = bound[1] if isinstance(bound, tuple) else None
        names = {f"{name}:{port}" for name in LOCAL_NAMES}
        names |= set(LOCAL_NAMES) if port == 80 else set()
        return len(hosts) == 1 and hosts[0].strip().lower() in names

    def do_GET(self) -> None:
        path = request_path(self.path)
        if path == STATE:
            self.send(json.dumps(self.shown.state()).encode(), "application/json")
        elif path == SCRIPT:
            self.send(SCRIPT_TEXT.encode(), "text/javascript")
        elif path == "/":
            self.front()
        elif path is None:
            self.refuse(HTTPStatus.NOT_FOUND)
        else:
            self.page(path.lstrip("/"))

    def do_HEAD(self) -> None:
        self.do_GET()

    def front(self) -> None:
        with self.shown.lock:
            pages = self.shown.pages
        if not pages:
            self.send(WAITING.encode(), "text/html; charset=utf-8")
            return
        self.send_response(HTTPStatus.FOUND)
        self.send_header("Location", quote(contents_page(pages), safe="/%"))
        self.send_header("Content-Length", "0")
        self.end_headers()

    def page(self, name: str) -> None:
        data = self.shown.member(name)
        if data is None:
            self.refuse(HTTPStatus.NOT_FOUND)
            return
        suffix = PurePosixPath(name).suffix
        kind = TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"
        if suffix == ".xhtml":
            end = data.rfind(b"</body>")  # at the end: XHTML ignores defer
            data = data[:end] + SCRIPT_TAG + data[end:] if end >= 0 else data
        self.send(data, kind)

    def send(self, data: bytes, kind: str, status: HTTPStatus = HTTPStatus.OK) -> None:
        """Answer with `data` of the type `kind` (the body left out for a HEAD)."""
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def refuse(self, status: HTTPStatus) -> None:
        """Answer with `status` and its phrase, and nothing of the request."""
        self.close_connection = True
        self.send(f"{status.value} {status.phrase}\n".encode(), "text/plain; charset=utf-8", status)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """http.server's own refusals (a malformed request line or headers): the status
        without its message, which may quote the request; never a 5xx."""
        status = HTTPStatus(code)
        self.refuse(HTTPStatus.BAD_REQUEST if status >= 500 else status)

    def send_response(self, code: int, message: str | None = None) -> None:
        """The status line with the standard phrase (never `message`), the fixed headers
        (sent to a request that says HTTP/0.9 too: there is no answer without them)."""
        self.request_version = max(self.request_version, self.default_request_version)
        super().send_response(code, HTTPStatus(code).phrase)
        for name, value in SECURITY_HEADERS.items():
            self.send_header(name, value)
        if code == HTTPStatus.METHOD_NOT_ALLOWED:
            self.send_header("Allow", "GET, HEAD")

    def log_message(self, format: str, *args: object) -> None:
        """Requests are not logged: the terminal is for the builds."""


def request_path(target: str) -> str | None:
    """The path a request's target names, decoded (UTF-8); None for one that can't name a
    file: bytes that are not UTF-8, a NUL or another control character."""
    raw = target.split("?", 1)[0].split("#", 1)[0]
    try:
        path = unquote(raw, errors="strict")
    except UnicodeDecodeError:
        return None
    return None if any(ord(char) < 32 or ord(char) == 127 for char in path) else path


def contents_page(pages: Sequence[str]) -> str:
    """Where the front address leads: the contents page, else the first page."""
    return next((page for page in pages if is_contents(page)), pages[0])


SCRIPT_TEXT = """\
(() => {
  "use strict";
  let seen = null;
  const html = (name, style) => {
    const element = document.createElement(name);
    element.setAttribute("style", style);
    return element;
  };
  const banner = html("div", "position:fixed;top:0;left:0;right:0;z-index:2147483647;" +
    "background:#fff4f4;color:#8a0000;border-bottom:2px solid #c00;padding:.6em 1em;" +
    "font:13px/1.4 monospace;white-space:pre-wrap;max-height:50vh;overflow:auto;display:none");
  banner.setAttribute("role", "alert");
  const bar = html("nav", "position:fixed;bottom:0;right:0;z-index:2147483646;" +
    "background:#f4f4f4;border:1px solid #bbb;border-radius:4px 0 0 0;padding:.2em .6em;" +
    "font:13px sans-serif");
  bar.setAttribute("aria-label", "preview");
  const link = (label, href) => {
    const a = document.createElement("a");
    a.textContent = label;
    a.setAttribute("href", href);
    a.setAttribute("style", "margin:0 .4em");
    bar.appendChild(a);
  };
  const show = (state) => {
    banner.textContent = state.errors.length ?
      "The last build failed; these pages are from the last good one.\\n\\n" +
      state.errors.join("\\n") : "";
    banner.style.display = state.errors.length ? "block" : "none";
    if (bar.childNodes.length || !state.pages.length) return;
    const here = state.pages.indexOf(location.pathname);
    if (here > 0) link("\\u2190 previous", state.pages[here - 1]);
    link("contents", "/");
    if (here >= 0 && here + 1 < state.pages.length) link("next \\u2192", state.pages[here + 1]);
  };
  const poll = async () => {
    try {
      const state = await (await fetch("/_chapbook/state", {cache: "no-store"})).json();
      if (seen !== null && state.build !== seen) { location.reload(); return; }
      seen = state.build;
      show(state);
    } catch (error) { /* the watcher stopped; keep the page as it is */ }
    setTimeout(poll, 500);
  };
  const measure = document.createElement("style");  // a reading width, as a reader gives
  measure.textContent = "body { max-width: 38em; margin: 0 auto; padding: 1em 1.5em 3em }";
  document.head.appendChild(measure);
  document.body.appendChild(banner);
  document.body.appendChild(bar);
  poll();
})();
"""
"""The script added to each page."""
