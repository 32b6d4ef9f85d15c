"""PCM of each chapter -> one MP3 (LAME) with ID3v2 chapters (CHAP/CTOC), and a WebVTT chapters track.

MP3: every phone and browser plays it, and LAME gives the same bytes for the same samples and
settings, so the same input gives the same file. Mono at the engine's 22.05 kHz, 32 kbit/s: 240 kB
a minute (a synthetic voice has no more to give; 48 kbit/s took 15% longer to encode). Browsers do
not read ID3 chapters: the WebVTT file carries them for the <audio> element's track, and the pages
link each chapter's start (#t=seconds, a media fragment).
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

BITRATE_KBPS = 32
#: LAME's settings, part of every audio file's key. -q 7: speech gains nothing from a slower search.
LAME_OPTIONS = ("-r", "--bitwidth", "16", "--signed", "--little-endian", "-m", "m", "--cbr", "-b", str(BITRATE_KBPS),
                "-q", "7", "--noreplaygain", "--silent")


class EncoderError(Exception):
    """LAME is missing or failed."""


@dataclass(frozen=True)
class ChapterMark:
    id: str
    title: str
    start_ms: int
    end_ms: int


def lame_path() -> str:
    lame = shutil.which("lame")
    if lame is None:
        raise EncoderError("LAME is not installed (Debian package lame; `make` installs it)")
    return lame


@cache
def lame_version() -> str:
    result = subprocess.run([lame_path(), "--version"], capture_output=True, text=True, check=False)
    return result.stdout.splitlines()[0].strip() if result.stdout else "lame"


def encoder_identity() -> str:
    return f"{lame_version()} {' '.join(LAME_OPTIONS)}"


def encode_mp3(pcm: Iterable[bytes], sample_rate: int) -> bytes:
    """16-bit mono PCM, in pieces one after the other -> MP3 bytes (no tags).

    LAME reads the samples from a file in memory: through a pipe, Python fed them 4 KiB at a
    time (3,700 writes and waits for a 4-minute leaflet, 0.2 s of CPU for 15 files), and they
    are written as they are, never joined into one 12 MB string. Same MP3 bytes either way."""
    with samples_file() as samples:
        samples.writelines(pcm)
        samples.seek(0)
        result = subprocess.run([lame_path(), *LAME_OPTIONS, "-s", f"{sample_rate / 1000:g}", "-", "-"],
                                stdin=samples, capture_output=True, check=False)
    if result.returncode != 0 or not result.stdout:
        raise EncoderError(f"LAME failed: {result.stderr.decode('utf-8', 'replace').strip()[:200]}")
    return result.stdout


def samples_file():
    """An unnamed file in memory (Linux), or a temporary file elsewhere."""
    if hasattr(os, "memfd_create"):
        return open(os.memfd_create("leafpub-pcm", os.MFD_CLOEXEC), "w+b")
    return tempfile.TemporaryFile()


def marks(durations_ms: Sequence[tuple[str, str, int]]) -> list[ChapterMark]:
    """(id, title, length in ms) per chapter -> their start and end times, one after the other."""
    found, start = [], 0
    for chapter_id, title, length in durations_ms:
        found.append(ChapterMark(chapter_id, title, start, start + length))
        start += length
    return found


def tag(mp3: bytes, chapters: Sequence[ChapterMark], *, title: str, language: str, artist: str) -> bytes:
    """The MP3 with an ID3v2.3 tag: title, language (ISO 639-2), voice, and a chapter a section."""
    from mutagen.id3 import CHAP, CTOC, ID3, TIT2, TLAN, TPE1, CTOCFlags

    tags = ID3()
    tags.add(TIT2(encoding=3, text=[title]))
    tags.add(TLAN(encoding=3, text=[language]))
    tags.add(TPE1(encoding=3, text=[artist]))
    tags.add(CTOC(element_id="toc", flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
                  child_element_ids=[chapter.id for chapter in chapters], sub_frames=[]))
    for chapter in chapters:
        tags.add(CHAP(element_id=chapter.id, start_time=chapter.start_ms, end_time=chapter.end_ms,
                      start_offset=0xFFFFFFFF, end_offset=0xFFFFFFFF,
                      sub_frames=[TIT2(encoding=3, text=[chapter.title])]))
    out = io.BytesIO(mp3)
    tags.save(out, v2_version=3, padding=lambda info: 0)
    return out.getvalue()


def webvtt(chapters: Sequence[ChapterMark]) -> bytes:
    """A WebVTT chapters track (kind="chapters") of the same chapters."""
    lines = ["WEBVTT", ""]
    for chapter in chapters:
        title = " ".join(chapter.title.replace("&", "&amp;").replace("<", "&lt;").replace("-->", "->").split())
        lines += [chapter.id, f"{timestamp(chapter.start_ms)} --> {timestamp(chapter.end_ms)}", title, ""]
    return "\n".join(lines).encode("utf-8")


def timestamp(ms: int) -> str:
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"
