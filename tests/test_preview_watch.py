"""`chapbook watch`: a build, then a rebuild for each saved change; a broken book prints its
error and keeps the last good outputs; fixing it recovers. Run as the author runs it: a
process on a temporary book, edited while it watches."""

from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import pytest

from chapbook.preview.watch import TEMPLATES, affected, forget_templates
from chapbook.read.convert import code_digest
from chapbook.support.templating import environment

ROOT = Path(__file__).parent.parent
BOOKS = Path(__file__).parent / "books"


class Watcher:
    """`build.py watch` on a book, its output lines read as they come."""

    def __init__(self, manuscript: Path, out: Path, *targets: str) -> None:
        command = [sys.executable, str(ROOT / "build.py"), "watch", *targets]
        command += ["-m", str(manuscript), "-o", str(out), "--cache", str(out.parent / "cache")]
        environment = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.stderr: list[str] = []
        for stream, keep in ((self.process.stdout, None), (self.process.stderr, self.stderr)):
            threading.Thread(target=self.read, args=(stream, keep), daemon=True).start()

    def read(self, stream: object, keep: list[str] | None) -> None:
        for line in stream:  # type: ignore[attr-defined]
            self.lines.put(line.rstrip("\n"))
            if keep is not None:
                keep.append(line)

    def wait_for(self, text: str, seconds: float = 60) -> list[str]:
        """The lines up to the first that holds `text`."""
        seen, deadline = [], time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                continue
            seen.append(line)
            if text in line:
                return seen
        status = self.process.poll()
        raise AssertionError(f"no line with {text!r} in {seconds} s; got {seen}; status {status}")

    def stop(self) -> int:
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=30)


def chapter_text(epub: Path) -> str:
    with zipfile.ZipFile(epub) as archive:
        return "".join(
            archive.read(name).decode() for name in archive.namelist() if "estuary" in name
        )


def test_watch_rebuilds_on_save_survives_a_broken_book_and_recovers(tmp_path: Path) -> None:
    manuscript = tmp_path / "book"
    shutil.copytree(BOOKS / "long", manuscript)
    out = tmp_path / "dist"
    epub = out / "the-surveyors-winter.epub"
    watcher = Watcher(manuscript, out, "epub")
    try:
        watcher.wait_for("built epub")
        watcher.wait_for("watching")
        assert "The carrier" in chapter_text(epub)

        chapter = manuscript / "chapters" / "01-the-estuary.md"
        chapter.write_text(chapter.read_text().replace("The carrier", "The old carrier", 1))
        watcher.wait_for("built epub")
        assert "The old carrier" in chapter_text(epub)
        good = epub.read_bytes()

        settings = manuscript / "book.toml"
        text = settings.read_text()
        settings.write_text(text + "broken = [\n")
        lines = watcher.wait_for("the outputs of the last good build are kept")
        line = len(text.splitlines()) + 1
        assert f"{settings}:{line}: TOML syntax error" in "\n".join(lines)
        assert epub.read_bytes() == good

        settings.write_text(text)
        chapter.write_text(chapter.read_text().replace("The old carrier", "The young carrier"))
        watcher.wait_for("built epub")
        assert "The young carrier" in chapter_text(epub)
    finally:
        status = watcher.stop()
    assert status == 0
    assert "Traceback" not in "".join(watcher.stderr)


def test_watch_rebuilds_only_what_a_stylesheet_affects(tmp_path: Path) -> None:
    manuscript = tmp_path / "book"
    shutil.copytree(BOOKS / "long", manuscript)
    styles = tmp_path / "styles"
    styles.mkdir()
    (styles / "epub.css").write_text(
        (ROOT / "src" / "chapbook" / "styles" / "epub.css").read_text()
    )
    watcher = Watcher(manuscript, tmp_path / "dist", "epub", "pdf")
    try:
        watcher.wait_for("built epub, pdf", seconds=120)
        watcher.wait_for("watching")
        (styles / "epub.css").write_text((styles / "epub.css").read_text() + "\np { margin: 0 }\n")
        line = watcher.wait_for("built")[-1]
        assert "built epub in" in line
    finally:
        assert watcher.stop() == 0


@pytest.mark.parametrize(
    ("changed", "targets", "expected"),
    [
        (["book/chapters/01.md"], ["epub", "pdf", "booklet"], ["epub", "pdf", "booklet"]),
        (["styles/epub.css"], ["epub", "pdf", "booklet"], ["epub"]),
        (["styles/print.css"], ["epub", "pdf", "booklet"], ["pdf", "booklet"]),
        (["styles/print.css"], ["epub"], []),
        (["styles/cover.css", "styles/epub.css"], list(("epub", "cover")), ["epub", "cover"]),
        (["styles/base.css"], ["epub", "pdf"], ["epub", "pdf"]),
        (["book/images/map.png", "styles/epub.css"], ["epub", "pdf"], ["epub", "pdf"]),
    ],
)
def test_what_a_change_affects(changed: list[str], targets: list[str], expected: list[str]) -> None:
    assert affected([Path(path) for path in changed], targets) == expected


def fetch(url: str) -> tuple[str, str]:
    """The body and the content type of `url`."""
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode(), response.headers["Content-Type"]


def state_after(url: str, build: int, seconds: float = 60) -> dict[str, object]:
    """The preview's state, once it has heard of a build after `build`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        state: dict[str, object] = json.loads(fetch(url + "_chapbook/state")[0])
        if state["build"] != build:
            return state
        time.sleep(0.1)
    raise AssertionError(f"no build after {build} in {seconds} s")


def test_serve_shows_the_book_reloads_after_a_rebuild_and_shows_errors(tmp_path: Path) -> None:
    manuscript = tmp_path / "book"
    shutil.copytree(BOOKS / "long", manuscript)
    watcher = Watcher(manuscript, tmp_path / "dist", "pdf", "--serve", "--port", "0")
    try:
        served = watcher.wait_for("serving the book at", seconds=120)[-1]
        url = served.split(" at ")[1]
        watcher.wait_for("watching")
        state = json.loads(fetch(url + "_chapbook/state")[0])
        assert state["errors"] == []
        pages = state["pages"]
        chapter = "/EPUB/chapter-01-the-estuary.xhtml"
        assert pages.index("/EPUB/front-preface.xhtml") + 1 == pages.index(chapter)
        assert pages[0] == "/EPUB/nav.xhtml"  # the contents first, then the reading order
        front = urllib.request.urlopen(url, timeout=10)
        assert front.geturl() == url.rstrip("/") + "/EPUB/nav.xhtml"
        page, kind = fetch(url + chapter.lstrip("/"))
        assert kind == "application/xhtml+xml"
        assert "The carrier’s cart" in page
        assert page.endswith('<script src="/_chapbook/preview.js"></script></body>\n</html>\n')
        script, kind = fetch(url + "_chapbook/preview.js")
        assert kind == "text/javascript" and "location.reload()" in script
        with zipfile.ZipFile(tmp_path / "dist" / "the-surveyors-winter.epub") as epub:
            stylesheet = epub.read("EPUB/styles/book.css").decode()
        assert fetch(url + "EPUB/styles/book.css") == (stylesheet, "text/css")

        source = manuscript / "chapters" / "01-the-estuary.md"
        source.write_text(source.read_text().replace("The carrier", "The old carrier", 1))
        state = state_after(url, state["build"])
        assert state["errors"] == []
        assert "The old carrier’s cart" in fetch(url + chapter.lstrip("/"))[0]

        settings = manuscript / "book.toml"
        text = settings.read_text()
        settings.write_text(text + "broken = [\n")
        state = state_after(url, state["build"])
        line = len(text.splitlines()) + 1
        assert [error.split(": ", 1)[0] for error in state["errors"]] == [f"{settings}:{line}"]
        assert "The old carrier’s cart" in fetch(url + chapter.lstrip("/"))[0]

        settings.write_text(text)
        assert state_after(url, state["build"])["errors"] == []
        for missing in ("EPUB/no-such-page.xhtml", "../book/book.toml", "%2e%2e/book.toml"):
            with pytest.raises(urllib.error.HTTPError) as refused:
                fetch(url + missing)
            assert refused.value.code == 404
    finally:
        assert watcher.stop() == 0
    assert "Traceback" not in "".join(watcher.stderr)


def test_a_template_saved_rebuilds_everything_with_it_loaded_afresh() -> None:
    template = TEMPLATES / "epub" / "chapter.xhtml.j2"
    assert affected([template], ["epub", "pdf"]) == ["epub", "pdf"]
    loaded, digest = environment(), code_digest()
    forget_templates()
    assert environment() is not loaded  # the next build reads the templates again
    assert code_digest() == digest  # the same text, so the same cache keys
