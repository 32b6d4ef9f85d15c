"""The audio gate: every message in its own language's voice, no section silent or cut, and every
section's speaking rate plausible for its language. Problems name the catalog's file and line."""

from __future__ import annotations

import re
import sys
from array import array
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from .script import Chapter, Line
from .voice import SWITCH, Engine
from ..formats.voices import voice_for

#: The speaking rate a section must have, in units a minute: words where words are spaced, Han
#: characters for Chinese and Hangul syllables for Korean (whose spaced units are long). A language's
#: nominal rate is what eSpeak NG 1.52 reads at its default speed (measured on the shipped leaflet):
#: words are long in Ukrainian or Turkish, short in Vietnamese or Hindi (postpositions and auxiliaries
#: written apart: के, की, है). A section read at under 0.6 times its language's rate has silence in it
#: (or a stall: a word spelt out); at over 1.5 times, text is missing (cut). A human recording, slower
#: than the engine by ~15% as a rule, stays inside.
NOMINAL_RATES = {"ar": 120, "de": 140, "en": 160, "es": 155, "fa": 148, "fr": 195, "hi": 290, "ko": 285,
                 "pl": 125, "pt": 148, "ro": 130, "tr": 115, "uk": 90, "vi": 225, "zh": 200}
DEFAULT_RATE = 150
SLOWEST, FASTEST = 0.6, 1.5
#: A message may be short (a heading of two words), so its own rate is only held to a wide bound.
MESSAGE_SLACK = 2
#: The longest silence inside one message before it counts as a gap (eSpeak pauses ~0.4 s at a stop).
LONGEST_PAUSE_S = 2.0
SILENCE_LEVEL = 200  #: of 32767: below it a sample is silence
STEP = 64  #: samples: one in STEP is looked at (2.9 ms at 22.05 kHz)
HAN, HANGUL, WORD = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]"), re.compile(r"[\uac00-\ud7a3]"), re.compile(r"\w+")


@dataclass(frozen=True)
class Finding:
    """One thing the gate refuses, at a message (a Line) or a whole chapter."""

    line: Line | None
    message: str


def unit_of(locale: str) -> str:
    return {"zh": "han", "ko": "hangul"}.get(locale.split("_")[0], "words")


def rate_range(locale: str) -> tuple[int, int]:
    """(slowest, fastest) plausible units a minute for a language."""
    nominal = NOMINAL_RATES.get(locale.split("_")[0], DEFAULT_RATE)
    return round(nominal * SLOWEST), round(nominal * FASTEST)


#: Signs eSpeak says as a word ("slash", "less than", "at"), a run of one as one ("__", "{{");
#: ordinary punctuation is a pause, not a word.
SPOKEN_SIGNS = re.compile(r"([<>/\\{}\[\]@#%&*=+|~^$_])\1*")


def units(text: str, unit: str) -> int:
    """How much there is to say, in the unit of the language's rate (a sign said aloud is a word)."""
    return spelt_units(SPOKEN_SIGNS.sub(" ", text), unit) + len(SPOKEN_SIGNS.findall(text))


def spelt_units(text: str, unit: str) -> int:
    if unit == "han":
        han = len(HAN.findall(text))
        return han + len(WORD.findall(HAN.sub(" ", text)))
    if unit == "hangul":
        return len(HANGUL.findall(text)) + len(WORD.findall(HANGUL.sub(" ", text)))
    return len(WORD.findall(text))


#: A web address in a message (a leaflet's link, said as written on paper): it is the same in every
#: language, so its words are not another language's.
WEB_ADDRESS = re.compile(r"https?://\S+")


def without_addresses(text: str) -> str:
    return WEB_ADDRESS.sub(" ", text)


def unrequested_switches(engine: Engine, line: Line, allowed: Collection[str]) -> list[str]:
    """The words the voice of the line's language reads in another language's voice (eSpeak marks the
    switch in its phonemes), except those the project allows (pyproject.toml, [tool.leafpub.audio])
    and web addresses."""
    voice, text = voice_for(line.locale), without_addresses(line.text)
    if voice is None or not set(SWITCH.findall(engine.phonemes(voice.name, text))) - voice.own_marks:
        return []
    allowed = {word.casefold() for word in allowed}
    switching = [word for word in dict.fromkeys(WORD.findall(text))
                 if set(SWITCH.findall(engine.phonemes(voice.name, word))) - voice.own_marks]
    if not switching:  # the message switches though no word alone does: name the message itself
        return [line.text[:40]]
    return [word for word in switching if word.casefold() not in allowed]


#: English words that are not words of any other language with a voice here (so not "will", German, or
#: "are", Romanian). eSpeak marks a switch to English only for words its dictionary of the language
#: lists as English: the Spanish and German voices read a whole English sentence by their own rules,
#: unmarked. Two of these words in a message of another language mean it is (partly) English.
ENGLISH_ONLY = frozenset("""the and you your with this that have what when which should would from they their
there been does doesn't don't skin after before about""".split())
ENGLISH_WORDS_ENOUGH = 2


def english_words(line: Line, allowed: Collection[str]) -> list[str]:
    """The English-only words in a message of another language (none if fewer than two)."""
    if line.locale.split("_")[0] == "en":
        return []
    allowed = {word.casefold() for word in allowed}
    found = [word for word in WORD.findall(without_addresses(line.text)) if word.casefold() in ENGLISH_ONLY - allowed]
    return list(dict.fromkeys(found)) if len(found) >= ENGLISH_WORDS_ENOUGH else []


def longest_silence(pcm: bytes, sample_rate: int) -> float:
    """The longest run of silence inside the speech (not at its ends), in seconds."""
    samples = memoryview(pcm).cast("h")
    if sys.byteorder == "big":
        swapped = array("h", pcm)
        swapped.byteswap()
        samples = memoryview(swapped)
    # Every 64th sample (a strided view, not a copy), compared without abs(): half the CPU time.
    loud = [index for index, sample in enumerate(samples[::STEP]) if not -SILENCE_LEVEL < sample < SILENCE_LEVEL]
    return STEP * max(map(int.__sub__, loud[1:], loud), default=0) / sample_rate


def line_findings(line: Line, pcm: bytes, sample_rate: int) -> list[Finding]:
    """A message with text but no sound, a long gap inside it, or too little time for its text."""
    seconds = len(pcm) / 2 / sample_rate
    unit = unit_of(line.locale)
    count = units(line.text, unit)
    if count and seconds < 0.05:
        return [Finding(line, "is silent in the audio")]
    gap = longest_silence(pcm, sample_rate)
    if gap > LONGEST_PAUSE_S:
        return [Finding(line, f"has {gap:.1f} s of silence in the audio")]
    if count >= 4 and count / (seconds / 60) > rate_range(line.locale)[1] * MESSAGE_SLACK:
        return [Finding(line, f"is cut in the audio ({seconds:.1f} s for {count} {unit_name(unit)})")]
    return []


def chapter_rate(chapter: Chapter, seconds: float, locale: str) -> tuple[float, Finding | None]:
    """(units a minute, a finding if outside the language's range) for one chapter."""
    unit = unit_of(locale)
    count = sum(units(line.text, unit) for line in chapter.lines)
    rate = count / (seconds / 60) if seconds > 0 else float("inf")
    low, high = rate_range(locale)
    if not low <= rate <= high:
        what = "too fast: cut" if rate > high else "too slow: silence"
        return rate, Finding(None, f"section {chapter.title!r} is read at {rate:.0f} {unit_name(unit)} a minute "
                                   f"({what}; expected {low}-{high})")
    return rate, None


def unit_name(unit: str) -> str:
    return {"han": "characters", "hangul": "syllables"}.get(unit, "words")


def rates_summary(rates: Sequence[float]) -> str:
    return f"{min(rates):.0f}-{max(rates):.0f}" if rates else "-"
