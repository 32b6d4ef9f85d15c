"""Clinic packs: cover, outline per leaflet and language, page labels, title and language,
and each clinic's box stamped where its details belong."""

import re
import subprocess

import pytest
from pypdf import PdfReader

from conftest import pdf_text
from leafpub import catalogs, config, content, render
from leafpub.config import load_settings
from leafpub.model import Format
from leafpub.pdf import PdfRenderer


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


def words_on_page(path, page: int) -> dict[str, tuple[float, float]]:
    xml = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(path), "-"],
                         capture_output=True, text=True, check=True).stdout
    return {word: (float(x), float(y)) for x, y, word in
            re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>([^<]*)</word>', xml)}


def test_a_stamped_clinic_box_sits_where_weasyprint_lays_out_the_same_details(built, tmp_path):
    """The box is laid in at the empty box's place: each word of the clinic's details is
    where WeasyPrint puts it when it renders the leaflet with those details itself."""
    project, _ = built
    settings = load_settings(project)
    (pack, *_), _ = config.load_packs(settings)
    leaflet = next(leaflet for leaflet in content.load_leaflets(settings)[0] if leaflet.slug == pack.leaflets[0])
    catalog = catalogs.source_catalog(settings)
    html = render.render_leaflet(render.make_environment(settings), settings, leaflet, catalog,
                                 format=Format(pack.paper, "standard"), clinic=pack.clinic,
                                 draft=not catalog.review.approved)
    pdf = PdfRenderer(settings).render(html, source="test")
    (tmp_path / "inline.pdf").write_bytes(pdf.data)
    inline = next(words for page in range(1, pdf.pages + 1)
                  if "Riverside" in (words := words_on_page(tmp_path / "inline.pdf", page)))
    stamped = words_on_page(project / "output/packs/test-clinic.a4.pdf", 2)  # after the cover
    for word in ("Riverside", "River", "Testville", "+44"):
        assert word in inline
        assert stamped[word] == pytest.approx(inline[word], abs=0.01), word


def test_the_clinic_details_come_back_from_the_pack_as_written(built):
    """The text gate of packs: every clinic detail, read back out of the merged pack."""
    import dataclasses
    from types import SimpleNamespace

    from leafpub import jobs
    from leafpub.model import Pdf
    from test_textgate import broken_text_map

    project, report = built
    (entry,) = report.manifest["packs"]
    data = (project / "output" / entry["path"]).read_bytes()
    (pack,), _ = config.load_packs(load_settings(project))
    job = SimpleNamespace(pack=pack)
    assert jobs.clinic_text_problems(job, Pdf(data=data, pages=3)) == []
    # A detail the pack does not print as written (here, one it does not print at all)...
    other = SimpleNamespace(pack=dataclasses.replace(pack, clinic=dataclasses.replace(pack.clinic, name="Lakeside Clinic")))
    (problem,) = jobs.clinic_text_problems(other, Pdf(data=data, pages=3))
    assert str(problem).startswith(f"packs.toml:{pack.line}: pack 'test-clinic'") and "Lakeside" in str(problem)
    # ...or a text map that makes "e" read as "x".
    problems = jobs.clinic_text_problems(job, Pdf(data=broken_text_map(data, "x", "e"), pages=3))
    assert any("Riverside Health Centre" in str(problem) for problem in problems)
