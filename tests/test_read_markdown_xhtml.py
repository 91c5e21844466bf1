"""Raw HTML and Markdown's output brought to the XHTML an EPUB allows (issue 15, finding 3):
each repair a warning at its line, each thing beyond repair an error at its line; and the
classes the stylesheets place images and tables by (findings 7 and 8)."""

from __future__ import annotations

from lxml import etree

from chapbook.read.markdown.markup import Problem, render_markdown
from chapbook.read.markdown.xhtml import Locator, escape_unknown_tags, without_code

XHTML = "{http://www.w3.org/1999/xhtml}"
UNKNOWN = "is not an HTML element: printed as text; write it in backticks"


def same(text: str) -> str:
    return text


def warned(text: str) -> list[tuple[int | None, str]]:
    return [(w.line, w.message) for w in render_markdown(text, "en", same, same).warnings]


def refused(text: str) -> list[tuple[int | None, str]]:
    return [(p.line, p.message) for p in render_markdown(text, "en", same, same).problems]


def body(text: str) -> str:
    return render_markdown(text, "en", same, same).body


def parsed(text: str) -> etree._Element:
    wrapped = f"<div xmlns='http://www.w3.org/1999/xhtml'>{body(text)}</div>"
    return etree.fromstring(wrapped.encode())


# Tags that name no element


POINTERS = """# Smart Pointers and Box<T>

A `Box<T>` written in backticks is code; Box<T> written without them is not, nor is
Pin<dyn Future>.

A Result<T, E> holds one or the other.[^1]

<p>Raw HTML with an unknown <Widget> inside.</p>

```rust
let b: Box<T> = todo!();
```

[^1]: So does an Rc<RefCell<T>>.
"""


def test_a_type_name_in_prose_is_text_with_a_warning_at_its_line() -> None:
    rendered = render_markdown(POINTERS, "en", same, same)
    assert rendered.title_html == "Smart Pointers and Box&lt;T&gt;"
    assert (
        "<p>A <code>Box&lt;T&gt;</code> written in backticks is code; Box&lt;T&gt; written "
        "without them is not, nor is\nPin&lt;dyn Future&gt;.</p>"
    ) in rendered.body
    assert "A Result&lt;T, E&gt; holds" in rendered.body
    assert "<p>Raw HTML with an unknown &lt;Widget&gt; inside.</p>" in rendered.body
    assert "An Rc&lt;RefCell&lt;T&gt;&gt;." in rendered.body.replace("So does an", "An")
    assert sorted((w.line, w.message) for w in rendered.warnings) == [
        (1, f"'<T>' {UNKNOWN}"),
        (3, f"'<T>' {UNKNOWN}"),
        (4, f"'<dyn Future>' {UNKNOWN}"),
        (6, f"'<T, E>' {UNKNOWN}"),
        (8, f"'<Widget>' {UNKNOWN}"),
        (14, f"'<T>' {UNKNOWN}"),
    ]
    assert rendered.problems == ()


def test_html_elements_svg_and_comments_are_not_made_text() -> None:
    fragment = (
        '<p>a <b>b</b> <img src="x.png" alt="a &gt; b"/> <!-- <T> --> </p>'
        '<svg><rect width="1"/><text>Box<T></text></svg><script>if (a<b) {}</script>'
    )
    escaped, tags = escape_unknown_tags(fragment, frozenset({"p", "b", "img", "svg", "script"}))
    assert (escaped, tags) == (fragment, ())


def test_an_unknown_closing_tag_and_a_tag_broken_by_the_next_one_are_text() -> None:
    assert body("Option<A0<b>x</b> and </Foo> here.\n") == (
        "<p>Option&lt;A0<b>x</b> and &lt;/Foo&gt; here.</p>"
    )
    assert warned("Option<A0<b>x</b> and </Foo> here.\n") == [
        (1, "'</Foo>' closes no HTML element: printed as text; write it in backticks"),
    ]  # Python-Markdown itself escapes the `<` of `<A0<b>`


def test_code_and_comments_are_left_out_of_the_search_for_lines() -> None:
    text = "a `<T>` b\n```\n<T>\n```\n<!-- <T> -->\n\\<T> <T>\n"
    assert without_code(text).split("\n") == [
        "a       b",
        "",
        "",
        "",
        "            ",
        "  T> <T>",
        "",
    ]
    assert Locator(text).line_of("", "<T>") == 6


# Sizes


def test_sizes_as_pandoc_writes_them_become_what_xhtml_allows() -> None:
    text = (
        "![a](a.png){width=50%}\n\n"
        '![b](b.png){: width="40%" }\n\n'
        "![c](c.png){width=300px}\n\n"
        "![d](d.png){width=8cm height=2.5in}\n\n"
        '<img src="e.png" alt="e" width="50%" height="30%" style="border: 0">\n'
    )
    assert body(text) == (
        '<p class="image"><img alt="a" src="a.png" style="width: 50%"/></p>\n'
        '<p class="image"><img alt="b" src="b.png" style="width: 40%"/></p>\n'
        '<p class="image"><img alt="c" src="c.png" width="300" style="width: 300px"/></p>\n'
        '<p class="image"><img alt="d" src="d.png" style="width: 8cm; height: 2.5in"/></p>\n'
        '<p class="image"><img src="e.png" alt="e" style="height: 30vh; width: 50%; border: 0"/>'
        "</p>"
    )
    assert warned(text) == refused(text) == []


def test_a_size_that_is_none_is_an_error_at_its_line() -> None:
    assert refused("Text.\n\n![a](a.png){width=big}\n") == [
        (
            3,
            'width="big" on <img> is not a size: give pixels (300), a percentage (50%) or a '
            "length (8cm, 2in)",
        )
    ]


def test_attributes_html_does_not_have_are_kept_as_data() -> None:
    text = '<span foo="bar" DATA-x="1" Title="t">x</span> ![a](a.png){key=value}\n'
    assert body(text) == (
        '<p><span data-foo="bar" data-x="1" title="t">x</span> '
        '<img alt="a" src="a.png" data-key="value" class="inline"/></p>'
    )


def test_a_number_that_is_none_is_an_error() -> None:
    assert refused('<table><tr><td colspan="two">x</td></tr></table>\n') == [
        (1, 'colspan="two" on <td> must be a whole number above 0')
    ]


# Captions


FLEET = """| Ship | Tons |
|------|-----:|
| Ada  | 300  |

: The fleet in *1850* {#tbl:fleet .ships}

Table: The crews

| Ship | Crew |
|------|-----:|
| Ada  | 12   |

| Port | Calls |
|------|------:|
| Hull | 3     |
: Ports of call
"""


def test_pandoc_table_captions_are_the_tables_captions() -> None:
    tables = parsed(FLEET).findall(f"{XHTML}table")
    captions = [
        etree.tostring(table[0], encoding="unicode", with_tail=False).split(">", 1)[1]
        for table in tables
    ]
    assert captions == [
        "The fleet in <em>1850</em></caption>",
        "The crews</caption>",
        "Ports of call</caption>",
    ]
    assert [(t.get("id"), t.get("class")) for t in tables] == [
        ("tbl:fleet", "ships"),
        (None, None),
        (None, None),
    ]
    assert "dl" not in body(FLEET) and "Table:" not in body(FLEET)
    assert [len(t.findall(f".//{XHTML}tr")) for t in tables] == [2, 2, 2]
    assert warned(FLEET) == []


def test_a_definition_without_a_term_is_a_paragraph_with_a_warning() -> None:
    text = "The ports:\n\n- Hull\n- Leith\n\n: no term before it\n"
    assert body(text).endswith("</ul>\n<p>no term before it</p>\n")
    assert warned(text) == [
        (
            6,
            "a ': ' definition with no term on the line before it: printed as a paragraph "
            "(a caption goes just after its table)",
        )
    ]


# Where elements may be


def test_line_breaks_where_no_break_may_be_are_removed_with_a_warning() -> None:
    text = (
        '<figure>\n<img src="a.png" alt="a">\n<figcaption>One</figcaption>\n<br><br>\n'
        "</figure>\n\n"
        '<figure>\n<br>\n<figcaption>Two</figcaption>\n<img src="b.png" alt="b">\n</figure>\n\n'
        '<figure>\n<img src="c.png" alt="c">\n<br>\n<figcaption>Three</figcaption>\n</figure>\n\n'
        "<ul>\n<li>one</li>\n<br>\n<li>two</li>\n</ul>\n"
    )
    assert body(text).count("<br/>") == 1  # between figure three's image and caption
    assert warned(text) == [
        (4, "<br> removed from a <figure>: its caption comes first or last"),
        (8, "<br> removed from a <figure>: its caption comes first or last"),
        (21, "<br> removed from <ul>: a line break has no place between its parts"),
    ]


def test_what_no_repair_can_place_is_an_error_at_its_line() -> None:
    text = (
        '<figure>\n<img src="a.png" alt="a">\n<figcaption>Middle</figcaption>\n'
        '<img src="b.png" alt="b">\n</figure>\n\n'
        "<ul>\n<li>one</li>\n<p>among the items</p>\n</ul>\n\n"
        "<math><mi>x</mi></math>\n"
    )
    assert sorted(refused(text)) == [
        (3, "a <figure>'s <figcaption> must come first or last in it"),
        (9, "<p> is inside <ul>, which holds only <li>"),
        (12, "<math> is not allowed in an EPUB: MathML is not supported: show the formula as "
         "an image"),
    ]  # fmt: skip


def test_xml_made_of_html_written_in_capitals_is_xhtml() -> None:
    assert body("<DIV><P>Text</P></DIV>\n") == "<div><p>Text</p></div>"


# Classes for the stylesheets


def test_an_image_in_a_sentence_is_inline_and_one_alone_a_block() -> None:
    text = (
        "When the sun ![sun](sun.png) shows.\n\n"
        "![map](map.png)\n\n"
        "[![linked](map.png)](https://example.org)\n\n"
        "A sized ![icon](i.png){width=20%} image.\n\n"
        "<figure markdown>\n![map](map.png)\n<figcaption>A map</figcaption>\n</figure>\n"
    )
    tree = parsed(text)
    images = {i.get("alt"): i for i in tree.iter(f"{XHTML}img")}
    assert images["sun"].get("class") == "inline"
    assert images["icon"].get("class") is None
    parents = [
        p.get("class") for p in tree.iter(f"{XHTML}p") if p.find(f".//{XHTML}img") is not None
    ]
    assert parents == [None, "image", "image", None, "image"]


def test_a_table_of_many_columns_is_wide_with_shared_columns() -> None:
    head = "| " + " | ".join(f"Month {n}" for n in range(12)) + " |\n"
    rows = "|" + "---|" * 12 + "\n| " + " | ".join("1234" for _ in range(12)) + " |\n"
    table = parsed(head + rows).find(f"{XHTML}table")
    assert table is not None and table.get("class") == "wide"
    widths = [col.get("style") for col in table.iter(f"{XHTML}col")]
    assert widths == ["width: 8.3%"] * 12
    crowded = "| " + " | ".join("c" for _ in range(30)) + " |\n|" + "-|" * 30 + "\n"
    table = parsed(crowded).find(f"{XHTML}table")
    assert table is not None and table.get("class") == "wide crowded"
    assert table.find(f"{XHTML}colgroup") is None
    small = parsed("| a | b |\n|---|---|\n| 1 | 2 |\n").find(f"{XHTML}table")
    assert small is not None and small.get("class") is None


def test_problems_are_problems() -> None:
    """The reader reports the repairs as the chapter's warnings (Problem, with a line)."""
    rendered = render_markdown("Box<T>\n", "en", same, same)
    assert rendered.warnings == (Problem("W217", f"'<T>' {UNKNOWN}", "", 1),)
