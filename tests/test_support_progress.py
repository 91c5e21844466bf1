"""Progress: what a build tells of its stages and chapters, and the bars a terminal shows."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from chapbook.pipeline import build
from chapbook.support.progress import Display
from chapbook.write.print import parts

LONG = Path(__file__).parent / "books" / "long"


class Heard:
    """A Progress that keeps what it hears: the stages with their totals, and the count
    each stage last reached."""

    def __init__(self) -> None:
        self.stages: list[tuple[str, int | None]] = []
        self.done: dict[str, int] = {}

    def stage(self, name: str, total: int | None = None) -> None:
        self.stages.append((name, total))
        self.done.setdefault(name, 0)

    def step(self, name: str, done: int | None = None) -> None:
        self.done[name] = self.done[name] + 1 if done is None else done


def test_a_build_tells_each_stage_and_chapter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parts, "PARTS_FROM", 0)  # the long book, laid out in parts
    heard = Heard()
    build(LONG, tmp_path / "dist", ["epub", "pdf"], jobs=2, progress=heard)
    chapters = len(list((LONG / "chapters").glob("*.md"))) + 2  # and a preface, an afterword
    assert heard.stages == [
        ("reading", chapters),
        ("pdf", None),
        ("pdf", chapters),  # a part per chapter from the body on, and the front (the preface)
        ("join", None),
        ("epub", None),
        ("preflight", None),
    ]
    assert heard.done["reading"] == chapters
    assert heard.done["pdf"] == chapters


def test_a_cached_build_counts_its_chapters_read(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    build(LONG, tmp_path / "first", ["epub"], cache=cache)
    heard = Heard()
    build(LONG, tmp_path / "again", ["epub"], cache=cache, progress=heard)
    assert heard.stages == [("reading", 12), ("epub", None)]
    assert heard.done["reading"] == 12


def test_the_display_shows_bars_and_counts(tmp_path: Path) -> None:
    screen = io.StringIO()
    with Display(delay=0, file=screen) as display:
        build(LONG, tmp_path / "dist", ["epub", "pdf"], progress=display)
    shown = screen.getvalue()
    for stage in ("reading", "pdf", "epub", "preflight"):
        assert stage in shown
    assert "12/12" in shown
    assert "\x1b[" in shown  # drawn as on a terminal, then cleared
