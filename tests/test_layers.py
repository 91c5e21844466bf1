"""The tree reads like the pipeline: every import in `src/chapbook` goes down the layers
(docs/architecture.md), none goes up, and no two modules import each other, even from
inside a function."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parents[1] / "src"

LAYERS = (
    ("cli",),
    ("commands",),
    ("preview",),
    ("lint", "redline"),
    ("pipeline",),
    ("write",),
    ("verify",),
    ("read",),
    ("config",),
    ("support",),
    ("model",),
    ("diagnostics",),
)
"""Top to bottom: a module imports only from its own package or from a layer below it. The
packages of one layer do not import each other."""

SKIPS = {"write": ("read", "config"), "verify": ("read", "config", "write")}
"""Layers a package must not reach although they lie below it: writers take a `Book`, never
the manuscript or its configuration."""


def module_name(path: Path) -> str:
    parts = path.relative_to(SOURCE).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path) -> Iterator[tuple[str, int]]:
    """Each Chapbook module `path` imports (from anywhere in it), with the line."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        for target in targets:
            if target.startswith("chapbook.") and known(target):
                yield target, node.lineno


def known(target: str) -> bool:
    path = SOURCE.joinpath(*target.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def stage(module: str) -> str:
    """The top package (or module) of `chapbook` a module belongs to."""
    return module.split(".")[1] if module.count(".") else ""


def layer(top: str) -> int:
    for index, names in enumerate(LAYERS):
        if top in names:
            return index
    raise AssertionError(f"chapbook.{top} is in no layer: add it to LAYERS")


def graph() -> dict[str, list[tuple[str, int]]]:
    modules = sorted(SOURCE.joinpath("chapbook").rglob("*.py"))
    return {module_name(path): list(imported(path)) for path in modules}


def test_every_import_goes_down_the_layers() -> None:
    wrong = []
    for module, targets in graph().items():
        here = stage(module)
        if not here:
            continue
        for target, line in targets:
            there = stage(target)
            if not there or there == here:
                continue
            if layer(there) <= layer(here) or there in SKIPS.get(here, ()):
                wrong.append(f"{module}:{line} imports {target}")
    assert wrong == []


def test_no_import_cycle() -> None:
    imports = graph()
    edges = {
        module: {target for target, _ in targets if target in imports}
        for module, targets in imports.items()
    }
    cycles = []
    state: dict[str, int] = {}

    def visit(module: str, trail: list[str]) -> None:
        state[module] = 1
        for target in sorted(edges.get(module, ())):
            if state.get(target) == 1:
                cycles.append(" -> ".join([*trail[trail.index(target) :], target]))
            elif target not in state:
                visit(target, [*trail, target])
        state[module] = 2

    for module in sorted(edges):
        if module not in state:
            visit(module, [module])
    assert cycles == []


@pytest.mark.parametrize("module", ["chapbook.cli", "chapbook.write.print.pdf"])
def test_the_walk_sees_imports(module: str) -> None:
    """The test reads imports at all: each of these modules imports others."""
    assert graph()[module]
