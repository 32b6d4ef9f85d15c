"""Clinic packs: cover, outline per leaflet and language, page labels, title and language,
and each clinic's box stamped where its details belong."""

import io
import re
import subprocess

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, IndirectObject, NameObject

from helpers import broken_text_map, build, make_project, pdf_text
from leafpub.catalogs import catalogs
from leafpub import config
from leafpub.content import content
from leafpub.render import templating
from leafpub.config import load_settings
from leafpub.variants import Format
from leafpub.pdf.pdf import PdfRenderer
from leafpub.pdfobjects import add_object


@pytest.mark.slow
def test_the_pack_has_a_cover_then_every_leaflet_language(built):
    project, report = built
    (entry,) = report.manifest["packs"]
    assert entry["pack"] == "test-clinic" and entry["locales"] == ["en", "es"]
    assert entry["leaflets"] == ["hand-washing"]
    reader = PdfReader(project / "output" / entry["path"])
    # cover, its blank back, English, a blank back, Spanish: each leaflet starts on a front page
    assert len(reader.pages) == entry["pages"] == 5
    cover = " ".join(reader.pages[0].extract_text().split())
    assert "Riverside Health Centre" in cover and "Infection control" in cover
    # Each language by its own name, with the page it starts on.
    assert "English" in cover and "español" in cover and "Spanish" in cover
    assert "Lavarse las manos" in cover
    assert "Lavarse las manos" in reader.pages[4].extract_text()


@pytest.mark.slow
def test_the_outline_has_an_entry_per_leaflet_and_language(built):
    project, _ = built
    reader = PdfReader(project / "output" / "packs/test-clinic.a4.pdf")
    outline = reader.outline
    assert outline[0].title == "English: Infection control"
    assert outline[1].title == "Washing your hands"
    children = outline[2]
    assert [item.title for item in children] == ["English: Washing your hands",
                                                  "español: Lavarse las manos"]
    assert [reader.get_destination_page_number(item) for item in children] == [2, 4]


@pytest.mark.slow
def test_page_labels_title_and_language_are_set(built):
    project, _ = built
    reader = PdfReader(project / "output" / "packs/test-clinic.a4.pdf")
    assert reader.page_labels == ["Cover i", "Cover ii", "3", "4", "5"]
    assert reader.metadata.title == "Infection control — Riverside Health Centre"
    assert reader.trailer["/Root"]["/Lang"] == "en"


@pytest.mark.slow
def test_the_cover_page_numbers_match_the_pages(built):
    project, _ = built
    text = pdf_text(project / "output" / "packs/test-clinic.a4.pdf").split("\f")[0]
    # English starts on page 3 and Spanish on page 5, one page each.
    assert re.search(r"English.*?3 \(1 page\).*?español.*?5 \(1 page\)", " ".join(text.split()))


def words_on_page(path, page: int) -> dict[str, tuple[float, float]]:
    xml = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(path), "-"],
                         capture_output=True, text=True, check=True).stdout
    return {word: (float(x), float(y)) for x, y, word in
            re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>([^<]*)</word>', xml)}


@pytest.mark.slow
def test_a_stamped_clinic_box_sits_where_weasyprint_lays_out_the_same_details(built, tmp_path):
    """The box is laid in at the empty box's place: each word of the clinic's details is
    where WeasyPrint puts it when it renders the leaflet with those details itself."""
    project, _ = built
    settings = load_settings(project)
    pack = config.load_packs(settings).packs[0]
    leaflet = next(leaflet for leaflet in content.load_leaflets(settings).leaflets if leaflet.slug == pack.leaflets[0])
    catalog = catalogs.source_catalog(settings)
    html = templating.leaflet_html(templating.make_environment(settings), settings, leaflet, catalog,
                                 format=Format(pack.paper, "standard"), clinic=pack.clinic,
                                 draft=not catalog.review.approved)
    pdf = PdfRenderer(settings).render(html, source="test")
    (tmp_path / "inline.pdf").write_bytes(pdf.data)
    inline = next(words for page in range(1, pdf.pages + 1)
                  if "Riverside" in (words := words_on_page(tmp_path / "inline.pdf", page)))
    stamped = words_on_page(project / "output/packs/test-clinic.a4.pdf", 3)  # after the cover and its back
    for word in ("Riverside", "River", "Testville", "+44"):
        assert word in inline
        assert stamped[word] == pytest.approx(inline[word], abs=0.01), word


@pytest.mark.slow
def test_the_clinic_details_come_back_from_the_pack_as_written(built):
    """The text gate of packs: every clinic detail, read back out of the merged pack."""
    import dataclasses
    from types import SimpleNamespace

    from leafpub.packs import pack_job
    from leafpub.model import Pdf
    project, report = built
    (entry,) = report.manifest["packs"]
    data = (project / "output" / entry["path"]).read_bytes()
    (pack,) = config.load_packs(load_settings(project)).packs
    # Its two one-page leaflets, each with the box on its page.
    english = SimpleNamespace(direction="ltr")
    parts = [SimpleNamespace(base=SimpleNamespace(pages=1), anchor=(0, 0.0, 0.0), language=english)] * 2
    job = SimpleNamespace(pack=pack, parts=parts, language=english)
    assert pack_job.clinic_text_problems(job, Pdf(data=data, pages=5), cover_pages=1) == []
    # A detail the pack does not print as written (here, one it does not print at all)...
    other = SimpleNamespace(pack=dataclasses.replace(pack, clinic=dataclasses.replace(pack.clinic, name="Lakeside Clinic")),
                            parts=parts, language=english)
    (problem,) = pack_job.clinic_text_problems(other, Pdf(data=data, pages=5), cover_pages=1)
    assert str(problem).startswith(f"packs.toml:{pack.line}: pack 'test-clinic'") and "Lakeside" in str(problem)
    # ...or a text map that makes "e" read as "x"...
    problems = pack_job.clinic_text_problems(job, Pdf(data=broken_text_map(data, "x", "e"), pages=5), cover_pages=1)
    assert any("Riverside Health Centre" in str(problem) for problem in problems)
    # ...and each box is read on its own page: taken as one-sided, the pack's first box would
    # be on page 2, the cover's blank back, and the cover's details do not stand in for it.
    one_sided = SimpleNamespace(pack=dataclasses.replace(pack, sides=1), parts=parts[:1], language=english)
    assert len(pack_job.clinic_text_problems(one_sided, Pdf(data=data, pages=5), cover_pages=1)) == 5  # every detail


# -- double-sided printing ------------------------------------------------------

def test_printed_double_sided_each_leaflet_starts_on_a_front_page():
    """A blank back page goes where a part would start on an even page; the contents list
    counts it. One-sided packs have none."""
    from types import SimpleNamespace

    from leafpub.packs import pagination

    parts = [SimpleNamespace(base=SimpleNamespace(pages=pages)) for pages in (2, 1, 3, 2)]
    assert pagination.contents_pages(1, parts, sides=2) == [3, 5, 7, 11]
    assert pagination.contents_pages(2, parts, sides=2) == [3, 5, 7, 11]
    assert pagination.contents_pages(3, parts, sides=2) == [5, 7, 9, 13]
    assert pagination.contents_pages(1, parts, sides=1) == [2, 4, 5, 8]


PACKS = """
[[pack]]
id = "spanish-first"
title = "Infection control"
leaflets = ["hand-washing"]
locales = ["es", "en"]

[pack.clinic]
name = "Riverside Health Centre"
phone = "+44 20 7946 0999"

[[pack]]
id = "one-sided"
title = "Infection control"
sides = "one"
leaflets = ["hand-washing"]
locales = ["en", "es"]

[pack.clinic]
name = "Riverside Health Centre"
phone = "+44 20 7946 0999"
"""


@pytest.fixture(scope="module")
def sided(tmp_path_factory):
    project = make_project(tmp_path_factory.mktemp("sided"), broken_locale=False)
    (project / "packs.toml").write_text(PACKS, encoding="utf-8")
    report = build(project)
    assert report.problems == ()
    return project


def tagged_text(path) -> str:
    """The structure tree with its text, as poppler reads it."""
    return subprocess.run(["pdfinfo", "-enc", "UTF-8", "-struct-text", str(path)], capture_output=True, text=True,
                          check=True).stdout


def page_texts(path) -> list[str]:
    return [" ".join(page.split()) for page in pdf_text(path).split("\f")[:-1]]


@pytest.mark.slow
def test_a_blank_back_page_says_so_in_the_language_of_the_page_before(sided):
    pages = page_texts(sided / "output/packs/spanish-first.a4.pdf")
    assert len(pages) == 5
    assert pages[1] == "This page is intentionally left blank."  # the back of the English cover
    assert "Lavarse las manos" in pages[2]
    assert pages[3] == "Esta página se ha dejado en blanco intencionadamente."
    assert "Washing your hands" in pages[4]
    assert PdfReader(sided / "output/packs/spanish-first.a4.pdf").page_labels == ["Cover i", "Cover ii", "3", "4", "5"]


@pytest.mark.slow
def test_a_blank_page_is_an_artifact_that_a_screen_reader_skips(sided):
    """Its only drawing is marked /Artifact, it has no marked content in the structure
    tree, and the tree's text (poppler reads it) does not have the notice."""
    import pikepdf

    path = sided / "output/packs/spanish-first.a4.pdf"
    with pikepdf.open(path) as pdf:
        blank = pdf.pages[3]
        assert "/StructParents" not in blank.obj
        assert pikepdf.unparse_content_stream(pikepdf.parse_content_stream(blank)).startswith(b"/Artifact BMC")
    tagged = tagged_text(path)
    assert "Lavarse las manos" in tagged and "Esta página" not in tagged and "intentionally" not in tagged


@pytest.mark.slow
def test_a_one_sided_pack_has_no_blank_pages(sided):
    reader = PdfReader(sided / "output/packs/one-sided.a4.pdf")
    assert len(reader.pages) == 3 and reader.page_labels == ["Cover i", "2", "3"]
    assert not any("intentionally" in text for text in page_texts(sided / "output/packs/one-sided.a4.pdf"))


def test_sides_must_be_one_or_two_at_its_line(tmp_path):
    project = make_project(tmp_path, broken_locale=False)
    for value in ('"both"', '2', '["one"]'):
        (project / "packs.toml").write_text(PACKS.replace('sides = "one"', f'sides = {value}'), encoding="utf-8")
        problems = config.load_packs(load_settings(project)).problems
        (problem,) = problems
        assert str(problem).startswith("packs.toml:15: pack 'one-sided': sides must be"), value


def test_a_pack_header_with_a_comment_keeps_the_lines_of_its_keys(tmp_path):
    project = make_project(tmp_path, broken_locale=False)
    text = PACKS.replace("[[pack]]", "[[pack]]  # a pack").replace('sides = "one"', 'sides = "both"')
    (project / "packs.toml").write_text(text, encoding="utf-8")
    problems = config.load_packs(load_settings(project)).problems
    (problem,) = problems
    assert str(problem).startswith("packs.toml:15: pack 'one-sided': sides must be")


@pytest.mark.parametrize("clinic", ['clinic = "Riverside Health Centre"', '[[pack.clinic]]\nname = "Riverside"'])
def test_a_clinic_that_is_not_a_table_is_a_problem_at_its_line(tmp_path, clinic):
    project = make_project(tmp_path, broken_locale=False)
    text = PACKS.replace('[pack.clinic]\nname = "Riverside Health Centre"\nphone = "+44 20 7946 0999"\n\n'
                         '[[pack]]', f"{clinic}\n\n[[pack]]")
    (project / "packs.toml").write_text(text, encoding="utf-8")
    loaded = config.load_packs(load_settings(project))
    packs, problems = loaded.packs, loaded.problems
    assert [pack.id for pack in packs] == ["one-sided"]  # the other pack still builds
    (problem,) = problems
    assert str(problem) == ("packs.toml:8: pack 'spanish-first': the clinic must be a [pack.clinic] table of its "
                            "details (name, address, phone, hours, email, website, logo)")


def test_a_language_or_leaflet_listed_twice_is_a_problem_at_its_line(tmp_path):
    project = make_project(tmp_path, broken_locale=False)
    text = PACKS.replace('locales = ["es", "en"]', 'locales = ["es", "en", "es"]')
    text = text.replace('leaflets = ["hand-washing"]\nlocales = ["en", "es"]',
                        'leaflets = ["hand-washing", "hand-washing"]\nlocales = ["en", "es"]')
    (project / "packs.toml").write_text(text, encoding="utf-8")
    loaded = config.load_packs(load_settings(project))
    packs, problems = loaded.packs, loaded.problems
    assert packs == ()
    assert [str(problem) for problem in problems] == [
        "packs.toml:6: pack 'spanish-first': locales lists 'es' more than once",
        "packs.toml:16: pack 'one-sided': leaflets lists 'hand-washing' more than once"]


@pytest.mark.parametrize("text, line", [('pack = "clinic"\n', 1), ('\n[pack]\nid = "x"\n', 2)])
def test_packs_that_are_not_pack_tables_stop_the_build_at_their_line(tmp_path, text, line):
    from leafpub.problems import ProblemError

    project = make_project(tmp_path, broken_locale=False)
    (project / "packs.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ProblemError) as raised:
        config.load_packs(load_settings(project))
    assert [str(problem) for problem in raised.value.problems] == [
        f"packs.toml:{line}: each pack must be a [[pack]] table (see the README)"]


# -- accessible packs -----------------------------------------------------------

@pytest.mark.slow
def test_a_standard_pack_passes_page_validation_pdf_ua1(built):
    import page

    from leafpub.pdf import accessibility

    project, _ = built
    data = (project / "output/packs/test-clinic.a4.pdf").read_bytes()
    assert page.validate_pdf_bytes(data, profile="ua1").failures == []
    assert accessibility.pdf_ua_problems(data) == []


@pytest.mark.slow
def test_the_pack_is_one_structure_tree_with_each_leaflet_in_its_language_and_the_clinic_box_as_text(built):
    """The cover, then each leaflet's headings and paragraphs under a part with its /Lang;
    the clinic's box, drawn from another document, is tagged text in the leaflet's language
    where the leaflet left it empty. poppler reads the tree's text back."""
    import pikepdf

    project, _ = built
    path = project / "output/packs/test-clinic.a4.pdf"
    with pikepdf.open(path) as pdf:
        assert pdf.Root.MarkInfo.Marked and str(pdf.Root.Lang) == "en"
        document = pdf.Root.StructTreeRoot.K[0]
        assert [str(part.Lang) for part in document.K] == ["en", "en", "es"]
        box = document.K[2].K[-1]  # the last element of the Spanish leaflet
        assert str(box.Lang) == "es"
    tagged = tagged_text(path)
    cover, english, spanish = tagged.split("\n  Part\n")[1:]
    assert '"Riverside Health Centre"' in cover and '"Washing your hands"' in english and '"Lavarse las manos"' in spanish
    assert '"Your clinic"' in english and '"Riverside Health Centre"' in english
    assert '"Su clínica"' in spanish and '"Riverside Health Centre"' in spanish and '"+44 20 7946 0999"' in spanish


@pytest.mark.slow
def test_a_base_folded_for_packs_reads_the_same_with_half_the_elements(built, tmp_path):
    """The Spans WeasyPrint makes for each run of text are folded into their parents in the
    leaflets every clinic's pack copies: poppler reads the same text in the same order from
    the tree, with fewer elements, and page-validation still passes it."""
    import page

    from leafpub.pdf import packtags

    project, report = built
    entry = next(e for e in report.manifest["leaflets"] if e["locale"] == "es" and e["variant"] == "standard")
    data = (project / "output" / entry["path"]).read_bytes()
    (tmp_path / "before.pdf").write_bytes(data)
    (tmp_path / "after.pdf").write_bytes(packtags.folded(data))
    before, after = tagged_text(tmp_path / "before.pdf"), tagged_text(tmp_path / "after.pdf")
    assert re.findall(r'"(.*)"', after) == re.findall(r'"(.*)"', before)
    assert "Lavarse las manos" in after
    assert after.count("Span") < before.count("Span") / 2
    assert page.validate_pdf_bytes((tmp_path / "after.pdf").read_bytes(), profile="ua1").failures == []


def test_an_object_added_to_a_writer_is_one_indirect_object_that_reads_back():
    writer = PdfWriter()
    blank = writer.add_blank_page(width=200, height=200)
    form = DecodedStreamObject()
    form.set_data(b"0 0 m 10 10 l S")
    form.update({NameObject("/Type"): NameObject("/XObject"), NameObject("/Subtype"): NameObject("/Form")})
    reference = add_object(writer, form)
    blank[NameObject("/Resources")] = DictionaryObject({NameObject("/XObject"): DictionaryObject(
        {NameObject("/X"): reference})})
    buffer = io.BytesIO()
    writer.write(buffer)
    page = PdfReader(io.BytesIO(buffer.getvalue())).pages[0]
    xobject = page["/Resources"].get_object()["/XObject"]
    assert isinstance(xobject.raw_get("/X"), IndirectObject)  # added once, referenced, not copied inline
    assert xobject["/X"].get_object()["/Subtype"] == "/Form" and xobject["/X"].get_object().get_data() == b"0 0 m 10 10 l S"
