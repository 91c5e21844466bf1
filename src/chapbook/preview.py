"""`chapbook watch --serve`: the last good EPUB, served on localhost as web pages.

Each page of the EPUB is served from the archive as it is, with one script added at the end
of its body: it asks the server every half second which build is current, reloads the page
after a rebuild, shows the errors of a failed build over the page (the pages stay those of
the last good build), and adds a bar to go to the previous page, the contents and the next
page in reading order. Only 127.0.0.1 is served, and only what the EPUB holds.
"""

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
from urllib.parse import unquote, urlsplit

from lxml import etree

HOST = "127.0.0.1"
STATE = "/_chapbook/state"
SCRIPT = "/_chapbook/preview.js"
TYPES = {".xhtml": "application/xhtml+xml", ".css": "text/css", ".svg": "image/svg+xml"}
OPF = "urn:oasis:names:tc:opendocument:xmlns:container"
PACKAGE = "http://www.idpf.org/2007/opf"
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
    """The EPUB's pages as paths on the server, in spine order (the contents page last)."""
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
    return [f"/{folder / str(hrefs[idref])}" for idref in spine if hrefs.get(idref)]


def serve(preview: Preview, port: int) -> ThreadingHTTPServer:
    """Start serving `preview` on 127.0.0.1:`port` (0: any free port) in a thread."""

    class Handler(PreviewHandler):
        shown = preview

    server = ThreadingHTTPServer((HOST, port), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def address(server: ThreadingHTTPServer) -> str:
    return f"http://{HOST}:{server.server_address[1]}/"


class PreviewHandler(BaseHTTPRequestHandler):
    shown: Preview

    def do_GET(self) -> None:
        path = unquote(urlsplit(self.path).path)
        if path == STATE:
            self.send(json.dumps(self.shown.state()).encode(), "application/json")
        elif path == SCRIPT:
            self.send(SCRIPT_TEXT.encode(), "text/javascript")
        elif path == "/":
            self.front()
        else:
            self.page(path.lstrip("/"))

    def front(self) -> None:
        with self.shown.lock:
            pages = self.shown.pages
        if not pages:
            self.send(WAITING.encode(), "text/html; charset=utf-8")
            return
        self.send_response(HTTPStatus.FOUND)
        self.send_header("Location", contents_page(pages))
        self.send_header("Content-Length", "0")
        self.end_headers()

    def page(self, name: str) -> None:
        data = self.shown.member(name)
        if data is None:
            self.send_error(HTTPStatus.NOT_FOUND, f"the book has no file {name}")
            return
        suffix = PurePosixPath(name).suffix
        kind = TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"
        if suffix == ".xhtml":
            end = data.rfind(b"</body>")  # at the end: XHTML ignores defer
            data = data[:end] + SCRIPT_TAG + data[end:] if end >= 0 else data
        self.send(data, kind)

    def send(self, data: bytes, kind: str) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        """Requests are not logged: the terminal is for the builds."""


def contents_page(pages: Sequence[str]) -> str:
    """Where the front address leads: the contents page, else the first page."""
    return next((page for page in pages if page.endswith("/nav.xhtml")), pages[0])


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
