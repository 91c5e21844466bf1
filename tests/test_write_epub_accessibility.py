"""The EPUB's accessibility: its metadata, text alternatives, semantics and raw HTML, read
back from the built file of the test book that uses every feature."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from conftest import BOOKS, ROOT
from lxml import etree
from warm_epubcheck import epubcheck_messages

from chapbook.diagnostics import Diagnostic
from chapbook.pipeline import build

OPF = "{http://www.idpf.org/2007/opf}"
XHTML = "{http://www.w3.org/1999/xhtml}"
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


class Features:
    def __init__(self, folder: Path, targets: list[str]) -> None:
        self.warnings: list[Diagnostic] = []
        outputs = build(BOOKS / "features", folder, targets, warn=self.warnings.append)
        self.epub = next(o.path for o in outputs if o.target == "epub")
        with zipfile.ZipFile(self.epub) as archive:
            self.files = {name: archive.read(name) for name in archive.namelist()}

    def document(self, name: str) -> etree._Element:
        return etree.fromstring(self.files[f"EPUB/{name}"])

    def properties(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for meta in self.document("content.opf").iter(f"{OPF}meta"):
            if meta.get("property") and not meta.get("refines"):
                found.setdefault(str(meta.get("property")), []).append(meta.text or "")
        return found


@pytest.fixture(scope="module")
def features(tmp_path_factory: pytest.TempPathFactory) -> Features:
    return Features(tmp_path_factory.mktemp("features"), ["epub", "pdf"])


def test_the_book_with_every_feature_passes_epubcheck(features: Features) -> None:
    assert epubcheck_messages(features.epub) == []


def test_accessibility_metadata_describes_the_book(features: Features) -> None:
    meta = features.properties()
    assert meta["schema:accessMode"] == ["textual", "visual"]
    assert meta["schema:accessModeSufficient"] == ["textual,visual"]  # one image lacks alt
    assert meta["schema:accessibilityHazard"] == ["none"]
    assert set(meta["schema:accessibilityFeature"]) == {
        *("structuralNavigation", "tableOfContents", "readingOrder"),
        *("displayTransformability", "alternativeText", "pageBreakMarkers", "pageNavigation"),
    }
    assert meta["dcterms:conformsTo"] == ["EPUB Accessibility 1.1 - WCAG 2.2 Level AA"]
    assert "Page break markers" in meta["schema:accessibilitySummary"][0]
    assert meta["pageBreakSource"] == ["urn:isbn:978-0-306-40615-7"]
    assert features.document("content.opf").get(XML_LANG) == "en-US"


def package_of_epub_alone(manuscript: Path, out: Path) -> str:
    """The package document of the book's EPUB built alone (without the print PDF)."""
    (output,) = build(manuscript, out, ["epub"])
    with zipfile.ZipFile(output.path) as archive:
        return archive.read("EPUB/content.opf").decode()


def test_a_book_whose_images_all_have_alt_text_is_sufficient_as_text(tmp_path: Path) -> None:
    opf = package_of_epub_alone(BOOKS / "full", tmp_path)
    assert '<meta property="schema:accessModeSufficient">textual</meta>' in opf
    assert '<meta property="schema:accessibilityFeature">alternativeText</meta>' in opf
    assert "pageBreakSource" not in opf and "pageNavigation" not in opf


def test_an_image_without_alt_text_is_a_warning_with_its_line(features: Features) -> None:
    assert [str(w) for w in features.warnings] == [
        "tests/books/features/chapters/01-blocks.md:47: warning: image '../images/map.png' "
        "has no alt text: describe it in ![...] or mark it {.decorative}"
    ]


def test_decorative_images_are_hidden_and_described_ones_keep_their_text(
    features: Features,
) -> None:
    images = list(features.document("chapter-01-blocks.xhtml").iter(f"{XHTML}img"))
    assert [(i.get("alt"), i.get("role")) for i in images] == [
        ("The coast, with the lighthouse marked by a red dot", None),
        ("", None),
        ("", "presentation"),
    ]
    assert {i.get("src") for i in images} == {"images/map.png"}


def test_raw_html_is_well_formed_xhtml_with_its_images_in_the_book(features: Features) -> None:
    raw = features.document("chapter-02-raw.xhtml")
    (image,) = raw.iter(f"{XHTML}img")
    assert image.get("src") == "images/map.png"
    assert image.get("alt") == "A hand-drawn copy of the coast map"
    assert len(list(raw.iter(f"{XHTML}br"))) == 2
    assert [a.get("title") for a in raw.iter(f"{XHTML}abbr")] == ["Captain"]


def test_every_document_declares_its_language(features: Features) -> None:
    documents = [name for name in features.files if name.endswith(".xhtml")]
    assert len(documents) == 8  # cover, title, copyright, 4 chapters, nav
    for name in documents:
        root = etree.fromstring(features.files[name])
        assert root.get("lang") == root.get(XML_LANG) == "en-US", name


def test_notes_are_footnote_asides_that_link_both_ways(features: Features) -> None:
    chapter = features.document("chapter-01-blocks.xhtml")
    (call,) = [a for a in chapter.iter(f"{XHTML}a") if a.get(EPUB_TYPE) == "noteref"]
    (note,) = [a for a in chapter.iter(f"{XHTML}aside") if a.get(EPUB_TYPE) == "footnote"]
    assert note.get("role") == "doc-footnote" and call.get("role") == "doc-noteref"
    assert call.get("href") == f"#{note.get('id')}"
    back = note.find(f"{XHTML}p/{XHTML}a")
    assert back is not None and back.get("role") == "doc-backlink" and back.text == "1."
    assert chapter.xpath("//*[@id=$id]", id=str(back.get("href"))[1:])[0].find(f"{XHTML}a") is call
    assert len(note.findall(f"{XHTML}p")) == 2  # both paragraphs of the note


def test_semantics_of_every_part(features: Features) -> None:
    def types(name: str) -> set[str]:
        return {str(e.get(EPUB_TYPE)) for e in features.document(name).iter() if e.get(EPUB_TYPE)}

    assert {"frontmatter", "titlepage", "subtitle", "pagebreak"} <= types("titlepage.xhtml")
    assert {"frontmatter", "copyright-page"} <= types("copyright.xhtml")
    assert "bodymatter" in types("chapter-01-blocks.xhtml")
    assert {"chapter", "noteref", "footnote", "pagebreak"} <= types("chapter-01-blocks.xhtml")
    assert "backmatter" in types("back-notes.xhtml")
    nav = features.document("nav.xhtml")
    kinds = {str(n.get(EPUB_TYPE)): n.get("role") for n in nav.iter(f"{XHTML}nav")}
    assert kinds == {"toc": "doc-toc", "landmarks": None, "page-list": "doc-pagelist"}


def test_the_sample_book_has_the_accessibility_metadata_too(tmp_path: Path) -> None:
    opf = package_of_epub_alone(ROOT / "manuscript", tmp_path)
    assert '<meta property="schema:accessMode">textual</meta>' in opf
    assert '<meta property="schema:accessModeSufficient">textual</meta>' in opf
