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

#: The variants that claim PDF/UA-1 (pdf.PDF_VARIANTS).
CHECKED_VARIANTS = ("standard", "large-print")
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
    if set_aside and all(multi_fd_cff(data, font_named(failure)) for failure in set_aside):
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


def multi_fd_cff(data: bytes, objgen: tuple[int, int] | None) -> bool:
    """Whether the font page-validation names is a Type0 font over a CID-keyed CFF program
    with more than one Font DICT (the case it misreads)."""
    if objgen is None:
        return False
    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as pdf:
        try:
            font = pdf.get_object(objgen)
        except (pikepdf.PdfError, ValueError):
            return False
        top = cff_top(font)
        return top is not None and len(getattr(top, "FDArray", ())) > 1


def cff_top(font):
    """The top DICT of a Type0 font's embedded CIDFontType0C program (fontTools), or None."""
    import pikepdf
    from fontTools.cffLib import CFFFontSet

    if not isinstance(font, pikepdf.Dictionary) or font.get("/Subtype") != "/Type0" or "/DescendantFonts" not in font:
        return None
    descendant = font.DescendantFonts[0]
    program = descendant.get("/FontDescriptor", {}).get("/FontFile3")
    if program is None or program.get("/Subtype") != "/CIDFontType0C":
        return None
    cff = CFFFontSet()
    cff.decompile(io.BytesIO(program.read_bytes()), None)
    return cff[cff.fontNames[0]]


def cff_width_problems(data: bytes) -> list[str]:
    """For every Type0 font over a CIDFontType0C program: each glyph whose advance in the
    program (read with its own Font DICT's Private dict) differs from its width in the PDF."""
    import pikepdf
    from fontTools.pens.basePen import NullPen

    from .actualtext import read_widths

    problems = []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for font in pdf.objects:
            if not isinstance(font, pikepdf.Dictionary) or font.get("/Subtype") != "/Type0":
                continue
            top = cff_top(font)
            if top is None or not hasattr(top, "ROS"):
                continue
            descendant = font.DescendantFonts[0]
            declared = dict(read_widths(descendant.get("/W", [])))
            default = float(descendant.get("/DW", 1000))
            for name in top.charset:
                cid = 0 if name == ".notdef" else int(name.removeprefix("cid"))
                if cid not in declared and (declared or cid == 0):
                    continue  # not drawn: /W lists every glyph the pages draw, unless /DW serves all
                charstring = top.CharStrings[name]
                charstring.draw(NullPen())  # decodes its width with its own Private dict
                expected = declared.get(cid, default)
                if abs(charstring.width - expected) > TOLERANCE:
                    problems.append(f"PDF/UA-1 (glyph widths, fontTools): font {font.get('/BaseFont')} draws "
                                    f"CID {cid} {charstring.width:g} wide in its program but {expected:g} in /W")
    return problems
