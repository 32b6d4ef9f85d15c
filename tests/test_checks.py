"""Patient-safety checks: each unsafe translation is named exactly and never published."""

import pytest

from helpers import build, edit_catalog, make_project, msgid_line, SPANISH_PO, standard_entry
from leafpub.catalogs import checks
from leafpub.languages import language_of

SPANISH, PERSIAN, CHINESE = language_of("es"), language_of("fa"), language_of("zh_Hans")


@pytest.mark.parametrize("source, translation, language, expected", [
    ("Wash for **20 seconds**.", "Lávese durante **20 segundos**.", SPANISH, []),
    ("Rinse and dry them.", "Aclárelas\u2028y séquelas.", SPANISH,
     ["invisible line or paragraph separators: U+2028"]),
    ("Wash for **20 seconds**.", "Lávese durante **30 segundos**.", SPANISH,
     ["number(s) missing from the translation: 20", "number(s) not in the English: 30"]),
    ("Call 999 within 2 days.", "Llame al 999 en unos días.", SPANISH,
     ["number(s) missing from the translation: 2"]),
    ("Wait 20 minutes.", "۲۰ دقیقه صبر کنید.", PERSIAN, []),  # the locale's own digits count
    ("Version %(version)s", "Versión", SPANISH, ["placeholder(s) missing: %(version)s"]),
    ("Version %(version)s", "Versión %(versión)s", SPANISH,
     ["placeholder(s) missing: %(version)s", "placeholder(s) not in the English: %(versión)s"]),
    ("Use **gentle** products.", "Use productos **suaves.", SPANISH,
     ["unbalanced ** or * marks: close every bold or italic you open"]),
    ("Use **gentle** products.", "Use productos *suaves*.", SPANISH,
     ["inline markup differs from the English: the English has 1 bold, the translation 1 italic"]),
    ("Use gentle products.", "Use productos <b>suaves</b>.", SPANISH,
     ["HTML tags are printed as text; use **bold** or *italic* instead"]),
    ("Microneedling does not usually leave scars, and the risk is low.", "No.", SPANISH,
     ["the translation is 5% of the English length: has something been left out?"]),
    ("Microneedling does not usually leave scars.", "微针通常不会留下疤痕。", CHINESE, []),
    ("Avoid the sun.", " Evite el sol.", SPANISH, ["leading white space differs from the English"]),
    ("Avoid the sun.", "Evite el sol", SPANISH,
     ["the English ends with full stop, the translation with none"]),
    ("When to contact the clinic", "¿Cuándo contactar con la clínica?", SPANISH, []),
    ("More: <https://example.org/care>", "Más: <https://example.org/care>", SPANISH, []),
    ("See [the guide](https://example.org/care).", "Vea [la guía](https://example.org/care).", SPANISH, []),
    ("See [the guide](https://example.org/care).", "Vea [la guía](https://evil.example/care).", SPANISH,
     ["the web addresses must stay as in the English (https://example.org/care); found https://evil.example/care"]),
    ("Rinse and dry them.", "Aclárelas y [séquelas](https://x.example).", SPANISH,
     ["the web addresses must stay as in the English (none); found https://x.example"]),
])
def test_each_check_names_what_is_wrong(source, translation, language, expected):
    assert checks.check_message(source, translation, language) == expected


def test_the_checks_run_as_a_babel_checker():
    from babel.messages.catalog import Catalog, TranslationError

    catalog = Catalog(locale="es")
    message = catalog.add("Wash for 20 seconds.", "Lávese durante 30 segundos.")
    with pytest.raises(TranslationError, match="number"):
        checks.babel_checker(catalog, message)
    # Babel picks it up from the entry point, so Catalog.check() and pybabel compile report it.
    assert any("number(s) missing" in str(error) for _, errors in catalog.check() for error in errors)


PUBLISHED_ES = "leaflets/hand-washing/hand-washing.es.a4.pdf"


@pytest.mark.parametrize("old, new, msgid, expected", [
    ('"Use jabón y agua tibia durante **20 segundos**."', '"Use jabón y agua tibia durante **30 segundos**."',
     "Use soap and warm water for **20 seconds**.",
     "number(s) missing from the translation: 20; number(s) not in the English: 30 "
     "(msgid 'Use soap and warm water for **20 seconds**.')"),
    ('"Use jabón y agua tibia durante **20 segundos**."', '"Use jabón y agua tibia durante **20 segundos."',
     "Use soap and warm water for **20 seconds**.",
     "unbalanced ** or * marks: close every bold or italic you open "
     "(msgid 'Use soap and warm water for **20 seconds**.')"),
    ('msgid "Wet your hands."', '#, fuzzy\nmsgid "Wet your hands."', "Wet your hands.",
     "message 'Wet your hands.' is fuzzy: check the translation, then remove the fuzzy flag"),
])
@pytest.mark.slow
def test_an_unsafe_translation_is_refused_and_the_last_good_pdf_stays(tmp_path, old, new, msgid, expected):
    project = make_project(tmp_path, broken_locale=False)
    build(project)
    published = project / "output" / PUBLISHED_ES
    before = published.read_bytes()
    edit_catalog(project, old, new)
    line = msgid_line(project / SPANISH_PO, msgid)
    report = build(project)
    assert f"{SPANISH_PO}:{line}: {expected}" in [str(problem) for problem in report.problems]
    assert published.read_bytes() == before
    entry = standard_entry(report.manifest, "es")
    assert entry["outdated"] == f"{SPANISH_PO}:{line}: {expected}"


@pytest.mark.slow
def test_a_dropped_placeholder_is_refused_with_its_line(tmp_path):
    project = make_project(tmp_path, broken_locale=False)
    text = (project / SPANISH_PO).read_text(encoding="utf-8")
    start = text.index('msgid "Version %(version)s"')
    msgstr = text.index("msgstr", start)
    end = text.index("\n", msgstr)
    (project / SPANISH_PO).write_text(text[:msgstr] + 'msgstr "Versión"' + text[end:], encoding="utf-8")
    report = build(project)
    (problem, pack_problem) = report.problems
    assert problem.path == SPANISH_PO and problem.line == msgid_line(project / SPANISH_PO, "Version %(version)s") + 1
    assert "version" in problem.message  # msgfmt: the format specification for 'version' is missing
    assert not (project / "output" / PUBLISHED_ES).exists()
    assert "not rebuilt" in pack_problem.message


@pytest.mark.slow
def test_an_english_edit_followed_by_update_holds_the_translation_back(tmp_path):
    from leafpub.catalogs import catalogs
    from leafpub.config import load_settings

    project = make_project(tmp_path, broken_locale=False)
    build(project)
    before = (project / "output" / PUBLISHED_ES).read_bytes()
    leaflet = project / "leaflets" / "hand-washing.md"
    leaflet.write_text(leaflet.read_text().replace("Use soap and warm water for **20 seconds**.",
                                                   "Use soap and warm water for **40 seconds**."))
    settings = load_settings(project)
    report = catalogs.update_catalogs(settings, catalogs.extract(settings))
    assert report["es"] == {"translated": len(catalogs.load_catalog(settings, "es").messages) - 1,
                            "fuzzy": 1, "untranslated": 0}
    line = msgid_line(project / SPANISH_PO, "Use soap and warm water for **40 seconds**.")
    result = build(project)
    assert (f"{SPANISH_PO}:{line}: message 'Use soap and warm water for **40 seconds**.' is fuzzy: "
            "check the translation, then remove the fuzzy flag") in [str(p) for p in result.problems]
    assert (project / "output" / PUBLISHED_ES).read_bytes() == before
    # The English is published with the new advice; Spanish keeps the old one, marked outdated.
    english = standard_entry(result.manifest, "en")
    assert "outdated" not in english
