"""Braille: the BRF's pages, the gate (passing on a real translation, failing on a broken table),
the manifest, the archive, incremental builds and the status command."""

from __future__ import annotations

import hashlib
import json
import re
import shutil

import pytest
from helpers import build, make_project, pdf_text, plain, write_catalog

import pipeline
from leafpub.formats import formats
from leafpub.braille import gate, layout, translate
from leafpub.formats import braille_tables as tables

GERMAN = {
    "Washing your hands": "Hände waschen",
    "Clean hands stop germs from spreading.": "Saubere Hände verhindern, dass sich Keime verbreiten.",
    "How to wash your hands": "So waschen Sie Ihre Hände",
    "Use soap and warm water for **20 seconds**.": "Nehmen Sie Seife und warmes Wasser für **20 Sekunden**.",
    "Wet your hands.": "Machen Sie Ihre Hände nass.",
    "Rub them together with soap.": "Reiben Sie sie mit Seife aneinander.",
    "Rinse and dry them.": "Spülen und trocknen Sie sie.",
    "When to ask for help": "Wann Sie Hilfe holen sollten",
    "Ask a nurse if you have a cut on your hands.": "Fragen Sie eine Pflegekraft, wenn Sie eine Schnittwunde an "
                                                   "den Händen haben.",
}
CHINESE = {
    "Washing your hands": "洗手",
    "Clean hands stop germs from spreading.": "干净的手可以阻止细菌传播。",
    "How to wash your hands": "如何洗手",
    "Use soap and warm water for **20 seconds**.": "用肥皂和温水洗 **20 秒**。",
    "Wet your hands.": "把手弄湿。",
    "Rub them together with soap.": "用肥皂搓手。",
    "Rinse and dry them.": "冲洗干净并擦干。",
    "When to ask for help": "什么时候需要求助",
    "Ask a nurse if you have a cut on your hands.": "如果手上有伤口，请询问护士。",
}
BRF = "leaflets/hand-washing/hand-washing.{}.brf"
UNICODE = "leaflets/hand-washing/hand-washing.{}.brl.txt"


@pytest.fixture(scope="module")
def german(tmp_path_factory):
    """The fixture project with a German catalog, built once (and a Chinese one: a language without braille)."""
    project = make_project(tmp_path_factory.mktemp("braille"))
    write_catalog(project, "de", GERMAN)
    write_catalog(project, "zh_Hans", CHINESE)
    return project, build(project)


def formats_of(manifest: dict, locale: str) -> dict[str, dict]:
    """A language's braille files in the manifest (its "formats" list the audio's too)."""
    return {entry["kind"]: entry for entry in manifest["formats"] if entry["locale"] == locale
            and entry["kind"].startswith("braille-")}


@pytest.mark.slow
def test_a_translation_passes_the_gate_and_its_braille_is_published_with_its_checksum(german):
    project, report = german
    output = project / "output"
    for locale in ("en", "de"):
        entries = formats_of(report.manifest, locale)
        assert set(entries) == {"braille-brf", "braille-unicode"}, report.problems
        for entry in entries.values():
            data = (output / entry["path"]).read_bytes()
            assert hashlib.sha256(data).hexdigest() == entry["sha256"]
            assert entry["table"] == tables.choice(locale).table
            gate = entry["gate"]
            assert gate["checked"] == gate["exact"] + gate["normalised"] > 15
    assert formats_of(report.manifest, "de")["braille-brf"]["path"] == BRF.format("de")
    # The German says what the catalog says: "Hände" in German braille (Vollschrift), ä as dots 345.
    text = (output / UNICODE.format("de")).read_text(encoding="utf-8")
    assert "⠓⠜⠝⠙⠑" in text


@pytest.mark.slow
def test_the_brf_has_40_cell_lines_25_line_pages_form_feeds_and_braille_page_numbers(german):
    project, report = german
    for locale in ("en", "de"):
        data = (project / "output" / BRF.format(locale)).read_bytes()
        pages = data.decode("ascii").split("\f")
        assert len(pages) == formats_of(report.manifest, locale)["braille-brf"]["pages"] >= 2
        for number, page in enumerate(pages, start=1):
            lines = page.split("\r\n")
            assert lines[-1] == "" and len(lines) - 1 == layout.LINES
            assert all(len(line) <= layout.CELLS for line in lines)
            assert all(set(line) <= set(layout.BRAILLE_ASCII) for line in lines)
            # Line 25: the page number alone, at the right: number sign (#) and a-j for 1-0.
            assert lines[24] == " " * (layout.CELLS - 2) + "#" + "JABCDEFGHI"[number]
        # The Unicode copy: the same pages, cell for cell.
        copy = (project / "output" / UNICODE.format(locale)).read_text(encoding="utf-8")
        assert layout.from_ascii(data.decode("ascii").replace("\r\n", "\n").replace("\f", "")
                                 .replace("\n", "")) == copy.replace("\n", "").replace("\f", "")


def test_headings_lists_and_paragraphs_are_laid_out_as_bana_formats_say():
    cells = lambda text: "⠀".join("⠁" * len(word) for word in text.split())  # noqa: E731
    blocks = [layout.Block("title", cells("aaaa bbbb"), 0), layout.Block("heading", cells("cc dd"), 1),
              layout.Block("paragraph", cells("x " * 30), 2), layout.Block("item", cells("y " * 25), 3),
              layout.Block("list-end", "")]
    page = layout.lay_out(blocks, ["⠼⠁"])[0]
    shown = [line.cells for line in page]
    assert shown[0] == "⠀" * 15 + cells("aaaa bbbb")  # centred
    assert shown[1] == "" and shown[2] == "⠀" * 4 + cells("cc dd")  # a blank line, then cell 5
    assert shown[3].startswith("⠀⠀⠁") and shown[4].startswith("⠁")  # 3-1
    assert shown[5] == ""  # a blank line before the list
    assert shown[6].startswith("⠁") and shown[7].startswith("⠀⠀⠁")  # 1-3
    assert page[6].message == page[7].message == 3


def test_braille_ascii_is_liblouis_own_north_american_table():
    dots = {}
    for line in (tables.SYSTEM_TABLES / "en-us-brf.dis").read_text().splitlines():
        match = re.fullmatch(r"display\s+(\S+)\s+(\d+)", line.strip())
        if match:
            character = " " if match.group(1) == "\\s" else match.group(1).replace("\\\\", "\\")
            dots[character] = sum(1 << (int(dot) - 1) for dot in match.group(2) if dot != "0")
    assert {character: layout.BRAILLE_ASCII.index(character) for character in dots} == dots


@pytest.fixture
def broken_table(tmp_path, monkeypatch):
    """UEB whose letter i is written with e's dots (15): print 'i' is mistranslated. (liblouis looks
    for an included table beside the table that includes it first: every file is copied.)"""
    folder = tmp_path / "tables"
    folder.mkdir()
    for name in ("en-ueb-g2.ctb", "en-ueb-g1.ctb", "en-ueb-chardefs.uti", "latinLetterDef6Dots.uti"):
        shutil.copy(tables.SYSTEM_TABLES / name, folder / name)
    chardefs = folder / "latinLetterDef6Dots.uti"
    text, changed = re.subn(r"(?m)^lowercase i 24\b", "lowercase i 15", chardefs.read_text(encoding="utf-8"))
    assert changed == 1
    chardefs.write_text(text, encoding="utf-8")
    monkeypatch.setenv("LOUIS_TABLEPATH", f"{folder},{tables.SYSTEM_TABLES}")
    return folder


@pytest.mark.slow
def test_a_mistranslating_table_fails_the_gate_at_the_leaflet_line_and_publishes_no_braille(
        tmp_path, broken_table):
    project = make_project(tmp_path)
    report = build(project)
    problems = [problem for problem in report.problems if "braille" in problem.message]
    assert problems and all(problem.locale == "en" for problem in problems)
    # "Ask a nurse if ..." is line 23 of the leaflet ("if" keeps its letter i in contracted UEB); "wet" (no i) is fine.
    assert any(str(problem).startswith("leaflets/hand-washing.md:23: braille (en-ueb-g2.ctb) does not translate "
                                       "back to the text: 'Ask a nurse if you have a cut on your hands.' came back "
                                       "as 'Ask a nurse ef") for problem in problems), problems
    assert not any("Wet your hands" in str(problem) for problem in problems)
    assert not formats_of(report.manifest, "en")
    assert not (project / "output" / BRF.format("en")).exists()
    assert any(problem["message"] == str(problems[0]) for problem in report.manifest["problems"])


@pytest.mark.slow
def test_german_through_an_english_table_fails_at_the_catalog_line(tmp_path, monkeypatch):
    project = make_project(tmp_path)
    catalog = write_catalog(project, "de", GERMAN)
    monkeypatch.setitem(tables.BRAILLE, "de", tables.Table("en-ueb-g1.ctb", "wrong: English for German"))
    report = build(project)
    problems = [problem for problem in report.problems if problem.locale == "de" and "braille" in problem.message]
    text = catalog.read_text(encoding="utf-8").splitlines()
    # UEB has signs for ä, ö, ü and ß, but writes the German dash so that it comes back otherwise.
    line = next(number for number, found in enumerate(text, start=1) if found.startswith('msgid "Draft translation'))
    assert any(str(problem).startswith(f"translations/de/LC_MESSAGES/messages.po:{line}: braille")
               for problem in problems), problems
    assert not formats_of(report.manifest, "de") and formats_of(report.manifest, "en")
    assert not (project / "output" / BRF.format("de")).exists()


@pytest.mark.slow
def test_only_the_braille_of_a_changed_language_is_made_again_and_the_old_one_is_archived(tmp_path):
    project = make_project(tmp_path)
    catalog = write_catalog(project, "de", GERMAN)
    first = build(project)
    assert {path for path, _ in first.formats_made} == {path.format(locale) for path in (BRF, UNICODE)
                                                       for locale in ("de", "en", "es")}
    assert build(project).formats_made == ()
    old = (project / "output" / BRF.format("de")).read_bytes()
    catalog.write_text(catalog.read_text(encoding="utf-8").replace("Spülen und trocknen Sie sie.",
                                                                  "Spülen Sie sie ab und trocknen Sie sie."),
                       encoding="utf-8")
    third = build(project)
    assert dict(third.formats_made) == {BRF.format("de"): "its translations changed",
                                        UNICODE.format("de"): "its translations changed"}
    archived = [entry for entry in third.manifest["archive"] if entry["path"].endswith(".de.brf")]
    assert len(archived) == 1 and (project / "output" / archived[0]["path"]).read_bytes() == old
    assert archived[0]["sha256"] == hashlib.sha256(old).hexdigest()


@pytest.mark.slow
def test_a_table_change_makes_its_languages_braille_again(tmp_path, monkeypatch):
    project = make_project(tmp_path)
    build(project)
    folder = tmp_path / "tables"
    folder.mkdir()
    shutil.copy(tables.SYSTEM_TABLES / "en-ueb-g2.ctb", folder / "en-ueb-g2.ctb")
    with (folder / "en-ueb-g2.ctb").open("a") as table:
        table.write("\n# a comment: the file changed, its braille does not\n")
    monkeypatch.setenv("LOUIS_TABLEPATH", f"{folder},{tables.SYSTEM_TABLES}")
    tables._digest.cache_clear()
    assert dict(build(project).formats_made) == {BRF.format("en"): "its braille table changed",
                                                 UNICODE.format("en"): "its braille table changed"}


@pytest.mark.slow
def test_languages_without_braille_say_why_in_the_manifest_status_and_download_page(german, capsys):
    project, report = german
    unavailable = {item["locale"]: item["reason"] for item in report.manifest["formats_unavailable"]}
    assert "zh_Hans" in unavailable and "cannot be translated back" in unavailable["zh_Hans"]
    page = (project / "output/leaflets/hand-washing/index.html").read_text(encoding="utf-8")
    assert 'href="hand-washing.de.brf"' in page and 'href="hand-washing.en.brl.txt"' in page
    assert "No braille in Chinese" in page and 'href="hand-washing.es.brf"' in page
    web = (project / "output/leaflets/hand-washing/hand-washing.de.html").read_text(encoding="utf-8")
    assert 'href="hand-washing.de.brf"' in web
    pipeline.main(["--project", str(project), "status", "--json"])
    said_json = capsys.readouterr().out
    rows = {row["locale"]: row for row in json.loads(said_json)["locales"]}
    assert rows["de"]["braille"] == "yes: de-g0.utb, 1 leaflet(s)"
    assert rows["zh_Hans"]["braille"].startswith("no: Chinese braille spells sounds")
    assert rows["es"]["braille"] == "yes: es-g1.ctb, 1 leaflet(s)"
    assert json.loads(said_json)["source_braille"] == "yes: en-ueb-g2.ctb, 1 leaflet(s)"
    pipeline.main(["--project", str(project), "status"])
    said = capsys.readouterr().out
    assert "braille in the source language (en): yes: en-ueb-g2.ctb, 1 leaflet(s)" in said
    assert "braille in German (de): yes: de-g0.utb, 1 leaflet(s)" in said
    assert "braille in Spanish (es): yes: es-g1.ctb, 1 leaflet(s)" in said
    assert "no: Chinese braille spells sounds" in said


def test_letters_a_table_leaves_untranslated_fail_the_gate_and_eight_dots_do_not_fit_a_brf():
    """Ukrainian's uk.utb with Unicode braille as its display leaves і untranslated (why uk has no braille)."""
    table = tables.Table("uk.utb", "Ukrainian braille")
    texts = ["Що таке мікронідлінг?"]
    pages = layout.lay_out([layout.Block("paragraph", translate.forward(table, texts)[0], 0)], ["⠼⠁"])
    result = gate.read_back(table, texts, pages)
    assert [(m.message, m.found) for m in result.mismatches] == [(0, "left untranslated or in eight dots: і")]
    with pytest.raises(layout.LayoutError):
        layout.to_ascii("⠁⡁")  # dots 1 and 7


@pytest.mark.slow
def test_braille_that_fails_the_gate_keeps_the_last_published_one_marked_outdated(tmp_path, broken_table,
                                                                                   monkeypatch):
    project = make_project(tmp_path)
    monkeypatch.delenv("LOUIS_TABLEPATH")
    build(project)
    published = (project / "output" / BRF.format("en")).read_bytes()
    monkeypatch.setenv("LOUIS_TABLEPATH", f"{broken_table},{tables.SYSTEM_TABLES}")
    report = build(project)
    entry = formats_of(report.manifest, "en")["braille-brf"]
    assert "does not translate back" in entry["outdated"]
    assert (project / "output" / BRF.format("en")).read_bytes() == published
    assert hashlib.sha256(published).hexdigest() == entry["sha256"]
    page = (project / "output/leaflets/hand-washing/index.html").read_text(encoding="utf-8")
    assert page.count("Outdated: an earlier version</span>") == 2  # the BRF and its Unicode copy


@pytest.mark.slow
def test_another_liblouis_version_makes_every_languages_braille_again(tmp_path, monkeypatch):
    project = make_project(tmp_path)
    write_catalog(project, "de", GERMAN)
    build(project)
    monkeypatch.setattr(tables, "liblouis_version", lambda: "3.99.0")
    made = dict(build(project).formats_made)
    assert made == {path.format(locale): "library versions changed" for path in (BRF, UNICODE)
                    for locale in ("en", "de", "es")}


@pytest.mark.slow
def test_the_statement_names_braille_and_audio_once_the_catalog_translates_it_and_untranslated_holds_nothing_back(
        tmp_path):
    project = make_project(tmp_path)
    catalog = write_catalog(project, "de", GERMAN)
    statement = formats.STATEMENTS[("audio", "braille")]  # German has both
    german = "Braille und Audio gibt es online unter der Adresse oben; für leichte Sprache oder ein anderes " \
             "Format fragen Sie Ihre Klinik."
    with catalog.open("a", encoding="utf-8") as po:  # as `update` adds a new message: untranslated
        po.write(f'\nmsgid "{statement}"\nmsgstr ""\n')
    first = build(project)
    assert not [problem for problem in first.problems if problem.locale == "de"]
    pdf = project / "output/leaflets/hand-washing/hand-washing.de.a4.pdf"
    assert "Braille und Audio gibt es online" not in plain(pdf_text(pdf))
    assert "Braille and audio are online at the address above" in plain(pdf_text(pdf.with_name("hand-washing.en.a4.pdf")))
    catalog.write_text(catalog.read_text(encoding="utf-8").replace(f'msgid "{statement}"\nmsgstr ""',
                                                                   f'msgid "{statement}"\nmsgstr "{german}"'),
                       encoding="utf-8")
    second = build(project)
    assert german in plain(pdf_text(pdf))
    assert {what for what, _ in second.rendered if ".de." in what} and not any(
        ".en." in what for what, _ in second.rendered)
    assert set(dict(second.formats_made)) == {BRF.format("de"), UNICODE.format("de")}
    web = (project / "output/leaflets/hand-washing/hand-washing.de.html").read_text(encoding="utf-8")
    assert german in web


#: Per tolerance: a text with what the braille code cannot tell apart on the way back, and a
#: letter of it whose cell is swapped for another letter's to show that a wrong letter is still caught.
TOLERATED = {
    "es": ("¿Qué es? Hay varias cosas: una raya — aquí; más arriba. Versión 1.2", "⠁", "⠑"),
    "pl": ("Zob. (ETR) Morelle’a – wersja 1.2 lub 7.12.2026.", "⠁", "⠑"),
    "pt_BR": ("A pessoa passa — versão 1.2, em 7.12.2026.", "⠁", "⠑"),
    "en": ("Not deep enough to scar (see above; ask at https://leaflets.example.org/a) or somebody's.", "⠁",
           "⠑"),
}


def test_each_contraction_the_ueb_tolerance_names_is_the_cells_the_code_writes_for_the_word_alone():
    table = tables.choice("en")
    words = list(tables.UEB_READ_BACK)
    assert translate.forward(table, words) == [cells for cells, _ in tables.UEB_READ_BACK.values()]
    assert translate.backward(table, [cells for cells, _ in tables.UEB_READ_BACK.values()]) != words
    # Without the list (the apostrophe alone, as for uncontracted UEB) the English sentence fails.
    text = TOLERATED["en"][0]
    pages = layout.lay_out([layout.Block("paragraph", translate.forward(table, [text])[0], 0)], ["⠼⠁"])
    assert gate.read_back(tables.Table(table.table, table.code, "apostrophe"), [text], pages).mismatches


@pytest.mark.parametrize("locale", sorted(TOLERATED))
def test_each_tolerance_passes_only_what_the_code_cannot_tell_apart_and_still_catches_a_wrong_letter(locale):
    table = tables.choice(locale)
    text, letter, other = TOLERATED[locale]
    cells = translate.forward(table, [text])[0]
    passed = gate.read_back(table, [text], layout.lay_out([layout.Block("paragraph", cells, 0)], ["⠼⠁"]))
    assert not passed.mismatches and passed.normalised == 1, passed
    assert letter in cells
    wrong = cells.replace(letter, other, 1)
    failed = gate.read_back(table, [text], layout.lay_out([layout.Block("paragraph", wrong, 0)], ["⠼⠁"]))
    assert [m.message for m in failed.mismatches] == [0], failed
