"""A rendered PDF + the texts it was made to print -> each text that does not come back as written
when the PDF's text is extracted, with what came out instead.

What a screen reader, a search or a copy-and-paste gets is the PDF's text as an extractor
reads it, not what the page shows. Each message is compared with the text of the whole
document, whitespace aside (extractors add and drop spaces at line ends and between the
glyphs of one word). Left-to-right text is read with PDFium (quick, in the worker, and what
Chromium's viewer copies) and must be there character for character, marks included.

Right-to-left text is compared word by word, its letters only: extractors disagree on where
neutral characters (punctuation, digits, a dash between two phrases) go between right-to-left
words, and every one misplaces Arabic vowel marks. Those differences are the extractor's, not
the document's, and are not checked; a wrong, missing or reordered letter within a word is.
It is read with PDFium first (a few milliseconds a document); a text of which PDFium does not
give back every word (it can move a letter that carries a vowel mark to another line) is read
again with pypdf, whose order of letters follows the font's text map and the content, and
must come back whole from it (pypdf takes 20 times as long, so only then).
"""

from __future__ import annotations

import difflib
import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

#: A placeholder in a message (%(name)s): its value is checked where it comes from.
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")
#: Direction marks and embeddings an extractor adds around right-to-left lines (poppler).
DIRECTION_CONTROLS = dict.fromkeys(map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))
#: PDFium gives a hyphen that ends a line, where the text goes on at the next line's
#: beginning, as U+FFFE (its mark for a hyphen that may only be there to break the word);
#: it is the printed hyphen ("very-" at a line's end, "long.example" on the next).
LINE_END_HYPHEN = {0xFFFE: "-"}
ZWNJ = "\u200c"


@dataclass(frozen=True)
class PrintedText:
    """A text a document prints, and where it comes from."""

    text: str  #: as shown, markup removed; placeholders as %(name)s
    source: str  #: the file to name in a problem (a catalog, a leaflet, packs.toml)
    line: int | None
    label: str  #: how to name it: the message's source text, or the clinic detail


@dataclass(frozen=True)
class Mismatch:
    printed: PrintedText
    expected: str  #: the part that did not come back
    found: str  #: the closest text the extractor gave


def page_texts(data: bytes, rtl: bool, numbers: Sequence[int] | None = None) -> list[str]:
    """The text of each page (or of the pages `numbers`, from 0), as PDFium (left-to-right)
    or pypdf (right-to-left) reads it."""
    if rtl:
        from pypdf import PdfReader

        pages = PdfReader(io.BytesIO(data)).pages
        return [pages[number].extract_text() for number in (range(len(pages)) if numbers is None else numbers)]
    import pypdfium2

    document = pypdfium2.PdfDocument(data)
    try:
        return [document[number].get_textpage().get_text_range()
                for number in (range(len(document)) if numbers is None else numbers)]
    finally:
        document.close()


def compact(text: str) -> str:
    """NFC, without whitespace and direction controls."""
    text = unicodedata.normalize("NFC", text).translate(DIRECTION_CONTROLS).translate(LINE_END_HYPHEN)
    return "".join(character for character in text if not character.isspace())


def right_to_left(text: str) -> bool:
    """Whether a text has right-to-left letters, and is compared word by word (an Arabic
    name with a Latin one and a number in it too)."""
    return any(unicodedata.bidirectional(character) in ("R", "AL") for character in text)


def letters(text: str) -> str:
    """Only the letters (and zero-width non-joiners, part of a Persian word's spelling)."""
    text = unicodedata.normalize("NFC", text)
    return "".join(character for character in text
                   if unicodedata.category(character).startswith("L") or character == ZWNJ)


def words(text: str) -> list[str]:
    """The words of a right-to-left text, letters only: it is split at anything that is not
    a letter, a mark or a zero-width non-joiner."""
    out, word = [], []
    for character in unicodedata.normalize("NFC", text) + " ":
        if unicodedata.category(character)[0] in "LM" or character == ZWNJ:
            word.append(character)
        elif word:
            out.append(letters("".join(word)))
            word = []
    return [word for word in out if word]


def mismatches(data: bytes, texts: Sequence[PrintedText], rtl: bool) -> list[Mismatch]:
    """Each printed text (the parts between its placeholders) that does not come back."""
    if not texts:
        return []
    lost = missing(texts, page_texts(data, rtl=False), rtl)  # PDFium's reading
    if rtl and lost:
        lost = missing([mismatch.printed for mismatch in lost], page_texts(data, rtl=True), rtl)
    return lost


def missing(texts: Sequence[PrintedText], pages: Sequence[str], rtl: bool) -> list[Mismatch]:
    """Each printed text not in these page texts (from any extractor), compared as
    `mismatches` compares them."""
    pages = [letters(text) if rtl else compact(text) for text in pages]
    found = "".join(pages)
    out = []
    for printed in texts:
        parts = [part for part in PLACEHOLDER.split(printed.text) if part.strip()]
        expected = [word for part in parts for word in words(part)] if rtl else [compact(part) for part in parts]
        lost = next((part for part in expected if part and part not in found and not across_pages(part, pages)),
                    None)
        if lost is not None:
            out.append(Mismatch(printed, lost, closest(found, lost)))
    return out


def across_pages(text: str, pages: list[str]) -> bool:
    """Whether `text` runs from one page onto the next ones: its beginning ends a page and the
    rest follows on the next (between them, in the extracted text, come the running header
    and footer)."""
    for first in range(len(pages) - 1):
        rest = text
        for page in pages[first:]:
            begun = 0  # the longest beginning of what is left that is on this page
            while begun < len(rest) and rest[:begun + 1] in page:
                begun += 1
            if begun == len(rest) and rest != text:
                return True
            if begun == 0:
                break
            rest = rest[begun:]
    return False


def closest(found: str, expected: str) -> str:
    """The stretch of `found` most like `expected` (around their longest common run)."""
    match = difflib.SequenceMatcher(None, found, expected, autojunk=False).find_longest_match(
        0, len(found), 0, len(expected))
    start = max(0, match.a - match.b)
    return found[start:start + len(expected) + 2] if match.size else ""


def describe(mismatch: Mismatch, what: str) -> str:
    """The problem, in words a translator understands."""
    return (f'{what}: the text of "{shorten(mismatch.printed.label)}" does not come back from the PDF as '
            f'written (a screen reader, a search or a copy would get other text): expected '
            f'"{shorten(mismatch.expected)}", the PDF gives "{shorten(mismatch.found)}" (spaces aside)')


def shorten(text: str, most: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= most else text[:most - 1] + "…"
