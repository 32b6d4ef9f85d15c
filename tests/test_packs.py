"""Clinic packs: cover, outline per leaflet and language, page labels, title and language."""

import re

from pypdf import PdfReader

from conftest import pdf_text


def test_the_pack_has_a_cover_then_every_leaflet_language(built):
    project, report = built
    (entry,) = report.manifest["packs"]
    assert entry["pack"] == "test-clinic" and entry["locales"] == ["en", "es"]
    assert entry["leaflets"] == ["hand-washing"]
    reader = PdfReader(project / "output" / entry["path"])
    assert len(reader.pages) == entry["pages"] == 3  # cover + 1 page in each language
    cover = " ".join(reader.pages[0].extract_text().split())
    assert "Riverside Health Centre" in cover and "Infection control" in cover
    # Each language by its own name, with the page it starts on.
    assert "English" in cover and "español" in cover and "Spanish" in cover
    assert "Lavarse las manos" in cover
    assert "Lavarse las manos" in reader.pages[2].extract_text()


def test_the_outline_has_an_entry_per_leaflet_and_language(built):
    project, _ = built
    reader = PdfReader(project / "output" / "packs/test-clinic.a4.pdf")
    outline = reader.outline
    assert outline[0].title == "English: Infection control"
    assert outline[1].title == "Washing your hands"
    children = outline[2]
    assert [item.title for item in children] == ["English: Washing your hands",
                                                  "español: Lavarse las manos"]
    assert [reader.get_destination_page_number(item) for item in children] == [1, 2]


def test_page_labels_title_and_language_are_set(built):
    project, _ = built
    reader = PdfReader(project / "output" / "packs/test-clinic.a4.pdf")
    assert reader.page_labels == ["Cover i", "2", "3"]
    assert reader.metadata.title == "Infection control — Riverside Health Centre"
    assert reader.trailer["/Root"]["/Lang"] == "en"


def test_the_cover_page_numbers_match_the_pages(built):
    project, _ = built
    text = pdf_text(project / "output" / "packs/test-clinic.a4.pdf").split("\f")[0]
    # English starts on page 2 and Spanish on page 3, one page each.
    assert re.search(r"English.*?2 \(1 page\).*?español.*?3 \(1 page\)", " ".join(text.split()))
