"""Leaflet + catalog, complete or not -> a translator's proof and a reviewer's side-by-side sheet, as
HTML and as PDFs in proofs/ (never published)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from jinja2 import Environment
from markupsafe import Markup

from pathlib import Path

from ..catalogs import catalogs
from ..content import content
from ..render import templating
from ..markup import inline_html
from ..variants import Format
from ..model import Leaflet, LocaleCatalog, Settings, SourceText
from ..problems import Problem, ProblemError
from .. import writing


@dataclass(frozen=True)
class ReviewRow:
    number: int
    english: Markup
    translation: Markup
    state: str | None  #: None, "fuzzy" or "untranslated"


@dataclass(frozen=True)
class ReviewSection:
    heading: str
    rows: tuple[ReviewRow, ...]


def proof_summary(catalog: LocaleCatalog) -> str:
    counts = catalogs.count_states(catalog)
    return (f"{counts['untranslated']} untranslated, {counts['fuzzy']} fuzzy, "
            f"{len(catalog.problems)} failed checks")


def proof_html(environment: Environment, settings: Settings, leaflet: Leaflet,
                 catalog: LocaleCatalog, paper: str) -> str:
    """The leaflet as patients would get it, with what is missing or unsure highlighted."""
    return templating.leaflet_html(environment, settings, leaflet, catalog,
                                 format=Format(paper, "standard"), clinic=None, draft=True,
                                 proof=proof_summary(catalog))


def review_sections(leaflet: Leaflet, catalog: LocaleCatalog,
                    template_messages: list) -> list[ReviewSection]:
    """The leaflet's messages in reading order, by section, then the labels of the templates."""
    functions = templating.translation_functions(catalog, proof=True)
    counter = iter(range(1, 10_000))

    def row(text: str) -> ReviewRow:
        return ReviewRow(next(counter), inline_html(text),
                         functions["translate"](SourceText(text, 0, "")), functions["message_state"](text))

    sections = [ReviewSection("Title", (row(leaflet.title.text),))]
    for section in leaflet.sections:
        texts = [section.heading.text] if section.heading else []
        for block in section.blocks:
            texts += [message.text for message in block.messages()]
        heading = section.heading.text if section.heading else "Introduction"
        sections.append(ReviewSection(heading, tuple(row(text) for text in texts)))
    labels = dict.fromkeys(catalogs.singular_of(message) for message in template_messages)
    sections.append(ReviewSection("Labels, footer and pack cover", tuple(row(text) for text in labels)))
    return sections


def review_html(environment: Environment, settings: Settings, leaflet: Leaflet,
                  catalog: LocaleCatalog, template_messages: list, paper: str) -> str:
    source = catalogs.source_catalog(settings)
    review = catalog.review
    state = (f"approved by {review.approved_by} on {review.approved_on}" if review.state == "approved"
             else f"draft ({review.reason})")
    return templating.render(environment, "review.html", source, settings, {
        "leaflet": leaflet,
        "language": catalog.language,
        "source_language": source.language,
        "paper": paper,
        "variant": "standard",
        "title": f"Review: {leaflet.title.text} ({catalog.language.english_name})",
        "created": leaflet.last_reviewed.isoformat(),
        "catalog_path": catalog.path,
        "digest": catalog.digest,
        "review_state": state,
        "summary": proof_summary(catalog),
        "sections": review_sections(leaflet, catalog, template_messages),
        "translation_font_stack": templating.font_stack(settings, catalog.language),
    })


def make_proofs(settings: Settings, locale: str, kind: str, slugs: Sequence[str] = ()) -> list[Path]:
    """Write proofs/<slug>.<locale>.<kind>.pdf for each leaflet: kind "proof" is the leaflet
    with untranslated and fuzzy messages highlighted; "review" is the side-by-side sheet (the source
    language's review is the clinician's sign-off sheet: signoff_sheet.py)."""
    chosen = chosen_leaflets(settings, slugs)
    catalog = catalogs.load_catalog(settings, locale)
    environment = templating.make_environment(settings)
    template_messages = templating.template_messages(environment, templating.LEAFLET_TEMPLATES + ("pack-cover.html",))
    from ..pdf.pdf import PdfRenderer  # WeasyPrint only for the commands that render

    renderer = PdfRenderer(settings)
    written = []
    for leaflet in chosen:
        if kind == "proof":
            html = proof_html(environment, settings, leaflet, catalog, settings.paper)
        else:
            html = review_html(environment, settings, leaflet, catalog, template_messages, settings.paper)
        pdf = renderer.render(html, source=catalog.path, locale=locale, leaflet=leaflet.slug)
        path = settings.proofs_dir / f"{leaflet.slug}.{locale}.{kind}.pdf"
        write_proof(settings, path, pdf.data)
        written.append(path)
    return written


def write_proof(settings: Settings, path: Path, data: bytes) -> None:
    try:
        writing.write_atomically(path, data)
    except OSError as error:
        raise ProblemError([Problem(settings.relative(path), None, f"cannot write it: {error.strerror or error}")]) \
            from None


def make_back_translation_reports(settings: Settings, locale: str, file: Path, shown: str) -> tuple[list[Path], list]:
    """Write proofs/<slug>.<locale>.back-translation.pdf for each leaflet: its texts and the labels, with
    their back-translations from `file`, the most different first. Returns the paths and every row."""
    from ..exchange import backtranslation

    loaded_leaflets = content.load_leaflets(settings)
    if loaded_leaflets.problems:
        raise ProblemError(loaded_leaflets.problems)
    leaflets = loaded_leaflets.leaflets
    loaded = catalogs.load_catalog(settings, locale)
    catalog = catalogs.read_catalog(settings, catalogs.catalog_path(settings, locale))
    back, back_digest = backtranslation.read_back_translation(file, shown)
    rows = backtranslation.compare(catalog, locale, back, shown)
    environment = templating.make_environment(settings)
    labels = {catalogs.singular_of(message) for message in
              templating.template_messages(environment, templating.LEAFLET_TEMPLATES + ("pack-cover.html",))}
    source = catalogs.source_catalog(settings)
    from ..pdf.pdf import PdfRenderer  # WeasyPrint only for the commands that render

    renderer, written = PdfRenderer(settings), []
    for leaflet in leaflets:
        keys = {message.text for message in leaflet.messages()} | labels
        chosen = [row for row in rows if row.key in keys]
        missing = sum(1 for row in chosen if row.state == "missing")
        html = templating.render(environment, "back-translation.html", source, settings, {
            "leaflet": leaflet, "language": loaded.language, "source_language": source.language,
            "paper": settings.paper, "variant": "standard",
            "title": f"Back-translation: {leaflet.title.text} ({loaded.language.english_name})",
            "created": leaflet.last_reviewed.isoformat(), "catalog_path": loaded.path, "digest": loaded.digest,
            "back_digest": back_digest, "back_file": Path(shown).name,
            "summary": f"{len(chosen)} texts, {missing} not back-translated",
            "rows": [{"english": inline_html(row.english), "translation": inline_html(row.translation),
                      "back": inline_html(row.back), "difference": row.difference, "state": row.state}
                     for row in chosen],
            "translation_font_stack": templating.font_stack(settings, loaded.language),
        })
        pdf = renderer.render(html, source=loaded.path, locale=locale, leaflet=leaflet.slug)
        path = settings.proofs_dir / f"{leaflet.slug}.{locale}.back-translation.pdf"
        write_proof(settings, path, pdf.data)
        written.append(path)
    return written, rows


def chosen_leaflets(settings: Settings, slugs: Sequence[str]) -> list[Leaflet]:
    """The leaflets named (all when none is), or a problem for any that cannot be read or does not exist."""
    loaded = content.load_leaflets(settings)
    unknown = sorted(set(slugs) - {leaflet.slug for leaflet in loaded.leaflets})
    if loaded.problems or unknown:
        raise ProblemError([*loaded.problems, *(Problem("leaflets", None, f"no leaflet {slug!r}") for slug in unknown)])
    return [leaflet for leaflet in loaded.leaflets if not slugs or leaflet.slug in slugs]
