"""Leaflets x published languages -> one gated MP3 (+ WebVTT chapters) each, made only when its key changes."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .. import incremental, online
from ..catalogs import short
from ..model import Leaflet, LocaleCatalog, Settings
from ..problems import Problem
from ..publish import Failure
from . import AUDIO_KIND, CHAPTERS_KIND, encode, gate, recordings, voice, worker
from .script import leaflet_script

#: What this code puts into an audio file, by number: raise it with any change that changes the bytes.
AUDIO_REVISION = 1


@dataclass(frozen=True)
class AudioFile:
    """A leaflet read aloud in one language: the MP3, its chapters track and their manifest entries."""

    slug: str
    locale: str
    files: Mapping[str, bytes]  #: path in output/ -> bytes
    entries: tuple[dict, ...]  #: the "formats" entries: {"kind", "path", "sha256", ...}
    made: bool = False  #: synthesised in this build (not the published file, kept)
    cpu_seconds: float = 0.0  #: what making it took, in its worker and LAME


def audio_path(slug: str, locale: str, suffix: str = "mp3") -> str:
    return f"leaflets/{slug}/{slug}.{locale}.{suffix}"


def build_audio(settings: Settings, leaflets: Iterable[Leaflet], catalogs: Mapping[str, LocaleCatalog], *,
                built: Iterable[str], previous: Mapping[str, dict]) -> tuple[list[AudioFile], list[Problem],
                                                                      list[Failure]]:
    """(audio files, problems, failures) for every leaflet in every language whose PDFs were built.
    A file whose key is that of the published one is that one; each other one is spoken, gated and
    encoded by a fresh worker process (worker.py), as many at once as there are processors."""
    built, allowed = set(built), allowed_words(settings)
    files, problems, failures, jobs = [], [], [], []
    for leaflet in leaflets:
        for catalog in catalogs.values():
            locale = catalog.language.locale
            if voice.voice_for(locale) is None or not any(
                    path.startswith(f"leaflets/{leaflet.slug}/{leaflet.slug}.{locale}.") for path in built):
                continue
            chapters = leaflet_script(leaflet, catalog)
            takes = recordings.usable(settings, leaflet.slug, locale, chapters)
            key = {"script": incremental.digest([[c.title, [[x.locale, x.text] for x in c.lines]] for c in chapters]),
                   "voice": voice.voice_for(locale).name, "engine": voice.engine_identity(),
                   "encoder": encode.encoder_identity(), "allowed": sorted(allowed.get(locale, ())),
                   "recordings": sorted(takes.digests().items()), "revision": AUDIO_REVISION}
            kept = published(settings, previous.get(online.web_path(leaflet.slug, locale)), key)
            if kept is not None:
                files.append(AudioFile(leaflet.slug, locale, *kept))
            else:
                jobs.append((leaflet, catalog, takes, key, (chapters, {c: takes.pcm(c) for c in takes.valid},
                                                            allowed.get(locale, ()), locale)))
    for (leaflet, catalog, takes, key, _), (spoken, mp3) in zip(jobs, run([job[-1] for job in jobs]), strict=True):
        found = list(dict.fromkeys(problem_of(finding, catalog, leaflet) for finding in spoken.findings))
        if found:
            problems += found
            failures.append(Failure(AUDIO_KIND, (leaflet.slug, catalog.language.locale), str(found[0])))
        else:
            files.append(package(leaflet, catalog, takes, key, spoken, mp3))
    return files, problems, failures


def run(jobs: list[tuple]) -> list[tuple]:
    """worker.speak_and_encode for each job, each in a process of its own (forked from the pipeline's
    forkserver, so it starts clean and quickly)."""
    if not jobs:
        return []
    from concurrent.futures import ProcessPoolExecutor

    from ..pool import start_forkserver

    workers = min(len(jobs), os.cpu_count() or 1)
    with ProcessPoolExecutor(workers, mp_context=start_forkserver(), max_tasks_per_child=1) as pool:
        return list(pool.map(worker.speak_and_encode, *zip(*jobs, strict=True)))


def problem_of(finding: gate.Finding, catalog: LocaleCatalog, leaflet: Leaflet) -> Problem:
    locale = catalog.language.locale
    if finding.line is None:
        return Problem(catalog.path or leaflet.path, None, f"audio of {leaflet.slug!r}: {finding.message}",
                       locale=locale, leaflet=leaflet.slug)
    path = catalog.path or leaflet.path
    return Problem(path, finding.line.line, f"audio: message {short(finding.line.msgid)} {finding.message}",
                   locale=locale, leaflet=leaflet.slug)


def package(leaflet: Leaflet, catalog: LocaleCatalog, takes, key: dict, spoken: worker.Spoken, mp3: bytes) -> AudioFile:
    """The tagged MP3, its WebVTT chapters and their manifest entries."""
    language, speaker = catalog.language, voice.voice_for(catalog.language.locale)
    marks = encode.marks([(cid, title, ms) for cid, title, ms, _, _ in spoken.chapters])
    title = catalog.translations.gettext(leaflet.title.text)
    data = encode.tag(mp3, marks, title=title, language=language.locale,
                      artist=f"eSpeak NG {spoken.engine}, voice {speaker.name} (synthetic voice)")
    vtt = encode.webvtt(marks)
    path, vtt_path = audio_path(leaflet.slug, language.locale), audio_path(leaflet.slug, language.locale, "chapters.vtt")
    chapters = [{"id": cid, "title": ctitle, "start_ms": mark.start_ms, "end_ms": mark.end_ms, "voice": source,
                 "words_a_minute": rate, "text_sha256": digest}
                for (cid, ctitle, _, source, digest), mark, rate in zip(spoken.chapters, marks, spoken.rates, strict=True)]
    for chapter in chapters:
        if chapter["voice"] == "synthetic" and takes.stale(chapter["id"]):
            chapter["recording"] = "stale: the text changed, record it again"
    entries = ({"kind": AUDIO_KIND, "path": path, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data),
                "media_type": "audio/mpeg", "duration_ms": marks[-1].end_ms if marks else 0, "voice": speaker.name,
                "engine": spoken.engine, "chapters": chapters, "inputs": key},
               {"kind": CHAPTERS_KIND, "path": vtt_path, "sha256": hashlib.sha256(vtt).hexdigest(), "bytes": len(vtt),
                "media_type": "text/vtt"})
    return AudioFile(leaflet.slug, language.locale, {path: data, vtt_path: vtt}, entries, made=True,
                     cpu_seconds=spoken.cpu_seconds)


def published(settings: Settings, entry: dict | None, key: dict) -> tuple[dict, tuple] | None:
    """The published audio and chapters of a web version's entry, if made from the same key and intact."""
    formats = [f for f in (entry or {}).get("formats", []) if isinstance(f, dict)]
    audio = [f for f in formats if f.get("kind") == AUDIO_KIND and f.get("inputs") == key]
    track = [f for f in formats if f.get("kind") == CHAPTERS_KIND]
    if not audio or not track:
        return None
    files = {}
    for item in (audio[0], track[0]):
        try:
            data = (settings.output_dir / item["path"]).read_bytes()
        except (OSError, KeyError, TypeError):
            return None
        if hashlib.sha256(data).hexdigest() != item.get("sha256"):
            return None
        files[item["path"]] = data
    return files, (audio[0], track[0])


def allowed_words(settings: Settings) -> dict[str, tuple[str, ...]]:
    """pyproject.toml [tool.leafpub.audio.foreign-words]: locale -> words its voice may read in another
    language (a name or loanword said as in its own language); any other switch fails the gate."""
    from ..config import read_toml

    table = read_toml(settings.root / "pyproject.toml", "pyproject.toml").get("tool", {}).get("leafpub", {})
    words = table.get("audio", {}).get("foreign-words", {}) if isinstance(table.get("audio"), dict) else {}
    return {locale: tuple(str(word) for word in listed) for locale, listed in words.items()
            if isinstance(listed, list)} if isinstance(words, dict) else {}
