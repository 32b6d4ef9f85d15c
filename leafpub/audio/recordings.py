"""A clinic's own recordings: recordings/<slug>/<locale>/<chapter>.wav, each bound by a record beside it
(<chapter>.toml) to the SHA-256 of the text it reads. Only a recording whose text is unchanged is used.

A recording comes from outside: it is read as a plain file of bounded size, decoded by Python's
`wave` module (PCM WAV only, nothing else is accepted and nothing in it is run), checked for a sane
length, and stored as 16-bit mono PCM at the engine's rate, which the build splices in unchanged.
"""

from __future__ import annotations

import hashlib
import io
import tomllib
import wave
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from .. import sources
from ..model import SLUG, Settings
from ..problems import Problem, ProblemError
from .script import Chapter

FOLDER = "recordings"
MAX_BYTES = 64 * 1024 * 1024
MIN_SECONDS, MAX_SECONDS = 0.5, 15 * 60
SAMPLE_RATE = 22050  #: eSpeak NG's rate, which every chapter of a file shares
RATES = range(8000, 96001)


@dataclass(frozen=True)
class Takes:
    """The recordings of one leaflet in one language: those usable now, and those whose text changed."""

    valid: dict = field(default_factory=dict)  #: chapter id -> (text SHA-256, recording SHA-256, PCM)
    outdated: dict = field(default_factory=dict)  #: chapter id -> path

    def digests(self) -> dict[str, str]:
        """Chapter id -> the text's and the recording's SHA-256: a new take or a new text rebuilds the file."""
        return {chapter: f"{digest} {recording}" for chapter, (digest, recording, _) in self.valid.items()}

    def pcm(self, chapter: str) -> bytes | None:
        return self.valid[chapter][2] if chapter in self.valid else None

    def stale(self, chapter: str) -> bool:
        return chapter in self.outdated


def folder(settings: Settings, slug: str, locale: str) -> Path:
    return settings.root / FOLDER / slug / locale


def usable(settings: Settings, slug: str, locale: str, chapters: Sequence[Chapter]) -> Takes:
    """The recordings bound to the chapters' current text; the others (text changed) as outdated."""
    here = folder(settings, slug, locale)
    if not here.is_dir():
        return Takes()
    takes = Takes()
    for chapter in chapters:
        record = here / f"{chapter.id}.toml"
        if not record.exists():
            continue
        try:
            bound = tomllib.loads(sources.read(settings.root, record, 4096).decode("utf-8")).get("text-sha256")
            if bound != chapter.digest:
                takes.outdated[chapter.id] = settings.relative(here / f"{chapter.id}.wav")
                continue
            data = sources.read(settings.root, here / f"{chapter.id}.wav", MAX_BYTES)
            takes.valid[chapter.id] = (chapter.digest, hashlib.sha256(data).hexdigest(), decode(data, SAMPLE_RATE))
        except (ProblemError, UnicodeDecodeError, tomllib.TOMLDecodeError, ValueError):
            takes.outdated[chapter.id] = settings.relative(here / f"{chapter.id}.wav")
    return takes


def decode(data: bytes, rate: int) -> bytes:
    """A PCM WAV file -> 16-bit mono PCM at `rate` (ValueError if it is anything else)."""
    try:
        with wave.open(io.BytesIO(data)) as reader:
            channels, width, source_rate, frames = (reader.getnchannels(), reader.getsampwidth(),
                                                    reader.getframerate(), reader.getnframes())
            if width != 2 or channels not in (1, 2) or source_rate not in RATES:
                raise ValueError("not 16-bit mono or stereo PCM at 8-96 kHz")
            if not MIN_SECONDS <= frames / source_rate <= MAX_SECONDS:
                raise ValueError(f"{frames / source_rate:.1f} s long (must be {MIN_SECONDS}-{MAX_SECONDS / 60:.0f} min)")
            raw = reader.readframes(frames)
    except (wave.Error, EOFError) as error:
        raise ValueError(f"not a PCM WAV file ({error})") from None
    samples = array("h")
    samples.frombytes(raw[:len(raw) - len(raw) % (2 * channels)])
    if channels == 2:
        samples = array("h", ((samples[i] + samples[i + 1]) // 2 for i in range(0, len(samples), 2)))
    if source_rate != rate:
        step = source_rate / rate
        last = len(samples) - 1
        samples = array("h", (samples[min(int(i * step), last)] for i in range(int(len(samples) / step))))
    return samples.tobytes()


def add(settings: Settings, chapters: Sequence[Chapter], slug: str, locale: str, section: str, file: Path,
        shown: str, today: date) -> Path:
    """Store `file` as the recording of a section (its number, 0 for the title and introduction, or
    its heading) and bind it to the section's text. Raises ProblemError naming the file if it is not
    a plain PCM WAV of sane length."""
    chapter = find_chapter(chapters, section)
    if chapter is None or not SLUG.fullmatch(slug):
        raise ProblemError([Problem(shown, None, f"no section {section!r} in {slug!r}: give its number "
                                    f"(0-{len(chapters) - 1}) or its heading")])
    data = sources.read_delivered(file, shown, MAX_BYTES, "a recording")
    try:
        pcm = decode(data, SAMPLE_RATE)
    except ValueError as error:
        raise ProblemError([Problem(shown, None, f"is not a usable recording: {error}")]) from None
    out = io.BytesIO()
    with wave.open(out, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(SAMPLE_RATE)
        writer.writeframes(pcm)
    here = folder(settings, slug, locale)
    here.mkdir(parents=True, exist_ok=True)
    from ..writing import write_atomically

    write_atomically(here / f"{chapter.id}.wav", out.getvalue())
    record = (f'# The recording {chapter.id}.wav reads this section; it is used only while the text is this one.\n'
              f'section = "{chapter.id}"\ntext-sha256 = "{chapter.digest}"\n'
              f'source-sha256 = "{hashlib.sha256(data).hexdigest()}"\nadded = {today.isoformat()}\n')
    write_atomically(here / f"{chapter.id}.toml", record.encode())
    return here / f"{chapter.id}.wav"


def find_chapter(chapters: Sequence[Chapter], section: str) -> Chapter | None:
    if section.isdigit() and int(section) < len(chapters):
        return chapters[int(section)]
    wanted = section.strip().casefold()
    return next((c for c in chapters if c.title.casefold() == wanted or c.lines[0].msgid.casefold() == wanted
                 or (len(c.lines) > 1 and c.id == "c0" and c.lines[1].msgid.casefold() == wanted)), None)


def stale_problems(settings: Settings, slug: str, locale: str, chapters: Sequence[Chapter]) -> list[Problem]:
    """For `status`: each recording whose text changed since, which must be recorded again."""
    return [Problem(path, None, f"recording of section {chapter} no longer matches its text: record it again "
                                "(the synthetic voice reads it meanwhile)", locale=locale, leaflet=slug)
            for chapter, path in usable(settings, slug, locale, chapters).outdated.items()]
