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
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

import pipeline
from conftest import ROOT, counting_server, make_project, pdf_text, plain
from leafpub.config import load_settings
from leafpub.validate import scan_pdf

SPANISH_PO = "translations/es/LC_MESSAGES/messages.po"


def run_cli(project, *args, capsys):
    capsys.readouterr()
    status = pipeline.main(["--project", str(project), *args])
    out, err = capsys.readouterr()
    return status, out, err


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

def replace_in_catalog(project, old, new):
    path = project / SPANISH_PO
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


BROKEN_CATALOGS = {
    "syntax": (lambda p: replace_in_catalog(p, 'msgstr "Mójese las manos."', 'msgstr "Mójese'),
               "end-of-line within string"),
    "keyword": (lambda p: replace_in_catalog(p, 'msgstr "Mójese las manos."', 'msgstring "x"'),
                "keyword \"msgstring\" unknown"),
    "latin-1 bytes": (lambda p: (p / SPANISH_PO).write_bytes(
        (p / SPANISH_PO).read_bytes().replace("Mójese".encode(), "Mójese".encode("latin-1"))),
        "invalid multibyte sequence"),
    "duplicate msgid": (lambda p: replace_in_catalog(p, 'msgid "Wet your hands."',
                                                     'msgid "Wet your hands."\nmsgstr "x."\n\nmsgid "Wet your hands."'),
                        "duplicate message definition"),
    "too few plural forms": (lambda p: replace_in_catalog(p, "nplurals=2;", "nplurals=3;"),
                             "plural"),
    "wrong charset": (lambda p: replace_in_catalog(p, "charset=utf-8", "charset=klingon"),
                      "charset"),
    "no Language header": (lambda p: replace_in_catalog(p, '"Language: es\\n"\n', ""),
                           "the Language header says nothing, but the folder is es"),
}


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


def test_a_byte_order_mark_is_named_with_its_fix(published):
    project, _ = published
    path = project / SPANISH_PO
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    report = pipeline.build(load_settings(project))
    assert str(report.problems[0]) == (f"{SPANISH_PO}:1: the file starts with a byte order mark (BOM), "
                                       "which gettext tools reject: save it as UTF-8 without BOM")


def test_valid_but_unusual_catalogs_from_elsewhere_build(published):
    """Obsolete entries, previous-msgid comments, multi-line strings and context, as Poedit
    and Weblate write them."""
    project, _ = published
    replace_in_catalog(project, 'msgstr "Mójese las manos."', 'msgstr ""\n"Mójese "\n"las manos."')
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


def test_injected_markup_urls_and_template_syntax_never_fetch_or_embed(published):
    project, _ = published
    with counting_server() as (url, hits):
        # In the English source (which has no checks beyond its format) ...
        leaflet = project / "leaflets/hand-washing.md"
        text = leaflet.read_text()
        leaflet.write_text(text + "\n" + "\n\n".join(i.replace("URL", url) for i in INJECTIONS
                                                      if "\\u202e" not in i) + "\n")
        # ... and in a clinic's details.
        packs = project / "packs.toml"  # (English only: Spanish now lacks the new messages)
        packs.write_text(packs.read_text().replace('locales = ["en", "es"]', 'locales = ["en"]').replace(
            'hours = "Monday to Friday, 8:00 to 18:00"',
                                                   f'hours = "<img src=\\"{url}/i.png\\">"\n'
                                                   f'website = "javascript:fetch(\'{url}\')"'))
        leaflet_text = leaflet.read_text().replace("pages: 1", "pages: 5")
        leaflet.write_text(leaflet_text)
        report = pipeline.build(load_settings(project))
    assert [str(p) for p in report.problems if p.locale != "es"] == []
    assert hits == []
    english = project / "output/leaflets/hand-washing/hand-washing.en.a4.pdf"
    data = english.read_bytes()
    assert b"root:" not in data and b"/EmbeddedFile" not in data and scan_pdf(data) == []
    words = plain(pdf_text(english))
    assert "{{ self.__init__.__globals__ }}" in words and "<script>" in words
    pack = project / "output/packs/test-clinic.a4.pdf"
    assert scan_pdf(pack.read_bytes()) == [] and "javascript:fetch" in "".join(pdf_text(pack).split())
    assert not [p for p in report.problems if "rendering failed" in p.message]


def test_a_translation_with_a_direction_override_is_refused(published):
    project, before = published
    replace_in_catalog(project, 'msgstr "Use jabón y agua tibia durante **20 segundos**."',
                       'msgstr "Use jabón y agua tibia durante **\u202e20\u202c segundos**."')
    report = pipeline.build(load_settings(project))
    (problem, *_) = [p for p in report.problems if p.locale == "es"]
    assert problem.path == SPANISH_PO and problem.line
    assert "invisible control or direction-override characters: U+202C, U+202E" in problem.message
    assert release(project)["leaflets/hand-washing/hand-washing.es.a4.pdf"] == before[
        "leaflets/hand-washing/hand-washing.es.a4.pdf"]


def test_a_control_character_in_a_leaflet_names_its_line(published):
    project, _ = published
    leaflet = project / "leaflets/hand-washing.md"
    leaflet.write_text(leaflet.read_text().replace("Wet your hands.", "Wet your\x07 hands."))
    report = pipeline.build(load_settings(project))
    assert str(report.problems[0]) == ("leaflets/hand-washing.md:17: invisible control or "
                                       "direction-override character U+0007; remove it")


@pytest.mark.parametrize("logo, reason", [
    ("../../pyproject.toml", "is outside templates/assets/"),
    ("/etc/passwd", "is outside templates/assets/"),
    ("logos/missing.png", "does not exist in templates/assets/"),
    ("logos/fifo.png", "is not a regular file"),
    ("logos/device.png", "is not a regular file"),
    ("logos/huge.png", "is 5000x10 pixels; at most 2000 on either side"),
    ("logos/big.png", "is larger than 512 KB"),
    ("logos/text.png", "is not a PNG or JPEG image"),
    ("logos/escape.png", "is outside templates/assets/"),
])
def test_a_clinic_logo_that_is_not_a_small_image_in_the_assets_is_refused(published, logo, reason):
    from PIL import Image

    project, before = published
    logos = project / "templates/assets/logos"
    logos.mkdir(parents=True, exist_ok=True)
    os.mkfifo(logos / "fifo.png")
    os.mknod(logos / "device.png", 0o600 | stat.S_IFCHR, os.makedev(1, 5))  # like /dev/zero
    Image.new("RGB", (5000, 10)).save(logos / "huge.png")
    (logos / "big.png").write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(600 * 1024))
    (logos / "text.png").write_text("not an image")
    (logos / "escape.png").symlink_to("/etc/passwd")
    packs = project / "packs.toml"
    packs.write_text(packs.read_text().replace('hours = "', f'logo = "{logo}"\nhours = "'))
    started = time.monotonic()
    report = pipeline.build(load_settings(project))
    assert time.monotonic() - started < 60  # a FIFO must not block the build
    (problem,) = report.problems
    assert str(problem) == f"packs.toml:12: pack 'test-clinic': clinic logo {logo!r} {reason}"
    # The leaflets are rebuilt (the templates folder changed) and published; the pack keeps
    # its last good version.
    assert release(project)["packs/test-clinic.a4.pdf"] == before["packs/test-clinic.a4.pdf"]


# -- size and depth --------------------------------------------------------------------

@pytest.mark.parametrize("make, words", [
    (lambda: "---\n" + "x" * 300_000, "file is larger than 256 KiB"),
    (lambda: "\n\n".join(["A paragraph that goes on. " * 100] * 1), "longer than 2000 characters"),
    (lambda: "- " * 5000 + "deep", "lists inside lists are not supported"),
])
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


def test_a_build_killed_at_random_points_leaves_the_old_or_the_new_release(published):
    project, before = published
    replace_in_catalog(project, "Frótelas con jabón.", "Frótelas bien con jabón.")
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
                           path in ("index.html", "manifest.json") for path in changed)


def mount_tmpfs(folder: Path, size: str):
    folder.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                            capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip(f"cannot mount a small file system here: {result.stderr.strip()}")


def test_a_full_output_folder_keeps_the_previous_release(published, capsys):
    project, _ = published
    output = project / "output"
    saved = project / "saved-output"
    output.rename(saved)
    size = sum(p.stat().st_size for p in saved.rglob("*") if p.is_file() and ".cache" not in p.parts)
    mount_tmpfs(output, f"{2 * size // 1024 + 1024}k")
    try:
        shutil.copytree(saved, output, dirs_exist_ok=True, ignore=shutil.ignore_patterns(".cache"))
        before = release(project)
        replace_in_catalog(project, "Frótelas con jabón.", "Frótelas bien con jabón.")
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
        status, _, _ = run_cli(project, "build", "--no-progress", "-j", "1", capsys=capsys)
        assert status == 0
        assert_consistent(project)
    finally:
        subprocess.run(["umount", str(output)], check=False)


def test_a_read_only_output_folder_is_one_clear_problem(published, capsys):
    project, _ = published
    output = project / "output"
    saved = project / "saved-output"
    output.rename(saved)
    mount_tmpfs(output, "20m")
    try:
        shutil.copytree(saved, output, dirs_exist_ok=True)
        before = release(project)
        replace_in_catalog(project, "Frótelas con jabón.", "Frótelas bien con jabón.")
        subprocess.run(["mount", "-o", "remount,ro", str(output)], check=True)
        status, _, err = run_cli(project, "build", "--no-progress", "-j", "1", capsys=capsys)
        assert status == 1 and "Traceback" not in err
        assert "Read-only file system" in err
        assert release(project) == before
    finally:
        subprocess.run(["umount", str(output)], check=False)


def test_two_builds_at_once_both_finish_and_publish_one_consistent_release(published):
    project, _ = published
    replace_in_catalog(project, "Frótelas con jabón.", "Frótelas bien con jabón.")
    processes = [subprocess.Popen(build_command(project), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                 for _ in range(2)]
    results = [process.communicate(timeout=300) for process in processes]
    assert [process.returncode for process in processes] == [0, 0], results
    assert_consistent(project)
    assert pipeline.build(load_settings(project)).rendered == ()


# -- every published PDF --------------------------------------------------------------

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
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
        {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert(1)")})
    writer.add_attachment("secret.txt", b"secret")
    writer.add_annotation(0, Link(rect=(10, 10, 50, 50), url="https://evil.example/"))
    buffer = BytesIO()
    writer.write(buffer)
    found = scan_pdf(buffer.getvalue())
    assert "contains JavaScript" in found and "contains embedded files" in found
    assert "contains a URI action" in found
