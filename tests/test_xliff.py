"""XLIFF 1.2 round trip: what an agency's CAT tool gets, what Translate Toolkit reads back, and what
`import` merges or refuses."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from lxml import etree

import pipeline
from helpers import counting_server, export, line_of, make_project, NS, read_po_file, ROOT, set_target, SPANISH_PO, unit_of
from leafpub.catalogs import catalogs
from leafpub.config import load_settings

XLIFF2PO = shutil.which("xliff2po", path=str(Path(sys.executable).parent)) or shutil.which("xliff2po")


@pytest.mark.parametrize("locale", catalogs.discover_locales(load_settings(ROOT)))
def test_every_shipped_language_reads_back_unchanged_through_xliff2po(locale, tmp_path):
    assert XLIFF2PO, "Translate Toolkit's xliff2po is installed with the package"
    exported = export(ROOT, locale, tmp_path / f"{locale}.xlf")
    root = etree.parse(str(exported)).getroot()
    assert root.tag == "{urn:oasis:names:tc:xliff:document:1.2}xliff" and root.get("version") == "1.2"
    assert root.find("x:file", NS).get("target-language") == locale.replace("_", "-")

    subprocess.run([XLIFF2PO, "--progress=none", str(exported), str(tmp_path / "back.po")], check=True)
    with (tmp_path / "back.po").open("rb") as po:
        back = read_po(po, locale=locale)
    catalog = read_po_file(catalogs.catalog_path(load_settings(ROOT), locale))
    messages = list(catalog)[1:]
    assert len(list(back)) - 1 == len(messages)
    for message in messages:
        returned = back.get(message.id)
        assert returned is not None, message.id
        assert (returned.string, returned.fuzzy, returned.auto_comments, returned.user_comments,
                returned.locations) == (message.string, message.fuzzy, message.auto_comments,
                                        message.user_comments, message.locations)


def test_placeholders_and_marks_are_inline_codes_a_cat_tool_keeps(tmp_path):
    root = etree.parse(str(export(ROOT, "de", tmp_path / "de.xlf"))).getroot()
    footer = unit_of(root, "Version %(version)s")
    for part in ("source", "target"):
        (code,) = footer.find(f"x:{part}", NS)
        assert etree.QName(code).localname == "ph" and code.text == "%(version)s"
        assert code.get("id") == "1"
    bold = unit_of(root, "The tiny punctures start the body's natural healing process. The skin makes more "
                         "**collagen** and **elastin**, the proteins that keep skin firm and elastic.")
    target = bold.find("x:target", NS)
    assert [(etree.QName(code).localname, code.get("id"), code.text) for code in target] == [
        ("bpt", "1", "**"), ("ept", "1", "**"), ("bpt", "2", "**"), ("ept", "2", "**")]
    assert target.get("state") == "translated" and bold.get("approved") == "yes"
    notes = [note.text for note in bold.iterfind("x:note", NS)]
    assert "Leaflet 'microneedling-scars', section 'How does it work?': paragraph" in notes


def test_an_edited_target_imports_as_exactly_that_change(tmp_path, capsys):
    project = make_project(tmp_path, broken_locale=False)
    before = (project / SPANISH_PO).read_text(encoding="utf-8")
    exported = export(project, "es", tmp_path / "es.xlf")
    set_target(exported, "Rinse and dry them.", "Aclárelas bien y séquelas.")
    capsys.readouterr()

    assert pipeline.main(["--project", str(project), "import", str(exported)]) == 0
    assert "merged 1 changed message(s) into translations/es/LC_MESSAGES/messages.po" in capsys.readouterr().out
    after = (project / SPANISH_PO).read_text(encoding="utf-8")
    changed = [(old, new) for old, new in zip(before.splitlines(), after.splitlines()) if old != new]
    assert len(before.splitlines()) == len(after.splitlines())
    assert changed[0][0].startswith('"PO-Revision-Date: ') and changed[0][1].startswith('"PO-Revision-Date: ')
    assert changed[1:] == [('msgstr "Aclárelas y séquelas."', 'msgstr "Aclárelas bien y séquelas."')]

    # The same file again changes nothing, not even the revision date.
    assert pipeline.main(["--project", str(project), "import", str(exported)]) == 0
    assert (project / SPANISH_PO).read_text(encoding="utf-8") == after
    assert "nothing changed in translations/es/LC_MESSAGES/messages.po" in capsys.readouterr().out


def test_a_target_that_breaks_a_number_or_placeholder_is_refused_with_its_unit(tmp_path, capsys):
    project = make_project(tmp_path, broken_locale=False)
    before = (project / SPANISH_PO).read_text(encoding="utf-8")
    exported = export(project, "es", tmp_path / "es.xlf")
    number = set_target(exported, "Use soap and warm water for **20 seconds**.",
                        "Use jabón y agua tibia durante **30 segundos**.")
    placeholder = set_target(exported, "Version %(version)s", "Versión %(versión)s")
    capsys.readouterr()

    assert pipeline.main(["--project", str(project), "import", str(exported)]) == 1
    err = capsys.readouterr().err
    assert f"unit {number}: number(s) missing from the translation: 20; number(s) not in the English: 30" in err
    assert f"unit {placeholder}: placeholder(s) missing: %(version)s" in err
    assert err.count("not imported") == 2 and f"{tmp_path / 'es.xlf'}:" in err
    assert (project / SPANISH_PO).read_text(encoding="utf-8") == before


def test_a_target_marked_for_review_comes_back_fuzzy(tmp_path):
    project = make_project(tmp_path, broken_locale=False)
    exported = export(project, "es", tmp_path / "es.xlf")
    set_target(exported, "Wet your hands.", "Mójese bien las manos.", state="needs-review-translation",
               approved="no")
    assert pipeline.main(["--project", str(project), "import", str(exported)]) == 0
    message = read_po_file(project / SPANISH_PO).get("Wet your hands.")
    assert message.string == "Mójese bien las manos." and message.fuzzy


def test_a_unit_whose_english_changed_since_the_export_is_refused(tmp_path, capsys):
    project = make_project(tmp_path, broken_locale=False)
    exported = export(project, "es", tmp_path / "es.xlf")
    root = etree.parse(str(exported)).getroot()
    unit = unit_of(root, "Wet your hands.")
    unit.set("id", "m000000000000")
    exported.write_bytes(etree.tostring(root))
    capsys.readouterr()
    assert pipeline.main(["--project", str(project), "import", str(exported)]) == 1
    assert "unit m000000000000: no message of the catalog has this id" in capsys.readouterr().err


@pytest.mark.parametrize("content, expected", [
    (b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n<xliff version="1.2">&e;</xliff>',
     ":2: a DOCTYPE with its own declarations (entities) is not allowed here: remove it"),
    (b'<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">\n<file target-language="es">\n</xliff>',
     ":3: not well-formed XML"),
    (b'<html/>', ":1: not an XLIFF 1.x file"),
    (b'<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">\n<file target-language="es"/>\n'
     b'<file target-language="es"/></xliff>', ":1: the file has 2 <file> elements"),
    (b'<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2"/>', ":1: the file has 0 <file> elements"),
    (b'<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">\n<file target-language="xx" '
     b'source-language="en" original="a" datatype="po"><body/></file></xliff>',
     ":2: the file has target-language 'xx', and there is no such catalog in translations/"),
])
def test_a_broken_or_hostile_file_is_refused_with_its_line(tmp_path, capsys, content, expected):
    project = make_project(tmp_path, broken_locale=False)
    before = (project / SPANISH_PO).read_bytes()
    (tmp_path / "in.xlf").write_bytes(content)
    assert pipeline.main(["--project", str(project), "import", str(tmp_path / "in.xlf")]) == 1
    err = capsys.readouterr().err
    assert f"error: {tmp_path / 'in.xlf'}{expected}" in err and "Traceback" not in err
    assert (project / SPANISH_PO).read_bytes() == before


def test_a_fuzzy_message_goes_out_for_review_with_its_previous_english_and_reads_back_the_same(tmp_path):
    project = make_project(tmp_path, broken_locale=False)
    catalog_path = project / SPANISH_PO
    catalog = read_po_file(catalog_path)
    message = catalog.get("Wet your hands.")
    message.flags.add("fuzzy")
    message.previous_id = ["Wet both hands."]
    catalogs.write_catalog(catalog_path, catalog)

    exported = export(project, "es", tmp_path / "es.xlf")
    unit = unit_of(etree.parse(str(exported)).getroot(), "Wet your hands.")
    assert unit.get("approved") == "no"
    assert unit.find("x:target", NS).get("state") == "needs-review-translation"
    assert unit.find("x:alt-trans/x:source", NS).text == "Wet both hands."

    subprocess.run([XLIFF2PO, "--progress=none", str(exported), str(tmp_path / "back.po")], check=True)
    back = read_po_file(tmp_path / "back.po").get("Wet your hands.")
    assert (back.string, back.fuzzy, back.auto_comments, back.locations) == (
        message.string, True, message.auto_comments, message.locations)

    # Brought back untouched, it changes nothing; confirmed in the CAT tool, it is no longer fuzzy.
    before = catalog_path.read_bytes()
    assert pipeline.main(["--project", str(project), "import", str(exported)]) == 0
    assert catalog_path.read_bytes() == before
    set_target(exported, "Wet your hands.", "Mójese las manos.", state="translated", approved="yes")
    assert pipeline.main(["--project", str(project), "import", str(exported)]) == 0
    confirmed = read_po_file(catalog_path).get("Wet your hands.")
    assert not confirmed.fuzzy and not confirmed.previous_id


def test_a_doctype_naming_a_dtd_is_refused_without_fetching_it(tmp_path, capsys):
    project = make_project(tmp_path, broken_locale=False)
    before = (project / SPANISH_PO).read_bytes()
    exported = export(project, "es", tmp_path / "es.xlf")
    with counting_server() as (url, hits):
        text = exported.read_text(encoding="utf-8").replace(
            "?>\n", f'?>\n<!DOCTYPE xliff PUBLIC "-//XLIFF//DTD XLIFF//EN" "{url}/xliff.dtd">\n', 1)
        exported.write_text(text, encoding="utf-8")
        capsys.readouterr()
        assert pipeline.main(["--project", str(project), "import", str(exported)]) == 1
    assert hits == []
    assert f"error: {exported}:2: a DOCTYPE is not allowed in this file" in capsys.readouterr().err
    assert (project / SPANISH_PO).read_bytes() == before


def test_a_file_retargeted_to_another_language_is_refused(tmp_path, capsys):
    project = make_project(tmp_path, broken_locale=False)
    catalogs.init_catalog(load_settings(project), "de")
    german = (project / "translations/de/LC_MESSAGES/messages.po").read_bytes()
    exported = export(project, "es", tmp_path / "es.xlf")
    exported.write_text(exported.read_text(encoding="utf-8").replace('target-language="es"', 'target-language="de"'),
                        encoding="utf-8")
    capsys.readouterr()
    assert pipeline.main(["--project", str(project), "import", str(exported)]) == 1
    assert ("the file was exported from the 'es' catalog but its target-language is 'de': not imported"
            in capsys.readouterr().err)
    assert (project / "translations/de/LC_MESSAGES/messages.po").read_bytes() == german


def test_repeated_units_blank_targets_and_tools_that_drop_approved(tmp_path, capsys):
    project = make_project(tmp_path, broken_locale=False)
    before = (project / SPANISH_PO).read_bytes()
    exported = export(project, "es", tmp_path / "es.xlf")
    set_target(exported, "Wet your hands.", "   ")  # blank: not translated in the file
    root = etree.parse(str(exported)).getroot()
    for unit in root.iterfind(".//x:trans-unit", NS):
        unit.attrib.pop("approved", None)  # some CAT tools keep only the state
    rinse = unit_of(root, "Rinse and dry them.")
    rinse.addnext(etree.fromstring(etree.tostring(rinse)))
    exported.write_bytes(etree.tostring(root))
    capsys.readouterr()
    assert pipeline.main(["--project", str(project), "import", str(exported)]) == 1
    captured = capsys.readouterr()
    assert captured.err.count("the file has more than one unit with this id; not imported") == 2
    assert "nothing changed" in captured.out
    assert (project / SPANISH_PO).read_bytes() == before


def test_a_catalog_msgfmt_rejects_is_not_merged_into(tmp_path, capsys):
    project = make_project(tmp_path, broken_locale=False)
    exported = export(project, "es", tmp_path / "es.xlf")
    set_target(exported, "Wet your hands.", "Mójese bien las manos.")
    catalog = project / SPANISH_PO
    catalog.write_text(catalog.read_text(encoding="utf-8").replace('msgstr "Lavarse las manos"',
                                                                   'msgstr Lavarse "las manos"'), encoding="utf-8")
    before = catalog.read_bytes()
    capsys.readouterr()
    assert pipeline.main(["--project", str(project), "import", str(exported)]) == 1
    assert f"error: {SPANISH_PO}:{line_of(catalog, 'msgstr Lavarse')}:" in capsys.readouterr().err
    assert catalog.read_bytes() == before
