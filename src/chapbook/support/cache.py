"""A content-addressed store of bytes under `.chapbook-cache/`, safe to delete at any time.
Design: docs/architecture.md, 'The cache'."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import os
import secrets
import sys
import time
from contextlib import suppress
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from chapbook import __version__

FOLDER = ".chapbook-cache"
LIBRARIES = ("markdown", "lxml", "pyyaml", "pillow")
"""What a conversion's result also depends on: a new version of one starts afresh."""
LIMIT_BYTES = 1 << 30
"""When the cache grows past this, the entries used least recently are removed."""


@functools.cache
def program() -> bytes:
    """A digest of Chapbook itself: its version, code and templates (so that a changed
    program never uses what an older one made)."""
    hasher = hashlib.sha256(__version__.encode())
    package = Path(__file__).resolve().parents[1]
    for path in sorted(package.rglob("*")):
        if path.suffix in (".py", ".j2") and path.is_file():
            hasher.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes())
    return hasher.digest()


def digest(*parts: bytes | str) -> str:
    """A key for `parts`, in order, and for this program (see `program`)."""
    hasher = hashlib.sha256(program())
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        hasher.update(len(data).to_bytes(8, "big"))
        hasher.update(data)
    return hasher.hexdigest()


def canonical(value: object) -> bytes:
    """`value` (plain data: dataclasses, containers, strings, numbers, dates) as bytes that
    are the same in every process: unlike pickle's, which follow the order of sets, and
    that changes with each process's hash seed."""
    return repr(_canonical(value)).encode()


def _canonical(value: object) -> object:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = dataclasses.fields(value)
        return (
            type(value).__name__,
            *((f.name, _canonical(getattr(value, f.name))) for f in fields),
        )
    if isinstance(value, (set, frozenset)):
        return ("set", *sorted(repr(_canonical(item)) for item in value))
    if isinstance(value, dict):
        return ("dict", *sorted((repr(_canonical(k)), _canonical(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(_canonical(item) for item in value)
    if isinstance(value, bytes):
        return ("bytes", hashlib.sha256(value).hexdigest())
    return value


def sealed(payload: bytes) -> bytes:
    """`payload` as stored: with its checksum, so that a damaged entry is known."""
    return hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload


def unsealed(data: bytes) -> bytes | None:
    """The payload of an entry made by `sealed`; None if it is damaged."""
    checksum, _, payload = data.partition(b"\n")
    return payload if hashlib.sha256(payload).hexdigest().encode() == checksum else None


class Cache:
    """Bytes by kind and key under `root`; with `root` None, a cache that keeps nothing."""

    def __init__(self, root: Path | None) -> None:
        self.root = root
        self.hits = 0
        self.misses = 0

    def path(self, kind: str, key: str) -> Path | None:
        return None if self.root is None else self.root / kind / key[:2] / key

    def get(self, kind: str, key: str) -> bytes | None:
        """The entry under `key`; None if there is none or it is damaged (its checksum)."""
        path = self.path(kind, key)
        data = None
        if path is not None:
            with suppress(OSError):
                data = unsealed(path.read_bytes())
                os.utime(path)  # recently used: kept longest by `prune`
        if data is None:
            self.misses += 1
        else:
            self.hits += 1
        return data

    def rejected(self) -> None:
        """The entry `get` just gave turned out to be of no use (out of date): a miss."""
        self.hits -= 1
        self.misses += 1

    def put(self, kind: str, key: str, data: bytes) -> None:
        path = self.path(kind, key)
        if path is None:
            return
        part = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            part.write_bytes(sealed(data))
            part.replace(path)
        except OSError:
            with suppress(OSError):
                part.unlink()

    def prune(self, limit: int = LIMIT_BYTES) -> None:
        """Remove the entries used least recently until the cache holds at most `limit`."""
        if self.root is None or not self.root.is_dir():
            return
        entries = []
        with suppress(OSError):
            for path in self.root.glob("*/*/*"):
                status = path.stat()
                entries.append((status.st_mtime, status.st_size, path))
        total = sum(size for _, size, _ in entries)
        stale = time.time() - 60  # never what a build running now may have just written
        for mtime, size, path in sorted(entries):
            if total <= limit or mtime > stale:
                break
            with suppress(OSError):
                path.unlink()
                total -= size


@functools.cache
def code_digest() -> str:
    """A digest of Chapbook's own code and the versions of the libraries that convert, so
    that a changed program never uses what an older one converted."""
    hasher = hashlib.sha256(sys.version.encode())
    for name in LIBRARIES:
        try:
            hasher.update(f"{name} {version(name)}\n".encode())
        except PackageNotFoundError:
            hasher.update(f"{name} -\n".encode())
    hasher.update(program())
    return hasher.hexdigest()
