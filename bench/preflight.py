"""Preflight's speed (issue 17): `preflight()` timed on given PDFs against a reference.

    .venv/bin/python bench/preflight.py A.pdf B.pdf                # the work tree's preflight
    .venv/bin/python bench/preflight.py --against HEAD~1 A.pdf     # and another commit's

Each timing runs in a fresh process, which also times the reference on the same file: PDFium
(pypdfium2) opening the file and loading every page with its objects. The runs are
interleaved (reference, this tree, `--against`) `--repeat` times; medians are printed, in CPU
seconds and as ratios, since the machine may be shared.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def measure(src: str, pdf: str) -> dict[str, float]:
    """One timing in this process: the reference, then `preflight` as `src` has it."""
    sys.path.insert(0, src)
    import pypdfium2 as pdfium

    from chapbook.verify.preflight import preflight

    data = Path(pdf).read_bytes()
    cpu, wall = time.process_time(), time.perf_counter()
    document = pdfium.PdfDocument(data)
    pages = len(document)
    for index in range(pages):
        page = document[index]
        sum(1 for _ in page.get_objects())
        page.close()
    document.close()
    ref_cpu, ref_wall = time.process_time() - cpu, time.perf_counter() - wall
    cpu, wall = time.process_time(), time.perf_counter()
    report = preflight(data)
    return {
        "cpu": time.process_time() - cpu,
        "wall": time.perf_counter() - wall,
        "ref_cpu": ref_cpu,
        "ref_wall": ref_wall,
        "pages": pages,
        "lines": len(report.lines()),
    }


def timed(src: str, pdf: str) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--measure", src, pdf],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": src},
    ).stdout
    result: dict[str, float] = json.loads(out.splitlines()[-1])
    return result


def export(revision: str, into: Path) -> str:
    """`revision`'s src/ exported into `into`: the code as committed, whatever the work tree."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", revision, "src"], check=True, capture_output=True
    ).stdout
    with tempfile.TemporaryFile() as file:
        file.write(archive)
        file.seek(0)
        with tarfile.open(fileobj=file) as tar:
            tar.extractall(into, filter="data")
    return str(into / "src")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pdfs", nargs="+")
    parser.add_argument("--against", help="a git revision whose preflight is timed too")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.pdfs[0])))
        return
    with tempfile.TemporaryDirectory() as folder:
        sources = {"work tree": str(ROOT / "src")}
        if args.against:
            sources[args.against] = export(args.against, Path(folder))
        print(f"load average {os.getloadavg()[0]:.1f}; medians of {args.repeat}, CPU seconds")
        for pdf in args.pdfs:
            runs: dict[str, list[dict[str, float]]] = {name: [] for name in sources}
            for _ in range(args.repeat):
                for name, src in sources.items():
                    runs[name].append(timed(src, pdf))
            report(pdf, runs)


def report(pdf: str, runs: dict[str, list[dict[str, float]]]) -> None:
    first = next(iter(runs.values()))
    reference = statistics.median(run["ref_cpu"] for each in runs.values() for run in each)
    print(f"{Path(pdf).name} ({first[0]['pages']:.0f} pages): reference {reference:.3f} s")
    medians = {name: statistics.median(run["cpu"] for run in each) for name, each in runs.items()}
    base = medians.get(next(iter(reversed(runs))))
    for name, seconds in medians.items():
        wall = statistics.median(run["wall"] for run in runs[name])
        line = f"  {name:>12}: {seconds:.3f} s ({wall:.3f} s wall), {seconds / reference:.2f} x ref"
        if len(runs) > 1 and base:
            line += f", {seconds / base:.2f} x {list(runs)[-1]}"
        print(line)


if __name__ == "__main__":
    main()
