"""Locale code -> language facts from CLDR: tags, direction, script, names, digits, plurals."""

import re
import subprocess

import pytest
from babel.messages.plurals import get_plural

from helpers import read_po_file, ROOT
from leafpub.catalogs import catalogs
from leafpub.render import templating
from leafpub.config import load_settings
from leafpub.languages import UnknownLanguage, counter_style, language_of, localize_digits

SHIPPED = ["en", *catalogs.discover_locales(load_settings(ROOT))]


def test_the_fifteen_languages_are_shipped():
    assert sorted(SHIPPED) == sorted(["en", "es", "fr", "de", "pt_BR", "pl", "ro", "uk", "tr", "vi",
                                      "ar", "fa", "hi", "zh_Hans", "ko"])


@pytest.mark.parametrize("locale, tag, direction, script, native", [
    ("en", "en", "ltr", "Latn", "English"),
    ("pt_BR", "pt-BR", "ltr", "Latn", "português (Brasil)"),
    ("uk", "uk", "ltr", "Cyrl", "українська"),
    ("ar", "ar", "rtl", "Arab", "العربية"),
    ("fa", "fa", "rtl", "Arab", "فارسی"),
    ("hi", "hi", "ltr", "Deva", "हिन्दी"),
    ("zh_Hans", "zh-Hans", "ltr", "Hans", "中文 (简体)"),
    ("ko", "ko", "ltr", "Kore", "한국어"),
])
def test_language_facts_come_from_cldr(locale, tag, direction, script, native):
    language = language_of(locale)
    assert (language.tag, language.direction, language.script, language.native_name) == (
        tag, direction, script, native)


def test_an_unknown_locale_is_refused():
    with pytest.raises(UnknownLanguage):
        language_of("xx_NOWHERE")


def test_persian_uses_persian_digits_and_arabic_keeps_cldrs_western_digits():
    persian, arabic = language_of("fa"), language_of("ar")
    assert localize_digits("23 نوامبر 2027", persian) == "۲۳ نوامبر ۲۰۲۷"
    assert counter_style(persian) == "persian"
    # CLDR's default numbering system for Arabic without a region is "latn".
    assert arabic.numbering == "latn" and localize_digits("2027", arabic) == "2027"
    assert counter_style(language_of("en")) == "decimal"


@pytest.mark.parametrize("locale", SHIPPED[1:])
def test_each_catalog_has_the_language_and_plural_rule_cldr_gives(locale):
    path = catalogs.catalog_path(load_settings(ROOT), locale)
    catalog = read_po_file(path)
    assert catalog.locale_identifier == locale
    # The gettext rule Babel (and pybabel init) use for the language.
    rule = get_plural(locale)
    assert catalog.plural_forms == f"nplurals={rule.num_plurals}; plural={rule.plural_expr};"
    result = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(path)], capture_output=True,
                            text=True)
    assert result.returncode == 0 and result.stderr == ""


@pytest.mark.parametrize("locale, expected", [
    ("pl", {1: "1 strona", 2: "2 strony", 5: "5 stron", 22: "22 strony"}),
    ("ar", {1: "1 صفحة", 2: "2 صفحتان", 5: "5 صفحات", 22: "22 صفحة"}),
])
def test_plural_forms_on_a_pack_cover(locale, expected):
    """The pluralised cover string, rendered through the real template with the shipped catalog."""
    settings = load_settings(ROOT)
    catalog = catalogs.load_catalog(settings, locale)
    from leafpub.model import Clinic, Pack

    pack = Pack(id="p", title="T", clinic=Clinic(name="C"), leaflets=("x",), locales=(locale,),
                paper="A4", line=1)
    for count, words in expected.items():
        entry = templating.ContentsEntry(catalog.language, "title", 3, count)
        from datetime import date

        html = templating.pack_cover_html(templating.make_environment(settings), settings, pack, catalog,
                                        [entry], created=date(2026, 1, 1))
        shown = re.search(r'<span class="page-count">\((.*?)\)</span>', html).group(1)
        assert shown == words
