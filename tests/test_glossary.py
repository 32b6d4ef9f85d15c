"""The TBX glossary: the shipped one covers every language, and `check` holds translations to it."""

import json

import pytest

import pipeline
from fixture_texts import GLOSSARY
from helpers import line_of, make_project, ROOT, SPANISH_PO
from leafpub.catalogs import catalogs
from leafpub.config import load_settings
from leafpub.catalogs.glossary import parse_glossary, read_glossary, term_problems
from leafpub.languages import language_of
from leafpub.problems import ProblemError



def with_glossary(tmp_path, text: str = GLOSSARY):
    project = make_project(tmp_path, broken_locale=False)
    (project / "translations/glossary.tbx").write_text(text, encoding="utf-8")
    return project


def test_the_shipped_glossary_has_every_term_in_every_language_and_the_catalogs_pass_it(capsys):
    settings = load_settings(ROOT)
    glossary = read_glossary(settings)
    locales = catalogs.discover_locales(settings)
    assert len(glossary.entries) >= 10
    for entry in glossary.entries:
        for locale in locales:
            terms = entry.terms_for(language_of(locale))
            assert [term for term in terms if term.status == "preferred"], (entry.english[0].text, locale)
    assert pipeline.main(["--project", str(ROOT), "check"]) == 0
    assert "problem" not in capsys.readouterr().out


def test_a_deprecated_term_fails_check_at_its_line_naming_both_terms(tmp_path, capsys):
    project = with_glossary(tmp_path)
    catalog = project / SPANISH_PO
    catalog.write_text(catalog.read_text(encoding="utf-8").replace("a una enfermera", "a una auxiliar"),
                       encoding="utf-8")
    assert pipeline.main(["--project", str(project), "check", "es"]) == 1
    err = capsys.readouterr().err.splitlines()
    line = line_of(catalog, 'msgid "Ask a nurse if you have a cut on your hands."')
    glossary = project / "translations/glossary.tbx"
    assert (f"error: {SPANISH_PO}:{line}: uses the deprecated term 'auxiliar' for 'nurse': use 'enfermera' "
            f"(translations/glossary.tbx:{line_of(glossary, '<term>auxiliar</term>')})") in err
    assert (f"error: {SPANISH_PO}:{line}: the English has 'nurse' but the translation does not use the "
            f"preferred term 'enfermera' (translations/glossary.tbx:{line_of(glossary, '<term>enfermera</term>')})"
            ) in err


def test_a_language_failing_the_glossary_cannot_be_published(tmp_path, capsys):
    project = with_glossary(tmp_path)
    catalog = project / SPANISH_PO
    catalog.write_text(catalog.read_text(encoding="utf-8").replace("con jabón", "con detergente"),
                       encoding="utf-8")
    capsys.readouterr()
    assert pipeline.main(["--project", str(project), "status", "--json", "es"]) == 1
    (row,) = json.loads(capsys.readouterr().out)["locales"]
    assert not row["publishable"] and "uses the forbidden term 'detergente' for 'soap'" in row["why"]


def test_a_term_never_translated_must_stay_as_it_is(tmp_path, capsys):
    project = with_glossary(tmp_path, GLOSSARY.replace(
        '<langSet xml:lang="en"><tig><term>soap</term></tig></langSet>',
        '<langSet xml:lang="en"><tig><term>soap</term><termNote type="translationNote">no</termNote></tig>'
        '</langSet>'))
    assert pipeline.main(["--project", str(project), "check", "es"]) == 1
    assert "the English has 'soap', which is never translated: keep it as it is" in capsys.readouterr().err


def test_a_broken_glossary_is_reported_at_its_line(tmp_path, capsys):
    # The first </termEntry> is gone: the parser finds the mismatch at </body>.
    project = with_glossary(tmp_path, GLOSSARY.replace("</langSet>\n    </termEntry>", "</langSet>", 1))
    line = line_of(project / "translations/glossary.tbx", "</body>")
    assert pipeline.main(["--project", str(project), "check", "es"]) == 1
    err = capsys.readouterr().err
    assert f"error: translations/glossary.tbx:{line}: not well-formed XML" in err and "Traceback" not in err


def test_an_unknown_status_is_named_with_its_line():
    text = GLOSSARY.replace("forbidden", "banned")
    line = next(number for number, row in enumerate(text.splitlines(), 1) if "banned" in row)
    with pytest.raises(ProblemError) as raised:
        parse_glossary(text.encode(), "glossary.tbx")
    assert str(raised.value).startswith(f"glossary.tbx:{line}: unknown administrativeStatus 'banned'")


GLOSSARY_V3 = """<?xml version="1.0" encoding="UTF-8"?>
<tbx type="TBX-Basic" style="dca" xml:lang="en" xmlns="urn:iso:std:iso:30042:ed-2">
  <text><body>
    <conceptEntry id="scar">
      <langSec xml:lang="en"><termSec><term>scar</term></termSec></langSec>
      <langSec xml:lang="{tag}"><termSec><term>{preferred}</term>
        <termNote type="administrativeStatus">preferredTerm-admn-sts</termNote></termSec>
        <termSec><term>{deprecated}</term>
        <termNote type="administrativeStatus">supersededTerm-admn-sts</termNote></termSec></langSec>
    </conceptEntry>
  </body></text>
</tbx>"""


@pytest.mark.parametrize("locale, preferred, deprecated, translation, expected", [
    # An inflected ending still counts as the preferred term (Polish blizna -> blizny).
    ("pl", "blizna", "szrama", "Mikroigłowanie zwykle nie pozostawia blizny.", []),
    ("pl", "blizna", "szrama", "Mikroigłowanie zwykle nie pozostawia szramy.",
     ["the English has 'scar' but the translation does not use the preferred term 'blizna'"]),
    # Devanagari vowel signs are part of the word.
    ("hi", "निशान", "दाग", "माइक्रोनीडलिंग से आमतौर पर निशान नहीं पड़ते।", []),
    ("hi", "निशान", "दाग", "माइक्रोनीडलिंग से आमतौर पर दाग नहीं पड़ते।",
     ["uses the superseded term 'दाग' for 'scar': use 'निशान'",
      "the English has 'scar' but the translation does not use the preferred term 'निशान'"]),
    # Arabic attaches the article: the term is found inside the word.
    ("ar", "ندبة", "ندبه", "لا يترك الوخز بالإبر الدقيقة عادةً الندبة.", []),
    # A deprecated term inside the preferred one does not count.
    ("de", "Narbengewebe", "Narbe", "Es bildet sich kein Narbengewebe.", []),
])
def test_terms_are_found_the_way_each_script_writes_words(locale, preferred, deprecated, translation, expected):
    glossary = parse_glossary(GLOSSARY_V3.format(tag=locale, preferred=preferred, deprecated=deprecated).encode(),
                              "glossary.tbx")
    found = term_problems(glossary, "Microneedling does not usually leave scars.", translation,
                          language_of(locale))
    assert [problem.split(" (glossary.tbx:")[0] for problem in found] == expected


def test_a_glossary_written_by_translate_toolkit_as_weblate_exports_it_is_read():
    """Its DOCTYPE names the TBX DTD, which is not loaded; its terms are read like any other."""
    from translate.storage import tbx

    store = tbx.tbxfile()
    unit = store.addsourceunit("nurse")
    unit.target = "enfermera"
    data = bytes(store).replace(b'xml:lang="xx"', b'xml:lang="es"')
    assert b"<!DOCTYPE martif" in data
    glossary = parse_glossary(data, "glossary.tbx")
    found = term_problems(glossary, "Ask a nurse.", "Pregunte a un auxiliar.", language_of("es"))
    assert found == []  # a term without a status is admitted, not preferred: nothing is required
    (entry,) = glossary.entries
    assert [term.text for term in entry.terms_for(language_of("es"))] == ["enfermera"]


TBX_WITH_DTD = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE martif SYSTEM "{dtd}">
<martif type="TBX" xml:lang="en"><text><body>
<termEntry><langSet xml:lang="en"><tig><term>nurse</term></tig></langSet>
<langSet xml:lang="es"><tig><term>{term}</term><termNote>deprecatedTerm-admn-sts</termNote></tig></langSet>
</termEntry></body></text></martif>
"""


def test_a_tbx_doctype_naming_a_dtd_is_read_without_loading_it(tmp_path):
    """As SECURITY.md says: the DTD a TBX v2 file names is never read, whatever it declares."""
    dtd = tmp_path / "tbx.dtd"  # if it were loaded, its default would make the term a deprecated one
    dtd.write_text('<!ATTLIST termNote type CDATA "administrativeStatus">\n', encoding="utf-8")
    glossary = parse_glossary(TBX_WITH_DTD.format(dtd=dtd.as_uri(), term="enfermera").encode(), "glossary.tbx")
    (entry,) = glossary.entries
    assert [(term.text, term.status) for term in entry.terms_for(language_of("es"))] == [("enfermera", "admitted")]


def test_an_entity_only_the_dtd_could_define_is_refused_at_its_line():
    data = TBX_WITH_DTD.format(dtd="TBXBasiccoreStructV02.dtd", term="enfer&mera;").encode()
    with pytest.raises(ProblemError) as raised:
        parse_glossary(data, "glossary.tbx")
    assert [str(problem) for problem in raised.value.problems] == [
        "glossary.tbx:5: the entity &mera; is not defined in the file: write the character itself"]
