"""Heading ids as authors link to them: Python-Markdown's or the author's, and GitHub's and
mdBook's as aliases. Design: docs/architecture.md, 'Heading ids and aliases'."""

from __future__ import annotations

import html
import re
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Iterable

import markdown
from lxml import etree
from markdown.treeprocessors import Treeprocessor

ALIAS = "data-chapbook-alias"
"""Where a heading carries its GitHub id from the tree to the finished chapter."""
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
STASHED = re.compile("\x02wzxhzdk:([0-9]+)\x03")
"""A placeholder of Python-Markdown's HTML stash (raw HTML, smart punctuation)."""
PLACEHOLDER = re.compile("\x02[^\x02\x03]*\x03")
TYPED = {"–": "--", "—": "---"}
"""Smart punctuation that GitHub sees as the author typed it."""
TAG = re.compile(r"<[^>]*>")
ANCHORS = re.compile(
    r"(?:\s|<!--.*?-->|<a\s+id\s*=\s*(?:\"[^\"]*\"|'[^']*')\s*/?>|</a\s*>)*", re.DOTALL
)
"""Raw HTML that is only comments and empty `<a id>` anchors."""
ANCHOR_ID = re.compile(r"<a\s+id\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")


def github_id(text: str) -> str:
    """A heading's id as GitHub (github-slugger), mdBook and pandoc's gfm_auto_identifiers
    make it from its text: lower case; letters, marks, digits, `_`, `-` and spaces kept;
    each space a `-`."""
    kept = (c for c in text.lower() if c in "-_ " or unicodedata.category(c)[0] in "LMN")
    return "".join(kept).replace(" ", "-")


def stashed(md: markdown.Markdown, index: int) -> str:
    """What the HTML stash holds at `index`, as text ("" for what is not text)."""
    blocks = md.htmlStash.rawHtmlBlocks
    held = blocks[index] if index < len(blocks) else ""
    return held if isinstance(held, str) else ""


def written_text(element: ET.Element, md: markdown.Markdown) -> str:
    """A heading's text as GitHub reads it: raw HTML without its tags, dashes as typed."""

    def typed(match: re.Match[str]) -> str:
        held = stashed(md, int(match[1]))
        return TYPED.get(held, TAG.sub("", held))

    text = STASHED.sub(typed, "".join(element.itertext()))
    return html.unescape(PLACEHOLDER.sub("", text))


class GithubIds(Treeprocessor):
    """Gives each Markdown heading its GitHub id (made unique as GitHub does) in ALIAS."""

    def run(self, root: ET.Element) -> None:
        seen: dict[str, int] = {}
        for element in root.iter():
            if element.tag in HEADINGS:
                element.set(ALIAS, unique(github_id(written_text(element, self.md)), seen))


def unique(slug: str, seen: dict[str, int]) -> str:
    """`slug`, or with `-1`, `-2`... if `seen` has it (github-slugger's way)."""
    result = slug
    while result in seen:
        seen[slug] += 1
        result = f"{slug}-{seen[slug]}"
    seen[result] = 0
    return result


def leading_anchors(root: ET.Element, md: markdown.Markdown) -> tuple[int, tuple[str, ...]]:
    """How many blocks at the chapter's start hold only comments and empty `<a id>`
    anchors, and the anchors' ids."""
    ids: list[str] = []
    for count, element in enumerate(root):
        raw = STASHED.sub(lambda m: stashed(md, int(m[1])), element.text or "")
        if element.tag != "p" or len(element) or ANCHORS.fullmatch(raw) is None:
            return count, tuple(ids)
        ids += [match[1] or match[2] for match in ANCHOR_ID.finditer(raw)]
    return len(root), tuple(ids)


def heading_aliases(
    body: etree._Element, ids: frozenset[str], start: Iterable[str]
) -> tuple[tuple[str, str], ...]:
    """The other ids that links may name, each with the id it stands for ("" for the
    chapter's start, for `start`'s): the headings' GitHub ids, taken out of ALIAS. An alias
    that is an id of the chapter is that id, not an alias."""
    aliases: dict[str, str] = {}
    for element in body.iter(etree.Element):
        alias = element.get(ALIAS)
        element.attrib.pop(ALIAS, "")
        target = element.get("id")
        if alias and target and alias != target and alias not in ids:
            aliases.setdefault(alias, target)
    for alias in start:
        if alias and alias not in ids:
            aliases.setdefault(alias, "")
    return tuple(sorted(aliases.items()))
