"""Each use of another library's internals, on and off: the output a reader sees is the same, and
a version it was not checked against turns it off without breaking a build."""

import io
import os
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import pikepdf
import pypdfium2
import pytest
from fontTools.cffLib import CFFFontSet
from fontTools.ttLib import TTFont
from PIL import ImageChops
from pypdf import PdfReader, PdfWriter

from helpers import html_page, make_project, pdf_text, plain, ROOT
from leafpub import internals
from leafpub.packs import packs
from leafpub.config import load_settings
from leafpub.fontmaps import parse_to_unicode, parse_widths, to_unicode_cmap, widths_array
from leafpub.internals import pack_fonts

SETTINGS = load_settings(ROOT)
DATED = '<meta name="dcterms.created" content="2026-05-01"><meta name="dcterms.modified" content="2026-05-01">'
KOREAN = "시술 후에는 피부가 붉어질 수 있으며, 보통 며칠 안에 가라앉습니다. 흉터는 드뭅니다."
CHINESE = "治疗后皮肤可能发红，通常在几天内消退。留下疤痕的情况很少见。"


def page(body, lang="en", family="Noto Sans", head=""):
    """Dated, as every leaflet is: undated, PDF/X metadata would carry the time of the render."""
    return html_page(body, lang=lang, family=family, head=DATED + head)


def images(data: bytes, scale: float = 1.5) -> list:
    return [p.render(scale=scale).to_pil().convert("L") for p in pypdfium2.PdfDocument(data)]


def texts(data: bytes) -> list[str]:
    return [" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(data)).pages]


# -- the registry ------------------------------------------------------------------

def test_every_use_is_on_with_the_pinned_versions():
    assert {name for name, on, _ in internals.describe() if on} == set(internals.REGISTRY)
    assert {"cid-fonts", "font-files", "print-boxes", "worker-exit", "pack-fonts", "text-clusters",
            "tag-languages", "main-preload"} == set(internals.REGISTRY)


def test_another_version_turns_a_use_off_and_says_why():
    other = internals.Internal("test", "nothing", (("weasyprint", "0.1"),), "nothing", "nothing")
    assert not internals.active(other)
    assert internals.mismatches(other) == ["weasyprint 70.0 (checked: 0.1)"]


@pytest.mark.slow
def test_a_build_with_every_use_off_publishes_the_same_text(tmp_path, built):
    """LEAFPUB_INTERNALS_OFF=all, as after an upgrade of every library: plain WeasyPrint,
    pydyf and pypdf paths; the build succeeds and every PDF reads as before."""
    project, _ = built
    off = make_project(tmp_path, broken_locale=False)
    finished = subprocess.run([sys.executable, str(ROOT / "pipeline.py"), "--project", str(off), "build",
                               "--no-progress", "-j", "2"], capture_output=True, text=True,
                              env={**os.environ, "LEAFPUB_INTERNALS_OFF": "all"})
    assert finished.returncode == 0, finished.stderr
    def pdfs(root, cached=False):
        return sorted(p.relative_to(root / "output") for p in (root / "output").rglob("*.pdf")
                      if (".cache" in p.parts) == cached)

    published = pdfs(off)
    assert published and published == pdfs(project)
    # Its documents are keyed apart: switching uses off renders them again.
    assert not set(pdfs(off, cached=True)) & set(pdfs(project, cached=True))
    for path in published:
        assert plain(pdf_text(off / "output" / path)) == plain(pdf_text(project / "output" / path)), path


# -- text-clusters and tag-languages --------------------------------------------------

HINDI = "किसी के लिए, जिसे कोलेजन इंडक्शन थेरेपी भी कहते हैं।"


def test_hindi_text_extracts_as_written_only_with_text_clusters(renderer):
    from leafpub.pdf import textgate

    html = page(f"<p>{HINDI}</p>", lang="hi", family="Noto Sans Devanagari")
    printed = [textgate.PrintedText(HINDI, "test", None, "Hindi")]
    on = renderer.render(html, source="test").data
    with internals.turned_off("text-clusters"):
        off = renderer.render(html, source="test").data
    for data in (on, off):  # the same page either way
        assert [ImageChops.difference(a, b).getbbox() for a, b in zip(images(on), images(data))] == [None]
    assert "कोलेजन" in texts(on)[0] and "कोलेजन" not in texts(off)[0]
    assert textgate.mismatches(on, printed, rtl=False) == []
    assert textgate.mismatches(off, printed, rtl=False)  # the text gate refuses it


def struct_languages(data: bytes) -> set[str]:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        return {str(o.Lang) for o in pdf.objects if isinstance(o, pikepdf.Dictionary)
                and o.get("/Type") == "/StructElem" and "/Lang" in o}


def test_a_span_in_another_language_carries_its_lang_only_with_tag_languages(renderer):
    html = page('<p>माइक्रोनीडलिंग (<span lang="en">microneedling</span>)</p>', lang="hi",
                family="Noto Sans Devanagari")
    assert struct_languages(renderer.render(html, source="test").data) == {"en"}
    with internals.turned_off("tag-languages"):
        assert struct_languages(renderer.render(html, source="test").data) == set()


# -- cid-fonts -----------------------------------------------------------------------

def cid_font_sets(data: bytes) -> dict[str, tuple[str, CFFFontSet]]:
    """BaseFont (without the subset tag) -> (FontFile3 subtype, its CFF font set)."""
    found = {}
    for pdf_page in PdfReader(io.BytesIO(data)).pages:
        for font in pdf_page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            if "/FontFile3" not in descriptor:  # a TrueType font (Latin), left as it is
                continue
            program = descriptor["/FontFile3"].get_object()
            if program["/Subtype"] == "/OpenType":
                cff = TTFont(io.BytesIO(program.get_data()))["CFF "].cff
            else:
                cff = CFFFontSet()
                cff.decompile(io.BytesIO(program.get_data()), None)
            found[str(font["/BaseFont"]).split("+")[1]] = (str(program["/Subtype"]), cff)
    return found


def cjk_page(text: str, lang: str, family: str) -> str:
    return page(f"<h1>{text[:6]}</h1><p>{text}</p>", lang=lang, family=family)


@pytest.mark.parametrize("text,lang,family", [(KOREAN, "ko", "Noto Sans CJK KR"),
                                              (CHINESE, "zh-Hans", "Noto Sans CJK SC")])
def test_a_cjk_font_keeps_only_the_glyphs_the_pdf_draws(renderer, text, lang, family):
    data = renderer.render(cjk_page(text, lang, family), source="test").data
    fonts = cid_font_sets(data)
    assert fonts and all(subtype == "/CIDFontType0C" for subtype, _ in fonts.values())
    for _, cff in fonts.values():
        assert len(cff.topDictIndex[0].charset) <= len(set(text)) + 1  # and .notdef
    assert "".join(text.split()) in "".join(texts(data)[0].split())


def test_the_cut_down_font_draws_every_glyph_as_before(renderer):
    html = cjk_page(KOREAN, "ko", "Noto Sans CJK KR")
    compact = renderer.render(html, source="test").data
    with internals.turned_off("cid-fonts"):
        whole = renderer.render(html, source="test").data
    assert len(compact) * 4 < len(whole)
    before, after = cid_font_sets(whole), cid_font_sets(compact)
    assert before.keys() == after.keys() and all(s == "/OpenType" for s, _ in before.values())
    for name, (_, cff) in after.items():
        old, new = before[name][1].topDictIndex[0], cff.topDictIndex[0]
        for cid in new.charset[1:]:
            old_glyph, new_glyph = old.CharStrings[cid], new.CharStrings[cid]
            old_glyph.decompile()
            new_glyph.decompile()
            assert new_glyph.program == old_glyph.program, (name, cid)
    # The same image, but for anti-aliasing (bare CFF and an OpenType wrapper hint differently).
    shown = [image for data in (whole, compact) for image in images(data, scale=2)]
    assert ImageChops.difference(*shown).getextrema()[1] <= 40
    assert texts(compact) == texts(whole)


# -- font-files ----------------------------------------------------------------------

def most_memory_while(render) -> tuple[bytes, int]:
    """What `render()` returns, and the most memory Python held for it at once (bytes)."""
    import tracemalloc

    tracemalloc.start()
    try:
        data = render()
        return data, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_cjk_document_does_not_copy_its_font_files_and_is_the_same(renderer):
    html = cjk_page(KOREAN, "ko", "Noto Sans CJK KR")
    renderer.render(html, source="test")  # fonts loaded
    on, peak_on = most_memory_while(lambda: renderer.render(html, source="test").data)
    with internals.turned_off("font-files"):
        off, peak_off = most_memory_while(lambda: renderer.render(html, source="test").data)
    assert on == off
    font_file = next(font.path for font in SETTINGS.fonts if "CJK" in font.path.name).stat().st_size
    assert peak_off > font_file > 2 * peak_on, (peak_off, font_file, peak_on)


# -- print-boxes ---------------------------------------------------------------------

def test_print_pdfs_get_the_bleed_box_and_the_same_bytes_each_time(renderer):
    html = page("<h1>Print</h1><p>Bleed and crop marks.</p>", head="<style>@page { size: A4 }</style>")
    first = renderer.render(html, source="t", variant="print").data
    assert renderer.render(html, source="t", variant="print").data == first
    with internals.turned_off("print-boxes"):
        plain_weasyprint = renderer.render(html, source="t", variant="print").data
    with pikepdf.open(io.BytesIO(first)) as pdf:
        trim, bleed = ([float(v) for v in pdf.pages[0].obj[key]] for key in ("/TrimBox", "/BleedBox"))
        assert [round(b - t, 2) for b, t in zip(bleed, trim)] == [-8.5, -8.5, 8.5, 8.5]  # 3 mm
    with pikepdf.open(io.BytesIO(plain_weasyprint)) as pdf:
        assert list(pdf.pages[0].obj["/BleedBox"]) == list(pdf.pages[0].obj["/MediaBox"])
    assert [i.tobytes() for i in images(first)] == [i.tobytes() for i in images(plain_weasyprint)]


# -- worker-exit ---------------------------------------------------------------------

def leave_a_folder(off: bool) -> str:
    from leafpub.internals.worker_exit import at_exit

    folder = tempfile.mkdtemp(prefix="leafpub-test-exit-")
    with internals.turned_off(*(["worker-exit"] if off else [])):
        at_exit(lambda: shutil.rmtree(folder, ignore_errors=True))
    return folder


@pytest.mark.parametrize("off", [False, True])
def test_a_pool_worker_cleans_up_when_it_ends(off):
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("forkserver")) as pool:
        folder = Path(pool.submit(leave_a_folder, off).result())
    try:
        assert folder.exists() == off
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# -- main-preload --------------------------------------------------------------------

#: A main script that notes each process that runs it, then runs a function of its own in three
#: workers forked from the pipeline's forkserver, a worker each (as the audio's are). Like the
#: benchmark, it imports a module from its own folder, which the build's working directory lacks.
MAIN_SCRIPT = """
import os, sys
sys.path.insert(0, {root!r})
from beside import WORKERS
with open({log!r}, "a") as log:
    log.write(f"{{os.getpid()}}\\n")


def pid():
    return os.getpid()


if __name__ == "__main__":
    from concurrent.futures import ProcessPoolExecutor
    from leafpub.render.pool import start_forkserver

    with ProcessPoolExecutor(1, mp_context=start_forkserver(), max_tasks_per_child=1) as pool:
        print(len({{pool.submit(pid).result() for _ in range(WORKERS)}}))
"""


@pytest.mark.parametrize("off", [False, True])
def test_the_main_script_runs_once_for_the_forkserver_not_once_a_worker(tmp_path, off):
    script, log = tmp_path / "main.py", tmp_path / "runs"
    script.write_text(MAIN_SCRIPT.format(root=str(ROOT), log=str(log)), encoding="utf-8")
    (tmp_path / "beside.py").write_text("WORKERS = 3\n", encoding="utf-8")
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300, cwd=ROOT,
                            env={**os.environ, "LEAFPUB_INTERNALS_OFF": "main-preload" if off else ""})
    assert (result.returncode, result.stdout.split(), result.stderr) == (0, ["3"], "")
    # This process and the forkserver; off, each worker too, before its job.
    assert len(log.read_text().split()) == (2 + 3 if off else 2)


# -- pack-fonts ----------------------------------------------------------------------

def leaflets_merged(project) -> PdfWriter:
    writer = PdfWriter()
    for locale in ("en", "es"):
        writer.append(PdfReader(project / f"output/leaflets/hand-washing/hand-washing.{locale}.a4.pdf"))
    return writer


def written(writer: PdfWriter) -> bytes:
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def fonts_by_face(data: bytes) -> dict[str, set]:
    faces: dict[str, set] = {}
    for pdf_page in PdfReader(io.BytesIO(data)).pages:
        for reference in pdf_page["/Resources"]["/Font"].get_object().values():
            faces.setdefault(str(reference.get_object()["/BaseFont"]).split("+")[-1], set()).add(reference.idnum)
    return faces


@pytest.mark.slow
def test_two_leaflets_share_one_font_per_face_and_look_the_same(built):
    project, _ = built
    pinned = pack_fonts.PinnedFaces(tuple(font.path for font in SETTINGS.fonts)).get
    before = written(leaflets_merged(project))
    assert any(len(fonts) > 1 for fonts in fonts_by_face(before).values())
    writer = leaflets_merged(project)
    pack_fonts.share_fonts(writer, pinned)
    writer.compress_identical_objects(remove_unreferenced=True)
    after = written(writer)
    assert all(len(fonts) == 1 for fonts in fonts_by_face(after).values()), fonts_by_face(after)
    assert fonts_by_face(after).keys() == fonts_by_face(before).keys()
    assert [i.tobytes() for i in images(after)] == [i.tobytes() for i in images(before)]
    assert texts(after) == texts(before)
    assert len(packs.compact(after)) < len(packs.compact(before))
    writer = leaflets_merged(project)
    with internals.turned_off("pack-fonts"):
        pack_fonts.share_fonts(writer, pinned)
    assert fonts_by_face(written(writer)) == fonts_by_face(before)


@pytest.mark.slow
def test_a_face_that_is_not_pinned_is_left_as_it_is(built):
    project, _ = built
    before = written(leaflets_merged(project))
    writer = leaflets_merged(project)
    pack_fonts.share_fonts(writer, {}.get)  # no pinned font known
    assert fonts_by_face(written(writer)) == fonts_by_face(before)


# -- the PDF maps those uses read and write (leafpub/fontmaps.py) ----------------------

def test_widths_and_text_maps_round_trip():
    widths = {3: 260, 4: 300, 5: 310, 9: 500}
    array = widths_array(widths)
    assert [int(item) if not isinstance(item, list) else [int(w) for w in item] for item in array] == \
        [3, [260, 300, 310], 9, [500]]
    assert dict(parse_widths(array)) == widths
    assert {glyph for glyph, _ in parse_widths([3, [500, 600], 10, 12, 700])} == {3, 4, 10, 11, 12}
    cmap = to_unicode_cmap({3: b"0020", 81: b"00660069"})
    assert parse_to_unicode(cmap) == [(3, b"0020"), (81, b"00660069")]


def test_text_maps_say_a_run_of_letters_in_one_range_within_one_high_byte():
    # a-e at glyphs 0x44-0x48; glyphs 0xfe-0x101 for U+00FE-U+0101 cross a high byte of
    # both, and a ligature ("fi") is two characters: none of those may share a range.
    text = {0x44 + n: b"%04x" % (0x61 + n) for n in range(5)}
    text |= {0xfe: b"00fe", 0xff: b"00ff", 0x100: b"0100", 0x101: b"0101", 0x102: b"00660069"}
    cmap = to_unicode_cmap(text)
    assert b"<0044> <0048> <0061>" in cmap
    assert b"<00fe> <00ff> <00fe>" in cmap and b"<0100> <0101> <0100>" in cmap
    assert b"<0102> <00660069>" in cmap
    assert parse_to_unicode(cmap) == sorted(text.items())

