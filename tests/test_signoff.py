"""Clinical sign-off: bound to the English leaflet's bytes; any later edit brings the line back."""

import hashlib
import json
import re

import pytest

import pipeline
from helpers import build, make_elements_project, make_project, pdf_text, plain

LINE = "The clinical content of this leaflet has not yet been approved by a clinician."
LINE_ES = "El contenido clínico de este folleto aún no ha sido aprobado por un profesional clínico."
RECORD = "translations/en/LC_MESSAGES/approval.toml"
CLINICIAN = "Dr Jane Roe, consultant in infection control"
NOT_APPROVED = "Clinical content not yet approved by a clinician"  # the download pages' badge


def printed(project) -> dict[str, str]:
    """Every published PDF (leaflets in every format and language, packs) and web version, as its text."""
    output = project / "output"
    files = sorted([*output.glob("leaflets/*/*.pdf"), *output.glob("packs/*.pdf")])
    texts = {path.name: plain(pdf_text(path)) for path in files}
    texts.update({path.name: plain(re.sub(r"<[^>]+>", " ", path.read_text())) for path in output.glob("leaflets/*/*.*.html")})
    return texts


def carries_line(text: str) -> bool:
    return LINE in text or LINE_ES in text


def status_json(project, capsys) -> dict:
    capsys.readouterr()
    pipeline.main(["--project", str(project), "status", "--json", "es"])
    return json.loads(capsys.readouterr().out)


@pytest.mark.slow
def test_a_sign_off_removes_the_clinical_line_everywhere_until_the_english_changes(tmp_path, capsys):
    project = make_project(tmp_path, broken_locale=False)
    assert pipeline.main(["--project", str(project), "approve", "en", "--by", CLINICIAN, "--on", "2026-12-01"]) == 0
    assert "the clinical content of 'hand-washing' version 2.1 approved by" in capsys.readouterr().out
    report = build(project)
    texts = printed(project)
    # Two languages in six PDF formats and the web, and the clinic's pack.
    assert len(texts) == 15 and "test-clinic.a4.pdf" in texts
    assert not [name for name, text in texts.items() if carries_line(text)]
    entries = report.manifest["leaflets"]
    assert len(entries) == 14
    assert all(entry["clinical-approval"] == {"by": CLINICIAN, "date": "2026-12-01", "version": "2.1"}
               for entry in entries)
    assert status_json(project, capsys)["clinical_sign_off"][0]["state"] == "approved"
    page = plain((project / "output/leaflets/hand-washing/index.html").read_text())
    assert f"Clinical content of version 2.1 approved by {CLINICIAN} on 2026-12-01" in page
    assert NOT_APPROVED not in page and NOT_APPROVED not in (project / "output/index.html").read_text()

    # The clinician's change note is edited afterwards: the sign-off no longer names this English.
    leaflet = project / "leaflets/hand-washing.md"
    leaflet.write_text(leaflet.read_text().replace("pages: 1\n", "pages: 1\nchange-note: Dry hands well.\n"))
    report = build(project)
    texts = printed(project)
    assert len(texts) == 15 and all(carries_line(text) for text in texts.values()), \
        [name for name, text in texts.items() if not carries_line(text)]
    assert all(entry["clinical-approval"] is None for entry in report.manifest["leaflets"])
    assert NOT_APPROVED in (project / "output/leaflets/hand-washing/index.html").read_text()
    assert NOT_APPROVED in (project / "output/index.html").read_text()
    (row,) = status_json(project, capsys)["clinical_sign_off"]
    assert row["state"] == "out of date"
    assert row["reason"] == (f"{RECORD}:5: signed off for version 2.1 by {CLINICIAN} on 2026-12-01; "
                             "leaflets/hand-washing.md or a figure it shows has changed since")

    # Someone puts the new text's hash into the record by hand: refused, nothing changes.
    record = project / RECORD
    current = hashlib.sha256(leaflet.read_bytes()).hexdigest()
    record.write_text(re.sub(r'leaflet_sha256 = "\w+"', f'leaflet_sha256 = "{current}"', record.read_text()))
    report = build(project)
    assert report.rendered == () and all(entry["clinical-approval"] is None for entry in report.manifest["leaflets"])
    (row,) = status_json(project, capsys)["clinical_sign_off"]
    assert row["state"] == "not signed off"
    assert row["reason"].startswith(f"{RECORD}:9: the sign-off of 'hand-washing' is refused: leaflet_sha256 is not "
                                    "the SHA-256 of the leaflet_text")


def test_the_sign_off_sheet_shows_what_changed_since_the_last_sign_off(tmp_path, capsys):
    project = make_project(tmp_path, broken_locale=False)
    assert pipeline.main(["--project", str(project), "approve", "en", "--by", CLINICIAN, "--on", "2026-12-01"]) == 0
    leaflet = project / "leaflets/hand-washing.md"
    leaflet.write_text(leaflet.read_text().replace("version: 2.1", "version: 2.2")
                       .replace("pages: 1\n", "pages: 1\nchange-note: Rinse for longer.\n")
                       .replace("Rinse and dry them.", "Rinse them for 10 seconds and dry them."))
    assert pipeline.main(["--project", str(project), "review", "en"]) == 0
    sheet = pdf_text(project / "proofs/hand-washing.en.review.pdf", raw=True)
    text = plain(sheet)
    assert "Change note of version 2.2 Rinse for longer." in text
    assert f"Compared with version 2.1, signed off by {CLINICIAN} on 2026-12-01." in text
    assert "Version 2.1 (signed off) Version 2.2 (now)" in text
    # old | new, a row each: what changed in the metadata, then in the text; nothing else.
    changes = sheet.split("Clinician's notes\n", 1)[1].split("The English, by section")[0]
    assert changes.splitlines() == ["1 Version: 2.1 Version: 2.2",
                                    "2 Change note: (not there) Change note: Rinse for longer.",
                                    "3 Rinse and dry them. Rinse them for 10 seconds and dry them."]
    assert "3 changes." in text
    # Then the whole English as it is now, by section.
    assert "5 Wet your hands. 6 Rub them together with soap. 7 Rinse them for 10 seconds and dry them. " \
           "When to ask for help 8 When to ask for help 9 Ask a nurse if you have a cut on your hands." in text

def test_the_sign_off_sheet_of_a_leaflet_with_a_figure_shows_its_texts(tmp_path, capsys):
    from helpers import make_elements_project

    project = make_elements_project(tmp_path)
    assert pipeline.main(["--project", str(project), "review", "en"]) == 0
    text = plain(pdf_text(project / "proofs/skin-biopsy.en.review.pdf", raw=True))
    # The figure's alternative text and caption are English a clinician signs off, in reading order.
    assert "A small wound closed with three stitches, with a dressing over it." in text
    assert "The wound after the biopsy" in text


def test_status_and_approve_say_what_is_wrong(tmp_path, capsys):
    project = make_project(tmp_path, broken_locale=False)
    pipeline.main(["--project", str(project), "status", "es"])
    assert ("clinical sign-off of hand-washing: not signed off (no clinician has signed off its English); every "
            "page of it, in every language, says its clinical content has not yet been approved") in capsys.readouterr().out
    assert pipeline.main(["--project", str(project), "approve", "en", "--by", CLINICIAN, "--leaflet", "nope"]) == 1
    assert "error: leaflets: no leaflet 'nope' to sign off" in capsys.readouterr().err
    assert pipeline.main(["--project", str(project), "approve", "en", "--by", "Dr\x1b[2J Roe"]) == 1
    assert "invisible character U+001B" in capsys.readouterr().err
    assert not (project / RECORD).exists()
    record = project / RECORD
    record.parent.mkdir(parents=True)
    record.write_text('[leaflets.hand-washing]\napproved_by = "X"\napproved_on = 2026-01-01\nversion = [\n')
    pipeline.main(["--project", str(project), "status", "--json", "es"])
    (row,) = json.loads(capsys.readouterr().out)["clinical_sign_off"]
    assert row["state"] == "not signed off" and row["reason"].startswith(f"{RECORD}:4: unreadable")
    # A damaged record is not overwritten by signing another leaflet... nor silently by this one.
    assert pipeline.main(["--project", str(project), "approve", "en", "--by", CLINICIAN]) == 1
    assert f"error: {RECORD}:4: unreadable" in capsys.readouterr().err


def test_a_redrawn_figure_needs_a_new_sign_off(tmp_path, capsys):
    """A figure's drawing and labels are clinical content too: changing its SVG, with the leaflet's
    text as it was, makes the sign-off out of date."""
    project = make_elements_project(tmp_path)
    assert pipeline.main(["--project", str(project), "approve", "en", "--by", "Dr A. Example, dermatologist"]) == 0
    assert [row["state"] for row in status_json(project, capsys)["clinical_sign_off"]] == ["approved"]
    svg = project / "leaflets/figures/wound.svg"
    svg.write_text(svg.read_text(encoding="utf-8").replace("</svg>", "<circle cx='1' cy='1' r='1'/></svg>"),
                   encoding="utf-8")
    (row,) = status_json(project, capsys)["clinical_sign_off"]
    assert row["state"] == "out of date" and "or a figure it shows has changed" in row["reason"]
