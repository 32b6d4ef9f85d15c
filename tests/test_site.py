"""The download page: valid, offline, every link resolves; and a clinic's use of it in Chromium."""

import hashlib
import http.server
import json
import os
import re
import shutil
import tempfile
import threading
import time
from functools import partial
from pathlib import Path

import html5lib
import pytest

import pipeline
from conftest import make_project
from leafpub.config import load_settings

# Where the browser test leaves its screenshot for a person to look at.
SCREENSHOT_DIR = Path(os.environ.get("SCREENSHOT_DIR", tempfile.gettempdir()))


def page_of(built):
    project, _ = built
    return project / "output", (project / "output" / "index.html").read_text(encoding="utf-8")


def test_the_page_is_valid_html(built):
    _, html = page_of(built)
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    document = parser.parse(html)  # raises on any parse error
    ids = [element.get("id") for element in document.iter() if element.get("id")]
    assert len(ids) == len(set(ids))
    images = [element for element in document.iter("img")]
    assert images and all(image.get("alt") for image in images)
    assert html.startswith("<!DOCTYPE html>\n<html lang=\"en\">")


def test_every_link_and_image_resolves_to_a_file_in_output(built):
    output, html = page_of(built)
    targets = re.findall(r'(?:href|src)="([^"#]+)"', html)
    assert targets
    for target in targets:
        assert not re.match(r"[a-z]+:", target), f"{target} would need a network"
        path = (output / target).resolve()
        assert path.is_file() and path.is_relative_to(output.resolve()), target


def test_every_published_language_and_file_is_listed_with_its_checksum(built):
    output, html = page_of(built)
    manifest = json.loads((output / "manifest.json").read_text())
    for entry in manifest["leaflets"] + manifest["packs"]:
        assert f'href="{entry["path"]}"' in html and entry["sha256"] in html
    assert '<span lang="es" dir="ltr">español</span>' in html
    assert "Draft translation: not yet reviewed by a qualified medical translator" in html
    assert "Riverside Health Centre" in html  # packs, by clinic


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
    html = (project / "output/index.html").read_text()
    assert "Outdated: an earlier version is shown" in html


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


def test_a_clinic_filters_to_one_language_and_downloads_its_pdf_in_chromium(served, tmp_path):
    """In Debian's Chromium, as a clinic would: open the page, type a language, follow a link."""
    from selenium import webdriver
    from selenium.webdriver.common.by import By

    if not shutil.which("chromium") or not shutil.which("chromedriver"):
        pytest.fail("Chromium is missing: `make test` installs chromium and chromium-driver")
    output, url = served
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1100,1300"):
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                              "download.prompt_for_download": False})
    service = webdriver.ChromeService(executable_path=shutil.which("chromedriver"))
    browser = webdriver.Chrome(options=options, service=service)
    try:
        browser.get(url)
        assert browser.title == "Patient information leaflets: downloads"
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
    finally:
        browser.quit()
