"""The braille gate: each message's cells, read back from the laid-out pages, translated back to
print with the same table and compared with the catalog's text (tables.normalise says what
may differ, per table). A message that does not come back is a problem at its catalog line."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from . import layout, translate
from ..formats.braille_tables import Table, normalise


@dataclass(frozen=True)
class Mismatch:
    message: int  #: index of the message
    found: str  #: what came back, or what liblouis left untranslated


@dataclass(frozen=True)
class Result:
    checked: int
    exact: int  #: came back as the catalog says (white space aside)
    normalised: int  #: came back equal only after the table's tolerance
    mismatches: tuple[Mismatch, ...] = ()

    def figures(self) -> dict:
        return {"checked": self.checked, "exact": self.exact, "normalised": self.normalised}


def read_back(table: Table, texts: list[str], pages: list[list[layout.Line]]) -> Result:
    """texts[i]: message i's print text, as the leaflet prints it (markup removed)."""
    cells = layout.message_cells(pages)
    mismatches, indices = [], []
    for index in range(len(texts)):
        found = cells.get(index, "")
        untranslated = layout.foreign(found)
        if untranslated:
            mismatches.append(Mismatch(index, f"left untranslated or in eight dots: {untranslated}"))
        else:
            indices.append(index)
    back = translate.backward(table, [cells.get(index, "") for index in indices])
    exact = normalised = 0
    for index, found in zip(indices, back):
        if spaced(found) == spaced(texts[index]):
            exact += 1
        elif normalise(table, found) == normalise(table, texts[index]):
            normalised += 1
        else:
            mismatches.append(Mismatch(index, found))
    return Result(len(texts), exact, normalised, tuple(sorted(mismatches, key=lambda m: m.message)))


def spaced(text: str) -> str:
    """NFC, white space as single spaces: line breaks are the layout's, not the text's."""
    return " ".join(unicodedata.normalize("NFC", text).split())
