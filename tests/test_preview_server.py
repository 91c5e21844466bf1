"""`watch --serve`'s server (issue 16, findings 1, 2, 3 and the order of 10): nothing of a
request is echoed into a header, only this machine's `Host` is served, any path in any bytes
gets an answer and never a traceback, every answer says `nosniff` and forbids other origins;
then a bounded fuzz of all of it on loopback. The server runs here, in this process, on a
small book's EPUB."""

from __future__ import annotations

import json
import random
import re
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path

import pytest

from chapbook.pipeline import build
from chapbook.preview.server import Preview, serve

BOOKS = Path(__file__).resolve().parent / "books"
STATUS_LINE = re.compile(r"HTTP/1\.[01] (\d{3}) (.*)")
FUZZ_REQUESTS = 3000
FUZZ_SECONDS = 30
"""The fuzz's bounds: its requests, and the time they may take at most (a few seconds here)."""
CHAPTER = "/EPUB/chapter-01-maps.xhtml"


@dataclass(frozen=True)
class Answer:
    status: int
    phrase: str
    headers: list[tuple[str, str]]
    head: bytes
    """The status line and headers as sent."""
    body: bytes

    def header(self, name: str) -> str | None:
        found = [value for key, value in self.headers if key.lower() == name.lower()]
        return found[0] if found else None


@pytest.fixture(scope="module")
def port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """The preview of the full test book, served on a free port, after a failed build."""
    out = tmp_path_factory.mktemp("preview")
    [epub] = [output.path for output in build(BOOKS / "full", out, ["epub"])]
    preview = Preview()
    preview.rebuilt(epub, [])
    preview.rebuilt(None, ["book.toml:3: an error of the last build"])
    server = serve(preview, 0)
    yield int(server.server_address[1])
    server.shutdown()
    server.server_close()


def exchange(port: int, request: bytes) -> Answer | None:
    """Send `request` as it is, then read the whole answer (None if there is none)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(request)
        connection.shutdown(socket.SHUT_WR)
        chunks = []
        while chunk := connection.recv(65536):
            chunks.append(chunk)
    data = b"".join(chunks)
    if not data:
        return None
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    match = STATUS_LINE.fullmatch(status_line)
    assert match is not None, status_line
    headers = [tuple(line.split(": ", 1)) for line in lines]
    assert all(len(header) == 2 for header in headers), lines
    pairs = [(name, value) for name, value in headers]
    return Answer(int(match[1]), match[2], pairs, head, body)


def get(port: int, target: str, host: str | None = "", *extra: str) -> Answer:
    """A GET of `target` (as written, already encoded) with `Host: host` (by default this
    server's own; None: no Host)."""
    lines = [f"GET {target} HTTP/1.1"]
    if host is not None:
        lines.append(f"Host: {host or f'127.0.0.1:{port}'}")
    request = "\r\n".join([*lines, *extra, "", ""]).encode("latin-1")
    answer = exchange(port, request)
    assert answer is not None
    return answer


def assert_guarded(answer: Answer) -> None:
    """The headers every answer carries, and the standard phrase of its status."""
    assert answer.phrase == HTTPStatus(answer.status).phrase
    assert answer.header("X-Content-Type-Options") == "nosniff"
    policy = answer.header("Content-Security-Policy") or ""
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy


def test_the_book_and_the_state_are_served_with_the_guards(port: int) -> None:
    page = get(port, CHAPTER)
    assert page.status == 200 and page.header("Content-Type") == "application/xhtml+xml"
    assert b'<script src="/_chapbook/preview.js"></script></body>' in page.body
    assert_guarded(page)
    state = json.loads(get(port, "/_chapbook/state").body)
    assert state["errors"] == ["book.toml:3: an error of the last build"]
    front = get(port, "/")
    assert front.status == 302 and front.header("Location") == "/EPUB/nav.xhtml"
    assert_guarded(front)
    assert get(port, "/", f"localhost:{port}").status == 302
    assert get(port, "/", f"LocalHost:{port}").status == 302
    assert get(port, "/", f"[::1]:{port}").status == 302


def test_the_preview_order_is_the_contents_then_the_reading_order(port: int) -> None:
    pages = json.loads(get(port, "/_chapbook/state").body)["pages"]
    assert pages == [
        "/EPUB/nav.xhtml",
        "/EPUB/cover.xhtml",
        "/EPUB/titlepage.xhtml",
        "/EPUB/copyright.xhtml",
        "/EPUB/front-foreword.xhtml",
        CHAPTER,
        "/EPUB/chapter-02-tables.xhtml",
        "/EPUB/back-afterword.xhtml",
    ]


@pytest.mark.parametrize(
    "target",
    [
        "/x%0d%0aX-Injected:%20yes",
        "/x%0d%0aContent-Type:%20text/html%0d%0a%0d%0a%3Cscript%3Ealert(1)%3C/script%3E",
        "/EPUB/x%0aX-Injected:%20yes",
    ],
)
def test_a_path_is_never_echoed_into_the_headers(port: int, target: str) -> None:
    answer = get(port, target)
    assert (answer.status, answer.phrase) == (404, "Not Found")
    assert answer.header("Content-Type") == "text/plain; charset=utf-8"
    assert answer.body == b"404 Not Found\n"
    assert b"Injected" not in answer.head and b"text/html" not in answer.head
    assert_guarded(answer)


@pytest.mark.parametrize(
    "host", ["evil.com", "evil.com:{port}", "127.0.0.1.evil.com:{port}", "127.0.0.1:1", None]
)
def test_a_request_for_another_host_is_refused(port: int, host: str | None) -> None:
    """DNS rebinding: a page of evil.com whose name now leads here is refused."""
    answer = get(port, CHAPTER, None if host is None else host.format(port=port))
    assert (answer.status, answer.phrase) == (421, "Misdirected Request")
    assert answer.body == b"421 Misdirected Request\n"
    assert_guarded(answer)


def test_two_hosts_are_refused(port: int) -> None:
    assert get(port, CHAPTER, "", "Host: evil.com").status == 421


@pytest.mark.parametrize("target", ["/%C3%A9", "/EPUB/%ff%fe", "/a%00b", "/\xe9", "/%", "/%zz"])
def test_a_path_in_any_bytes_is_a_404(
    port: int, target: str, capfd: pytest.CaptureFixture[str]
) -> None:
    answer = get(port, target)
    assert (answer.status, answer.body) == (404, b"404 Not Found\n")
    assert_guarded(answer)
    assert capfd.readouterr().err == ""


@pytest.mark.parametrize(
    ("request_line", "status"),
    [
        ("POST / HTTP/1.1", 405),
        ("DELETE /EPUB/nav.xhtml HTTP/1.1", 405),
        ("GET / HTTP/2.0", 400),
        ("GET / HTTP/1.1 extra", 400),
        ("GET / FTP/1.0", 400),
        ("GET http://evil.com/ HTTP/1.1", 400),
        ("GET *", 400),
    ],
)
def test_what_the_server_cant_take_is_a_4xx_without_the_request(
    port: int, request_line: str, status: int
) -> None:
    request = f"{request_line}\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode()
    answer = exchange(port, request)
    assert answer is not None
    assert answer.status == status
    assert answer.body == f"{status} {HTTPStatus(status).phrase}\n".encode()
    assert_guarded(answer)
    if status == 405:
        assert answer.header("Allow") == "GET, HEAD"


def test_head_is_get_without_the_body(port: int) -> None:
    request = f"HEAD {CHAPTER} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode()
    answer = exchange(port, request)
    assert answer is not None and answer.status == 200 and answer.body == b""
    assert int(answer.header("Content-Length") or 0) == len(get(port, CHAPTER).body)


# --- the fuzz -----------------------------------------------------------------------------

METHODS = ["GET", "GET", "GET", "HEAD", "POST", "PUT", "OPTIONS", "TRACE", "CONNECT", "BREW"]
VERSIONS = ["HTTP/1.1", "HTTP/1.1", "HTTP/1.0", "HTTP/2.0", "HTTP/0.9", "HTTP/1", "", "HTTQ/1.1"]
PIECES = [
    "EPUB", "nav.xhtml", CHAPTER[1:], "_chapbook", "state", "preview.js", "..", ".", "%2e%2e",
    "%2f", "%00", "%0d%0a", "%ff", "%C3%A9", "é", "\u2028", "?q=", "#x", "//", "\\", "%", "%%",
    "META-INF/container.xml", "mimetype", "\t", " ", "<script>", "Content-Type: text/html",
]  # fmt: skip


def fuzzed_request(chance: random.Random, port: int, marker: str) -> bytes:
    """A request, valid or not, with `marker` in its path and in some headers."""
    target = "/" + "/".join(chance.choice(PIECES) for _ in range(chance.randrange(6)))
    if chance.random() < 0.5:  # else a path of the book, maybe
        target += marker + "".join(chr(chance.randrange(256)) for _ in range(chance.randrange(3)))
    lines = [" ".join(filter(None, [chance.choice(METHODS), target, chance.choice(VERSIONS)]))]
    host = chance.choice(
        [f"127.0.0.1:{port}", f"localhost:{port}", "evil.com", f"{marker}:{port}", None]
    )
    if host is not None:
        lines.append(f"Host: {host}")
    for _ in range(chance.randrange(4)):
        name = chance.choice(["X-" + marker, "Referer", "Accept", "Cookie", "Origin", "Host"])
        value = marker + "".join(chr(chance.randrange(1, 256)) for _ in range(8))
        lines.append(f"{name}: {value.replace(chr(10), '').replace(chr(13), '')}")
    request = "\r\n".join([*lines, "", ""]).encode()  # UTF-8: é is two bytes
    if chance.random() < 0.1:  # a byte anywhere
        at = chance.randrange(len(request))
        request = request[:at] + bytes([chance.randrange(256)]) + request[at + 1 :]
    return request


def test_a_fuzz_of_requests_gets_answers_without_echo_5xx_or_traceback(
    port: int, capfd: pytest.CaptureFixture[str]
) -> None:
    chance = random.Random(16)
    start = time.monotonic()
    statuses: dict[int, int] = {}
    for number in range(FUZZ_REQUESTS):
        marker = f"zq{number:05d}"
        request = fuzzed_request(chance, port, marker)
        answer = exchange(port, request)
        if answer is None:  # nothing to answer: a request line of white space
            assert not request.split(b"\r\n")[0].split(), request
            continue
        statuses[answer.status] = statuses.get(answer.status, 0) + 1
        assert answer.status < 500, request
        assert marker.encode() not in answer.head.lower(), request
        assert_guarded(answer)
    seconds = time.monotonic() - start
    assert capfd.readouterr().err == ""
    print(f"{FUZZ_REQUESTS} requests in {seconds:.1f}s: {sorted(statuses.items())}")
    assert seconds < FUZZ_SECONDS
    assert {200, 302, 400, 404, 405, 421} <= set(statuses)
