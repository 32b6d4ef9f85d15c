"""Leaflet + catalog -> HTML: translations are text; only the leaflet format's markup renders."""

import re

from fixture_texts import SPANISH

from helpers import write_catalog
from leafpub.catalogs import catalogs
from leafpub.render import templating
from leafpub.config import load_settings
from leafpub.content.content import load_leaflets
from leafpub.model import Clinic
from leafpub.variants import Format


def render_spanish(project, translations, clinic=None):
    catalogs.catalog_path(load_settings(project), "es").unlink()
    write_catalog(project, "es", translations)
    settings = load_settings(project)
    (leaflet,) = load_leaflets(settings).leaflets
    catalog = catalogs.load_catalog(settings, "es")
    return templating.leaflet_html(templating.make_environment(settings), settings, leaflet, catalog,
                                 format=Format("A4", "standard"), clinic=clinic, draft=True)


def test_html_lang_and_dir_come_from_the_locale(project):
    html = render_spanish(project, SPANISH)
    assert '<html lang="es" dir="ltr" class="variant-standard">' in html
    assert "<title>Lavarse las manos</title>" in html


def test_a_translation_containing_html_is_printed_as_text(project):
    hostile = dict(SPANISH)
    hostile["Wet your hands."] = '<img src="file:///etc/passwd"><script>alert(1)</script>'
    hostile["When to ask for help"] = '<a href="https://evil.example/">clic</a> {{ config }} {% raw %}'
    html = render_spanish(project, hostile)
    # The one image is the leaflet's own QR code, drawn from its address.
    (image,) = re.findall(r"<img [^>]*>", html)
    assert 'src="data:image/svg+xml;charset=utf-8,' in image and "<script" not in html and "<a href" not in html
    assert "&lt;img src=&quot;file:///etc/passwd&quot;&gt;&lt;script&gt;" in html
    assert "{{ config }} {% raw %}" in html  # template syntax is not evaluated


def test_bold_italic_and_web_addresses_are_the_only_markup_a_translator_can_use(project):
    """On paper a web address is text, written out after the link's text (a translation that adds
    one fails the check: test_checks)."""
    translations = dict(SPANISH)
    translations["Rinse and dry them."] = "Aclárelas y *séquelas* [enlace](http://x.example) `code` [m](mailto:a@b.c)"
    html = render_spanish(project, translations)
    assert "durante <strong>20 segundos</strong>." in html
    assert '<em>séquelas</em> enlace (<span class="url" dir="ltr">http://x.example</span>) `code` [m](mailto:a@b.c)' in html
    assert "<a " not in html and "<code>" not in html


def test_clinic_details_are_escaped_text(project):
    clinic = Clinic(name="<b>Evil</b> & Co", phone="+44 20 7946 0999")
    html = render_spanish(project, SPANISH, clinic=clinic)
    assert "&lt;b&gt;Evil&lt;/b&gt; &amp; Co" in html
    assert '<bdi class="clinic-text" dir="ltr">+44 20 7946 0999</bdi>' in html


def test_template_strings_translated_with_markup_are_escaped(project):
    settings = load_settings(project)
    path = catalogs.catalog_path(settings, "es")
    text = path.read_text(encoding="utf-8")
    start = text.index('msgid "Your clinic"')
    end = text.index("\n\n", start)
    path.write_text(text[:start] + 'msgid "Your clinic"\nmsgstr "<u>Su clínica</u>"' + text[end:],
                    encoding="utf-8")
    (leaflet,) = load_leaflets(settings).leaflets
    html = templating.leaflet_html(templating.make_environment(settings), settings, leaflet,
                                 catalogs.load_catalog(settings, "es"), format=Format("A4", "standard"), clinic=None,
                                 draft=False)
    assert "<h2>&lt;u&gt;Su clínica&lt;/u&gt;</h2>" in html


def test_review_dates_are_written_the_locales_way(project):
    html = render_spanish(project, SPANISH)
    assert "1 de octubre de 2027" in html


def render_in(project, locale, translations, record=None):
    catalogs.catalog_path(load_settings(project), locale).unlink(missing_ok=True)
    write_catalog(project, locale, translations)
    settings = load_settings(project)
    (leaflet,) = load_leaflets(settings).leaflets
    catalog = catalogs.load_catalog(settings, locale)
    return templating.leaflet_html(templating.make_environment(settings), settings, leaflet, catalog,
                                 format=Format("A4", "standard"), clinic=None, draft=True, record=record)


def test_an_english_term_kept_in_a_hindi_translation_is_marked_english(project):
    translations = {message: "हाथ धोना" for message in SPANISH}
    translations["Wet your hands."] = "हाथ गीले करें (*wet hands*), O'Brien & <b>"
    html = render_in(project, "hi", translations)
    assert ('हाथ गीले करें (<em><span lang="en">wet hands</span></em>), <span lang="en">O\'Brien</span> '
            '&amp; &lt;<span lang="en">b</span>&gt;') in html
    # In a language written in Latin letters, nothing is taken for English.
    assert 'lang="en"' not in render_spanish(project, SPANISH)


def test_every_message_shown_is_recorded_as_plain_text_for_the_text_gate(project):
    shown = []
    render_in(project, "es", SPANISH, record=shown)
    texts = dict(shown)
    assert texts["Use soap and warm water for **20 seconds**."] == "Use jabón y agua tibia durante 20 segundos."
    assert texts["Washing your hands"] == "Lavarse las manos"
    assert any("%(version)s" in text for text in texts.values())  # a template's message, before its values
