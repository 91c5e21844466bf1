"""Synthetic books for the speed benchmark (issue 7): seeded, deterministic manuscripts.

    .venv/bin/python bench/synth.py OUT_DIR --chapters 100 --words 300000 --seed 1
    .venv/bin/python bench/synth.py OUT_DIR --quick        # 10 chapters, 30,000 words

OUT_DIR becomes a complete Chapbook manuscript folder:

- `book.toml`: [book] title, authors, language, date; [contents] the chapters in order;
  [print] trim = "A5";
- `chapters/NN-slug.md`: a `# Title` (and, for about a third of them, YAML front matter with
  an epigraph), then English-like prose from a fixed vocabulary: paragraphs of varied length,
  dialogue, `## ` sections, scene breaks (`* * *`), *emphasis* and **strong** words,
  footnotes (`[^n]`, labels unique in the whole book so that pandoc can read the chapters as
  one document), bullet and numbered lists, block quotes, now and then a table, and a few
  images with alt text;
- `images/figure-NN.png`: small abstract drawings made with Pillow.

The same arguments give the same bytes: one `random.Random(seed)` drives everything, in a
fixed order, and the PNGs carry no timestamp. A 300,000-word, 100-chapter book lays out at
roughly 900 to 1,000 A5 pages.
"""

from __future__ import annotations

import argparse
import io
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from PIL import Image, ImageDraw

# --- the vocabulary: a few hundred common English words, by part of speech ---------------


def words(text: str) -> list[str]:
    return text.split()


NOUNS = words("""
house river road window door garden city harbour ship letter morning evening night day
year winter summer light voice hand face table chair book page lamp field hill stone wall
tree bird dog horse child woman man friend mother father sister brother teacher doctor
sailor keeper market street bridge station train kitchen room bed fire water rain wind
snow sky sea shore island village town church school map clock key coat hat bread cup
glass box bag rope boat wheel cart farm forest path mountain valley lake well gate fence
roof floor stair tower bell song story name word question answer reason plan promise
secret silence memory dream picture photograph newspaper coin ticket candle shadow corner
office desk pencil paper garden orchard apple basket blanket mirror ladder hammer nail
engine wagon harbour lantern island captain soldier farmer baker neighbour stranger
""")
ADJECTIVES = words("""
old young small large long short dark bright quiet loud warm cold wet dry heavy light
narrow wide empty full broken new strange familiar careful patient tired hungry happy
sad gentle rough smooth green grey blue red white black golden silver distant nearby
early late slow quick simple plain honest proud lonely busy open closed hidden secret
""")
VERBS = [  # (base, past), transitive
    ("open", "opened"), ("close", "closed"), ("carry", "carried"), ("find", "found"),
    ("lose", "lost"), ("hold", "held"), ("watch", "watched"), ("follow", "followed"),
    ("remember", "remembered"), ("forget", "forgot"), ("read", "read"), ("write", "wrote"),
    ("paint", "painted"), ("mend", "mended"), ("build", "built"), ("bring", "brought"),
    ("leave", "left"), ("keep", "kept"), ("sell", "sold"), ("buy", "bought"),
    ("see", "saw"), ("hear", "heard"), ("touch", "touched"), ("clean", "cleaned"),
    ("count", "counted"), ("light", "lit"), ("pull", "pulled"), ("push", "pushed"),
    ("lift", "lifted"), ("answer", "answered"), ("ask", "asked"), ("call", "called"),
    ("miss", "missed"), ("need", "needed"), ("want", "wanted"), ("take", "took"),
]  # fmt: skip
INTRANSITIVE = [  # (base, past)
    ("walk", "walked"), ("wait", "waited"), ("sleep", "slept"), ("laugh", "laughed"),
    ("stop", "stopped"), ("return", "returned"), ("arrive", "arrived"), ("rest", "rested"),
    ("listen", "listened"), ("turn", "turned"), ("stand", "stood"), ("sit", "sat"),
    ("run", "ran"), ("sing", "sang"), ("speak", "spoke"), ("smile", "smiled"),
    ("climb", "climbed"), ("fall", "fell"), ("work", "worked"), ("travel", "travelled"),
]  # fmt: skip
ADVERBS = words("""
slowly quickly quietly carefully suddenly again often later soon together alone away outside
inside gently loudly early late
""")
PREPOSITIONS = words("""
in on under over behind beside near across along through into toward against after before
""")
NAMES = words("""
Anna Tom Clara Peter Mara Jonas Edith Samuel Lucy Arthur Nora Felix Ruth Owen Hannah
Walter Iris Daniel Martha Leo
""")
PRONOUNS = ["he", "she", "they", "we", "I"]
CONNECTIVES = ["and", "but", "so", "while", "because", "although", "until", "when"]
OPENERS = ["After a while", "In the morning", "That evening", "Later", "At last",
           "For a moment", "By then", "Even so", "Outside", "Years later"]  # fmt: skip


T = TypeVar("T")


# --- prose ------------------------------------------------------------------------------


@dataclass
class Prose:
    """English-like sentences from the vocabulary; counts the words it writes."""

    rng: random.Random
    words: int = 0

    def pick(self, items: Sequence[T]) -> T:
        return self.rng.choice(items)

    def counted(self, text: str) -> str:
        self.words += len(text.split())
        return text

    def noun_phrase(self) -> str:
        noun = self.pick(NOUNS)
        if self.rng.random() < 0.35:
            noun = f"{self.pick(ADJECTIVES)} {noun}"
        if self.rng.random() < 0.04:
            noun = f"*{noun}*"  # emphasis
        elif self.rng.random() < 0.01:
            noun = f"**{noun}**"
        article = self.pick(["the", "the", "a", "her", "his", "their", "that"])
        if article == "a" and noun.lstrip("*")[0] in "aeiou":
            article = "an"
        return f"{article} {noun}"

    def subject(self) -> str:
        roll = self.rng.random()
        if roll < 0.3:
            return self.pick(NAMES)
        if roll < 0.55:
            return self.pick(PRONOUNS)
        return self.noun_phrase()

    def clause(self) -> str:
        """Subject, verb in the past, and what follows."""
        if self.rng.random() < 0.6:
            text = f"{self.subject()} {self.pick(VERBS)[1]} {self.noun_phrase()}"
        else:
            text = f"{self.subject()} {self.pick(INTRANSITIVE)[1]}"
        if self.rng.random() < 0.5:
            text += f" {self.pick(PREPOSITIONS)} {self.noun_phrase()}"
        if self.rng.random() < 0.2:
            text += f" {self.pick(ADVERBS)}"
        return text

    def sentence(self) -> str:
        """One sentence, capitalised and punctuated; some compound, some questions."""
        roll = self.rng.random()
        if roll < 0.35:
            text = f"{self.clause()}, {self.pick(CONNECTIVES)} {self.clause()}"
        elif roll < 0.45:
            text = f"{self.pick(OPENERS)}, {self.clause()}"
        elif roll < 0.5:
            base = self.pick(VERBS)[0]
            text = f"did {self.subject()} {base} {self.noun_phrase()}"
            return self.counted(text[0].upper() + text[1:] + "?")
        else:
            text = self.clause()
        return self.counted(text[0].upper() + text[1:] + ".")

    def sentences(self, low: int, high: int) -> str:
        return " ".join(self.sentence() for _ in range(self.rng.randint(low, high)))

    def dialogue(self) -> str:
        """A short paragraph of speech: straight quotes, made curly by the builder."""
        said = self.pick(["said", "asked", "answered", "whispered", "called"])
        line = self.sentence()
        tail = self.counted(f"{said} {self.pick(NAMES)}.")
        if self.rng.random() < 0.5:
            return f'"{line[:-1]}," {tail}'
        return f'"{line}" {self.pick(NAMES)} {said}. {self.sentences(0, 2)}'.rstrip()

    def phrase(self, low: int, high: int) -> str:
        """A few words without a full stop, for list items and table cells: "green lamp",
        "old road and quiet harbour"."""
        pairs = [f"{self.pick(ADJECTIVES)} {self.pick(NOUNS)}" for _ in range(low, high + 1)]
        return self.counted(" and ".join(pairs[: self.rng.randint(1, len(pairs))]))

    def title(self) -> str:
        text = self.counted(f"The {self.pick(ADJECTIVES)} {self.pick(NOUNS)}")
        return text.title()


# --- a chapter --------------------------------------------------------------------------


@dataclass
class Chapter:
    """The Markdown of one chapter, block by block, with its footnotes at the end."""

    number: int
    prose: Prose
    blocks: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def rng(self) -> random.Random:
        return self.prose.rng

    def note_call(self) -> str:
        """A footnote call; its text goes to the end of the chapter. Labels are unique in
        the whole book (chapter * 100 + n)."""
        label = self.number * 100 + len(self.notes) + 1
        self.notes.append(f"[^{label}]: {self.prose.sentences(1, 3)}")
        return f"[^{label}]"

    def paragraph(self) -> str:
        """Mostly 3 to 9 sentences, sometimes one, sometimes a long one of up to 16."""
        roll = self.rng.random()
        low, high = (1, 2) if roll < 0.1 else (10, 16) if roll > 0.85 else (3, 9)
        text = self.prose.sentences(low, high)
        if self.rng.random() < 0.12:
            cut = text.find(". ", len(text) // 2)
            text = (
                text + self.note_call()
                if cut < 0
                else text[: cut + 1] + self.note_call() + text[cut + 1 :]
            )
        return text

    def bullet_list(self, numbered: bool) -> str:
        items = [self.prose.phrase(1, 3) if self.rng.random() < 0.6 else self.prose.sentence()
                 for _ in range(self.rng.randint(3, 7))]  # fmt: skip
        return "\n".join(
            f"{i}. {item}" if numbered else f"- {item}" for i, item in enumerate(items, 1)
        )

    def quote(self) -> str:
        lines = self.prose.sentences(1, 4)
        return "> " + lines

    def table(self) -> str:
        columns = self.rng.randint(2, 4)
        header = ["Name", "Place", "Year", "Count"][:columns]
        rows = [
            f"| {' | '.join(header)} |",
            "|" + "|".join(["------"] * (columns - 1) + ["-----:"]) + "|",
        ]
        for _ in range(self.rng.randint(3, 9)):
            year, count = self.rng.randint(1850, 1990), self.rng.randint(1, 400)
            cells = [self.pick_name_cell(), self.prose.phrase(1, 2), str(year), str(count)]
            rows.append(f"| {' | '.join(cells[:columns])} |")
        return "\n".join(rows)

    def pick_name_cell(self) -> str:
        return self.prose.counted(self.prose.pick(NAMES))

    def section(self) -> str:
        return f"## {self.prose.title()}"


def chapter_text(
    number: int, budget: int, prose: Prose, images: list[tuple[str, str]]
) -> tuple[str, str]:
    """Chapter `number`, of about `budget` words, holding `images` (file name, alt text):
    its title and its Markdown."""
    chapter = Chapter(number, prose)
    rng = prose.rng
    start = prose.words
    head = ""
    if rng.random() < 0.33:
        epigraph = prose.sentence().replace('"', "'")
        source = f"{rng.choice(NAMES)}, *{prose.title()}*"
        head = f'---\nepigraph: "{epigraph}"\nepigraph-source: "{source}"\n---\n'
    title = prose.title()
    blocks = chapter.blocks
    blocks.append(chapter.paragraph())
    pending_images = list(images)
    kinds = ["paragraph", "dialogue", "break", "section", "bullets", "numbers", "quote", "table"]
    weights = [70, 10, 3, 2, 2, 1.5, 2.5, 0.8]
    while prose.words - start < budget - 90:  # the last paragraph: about 90
        kind = rng.choices(kinds, weights)[0]
        previous_is_prose = not blocks[-1].startswith(("#", "*", "-", ">", "|", "!", "1."))
        if pending_images and rng.random() < 0.05:
            name, alt = pending_images.pop(0)
            blocks.append(f"![{alt}](../images/{name})")
        elif kind == "paragraph":
            blocks.append(chapter.paragraph())
        elif kind == "dialogue":
            blocks.append(prose.dialogue())
        elif kind == "break" and previous_is_prose:
            blocks += ["* * *", chapter.paragraph()]  # never last, never beside a heading
        elif kind == "section" and previous_is_prose:
            blocks += [chapter.section(), chapter.paragraph()]
        elif kind in ("bullets", "numbers"):
            blocks.append(chapter.bullet_list(numbered=kind == "numbers"))
        elif kind == "quote":
            blocks.append(chapter.quote())
        elif kind == "table":
            blocks += [chapter.table()]
    for name, alt in pending_images:
        blocks.append(f"![{alt}](../images/{name})")
    blocks.append(chapter.paragraph())
    body = "\n\n".join([f"# {title}", *blocks, *chapter.notes])
    return title, head + body + "\n"


# --- images -----------------------------------------------------------------------------

IMAGE_SIZE = (1500, 1000)
"""Pixels: over 300 dpi across an A5 text block, so preflight has nothing to say."""
SUBJECTS = ["the harbour at dawn", "the old bridge", "the village from the hill",
            "the lighthouse keeper's map", "the orchard in winter", "the railway station",
            "the island seen from the boat", "the market square"]  # fmt: skip


def image_png(rng: random.Random) -> bytes:
    """An abstract drawing: a flat background, a few rectangles, circles and lines."""
    image = Image.new("RGB", IMAGE_SIZE, tuple(rng.randint(200, 255) for _ in range(3)))
    draw = ImageDraw.Draw(image)
    width, height = IMAGE_SIZE
    for _ in range(rng.randint(6, 14)):
        x0, y0 = rng.randint(0, width - 100), rng.randint(0, height - 100)
        x1, y1 = x0 + rng.randint(50, 500), y0 + rng.randint(50, 400)
        colour = tuple(rng.randint(0, 200) for _ in range(3))
        shape = rng.choice(["rectangle", "ellipse", "line"])
        if shape == "rectangle":
            draw.rectangle((x0, y0, x1, y1), fill=colour)
        elif shape == "ellipse":
            draw.ellipse((x0, y0, x1, y1), fill=colour)
        else:
            draw.line((x0, y0, x1, y1), fill=colour, width=rng.randint(4, 20))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


# --- the book ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Size:
    chapters: int
    words: int


FULL = Size(chapters=100, words=300_000)
QUICK = Size(chapters=10, words=30_000)


def slug(title: str) -> str:
    return "-".join(title.lower().split())


def budgets(rng: random.Random, size: Size) -> list[int]:
    """Words per chapter: uneven (0.6 to 1.4 of the mean), adding up to `size.words`."""
    weights = [rng.uniform(0.6, 1.4) for _ in range(size.chapters)]
    total = sum(weights)
    return [round(size.words * weight / total) for weight in weights]


def book_title(seed: int) -> str:
    return f"A Synthetic Book, Seed {seed}"


def book_toml(title: str, seed: int, chapters: list[str]) -> str:
    listed = "".join(f'    "{name}",\n' for name in chapters)
    return (
        "# A synthetic book for the speed benchmark (bench/synth.py).\n"
        f'[book]\ntitle = "{title}"\nauthors = ["Synthetic Author {seed}"]\n'
        'language = "en"\ndate = "2026-11-28"\n'
        f"\n[contents]\nchapters = [\n{listed}]\n"
        '\n[print]\ntrim = "A5"\n'
    )


def write_book(folder: Path, size: Size, seed: int) -> list[Path]:
    """Write the manuscript into `folder` (created if needed); returns the chapter files."""
    rng = random.Random(seed)
    prose = Prose(rng)
    (folder / "chapters").mkdir(parents=True, exist_ok=True)
    (folder / "images").mkdir(exist_ok=True)
    image_count = max(2, size.chapters // 15)
    holders = sorted(rng.sample(range(size.chapters), min(image_count, size.chapters)))
    images: dict[int, list[tuple[str, str]]] = {}
    for index, chapter in enumerate(holders, 1):
        name = f"figure-{index:02}.png"
        (folder / "images" / name).write_bytes(image_png(rng))
        alt = f"An abstract drawing of {rng.choice(SUBJECTS)}, in flat shapes and colours"
        images.setdefault(chapter, []).append((name, alt))
    width = max(2, len(str(size.chapters)))
    files: list[Path] = []
    for index, budget in enumerate(budgets(rng, size)):
        title, text = chapter_text(index + 1, budget, prose, images.get(index, []))
        path = folder / "chapters" / f"{index + 1:0{width}}-{slug(title)}.md"
        path.write_text(text, encoding="utf-8", newline="\n")
        files.append(path)
    title = book_title(seed)
    names = [f"chapters/{path.name}" for path in files]
    (folder / "book.toml").write_text(book_toml(title, seed, names), encoding="utf-8", newline="\n")
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="the manuscript folder to write")
    parser.add_argument("--chapters", type=int, default=FULL.chapters)
    parser.add_argument("--words", type=int, default=FULL.words)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="10 chapters, 30,000 words")
    args = parser.parse_args(argv)
    size = QUICK if args.quick else Size(args.chapters, args.words)
    if size.chapters < 1 or size.words < size.chapters:
        parser.error("need at least one chapter and one word per chapter")
    files = write_book(args.out, size, args.seed)
    words = sum(count_words(path.read_text(encoding="utf-8")) for path in files)
    print(f"{args.out}: {len(files)} chapters, about {words:,} words")
    return 0


def count_words(markdown: str) -> int:
    """Words of a chapter as a reader counts them: markup and note labels left out."""
    return sum(1 for token in markdown.split() if any(c.isalpha() for c in token)
               and not token.startswith(("![", "[^", "](")))  # fmt: skip


if __name__ == "__main__":
    raise SystemExit(main())
