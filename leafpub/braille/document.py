"""A leaflet in a language -> its braille: the texts its printed leaflet shows, in the same order,
translated with the language's table, laid out in pages and passed through the gate; or the
published files again when none of their inputs changed.

Left out, as a transcriber would: the QR code, and the clinic box's lines to write on. Bold and
italic are dropped (their text kept): the code's emphasis indicators are not written.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from ..formats import formats
from ..plan import incremental
from .. import online
from ..languages import localize_digits
from ..markup import parse_inline
from ..content.elements import reading_order
from ..model import Leaflet, LocaleCatalog, Settings
from ..problems import Problem, ProblemError
from ..render.templating import review_dates
from . import gate, layout, translate
from ..formats import braille_tables as tables

#: Raise with any change to this package that changes a braille file's bytes.
BRAILLE_REVISION = 1
#: Page numbers translated with every document (a leaflet takes far fewer braille pages).
MOST_PAGES = 99
#: Where each template text comes from, for a problem in the source language.
TEMPLATES = "templates/leaflet.html"
PARTS = "templates/leaflet-parts.html"


@dataclass(frozen=True)
class Text:
    kind: str  #: layout.Block kind
    text: str  #: as printed, markup removed
    msgid: str | None  #: the catalog message it comes from (None: not from a catalog)
    origin: tuple[str, int | None]  #: where the English is, for the source language


@dataclass(frozen=True)
class BrailleDocument:
    leaflet: Leaflet
    catalog: LocaleCatalog
    brf: bytes
    unicode: bytes
    pages: int
    gate: dict  #: gate.Result.figures()
    inputs: dict = field(default_factory=dict)

    def files(self) -> list[formats.FormatFile]:
        slug, locale = self.leaflet.slug, self.catalog.language.locale
        common = {"table": self.table.table, "code": self.table.code, "pages": self.pages, "gate": self.gate}
        return [formats.FormatFile(self.leaflet, self.catalog, "braille-brf", brf_path(slug, locale), self.brf,
                                   self.inputs, common),
                formats.FormatFile(self.leaflet, self.catalog, "braille-unicode", unicode_path(slug, locale),
                                   self.unicode, self.inputs, common)]

    @property
    def table(self) -> tables.Table:
        return tables.choice(self.catalog.language.locale)


def brf_path(slug: str, locale: str) -> str:
    return f"leaflets/{slug}/{slug}.{locale}.brf"


def unicode_path(slug: str, locale: str) -> str:
    return f"leaflets/{slug}/{slug}.{locale}.brl.txt"


def plain(text: str) -> str:
    """Leaflet-format text without its bold and italic markup, white space single."""
    parts = [token.content if token.type == "text" else " " for token in parse_inline(text)
             if token.type in ("text", "softbreak", "hardbreak")]
    return " ".join("".join(parts).replace("\ue000", "_").split())


def leaflet_texts(settings: Settings, leaflet: Leaflet, catalog: LocaleCatalog, overdue: bool) -> list[Text]:
    """What the printed leaflet says, in reading order (templates/leaflet.html)."""
    gettext, language = catalog.translations.gettext, catalog.language

    def template(kind: str, msgid: str, where: str = TEMPLATES, **values) -> Text:
        text = gettext(msgid) % values if values else gettext(msgid)
        return Text(kind, " ".join(text.split()), msgid, (where, None))

    def source(kind: str, message) -> Text:
        return Text(kind, plain(gettext(message.text)), message.text, (leaflet.path, message.line))

    texts = []
    if not catalog.review.approved:
        texts.append(template("paragraph", "Draft translation — not yet reviewed by a qualified medical translator",
                              PARTS))
    if leaflet.clinical is None:  # no clinician has signed off this English: said as on every printed page
        texts.append(template("paragraph", "The clinical content of this leaflet has not yet been approved by a "
                              "clinician.", PARTS))
    if overdue:
        texts.append(template("paragraph", "Review overdue: check with the clinic that this advice is still current",
                              PARTS))
    texts.append(template("title", "Patient information"))
    texts += read_aloud(leaflet, source, language)
    address = online.web_address(settings.site_url, leaflet.slug, language.locale)
    dates = review_dates(leaflet, language)
    texts += [template("heading", "Other languages and formats"),
              template("paragraph", "Also in large print and in other languages: scan the code or go to"),
              Text("paragraph", address, None, (TEMPLATES, None)),
              template("paragraph", formats.statement(catalog, formats.online_kinds(language.locale))),
              template("paragraph", "The online version may be newer than this printed copy."),
              template("paragraph", "Version %(version)s", PARTS, version=localize_digits(leaflet.version, language)),
              template("paragraph", "Last reviewed: %(date)s", PARTS,
                       date=localize_digits(dates["last_reviewed"], language)),
              template("paragraph", "Next review due: %(date)s", PARTS,
                       date=localize_digits(dates["next_review"], language))]
    return texts


#: How each kind of reading (elements.Reading) is laid out: a figure is read as its alternative text
#: and caption, a table row by row (each header, then its cell), a box as its title then its blocks.
LAYOUT_OF = {"title": "title", "heading": "heading", "box": "heading", "paragraph": "paragraph",
             "figure": "paragraph", "item": "item", "step": "item", "row": "item"}


def read_aloud(leaflet: Leaflet, source, language) -> list[Text]:
    """The leaflet's own texts in reading order, each list, row or run of steps ended for the layout."""
    texts, step = [], 0
    for reading in reading_order(leaflet):
        kind = LAYOUT_OF[reading.kind]
        in_list = bool(texts) and texts[-1].kind == "item"
        if in_list and (kind != "item" or reading.kind == "row"):  # every table row is a list of its own
            texts.append(Text("list-end", "", None, ("", None)))
        step = step + 1 if reading.kind == "step" else 0
        for message in reading.texts:
            text = source(kind, message)
            if step:  # a numbered step keeps its number, as print has it
                text = Text(kind, f"{localize_digits(str(step), language)}. {text.text}", text.msgid, text.origin)
            texts.append(text)
    if texts and texts[-1].kind == "item":
        texts.append(Text("list-end", "", None, ("", None)))
    return texts


def inputs_of(settings: Settings, leaflet: Leaflet, catalog: LocaleCatalog, overdue: bool,
              shared: incremental.Inputs) -> dict:
    """What a leaflet's braille is made from: a change to any rebuilds exactly its files."""
    table = tables.choice(catalog.language.locale)
    return {"leaflet": shared.leaflet(leaflet), "templates": shared.templates, "site": shared.site,
            "messages": incremental.digest([catalog.digest, catalog.review.state, catalog.review.approved, overdue,
                                              leaflet.clinical is None]),
            "table": incremental.digest([table.table, table.tolerance, tables.table_digest(table.table),
                                         tables.table_digest(tables.DISPLAY)]),
            "software": incremental.digest([tables.liblouis_version(), BRAILLE_REVISION,
                                            formats.online_kinds(catalog.language.locale)])}


def make(settings: Settings, leaflet: Leaflet, catalog: LocaleCatalog, overdue: bool, inputs: dict) -> BrailleDocument:
    """Translate, lay out and check one leaflet's braille; ProblemError names each message that
    does not come back from braille as its catalog says, at its catalog line."""
    table = tables.choice(catalog.language.locale)
    try:
        texts = leaflet_texts(settings, leaflet, catalog, overdue)
    except (KeyError, ValueError, TypeError) as error:  # a translation whose %(placeholders)s do not fit
        raise ProblemError([where(catalog, leaflet, None, f"no braille: a translation does not fit its "
                                  f"placeholders ({type(error).__name__}: {error})")]) from None
    shown = [text for text in texts if text.kind != "list-end"]
    numbers = [str(number) for number in range(1, MOST_PAGES + 1)]
    try:
        cells = translate.forward(table, [text.text for text in shown] + numbers)
    except translate.TranslationError as error:
        raise ProblemError([where(catalog, leaflet, None, f"no braille: {error}")]) from None
    blocks, index = [], 0
    for text in texts:
        if text.kind == "list-end":
            blocks.append(layout.Block("list-end", ""))
            continue
        blocks.append(layout.Block(text.kind, cells[index], index))
        index += 1
    pages = layout.lay_out(blocks, cells[len(shown):])
    try:
        result = gate.read_back(table, [text.text for text in shown], pages)
    except translate.TranslationError as error:
        raise ProblemError([where(catalog, leaflet, None, f"no braille: {error}")]) from None
    if result.mismatches:
        raise ProblemError([mismatch_problem(catalog, leaflet, table, shown[m.message], m.found)
                            for m in result.mismatches])
    try:
        brf = layout.brf(pages)
    except layout.LayoutError as error:  # the page numbers: the gate checked the rest
        raise ProblemError([where(catalog, leaflet, None, f"no braille: {table.table} writes {error}")]) from None
    return BrailleDocument(leaflet, catalog, brf, layout.unicode_copy(pages), len(pages), result.figures(), inputs)


def mismatch_problem(catalog: LocaleCatalog, leaflet: Leaflet, table: tables.Table, text: Text, found: str) -> Problem:
    line = catalog.lines.get(text.msgid) if text.msgid and not catalog.is_source else None
    message = (f"braille ({table.table}) does not translate back to the text: {shorten(text.text)!r} "
               f"came back as {shorten(found)!r}; this leaflet's braille is not published")
    if catalog.is_source or text.msgid is None or line is None:
        path, source_line = text.origin
        return Problem(path or leaflet.path, source_line, message, locale=catalog.language.locale,
                       leaflet=leaflet.slug)
    return Problem(catalog.path, line, message, locale=catalog.language.locale, leaflet=leaflet.slug)


def where(catalog: LocaleCatalog, leaflet: Leaflet, line: int | None, message: str) -> Problem:
    return Problem(catalog.path or leaflet.path, line, message, locale=catalog.language.locale, leaflet=leaflet.slug)


def shorten(text: str, most: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= most else text[:most - 1] + "…"


def published(output: Path, entries: list[dict], inputs: dict) -> tuple[bytes, bytes, dict] | None:
    """The published BRF and Unicode copy (and their entry), if made from the same inputs and unchanged."""
    found = {entry.get("kind"): entry for entry in entries}
    files = []
    for kind in ("braille-brf", "braille-unicode"):
        entry = found.get(kind)
        if not entry or entry.get("inputs") != inputs or entry.get("outdated"):
            return None
        try:
            data = (output / entry["path"]).read_bytes()
        except (OSError, KeyError, TypeError):
            return None
        if hashlib.sha256(data).hexdigest() != entry.get("sha256"):
            return None
        files.append(data)
    return files[0], files[1], found["braille-brf"]
