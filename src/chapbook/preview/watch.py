"""`chapbook watch`: rebuild what a saved change affects, and keep going.
Design: docs/architecture.md, 'Watching and the preview'."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from chapbook.pipeline import NEEDS_PDF, TARGETS

DEBOUNCE_MS = 300
"""How long the watcher waits for more changes after one, to rebuild once for a burst."""
STYLE_TARGETS = {
    "epub.css": ("epub",),
    "print.css": NEEDS_PDF,
    "fonts.css": TARGETS,
    "fallbacks.css": NEEDS_PDF,
    "cover.css": ("cover",),
}
"""Which targets a stylesheet of the book's own styles folder affects (others: all)."""

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
"""Chapbook's Jinja2 templates: a change to one is seen at the next rebuild."""

Rebuild = Callable[[Sequence[str]], None]
"""Builds the given targets, printing what it did or why it failed."""


def watched_folders(manuscript: Path) -> list[Path]:
    """The folders whose files a build reads: the manuscript and the book's styles (see
    read/styles.py: beside the manuscript folder, or inside it)."""
    candidates = (manuscript, manuscript.parent / "styles")
    return [folder for folder in candidates if folder.is_dir()]


def affected(changed: Iterable[Path], targets: Sequence[str]) -> list[str]:
    """The targets, of those asked for, that the changed files affect, in TARGETS order."""
    hit: set[str] = set()
    for path in changed:
        if path.parent.name == "styles" and path.name in STYLE_TARGETS:
            hit.update(STYLE_TARGETS[path.name])
        else:
            hit.update(TARGETS)
    return [target for target in TARGETS if target in hit and target in targets]


def ignored(path: Path, skip: Sequence[Path]) -> bool:
    """A change a build does not read: inside the output or cache folders."""
    return any(path == folder or folder in path.parents for folder in skip)


def watch(
    manuscript: Path,
    targets: Sequence[str],
    rebuild: Rebuild,
    skip: Sequence[Path] = (),
    ready: Callable[[], None] | None = None,
) -> None:
    """Rebuild the affected targets after each batch of changes, until interrupted; `ready`
    hears once when the watching has begun (changes from then on are seen)."""
    from watchfiles import watch as changes  # imported only for this command

    folders = [*watched_folders(manuscript), *([TEMPLATES] if TEMPLATES.is_dir() else [])]
    resolved_skip = [folder.resolve() for folder in skip]
    batches = changes(*folders, debounce=DEBOUNCE_MS, rust_timeout=200, yield_on_timeout=True)
    for batch in batches:  # the first comes (empty, on a timeout) once the watcher is set
        if ready is not None:
            ready()
            ready = None
        paths = [Path(path).resolve() for _, path in batch]
        paths = [path for path in paths if not ignored(path, resolved_skip)]
        due = affected(paths, targets)
        if any(TEMPLATES in path.parents for path in paths):
            forget_templates()
        if due:
            rebuild(due)


def forget_templates() -> None:
    """Load the templates afresh, and key the cache by their new text."""
    from chapbook.support.cache import code_digest, program
    from chapbook.support.templating import environment

    for cached in (environment, program, code_digest):
        cached.cache_clear()


def clock() -> str:
    return time.strftime("%H:%M:%S")
