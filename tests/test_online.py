"""A leaflet's web address and its QR code (leafpub/online.py): every printed leaflet carries a
code that a phone reads from arm's length, opening its web version in its own language, with
the address beside it and the statement on other languages and formats."""

import io

import pypdfium2
import pytest
import zxingcpp

from helpers import build, codes_on, make_project, pdf_text, plain, ROOT
from leafpub import online
from leafpub.config import load_settings
from leafpub.problems import ProblemError

MM_PER_POINT = 25.4 / 72


def published_pdfs(manifest: dict) -> list[dict]:
    return [entry for entry in manifest["leaflets"] if entry["variant"] != "web"]


@pytest.mark.slow
def test_every_printed_leaflet_has_a_code_a_phone_reads_at_arms_length(built):
    project, report = built
    settings = load_settings(project)
    entries = published_pdfs(report.manifest)
    assert {entry["variant"] for entry in entries} == {"standard", "large-print", "print"}
    assert {entry["locale"] for entry in entries} == {"en", "es"}
    for entry in entries:
        data = (project / "output" / entry["path"]).read_bytes()
        address = online.web_address(settings.site_url, entry["leaflet"], entry["locale"])
        (code,) = codes_on(data)
        assert code[1] == address, entry["path"]
        # The symbol without its quiet zone: the 40 mm code less 8 of its modules.
        assert 30 < code[2] < online.QR_SIDE_MM, (entry["path"], code[2])
        # The address also printed beside it, as text, and the statement in its language.
        text = plain(pdf_text(project / "output" / entry["path"])).replace(" ", "")
        assert address in text, entry["path"]


@pytest.mark.slow
def test_the_statement_on_formats_is_printed_at_large_print_size_in_every_language(built):
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LTChar, LTTextContainer

    project, report = built
    statements = {"en": "Also in large print and in other languages", "es": "También en letra grande"}
    for entry in published_pdfs(report.manifest):
        data = (project / "output" / entry["path"]).read_bytes()
        sizes = []
        for page in extract_pages(io.BytesIO(data)):
            for box in page:
                if isinstance(box, LTTextContainer) and statements[entry["locale"]] in box.get_text():
                    sizes += [round(char.size) for line in box for char in line if isinstance(char, LTChar)]
        assert sizes and min(sizes) >= 16, (entry["path"], sizes[:5])


@pytest.mark.slow
def test_the_code_stays_inside_the_trim_of_a_print_shop_pdf(built):
    from pypdf import PdfReader

    project, report = built
    for entry in published_pdfs(report.manifest):
        if entry["variant"] != "print":
            continue
        data = (project / "output" / entry["path"]).read_bytes()
        page_number, _, _ = codes_on(data)[0]
        page = PdfReader(io.BytesIO(data)).pages[page_number - 1]
        trim, media = page.trimbox, page.mediabox
        document = pypdfium2.PdfDocument(data)
        scale = 150 / 72
        image = document[page_number - 1].render(scale=scale).to_pil()
        (code,) = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
        xs = [point.x / scale for point in (code.position.top_left, code.position.bottom_right)]
        ys = [float(media.height) - point.y / scale for point in (code.position.top_left, code.position.bottom_right)]
        margin = 10 / MM_PER_POINT  # well inside the trim: clear of the 3 mm bleed and the cut
        assert float(trim.left) + margin < min(xs) and max(xs) < float(trim.right) - margin
        assert float(trim.bottom) + margin < min(ys) and max(ys) < float(trim.top) - margin


@pytest.mark.slow
def test_each_leaflet_of_a_pack_opens_its_own_language(built):
    project, report = built
    settings = load_settings(project)
    (pack,) = report.manifest["packs"]
    data = (project / "output" / pack["path"]).read_bytes()
    found = [text for _, text, _ in codes_on(data)]
    assert found == [online.web_address(settings.site_url, "hand-washing", locale) for locale in pack["locales"]]


@pytest.mark.slow
def test_the_code_is_drawn_as_vector_paths_not_an_image(built):
    import pikepdf

    project, report = built
    entry = next(e for e in published_pdfs(report.manifest) if e["variant"] == "standard")
    with pikepdf.open(project / "output" / entry["path"]) as pdf:
        images = [name for page in pdf.pages for name in page.get_images()]
    assert images == []


@pytest.mark.parametrize("value, reason", [
    ("https://leaflets.example.org/", None),
    ("http://intranet.example.nhs.uk/patient-leaflets/", None),
    ("https://leaflets.example.org", 'must end with "/"'),
    ("ftp://leaflets.example.org/", "must be the https:// (or http://) address"),
    ("https://leaflets.example.org/?q=1", "no password, query or fragment"),
    ('https://x.org/"><script>', "without spaces or quotes"),
    ("https://x.org/ a/", "without spaces or quotes"),
    (42, "without spaces or quotes"),
    ("https://user:secret@leaflets.example.org/", "no password"),
    ("https://@/", "on a named host"),
    ("https://leaflets.example.org:99999/", "on a named host"),
    ("https://leaflets.example.org/a/../", "on a named host"),
    ("https://leaflets.example.org/%zz/", "on a named host"),
    ("https://leaflets.example.org/a/%2e%2E/", "on a named host"),  # a browser reads "..": refused too
    ("https://leaflets.example.org/%2E/", "on a named host"),
])
def test_a_site_url_must_be_an_address_to_print(value, reason):
    problem = online.site_url_problem(value)
    assert problem is None if reason is None else reason in problem


@pytest.mark.slow
def test_a_site_url_too_long_for_a_qr_code_is_refused_where_it_is_read(tmp_path):
    """`status` and `build` say so in one line; the longest accepted one still makes a code
    with the longest path a leaflet's web version can have."""
    import subprocess
    import sys

    longest = "https://leaflets.example.org/" + "a" * (online.MAX_SITE_URL - 30) + "/"
    assert online.site_url_problem(longest) is None
    assert online.qr_code(online.web_address(longest, "s" * 64, "l" * 32)).startswith("data:image/svg+xml")
    project = make_project(tmp_path, broken_locale=False)
    pyproject = project / "pyproject.toml"
    shipped = pyproject.read_text()
    for value, said in ((longest.replace("/a", "/aa"), f"is {online.MAX_SITE_URL + 1} characters long"),
                        ("https://leaflets.example.org/x/%2e%2e/", "on a named host")):
        pyproject.write_text(shipped.replace('site-url = "https://leaflets.example.org/"', f'site-url = "{value}"'))
        for command in ("status", "build"):
            run = subprocess.run([sys.executable, str(ROOT / "pipeline.py"), "--project", str(project), command],
                                 capture_output=True, text=True)
            assert run.returncode != 0 and len(run.stderr.splitlines()) == 1, (command, run.stderr)
            assert run.stderr.startswith("error: pyproject.toml: [tool.leafpub] site-url ") and said in run.stderr
            assert not (project / "output").exists()


def test_a_project_without_site_url_is_told_what_it_is(tmp_path):
    project = make_project(tmp_path, broken_locale=False)
    pyproject = project / "pyproject.toml"
    pyproject.write_text("\n".join(line for line in pyproject.read_text().splitlines()
                                   if not line.startswith("site-url")))
    with pytest.raises(ProblemError) as raised:
        load_settings(project)
    assert [str(p) for p in raised.value.problems] == [
        "pyproject.toml: [tool.leafpub] site-url is missing: the public address output/ is served from, "
        "printed on every leaflet"]


@pytest.mark.slow
def test_a_new_site_url_renders_every_leaflet_again_with_codes_that_open_it(tmp_path):
    project = make_project(tmp_path, broken_locale=False)
    build(project)
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('site-url = "https://leaflets.example.org/"',
                                                       'site-url = "https://patients.example.nhs.uk/leaflets/"'))
    report = build(project)
    reasons = dict(report.rendered)
    assert len(reasons) == 12 + 1  # every PDF, and the pack
    assert reasons["leaflets/hand-washing/hand-washing.es.a4.pdf"] == (
        "the site's address (site-url), which its QR code opens, changed")
    data = (project / "output/leaflets/hand-washing/hand-washing.es.a4.pdf").read_bytes()
    assert [text for _, text, _ in codes_on(data)] == [
        "https://patients.example.nhs.uk/leaflets/leaflets/hand-washing/hand-washing.es.html"]


def test_an_example_address_is_told_apart_from_a_real_one():
    assert online.is_example("https://leaflets.example.org/") and online.is_example("https://x.example/")
    assert not online.is_example("https://patients.nhs.uk/leaflets/")
