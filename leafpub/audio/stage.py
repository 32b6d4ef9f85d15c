"""Leaflets x published languages -> one gated MP3 (+ WebVTT chapters) each, made only when its key changes,
as formats.FormatFile (kinds "audio" and "audio-chapters") of the manifest's "formats"."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from ..formats import formats
from ..plan import incremental
from ..catalogs.catalogs import short
from ..model import Leaflet, LocaleCatalog, Settings
from ..problems import Problem
from ..model import Failure
from . import AUDIO_KIND, CHAPTERS_KIND, encode, gate, recordings, voice, worker
from .script import leaflet_script
from .. import checkcache, sources
from ..formats import voices

#: What this code puts into an audio file, by number: raise it with any change that changes the bytes.
AUDIO_REVISION = 1


@dataclass(frozen=True)
class AudioFile:
    """A leaflet read aloud in one language: the MP3 and its chapters track."""

    slug: str
    locale: str
    files: tuple[formats.FormatFile, ...]  #: kind "audio" (the MP3), then "audio-chapters" (WebVTT)
    made: bool = False  #: synthesised in this build (not the published file, kept)
    cpu_seconds: float = 0.0  #: what making it took, in its worker and LAME


@dataclass
class AudioStep:
    """What the audio step gives the build."""

    spoken: list = field(default_factory=list)  #: AudioFile of every leaflet and language with audio
    problems: list = field(default_factory=list)
    failures: list = field(default_factory=list)  #: Failure("format"): the last files kept, outdated

    @property
    def files(self) -> list[formats.FormatFile]:
        return [file for audio in self.spoken for file in audio.files]


def audio_path(slug: str, locale: str, suffix: str = "mp3") -> str:
    return f"leaflets/{slug}/{slug}.{locale}.{suffix}"


class Speaking:
    """The audio of every leaflet in every language, spoken while the PDFs render:

        with Speaking(settings, leaflets, catalogs) as speaking:
            ...render the PDFs...
        step = speaking.results(built=(slug, locale) of every leaflet built, failures=the PDFs')

    A file whose key is that of the published one is that one; each other one is spoken, gated and
    encoded by a fresh worker process (worker.py), forked from the pipeline's forkserver, one a
    processor: beside the PDFs' workers they share the processors (the same CPU, spent sooner), and
    a build that renders nothing (a new engine, say) speaks as fast as the machine can."""

    def __init__(self, settings: Settings, leaflets: Iterable[Leaflet], catalogs: Mapping[str, LocaleCatalog]):
        self.settings, self.allowed, self.kept, self.jobs = settings, allowed_words(settings), [], []
        self.previous = [e for e in sources.read_manifest(settings.output_dir).get("formats", [])
                         if isinstance(e, dict) and e.get("kind") in (AUDIO_KIND, CHAPTERS_KIND)]
        previous, leaflets = self.previous, list(leaflets)
        self.dates = written_dates(settings, leaflets, catalogs.values())
        for leaflet in leaflets:
            for catalog in catalogs.values():
                if voices.voice_for(catalog.language.locale) is not None:
                    self.plan(leaflet, catalog, previous)
        self.executor = None
        if self.jobs:
            from concurrent.futures import ProcessPoolExecutor

            from ..render.pool import start_forkserver

            workers = min(len(self.jobs), os.cpu_count() or 1)
            self.executor = ProcessPoolExecutor(workers, mp_context=start_forkserver(), max_tasks_per_child=1)
            self.futures = [self.executor.submit(worker.speak_and_encode, *job[-1]) for job in self.jobs]

    def plan(self, leaflet: Leaflet, catalog: LocaleCatalog, previous: list[dict]) -> None:
        locale, allowed = catalog.language.locale, self.allowed.get(catalog.language.locale, ())
        chapters = leaflet_script(leaflet, catalog, self.dates.get(f"{leaflet.slug} {locale}"))
        takes = recordings.usable(self.settings, leaflet.slug, locale, chapters)
        key = {"script": incremental.digest([[c.title, [[x.locale, x.text] for x in c.lines]] for c in chapters]),
               "voice": voices.voice_for(locale).name, "engine": voice.engine_identity(self.settings),
               "encoder": encode.encoder_identity(), "allowed": sorted(allowed),
               "recordings": sorted(takes.digests().items()), "revision": AUDIO_REVISION}
        kept = published(self.settings, [e for e in previous if formats.key(e)[:2] == (leaflet.slug, locale)], key)
        if kept is not None:
            self.kept.append(AudioFile(leaflet.slug, locale, tuple(
                formats.FormatFile(leaflet, catalog, entry["kind"], entry["path"], data, key if entry["kind"] ==
                                   AUDIO_KIND else {}, details(entry)) for entry, data in kept)))
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

    def results(self, built: Iterable[tuple[str, str]], failures: Iterable[Failure] = ()) -> AudioStep:
        """The audio of the leaflets and languages whose PDFs were built (`built`: their (slug, locale));
        a published one whose PDFs failed (`failures`) is kept, outdated for the same reason."""
        built, step = set(built), AudioStep()
        step.spoken = [audio for audio in self.kept if (audio.slug, audio.locale) in built]
        failed = {failure.key[:2]: failure.reason for failure in failures if failure.kind == "leaflet"}
        step.failures = [Failure("format", formats.key(entry), failed[formats.key(entry)[:2]])
                         for entry in self.previous if formats.key(entry)[:2] in failed
                         and formats.key(entry)[:2] not in built]
        for (leaflet, catalog, takes, key, _), future in zip(self.jobs, getattr(self, "futures", []), strict=True):
            if (leaflet.slug, catalog.language.locale) not in built:
                continue
            spoken, mp3 = future.result()
            found = list(dict.fromkeys(problem_of(finding, catalog, leaflet) for finding in spoken.findings))
            if found:
                step.problems += found
                step.failures += [Failure("format", (leaflet.slug, catalog.language.locale, kind), str(found[0]))
                                  for kind in (AUDIO_KIND, CHAPTERS_KIND)]
            else:
                step.spoken.append(package(leaflet, catalog, takes, key, spoken, mp3))
        self.close()
        return step


def problem_of(finding: gate.Finding, catalog: LocaleCatalog, leaflet: Leaflet) -> Problem:
    locale = catalog.language.locale
    if finding.line is None:
        return Problem(catalog.path or leaflet.path, None, f"audio of {leaflet.slug!r}: {finding.message}",
                       locale=locale, leaflet=leaflet.slug)
    path = catalog.path or leaflet.path
    return Problem(path, finding.line.line, f"audio: message {short(finding.line.msgid)} {finding.message}",
                   locale=locale, leaflet=leaflet.slug)


def package(leaflet: Leaflet, catalog: LocaleCatalog, takes, key: dict, spoken: worker.Spoken, mp3: bytes) -> AudioFile:
    """The tagged MP3 and its WebVTT chapters."""
    language, speaker = catalog.language, voices.voice_for(catalog.language.locale)
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
    sound = {"media_type": "audio/mpeg", "duration_ms": marks[-1].end_ms if marks else 0, "voice": speaker.name,
             "engine": spoken.engine, "chapters": chapters}
    return AudioFile(leaflet.slug, language.locale, (
        formats.FormatFile(leaflet, catalog, AUDIO_KIND, path, data, key, sound),
        formats.FormatFile(leaflet, catalog, CHAPTERS_KIND, vtt_path, vtt, {}, {"media_type": "text/vtt"})),
        made=True, cpu_seconds=spoken.cpu_seconds)


#: What an audio entry says besides formats.entry()'s own fields (kept as it is for a kept file).
DETAILS = ("media_type", "duration_ms", "voice", "engine", "chapters")


def details(entry: dict) -> dict:
    return {name: entry[name] for name in DETAILS if name in entry}


def published(settings: Settings, entries: list[dict], key: dict) -> list[tuple[dict, bytes]] | None:
    """The published audio and chapters of a leaflet in a language ("formats" entries), if made from
    the same key, current (not outdated) and intact: [(entry, bytes)] of both."""
    audio = [e for e in entries if e.get("kind") == AUDIO_KIND and e.get("inputs") == key and not e.get("outdated")]
    track = [e for e in entries if e.get("kind") == CHAPTERS_KIND and not e.get("outdated")]
    if not audio or not track:
        return None
    files = []
    for item in (audio[0], track[0]):
        try:
            data = (settings.output_dir / item["path"]).read_bytes()
        except (OSError, KeyError, TypeError):
            return None
        if hashlib.sha256(data).hexdigest() != item.get("sha256"):
            return None
        files.append((item, data))
    return files


def allowed_words(settings: Settings) -> dict[str, tuple[str, ...]]:
    """pyproject.toml [tool.leafpub.audio.foreign-words]: locale -> words its voice may read in another
    language (a name or loanword said as in its own language); any other switch fails the gate."""
    from ..config import read_toml

    table = read_toml(settings.root / "pyproject.toml", "pyproject.toml").get("tool", {}).get("leafpub", {})
    words = table.get("audio", {}).get("foreign-words", {}) if isinstance(table.get("audio"), dict) else {}
    return {locale: tuple(str(word) for word in listed) for locale, listed in words.items()
            if isinstance(listed, list)} if isinstance(words, dict) else {}


def written_dates(settings: Settings, leaflets: list[Leaflet], catalogs: Iterable[LocaleCatalog]) -> dict:
    """"slug locale" -> each leaflet's review dates as each language writes them (what the audio
    says last). Remembered in output/.cache/checks/: writing them loads Babel's data for every
    language, a tenth of a build with nothing to do."""
    from ..render.templating import review_dates

    languages = {catalog.language.locale: catalog.language for catalog in catalogs}
    wanted = sorted((leaflet.slug, str(leaflet.last_reviewed), str(leaflet.next_review), locale)
                    for leaflet in leaflets for locale in languages)
    key = checkcache.check_key(*(" ".join(item) for item in wanted))
    remembered = checkcache.recall(settings, "review-dates", key)
    if isinstance(remembered, dict):
        return remembered
    dates = {f"{leaflet.slug} {locale}": review_dates(leaflet, language)
             for leaflet in leaflets for locale, language in languages.items()}
    checkcache.remember(settings, "review-dates", key, dates)
    return dates
