"""Clinic packs (packs.toml) -> the jobs that assemble them from leaflets rendered once for every
clinic, then the packs to publish (assembled, or unchanged from the cache) or why not."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from ..catalogs import catalogs
from ..render import documents, templating
from ..plan import incremental, plan
from ..render.documents import PackOutcome, Renderers
from ..model import Failure, LeafletDocument, Pack, PackDocument, PackPart, Pdf, Settings
from .pack_job import PackJob
from .pagination import contents_pages
from ..problems import Problem, ProblemError

#: The longest contents list a cover may have, in pages.
MOST_COVER_PAGES = 3


@dataclass(frozen=True)
class PlannedPack:
    """A clinic's pack before it is assembled: the job that assembles it, or its PDF from an
    earlier build with the same inputs, or the problems of its parts."""

    pack: Pack
    inputs: dict | None = None
    job: PackJob | None = None
    cached: Pdf | None = None
    problems: tuple[Problem, ...] = ()  #: a part's base did not render


@dataclass(frozen=True)
class Bases:
    """The packs' leaflets, rendered or from the cache, as documents.render_planned gives them."""

    planned: dict[tuple[str, str, str], plan.Planned]  #: by (pack id, slug, locale)
    keys: dict
    ready: dict
    problems: dict


@dataclass(frozen=True)
class PackPlan:
    """Every pack, in packs.toml's order, ready to assemble; those whose sources are missing fail."""

    planned: tuple[PlannedPack, ...]
    failures: tuple[Failure, ...]  #: a pack that lists a leaflet or catalog that does not exist
    problems: tuple[Problem, ...]

    @property
    def jobs(self) -> tuple[PackJob, ...]:
        """The packs to assemble (the others are cached, or cannot be made)."""
        return tuple(planned.job for planned in self.planned if planned.job)


def plan_packs(renderers: Renderers, pack_list, leaflets, locale_catalogs, overdue, pool, progress) -> PackPlan:
    """Each clinic's pack ready to assemble, a cover then its leaflets with its own details
    stamped into the contact box.
    The leaflets are rendered here once for every clinic ("reserved" box); each clinic then
    costs one render (its cover with its contact boxes; a box in a CJK face alone) and the
    merge."""
    usable, failures, problems = [], [], []
    for pack in pack_list:
        found = missing_sources(renderers.settings, pack)
        if found:
            problems += found
            failures.append(plan.pack_failure(pack, found))
        else:
            usable.append(pack)
    plannable, planned_bases = plan.plan_pack_bases(usable, leaflets, locale_catalogs, overdue)
    bases = Bases(planned_bases, *documents.render_planned(renderers, list(planned_bases.values()), pool,
                                                           progress)[:3])
    by_slug = {leaflet.slug: leaflet for leaflet in leaflets}
    cover_catalog = locale_catalogs[renderers.settings.source_locale]
    planned_packs = [PlannedPack(pack) for pack in usable if pack not in plannable]
    for pack in plannable:
        created = max(by_slug[slug].last_reviewed for slug in pack.leaflets)
        planned_packs.append(plan_pack(renderers, pack, bases, cover_catalog, created, pool))
    order = {pack.id: number for number, pack in enumerate(pack_list)}
    return PackPlan(tuple(sorted(planned_packs, key=lambda planned: order[planned.pack.id])), tuple(failures),
                    tuple(problems))


def plan_pack(renderers: Renderers, pack: Pack, bases: Bases, cover_catalog, created: date, pool) -> PlannedPack:
    """One pack: its problems, its PDF from the cache, or the job that assembles it."""
    parts, boxes, problems = pack_parts(renderers, pack, bases)
    if problems:
        return PlannedPack(pack, problems=tuple(dict.fromkeys(problems)))
    inputs = plan.pack_inputs(pack, [part.base_key for part in parts], [box.html for box in boxes],
                              renderers.inputs)
    key = incremental.document_key(inputs)
    cached = renderers.cache.get(key)
    if cached:
        return PlannedPack(pack, inputs, cached=cached[0])
    # The clinic's details, in the fonts of each box's language (the leaflets' own texts were
    # checked with their bases; a cached pack passed this with the same details and fonts).
    clinic_texts = list(documents.clinic_texts(renderers.settings, pack.clinic))
    problems = [problem for part, box in zip(parts, boxes)
                for problem in renderers.coverage.check(clinic_texts, box.language, leaflet=part.slug)]
    if problems:
        return PlannedPack(pack, problems=tuple(dict.fromkeys(problems)))
    # A box in a large (CJK) face is rendered alone: no render loads several such faces.
    large = [box for box in boxes if renderers.coverage.uses_large_face(box.language)]
    covers = cover_html(renderers, pack, cover_catalog, parts, [box for box in boxes if box not in large], created)
    box_sheets = tuple(templating.contact_sheet_html(renderers.environment, renderers.settings, pack, cover_catalog,
                                                   [box]) for box in large)
    large_faces = {box.language.locale for box in large}
    job = PackJob(key, pack, covers, box_sheets, tuple(parts), cover_catalog.language,
                       large_face=large_faces.pop() if len(large_faces) == 1 else None)
    if renderers.dump_html:
        for index, html in enumerate((covers[0], *box_sheets)):
            documents.dump(renderers, f"{key[:15]}{index}", html, job.sheet_variant)
    pool.labels[key] = PackDocument(pack=pack, pdf=None, inputs={}).path
    return PlannedPack(pack, inputs, job=job)


def pack_parts(renderers: Renderers, pack: Pack, bases: Bases):
    """(parts, clinic boxes, problems) of a pack: each leaflet in each language, with the
    clinic's box in that language's fonts."""
    parts, boxes, problems = [], [], []
    for slug in pack.leaflets:
        for locale in pack.locales:
            base = bases.planned[(pack.id, slug, locale)]
            key = bases.keys[id(base)]
            if key not in bases.ready:
                problems += bases.problems[key]
                continue
            try:
                boxes.append(templating.contact_box_html(renderers.environment, renderers.settings, base.catalog,
                                                       pack.clinic, number=len(parts),
                                                       notice=pack.sides == 2 and bases.ready[key][0].pages % 2 == 1))
            except ProblemError as error:
                problems += error.problems
            parts.append(base.part(*bases.ready[key], key))
    return parts, boxes, problems


@dataclass(frozen=True)
class FinishedPacks:
    """The packs to publish, and a failure for each other one."""

    built: tuple[PackDocument, ...]
    failures: tuple[Failure, ...]
    problems: tuple[Problem, ...]
    rendered: tuple[tuple[str, str], ...]  #: (path, why) of each pack assembled this time


def finish_packs(renderers: Renderers, planned_packs: Iterable[PlannedPack], assembled: Mapping[str, PackOutcome],
                 built_leaflets: Mapping[tuple, LeafletDocument]) -> FinishedPacks:
    """Those whose leaflets all built (in every language they list) and whose assembly passed
    (`assembled`, by job key); a failure each for the others."""
    built, failures, problems, rendered = [], [], [], []
    for planned in planned_packs:
        pack = planned.pack
        outcome = assembled[planned.job.key] if planned.job else PackOutcome(planned.cached)
        found = plan.unbuilt_pack_leaflets(pack, built_leaflets) or list(planned.problems) or list(outcome.problems)
        if found:
            problems += found
            failures.append(plan.pack_failure(pack, found))
            continue
        document = PackDocument(pack=pack, pdf=outcome.pdf, inputs=planned.inputs)
        built.append(document)
        if not planned.cached:
            rendered.append(renderers.why(document.path, document.inputs))
    return FinishedPacks(tuple(built), tuple(failures), tuple(problems), tuple(rendered))


def missing_sources(settings: Settings, pack: Pack) -> list[Problem]:
    """A problem for each leaflet and locale a pack lists that does not exist."""
    problems = []
    for key, names, exists in (
            ("leaflets", pack.leaflets, lambda slug: (settings.leaflets_dir / f"{slug}.md").is_file()),
            ("locales", pack.locales, lambda locale: locale == settings.source_locale
             or catalogs.catalog_path(settings, locale).is_file())):
        kind = "leaflet" if key == "leaflets" else "catalog for locale"
        problems += [Problem("packs.toml", pack.key_lines.get(key, pack.line), f"pack {pack.id!r}: no {kind} {name!r}")
                     for name in names if not exists(name)]
    return problems


def cover_html(renderers: Renderers, pack: Pack, catalog, parts: list[PackPart], boxes, created: date) -> tuple[str, ...]:
    """The HTML of the cover followed by `boxes`, for each length the cover may have: its
    contents list gives the page each leaflet starts on, which depends on the cover's own
    length (the worker picks the one that fits)."""
    sheets = []
    for cover_pages in range(1, MOST_COVER_PAGES + 1):
        entries = [templating.ContentsEntry(part.language, part.title, start, part.base.pages)
                   for part, start in zip(parts, contents_pages(cover_pages, parts, pack.sides))]
        sheets.append(templating.pack_cover_html(renderers.environment, renderers.settings, pack, catalog,
                                               entries, created=created, boxes=boxes))
    return tuple(sheets)
