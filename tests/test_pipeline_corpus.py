"""Real books, written elsewhere (tests/corpus/, copied as they are from shared/corpus/): each
is built as an author would build it, from the command line with every target and the default
number of jobs, and what comes out is read back.

The promise tested: a build that exits 0 wrote an EPUB that EPUBCheck passes with no message,
and a print PDF that draws every glyph it shows and holds every word of the EPUB's text.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import ROOT, pdf_texts
from lxml import etree
from warm_epubcheck import epubcheck_messages

from chapbook.verify.preflight import preflight

CORPUS = Path(__file__).resolve().parent / "corpus"
BOOKS = sorted(path.parent.name for path in CORPUS.glob("*/book.toml"))
PLACEHOLDERS = re.compile("[\x02\x03]|klzzwxh|wzxhzdk")
"""What Python-Markdown leaves behind when it loses a stashed piece of text."""
NOT_PRINTED = {"nav", "cover"}
WORD = re.compile(r"[^\W_]{2,}")
HYPHENATED = re.compile("[-\u2010] ")
"""A hyphen at a line end, as `pdf_texts` gives it."""
BROKEN = re.compile("([^\\W_]+)[-\u2010] ")


@dataclass(frozen=True)
class Run:
    """A corpus book built by the command line: its exit status, what it printed, its files."""

    status: int
    stderr: str
    summary: dict[str, object]
    outputs: dict[str, Path]


BUILDS: dict[str, tuple[subprocess.Popen[bytes], float, Path]] = {}
"""The corpus builds started, by book: they start when the session starts (`start`, called
from conftest.py), each in its own process, and run beside the other tests, whose process
leaves a core mostly idle; the corpus tests run last and wait for them."""
TIMEOUT_S = 1800


def start(name: str, out: Path) -> None:
    """Start building the corpus book `name` into `out`, as an author would."""
    if name in BUILDS:
        return
    command = [sys.executable, str(ROOT / "build.py"), "--json", "-m", str(CORPUS / name)]
    printed = out.with_name(f"{out.name}-printed")  # what it prints, beside the book
    printed.mkdir()
    with open(printed / "stdout", "wb") as stdout, open(printed / "stderr", "wb") as stderr:
        process = subprocess.Popen(
            [*command, "-o", str(out)],
            stdout=stdout,
            stderr=stderr,
            preexec_fn=lambda: os.nice(19),  # the tests first: some time their own builds
        )
    BUILDS[name] = (process, time.monotonic(), printed)


def stop() -> None:
    """End the builds still running (a session cut short)."""
    for process, _, _ in BUILDS.values():
        if process.poll() is None:
            process.kill()
            process.wait()


RUNS: dict[str, Run] = {}


def built(name: str, tmp_path_factory: pytest.TempPathFactory) -> Run:
    """The corpus book `name` built (the build started now if it was not), read once."""
    if name not in RUNS:
        RUNS[name] = finished(name, tmp_path_factory)
    return RUNS[name]


def finished(name: str, tmp_path_factory: pytest.TempPathFactory) -> Run:
    if name not in BUILDS:
        start(name, tmp_path_factory.mktemp(name))
    process, started, printed = BUILDS[name]
    try:
        process.wait(timeout=max(0.0, TIMEOUT_S - (time.monotonic() - started)))
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise
    out, err = ((printed / stream).read_text(encoding="utf-8") for stream in ("stdout", "stderr"))
    summary = json.loads(out) if out.strip() else {}
    outputs = {item["target"]: Path(item["path"]) for item in summary.get("outputs", [])}
    return Run(process.returncode, err, summary, outputs)


@pytest.fixture(scope="module", params=BOOKS)
def corpus_book(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Run:
    return built(str(request.param), tmp_path_factory)


def test_the_corpus_is_there() -> None:
    assert set(BOOKS) >= {"pride-and-prejudice", "rust-book"}


def test_builds_every_target_without_a_traceback(corpus_book: Run) -> None:
    assert "Traceback" not in corpus_book.stderr
    assert corpus_book.summary.get("errors") == [], corpus_book.summary.get("errors")
    assert corpus_book.status == 0, corpus_book.stderr[-3000:]
    assert set(corpus_book.outputs) == {"epub", "pdf", "booklet", "cover"}


def test_epubcheck_is_silent(corpus_book: Run) -> None:
    assert epubcheck_messages(corpus_book.outputs["epub"]) == []


def test_preflight_finds_no_fault(corpus_book: Run) -> None:
    """No glyph drawn as .notdef or with an empty outline, fonts embedded, boxes right."""
    report = preflight(corpus_book.outputs["pdf"].read_bytes())
    assert [str(fault) for fault in report.faults] == []


def test_no_placeholder_text_in_the_epub(corpus_book: Run) -> None:
    for name, text in epub_texts(corpus_book.outputs["epub"]).items():
        assert not PLACEHOLDERS.search(text), name


def test_the_pdf_holds_every_word_of_the_epub(corpus_book: Run) -> None:
    """Every word of the chapters' text is in the print PDF's text (a table cut at the trim
    edge, an empty paragraph or a chapter left out loses words)."""
    pages = " ".join(pdf_texts(corpus_book.outputs["pdf"]))
    printed = words(HYPHENATED.sub("", pages))
    broken = {piece.casefold() for piece in BROKEN.findall(pages)}
    read = set()
    for text in epub_texts(corpus_book.outputs["epub"]).values():
        read |= words(text)
    lost = [word for word in sorted(read - printed) if not across_pages(word, broken, printed)]
    assert [word for word in lost if not right_to_left(word)] == []


def right_to_left(word: str) -> bool:
    """Whether `word` is in a right-to-left script: PDFium reads WeasyPrint's text of a
    right-to-left ligature (Arabic lam-alef) in visual order, so such a word is drawn right
    (the glyph check and the pixel test see to that) but not read back letter for letter."""
    return any(unicodedata.bidirectional(char) in {"R", "AL"} for char in word)


def across_pages(word: str, broken: set[str], printed: set[str]) -> bool:
    """Whether `word` is printed hyphenated at the foot of a page, its end on the next."""
    return any(word[:k] in broken and word[k:] in printed for k in range(2, len(word) - 1))


def epub_texts(epub: Path) -> dict[str, str]:
    """The text of each XHTML document of the EPUB but the contents and the cover (both
    made of what the other documents hold), by its name."""
    texts = {}
    with zipfile.ZipFile(epub) as archive:
        for name in archive.namelist():
            if name.endswith(".xhtml") and Path(name).stem not in NOT_PRINTED:
                root = etree.fromstring(archive.read(name))
                body = root.find("{http://www.w3.org/1999/xhtml}body")
                texts[name] = "".join(body.itertext()) if body is not None else ""
    return texts


def words(text: str) -> set[str]:
    """The words of `text`, case folded (print sets some in capitals or small capitals)."""
    return {word.casefold() for word in WORD.findall(text)}
