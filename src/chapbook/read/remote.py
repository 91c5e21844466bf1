"""Downloads of a book's remote images (`[build] allow-remote = true`): http and https only,
within a timeout and a size limit, with the type the server gives."""

from __future__ import annotations

import http.client
import time
import urllib.request
from collections.abc import Collection
from dataclasses import dataclass
from typing import IO
from urllib.error import HTTPError, URLError
from urllib.parse import urlsplit

from chapbook import __version__

SCHEMES = ("http", "https")
TIMEOUT = 10.0
"""Seconds to wait for the server at each step (connecting, each read)."""
DEADLINE = 60.0
"""Seconds a whole download may take."""
MAX_BYTES = 20_000_000
"""The largest file downloaded."""
CHUNK = 65_536


class RemoteError(Exception):
    """Why a download failed, as the end of a message that begins with the URL."""


@dataclass(frozen=True)
class Download:
    media_type: str
    data: bytes


class NoSchemeChange(urllib.request.HTTPRedirectHandler):
    """Follows redirects to http and https URLs only (urllib would also follow ftp)."""

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: http.client.HTTPMessage,
        newurl: str,
    ) -> urllib.request.Request | None:
        if urlsplit(newurl).scheme not in SCHEMES:
            raise RemoteError(f"could not be downloaded: redirected to '{newurl}'")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def fetch(url: str, accept: Collection[str]) -> Download:
    """The file at `url`, which the server must give as one of the `accept` media types;
    raise RemoteError if it can't be had."""
    if urlsplit(url).scheme not in SCHEMES:
        raise RemoteError("is not an http or https URL")
    opener = urllib.request.build_opener(NoSchemeChange)
    request = urllib.request.Request(url, headers={"User-Agent": f"chapbook/{__version__}"})
    try:
        with opener.open(request, timeout=TIMEOUT) as response:
            media_type = response.headers.get_content_type()
            check_headers(response.headers, media_type, accept)
            return Download(media_type, read_limited(response))
    except HTTPError as error:
        error.close()
        raise RemoteError(f"could not be downloaded: {http_reason(error)}") from None
    except (TimeoutError, URLError, OSError, http.client.HTTPException, ValueError) as error:
        raise RemoteError(f"could not be downloaded: {reason(error)}") from None


def check_headers(
    headers: http.client.HTTPMessage, media_type: str, accept: Collection[str]
) -> None:
    """Refuse a file of another type, or one that says it is too large, before reading it."""
    if media_type not in accept:
        raise RemoteError(f"is served as {media_type}, not as an image of a known type")
    length = headers.get("Content-Length", "")
    if length.isdigit() and int(length) > MAX_BYTES:
        raise RemoteError(f"is larger than {megabytes(MAX_BYTES)}")


def read_limited(response: IO[bytes]) -> bytes:
    """The body, read in chunks: at most MAX_BYTES, within DEADLINE."""
    deadline = time.monotonic() + DEADLINE
    chunks: list[bytes] = []
    size = 0
    while chunk := response.read(CHUNK):
        size += len(chunk)
        if size > MAX_BYTES:
            raise RemoteError(f"is larger than {megabytes(MAX_BYTES)}")
        if time.monotonic() > deadline:
            raise RemoteError(f"could not be downloaded in {DEADLINE:g} seconds")
        chunks.append(chunk)
    return b"".join(chunks)


def http_reason(error: HTTPError) -> str:
    """The server's refusal, or a redirection that is not followed (urllib refuses one to
    a file: URL before asking NoSchemeChange)."""
    location = error.headers.get("Location") if error.headers else None
    if 300 <= error.code < 400 and location:
        return f"redirected to '{location}'"
    return f"HTTP {error.code} {error.reason}"


def reason(error: Exception) -> str:
    """A failed download's cause in a few words."""
    cause = error.reason if isinstance(error, URLError) else error
    if isinstance(cause, TimeoutError):
        return f"no answer in {TIMEOUT:g} seconds"
    if isinstance(cause, OSError) and cause.strerror:
        return cause.strerror
    return str(cause) or type(cause).__name__


def megabytes(count: int) -> str:
    """A size as messages give it."""
    return f"{count / 1_000_000:g} MB"
