"""Footnotes in print (issue 16, finding 9): a chapter with thousands of notes against the same
text without notes, both built into the print PDF with `build.py pdf --jobs 1`.

    .venv/bin/python bench/footnotes.py                    # 500, 1,000, 2,000 and 5,000 notes
    .venv/bin/python bench/footnotes.py --notes 1000 --shape short one-paragraph

Each case is a book generated deterministically (seeded, made-up words, bounds.py's Prose):

- `notes`: one chapter of N notes, in one of three shapes: `short`, the issue's case, one
  paragraph of `Word n.` each with its note `Note n.` (about 32 notes to an A5 page);
  `one-paragraph`, N made-up sentences in one paragraph, each with a note of one sentence
  (about 15 to a page); `paragraphs`, the same ten sentences a paragraph;
- `plain`: the same chapter with the calls taken out and each note's text set as a
  paragraph after the text: the same words, no notes.

Each is built in a fresh process (cache off), and the table gives its wall and CPU time
(getrusage of the child), peak memory and pages, and for `notes` the ratios to `plain`:
time per page is what must stay flat for the layout to be in proportion to its pages.
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pypdf

ROOT = Path(__file__).resolve().parent.parent
SEED = 16
"""The seed of the generated text: issue 16."""
SENTENCES_A_PARAGRAPH = 10
SHAPES = ("short", "one-paragraph", "paragraphs")


def load_bounds() -> ModuleType:
    """bench/bounds.py, for its Prose and its book writer."""
    spec = importlib.util.spec_from_file_location("bench_bounds", ROOT / "bench" / "bounds.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


bounds = load_bounds()


def chapters(notes: int, shape: str) -> tuple[str, str]:
    """The chapter with `notes` notes in `shape`, and the same words without notes."""
    if shape == "short":
        return short_notes(notes)
    prose = bounds.Prose(SEED)
    sentences = [prose.sentence() for _ in range(notes)]
    remarks = [prose.sentence() for _ in range(notes)]
    per = notes if shape == "one-paragraph" else SENTENCES_A_PARAGRAPH
    called = [f"{sentence}[^{n}]" for n, sentence in enumerate(sentences, 1)]
    text = "\n\n".join(" ".join(called[i : i + per]) for i in range(0, notes, per))
    definitions = "\n".join(f"[^{n}]: {remark}" for n, remark in enumerate(remarks, 1))
    plain_text = "\n\n".join(" ".join(sentences[i : i + per]) for i in range(0, notes, per))
    with_notes = f"# Notes\n\n{text}\n\n{definitions}\n"
    without = "# Notes\n\n" + plain_text + "\n\n" + "\n\n".join(remarks) + "\n"
    return with_notes, without


def short_notes(notes: int) -> tuple[str, str]:
    """The issue's case: one paragraph of `Word n.` each with a note `Note n.` (about 32
    notes to a page), and the same words without notes."""
    body = " ".join(f"Word {n}.[^{n}]" for n in range(1, notes + 1))
    definitions = "\n".join(f"[^{n}]: Note {n}." for n in range(1, notes + 1))
    plain = " ".join(f"Word {n}." for n in range(1, notes + 1))
    remarks = "\n\n".join(f"Note {n}." for n in range(1, notes + 1))
    return f"# Notes\n\n{body}\n\n{definitions}\n", f"# Notes\n\n{plain}\n\n{remarks}\n"


@dataclass(frozen=True)
class Run:
    wall: float
    cpu: float
    peak_mb: float
    pages: int | None
    outcome: str


MEASURED = """
import resource, subprocess, sys
result = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
use = resource.getrusage(resource.RUSAGE_CHILDREN)
print(result.returncode, use.ru_utime + use.ru_stime, use.ru_maxrss)
"""
"""Runs its arguments as its only child and prints its exit status, CPU seconds and peak KB."""


def measure(manuscript: Path, out: Path, timeout: float) -> Run:
    """Build the PDF of `manuscript` in a process of its own; what it took."""
    command = [sys.executable, str(ROOT / "build.py"), "-q", "--no-cache", "--jobs", "1"]
    command += ["-m", str(manuscript), "-o", str(out), "pdf"]
    start = time.monotonic()
    try:
        result = subprocess.run(
            [sys.executable, "-c", MEASURED, *command],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return Run(time.monotonic() - start, 0.0, 0.0, None, "timeout")
    wall = time.monotonic() - start
    status, cpu, peak = result.stdout.split()
    pdfs = list(out.glob("*.pdf"))
    pages = len(pypdf.PdfReader(io.BytesIO(pdfs[0].read_bytes())).pages) if pdfs else None
    outcome = "ok" if status == "0" else f"exit {status}"
    return Run(wall, float(cpu), int(peak) / 1024, pages, outcome)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, nargs="*", default=[500, 1000, 2000, 5000])
    parser.add_argument("--shape", choices=SHAPES, nargs="*", default=list(SHAPES))
    parser.add_argument("--timeout", type=float, default=600)
    args = parser.parse_args()
    shapes = args.shape
    print(
        "| notes | shape | case | outcome | wall s | CPU s | peak MB | pages | CPU s/page "
        "| x plain (CPU) | x plain (s/page) |"
    )
    print("|---:|---|---|---|---:|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory(prefix="chapbook-footnotes-") as folder:
        base = Path(folder)
        for notes in args.notes:
            for shape in shapes:
                texts = chapters(notes, shape)
                runs: dict[str, Run] = {}
                for case, text in zip(("plain", "notes"), (texts[1], texts[0]), strict=True):
                    book = bounds.write_book(
                        base / f"{notes}-{shape}-{case}", f"Footnotes {case}", {"01-notes.md": text}
                    )
                    runs[case] = measure(book, base / f"out-{notes}-{shape}-{case}", args.timeout)
                    print(row(notes, shape, case, runs[case], runs.get("plain")), flush=True)
    return 0


def row(notes: int, shape: str, case: str, run: Run, plain: Run | None) -> str:
    per_page = run.cpu / run.pages if run.pages else None
    ratios = ["", ""]
    if case == "notes" and plain is not None and plain.pages and per_page is not None:
        ratios = [f"{run.cpu / plain.cpu:.2f}", f"{per_page / (plain.cpu / plain.pages):.2f}"]
    cells = [
        f"{notes:,}", shape, case, run.outcome, f"{run.wall:.1f}", f"{run.cpu:.1f}",
        f"{run.peak_mb:.0f}", "-" if run.pages is None else str(run.pages),
        "-" if per_page is None else f"{per_page:.3f}", *ratios,
    ]  # fmt: skip
    return "| " + " | ".join(cells) + " |"


if __name__ == "__main__":
    raise SystemExit(main())
