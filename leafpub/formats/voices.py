"""A locale -> the eSpeak NG voice that reads its leaflets aloud, if there is one."""

from __future__ import annotations

from dataclasses import dataclass

#: Locale (as catalogs are named) -> eSpeak NG voice. eSpeak NG is the engine NVDA ships by default.
VOICES = {"en": "en", "ar": "ar", "de": "de", "es": "es", "fa": "fa", "fr": "fr", "hi": "hi", "ko": "ko",
          "pl": "pl", "pt_BR": "pt-br", "ro": "ro", "tr": "tr", "uk": "uk", "vi": "vi", "zh_Hans": "cmn"}


@dataclass(frozen=True)
class Voice:
    locale: str
    name: str  #: the eSpeak NG voice

    @property
    def own_marks(self) -> frozenset[str]:
        """The phoneme marks of this voice's own language (a switch back to it)."""
        return frozenset({self.name, self.name.split("-")[0]})


def voice_for(locale: str) -> Voice | None:
    name = VOICES.get(locale) or VOICES.get(locale.split("_")[0])
    return Voice(locale, name) if name else None
