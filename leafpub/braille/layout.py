"""Braille blocks (a title, headings, paragraphs, list items, as Unicode braille) -> pages of 40 cells
by 25 lines, written as a BRF (Braille ASCII) and as the same pages in Unicode braille.

The layout follows BANA's "Braille Formats: Principles of Print-to-Braille Transcription 2016"
where a leaflet needs it: the title centred (at least three blank cells each side) with a blank
line after it; section headings as cell-5 headings (cell 5, runovers in cell 5) with a blank line
before and kept on the page with the first line after them; paragraphs in 3-1 (first line in cell
3, runovers in cell 1); list items in 1-3 with a blank line before and after the list; the braille
page number, in the language's own code, at the right end of line 25, which holds nothing else;
a form feed between pages.
"""

from __future__ import annotations

from dataclasses import dataclass

CELLS, LINES = 40, 25
TEXT_LINES = LINES - 1  #: line 25 holds the page number
BLANK = "\u2800"
#: Braille ASCII (North American Braille Computer Code, as BRF files use it): the character of
#: each six-dot cell, by its dots as a number (dot 1 = 1, dot 2 = 2, ... dot 6 = 32).
BRAILLE_ASCII = " A1B'K2L@CIF/MSP\"E3H9O6R^DJG>NTQ,*5<-U8V.%[$+X!&;:4\\0Z7(_?W]#Y)="
#: Centred lines keep at least three blank cells on each side.
CENTRED_CELLS = CELLS - 6


@dataclass(frozen=True)
class Block:
    kind: str  #: "title", "heading", "paragraph", "item" (a list item) or "list-end"
    cells: str  #: Unicode braille, words separated by U+2800
    message: int = -1  #: which message it shows (the gate's index), -1 for none


@dataclass(frozen=True)
class Line:
    cells: str  #: with its indent, Unicode braille
    message: int = -1
    glue: str = " "  #: what joined it to the message's line before: a space, or "" inside a word


class LayoutError(ValueError):
    """Cells a BRF cannot hold (eight-dot cells, or text liblouis left untranslated)."""


def lay_out(blocks: list[Block], page_number: list[str]) -> list[list[Line]]:
    """Pages of at most 24 lines of text, then the page number (page_number[n - 1], braille cells) on line 25."""
    lines: list[Line | None] = []  # None: a blank line; keep: (index of a heading's last line)
    keep: set[int] = set()
    previous = None
    for block in blocks:
        if block.kind == "list-end":
            lines.append(None)
        elif block.kind == "title":
            for part in wrap(block.cells, CENTRED_CELLS, CENTRED_CELLS):
                lines.append(Line(BLANK * ((CELLS - len(part[0])) // 2) + part[0], block.message, part[1]))
            lines.append(None)
        elif block.kind == "heading":
            lines.append(None)
            lines += [Line(BLANK * 4 + text, block.message, glue) for text, glue in wrap(block.cells, CELLS - 4,
                                                                                         CELLS - 4)]
            keep.add(len(lines) - 1)
        else:
            first, runover = (0, 2) if block.kind == "item" else (2, 0)
            if block.kind == "item" and previous not in ("item",):
                lines.append(None)
            for number, (text, glue) in enumerate(wrap(block.cells, CELLS - first, CELLS - runover)):
                lines.append(Line(BLANK * (first if number == 0 else runover) + text, block.message, glue))
        previous = block.kind
    return paginate(lines, keep, page_number)


def paginate(lines: list, keep: set[int], page_number: list[str]) -> list[list[Line]]:
    pages: list[list] = [[]]
    for index, line in enumerate(lines):
        page = pages[-1]
        if line is None and (not page or page[-1] is None):
            continue  # no blank line at the top of a page, nor two in a row
        # A heading's last line needs the line after it on the same page.
        room = TEXT_LINES - (1 if index in keep else 0)
        if len(page) >= room:
            heading = heading_start(page, lines, index) if index in keep else len(page)
            pages.append(page[heading:] if line is not None else [])
            del page[heading:]
            if line is None:
                continue
        pages[-1].append(line)
    finished = []
    for number, page in enumerate(pages, start=1):
        while page and page[-1] is None:
            page.pop()
        body = [line or Line("") for line in page] + [Line("")] * (TEXT_LINES - len(page))
        cells = page_number[number - 1]
        finished.append(body + [Line(BLANK * (CELLS - len(cells)) + cells)])
    return finished


def heading_start(page: list, lines: list, index: int) -> int:
    """Where on the page the heading that ends at lines[index] begins (moved with it)."""
    message = lines[index].message
    start = len(page)
    while start > 0 and page[start - 1] is not None and page[start - 1].message == message:
        start -= 1
    return start


def wrap(cells: str, first: int, runover: int) -> list[tuple[str, str]]:
    """(line, glue) pairs: words kept whole where they fit, a word longer than a line cut."""
    lines, current, glue = [], "", " "
    for word in cells.split(BLANK):
        if not word:
            continue
        width = first if not lines else runover
        if current and len(current) + 1 + len(word) <= width:
            current += BLANK + word
            continue
        if current:
            lines.append((current, glue))
            glue, width = " ", runover
        while len(word) > width:
            lines.append((word[:width], glue))
            word, glue, width = word[width:], "", runover
        current = word
    if current:
        lines.append((current, glue))
    return lines


def message_cells(pages: list[list[Line]]) -> dict[int, str]:
    """Each message's cells as the pages hold them, its lines joined again (the gate's input)."""
    found: dict[int, str] = {}
    for page in pages:
        for line in page:
            if line.message >= 0:
                text = line.cells.strip(BLANK)
                found[line.message] = found[line.message] + line.glue.replace(" ", BLANK) + text \
                    if line.message in found else text
    return found


def brf(pages: list[list[Line]]) -> bytes:
    """Braille ASCII, lines ended by CR LF, a form feed between pages."""
    return "\f".join("".join(to_ascii(line.cells).rstrip() + "\r\n" for line in page)
                     for page in pages).encode("ascii")


def unicode_copy(pages: list[list[Line]]) -> bytes:
    """The same pages in Unicode braille, for a sighted proofreader (blank cells as U+2800)."""
    return "\f".join("".join(line.cells.rstrip(BLANK) + "\n" for line in page) for page in pages).encode("utf-8")


def to_ascii(cells: str) -> str:
    if foreign(cells):
        raise LayoutError(f"what a BRF cannot hold: {foreign(cells)}")
    return "".join(BRAILLE_ASCII[ord(cell) - 0x2800] for cell in cells)


def from_ascii(text: str) -> str:
    return "".join(chr(0x2800 + BRAILLE_ASCII.index(character.upper())) for character in text)


def foreign(cells: str) -> str:
    """The characters of `cells` that are not six-dot braille (liblouis left them untranslated,
    or wrote eight-dot cells)."""
    return "".join(sorted({cell for cell in cells if not "\u2800" <= cell <= "\u283f"}))
