"""Diagnostics and their codes: each code documented, used and stable, each Diagnostic made
with its code where the problem is found, a code's letter its severity; broken books give
their codes and columns through `build --json` and `check`."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from chapbook.cli import main
from chapbook.diagnostics import CODES, Diagnostic

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "chapbook"
ERRORS = ROOT / "tests" / "books" / "errors"
OTHERS = ("config.py", "config", "commands/scaffold.py", "commands/init.py", "commands/new.py")
"""What another part of the work gives its codes (book.toml's, the scaffolding's)."""
STABLE = {
    **{f"E{n}": "" for n in range(100, 114)},
    **{f"W{n}": "" for n in range(200, 213)},
}
"""The codes the lint had before codes were given where problems are found."""


def sources() -> list[Path]:
    return sorted(SRC.rglob("*.py"))


def is_others(path: Path) -> bool:
    relative = path.relative_to(SRC).as_posix()
    return any(relative == other or relative.startswith(other + "/") for other in OTHERS)


def diagnostic_calls(path: Path) -> list[ast.Call]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "Diagnostic"
    ]


def test_codes_are_unique_well_formed_and_documented() -> None:
    text = (SRC / "diagnostics.py").read_text(encoding="utf-8")
    written = re.findall(r'^    "([EW]\d{3})":', text, re.MULTILINE)
    assert len(written) == len(set(written)) == len(CODES)
    for code, what in CODES.items():
        assert re.fullmatch(r"E1\d\d|W2\d\d", code) and what.strip()


def test_the_codes_of_before_keep_their_numbers() -> None:
    assert set(STABLE) <= set(CODES)
    assert CODES["E101"] == "a link to a file that is not a chapter of the book"
    assert CODES["E107"] == "an ISBN with a bad checksum"
    assert CODES["W207"] == "a doubled word ('the the')"
    assert CODES["W212"] == "a footnote that nothing refers to"


def test_every_code_is_used_in_src() -> None:
    """Each code appears as a string in src outside the table (E100 and W200 are what a
    Diagnostic made without a code gets)."""
    table = (SRC / "diagnostics.py").read_text(encoding="utf-8").split("CODES: dict")[0]
    used = set(re.findall(r'"([EW]\d{3})"', table))
    for path in sources():
        if path.name != "diagnostics.py":
            used |= set(re.findall(r'"([EW]\d{3})"', path.read_text(encoding="utf-8")))
    assert set(CODES) - used == set()


def test_every_diagnostic_made_in_src_has_its_code() -> None:
    missing = [
        f"{path.relative_to(ROOT)}:{call.lineno}"
        for path in sources()
        if not is_others(path) and path.name != "diagnostics.py"
        for call in diagnostic_calls(path)
        if not any(keyword.arg == "code" for keyword in call.keywords)
    ]
    assert missing == []


def test_the_reader_is_told_each_problem_with_its_code() -> None:
    calls = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path in sources()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("error", "warn")
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "reader"
        and not any(keyword.arg == "code" for keyword in node.keywords)
    ]
    assert calls == []


def test_a_codes_letter_is_its_severity() -> None:
    assert Diagnostic("a.md", "m", code="W213").warning is True
    assert Diagnostic("a.md", "m", code="W213", warning=True).severity == "warning"
    assert Diagnostic("a.md", "m", code="E114").warning is False
    assert Diagnostic("a.md", "m", code="E114").severity == "error"
    assert Diagnostic("a.md", "m").code == "E100"
    assert Diagnostic("a.md", "m", warning=True).code == "W200"
    with pytest.raises(ValueError):
        Diagnostic("a.md", "m", code="E114", warning=True)


def test_a_code_does_not_change_how_the_build_prints_it() -> None:
    assert str(Diagnostic("a.md", "gone", 3, code="E102", column=7)) == "a.md:3: gone"
    warning = Diagnostic("a.md", "removed", 5, code="W213", column=1)
    assert str(warning) == "a.md:5: warning: removed"


def build_json(capsys: pytest.CaptureFixture[str], book: str, tmp_path: Path) -> dict[str, object]:
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(ROOT)
        main(["epub", "--json", "-m", f"tests/books/errors/{book}", "-o", str(tmp_path)])
    summary: dict[str, object] = json.loads(capsys.readouterr().out)
    return summary


@pytest.mark.parametrize(
    ("book", "expected"),
    [
        ("missing-image", [("E102", 7, 12)]),
        ("css-import", [("E126", 2, None)]),
    ],
)
def test_a_broken_book_gives_its_codes_and_columns_through_json(
    book: str,
    expected: list[tuple[str, int, int | None]],
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    summary = build_json(capsys, book, tmp_path)
    errors = summary["errors"]
    assert isinstance(errors, list)
    assert [(e["code"], e["line"], e["column"]) for e in errors] == expected


def test_check_gives_the_codes_and_columns_the_reader_made(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(ERRORS)
        status = main(["check", "-m", "missing-image", "--no-cache", "--json"])
    findings = json.loads(capsys.readouterr().out)
    assert status == 1
    assert [(f["code"], f["line"], f["column"]) for f in findings if f["code"] == "E102"] == [
        ("E102", 7, 12)
    ]


def test_check_codes_lists_every_code(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--codes"]) == 0
    listed = [line.split()[0] for line in capsys.readouterr().out.splitlines()]
    assert listed == list(CODES)
