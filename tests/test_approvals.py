"""Approvals: bound to the catalog's messages; any later change makes the translation a draft."""

import json

import pytest

import pipeline
from helpers import build, make_project, pdf_text, plain, SPANISH_PO, standard_entry

DRAFT_LINE = "Borrador de traducción"


def spanish_pages(project):
    pdf = project / "output/leaflets/hand-washing/hand-washing.es.a4.pdf"
    return [plain(page) for page in pdf_text(pdf).split("\f") if page.strip()]


@pytest.mark.slow
def test_an_approved_catalog_loses_the_draft_line_until_it_changes(tmp_path, capsys):
    project = make_project(tmp_path, broken_locale=False)
    build(project)
    assert all(DRAFT_LINE in page for page in spanish_pages(project))

    status = pipeline.main(["--project", str(project), "approve", "es", "--by", "Dr Ana Ruiz",
                            "--on", "2026-11-20"])
    assert status == 0
    approval = (project / "translations/es/LC_MESSAGES/approval.toml").read_text()
    assert 'approved_by = "Dr Ana Ruiz"' in approval and "approved_on = 2026-11-20" in approval
    report = build(project)
    assert not any(DRAFT_LINE in page for page in spanish_pages(project))
    entry = standard_entry(report.manifest, "es")
    assert entry["translation"] == "approved"

    # A translator edits one message after the approval: the leaflet is a draft again.
    catalog = project / SPANISH_PO
    catalog.write_text(catalog.read_text().replace("Frótelas con jabón.", "Frótelas bien con jabón."))
    report = build(project)
    assert all(DRAFT_LINE in page for page in spanish_pages(project))
    entry = standard_entry(report.manifest, "es")
    assert entry["translation"] == "draft"
    capsys.readouterr()
    pipeline.main(["--project", str(project), "status", "--json", "es"])
    (row,) = json.loads(capsys.readouterr().out)["locales"]
    assert row["review"] == "draft"
    assert row["reviewer"] == "the catalog changed after Dr Ana Ruiz approved it on 2026-11-20"


@pytest.mark.slow
def test_comments_and_line_numbers_do_not_void_an_approval(tmp_path):
    project = make_project(tmp_path, broken_locale=False)
    assert pipeline.main(["--project", str(project), "approve", "es", "--by", "Dr Ana Ruiz"]) == 0
    catalog = project / SPANISH_PO
    catalog.write_text("# A translator's note at the top.\n" + catalog.read_text())
    build(project)
    assert not any(DRAFT_LINE in page for page in spanish_pages(project))


def test_an_incomplete_catalog_cannot_be_approved(tmp_path, capsys):
    project = make_project(tmp_path, broken_locale=False)
    catalog = project / SPANISH_PO
    catalog.write_text(catalog.read_text().replace('msgstr "Frótelas con jabón."', 'msgstr ""'))
    status = pipeline.main(["--project", str(project), "approve", "es", "--by", "Dr Ana Ruiz"])
    assert status == 1
    assert "message 'Rub them together with soap.' is not translated" in capsys.readouterr().err
    assert not (project / "translations/es/LC_MESSAGES/approval.toml").exists()


@pytest.mark.slow
def test_a_forged_or_broken_approval_file_counts_as_no_approval(tmp_path):
    project = make_project(tmp_path, broken_locale=False)
    approval = project / "translations/es/LC_MESSAGES/approval.toml"
    approval.write_text('approved_by = "Someone"\napproved_on = 2026-01-01\nmessages_sha256 = "0000"\n')
    build(project)
    assert all(DRAFT_LINE in page for page in spanish_pages(project))
    approval.write_text("approved_by = [unclosed\n")
    build(project)
    assert all(DRAFT_LINE in page for page in spanish_pages(project))
