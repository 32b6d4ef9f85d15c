"""Print-ready, accessible, reproducible output: every paper and variant of every leaflet."""

import hashlib
import json
import re
import shutil
from collections import Counter
from datetime import date

import pytest
from pdfminer.high_level import extract_pages
from pdfminer.layout import LTChar, LTTextContainer
from pypdf import PdfReader

import pipeline
from fixture_texts import OTHER_SCRIPTS
from helpers import build, make_project, pdf_fonts, pdf_text, plain, write_catalog

MM = 72 / 25.4


def entries(built, **match):
    """The published PDFs of leaflets (not their web versions) that match."""
    _, report = built
    return [e for e in report.manifest["leaflets"] if e["variant"] != "web" and all(e[k] == v for k, v in match.items())]


def pdf_path(built, entry):
    return built[0] / "output" / entry["path"]


@pytest.mark.slow
def test_every_language_is_published_in_every_paper_and_variant(built):
    formats = Counter((e["locale"], e["paper"], e["variant"]) for e in entries(built))
    assert set(formats) == {(locale, paper, variant) for locale in ("en", "es")
                            for paper in ("A4", "Letter")
                            for variant in ("standard", "large-print", "print")}


@pytest.mark.slow
@pytest.mark.parametrize("paper, size", [("A4", (595.28, 841.89)), ("Letter", (612.0, 792.0))])
def test_paper_sizes(built, paper, size):
    for entry in entries(built, paper=paper):
        page = PdfReader(pdf_path(built, entry)).pages[0]
        trim = [float(v) for v in page.trimbox]
        assert (round(trim[2] - trim[0], 1), round(trim[3] - trim[1], 1)) == (round(size[0], 1),
                                                                             round(size[1], 1)), entry


@pytest.mark.slow
def test_the_print_variant_has_bleed_marks_and_an_output_intent(built):
    for entry in entries(built, variant="print"):
        reader = PdfReader(pdf_path(built, entry))
        root = reader.trailer["/Root"]
        assert root["/OutputIntents"][0]["/S"] == "/GTS_PDFX"
        for page in reader.pages:
            trim = [float(v) for v in page.trimbox]
            bleed = [float(v) for v in page.bleedbox]
            media = [float(v) for v in page.mediabox]
            assert [round(b - t, 1) for b, t in zip(bleed, trim)] == [round(-3 * MM, 1), round(-3 * MM, 1),
                                                                    round(3 * MM, 1), round(3 * MM, 1)]
            assert media[0] < bleed[0] and media[2] > bleed[2]  # room for the crop marks
        assert all(font["embedded"] for font in pdf_fonts(pdf_path(built, entry)))


@pytest.mark.slow
def test_a_print_shop_pack_keeps_the_bleed_and_output_intent(tmp_path):
    project = make_project(tmp_path, broken_locale=False)
    packs = project / "packs.toml"
    packs.write_text(packs.read_text().replace('paper = "A4"', 'paper = "Letter"\nvariant = "print"'))
    report = build(project)
    (pack,) = report.manifest["packs"]
    assert (pack["path"], pack["variant"], pack["paper"]) == ("packs/test-clinic.letter.print.pdf",
                                                              "print", "Letter")
    reader = PdfReader(project / "output" / pack["path"])
    assert reader.trailer["/Root"]["/OutputIntents"][0]["/S"] == "/GTS_PDFX"
    assert all(float(page.bleedbox[0]) < float(page.trimbox[0]) for page in reader.pages)


@pytest.mark.slow
def test_standard_leaflets_are_tagged_for_screen_readers(built):
    for entry in entries(built, variant="standard") + entries(built, variant="large-print"):
        reader = PdfReader(pdf_path(built, entry))
        root = reader.trailer["/Root"]
        assert root["/MarkInfo"]["/Marked"] == True  # noqa: E712 (a pypdf BooleanObject)
        assert root["/ViewerPreferences"]["/DisplayDocTitle"] == True  # noqa: E712
        assert root["/Lang"] == entry["locale"]
        assert reader.metadata.title == entry["title"]
        # Bookmarks: the title, then one per section, "Other languages and formats" and the contact box.
        outline = [item.title for item in flatten(reader.outline)]
        assert outline[0] == entry["title"] and len(outline) == 5
        kinds = [kind for kind in structure_kinds(root["/StructTreeRoot"]) if kind in ("/H1", "/H2")]
        assert kinds == ["/H1", "/H2", "/H2", "/H2", "/H2"]  # title, two sections, formats, "Your clinic"


def flatten(outline):
    for item in outline:
        if isinstance(item, list):
            yield from flatten(item)
        else:
            yield item


def structure_kinds(node):
    node = node.get_object()
    if "/S" in node:
        yield node["/S"]
    kids = node.get("/K")
    if kids is None:
        return
    for kid in kids if isinstance(kids, list) else [kids]:
        kid = kid.get_object()
        if hasattr(kid, "get") and ("/S" in kid or "/K" in kid):
            yield from structure_kinds(kid)


def char_sizes(path, below_mm: float = 0, regular: bool = False):
    """The size of every character, as pdfminer reads them out of the PDF; with `below_mm`, only
    of those below that much of the page's top (the page's body, not the lines in its top margin);
    with `regular`, only of those not in bold (not the title and headings)."""
    sizes = []
    for page in extract_pages(str(path)):
        top = page.height - below_mm * 72 / 25.4
        for element in page:
            if isinstance(element, LTTextContainer):
                for line in element:
                    for char in getattr(line, "_objs", []):
                        if isinstance(char, LTChar) and char.get_text().strip() and char.y1 <= top \
                                and not (regular and "Bold" in char.fontname):
                            sizes.append(round(char.size, 1))
    return sizes


@pytest.mark.slow
def test_no_text_below_9_pt_in_any_variant(built):
    project, report = built
    for entry in entries(built) + report.manifest["packs"]:
        sizes = char_sizes(project / "output" / entry["path"])
        assert sizes and min(sizes) >= 9.0, (entry["path"], min(sizes))


@pytest.mark.slow
def test_large_print_body_text_is_at_least_16_pt_and_reflowed(built):
    for entry in entries(built, variant="large-print"):
        # The draft and clinical lines (12 pt, in the 26 mm top margin) can outnumber the fixture's few words.
        sizes = Counter(char_sizes(pdf_path(built, entry), below_mm=26))
        body = sizes.most_common(1)[0][0]
        assert body >= 16.0, entry["path"]
        standard = next(e for e in entries(built, locale=entry["locale"], paper=entry["paper"],
                                           variant="standard"))
        assert entry["pages"] >= standard["pages"]  # reflowed onto more pages, not scaled down
        assert Counter(char_sizes(pdf_path(built, standard), regular=True)).most_common(1)[0][0] == 11.0


@pytest.mark.slow
def test_building_twice_gives_byte_identical_files(tmp_path):
    first = make_project(tmp_path / "one", broken_locale=False)
    for locale, translations in OTHER_SCRIPTS.items():  # every script: Hindi's PDFs once differed
        write_catalog(first, locale, translations)
    assert build(first).problems == ()
    second = tmp_path / "two"
    shutil.copytree(first, second, ignore=shutil.ignore_patterns("output"))
    build(second)

    def checksums(project):
        return {str(path.relative_to(project / "output")): hashlib.sha256(path.read_bytes()).hexdigest()
                for path in sorted((project / "output").rglob("*")) if path.is_file()
                and not path.name.startswith(".")}

    assert checksums(first) == checksums(second)
    manifest = json.loads((first / "output/manifest.json").read_text())
    for entry in manifest["leaflets"] + manifest["packs"]:
        assert hashlib.sha256((first / "output" / entry["path"]).read_bytes()).hexdigest() == entry["sha256"]


@pytest.mark.slow
def test_a_leaflet_past_its_review_date_is_not_built_without_the_override(tmp_path, capsys):
    project = make_project(tmp_path, broken_locale=False)
    late = date(2027, 10, 2)  # the fixture leaflet is due for review on 2027-10-01
    report = pipeline.build(pipeline.config.load_settings(project), today=late)
    (problem,) = [p for p in report.problems if p.leaflet == "hand-washing" and p.locale is None]
    assert str(problem) == (
        "leaflets/hand-washing.md: leaflet 'hand-washing' was due for review on 2027-10-01 "
        "(owner: Infection control team); after its review, update last-reviewed and next-review, "
        "or build with --allow-overdue to print 'review overdue' on every page")
    assert report.manifest["leaflets"] == []

    report = pipeline.build(pipeline.config.load_settings(project), today=late, allow_overdue=True)
    assert report.problems == ()
    english = project / "output/leaflets/hand-washing/hand-washing.en.a4.pdf"
    pages = [plain(page) for page in pdf_text(english).split("\f") if page.strip()]
    assert pages and all("Review overdue: check with the clinic that this advice is still current" in page
                         for page in pages)


def test_status_lists_leaflets_due_within_90_days(tmp_path, capsys):
    project = make_project(tmp_path, broken_locale=False)
    leaflet = project / "leaflets/hand-washing.md"
    soon = date.today().toordinal() + 30
    leaflet.write_text(re.sub(r"next-review: .*", f"next-review: {date.fromordinal(soon)}", leaflet.read_text()))
    pipeline.main(["--project", str(project), "status", "--json"])
    (due,) = json.loads(capsys.readouterr().out)["due_for_review"]
    assert (due["leaflet"], due["days_left"], due["owner"]) == ("hand-washing", 30, "Infection control team")


def test_readability_reports_each_section_and_the_longest_sentences(tmp_path, capsys):
    project = make_project(tmp_path, broken_locale=False)
    assert pipeline.main(["--project", str(project), "readability", "--json"]) == 0
    (report,) = json.loads(capsys.readouterr().out)
    assert [s["heading"] for s in report["sections"]] == ["Introduction", "How to wash your hands",
                                                          "When to ask for help"]
    assert all(0 < s["grade"] < 20 and s["words"] > 0 for s in report["sections"])
    words, sentence = report["longest_sentences"][0]
    assert sentence == "Ask a nurse if you have a cut on your hands." and words == 11
