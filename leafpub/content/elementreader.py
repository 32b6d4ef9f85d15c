"""The leaflet reader's part for numbered steps, boxes, tables and figures (content.BodyReader uses it).

    1. A numbered step.                 -> Steps (a Markdown ordered list, from 1)
    > [!IMPORTANT] A box's title        -> Box (a GitHub-style alert with its title on the first
    > Its text, lists and steps.           line: NOTE, TIP, IMPORTANT, WARNING or CAUTION)
    | Day | What to do |                 -> Table (a GFM pipe table: a header row, the |---|
    |-----|------------|                    separator, then rows of as many cells)
    | 1   | Rest       |
    ![alternative text](figures/NAME.svg "caption")   -> Figure (alone on its line; the SVG
                                                         in leaflets/figures/, figures.py)
"""

from __future__ import annotations

import re
from collections.abc import Callable

from markdown_it.token import Token

from .elements import BOX_KINDS, Box, Figure, FigureLabel, Steps, Table
from .figures import Drawing
from ..model import BulletList, Paragraph, SourceText
from ..problems import ProblemError

ALERT = re.compile(r"\[!(\w+)\][ \t]*(.*)")
FIGURE_SOURCE = re.compile(r"figures/[a-z0-9][a-z0-9-]{0,63}\.svg")
#: A cell separator: a pipe not escaped with a backslash.
PIPE = re.compile(r"(?<!\\)\|")

FigureLoader = Callable[[str], tuple[Drawing, str]]


class ElementReader:
    """Token readers for the blocks of elements.py; content.BodyReader holds the state they share."""

    slug: str
    where: str
    blocks: list
    lines: list[str]  #: the leaflet's lines, for a table's rows as written
    load_figure: FigureLoader | None
    problems: list  #: problems found in other files (a figure's SVG)

    def element_readers(self) -> dict:
        self.box: dict | None = None
        self.table: dict | None = None
        self.ordered = False
        self.counts = {"box": 0, "table": 0, "figure": 0}
        return {"ordered_list_open": self.ordered_list_open, "ordered_list_close": self.list_close,
                "blockquote_open": self.blockquote_open, "blockquote_close": self.blockquote_close,
                "table_open": self.table_open, "tr_open": self.row_open, "table_close": self.table_close}

    # -- numbered steps -----------------------------------------------------------

    def ordered_list_open(self, token: Token, line: int) -> str | None:
        self.depth += 1
        self.items, self.ordered = [], True
        if self.depth > 1:
            return "lists inside lists are not supported"
        if token.attrGet("start") not in (None, 1):
            return "numbered steps start at 1"
        return None

    def list_close(self, token: Token, line: int) -> None:
        self.depth -= 1
        if self.depth == 0 and self.items is not None:
            if self.ordered:
                count = len(self.items)
                self.blocks.append(Steps(tuple(
                    SourceText(item.text, item.line, f"{self.where}: numbered step {number} of {count}")
                    for number, item in enumerate(self.items, 1))))
            else:
                self.blocks.append(BulletList(tuple(self.items)))
            self.items, self.ordered = None, False

    # -- a box --------------------------------------------------------------------

    def blockquote_open(self, token: Token, line: int) -> str | None:
        if self.box is not None or self.depth:
            return "a box cannot be inside a box or a list"
        self.counts["box"] += 1
        self.box = {"outer": self.blocks, "where": self.where, "title": None, "kind": "", "line": line}
        self.blocks = []
        return None

    def box_title(self, token: Token, line: int) -> str | None:
        """The first line of a box: `[!KIND] Title`; the lines after it are its first paragraph."""
        first, _, rest = token.content.partition("\n")
        found = ALERT.fullmatch(first.strip())
        if not found or found[1].upper() not in BOX_KINDS or not found[2].strip():
            return ("a box starts with '> [!IMPORTANT] Its title' (or NOTE, TIP, WARNING, CAUTION), "
                    "then '> ' before each line of its text")
        title = " ".join(found[2].split())
        self.box.update(kind=found[1].lower(), title=SourceText(
            title, line, f"{self.where}: title of a box set apart from the text"))
        self.where = f"{self.box['where']}, box {title!r}"
        if rest.strip():
            self.blocks.append(Paragraph(SourceText(" ".join(rest.split()), line + 1, f"{self.where}: paragraph")))
        return None

    def blockquote_close(self, token: Token, line: int) -> None:
        box, blocks = self.box, self.blocks
        self.box, self.blocks = None, box["outer"]
        self.where = box["where"]
        if box["title"] is None:
            return  # its problem was given at its first line
        self.blocks.append(Box(box["kind"], box["title"], tuple(blocks), self.counts["box"]))

    # -- a table ------------------------------------------------------------------

    def table_open(self, token: Token, line: int) -> str | None:
        self.counts["table"] += 1
        self.table = {"rows": [], "line": line, "map": token.map, "number": self.counts["table"]}
        return None

    def row_open(self, token: Token, line: int) -> None:
        if self.table is not None:
            self.table["rows"].append([])
            self.table["row_line"] = line

    def table_cell(self, token: Token, line: int) -> None:
        text = " ".join(token.content.split())
        self.table["rows"][-1].append((text, self.table["row_line"]))

    def table_close(self, token: Token, line: int) -> list[tuple[int, str]] | None:
        table, self.table = self.table, None
        header, *rows = table["rows"]
        count, number = len(header), table["number"]
        found = self.row_lengths(table, count)
        if found:
            return found
        names = [text or f"column {index}" for index, (text, _) in enumerate(header, 1)]
        made_header = tuple(self.cell(text, at, f"table {number}, header {index} of {count}")
                            for index, (text, at) in enumerate(header, 1))
        made_rows = tuple(tuple(self.cell(text, at, f"table {number}, row {row}, cell {index} of {count} "
                                                    f"(under {names[index - 1]!r})")
                                for index, (text, at) in enumerate(cells, 1))
                          for row, cells in enumerate(rows, 1))
        self.blocks.append(Table(made_header, made_rows, table["line"]))
        return None

    def cell(self, text: str, line: int, what: str) -> SourceText | None:
        return SourceText(text, line, f"{self.where}: {what}") if text else None

    def row_lengths(self, table: dict, count: int) -> list[tuple[int, str]]:
        """Markdown pads a short row and cuts a long one: as written, every row has `count` cells."""
        first, end = table["map"]
        offset = table["line"] - first
        problems = []
        for index in range(first, end):
            if index == first + 1:
                continue  # the |---| separator
            written = self.lines[index].strip().removeprefix("|").removesuffix("|")
            cells = len(PIPE.split(written))
            if cells != count:
                problems.append((index + offset, f"this table row has {cells} cells; the header has {count}"))
        return problems

    # -- a figure -----------------------------------------------------------------

    def figure(self, token: Token, line: int) -> str | None:
        """A paragraph that is only an image: a figure, with its SVG read and checked."""
        image = token.children[0]
        source, caption = image.attrGet("src") or "", " ".join((image.attrGet("title") or "").split())
        alt = " ".join(image.content.split())
        if not alt:
            return "a figure needs its alternative text: ![what it shows](figures/NAME.svg \"caption\")"
        if not caption:
            return "a figure needs a caption: ![alternative text](figures/NAME.svg \"caption\")"
        if not FIGURE_SOURCE.fullmatch(source) or self.load_figure is None:
            return "a figure is an SVG in leaflets/figures/, written as figures/NAME.svg (lower-case name)"
        try:
            drawing, display = self.load_figure(source)
        except ProblemError as error:
            self.problems.extend(error.problems)
            return None
        self.counts["figure"] += 1
        number, count = self.counts["figure"], len(drawing.labels)
        what = f"{self.where}: figure {number}"
        self.blocks.append(Figure(
            display, SourceText(alt, line, f"{what}, alternative text (read in place of the drawing)"),
            SourceText(caption, line, f"{what}, caption (printed under the drawing)"),
            tuple(FigureLabel(SourceText(text, line, f"{what}, label {index} of {count} (printed on the drawing; "
                                                     "keep it short)"), x, y, anchor)
                  for index, (text, _, x, y, anchor) in enumerate(drawing.labels, 1)),
            drawing.drawing, drawing.width, drawing.height, drawing.digest))
        return None


def is_figure(token: Token) -> bool:
    children = [child for child in token.children or [] if child.type != "softbreak"]
    return len(children) == 1 and children[0].type == "image"


def has_image(token: Token) -> bool:
    return any(child.type == "image" for child in token.children or [])
