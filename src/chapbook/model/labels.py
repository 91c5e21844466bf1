"""The words Chapbook itself sets in a book (“Chapter”, “Contents”, ...), in the book's
language: English, French and German, English for any other."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Words:
    chapter: str
    contents: str
    landmarks: str
    cover: str
    cover_alt: str
    """With `{title}`: the cover image's text alternative."""
    title_page: str
    copyright: str
    notes: str
    by: str
    published_by: str
    print_pages: str
    colophon: str
    """With `{title}` for the book's title."""
    subtitle_separator: str
    """Between a title and its subtitle on one line."""
    draft: str
    """What a proof's pages say they are, before the date."""


ENGLISH = Words(
    chapter="Chapter",
    contents="Contents",
    landmarks="Landmarks",
    cover="Cover",
    cover_alt="Cover: {title}",
    title_page="Title Page",
    copyright="Copyright",
    notes="Notes",
    by="by",
    published_by="Published by",
    print_pages="Pages of the print edition",
    colophon="{title} is set in EB Garamond and was made with Chapbook.",
    subtitle_separator=": ",
    draft="DRAFT",
)
WORDS = {
    "en": ENGLISH,
    "fr": Words(
        chapter="Chapitre",
        contents="Table des matières",
        landmarks="Repères",
        cover="Couverture",
        cover_alt="Couverture\u00a0: {title}",
        title_page="Page de titre",
        copyright="Droits",
        notes="Notes",
        by="par",
        published_by="Publié par",
        print_pages="Pages de l’édition imprimée",
        colophon="{title} est composé en EB Garamond et a été fabriqué avec Chapbook.",
        subtitle_separator="\u00a0: ",
        draft="ÉPREUVE",
    ),
    "de": Words(
        chapter="Kapitel",
        contents="Inhalt",
        landmarks="Orientierung",
        cover="Umschlag",
        cover_alt="Umschlag: {title}",
        title_page="Titelseite",
        copyright="Impressum",
        notes="Anmerkungen",
        by="von",
        published_by="Erschienen bei",
        print_pages="Seiten der Druckausgabe",
        colophon="{title} ist aus der EB Garamond gesetzt und mit Chapbook hergestellt.",
        subtitle_separator=": ",
        draft="KORREKTURABZUG",
    ),
}


def words(language: str) -> Words:
    """The words for a BCP 47 language tag, by its primary subtag."""
    return WORDS.get(language.split("-")[0].lower(), ENGLISH)
