"""WeasyPrint's PDF objects (pydyf) -> the same PDF with each CJK font cut down to the glyphs it draws.

Relies on how WeasyPrint 70 embeds a CID-keyed CFF font (not documented): as a whole
OpenType program (`/FontFile3 /OpenType`) whose glyphs keep their original indexes, which
the page content uses as CIDs. A Korean leaflet that draws 230 glyphs of Noto Sans CJK so
embeds 47,000 empty glyph slots and two large metrics tables. A CID-keyed CFF font does not
need its glyphs kept in place: its charset maps each glyph to its CID, and the CID is what
the page content refers to. So such a font is subset again, compactly, and embedded as bare
CFF (`/FontFile3 /CIDFontType0C`, which every PDF reader supports); the result is kept only
if every kept glyph's CID is its old index, so the pages draw exactly as before.
"""

from __future__ import annotations

import io

from ..fontmaps import parse_widths
from . import active, register

CID_FONTS = register(
    "cid-fonts", relies_on="WeasyPrint embeds CID-keyed CFF fonts as /OpenType with CIDs equal to "
    "glyph indexes; pydyf object attributes",
    checked={"weasyprint": "70.0", "pydyf": "0.13.0"},
    gain="Chinese and Korean PDFs carry only the glyphs they draw: much smaller, and quicker to check",
    without="CJK fonts are embedded as WeasyPrint embeds them")

#: A font that draws more than this share of its glyphs gains nothing from compaction.
WORTHWHILE = 0.5


def compact_cid_fonts(pdf) -> None:
    """Rewrite the CID-keyed CFF font programs of `pdf` (pydyf objects) in place."""
    if not active(CID_FONTS):
        return
    import pydyf

    by_reference = {obj.reference: obj for obj in pdf.objects[1:] if isinstance(obj, pydyf.Object)}
    used: dict[bytes, set[int]] = {}
    for obj in pdf.objects[1:]:
        if isinstance(obj, pydyf.Dictionary) and obj.get("Subtype") == "/CIDFontType0":
            descriptor = by_reference.get(obj.get("FontDescriptor"))
            program = descriptor.get("FontFile3") if descriptor is not None else None
            if program is not None:
                used.setdefault(program, {0}).update(glyph for glyph, _ in parse_widths(obj.get("W", ())))
    for reference, glyphs in used.items():
        stream = by_reference.get(reference)
        if stream is None or stream.extra.get("Subtype") != "/OpenType":
            continue
        cff = compact_cff(b"".join(stream.stream), glyphs)
        if cff is not None:
            stream.stream = [cff]
            stream.extra["Subtype"] = "/CIDFontType0C"


def compact_cff(opentype: bytes, glyphs: set[int]) -> bytes | None:
    """The CFF table of an OpenType font, keeping only `glyphs` (by glyph index) under
    their CIDs; None when that would change what the page content refers to (the font is
    not CID-keyed, or a glyph's CID is not its index) or would not pay."""
    import uharfbuzz as harfbuzz

    return compact_cff_face(harfbuzz.Face(harfbuzz.Blob(opentype)), glyphs)


def compact_cff_face(face, glyphs: set[int]) -> bytes | None:
    """compact_cff for a HarfBuzz face (a pinned font, for a pack's joined subsets)."""
    import uharfbuzz as harfbuzz
    from fontTools.cffLib import CFFFontSet

    keep = sorted({0} | {glyph for glyph in glyphs if glyph < face.glyph_count})
    if len(keep) > face.glyph_count * WORTHWHILE:
        return None
    wanted = harfbuzz.SubsetInput()
    for glyph in keep:
        wanted.glyph_set.add(glyph)
    # Glyphs renumbered, CIDs kept. Cut from a pinned font (for a pack), it is cut as
    # WeasyPrint cuts: no glyph added for substitutions the PDF never makes, no hinting,
    # no subroutines (WeasyPrint's own subsets have none of these left).
    flags = harfbuzz.SubsetFlags
    wanted.flags = flags.NOTDEF_OUTLINE | flags.NO_LAYOUT_CLOSURE | flags.NO_HINTING | flags.DESUBROUTINIZE
    compact = harfbuzz.subset(face, wanted)
    if compact is None:
        return None
    cff = compact.reference_table("CFF ").data
    # The page content names glyphs by their old index: keep the result only if each
    # kept glyph's CID is that index, so every code still finds the same glyph.
    fonts = CFFFontSet()
    fonts.decompile(io.BytesIO(cff), None)
    top = fonts.topDictIndex[0]
    if not hasattr(top, "ROS") or list(top.charset) != [".notdef"] + [f"cid{glyph:05d}" for glyph in keep[1:]]:
        return None
    return cff
