"""Document control: a new version published through update and re-translation, the superseded
PDFs kept in output/archive/ (leafpub/publish/archive.py), withdrawal, and review alerts."""

import hashlib
import json
import subprocess
import sys
from datetime import date

import pytest

from helpers import build, make_project, ROOT
from leafpub.publish import archive, publish
from leafpub.catalogs import catalogs
from leafpub import config
from leafpub.web import site
from leafpub.commands import status
from leafpub.catalogs.catalogs import write_catalog
from leafpub.config import load_settings
from leafpub.content.content import load_leaflets, parse_leaflet
from leafpub.problems import ProblemError

OLD = "Ask a nurse if you have a cut on your hands."
NEW = "Ask a nurse if you have a cut on your hands, or if your skin is sore."
SPANISH_NEW = "Consulte a una enfermera si tiene un corte en las manos o si le duele la piel."


def edit_leaflet(project, *replacements):
    path = project / "leaflets/hand-washing.md"
    text = path.read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")


def release_1_1(project):
    """The English changes; `update` marks the Spanish message fuzzy with its old English."""
    edit_leaflet(project, (OLD, NEW), ("version: 2.1", "version: 2.2\nchange-note: Sore skin is a reason to ask."))
    settings = load_settings(project)
    catalogs.update_catalogs(settings, catalogs.extract(settings))


def translate_spanish(project):
    settings = load_settings(project)
    path = catalogs.catalog_path(settings, "es")
    catalog = catalogs.read_catalog(settings, path)
    message = catalog.get(NEW)
    assert message.fuzzy and message.previous_id == [OLD]
    message.string, message.flags, message.previous_id = SPANISH_NEW, set(), []
    write_catalog(path, catalog)


def entries(manifest, locale, variant="standard", paper="A4"):
    return [e for e in manifest["leaflets"] if (e["locale"], e["variant"], e.get("paper")) == (locale, variant, paper)]


@pytest.mark.slow
def test_a_new_version_goes_out_language_by_language_and_the_old_pdfs_stay_in_the_archive(tmp_path):
    project = make_project(tmp_path, broken_locale=False)
    first = build(project, today=date(2026, 12, 1)).manifest
    (english_1,) = entries(first, "en")
    (spanish_1,) = entries(first, "es")
    assert english_1["published"] == "2026-12-01" and first["archive"] == []

    # 1.1 in English; the Spanish catalog has a fuzzy message, so its 2.1 leaflets stay,
    # marked outdated (the publication policy), and the English 2.1 ones go to the archive.
    release_1_1(project)
    second = build(project, today=date(2026, 12, 2)).manifest
    (english_2,) = entries(second, "en")
    (spanish_2,) = entries(second, "es")
    assert english_2["version"] == "2.2" and english_2["change_note"] == "Sore skin is a reason to ask."
    assert spanish_2["version"] == "2.1" and "fuzzy" in spanish_2["outdated"] and spanish_2["sha256"] == spanish_1["sha256"]
    archived = {e["path"]: e for e in second["archive"]}
    old_english = archived["archive/hand-washing/2.1/hand-washing.en.a4.pdf"]
    assert old_english == {**old_english, "leaflet": "hand-washing", "version": "2.1", "locale": "en", "paper": "A4",
                           "variant": "standard", "sha256": english_1["sha256"], "published": "2026-12-01",
                           "superseded": "2026-12-02"}
    kept = project / "output" / old_english["path"]
    assert hashlib.sha256(kept.read_bytes()).hexdigest() == english_1["sha256"]
    assert all(e["locale"] == "en" for e in second["archive"])
    assert len([e for e in second["archive"] if e["path"].endswith(".pdf")]) == 6  # 2 papers x 3 variants
    # and English's braille 2.1, its BRF and Unicode copy, and its audio 2.1 with its chapters track.
    assert {e["variant"] for e in second["archive"] if not e["path"].endswith(".pdf")} == {
        "braille-brf", "braille-unicode", "audio", "audio-chapters"}
    assert archived["archive/hand-washing/2.1/hand-washing.en.mp3"]["variant"] == "audio"

    # The Spanish translator catches up: Spanish 2.2 is published, Spanish 2.1 archived.
    translate_spanish(project)
    third = build(project, today=date(2026, 12, 3))
    assert third.problems == ()
    (spanish_3,) = entries(third.manifest, "es")
    assert spanish_3["version"] == "2.2" and "outdated" not in spanish_3
    archived = {e["path"]: e for e in third.manifest["archive"]}
    assert archived["archive/hand-washing/2.1/hand-washing.es.a4.pdf"]["superseded"] == "2026-12-03"
    assert len([path for path in archived if path.endswith(".pdf")]) == 12

    # A build with nothing new neither prunes the archive nor adds to it.
    fourth = build(project, today=date(2026, 12, 4)).manifest
    assert fourth["archive"] == third.manifest["archive"]
    assert all((project / "output" / e["path"]).is_file() for e in fourth["archive"])

    listing = subprocess.run([sys.executable, str(ROOT / "pipeline.py"), "--project", str(project), "archive",
                              "--list"], capture_output=True, text=True)
    assert listing.returncode == 0, listing.stderr
    assert "archive/hand-washing/2.1/hand-washing.es.a4.pdf  version 2.1, es, A4 standard: published " \
           "2026-12-01, superseded 2026-12-03" in listing.stdout
    as_json = subprocess.run([sys.executable, str(ROOT / "pipeline.py"), "--project", str(project), "archive",
                              "--list", "--json"], capture_output=True, text=True)
    assert "archive/hand-washing/2.1/hand-washing.en.brf  version 2.1, en, braille-brf: published " in listing.stdout
    assert "archive/hand-washing/2.1/hand-washing.es.brf  version 2.1, es, braille-brf: published " in listing.stdout
    assert "archive/hand-washing/2.1/hand-washing.es.mp3  version 2.1, es, audio: published " in listing.stdout
    # with English's and Spanish's braille and audio 2.1
    assert len(json.loads(as_json.stdout)["archive"]) == 20


@pytest.mark.slow
def test_a_withdrawn_leaflet_leaves_the_download_page_for_the_archive_and_stops_its_packs(tmp_path):
    project = make_project(tmp_path, broken_locale=False)
    edit_leaflet(project, ("version: 2.1", "version: 2026-03"))  # a date, as many clinics write versions
    first = build(project, today=date(2026, 12, 1))
    assert first.manifest["packs"] and (project / "output/leaflets/hand-washing/index.html").is_file()
    edit_leaflet(project, ("pages: 1", "pages: 1\nwithdrawn: 2026-12-02"))
    second = build(project, today=date(2026, 12, 2))
    manifest = second.manifest
    assert manifest["leaflets"] == [] and manifest["packs"] == []
    assert {e["withdrawn"] for e in manifest["archive"]} == {"2026-12-02"}
    # Both languages, two papers, three variants (PDFs only), and both languages' braille and audio.
    assert len([e for e in manifest["archive"] if e["path"].endswith(".pdf")]) == 12
    assert {e["path"].rsplit("/", 1)[1] for e in manifest["archive"] if not e["path"].endswith(".pdf")} == {
        f"hand-washing.{locale}.{kind}" for locale in ("en", "es") for kind in ("brf", "brl.txt", "mp3", "chapters.vtt")}
    for entry in manifest["archive"]:
        assert entry["path"].startswith("archive/hand-washing/2026-03/") and entry["version"] == "2026-03"
        assert hashlib.sha256((project / "output" / entry["path"]).read_bytes()).hexdigest() == entry["sha256"]
    # Its PDFs, web versions and page on the download site are gone (the PDFs to the archive).
    assert not (project / "output/leaflets/hand-washing").exists() or not any(
        (project / "output/leaflets/hand-washing").iterdir())
    (problem,) = second.problems
    line = config.load_packs(load_settings(project)).packs[0].key_lines["leaflets"]
    assert str(problem) == (f"packs.toml:{line}: pack 'test-clinic' lists leaflet 'hand-washing', withdrawn on "
                            "2026-12-02; remove it from the pack")
    assert "Washing your hands" not in (project / "output/index.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_a_withdrawal_date_to_come_changes_nothing_yet(tmp_path):
    project = make_project(tmp_path, broken_locale=False)
    edit_leaflet(project, ("pages: 1", "pages: 1\nwithdrawn: 2027-01-31"))
    report = build(project, today=date(2026, 12, 1))
    assert report.problems == () and len(report.manifest["leaflets"]) == 12 + 2  # and 2 web versions


@pytest.mark.slow
def test_review_alerts_come_six_months_ahead_by_default_and_the_page_marks_them(tmp_path):
    project = make_project(tmp_path, broken_locale=False)
    settings = load_settings(project)
    assert settings.review_alert_months == 6
    leaflets = load_leaflets(settings).leaflets  # next review 2027-10-01
    assert status.due_for_review(leaflets, date(2027, 3, 31), 6) == []
    assert [(leaflet.slug, left) for leaflet, left in status.due_for_review(leaflets, date(2027, 4, 1), 6)] == [
        ("hand-washing", 183)]
    assert status.months_after(date(2027, 8, 31), 6) == date(2028, 2, 29)
    manifest = build(project, today=date(2026, 12, 1)).manifest
    page = site.site_files(project / "output", manifest, {}, review_due_by=date(2027, 10, 1))["index.html"]
    assert b"Review due soon" in page
    page = site.site_files(project / "output", manifest, {}, review_due_by=date(2027, 9, 30))["index.html"]
    assert b"Review due soon" not in page
    shown = subprocess.run([sys.executable, str(ROOT / "pipeline.py"), "--project", str(project), "status"],
                           capture_output=True, text=True)
    assert "leaflets due for review in the next 6 months (review-alert-months):" in shown.stdout


def test_update_writes_the_previous_english_so_that_gettext_reads_it_and_keeps_it(tmp_path):
    """Babel 2.18 wraps a long previous msgid inside its quotes, which msgfmt refuses, and
    drops it at the next update."""
    project = make_project(tmp_path, broken_locale=False)
    settings = load_settings(project)
    path = catalogs.catalog_path(settings, "es")
    first = ("Use soap and warm water for **20 seconds**, and rub the backs of your hands, between your "
             "fingers and under your nails.")
    second = first.replace("under your nails.", "under your nails as well.")
    edit_leaflet(project, ("Use soap and warm water for **20 seconds**.", first))
    catalogs.update_catalogs(settings, catalogs.extract(settings))
    catalog = catalogs.read_catalog(settings, path)
    catalog.get(first).string = "Use jabón y agua tibia durante **20 segundos** y frótese también el dorso de las manos."
    write_catalog(path, catalog)
    edit_leaflet(project, (first, second))
    catalogs.update_catalogs(settings, catalogs.extract(settings))
    checked = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(path)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    message = catalogs.read_catalog(settings, path).get(second)
    assert message.fuzzy and message.previous_id == [first]
    before = path.read_bytes()
    catalogs.update_catalogs(settings, catalogs.extract(settings))  # a second update keeps it
    assert path.read_bytes() == before
    assert b"\n# |" not in before  # not written again as a translator's comment


def test_a_version_the_reader_accepts_is_archived_and_one_it_cannot_be_is_refused_at_its_line(tmp_path):
    text = (ROOT / "tests/data/project/leaflets/hand-washing.md").read_text(encoding="utf-8")
    for version in ("2.1", "2026-03", "1.2-rc1", "v3_final+clinic"):
        assert parse_leaflet(text.replace("version: 2.1", f"version: {version}"), "x.md").version == version
    for version in ("../../escape", "2.1/2", "2 March", ".hidden", "1.2-"):
        with pytest.raises(ProblemError) as refused:
            parse_leaflet(text.replace("version: 2.1", f"version: {version}"), "leaflets/hand-washing.md")
        assert [str(p) for p in refused.value.problems] == [
            "leaflets/hand-washing.md:4: version must be letters and digits, joined by '.', '-', '_' or '+' (such "
            "as 2.1, 2026-03 or 1.2-rc1), at most 40 characters: it names a folder of the archive"]
    # A release candidate superseded by its release goes to the archive like any version.
    pdf = tmp_path / "leaflets/hand-washing/hand-washing.en.a4.pdf"
    pdf.parent.mkdir(parents=True)
    pdf.write_bytes(b"%PDF-1.7 the candidate")
    entry = {"leaflet": "hand-washing", "version": "1.2-rc1", "locale": "en", "paper": "A4", "variant": "standard",
             "path": "leaflets/hand-washing/hand-washing.en.a4.pdf", "published": "2026-11-30",
             "sha256": hashlib.sha256(pdf.read_bytes()).hexdigest()}
    entries, files = archive.superseded(tmp_path, {"leaflets": [entry]}, {}, date(2026, 12, 1), {})
    assert [e["path"] for e in entries] == ["archive/hand-washing/1.2-rc1/hand-washing.en.a4.pdf"]
    assert list(files.values()) == [b"%PDF-1.7 the candidate"]
    # Versions are listed newest first, numbers read as numbers.
    listed = archive.listing({"archive": [{**entries[0], "version": v} for v in ("2.9", "2.10", "1.2-rc1")]})
    assert [e["version"] for e in listed] == ["2.10", "2.9", "1.2-rc1"]


def test_a_published_pdf_the_archive_cannot_hold_is_kept_not_removed(tmp_path):
    """A manifest from an older release (or edited by hand) names a version the archive will
    not take as a folder name: the build that stops publishing the file leaves it in place."""
    output = tmp_path / "output"
    pdf = output / "leaflets/hand-washing/hand-washing.en.a4.pdf"
    pdf.parent.mkdir(parents=True)
    pdf.write_bytes(b"%PDF-1.7 what a patient was given")
    entry = {"leaflet": "hand-washing", "version": "2 March", "locale": "en", "paper": "A4",
             "variant": "standard", "path": "leaflets/hand-washing/hand-washing.en.a4.pdf",
             "sha256": hashlib.sha256(pdf.read_bytes()).hexdigest()}
    (output / "manifest.json").write_text(json.dumps({"leaflets": [entry], "packs": []}), encoding="utf-8")
    publish.publish(output, publish.Release((), (), (), ()))
    assert pdf.read_bytes() == b"%PDF-1.7 what a patient was given"
