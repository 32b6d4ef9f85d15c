"""WeasyPrint's font subsetting -> the same subsets, cut once per worker and reused.

Relies on `weasyprint.pdf.fonts.Font.subset(to_unicode, hinting)` (not public API): it
replaces `font.file_content` with the subset, and the subset depends only on the font file
and face, the glyphs, the hinting option and whether a glyph was missing. A leaflet's papers
and variants draw the same glyphs, so most cuts in a build were made before: the patched
method keeps each successful cut by those inputs and hands it back, byte for byte what
WeasyPrint would cut again (tests/test_internals.py compares them). A failed cut is not kept:
it warns again, and the warning fails the document as before.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict

from . import active, register

SUBSETS = register(
    "font-subsets", relies_on="weasyprint.pdf.fonts.Font.subset and Font.file_content",
    checked={"weasyprint": "70.0"},
    gain="a leaflet's other papers and variants reuse its font subsets instead of cutting them again",
    without="WeasyPrint cuts every font of every document")

_kept: OrderedDict[tuple, bytes] = OrderedDict()
#: Bytes of subsets a worker keeps, the last used: a CJK face's subset is large, so a count
#: alone would let them pile up.
BYTES_KEPT = 3 * 1024 * 1024


def reuse_font_subsets() -> None:
    """Install the reusing subsetter (once per process); it checks at each call whether it is on."""
    from weasyprint.pdf.fonts import Font

    cut = Font.subset
    if getattr(cut, "reuses_subsets", False):
        return

    def subset(font, to_unicode, hinting):
        if not to_unicode or not active(SUBSETS):
            return cut(font, to_unicode, hinting)
        content = font.file_content
        # The start of a font file holds its table directory, with every table's checksum.
        key = (hashlib.sha256(content[:65536]).digest(), len(content), font.index, frozenset(to_unicode),
               bool(hinting), bool(font.missing))
        if key in _kept:
            _kept.move_to_end(key)
            font.file_content = _kept[key]
            return None
        cut(font, to_unicode, hinting)
        if font.file_content is not content:
            _kept[key] = font.file_content
            while sum(map(len, _kept.values())) > BYTES_KEPT:
                _kept.popitem(last=False)
        return None

    subset.reuses_subsets = True
    Font.subset = subset


def kept() -> int:
    """How many subsets this process keeps (for tests)."""
    return len(_kept)


def forget() -> None:
    _kept.clear()
