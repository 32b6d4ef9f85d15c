"""The whole build, as an operator runs it: output/, the manifest, problems, exit status."""

import json
import re
import shutil
import subprocess
import sys

import page
import pikepdf
import pytest
from pypdf import PdfReader

import pipeline
from fixture_texts import SPANISH
from helpers import build, codes_on, counting_server, make_project, pdf_fonts, pdf_text, plain, read_po_file, ROOT, standard_entries, standard_entry, write_catalog
from leafpub.pdf import accessibility
from leafpub.catalogs import catalogs
from leafpub.catalogs.catalogs import discover_locales
from leafpub.config import load_settings
from leafpub.languages import language_of
from leafpub.problems import Problem, Problems
from leafpub.variants import Format


@pytest.mark.slow
def test_every_language_with_a_good_catalog_is_published(built):
    project, report = built
    manifest = json.loads((project / "output" / "manifest.json").read_text())
    assert manifest == report.manifest
    published = {(e["leaflet"], e["locale"]) for e in manifest["leaflets"]}
    assert published == {("hand-washing", "en"), ("hand-washing", "es")}
    entry = standard_entry(manifest, "es")
    assert entry["path"] == "leaflets/hand-washing/hand-washing.es.a4.pdf"
    assert entry["title"] == "Lavarse las manos" and entry["paper"] == "A4" and entry["pages"] == 1
    pdf = project / "output" / entry["path"]
    import hashlib
    assert entry["sha256"] == hashlib.sha256(pdf.read_bytes()).hexdigest()


def test_the_builds_problems_are_listed_once_each_in_the_order_the_stages_found_them():
    late = Problem("leaflets/a.md", None, "late")
    catalog = Problem("translations/fr/LC_MESSAGES/messages.po", 16, "broken")
    pack = Problem("packs.toml", 3, "bad", pack="riverside")
    problems = Problems()
    problems.add([late, catalog], [late])
    problems.add([pack, catalog])
    assert problems.all == tuple(problems) == (late, catalog, pack) and len(problems) == 3


@pytest.mark.slow
def test_the_spanish_leaflet_reads_in_spanish(built):
    project, _ = built
    pdf = project / "output" / "leaflets/hand-washing/hand-washing.es.a4.pdf"
    text = " ".join(pdf_text(pdf).split())
    assert "Lavarse las manos" in text
    assert "Use jabón y agua tibia durante 20 segundos." in text
    assert "Washing your hands" not in text and "Wet your hands" not in text
    reader = PdfReader(pdf)
    assert reader.trailer["/Root"]["/Lang"] == "es"
    assert reader.metadata.title == "Lavarse las manos"
    assert len(reader.pages) == 1
    assert all(font["embedded"] for font in pdf_fonts(pdf))
    # A draft translation says so; the English source does not.
    assert "Borrador" in text or "borrador" in text
    english = pdf_text(project / "output" / "leaflets/hand-washing/hand-washing.en.a4.pdf")
    assert "Draft translation" not in english


@pytest.mark.slow
def test_the_generic_leaflet_has_lines_for_the_clinic_and_the_pack_has_its_details(built):
    project, _ = built
    generic = pdf_text(project / "output" / "leaflets/hand-washing/hand-washing.en.a4.pdf")
    assert "Your clinic can write its details here." in generic
    assert "Riverside Health Centre" not in generic
    pack = " ".join(pdf_text(project / "output" / "packs/test-clinic.a4.pdf").split())
    assert "Riverside Health Centre" in pack and "+44 20 7946 0999" in pack


@pytest.mark.slow
def test_a_broken_catalog_fails_alone_with_file_and_line(built):
    project, report = built
    (problem,) = report.problems
    assert str(problem).startswith("translations/fr/LC_MESSAGES/messages.po:16: ")
    assert report.manifest["problems"] == [problem.to_json()]
    assert not (project / "output" / "leaflets/hand-washing/hand-washing.fr.a4.pdf").exists()


@pytest.mark.slow
def test_the_command_line_reports_problems_in_one_line_each_and_exits_1(tmp_path, capsys):
    project = make_project(tmp_path)
    status = pipeline.main(["--project", str(project), "build", "--no-progress"])
    out, err = capsys.readouterr()
    assert status == 1
    assert "published 2 leaflets in 2 languages (en, es), 12 leaflet PDFs in all papers and variants, 2 web pages, and 1 packs" in out
    assert "note: site-url in pyproject.toml is an example address (https://leaflets.example.org/)" in out
    errors = [line for line in err.splitlines() if line.startswith("error: ")]
    assert errors and errors[0].startswith("error: translations/fr/LC_MESSAGES/messages.po:16: ")
    assert "Traceback" not in err


@pytest.mark.slow
def test_a_fixed_catalog_builds_and_the_old_problem_is_gone(tmp_path):
    project = make_project(tmp_path)
    build(project)
    shutil.rmtree(project / "translations" / "fr")
    report = build(project)
    assert report.problems == () and report.manifest["problems"] == []


@pytest.mark.slow
def test_the_last_good_pdf_stays_when_its_catalog_breaks(tmp_path):
    project = make_project(tmp_path)
    first = build(project)
    spanish = project / "output" / "leaflets/hand-washing/hand-washing.es.a4.pdf"
    before = spanish.read_bytes()
    catalog = project / "translations/es/LC_MESSAGES/messages.po"
    catalog.write_text(catalog.read_text().replace('msgstr "Mójese las manos."', 'msgstr "Mójese'))
    second = build(project)
    assert spanish.read_bytes() == before
    entry = standard_entry(second.manifest, "es")
    assert entry["outdated"].startswith("translations/es/LC_MESSAGES/messages.po:")
    # The pack that needs Spanish is kept too, and marked.
    (pack,) = second.manifest["packs"]
    assert "outdated" in pack and (project / "output" / pack["path"]).exists()
    assert {e["locale"] for e in first.manifest["leaflets"]} == {"en", "es"}


@pytest.mark.slow
def test_a_leaflet_over_its_page_budget_is_a_problem(tmp_path):
    project = make_project(tmp_path, broken_locale=False)
    leaflet = project / "leaflets" / "hand-washing.md"
    leaflet.write_text(leaflet.read_text() + "\n" + "\n\n".join(["Ask a nurse if you have a cut on your hands."] * 60))
    report = build(project)
    assert any(re.search(r"takes [2-9] pages; its budget is 1$", str(p)) for p in report.problems)
    assert report.manifest["leaflets"] == []


@pytest.mark.slow
def test_pack_with_an_unknown_locale_is_a_problem_at_its_line(tmp_path):
    project = make_project(tmp_path, broken_locale=False)
    packs = project / "packs.toml"
    packs.write_text(packs.read_text().replace('locales = ["en", "es"]', 'locales = ["en", "xx"]'))
    report = build(project)
    (problem,) = report.problems
    assert str(problem) == "packs.toml:6: pack 'test-clinic': no catalog for locale 'xx'"


def test_a_port_that_cannot_be_is_a_usage_error_not_a_traceback():
    result = subprocess.run([sys.executable, "pipeline.py", "serve", "--port", "99999"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "'99999' is not a port number from 1 to 65535" in result.stderr


@pytest.mark.parametrize("command", [[], ["build"], ["extract"], ["update"], ["init"], ["compile"], ["export"],
                                     ["import"], ["back-translation"], ["back-translation", "export"],
                                     ["back-translation", "report"], ["approve"], ["check"]])
def test_every_command_explains_itself(command):
    result = subprocess.run([sys.executable, "pipeline.py", *command, "--help"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0
    assert "usage: pipeline.py" in result.stdout
    if not command:
        for name in ("build", "extract", "update", "init", "compile", "export", "import", "back-translation"):
            assert name in result.stdout


def test_the_console_script_runs_the_same_commands():
    script = shutil.which("leafpub", path=str(ROOT / ".venv" / "bin")) or shutil.which("leafpub")
    assert script, "the package installs a 'leafpub' console script"
    result = subprocess.run([script, "--help"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0 and "extract" in result.stdout


def test_a_missing_system_requirement_stops_the_build_with_its_fix(tmp_path, capsys):
    project = make_project(tmp_path, broken_locale=False)
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace("NotoSans-Regular.ttf", "NotoSans-Missing.ttf"))
    status = pipeline.main(["--project", str(project), "build"])
    err = capsys.readouterr().err
    assert status == 2
    assert err.strip() == ("error: font /usr/share/fonts/truetype/noto/NotoSans-Missing.ttf is missing: "
                           "run `make` (it installs what is missing) (package fonts-noto-core)")
    assert not (project / "output").exists()


@pytest.mark.slow
def test_a_hostile_translation_is_refused_and_even_rendered_is_only_text(tmp_path):
    from leafpub.render import templating
    from leafpub.content.content import load_leaflets
    from leafpub.pdf.pdf import PdfRenderer

    with counting_server() as (base, hits):
        url = f"{base}/pixel.png"
        project = make_project(tmp_path, broken_locale=False)
        (project / "translations" / "es" / "LC_MESSAGES" / "messages.po").unlink()
        hostile = dict(SPANISH)
        hostile["Wet your hands."] = f'<img src="{url}"> <b>Mójese</b> {{{{ 7*7 }}}} [x]({url}).'
        write_catalog(project, "es", hostile)
        # The checks refuse to publish it: HTML tags, and numbers the English does not have.
        report = build(project)
        messages = [problem.message for problem in report.problems]
        assert any("HTML tags are printed as text" in message for message in messages)
        assert any("number(s) not in the English" in message for message in messages)
        assert any("the web addresses must stay as in the English (none)" in message for message in messages)
        assert {e["locale"] for e in report.manifest["leaflets"]} == {"en"}
        # And were it rendered anyway, it is text: nothing fetched, nothing interpreted.
        settings = load_settings(project)
        (leaflet,) = load_leaflets(settings).leaflets
        html = templating.leaflet_html(templating.make_environment(settings), settings, leaflet,
                                     catalogs.load_catalog(settings, "es"), format=Format("A4", "standard"),
                                     clinic=None, draft=True)
        document = PdfRenderer(settings).render(html, source="test")
    assert hits == []
    pdf = tmp_path / "hostile.pdf"
    pdf.write_bytes(document.data)
    text = "".join(pdf_text(pdf).split())
    # spaces dropped: lines wrap; a web address is text on paper, after its link's text
    assert f'<imgsrc="{url}"><b>Mójese</b>{{{{7*7}}}}x({url}).' in text


@pytest.fixture(scope="module")
def shipped(tmp_path_factory):
    """The real project, as `make` publishes it, built in a temporary copy."""
    project = tmp_path_factory.mktemp("shipped") / "project"
    shutil.copytree(ROOT, project, ignore=shutil.ignore_patterns(".venv", "output", ".git", "tests",
                                                                  "__pycache__", "*.egg-info"))
    return project, build(project)


@pytest.mark.slow
def test_the_shipped_project_builds_every_language(shipped):
    """Each leaflet in its own language and script, with its /Lang, title and embedded fonts."""
    project, report = shipped
    assert report.problems == ()
    settings = load_settings(project)
    locales = {"en", *discover_locales(settings)}
    assert len(locales) == 15
    entries = {e["locale"]: e for e in standard_entries(report.manifest)}
    assert set(entries) == locales
    for locale, entry in entries.items():
        pdf = project / "output" / entry["path"]
        reader = PdfReader(pdf)
        assert reader.trailer["/Root"]["/Lang"] == locale.replace("_", "-")
        assert reader.metadata.title == entry["title"]
        assert len(reader.pages) == entry["pages"] <= 3  # the leaflet's page budget
        # pdftotext puts a space between some glyphs of one Devanagari word: spaces aside.
        assert "".join(plain(entry["title"]).split()) in "".join(plain(pdf_text(pdf)).split())


@pytest.mark.slow
def test_every_accessible_leaflet_and_pack_passes_page_validation(shipped):
    """Every standard and large-print PDF published, and the standard 15-language pack,
    checked again here: page-validation's PDF/UA-1 profile finds nothing, but for the one
    rule it misreads in Chinese and Korean fonts, which fontTools finds right
    (tests/test_accessibility.py)."""
    project, report = shipped
    accessible = [e for e in report.manifest["leaflets"] if e["variant"] in ("standard", "large-print")]
    assert len(accessible) == 15 * 4
    accessible += [{**e, "locale": "zh_Hans"} for e in report.manifest["packs"] if e["variant"] == "standard"]
    assert len(accessible) == 15 * 4 + 1
    for entry in accessible:
        data = (project / "output" / entry["path"]).read_bytes()
        rules = {failure.rule_id for failure in page.validate_pdf_bytes(data, profile="ua1").failures}
        assert rules <= ({accessibility.MISREAD_RULE} if entry["locale"] in ("zh_Hans", "ko") else set()), entry["path"]
        assert accessibility.pdf_ua_problems(data) == [], entry["path"]


@pytest.mark.slow
def test_no_pdf_uses_a_font_outside_its_languages_stack(shipped):
    project, report = shipped
    settings = load_settings(project)
    for entry in (e for e in report.manifest["leaflets"] if e["variant"] != "web"):
        stack = settings.scripts[language_of(entry["locale"]).script]
        allowed = {family.replace(" ", "-") for family in stack}
        for font in pdf_fonts(project / "output" / entry["path"]):
            assert font["embedded"], (entry["locale"], font)
            family = font["name"].split("+", 1)[1].removesuffix("-Bold")
            assert family in allowed, (entry["locale"], font["name"], stack)


@pytest.mark.slow
@pytest.mark.parametrize("locale", ["ar", "fa"])
def test_right_to_left_leaflets_are_mirrored(shipped, locale):
    """Bullets stand right of the text and the page number sits bottom left (right in LTR)."""
    project, _ = shipped

    def words(code):
        pdf = project / "output" / f"leaflets/microneedling-scars/microneedling-scars.{code}.a4.pdf"
        # Page 2: the risk factors' bullet list is on it in every language.
        xml = subprocess.run(["pdftotext", "-bbox", "-f", "2", "-l", "2", str(pdf), "-"],
                             capture_output=True, text=True, check=True).stdout
        return [(float(x), float(y), word) for x, y, word in
                re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>([^<]*)</word>', xml)]

    half = 595.0 / 2
    for code, bullets_right, number_right in ((locale, True, False), ("en", False, True)):
        page = words(code)
        bullets = [x for x, _, word in page if word == "•"]
        assert bullets and all((x > half) == bullets_right for x in bullets), code
        footer = [x for x, y, word in page if y > 780 and word in ("/", "2", "3", "۲", "۳")]
        assert footer and all((x > half) == number_right for x in footer), code


@pytest.mark.slow
def test_persian_page_numbers_and_dates_use_persian_digits(shipped):
    project, _ = shipped
    path = project / "output/leaflets/microneedling-scars/microneedling-scars.fa.a4.pdf"
    text, pages = plain(pdf_text(path)), len(PdfReader(path).pages)
    persian = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
    assert "۲۰۲۷" in text and f"{pages}/{pages}".translate(persian) in text.replace(" ", "")  # the last page's number
    assert not re.search(r"[0-9]", text)


@pytest.mark.slow
def test_the_example_pack_carries_every_language_with_an_outline_entry_in_its_script(shipped):
    project, report = shipped
    pack = next(p for p in report.manifest["packs"] if p["pack"] == "example-skin-clinic")
    assert len(pack["locales"]) == 15
    reader = PdfReader(project / "output" / pack["path"])
    titles = [item.title for item in reader.outline[2]]
    entries = {e["locale"]: e for e in standard_entries(report.manifest)}
    assert titles == [f"{language_of(code).native_name}: {entries[code]['title']}"
                      for code in pack["locales"]]
    assert "العربية: هل يترك الوخز بالإبر الدقيقة ندبات؟" in titles
    assert "中文 (简体): 微针会留下疤痕吗？" in titles


@pytest.mark.slow
def test_a_new_language_needs_only_init_and_translation(tmp_path, capsys):
    """Swahili is not shipped: `init sw`, translate, build; no code or config change."""

    project = make_project(tmp_path, broken_locale=False)
    assert pipeline.main(["--project", str(project), "init", "sw"]) == 0
    path = project / "translations/sw/LC_MESSAGES/messages.po"
    catalog = read_po_file(path)
    swahili = {"Washing your hands": "Kunawa mikono yako"}
    for message in list(catalog)[1:]:
        # English stands in for what a translator would write: the pipeline needs it complete.
        if isinstance(message.id, tuple):
            message.string = message.id
        else:
            message.string = swahili.get(message.id, message.id)
    catalogs.write_catalog(path, catalog)
    capsys.readouterr()
    assert pipeline.main(["--project", str(project), "build", "--no-progress"]) == 0
    assert "3 languages (en, es, sw)" in capsys.readouterr().out
    pdf = project / "output/leaflets/hand-washing/hand-washing.sw.a4.pdf"
    reader = PdfReader(pdf)
    assert reader.trailer["/Root"]["/Lang"] == "sw" and reader.metadata.title == "Kunawa mikono yako"


@pytest.mark.slow
def test_the_pack_cover_shows_chinese_and_korean_in_their_own_faces(shipped):
    """Han characters look different in Chinese, Japanese and Korean type: the cover's
    contents list draws each language's name and title with that language's fonts."""
    project, _ = shipped
    cover_fonts = subprocess.run(["pdffonts", "-f", "1", "-l", "1",
                                  str(project / "output/packs/example-skin-clinic.a4.pdf")],
                                 capture_output=True, text=True, check=True).stdout
    faces = {line.split()[0].split("+")[1] for line in cover_fonts.splitlines()[2:]}
    assert {"Noto-Sans-CJK-SC", "Noto-Sans-CJK-KR"} <= faces
    assert not any("CJK-JP" in face or "CJK-TC" in face for face in faces)


def page_text(path, number: int) -> str:
    return subprocess.run(["pdftotext", "-f", str(number), "-l", str(number), str(path), "-"],
                          capture_output=True, text=True, check=True).stdout


@pytest.mark.slow
def test_the_fifteen_language_pack_draws_each_face_from_one_font_and_looks_the_same(shipped):
    """Every leaflet of the pack shares one font per face (Chinese and Korean included), its
    clinic box is in its language, and each leaflet's first page in the pack is, pixel for
    pixel and in its text, its published first page."""
    import pypdfium2

    project, report = shipped
    entry = next(e for e in report.manifest["packs"] if e["pack"] == "example-skin-clinic")
    pack = project / "output" / entry["path"]
    names = [line.split()[0].split("+")[1] for line in
             subprocess.run(["pdffonts", str(pack)], capture_output=True, text=True,
                            check=True).stdout.splitlines()[2:]]
    # One font per face (Arabic and Persian share theirs), but for a font with character
    # codes of its own (Devanagari's clusters: actualtext.py), which keeps its own.
    assert all(names.count(face) == 1 for face in ("Noto-Sans", "Noto-Sans-Bold", "Noto-Naskh-Arabic",
                                                     "Noto-Sans-CJK-SC", "Noto-Sans-CJK-KR"))
    assert len(names) < 2 * len(set(names))
    # The Chinese and Korean faces draw from one CFF in the pinned collection: one program.
    with pikepdf.open(pack) as pdf:
        programs = {str(font.BaseFont).split("+")[1]: font.FontDescriptor.FontFile3.objgen
                    for font in pdf.objects if isinstance(font, pikepdf.Dictionary)
                    and font.get("/Subtype") == "/CIDFontType0"}
        assert programs["Noto-Sans-CJK-SC"] == programs["Noto-Sans-CJK-KR"]
        # One structure tree: the cover, then a part per leaflet in its own language.
        parts = pdf.Root.StructTreeRoot.K[0].K
        assert [str(part.Lang) for part in parts] == ["en"] + [language_of(code).tag for code in entry["locales"]]
    # Each clinic box is in its leaflet's language, whichever document it was rendered in.
    text = plain(pdf_text(pack))
    assert all(label in text for label in ("电话", "전화", "الهاتف", "Example Skin Clinic"))

    pack_pages = pypdfium2.PdfDocument(pack)
    first_page = 3  # after the one-page cover and its blank back
    for locale in entry["locales"]:
        leaflet = project / "output" / standard_entry(report.manifest, locale)["path"]
        published = pypdfium2.PdfDocument(leaflet)
        assert len(published) in (2, 3)  # the contact box is on the last page, never the first
        image = pack_pages[first_page - 1].render(scale=1).to_pil().convert("L")
        expected = published[0].render(scale=1).to_pil().convert("L")
        assert image.tobytes() == expected.tobytes(), locale
        # and its text reads as the published page's does (copied, searched, read aloud)
        assert page_text(pack, first_page) == page_text(leaflet, 1), locale
        first_page += len(published) + len(published) % 2  # and a blank back after an odd page


@pytest.mark.slow
def test_every_shipped_leaflet_has_its_web_version_a_code_that_opens_it_and_the_statement(shipped):
    """All 90 printed leaflets of the shipped project: the code read as a phone at arm's
    length would read it opens the web version in the same language, which is published;
    and the statement on other languages and formats comes back from the PDF as written."""
    from leafpub.formats import formats
    from leafpub import online
    from leafpub.pdf import textgate

    project, report = shipped
    settings = load_settings(project)
    web = {(e["leaflet"], e["locale"]) for e in report.manifest["leaflets"] if e["variant"] == "web"}
    printed = [e for e in report.manifest["leaflets"] if e["variant"] != "web"]
    assert len(printed) == 90 and web == {(e["leaflet"], e["locale"]) for e in printed}
    for entry in printed:
        data = (project / "output" / entry["path"]).read_bytes()
        address = online.web_address(settings.site_url, entry["leaflet"], entry["locale"])
        assert [text for _, text, _ in codes_on(data)] == [address], entry["path"]
        assert (project / "output" / online.web_path(entry["leaflet"], entry["locale"])).is_file()
        catalog = (catalogs.source_catalog(settings) if entry["locale"] == "en"
                   else catalogs.load_catalog(settings, entry["locale"]))
        # What is online in the language (its catalog's message for it, else the statement before).
        statement = ["Also in large print and in other languages: scan the code or go to",
                     formats.statement(catalog, formats.online_kinds(entry["locale"]))]
        texts = [textgate.PrintedText(catalog.translations.gettext(message), "", None, message) for message in statement]
        rtl = language_of(entry["locale"]).direction == "rtl"
        assert textgate.missing(texts, textgate.page_texts(data, rtl), rtl) == [], entry["path"]
