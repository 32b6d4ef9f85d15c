"""HTML -> PDF: pinned fonts only, no fetching outside the templates folder, warnings fail."""

import io
import os
import subprocess

import pytest
from pypdf import PdfReader

from helpers import counting_server, html_page, make_project, pdf_fonts, ROOT
from leafpub.config import load_settings
from leafpub.pdf.pdf import PdfRenderer, make_asset_fetcher
from leafpub.problems import ProblemError

SETTINGS = load_settings(ROOT)


page = html_page


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


@pytest.mark.parametrize("family, package", [("DejaVu Sans", "fonts-dejavu-core"), ("Noto Serif", "fonts-noto-core")])
def test_fonts_outside_the_pinned_set_cannot_be_used(renderer, tmp_path, family, package):
    """A family installed on the machine but not pinned: asking for it falls back to the pinned stack.
    Were the family not installed, the test would prove nothing, so it fails rather than pass."""
    system = {name: value for name, value in os.environ.items() if name != "FONTCONFIG_FILE"}
    installed = subprocess.run(["fc-list", family, "file"], env=system, capture_output=True, text=True,
                               check=True).stdout.split()
    if not installed:
        pytest.fail(f"{family} is not installed, so nothing shows it is kept out: `make test` installs {package}")
    pdf = renderer.render(page(f'<p style="font-family: \'{family}\'">Hello</p>'), source="t")
    (tmp_path / "t.pdf").write_bytes(pdf.data)
    names = [font["name"] for font in pdf_fonts(tmp_path / "t.pdf")]
    assert {name.split("+")[-1] for name in names} == {"Noto-Sans"}  # the pinned Latin face, subset


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


def test_a_hindi_pdf_has_the_same_bytes_before_and_after_a_pack_is_made_in_the_process():
    """A worker renders leaflets and compacts packs in turn; qpdf's deflate level is one setting
    of the whole process, so a Hindi leaflet (recoded by pikepdf) once depended on whether the
    worker had compacted a pack before it."""
    import pikepdf

    from leafpub.packs import packs

    pikepdf.settings.set_flate_compression_level(-1)  # as in a fresh worker: zlib's default
    renderer = PdfRenderer(SETTINGS)
    html = page("<p>किसी के लिए, जिसे कोलेजन इंडक्शन थेरेपी भी कहते हैं।</p>", lang="hi",
                family="Noto Sans Devanagari")
    first = renderer.render(html, source="t").data
    packs.compact(first)
    assert renderer.render(html, source="t").data == first


def test_an_image_gives_the_same_bytes_wherever_the_project_is(tmp_path):
    """WeasyPrint names an image in the PDF after its URL: a clinic's logo must not carry
    the folder the project happens to be checked out in."""
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


def korean_page(text: str) -> str:
    return html_page(f"<p>{text}</p>", lang="ko", family="Noto Sans CJK KR")


def test_fonts_stay_loaded_only_for_documents_in_the_same_language():
    """A CJK face costs a worker much memory: a leaflet's next paper or variant in the same
    language reuses the loaded fonts, a document in any other language starts afresh, and
    what is kept changes nothing in the PDF."""
    fresh = PdfRenderer(SETTINGS)
    korean = korean_page("흉터가 남을 수 있나요?")
    first = fresh.render(korean, source="ko.html", locale="ko").data
    loaded = fresh.font_config
    assert fresh.render(korean, source="ko.html", locale="ko").data == first
    assert fresh.font_config is loaded
    fresh.render(page("<p>Scars?</p>"), source="en.html", locale="en")
    assert fresh.font_config is not loaded and fresh.fonts_of == "en"
    english = fresh.font_config
    fresh.render(page("<p>¿Cicatrices?</p>", lang="es"), source="es.html", locale="es")
    assert fresh.font_config is not english


def test_packs_with_a_box_in_the_same_cjk_face_keep_it_and_give_the_same_bytes():
    """A pack's cover and boxes have no language of their own: they keep their fonts for the
    next pack with a box in the same CJK face (faces_of) and let them go otherwise."""
    fresh = PdfRenderer(SETTINGS)
    box = korean_page("전화 +44 20 7946 0001")
    first = fresh.render(box, source="packs.toml", variant="pack-part", faces_of="ko")
    loaded = fresh.font_config
    again = fresh.render(box.replace("0001", "0002"), source="packs.toml", variant="pack-part", faces_of="ko")
    assert fresh.font_config is loaded
    other = PdfRenderer(SETTINGS).render(box.replace("0001", "0002"), source="packs.toml", variant="pack-part")
    assert again.data == other.data and first.data != again.data
    fresh.render(box, source="packs.toml", variant="pack-part")  # a pack with no single CJK face
    assert fresh.font_config is not loaded and fresh.fonts_of is None
