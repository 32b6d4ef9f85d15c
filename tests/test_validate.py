"""The validation gate: a PDF that qpdf or Ghostscript rejects, or with a font not embedded,
is never published."""

import io
import shutil
from datetime import date
import tempfile
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, NameObject

import pipeline
from helpers import build, make_project, shipped_leaflet
from leafpub.packs import pack_job
from leafpub.render.pool import LocalPool
from leafpub.pdfobjects import add_object
from leafpub.catalogs import catalogs
from leafpub import config
from leafpub.render import templating
from leafpub.config import load_settings
from leafpub.model import PackPart, Pdf
from leafpub.pdf.pdf import PdfRenderer
from leafpub.pdf.validate import GHOSTSCRIPT, scan_pdf, validate_pdf


def good_pdf() -> bytes:
    """The shipped leaflet in English (A4), as the build renders it before the gate."""
    return shipped_leaflet("en")[0]


def test_a_good_pdf_passes():
    assert validate_pdf(good_pdf()) == []


def test_a_truncated_pdf_is_refused_by_qpdf_and_ghostscript():
    problems = validate_pdf(good_pdf()[:4000])
    assert [p.split(":")[0] for p in problems] == ["qpdf --check", "Ghostscript could not render it"]
    assert all("/tmp" not in problem and "BytesIO" not in problem for problem in problems)
    assert scan_pdf(b"%PDF-1.7\n" + b"x" * 100) == ["qpdf cannot read it"]


def test_a_damaged_stream_in_a_sound_file_is_refused():
    # The file's structure is intact, so it opens; only reading every stream finds the damage.
    data = good_pdf()
    start = data.index(b"stream\n", data.index(b"/FlateDecode")) + len(b"stream\n")
    damaged = data[:start + 40] + bytes(b ^ 0x5A for b in data[start + 40:start + 80]) + data[start + 80:]
    problems = validate_pdf(damaged)
    assert problems and problems[0].startswith("qpdf --check: WARNING: the PDF"), problems


def test_one_broken_pdf_does_not_fail_the_next_good_one():
    # Ghostscript is kept running between PDFs: a broken one must not leave it unusable.
    for _ in range(2):
        assert any(p.startswith("Ghostscript") for p in validate_pdf(good_pdf()[:4000]))
        assert validate_pdf(good_pdf()) == []


def test_ghostscript_recovers_when_a_temp_cleaner_removes_its_folder():
    assert validate_pdf(good_pdf()) == []
    shutil.rmtree(GHOSTSCRIPT.folder)
    assert validate_pdf(good_pdf()) == []


@pytest.mark.slow
def test_workers_leave_no_ghostscript_folder_behind(tmp_path):
    before = set(Path(tempfile.gettempdir()).glob("leafpub-gs-*"))
    settings = load_settings(make_project(tmp_path, broken_locale=False))
    report = pipeline.build(settings, workers=2)
    assert report.problems == () and report.rendered
    assert set(Path(tempfile.gettempdir()).glob("leafpub-gs-*")) <= before


def test_a_pdf_with_a_font_that_is_not_embedded_is_refused():
    writer = PdfWriter()
    page = writer.add_blank_page(width=595, height=842)
    font = DictionaryObject({NameObject("/Type"): NameObject("/Font"),
                             NameObject("/Subtype"): NameObject("/Type1"),
                             NameObject("/BaseFont"): NameObject("/Helvetica")})
    page[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): DictionaryObject(
        {NameObject("/F1"): add_object(writer, font)})})
    from pypdf.generic import ContentStream

    content = ContentStream(None, writer)
    content.set_data(b"BT /F1 12 Tf 72 720 Td (Hello) Tj ET")
    page.replace_contents(content)
    buffer = io.BytesIO()
    writer.write(buffer)
    assert validate_pdf(buffer.getvalue()) == ["font Helvetica is not embedded"]


@pytest.mark.slow
def test_a_pack_with_a_damaged_part_is_a_problem_and_is_not_published(project):
    """The gate as the build's workers run it on a pack: a damaged part makes that pack a
    problem for packs.toml (not a crash), and the same pack with a sound part passes."""
    settings = load_settings(project)
    pack = config.load_packs(settings).packs[0]
    catalog = catalogs.source_catalog(settings)
    box = templating.contact_box_html(templating.make_environment(settings), settings, catalog, pack.clinic, number=0)

    def make_pack_job(key, base):
        part = PackPart(slug="hand-washing", leaflet_title="Hand washing", language=catalog.language,
                        title="Hand washing", base=Pdf(base, 1), anchor=(0, 50.0, 50.0),
                        base_key=key)
        sheet = templating.pack_cover_html(templating.make_environment(settings), settings, pack, catalog, [],
                                         created=date(2026, 1, 1), boxes=[box])
        return pack_job.PackJob(key, pack, (sheet,) * 3, (), (part,), catalog.language)

    pool = LocalPool(settings, workers=2)
    results = {result.key: result for result in pool.run([make_pack_job("damaged", good_pdf()[:4000]),
                                                          make_pack_job("good", good_pdf())])}
    pool.close()
    assert results["good"].problems == () and results["good"].pdf is not None
    (problem, *_) = results["damaged"].problems
    assert results["damaged"].pdf is None
    assert str(problem).startswith(f"packs.toml:{pack.line}: pack {pack.id!r}: "), problem


NOT_EMBEDDED = "the PDF failed validation: font Helvetica is not embedded"


def with_a_font_not_embedded(data: bytes) -> bytes:
    """The PDF with Helvetica, not embedded, among page 1's fonts (it draws nothing: only the
    validation gate looks for it)."""
    pdf = pikepdf.open(io.BytesIO(data))
    resources = pdf.pages[0].Resources
    if "/Font" not in resources:
        resources.Font = pikepdf.Dictionary()
    resources.Font.FNotEmbedded = pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica))
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


@pytest.mark.slow
@pytest.mark.parametrize("broken", ["leaflets", "packs"])
def test_every_published_file_passed_validation(built, tmp_path, monkeypatch, broken):
    """Every PDF the build publishes has been through the validation gate. The fixture's build has
    only the broken catalog's problem; the same project built with a font that is not embedded
    slipped into every leaflet PDF as it is rendered publishes none of them and names each
    language's file; slipped into the packs' parts instead, it publishes the leaflets and refuses
    the pack."""
    project, report = built
    assert [problem.path for problem in report.problems] == ["translations/fr/LC_MESSAGES/messages.po"]
    leaflets = [entry["path"] for entry in report.manifest["leaflets"] if entry["path"].endswith(".pdf")]
    assert [pack["path"] for pack in report.manifest["packs"]] == ["packs/test-clinic.a4.pdf"]
    assert len(leaflets) == 12  # English and Spanish, A4 and Letter, standard, large print and print

    render = PdfRenderer.render_with_anchors

    def render_with_a_font_not_embedded(self, html, **options):
        pdf, anchors = render(self, html, **options)
        if (options.get("variant") == "pack-part") == (broken == "packs"):
            pdf = Pdf(with_a_font_not_embedded(pdf.data), pdf.pages)
        return pdf, anchors

    monkeypatch.setattr(PdfRenderer, "render_with_anchors", render_with_a_font_not_embedded)
    again = build(make_project(tmp_path))
    problems = [str(problem) for problem in again.problems]
    published = [entry["path"] for entry in again.manifest["leaflets"] if entry["path"].endswith(".pdf")]
    if broken == "leaflets":
        # each document refused on its own, and each language's file named
        assert published == []
        assert len([r for r in again.stats if any(NOT_EMBEDDED in str(p) for p in r.problems)]) == len(leaflets)
        assert {f"leaflets/hand-washing.md: {NOT_EMBEDDED}",
                f"translations/es/LC_MESSAGES/messages.po: {NOT_EMBEDDED}"} <= set(problems)
    else:
        assert published == leaflets
        assert f"packs.toml:1: pack 'test-clinic': {NOT_EMBEDDED}" in problems
    assert again.manifest["packs"] == []


def test_a_file_read_on_screens_is_rendered_by_pdfium_and_one_it_cannot_open_is_refused():
    assert validate_pdf(good_pdf(), for_print_shops=False) == []
    problems = validate_pdf(good_pdf()[:4000], for_print_shops=False)
    assert [p.split(":")[0] for p in problems] == ["qpdf --check", "PDFium could not open it"]
    assert not any("Ghostscript" in problem for problem in problems)
