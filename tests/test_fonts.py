"""The pinned fonts: only they reach a PDF, and a character none of them has is named."""

import pytest

from fixture_texts import SPANISH

from helpers import build, make_project, ROOT, write_catalog
from leafpub.config import load_settings
from leafpub.fonts import GlyphCoverage, check_fonts_for, pinned_families
from leafpub.languages import language_of
from leafpub.model import Language

SETTINGS = load_settings(ROOT)


def test_every_declared_stack_is_made_of_pinned_fonts():
    assert check_fonts_for(SETTINGS, [language_of(code) for code in
                                      ("en", "uk", "vi", "ar", "fa", "hi", "zh_Hans", "ko")]) == {}
    assert {"Noto Sans", "Noto Naskh Arabic", "Noto Sans Devanagari", "Noto Sans CJK SC",
            "Noto Sans CJK KR"} <= pinned_families(SETTINGS)


def test_a_script_without_a_stack_fails_that_language_with_the_fix():
    amharic = Language("am", "am", "ltr", "Ethi", "አማርኛ", "Amharic")
    (reason,) = check_fonts_for(SETTINGS, [amharic]).values()
    assert reason == ("no font stack for the Ethi script of Amharic: add one to "
                      "[tool.leafpub.scripts] in pyproject.toml")


@pytest.mark.parametrize("locale, text, missing", [
    ("ko", "흉터 ع", ["ع"]),
    ("ar", "ندبات 你", ["你"]),
    ("hi", "निशान 😀", ["😀"]),
    ("vi", "Lăn kim có để lại sẹo không?", []),
    ("fa", "می\u200cگذارد", []),  # the zero-width non-joiner needs no glyph
])
def test_coverage_follows_each_languages_stack(locale, text, missing):
    assert GlyphCoverage(SETTINGS).missing(text, language_of(locale)) == missing


@pytest.mark.slow
def test_a_translation_with_a_character_its_fonts_lack_fails_with_language_message_and_character(tmp_path):
    project = make_project(tmp_path, broken_locale=False)
    (project / "translations/es/LC_MESSAGES/messages.po").unlink()
    translations = dict(SPANISH, **{"Wet your hands.": "Mójese las manos ✋."})
    path = write_catalog(project, "es", translations)
    report = build(project)
    problem, pack_problem, braille_problem = report.problems
    assert "braille (es-g1.ctb) does not translate back" in str(braille_problem)  # no braille of it either
    assert str(pack_problem) == "packs.toml:1: pack 'test-clinic' not rebuilt: hand-washing [es] did not build"
    line = next(number for number, text in enumerate(path.read_text().splitlines(), 1)
                if text == 'msgid "Wet your hands."')
    assert str(problem) == (
        f"translations/es/LC_MESSAGES/messages.po:{line}: Spanish: 'Mójese las manos ✋.' contains '✋' "
        "(U+270B RAISED HAND), which no font for Spanish has (Noto Sans)")
    assert {e["locale"] for e in report.manifest["leaflets"]} == {"en"}
