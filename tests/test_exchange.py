"""The agency exchange as a careless or hostile agency, translator or CAT tool would use it: later
corrections, two commands at once, relabelled files, line breaks msgfmt rejects, floods of units and
texts without end. No PDF is rendered here."""

import os
import re
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
from lxml import etree

import pipeline
from helpers import export, make_project, NS, read_po_file, ROOT, set_target, SPANISH_PO, unit_of
from leafpub.catalogs import catalogs
from leafpub.config import load_settings


def import_file(project: Path, file: Path) -> int:
    return pipeline.main(["--project", str(project), "import", str(file)])


def correct_in_catalog(project: Path, english: str, text: str) -> None:
    """What a translator does in Poedit after the export: corrects one message."""
    path = project / SPANISH_PO
    catalog = read_po_file(path)
    catalog.get(english).string = text
    catalogs.write_catalog(path, catalog)


def test_a_correction_made_after_the_export_survives_the_agencys_file(tmp_path, capsys):
    project = make_project(tmp_path, broken_locale=False)
    exported = export(project, "es", tmp_path / "es.xlf")
    correct_in_catalog(project, "Rinse and dry them.", "Enjuáguelas y séquelas bien.")
    set_target(exported, "Wet your hands.", "Mójese bien las manos.")  # the agency's one change
    capsys.readouterr()

    assert import_file(project, exported) == 0
    assert "merged 1 changed message(s)" in capsys.readouterr().out
    catalog = read_po_file(project / SPANISH_PO)
    assert catalog.get("Rinse and dry them.").string == "Enjuáguelas y séquelas bien."
    assert catalog.get("Wet your hands.").string == "Mójese bien las manos."


def test_a_message_changed_on_both_sides_is_a_conflict_reported_not_overwritten(tmp_path, capsys):
    project = make_project(tmp_path, broken_locale=False)
    exported = export(project, "es", tmp_path / "es.xlf")
    correct_in_catalog(project, "Rinse and dry them.", "Enjuáguelas y séquelas bien.")
    ident = set_target(exported, "Rinse and dry them.", "Aclárelas y séquelas con una toalla limpia.")
    before = (project / SPANISH_PO).read_bytes()
    capsys.readouterr()

    assert import_file(project, exported) == 1
    captured = capsys.readouterr()
    assert (f"unit {ident}: the catalog's translation was changed after the export, and the file changes it "
            "too: compare the two and edit the catalog by hand; not imported") in captured.err
    assert "nothing changed" in captured.out and "1 refused" in captured.out
    assert (project / SPANISH_PO).read_bytes() == before


CONCURRENT_IMPORT = """
import sys, time
from pathlib import Path
sys.path.insert(0, {root!r})
import pipeline
from leafpub.catalogs import catalogs

write, me, other = catalogs.write_catalog, Path(sys.argv[2]), Path(sys.argv[3])

def write_after_the_other_read(path, *arguments, **options):
    # Each command has read the catalog when it gets here; wait (at most 3 s) until the other has too.
    if path.name == "messages.po":
        me.touch()
        deadline = time.monotonic() + 3
        while not other.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
    write(path, *arguments, **options)

catalogs.write_catalog = write_after_the_other_read
sys.exit(pipeline.main(["--project", sys.argv[1], *sys.argv[4:]]))
"""


def run_at_once(tmp_path: Path, project: Path, *commands: list[str]) -> None:
    """Run two commands, each holding its write of the catalog until the other has read it (or 3 s)."""
    script = tmp_path / "slow_write.py"
    script.write_text(CONCURRENT_IMPORT.format(root=str(ROOT)), encoding="utf-8")
    marks = tmp_path / "a.ready", tmp_path / "b.ready"
    runs = [subprocess.Popen([sys.executable, str(script), str(project), str(marks[n]), str(marks[1 - n]), *command],
                             cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            for n, command in enumerate(commands)]
    results = [run.communicate(timeout=60) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], results


@pytest.mark.slow
def test_two_imports_at_once_both_land(tmp_path):
    project = make_project(tmp_path, broken_locale=False)
    first = export(project, "es", tmp_path / "first.xlf")
    second = export(project, "es", tmp_path / "second.xlf")
    set_target(first, "Wet your hands.", "Mójese bien las manos.")
    set_target(second, "Rinse and dry them.", "Aclárelas y séquelas con cuidado.")
    run_at_once(tmp_path, project, ["import", str(first)], ["import", str(second)])
    catalog = read_po_file(project / SPANISH_PO)
    assert catalog.get("Wet your hands.").string == "Mójese bien las manos."
    assert catalog.get("Rinse and dry them.").string == "Aclárelas y séquelas con cuidado."


@pytest.mark.slow
def test_an_update_at_the_same_time_as_an_import_keeps_the_import(tmp_path):
    project = make_project(tmp_path, broken_locale=False)
    exported = export(project, "es", tmp_path / "es.xlf")
    set_target(exported, "Wet your hands.", "Mójese bien las manos.")
    run_at_once(tmp_path, project, ["update"], ["import", str(exported)])
    assert read_po_file(project / SPANISH_PO).get("Wet your hands.").string == "Mójese bien las manos."


def test_a_file_relabelled_to_another_language_is_refused_by_where_it_was_exported_from(tmp_path, capsys):
    project = make_project(tmp_path, broken_locale=False)
    catalogs.init_catalog(load_settings(project), "de")
    german = (project / "translations/de/LC_MESSAGES/messages.po").read_bytes()
    exported = export(project, "es", tmp_path / "es.xlf")
    # As a CAT tool writes a file back for another project language: every label says German.
    text = exported.read_text(encoding="utf-8").replace('target-language="es"', 'target-language="de"')
    exported.write_text(text.replace("translations/es/", "translations/de/"), encoding="utf-8")
    capsys.readouterr()
    assert import_file(project, exported) == 1
    assert ("the file was exported from the 'es' catalog but its target-language is 'de': not imported"
            in capsys.readouterr().err)
    assert (project / "translations/de/LC_MESSAGES/messages.po").read_bytes() == german


def test_a_file_without_a_known_export_is_refused_with_what_to_do(tmp_path, capsys):
    project = make_project(tmp_path, broken_locale=False)
    before = (project / SPANISH_PO).read_bytes()
    exported = export(project, "es", tmp_path / "es.xlf")
    set_target(exported, "Wet your hands.", "Mójese bien las manos.")
    root = etree.parse(str(exported)).getroot()
    phase = root.find("x:file/x:header/x:phase-group/x:phase", NS)
    ident = phase.get("job-id")
    (project / "translations/exports" / f"{ident}.json").unlink()
    capsys.readouterr()
    assert import_file(project, exported) == 1
    assert f"no export of this project has the id {ident}" in capsys.readouterr().err

    phase.getparent().remove(phase)  # a tool that drops the header's phase
    exported.write_bytes(etree.tostring(root))
    assert import_file(project, exported) == 1
    assert "the file has no export id" in capsys.readouterr().err
    assert (project / SPANISH_PO).read_bytes() == before


def test_a_target_whose_line_breaks_differ_is_refused_and_the_catalog_stays_valid_for_msgfmt(tmp_path, capsys):
    project = make_project(tmp_path, broken_locale=False)
    exported = export(project, "es", tmp_path / "es.xlf")
    ident = set_target(exported, "Wet your hands.", "Mójese bien las manos.\n")
    set_target(exported, "Rinse and dry them.", "Aclárelas y séquelas con cuidado.")
    capsys.readouterr()

    assert import_file(project, exported) == 1
    captured = capsys.readouterr()
    line = unit_of(etree.parse(str(exported)).getroot(), "Wet your hands.").sourceline
    assert (f"{exported}:{line}: unit {ident}: its target does and the English does not end with a line break, "
            "which gettext's msgfmt rejects; not imported") in captured.err
    assert "merged 1 changed message(s)" in captured.out
    check = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(project / SPANISH_PO)], capture_output=True)
    assert check.returncode == 0, check.stderr
    # ... and the next import of the language is not refused.
    set_target(exported, "Wet your hands.", "Mójese las manos con agua.")
    assert import_file(project, exported) == 0


def test_an_outside_dtd_with_an_entity_is_one_refusal_at_its_line(tmp_path, capsys):
    project = make_project(tmp_path, broken_locale=False)
    before = (project / SPANISH_PO).read_bytes()
    exported = export(project, "es", tmp_path / "es.xlf")
    text = exported.read_text(encoding="utf-8").replace("?>\n", '?>\n<!DOCTYPE xliff SYSTEM "xliff.dtd">\n', 1)
    exported.write_text(text.replace("Mójese las manos", "&wet; las manos", 1), encoding="utf-8")
    capsys.readouterr()
    assert import_file(project, exported) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: {exported}:2: a DOCTYPE is not allowed in this file") and err.count("\n") == 1
    assert "Traceback" not in err and (project / SPANISH_PO).read_bytes() == before


def test_thousands_of_units_not_ours_are_summarised(tmp_path, capsys):
    project = make_project(tmp_path, broken_locale=False)
    exported = export(project, "es", tmp_path / "es.xlf")
    root = etree.parse(str(exported)).getroot()
    body = root.find("x:file/x:body", NS)
    for number in range(5000):
        unit = etree.SubElement(body, f"{{{NS['x']}}}trans-unit", id=f"n{number:012d}")
        etree.SubElement(unit, f"{{{NS['x']}}}source").text = f"Text {number}"
        etree.SubElement(unit, f"{{{NS['x']}}}target").text = f"Texto {number}"
    exported.write_bytes(etree.tostring(root))
    capsys.readouterr()
    assert import_file(project, exported) == 1
    captured = capsys.readouterr()
    assert len(captured.err.splitlines()) == 11
    assert captured.err.count("no message of the catalog has this id") == 10
    assert f"error: {exported}: 4990 more unit(s) refused, not listed" in captured.err
    assert "5000 refused" in captured.out


def test_a_back_translation_with_a_text_without_end_is_refused_at_once(tmp_path, capsys):
    project = make_project(tmp_path, broken_locale=False)
    blind = tmp_path / "es.back.po"
    assert pipeline.main(["--project", str(project), "back-translation", "export", "es", "-o", str(blind)]) == 0
    text = blind.read_text(encoding="utf-8")
    first = text.index('msgstr ""', text.index("msgctxt"))
    endless = " ".join(["wash"] * 60_000)
    blind.write_text(text[:first] + f'msgstr "{endless}"' + text[first + len('msgstr ""'):], encoding="utf-8")
    line = text[:first].count("\n")  # the entry starts on the msgctxt line above
    capsys.readouterr()
    started = time.monotonic()
    assert pipeline.main(["--project", str(project), "approve", "es", "--by", "Dr Ana Ruiz",
                          "--back-translation", str(blind)]) == 1
    assert time.monotonic() - started < 10
    err = capsys.readouterr().err
    found = re.search(rf"{re.escape(str(blind))}:(\d+): its back-translation is 299999 characters long; a text is at "
                      r"most 20000: not a back-translation of a leaflet's text", err)
    assert found and abs(int(found[1]) - line) <= 2, err


def test_an_import_sets_the_revision_date_to_now_in_utc(tmp_path):
    project = make_project(tmp_path, broken_locale=False)
    exported = export(project, "es", tmp_path / "es.xlf")
    set_target(exported, "Wet your hands.", "Mójese bien las manos.")
    before = datetime.now(timezone.utc).replace(second=0, microsecond=0)
    environment = {**os.environ, "TZ": "America/New_York"}  # the header is UTC whatever the machine's zone
    subprocess.run([sys.executable, "pipeline.py", "--project", str(project), "import", str(exported)],
                   cwd=ROOT, env=environment, check=True, capture_output=True)
    after = datetime.now(timezone.utc)
    header = re.search(r'"PO-Revision-Date: (.*)\\n"', (project / SPANISH_PO).read_text(encoding="utf-8"))[1]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d\+0000", header), header
    assert before <= datetime.strptime(header, "%Y-%m-%d %H:%M%z") <= after


def test_a_file_of_more_units_than_any_catalog_is_refused_before_it_is_read_whole(tmp_path, capsys):
    project = make_project(tmp_path, broken_locale=False)
    exported = export(project, "es", tmp_path / "es.xlf")
    text = exported.read_text(encoding="utf-8")
    flood = "".join(f'<trans-unit id="n{number}"><source>T</source></trans-unit>\n' for number in range(20_001))
    exported.write_text(text.replace("</body>", flood + "</body>"), encoding="utf-8")
    written = exported.read_text(encoding="utf-8")
    starts = [found.start() for found in re.finditer("<trans-unit ", written)]
    line = written[:starts[20_000]].count("\n") + 1  # the 20,001st unit of the file, the agency's or ours
    capsys.readouterr()
    assert import_file(project, exported) == 1
    assert capsys.readouterr().err == (f"error: {exported}:{line}: the file has more than 20000 units; a catalog "
                                       "of these leaflets has far fewer: not imported\n")


def test_no_command_writes_a_catalog_msgfmt_would_reject(tmp_path):
    """The last gate before a catalog is replaced (import, update): GNU msgfmt --check on the result."""
    import pytest

    from leafpub.problems import ProblemError

    project = make_project(tmp_path, broken_locale=False)
    path = project / SPANISH_PO
    before = path.read_bytes()
    catalog = read_po_file(path)
    catalog.get("Wet your hands.").string = "Mójese las manos.\n"
    with pytest.raises(ProblemError) as raised:
        catalogs.write_catalog(path, catalog, load_settings(project))
    (problem,) = raised.value.problems
    assert str(problem).startswith(f"{SPANISH_PO}: not written: msgfmt --check would reject the catalog (")
    assert "end with" in problem.message and path.read_bytes() == before


def test_an_import_of_the_shipped_german_changes_only_the_message_the_agency_changed(tmp_path, capsys):
    """Every other line a translator reads stays: the extracted comments too, although a wrapped one
    can end in a line another comment has as well ("paragraph"), which Babel keeps only once."""
    project = make_project(tmp_path, broken_locale=False)
    for name in ("leaflets", "translations"):  # the shipped leaflet and catalogs in the fixture's settings
        subprocess.run(["rm", "-rf", str(project / name)], check=True)
        subprocess.run(["cp", "-r", str(ROOT / name), str(project / name)], check=True)
    german = project / "translations/de/LC_MESSAGES/messages.po"
    before = german.read_text(encoding="utf-8").splitlines()
    exported = export(project, "de", tmp_path / "de.xlf")
    set_target(exported, "Summary", "Kurz zusammengefasst")
    capsys.readouterr()

    assert import_file(project, exported) == 0
    after = german.read_text(encoding="utf-8").splitlines()
    changed = [(old, new) for old, new in zip(before, after) if old != new]
    assert len(before) == len(after)
    assert [new for _, new in changed if not new.startswith('"PO-Revision-Date')] == ['msgstr "Kurz zusammengefasst"']
