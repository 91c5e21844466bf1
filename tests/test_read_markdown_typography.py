"""Typography by language: quotes, spaces before punctuation, abbreviations; in strings
and across the inline elements of a block, never in code or attributes.

\\u202f is a narrow no-break space, \\u00a0 a no-break space."""

from __future__ import annotations

import random

import markdown
import pytest
from lxml import etree
from lxml import html as lxml_html

from chapbook.read.markdown.typography import localize, localize_text


def html(fragment: str) -> etree._Element:
    """A fragment inside its container `div`."""
    return etree.fromstring(f"<div>{fragment}</div>")


def inner(root: etree._Element) -> str:
    """The container's content, serialized."""
    text = etree.tostring(root, encoding="unicode")
    return text.removeprefix("<div>").removesuffix("</div>")


def localized(fragment: str, language: str) -> str:
    root = html(fragment)
    localize(root, language)
    return inner(root)


# French: quotation marks.


def test_french_double_quotes_become_guillemets_with_narrow_spaces() -> None:
    assert localize_text("“Bonjour”, dit-elle.", "fr") == "«\u202fBonjour\u202f», dit-elle."


def test_french_quote_within_a_quote_takes_english_double_quotes() -> None:
    text = "“Il a dit ‘non’ hier.”"
    assert localize_text(text, "fr") == "«\u202fIl a dit “non” hier.\u202f»"


def test_french_single_quotes_on_their_own_are_the_outer_level() -> None:
    # The level decides, not the mark: see the module's docstring.
    assert localize_text("un ‘mot’ à part", "fr") == "un «\u202fmot\u202f» à part"


def test_french_third_level_stays_english_double_quotes() -> None:
    text = "“Un ‘deux “trois” deux’ un”"
    assert localize_text(text, "fr") == "«\u202fUn “deux “trois” deux” un\u202f»"


def test_french_apostrophes_stay() -> None:
    text = "l’eau, aujourd’hui, qu’il"
    assert localize_text(text, "fr") == text


def test_french_apostrophe_inside_a_quote_does_not_close_it() -> None:
    assert localize_text("“Il dit ‘l’homme’.”", "fr") == "«\u202fIl dit “l’homme”.\u202f»"


def test_an_apostrophe_that_opens_a_word_does_not_close_a_quote() -> None:
    text = "“Dans les ‘années ’90’, oui.”"
    assert localize_text(text, "fr") == "«\u202fDans les “années ’90”, oui.\u202f»"


def test_rock_n_roll_keeps_its_apostrophes() -> None:
    # ’ with no letter before it opens a word: an apostrophe, not a closing quote.
    assert localize_text("du rock ’n’ roll", "fr") == "du rock ’n’ roll"


def test_rock_n_roll_as_smarty_writes_it_gets_two_apostrophes() -> None:
    # smarty turns rock 'n' roll into rock ‘n’ roll: ‘n’ is an elision, not a quotation.
    assert localize_text("du rock ‘n’ roll", "fr") == "du rock ’n’ roll"
    assert localize_text("du rock ‘n’ roll", "de") == "du rock ’n’ roll"


def test_an_unpaired_single_opening_quote_stays() -> None:
    assert localize_text("‘tis the season", "fr") == "‘tis the season"


def test_a_quotation_over_several_paragraphs_opens_and_closes_in_separate_blocks() -> None:
    fragment = "<p>“Un.</p><p>“Deux.</p><p>Trois.”</p>"
    expected = "<p>«\u202fUn.</p><p>«\u202fDeux.</p><p>Trois.\u202f»</p>"
    assert localized(fragment, "fr") == expected


# French: spaces.


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Quoi ?", "Quoi\u202f?"),
        ("Quoi?", "Quoi\u202f?"),
        ("Quoi\u00a0?", "Quoi\u202f?"),
        ("Quoi  ?", "Quoi\u202f?"),
        ("Halte !", "Halte\u202f!"),
        ("Halte!", "Halte\u202f!"),
        ("oui; non", "oui\u202f; non"),
        ("oui ; non", "oui\u202f; non"),
        ("Note: rien", "Note\u00a0: rien"),
        ("Note : rien", "Note\u00a0: rien"),
        ("Note\u202f: rien", "Note\u00a0: rien"),
    ],
)
def test_french_space_before_punctuation_is_replaced_or_inserted(text: str, expected: str) -> None:
    assert localize_text(text, "fr") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Quoi?!", "Quoi\u202f?!"),
        ("Quoi ?!", "Quoi\u202f?!"),
        ("Quoi ! ?", "Quoi\u202f!\u202f?"),
        ("Non!!!", "Non\u202f!!!"),
        ("la page 12?", "la page 12\u202f?"),
        ("(vraiment)?", "(vraiment)\u202f?"),
        ("Chapitre 2: la mer", "Chapitre 2\u00a0: la mer"),
    ],
)
def test_french_space_goes_in_after_a_word_number_or_bracket_once(text: str, expected: str) -> None:
    assert localize_text(text, "fr") == expected


@pytest.mark.parametrize(
    "text",
    [
        "à 10:30 précises",
        "voir https://exemple.fr/page?id=3;x=1",
        "voir www.exemple.fr/?q=1",
        "Eh bien…?",
        "?",
        "Vraiment.?",
    ],
)
def test_french_leaves_times_addresses_and_other_punctuation_alone(text: str) -> None:
    assert localize_text(text, "fr") == text


def test_french_punctuation_after_an_address_gets_its_space() -> None:
    text = "Voir https://exemple.fr : c’est là !"
    assert localize_text(text, "fr") == "Voir https://exemple.fr\u00a0: c’est là\u202f!"


def test_french_space_after_a_closing_quote() -> None:
    assert localize_text("“Oui”?", "fr") == "«\u202fOui\u202f»\u202f?"
    assert localize_text("“Oui” ?", "fr") == "«\u202fOui\u202f»\u202f?"


def test_french_question_inside_guillemets() -> None:
    assert localize_text("“Vraiment?”", "fr") == "«\u202fVraiment\u202f?\u202f»"


@pytest.mark.parametrize(
    "text",
    ["« Bonjour »", "«Bonjour»", "«\u00a0Bonjour\u00a0»", "«  Bonjour\n»", "«\u202fBonjour\u202f»"],
)
def test_french_guillemets_typed_by_the_author_get_narrow_spaces(text: str) -> None:
    assert localize_text(text, "fr") == "«\u202fBonjour\u202f»"


def test_french_quotes_inside_typed_guillemets_are_the_second_level() -> None:
    text = "«Il a dit “non”.»"
    assert localize_text(text, "fr") == "«\u202fIl a dit “non”.\u202f»"


# Canadian French.


def test_canadian_french_guillemets_take_no_break_spaces() -> None:
    assert localize_text("“Bonjour”", "fr-CA") == "«\u00a0Bonjour\u00a0»"
    assert localize_text("« Bonjour\u202f»", "fr-CA") == "«\u00a0Bonjour\u00a0»"


def test_canadian_french_no_space_before_semicolon_exclamation_question() -> None:
    text = "“Vraiment ?” dit-il ; oui : non !"
    expected = "«\u00a0Vraiment?\u00a0» dit-il; oui\u00a0: non!"
    assert localize_text(text, "fr-CA") == expected


def test_canadian_french_colon_gets_a_no_break_space() -> None:
    assert localize_text("Note: rien", "fr-CA") == "Note\u00a0: rien"


@pytest.mark.parametrize("language", ["fr-CA", "fr-ca", "fr_CA", "fr-Latn-CA", "FR-CA"])
def test_canadian_french_tags(language: str) -> None:
    assert localize_text("Quoi ?", language) == "Quoi?"


@pytest.mark.parametrize("language", ["fr", "fr-FR", "fr-BE", "fr-CH", "fr-x-ca"])
def test_other_french_tags_follow_france(language: str) -> None:
    assert localize_text("Quoi ?", language) == "Quoi\u202f?"


# German.


def test_german_double_and_single_quotes() -> None:
    text = "“Er sagte ‘ja’, dann ging er.”"
    assert localize_text(text, "de") == "„Er sagte ‚ja‘, dann ging er.“"


def test_german_single_quotes_on_their_own() -> None:
    assert localize_text("das ‘Haus’ am See", "de") == "das ‚Haus‘ am See"


def test_german_apostrophes_stay() -> None:
    text = "Wie geht’s? So ’n Quatsch. Gib’s her!"
    assert localize_text(text, "de") == text


def test_german_apostrophe_inside_a_quote() -> None:
    assert localize_text("“Wie geht’s?”", "de") == "„Wie geht’s?“"


def test_german_stray_closing_quote() -> None:
    assert localize_text("Ende.” Dann", "de") == "Ende.“ Dann"


def test_german_closing_straight_quote_after_a_typed_low_quote() -> None:
    assert localize_text("„Hallo”", "de") == "„Hallo“"
    assert localize_text("‚Hallo’", "de") == "‚Hallo‘"


def test_german_leaves_guillemets_alone() -> None:
    text = "»Hallo«, sagte sie, «tschüss»."
    assert localize_text(text, "de") == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("z. B. heute", "z.\u202fB. heute"),
        ("Z. B. heute", "Z.\u202fB. heute"),
        ("d. h. morgen", "d.\u202fh. morgen"),
        ("u. a. hier", "u.\u202fa. hier"),
        ("z. T. dort", "z.\u202fT. dort"),
        ("o. Ä. mehr", "o.\u202fÄ. mehr"),
        ("u. a. m. sonst", "u.\u202fa.\u202fm. sonst"),
        ("i. d. R. nie", "i.\u202fd.\u202fR. nie"),
        ("50 v. Chr. war", "50 v.\u202fChr. war"),
        ("z.\u00a0B. mit", "z.\u202fB. mit"),
        ("z.\nB. mit", "z.\u202fB. mit"),
        ("d. h. u. a. beides", "d.\u202fh. u.\u202fa. beides"),
    ],
)
def test_german_abbreviations_take_a_narrow_space(text: str, expected: str) -> None:
    assert localize_text(text, "de") == expected


@pytest.mark.parametrize("text", ["J. R. R. Tolkien", "z.B. ohne", "Satz a. Dann", "azu. a."])
def test_german_initials_and_unknown_abbreviations_stay(text: str) -> None:
    assert localize_text(text, "de") == text


def test_german_does_not_space_punctuation() -> None:
    assert localize_text("Was?  Nein : ja !", "de") == "Was?  Nein : ja !"


def test_austrian_german_is_german() -> None:
    assert localize_text("“Servus ‘du’”, z. B.", "de-AT") == "„Servus ‚du‘“, z.\u202fB."


def test_swiss_closing_quote_after_a_typed_guillemet_matches_it() -> None:
    # « typed by hand, then a straight quote that smarty made ”.
    assert localize_text("«Grüezi”", "de-CH") == "«Grüezi»"


@pytest.mark.parametrize("language", ["de-CH", "de-LI", "de-Latn-CH"])
def test_swiss_german_guillemets_without_spaces(language: str) -> None:
    text = "“Grüezi ‘wohl’”, z. B. so"
    assert localize_text(text, language) == "«Grüezi ‹wohl›», z.\u202fB. so"


# English and languages without rules.


@pytest.mark.parametrize("language", ["en", "en-GB", "en-US", "es", "it", "ja", "", "xx-YY"])
def test_languages_without_rules_are_unchanged(language: str) -> None:
    text = "“Quoi ?” ‘mot’ l’eau z. B. Note: «a» 10:30!"
    assert localize_text(text, language) == text
    fragment = "<p>“Quoi ?” <em>‘mot’</em> l’eau z. B.</p>"
    assert localized(fragment, language) == fragment


# Idempotence.

SAMPLES = [
    "“Bonjour”, dit-elle. “Il a dit ‘non’ ! Vraiment ?”",
    "un ‘mot’ à part; Note: rien",
    "l’eau, rock ‘n’ roll, rock ’n’ roll, ‘années ’90’",
    "« Bonjour » «salut» «Oui” “Vraiment?!”",
    "“Premier paragraphe sans fin.",
    "Fin de citation.” Dann ‘‚x’ y’",
    "“Er sagte ‘ja’, z. B. geht’s, d. h. u. a.” „Hallo” ‚Hallo’",
    "‘tis “Un ‘deux “trois” deux’ un” https://exemple.fr/?q=1 à 10:30 !",
    "“« Oui ».” ‹ non › ”?",
]


@pytest.mark.parametrize("language", ["fr", "fr-CA", "de", "de-AT", "de-CH", "en"])
@pytest.mark.parametrize("text", SAMPLES)
def test_localize_text_twice_changes_nothing_more(text: str, language: str) -> None:
    once = localize_text(text, language)
    assert localize_text(once, language) == once


@pytest.mark.parametrize("language", ["fr", "fr-CA", "de", "de-CH"])
def test_localize_twice_changes_nothing_more(language: str) -> None:
    root = html(
        "<p>“<em>Vraiment</em>” ? <code>a:b</code>: ‘un <em>deux’</em> z. <b>B.</b></p>"
        "<blockquote><p>“Un.</p><p>Deux!”</p></blockquote>"
    )
    localize(root, language)
    once = inner(root)
    localize(root, language)
    assert inner(root) == once


# Trees: blocks, inline elements, code and attributes.


def test_quotes_and_spaces_across_emphasis() -> None:
    fragment = "<p>“<em>Vraiment</em>” ?</p>"
    expected = "<p>«\u202f<em>Vraiment</em>\u202f»\u202f?</p>"
    assert localized(fragment, "fr") == expected


def test_a_space_typed_inside_emphasis_is_replaced_where_it_is() -> None:
    fragment = "<p><em>Vraiment </em>?</p>"
    assert localized(fragment, "fr") == "<p><em>Vraiment\u202f</em>?</p>"


def test_single_quotes_pair_across_elements() -> None:
    fragment = "<p>‘un <em>deux’</em> trois</p>"
    assert localized(fragment, "de") == "<p>‚un <em>deux‘</em> trois</p>"


def test_abbreviation_across_elements() -> None:
    fragment = "<p>z. <b>B.</b> hier</p>"
    assert localized(fragment, "de") == "<p>z.\u202f<b>B.</b> hier</p>"


@pytest.mark.parametrize("tag", ["code", "pre", "kbd", "samp", "var", "script", "style", "math"])
def test_code_and_the_like_are_untouched(tag: str) -> None:
    fragment = f"<p>“a” <{tag}>“b” ? x: ‘c’ z. B.</{tag}> “d”</p>"
    expected = f"<p>«\u202fa\u202f» <{tag}>“b” ? x: ‘c’ z. B.</{tag}> «\u202fd\u202f»</p>"
    assert localized(fragment, "fr") == expected


def test_text_nested_inside_code_is_untouched() -> None:
    fragment = "<pre><code>print(“a”) <span>‘b’ ?</span></code></pre>"
    assert localized(fragment, "fr") == fragment


def test_code_reads_as_a_word_before_punctuation() -> None:
    fragment = "<p>la commande <code>ls</code>: elle liste</p>"
    assert localized(fragment, "fr") == "<p>la commande <code>ls</code>\u00a0: elle liste</p>"


def test_attributes_are_untouched() -> None:
    fragment = '<p title="“x” ?"><a href="http://x.fr/?a=1;b" title="‘y’ : z. B.">“lien”</a></p>'
    expected = (
        '<p title="“x” ?"><a href="http://x.fr/?a=1;b" title="‘y’ : z. B.">'
        "«\u202flien\u202f»</a></p>"
    )
    assert localized(fragment, "fr") == expected


def test_comments_are_untouched() -> None:
    fragment = "<p>“a”<!-- “b” ? --> ?</p>"
    assert localized(fragment, "fr") == "<p>«\u202fa\u202f»<!-- “b” ? -->\u202f?</p>"


def test_footnote_reference_then_punctuation() -> None:
    fragment = '<p>La fin<sup><a href="#fn-1">1</a></sup> !</p>'
    assert localized(fragment, "fr") == '<p>La fin<sup><a href="#fn-1">1</a></sup>\u202f!</p>'


def test_the_container_text_itself_is_localized() -> None:
    root = etree.fromstring("<div>“a” ?<p>‘b’</p>Oui!</div>")
    localize(root, "fr")
    expected = "<div>«\u202fa\u202f»\u202f?<p>«\u202fb\u202f»</p>Oui\u202f!</div>"
    assert etree.tostring(root, encoding="unicode") == expected


def test_blocks_are_separate_streams() -> None:
    # The quote opened in the first item is not closed by the second's ’.
    fragment = "<ul><li>‘un</li><li>deux’ trois</li></ul>"
    assert localized(fragment, "de") == fragment


def test_nested_blocks_in_list_items_and_blockquotes() -> None:
    fragment = "<blockquote><p>“Un”</p></blockquote><ol><li><p>“Deux”</p>“Trois”</li></ol>"
    expected = "<blockquote><p>„Un“</p></blockquote><ol><li><p>„Deux“</p>„Trois“</li></ol>"
    assert localized(fragment, "de") == expected


def test_a_line_break_ends_a_line_for_punctuation() -> None:
    fragment = "<p>Oui<br/>?</p>"
    assert localized(fragment, "fr") == "<p>Oui<br/>?</p>"


def test_empty_text_stays_empty() -> None:
    root = html("<p><em>Oui</em></p>")
    localize(root, "fr")
    assert root[0].text is None
    assert root[0][0].tail is None


def test_xhtml_namespace() -> None:
    xhtml = "http://www.w3.org/1999/xhtml"
    root = etree.fromstring(f'<div xmlns="{xhtml}"><p>“a” <code>“b”</code></p></div>')
    localize(root, "de")
    assert etree.tostring(root, method="text", encoding="unicode") == "„a“ “b”"


def test_a_code_root_is_left_alone() -> None:
    root = etree.fromstring("<code>“a” ?</code>")
    localize(root, "fr")
    assert root.text == "“a” ?"


def test_a_stray_closing_quote_after_a_space_is_left_as_typed() -> None:
    assert localize_text("non ” ?", "de") == "non ” ?"
    assert localize_text("non ”", "fr") == "non ”"


# Idempotence over many sentences as an author types them and smarty converts them.

WORDS = ["l'eau", "Oui", "non", "geht's", "z. B.", "rock 'n' roll", "10:30", "'90s", "dit-il"]
ENDINGS = ["", ".", ",", " ?", "?", " !", "!", "?!", " ;", ";", " :", ":", "…"]


def typed_sentence(rng: random.Random, depth: int = 0) -> str:
    """Words, punctuation and quotations (straight marks, nested, some emphasized)."""
    parts = []
    for _ in range(rng.randint(1, 5)):
        if depth < 3 and rng.random() < 0.3:
            mark = rng.choice(['"', "'"])
            parts.append(f"{mark}{typed_sentence(rng, depth + 1)}{mark}")
        else:
            word = rng.choice(WORDS)
            parts.append(f"*{word}*" if rng.random() < 0.2 else word)
        parts[-1] += rng.choice(ENDINGS)
    return " ".join(parts)


@pytest.mark.parametrize("language", ["fr", "fr-CA", "de", "de-CH"])
def test_localize_twice_changes_nothing_more_on_typed_sentences(language: str) -> None:
    rng = random.Random(2025)
    for _ in range(300):
        typed = typed_sentence(rng)
        converted = markdown.markdown(typed, extensions=["smarty"])
        root = lxml_html.fragment_fromstring(converted, create_parent="div")
        localize(root, language)
        once = etree.tostring(root, encoding="unicode")
        localize(root, language)
        assert etree.tostring(root, encoding="unicode") == once, typed
