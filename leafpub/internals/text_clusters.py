"""WeasyPrint's text drawing -> the same drawing, with the text of every glyph cluster that does
not map one glyph to one text marked as /ActualText, and each glyph's ToUnicode text its own.

WeasyPrint 70 (weasyprint/draw/text.py, `draw_first_line`) maps each glyph to the text of
the cluster it is first drawn in, and a glyph that is not a cluster's last to nothing. In
Devanagari a cluster often has several glyphs, some drawn before the letter they follow
(कि is drawn as ि then क), so "कोलेजन" extracts as "किोलिेजिन" and the empty mappings make
the ToUnicode CMap invalid for PDF/UA. A Persian zero-width non-joiner, which Pango draws as
nothing, is lost. Pango tells which glyphs make each cluster; this patch, applied to the
source of `draw_first_line` (PATCHES below, each an exact replacement that must match), uses it:

- a cluster of one glyph maps that glyph to its text, as before, unless the glyph already
  stands for other text;
- an invisible character Pango draws as nothing (a zero-width non-joiner) is drawn as the
  font's own glyph for it, which has no outline and no advance, mapped to the character;
- any other cluster (several glyphs, or a glyph already mapped otherwise) is drawn inside
  `/Span <</ActualText (its text)>> BDC ... EMC` (ISO 32000-1, 14.9.4), which PDFium,
  poppler and screen readers read instead of the glyphs.

Extractors that ignore /ActualText (pypdf) still read the glyphs' codes; leafpub/pdf/actualtext.py
gives the glyphs inside each span codes of their own that spell its text.
Without this patch, such text extracts wrongly and the text gate refuses the document.
"""

from __future__ import annotations

import unicodedata
from contextlib import contextmanager

from . import patched, register, swapped

TEXT_CLUSTERS = register(
    "text-clusters", relies_on="the source of weasyprint.draw.text.draw_first_line (patched, then "
    "compiled in its module) and Pango's glyph strings as WeasyPrint reads them",
    checked={"weasyprint": "70.0"},
    gain="Hindi text extracts as written (PDFium, poppler, pypdf) and its ToUnicode maps pass "
    "PDF/UA; Persian keeps its zero-width non-joiners",
    without="WeasyPrint's own mapping: Hindi text extracts wrongly, so the text gate refuses Hindi documents")

#: (exact text of WeasyPrint 70's draw_first_line, its replacement)
PATCHES = (
    ("""        string += '<'
        for i, glyph_info in enumerate(glyphs_info[0:num_glyphs]):
            glyph_id = glyph_info.glyph
""", """        string += '<'
        spans = _leafpub_spans(font, glyph_item, textbox)
        for i, glyph_info in enumerate(glyphs_info[0:num_glyphs]):
            string = spans.at(stream, string, i)
            glyph_id = glyph_info.glyph
"""),
    ("""            x_advance += (logical_width + offset - kerning) / 1000

""", """            x_advance += (logical_width + offset - kerning) / 1000

        string = spans.at(stream, string, num_glyphs)
"""),
    ("""            # Display zero-width empty glyph.
            if glyph_id == pango.PANGO_GLYPH_EMPTY:""", """            # Display zero-width empty glyph.
            glyph_id = spans.invisible.get(i, glyph_id)
            if glyph_id == pango.PANGO_GLYPH_EMPTY:"""),
)


class ClusterSpans:
    """Which glyphs of one Pango glyph item to draw inside an /ActualText span, and the text
    of each; also maps the glyphs of `font` that stand for their cluster's text."""

    drawn = 0  #: spans drawn in this process so far: a document with none needs no recoding

    def __init__(self, font, glyph_item, textbox):
        from weasyprint.text.ffi import pango

        glyphs, item = glyph_item.glyphs, glyph_item.item
        count = glyphs.num_glyphs
        clusters = glyphs.log_clusters[0:count]
        ids = [info.glyph for info in glyphs.glyphs[0:count]]
        rtl = item.analysis.level % 2
        text = textbox.pango_layout.text.encode()
        self.starts: dict[int, tuple[int, str]] = {}
        self.invisible: dict[int, int] = {}  #: glyph index -> the font's glyph for what Pango drew as nothing
        self.open_until: int | None = None
        self.mapped = font.to_unicode
        self.from_spans = font.__dict__.setdefault("leafpub_span_glyphs", set())
        #: glyph -> the UTF-8 text it stands for alone: most clusters are one such glyph
        known = font.__dict__.setdefault("leafpub_known_glyphs", {})
        # Visual runs of glyphs from one cluster; a cluster's text runs to the start of the
        # next cluster in text order.
        firsts = [0, *(index for index in range(1, count) if clusters[index] != clusters[index - 1])]
        for number, first in enumerate(firsts):
            last = firsts[number + 1] - 1 if number + 1 < len(firsts) else count - 1
            after = number - 1 if rtl else number + 1
            end = clusters[firsts[after]] if 0 <= after < len(firsts) else item.length
            piece = text[item.offset + clusters[first]:item.offset + end]
            glyph = ids[first]
            if first == last and known.get(glyph) == piece:
                continue
            if first == last and glyph != pango.PANGO_GLYPH_EMPTY and not glyph & pango.PANGO_GLYPH_UNKNOWN_FLAG:
                if self.maps(glyph, piece.decode()):
                    known[glyph] = piece
                    continue
            self.plan_cluster(font, ids[first:last + 1], first, piece.decode())

    def plan_cluster(self, font, ids: list[int], first: int, cluster_text: str) -> None:
        """A cluster that is not one glyph standing for its text: a span, and for a character
        Pango drew as nothing, a glyph of the font's own where it has one."""
        from weasyprint.text.ffi import pango

        last = first + len(ids) - 1
        drawn = [glyph for glyph in ids if glyph != pango.PANGO_GLYPH_EMPTY]
        if any(glyph & pango.PANGO_GLYPH_UNKNOWN_FLAG for glyph in drawn):
            return  # .notdef: WeasyPrint maps it and warns
        invisible = "".join(character for character in cluster_text if unicodedata.category(character) == "Cf")
        empty = [first + offset for offset, glyph in enumerate(ids) if glyph == pango.PANGO_GLYPH_EMPTY]
        if invisible and empty and len(drawn) <= 1:
            # A zero-width non-joiner, which Pango draws as nothing: drawn as the font's own
            # glyph for it (no outline, no advance) where the font has one, else a span of its
            # own, where leafpub/pdf/actualtext.py draws an invisible glyph. Either way the glyph
            # beside it keeps its own text.
            glyph = invisible_glyph(font, invisible)
            if glyph is not None and self.maps(glyph, invisible):
                self.invisible[empty[0]] = glyph
            else:
                self.starts[empty[0]] = (empty[0], invisible)
            cluster_text = "".join(character for character in cluster_text if character not in invisible)
            if len(drawn) == 1 and self.maps(drawn[0], cluster_text):
                return
        if drawn:
            self.starts[first] = (last, cluster_text)
            for glyph in drawn:
                if glyph not in self.mapped:
                    self.mapped[glyph] = cluster_text  # a placeholder; the span carries the text
                    self.from_spans.add(glyph)

    def maps(self, glyph: int, text: str) -> bool:
        """Map a glyph drawn alone for `text`, unless it already stands for other text
        (then it needs a span)."""
        if self.mapped.get(glyph, text) != text and glyph not in self.from_spans:
            return False
        self.mapped[glyph] = text
        self.from_spans.discard(glyph)
        return True

    def at(self, stream, string: str, index: int) -> str:
        """Before glyph `index` (or at the end, index = the glyph count): close a span that
        ended, open one that starts. Returns the TJ string to go on with."""
        import pydyf

        if self.open_until is not None and index > self.open_until:
            string = flush(stream, string)
            stream.end_marked_content()
            self.open_until = None
        if index in self.starts:
            string = flush(stream, string)
            self.open_until, text = self.starts[index]
            ClusterSpans.drawn += 1
            stream.begin_marked_content("Span", pydyf.Dictionary({"ActualText": pydyf.String(text)}))
        return string


def invisible_glyph(font, characters: str) -> int | None:
    """The font's own glyph for one invisible character (a zero-width non-joiner), if it has
    one with no advance; None otherwise."""
    if len(characters) != 1:
        return None
    glyphs = font.__dict__.setdefault("leafpub_invisible_glyphs", {})
    if characters not in glyphs:
        import uharfbuzz

        face = uharfbuzz.Face(font.file_content, font.index)
        hb_font = uharfbuzz.Font(face)
        glyph = hb_font.get_nominal_glyph(ord(characters))
        glyphs[characters] = glyph if glyph and hb_font.get_glyph_h_advance(glyph) == 0 else None
    return glyphs[characters]


def flush(stream, string: str) -> str:
    """Show the glyphs gathered so far in `string` (an open TJ string); a new one begins."""
    string = string[:-1] if string.endswith("<") else string + ">"
    if string:
        stream.show_text(string)
    return "<"


@contextmanager
def applied():
    """WeasyPrint draws text with the patch while inside, when the patch is on."""
    from weasyprint.draw import text

    with swapped(text, "draw_first_line", TEXT_CLUSTERS,
                 lambda: patched(text.draw_first_line, PATCHES, _leafpub_spans=ClusterSpans)):
        yield


def spans_drawn() -> int:
    return ClusterSpans.drawn
