"""The leaflet format's richer blocks (numbered steps, a box, a table, a figure) and the reading order.

Each block lists its messages in reading order (`messages()`); `reading_order()` gives what a
reader hears or feels in place of each block, for the Braille and audio versions: a figure as
its alternative text and caption, a table row by row with each cell after its header.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ..model import BulletList, Leaflet, Paragraph, SourceText

#: The kinds of box (GitHub's alert names), as `> [!IMPORTANT] Title` writes them.
BOX_KINDS = ("NOTE", "TIP", "IMPORTANT", "WARNING", "CAUTION")


@dataclass(frozen=True)
class Steps:
    """A numbered list (`1. ...`): steps to follow in order."""

    items: tuple[SourceText, ...]

    def messages(self) -> Iterator[SourceText]:
        yield from self.items


@dataclass(frozen=True)
class Box:
    """Advice set apart from the text (`> [!IMPORTANT] Title`): a titled group of paragraphs and lists."""

    kind: str  #: one of BOX_KINDS, lower case: the box's look
    title: SourceText
    blocks: tuple  #: Paragraph, BulletList or Steps
    number: int  #: from 1 in the leaflet, for its HTML id

    def messages(self) -> Iterator[SourceText]:
        yield self.title
        for block in self.blocks:
            yield from block.messages()


@dataclass(frozen=True)
class Table:
    """A GFM pipe table: a header row and rows of the same number of cells (None: an empty cell)."""

    header: tuple[SourceText | None, ...]
    rows: tuple[tuple[SourceText | None, ...], ...]
    line: int  #: where it begins in the leaflet

    def messages(self) -> Iterator[SourceText]:
        for row in (self.header, *self.rows):
            yield from (cell for cell in row if cell is not None)


@dataclass(frozen=True)
class FigureLabel:
    """A text label of a figure (an SVG `<text>`), placed over the drawing in the reader's language."""

    text: SourceText
    x: float  #: where it is anchored, in % of the drawing's width
    y: float  #: its baseline, in % of the drawing's height
    anchor: str  #: "start", "middle" or "end" (SVG text-anchor)

    def place(self) -> str:
        """Its CSS position over the drawing: from its anchor to the drawing's edge (a middle
        label: on a box half the drawing's width), so that a longer translation wraps there
        instead of running off the drawing."""
        top = f"top: {self.y:.2f}%"
        if self.anchor == "middle":
            return f"{top}; left: {self.x - 25:.2f}%; width: 50%"
        if self.anchor == "end":
            return f"{top}; left: 0; right: {100 - self.x:.2f}%"
        return f"{top}; left: {self.x:.2f}%; right: 0"


@dataclass(frozen=True)
class Figure:
    """`![alternative text](figures/NAME.svg "caption")`: a drawing with translated labels."""

    source: str  #: the SVG, relative to the project root
    alt: SourceText
    caption: SourceText
    labels: tuple[FigureLabel, ...]
    drawing: str  #: the checked SVG without its labels, as a data: URL
    width: float  #: the drawing's viewBox size, for its proportions
    height: float
    digest: str  #: SHA-256 of the SVG file: a new drawing renders the leaflet again

    def messages(self) -> Iterator[SourceText]:
        yield self.alt
        yield self.caption
        yield from (label.text for label in self.labels)


@dataclass(frozen=True)
class Reading:
    """One thing read out or brailled: `kind` is title, heading, paragraph, item, step, box,
    row or figure; `texts` are the messages to translate and read in order (a row: each header
    then its cell; a figure: its alternative text then its caption)."""

    kind: str
    texts: tuple[SourceText, ...]


def reading_order(leaflet: Leaflet) -> Iterator[Reading]:
    """What a Braille or audio version reads, in the leaflet's order; a figure's labels are
    not read (its alternative text says what it shows)."""
    yield Reading("title", (leaflet.title,))
    for section in leaflet.sections:
        if section.heading:
            yield Reading("heading", (section.heading,))
        for block in section.blocks:
            yield from read_block(block)


def figures_of(leaflet: Leaflet) -> Iterator[Figure]:
    """Every figure of a leaflet, in a box or not."""
    blocks = [block for section in leaflet.sections for block in section.blocks]
    for block in blocks:
        if isinstance(block, Box):
            blocks.extend(block.blocks)
        elif isinstance(block, Figure):
            yield block


def read_block(block) -> Iterator[Reading]:
    if isinstance(block, Paragraph):
        yield Reading("paragraph", (block.text,))
    elif isinstance(block, BulletList | Steps):
        kind = "step" if isinstance(block, Steps) else "item"
        yield from (Reading(kind, (item,)) for item in block.items)
    elif isinstance(block, Box):
        yield Reading("box", (block.title,))
        for inner in block.blocks:
            yield from read_block(inner)
    elif isinstance(block, Table):
        for row in block.rows:
            texts = [text for header, cell in zip(block.header, row, strict=True)
                     for text in (header, cell) if text is not None]
            yield Reading("row", tuple(texts))
    elif isinstance(block, Figure):
        yield Reading("figure", (block.alt, block.caption))
