"""Markdown -> XHTML: titles keep their curly quotes and dashes, scene breaks are marked."""

from __future__ import annotations

from lxml import etree

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


HOSTILE = """Text <span onclick="steal()">hi</span> and <a href="javascript:alert(1)">a link</a>.

<script>alert(1)</script>
<iframe src="file:///etc/passwd"></iframe>
<p style="background: url(/etc/secret)">styled</p>
<link rel="attachment" href="/etc/passwd">
<form><input name="x"></form> after
<svg><script>alert(2)</script></svg>
<video src="film.mp4"></video>
<img src="map.png" alt="A map" onerror="steal()" srcset="big.png 2x">
"""


def test_raw_html_loses_scripts_handlers_embeds_and_forms_and_says_so() -> None:
    rendered = render_markdown(HOSTILE, "en", same, same)
    body = rendered.body
    for gone in ("<script", "<iframe", "<link", "<form", "<input", "<svg", "<video", "on"):
        assert gone not in body.replace("</a>", "")
    assert "javascript" not in body and "/etc/" not in body and "srcset" not in body
    assert "<span>hi</span> and <a>a link</a>" in body and "<p>styled</p>" in body
    assert '<img src="map.png" alt="A map"/>' in body and "after" in body
    assert [r.message for r in rendered.removed] == [
        'onclick="…" removed from <span>: an event handler',
        'href="…" removed from <a>: a script URL',
        "<script> removed: a script",
        "<iframe> removed: embedded content",
        'style="…" removed from <p>: a style that loads a file',
        "<link> removed: a head element",
        "<form> removed: a form",
        "<svg> removed: inline SVG (use an image file)",
        "<video> removed: media",
        'onerror="…" removed from <img>: an event handler',
        'srcset="…" removed from <img>: image sets are not supported',
    ]
    etree.fromstring(f"<div xmlns='http://www.w3.org/1999/xhtml'>{body}</div>")
