"""One leaflet in one language, in a fresh worker process: its chapters -> PCM (eSpeak NG or a recording),
checked by the gate, and encoded to MP3. eSpeak keeps state from one call to the next that it never
resets (the same text spoken twice differs by a few samples), so each file is made by a process that
has spoken nothing before: the same chapters give the same bytes, whatever was made before or beside."""

from __future__ import annotations

import resource
import time
from dataclasses import dataclass, field

from . import encode, gate, voice
from .script import Chapter
from ..formats import voices

PAUSE_BETWEEN_MESSAGES_S, PAUSE_BETWEEN_CHAPTERS_S = 0.4, 1.0


@dataclass
class Spoken:
    """The audio of one leaflet in one language, as it is made."""

    pcm: list = field(default_factory=list)
    chapters: list = field(default_factory=list)  #: (id, title, ms, source) per chapter
    findings: list = field(default_factory=list)
    rates: list = field(default_factory=list)
    engine: str = ""  #: eSpeak NG's version
    cpu_seconds: float = 0.0  #: what speaking and encoding took, in this process and LAME's (the benchmark's)


def speak_and_encode(chapters: tuple[Chapter, ...], recorded: dict, allowed, locale: str) -> tuple[Spoken, bytes]:
    """(what was said with the gate's findings, the MP3: empty when the gate found anything)."""
    try:
        spoken = speak(chapters, recorded, allowed, locale)
        mp3 = b"" if spoken.findings else encode.encode_mp3(spoken.pcm, voice.engine().sample_rate)
        spoken.pcm = []  # the MP3 goes back to the build, not ~8 MB of samples
    except (encode.EncoderError, voice.EngineError, ImportError, OSError) as error:  # no engine or no LAME
        return Spoken(findings=[gate.Finding(None, f"cannot be made: {error}")]), b""
    spoken.cpu_seconds = time.process_time() + sum(getattr(resource.getrusage(resource.RUSAGE_CHILDREN), name)
                                                   for name in ("ru_utime", "ru_stime"))
    return spoken, mp3


def speak(chapters: tuple[Chapter, ...], recorded: dict, allowed, locale: str) -> Spoken:
    """Every chapter as PCM (a valid recording, or the synthetic voice), checked by the gate."""
    engine = voice.engine()
    spoken = Spoken(engine=engine.version)
    rate = engine.sample_rate
    for number, chapter in enumerate(chapters):
        pcm = recorded.get(chapter.id)
        if pcm is not None and number == 0 and len(recorded) < len(chapters):
            # A human reads the opening, the synthetic voice some other section: the notice stays.
            pcm = synthesise(engine, Chapter(chapter.id, chapter.title, chapter.lines[:1]), allowed,
                             spoken.findings) + pcm
        if pcm is None:
            pcm = synthesise(engine, chapter, allowed, spoken.findings)
            source = "synthetic"
        else:
            source = "recording"
        if number:
            pcm = silence(PAUSE_BETWEEN_CHAPTERS_S, rate) + pcm
        seconds = len(pcm) / 2 / rate
        words_a_minute, finding = gate.chapter_rate(chapter, seconds, locale)
        spoken.findings += [finding] if finding else []
        spoken.rates.append(round(words_a_minute, 1))
        spoken.pcm.append(pcm)
        spoken.chapters.append((chapter.id, chapter.title, round(seconds * 1000), source, chapter.digest))
    return spoken


def synthesise(engine: voice.Engine, chapter: Chapter, allowed, findings: list) -> bytes:
    parts = []
    for line in chapter.lines:
        speaker = voices.voice_for(line.locale)
        words = gate.unrequested_switches(engine, line, allowed)
        if words:
            findings.append(gate.Finding(line, "is read partly in another language's voice "
                                               f"({', '.join(words)}): translate it, or allow the "
                                               "word in pyproject.toml [tool.leafpub.audio.foreign-words]"))
        english = gate.english_words(line, allowed)
        if english and not words:
            findings.append(gate.Finding(line, f"is English, not {line.locale} ({', '.join(english)}): "
                                               "the voice would read it by the rules of its own language"))
        pcm = engine.speak(speaker.name, line.text)
        findings += gate.line_findings(line, pcm, engine.sample_rate)
        parts += [pcm, silence(PAUSE_BETWEEN_MESSAGES_S, engine.sample_rate)]
    return b"".join(parts)


def silence(seconds: float, sample_rate: int) -> bytes:
    return bytes(2 * round(seconds * sample_rate))


