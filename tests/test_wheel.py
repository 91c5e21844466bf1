"""Chapbook installed from its wheel, not from the work tree: the styles, fonts and templates
travel as package data, so a new book made with `chapbook init` builds."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pypdfium2

from chapbook.verify.epubcheck import epubcheck_messages

ROOT = Path(__file__).resolve().parent.parent
PACKAGE_DATA = (
    "chapbook/styles/print.css",
    "chapbook/styles/fallbacks.css",
    "chapbook/styles/fonts/EBGaramond12-Regular.ttf",
    "chapbook/styles/fonts/OFL.txt",
    "chapbook/templates/print/book.html.j2",
)


def run(*command: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`command` run with no PYTHONPATH: only what the venv holds is imported."""
    env = {name: value for name, value in os.environ.items() if name != "PYTHONPATH"}
    result = subprocess.run(
        [str(part) for part in command], cwd=cwd, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def test_a_book_made_by_init_builds_with_chapbook_from_its_wheel(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", wheels, ROOT, cwd=tmp_path)
    (wheel,) = wheels.glob("chapbook-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert set(PACKAGE_DATA) <= names

    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp_path)
    python = venv / "bin" / "python"
    site = Path(run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))",
                    cwd=tmp_path).stdout.strip())  # fmt: skip
    # Chapbook's dependencies from this environment's site-packages, added as a plain path:
    # its .pth files (the editable install of the work tree among them) are not read.
    (site / "dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    run(sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", site, wheel,
        cwd=tmp_path)  # fmt: skip

    where = run(python, "-c", "import chapbook; print(chapbook.__file__)", cwd=tmp_path)
    assert Path(where.stdout.strip()).is_relative_to(venv)

    chapbook = [python, "-c", "import sys; from chapbook.cli import main; sys.exit(main())"]
    run(*chapbook, "init", "novel", cwd=tmp_path)
    run(*chapbook, "-q", "-m", "novel/manuscript", "-o", "novel/dist", "--no-cache", cwd=tmp_path)

    dist = tmp_path / "novel" / "dist"
    assert sorted(path.name for path in dist.iterdir()) == [
        "novel-booklet.pdf",
        "novel-cover.pdf",
        "novel.epub",
        "novel.pdf",
    ]
    assert epubcheck_messages(dist / "novel.epub") == []
    document = pypdfium2.PdfDocument(dist / "novel.pdf")
    text = "".join(
        document[index].get_textpage().get_text_range() for index in range(len(document))
    )
    assert "Chapter" in text or "CHAPTER" in text
