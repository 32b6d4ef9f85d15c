"""Numbered steps, boxes, tables and figures: read from the leaflet format (with each mistake at its
file:line), checked SVG figures, their messages for translators, and the checks on their translations."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from fixture_texts import ARABIC

from helpers import build, counting_server, DATA, make_elements_project, make_project, read_po_file, ROOT, write_catalog
from leafpub.catalogs import catalogs
from leafpub.content import figures
from leafpub.config import load_settings
from leafpub.content.content import figure_loader, load_leaflets, parse_leaflet
from leafpub.content.elements import Box, Figure, Steps, Table, reading_order
from leafpub.model import BulletList, Paragraph
from leafpub.variants import FORMATS
from leafpub.problems import ProblemError

FIXTURE = DATA / "elements"
SOURCE = (FIXTURE / "leaflets" / "skin-biopsy.md").read_text(encoding="utf-8")
SVG = (FIXTURE / "leaflets" / "figures" / "wound.svg").read_text(encoding="utf-8")


def read(text: str = SOURCE):
    return parse_leaflet(text, "leaflets/skin-biopsy.md", "skin-biopsy",
                         figure_loader(FIXTURE.resolve(), FIXTURE.resolve() / "leaflets"))


def test_every_element_is_read_with_its_messages_in_reading_order():
    leaflet = read()
    intro, before, caring = leaflet.sections
    (steps,) = before.blocks
    assert isinstance(steps, Steps)
    assert [(item.text, item.line) for item in steps.items] == [("Keep the dressing on.", 15),
                                                                ("Ask when your stitches come out.", 16)]
    assert steps.items[1].context.endswith("numbered step 2 of 2")
    table, figure, box = caring.blocks
    assert isinstance(table, Table) and [cell.text for cell in table.header] == ["Day", "What to do"]
    assert [[cell.text for cell in row] for row in table.rows] == [
        ["1", "Keep the dressing dry."], ["2", "Take the dressing off."], ["7", "Come back for your stitches."]]
    assert table.rows[2][1].line == 24 and "table 1, row 3, cell 2 of 2 (under 'What to do')" in table.rows[2][1].context
    assert isinstance(figure, Figure) and figure.source == "leaflets/figures/wound.svg"
    assert figure.alt.text == "A small wound closed with three stitches, with a dressing over it."
    assert figure.caption.text == "The wound after the biopsy"
    assert [(label.text.text, label.anchor) for label in figure.labels] == [
        ("Stitches", "start"), ("Dressing", "middle"), ("Skin", "start")]
    assert figure.labels[1].text.context.endswith("figure 1, label 2 of 3 (printed on the drawing; keep it short)")
    assert (figure.labels[1].x, figure.labels[1].y) == (50.0, 27.5) and figure.labels[1].place() == "top: 27.50%; left: 25.00%; width: 50%"
    assert isinstance(box, Box) and (box.kind, box.title.text, box.title.line) == ("important", "When to contact us", 28)
    paragraph, bullets = box.blocks
    assert isinstance(paragraph, Paragraph) and isinstance(bullets, BulletList)
    assert paragraph.text.text == "Call the clinic if the wound bleeds." and paragraph.text.line == 29
    texts = [message.text for message in leaflet.messages()]
    assert texts.index("Day") < texts.index("The wound after the biopsy") < texts.index("Skin") < texts.index(
        "When to contact us") < texts.index("if you have a fever")


def test_reading_order_reads_a_figure_by_its_text_and_a_table_row_by_row_with_its_headers():
    readings = [(reading.kind, [text.text for text in reading.texts]) for reading in reading_order(read())]
    assert ("row", ["Day", "2", "What to do", "Take the dressing off."]) in readings
    assert ("figure", ["A small wound closed with three stitches, with a dressing over it.",
                       "The wound after the biopsy"]) in readings
    assert ("box", ["When to contact us"]) in readings and ("step", ["Keep the dressing on."]) in readings
    assert not any("Stitches" in texts for _, texts in readings)  # the labels: the alternative text says it


@pytest.mark.parametrize("old, new, line, words", [
    ('![A small wound closed with three stitches, with a dressing over it.]', "![]", 26, "alternative text"),
    (' "The wound after the biopsy")', ")", 26, "needs a caption"),
    ("| 2 | Take the dressing off. |", "| 2 | Take the dressing off. | today |", 23,
     "this table row has 3 cells; the header has 2"),
    ("| 7 | Come back for your stitches. |", "| 7 |", 24, "this table row has 1 cells; the header has 2"),
    ("> [!IMPORTANT] When to contact us", "> When to contact us", 28, "a box starts with '> [!IMPORTANT]"),
    ("> [!IMPORTANT] When to contact us", "> [!URGENT] When to contact us", 28, "a box starts with"),
    ("> [!IMPORTANT] When to contact us", "> [!IMPORTANT]", 28, "a box starts with"),
    ("(figures/wound.svg", "(../../secret.svg", 26, "figures/NAME.svg"),
    ("![A small", "See ![A small", 26, "stands alone on its line"),
    ("1. Keep the dressing on.", "3. Keep the dressing on.", 15, "numbered steps start at 1"),
    ("<https://example.org/wound-care>", "[our page](javascript:alert(1))", 11, "a link goes to a web address"),
    ("<https://example.org/wound-care>", "<nurse@example.org>", 11, "a link goes to a web address"),
])
def test_a_malformed_element_is_a_problem_at_its_line(old, new, line, words):
    assert old in SOURCE
    with pytest.raises(ProblemError) as raised:
        read(SOURCE.replace(old, new))
    problem = raised.value.problems[0]
    assert (problem.path, problem.line) == ("leaflets/skin-biopsy.md", line), problem
    assert words in problem.message


@pytest.mark.parametrize("old, new, line, words", [
    ('<path d="M200', '<script>alert(1)</script>\n  <path d="M200', 5, "may not contain <script>"),
    ('<path d="M200', '<image href="http://127.0.0.1:{port}/x.png" width="9" height="9"/>\n  <path d="M200', 5,
     "may not contain <image>"),
    ('<rect x="20"', '<rect clip-path="url(http://127.0.0.1:{port}/p)" x="20"', 4, "refers to something outside"),
    ('<rect x="20"', '<rect style="fill: red" x="20"', 4, "attribute 'style'"),
    ('<rect x="20"', '<rect onclick="alert(1)" x="20"', 4, "attribute 'onclick'"),
    ('<path d="M200', '<foreignObject width="9" height="9"/>\n  <path d="M200', 5, "<foreignObject>"),
    ('<svg xmlns', '<!DOCTYPE svg [<!ENTITY x "y">]>\n<svg xmlns', 2, "entities"),
    ('>Skin<', '>&x;<', 10, "entities"),
    ('<text id="skin"', '<text', 10, "a label is a <text> with an id"),
    ('viewBox="0 0 400 200"', "", 2, "viewBox"),
])
def test_a_figure_that_breaks_a_rule_is_a_problem_at_its_line_and_nothing_of_it_is_fetched(old, new, line, words):
    with counting_server() as (address, hits):
        port = address.rsplit(":", 1)[1]
        assert old in SVG
        data = SVG.replace(old, new.replace("{port}", port)).encode()
        with pytest.raises(ProblemError) as raised:
            figures.read_figure(data, "leaflets/figures/wound.svg")
        assert hits == []
    found = [(problem.line, problem.message) for problem in raised.value.problems]
    assert any(at == line and words in message for at, message in found), found


@pytest.mark.slow
def test_a_broken_figure_fails_its_leaflet_naming_the_svg_and_the_build_fetches_nothing(tmp_path):
    project = make_elements_project(tmp_path)
    svg = project / "leaflets" / "figures" / "wound.svg"
    svg.write_text(SVG.replace('<path d="M200', '<script>alert(1)</script>\n  <path d="M200'), encoding="utf-8")
    loaded = load_leaflets(load_settings(project))
    leaflets, problems = loaded.leaflets, loaded.problems
    assert [leaflet for leaflet in leaflets if leaflet.slug == "skin-biopsy"] == []
    assert [str(problem) for problem in problems] == [
        "leaflets/figures/wound.svg:5: a figure may not contain <script>"]
    with counting_server() as (address, hits):
        svg.write_text(SVG.replace('<path d="M200', f'<image href="{address}/x.png" width="9" height="9"/>\n'
                                                   '  <path d="M200'), encoding="utf-8")
        report = build(project)
    assert hits == []
    assert "leaflets/figures/wound.svg:5: a figure may not contain <image>" in [str(p) for p in report.problems]
    assert not (project / "output" / "leaflets" / "skin-biopsy" / "skin-biopsy.en.a4.pdf").exists()


@pytest.mark.slow
def test_a_leaflet_whose_figure_breaks_keeps_its_published_documents_outdated(tmp_path):
    project = make_project(tmp_path, broken_locale=False)  # in English only: no catalog needs the figure's texts
    (project / "leaflets" / "hand-washing.md").unlink()
    shutil.rmtree(project / "translations" / "es")
    (project / "packs.toml").write_text("", encoding="utf-8")
    shutil.copytree(DATA / "elements" / "leaflets", project / "leaflets", dirs_exist_ok=True)
    assert build(project).problems == ()
    svg = project / "leaflets" / "figures" / "wound.svg"
    svg.write_text(SVG.replace('<path d="M200', '<script>alert(1)</script>\n  <path d="M200'), encoding="utf-8")
    report = build(project)
    reason = "leaflets/figures/wound.svg:5: a figure may not contain <script>"
    assert [str(problem) for problem in report.problems] == [reason]
    kept = [entry for entry in report.manifest["leaflets"] if entry["leaflet"] == "skin-biopsy"]
    assert len(kept) == len(FORMATS) + 1  # every PDF, and the web version
    assert all(entry["outdated"] == reason for entry in kept)
    assert (project / "output" / "leaflets" / "skin-biopsy" / "skin-biopsy.en.a4.pdf").is_file()


def test_a_figure_is_drawn_without_its_labels_and_keeps_only_what_is_allowed():
    import base64

    drawing = figures.read_figure(SVG.encode(), "wound.svg")
    svg = base64.b64decode(drawing.drawing.removeprefix("data:image/svg+xml;base64,")).decode()
    assert "<text" not in svg and "Stitches" not in svg and "<path" in svg
    assert [label[0] for label in drawing.labels] == ["Stitches", "Dressing", "Skin"]


def test_pybabel_extract_gives_each_element_text_with_a_comment_saying_what_and_where(tmp_path):
    project = make_elements_project(tmp_path)
    pot = tmp_path / "messages.pot"
    pybabel = Path(sys.executable).with_name("pybabel")
    subprocess.run([str(pybabel), "extract", "-F", "babel.cfg", "-c", "Translators:", "-o", str(pot), "."],
                   cwd=project, check=True, capture_output=True,
                   env={**os.environ, "PYTHONPATH": str(ROOT)})  # this checkout's extractor, wherever leafpub is installed
    template = read_po_file(pot)
    comments = {message.id: " ".join(message.auto_comments) for message in template if message.id}
    assert "figure 1, label 3 of 3" in comments["Skin"]
    assert "figure 1, alternative text" in comments["A small wound closed with three stitches, with a dressing over it."]
    assert "figure 1, caption" in comments["The wound after the biopsy"]
    assert "table 1, header 2 of 2" in comments["What to do"]
    assert "table 1, row 1, cell 2 of 2 (under 'What to do')" in comments["Keep the dressing dry."]
    assert "numbered step 1 of 2" in comments["Keep the dressing on."]
    assert "title of a box" in comments["When to contact us"]
    assert "box 'When to contact us': list item" in comments["if you have a fever"]


@pytest.mark.parametrize("english", ["Stitches", "A small wound closed with three stitches, with a dressing over it."])
def test_a_figure_label_or_alternative_text_left_in_english_is_a_problem_at_its_line(tmp_path, english):
    project = make_elements_project(tmp_path)
    (project / "translations" / "ar" / "LC_MESSAGES" / "messages.po").unlink()
    path = write_catalog(project, "ar", {**ARABIC, english: english})
    catalog = catalogs.load_catalog(load_settings(project), "ar")
    line = next(message.lineno for message in read_po_file(path) if message.id == english)
    problems = [problem for problem in catalog.problems if "left in English" in problem.message]
    assert [(problem.path, problem.line) for problem in problems] == [("translations/ar/LC_MESSAGES/messages.po", line)]
    # and a translated one is not
    path.unlink()
    write_catalog(project, "ar", ARABIC)
    assert not [p for p in catalogs.load_catalog(load_settings(project), "ar").problems if "left in English" in p.message]


@pytest.mark.slow
def test_the_review_sheet_and_readability_take_every_element_text(tmp_path):
    """The reviewer's side-by-side sheet lists a figure's texts, a table's cells and a box's
    text in their section; the readability report counts them."""
    from leafpub.commands import proofs
    from leafpub.content import readability

    project = make_elements_project(tmp_path)
    settings = load_settings(project)
    leaflet = load_leaflets(settings).leaflets[0]
    sections = proofs.review_sections(leaflet, catalogs.load_catalog(settings, "ar"), [])
    caring = next(section for section in sections if section.heading == "Caring for the wound")
    shown = [str(row.translation) for row in caring.rows]
    for arabic in ("اليوم", "الغرز", "جرح صغير مغلق بثلاث غرز، وفوقه ضمادة.", "متى تتصل بنا"):
        assert any(arabic in text for text in shown), arabic
    report = readability.assess(leaflet)
    assert [section.heading for section in report.sections] == ["Introduction", "Before you go home",
                                                                "Caring for the wound"]


def test_element_texts_go_through_xliff_and_the_back_translation_as_any_message(tmp_path, capsys):
    import pipeline

    project = make_elements_project(tmp_path)
    xliff = tmp_path / "messages.ar.xlf"
    assert pipeline.main(["--project", str(project), "export", "ar", "--format", "xliff", "-o", str(xliff)]) == 0
    exported = xliff.read_text(encoding="utf-8")
    assert "figure 1, label 2 of 3" in exported and "<target" in exported and ARABIC["Dressing"] in exported
    assert "table 1, row 3, cell 2 of 2" in exported and ARABIC["When to contact us"] in exported
    # an agency that changes a link's address is refused, the rest merged
    intro = "This leaflet explains how to look after the wound. More advice: <https://example.org/wound-care>"
    xliff.write_text(exported.replace(
        ARABIC[intro].replace("<", "&lt;").replace(">", "&gt;"),
        ARABIC[intro].replace("<", "&lt;").replace(">", "&gt;").replace("example.org", "evil.example")),
        encoding="utf-8")
    assert pipeline.main(["--project", str(project), "import", str(xliff)]) == 1
    assert "the web addresses must stay as in the English" in capsys.readouterr().err
    back = tmp_path / "back.po"
    assert pipeline.main(["--project", str(project), "back-translation", "export", "ar", "-o", str(back)]) == 0
    blind = back.read_text(encoding="utf-8")
    assert ARABIC["Stitches"] in blind and "Stitches" not in blind
