"""Incremental builds: nothing changed renders nothing; one catalog re-renders one language."""

import subprocess
import sys

import pytest

import pipeline
from fixture_texts import GLOSSARY
from helpers import build, make_project, pdf_text, plain, ROOT
from leafpub import online
from leafpub.config import load_settings

pytestmark = pytest.mark.slow  # every test here builds a whole project


def test_a_rebuild_with_nothing_changed_renders_nothing(tmp_path):
    project = make_project(tmp_path, broken_locale=False)
    first = build(project)
    assert len(first.rendered) == 12 + 1 and all(why == "new" for _, why in first.rendered)
    second = build(project)
    assert second.rendered == ()
    assert second.manifest == first.manifest


def test_editing_one_catalog_rerenders_that_language_and_its_packs_only(tmp_path):
    project = make_project(tmp_path, broken_locale=False)
    build(project)
    catalog = project / "translations/es/LC_MESSAGES/messages.po"
    catalog.write_text(catalog.read_text().replace("Frótelas con jabón.", "Frótelas bien con jabón."))
    report = build(project)
    rendered = dict(report.rendered)
    assert sorted(rendered) == sorted(
        [f"leaflets/hand-washing/hand-washing.es.{suffix}.pdf"
         for suffix in ("a4", "letter", "a4.large-print", "letter.large-print", "a4.print", "letter.print")]
        + ["packs/test-clinic.a4.pdf"])
    assert all(why == "its translations changed" for path, why in rendered.items() if "leaflets/" in path)
    assert rendered["packs/test-clinic.a4.pdf"] == "leaflets in it changed"


def test_a_template_change_rerenders_everything_and_says_so(tmp_path):
    project = make_project(tmp_path, broken_locale=False)
    build(project)
    css = project / "templates/leaflet.css"
    css.write_text(css.read_text() + "\n/* a change */\n")
    report = build(project)
    assert len(report.rendered) == 13
    reasons = dict(report.rendered)
    assert reasons.pop("packs/test-clinic.a4.pdf") == "leaflets in it changed; the templates or CSS changed"
    assert set(reasons.values()) == {"the templates or CSS changed"}


def test_a_deleted_output_file_is_restored_from_the_cache_without_rendering(tmp_path):
    project = make_project(tmp_path, broken_locale=False)
    build(project)
    target = project / "output/leaflets/hand-washing/hand-washing.en.a4.pdf"
    before = target.read_bytes()
    target.unlink()
    report = build(project)
    assert report.rendered == () and target.read_bytes() == before


def test_the_clinics_details_are_stamped_as_real_text_in_the_right_direction(tmp_path):
    project = make_project(tmp_path, broken_locale=False)
    packs = project / "packs.toml"
    packs.write_text(packs.read_text().replace('name = "Riverside Health Centre"',
                                               'name = "مركز ريفرسايد الصحي"'))
    report = build(project)
    assert report.problems == ()
    text = plain(pdf_text(project / "output/packs/test-clinic.a4.pdf"))
    assert "مركز ريفرسايد الصحي" in text and "+44 20 7946 0999" in text and "1 River Road" in text
    generic = plain(pdf_text(project / "output/leaflets/hand-washing/hand-washing.en.a4.pdf"))
    assert "1 River Road" not in generic


def test_clinic_details_too_long_for_the_box_are_a_problem_for_that_pack(tmp_path):
    project = make_project(tmp_path, broken_locale=False)
    packs = project / "packs.toml"
    packs.write_text(packs.read_text().replace('address = ["1 River Road", "Testville TE1 1ST"]',
                                               "address = [" + ", ".join(['"A long address line"'] * 12) + "]"))
    report = build(project)
    messages = {str(problem) for problem in report.problems}
    assert ("packs.toml:1: the details of clinic 'Riverside Health Centre' do not fit its contact box "
            "in English (A4): shorten them") in messages  # line 1: the pack's [[pack]]
    assert report.manifest["packs"] == []
    assert len(report.manifest["leaflets"]) == 12 + 2  # the leaflets themselves are fine, and their web versions


def test_a_word_too_wide_for_the_box_breaks_and_is_a_problem_rather_than_cut_off(tmp_path):
    project = make_project(tmp_path, broken_locale=False)
    packs = project / "packs.toml"
    packs.write_text(packs.read_text().replace('name = "Riverside Health Centre"', f'name = "{"W" * 190}"'))
    report = build(project)
    assert {str(problem) for problem in report.problems} == {
        f"packs.toml:1: the details of clinic '{'W' * 190}' do not fit its contact box in {language} (A4): "
        "shorten them" for language in ("English", "Spanish")}
    assert report.manifest["packs"] == []


def test_dump_html_writes_what_weasyprint_renders(tmp_path):
    project = make_project(tmp_path, broken_locale=False)
    dump = tmp_path / "html"
    pipeline.build(load_settings(project), dump_html=dump)
    pages = sorted(dump.glob("*.html"))
    assert len(pages) >= 12 and (dump / "leaflet.css").is_file()
    assert any("Lavarse las manos" in page.read_text() for page in pages)


# -- a rebuild with nothing to do, as a user runs it ------------------------------

RENDERING_LIBRARIES = {"weasyprint", "pypdf", "pikepdf", "pypdfium2", "dask", "distributed", "fontTools"}
REPORT = ("import sys, pipeline; from multiprocessing import forkserver; "
          "status = pipeline.main(['--project', sys.argv[1], 'build', '--no-progress']); "
          "print('loaded:', sorted({name.split('.')[0] for name in sys.modules} & set(sys.argv[2].split(',')))); "
          "print('forkserver:', forkserver._forkserver._forkserver_pid is not None); sys.exit(status)")


def rebuild_process(project):
    """`pipeline.py build` in a new process (all cores, as the command line runs it), and
    which rendering libraries it loaded and whether it started the workers' forkserver."""
    return subprocess.run([sys.executable, "-c", REPORT, str(project), ",".join(RENDERING_LIBRARIES)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)


def output_files(project) -> dict:
    return {path: (path.stat().st_mtime_ns, path.read_bytes()) for path in (project / "output").rglob("*")
            if path.is_file() and ".cache" not in path.parts and path.name != ".lock"}


def test_a_rebuild_with_nothing_changed_loads_no_renderer_and_touches_no_file(tmp_path):
    project = make_project(tmp_path, broken_locale=False)
    build(project)
    before = output_files(project)
    finished = rebuild_process(project)
    assert finished.returncode == 0, finished.stderr
    assert "rendered 0 PDFs, reused 13 unchanged ones" in finished.stdout
    assert "loaded: []" in finished.stdout and "forkserver: False" in finished.stdout
    # The download page, its thumbnails and the web versions were not written again either.
    assert output_files(project) == before


def test_a_first_build_renders_with_the_rendering_libraries_loaded_only_in_its_workers(tmp_path):
    project = make_project(tmp_path, broken_locale=False)
    finished = rebuild_process(project)
    assert finished.returncode == 0, finished.stderr
    assert "rendered 13 PDFs" in finished.stdout and "forkserver: True" in finished.stdout


def test_checks_remembered_for_a_catalog_are_made_again_when_the_glossary_changes(tmp_path):
    project = make_project(tmp_path, broken_locale=False)
    assert build(project).problems == ()
    glossary = project / "translations/glossary.tbx"
    glossary.write_text(GLOSSARY.replace("<term>detergente</term>", "<term>jabón</term>").replace(
        "<term>jabón</term><termNote type=\"administrativeStatus\">preferredTerm-admn-sts",
        "<term>champú</term><termNote type=\"administrativeStatus\">preferredTerm-admn-sts"), encoding="utf-8")
    report = build(project)
    assert any("uses the forbidden term 'jabón' for 'soap'" in problem.message for problem in report.problems)
    glossary.unlink()
    assert build(project).problems == ()


def test_a_web_version_is_made_again_when_its_text_changes_and_kept_when_not(tmp_path):
    project = make_project(tmp_path, broken_locale=False)
    build(project)
    spanish, english = (project / "output" / online.web_path("hand-washing", locale) for locale in ("es", "en"))
    english_before = english.stat().st_mtime_ns
    catalog = project / "translations/es/LC_MESSAGES/messages.po"
    catalog.write_text(catalog.read_text().replace("Frótelas con jabón.", "Frótelas bien con jabón."))
    build(project)
    assert "Frótelas bien con jabón." in spanish.read_text(encoding="utf-8")
    assert english.stat().st_mtime_ns == english_before
