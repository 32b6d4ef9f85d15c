"""HTML -> PDF: pinned fonts only, no fetching outside the templates folder, warnings fail."""

import io

import pytest
from pypdf import PdfReader

from conftest import ROOT, counting_server, pdf_fonts
from leafpub.config import load_settings
from leafpub.pdf import PdfRenderer, make_asset_fetcher
from leafpub.problems import ProblemError

SETTINGS = load_settings(ROOT)


@pytest.fixture(scope="module")
def renderer():
    return PdfRenderer(SETTINGS)


def page(body, lang="en", direction="ltr", head=""):
    return (f'<!DOCTYPE html><html lang="{lang}" dir="{direction}"><head><meta charset="utf-8">'
            f'<title>Test</title><link rel="stylesheet" href="leaflet.css">{head}</head>'
            f'<body style="font-family: \'Noto Sans\'">{body}</body></html>')


def test_renders_a_tagged_pdf_with_lang_title_and_embedded_fonts(renderer, tmp_path):
    pdf = renderer.render(page("<p>Hello</p>", lang="es"), source="test.html")
    reader = PdfReader(io.BytesIO(pdf.data))
    assert reader.trailer["/Root"]["/Lang"] == "es"
    assert reader.metadata.title == "Test"
    assert "/StructTreeRoot" in reader.trailer["/Root"]
    assert pdf.pages == len(reader.pages) == 1
    (tmp_path / "t.pdf").write_bytes(pdf.data)
    fonts = pdf_fonts(tmp_path / "t.pdf")
    assert fonts and all(font["embedded"] for font in fonts)
    assert all("Noto" in font["name"] for font in fonts)


def test_a_character_no_pinned_font_has_is_a_problem_not_a_box(renderer):
    with pytest.raises(ProblemError) as raised:
        renderer.render(page("<p>Smile 😀</p>"), source="translations/es/LC_MESSAGES/messages.po",
                        locale="es")
    problem = raised.value.problems[0]
    assert problem.path == "translations/es/LC_MESSAGES/messages.po" and problem.locale == "es"
    assert "U+1F600" in problem.message


def test_fonts_outside_the_pinned_set_cannot_be_used(renderer, tmp_path):
    # DejaVu is installed on the machine but not pinned: asking for it falls back to the pinned stack.
    pdf = renderer.render(page('<p style="font-family: \'DejaVu Sans\'">Hello</p>'), source="t")
    (tmp_path / "t.pdf").write_bytes(pdf.data)
    assert not any("DejaVu" in font["name"] for font in pdf_fonts(tmp_path / "t.pdf"))


@pytest.mark.parametrize("url", [
    "file:///etc/passwd",
    "file:///work/../etc/hostname",
    "../pyproject.toml",
    "http://127.0.0.1:9/x.png",
    "ftp://example.org/x.png",
    "file:///dev/zero",
])
def test_local_files_and_urls_outside_the_templates_are_refused(renderer, url):
    with pytest.raises(ProblemError) as raised:
        renderer.render(page(f'<img src="{url}" alt="x">'), source="t")
    assert "rendering failed" in str(raised.value)


def test_no_request_reaches_a_server(renderer):
    """A URL in the HTML is refused before any connection is made."""
    with counting_server() as (url, hits):
        with pytest.raises(ProblemError):
            renderer.render(page(f'<img src="{url}/img.png" alt="x">',
                                 head=f'<link rel="stylesheet" href="{url}/s.css">'), source="t")
    assert hits == []


def test_the_fetcher_serves_files_inside_the_templates_folder_and_data_urls():
    fetcher = make_asset_fetcher(SETTINGS.root, SETTINGS.templates_dir)
    css = fetcher.fetch((SETTINGS.templates_dir / "leaflet.css").as_uri())
    assert css.content_type == "text/css" and b"@page" in css.read()
    assert fetcher.fetch("data:text/plain,hello").read() == b"hello"
    with pytest.raises(ValueError, match="refused"):
        fetcher.fetch((ROOT / "pyproject.toml").as_uri())


def test_a_symlink_out_of_the_templates_folder_is_refused(tmp_path):
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "logo.png").symlink_to("/etc/passwd")
    fetcher = make_asset_fetcher(tmp_path, tmp_path / "assets")
    with pytest.raises(ValueError, match="refused"):
        fetcher.fetch((tmp_path / "assets" / "logo.png").as_uri())


def test_the_same_html_gives_byte_identical_pdfs(renderer):
    html = page("<h1>Same</h1><p>Same input, same bytes.</p>")
    assert renderer.render(html, source="t").data == renderer.render(html, source="t").data


def test_an_image_gives_the_same_bytes_wherever_the_project_is(tmp_path):
    """WeasyPrint names an image in the PDF after its URL: a clinic's logo must not carry
    the folder the project happens to be checked out in."""
    from conftest import make_project

    logo = (ROOT / "templates/assets/logos/example-skin-clinic.png").read_bytes()
    html = page('<img src="assets/logos/logo.png" alt="Clinic logo" style="width: 20mm">')
    outputs = []
    for folder in ("one", "two/deeper"):
        project = make_project(tmp_path / folder, broken_locale=False)
        (project / "templates/assets/logos").mkdir(parents=True, exist_ok=True)
        (project / "templates/assets/logos/logo.png").write_bytes(logo)
        outputs.append(PdfRenderer(load_settings(project)).render(html, source="t").data)
    xobjects = PdfReader(io.BytesIO(outputs[0])).pages[0]["/Resources"]["/XObject"]
    assert [x.get_object()["/Subtype"] for x in xobjects.values()] == ["/Image"]
    assert outputs[0] == outputs[1]


def test_the_templates_url_cannot_climb_out_of_the_templates_folder():
    fetcher = make_asset_fetcher(SETTINGS.root, SETTINGS.templates_dir)
    assert b"@page" in fetcher.fetch("file:///leafpub/templates/leaflet.css").read()
    with pytest.raises(ValueError, match="refused"):
        fetcher.fetch("file:///leafpub/templates/../../../etc/hostname")
