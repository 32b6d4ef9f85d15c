"""eSpeak NG 1.52 (the PyPI package espeakng-loader) through its public C API: text -> PCM and phonemes."""

from __future__ import annotations

import ctypes
import hashlib
import re
from functools import cache
from importlib.metadata import version
from pathlib import Path

from .. import checkcache

AUDIO_OUTPUT_SYNCHRONOUS = 2
ESPEAK_INITIALIZE_DONT_EXIT = 0x8000
ESPEAK_CHARS_UTF8 = 1
#: Milliseconds of sound a call of the callback carries: eSpeak's default, 60, calls Python ~5,700
#: times for a 4-minute leaflet; 1,000 makes 17 times fewer calls (5% of synthesis CPU). The
#: samples do not depend on it: PCM of every language's leaflet compared equal at 60 and 1,000.
BUFFER_MS = 1000
#: espeak_Initialize seeds eSpeak's random numbers (breath noise, the Klatt voices) with the time of
#: day; no voice used here draws any, and this fixed seed keeps it so if one ever did.
RANDOM_SEED = 1
PHONEMES_IPA = 2
#: eSpeak's mark of a change of language in its phoneme output: "(en)microneedling(de)".
SWITCH = re.compile(r"\(([a-z]{2,3}(?:-[a-z0-9]+)*)\)")
SYNTH_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)


class EngineError(Exception):
    """eSpeak NG could not be loaded or refused a voice."""


class Engine:
    """One eSpeak NG instance in this process: 16-bit mono PCM at `sample_rate`. eSpeak keeps
    global state, so a process has one; it is used from one thread at a time."""

    def __init__(self) -> None:
        import espeakng_loader

        library = ctypes.CDLL(espeakng_loader.get_library_path())
        library.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        library.espeak_Info.restype = ctypes.c_char_p
        library.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        library.espeak_Synth.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int,
                                         ctypes.c_uint, ctypes.c_uint, ctypes.POINTER(ctypes.c_uint), ctypes.c_void_p]
        library.espeak_TextToPhonemes.restype = ctypes.c_char_p
        library.espeak_TextToPhonemes.argtypes = [ctypes.POINTER(ctypes.c_void_p), ctypes.c_int, ctypes.c_int]
        library.espeak_ng_SetRandSeed.argtypes = [ctypes.c_long]
        self.sample_rate = library.espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, BUFFER_MS,
                                                     espeakng_loader.get_data_path().encode(),
                                                     ESPEAK_INITIALIZE_DONT_EXIT)
        if self.sample_rate <= 0:
            raise EngineError("eSpeak NG could not start")
        library.espeak_ng_SetRandSeed(RANDOM_SEED)
        self.version = library.espeak_Info(None).decode()
        self.library, self.chunks, self.voice = library, [], ""
        self.callback = SYNTH_CALLBACK(self.collect)  # kept: eSpeak calls it until the process ends
        library.espeak_SetSynthCallback(self.callback)

    def collect(self, wave, samples, events) -> int:
        if wave and samples > 0:
            self.chunks.append(ctypes.string_at(wave, samples * 2))
        return 0

    def use(self, voice: str) -> None:
        if voice != self.voice:
            if self.library.espeak_SetVoiceByName(voice.encode()) != 0:
                raise EngineError(f"eSpeak NG has no voice {voice!r}")
            self.voice = voice

    def speak(self, voice: str, text: str) -> bytes:
        """The text read in the voice: 16-bit little-endian mono PCM."""
        self.use(voice)
        self.chunks = []
        data = text.encode("utf-8")
        self.library.espeak_Synth(data, len(data) + 1, 0, 0, 0, ESPEAK_CHARS_UTF8, None, None)
        return b"".join(self.chunks)

    def phonemes(self, voice: str, text: str) -> str:
        """The text's phonemes (IPA) as the voice reads it, clauses joined by " | "."""
        self.use(voice)
        data = ctypes.create_string_buffer(text.encode("utf-8"))
        position = ctypes.c_void_p(ctypes.addressof(data))
        clauses = []
        while position.value:
            clause = self.library.espeak_TextToPhonemes(ctypes.byref(position), ESPEAK_CHARS_UTF8, PHONEMES_IPA)
            clauses.append((clause or b"").decode("utf-8", "replace"))
        return " | ".join(clauses)


@cache
def engine() -> Engine:
    return Engine()


@cache
def engine_files() -> tuple[Path, ...]:
    import espeakng_loader

    data = Path(espeakng_loader.get_data_path())
    return (Path(espeakng_loader.get_library_path()), *sorted(p for p in data.rglob("*") if p.is_file()))


def engine_identity(settings) -> str:
    """What makes the engine speak as it does: its package version and the hash of its library and
    data files (voices, dictionaries); an audio file is made again when any of them changes. Read
    without starting the engine; the hash (0.08 s) is remembered in output/.cache/checks by the
    files' sizes and times, so that a build with nothing to say reads none of them."""
    if settings.output_dir in _identities:
        return _identities[settings.output_dir]
    files = engine_files()
    stats = "\n".join(f"{path}:{path.stat().st_size}:{path.stat().st_mtime_ns}" for path in files)
    key = checkcache.check_key(stats, version("espeakng-loader"))
    found = checkcache.recall(settings, "espeak-ng", key)
    if isinstance(found, str):
        _identities[settings.output_dir] = found
        return found
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    identity = f"espeakng-loader {version('espeakng-loader')} {digest.hexdigest()[:16]}"
    checkcache.remember(settings, "espeak-ng", key, identity)
    _identities[settings.output_dir] = identity
    return identity


_identities: dict[Path, str] = {}  #: output folder -> the engine's identity, found once a process
