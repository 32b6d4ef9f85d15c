"""Alternative formats (braille and audio): the files a leaflet has in each language
besides its PDFs, how the manifest lists them, why a language has none, and the statement a
leaflet prints about what is online.

A format's file: FormatFile; its manifest entry (under "formats"): leaflet, locale, kind
("braille-brf", "braille-unicode", "audio", "audio-chapters"), path, sha256, bytes and what its
stage adds (the table and the gate's figures; the audio's duration, voice and chapters). A language without a format: an entry under "formats_unavailable".
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from ..model import Leaflet, LocaleCatalog
from . import braille_tables, voices


def N_(message: str) -> str:
    """Marks a message for `pipeline.py extract` (babel.cfg reads this file); translated where used."""
    return message


#: The line every synthetic audio file opens with. Optional (OPTIONAL_MESSAGES below), so a
#: catalog without it still publishes: that language's audio says it in English, in the English voice.
# Translators: the first words of the leaflet read aloud by a computer voice (its audio file).
SYNTHETIC_NOTICE = N_("This is a synthetic voice reading the leaflet.")
#: The statement every leaflet printed before anything was online, and its versions that name
#: what is (by the formats online in the leaflet's language). A language whose catalog has not
#: translated the new message keeps the old one; an untranslated one does not hold it back.
OFFLINE_STATEMENT = "For Braille, audio, easy read or another format, ask your clinic."
STATEMENTS = {
    # Translators: printed large on the leaflet below its web address, in languages whose braille is online.
    ("braille",): N_("Braille is online at the address above; for audio, easy read or another format, "
                     "ask your clinic."),
    # Translators: printed large on the leaflet below its web address, in languages whose audio is online.
    ("audio",): N_("Audio is online at the address above; for Braille, easy read or another format, "
                   "ask your clinic."),
    # Translators: printed large on the leaflet below its web address, where braille and audio are online.
    ("audio", "braille"): N_("Braille and audio are online at the address above; for easy read or another "
                             "format, ask your clinic."),
}
#: How a reader is offered each kind of file (download page, web versions).
LABELS = {"braille-brf": "Braille (BRF)", "braille-unicode": "Braille (Unicode text)", "audio": "Audio (MP3)",
          "audio-chapters": "Audio chapters (WebVTT)"}


@dataclass(frozen=True)
class FormatFile:
    """One file of an alternative format of a leaflet in a language."""

    leaflet: Leaflet
    catalog: LocaleCatalog
    kind: str
    path: str  #: relative to output/
    data: bytes
    inputs: dict = field(default_factory=dict)
    details: dict = field(default_factory=dict)  #: what the manifest says of it besides

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True)
class Unavailable:
    """A format a language does not have, and why."""

    kind: str  #: "braille", "audio"
    locale: str
    reason: str


def online_kinds(locale: str) -> tuple[str, ...]:
    """The formats published online in a language (sorted), which its leaflets' statement names."""
    kinds = (("audio",) if voices.voice_for(locale) is not None else ()) + (
        ("braille",) if isinstance(braille_tables.choice(locale), braille_tables.Table) else ())
    return kinds


def statement(catalog: LocaleCatalog, kinds: tuple[str, ...]) -> str:
    """The msgid of the statement a leaflet in this catalog's language prints."""
    msgid = STATEMENTS.get(tuple(sorted(kinds)), OFFLINE_STATEMENT)
    return msgid if catalog.is_source or msgid in catalog.strings else OFFLINE_STATEMENT


def entry(file: FormatFile) -> dict:
    language, leaflet = file.catalog.language, file.leaflet
    return {"leaflet": leaflet.slug, "locale": language.locale, "language": language.native_name,
            "language_english": language.english_name, "direction": language.direction, "kind": file.kind,
            "path": file.path, "sha256": file.sha256, "bytes": len(file.data),
            "title": file.catalog.translations.gettext(leaflet.title.text), "translation": file.catalog.review.state,
            "version": leaflet.version, "change_note": leaflet.change_note, **file.details,
            "inputs": dict(file.inputs)}


def unavailable_entry(item: Unavailable) -> dict:
    return {"kind": item.kind, "locale": item.locale, "reason": item.reason}


def key(entry: dict) -> tuple:
    return (str(entry.get("leaflet")), str(entry.get("locale")), str(entry.get("kind")))


def of(manifest: dict, slug: str, locale: str) -> list[dict]:
    """A leaflet's alternative-format files in a language, as the manifest lists them."""
    return [e for e in manifest.get("formats", []) if isinstance(e, dict) and e.get("leaflet") == slug
            and e.get("locale") == locale and isinstance(e.get("path"), str)]


def link(entry: dict) -> dict:
    """What a page shows of a format's file: its name beside the page, label and size."""
    return {"href": PurePosixPath(entry["path"]).name, "label": LABELS.get(entry.get("kind"), entry.get("kind")),
            "kind": entry.get("kind"), "bytes": entry.get("bytes")}


#: The web version's heading above the formats' files, and their labels: new messages, shown in
#: English (marked as such) until a language's catalog has them, so that none stops a language.
# Translators: heading above the links to a leaflet's braille (and audio) files on its web page.
ONLINE_HEADING = N_("Braille and audio online")
WEB_LABELS = {
    # Translators: a link to the leaflet's braille file, which braille displays and embossers read.
    "braille-brf": N_("Braille file (BRF) for a braille display or embosser"),
    # Translators: a link to the leaflet's braille as Unicode braille characters, for a sighted proofreader.
    "braille-unicode": N_("Braille as Unicode text, for proofreading"),
}
#: Messages a catalog may leave untranslated without holding its language back.
#: The audio's opening line (audio/script.py) is one too: untranslated, it is said in English.
OPTIONAL_MESSAGES = frozenset([*STATEMENTS.values(), ONLINE_HEADING, *WEB_LABELS.values(), SYNTHETIC_NOTICE])


def optional(catalog: LocaleCatalog, msgid: str) -> dict:
    """A new message's text in the catalog's language if it has one, else the English: {text, tag}."""
    if catalog.is_source or msgid in catalog.strings:
        return {"text": catalog.translations.gettext(msgid), "tag": catalog.language.tag}
    return {"text": msgid, "tag": "en"}


def by_leaflet(files) -> dict[tuple[str, str], list[FormatFile]]:
    found: dict[tuple[str, str], list[FormatFile]] = {}
    for file in files:
        found.setdefault((file.leaflet.slug, file.catalog.language.locale), []).append(file)
    return found


def web_link(catalog: LocaleCatalog, file: FormatFile) -> dict:
    """A format's file as a web version links it: file name beside the page, label, size."""
    label = optional(catalog, WEB_LABELS.get(file.kind, file.kind))
    return {"href": PurePosixPath(file.path).name, "label": label["text"], "tag": label["tag"],
            "kind": file.kind, "size": f"{max(1, round(len(file.data) / 1024))} KB"}
