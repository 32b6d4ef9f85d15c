"""The second fixture leaflet (every element) built in English, Arabic and Chinese: its PDFs tagged
as PDF/UA-1 wants (Figure with /Alt, Table with header cells, L/LI/Lbl/LBody, the box as a titled
Sect), its figure's labels as text that copies, large print reflowed, its web version, and a table
that does not fit the page budget as a problem."""

import subprocess

import pikepdf
import pytest

from helpers import build, make_elements_project, pdf_text, plain
from leafpub.pdf import accessibility

pytestmark = pytest.mark.slow  # every test here builds a whole project

OUTPUT = "output/leaflets/skin-biopsy"


@pytest.fixture(scope="module")
def elements(tmp_path_factory):
    project = make_elements_project(tmp_path_factory.mktemp("elements"))
    return project, build(project)


def structure(path) -> str:
    """poppler's structure tree with its text: what a screen reader walks, in order."""
    return subprocess.run(["pdfinfo", "-struct-text", str(path)], check=True, capture_output=True, text=True).stdout


def alternative_texts(path) -> list[str]:
    with pikepdf.open(path) as pdf:
        return [str(element.Alt) for element in pdf.objects
                if isinstance(element, pikepdf.Dictionary) and element.get("/S") == "/Figure" and "/Alt" in element]


def test_every_language_and_format_is_published_and_passes_the_gates(elements):
    project, report = elements
    assert report.problems == ()  # the text gate and the PDF/UA gate of every document included
    published = {(entry["locale"], entry.get("paper"), entry["variant"]) for entry in report.manifest["leaflets"]}
    assert {(locale, "A4", variant) for locale in ("en", "ar", "zh_Hans")
            for variant in ("standard", "large-print", "print")} <= published
    for locale in ("en", "ar", "zh_Hans"):
        for variant in ("", ".large-print"):
            data = (project / OUTPUT / f"skin-biopsy.{locale}.a4{variant}.pdf").read_bytes()
            assert accessibility.pdf_ua_problems(data) == []


def header_scopes(path) -> list[tuple[str, str]]:
    with pikepdf.open(path) as pdf:
        return sorted((str(element.ID), str(element.A.get("/Scope"))) for element in pdf.objects
                      if isinstance(element, pikepdf.Dictionary) and element.get("/S") == "/TH")


def test_each_table_header_cell_has_its_scope(elements):
    project, _ = elements
    scopes = header_scopes(project / OUTPUT / "skin-biopsy.ar.a4.pdf")
    assert [scope for _, scope in scopes] == ["/Column", "/Column", "/Row", "/Row", "/Row"], scopes


def test_the_pdf_is_tagged_with_the_figure_table_steps_and_box_in_reading_order(elements):
    project, _ = elements
    tree = structure(project / OUTPUT / "skin-biopsy.en.a4.pdf")
    steps = tree.index('"Keep the dressing on."')
    table, figure, box = tree.index("Table"), tree.index("Figure"), tree.index('"When to contact us"')
    assert steps < table < figure < box
    assert all(tag in tree[steps - 200:table] for tag in ("L (block)", "LI (block)", "Lbl (block)", "LBody (block)"))
    assert "THead" in tree and "TH " in tree and "TD:" in tree and "/Headers" in tree
    assert "Caption" in tree[figure:box]
    box_part = tree[tree.rindex("Sect", 0, box):box]
    assert "H3 (block)" in box_part  # the box is a Sect with its title as its heading
    assert "A small wound closed with three stitches, with a dressing over it." in alternative_texts(
        project / OUTPUT / "skin-biopsy.en.a4.pdf")
    arabic = project / OUTPUT / "skin-biopsy.ar.a4.pdf"
    assert "جرح صغير مغلق بثلاث غرز، وفوقه ضمادة." in alternative_texts(arabic)


@pytest.mark.parametrize("locale, labels", [("ar", ["الغرز", "الضمادة", "الجلد"]), ("zh_Hans", ["缝线", "敷料", "皮肤"])])
def test_the_figure_labels_are_text_that_copies_in_the_readers_language(elements, locale, labels):
    project, _ = elements
    from pypdf import PdfReader

    page = PdfReader(project / OUTPUT / f"skin-biopsy.{locale}.a4.pdf").pages[0].extract_text()
    for label in labels:
        assert label in plain(page), label
    assert "Stitches" not in pdf_text(project / OUTPUT / f"skin-biopsy.{locale}.a4.pdf")


def test_large_print_reflows_every_element_within_its_budget(elements):
    project, report = elements
    entries = [entry for entry in report.manifest["leaflets"] if entry["variant"] == "large-print"]
    assert entries and all(entry["pages"] <= 5 for entry in entries)
    text = plain(pdf_text(project / OUTPUT / "skin-biopsy.en.a4.large-print.pdf"))
    for words in ("Come back for your stitches.", "The wound after the biopsy", "Stitches", "if you have a fever"):
        assert words in text


def test_the_web_version_has_the_elements_as_html_gives_them(elements):
    project, _ = elements
    page = (project / OUTPUT / "skin-biopsy.ar.html").read_text(encoding="utf-8")
    assert '<ol class="steps">' in page and '<th scope="col">' in page and '<th scope="row">' in page
    assert '<section class="box box-important" aria-labelledby="box-1">' in page and 'id="box-1"' in page
    assert "<figcaption" in page and 'alt="جرح صغير مغلق بثلاث غرز، وفوقه ضمادة."' in page
    assert "src=\"data:image/svg+xml;base64," in page
    # a web address is a link on screen, and text on paper
    assert '<a href="https://example.org/wound-care" dir="ltr">https://example.org/wound-care</a>' in page
    assert "https://example.org/wound-care" in pdf_text(project / OUTPUT / "skin-biopsy.en.a4.pdf")
    with pikepdf.open(project / OUTPUT / "skin-biopsy.en.a4.pdf") as pdf:
        assert not [a for page in pdf.pages for a in page.get("/Annots", [])]


def test_a_redrawn_figure_renders_its_leaflet_again(elements, tmp_path):
    project, _ = elements
    svg = project / "leaflets" / "figures" / "wound.svg"
    before = (project / OUTPUT / "skin-biopsy.en.a4.pdf").read_bytes()
    original = svg.read_text(encoding="utf-8")
    try:
        svg.write_text(original.replace('fill="#f3d3bd"', 'fill="#e8c4aa"'), encoding="utf-8")
        report = build(project)
        assert report.problems == ()
        assert (project / OUTPUT / "skin-biopsy.en.a4.pdf").read_bytes() != before
    finally:
        svg.write_text(original, encoding="utf-8")


def test_a_table_that_does_not_fit_the_page_budget_is_a_problem_not_an_overflow(tmp_path):
    project = make_elements_project(tmp_path)
    for locale in ("ar", "zh_Hans"):
        (project / "translations" / locale / "LC_MESSAGES" / "messages.po").unlink()
    leaflet = project / "leaflets" / "skin-biopsy.md"
    rows = "".join(f"| {day} | Keep the dressing dry. |\n" for day in range(8, 120))
    leaflet.write_text(leaflet.read_text(encoding="utf-8").replace("| 7 | Come back for your stitches. |\n",
                                                                   "| 7 | Come back for your stitches. |\n" + rows),
                       encoding="utf-8")
    report = build(project)
    messages = [str(problem) for problem in report.problems]
    assert messages and all("page" in message for message in messages), messages
    assert not (project / OUTPUT / "skin-biopsy.en.a4.pdf").exists()


def test_braille_reads_the_figure_as_its_text_and_the_table_row_by_row_with_its_headers(elements):
    """The English braille, translated back: the steps with their numbers, each row's headers before
    its cells, the figure's alternative text and caption where the drawing is."""
    from leafpub.formats import braille_tables as tables
    from leafpub.braille import translate

    project, report = elements
    cells = (project / OUTPUT / "skin-biopsy.en.brl.txt").read_text(encoding="utf-8")
    # Line 25 of each page holds only its braille page number.
    lines = [line.strip() for page in cells.split("\f") for line in page.splitlines()[:24] if line.strip()]
    text = " ".join(" ".join(translate.backward(tables.choice("en"), lines)).split())
    ordered = ["1. Keep the dressing on.", "Day 1 What to do Keep the dressing dry.",
               "Day 2 What to do Take the dressing off.",
               "A small wound closed with three stitches, with a dressing over it.", "The wound after the biopsy",
               "When to contact us"]
    places = [text.find(part) for part in ordered]
    assert -1 not in places and places == sorted(places), (places, text)
