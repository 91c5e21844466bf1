"""Preflight fails on a glyph that does not print: a character drawn with a font's .notdef
glyph (a box), or with a glyph the embedded font has no outline for (as a join that lost a
part's glyphs left them); and it reports every face drawn."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
import weasyprint
from conftest import BOOKS

from chapbook.diagnostics import BookErrors
from chapbook.pipeline import build
from chapbook.verify.preflight import preflight
from chapbook.write.print import joinfonts, parts

MELTING = "\U0001fae0"
"""U+1FAE0 MELTING FACE, which no font installed for print has."""


def test_a_notdef_glyph_is_a_fault() -> None:
    html = f'<p style="font-family: DejaVu Serif">A melting face {MELTING} here.</p>'
    report = preflight(weasyprint.HTML(string=html).write_pdf())
    assert [str(finding) for finding in report.faults] == [
        "fault: page 1: font 'DejaVu-Serif' draws U+1FAE0 MELTING FACE with its .notdef glyph"
        " (an empty box)"
    ]


def test_a_pdf_whose_glyphs_all_print_has_no_glyph_fault() -> None:
    html = '<p style="font-family: DejaVu Serif">Every glyph prints: ✓ Ωμέγα.</p>'
    assert preflight(weasyprint.HTML(string=html).write_pdf()).faults == ()


def first_subset_only(
    source: object, members: Sequence[joinfonts.Embedded], *rest: object
) -> bytes:
    """The join as it was: one part's subset embedded for the whole book."""
    return members[0].program


def test_glyphs_a_join_left_empty_are_a_fault(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Found by the build's preflight (from what the parts drew, and the joined file's fonts),
    they fail the build: no PDF is written."""
    monkeypatch.setattr(parts, "PARTS_FROM", 0)
    monkeypatch.setattr(joinfonts, "joined_program", first_subset_only)
    with pytest.raises(BookErrors) as refused:
        build(BOOKS / "print-glyphs", tmp_path, ["pdf"], jobs=2, cache=None)
    faults = [str(error) for error in refused.value.errors]
    assert faults
    assert all("the print PDF was not written: preflight:" in fault for fault in faults)
    assert all("has no outline for" in fault for fault in faults)
    assert any("'DejaVu-Sans-Mono'" in fault for fault in faults)
    assert not list(tmp_path.glob("*.pdf"))


def test_the_report_names_every_face_drawn(tmp_path: Path) -> None:
    [output] = build(BOOKS / "print-glyphs", tmp_path, ["pdf"], cache=None)
    fonts = next(line for line in output.report if line.startswith("fonts: "))
    for face in ("EB-Garamond", "DejaVu-Sans-Mono", "Noto-Serif-CJK-JP", "Symbola"):
        assert face in fonts
    assert not [line for line in output.report if line.startswith("fault:")]
