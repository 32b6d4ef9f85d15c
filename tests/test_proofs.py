"""Translators' proofs and reviewers' sheets: built from unfinished catalogs, never published."""

import pytest
from pypdf import PdfReader

import pipeline
from helpers import make_project, pdf_text, plain
from leafpub.catalogs import catalogs
from leafpub.config import load_settings


def unfinished_spanish(tmp_path):
    project = make_project(tmp_path, broken_locale=False)
    catalog = project / "translations/es/LC_MESSAGES/messages.po"
    text = catalog.read_text()
    text = text.replace('msgstr "Frótelas con jabón."', 'msgstr ""')
    text = text.replace('msgid "Wet your hands."', '#, fuzzy\nmsgid "Wet your hands."')
    catalog.write_text(text)
    return project


@pytest.mark.slow
def test_a_proof_highlights_what_is_missing_and_is_not_for_patients(tmp_path, capsys):
    project = unfinished_spanish(tmp_path)
    assert pipeline.main(["--project", str(project), "preview", "es"]) == 0
    proof = project / "proofs/hand-washing.es.proof.pdf"
    assert "wrote proofs/hand-washing.es.proof.pdf" in capsys.readouterr().out
    text = plain(pdf_text(proof))
    assert "UNTRANSLATED Rub them together with soap." in text
    assert "FUZZY Mójese las manos." in text
    pages = [plain(page) for page in pdf_text(proof, raw=True).split("\f") if page.strip()]
    assert pages and all("PROOF · NOT FOR PATIENTS" in page for page in pages)
    assert "Translator's proof of Spanish (1 untranslated, 1 fuzzy, 0 failed checks) · not for patients" in text
    # Never where published leaflets go, and the build still refuses the catalog.
    assert not (project / "output").exists() or not list((project / "output").rglob("*.es.*"))
    assert pipeline.build(load_settings(project)).problems


def test_a_review_sheet_sets_english_beside_the_translation_by_section(tmp_path):
    project = unfinished_spanish(tmp_path)
    assert pipeline.main(["--project", str(project), "review", "es"]) == 0
    sheet = project / "proofs/hand-washing.es.review.pdf"
    reader = PdfReader(sheet)
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    assert width > height  # landscape, for the side-by-side columns
    text = plain(pdf_text(sheet))
    assert "Washing your hands Lavarse las manos" in text
    assert "How to wash your hands" in text and "Reviewer's notes" in text and "Sign-off" in text
    assert "UNTRANSLATED Rub them together with soap." in text
    digest = catalogs.load_catalog(load_settings(project), "es").digest
    assert digest in text.replace(" ", "")
