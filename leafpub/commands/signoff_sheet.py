"""A leaflet's English and its last sign-off -> the clinician's sign-off sheet (`review en`): what
changed since the signed-off version (old | new), the change note, and the English by section."""

from __future__ import annotations

import difflib
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup

from ..catalogs import catalogs, signoff
from ..content import content
from ..render import templating
from ..markup import inline_html
from ..model import Leaflet, Settings
from .proofs import ReviewRow, ReviewSection, chosen_leaflets, write_proof

#: The fields of a leaflet's metadata a clinician signs off with its text, as the sheet names them.
FIELDS = (("version", "Version"), ("last_reviewed", "Last reviewed"), ("next_review", "Next review due"),
          ("owner", "Owner"), ("change_note", "Change note"), ("withdrawn", "Withdrawn"))


@dataclass(frozen=True)
class Change:
    where: str  #: a metadata field's name, or "" for a text of the leaflet
    old: Markup  #: empty when the text is new
    new: Markup  #: empty when the text was removed


def changes_since(old: Leaflet, new: Leaflet) -> list[Change]:
    """Every metadata field and every text that differs, in reading order; a text replaced
    by another is one row (old | new), an added or removed one has an empty side."""
    changes = [Change(label, Markup.escape(str(getattr(old, name) or "")), Markup.escape(str(getattr(new, name) or "")))
               for name, label in FIELDS if getattr(old, name) != getattr(new, name)]
    before, after = [m.text for m in old.messages()], [m.text for m in new.messages()]
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for tag, start, end, new_start, new_end in matcher.get_opcodes():
        if tag == "equal":
            continue
        for was, now in itertools.zip_longest(before[start:end], after[new_start:new_end], fillvalue=""):
            changes.append(Change("", inline_html(was) if was else Markup(""),
                                  inline_html(now) if now else Markup("")))
    return changes


def english_sections(leaflet: Leaflet) -> list[ReviewSection]:
    """The leaflet's texts in reading order, by section, numbered."""
    counter = itertools.count(1)

    def row(text: str) -> ReviewRow:
        return ReviewRow(next(counter), inline_html(text), Markup(""), None)

    sections = [ReviewSection("Title", (row(leaflet.title.text),))]
    for section in leaflet.sections:
        texts = [section.heading.text] if section.heading else []
        for block in section.blocks:
            texts += [message.text for message in block.messages()]  # a box, table or figure: each of its texts
        sections.append(ReviewSection(section.heading.text if section.heading else "Introduction",
                                      tuple(row(text) for text in texts)))
    return sections


def make_signoff_sheets(settings: Settings, slugs: Sequence[str] = ()) -> list[Path]:
    """Write proofs/<slug>.<source locale>.review.pdf for each leaflet (all by default)."""
    chosen = chosen_leaflets(settings, slugs)
    signoffs, refused = signoff.read_signoffs(settings)
    states = {state.slug: state for state in signoff.clinical_states(settings, chosen, signoffs, refused)}
    source = catalogs.source_catalog(settings)
    environment = templating.make_environment(settings)
    from ..pdf.pdf import PdfRenderer  # WeasyPrint only for the commands that render

    renderer, written = PdfRenderer(settings), []
    for leaflet in chosen:
        state, previous = states[leaflet.slug], states[leaflet.slug].signoff
        signed = (content.parse_leaflet(previous.text.removeprefix("\ufeff"), "signed off", leaflet.slug,
                                        content.figure_loader(settings.root, settings.leaflets_dir))
                  if previous else None)  # read_signoffs parsed it once already: it parses
        html = templating.render(environment, "clinical-review.html", source, settings, {
            "leaflet": leaflet, "language": source.language, "paper": settings.paper, "variant": "standard",
            "title": f"Clinical sign-off: {leaflet.title.text}", "created": leaflet.last_reviewed.isoformat(),
            "digest": signoff.leaflet_digest(settings, leaflet),
            "state": "approved" if state.state == "approved" else f"{state.state} ({state.reason})",
            "previous": previous, "changes": changes_since(signed, leaflet) if signed else [],
            "sections": english_sections(leaflet),
        })
        pdf = renderer.render(html, source=leaflet.path, locale=source.language.locale, leaflet=leaflet.slug)
        path = settings.proofs_dir / f"{leaflet.slug}.{source.language.locale}.review.pdf"
        write_proof(settings, path, pdf.data)
        written.append(path)
    return written
