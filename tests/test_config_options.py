"""The table of book.toml's options: the settings' defaults, the template `init` writes and
the README's reference to the keys all agree with it."""

from __future__ import annotations

import dataclasses
import os
import re
import tomllib
from datetime import date
from pathlib import Path

import pytest

from chapbook.commands.scaffold import book_toml
from chapbook.config.load import BookTable, BuildTable, CheckTable, ContentsTable, load_config
from chapbook.config.options import OPTIONS, SCHEMA, TABLES, Option
from chapbook.config.template import reference, toml_value
from chapbook.model.book import BookletSettings, EpubSettings, PrintSettings

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
BEGIN = "<!-- book.toml keys: made from src/chapbook/config/options.py, do not edit by hand -->\n"
END = "<!-- book.toml keys: end -->\n"

SETTINGS: dict[str, type] = {
    "book": BookTable,
    "contents": ContentsTable,
    "print": PrintSettings,
    "booklet": BookletSettings,
    "epub": EpubSettings,
    "build": BuildTable,
    "check": CheckTable,
}
"""The dataclass each table is read into."""


def attribute(option: Option) -> str:
    """The field of the table's dataclass that holds the key's value."""
    if option.key.startswith("margin-"):
        return "margins"
    fields = {f.name for f in dataclasses.fields(SETTINGS[option.table])}
    name = option.key.replace("-", "_")
    return name if name in fields else f"{name}_mm"


def minimal(tmp_path: Path) -> Path:
    path = tmp_path / "book.toml"
    path.write_text('[book]\ntitle = "T"\nlanguage = "en"\n[contents]\n', encoding="utf-8")
    return path


def test_every_key_has_a_field_of_its_tables_dataclass() -> None:
    for option in OPTIONS:
        fields = {f.name for f in dataclasses.fields(SETTINGS[option.table])}
        assert attribute(option) in fields, f"[{option.table}] {option.key}"
    assert [table.name for table in TABLES] == list(SETTINGS)


def test_the_settings_defaults_are_the_tables(tmp_path: Path) -> None:
    """What book.toml leaves out is the option's default, and the model's dataclasses (which
    may not import config) have the same defaults."""
    config = load_config(minimal(tmp_path), "book.toml")
    loaded = {
        "book": config.book,
        "contents": config.contents,
        "print": config.print,
        "booklet": config.booklet,
        "epub": config.epub,
        "build": config.build,
        "check": config.check,
    }
    assert config.print == PrintSettings(config.print.trim, config.print.margins)
    assert config.booklet == BookletSettings()
    assert config.epub == EpubSettings()
    assert (config.build, config.check, config.contents) == (
        BuildTable(),
        CheckTable(),
        ContentsTable(),
    )
    assert config.book == BookTable("T", "en")
    for option in OPTIONS:
        if option.required or option.key in ("trim", "paper", "variant"):
            continue  # their defaults are read on: a PageSize, a thickness, None for 'none'
        value = getattr(loaded[option.table], attribute(option))
        if option.default is not None:
            assert value == option.value, f"[{option.table}] {option.key}"
        field = next(
            f for f in dataclasses.fields(SETTINGS[option.table]) if f.name == attribute(option)
        )
        if field.default is not dataclasses.MISSING:
            assert field.default == option.value, f"[{option.table}] {option.key}"


def test_the_worked_out_defaults_follow_the_table(tmp_path: Path) -> None:
    config = load_config(minimal(tmp_path), "book.toml").print
    assert (config.trim.name, config.variant, config.paper_mm) == ("A5", None, 0.0572)
    assert [SCHEMA["print"][key].default for key in ("trim", "variant", "paper")] == [
        "A5",
        "none",
        "white",
    ]


def test_every_key_has_a_doc_or_a_default_in_words_and_a_value_to_show() -> None:
    for option in OPTIONS:
        name = f"[{option.table}] {option.key}"
        assert option.example is not None or option.default is not None, name
        assert "\n" not in option.doc, name
        if option.default is None and not option.required:
            assert option.unset or option.doc, name
        for value in (option.example, option.default):
            if value is not None:
                shown = tomllib.loads(f"x = {toml_value(value)}")["x"]
                assert shown == (list(value) if isinstance(value, tuple) else value), name


def test_the_template_names_every_key_once_with_its_doc() -> None:
    text = book_toml("A Book", date(2026, 1, 31))
    assert tomllib.loads(text)["book"] == {
        "title": "A Book",
        "language": "en",
        "date": "2026-01-31",
    }
    for table in TABLES:
        assert len(re.findall(rf"^(# )?\[{table.name}\]", text, re.MULTILINE)) == 1
    for option in OPTIONS:
        lines = re.findall(rf"^(?:# )?{option.key} = .*", text, re.MULTILINE)
        assert len(lines) == (2 if option.key in ("isbn", "marks") else 1), option.key
    assert all(len(line) <= 100 for line in text.splitlines())


def test_the_template_shows_defaults_and_says_what_the_others_do() -> None:
    text = book_toml("A Book", date(2026, 1, 31))
    assert '# bleed = "0mm"                    # the sheet grows by it' in text
    assert '# duplex = "short-edge"            # short-edge, long-edge or manual\n' in text
    assert '# subtitle = "A Subtitle"          # default: none\n' in text
    assert (
        '# margin-top = "16mm"              # default: 7.6% of the trim\'s height (A5: 16mm)\n'
        in text
    )


def test_the_readme_reference_is_made_from_the_table() -> None:
    """CHAPBOOK_REGENERATE=1 writes the README's reference anew instead."""
    text = README.read_text(encoding="utf-8")
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    made = reference() + "\n"
    if os.environ.get("CHAPBOOK_REGENERATE") and text[start:end] != made:
        README.write_text(text[:start] + made + text[end:], encoding="utf-8")
    assert text[start:end] == made or os.environ.get("CHAPBOOK_REGENERATE")


@pytest.mark.parametrize("option", OPTIONS, ids=lambda o: f"{o.table}.{o.key}")
def test_the_readme_documents_each_key_with_its_default(option: Option) -> None:
    section = README.read_text(encoding="utf-8").split(BEGIN)[1].split(END)[0]
    table = section.split(f"`[{option.table}]`")[1].split("\n`[")[0]
    row = next(line for line in table.splitlines() if line.startswith(f"| `{option.key}` |"))
    default = (
        "required"
        if option.required
        else f"`{toml_value(option.default)}`"
        if option.default is not None
        else option.unset or "none"
    )
    assert f"| {default} |" in row
