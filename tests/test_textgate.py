"""A rendered PDF + the texts it prints -> what does not extract as written (leafpub/pdf/textgate.py);
and the shipped leaflet in every language, read back with PDFium, pypdf and poppler."""

import io
import subprocess
import tempfile

import pypdfium2
import pytest
from pypdf import PdfReader

from helpers import broken_text_map, html_page, ROOT, shipped_leaflet
from leafpub.catalogs import catalogs
from leafpub.render import jobs
from leafpub.pdf import textgate
from leafpub.config import load_settings
from leafpub.languages import language_of

SETTINGS = load_settings(ROOT)
SHIPPED = ["en", *catalogs.discover_locales(SETTINGS)]
RIGHT_TO_LEFT = [locale for locale in SHIPPED if language_of(locale).direction == "rtl"]
LEFT_TO_RIGHT = [locale for locale in SHIPPED if locale not in RIGHT_TO_LEFT]


def pdfium_pages(data: bytes) -> list[str]:
    document = pypdfium2.PdfDocument(data)
    return [page.get_textpage().get_text_range() for page in document]


def pypdf_pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def poppler_pages(data: bytes) -> list[str]:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(data)
        file.flush()
        text = subprocess.run(["pdftotext", "-enc", "UTF-8", file.name, "-"], check=True,
                              capture_output=True, text=True).stdout
    return text.split("\f")  # pdftotext ends each page with a form feed


EXTRACTORS = {"PDFium": pdfium_pages, "pypdf": pypdf_pages, "poppler": poppler_pages}


def lost(texts, pages, rtl=False) -> list[tuple[str, str, str]]:
    return [(m.printed.label[:40], m.expected[:60], m.found[:60]) for m in textgate.missing(texts, pages, rtl)]


@pytest.mark.parametrize("locale", LEFT_TO_RIGHT)
def test_every_left_to_right_language_extracts_as_written_with_pdfium_pypdf_and_poppler(locale):
    data, texts = shipped_leaflet(locale)
    assert len(texts) > 30  # every message of the leaflet and its template
    for name, extract in EXTRACTORS.items():
        assert lost(texts, extract(data)) == [], name


def test_hindi_extracts_as_its_catalog_not_as_its_glyphs():
    """WeasyPrint alone maps a consonant to the cluster it first drew it in: कोलेजन
    (collagen) came out as किोलिेजिन."""
    data, texts = shipped_leaflet("hi")
    collagen = next(t.text for t in texts if "कोलेजन" in t.text)
    for name, extract in EXTRACTORS.items():
        text = textgate.compact("".join(extract(data)))
        assert textgate.compact(collagen) in text, name
        assert "किोलिेजिन" not in text and "कि" + "ो" not in text, name


@pytest.mark.parametrize("locale", RIGHT_TO_LEFT)
def test_right_to_left_languages_extract_word_for_word(locale):
    """pypdf gives every word; PDFium and poppler misplace a letter that carries an Arabic
    vowel mark now and then (the README says so), so at most 1 word in 100 may be off."""
    data, texts = shipped_leaflet(locale)
    assert lost(texts, pypdf_pages(data), rtl=True) == []
    words = [word for t in texts for part in textgate.PLACEHOLDER.split(t.text) for word in textgate.words(part)]
    for name in ("PDFium", "poppler"):
        found = "".join(textgate.letters(page) for page in EXTRACTORS[name](data))
        missed = [word for word in words if word not in found]
        assert len(missed) <= len(words) // 100, (name, missed)


def test_persian_keeps_its_zero_width_non_joiners():
    data, texts = shipped_leaflet("fa")
    joined = [word for t in texts for word in textgate.words(t.text) if textgate.ZWNJ in word]
    assert len(joined) > 20
    for name, extract in EXTRACTORS.items():
        found = "".join(textgate.letters(page) for page in extract(data))
        assert [word for word in joined if word not in found] == [], name


def test_the_gate_names_the_message_whose_text_does_not_come_back():
    data, texts = shipped_leaflet("es")
    broken = broken_text_map(data, "x", "e")
    found = textgate.mismatches(broken, texts, rtl=False)
    assert found and textgate.mismatches(data, texts, rtl=False) == []
    first = found[0]
    assert first.printed.source == "translations/es/LC_MESSAGES/messages.po" and first.printed.line
    assert "e" in first.expected and "x" in first.found and "e" not in first.found.replace("é", "")


def test_a_worker_refuses_the_document_and_names_the_catalog_line():
    data, texts = shipped_leaflet("es")
    job = jobs.RenderJob(key="k", html="", variant="standard", source="translations/es/LC_MESSAGES/messages.po",
                         locale="es", leaflet="microneedling-scars", what="the Spanish leaflet", validate=False,
                         texts=texts)
    assert jobs.document_problems(job, jobs.Pdf(data=data, pages=2)) == []
    problems = jobs.document_problems(job, jobs.Pdf(data=broken_text_map(data, "x", "e"), pages=2))
    assert problems
    assert str(problems[0]).startswith("translations/es/LC_MESSAGES/messages.po:")
    assert "does not come back from the PDF as written" in problems[0].message


def test_a_paragraph_that_runs_onto_the_next_page_still_counts(renderer):
    paragraph = " ".join(f"Sentence number {n} of a long paragraph." for n in range(150))
    html = html_page(f'<div style="position: running(footer)">Running footer</div><p>{paragraph}</p>')
    data = renderer.render(html, source="test").data
    assert len(pdfium_pages(data)) > 1
    texts = [textgate.PrintedText(paragraph, "leaflets/x.md", 3, "a long paragraph")]
    assert textgate.mismatches(data, texts, rtl=False) == []
    missing = [textgate.PrintedText(paragraph + " And a sentence never printed.", "leaflets/x.md", 3, "longer")]
    assert textgate.mismatches(data, missing, rtl=False)


def test_words_of_right_to_left_text_are_its_letters():
    assert textgate.words("مسودة ترجمة — لم يراجعها مؤهَّل، 12") == ["مسودة", "ترجمة", "لم", "يراجعها", "مؤهل"]
    assert textgate.words("می‌گذارد؟") == ["می\u200cگذارد"]


def test_an_address_broken_at_its_hyphens_still_comes_back_as_written(renderer):
    email = "appointments@very-long-clinic-name.example"
    data = renderer.render(html_page(f'<p style="width: 40mm">{email}</p>'), source="test").data
    assert "\ufffe" in pdfium_pages(data)[0]  # PDFium's mark for a hyphen that ends a line
    texts = [textgate.PrintedText(email, "packs.toml", 3, "clinic email")]
    assert textgate.mismatches(data, texts, rtl=False) == []
    wrong = [textgate.PrintedText(email.replace("long-", "long"), "packs.toml", 3, "clinic email")]
    assert textgate.mismatches(data, wrong, rtl=False)


def test_a_detail_mixing_latin_and_arabic_is_compared_word_by_word(renderer):
    mixed = "Clinic عيادة 24"
    data = renderer.render(html_page(f"<p>{mixed}</p>"), source="test").data
    assert textgate.right_to_left(mixed) and not textgate.right_to_left("Clinic 24")
    # Shown in the order the bidi algorithm gives ("Clinic 24 عيادة"); its words are all there.
    assert textgate.mismatches(data, [textgate.PrintedText(mixed, "packs.toml", 3, "clinic name")], rtl=True) == []
    other = textgate.PrintedText("Clinic عيادات 24", "packs.toml", 3, "clinic name")
    assert textgate.mismatches(data, [other], rtl=True)
