"""Texts made from the option table: the book.toml `chapbook init` writes, every key in it
with its default and doc, and the README's reference to the keys."""

from __future__ import annotations

import json
import textwrap

from chapbook.config.options import KIND_NAMES, OPTIONS, TABLES, Option, Table, Value

WIDTH = 100
COMMENT_COLUMN = 35
"""Where the comments beside the keys begin (0-based), unless a key's line is longer."""

HEADER = """\
# The book's settings. Lines that begin with '#' are comments: remove the '#' (and the space
# after it) before a key to use it, and before its [table] line too. The values shown in
# comments are the defaults, or examples where a key has none.
# Every key is described in Chapbook's README ("The manuscript format").
"""


def toml_value(value: Value) -> str:
    """A value as book.toml writes it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return f"[{', '.join(toml_value(item) for item in value)}]"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def book_toml(values: dict[str, Value], examples: dict[str, Value] | None = None) -> str:
    """A book.toml naming every key: those in `values` set to them (with their doc), the others
    commented out, shown with their default (or example, from `examples` first) and what
    happens without them. Keys are named as `table.key` in both dicts."""
    examples = examples or {}
    blocks = [HEADER]
    for table in TABLES:
        options = [option for option in OPTIONS if option.table == table.name]
        is_set = any(f"{option.table}.{option.key}" in values for option in options)
        lines = [commented(f"{'' if is_set else '# '}[{table.name}]", table_doc(table))]
        for option in sorted(options, key=lambda o: f"{o.table}.{o.key}" not in values):
            name = f"{option.table}.{option.key}"
            if name in values:
                lines.append(commented(f"{option.key} = {toml_value(values[name])}", option.doc))
            else:
                shown = examples.get(name, shown_value(option))
                line = f"# {option.key} = {toml_value(shown)}"
                lines.append(commented(line, "; ".join(filter(None, [unset(option), option.doc]))))
        blocks.append("\n".join(lines) + "\n")
    return "\n".join(blocks)


def table_doc(table: Table) -> str:
    """What a table is for, and which of its keys a book needs."""
    required = [o.key for o in OPTIONS if o.table == table.name and o.required]
    needs = f"{' and '.join(required)} {'is' if len(required) == 1 else 'are'} required"
    return "; ".join(filter(None, [table.doc, needs if required else ""]))


def shown_value(option: Option) -> Value:
    """The value the template shows for a key left out: its example, else its default."""
    shown = option.example if option.example is not None else option.default
    if shown is None:
        raise ValueError(f"[{option.table}] {option.key} has neither a default nor an example")
    return shown


def unset(option: Option) -> str:
    """'default: ...' when the shown value is not the default, else ''."""
    return f"default: {option.unset}" if option.unset else ""


def commented(line: str, comment: str) -> str:
    """`line` with `comment` beside it at COMMENT_COLUMN, wrapped to WIDTH under itself."""
    if not comment:
        return line
    first = f"{line:<{COMMENT_COLUMN - 2}}  # "
    return "\n".join(
        textwrap.wrap(
            comment,
            WIDTH,
            initial_indent=first,
            subsequent_indent=" " * COMMENT_COLUMN + "# ",
            break_long_words=False,
            break_on_hyphens=False,
        )
    )


def reference() -> str:
    """The README's reference to book.toml's keys: a table of keys for each book.toml table."""
    parts = []
    for table in TABLES:
        doc = table_doc(table)
        rows = [
            "| Key | Value | Default | What it does |",
            "|-----|-------|---------|--------------|",
            *(reference_row(o) for o in OPTIONS if o.table == table.name),
        ]
        parts.append(f"`[{table.name}]`{f': {doc}' if doc else ''}\n\n" + "\n".join(rows) + "\n")
    return "\n".join(parts)


def reference_row(option: Option) -> str:
    if option.required:
        default = "required"
    elif option.default is not None:
        default = f"`{toml_value(option.default)}`"
    else:
        default = option.unset or "none"
    cells = [f"`{option.key}`", KIND_NAMES[option.kind], default, option.doc]
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"
