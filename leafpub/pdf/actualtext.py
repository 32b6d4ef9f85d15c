"""A PDF whose /ActualText spans cover glyphs -> the same PDF, the glyphs in each span drawn
through codes of their own whose ToUnicode texts spell the span's text.

PDFium, poppler and screen readers read a span's /ActualText instead of its glyphs; pypdf
and other extractors read only the glyphs' codes through the font's ToUnicode map, where a
code has one text wherever it is drawn. A Devanagari vowel sign drawn before its consonant,
or a glyph shared by several clusters, has no single right text. So each glyph in a span gets
a new code (a CID of a Type0 font with Identity-H encoding, sent to the same glyph by the
font's CIDToGIDMap, with the same width) mapped to a piece of the span's text: in the order
the codes are drawn, the pieces spell the text. The pages draw exactly what they drew before.

Only TrueType-based CID fonts (CIDFontType2) can send new CIDs to old glyphs; spans in other
fonts, or with more glyphs than characters, are left as they are (the text gate tells).
"""

from __future__ import annotations

import io
import struct

from .. import pdfsave
from ..fontmaps import parse_to_unicode, parse_widths, to_unicode_cmap

INLINE = "inline"  #: recode's outcome for a span replaced by a glyph in line with its text


class FontCodes:
    """New codes for one Type0 font: (glyph, text) -> CID, numbered after its last glyph."""

    def __init__(self, font):
        self.font = font
        descendant = font.DescendantFonts[0]
        self.widths = dict(read_widths(descendant.get("/W", [])))
        import pikepdf

        glyph_map = descendant.get("/CIDToGIDMap")
        self.glyph_of: dict[int, int] = {}
        if isinstance(glyph_map, pikepdf.Stream):
            data = glyph_map.read_bytes()
            self.glyph_of = {cid: glyph for cid, (glyph,) in enumerate(struct.iter_unpack(">H", data))}
        self.text = dict(parse_to_unicode(font.ToUnicode.read_bytes()))
        self.next_code = max([*self.widths, *self.text, *self.glyph_of, 0]) + 1
        self.codes: dict[tuple, int] = {}

    def code_for(self, glyph: int, text: str) -> int | None:
        """The code that draws `glyph` (a code of the font as it was) and reads as `text`."""
        if (glyph, text) not in self.codes:
            if self.next_code > 0xFFFF:
                return None
            code = self.codes[(glyph, text)] = self.next_code
            self.next_code += 1
            self.glyph_of[code] = self.glyph_of.get(glyph, glyph)
            self.widths[code] = self.widths.get(glyph, 1000)
            self.text[code] = text.encode("utf-16-be").hex().encode("ascii")
        return self.codes[(glyph, text)]

    def blank(self) -> int | None:
        """A code of the font that reads as a space (its glyph draws nothing)."""
        return next((code for code, text in sorted(self.text.items()) if text == b"0020"), None)

    def write(self, pdf) -> None:
        """The font's CIDToGIDMap, /W and ToUnicode with the new codes."""
        import pikepdf

        descendant = self.font.DescendantFonts[0]
        last = max(self.glyph_of)
        data = b"".join(struct.pack(">H", self.glyph_of.get(cid, cid)) for cid in range(last + 1))
        descendant.CIDToGIDMap = pdf.make_stream(data)
        widths = []
        for first, run in runs(self.widths):
            widths += [first, pikepdf.Array(run)]
        descendant.W = pikepdf.Array(widths)
        self.font.ToUnicode = pdf.make_stream(to_unicode_cmap(self.text))


def read_widths(widths) -> list[tuple[int, int | float]]:
    """(CID, width) pairs of a /W array, widths as plain numbers."""
    return [(cid, number(width)) for cid, width in parse_widths(widths)]


def number(value) -> int | float:
    """A width as written: a whole number stays one."""
    value = float(value)
    return int(value) if value.is_integer() else value


def runs(widths: dict[int, float]):
    """(first CID, [widths]) for each run of consecutive CIDs."""
    first, run = None, []
    for cid in sorted(widths):
        if first is not None and cid == first + len(run):
            run.append(widths[cid])
            continue
        if run:
            yield first, run
        first, run = cid, [widths[cid]]
    if run:
        yield first, run


def give_spans_codes(data: bytes) -> bytes:
    """The PDF with every span's glyphs recoded; the same bytes when there is nothing to do."""
    import pikepdf

    pdf = pikepdf.open(io.BytesIO(data))
    fonts: dict[tuple[int, int], FontCodes | None] = {}
    changed = False
    with pdf:
        for page in pdf.pages:
            changed |= recode_content(pdf, page.obj, page.obj.get("/Resources"), fonts, set())
        if not changed:
            return data
        for codes in fonts.values():
            if codes is not None and codes.codes:
                codes.write(pdf)
        return pdfsave.pdf_bytes(pdf)


def recode_content(pdf, holder, resources, fonts: dict, seen: set) -> bool:
    """Recode the spans of one content stream (a page's or a form XObject's) and of the
    forms it draws. True if anything changed."""
    import pikepdf

    changed = False
    for xobject in (resources.get("/XObject", {}) if resources is not None else {}).values():
        if xobject.objgen not in seen and xobject.get("/Subtype") == "/Form":
            seen.add(xobject.objgen)
            changed |= recode_content(pdf, xobject, xobject.get("/Resources", resources), fonts, seen)
    instructions = pikepdf.parse_content_stream(holder)
    if not any(operator == pikepdf.Operator("BDC") and len(operands) == 2 and isinstance(operands[1], pikepdf.Dictionary)
               and "/ActualText" in operands[1] for operands, operator in instructions):
        return changed
    font_resources = resources.get("/Font", {}) if resources is not None else {}
    rewritten = recode_spans(instructions, font_resources, fonts)
    if rewritten is None:
        return changed
    content = pikepdf.unparse_content_stream(rewritten)
    if isinstance(holder, pikepdf.Stream):
        holder.write(content)
    else:
        holder.Contents = pdf.make_stream(content)
    return True


def recode_spans(instructions, font_resources, fonts: dict):
    """The instructions with each span's glyph codes replaced; None if none was."""
    import pikepdf

    out, font, span, depth, changed = [], None, None, 0, False
    for operands, operator in instructions:
        name = str(operator)
        if name == "Tf":
            reference = font_resources.get(operands[0])
            font = codes_of(reference, fonts) if reference is not None else None
        elif name in ("BDC", "BMC"):
            depth += 1
            if (name == "BDC" and span is None and isinstance(operands[1], pikepdf.Dictionary)
                    and "/ActualText" in operands[1]):
                span = {"depth": depth, "text": str(operands[1].ActualText), "shows": [], "font": font,
                        "start": len(out)}
        elif name == "EMC":
            if span is not None and span["depth"] == depth:
                depth -= 1
                outcome = recode(span, out)
                changed |= bool(outcome)
                span = None
                if outcome == INLINE:
                    continue  # the span is gone: its character is drawn in the text around it
                out.append([list(operands), operator])
                continue
            depth -= 1
        if span is not None and name in ("TJ", "Tj") and font is span["font"]:
            span["shows"].append(len(out))
        out.append([list(operands), operator])
    if not changed:
        return None
    return [pikepdf.ContentStreamInstruction(operands, operator) for operands, operator in joined(out)]


def joined(instructions: list) -> list:
    """Consecutive TJ instructions as one: a PDF reader lays out the text of one text-showing
    instruction as one piece (PDFium orders right-to-left text within it)."""
    import pikepdf

    out = []
    for operands, operator in instructions:
        if str(operator) == "TJ" and out and str(out[-1][1]) == "TJ":
            out[-1][0] = [pikepdf.Array(list(out[-1][0][0]) + list(operands[0]))]
        else:
            out.append([operands, operator])
    return out


def codes_of(font, fonts: dict) -> FontCodes | None:
    """The FontCodes of a font that can take new codes (Type0, Identity-H, CIDFontType2)."""
    if font.objgen not in fonts:
        fit = (font.get("/Subtype") == "/Type0" and font.get("/Encoding") == "/Identity-H"
               and "/ToUnicode" in font and font.DescendantFonts[0].get("/Subtype") == "/CIDFontType2")
        fonts[font.objgen] = FontCodes(font) if fit else None
    return fonts[font.objgen]


def recode(span: dict, out: list) -> bool:
    """Give the glyphs of one span their codes, in `out` (instructions being rebuilt)."""
    import pikepdf

    font: FontCodes | None = span["font"]
    if font is None:
        return False
    strings = []  # (instruction, operand index or (array, index)), in drawing order
    for position in span["shows"]:
        operands, operator = out[position]
        if str(operator) == "Tj":
            strings.append((operands, 0))
        else:
            strings += [(operands[0], index) for index, item in enumerate(operands[0])
                        if isinstance(item, pikepdf.String)]
    glyphs = [code for holder, index in strings for (code,) in struct.iter_unpack(">H", bytes(holder[index]))]
    text = span["text"]
    if not glyphs:
        return draw_invisible(font, text, out, span["start"])
    if len(glyphs) > len(text):
        return False
    pieces = list(text[:len(glyphs) - 1]) + [text[len(glyphs) - 1:]]
    new = [font.code_for(glyph, piece) for glyph, piece in zip(glyphs, pieces)]
    if None in new:
        return False
    for holder, index in strings:
        count = len(bytes(holder[index])) // 2
        holder[index] = pikepdf.String(b"".join(struct.pack(">H", code) for code in new[:count]))
        new = new[count:]
    return True


def draw_invisible(font: FontCodes, text: str, out: list, start: int):
    """A character drawn as nothing (a zero-width non-joiner) gets a code of its own: the
    font's space glyph, which has no outline to draw, its advance taken back. It replaces the span
    (from `start` in `out`), drawn in line with the text before and after it."""
    import pikepdf

    space = font.blank()
    code = font.code_for(space, text) if space is not None else None
    if code is None:
        return False
    moves = [item for operands, operator in out[start + 1:] if str(operator) == "TJ" for item in operands[0]]
    del out[start:]
    # Its width is the space's (a width other than the font program's is an error in
    # PDF/UA), taken back at once: the text after it does not move.
    back = font.widths[code]
    out.append([[pikepdf.Array([*moves, pikepdf.String(struct.pack(">H", code)), back])], pikepdf.Operator("TJ")])
    return INLINE
