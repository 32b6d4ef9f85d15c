"""An accessible PDF -> what page-validation (PDF/UA-1) finds in it, with the rule it misreads for
CID-keyed CFF fonts checked by fontTools instead (leafpub/pdf/accessibility.py)."""

import io
import re

import page
import pikepdf
import pytest

from leafpub.pdf import accessibility
from helpers import shipped_leaflet

def edited(data: bytes, change) -> bytes:
    pdf = pikepdf.open(io.BytesIO(data))
    change(pdf)
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


@pytest.mark.parametrize("locale", ["en", "hi", "fa", "ar", "zh_Hans", "ko"])
@pytest.mark.parametrize("variant", ["standard", "large-print"])
def test_the_shipped_leaflet_passes_pdf_ua_1(locale, variant):
    data, _ = shipped_leaflet(locale, variant)
    assert accessibility.pdf_ua_problems(data) == []


def test_an_untagged_pdf_is_refused():
    data, _ = shipped_leaflet("en")

    def untag(pdf):
        del pdf.Root.StructTreeRoot
        del pdf.Root.MarkInfo

    problems = accessibility.pdf_ua_problems(edited(data, untag))
    assert any("StructTreeRoot" in problem for problem in problems), problems
    assert all(problem.startswith("PDF/UA-1 (PDFUA1-") for problem in problems)


def test_a_text_map_with_an_empty_entry_is_refused():
    """What WeasyPrint alone wrote for Hindi: a glyph mapped to no text."""
    data, _ = shipped_leaflet("en")

    def empty_entry(pdf):
        for font in pdf.objects:
            if isinstance(font, pikepdf.Dictionary) and "/ToUnicode" in font:
                cmap = font.ToUnicode.read_bytes()
                font.ToUnicode = pdf.make_stream(re.sub(rb"(beginbfchar\s*<[0-9a-f]{4}>\s*)<[0-9a-f]+>",
                                                        rb"\1<>", cmap, count=1))
                return

    problems = accessibility.pdf_ua_problems(edited(data, empty_entry))
    assert any("PDFUA1-FONT-UNICODE-MAPPING" in problem for problem in problems), problems


def test_page_validation_misreads_cjk_widths_and_fonttools_checks_them():
    """page-validation reads a glyph of a CFF font with several Font DICTs through another
    DICT's Private dict; if a release fixes that, this test says the workaround can go."""
    data, _ = shipped_leaflet("zh_Hans")
    raw = page.validate_pdf_bytes(data, profile="ua1")
    assert {failure.rule_id for failure in raw.failures} == {accessibility.MISREAD_RULE}
    assert accessibility.pdf_ua_problems(data) == [] and accessibility.cff_width_problems(data) == []

    def wrong_width(pdf):
        for font in pdf.objects:
            if isinstance(font, pikepdf.Dictionary) and font.get("/Subtype") == "/CIDFontType0":
                font.W = pikepdf.Array([font.W[0], pikepdf.Array([777] * len(font.W[1])), *list(font.W)[2:]])
                return

    problems = accessibility.pdf_ua_problems(edited(data, wrong_width))
    assert len(problems) >= 1 and all("fontTools" in problem and "777 in /W" in problem for problem in problems)
