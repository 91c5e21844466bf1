"""The command line: exit codes, messages in `path:line: message` form, outputs kept on failure."""

from __future__ import annotations

import errno
import io
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pypdf
import pytest
from conftest import MM

from chapbook.cli import main
from chapbook.commands.report import error_lines
from chapbook.diagnostics import BookErrors, Diagnostic

ROOT = Path(__file__).resolve().parent.parent
ERRORS = Path(__file__).resolve().parent / "books" / "errors"


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(ROOT / "build.py"), *args]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)


@pytest.mark.parametrize(
    ("case", "message"),
    [
        (
            "missing-chapter",
            "tests/books/errors/missing-chapter/book.toml:8: "
            "chapter file 'chapters/02-gone.md' not found",
        ),
        (
            "broken-toml",
            "tests/books/errors/broken-toml/book.toml:4: "
            "TOML syntax error: Unclosed array at the end of the file",
        ),
        (
            "missing-image",
            "tests/books/errors/missing-image/chapters/01-maps.md:7: image 'map.png' not found",
        ),
        (
            "unknown-key",
            "tests/books/errors/unknown-key/book.toml:4: "
            "'auther' is not a [book] key; did you mean 'authors'?",
        ),
    ],
)
def test_a_broken_book_names_the_place_and_exits_1(case: str, message: str, tmp_path: Path) -> None:
    result = run("-m", f"tests/books/errors/{case}", "-o", str(tmp_path))
    assert result.returncode == 1
    assert result.stderr.splitlines() == [message, "build failed: 1 error"]
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_every_error_is_reported_at_once(tmp_path: Path) -> None:
    result = run("-m", "tests/books/errors/many-errors", "-o", str(tmp_path), "epub")
    assert result.returncode == 1
    place = "tests/books/errors/many-errors/chapters"
    assert result.stderr.splitlines() == [
        f"{place}/01-one.md:3: image '../images/gone.png' not found",
        f"{place}/01-one.md:5: link to '02-two.md#no-such-heading': "
        "no heading or anchor '#no-such-heading' there",
        # (no "no title" besides: the title is there, in front matter that does not read)
        f"{place}/02-two.md:3: front matter is not valid YAML: "
        "expected ',' or ']', but got '<stream end>'",
        f"{place}/02-two.md:7: link to '03-missing.md', which is not a chapter of the book",
        "build failed: 4 errors",
    ]


def test_a_failed_build_leaves_the_previous_outputs(tmp_path: Path) -> None:
    book = tmp_path / "book"
    (book / "chapters").mkdir(parents=True)
    (book / "book.toml").write_text('[book]\ntitle = "Kept"\nlanguage = "en"\n')
    chapter = book / "chapters" / "01-one.md"
    chapter.write_text("# One\n\nSome text.\n")
    out = tmp_path / "out"
    assert run("-m", str(book), "-o", str(out), "epub").returncode == 0
    before = (out / "kept.epub").read_bytes()
    chapter.write_text("# One\n\n![missing](nowhere.png)\n")
    result = run("-m", str(book), "-o", str(out), "epub")
    assert result.returncode == 1
    assert "01-one.md:3: image 'nowhere.png' not found" in result.stderr
    assert (out / "kept.epub").read_bytes() == before
    assert sorted(p.name for p in out.iterdir()) == ["kept.epub"]


def test_only_the_named_targets_are_built(tmp_path: Path) -> None:
    result = run("-o", str(tmp_path), "epub")
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["city-of-stars.epub"]


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    result = run("-o", str(tmp_path), "mobi")
    assert result.returncode == 2
    assert "unknown target 'mobi'" in result.stderr


def test_an_epub_only_build_does_not_load_weasyprint(tmp_path: Path) -> None:
    code = (
        "import sys; from pathlib import Path; from chapbook.pipeline import build; "
        f"build(Path('manuscript'), Path({str(tmp_path)!r}), ['epub']); "
        "assert 'weasyprint' not in sys.modules, 'weasyprint was imported'"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_the_installed_chapbook_command_builds_too(tmp_path: Path) -> None:
    command = Path(sys.executable).parent / "chapbook"
    assert command.exists(), "the package's 'chapbook' script is not installed"
    result = subprocess.run(
        [str(command), "-o", str(tmp_path), "-q", "epub"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert (tmp_path / "city-of-stars.epub").stat().st_size > 10_000


def test_a_pdf_build_prints_its_preflight_and_the_cover_is_a_target(tmp_path: Path) -> None:
    result = run("pdf", "cover", "-o", str(tmp_path))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[1].startswith("  preflight: ") and " pages, trim 148 x 210 mm" in lines[1]
    assert "  preflight: fonts: " in lines[2] and lines[2].endswith("all embedded")
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "city-of-stars-cover.pdf",
        "city-of-stars.pdf",
    ]


def test_preflight_passes_the_books_pdf_and_faults_another_trim(tmp_path: Path) -> None:
    assert run("pdf", "-q", "-o", str(tmp_path)).returncode == 0
    passed = run("preflight", "-o", str(tmp_path))
    assert passed.returncode == 0, passed.stderr
    assert passed.stdout.splitlines()[-1] == "preflight: ready for print"
    other = run("preflight", str(tmp_path / "city-of-stars.pdf"), "-m", "tests/books/full")
    assert other.returncode == 1
    assert "fault: trim is 148 x 210 mm, book.toml asks for 139.7 x 215.9 mm (digest)" in (
        other.stdout
    )
    assert other.stderr.splitlines()[-1].startswith("preflight: ")


def test_preflight_without_a_pdf_says_how_to_make_one(tmp_path: Path) -> None:
    result = run("preflight", "-o", str(tmp_path))
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"{tmp_path / 'city-of-stars.pdf'}: no such file; build it first with: python build.py pdf",
        "preflight failed: 1 error",
    ]
    not_pdf = tmp_path / "notes.pdf"
    not_pdf.write_text("hello")
    result = run("preflight", str(not_pdf))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines()[0].startswith(f"{not_pdf}: not a PDF")


def test_booklet_flags_override_the_book(tmp_path: Path) -> None:
    result = run("booklet", "--duplex", "manual", "--sheet", "A3", "-o", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "city-of-stars-booklet-backs.pdf",
        "city-of-stars-booklet-fronts.pdf",
        "city-of-stars-booklet-howto.pdf",
    ]
    fronts = (tmp_path / "city-of-stars-booklet-fronts.pdf").read_bytes()
    box = pypdf.PdfReader(io.BytesIO(fronts)).pages[0].mediabox
    assert (round(float(box.width) / MM), round(float(box.height) / MM)) == (420, 297)


def test_a_sheet_too_small_is_an_error_and_bad_flags_are_usage_errors(tmp_path: Path) -> None:
    result = run("booklet", "--sheet", "A5", "-o", str(tmp_path))
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "book.toml: [booklet] sheet A5 (148 x 210 mm) cannot hold two 148 x 210 mm pages side "
        "by side; choose a larger sheet or set fit = true",
        "build failed: 1 error",
    ]
    assert run("booklet", "--signature", "6").returncode == 2
    assert run("booklet", "--sheet", "napkin").returncode == 2


def test_epub_check_runs_epubcheck_after_the_build(tmp_path: Path) -> None:
    result = run("epub", "--check", "-o", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "EPUBCheck: " in result.stdout and "passes with no messages" in result.stdout


def test_check_epub_passes_a_good_file_and_names_each_fault_of_a_bad_one(tmp_path: Path) -> None:
    run("epub", "-o", str(tmp_path))
    (good,) = tmp_path.glob("*.epub")
    assert run("check-epub", str(good)).returncode == 0
    bad = tmp_path / "bad.epub"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(bad, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename.endswith("chapter-01-a-love-letter.xhtml"):
                data = data.replace(b"</body>", b'<p><img src="gone.png" alt="x"/></p></body>')
            target.writestr(item, data)
    result = run("check-epub", str(bad))
    assert result.returncode == 1
    assert "ERROR RSC-007 EPUB/chapter-01-a-love-letter.xhtml:" in result.stderr
    assert '"EPUB/gone.png" could not be found' in result.stderr
    assert result.stderr.strip().endswith("EPUBCheck: 1 message")
    missing = run("check-epub", str(tmp_path / "none.epub"))
    assert missing.returncode == 1 and "none.epub: no such file" in missing.stderr


def test_an_output_folder_that_is_a_file_is_named_in_one_line(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    out.write_text("not a folder")
    result = run("-o", str(out), "epub")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [f"{out}: is a file, not a folder"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write in any folder")
def test_an_output_folder_without_write_permission_is_named_in_one_line(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    out.mkdir(mode=0o555)
    result = run("-o", str(out), "epub")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [f"{out}: cannot write here (Permission denied)"]
    assert list(out.iterdir()) == []


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        (errno.EACCES, "Permission denied"),
        # What /proc says to a new file (ENOENT, though the folder is there), told as it is.
        (errno.ENOENT, "this folder's file system takes no new files"),
    ],
)
def test_a_folder_that_refuses_files_is_named_in_one_line(
    number: int,
    reason: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """As the test above, where root's writes are refused too: no file may be made in `out`."""
    out = tmp_path / "dist"
    out.mkdir()
    real_open = os.open

    def refuse(path: Any, flags: int, mode: int = 0o777, **options: Any) -> int:
        if Path(path).parent == out:
            raise OSError(number, os.strerror(number), str(path))
        return real_open(path, flags, mode, **options)

    monkeypatch.setattr(os, "open", refuse)
    assert main(["-m", str(ROOT / "tests/books/full"), "-o", str(out), "epub"]) == 1
    assert capsys.readouterr().err.splitlines() == [f"{out}: cannot write here ({reason})"]
    assert list(out.iterdir()) == []


def test_a_full_disk_leaves_every_previous_output_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    book, out = tmp_path / "book", tmp_path / "dist"
    shutil.copytree(ROOT / "tests/books/full", book)
    arguments = ["-q", "-m", str(book), "-o", str(out), "epub", "pdf"]
    assert main(arguments) == 0
    before = {path.name: path.read_bytes() for path in out.iterdir()}
    with (book / "chapters" / "02-tables.md").open("a", encoding="utf-8") as chapter:
        chapter.write("\nA new last paragraph, in both outputs.\n")
    real_write = os.write

    def fill_up(handle: int, data: Any) -> int:
        """The disk fills up halfway through the PDF (written after the whole EPUB)."""
        written = os.fstat(handle)
        if not any(os.path.samestat(written, part.stat()) for part in out.glob(".*.pdf.*.part")):
            return real_write(handle, data)
        if written.st_size == 0:
            return real_write(handle, data[: len(data) // 2])
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "write", fill_up)
    assert main(arguments) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"{out / 'the-field-guide.pdf'}: no space left on device"
    ]
    assert {path.name: path.read_bytes() for path in out.iterdir()} == before


def test_json_summarises_a_build_for_machines(tmp_path: Path) -> None:
    result = run("epub", "pdf", "--json", "-m", "tests/books/features", "-o", str(tmp_path))
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["ok"] is True and summary["errors"] == []
    outputs = {output["target"]: output for output in summary["outputs"]}
    assert set(outputs) == {"epub", "pdf"}
    pdf = Path(outputs["pdf"]["path"])
    assert outputs["pdf"]["pages"] == len(pypdf.PdfReader(pdf).pages)
    assert outputs["pdf"]["bytes"] == pdf.stat().st_size
    assert outputs["epub"]["pages"] is None
    assert any(line.startswith(f"{outputs['pdf']['pages']} pages") for line in summary["report"])
    warning = next(w for w in summary["warnings"] if "has no alt text" in w["message"])
    assert warning["path"].endswith(".md") and isinstance(warning["line"], int)
    assert result.stderr == ""  # warnings are in the summary, not printed


def test_json_reports_a_broken_book_and_exits_1(tmp_path: Path) -> None:
    result = run("--json", "-m", "tests/books/errors/missing-image", "-o", str(tmp_path))
    assert result.returncode == 1
    summary = json.loads(result.stdout)
    assert summary == {
        "ok": False,
        "outputs": [],
        "warnings": [],
        "errors": [
            {
                "path": "tests/books/errors/missing-image/chapters/01-maps.md",
                "line": 7,
                "message": "image 'map.png' not found",
                "code": "E102",
                "column": 12,
            }
        ],
        "report": [],
    }


def test_quiet_prints_only_errors(tmp_path: Path) -> None:
    features = ROOT / "tests" / "books" / "features"
    loud = run("epub", "-m", str(features), "-o", str(tmp_path / "loud"))
    assert "warning: image '../images/map.png' has no alt text" in loud.stderr
    quiet = run("epub", "-q", "-m", str(features), "-o", str(tmp_path / "quiet"))
    assert (quiet.returncode, quiet.stdout, quiet.stderr) == (0, "", "")
    broken = run("epub", "-q", "-m", str(ERRORS / "missing-image"), "-o", str(tmp_path / "no"))
    assert broken.returncode == 1
    assert "not found" in broken.stderr


def test_the_cache_goes_beside_the_manuscript_or_where_chapbook_cache_says(
    tmp_path: Path,
) -> None:
    shutil.copytree(ROOT / "manuscript", tmp_path / "book" / "manuscript")
    arguments = [sys.executable, str(ROOT / "build.py"), "epub", "-q"]
    environment = {k: v for k, v in os.environ.items() if k != "CHAPBOOK_CACHE"}
    elsewhere = tmp_path / "elsewhere"
    cases = [
        (tmp_path / "book" / ".chapbook-cache", {}),
        (elsewhere, {"CHAPBOOK_CACHE": str(elsewhere)}),
    ]
    for where, extra in cases:
        result = subprocess.run(
            arguments, cwd=tmp_path / "book", env={**environment, **extra}, check=False
        )
        assert result.returncode == 0
        assert list(where.rglob("*")), f"nothing cached in {where}"
    assert sorted(p.name for p in (tmp_path / "book").iterdir()) == [
        ".chapbook-cache", "dist", "manuscript"
    ]  # fmt: skip


def test_errors_are_printed_up_to_50_then_counted(tmp_path: Path) -> None:
    """Sixty listed chapters that are not there: fifty lines, one for the rest, the count
    (and every one of them with --json, and fifty for the preview)."""
    case = "tests/books/errors/sixty-missing-chapters"
    result = run("-m", case, "-o", str(tmp_path), "epub")
    assert result.returncode == 1
    missing = [
        f"{case}/book.toml:{number + 6}: chapter file 'chapters/{number:02d}-gone.md' not found"
        for number in range(2, 62)
    ]
    assert result.stderr.splitlines() == [*missing[:50], "and 10 more", "build failed: 60 errors"]
    summary = json.loads(run("-m", case, "-o", str(tmp_path), "--json", "epub").stdout)
    assert [error["message"] for error in summary["errors"]] == [
        m.split(": ", 1)[1] for m in missing
    ]
    failure = BookErrors([Diagnostic(case, f"error {n}") for n in range(60)])
    assert error_lines(failure)[-2:] == [f"{case}: error 49", "and 10 more"]
