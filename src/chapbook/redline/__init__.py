"""`chapbook diff`: a redline of what changed in the book since a git revision or against an
older copy of the manuscript, as `<slug>-changes.html` and `<slug>-changes.pdf`.
Design: docs/architecture.md, 'Lint and redline'."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from chapbook.pipeline import output_path
from chapbook.redline.compare import ChapterChange, compare
from chapbook.redline.versions import against, current, since
from chapbook.support.output import check_output, output_folder, replace_all


@dataclass(frozen=True)
class Redline:
    html: Path
    pdf: Path
    compared: str
    """'since REV (commit, date)' or 'against DIR'."""
    changes: tuple[ChapterChange, ...]

    @property
    def summary(self) -> str:
        """One line: 'no changes since REV', or the chapters changed and the words."""
        count = len(self.changes)
        if not count:
            return f"no changes {self.compared}"
        added = sum(change.added for change in self.changes)
        deleted = sum(change.deleted for change in self.changes)
        chapters = f"{count} chapter{'s' if count != 1 else ''}"
        return f"{chapters} changed {self.compared}: +{added} -{deleted} words"


def write_redline(
    manuscript: Path, out: Path, revision: str | None = None, folder: Path | None = None
) -> Redline:
    """Compare the book in `manuscript` with its git `revision`, or else with the old copy
    in `folder`, and write the redline into `out` (also when nothing changed).

    Raises BookErrors if either version does not read or the revision can't be had, and
    WriteError if `out` can't be written."""
    from chapbook.redline.render import redline_html, redline_pdf  # WeasyPrint

    check_output(out, manuscript)  # before the work, not after it
    new = current(manuscript)
    if revision is not None:
        old, compared = since(manuscript, revision), "since "
    else:
        old, compared = against(folder or Path()), "against "
    compared += old.label
    changes = tuple(compare(old.chapters, new.chapters))
    page = redline_html(new.book, compared, changes)
    pdf = output_path(new.book, out, "changes")
    html = pdf.with_suffix(".html")
    files = {html: page.encode(), pdf: redline_pdf(new.book, page)}
    with output_folder(out, manuscript=manuscript):
        replace_all(files)
    return Redline(html, pdf, compared, changes)
