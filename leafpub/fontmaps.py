"""CID fonts' /W arrays and ToUnicode CMaps (ISO 32000-1, 9.7.4 and 9.10.3) <-> glyph -> width and
glyph -> text mappings."""

from __future__ import annotations

import re

from pypdf.generic import ArrayObject, NumberObject


def parse_widths(widths) -> list[tuple[int, object]]:
    """(glyph, width) pairs of a CIDFont's /W array (pydyf's, pypdf's or pikepdf's):
    `first [w1 w2 ...]` or `first last w`."""
    pairs, index = [], 0
    # pypdf's references resolve; pikepdf's objects answer any attribute as a key, so the
    # method is looked up on the type.
    items = [item.get_object() if hasattr(type(item), "get_object") else item for item in widths]
    while index < len(items):
        first = int(items[index])
        if index + 1 < len(items) and hasattr(items[index + 1], "__iter__"):  # an array of widths
            pairs += [(first + offset, width) for offset, width in enumerate(items[index + 1])]
            index += 2
        elif index + 2 < len(items):
            pairs += [(glyph, items[index + 2]) for glyph in range(first, int(items[index + 1]) + 1)]
            index += 3
        else:
            break
    return pairs


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

