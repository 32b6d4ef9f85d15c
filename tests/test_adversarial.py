"""Hostile and broken input, crashes and concurrent runs: each case shows what a user needs.

For every case: a one-line error naming the file and 1-based line (or config key), every
other language and clinic still built, exit status 1, nothing half-written, the last good
release intact, and no local file, path or network fetch in any PDF.
"""

import hashlib
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import pipeline
from helpers import counting_server, edit_catalog, make_project, pdf_text, plain, ROOT, run_cli, SPANISH_PO
from leafpub.config import load_settings
from leafpub.pdf.validate import scan_pdf



def release(project) -> dict[str, str]:
    """Every published file (not the cache) and its checksum."""
    output = project / "output"
    return {str(path.relative_to(output)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(output.rglob("*")) if path.is_file()
            and not any(part.startswith(".") for part in path.relative_to(output).parts)}


def assert_consistent(project):
    """The manifest matches the files on disk, and no temporary file is among them."""
    output = project / "output"
    manifest = json.loads((output / "manifest.json").read_text())
    for entry in manifest["leaflets"] + manifest["packs"]:
        assert hashlib.sha256((output / entry["path"]).read_bytes()).hexdigest() == entry["sha256"]
    leftovers = [p for p in output.rglob("*.tmp") if ".cache" not in p.parts]
    assert not leftovers and not (output / ".publish-journal.json").exists()


@pytest.fixture
def published(tmp_path):
    """A project with a good release published, and its files' checksums."""
    project = make_project(tmp_path, broken_locale=False)
    report = pipeline.build(load_settings(project))
    assert report.problems == ()
    return project, release(project)


# -- catalogs: malformed in every way, and unusual but valid ------------------------

BROKEN_CATALOGS = {
    "syntax": (lambda p: edit_catalog(p, 'msgstr "Mójese las manos."', 'msgstr "Mójese'),
               "end-of-line within string"),
    "keyword": (lambda p: edit_catalog(p, 'msgstr "Mójese las manos."', 'msgstring "x"'),
                "keyword \"msgstring\" unknown"),
    "latin-1 bytes": (lambda p: (p / SPANISH_PO).write_bytes(
        (p / SPANISH_PO).read_bytes().replace("Mójese".encode(), "Mójese".encode("latin-1"))),
        "the file is not UTF-8 (this line has a byte UTF-8 does not allow; it looks saved as Latin-1"),
    "duplicate msgid": (lambda p: edit_catalog(p, 'msgid "Wet your hands."',
                                                     'msgid "Wet your hands."\nmsgstr "x."\n\nmsgid "Wet your hands."'),
                        "duplicate message definition"),
    "too few plural forms": (lambda p: edit_catalog(p, "nplurals=2;", "nplurals=3;"),
                             "plural"),
    "wrong charset": (lambda p: edit_catalog(p, "charset=utf-8", "charset=klingon"),
                      "charset"),
    "no Language header": (lambda p: edit_catalog(p, '"Language: es\\n"\n', ""),
                           "the Language header says nothing, but the folder is es"),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", BROKEN_CATALOGS)
def test_a_malformed_catalog_fails_alone_with_its_file_and_line(published, case, capsys):
    project, before = published
    break_it, words = BROKEN_CATALOGS[case]
    break_it(project)
    status, out, err = run_cli(project, "build", "--no-progress", capsys=capsys)
    assert status == 1 and "Traceback" not in err
    errors = [line for line in err.splitlines() if line.startswith("error: ")]
    assert errors[0].startswith(f"error: {SPANISH_PO}:") and words in err, err
    assert re.match(rf"error: {SPANISH_PO}:[1-9][0-9]*: ", errors[0]), errors[0]
    after = release(project)
    spanish = [path for path in before if ".es." in path]
    assert spanish and all(after[path] == before[path] for path in spanish)  # last good kept
    assert "published 1 leaflets in 1 languages (en)" in out  # English still built
    assert_consistent(project)


@pytest.mark.slow
def test_a_byte_order_mark_is_named_with_its_fix(published):
    project, _ = published
    path = project / SPANISH_PO
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    report = pipeline.build(load_settings(project))
    assert str(report.problems[0]) == (f"{SPANISH_PO}:1: the file starts with a byte order mark (BOM), "
                                       "which gettext tools reject: save it as UTF-8 without BOM")


@pytest.mark.slow
def test_valid_but_unusual_catalogs_from_elsewhere_build(published):
    """Obsolete entries, previous-msgid comments, multi-line strings and context, as Poedit
    and Weblate write them."""
    project, _ = published
    edit_catalog(project, 'msgstr "Mójese las manos."', 'msgstr ""\n"Mójese "\n"las manos."')
    path = project / SPANISH_PO
    path.write_text(path.read_text(encoding="utf-8") + '''
#| msgid "Dry your hands."
msgctxt "kitchen"
msgid "Wet your hands."
msgstr "Moje sus manos (cocina)."

#~ msgid "An old message"
#~ msgstr "Un mensaje antiguo"
''', encoding="utf-8")
    report = pipeline.build(load_settings(project))
    assert report.problems == ()
    text = plain(pdf_text(project / "output/leaflets/hand-washing/hand-washing.es.a4.pdf"))
    assert "Mójese las manos." in text and "cocina" not in text


# -- injection: translations, leaflet text, clinic details, logos ---------------------

INJECTIONS = [
    '<img src="URL/a.png">', '<link rel="attachment" href="file:///etc/passwd">',
    '<a rel="attachment" href="/etc/hostname">x</a>', '<style>@import "URL/b.css";</style>',
    '<svg><image href="file:///etc/passwd"/></svg>', '<object data="URL/c"></object>',
    "url(URL/d.png)", "{{ self.__init__.__globals__ }}", "{% include '/etc/passwd' %}",
    "javascript:alert(1)", "data:text/html,<b>x</b>", "ftp://example.org/e", "file:///etc/shadow",
    "%(version)s %s %%", "\\u202eevil", "[link](URL/f)", "![img](URL/g.png)", "<script>fetch('URL/h')</script>",
]


@pytest.mark.slow
def test_injected_markup_urls_and_template_syntax_never_fetch_or_embed(published):
    project, _ = published
    with counting_server() as (url, hits):
        # In the English source (which has no checks beyond its format) ...
        leaflet = project / "leaflets/hand-washing.md"
        text = leaflet.read_text()
        # (An image is a figure now: one that is not an SVG of leaflets/figures/ is a problem, below.)
        leaflet.write_text(text + "\n" + "\n\n".join(i.replace("URL", url) for i in INJECTIONS
                                                      if "\\u202e" not in i and not i.startswith("![")) + "\n")
        # ... and in a clinic's details.
        packs = project / "packs.toml"  # (English only: Spanish now lacks the new messages)
        packs.write_text(packs.read_text().replace('locales = ["en", "es"]', 'locales = ["en"]').replace(
            'hours = "Monday to Friday, 8:00 to 18:00"',
                                                   f'hours = "<img src=\\"{url}/i.png\\">"\n'
                                                   f'website = "javascript:fetch(\'{url}\')"'))
        leaflet_text = leaflet.read_text().replace("pages: 1", "pages: 5")
        leaflet.write_text(leaflet_text)
        report = pipeline.build(load_settings(project))
    # Contracted braille cannot be read back from markup like this (a colon before digits, quotes):
    # the braille gate keeps that braille unpublished, and nothing else fails.
    unread = [str(p) for p in report.problems if p.locale != "es" and "braille (en-ueb-g2.ctb)" in str(p)]
    assert [str(p) for p in report.problems if p.locale != "es" and str(p) not in unread] == []
    assert all(problem.endswith("this leaflet's braille is not published") for problem in unread)
    assert hits == []
    english = project / "output/leaflets/hand-washing/hand-washing.en.a4.pdf"
    data = english.read_bytes()
    assert b"root:" not in data and b"/EmbeddedFile" not in data and scan_pdf(data) == []
    words = plain(pdf_text(english))
    assert "{{ self.__init__.__globals__ }}" in words and "<script>" in words
    pack = project / "output/packs/test-clinic.a4.pdf"
    assert scan_pdf(pack.read_bytes()) == [] and "javascript:fetch" in "".join(pdf_text(pack).split())
    assert not [p for p in report.problems if "rendering failed" in p.message]
    with counting_server() as (url, hits):
        for image in (f'![img]({url}/g.png "caption")', f'![img](figures/x.svg?{url}/g "caption")'):
            leaflet.write_text(leaflet_text + f"\n{image}\n")
            report = pipeline.build(load_settings(project))
            assert [p.message for p in report.problems if p.path == "leaflets/hand-washing.md"] == [
                "a figure is an SVG in leaflets/figures/, written as figures/NAME.svg (lower-case name)"]
    assert hits == []


@pytest.mark.slow
def test_a_translation_with_a_direction_override_is_refused(published):
    project, before = published
    edit_catalog(project, 'msgstr "Use jabón y agua tibia durante **20 segundos**."',
                       'msgstr "Use jabón y agua tibia durante **\u202e20\u202c segundos**."')
    report = pipeline.build(load_settings(project))
    (problem, *_) = [p for p in report.problems if p.locale == "es"]
    assert problem.path == SPANISH_PO and problem.line
    assert "invisible control or direction-override characters: U+202C, U+202E" in problem.message
    assert release(project)["leaflets/hand-washing/hand-washing.es.a4.pdf"] == before[
        "leaflets/hand-washing/hand-washing.es.a4.pdf"]


@pytest.mark.slow
def test_a_control_character_in_a_leaflet_names_its_line(published):
    project, _ = published
    leaflet = project / "leaflets/hand-washing.md"
    leaflet.write_text(leaflet.read_text().replace("Wet your hands.", "Wet your\x07 hands."))
    report = pipeline.build(load_settings(project))
    assert str(report.problems[0]) == ("leaflets/hand-washing.md:17: invisible control or "
                                       "direction-override character U+0007; remove it")


LINKED = "is a symbolic link: the build reads only plain files inside the project: put the file itself there"


@pytest.mark.parametrize("logo, reason", [
    ("../../pyproject.toml", "is outside templates/assets/"),
    ("/etc/passwd", "is outside templates/assets/"),
    ("logos/missing.png", "does not exist in templates/assets/"),
    ("logos/huge.png", "is 5000x10 pixels; at most 2000 on either side"),
    ("logos/big.png", "is larger than 512 KiB"),
    ("logos/text.png", "is not a PNG or JPEG image"),
])
@pytest.mark.slow
def test_a_clinic_logo_that_is_not_a_small_image_in_the_assets_is_refused(published, logo, reason):
    from PIL import Image

    project, before = published
    logos = project / "templates/assets/logos"
    logos.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (5000, 10)).save(logos / "huge.png")
    (logos / "big.png").write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(600 * 1024))
    (logos / "text.png").write_text("not an image")
    packs = project / "packs.toml"
    packs.write_text(packs.read_text().replace('hours = "', f'logo = "{logo}"\nhours = "'))
    report = pipeline.build(load_settings(project))
    (problem,) = report.problems
    assert str(problem) == f"packs.toml:12: pack 'test-clinic': clinic logo {logo!r} {reason}"
    # The leaflets are rebuilt (the templates folder changed) and published; the pack keeps
    # its last good version.
    assert release(project)["packs/test-clinic.a4.pdf"] == before["packs/test-clinic.a4.pdf"]


# -- size and depth --------------------------------------------------------------------

@pytest.mark.parametrize("make, words", [
    (lambda: "---\n" + "x" * 300_000, "is larger than 256 KiB"),
    (lambda: "\n\n".join(["A paragraph that goes on. " * 100] * 1), "longer than 2000 characters"),
    (lambda: "- " * 5000 + "deep", "lists inside lists are not supported"),
])
@pytest.mark.slow
def test_very_large_or_deeply_nested_leaflets_fail_quickly(published, make, words):
    project, _ = published
    body = make()
    leaflet = project / "leaflets/hand-washing.md"
    if body.startswith("---"):
        leaflet.write_text(body)
    else:
        leaflet.write_text(leaflet.read_text() + "\n" + body + "\n")
    started = time.monotonic()
    report = pipeline.build(load_settings(project))
    assert time.monotonic() - started < 60
    assert any(words in problem.message for problem in report.problems), report.problems[:3]
    assert_consistent(project)


# -- crashes, full and read-only disks, concurrent builds -------------------------------

def build_command(project):
    return [sys.executable, str(ROOT / "pipeline.py"), "--project", str(project), "build", "--no-progress",
            "-j", "1"]


@pytest.mark.slow
def test_a_build_killed_at_random_points_leaves_the_old_or_the_new_release(published):
    project, before = published
    edit_catalog(project, "Frótelas con jabón.", "Frótelas bien con jabón.")
    rng = random.Random(20261124)
    for delay in sorted(rng.uniform(0.3, 4.0) for _ in range(5)):
        process = subprocess.Popen(build_command(project), stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, start_new_session=True)
        time.sleep(delay)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        current = release(project)
        # Right after the kill: every published file is whole (old or new), never partial.
        for path in current:
            if path.endswith(".pdf"):
                data = (project / "output" / path).read_bytes()
                assert data.startswith(b"%PDF") and data.rstrip().endswith(b"%%EOF"), path
    # The next build finishes what was interrupted and succeeds.
    report = pipeline.build(load_settings(project))
    assert report.problems == ()
    assert_consistent(project)
    after = release(project)
    changed = {path for path in after if after[path] != before.get(path)}
    assert changed and all(".es." in path or path.startswith(("packs/", "thumbs/")) or
                           path in ("index.html", "manifest.json", "leaflets/hand-washing/index.html")
                           for path in changed)


#: Runs a build that is killed (SIGKILL, as by the kernel's out-of-memory killer or a power cut)
#: after the publication's journal is complete and `renames` of its renames are done: the one
#: moment whose recovery depends on the journal, which random delays rarely hit.
KILLED_WHILE_RENAMING = """
import os, signal, sys
sys.path.insert(0, sys.argv[1])
import pipeline
from leafpub.publish import publish

renames, done, rename = int(sys.argv[3]), [], os.replace

def replace(source, target):
    output = os.path.join(sys.argv[2], "output")
    if os.path.exists(os.path.join(output, publish.JOURNAL)):
        if len(done) == renames:
            os.kill(os.getpid(), signal.SIGKILL)
        done.append(target)
    rename(source, target)

publish.os.replace = replace
sys.exit(pipeline.main(["--project", sys.argv[2], "build", "--no-progress", "-j", "1"]))
"""


@pytest.mark.slow
@pytest.mark.parametrize("renames", [0, 2])
def test_a_build_killed_while_it_renames_is_finished_by_the_next_from_its_journal(published, renames):
    project, before = published
    edit_catalog(project, "Frótelas con jabón.", "Frótelas bien con jabón.")
    killed = subprocess.run([sys.executable, "-c", KILLED_WHILE_RENAMING, str(ROOT), str(project), str(renames)],
                            capture_output=True, text=True)
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    journal = json.loads((project / "output" / ".publish-journal.json").read_text())
    assert len(journal["renames"]) > renames  # killed half-way through the renames it lists
    assert (release(project) != before) == (renames > 0)  # the old release, or a part of the new one
    report = pipeline.build(load_settings(project))
    assert report.problems == () and report.rendered == ()  # recovered, nothing rendered again
    assert_consistent(project)
    after = release(project)
    assert {path for path in after if after[path] != before.get(path)} >= {
        "leaflets/hand-washing/hand-washing.es.a4.pdf", "manifest.json"}


def mount_tmpfs(folder: Path, size: str):
    folder.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                            capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip(f"cannot mount a small file system here: {result.stderr.strip()}")


@pytest.mark.slow
def test_a_full_output_folder_keeps_the_previous_release(published, capsys):
    project, _ = published
    output = project / "output"
    saved = project / "saved-output"
    output.rename(saved)
    size = sum(p.stat().st_size for p in saved.rglob("*") if p.is_file() and ".cache" not in p.parts)
    # Room for two releases and the rebuild's cache (its rendered PDFs; .cache is not copied).
    mount_tmpfs(output, f"{3 * size // 1024 + 4096}k")
    try:
        shutil.copytree(saved, output, dirs_exist_ok=True, ignore=shutil.ignore_patterns(".cache"))
        before = release(project)
        edit_catalog(project, "Frótelas con jabón.", "Frótelas bien con jabón.")
        # Fill the disk so that the new release cannot be written.
        filler = output / "filler"
        try:
            with filler.open("wb", buffering=0) as stream:
                while True:
                    stream.write(b"\0" * 4096)
        except OSError:
            pass  # the disk is full
        status, _, err = run_cli(project, "build", "--no-progress", "-j", "1", capsys=capsys)
        assert status == 1 and "Traceback" not in err
        assert "No space left on device" in err and "the previous release is unchanged" in err
        filler.unlink()
        assert release(project) == before
        assert_consistent(project)
        status, _, err = run_cli(project, "build", "--no-progress", "-j", "1", capsys=capsys)
        assert status == 0, err
        assert_consistent(project)
    finally:
        subprocess.run(["umount", str(output)], check=False)


@pytest.mark.slow
def test_a_read_only_output_folder_is_one_clear_problem(published, capsys):
    project, _ = published
    output = project / "output"
    saved = project / "saved-output"
    output.rename(saved)
    mount_tmpfs(output, "20m")
    try:
        shutil.copytree(saved, output, dirs_exist_ok=True)
        before = release(project)
        edit_catalog(project, "Frótelas con jabón.", "Frótelas bien con jabón.")
        subprocess.run(["mount", "-o", "remount,ro", str(output)], check=True)
        status, _, err = run_cli(project, "build", "--no-progress", "-j", "1", capsys=capsys)
        assert status == 1 and "Traceback" not in err
        assert "Read-only file system" in err
        assert release(project) == before
    finally:
        subprocess.run(["umount", str(output)], check=False)


@pytest.mark.slow
def test_two_builds_at_once_both_finish_and_publish_one_consistent_release(published):
    project, _ = published
    edit_catalog(project, "Frótelas con jabón.", "Frótelas bien con jabón.")
    processes = [subprocess.Popen(build_command(project), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                 for _ in range(2)]
    results = [process.communicate(timeout=300) for process in processes]
    assert [process.returncode for process in processes] == [0, 0], results
    assert_consistent(project)
    assert pipeline.build(load_settings(project)).rendered == ()


# -- every published PDF --------------------------------------------------------------

@pytest.mark.slow
def test_no_published_pdf_carries_files_scripts_actions_or_links(published):
    project, _ = published
    pdfs = sorted((project / "output").rglob("*.pdf"))
    assert pdfs
    for pdf in pdfs:
        if ".cache" in pdf.parts:
            continue
        data = pdf.read_bytes()
        assert scan_pdf(data) == [], pdf
        assert str(project).encode() not in data and b"/etc/" not in data, pdf


def test_the_scan_finds_what_it_looks_for():
    from io import BytesIO

    from pypdf import PdfWriter
    from pypdf.annotations import Link
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.root_object[NameObject("/OpenAction")] = DictionaryObject(
        {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert(1)")})
    writer.add_attachment("secret.txt", b"secret")
    writer.add_annotation(0, Link(rect=(10, 10, 50, 50), url="https://evil.example/"))
    buffer = BytesIO()
    writer.write(buffer)
    found = scan_pdf(buffer.getvalue())
    assert "contains JavaScript" in found and "contains embedded files" in found
    assert "contains a URI action" in found


def escaped_names_pdf(*objects: bytes) -> bytes:
    """A one-page PDF whose catalog is followed by `objects` (numbered from 4), with a valid
    cross-reference table, written byte by byte: no PDF library writes names escaped."""
    bodies = [b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>",
              b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
              b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Annots [5 0 R] >>", *objects]
    data, offsets = b"%PDF-1.7\n", []
    for number, body in enumerate(bodies, 1):
        offsets.append(len(data))
        data += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(data)
    data += b"xref\n0 %d\n0000000000 65535 f \n" % (len(bodies) + 1)
    data += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    return data + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(bodies) + 1, xref)


def test_the_scan_reads_names_as_a_pdf_reader_does_escapes_and_all():
    # /J#53 is /JS, /Java#53cript is /JavaScript, /#55RI is /URI (ISO 32000-1, 7.3.5).
    data = escaped_names_pdf(b"<< /S /Java#53cript /J#53 (app.alert(1)) >>",
                             b"<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] /A << /S /#55RI /URI (x) >> >>")
    found = scan_pdf(data)
    assert "contains JavaScript" in found and "contains a JavaScript action" in found
    assert "contains a URI action" in found


# -- sources that are not plain files inside the project -------------------------------

SECRET = "TOP-SECRET-7f3a"


def outside_file(project: Path) -> Path:
    """A file outside the project that a parser would quote if it were read."""
    secret = project.parent / "secret.txt"
    secret.write_text(f'msgid "x"\n{SECRET} not a keyword\n---\n{SECRET}: yes\n')
    return secret


def make_link_out(project, path):
    (project / path).unlink()
    (project / path).symlink_to(outside_file(project))


def make_link_in(project, path):
    copy = project / "copy-of-a-source"
    shutil.copy(project / path, copy)
    (project / path).unlink()
    (project / path).symlink_to(copy)


def make_fifo(project, path):
    (project / path).unlink()
    os.mkfifo(project / path)


def make_folder(project, path):
    (project / path).unlink()
    (project / path).mkdir()


def link_locale_folder(project, _):
    moved = project.parent / "elsewhere-es"
    shutil.move(project / "translations/es", moved)
    (project / "translations/es").symlink_to(moved)


SOURCES = {  # case: (path to replace, how, path named in the problem, words)
    "catalog linked out": (SPANISH_PO, make_link_out, SPANISH_PO, LINKED),
    "catalog linked in": (SPANISH_PO, make_link_in, SPANISH_PO, LINKED),
    "catalog a FIFO": (SPANISH_PO, make_fifo, SPANISH_PO, "is a named pipe (FIFO), not a file"),
    "catalog a folder": (SPANISH_PO, make_folder, SPANISH_PO, "is a folder, not a file"),
    "locale folder linked": ("translations/es", link_locale_folder, SPANISH_PO,
                             "is reached through a symbolic link (translations/es is one)"),
    "leaflet linked out": ("leaflets/hand-washing.md", make_link_out, "leaflets/hand-washing.md", LINKED),
    "leaflet a FIFO": ("leaflets/hand-washing.md", make_fifo, "leaflets/hand-washing.md", "named pipe"),
    "packs.toml linked in": ("packs.toml", make_link_in, "packs.toml", LINKED),
    "template linked in": ("templates/leaflet.html", make_link_in, "templates/leaflet.html", LINKED),
    "stylesheet linked out": ("templates/leaflet.css", make_link_out, "templates/leaflet.css", LINKED),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", SOURCES)
def test_a_source_that_is_not_a_plain_file_is_refused_by_its_path(published, case, capsys):
    project, before = published
    path, make, named, words = SOURCES[case]
    make(project, path)
    started = time.monotonic()
    status, out, err = run_cli(project, "build", "--no-progress", capsys=capsys)
    assert time.monotonic() - started < 60  # a FIFO is never opened, so never waited on
    assert status == 1 and "Traceback" not in err
    assert f"error: {named}: " in err and words in err, err
    everything = out + err + (project / "output/manifest.json").read_text() + (
        project / "output/index.html").read_text()
    assert SECRET not in everything and "secret.txt" not in everything and "copy-of-a-source" not in everything
    assert all(SECRET.encode() not in (project / "output" / p).read_bytes() for p in release(project))
    after = release(project)
    assert all(after[p] == before[p] for p in before if ".es." in p or "packs/" in p)  # last good kept
    if path == SPANISH_PO or path == "translations/es":
        assert "published 1 leaflets in 1 languages (en)" in out  # the other languages build
    assert_consistent(project)


@pytest.mark.slow
def test_an_approval_file_that_is_a_link_approves_nothing(published, capsys):
    project, _ = published
    approval = project / "translations/es/LC_MESSAGES/approval.toml"
    approval.symlink_to(outside_file(project))
    status, out, err = run_cli(project, "status", "--json", capsys=capsys)
    spanish = next(row for row in json.loads(out)["locales"] if row["locale"] == "es")
    assert spanish["review"] == "draft" and "approval.toml: is a symbolic link" in json.dumps(spanish)
    assert SECRET not in out + err and "secret.txt" not in out + err
    # Recording an approval replaces the link; the file it pointed to is untouched.
    status, out, err = run_cli(project, "approve", "es", "--by", "Dr Ana Ruiz", capsys=capsys)
    assert status == 0 and not approval.is_symlink() and SECRET in (project.parent / "secret.txt").read_text()


@pytest.mark.slow
def test_anything_in_templates_that_is_not_a_plain_file_stops_the_build_once(published, capsys):
    project, before = published
    os.mkfifo(project / "templates/assets/stray.png")
    status, out, err = run_cli(project, "build", "--no-progress", capsys=capsys)
    assert status == 1
    assert err.splitlines() == ["error: templates/assets/stray.png: is a named pipe (FIFO), not a file: "
                                "the build reads only plain files inside the project: put the file itself there"]
    assert release(project) == before


@pytest.mark.slow
def test_extract_refuses_links_among_the_sources(published, capsys):
    project, _ = published
    (project / "leaflets/linked.md").symlink_to(project / "leaflets/hand-washing.md")
    status, out, err = run_cli(project, "extract", capsys=capsys)
    assert status == 1 and f"error: leaflets/linked.md: {LINKED}" in err


# -- catalog headers gettext or Babel cannot use, and encodings -------------------------

HEADERS = {
    "plural too long": ("nplurals=2; plural=(n != 1);", "nplurals=2; plural=" + "n+" * 600 + "1;",
                        "Plural-Forms", "plural form expression is too long"),
    "plural too deep": ("nplurals=2; plural=(n != 1);", "nplurals=2; plural=" + "(" * 40 + "n != 1" + ")" * 40 + ";",
                        "Plural-Forms", "too complex"),
    "plural not an expression": ("nplurals=2; plural=(n != 1);", "nplurals=2; plural=__import__('os');",
                                 "Plural-Forms", "invalid token"),
    "nplurals absurd": ("nplurals=2; plural=(n != 1);", "nplurals=99999999999; plural=(n != 1);",
                        "Plural-Forms", "nplurals must be a whole number from 1 to 6"),
    "charset utf-16": ("charset=utf-8", "charset=utf-16", "Content-Type", "catalogs here are UTF-8"),
    "language a path": ('"Language: es\\n"', '"Language: ../../etc\\n"', "Language",
                        "the Language header '../../etc' is not a locale code"),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", HEADERS)
def test_a_header_the_libraries_cannot_use_fails_that_language_at_its_line(published, case, capsys):
    project, _ = published
    old, new, header, words = HEADERS[case]
    edit_catalog(project, old, new)
    line = next(number for number, text in enumerate((project / SPANISH_PO).read_text().splitlines(), 1)
                if text.startswith(f'"{header}:'))
    status, out, err = run_cli(project, "build", "--no-progress", capsys=capsys)
    errors = [text for text in err.splitlines() if text.startswith("error: ")]
    assert status == 1 and "Traceback" not in err
    assert errors[0].startswith(f"error: {SPANISH_PO}:{line}: ") and words in errors[0], errors
    assert len([e for e in errors if SPANISH_PO in e]) == 1
    assert "published 1 leaflets in 1 languages (en)" in out
    # The cause once, then the files it kept (six PDFs and the web version), not once a file.
    cause = errors[0].removeprefix("error: ")
    assert out.count(cause) == 1 and f"kept outdated (7 files): {cause}" in out.splitlines()
    assert "    leaflets/hand-washing/hand-washing.es.a4.pdf" in out.splitlines()
    assert_consistent(project)


ENCODINGS = {
    "UTF-16 with BOM": (lambda text: text.encode("utf-16"), "UTF-16 (little-endian, with a byte order mark)"),
    "UTF-16 without BOM": (lambda text: text.encode("utf-16-be"), "UTF-16 (big-endian, without a byte order mark)"),
    "Latin-1": (lambda text: text.replace("charset=utf-8", "charset=ISO-8859-1").encode("latin-1", errors="replace"),
                "looks saved as Latin-1 (ISO-8859-1) or Windows-1252"),
    "UTF-8 with BOM": (lambda text: "\ufeff".encode() + text.encode(), "byte order mark (BOM)"),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", ENCODINGS)
def test_a_catalog_in_another_encoding_gets_one_message_that_names_it(published, case, capsys):
    project, _ = published
    encode, words = ENCODINGS[case]
    path = project / SPANISH_PO
    path.write_bytes(encode(path.read_text(encoding="utf-8")))
    status, out, err = run_cli(project, "check", "es", capsys=capsys)
    errors = [text for text in err.splitlines() if text.startswith("error: ")]
    assert status == 1 and len(errors) == 1, errors
    assert errors[0].startswith(f"error: {SPANISH_PO}:") and words in errors[0] and "UTF-8" in errors[0]


# -- interrupts --------------------------------------------------------------------------

def live_processes(session: int) -> list[str]:
    """Processes of a session still running (zombies waiting for their parent are not)."""
    listed = subprocess.run(["ps", "-o", "stat=,args=", "-s", str(session)], capture_output=True, text=True)
    return [line for line in listed.stdout.splitlines() if line.strip() and not line.strip().startswith("Z")]


def interrupt_when(build, moment: str, number: int):
    """Send the signal once the build prints a line starting with `moment`; its stderr and when."""
    for line in build.stdout:
        if line.startswith(moment):
            # Ctrl-C at a terminal signals the whole process group; `kill` the process only.
            (os.killpg if number == signal.SIGINT else os.kill)(build.pid, number)
            sent = time.monotonic()
            break
    else:
        pytest.fail(f"the build never printed {moment!r}")
    build.stdout.read()
    err = build.stderr.read()
    build.wait(timeout=30)
    return err, sent


@pytest.mark.slow
@pytest.mark.parametrize("number", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
@pytest.mark.parametrize("moment", ["reading the leaflets", "planning", "[3/", "publishing into"])
def test_an_interrupt_at_any_moment_of_a_build_stops_it_cleanly(published, number, moment):
    project, before = published
    edit_catalog(project, 'msgstr "Mójese las manos."', 'msgstr "Mójese bien las manos."')
    with subprocess.Popen([sys.executable, str(ROOT / "pipeline.py"), "--project", str(project), "build",
                           "--no-progress", "-j", "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, start_new_session=True) as build:
        err, sent = interrupt_when(build, moment, number)
    assert build.returncode == 128 + number and time.monotonic() - sent < 10
    after = release(project)
    if after == before:
        assert err == "interrupted; the last release is unchanged\n"
    else:  # it came once the new release was out: then it is complete
        assert err == "interrupted; the new release was published in full before it stopped\n"
    deadline = time.monotonic() + 10
    while live_processes(build.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert live_processes(build.pid) == []  # no worker, forkserver or Ghostscript left
    assert_consistent(project)
    # The next build works, and publishes the change.
    report = pipeline.build(load_settings(project))
    assert report.problems == ()
    assert "Mójese bien las manos." in plain(pdf_text(project / "output/leaflets/hand-washing/hand-washing.es.a4.pdf"))
    assert_consistent(project)


def session_processes(session: int) -> dict[int, str]:
    """Live processes (not zombies) of a session, by pid, with their command lines, from /proc."""
    found = {}
    for entry in Path("/proc").iterdir():
        try:
            fields = (entry / "stat").read_bytes().rsplit(b")", 1)[1].split()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, IndexError):  # not a process, or it ended meanwhile
            continue
        if int(fields[3]) == session and fields[0] != b"Z":
            found[int(entry.name)] = command
    return found


def catches(pid: int, number: int) -> bool:
    """Whether a process has a handler for the signal (its SigCgt mask in /proc)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    mask = next(line.split()[1] for line in status.splitlines() if line.startswith("SigCgt:"))
    return bool(int(mask, 16) >> (number - 1) & 1)


@pytest.mark.slow
def test_sigterm_to_the_process_group_while_workers_start_leaves_no_process_and_says_one_line(tmp_path):
    """`kill -TERM -PGID` at moments from as soon as the build can catch it to while its
    forkserver and workers start: no forkserver, resource tracker or worker outlives it."""
    project = make_project(tmp_path, broken_locale=False)
    errors = tmp_path / "stderr.txt"
    interrupted = 0
    for delay in (0, 0, 0.2, 0.5, 0.8, 1.2, 1.6, 2.0, 2.5):  # seconds after it first catches SIGTERM
        shutil.rmtree(project / "output", ignore_errors=True)  # a first build starts its workers early
        with errors.open("w") as stderr:  # a file: a process left holding it cannot block the test
            build = subprocess.Popen([sys.executable, str(ROOT / "pipeline.py"), "--project", str(project), "build",
                                      "--no-progress", "-j", "2"], stdout=subprocess.DEVNULL, stderr=stderr,
                                     start_new_session=True)
        deadline = time.monotonic() + 30
        while not catches(build.pid, signal.SIGTERM) and build.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        time.sleep(delay)
        if build.poll() is None:
            os.killpg(build.pid, signal.SIGTERM)
        build.wait(timeout=60)
        deadline = time.monotonic() + 2
        while session_processes(build.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        left = session_processes(build.pid)
        for pid in left:  # the test's own processes: leave none behind, whatever it finds
            os.kill(pid, signal.SIGKILL)
        assert left == {}, (delay, left)
        if build.returncode == 0 and errors.read_text() == "":  # it had finished before the signal
            continue
        interrupted += 1
        assert build.returncode == 143, (delay, errors.read_text())
        assert errors.read_text() in ("interrupted; nothing was written\n",  # before its command was read
                                      "interrupted; the last release is unchanged\n",
                                      "interrupted; the new release was published in full before it stopped\n"), delay
    assert interrupted >= 7  # nearly every moment came before the build had finished


def test_a_signal_while_the_release_is_switched_waits_for_the_last_rename(tmp_path):
    from leafpub import interrupts, writing

    output = tmp_path / "output"
    output.mkdir()
    previous = signal.signal(signal.SIGTERM, interrupts.raise_interrupted)
    try:
        with pytest.raises(interrupts.Interrupted) as stopped:
            with interrupts.held_back():
                os.kill(os.getpid(), signal.SIGTERM)
                writing.write_atomically(output / "a.pdf", b"new")
                time.sleep(0.1)  # the handler would have run by now, had it not been held back
                assert (output / "a.pdf").read_bytes() == b"new"
        assert stopped.value.published and stopped.value.exit_status == 143
    finally:
        signal.signal(signal.SIGTERM, previous)


def test_an_interrupted_status_or_serve_says_what_is_true():
    from leafpub.commands import cli
    from leafpub import interrupts

    assert cli.what_is_true("status", interrupts.Interrupted(signal.SIGINT)) == "nothing was written"
    assert cli.what_is_true("update", interrupts.Interrupted(signal.SIGTERM)) == (
        "every file it writes is either as it was or written in full")


# -- what reaches a terminal ---------------------------------------------------------------

@pytest.mark.slow
def test_file_and_locale_names_never_reach_the_terminal_as_control_sequences(published, capsys):
    project, _ = published
    (project / "leaflets/evil\x1b]0;owned\x07.md").write_text("no front matter\n")
    folder = project / "translations/es\x1b[2J\u202e/LC_MESSAGES"
    folder.mkdir(parents=True)
    shutil.copy(project / SPANISH_PO, folder / "messages.po")
    status, out, err = run_cli(project, "build", "--no-progress", capsys=capsys)
    assert status == 1
    for text in (out, err):
        assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text
    assert "leaflets/evil\\x1b]0;owned\\x07.md" in err and "translations/es\\x1b[2J\\u202e" in err
    status, out, err = run_cli(project, "status", "--json", capsys=capsys)
    assert "\x1b" not in out and "\u202e" not in out and "\\u202e" in out
    json.loads(out)  # still JSON


def test_characters_that_show_nothing_are_written_as_their_escapes(capsys):
    from leafpub.commands import terminal

    terminal.say("very\ufffelong, soft\u00adhyphen, zero\u200bwidth, word\u2060joiner, نیم\u200cفاصله")
    out = capsys.readouterr().out
    assert out == "very\\ufffelong, soft\\xadhyphen, zero\\u200bwidth, word\\u2060joiner, نیم\u200cفاصله\n"


@pytest.mark.slow
def test_a_reviewer_name_is_shown_as_typed_not_as_console_markup(published, capsys):
    project, _ = published
    status, out, err = run_cli(project, "approve", "es", "--by", "[bold]Who[/bold]", capsys=capsys)
    assert status == 0 and "[bold]Who[/bold]" in out
    status, out, err = run_cli(project, "status", capsys=capsys)
    assert "approved ([bold]Who[/bold] on " in out


@pytest.mark.parametrize("name, words", [
    ("Dr \x1b[31mWho", "contains the invisible character U+001B (a control or direction-override "
                       "character), which cannot be stored: type the name as plain text"),
    ("Dr \u202eWho", "contains the invisible character U+202E"),
    ("D" * 121, "the reviewer's name is 121 characters long; at most 120 can be stored"),
    ("   ", "give the reviewer's name with --by"),
])
@pytest.mark.slow
def test_a_reviewer_name_that_cannot_be_stored_says_why(published, capsys, name, words):
    project, _ = published
    status, out, err = run_cli(project, "approve", "es", "--by", name, capsys=capsys)
    assert status == 1 and words in err and "\x1b" not in err and "\u202e" not in err
    assert not (project / "translations/es/LC_MESSAGES/approval.toml").exists()


@pytest.mark.slow
def test_the_plain_log_names_each_document_by_its_path(published, capsys):
    project, _ = published
    edit_catalog(project, 'msgstr "Mójese las manos."', 'msgstr "Mójese bien las manos."')
    status, out, err = run_cli(project, "build", "--no-progress", capsys=capsys)
    progress = [line for line in out.splitlines() if line.startswith("[")]
    assert status == 0 and progress
    assert any(line.endswith("] leaflets/hand-washing/hand-washing.es.a4.pdf (for packs)") for line in progress)
    assert any(line.endswith("] packs/test-clinic.a4.pdf") for line in progress)
    assert any(line.endswith("] leaflets/hand-washing/hand-washing.es.letter.print.pdf") for line in progress)
    assert not any(re.search(r"\] [0-9a-f]{12}$", line) for line in progress)


# -- the preview server ------------------------------------------------------------------

@pytest.mark.slow
def test_the_preview_server_shows_published_files_only(published):
    import socket

    project, _ = published
    output = project / "output"
    (output / "linked.txt").symlink_to(project / "pyproject.toml")
    (output / "leaflets/linked").symlink_to(project / "templates")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    (output / "large.pdf").write_bytes(os.urandom(32 << 20))  # more than the sockets' buffers hold
    with subprocess.Popen([sys.executable, str(ROOT / "pipeline.py"), "--project", str(project), "serve",
                           "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as server:
        check_preview(server, port)
        err = server.stderr.read()
    assert server.returncode == 130
    # A client that hangs up mid-response (a cancelled download) is one short line, no traceback.
    assert "Traceback" not in err and "Exception" not in err, err
    assert err.count("127.0.0.1 hung up before the response was complete\n") == 3, err


def check_preview(server, port):
    import http.client
    import socket
    import struct

    try:
        assert server.stdout.readline() == f"serving output/ at http://127.0.0.1:{port}/ (Ctrl-C stops)\n"

        def get(path):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            connection.request("GET", path)
            response = connection.getresponse()
            return response.status, response.read()

        assert get("/")[0] == 200 and get("/manifest.json")[0] == 200
        assert get("/leaflets/hand-washing/hand-washing.en.a4.pdf")[0] == 200
        assert get("/leaflets/hand-washing")[0] == 301  # to its slash: the leaflet's page is its index
        assert get("/leaflets/hand-washing/")[0] == 200
        for path in ("/.cache/", "/.lock", "/%2ecache/", "/thumbs/", "/leaflets/", "/linked.txt",
                     "/leaflets/linked/leaflet.css", "/../pyproject.toml", "/%2e%2e/pyproject.toml",
                     "/%2E%2E%2Fpyproject.toml", "/leaflets/..%2f..%2fpyproject.toml", "//etc/passwd",
                     "/index.html%00", "/..\\pyproject.toml"):
            status, body = get(path)
            assert status == 404 and b"[tool.leafpub]" not in body, path
        for _ in range(3):
            with socket.create_connection(("127.0.0.1", port), timeout=10) as client:
                client.sendall(b"GET /large.pdf HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                assert client.recv(1000).startswith(b"HTTP/1.0 200")
                client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # reset
        time.sleep(0.5)
        assert get("/")[0] == 200  # still serving
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=10)
