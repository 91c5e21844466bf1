"""Two versions of a book compared: chapters matched (by file, then by likeness), their blocks
aligned, and the words of each changed block diffed into insertions and deletions."""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import groupby

from chapbook.model.book import Chapter
from chapbook.redline.blocks import Block, Token, chapter_blocks, words

RENAMED_LIKENESS = 0.6
"""How alike (difflib's ratio of their words) a deleted and an added chapter must be to be
taken for one chapter whose file was renamed."""
BLOCK_LIKENESS = 0.5
"""How alike two blocks must be to be shown as one block changed, not one deleted and one
inserted."""
MOST_PAIRS = 2_500
"""Above this many pairs of blocks in one changed stretch, they are paired `in_window`."""
WINDOW = 20
CONTEXT = 1
"""Unchanged blocks shown before and after each change."""
ABSORBED = 1
"""An unchanged run of at most this many tokens between two changes is taken into them."""


@dataclass(frozen=True)
class Named:
    """A chapter of one version, with its file's path inside the manuscript folder."""

    chapter: Chapter
    name: str
    position: int
    """1-based, in the book's order."""


@dataclass(frozen=True)
class Piece:
    """A run of tokens of a block as the redline shows it."""

    change: str
    """'' (unchanged), 'ins', 'del' or 'restyled' (same words, other formatting)."""
    tokens: tuple[Token, ...]


@dataclass(frozen=True)
class Shown:
    """A block as the redline shows it."""

    block: Block
    """The new block (the old one if deleted): its kind, quotation and label."""
    pieces: tuple[Piece, ...]
    state: str
    """'same' (context), 'changed', 'inserted' or 'deleted'."""


@dataclass(frozen=True)
class Gap:
    """Unchanged blocks left out."""

    count: int


@dataclass(frozen=True)
class ChapterChange:
    title: str
    name: str
    position: int
    """In the new book; in the old one for a deleted chapter."""
    state: str
    """'changed', 'added', 'deleted' or 'unchanged' (the text; the chapter may have moved)."""
    notes: tuple[str, ...]
    """'renamed from ...', 'moved from position N to M'."""
    added: int
    deleted: int
    items: tuple[Shown | Gap, ...]

    @property
    def status(self) -> str:
        state = () if self.state == "unchanged" else (self.state,)
        return "; ".join((*self.notes, *state))


def compare(old: Sequence[Named], new: Sequence[Named]) -> list[ChapterChange]:
    """Every chapter that changed, was added, deleted, renamed or moved, in the new book's
    order (a deleted chapter after the one it followed)."""
    pairs = match_chapters(old, new)
    moved = moved_chapters(pairs)
    changes = []
    for before, after in ordered(old, new, pairs):
        if after is not None:
            changes.append(chapter_change(before, after, before in moved))
        elif before is not None:
            changes.append(deleted_chapter(before))
    return [change for change in changes if change.state != "unchanged" or change.notes]


def match_chapters(old: Sequence[Named], new: Sequence[Named]) -> dict[int, Named]:
    """Each new chapter's old self, by new position: the chapter of the same file, else an
    unmatched old chapter alike enough (the likest pairs first)."""
    by_name = {chapter.name: chapter for chapter in old}
    pairs = {c.position: by_name[c.name] for c in new if c.name in by_name}
    taken = {chapter.name for chapter in pairs.values()}
    left = [(c, chapter_words(c)) for c in old if c.name not in taken]
    unmatched = [(c, chapter_words(c)) for c in new if c.position not in pairs]
    candidates = sorted(
        (
            (likeness(old_words, new_words), before, after)
            for before, old_words in left
            for after, new_words in unmatched
        ),
        key=lambda c: (-c[0], c[2].position, c[1].position),
    )
    used: set[int] = set()
    for score, before, after in candidates:
        free = before.position not in used and after.position not in pairs
        if score >= RENAMED_LIKENESS and free:
            pairs[after.position] = before
            used.add(before.position)
    return pairs


def chapter_words(chapter: Named) -> list[str]:
    return words(chapter_blocks(chapter.chapter))


def likeness(old: list[str], new: list[str]) -> float:
    """How alike two chapters' words are (difflib's ratio); 0 if clearly not alike enough."""
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    return matcher.ratio() if matcher.quick_ratio() >= RENAMED_LIKENESS else 0.0


def moved_chapters(pairs: dict[int, Named]) -> set[Named]:
    """The old chapters out of their order: those not among the ones that difflib finds
    kept in the same order."""
    now = [pairs[position] for position in sorted(pairs)]
    before = sorted(now, key=lambda chapter: chapter.position)
    matcher = difflib.SequenceMatcher(None, before, now, autojunk=False)
    kept = {
        c for block in matcher.get_matching_blocks() for c in now[block.b : block.b + block.size]
    }
    return set(now) - kept


def ordered(
    old: Sequence[Named], new: Sequence[Named], pairs: dict[int, Named]
) -> Iterator[tuple[Named | None, Named | None]]:
    """Old and new chapters in pairs, in the new order; each deleted chapter after the new
    place of the last chapter before it that was kept."""
    kept = {chapter.position: position for position, chapter in pairs.items()}
    after: dict[int, list[Named]] = {}
    anchor = 0
    for chapter in old:
        if chapter.position in kept:
            anchor = kept[chapter.position]
        else:
            after.setdefault(anchor, []).append(chapter)
    yield from ((chapter, None) for chapter in after.get(0, []))
    for chapter in new:
        yield pairs.get(chapter.position), chapter
        yield from ((deleted, None) for deleted in after.get(chapter.position, []))


def deleted_chapter(before: Named) -> ChapterChange:
    count = sum(block.words for block in chapter_blocks(before.chapter))
    chapter = before.chapter
    return ChapterChange(chapter.title, before.name, before.position, "deleted", (), 0, count, ())


def chapter_change(before: Named | None, after: Named, moved: bool) -> ChapterChange:
    """What became of one chapter of the new book (`before` None: it was added)."""
    old_blocks = chapter_blocks(before.chapter) if before else []
    new_blocks = chapter_blocks(after.chapter)
    shown = blocks_compared(old_blocks, new_blocks)
    added, removed = words_changed(words(old_blocks), words(new_blocks))
    notes = []
    if before is not None and before.name != after.name:
        notes.append(f"renamed from {before.name}")
    if before is not None and moved:
        notes.append(f"moved from position {before.position} to {after.position}")
    state = "changed" if any(item.state != "same" for item in shown) else "unchanged"
    state = "added" if before is None else state
    items = () if state == "unchanged" else tuple(collapsed(shown))
    return ChapterChange(
        after.chapter.title, after.name, after.position, state, tuple(notes), added, removed, items
    )


def blocks_compared(old: list[Block], blocks: list[Block]) -> list[Shown]:
    """The new chapter's blocks against the old ones: aligned, and changed ones diffed."""
    matcher = difflib.SequenceMatcher(None, block_keys(old), block_keys(blocks), autojunk=False)
    shown: list[Shown] = []
    for tag, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        if tag == "equal":
            shown += [
                Shown(block, (Piece("", block.tokens),), "same")
                for block in blocks[new_start:new_end]
            ]
        else:
            shown += paired(old[old_start:old_end], blocks[new_start:new_end])
    return shown


def block_keys(blocks: list[Block]) -> list[tuple[object, ...]]:
    """What makes two blocks the same: their kind, words and formatting."""
    return [(block.kind, *((t.key, t.style) for t in block.tokens)) for block in blocks]


def paired(old: list[Block], new: list[Block]) -> list[Shown]:
    """A changed stretch of blocks: those alike enough shown as one block changed, the
    others as deleted or inserted."""
    if len(old) * len(new) > MOST_PAIRS:
        return in_window(old, new)
    scores = {
        (i, j): block_likeness(before, after)
        for i, before in enumerate(old)
        for j, after in enumerate(new)
    }
    return likest_first(old, new, scores, (0, len(old)), (0, len(new)))


def block_likeness(before: Block, after: Block) -> float:
    matcher = difflib.SequenceMatcher(None, before.keys, after.keys, autojunk=False)
    return matcher.ratio() if matcher.quick_ratio() >= BLOCK_LIKENESS else 0.0


def likest_first(
    old: list[Block],
    new: list[Block],
    scores: dict[tuple[int, int], float],
    olds: tuple[int, int],
    news: tuple[int, int],
) -> list[Shown]:
    """The likest pair of blocks within the ranges `olds` and `news` shown as one block
    changed, and the stretches before and after it paired the same way (as difflib's Differ
    does with lines)."""
    best, where = BLOCK_LIKENESS, None
    for i in range(*olds):
        for j in range(*news):
            if scores[i, j] > best or (where is None and scores[i, j] == best):
                best, where = scores[i, j], (i, j)
    if where is None:
        return [*map(deleted, old[slice(*olds)]), *map(inserted, new[slice(*news)])]
    i, j = where
    return [
        *likest_first(old, new, scores, (olds[0], i), (news[0], j)),
        Shown(new[j], tuple(word_diff(old[i], new[j])), "changed"),
        *likest_first(old, new, scores, (i + 1, olds[1]), (j + 1, news[1])),
    ]


def in_window(old: list[Block], new: list[Block]) -> list[Shown]:
    """A long changed stretch paired quickly: each old block with the first block alike
    enough among the next WINDOW new ones."""
    shown: list[Shown] = []
    start = 0
    for before in old:
        ahead = range(start, min(start + WINDOW, len(new)))
        match = next((j for j in ahead if block_likeness(before, new[j]) >= BLOCK_LIKENESS), None)
        if match is None:
            shown.append(deleted(before))
            continue
        shown += map(inserted, new[start:match])
        shown.append(Shown(new[match], tuple(word_diff(before, new[match])), "changed"))
        start = match + 1
    return [*shown, *map(inserted, new[start:])]


def deleted(block: Block) -> Shown:
    return Shown(block, (Piece("del", block.tokens),), "deleted")


def inserted(block: Block) -> Shown:
    return Shown(block, (Piece("ins", block.tokens),), "inserted")


def word_diff(old: Block, new: Block) -> Iterator[Piece]:
    """The pieces of a changed block: words kept, deleted and inserted."""
    matcher = difflib.SequenceMatcher(None, old.keys, new.keys, autojunk=False)
    for tag, old_start, old_end, new_start, new_end in absorbed(matcher.get_opcodes()):
        if tag == "equal":
            yield from restyled(old.tokens[old_start:old_end], new.tokens[new_start:new_end])
            continue
        if old_end > old_start:
            yield Piece("del", old.tokens[old_start:old_end])
        if new_end > new_start:
            yield Piece("ins", new.tokens[new_start:new_end])


Opcode = tuple[str, int, int, int, int]


def absorbed(opcodes: Sequence[Opcode]) -> list[Opcode]:
    """The opcodes with each short unchanged run between two changes taken into them, so that
    a rewritten phrase reads as one deletion and one insertion."""
    merged: list[Opcode] = []
    for index, opcode in enumerate(opcodes):
        tag, old_start, old_end, new_start, new_end = opcode
        inside = 0 < index < len(opcodes) - 1
        if tag == "equal" and inside and old_end - old_start <= ABSORBED:
            tag = "replace"
        if tag != "equal" and merged and merged[-1][0] != "equal":
            previous = merged.pop()
            opcode = ("replace", previous[1], old_end, previous[3], new_end)
        else:
            opcode = (tag, old_start, old_end, new_start, new_end)
        merged.append(opcode)
    return merged


def restyled(old: tuple[Token, ...], new: tuple[Token, ...]) -> Iterator[Piece]:
    """Words kept: in runs of the same formatting and of other formatting."""
    pairs = zip(old, new, strict=True)
    for changed, run in groupby(pairs, key=lambda pair: pair[0].style != pair[1].style):
        yield Piece("restyled" if changed else "", tuple(token for _, token in run))


def words_changed(old: list[str], new: list[str]) -> tuple[int, int]:
    """Words inserted and deleted, the fewest that turn `old` into `new` (the marks may show
    a rewritten phrase whole, words kept inside it included)."""
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    changed = [opcode for opcode in matcher.get_opcodes() if opcode[0] != "equal"]
    return sum(o[4] - o[3] for o in changed), sum(o[2] - o[1] for o in changed)


def collapsed(shown: list[Shown]) -> Iterator[Shown | Gap]:
    """The changed blocks with CONTEXT unchanged blocks around each; the other unchanged
    blocks as gaps."""
    changed = [index for index, item in enumerate(shown) if item.state != "same"]
    near = {i for c in changed for i in range(c - CONTEXT, c + CONTEXT + 1)}
    left_out = 0
    for index, item in enumerate(shown):
        if index in near:
            if left_out:
                yield Gap(left_out)
            left_out = 0
            yield item
        else:
            left_out += 1
    if left_out:
        yield Gap(left_out)
