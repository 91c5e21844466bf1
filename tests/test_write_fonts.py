"""Subsetting the book's typeface for the EPUB, and finding the characters it must keep."""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont  # type: ignore[import-untyped]
from warm_epubcheck import epubcheck_messages

from chapbook.pipeline import build
from chapbook.write.fonts import GENERATED, subset_font, used_characters

FONTS = Path(__file__).resolve().parent.parent / "src" / "chapbook" / "styles" / "fonts"
REGULAR = FONTS / "EBGaramond12-Regular.ttf"

SAMPLE = (
    "It was the best of times, it was the worst of times — “so they said,” "
    "and nobody in the office (least of all Mrs. Fitzgerald) disagreed; 1925 was a fine year."
)
XHTML = "http://www.w3.org/1999/xhtml"


def page(head: str, body: str) -> str:
    """An XHTML document with the given head and body content."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<html xmlns="{XHTML}"><head>{head}</head><body>{body}</body></html>'
    )


@pytest.fixture(scope="module")
def regular() -> bytes:
    """The regular face, as shipped."""
    return REGULAR.read_bytes()


@pytest.fixture(scope="module")
def abc(regular: bytes) -> TTFont:
    """The regular face subset to 'abc', read back."""
    return TTFont(io.BytesIO(subset_font(regular, "abc")))


def load(data: bytes) -> TTFont:
    """A font from bytes."""
    return TTFont(io.BytesIO(data))


def feature_tags(font: TTFont, table: str) -> set[str]:
    """The feature tags in a font's GSUB or GPOS."""
    return {record.FeatureTag for record in font[table].table.FeatureList.FeatureRecord}


def substitutions(font: TTFont, feature: str) -> dict[str, str]:
    """The single substitutions a GSUB feature makes (glyph -> glyph)."""
    gsub = font["GSUB"].table
    mapping: dict[str, str] = {}
    for record in gsub.FeatureList.FeatureRecord:
        if record.FeatureTag != feature:
            continue
        for index in record.Feature.LookupListIndex:
            for sub in gsub.LookupList.Lookup[index].SubTable:
                sub = getattr(sub, "ExtSubTable", sub)
                mapping.update(getattr(sub, "mapping", {}))
    return mapping


def outline(font: TTFont, glyph: str) -> tuple[tuple[float, float], ...]:
    """A glyph's points: how to know a glyph again once the subset has renamed it."""
    glyf = font["glyf"]
    coordinates, _, _ = glyf[glyph].getCoordinates(glyf)
    return tuple(coordinates)


def outlines(font: TTFont) -> set[tuple[tuple[float, float], ...]]:
    """The points of every glyph in a font."""
    return {outline(font, glyph) for glyph in font.getGlyphOrder()}


def test_subset_of_a_sample_text_is_much_smaller(regular: bytes) -> None:
    # Measured: 514,288 bytes -> 34,856 bytes for SAMPLE (about 6.8 %).
    subset = subset_font(regular, used_characters([page("", SAMPLE)], []))
    assert len(subset) < len(regular) * 0.15
    font = load(subset)
    cmap = font.getBestCmap()
    assert set(map(ord, SAMPLE)) <= set(cmap)
    assert len(font.getGlyphOrder()) < len(load(regular).getGlyphOrder()) / 5


def test_subset_maps_exactly_the_requested_characters(abc: TTFont) -> None:
    cmap = abc.getBestCmap()
    assert {ord("a"), ord("b"), ord("c")} <= set(cmap)
    assert ord("z") not in cmap
    assert set(cmap) == {ord("a"), ord("b"), ord("c")}


def test_subset_keeps_small_capitals_of_the_letters_asked_for(regular: bytes, abc: TTFont) -> None:
    # The subset drops glyph names, so glyphs are known again by their outlines.
    original = load(regular)
    assert "smcp" in feature_tags(abc, "GSUB")
    kept = outlines(abc)
    assert {outline(original, f"{letter}.sc") for letter in "abc"} <= kept
    assert outline(original, "z.sc") not in kept
    cmap = abc.getBestCmap()
    smcp = substitutions(abc, "smcp")
    for letter in "abc":
        small_cap = smcp[cmap[ord(letter)]]
        assert outline(abc, small_cap) == outline(original, f"{letter}.sc")


def test_subset_keeps_ligatures_and_kerning(regular: bytes) -> None:
    original = load(regular)
    font = load(subset_font(regular, "fil AV"))
    assert {"liga", "calt"} <= feature_tags(font, "GSUB")
    assert "kern" in feature_tags(font, "GPOS")
    # EB Garamond joins f-i and f-l by contextual swaps, not ligature glyphs: `liga`
    # turns the i dotless and the l into its f-joined form.
    assert {outline(original, "i.dotless"), outline(original, "l.f_")} <= outlines(font)


def test_subset_drops_features_not_kept(abc: TTFont) -> None:
    kept = feature_tags(abc, "GSUB") | feature_tags(abc, "GPOS")
    assert not kept & {"ss01", "ss02", "cv01", "dlig", "salt", "hlig", "size", "lfbd"}


def test_subset_keeps_copyright_licence_and_family(regular: bytes, abc: TTFont) -> None:
    original = load(regular)["name"]
    names = abc["name"]
    for name_id in (0, 1, 13, 14, 16):
        kept = names.getDebugName(name_id)
        assert kept, f"name ID {name_id} dropped"
        assert kept == original.getDebugName(name_id)
    assert "OFL" in names.getDebugName(14)


def test_subset_drops_hinting_and_stays_truetype(abc: TTFont) -> None:
    assert not {"fpgm", "prep", "cvt ", "FFTM"} & set(abc.keys())
    glyph = abc["glyf"]["a"]
    assert not hasattr(glyph, "program") or not glyph.program.getBytecode()
    assert abc.sfntVersion == "\x00\x01\x00\x00"
    assert abc.flavor is None


def test_subset_is_a_truetype_file(regular: bytes) -> None:
    assert subset_font(regular, "abc")[:4] == b"\x00\x01\x00\x00"


def test_subset_is_reproducible_whatever_the_clock(
    regular: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = subset_font(regular, SAMPLE)
    assert subset_font(regular, SAMPLE) == first
    monkeypatch.setattr(time, "time", lambda: 2_000_000_000.0)
    assert subset_font(regular, SAMPLE) == first
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "86400")
    assert subset_font(regular, SAMPLE) == first
    assert load(first)["head"].modified == load(regular)["head"].modified


def test_subset_is_reproducible_across_processes() -> None:
    script = (
        "import hashlib, sys; from pathlib import Path;"
        "from chapbook.write.fonts import subset_font;"
        f"data = subset_font(Path({str(REGULAR)!r}).read_bytes(), {SAMPLE!r});"
        "print(hashlib.sha256(data).hexdigest())"
    )
    digests = set()
    for seed, epoch in (("1", "0"), ("2", "1700000000")):
        env = {**os.environ, "PYTHONHASHSEED": seed, "SOURCE_DATE_EPOCH": epoch}
        run = subprocess.run(
            [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
        )
        digests.add(run.stdout.strip())
    expected = hashlib.sha256(subset_font(REGULAR.read_bytes(), SAMPLE)).hexdigest()
    assert digests == {expected}


def test_used_characters_reads_nested_text_and_tails() -> None:
    body = "<p>Q<em>u<strong>x</strong>k</em>&#x2014;j<!-- W --><br/>Ω</p><ol><li>ž</li></ol>"
    characters = used_characters([page("", body)], [])
    assert set("Quxk—jΩž") <= set(characters)
    assert "W" not in characters


def test_used_characters_ignores_head_scripts_and_attributes() -> None:
    head = "<title>Zebra</title><style>p::before{content:'V'}</style>"
    body = '<p title="Yak" class="K">q</p><img alt="Xylo" src="a.png"/><script>var w;</script>'
    characters = used_characters([page(head, body)], [])
    for absent in "ZebrVYakKXylowv":
        assert absent not in characters
    assert "q" in characters


def test_used_characters_adds_what_a_reading_system_generates() -> None:
    characters = used_characters([], [])
    assert set("0123456789.-)( ") <= set(characters)
    assert characters == "".join(sorted(set(GENERATED)))


def test_used_characters_is_sorted_unique_and_without_line_breaks() -> None:
    characters = used_characters([page("", "<p>b\n\ta b</p>"), page("", "<p>a</p>")], [])
    assert characters == "".join(sorted(set(characters)))
    assert "\n" not in characters and "\t" not in characters
    assert {"a", "b"} <= set(characters)


def test_used_characters_reads_css_generated_content() -> None:
    css = (
        r'.break::after { content: "\2766"; }'
        r" li::before { content: '\'' counter(item) '\2013 x' }"
        r' q { quotes: "\201C" "\201D"; }'
        " /* content: 'Z' */ p { justify-content: center; font-family: 'Garamond'; }"
    )
    characters = used_characters([], [css])
    assert "❦" in characters
    assert set("'–x“”") <= set(characters)
    assert " " in characters
    for absent in "ZGrm\\":
        assert absent not in characters


def test_css_hex_escapes_end_after_six_digits_or_one_space() -> None:
    characters = used_characters([], [r'p::before { content: "\000041a\42 c\\" }'])
    assert set("AaBc\\") <= set(characters)
    assert "\u041a" not in characters  # \000041a is A then a, never U+041A
    assert "\u042c" not in characters  # \42 c is B then c, never U+042C


def test_embed_fonts_puts_the_subset_typeface_in_a_valid_epub(tmp_path: Path) -> None:
    book = tmp_path / "book"
    shutil.copytree(Path(__file__).resolve().parent / "books" / "full", book)
    plain = build(book, tmp_path / "plain", ["epub"])[0].path
    with (book / "book.toml").open("a", encoding="utf-8") as toml:
        toml.write("\n[epub]\nembed-fonts = true\n")
    embedded = build(book, tmp_path / "embedded", ["epub"])[0].path
    with zipfile.ZipFile(plain) as archive:
        assert not [name for name in archive.namelist() if name.endswith(".ttf")]
    with zipfile.ZipFile(embedded) as archive:
        fonts = {n: archive.read(n) for n in archive.namelist() if n.endswith(".ttf")}
        css = archive.read("EPUB/styles/book.css").decode()
        opf = archive.read("EPUB/content.opf").decode()
        texts = [archive.read(n).decode() for n in archive.namelist() if n.endswith(".xhtml")]
    names = {name.rsplit("/", 1)[1] for name in fonts}
    assert names == {"EBGaramond12-Regular.ttf", "EBGaramond12-Italic.ttf", "EBGaramond12-Bold.ttf"}
    assert all(name in css for name in names) and 'media-type="font/ttf"' in opf
    regular = load(fonts["EPUB/styles/fonts/EBGaramond12-Regular.ttf"])
    letters = {c for c in used_characters(texts, [css]) if not c.isspace()}
    assert letters <= {chr(code) for code in regular.getBestCmap()}
    assert len(fonts["EPUB/styles/fonts/EBGaramond12-Regular.ttf"]) < REGULAR.stat().st_size / 5
    assert epubcheck_messages(embedded) == []
