"""Markdown -> XHTML: titles keep their curly quotes and dashes, scene breaks are marked."""

from __future__ import annotations

import markdown
from lxml import etree

from chapbook.read.markdown.markup import Problem, lost_text, render_markdown


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


def test_tangled_emphasis_keeps_every_character() -> None:
    """Python-Markdown 3.11 pairs `**` with a lone `*`, swallowing what follows it."""
    for text, paragraph in [
        ("word word *0**0*&0;", "<p>word word *0**0*&amp;0;</p>"),
        ("*a**b*c and *a**b*`code`", "<p>*a**b*c and *a**b*<code>code</code></p>"),
        ("***x*<a@<b>>**", "<p><strong><em>x</em>&lt;a@<b>&gt;</b></strong></p>"),
        (
            "*em* **strong** ***both***",
            "<p><em>em</em> <strong>strong</strong> <strong><em>both</em></strong></p>",
        ),
    ]:
        rendered = render_markdown(text, "en", same, same)
        assert (rendered.body, rendered.problems) == (paragraph, ())


def test_a_placeholder_left_in_is_an_error_at_its_line() -> None:
    """The safety net, on what stock Python-Markdown 3.11 makes of tangled emphasis."""
    text = "# One\n\nIntro.\n\nword word *0**0*&0;\n"
    converted = markdown.Markdown(extensions=["footnotes"]).convert(text)
    assert "klzzwxh:0000" in converted
    assert lost_text(text, converted) == (
        Problem(
            "E122",
            "Markdown lost text in this paragraph (tangled * or _ marks, or raw HTML): write "
            "a * or _ that is not emphasis as \\* or \\_, a < that begins no tag as &lt;",
            "",
            5,
        ),
    )
    assert lost_text(text, render_markdown(text, "en", same, same).body) == ()


def test_an_ampersand_that_starts_no_character_reference_is_text() -> None:
    rendered = render_markdown("&0; &nope; &copy; &#169; &#xA9; &amp; `&0;`", "en", same, same)
    assert rendered.body == "<p>&amp;0; &amp;nope; © © © &amp; <code>&amp;0;</code></p>"


def test_comments_are_the_authors_notes_and_stay_out() -> None:
    text = "# One <!-- in -- title -->\n\nA <!-- x -- y --> b.\n\n<!-- a -- b -->\n\n<?php x ?>\n"
    rendered = render_markdown(text, "en", same, same)
    assert (rendered.title_html, rendered.body.rstrip()) == ("One", "<p>A  b.</p>")


def test_the_title_id_marks_the_chapters_start_once() -> None:
    rendered = render_markdown("# One {#start}\n\nText [up](#start).\n", "en", same, same)
    assert rendered.title_html == "One"
    assert rendered.body == '<p id="start">Text <a href="#start">up</a>.</p>'
    assert rendered.ids == {"start"}
    rendered = render_markdown("# One {#a}\n\n## Two {#b}\n", "en", same, same)
    assert rendered.body == '<div id="a"/>\n<h2 id="b">Two</h2>'
    assert rendered.ids == {"a", "b"}
    rendered = render_markdown("# One\n\nText.\n", "en", same, same)  # toc's own id: not kept
    assert (rendered.body, rendered.ids) == ("<p>Text.</p>", frozenset())


def test_text_after_wbr_stays_outside_it() -> None:
    rendered = render_markdown("long<wbr>word and <b>more</b>\n", "en", same, same)
    assert rendered.body == "<p>long<wbr/>word and <b>more</b></p>"


def test_obsolete_elements_are_problems_with_their_occurrence() -> None:
    text = "# <big>Big</big> title\n\n<center>a</center>\n\n<center>b</center>\n"
    rendered = render_markdown(text, "en", same, same)
    center = "a <div> or <p> with a class (text-align: center in the stylesheet)"
    big = "a <span> with a class (font-size: larger in the stylesheet)"
    prefix = "is obsolete HTML, which EPUB does not allow: use"
    assert rendered.problems == (
        Problem("E121", f"<center> {prefix} {center}", "<center", occurrence=1),
        Problem("E121", f"<center> {prefix} {center}", "<center", occurrence=2),
        Problem("E121", f"<big> {prefix} {big}", "<big", occurrence=1),
    )


def test_obsolete_attributes_are_problems_where_html_has_them_no_longer() -> None:
    text = (
        '<table border="1" width="50%"><tr><td height="2">c</td></tr></table>\n\n'
        '<img src="i.png" alt="i" width="3" border="0"> <a name="n" id="m">n</a>\n\n'
        '<table border="2"><tr><td>x</td></tr></table>\n'
    )
    prefix = "is obsolete HTML, which EPUB does not allow: use"
    assert render_markdown(text, "en", same, same).problems == (
        Problem(
            "E121", f'width="…" on <table> {prefix} width in the stylesheet', " width=", None, 1
        ),
        Problem(
            "E121", f'height="…" on <td> {prefix} height in the stylesheet', " height=", None, 1
        ),
        Problem(
            "E121", f'border="…" on <img> {prefix} border in the stylesheet', " border=", None, 2
        ),
        Problem("E121", f'name="…" on <a> {prefix} an id', " name=", None, 1),
        Problem(
            "E121",
            f'border="…" on <table> {prefix} the stylesheet (or border="1")',
            " border=",
            None,
            3,
        ),
    )


def test_a_tag_broken_by_the_next_one_is_text() -> None:
    """`<A0<"x@y>` would be read by the HTML parser as an element named `a0<a` with an
    href: its start is text, and the address after it a link."""
    rendered = render_markdown('Text <A0<"x@y>> more\n', "en", same, same)
    assert rendered.body == '<p>Text &lt;A0<a href="mailto:%22x@y">"x@y</a>&gt; more</p>'
    message = "'<A0' is not an HTML element: printed as text; write it in backticks"
    assert rendered.warnings == (Problem("W217", message, "", 1),)
