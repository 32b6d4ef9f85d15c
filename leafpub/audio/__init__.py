"""The audio stage: leaflets + published catalogs (+ a clinic's recordings) -> per leaflet and language
one MP3 with a chapter per section and a WebVTT chapters track, gated, with their manifest entries.

    script.py      leaflet + catalog          -> chapters of spoken lines, in the PDF's order
    voice.py       eSpeak NG 1.52 (espeakng-loader), public C API -> PCM, phonemes (voices: formats/voices.py)
    gate.py        the spoken lines            -> problems: another language's voice, silence, cut, rate
    encode.py      PCM + chapters              -> MP3 (LAME) with ID3 CHAP/CTOC, WebVTT
    recordings.py  recordings/<slug>/<locale>/ -> human takes bound to their text's SHA-256
    worker.py      chapters, in a fresh process -> PCM, the gate's findings, MP3
    stage.py       all of it, incrementally    -> AudioFile: formats.FormatFile of the MP3 and its chapters
"""

AUDIO_KIND, CHAPTERS_KIND = "audio", "audio-chapters"


def speaking(settings, leaflets, catalogs):
    """stage.Speaking, imported when a build reaches this stage (a worker needs only worker.py)."""
    from .stage import Speaking

    return Speaking(settings, leaflets, catalogs)
