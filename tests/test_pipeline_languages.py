"""Books in French and German: their quotation marks, spaces and generated words, in the
EPUB and in the print PDF."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from conftest import BOOKS, clean
from lxml import etree

from chapbook.pipeline import build

NNBSP, NBSP = "\u202f", "\u00a0"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


class Built:
    def __init__(self, name: str, folder: Path) -> None:
        outputs = {o.target: o.path for o in build(BOOKS / name, folder, ["epub", "pdf"])}
        self.pdf = outputs["pdf"]
        with zipfile.ZipFile(outputs["epub"]) as archive:
            self.files = {
                n: archive.read(n).decode()
                for n in archive.namelist()
                if n.endswith((".xhtml", ".opf"))
            }

    def epub_text(self, name: str) -> str:
        return "".join(etree.fromstring(self.files[f"EPUB/{name}"].encode()).itertext())

    def pdf_lines(self) -> list[str]:
        """Every line of every page as PDFium reads it, spaces as they are."""
        document = pdfium.PdfDocument(self.pdf.read_bytes())
        try:
            return [
                line.strip(" ")
                for page in document
                for line in page.get_textpage().get_text_range().splitlines()
                if line.strip()
            ]
        finally:
            document.close()


@pytest.fixture(scope="module")
def french(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return Built("fr", tmp_path_factory.mktemp("fr"))


@pytest.fixture(scope="module")
def german(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return Built("de", tmp_path_factory.mktemp("de"))


def test_french_quotes_and_spaces_in_the_epub(french: Built) -> None:
    text = french.epub_text("chapter-01-la-boutique.xhtml")
    assert f"«{NNBSP}Il y a quelqu’un{NNBSP}?{NNBSP}»" in text
    assert f"«{NNBSP}Vous êtes la nièce de Lucien{NNBSP}?" in text  # the author typed no space
    assert f"Elle leva les yeux{NBSP}: le petit battant" in text
    assert '"' not in text and " ?" not in text and " :" not in text


def test_french_words_and_language_in_the_epub(french: Built) -> None:
    chapter = french.files["EPUB/chapter-01-la-boutique.xhtml"]
    assert '<p class="chapter-number">Chapitre 1</p>' in chapter
    assert 'lang="fr" xml:lang="fr"' in chapter
    assert "<h1>Table des matières</h1>" in french.files["EPUB/nav.xhtml"]
    assert 'xml:lang="fr"' in french.files["EPUB/content.opf"]
    assert 'aria-label="Notes"' in chapter


def test_french_in_print_never_breaks_before_its_punctuation(french: Built) -> None:
    lines = french.pdf_lines()
    text = clean(" ".join(lines))
    assert "CHAPITRE 1" in text and "Table des matières" in text
    assert "« Mais qui ferait une chose pareille ? »" in text
    assert "L’Horloger des marais : Un livre d’essai en français" in text
    assert not [line for line in lines if line[0] in "?!;:»"]
    assert not [line for line in lines if line.rstrip("\r\n ").endswith("«")]


def test_german_quotes_and_abbreviations_in_the_epub_and_in_print(german: Built) -> None:
    text = german.epub_text("chapter-01-das-fundbuero.xhtml")
    assert "„Schlecht“, sagte er schließlich." in text
    assert f"d.{NNBSP}h." in text and "geht’s" in text
    assert '"' not in text and "“Schlecht" not in text
    lines = german.pdf_lines()
    printed = clean(" ".join(lines))
    assert "„Schlecht“, sagte er schließlich." in printed and "KAPITEL 1" in printed
    assert not [line for line in lines if line.startswith(("B.", "h."))]
