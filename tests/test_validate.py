"""The validation gate: a PDF that qpdf, Ghostscript or pdffonts rejects is never published."""

import io
import shutil
import tempfile
from pathlib import Path

from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, NameObject

import pipeline
from conftest import make_project
from leafpub import jobs
from leafpub.config import load_settings
from leafpub.validate import GHOSTSCRIPT, validate_pdf


def good_pdf(built) -> bytes:
    project, _ = built
    return (project / "output/leaflets/hand-washing/hand-washing.en.a4.pdf").read_bytes()


def test_a_good_pdf_passes(built):
    assert validate_pdf(good_pdf(built)) == []


def test_a_truncated_pdf_is_refused_by_every_tool(built):
    problems = validate_pdf(good_pdf(built)[:4000])
    assert [p.split(":")[0] for p in problems] == ["qpdf --check", "Ghostscript could not render it",
                                                    "pdffonts", "pypdf cannot read it"]
    assert all("/tmp" not in problem for problem in problems)


def test_one_broken_pdf_does_not_fail_the_next_good_one(built):
    # Ghostscript is kept running between PDFs: a broken one must not leave it unusable.
    for _ in range(2):
        assert any(p.startswith("Ghostscript") for p in validate_pdf(good_pdf(built)[:4000]))
        assert validate_pdf(good_pdf(built)) == []


def test_ghostscript_recovers_when_a_temp_cleaner_removes_its_folder(built):
    assert validate_pdf(good_pdf(built)) == []
    shutil.rmtree(GHOSTSCRIPT.folder)
    assert validate_pdf(good_pdf(built)) == []


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
        {NameObject("/F1"): writer._add_object(font)})})
    from pypdf.generic import ContentStream

    content = ContentStream(None, writer)
    content.set_data(b"BT /F1 12 Tf 72 720 Td (Hello) Tj ET")
    page.replace_contents(content)
    buffer = io.BytesIO()
    writer.write(buffer)
    assert validate_pdf(buffer.getvalue()) == ["font Helvetica is not embedded"]


def test_the_build_refuses_to_publish_a_pdf_that_fails(tmp_path, built):
    """The gate as the build's workers run it: the damaged document is a problem for its file."""
    settings = load_settings(make_project(tmp_path, broken_locale=False))
    pool = jobs.LocalPool(settings, workers=2)
    results = {result.key: result for result in pool.run([
        jobs.CheckJob("damaged", good_pdf(built)[:4000], 1, "packs.toml"),
        jobs.CheckJob("good", good_pdf(built), 1, "packs.toml")])}
    pool.close()
    assert results["good"].problems == () and results["good"].pdf is not None
    (problem, *_) = results["damaged"].problems
    assert results["damaged"].pdf is None
    assert str(problem).startswith("packs.toml: the PDF failed validation: qpdf --check:")


def test_every_published_file_passed(built):
    project, report = built
    assert report.problems[0].path.startswith("translations/fr")  # only the broken catalog
    assert len(report.problems) == 1
