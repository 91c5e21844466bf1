"""Reading long PDFs with pypdf without parsing what is not asked for (`LazyReader`).
Design: docs/architecture.md, 'Preflight'."""

from __future__ import annotations

import io
import itertools

from pypdf import PdfReader
from pypdf.errors import PdfReadError
from pypdf.generic import IndirectObject, PdfObject, StreamObject, read_object


class LazyReader(PdfReader):
    """A PdfReader that parses the objects of an object stream one by one, as they are
    needed. Anything unusual (a damaged index, an object that does not parse) goes to
    pypdf's own reading, which has the error handling."""

    def __init__(self, stream: io.BytesIO) -> None:
        self._object_streams: dict[int, tuple[bytes, dict[int, int]] | None] = {}
        super().__init__(stream)

    def get_object(self, indirect_reference: int | IndirectObject) -> PdfObject | None:
        if isinstance(indirect_reference, int):
            idnum, generation = indirect_reference, 0
        else:
            idnum, generation = indirect_reference.idnum, indirect_reference.generation
        if (
            generation == 0
            and idnum in self.xref_objStm
            and (0, idnum) not in self.resolved_objects
        ):
            found = self._object_in_stream(idnum)
            if found is not None:
                return self.cache_indirect_object(0, idnum, found)
        return super().get_object(indirect_reference)

    def _object_in_stream(self, idnum: int) -> PdfObject | None:
        number = self.xref_objStm[idnum][0]
        if number not in self._object_streams:
            self._object_streams[number] = None  # also stops a stream that refers to itself
            self._object_streams[number] = self._object_stream_index(number)
        index = self._object_streams[number]
        if index is None or idnum not in index[1]:
            return None
        data, offsets = index
        start = offsets[idnum]
        while start < len(data) and data[start : start + 1].isspace():
            start += 1
        stream = io.BytesIO(data)
        stream.seek(start)
        try:
            return read_object(stream, self)
        except (PdfReadError, ValueError, KeyError, TypeError, AssertionError):
            return None

    def _object_stream_index(self, number: int) -> tuple[bytes, dict[int, int]] | None:
        """The stream's decoded data and where each of its objects starts in it; None if
        anything about it is unexpected."""
        try:
            stream = self.get_object(number)
            if not isinstance(stream, StreamObject) or stream.get("/Type") != "/ObjStm":
                return None
            count, first = stream.get("/N"), stream.get("/First")
            if not isinstance(count, int) or not isinstance(first, int):
                return None
            data = stream.get_data()
            header = [int(token) for token in data[:first].split()]
        except (PdfReadError, ValueError, KeyError, TypeError, AssertionError):
            return None
        if len(header) != 2 * count or not 0 <= first <= len(data):
            return None
        offsets = header[1::2]
        if any(b <= a for a, b in itertools.pairwise(offsets)) or min(offsets, default=0) < 0:
            return None
        if first + max(offsets, default=0) > len(data):
            return None
        return data, dict(zip(header[0::2], (first + at for at in offsets), strict=True))
