"""Shared helpers: build a book once per session, read PDFs back as a reader would."""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path
from typing import Any

import pypdf
import pypdfium2 as pdfium
import pytest

from chapbook.pipeline import Output, build

ROOT = Path(__file__).resolve().parent.parent
BOOKS = Path(__file__).resolve().parent / "books"
MM = 72 / 25.4


def clean(text: str) -> str:
    """PDFium's text with white space folded and its marks for a hyphen at a line end
    (which it writes differently from one document to another) made one."""
    return " ".join(text.replace("\x02", "-").replace("\ufffe", "-").split())


def pdf_texts(path: Path) -> list[str]:
    """The text of every page, read with PDFium (pypdf garbles WeasyPrint's text)."""
    document = pdfium.PdfDocument(path.read_bytes())
    try:
        return [clean(page.get_textpage().get_text_range()) for page in document]
    finally:
        document.close()


def half_texts(path: Path) -> list[tuple[str, str]]:
    """For each sheet side of a booklet, the text of its left and right halves."""
    document = pdfium.PdfDocument(path.read_bytes())
    halves = []
    try:
        for page in document:
            width, height = page.get_size()
            text = page.get_textpage()
            left = text.get_text_bounded(0, 0, width / 2, height)
            right = text.get_text_bounded(width / 2, 0, width, height)
            halves.append((clean(left), clean(right)))
    finally:
        document.close()
    return halves


def outline_titles(path: Path) -> list[str]:
    reader = pypdf.PdfReader(io.BytesIO(path.read_bytes()))
    titles: list[str] = []

    def walk(items: list[object]) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                titles.append(str(item.title))  # type: ignore[attr-defined]

    walk(reader.outline)
    return titles


class Built:
    """A book built into a temporary folder, with its outputs by target."""

    def __init__(self, outputs: list[Output]) -> None:
        self.paths = {output.target: output.path for output in outputs}

    @property
    def epub(self) -> Path:
        return self.paths["epub"]

    @property
    def pdf(self) -> Path:
        return self.paths["pdf"]

    @property
    def booklet(self) -> Path:
        return self.paths["booklet"]


@pytest.fixture(scope="session")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return Built(build(ROOT / "manuscript", tmp_path_factory.mktemp("sample")))


@pytest.fixture(scope="session")
def full(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return Built(build(BOOKS / "full", tmp_path_factory.mktemp("full")))


@pytest.fixture(scope="session")
def long(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return Built(build(BOOKS / "long", tmp_path_factory.mktemp("long"), ["pdf"]))


def pytest_configure(config: pytest.Config) -> None:
    """Builds run by the tests keep their cache in a folder of their own, not among the
    test books (a test that means a cache names its folder)."""
    os.environ.setdefault("CHAPBOOK_CACHE", tempfile.mkdtemp(prefix="chapbook-test-cache-"))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--save-golden",
        action="store_true",
        help="rewrite tests/golden/ from the current build instead of comparing with it",
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The corpus books' tests last: the books build beside the other tests (see below)."""
    items.sort(key=lambda item: "corpus_book" in getattr(item, "fixturenames", ()))


def pytest_collection_finish(session: pytest.Session) -> None:
    """Start building the corpus books whose tests are to run in this process now, each in a
    process of its own: the tests run mostly on one core, the builds take the other."""
    if session.config.option.collectonly or os.environ.get("PYTEST_XDIST_WORKER"):
        return
    factory = session.config._tmp_path_factory  # type: ignore[attr-defined]
    for name, module in corpus_books(session).items():
        module.start(name, factory.mktemp(name))


def pytest_sessionfinish(session: pytest.Session) -> None:
    for module in set(corpus_books(session).values()):
        module.stop()


def corpus_books(session: pytest.Session) -> dict[str, Any]:
    """The corpus books that tests to run use, and the test module that builds them."""
    books = {}
    for item in session.items:
        if isinstance(item, pytest.Function) and "corpus_book" in item.fixturenames:
            books[item.callspec.params["corpus_book"]] = item.module
    return books
