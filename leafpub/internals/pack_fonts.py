"""A merged pack (pypdf writer) + the pinned fonts -> the same pack drawing each face from one font.

Each leaflet, cover and clinic box of a pack arrives with its own subset of the same
fonts: a 15-language pack held 27 subsets of Noto Sans. Their pages name glyphs by their
index in the full font (Identity-H; a TrueType subset keeps each glyph at its index, a
compact CJK subset keeps it under a CID equal to that index: cid_fonts.py). So one subset of the pinned
font holding every glyph the pack uses, cut the way WeasyPrint and cid_fonts.py cut them,
can serve every page, and what the pages draw is not touched.

A face is found among the pinned fonts by its PostScript name; a face that is not there,
or a font of any other kind, is left as it is.
"""

from __future__ import annotations

import hashlib
import io
from collections import Counter, OrderedDict
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from pypdf import PdfWriter
from pypdf.generic import (ArrayObject, DecodedStreamObject, DictionaryObject, IndirectObject,
                           NameObject, NumberObject)

from ..fontmaps import parse_to_unicode, parse_widths, to_unicode_cmap, widths_array
from ..fonts import faces
from . import active, cid_fonts, register
from ..pdfobjects import add_object

PACK_FONTS = register(
    "pack-fonts", relies_on="how WeasyPrint embeds fonts: Identity-H codes equal to glyph indexes, "
    "TrueType subsets with each glyph at its index, the tables it drops (weasyprint/pdf/fonts.py)",
    checked={"weasyprint": "70.0", "pypdf": "7.1.0", "uharfbuzz": "0.57.0"},
    gain="a pack embeds one subset per face instead of one per leaflet, cover and box",
    without="each part of a pack keeps its own font subsets")

#: Tables WeasyPrint drops from the fonts it embeds (weasyprint/pdf/fonts.py).
DROPPED_TABLES = ("BASE", "DSIG", "EBDT", "EBLC", "EBSC", "GPOS", "GSUB", "JSTF", "LTSH", "PCLT", "SVG ")
#: Tables a TrueType program under a CIDFontType2 does not use (ISO 32000-1, 9.9: a
#: PDF reader draws it from glyf, loca, head, hhea, hmtx and maxp, and the hinting
#: tables, which are dropped too; codes reach glyphs through the CIDs, text through
#: ToUnicode).
UNUSED_IN_PDF = ("cmap", "name", "post", "OS/2", "GDEF", "gasp")


def share_fonts(writer: PdfWriter, pinned_face: Callable[[str], object | None]) -> None:
    """Point every use of a face, on pages and in their form XObjects, at one font.
    `pinned_face` gives the HarfBuzz face of a pinned font by PostScript name (or None)."""
    if not active(PACK_FONTS):
        return
    groups = uses_by_face(writer)
    # Fonts of a face join when their text maps agree. WeasyPrint maps a glyph to the text
    # of the cluster it first drew it in (a Devanagari vowel sign with its consonant), so
    # two documents can map one glyph to different text: a joined font has one map, and
    # its text would change. Such a font keeps its own.
    joinable = []
    for (kind, postscript_name, _named), uses in groups.items():
        references = list({reference.idnum: reference for _, _, reference in uses}.values())
        for members, text in agreeing(references):
            fonts = [reference.get_object() for reference in members]
            numbers = {reference.idnum for reference in members}
            joinable.append((kind, postscript_name, fonts, text, glyph_widths(fonts),
                             [use for use in uses if use[2].idnum in numbers]))
    # The glyphs each program draws, over all the faces that share it: one cut serves
    # them all (the Chinese and the Korean faces of Noto Sans CJK draw from one CFF).
    glyphs: dict[tuple[str, str], set[int]] = {}
    for kind, postscript_name, _fonts, _text, widths, _uses in joinable:
        glyphs.setdefault((kind, postscript_name), set()).update(widths)
    sharing = Counter((kind, postscript_name) for kind, postscript_name, *_ in joinable)
    files: dict[tuple[str, str], IndirectObject | None] = {}
    for kind, postscript_name, fonts, text, widths, uses in joinable:
        program = (kind, postscript_name)
        if len(fonts) == 1 and sharing[program] == 1:
            continue  # nothing to share
        if program not in files:
            files[program] = font_file(writer, kind, postscript_name, pinned_face(postscript_name),
                                       glyphs[program])
        if files[program] is None:
            continue
        joined = join(writer, kind, files[program], fonts, text, widths)
        for resources, name, _ in uses:
            resources[name] = joined


def uses_by_face(writer: PdfWriter) -> dict[tuple[str, str, str], list[tuple[DictionaryObject, NameObject,
                                                                             IndirectObject]]]:
    """Every use of a font whose codes are glyph indexes, by (kind, PostScript name, the
    face's own name)."""
    groups: dict[tuple[str, str, str], list[tuple[DictionaryObject, NameObject, IndirectObject]]] = {}
    faces: dict[int, tuple[str, str, str] | None] = {}  # by font object: its pages share it
    for fonts, name, reference in font_uses(writer):
        if reference.idnum not in faces:
            font = reference.get_object()
            face = embedded_face(font)
            # The faces of a CJK collection share one font program, but a Korean text keeps
            # its Korean face's name: the group is the program and the face's own name.
            faces[reference.idnum] = (*face, str(font["/BaseFont"]).split("+", 1)[-1]) if face else None
        if faces[reference.idnum]:
            groups.setdefault(faces[reference.idnum], []).append((fonts, name, reference))
    return groups


def agreeing(references: list[IndirectObject]) -> list[tuple[list[IndirectObject], dict[int, bytes]]]:
    """The fonts in sets whose text maps agree on every glyph they share (as few sets as
    the order allows), each with its merged map."""
    sets: list[tuple[list[IndirectObject], dict[int, bytes]]] = []
    for reference in references:
        text = dict(parse_to_unicode(reference.get_object()["/ToUnicode"].get_object().get_data()))
        for members, merged in sets:
            if all(merged.get(glyph, unicode) == unicode for glyph, unicode in text.items()):
                members.append(reference)
                merged.update(text)
                break
        else:
            sets.append(([reference], text))
    return sets


def font_uses(writer: PdfWriter):
    """(font resource dictionary, resource name, font reference) for every font a page or
    a form XObject on it draws with."""
    seen: set[int] = set()

    def walk(resources):
        if resources is None:
            return
        resources = resources.get_object()
        fonts = resources.get("/Font")
        if fonts is not None:
            fonts = fonts.get_object()
            for name in list(fonts.keys()):
                reference = fonts.raw_get(name)
                if isinstance(reference, IndirectObject):
                    yield fonts, NameObject(name), reference
        for xobject in (resources.get("/XObject") or DictionaryObject()).get_object().values():
            form = xobject.get_object()
            if form.get("/Subtype") == "/Form" and id(form) not in seen:
                seen.add(id(form))
                yield from walk(form.get("/Resources"))

    for page in writer.pages:
        yield from walk(page.get("/Resources"))


def embedded_face(font: DictionaryObject) -> tuple[str, str] | None:
    """("truetype" or "cff", the PostScript name of its face) for a Type0 font whose codes
    are glyph indexes; None for any other font."""
    if font.get("/Subtype") != "/Type0" or font.get("/Encoding") != "/Identity-H" or "/ToUnicode" not in font:
        return None
    descendant = font["/DescendantFonts"][0].get_object()
    descriptor = descendant.get("/FontDescriptor")
    descriptor = descriptor.get_object() if descriptor is not None else DictionaryObject()
    if "/CIDSet" in descriptor:
        return None
    if descendant.get("/Subtype") == "/CIDFontType2" and descendant.get("/CIDToGIDMap") == "/Identity" \
            and "/FontFile2" in descriptor:
        return "truetype", postscript_name(descriptor["/FontFile2"].get_object().get_data(), "truetype")
    if descendant.get("/Subtype") == "/CIDFontType0" and "/FontFile3" in descriptor:
        program = descriptor["/FontFile3"].get_object()
        if program.get("/Subtype") == "/CIDFontType0C":  # compacted by cid_fonts.py
            return "cff", postscript_name(program.get_data(), "cff")
        if program.get("/Subtype") == "/OpenType":  # as WeasyPrint embeds it
            return "cff", postscript_name(program.get_data(), "opentype")
    return None


def postscript_name(program: bytes, kind: str) -> str:
    """The PostScript name of an embedded font program (name ID 6, or a bare CFF's name)."""
    if kind == "cff":
        from fontTools.cffLib import CFFFontSet

        fonts = CFFFontSet()
        fonts.decompile(io.BytesIO(program), None)
        return fonts.fontNames[0]
    import uharfbuzz as harfbuzz

    return harfbuzz.Face(harfbuzz.Blob(program)).get_name(6) or ""


def glyph_widths(fonts: list[DictionaryObject]) -> dict[int, object]:
    """Glyph -> width, over the /W arrays of these Type0 fonts' descendants."""
    widths: dict[int, object] = {}
    for font in fonts:
        for glyph, width in parse_widths(font["/DescendantFonts"][0].get_object().get("/W", ArrayObject())):
            widths.setdefault(glyph, width)
    return widths


def font_file(writer: PdfWriter, kind: str, postscript_name: str, original,
              glyphs: set[int]) -> IndirectObject | None:
    """The font program holding `glyphs`, cut from the pinned face `original`, as a stream
    of `writer`; None if it cannot be (no such face, or a glyph beyond it: another font)."""
    if original is None or not glyphs or max(glyphs) >= original.glyph_count:
        return None
    program = cut(kind, postscript_name, original, frozenset(glyphs))
    if program is None:
        return None
    file = DecodedStreamObject()  # deflated when the pack is compacted
    file.set_data(program)
    if kind == "truetype":
        file[NameObject("/Length1")] = NumberObject(len(program))
    else:
        file[NameObject("/Subtype")] = NameObject("/CIDFontType0C")
    return add_object(writer, file)


def join(writer: PdfWriter, kind: str, file: IndirectObject, fonts: list[DictionaryObject],
         text: dict[int, bytes], widths: dict[int, object]) -> IndirectObject:
    """One Type0 font holding every glyph, width and text mapping of `fonts` (whose text
    maps agree: `text` is theirs merged), drawn from the font program `file`."""
    descendants = [font["/DescendantFonts"][0].get_object() for font in fonts]

    name = NameObject(f"/{subset_tag(file.get_object().get_data())}+"
                      f"{str(fonts[0]['/BaseFont']).split('+', 1)[-1]}")
    descriptor = DictionaryObject(descendants[0]["/FontDescriptor"].get_object())
    descriptor[NameObject("/FontName")] = name
    descriptor[NameObject("/FontFile2" if kind == "truetype" else "/FontFile3")] = file
    descendant = DictionaryObject(descendants[0])
    descendant[NameObject("/BaseFont")] = name
    descendant[NameObject("/FontDescriptor")] = add_object(writer, descriptor)
    descendant[NameObject("/W")] = widths_array(widths)
    cmap = DecodedStreamObject()
    cmap.set_data(to_unicode_cmap(text))
    font = DictionaryObject(fonts[0])
    font[NameObject("/BaseFont")] = name
    font[NameObject("/DescendantFonts")] = ArrayObject([add_object(writer, descendant)])
    font[NameObject("/ToUnicode")] = add_object(writer, cmap)
    return add_object(writer, font)


_programs: OrderedDict[tuple, bytes | None] = OrderedDict()
PROGRAMS_KEPT = 32  #: font programs a worker keeps: clinics' packs share their leaflets'


def cut(kind: str, postscript_name: str, original, glyphs: frozenset[int]) -> bytes | None:
    """The subset of `original` holding `glyphs` at their indexes, as a page refers to them."""
    key = (kind, postscript_name, glyphs)
    if key not in _programs:
        _programs[key] = (truetype_subset(original, glyphs) if kind == "truetype"
                          else cid_fonts.compact_cff_face(original, set(glyphs)))
        while len(_programs) > PROGRAMS_KEPT:
            _programs.popitem(last=False)
    _programs.move_to_end(key)
    return _programs[key]


def truetype_subset(original, glyphs: frozenset[int]) -> bytes | None:
    """What WeasyPrint embeds for these glyphs: each at its index (HarfBuzz's RETAIN_GIDS),
    the glyphs after the last one used dropped, no hinting, its tables dropped; and of
    the rest, only the tables a PDF reader uses."""
    import uharfbuzz as harfbuzz

    wanted = harfbuzz.SubsetInput()
    for glyph in sorted(glyphs | {0}):
        wanted.glyph_set.add(glyph)
    dropped = wanted.sets(harfbuzz.SubsetInputSets.DROP_TABLE_TAG)
    for tag in DROPPED_TABLES:
        dropped.add(int.from_bytes(tag.encode("ascii"), "big"))
    flags = harfbuzz.SubsetFlags
    wanted.flags = flags.RETAIN_GIDS | flags.PASSTHROUGH_UNRECOGNIZED | flags.DESUBROUTINIZE
    retained = harfbuzz.subset(original, wanted)
    if retained is None:
        return None
    for glyph in range(max(glyphs) + 1):
        wanted.glyph_set.add(glyph)
    for tag in UNUSED_IN_PDF:
        dropped.add(int.from_bytes(tag.encode("ascii"), "big"))
    wanted.flags = flags.PASSTHROUGH_UNRECOGNIZED | flags.DESUBROUTINIZE | flags.NO_HINTING
    subset = harfbuzz.subset(retained, wanted)
    return subset.blob.data if subset is not None else None


class PinnedFaces:
    """The pinned fonts' faces by PostScript name, opened (mapped, not read) when first
    asked for and let go with this object: a worker does not keep the CJK font files
    mapped between packs."""

    def __init__(self, paths: tuple[Path, ...]):
        self.locations = face_locations(paths)
        self.faces: dict[str, object] = {}

    def get(self, name: str):
        import uharfbuzz as harfbuzz

        if name not in self.faces and name in self.locations:
            path, index = self.locations[name]
            self.faces[name] = harfbuzz.Face(harfbuzz.Blob.from_file_path(path), index)
        return self.faces.get(name)


@lru_cache(maxsize=4)
def face_locations(paths: tuple[Path, ...]) -> dict[str, tuple[Path, int]]:
    """PostScript name -> (file, index in the file) of every face of the pinned fonts."""
    locations: dict[str, tuple[Path, int]] = {}
    for path in paths:
        for _family, face, index in faces(path):
            locations.setdefault(face["name"].getDebugName(6) or "", (path, index))
    return locations


def subset_tag(program: bytes) -> str:
    """Six capital letters derived from the font program, as subset names need."""
    digest = hashlib.sha256(program).digest()
    return "".join(chr(ord("A") + byte % 26) for byte in digest[:6])
