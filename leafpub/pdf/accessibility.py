"""An accessible (PDF/UA-1) PDF -> what page-validation finds wrong in it, with the one rule it is
known to misread replaced by a check of the same property with fontTools.

page-validation (a PDF/UA-1 and PDF/A validator written in Rust, independent of the libraries
that make our PDFs) checks every rule of PDF/UA-1 it implements: the structure tree, tagged
content, /Lang, the title, fonts embedded with their text maps, and more. It runs in this
process, in milliseconds.

Its mistake: for a CID-keyed CFF font program with several Font DICTs (our compacted Chinese
and Korean fonts, internals/cid_fonts.py), PDFUA1-FONT-GLYPH-WIDTH-001 reads a glyph's width
with another Font DICT's Private dict than the one the CFF's FDSelect gives that glyph
(checked with page-validation 0.11.0: CID 1 of our Noto Sans CJK SC subset has the width
operand -442 under a Private dict whose nominalWidthX is 669, so 227 as in /W; it reports
-442, as if nominalWidthX were 0). For such fonts, that rule's findings are set aside and
`cff_width_problems` checks the same property: every glyph's advance in the embedded
program, read with its own Private dict, is its width in /W (or /DW), within one unit.
"""

from __future__ import annotations

import io
import re
from functools import lru_cache

PROFILE = "ua1"
#: The rule page-validation misreads for CID-keyed CFF fonts with several Font DICTs.
MISREAD_RULE = "PDFUA1-FONT-GLYPH-WIDTH-001"
TOLERANCE = 1.0  #: units of 1/1000 em, as ISO 19005 and ISO 14289 allow


def pdf_ua_problems(data: bytes) -> list[str]:
    """One line per failed PDF/UA-1 rule."""
    import page

    try:
        report = page.validate_pdf_bytes(data, profile=PROFILE)
    except page.PageError as error:
        return [f"page-validation could not read it ({type(error).__name__}: {error})"]
    failures = report.failures
    set_aside = [failure for failure in failures if failure.rule_id == MISREAD_RULE]
    if set_aside and multi_fd_cff(data, [font_named(failure) for failure in set_aside]):
        failures = [failure for failure in failures if failure.rule_id != MISREAD_RULE]
        problems = cff_width_problems(data)
    else:
        problems = []
    return problems + [f"PDF/UA-1 ({failure.rule_id}, page-validation): {failure.message}"
                       for failure in failures]


def font_named(failure) -> tuple[int, int] | None:
    """(object number, generation) of the font a failure is about: its object id, or as its
    message names it ("font object 24 0 has ...")."""
    if failure.object_id is not None:
        return failure.object_id.object_number, failure.object_id.generation
    named = re.match(r"font object (\d+) (\d+)\b", failure.message)
    return (int(named[1]), int(named[2])) if named else None


def multi_fd_cff(data: bytes, fonts: list[tuple[int, int] | None]) -> bool:
    """Whether every font page-validation names (by object number and generation) is a Type0
    font over a CID-keyed CFF program with more than one Font DICT (the case it misreads)."""
    import pikepdf

    if None in fonts:
        return False
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for objgen in fonts:
            try:
                program = cff_program(pdf.get_object(objgen))
            except (pikepdf.PdfError, ValueError):
                return False
            if program is None or font_dicts(program) < 2:
                return False
    return True


def cff_program(font) -> bytes | None:
    """The embedded CIDFontType0C program of a Type0 font (pikepdf), or None."""
    import pikepdf

    if not isinstance(font, pikepdf.Dictionary) or font.get("/Subtype") != "/Type0" or "/DescendantFonts" not in font:
        return None
    program = font.DescendantFonts[0].get("/FontDescriptor", {}).get("/FontFile3")
    if program is None or program.get("/Subtype") != "/CIDFontType0C":
        return None
    return program.read_bytes()


@lru_cache(maxsize=32)
def font_dicts(program: bytes) -> int:
    """How many Font DICTs a CFF program's top DICT has (fontTools)."""
    return len(getattr(cff_top(program), "FDArray", ()))


def cff_top(program: bytes):
    """The top DICT of a CFF program (fontTools)."""
    from fontTools.cffLib import CFFFontSet

    cff = CFFFontSet()
    cff.decompile(io.BytesIO(program), None)
    return cff[cff.fontNames[0]]


def cff_width_problems(data: bytes) -> list[str]:
    """For every Type0 font over a CIDFontType0C program: each glyph whose advance in the
    program (read with its own Font DICT's Private dict) differs from its width in the PDF."""
    import pikepdf

    from .actualtext import read_widths

    problems = []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for font in pdf.objects:
            program = cff_program(font)
            if program is None:
                continue
            descendant = font.DescendantFonts[0]
            declared = tuple(read_widths(descendant.get("/W", [])))
            problems += [f"PDF/UA-1 (glyph widths, fontTools): font {font.get('/BaseFont')} draws {wrong}"
                         for wrong in wrong_widths(program, declared, float(descendant.get("/DW", 1000)))]
    return problems


@lru_cache(maxsize=32)
def wrong_widths(program: bytes, declared: tuple, default: float) -> tuple[str, ...]:
    """The glyphs a CID-keyed CFF program draws at another width than `declared` ((CID,
    width) pairs from /W) or `default` says. Remembered: clinics' packs with the same
    languages embed the same program with the same widths."""
    top = cff_top(program)
    if not hasattr(top, "ROS"):
        return ()
    widths, wrong = dict(declared), []
    for name in top.charset:
        cid = 0 if name == ".notdef" else int(name.removeprefix("cid"))
        if cid not in widths and (widths or cid == 0):
            continue  # not drawn: /W lists every glyph the pages draw, unless /DW serves all
        width = advance(top.CharStrings[name])
        expected = widths.get(cid, default)
        if abs(width - expected) > TOLERANCE:
            wrong.append(f"CID {cid} {width:g} wide in its program but {expected:g} in /W")
    return tuple(wrong)


def advance(charstring) -> float:
    """A Type 2 charstring's advance width, read with its own Private dict (fontTools'
    T2WidthExtractor, stopped once it has the width: the width comes before any outline)."""
    from fontTools.misc.psCharStrings import T2WidthExtractor

    class Found(Exception):
        pass

    class FirstWidth(T2WidthExtractor):
        def popallWidth(self, evenOdd=0):
            arguments = super().popallWidth(evenOdd)
            raise Found(arguments)

    private = charstring.private
    extractor = FirstWidth(getattr(private, "Subrs", []), charstring.globalSubrs, private.nominalWidthX,
                           private.defaultWidthX, private)
    try:
        extractor.execute(charstring)
    except Found:
        pass
    return extractor.width
