"""translations/: loading checked catalogs, and the extract/update/init/compile commands."""

import pytest

from helpers import edit_catalog, line_of, read_po_file, ROOT
from leafpub.catalogs import catalogs
from leafpub.config import load_settings
from leafpub.problems import ProblemError


def load(project, locale):
    return catalogs.load_catalog(load_settings(project), locale)


def test_a_complete_catalog_loads_with_its_language(project):
    catalog = load(project, "es")
    assert catalog.language.tag == "es" and catalog.language.native_name == "español"
    assert catalog.translations.gettext("Washing your hands") == "Lavarse las manos"
    assert catalog.path == "translations/es/LC_MESSAGES/messages.po"


def test_a_syntax_error_names_file_and_1_based_line(project):
    with pytest.raises(ProblemError) as raised:
        load(project, "fr")
    problem = raised.value.problems[0]
    assert problem.path == "translations/fr/LC_MESSAGES/messages.po"
    assert problem.line == 16  # the unterminated string, as a text editor counts lines
    assert problem.locale == "fr"


def test_a_duplicate_msgid_is_caught_though_babel_would_keep_the_first(project):
    edit_catalog(project, 'msgid "Wet your hands."',
                 'msgid "Wet your hands."\nmsgstr "Mójese."\n\nmsgid "Wet your hands."')
    with pytest.raises(ProblemError) as raised:
        load(project, "es")
    messages = [str(problem) for problem in raised.value.problems]
    assert any("duplicate message definition" in message for message in messages)
    assert all(message.startswith("translations/es/LC_MESSAGES/messages.po:") for message in messages)


def test_a_catalog_whose_language_header_does_not_match_its_folder_is_refused(project):
    edit_catalog(project, '"Language: es\\n"', '"Language: it\\n"')
    with pytest.raises(ProblemError) as raised:
        load(project, "es")
    assert "the Language header says it, but the folder is es" in str(raised.value)


def test_a_placeholder_renamed_in_a_translation_is_refused(project):
    """The translator renamed %(version)s in the msgstr: the one problem names the file and the
    msgstr's line, and says which placeholder the translation lacks."""
    msgstr = 'msgstr "Versión %(version)s"'
    text = edit_catalog(project, msgstr, 'msgstr "Versión %(versión)s"')
    with pytest.raises(ProblemError) as raised:
        load(project, "es")
    assert [str(problem) for problem in raised.value.problems] == [
        f"translations/es/LC_MESSAGES/messages.po:{line_of(text, msgstr)}: "
        "a format specification for argument 'version' doesn't exist in 'msgstr'"]


def test_untranslated_fuzzy_and_missing_messages_are_listed_with_their_lines(project):
    text = edit_catalog(project, 'msgstr "Frótelas con jabón."', 'msgstr ""')
    edit_catalog(project, '#: leaflets/hand-washing.md:17\nmsgid "Wet your hands."',
                 '#: leaflets/hand-washing.md:17\n#, fuzzy\nmsgid "Wet your hands."')
    catalog = load(project, "es")
    problems = catalogs.publication_problems(catalog, ["Wet your hands.", "A message nobody extracted"])
    fuzzy_line = line_of(text, 'msgid "Wet your hands.') + 1  # one line added above it
    assert [str(p) for p in problems] == [
        f"translations/es/LC_MESSAGES/messages.po:{fuzzy_line}: "
        "message 'Wet your hands.' is fuzzy: check the translation, then remove the fuzzy flag",
        f"translations/es/LC_MESSAGES/messages.po:{line_of(text, 'Rub them together') + 1}: "
        "message 'Rub them together with soap.' is not translated",
        "translations/es/LC_MESSAGES/messages.po: message 'A message nobody extracted' is missing "
        "(run 'pipeline.py update')",
    ]
    assert catalogs.count_states(catalog) == {"translated": len(catalog.messages) - 2, "fuzzy": 1,
                                              "untranslated": 1}


def test_init_starts_a_draft_catalog_with_the_right_plural_rule(project):
    settings = load_settings(project)
    path = catalogs.init_catalog(settings, "pl")
    text = path.read_text(encoding="utf-8")
    assert "DRAFT" in text and "No qualified medical translator has reviewed it yet." in text
    catalog = read_po_file(path)
    assert catalog.locale_identifier == "pl" and catalog.num_plurals == 3
    assert len(catalog) == len(read_po_file(settings.pot_file))
    with pytest.raises(ProblemError, match="already exists"):
        catalogs.init_catalog(settings, "pl")
    with pytest.raises(ProblemError, match="not a locale Babel knows"):
        catalogs.init_catalog(settings, "xx_NOPE")


def test_update_after_an_english_edit_marks_the_message_fuzzy_with_its_previous_text(project):
    settings = load_settings(project)
    leaflet = project / "leaflets" / "hand-washing.md"
    leaflet.write_text(leaflet.read_text().replace("Rinse and dry them.", "Rinse and dry them well."))
    template = catalogs.extract(settings)
    report = catalogs.update_catalogs(settings, template)
    assert report["es"]["fuzzy"] == 1
    text = catalogs.catalog_path(settings, "es").read_text(encoding="utf-8")
    assert '#| msgid "Rinse and dry them."\nmsgid "Rinse and dry them well."' in text
    catalog = load(project, "es")
    (problem,) = catalogs.publication_problems(catalog, ["Rinse and dry them well."])
    assert "message 'Rinse and dry them well.' is fuzzy" in str(problem)


def test_compile_writes_mo_files_that_gettext_reads(project):
    import gettext

    settings = load_settings(project)
    catalogs.catalog_path(settings, "fr").unlink()  # compile refuses a broken catalog
    (mo,) = catalogs.compile_catalogs(settings)
    assert mo.name == "messages.mo"
    with mo.open("rb") as stream:
        assert gettext.GNUTranslations(stream).gettext("Wet your hands.") == "Mójese las manos."


@pytest.mark.parametrize("locale", catalogs.discover_locales(load_settings(ROOT)))
def test_every_shipped_catalog_is_complete_checked_and_marked_as_a_draft(locale):
    settings = load_settings(ROOT)
    catalog = catalogs.load_catalog(settings, locale)  # msgfmt --check and Babel's checks
    template = read_po_file(settings.pot_file)
    assert catalogs.publication_problems(catalog, [m.id for m in list(template)[1:]]) == []
    text = catalogs.catalog_path(settings, locale).read_text(encoding="utf-8")
    assert "No qualified medical translator has reviewed it yet." in text


def test_a_checked_translation_is_written_without_the_previous_english_only_a_fuzzy_one_keeps():
    """As gettext writes it: "#| msgid" belongs to a fuzzy entry; once the translation is checked it
    goes (xliff2po and msgmerge drop it, so keeping it would make every round trip differ)."""
    from babel.messages.catalog import Catalog

    from leafpub.catalogs.pofiles import parse_catalog, po_bytes

    catalog = Catalog(locale="de")
    catalog.add("How it works", "Wie es wirkt", previous_id="What is it?")
    catalog.add("Fine needles", "Feine Nadeln", flags=["fuzzy"], previous_id="Needles")
    written = po_bytes(catalog).decode("utf-8")
    assert '#| msgid "What is it?"' not in written and '#| msgid "Needles"' in written
    assert parse_catalog(written.encode("utf-8"), "de.po", "de").get("Fine needles").previous_id == ["Needles"]
