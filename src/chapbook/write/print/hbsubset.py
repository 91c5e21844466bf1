"""Cut a font down to some of its glyphs, each keeping its number, with HarfBuzz's subsetter
(`subset_by_id`, through cffi as WeasyPrint calls it; None where it is missing or fails).
Design: docs/architecture.md, 'Joining'."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

from cffi import FFI  # type: ignore[import-untyped]

DECLARATIONS = """
typedef struct hb_blob_t hb_blob_t;
typedef struct hb_face_t hb_face_t;
typedef struct hb_set_t hb_set_t;
typedef struct hb_subset_input_t hb_subset_input_t;
hb_blob_t *hb_blob_create(const char *data, unsigned int length, int mode,
                          void *user_data, void *destroy);
void hb_blob_destroy(hb_blob_t *blob);
const char *hb_blob_get_data(hb_blob_t *blob, unsigned int *length);
hb_face_t *hb_face_create(hb_blob_t *blob, unsigned int index);
void hb_face_destroy(hb_face_t *face);
hb_blob_t *hb_face_reference_blob(hb_face_t *face);
unsigned int hb_face_get_glyph_count(const hb_face_t *face);
void hb_set_add(hb_set_t *set, uint32_t codepoint);
hb_subset_input_t *hb_subset_input_create_or_fail(void);
void hb_subset_input_destroy(hb_subset_input_t *input);
hb_set_t *hb_subset_input_glyph_set(hb_subset_input_t *input);
hb_set_t *hb_subset_input_set(hb_subset_input_t *input, int set_type);
void hb_subset_input_set_flags(hb_subset_input_t *input, unsigned value);
hb_face_t *hb_subset_or_fail(hb_face_t *source, const hb_subset_input_t *input);
"""
LIBRARIES = ("libharfbuzz-subset.so.0", "libharfbuzz-subset.0.dylib", "harfbuzz-subset")
MEMORY_READONLY = 1
NO_HINTING, RETAIN_GIDS, DESUBROUTINIZE = 0x1, 0x2, 0x4
PASSTHROUGH_UNRECOGNIZED, NOTDEF_OUTLINE = 0x20, 0x40
FLAGS = NO_HINTING | RETAIN_GIDS | DESUBROUTINIZE | PASSTHROUGH_UNRECOGNIZED | NOTDEF_OUTLINE
"""As WeasyPrint subsets a font for a PDF: glyph numbers kept, no hinting, CFF charstrings
without subroutines, tables it does not know kept, and a visible .notdef."""
DROP_TABLE_TAG = 3
DROPPED = (
    *(b"BASE", b"DSIG", b"EBDT", b"EBLC", b"EBSC", b"GPOS", b"GSUB", b"JSTF", b"LTSH"),
    *(b"PCLT", b"SVG ", b"FFTM"),
)
"""Tables a PDF's text does not use (WeasyPrint's list, and FontForge's stamp)."""


@functools.lru_cache(maxsize=1)
def library() -> tuple[Any, Any] | None:
    """cffi's FFI and HarfBuzz's subset library (which brings HarfBuzz's own functions);
    None if it cannot be loaded."""
    ffi = FFI()
    ffi.cdef(DECLARATIONS)
    for name in LIBRARIES:
        try:
            return ffi, ffi.dlopen(name)
        except OSError:
            continue
    return None


def subset_by_id(data: bytes, glyphs: Iterable[int], index: int = 0) -> bytes | None:
    """The font `index` of `data` (a font file or a collection) cut down to `glyphs` and
    .notdef, each glyph keeping its number; None if HarfBuzz can't do it."""
    loaded = library()
    if loaded is None:
        return None
    ffi, hb = loaded
    kept = ffi.from_buffer(data)
    blob = hb.hb_blob_create(kept, len(data), MEMORY_READONLY, ffi.NULL, ffi.NULL)
    face = hb.hb_face_create(blob, index)
    subset_input = hb.hb_subset_input_create_or_fail()
    try:
        if subset_input == ffi.NULL or hb.hb_face_get_glyph_count(face) == 0:
            return None
        chosen = hb.hb_subset_input_glyph_set(subset_input)
        for glyph in {0, *glyphs}:
            hb.hb_set_add(chosen, glyph)
        dropped = hb.hb_subset_input_set(subset_input, DROP_TABLE_TAG)
        for tag in DROPPED:
            hb.hb_set_add(dropped, int.from_bytes(tag, "big"))
        hb.hb_subset_input_set_flags(subset_input, FLAGS)
        return face_bytes(ffi, hb, hb.hb_subset_or_fail(face, subset_input))
    finally:
        if subset_input != ffi.NULL:
            hb.hb_subset_input_destroy(subset_input)
        hb.hb_face_destroy(face)
        hb.hb_blob_destroy(blob)


def face_bytes(ffi: Any, hb: Any, face: Any) -> bytes | None:
    """The font file of a subset face (None: the subsetting failed), the face destroyed."""
    if face == ffi.NULL:
        return None
    try:
        blob = hb.hb_face_reference_blob(face)
        length = ffi.new("unsigned int *")
        pointer = hb.hb_blob_get_data(blob, length)
        data = None if pointer == ffi.NULL else bytes(ffi.unpack(pointer, int(length[0])))
        hb.hb_blob_destroy(blob)
        return data or None
    finally:
        hb.hb_face_destroy(face)
