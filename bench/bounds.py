"""Resource bounds (issue 8): hostile books built with `build.py`, timed and weighed.

    .venv/bin/python bench/bounds.py                      # every case, EPUB then PDF
    .venv/bin/python bench/bounds.py --quick              # smaller sizes, same shapes
    .venv/bin/python bench/bounds.py --case deep-list --target epub

Each case is a book generated deterministically (seeded, original words) into a temporary
folder:

- `big-chapter`: one chapter of 5 MB of plain prose (paragraphs of 40 to 160 words);
- `many-chapters`: 500 short chapters, all listed in book.toml;
- `big-table`: one chapter holding a Markdown table of 10,000 rows and 4 columns;
- `deep-list`: one chapter holding a list nested 100 levels deep (4 spaces a level).

Each is built separately for the EPUB and for the PDF, each build in a fresh measuring
process that runs `build.py` as its only child, with a hard timeout, and reports the
child's wall time and peak resident memory (`getrusage(RUSAGE_CHILDREN).ru_maxrss`). The
reference, measured in the same run: WeasyPrint alone (its Python API, in a subprocess)
on one plain HTML document of the big chapter's text, so that the figures can be read as
ratios on a noisy machine.
"""

from __future__ import annotations

import argparse
import html
import io
import json
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build.py"
TARGETS = ("epub", "pdf")
SEED = 8
"""The seed of every generated text: issue 8."""


@dataclass(frozen=True)
class Sizes:
    chapter_bytes: int
    chapters: int
    rows: int
    depth: int


FULL = Sizes(chapter_bytes=5_000_000, chapters=500, rows=10_000, depth=100)
QUICK = Sizes(chapter_bytes=500_000, chapters=50, rows=1_000, depth=100)


# --- the text ---------------------------------------------------------------------------

SYLLABLES = (  # noqa: SIM905 (easier to read as one string)
    "ba be bi bo bu da de di do du fa fe fi fo ga ge go ka ke ki ko la le li lo lu ma me mi "
    "mo mu na ne ni no nu pa pe pi po ra re ri ro ru sa se si so su ta te ti to tu va ve vi "
    "vo za zo an en in on ar er or al el il ol ast est ist orn ith ath eth und and end ing "
    "ver tor mar sil bran dor wen thal cor mer lin"
).split()
SMALL_WORDS = (  # noqa: SIM905
    "a an the of to in on at by for with from and but or so as if it its he she they we "
    "you his her their our was were is are had has have not no all some one two this that"
).split()


class Prose:
    """Seeded, original words in sentences and paragraphs of realistic length."""

    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)
        self.lexicon = [self.make_word() for _ in range(4000)]

    def make_word(self) -> str:
        count = self.random.choices((1, 2, 3, 4), weights=(3, 5, 3, 1))[0]
        return "".join(self.random.choice(SYLLABLES) for _ in range(count))

    def word(self) -> str:
        if self.random.random() < 0.4:
            return self.random.choice(SMALL_WORDS)
        # a few frequent words and a long tail, as in real prose
        return self.lexicon[min(int(self.random.paretovariate(0.6)) - 1, len(self.lexicon) - 1)]

    def words(self, count: int) -> str:
        return " ".join(self.word() for _ in range(count))

    def sentence(self) -> str:
        words = [self.word() for _ in range(self.random.randint(6, 24))]
        if len(words) > 10 and self.random.random() < 0.4:
            words[self.random.randint(3, len(words) - 4)] += ","
        text = " ".join(words)
        return text[0].upper() + text[1:] + self.random.choice("....?!")

    def paragraph(self) -> str:
        """40 to 160 words or so, in whole sentences."""
        target = self.random.randint(40, 160)
        sentences: list[str] = []
        count = 0
        while count < target:
            sentences.append(self.sentence())
            count += sentences[-1].count(" ") + 1
        return " ".join(sentences)

    def paragraphs(self, size: int) -> list[str]:
        """Paragraphs adding up to about `size` bytes (with their blank lines)."""
        made: list[str] = []
        total = 0
        while total < size:
            made.append(self.paragraph())
            total += len(made[-1].encode()) + 2
        return made

    def title(self) -> str:
        return " ".join(self.make_word().capitalize() for _ in range(self.random.randint(1, 3)))


# --- the books --------------------------------------------------------------------------


def book_toml(title: str, chapters: Sequence[str]) -> str:
    listed = "".join(f'    "{name}",\n' for name in chapters)
    return (
        f'[book]\ntitle = "{title}"\nlanguage = "en"\ndate = "2026-11-28"\n'
        f"\n[contents]\nchapters = [\n{listed}]\n"
    )


def write_book(folder: Path, title: str, chapters: dict[str, str]) -> Path:
    """A manuscript folder with `chapters` (file name -> Markdown) in that order."""
    (folder / "chapters").mkdir(parents=True, exist_ok=True)
    names = []
    for name, text in chapters.items():
        (folder / "chapters" / name).write_text(text, encoding="utf-8")
        names.append(f"chapters/{name}")
    (folder / "book.toml").write_text(book_toml(title, names), encoding="utf-8")
    return folder


def big_chapter_text(size: int) -> str:
    prose = Prose(SEED)
    return "# The Long Chapter\n\n" + "\n\n".join(prose.paragraphs(size)) + "\n"


def big_chapter(folder: Path, sizes: Sizes) -> Path:
    return write_book(
        folder, "Bounds: a Big Chapter", {"01-long.md": big_chapter_text(sizes.chapter_bytes)}
    )


def many_chapters(folder: Path, sizes: Sizes) -> Path:
    prose = Prose(SEED)
    chapters = {}
    width = len(str(sizes.chapters))
    for number in range(1, sizes.chapters + 1):
        body = "\n\n".join(prose.paragraph() for _ in range(prose.random.randint(2, 4)))
        chapters[f"{number:0{width}}-chapter.md"] = f"# {prose.title()}\n\n{body}\n"
    return write_book(folder, "Bounds: Many Chapters", chapters)


def table_text(rows: int) -> str:
    prose = Prose(SEED)
    lines = [
        "# The Long Table",
        "",
        prose.sentence(),
        "",
        "| No. | Name | Place | Weight |",
        "|----:|------|-------|-------:|",
    ]
    for number in range(1, rows + 1):
        name, place = prose.title(), prose.words(prose.random.randint(1, 4))
        weight = f"{prose.random.uniform(0, 1000):.2f}"
        lines.append(f"| {number} | {name} | {place} | {weight} |")
    return "\n".join([*lines, "", prose.paragraph(), ""])


def big_table(folder: Path, sizes: Sizes) -> Path:
    return write_book(folder, "Bounds: a Big Table", {"01-table.md": table_text(sizes.rows)})


def deep_list_text(depth: int) -> str:
    """A bullet list nested `depth` levels deep, each level indented 4 spaces more."""
    prose = Prose(SEED)
    lines = ["# The Deep List", "", prose.sentence(), ""]
    for level in range(depth):
        lines += [f"{'    ' * level}- Level {level + 1}: {prose.words(4)}", ""]
    return "\n".join([*lines, prose.paragraph(), ""])


def deep_list(folder: Path, sizes: Sizes) -> Path:
    return write_book(folder, "Bounds: a Deep List", {"01-list.md": deep_list_text(sizes.depth)})


CASES: dict[str, Callable[[Path, Sizes], Path]] = {
    "big-chapter": big_chapter,
    "many-chapters": many_chapters,
    "big-table": big_table,
    "deep-list": deep_list,
}


def describe(case: str, sizes: Sizes) -> str:
    return {
        "big-chapter": f"one chapter of {sizes.chapter_bytes / 1e6:g} MB of prose",
        "many-chapters": f"{sizes.chapters} short chapters",
        "big-table": f"a table of {sizes.rows:,} rows x 4 columns",
        "deep-list": f"a list nested {sizes.depth} levels deep",
    }[case]


def reference_html(size: int) -> str:
    """The big chapter's text as one plain HTML document (A5 pages, no other style)."""
    text = big_chapter_text(size)
    paragraphs = text.split("\n\n")[1:]
    body = "\n".join(f"<p>{html.escape(p.strip())}</p>" for p in paragraphs)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Reference</title>'
        f"<style>@page {{ size: A5 }}</style></head><body><h1>The Long Chapter</h1>\n{body}\n"
        "</body></html>\n"
    )


REFERENCE_SCRIPT = (
    "import sys, weasyprint; weasyprint.HTML(filename=sys.argv[1]).write_pdf(sys.argv[2])"
)


# --- measuring --------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    returncode: int | None
    """None on a timeout; negative when killed by a signal."""
    seconds: float
    """Wall time."""
    cpu: float
    """User and system CPU time: less moved than wall time by what else the machine runs."""
    peak_kb: int
    stdout: str
    stderr: str

    @property
    def timed_out(self) -> bool:
        return self.returncode is None


def measure_child(
    command: Sequence[str], timeout: float, out: Path, err: Path
) -> dict[str, object]:
    """In the measuring process: run `command` as its only child, killed (with its process
    group) after `timeout` seconds; its status, wall and CPU time and peak RSS."""
    with out.open("wb") as stdout, err.open("wb") as stderr:
        start = time.perf_counter()
        child = subprocess.Popen(
            command, stdout=stdout, stderr=stderr, stdin=subprocess.DEVNULL, start_new_session=True
        )
        try:
            returncode: int | None = child.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()
            returncode = None
        seconds = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = usage.ru_utime + usage.ru_stime
    peak_kb = usage.ru_maxrss  # KB on Linux
    return {"returncode": returncode, "seconds": seconds, "cpu": cpu, "peak_kb": peak_kb}


def measure(command: Sequence[str], timeout: float, folder: Path, cwd: Path = ROOT) -> Run:
    """Run `command` under a fresh measuring process (so that RUSAGE_CHILDREN holds this
    command alone); what it printed is kept in `folder`."""
    out, err = folder / "stdout.txt", folder / "stderr.txt"
    measurer = [sys.executable, str(Path(__file__).resolve()), "--measure", str(timeout),
                str(out), str(err), "--", *command]  # fmt: skip
    result = subprocess.run(
        measurer, cwd=cwd, capture_output=True, text=True, check=False, timeout=timeout + 120
    )
    if result.returncode != 0:
        raise RuntimeError(f"the measuring process failed:\n{result.stderr}")
    figures = json.loads(result.stdout)
    return Run(
        figures["returncode"],
        figures["seconds"],
        figures["cpu"],
        figures["peak_kb"],
        out.read_text(errors="replace"),
        err.read_text(errors="replace"),
    )


def outcome(run: Run) -> str:
    """ok / error: its first line / timeout / crash: a traceback's last line or a signal."""
    if run.timed_out:
        return "timeout"
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    if run.returncode is not None and run.returncode < 0:
        return f"crash: killed by {signal.Signals(-run.returncode).name}"
    if "Traceback (most recent call last)" in run.stderr:
        return f"crash: {lines[-1].strip()}"
    if run.returncode != 0:
        errors = [line for line in lines if ": warning: " not in line]
        return f"error: {(errors or lines or ['exit ' + str(run.returncode)])[0]}"
    return "ok"


def pdf_pages(path: Path) -> int | None:
    from pypdf import PdfReader

    try:
        return len(PdfReader(io.BytesIO(path.read_bytes())).pages)
    except Exception:  # a broken file: no page count, the outcome says why
        return None


@dataclass(frozen=True)
class Row:
    case: str
    target: str
    outcome: str
    seconds: float
    cpu: float
    peak_mb: float
    size: int | None
    pages: int | None


def build_case(
    case: str,
    target: str,
    manuscript: Path,
    folder: Path,
    timeout: float,
    limit_mb: int,
    build: Path = BUILD,
) -> Row:
    out = folder / "out"
    out.mkdir(parents=True)
    command = [sys.executable, str(build), "-m", str(manuscript), "-o", str(out), target]
    run = measure(limited(command, limit_mb), timeout, folder)
    made = sorted(out.glob(f"*.{target}"))
    size = made[0].stat().st_size if made else None
    pages = pdf_pages(made[0]) if made and target == "pdf" else None
    return Row(case, target, outcome(run), run.seconds, run.cpu, run.peak_kb / 1024, size, pages)


def limited(command: list[str], limit_mb: int) -> list[str]:
    """`command` with its address space capped at `limit_mb` (0: no cap), so that a runaway
    build fails with MemoryError instead of taking the machine down."""
    if not limit_mb:
        return command
    return ["prlimit", f"--as={limit_mb * 1024 * 1024}", "--", *command]


def reference(size: int, folder: Path, timeout: float, limit_mb: int) -> Row:
    folder.mkdir(parents=True)
    page = folder / "reference.html"
    page.write_text(reference_html(size), encoding="utf-8")
    pdf = folder / "reference.pdf"
    command = [sys.executable, "-c", REFERENCE_SCRIPT, str(page), str(pdf)]
    run = measure(limited(command, limit_mb), timeout, folder)
    size_made = pdf.stat().st_size if pdf.exists() and run.returncode == 0 else None
    pages = pdf_pages(pdf) if size_made else None
    label = f"reference ({size / 1e6:g} MB HTML)"
    peak_mb = run.peak_kb / 1024
    return Row(label, "weasyprint", outcome(run), run.seconds, run.cpu, peak_mb, size_made, pages)


# --- the report -------------------------------------------------------------------------

HEADER = (
    "case", "target", "outcome", "wall s", "CPU s", "x ref", "peak MB", "x ref", "output", "pages"
)  # fmt: skip
"""Both ratios are to the reference run: CPU time, and peak memory."""


def human(size: int | None) -> str:
    if size is None:
        return "-"
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.1f} MB"
    return f"{size / 1024:.0f} KB"


def cells(row: Row, base: Row | None) -> list[str]:
    usable = base is not None and base.outcome == "ok"
    time_ratio = f"{row.cpu / base.cpu:.2f}" if usable and base else "-"
    memory_ratio = f"{row.peak_mb / base.peak_mb:.2f}" if usable and base else "-"
    return [
        row.case,
        row.target,
        row.outcome if len(row.outcome) <= 90 else row.outcome[:87] + "...",
        f"{row.seconds:.1f}",
        f"{row.cpu:.1f}",
        time_ratio,
        f"{row.peak_mb:.0f}",
        memory_ratio,
        human(row.size),
        "-" if row.pages is None else str(row.pages),
    ]


def summary(row: Row) -> str:
    pages = "" if row.pages is None else f", {row.pages} pages"
    return f"{row.outcome}, {row.seconds:.1f} s ({row.cpu:.1f} s CPU), {row.peak_mb:.0f} MB{pages}"


def table(rows: Sequence[Row], base: Row | None) -> str:
    """A Markdown table, to paste into bench/README.md as it is."""
    lines = [HEADER] + [tuple(cells(row, base)) for row in rows]
    widths = [max(len(line[i]) for line in lines) for i in range(len(HEADER))]
    right = set(range(3, len(HEADER)))

    def line(values: Sequence[str]) -> str:
        padded = [
            value.rjust(width) if i in right else value.ljust(width)
            for i, (value, width) in enumerate(zip(values, widths, strict=True))
        ]
        return "| " + " | ".join(padded) + " |"

    rule = "|" + "|".join(
        "-" * (width + 1) + ":" if i in right else "-" * (width + 2)
        for i, width in enumerate(widths)
    ) + "|"  # fmt: skip
    return "\n".join([line(HEADER), rule, *(line(values) for values in lines[1:])])


def committed(folder: Path) -> Path:
    """A copy of the committed tree (HEAD) in `folder`, so that files being edited in the
    work tree do not change what is measured; its build.py."""
    folder.mkdir(parents=True)
    commit = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", commit], capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    print(f"# commit {commit}")
    return folder / "build.py"


def machine() -> str:
    import platform

    try:
        from importlib.metadata import version

        weasyprint = version("weasyprint")
    except Exception:
        weasyprint = "?"
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return (
        f"{time.strftime('%Y-%m-%d %H:%M:%S %Z')}; {os.cpu_count()} CPUs, {memory:.0f} GiB, "
        f"load {load}; Python {platform.python_version()}, WeasyPrint {weasyprint}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["--measure"]:  # the measuring process
        timeout, out, err, separator, *command = arguments[1:]
        assert separator == "--"
        print(json.dumps(measure_child(command, float(timeout), Path(out), Path(err))))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes (depth stays 100)")
    parser.add_argument("--case", action="append", choices=CASES, help="only this case (repeat)")
    parser.add_argument("--target", action="append", choices=TARGETS, help="only this target")
    parser.add_argument("--timeout", type=float, default=600, help="seconds a run (default 600)")
    parser.add_argument(
        "--memory-limit",
        type=int,
        default=16384,
        metavar="MB",
        help="address-space cap of each run, 0 for none (default 16384)",
    )
    parser.add_argument("--no-reference", action="store_true", help="skip the WeasyPrint run")
    parser.add_argument(
        "--head",
        action="store_true",
        help="build with the committed code (git archive HEAD), not the work tree",
    )
    parser.add_argument("--keep", type=Path, metavar="DIR", help="generate and keep books here")
    args = parser.parse_args(arguments)
    sizes = QUICK if args.quick else FULL
    cases = args.case or list(CASES)
    targets = [target for target in TARGETS if target in (args.target or TARGETS)]
    if args.memory_limit and shutil.which("prlimit") is None:
        print("prlimit not found: runs are not memory-capped", file=sys.stderr)
        args.memory_limit = 0
    work = args.keep or Path(tempfile.mkdtemp(prefix="chapbook-bounds-"))
    print(f"# {machine()}")
    print(f"# {' '.join([Path(sys.executable).name, *sys.argv])}")
    build = BUILD
    if args.head:
        build = committed(work / "source")
    print(f"# building with {build}")
    print(f"# timeout {args.timeout:g} s a run, memory cap {args.memory_limit or 'none'} MB")
    try:
        base = None
        if not args.no_reference:
            limit = args.memory_limit
            base = reference(sizes.chapter_bytes, work / "reference", args.timeout, limit)
            print(f"# {base.case}: {summary(base)}", flush=True)
        rows = []
        for case in cases:
            manuscript = CASES[case](work / case / "manuscript", sizes)
            source = sum(f.stat().st_size for f in manuscript.rglob("*.md"))
            what = f"{describe(case, sizes)}, {source / 1e6:.2f} MB of Markdown"
            print(f"# {case}: {what}", flush=True)
            for target in targets:
                folder = work / case / target
                rows.append(
                    build_case(
                        case, target, manuscript, folder, args.timeout, args.memory_limit, build
                    )
                )
                row = rows[-1]
                print(f"#   {target}: {summary(row)}", flush=True)
        print()
        print(table(([base] if base else []) + rows, base))
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
