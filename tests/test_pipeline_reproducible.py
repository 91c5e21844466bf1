"""Same input, same bytes: every output of a whole build, twice, in two folders."""

from __future__ import annotations

from pathlib import Path

from conftest import BOOKS

from chapbook.pipeline import build


def test_two_builds_give_byte_identical_outputs(tmp_path: Path) -> None:
    def outputs(folder: str) -> dict[str, bytes]:
        built = build(BOOKS / "features", tmp_path / folder)
        return {output.path.name: output.path.read_bytes() for output in built}

    first, second = outputs("one"), outputs("two")
    assert sorted(first) == [
        "every-feature-booklet.pdf",
        "every-feature-cover.pdf",
        "every-feature.epub",
        "every-feature.pdf",
    ]
    assert [name for name in first if first[name] != second[name]] == []
    assert all(len(data) > 5000 for data in first.values())
