"""Page-break markers put into a chapter body, as the EPUB writer does."""

from __future__ import annotations

from chapbook.model.fragments import fragment_xml, parse_fragment
from chapbook.write.pagemap import PageStart, insert_breaks, page_labels, roman


def marked(body: str, *starts: PageStart) -> str:
    container = parse_fragment(body)
    insert_breaks(container, starts)
    return fragment_xml(container)


def marker(label: str) -> str:
    return (
        f'<span epub:type="pagebreak" role="doc-pagebreak" id="page-{label}" aria-label="{label}"/>'
    )


def test_a_page_starting_at_a_word_is_marked_before_it() -> None:
    body = "<p>One two</p><p>three <em>four</em> five</p>"
    # element 1 is the second p; "three" is 5 visible characters, so offset 5 is "four"
    assert marked(body, PageStart("7", "c", 1, 5)) == (
        f"<p>One two</p><p>three <em>{marker('7')}four</em> five</p>"
    )


def test_a_page_starting_inside_a_hyphenated_word_is_marked_after_it() -> None:
    body = "<p>a wonderful day</p>"
    assert marked(body, PageStart("3", "c", 0, 4)) == f"<p>a wonderful {marker('3')}day</p>"


def test_note_calls_are_not_counted_as_the_print_pdf_does_not_set_them_as_text() -> None:
    body = '<p>Stairs<sup><a epub:type="noteref" href="#fn-1">1</a></sup> were steep</p>'
    expected = (
        f'<p>Stairs<sup><a epub:type="noteref" href="#fn-1">1</a></sup> were {marker("2")}steep</p>'
    )
    assert marked(body, PageStart("2", "c", 0, 10)) == expected


def test_several_pages_in_one_paragraph_and_a_place_past_its_end() -> None:
    body = "<p>aa bb cc dd</p>"
    result = marked(body, PageStart("1", "c", 0, 2), PageStart("2", "c", 0, 6))
    assert result == f"<p>aa {marker('1')}bb cc {marker('2')}dd</p>"
    assert marked(body, PageStart("9", "c", 0, 99), PageStart("8", "c", 5, 0)) == body


def test_page_labels_are_roman_then_arabic() -> None:
    assert page_labels(6, 4) == ["i", "ii", "iii", "iv", "1", "2"]
    assert page_labels(2, None) == ["i", "ii"]
    assert [roman(n) for n in (9, 14, 40, 1999)] == ["ix", "xiv", "xl", "mcmxcix"]
