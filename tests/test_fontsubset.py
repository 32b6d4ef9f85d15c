"""WeasyPrint's PDF -> CJK fonts cut down to the glyphs used: smaller, and drawn the same."""

import io

import pypdfium2
import pytest
from fontTools.cffLib import CFFFontSet
from fontTools.ttLib import TTFont
from PIL import ImageChops
from pypdf import PdfReader

from conftest import ROOT
from leafpub import fontsubset
from leafpub.config import load_settings
from leafpub.pdf import PdfRenderer

KOREAN = "시술 후에는 피부가 붉어질 수 있으며, 보통 며칠 안에 가라앉습니다. 흉터는 드뭅니다."
CHINESE = "治疗后皮肤可能发红，通常在几天内消退。留下疤痕的情况很少见。"


@pytest.fixture(scope="module")
def renderer():
    return PdfRenderer(load_settings(ROOT))


def render(renderer, text: str, lang: str, family: str, *, compact: bool = True, monkeypatch=None):
    if not compact:
        monkeypatch.setattr(fontsubset, "compact_cid_fonts", lambda pdf: None)
    html = (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>t</title></head>'
            f'<body style="font-family: \'{family}\'"><h1>{text[:6]}</h1><p>{text}</p></body></html>')
    return renderer.render(html, source="test").data


def cid_fonts(data: bytes) -> dict[str, tuple[str, CFFFontSet]]:
    """BaseFont (without the subset tag) -> (FontFile3 subtype, its CFF font set)."""
    found = {}
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object()
            descriptor = descendant["/FontDescriptor"].get_object()
            if "/FontFile3" not in descriptor:  # a TrueType font (Latin), left as it is
                continue
            program = descriptor["/FontFile3"].get_object()
            raw = program.get_data()
            if program["/Subtype"] == "/OpenType":
                cff = TTFont(io.BytesIO(raw))["CFF "].cff
            else:
                cff = CFFFontSet()
                cff.decompile(io.BytesIO(raw), None)
            found[str(font["/BaseFont"]).split("+")[1]] = (str(program["/Subtype"]), cff)
    return found


@pytest.mark.parametrize("text,lang,family", [(KOREAN, "ko", "Noto Sans CJK KR"),
                                              (CHINESE, "zh-Hans", "Noto Sans CJK SC")])
def test_a_cjk_font_keeps_only_the_glyphs_the_pdf_draws(renderer, text, lang, family):
    data = render(renderer, text, lang, family)
    fonts = cid_fonts(data)
    assert fonts and all(subtype == "/CIDFontType0C" for subtype, _ in fonts.values())
    distinct = len(set(text))
    for _, cff in fonts.values():
        assert len(cff.topDictIndex[0].charset) <= distinct + 1  # and .notdef
    assert len(data) < 40_000
    extracted = "".join(PdfReader(io.BytesIO(data)).pages[0].extract_text().split())
    assert "".join(text.split()) in extracted


def test_the_cut_down_font_draws_every_glyph_as_before(renderer, monkeypatch):
    compact = render(renderer, KOREAN, "ko", "Noto Sans CJK KR")
    whole = render(renderer, KOREAN, "ko", "Noto Sans CJK KR", compact=False, monkeypatch=monkeypatch)
    assert len(compact) * 4 < len(whole)
    before, after = cid_fonts(whole), cid_fonts(compact)
    assert before.keys() == after.keys()
    for name, (_, cff) in after.items():
        old, new = before[name][1].topDictIndex[0], cff.topDictIndex[0]
        for cid in new.charset[1:]:
            assert cid in old.charset
            old_glyph, new_glyph = old.CharStrings[cid], new.CharStrings[cid]
            old_glyph.decompile()
            new_glyph.decompile()
            assert new_glyph.program == old_glyph.program, (name, cid)
    # The page: the same image, but for anti-aliasing (the hinting of bare CFF and of an
    # OpenType wrapper differ by a few levels of grey).
    images = [pypdfium2.PdfDocument(data)[0].render(scale=2).to_pil().convert("L")
              for data in (whole, compact)]
    difference = ImageChops.difference(*images)
    assert difference.getextrema()[1] <= 40
    ink = [sum(image.point(lambda value: value < 128 and 255).histogram()[255:]) for image in images]
    assert ink[0] > 1000 and abs(ink[0] - ink[1]) < ink[0] * 0.02


def test_glyphs_are_read_from_both_forms_of_a_widths_array():
    assert fontsubset.glyphs_in_widths([3, [500, 600], 10, 12, 700]) == {3, 4, 10, 11, 12}
