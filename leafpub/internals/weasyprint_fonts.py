"""A rendered WeasyPrint document -> whether it drew with a large (CJK) face.

Relies on the `glyph_count` of the `Font` objects in `Document.fonts` (the dict is public, the
`Font` class is not). A worker that keeps a CJK face loaded carries it into
every later document; knowing which documents loaded one, a worker keeps the face for the
next document in the same language and lets it go before any other. Off, a worker cannot
tell, so it starts from fresh fonts whenever the language changes.
"""

from __future__ import annotations

from . import active, register

LARGE_FACES = register(
    "large-faces", relies_on="weasyprint Document.fonts values' glyph_count",
    checked={"weasyprint": "70.0"},
    gain="a worker keeps its fonts loaded across languages, and a CJK face only while it serves",
    without="a worker loads its fonts again whenever the language changes")


def drew_large_face(document, glyphs: int) -> bool | None:
    """Whether any font of `document` has more than `glyphs` glyphs; None when unknown (off)."""
    if not active(LARGE_FACES):
        return None
    return any(font.glyph_count > glyphs for font in getattr(document, "fonts", {}).values())
