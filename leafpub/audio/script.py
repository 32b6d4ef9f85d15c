"""A leaflet in one language -> what its audio says: chapters of messages, in the order of the PDF."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from ..markup import parse_inline
from ..formats.formats import SYNTHETIC_NOTICE
from ..content.elements import reading_order
from ..model import Leaflet, LocaleCatalog


#: Template messages (templates/leaflet-parts.html), spoken as every printed page shows them.
DRAFT_NOTICE = "Draft translation — not yet reviewed by a qualified medical translator"
CLINICAL_NOTICE = "The clinical content of this leaflet has not yet been approved by a clinician."
NOTICE_VOICE_LOCALE = "en"


@dataclass(frozen=True)
class Line:
    """One message as spoken."""

    msgid: str  #: the English message (its key in the catalog)
    text: str  #: what is spoken: the translation without its inline marks
    locale: str  #: whose voice reads it (the notice may fall back to English)
    line: int | None  #: where the translation is in the catalog (or the leaflet, for English)


@dataclass(frozen=True)
class Chapter:
    """One section of the leaflet: the introduction (with the title and the notice), then one a heading."""

    id: str  #: "c0", "c1"... (chapter ids in the file)
    title: str  #: the section's heading (the leaflet's title for the introduction)
    lines: tuple[Line, ...]

    @property
    def digest(self) -> str:
        """The SHA-256 of what the chapter says, in which voice: a recording is bound to it."""
        spoken = [[line.locale, line.text] for line in self.lines if line.msgid != SYNTHETIC_NOTICE]
        return hashlib.sha256(json.dumps(spoken, ensure_ascii=False).encode()).hexdigest()


def plain_text(text: str) -> str:
    """Leaflet-format text without its bold and italic marks, as it is read aloud."""
    return "".join(token.content.replace("\ue000", "_") for token in parse_inline(text)
                   if token.type == "text" or token.type == "softbreak").strip()


def leaflet_script(leaflet: Leaflet, catalog: LocaleCatalog, dates: dict | None = None) -> tuple[Chapter, ...]:
    """The chapters of the leaflet in the catalog's language: its title and introduction first
    (after the notice that the voice is synthetic), then every section under its heading. Within
    a section, what the braille reads, in its order (Leaflet.reading_order): a figure's alternative
    text and caption, a table row by row, a box's title then its blocks. `dates`: the review dates
    as the language writes them (templating.review_dates), if already known."""
    locale = catalog.language.locale

    def line(source) -> Line:
        where = source.line if catalog.is_source else catalog.lines.get(source.text)
        return Line(source.text, plain_text(catalog.translations.gettext(source.text)), locale, where)

    notice = catalog.strings.get(SYNTHETIC_NOTICE, ())
    opening = (Line(SYNTHETIC_NOTICE, notice[0], locale, catalog.lines.get(SYNTHETIC_NOTICE)) if notice
               else Line(SYNTHETIC_NOTICE, SYNTHETIC_NOTICE, NOTICE_VOICE_LOCALE, None))
    # What the top of every printed page says of this leaflet, in the same words (templates/leaflet-parts.html).
    notices = [message for message, shown in ((DRAFT_NOTICE, not catalog.review.approved),
                                              (CLINICAL_NOTICE, leaflet.clinical is None)) if shown]
    spoken_notices = [Line(message, catalog.translations.gettext(message), locale, catalog.lines.get(message))
                      for message in notices]
    chapters = [[None, [opening, *spoken_notices]]]  # [title, lines]: the introduction's title is the leaflet's
    for reading in reading_order(leaflet):
        lines = [line(message) for message in reading.texts]
        if reading.kind == "heading":
            chapters.append([lines[0].text, []])
        elif reading.kind == "title":
            chapters[0][0] = lines[0].text
        chapters[-1][1] += lines
    chapters.append(closing(leaflet, catalog, dates))
    return tuple(Chapter(f"c{number}", title, tuple(lines)) for number, (title, lines) in enumerate(chapters))


def closing(leaflet: Leaflet, catalog: LocaleCatalog, dates: dict | None = None) -> list:
    """The printed leaflet's closing lines, under their heading: what else is available, its version
    and review dates (templates/leaflet.html). Not the code to scan or the address it opens: a
    listener is already online, on the page that plays this."""
    from ..formats import formats
    from ..languages import localize_digits
    from ..render.templating import review_dates

    gettext, language = catalog.translations.gettext, catalog.language
    dates = dates or review_dates(leaflet, language)

    def said(msgid: str, **values) -> Line:
        return Line(msgid, gettext(msgid) % values if values else gettext(msgid), language.locale,
                    catalog.lines.get(msgid))

    heading = said("Other languages and formats")
    return [heading.text, [heading, said(formats.statement(catalog, formats.online_kinds(language.locale))),
                           said("Version %(version)s", version=localize_digits(leaflet.version, language)),
                           said("Last reviewed: %(date)s", date=localize_digits(dates["last_reviewed"], language)),
                           said("Next review due: %(date)s", date=localize_digits(dates["next_review"], language))]]
