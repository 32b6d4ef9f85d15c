"""`status` and `check`: what each locale still needs, with exit codes scripts can use."""

import json

from helpers import make_project, run_cli


def test_status_counts_fuzzy_as_not_done_and_says_why_a_locale_is_held_back(tmp_path, capsys):
    project = make_project(tmp_path)
    catalog = project / "translations/es/LC_MESSAGES/messages.po"
    catalog.write_text(catalog.read_text().replace('msgid "Wet your hands."', '#, fuzzy\nmsgid "Wet your hands."'))
    status, out, _ = run_cli(project, "status", "--json", capsys=capsys)
    assert status == 1
    rows = {row["locale"]: row for row in json.loads(out)["locales"]}
    es, fr = rows["es"], rows["fr"]
    assert (es["fuzzy"], es["untranslated"], es["checks_failing"]) == (1, 0, 0)
    assert es["publishable"] is False and "'Wet your hands.' is fuzzy" in es["why"]
    assert es["review"] == "draft" and es["published"] == "not published"
    assert fr["translated"] is None and fr["why"].startswith("translations/fr/LC_MESSAGES/messages.po:16: ")


def test_status_table_on_a_terminal_or_not(tmp_path, capsys):
    project = make_project(tmp_path, broken_locale=False)
    status, out, _ = run_cli(project, "status", capsys=capsys)
    assert status == 0
    assert "Spanish" in out and "draft (no approval recorded)" in out and "yes" in out


def test_check_exits_1_and_prints_every_problem_with_its_line(tmp_path, capsys):
    project = make_project(tmp_path)
    status, out, err = run_cli(project, "check", capsys=capsys)
    assert status == 1
    assert "es: ok" in out and "fr: 1 problem(s)" in out
    assert err.startswith("error: translations/fr/LC_MESSAGES/messages.po:16: ")
    status, out, _ = run_cli(project, "check", "es", capsys=capsys)
    assert (status, out.strip()) == (0, "es: ok")


def test_check_reports_a_locale_that_has_no_catalog(tmp_path, capsys):
    project = make_project(tmp_path, broken_locale=False)
    status, _, err = run_cli(project, "check", "de", capsys=capsys)
    assert status == 1
    assert "translations/de/LC_MESSAGES/messages.po: no such catalog (run 'pipeline.py init')" in err
