"""The tests' EPUBCheck kept warm (tests/warm_epubcheck.py) says what the product's says."""

from __future__ import annotations

import os
import shutil
import zipfile
from pathlib import Path

import pytest
import warm_epubcheck
from conftest import Built

from chapbook.verify import epubcheck as product

pytestmark = pytest.mark.skipif(shutil.which("java") is None, reason="EPUBCheck needs Java")


def broken(good: Path, bad: Path) -> Path:
    """`good` with an image that is not there and a mimetype that is not first."""
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(bad, "w") as target:
        for item in reversed(source.infolist()):
            data = source.read(item)
            if item.filename.endswith(".xhtml") and b"</body>" in data:
                data = data.replace(b"</body>", b'<p><img src="gone.png" alt="x"/></p></body>')
            target.writestr(item, data)
    return bad


def test_the_warm_vm_reports_what_a_fresh_one_reports(sample: Built, tmp_path: Path) -> None:
    bad = broken(sample.epub, tmp_path / "bad.epub")
    warm = warm_epubcheck.epubcheck_messages(bad)
    assert warm == product.epubcheck_messages(bad)
    assert any(" RSC-007 " in message for message in warm), warm
    assert warm_epubcheck.epubcheck_messages(sample.epub) == []


def test_the_vm_is_kept_warm(sample: Built) -> None:
    """Unless asked to run cold, the checks run in one Java VM (else each starts its own, and
    the suite takes minutes more)."""
    if os.environ.get("CHAPBOOK_TEST_EPUBCHECK") == "cold":
        pytest.skip("CHAPBOOK_TEST_EPUBCHECK=cold")
    warm_epubcheck.epubcheck_messages(sample.epub)
    first = warm_epubcheck._WARM.process
    warm_epubcheck.epubcheck_messages(sample.epub)
    assert first is not None and first is warm_epubcheck._WARM.process
    assert first.poll() is None
