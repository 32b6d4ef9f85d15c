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


class Speaking:
    """The audio of every leaflet in every language, spoken while the PDFs render:

        with Speaking(settings, leaflets, catalogs, previous) as speaking:
            ...render the PDFs...
        files, problems, failures = speaking.results(built=(slug, locale) of every leaflet built)

    A file whose key is that of the published one is that one; each other one is spoken, gated and
    encoded by a fresh worker process (worker.py), forked from the pipeline's forkserver, one a
    processor: beside the PDFs' workers they share the processors (the same CPU, spent sooner), and
    a build that renders nothing (a new engine, say) speaks as fast as the machine can."""

    def __init__(self, settings: Settings, leaflets: Iterable[Leaflet], catalogs: Mapping[str, LocaleCatalog],
                 previous: Mapping[str, dict]):
        self.settings, self.allowed, self.kept, self.jobs = settings, allowed_words(settings), [], []
        for leaflet in leaflets:
            for catalog in catalogs.values():
                if voice.voice_for(catalog.language.locale) is not None:
                    self.plan(leaflet, catalog, previous)
        self.executor = None
        if self.jobs:
            from concurrent.futures import ProcessPoolExecutor

            from ..pool import start_forkserver

            workers = min(len(self.jobs), os.cpu_count() or 1)
            self.executor = ProcessPoolExecutor(workers, mp_context=start_forkserver(), max_tasks_per_child=1)
            self.futures = [self.executor.submit(worker.speak_and_encode, *job[-1]) for job in self.jobs]

    def plan(self, leaflet: Leaflet, catalog: LocaleCatalog, previous: Mapping[str, dict]) -> None:
        locale, allowed = catalog.language.locale, self.allowed.get(catalog.language.locale, ())
        chapters = leaflet_script(leaflet, catalog)
        takes = recordings.usable(self.settings, leaflet.slug, locale, chapters)
        key = {"script": incremental.digest([[c.title, [[x.locale, x.text] for x in c.lines]] for c in chapters]),
               "voice": voice.voice_for(locale).name, "engine": voice.engine_identity(self.settings),
               "encoder": encode.encoder_identity(), "allowed": sorted(allowed),
               "recordings": sorted(takes.digests().items()), "revision": AUDIO_REVISION}
        kept = published(self.settings, previous.get(online.web_path(leaflet.slug, locale)), key)
        if kept is not None:
            self.kept.append(AudioFile(leaflet.slug, locale, *kept))
        else:
            self.jobs.append((leaflet, catalog, takes, key,
                              (chapters, {c: takes.pcm(c) for c in takes.valid}, allowed, locale)))

    def __enter__(self) -> Speaking:
        return self

    def __exit__(self, kind, error, trace) -> None:
        # Without an error, the workers go on with what they were given, and results() waits for it
        # (shutdown(wait=False) with max_tasks_per_child breaks Python 3.11's executor: it stays open).
        if kind is not None:
            self.close(cancel=True)

    def close(self, cancel: bool = False) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=cancel)
            self.executor = None

    def results(self, built: Iterable[tuple[str, str]]) -> tuple[list[AudioFile], list[Problem], list[Failure]]:
        """(audio files, problems, failures) of the leaflets and languages whose PDFs were built:
        `built` holds their (slug, locale)."""
        built = set(built)
        files = [audio for audio in self.kept if (audio.slug, audio.locale) in built]
        problems, failures = [], []
        for (leaflet, catalog, takes, key, _), future in zip(self.jobs, getattr(self, "futures", []), strict=True):
            if (leaflet.slug, catalog.language.locale) not in built:
                continue
            spoken, mp3 = future.result()
            found = list(dict.fromkeys(problem_of(finding, catalog, leaflet) for finding in spoken.findings))
            if found:
                problems += found
                failures.append(Failure(AUDIO_KIND, (leaflet.slug, catalog.language.locale), str(found[0])))
            else:
                files.append(package(leaflet, catalog, takes, key, spoken, mp3))
        self.close()
        return files, problems, failures


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
