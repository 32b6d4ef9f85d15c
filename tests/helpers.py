"""What the tests share: the fixture project, catalogs, PDFs read back, XLIFF, a server, Chromium.

The fixture project (tests/data/project) is written by hand: a small leaflet of its own, its
translation template and a complete Spanish catalog (the leaflet's messages and the templates'
own), and a deliberately broken French one (tests/data/broken). It uses the real templates,
babel.cfg and pyproject.toml settings, so a change to the templates' messages is a change to the
fixture's catalogs too. Fixtures (pytest's) are in conftest.py; the translations the tests write
are in fixture_texts.py.
"""

from __future__ import annotations

import http.server
import io
import os
import shutil
import subprocess
import threading
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

import pipeline
from fixture_texts import ARABIC, CHINESE
from leafpub.catalogs import catalogs
from leafpub.config import load_settings

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SPANISH_PO = "translations/es/LC_MESSAGES/messages.po"  #: the fixture's Spanish catalog, as problems name it


# -- the fixture project --------------------------------------------------------------

def make_project(folder: Path, *, broken_locale: bool = True) -> Path:
    """Copy the fixture project into folder, with the real templates and settings."""
    project = folder / "project"
    shutil.copytree(DATA / "project", project)
    for name in ("pyproject.toml", "babel.cfg"):
        shutil.copy(ROOT / name, project / name)
    shutil.copytree(ROOT / "templates", project / "templates")
    if broken_locale:
        broken = project / "translations/fr/LC_MESSAGES/messages.po"
        broken.parent.mkdir(parents=True)
        shutil.copy(DATA / "broken" / "messages.po", broken)
    return project


def make_elements_project(folder: Path) -> Path:
    """The fixture project with only the second leaflet (skin-biopsy, with its figure), in
    English, Arabic and Chinese, and no pack."""
    project = make_project(folder, broken_locale=False)
    (project / "leaflets" / "hand-washing.md").unlink()
    shutil.rmtree(project / "translations" / "es")
    (project / "packs.toml").write_text("", encoding="utf-8")
    shutil.copytree(DATA / "elements" / "leaflets", project / "leaflets", dirs_exist_ok=True)
    settings = load_settings(project)
    catalogs.extract(settings)
    write_catalog(project, "ar", ARABIC)
    write_catalog(project, "zh_Hans", CHINESE)
    return project


def build(project: Path, **options):
    """The whole build of `project` (pipeline.build's options: today, workers, ...)."""
    return pipeline.build(load_settings(project), **options)


def run_cli(project: Path, *args: str, capsys) -> tuple[int, str, str]:
    """`pipeline.py --project project *args` in this process: (exit status, stdout, stderr)."""
    capsys.readouterr()
    status = pipeline.main(["--project", str(project), *args])
    out, err = capsys.readouterr()
    return status, out, err


# -- catalogs -------------------------------------------------------------------------

def read_po_file(path: Path):
    with path.open("rb") as po:
        return read_po(po)


def write_catalog(project: Path, locale: str, translations: dict[str, str]) -> Path:
    """A complete catalog: the given translations, and the shipped ones for template strings."""
    settings = load_settings(project)
    path = catalogs.init_catalog(settings, locale)
    shipped_path = catalogs.catalog_path(load_settings(ROOT), locale)
    shipped = read_po_file(shipped_path) if shipped_path.exists() else None
    catalog = read_po_file(path)
    for message in list(catalog)[1:]:
        key = catalogs.singular_of(message.id)
        if key in translations:
            message.string = translations[key]
        elif shipped is not None and shipped.get(message.id) is not None:
            message.string = shipped.get(message.id).string
    catalogs.write_catalog(path, catalog)
    return path


def edit(path: Path, old: str, new: str) -> str:
    """Replace the first `old` in the file (which must be there) by `new`; the text before."""
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text


def edit_catalog(project: Path, old: str, new: str, locale: str = "es") -> str:
    """edit() on a locale's catalog, as a translator's text editor would."""
    return edit(catalogs.catalog_path(load_settings(project), locale), old, new)


def line_of(where: Path | str, fragment: str) -> int:
    """The number (from 1) of the first line of a file, or of a text, that contains `fragment`."""
    text = where.read_text(encoding="utf-8") if isinstance(where, Path) else where
    return next(number for number, line in enumerate(text.splitlines(), 1) if fragment in line)


def msgid_line(catalog: Path, msgid: str) -> int:
    """The line of a one-line `msgid "..."` in a .po file."""
    return catalog.read_text(encoding="utf-8").splitlines().index(f'msgid "{msgid}"') + 1


# -- the manifest ---------------------------------------------------------------------

def standard_entries(manifest: dict) -> list[dict]:
    """The manifest's entries for the standard A4 leaflets (one per leaflet and language)."""
    return [e for e in manifest["leaflets"] if e["variant"] == "standard" and e["paper"] == "A4"]


def standard_entry(manifest: dict, locale: str) -> dict:
    return next(e for e in standard_entries(manifest) if e["locale"] == locale)


# -- PDFs -----------------------------------------------------------------------------

def html_page(body: str, lang: str = "en", direction: str = "ltr", family: str = "Noto Sans", head: str = "") -> str:
    """A document for the renderer alone: the leaflet stylesheet, one font family, `body`."""
    return (f'<!DOCTYPE html><html lang="{lang}" dir="{direction}"><head><meta charset="utf-8">'
            f'<title>Test</title><link rel="stylesheet" href="leaflet.css">{head}</head>'
            f'<body style="font-family: \'{family}\'">{body}</body></html>')


@cache
def shipped_leaflet(locale: str, variant: str = "standard", paper: str = "A4",
                    reserved: bool = False) -> tuple[bytes, tuple]:
    """The shipped leaflet in `locale` as the build renders it, and what it prints; `reserved`:
    as a pack's leaflet, its contact box left empty (a standard pack's is a "pack-part")."""
    from leafpub.content import content
    from leafpub.variants import Format
    from leafpub.pdf.pdf import PdfRenderer
    from leafpub.render import documents, templating

    settings = load_settings(ROOT)
    leaflet = content.load_leaflets(settings).leaflets[0]
    catalog = catalogs.source_catalog(settings) if locale == "en" else catalogs.load_catalog(settings, locale)
    shown: list = []
    html = templating.leaflet_html(templating.make_environment(settings), settings, leaflet, catalog,
                                 format=Format(paper, "standard" if variant == "pack-part" else variant),
                                 clinic=None, draft=True, reserved=reserved, record=shown)
    data = PdfRenderer(settings).render(html, source="test", variant=variant, locale=locale).data
    return data, tuple(documents.shown_texts(leaflet, catalog, shown))


def pdf_text(path: Path, raw: bool = False) -> str:
    """The text a reader would copy out of the PDF (poppler's pdftotext); `raw` keeps the
    drawing order, which is what rotated text (a watermark) needs."""
    return subprocess.run(["pdftotext", "-enc", "UTF-8", *(["-raw"] if raw else []), str(path), "-"],
                          check=True, capture_output=True, text=True).stdout


def plain(text: str) -> str:
    """Text to compare: pdftotext wraps right-to-left runs in bidi controls and drops
    zero-width non-joiners, so both sides lose those and runs of white space."""
    invisible = dict.fromkeys(map(ord, "\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                                       "\u2066\u2067\u2068\u2069"))
    return " ".join(text.translate(invisible).split())


def pdf_fonts(path: Path) -> list[dict]:
    """pdffonts' table: name, and whether each font is embedded."""
    lines = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True,
                           text=True).stdout.splitlines()[2:]
    fonts = []
    for line in lines:
        fields = line.split()
        # name type... emb sub uni object generation
        fonts.append({"name": fields[0], "embedded": fields[-5] == "yes"})
    return fonts


def broken_text_map(data: bytes, wrong: str, right: str) -> bytes:
    """The PDF with every glyph that reads as `right` made to read as `wrong`."""
    import pikepdf

    from leafpub.fontmaps import parse_to_unicode, to_unicode_cmap

    pdf = pikepdf.open(io.BytesIO(data))
    for font in pdf.objects:
        if isinstance(font, pikepdf.Dictionary) and "/ToUnicode" in font:
            text = dict(parse_to_unicode(font.ToUnicode.read_bytes()))
            text = {glyph: (wrong.encode("utf-16-be").hex().encode() if code == right.encode("utf-16-be").hex().encode()
                            else code) for glyph, code in text.items()}
            font.ToUnicode = pdf.make_stream(to_unicode_cmap(text))
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


#: A 1080p camera frame (65 degrees across) of a page 50 cm away: about 76 dots per inch.
ARMS_LENGTH_DPI = 76
HAND_HELD_BLUR = 1.0  # pixels: the softness of a hand-held phone's picture


def codes_on(data: bytes, dpi: float = ARMS_LENGTH_DPI, blur: float = HAND_HELD_BLUR) -> list[tuple[int, str, float]]:
    """(page from 1, text, side in mm) of every QR code a camera would read on each page."""
    import pypdfium2
    import zxingcpp
    from PIL import ImageFilter

    document = pypdfium2.PdfDocument(data)
    found = []
    for number in range(len(document)):
        image = document[number].render(scale=dpi / 72).to_pil().convert("L").filter(ImageFilter.GaussianBlur(blur))
        for code in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode):
            position = code.position
            side_px = abs(position.top_right.x - position.top_left.x)
            found.append((number + 1, code.text, side_px / dpi * 25.4))
    document.close()
    return found


# -- XLIFF, as an agency's CAT tool edits it ----------------------------------------------

NS = {"x": "urn:oasis:names:tc:xliff:document:1.2"}


def export(project: Path, locale: str, output: Path) -> Path:
    from lxml import etree

    assert pipeline.main(["--project", str(project), "export", locale, "--format", "xliff", "-o", str(output)]) == 0
    if project == ROOT:  # the shipped project keeps no record of a test's export
        phase = etree.parse(str(output)).getroot().find("x:file/x:header/x:phase-group/x:phase", NS)
        record = ROOT / "translations/exports" / f"{phase.get('job-id')}.json"
        record.unlink()
        if not any(record.parent.iterdir()):
            record.parent.rmdir()
    return output


def unit_of(root, english: str):
    """The trans-unit whose source reads `english` (inline codes as their text)."""
    return next(unit for unit in root.iterfind(".//x:trans-unit", NS)
                if "".join(unit.find("x:source", NS).itertext()) == english)


def set_target(path: Path, english: str, text: str, **attributes) -> str:
    """Change one unit's target as a CAT tool would (inline codes dropped); returns the unit's id."""
    from lxml import etree

    root = etree.parse(str(path)).getroot()
    unit = unit_of(root, english)
    target = unit.find("x:target", NS)
    for child in list(target):
        target.remove(child)
    target.text = text
    for name, value in attributes.items():
        (target if name == "state" else unit).set(name, value)
    path.write_bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
    return unit.get("id")


# -- the network and the browser ----------------------------------------------------------

@contextmanager
def counting_server():
    """A web server on 127.0.0.1 that records every request: (its base URL, the paths hit)."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    # shutdown() waits for the loop's next look at its flag: every 10 ms, not the default 0.5 s
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", hits
    finally:
        server.shutdown()
        server.server_close()


#: The web page checkers `make test` installs from the npm registry (axe-core, the Nu Html Checker).
WEB_TOOLS = Path(os.environ.get("WEB_TOOLS", ROOT / ".venv/web-tools"))
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def web_tool(relative: str) -> Path:
    path = WEB_TOOLS / "node_modules" / relative
    if not path.is_file():
        pytest.fail(f"{path} is missing: `make test` installs the web page checkers")
    return path


def chromium(tmp_path: Path, width: int = 390, languages: str = "en-GB,en", height: int = 900,
             downloads: Path | None = None):
    """Debian's Chromium, headless, at a phone's width, its reader's languages `languages`;
    what it downloads goes into `downloads`."""
    from selenium import webdriver

    if not shutil.which("chromium") or not shutil.which("chromedriver"):
        pytest.fail("Chromium is missing: `make test` installs chromium and chromium-driver")
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 f"--user-data-dir={tmp_path / 'profile'}", f"--window-size={width},{height}"):
        options.add_argument(flag)
    options.add_argument(f"--lang={languages.split(',')[0]}")
    preferences = {"intl.accept_languages": languages}
    if downloads is not None:
        preferences.update({"download.default_directory": str(downloads), "download.prompt_for_download": False})
    options.add_experimental_option("prefs", preferences)
    browser = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=shutil.which("chromedriver")))
    if width < 500:  # narrower than a desktop window may be: the phone's screen, emulated
        browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                {"width": width, "height": 844, "deviceScaleFactor": 3, "mobile": True})
    return browser


def axe_violations(browser, url: str) -> dict:
    """axe-core's WCAG 2.1 A and AA rules on the page at url: violations, and the rules it
    could not decide."""
    browser.get(url)
    browser.execute_script(web_tool("axe-core/axe.min.js").read_text(encoding="utf-8"))
    return browser.execute_async_script(
        "var done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}}).then(function (r) {"
        "  done({violations: r.violations.map(function (v) { return [v.id, v.nodes.length]; }),"
        "        incomplete: r.incomplete.map(function (v) { return v.id; }), passes: r.passes.length}); });",
        WCAG_21_AA)
