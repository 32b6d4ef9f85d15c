"""Each leaflet's web version (leafpub/web/web.py): one HTML page per leaflet and language, valid
(the W3C's Nu Html Checker), accessible (axe-core's WCAG 2.1 AA rules in Chromium), in its
language and direction, with the marks of the paper, and links that resolve."""

import html
import json
import re
import subprocess
from functools import cache
from pathlib import Path

import pytest
from html5lib import HTMLParser

from helpers import axe_violations, chromium, make_elements_project, ROOT, web_tool
from leafpub.catalogs import catalogs
from leafpub.content import content
from leafpub.plan import incremental
from leafpub import online
from leafpub.render import templating
from leafpub.web import web
from leafpub.config import load_settings
from leafpub.languages import language_of

SETTINGS = load_settings(ROOT)


def web_entries(manifest: dict) -> list[dict]:
    return [entry for entry in manifest["leaflets"] if entry["variant"] == "web"]


@cache
def shipped_web_page(locale: str, overdue: bool = False) -> str:
    """The shipped leaflet's web version in `locale`, every PDF taken as published."""
    leaflet = content.load_leaflets(SETTINGS).leaflets[0]
    catalog = catalogs.source_catalog(SETTINGS) if locale == "en" else catalogs.load_catalog(SETTINGS, locale)
    others = [language_of(other) for other in ("en", "ar", "zh_Hans") if other != locale]
    published = {f"leaflets/{leaflet.slug}/{leaflet.slug}.{locale}.a4.pdf"}
    document = web.web_page_html(SETTINGS, templating.make_environment(SETTINGS), leaflet, catalog, overdue=overdue,
                              published=published, others=others, inputs=incremental.Inputs(SETTINGS, ()), previous={})
    return document.html.decode("utf-8")


def elements_web_pages(folder: Path) -> list[Path]:
    """The second fixture leaflet (steps, a table, a figure and a box) as web pages in English,
    Arabic and Chinese, written into folder."""
    settings = load_settings(make_elements_project(folder))
    leaflet = content.load_leaflets(settings).leaflets[0]
    pages = []
    for locale in ("en", "ar", "zh_Hans"):
        catalog = catalogs.source_catalog(settings) if locale == "en" else catalogs.load_catalog(settings, locale)
        document = web.web_page_html(settings, templating.make_environment(settings), leaflet, catalog, overdue=False,
                                  published={f"leaflets/{leaflet.slug}/{leaflet.slug}.{locale}.a4.pdf"}, others=[],
                                  inputs=incremental.Inputs(settings, ()), previous={})
        pages.append(folder / f"elements.{locale}.html")
        pages[-1].write_bytes(document.html)
    return pages


@pytest.mark.slow
def test_every_published_leaflet_and_language_has_its_web_version(built):
    project, report = built
    pdfs = {(e["leaflet"], e["locale"]) for e in report.manifest["leaflets"] if e["variant"] != "web"}
    pages = web_entries(report.manifest)
    assert {(e["leaflet"], e["locale"]) for e in pages} == pdfs == {("hand-washing", "en"), ("hand-washing", "es")}
    for entry in pages:
        assert entry["path"] == online.web_path(entry["leaflet"], entry["locale"])
        page = (project / "output" / entry["path"]).read_text(encoding="utf-8")
        assert f"<title>{html.escape(entry['title'])}</title>" in page
    spanish = (project / "output" / online.web_path("hand-washing", "es")).read_text(encoding="utf-8")
    assert "Mójese las manos." in spanish and "<strong>20 segundos</strong>" in spanish


@pytest.mark.parametrize("locale, tag, direction", [("pt_BR", "pt-BR", "ltr"), ("zh_Hans", "zh-Hans", "ltr"),
                                                     ("ar", "ar", "rtl"), ("fa", "fa", "rtl"), ("en", "en", "ltr")])
def test_the_page_carries_its_language_as_a_bcp47_tag_and_its_direction(locale, tag, direction):
    page = shipped_web_page(locale)
    assert page.startswith(f'<!DOCTYPE html>\n<html lang="{tag}" dir="{direction}">')


def test_other_languages_are_named_in_their_own_language_and_script():
    page = shipped_web_page("en")
    assert ('<a href="microneedling-scars.ar.html" hreflang="ar" lang="ar" dir="rtl">العربية</a>' in page)
    assert 'hreflang="zh-Hans" lang="zh-Hans" dir="ltr">中文 (简体)</a>' in page
    assert "microneedling-scars.en.html" not in page  # not itself


def test_a_draft_and_an_overdue_leaflet_are_marked_as_on_paper():
    arabic, english = shipped_web_page("ar"), shipped_web_page("en")
    draft = catalogs.load_catalog(SETTINGS, "ar").translations.gettext(
        "Draft translation — not yet reviewed by a qualified medical translator")
    assert html.escape(draft) in arabic and "Draft translation" not in english
    assert "Review overdue" not in english
    assert "Review overdue: check with the clinic that this advice is still current" in shipped_web_page("en", True)


def test_headings_go_in_order_without_skipping_a_level():
    for locale in ("en", "ar"):
        levels = [int(level) for level in re.findall(r"<h([1-6])[ >]", shipped_web_page(locale))]
        assert levels[0] == 1 and levels.count(1) == 1
        assert all(later - earlier <= 1 for earlier, later in zip(levels, levels[1:])), levels


@pytest.mark.slow
def test_no_script_style_font_or_image_comes_from_elsewhere(built):
    project, report = built
    for entry in web_entries(report.manifest):
        page = (project / "output" / entry["path"]).read_text(encoding="utf-8")
        document = HTMLParser(strict=True, namespaceHTMLElements=False).parse(page)
        assert not [e for e in document.iter() if e.tag in ("script", "link", "img", "iframe", "object")]
        assert "url(" not in page and "@import" not in page and "http" not in page.lower().replace(
            "https://leaflets.example.org", "")
        for target in re.findall(r'href="([^"#]+)', page):  # every link is a published file beside it (#t=: a time in it)
            assert (project / "output" / Path(entry["path"]).parent / target).is_file(), target


@pytest.mark.slow
def test_the_web_versions_are_valid_html_by_the_nu_html_checker(built, tmp_path):
    project, report = built
    pages = [project / "output" / entry["path"] for entry in web_entries(report.manifest)]
    for locale in ("ar", "zh_Hans", "fa"):
        page = tmp_path / f"shipped.{locale}.html"
        page.write_text(shipped_web_page(locale), encoding="utf-8")
        pages.append(page)
    pages += elements_web_pages(tmp_path)
    result = subprocess.run(["java", "-jar", str(web_tool("vnu-jar/build/dist/vnu.jar")), "--format", "json",
                             *map(str, pages)], capture_output=True, text=True)
    messages = json.loads(result.stderr)["messages"]
    assert [m for m in messages if m["type"] != "info"] == [] and result.returncode == 0
    # and it does find errors: the same page without its title
    broken = tmp_path / "broken.html"
    broken.write_text(re.sub(r"<title>.*?</title>", "", shipped_web_page("en")), encoding="utf-8")
    result = subprocess.run(["java", "-jar", str(web_tool("vnu-jar/build/dist/vnu.jar")), "--errors-only",
                             str(broken)], capture_output=True, text=True)
    assert result.returncode == 1 and "title" in result.stderr


@pytest.mark.slow
def test_the_web_versions_pass_axe_wcag_21_aa_and_fit_a_phone(built, tmp_path):
    project, report = built
    for locale in ("ar", "zh_Hans"):
        (tmp_path / f"shipped.{locale}.html").write_text(shipped_web_page(locale), encoding="utf-8")
    browser = chromium(tmp_path)
    try:
        for page in [*(project / "output" / e["path"] for e in web_entries(report.manifest)),
                     tmp_path / "shipped.ar.html", tmp_path / "shipped.zh_Hans.html", *elements_web_pages(tmp_path)]:
            result = axe_violations(browser, page.as_uri())
            assert result["violations"] == [] and result["incomplete"] == [], (page.name, result)
            assert result["passes"] >= 10  # contrast, language, headings, lists, links... were checked
            # On a phone 390 pixels wide nothing runs off the side of the page.
            assert browser.execute_script("return window.innerWidth") == 390
            assert browser.execute_script("return document.documentElement.scrollWidth") <= 390
        # and it does find a violation: text too faint to read
        browser.execute_script("document.querySelector('p').style.color = '#bbbbbb'")
        faint = browser.execute_async_script(
            "var done = arguments[arguments.length - 1];"
            "axe.run(document, {runOnly: {type: 'rule', values: ['color-contrast']}}).then(function (r) {"
            "  done(r.violations.map(function (v) { return v.id; })); });")
        assert faint == ["color-contrast"]
    finally:
        browser.quit()
