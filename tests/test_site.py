"""The download page: valid, offline, every link resolves; and a clinic's use of it in Chromium."""

import hashlib
import http.server
import json
import os
import re
import tempfile
import threading
import time
from functools import partial
from pathlib import Path

import html5lib
import pytest

import pipeline
from helpers import axe_violations, chromium, make_project, ROOT
from leafpub.catalogs import catalogs
from leafpub.config import load_settings

pytestmark = pytest.mark.slow  # every test here builds a whole project

# Where the browser test leaves its screenshot for a person to look at.
SCREENSHOT_DIR = Path(os.environ.get("SCREENSHOT_DIR", tempfile.gettempdir()))


def page_of(built):
    project, _ = built
    return project / "output", (project / "output" / "index.html").read_text(encoding="utf-8")


def site_pages(output: Path) -> list[Path]:
    """The front page and every leaflet's page."""
    return [output / "index.html", *sorted(output.glob("leaflets/*/index.html"))]


def test_the_pages_are_valid_html(built):
    output, html = page_of(built)
    pages = site_pages(output)
    assert len(pages) == 2
    for page in pages:
        text = page.read_text(encoding="utf-8")
        parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
        document = parser.parse(text)  # raises on any parse error
        ids = [element.get("id") for element in document.iter() if element.get("id")]
        assert len(ids) == len(set(ids))
        assert all(image.get("alt") for image in document.iter("img"))
        assert text.startswith("<!DOCTYPE html>\n<html lang=\"en\">")
    leaflet_page = pages[1].read_text(encoding="utf-8")
    assert leaflet_page.count("<img ") == 2  # a thumbnail per language


def test_every_link_and_image_resolves_to_a_file_in_output(built):
    output, _ = page_of(built)
    for page in site_pages(output):
        targets = re.findall(r'(?:href|src)="([^"#]+)"', page.read_text(encoding="utf-8"))
        assert targets
        for target in targets:
            assert not re.match(r"[a-z]+:", target), f"{target} would need a network"
            path = (page.parent / target).resolve()
            assert path.is_file() and path.is_relative_to(output.resolve()), (page, target)
    assert '<script src' not in html_of(output / "index.html")  # the search index is loaded when needed


def html_of(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def test_every_published_language_and_file_is_listed_with_its_checksum(built):
    output, html = page_of(built)
    manifest = json.loads((output / "manifest.json").read_text())
    leaflet_page = html_of(output / "leaflets/hand-washing/index.html")
    for entry in manifest["leaflets"]:
        name = entry["path"].rsplit("/", 1)[1]
        assert f'href="{name}"' in leaflet_page
        if entry["variant"] != "web":
            assert entry["sha256"] in leaflet_page
    for entry in manifest["packs"]:
        assert f'href="{entry["path"]}"' in html and entry["sha256"] in html
    assert '<span lang="es" dir="ltr">español</span>' in leaflet_page
    assert "Draft translation: not yet reviewed by a qualified medical translator" in leaflet_page
    assert "Riverside Health Centre" in html  # packs, by clinic
    assert '<a href="leaflets/hand-washing/index.html"><span class="title">Washing your hands</span></a>' in html
    assert "2 languages: English, Spanish" in " ".join(html.split())


def test_thumbnails_are_made_again_only_when_their_pdf_changes(tmp_path):
    project = make_project(tmp_path, broken_locale=False)
    settings = load_settings(project)
    pipeline.build(settings)
    thumbs = {path.name: path.stat().st_mtime_ns for path in (project / "output/thumbs").glob("*.png")}
    assert len(thumbs) == 2 and all((project / "output/thumbs" / name).stat().st_size < 30_000 for name in thumbs)
    pipeline.build(settings)
    assert {p.name: p.stat().st_mtime_ns for p in (project / "output/thumbs").glob("*.png")} == thumbs
    catalog = project / "translations/es/LC_MESSAGES/messages.po"
    catalog.write_text(catalog.read_text().replace("Lavarse las manos", "Lávese las manos"))
    pipeline.build(settings)
    after = {p.name for p in (project / "output/thumbs").glob("*.png")}
    assert len(after) == 2 and len(after & set(thumbs)) == 1  # only the Spanish one is new


def test_outdated_languages_are_marked(tmp_path):
    project = make_project(tmp_path, broken_locale=False)
    pipeline.build(load_settings(project))
    catalog = project / "translations/es/LC_MESSAGES/messages.po"
    catalog.write_text(catalog.read_text().replace('msgstr "Mójese las manos."', 'msgstr ""'))
    pipeline.build(load_settings(project))
    html = (project / "output/leaflets/hand-washing/index.html").read_text()
    assert html.count("Outdated: an earlier version is shown") == 1  # Spanish's PDFs
    # and, each on its own, its web version, its two braille files and its audio
    assert html.count("Outdated: an earlier version</span>") == 4
    spanish_audio = html[html.index('aria-labelledby="audio-es"'):]
    assert "Outdated: an earlier version</span>" in spanish_audio[:spanish_audio.index("</figcaption>")]


@pytest.fixture
def served(built):
    output, _ = page_of(built)
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(output))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield output, f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    server.server_close()


def test_a_clinic_filters_to_one_language_and_downloads_its_pdf_and_braille_in_chromium(served, tmp_path):
    """In Debian's Chromium, as a clinic would: open the page, type a language, follow a link."""
    from selenium.webdriver.common.by import By

    output, url = served
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    browser = chromium(tmp_path, width=1100, height=1300, downloads=downloads)
    try:
        browser.get(url)
        assert browser.title == "Patient information leaflets: downloads"
        browser.find_element(By.LINK_TEXT, "Washing your hands").send_keys("\n")  # the leaflet's page
        assert browser.title == "Washing your hands: every language and format"
        articles = browser.find_elements(By.CSS_SELECTOR, "article.language")
        assert len(articles) == 2 and all(article.is_displayed() for article in articles)
        box = browser.find_element(By.ID, "language-filter")
        box.send_keys("españ")  # by its own name
        visible = [a for a in articles if a.is_displayed()]
        assert [a.get_attribute("data-names") for a in visible] == ["spanish español es"]
        assert browser.find_element(By.ID, "filter-count").text == "1 of 2 shown"
        browser.save_screenshot(str(SCREENSHOT_DIR / "download-page-filtered.png"))
        box.clear()
        box.send_keys("Spanish")  # or by its English name
        assert [a.get_attribute("data-names") for a in articles if a.is_displayed()] == ["spanish español es"]
        link = visible[0].find_element(By.CSS_SELECTOR, 'a[href$="hand-washing.es.a4.pdf"]')
        link.send_keys("\n")  # keyboard, not mouse: the page must work without one
        target = downloads / "hand-washing.es.a4.pdf"
        for _ in range(100):
            if target.exists() and not list(downloads.glob("*.crdownload")):
                break
            time.sleep(0.1)
        assert target.read_bytes() == (output / "leaflets/hand-washing/hand-washing.es.a4.pdf").read_bytes()
        manifest = json.loads((output / "manifest.json").read_text())
        entry = next(e for e in manifest["leaflets"] if e["path"].endswith("hand-washing.es.a4.pdf"))
        assert hashlib.sha256(target.read_bytes()).hexdigest() == entry["sha256"]
        # The Spanish audio plays in the page, with its chapters from the WebVTT track.
        audio = next(e for e in manifest["formats"] if e["locale"] == "es" and e["kind"] == "audio")
        player = visible[0].find_element(By.CSS_SELECTOR, "audio")
        assert player.get_attribute("src").endswith("hand-washing.es.mp3")
        browser.execute_script("arguments[0].preload = 'auto'; arguments[0].load();"
                               "arguments[0].textTracks[0].mode = 'hidden';", player)
        for _ in range(100):
            state = browser.execute_script("var a = arguments[0], t = a.textTracks[0]; return [a.readyState, a.duration,"
                                           " t.kind, t.cues ? Array.from(t.cues).map(c => c.text) : null];", player)
            if state[0] >= 1 and state[3]:
                break
            time.sleep(0.1)
        assert state[0] >= 1 and abs(state[1] - audio["duration_ms"] / 1000) < 0.5, state
        assert state[2:] == ["chapters", [chapter["title"] for chapter in audio["chapters"]]]
        # English has braille: its BRF is offered beside the PDFs and downloads as the manifest says;
        # so has Spanish.
        spanish = visible[0].find_element(By.CSS_SELECTOR, 'a[data-kind="braille-brf"]')
        assert spanish.get_attribute("href").endswith("hand-washing.es.brf")
        box.clear()
        box.send_keys("English")
        english = [a for a in articles if a.is_displayed()]
        assert [a.get_attribute("data-names") for a in english] == ["english english en"]
        braille = english[0].find_element(By.CSS_SELECTOR, 'a[data-kind="braille-brf"]')
        assert braille.text == "Braille (BRF)" and braille.get_attribute("href").endswith("hand-washing.en.brf")
        braille.send_keys("\n")
        target = downloads / "hand-washing.en.brf"
        for _ in range(100):
            if target.exists() and not list(downloads.glob("*.crdownload")):
                break
            time.sleep(0.1)
        entry = next(e for e in manifest["formats"] if e["path"].endswith("hand-washing.en.brf"))
        assert hashlib.sha256(target.read_bytes()).hexdigest() == entry["sha256"]
    finally:
        browser.quit()


def many_leaflets(built, folder: Path, count: int = 100) -> tuple[Path, list[str]]:
    """A site of `count` generated leaflets (copies of the fixture's, each in English, Spanish
    and Arabic with a title of its own), and the Arabic word that names each."""
    from leafpub.web import site

    project, report = built
    source = project / "output"
    arabic = catalogs.load_catalog(load_settings(ROOT), "ar")
    words = sorted({word for text in arabic.strings.values() for word in text[0].split()
                    if len(word) >= 5 and word.isalpha()}, key=lambda w: (-len(w), w))
    unique = [word for word in words if not any(word in other for other in words if other != word)][:count]
    assert len(unique) == count
    output = folder / "output"
    (output / "thumbs").mkdir(parents=True)
    thumbnails = {p.name: p.read_bytes() for p in (source / "thumbs").glob("*.png")}
    entries = [e for e in report.manifest["leaflets"] if e["variant"] in ("web", "standard") and e.get("paper", "A4") == "A4"]
    leaflets = []
    for number, word in enumerate(unique):
        slug = f"leaflet-{number:03d}"
        (output / "leaflets" / slug).mkdir(parents=True)
        for entry in entries:
            for locale in {"en": ["en"], "es": ["es", "ar"]}[entry["locale"]]:
                title = {"en": f"Leaflet {number}: washing your hands", "es": f"Folleto {number}",
                         "ar": f"نشرة {word}"}[locale]
                name = entry["path"].rsplit("/", 1)[1].replace("hand-washing", slug).replace(
                    f".{entry['locale']}.", f".{locale}.")
                data = (source / entry["path"]).read_bytes()
                if entry["variant"] == "web":
                    data = re.sub(rb"<title>.*?</title>", f"<title>{title}</title>".encode(), data)
                (output / "leaflets" / slug / name).write_bytes(data)
                leaflets.append({**entry, "leaflet": slug, "locale": locale, "title": title,
                                 "path": f"leaflets/{slug}/{name}", "sha256": hashlib.sha256(data).hexdigest(),
                                 **({"language": "العربية", "language_english": "Arabic", "direction": "rtl"}
                                    if locale == "ar" else {})})
    for name, data in thumbnails.items():
        (output / "thumbs" / name).write_bytes(data)
    manifest = {"leaflets": leaflets, "packs": [], "problems": []}
    files = site.site_files(output, manifest, {}, {e["sha256"]: next(iter(thumbnails.values())) for e in leaflets})
    for path, data in files.items():
        (output / path).write_bytes(data)
    return output, unique


def test_a_visitor_finds_a_leaflet_by_its_arabic_title_among_100_and_reads_it_online(built, tmp_path):
    """In Chromium, 100 leaflets: search by an Arabic title, show the titles in Arabic, open
    the leaflet's page and its Arabic web version."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.select import Select


    output, words = many_leaflets(built, tmp_path)
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(output))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    browser = chromium(tmp_path, width=1000)
    try:
        browser.get(f"http://127.0.0.1:{server.server_port}/")
        items = browser.find_elements(By.CSS_SELECTOR, "#leaflets > li")
        assert len(items) == 100 and all(item.is_displayed() for item in items)
        search = browser.find_element(By.ID, "leaflet-search")
        search.send_keys(words[57])  # a word of one leaflet's Arabic title
        for _ in range(50):  # the titles' index is loaded on the first search
            if browser.find_element(By.ID, "search-count").text:
                break
            time.sleep(0.1)
        assert browser.find_element(By.ID, "search-count").text == "1 of 100 leaflets"
        (shown,) = [item for item in items if item.is_displayed()]
        assert shown.get_attribute("data-slug") == "leaflet-057"
        Select(browser.find_element(By.ID, "title-language")).select_by_value("ar")
        title = shown.find_element(By.CSS_SELECTOR, ".title")
        assert title.text == f"نشرة {words[57]}" and title.get_attribute("lang") == "ar"
        assert title.get_attribute("dir") == "rtl"
        browser.save_screenshot(str(SCREENSHOT_DIR / "download-site-search.png"))
        shown.find_element(By.CSS_SELECTOR, "h2 a").send_keys("\n")  # keyboard: to the leaflet's page
        assert browser.title == "Leaflet 57: washing your hands: every language and format"
        browser.find_element(By.PARTIAL_LINK_TEXT, "Read online in Arabic").send_keys("\n")
        assert browser.current_url.endswith("/leaflets/leaflet-057/leaflet-057.ar.html")
        assert browser.title == f"نشرة {words[57]}"
        # The choice of language is remembered on the next visit.
        browser.get(f"http://127.0.0.1:{server.server_port}/")
        for _ in range(50):
            if browser.find_elements(By.CSS_SELECTOR, '#leaflets .title[lang="ar"]'):
                break
            time.sleep(0.1)
        assert browser.find_elements(By.CSS_SELECTOR, "#leaflets .title")[57].text == f"نشرة {words[57]}"
    finally:
        browser.quit()
        server.shutdown()
        server.server_close()


def test_the_site_pages_pass_axe_wcag_21_aa(built, tmp_path):

    output, _ = page_of(built)
    browser = chromium(tmp_path, width=1000)
    try:
        for page in site_pages(output):
            result = axe_violations(browser, page.as_uri())
            assert result["violations"] == [], (page, result)
            assert result["passes"] >= 10
    finally:
        browser.quit()


def test_titles_reach_the_search_index_as_text(built):
    from leafpub.web import site

    project, report = built
    hostile = '</script><script>alert(1)</script> "quoted" \u2028 & more'
    manifest = {**report.manifest, "leaflets": [{**e, "title": hostile} if e["locale"] == "es" else e
                                                for e in report.manifest["leaflets"]]}
    files = site.site_files(project / "output", manifest, {})
    script = files[site.SEARCH_INDEX].decode("utf-8")
    assert "<" not in script and ">" not in script and "\u2028" not in script
    prefix = "window.leafletTitles = "
    assert script.startswith(prefix) and script.endswith(";\n")
    assert json.loads(script[len(prefix):-2])["hand-washing"]["es"] == hostile
    assert "&lt;/script&gt;&lt;script&gt;" in files["leaflets/hand-washing/index.html"].decode("utf-8")


@pytest.mark.parametrize("languages, shown", [("ar-EG,ar", "ar"), ("en-US,en", "en")])
def test_a_first_visit_shows_the_titles_in_the_browsers_language(built, tmp_path, languages, shown):
    from selenium.webdriver.common.by import By


    output, words = many_leaflets(built, tmp_path, count=3)
    browser = chromium(tmp_path, width=1000, languages=languages)
    try:
        browser.get((output / "index.html").as_uri())
        expected = {"ar": f"نشرة {words[1]}", "en": "Leaflet 1: washing your hands"}[shown]
        for _ in range(50):
            if browser.find_elements(By.CSS_SELECTOR, "#leaflets .title")[1].text == expected:
                break
            time.sleep(0.1)
        title = browser.find_elements(By.CSS_SELECTOR, "#leaflets .title")[1]
        assert title.text == expected and (title.get_attribute("lang") or "en") == shown
    finally:
        browser.quit()


def test_without_its_search_index_the_front_page_still_finds_a_leaflet_by_its_title(built, tmp_path):
    from selenium.webdriver.common.by import By

    from leafpub.web import site

    output, _ = many_leaflets(built, tmp_path, count=3)
    (output / site.SEARCH_INDEX).unlink()
    browser = chromium(tmp_path, width=1000)
    try:
        browser.get((output / "index.html").as_uri())
        browser.find_element(By.ID, "leaflet-search").send_keys("Leaflet 2")
        for _ in range(50):
            if browser.find_element(By.ID, "search-count").text:
                break
            time.sleep(0.1)
        assert browser.find_element(By.ID, "search-count").text == "1 of 3 leaflets"
    finally:
        browser.quit()
