"""A zip file with the bytes `zipfile` would write, made from entries whose compressed form
may come from the cache: most of an EPUB does not change from one build to the next, and
compressing it is most of the time writing it takes."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from chapbook.support.cache import Cache, digest

KIND = "deflated"
"""The cache's folder for compressed entries."""
CACHED_SIZE = 4096
"""Entries from this size up have their compressed form kept; smaller ones compress faster
than the cache is read."""
LIMIT = 0xFFFF_FFFF
"""Sizes and offsets past this need ZIP64, which only `zipfile` writes."""
VERSION = 20
"""The zip version `zipfile` writes as needed to extract (and made by) without ZIP64."""
UNIX = 3
FILE_HEADER = struct.Struct("<4s2B4HL2L2H")
CENTRAL_HEADER = struct.Struct("<4s4B4HL2L5H2L")
END = struct.Struct("<4s4H2LH")
LAST = (0, 0, 0, 0, 0o644 << 16)
"""A central header's extra and comment lengths, disk, internal and external attributes."""

Stamp = tuple[int, int, int, int, int, int]


@dataclass(frozen=True)
class Member:
    """A file of the archive: its name, its bytes and whether they are compressed."""

    name: str
    data: bytes
    compressed: bool = True


Deflate = Callable[[bytes], bytes]


def deflate(data: bytes) -> bytes:
    """`data` compressed as `zipfile` compresses a ZIP_DEFLATED entry."""
    compressor = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


def cached_deflate(cache: Cache) -> Deflate:
    """`deflate`, with the compressed form of entries from CACHED_SIZE up kept in `cache`
    (by their bytes and the zlib that compressed them)."""

    def compress(data: bytes) -> bytes:
        if len(data) < CACHED_SIZE:
            return deflate(data)
        key = digest(KIND, zlib.ZLIB_RUNTIME_VERSION, data)
        compressed = cache.get(KIND, key)
        if compressed is None:
            compressed = deflate(data)
            cache.put(KIND, key, compressed)
        return compressed

    return compress


def zip_file(members: Sequence[Member], stamp: Stamp, compress: Deflate = deflate) -> bytes:
    """The zip file of `members`, in order, every one dated `stamp`, with the bytes that
    `zipfile.ZipFile.writestr` gives (Unix permissions 0644)."""
    out = io.BytesIO()
    central = io.BytesIO()
    for member in members:
        stored = compress(member.data) if member.compressed else member.data
        if max(len(member.data), len(stored), out.tell()) >= LIMIT:
            return _zip_file_large(members, stamp)
        name = member.name.encode()
        kind = zipfile.ZIP_DEFLATED if member.compressed else zipfile.ZIP_STORED
        flags = 0 if member.name.isascii() else 0x800  # a UTF-8 name is flagged
        # flags, method, time, date, CRC-32, sizes, the name's length: both headers have them
        crc = zlib.crc32(member.data)
        common = (flags, kind, *_dos(stamp), crc, len(stored), len(member.data), len(name))
        offset = out.tell()
        out.write(FILE_HEADER.pack(b"PK\003\004", VERSION, 0, *common, 0) + name + stored)
        central.write(
            CENTRAL_HEADER.pack(b"PK\001\002", VERSION, UNIX, VERSION, 0, *common, *LAST, offset)
        )
        central.write(name)
    start = out.tell()
    directory = central.getvalue()
    count = len(members)
    out.write(directory)
    out.write(END.pack(b"PK\005\006", 0, 0, count, count, len(directory), start, 0))
    return out.getvalue()


def _dos(stamp: Stamp) -> tuple[int, int]:
    year, month, day, hour, minute, second = stamp
    return hour << 11 | minute << 5 | second // 2, (year - 1980) << 9 | month << 5 | day


def _zip_file_large(members: Sequence[Member], stamp: Stamp) -> bytes:
    """What needs ZIP64, written by `zipfile` itself."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for member in members:
            info = zipfile.ZipInfo(member.name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED if member.compressed else zipfile.ZIP_STORED
            info.create_system = UNIX
            info.external_attr = 0o644 << 16
            archive.writestr(info, member.data)
    return out.getvalue()
