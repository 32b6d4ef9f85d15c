"""A merged pack (pypdf writer) + the pinned fonts -> the same pack drawing each face from one font.

Each leaflet, cover and clinic box of a pack arrives with its own subset of the same
fonts: a 15-language pack held 27 subsets of Noto Sans. Their pages name glyphs by their
index in the full font (Identity-H; a TrueType subset keeps each glyph at its index, a
compact CJK subset keeps it under a CID equal to that index). So one subset of the pinned
font holding every glyph the pack uses, cut the way WeasyPrint and fontsubset.py cut them,
can serve every page, and what the pages draw is not touched.

A face is found among the pinned fonts by its PostScript name; a face that is not there,
or a font of any other kind, is left as it is.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections import Counter, OrderedDict
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from pypdf import PdfWriter
from pypdf.generic import (ArrayObject, DecodedStreamObject, DictionaryObject, IndirectObject,
                           NameObject, NumberObject)

from . import fontsubset
from .fonts import faces
from .fontsubset import parse_widths

#: Tables WeasyPrint drops from the fonts it embeds (weasyprint/pdf/fonts.py).
DROPPED_TABLES = ("BASE", "DSIG", "EBDT", "EBLC", "EBSC", "GPOS", "GSUB", "JSTF", "LTSH", "PCLT", "SVG ")
#: Tables a TrueType program under a CIDFontType2 does not use (ISO 32000-1, 9.9: a
#: PDF reader draws it from glyf, loca, head, hhea, hmtx and maxp, and the hinting
#: tables, which are dropped too; codes reach glyphs through the CIDs, text through
#: ToUnicode). They took 5 KB of a 15-language pack's joined fonts.
UNUSED_IN_PDF = ("cmap", "name", "post", "OS/2", "GDEF", "gasp")


def share_fonts(writer: PdfWriter, pinned_face: Callable[[str], object | None]) -> None:
    """Point every use of a face, on pages and in their form XObjects, at one font.
    `pinned_face` gives the HarfBuzz face of a pinned font by PostScript name (or None)."""
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
        if program.get("/Subtype") == "/CIDFontType0C":  # compacted by fontsubset.py
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
    return writer._add_object(file)


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
    descendant[NameObject("/FontDescriptor")] = writer._add_object(descriptor)
    descendant[NameObject("/W")] = widths_array(widths)
    cmap = DecodedStreamObject()
    cmap.set_data(to_unicode_cmap(text))
    font = DictionaryObject(fonts[0])
    font[NameObject("/BaseFont")] = name
    font[NameObject("/DescendantFonts")] = ArrayObject([writer._add_object(descendant)])
    font[NameObject("/ToUnicode")] = writer._add_object(cmap)
    return writer._add_object(font)


_programs: OrderedDict[tuple, bytes | None] = OrderedDict()
PROGRAMS_KEPT = 32  #: font programs a worker keeps: clinics' packs share their leaflets'


def cut(kind: str, postscript_name: str, original, glyphs: frozenset[int]) -> bytes | None:
    """The subset of `original` holding `glyphs` at their indexes, as a page refers to them."""
    key = (kind, postscript_name, glyphs)
    if key not in _programs:
        _programs[key] = (truetype_subset(original, glyphs) if kind == "truetype"
                          else fontsubset.compact_cff_face(original, set(glyphs)))
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
    asked for and let go with this object: a worker does not keep 40 MB of CJK font files
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


def widths_array(widths: dict[int, object]) -> ArrayObject:
    """A /W array with one `first [w1 w2 ...]` entry per run of consecutive glyphs."""
    array, run, first = ArrayObject(), ArrayObject(), None
    for glyph in sorted(widths):
        if first is not None and glyph == first + len(run):
            run.append(widths[glyph])
            continue
        if run:
            array += [NumberObject(first), run]
        first, run = glyph, ArrayObject([widths[glyph]])
    if run:
        array += [NumberObject(first), run]
    return array


MAPPING = re.compile(rb"<([0-9a-fA-F]{4})>\s*<([0-9a-fA-F]+)>")
RANGE = re.compile(rb"<([0-9a-fA-F]{4})>\s*<([0-9a-fA-F]{4})>\s*<([0-9a-fA-F]{4})>")


def parse_to_unicode(cmap: bytes) -> list[tuple[int, bytes]]:
    """(glyph, UTF-16BE hex) pairs of a ToUnicode CMap's entries, as WeasyPrint writes them
    (bfchar) and to_unicode_cmap does (bfchar and bfrange)."""
    pairs = []
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", cmap, re.S):
        pairs += [(int(glyph, 16), text) for glyph, text in MAPPING.findall(block)]
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", cmap, re.S):
        for first, last, text in RANGE.findall(block):
            pairs += [(glyph, b"%04x" % (int(text, 16) + glyph - int(first, 16)))
                      for glyph in range(int(first, 16), int(last, 16) + 1)]
    return sorted(pairs)


def to_unicode_cmap(text: dict[int, bytes]) -> bytes:
    """A ToUnicode CMap for glyph -> UTF-16BE hex: a run of consecutive glyphs for
    consecutive characters is one bfrange entry (Latin letters mostly are), the rest
    bfchar entries; at most 100 entries a block, and a range stays within one high byte
    of its glyphs and of its characters, as the CMap format asks."""
    ranges: list[tuple[int, int, bytes]] = []
    singles: list[tuple[int, bytes]] = []
    run: list[tuple[int, bytes]] = []

    def extends(glyph: int, code: bytes) -> bool:
        first_glyph, first_code = run[0]
        last_glyph, last_code = run[-1]
        return (len(code) == 4 and len(first_code) == 4 and glyph == last_glyph + 1
                and int(code, 16) == int(last_code, 16) + 1
                and glyph >> 8 == first_glyph >> 8 and int(code, 16) >> 8 == int(first_code, 16) >> 8)

    def close_run() -> None:
        if len(run) > 1:
            ranges.append((run[0][0], run[-1][0], run[0][1]))
        else:
            singles.extend(run)

    for glyph, code in sorted(text.items()):
        if run and extends(glyph, code):
            run.append((glyph, code))
        else:
            close_run()
            run = [(glyph, code)]
    close_run()
    blocks = b"".join(
        b"%d beginbfrange\n" % len(chunk) + b"".join(b"<%04x> <%04x> <%s>\n" % entry for entry in chunk)
        + b"endbfrange\n" for chunk in chunks(ranges)) + b"".join(
        b"%d beginbfchar\n" % len(chunk) + b"".join(b"<%04x> <%s>\n" % entry for entry in chunk)
        + b"endbfchar\n" for chunk in chunks(singles))
    return (b"/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CIDSystemInfo\n"
            b"<< /Registry (Adobe)\n/Ordering (UCS)\n/Supplement 0\n>> def\n"
            b"/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n1 begincodespacerange\n"
            b"<0000> <ffff>\nendcodespacerange\n" + blocks +
            b"endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend")


def chunks(entries: list, size: int = 100) -> list[list]:
    return [entries[start:start + size] for start in range(0, len(entries), size)]


def subset_tag(program: bytes) -> str:
    """Six capital letters derived from the font program, as subset names need."""
    digest = hashlib.sha256(program).digest()
    return "".join(chr(ord("A") + byte % 26) for byte in digest[:6])
