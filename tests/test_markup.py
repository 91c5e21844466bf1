"""Markdown -> XHTML: titles keep their curly quotes and dashes, scene breaks are marked."""

from __future__ import annotations

from chapbook.markup import render_markdown


def same(text: str) -> str:
    return text


def test_a_title_keeps_its_curly_apostrophe_and_dash() -> None:
    rendered = render_markdown("# Mrs. Pell's House -- at Last\n\nText.", "en", same, same)
    assert rendered.title == "Mrs. Pell’s House – at Last"
    assert rendered.title_html == "Mrs. Pell’s House – at Last"


def test_a_title_with_markup_and_quotes() -> None:
    rendered = render_markdown('# The "*Drowned*" Coast\n\nText.', "en", same, same)
    assert rendered.title == "The “Drowned” Coast"
    assert rendered.title_html == "The “<em>Drowned</em>” Coast"


def test_scene_breaks_are_marked() -> None:
    rendered = render_markdown("One.\n\n* * *\n\nTwo.\n\n---\n\nThree.", "en", same, same)
    assert rendered.body.count('<hr class="scene-break"/>') == 2
