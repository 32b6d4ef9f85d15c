"""The audio of every leaflet in every language: its chapters, the same bytes from the same input, the
audio gate, a clinic's recordings, and where the manifest and the pages offer it."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
import wave
from pathlib import Path

import pytest
from mutagen.mp3 import MP3

from helpers import build, make_project, msgid_line, ROOT, SPANISH_PO
from leafpub.catalogs import catalogs
from leafpub.audio import gate, voice
from leafpub.audio.script import Line

#: Its sections, then the closing lines the printed leaflet ends with (what else there is, version, dates).
SPANISH_TITLES = ["Lavarse las manos", "Cómo lavarse las manos", "Cuándo pedir ayuda", "Otros idiomas y formatos"]


def formats(manifest: dict, locale: str) -> dict:
    """The manifest's "formats" of the hand-washing leaflet in a language, by kind."""
    return {item["kind"]: item for item in manifest["formats"] if item["leaflet"] == "hand-washing"
            and item["locale"] == locale}


def set_translation(project: Path, msgid: str, translation: str) -> None:
    path = project / SPANISH_PO
    lines = path.read_text(encoding="utf-8").splitlines()
    at = lines.index(f'msgid "{msgid}"')
    lines[at + 1] = f'msgstr "{translation}"'
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def spoken_this_time(report) -> set[str]:
    return {audio.locale for audio in report.spoken if audio.made}


@pytest.mark.slow
def test_each_language_has_an_mp3_with_a_chapter_a_section_listed_and_offered_everywhere(built):
    project, report = built
    output = project / "output"
    for locale, titles in {"en": ["Washing your hands", "How to wash your hands", "When to ask for help",
                                  "Other languages and formats"],
                           "es": SPANISH_TITLES}.items():
        audio, track = formats(report.manifest, locale)["audio"], formats(report.manifest, locale)["audio-chapters"]
        data = (output / audio["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == audio["sha256"] and len(data) == audio["bytes"]
        assert hashlib.sha256((output / track["path"]).read_bytes()).hexdigest() == track["sha256"]
        mp3 = MP3(io.BytesIO(data))
        assert (mp3.info.sample_rate, mp3.info.channels) == (22050, 1)
        chapters = sorted(mp3.tags.getall("CHAP"), key=lambda chapter: chapter.start_time)
        assert [chapter.sub_frames["TIT2"].text[0] for chapter in chapters] == titles
        assert mp3.tags.getall("CTOC")[0].child_element_ids == [chapter.element_id for chapter in chapters]
        assert chapters[0].start_time == 0 and all(a.end_time == b.start_time for a, b in zip(chapters, chapters[1:]))
        assert abs(chapters[-1].end_time / 1000 - mp3.info.length) < 0.2  # the chapters cover the whole file
        assert audio["voice"] == {"en": "en", "es": "es"}[locale] and audio["engine"] == "1.52.0"
        vtt = (output / track["path"]).read_text(encoding="utf-8")
        assert vtt.startswith("WEBVTT") and all(title in vtt for title in titles)
        # The web version plays it with its chapters and links each chapter's start.
        page = (output / f"leaflets/hand-washing/hand-washing.{locale}.html").read_text(encoding="utf-8")
        name = audio["path"].rsplit("/", 1)[1]
        assert f'<audio controls preload="metadata" src="{name}">' in page
        assert f'<track kind="chapters" src="{track["path"].rsplit("/", 1)[1]}"' in page
        second = audio["chapters"][1]
        assert f'href="{name}#t={second["start_ms"] / 1000:g}"' in page
    # Every line is spoken: the Spanish audio is about as long as its words need (eSpeak's ~155 a minute),
    # the draft and clinical notices and the closing lines included.
    assert 8 < formats(report.manifest, "es")["audio"]["duration_ms"] / 1000 < 60
    download_page = (output / "leaflets/hand-washing/index.html").read_text(encoding="utf-8")
    assert "Listen in Spanish" in download_page and formats(report.manifest, "es")["audio"]["sha256"] in download_page
    assert "fr" not in {e["locale"] for e in report.manifest["leaflets"]}  # the broken catalog: no audio either


@pytest.mark.slow
def test_the_same_input_gives_the_same_bytes_and_a_rebuild_speaks_only_what_changed(built, tmp_path):
    _, first = built
    again = make_project(tmp_path)
    second = build(again)
    for locale in ("en", "es"):
        for kind in ("audio", "audio-chapters"):
            assert formats(second.manifest, locale)[kind]["sha256"] == formats(first.manifest, locale)[kind]["sha256"]
    assert spoken_this_time(second) == {"en", "es"}
    assert spoken_this_time(build(again)) == set()  # nothing changed: nothing spoken
    set_translation(again, "Wet your hands.", "Mójese bien las manos.")
    third = build(again)
    assert spoken_this_time(third) == {"es"}
    assert formats(third.manifest, "es")["audio"]["sha256"] != formats(second.manifest, "es")["audio"]["sha256"]
    assert formats(third.manifest, "en")["audio"] == formats(second.manifest, "en")["audio"]
    # Back to the first text: the same bytes again, though this time Spanish alone was spoken.
    set_translation(again, "Wet your hands.", "Mójese las manos.")
    fourth = build(again)
    assert spoken_this_time(fourth) == {"es"}
    assert formats(fourth.manifest, "es")["audio"]["sha256"] == formats(second.manifest, "es")["audio"]["sha256"]


@pytest.mark.slow
def test_a_message_forced_into_english_fails_the_gate_at_its_line_and_its_audio_is_not_published(tmp_path):
    project = make_project(tmp_path, broken_locale=False)
    english = "Ask a nurse if you have a cut on your hands."
    set_translation(project, english, english)  # the Spanish voice would read it by Spanish rules
    report = build(project)
    assert [str(problem) for problem in report.problems] == [
        f"{SPANISH_PO}:{msgid_line(project / SPANISH_PO, english)}: audio: message {catalogs.short(english)} is English, "
        "not es (you, have, your): the voice would read it by the rules of its own language"]
    assert "audio" not in formats(report.manifest, "es") and "audio" in formats(report.manifest, "en")
    assert not (project / "output/leaflets/hand-washing/hand-washing.es.mp3").exists()
    assert any(e["locale"] == "es" and e["variant"] == "standard" for e in report.manifest["leaflets"])

    # Once published, Spanish audio that fails the gate keeps its last good file, marked outdated.
    set_translation(project, english, "Consulte a una enfermera si tiene un corte en las manos.")
    good = formats(build(project).manifest, "es")["audio"]
    set_translation(project, english, english)
    kept = formats(build(project).manifest, "es")["audio"]
    assert kept["sha256"] == good["sha256"] and kept["outdated"].startswith(f"{SPANISH_PO}:")
    assert (project / "output" / kept["path"]).is_file()


def test_a_word_read_in_another_languages_voice_is_named_unless_allowed():
    engine = voice.engine()
    line = Line("Wash your hands", "请用 Microneedling 洗手。", "zh_Hans", 12)
    assert gate.unrequested_switches(engine, line, ()) == ["Microneedling"]
    assert gate.unrequested_switches(engine, line, ("microneedling",)) == []
    assert gate.unrequested_switches(engine, Line("x", "请用肥皂洗手。", "zh_Hans", 3), ()) == []
    # A Chinese message replaced by English: every word is read by the English voice.
    forced = gate.unrequested_switches(engine, Line("x", "Wash your hands with soap.", "zh_Hans", 3), ())
    assert forced == ["Wash", "your", "hands", "with", "soap"]


def test_a_silent_a_cut_or_a_stalled_message_or_section_fails_the_gate():
    engine = voice.engine()
    line = Line("x", "Consulte a una enfermera si tiene un corte en las manos.", "es", 63)
    pcm = engine.speak("es", line.text)
    rate = engine.sample_rate
    assert gate.line_findings(line, pcm, rate) == []
    assert [f.message for f in gate.line_findings(line, b"", rate)] == ["is silent in the audio"]
    cut = gate.line_findings(line, pcm[:len(pcm) // 4 // 2 * 2], rate)
    assert len(cut) == 1 and cut[0].message.startswith("is cut in the audio")
    half = len(pcm) // 4 * 2
    gap = gate.line_findings(line, pcm[:half] + bytes(2 * 3 * rate) + pcm[half:], rate)
    assert len(gap) == 1 and gap[0].message.startswith("has 3.")
    from leafpub.audio.script import Chapter

    chapter = Chapter("c1", "Cuándo pedir ayuda", (line,))
    seconds = len(pcm) / 2 / rate
    assert gate.chapter_rate(chapter, seconds, "es")[1] is None
    assert "too fast: cut" in gate.chapter_rate(chapter, seconds / 2, "es")[1].message
    assert "too slow: silence" in gate.chapter_rate(chapter, seconds * 3, "es")[1].message


def recording_of(text: str, path: Path) -> Path:
    """A 'human' take: another Spanish voice (Latin American) as a 44.1 kHz stereo WAV, which the
    pipeline must bring down to its own 22.05 kHz mono."""
    pcm = voice.engine().speak("es-419", text)
    samples = memoryview(pcm).cast("h")
    stereo = bytearray()
    for sample in samples:
        stereo += sample.to_bytes(2, "little", signed=True) * 4  # 2 channels x twice the rate
    with wave.open(str(path), "wb") as writer:
        writer.setnchannels(2)
        writer.setsampwidth(2)
        writer.setframerate(44100)
        writer.writeframes(bytes(stereo))
    return path


def pipeline(project: Path, *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "pipeline.py"), "--project", str(project), *arguments],
                          capture_output=True, text=True)


@pytest.mark.slow
def test_a_recording_replaces_its_section_until_its_text_changes(tmp_path):
    project = make_project(tmp_path, broken_locale=False)
    first = build(project)
    take = recording_of("Cómo lavarse las manos. Use jabón y agua tibia durante 20 segundos. Mójese las manos. "
                        "Frótelas con jabón. Aclárelas y séquelas.", tmp_path / "take.wav")
    not_audio = tmp_path / "take.pdf.wav"
    not_audio.write_bytes(b"%PDF-1.7\n" + bytes(5000))
    refused = pipeline(project, "recording", "add", "es", "hand-washing", "1", str(not_audio))
    assert refused.returncode == 1 and refused.stderr.startswith(f"error: {not_audio}: is not a usable recording")
    added = pipeline(project, "recording", "add", "es", "hand-washing", "Cómo lavarse las manos", str(take))
    assert added.returncode == 0, added.stderr
    assert "stored recordings/hand-washing/es/c1.wav" in added.stdout

    second = build(project)
    assert second.problems == () and spoken_this_time(second) == {"es"}
    chapters = formats(second.manifest, "es")["audio"]["chapters"]
    assert [chapter["voice"] for chapter in chapters] == ["synthetic", "recording", "synthetic", "synthetic"]
    assert formats(second.manifest, "es")["audio"]["sha256"] != formats(first.manifest, "es")["audio"]["sha256"]
    page = (project / "output/leaflets/hand-washing/index.html").read_text(encoding="utf-8")
    assert "read by the clinic" in page
    assert json.loads(pipeline(project, "status", "--json").stdout)["recordings_to_record_again"] == []

    # The text the clinic read changes: its recording is no longer published, and status says so.
    set_translation(project, "Wet your hands.", "Mójese bien las manos.")
    third = build(project)
    chapters = formats(third.manifest, "es")["audio"]["chapters"]
    assert [chapter["voice"] for chapter in chapters] == ["synthetic"] * 4
    assert chapters[1]["recording"] == "stale: the text changed, record it again"
    assert "the clinic's recording must be made again" in (
        project / "output/leaflets/hand-washing/index.html").read_text(encoding="utf-8")
    stale = json.loads(pipeline(project, "status", "--json").stdout)["recordings_to_record_again"]
    assert [problem["file"] for problem in stale] == ["recordings/hand-washing/es/c1.wav"]
    assert "record again: recordings/hand-washing/es/c1.wav: recording of section c1 no longer matches" in \
        pipeline(project, "status").stdout


def test_without_lame_the_audio_fails_with_one_line_not_a_traceback(monkeypatch):
    from leafpub.audio import encode, worker
    from leafpub.audio.script import Chapter

    monkeypatch.setattr(encode.shutil, "which", lambda name: None)
    encode.lame_version.cache_clear()
    try:
        chapter = Chapter("c0", "Lavarse las manos", (Line("x", "Lávese las manos con agua y jabón.", "es", 5),))
        spoken, mp3 = worker.speak_and_encode((chapter,), {}, (), "es")
    finally:
        encode.lame_version.cache_clear()
    assert mp3 == b"" and [finding.message for finding in spoken.findings] == [
        "cannot be made: LAME is not installed (Debian package lame; `make` installs it)"]


@pytest.mark.slow
def test_the_synthetic_voice_notice_is_extracted_and_untranslated_holds_nothing_back(tmp_path):
    from leafpub.formats.formats import SYNTHETIC_NOTICE
    from leafpub.config import load_settings

    assert SYNTHETIC_NOTICE in catalogs.extract_messages(load_settings(ROOT))  # `update` gives it to translators
    project = make_project(tmp_path, broken_locale=False)
    with (project / SPANISH_PO).open("a", encoding="utf-8") as po:  # as `update` adds it: untranslated
        po.write(f'\nmsgid "{SYNTHETIC_NOTICE}"\nmsgstr ""\n')
    report = build(project)
    assert not [problem for problem in report.problems if problem.locale == "es"], report.problems
    page = project / "output/leaflets/hand-washing/hand-washing.es.html"
    assert f'<span lang="en">{SYNTHETIC_NOTICE}</span>' in page.read_text(encoding="utf-8")
    assert "audio" in formats(report.manifest, "es")
    spanish = "Esta es una voz sintética que lee el folleto."
    set_translation(project, SYNTHETIC_NOTICE, spanish)
    report = build(project)
    assert not [problem for problem in report.problems if problem.locale == "es"], report.problems
    assert f'<span lang="es">{spanish}</span>' in page.read_text(encoding="utf-8")
    assert spoken_this_time(report) == {"es"}  # said now in Spanish, by the Spanish voice


def test_the_audio_says_what_the_top_of_every_page_says_until_it_no_longer_applies(tmp_path):
    """A draft translation and a leaflet no clinician has signed off are said so, after the notice
    that the voice is synthetic, in the catalog's words; a sign-off takes the clinical line away."""
    import dataclasses
    from datetime import date

    from leafpub.content import content
    from leafpub.audio.script import CLINICAL_NOTICE, DRAFT_NOTICE, leaflet_script
    from leafpub.config import load_settings
    from leafpub.model import SignOff

    settings = load_settings(make_project(tmp_path, broken_locale=False))
    leaflet = content.load_leaflets(settings).leaflets[0]
    spanish = catalogs.load_catalog(settings, "es")
    opening = [line.msgid for line in leaflet_script(leaflet, spanish)[0].lines[:3]]
    assert opening[1:] == [DRAFT_NOTICE, CLINICAL_NOTICE]
    said = leaflet_script(leaflet, spanish)[0].lines[2].text
    assert said == spanish.translations.gettext(CLINICAL_NOTICE) and said != CLINICAL_NOTICE
    signed = dataclasses.replace(leaflet, clinical=SignOff(leaflet.slug, "Dr A", date(2026, 12, 7), "2.1", "", "", 1))
    assert CLINICAL_NOTICE not in [line.msgid for line in leaflet_script(signed, spanish)[0].lines]


def test_the_audio_ends_as_the_printed_leaflet_does_with_what_else_there_is_its_version_and_dates(tmp_path):
    from leafpub.content import content
    from leafpub.audio.script import leaflet_script
    from leafpub.config import load_settings

    settings = load_settings(make_project(tmp_path, broken_locale=False))
    leaflet = content.load_leaflets(settings).leaflets[0]
    last = leaflet_script(leaflet, catalogs.load_catalog(settings, "es"))[-1]
    said = [line.text for line in last.lines]
    assert last.title == said[0] == "Otros idiomas y formatos"
    assert said[1].endswith("pregunte en su clínica.") and said[2] == f"Versión {leaflet.version}"
    assert said[3] == "Última revisión: 1 de octubre de 2026" and said[4].startswith("Próxima revisión prevista: ")
