"""Incremental builds: nothing changed renders nothing; one catalog re-renders one language."""

import pipeline
from conftest import make_project, pdf_text, plain
from leafpub.config import load_settings


def build(project):
    return pipeline.build(load_settings(project))


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
