"""Patient leaflet pipeline: canonical leaflets -> catalogs -> HTML -> PDF -> clinic packs.

    python pipeline.py build            regenerate everything into output/
    python pipeline.py --help           every command

The stages, in order (one module each in leafpub/):

    content   leaflets/*.md               -> Leaflet
    catalogs  translations/*/messages.po  -> LocaleCatalog (checked)
    render    Leaflet + LocaleCatalog     -> HTML (Jinja2, everything escaped)
    pdf       HTML                        -> Pdf (WeasyPrint, pinned fonts, no fetching)
    packs     Pdf cover + leaflet Pdfs    -> pack Pdf (pypdf)
    publish   Release                     -> output/ and output/manifest.json, atomically
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from jinja2 import Environment

from leafpub import (catalogs, config, content, fonts, incremental, interrupts, jobs, packs, proofs, publish,
                     render, site, sources)
from leafpub.model import (FORMATS, Clinic, Format, Leaflet, LeafletDocument, LocaleCatalog, Pack, leaflet_path,
                           PackDocument, PackPart, Pdf, Settings)
from leafpub.problems import Problem, ProblemError



class Progress:
    """What the build tells its caller as it goes; the CLI shows it, tests ignore it."""

    def phase(self, description: str) -> None: ...
    def start(self, total: int) -> None: ...
    def advance(self, description: str) -> None: ...
    def finish(self) -> None: ...


@dataclass(frozen=True)
class Renderers:
    """What turns content into documents, set up once per build."""

    settings: Settings
    environment: Environment
    coverage: fonts.GlyphCoverage
    inputs: incremental.Inputs
    cache: incremental.RenderCache
    previous: dict  #: the last manifest's entries by path, to say why a document changed
    dump_html: Path | None = None  #: write every rendered HTML here (for debugging)
    #: the download page's thumbnails made during the build, by the SHA-256 of their PDF
    thumbnails: dict[str, bytes] = dataclasses.field(default_factory=dict)


@dataclass(frozen=True)
class BuildReport:
    manifest: dict
    problems: tuple[Problem, ...]
    rendered: tuple[tuple[str, str], ...] = ()  #: (what, why) for every PDF rendered this time
    stats: tuple = ()  #: JobResults of the rendered PDFs (time, worker memory)


def build(settings: Settings, progress: Progress | None = None, *, today: date | None = None,
          allow_overdue: bool = False, workers: int = 1, scheduler: str | None = None,
          dump_html: Path | None = None) -> BuildReport:
    """Regenerate every leaflet and pack into output/; problems fail only what they touch.
    Only documents whose inputs changed are rendered, in `workers` processes (or on a Dask
    cluster at `scheduler`)."""
    progress, problems = progress or Progress(), []
    # Every document is made with templates/: a link or a pipe there stops the whole build.
    refused = sources.tree(settings.root, settings.templates_dir)[1]
    if refused:
        raise ProblemError(refused)
    if workers > 1 and not scheduler:
        jobs.start_forkserver()  # it imports WeasyPrint for the workers while the inputs are read

    # 1. Content: the canonical leaflets (none past its review date) and the clinic packs.
    progress.phase("reading the leaflets, packs.toml and the catalogs")
    leaflets, found = content.load_leaflets(settings)
    problems += found
    leaflets, overdue, found = check_review_dates(leaflets, today or date.today(), allow_overdue)
    problems += found
    pack_list, found = config.load_packs(settings)
    problems += found

    # 2. Catalogs: every locale's translations, checked; a broken one fails alone.
    environment = render.make_environment(settings)
    template_messages = tuple(render.template_messages(environment, render.LEAFLET_TEMPLATES))
    needed = catalogs.needed_messages(leaflets, template_messages)
    locale_catalogs, broken_locales = load_catalogs(settings, needed)
    problems += [problem for found in broken_locales.values() for problem in found]

    # 3. Plan: every leaflet in every language and format, keyed by all its inputs.
    previous = publish.read_manifest(settings.output_dir)
    renderers = Renderers(settings, environment, fonts.GlyphCoverage(settings),
                          incremental.Inputs(settings, template_messages),
                          incremental.RenderCache(settings.output_dir),
                          {e["path"]: e for e in previous.get("leaflets", []) + previous.get("packs", [])},
                          dump_html)
    planned = [Planned(leaflet, catalog, format, overdue=leaflet.slug in overdue)
               for leaflet in leaflets for catalog in locale_catalogs.values() for format in FORMATS]
    progress.phase(f"planning {len(planned)} leaflet PDFs in {len(locale_catalogs)} languages "
                   f"and {len(pack_list)} packs")

    # 4. The packs' leaflets, their contact box left empty: every clinic's pack shares them.
    # 5. Every leaflet rendered and each pack assembled, in parallel; only what changed.
    #    The packs go first: a pack takes longest, and the leaflets fill the other workers.
    with open_pool(settings, workers, scheduler) as pool:
        planned_packs, pack_failures, pack_problems = plan_packs(renderers, pack_list, leaflets,
                                                                 locale_catalogs, overdue, pool, progress)
        documents, failures, found, assembled = build_leaflets(
            renderers, planned, pool, progress, pack_jobs=[p.job for p in planned_packs if p.job])
        problems += found + pack_problems
    progress.finish()
    pack_documents, found_failures, found = finish_packs(renderers, planned_packs, assembled, documents,
                                                         pool)
    pack_failures += found_failures
    problems += [p for p in found if p not in problems]

    # 6. Publish what was built; what failed keeps its last good version, marked outdated.
    failures += pack_failures + expected_but_unbuildable(leaflets, problems, locale_catalogs,
                                                         broken_locales)
    # The download page (output/index.html) is published with them, from the new manifest.
    progress.phase(f"publishing into {settings.relative(settings.output_dir)}/")
    try:
        manifest = publish.publish(settings.output_dir, publish.Release(
            leaflets=tuple(documents.values()), packs=tuple(pack_documents),
            failures=tuple(failures), problems=tuple(problems)),
            site=lambda manifest, files: site.site_files(settings.output_dir, manifest, files,
                                                         renderers.thumbnails))
    except ProblemError as error:
        problems += error.problems
        manifest = publish.read_manifest(settings.output_dir) or {"leaflets": [], "packs": []}
        manifest = {**manifest, "problems": [problem.to_json() for problem in problems]}
    with interrupts.after_publication():
        renderers.cache.prune()
    return BuildReport(manifest=manifest, problems=tuple(problems), rendered=tuple(pool.rendered),
                       stats=tuple(pool.stats))


def check_review_dates(leaflets, today: date, allow_overdue: bool):
    """Leaflets past their next-review date are not built, unless the operator allows it:
    then they are, with "review overdue" on every page."""
    current, overdue, problems = [], set(), []
    for leaflet in leaflets:
        if today <= leaflet.next_review:
            current.append(leaflet)
        elif allow_overdue:
            current.append(leaflet)
            overdue.add(leaflet.slug)
        else:
            problems.append(Problem(
                leaflet.path, None, f"leaflet {leaflet.slug!r} was due for review on "
                f"{leaflet.next_review.isoformat()} (owner: {leaflet.owner}); after its review, "
                "update last-reviewed and next-review, or build with --allow-overdue to print "
                "'review overdue' on every page", leaflet=leaflet.slug))
    return current, overdue, problems


def load_catalogs(settings: Settings, needed) -> tuple[dict[str, LocaleCatalog], dict[str, list[Problem]]]:
    """The source locale plus every locale whose catalog is complete, passes every check
    and has its fonts; the others with the problems that keep them from publication."""
    loaded = {settings.source_locale: catalogs.source_catalog(settings)}
    broken: dict[str, list[Problem]] = {}
    for locale in catalogs.discover_locales(settings):
        if locale == settings.source_locale:
            continue
        try:
            catalog = catalogs.load_catalog(settings, locale)
        except ProblemError as error:
            broken[locale] = list(error.problems)
            continue
        unpublishable = catalogs.publication_problems(catalog, needed)
        if unpublishable:
            broken[locale] = unpublishable
        else:
            loaded[locale] = catalog
    unusable = fonts.check_fonts_for(settings, [c.language for c in loaded.values()])
    for locale, reason in unusable.items():
        broken[locale] = [Problem("pyproject.toml", None, reason, locale=locale)]
        del loaded[locale]
    return loaded, broken


@dataclass(frozen=True)
class Planned:
    """One leaflet in one language and format, before it is rendered (or found unchanged)."""

    leaflet: Leaflet
    catalog: LocaleCatalog
    format: Format
    overdue: bool = False
    reserved: bool = False  #: a pack's leaflet: the contact box left empty for the clinic's

    @property
    def key_tuple(self) -> tuple[str, str, str, str]:
        return (self.leaflet.slug, self.catalog.language.locale, self.format.paper, self.format.variant)

    @property
    def shown_on_download_page(self) -> bool:
        """Its page 1 is the language's thumbnail on output/index.html."""
        return not self.reserved and (self.format.variant, self.format.paper) == site.THUMBNAIL_OF

    @property
    def pdf_variant(self) -> str:
        """How it is rendered: a standard pack's leaflet untagged, since the pack carries no
        structure tree (marked content that points into none only adds bytes)."""
        return "pack-part" if self.reserved and self.format.variant == "standard" else self.format.variant

    def inputs(self, renderers: Renderers) -> dict:
        settings = {"format": dataclasses.asdict(self.format), "overdue": self.overdue,
                    "reserved": self.reserved}
        if self.pdf_variant != self.format.variant:
            settings["rendered as"] = self.pdf_variant
        return renderers.inputs.document(self.leaflet, self.catalog, settings)

    @property
    def label(self) -> str:
        """How the progress log names it: where it is published (a pack's copy is not)."""
        path = leaflet_path(self.leaflet.slug, self.catalog.language.locale, self.format)
        return f"{path} (for packs)" if self.reserved else path

    def describe(self) -> str:
        what = "pack leaflet" if self.reserved else "leaflet"
        return (f"the {self.catalog.language.english_name} {what} {self.leaflet.slug!r} "
                f"({self.format.variant}, {self.format.paper})")

    def job(self, renderers: Renderers, key: str) -> jobs.RenderJob:
        catalog = self.catalog
        html = render.render_leaflet(renderers.environment, renderers.settings, self.leaflet, catalog,
                                     format=self.format, clinic=None, draft=not catalog.review.approved,
                                     overdue=self.overdue, reserved=self.reserved)
        if renderers.dump_html:
            dump(renderers, key, html, self.pdf_variant)
        return jobs.RenderJob(
            key=key, html=html, variant=self.pdf_variant, source=catalog.path or self.leaflet.path,
            locale=catalog.language.locale, leaflet=self.leaflet.slug,
            budget=self.leaflet.budget(self.format.variant), what=self.describe(),
            # A pack's leaflet is checked as part of each pack it is merged into.
            validate=not self.reserved, anchor="clinic-box" if self.reserved else None)


def dump(renderers: Renderers, key: str, html: str, variant: str) -> None:
    """Debug aid: the exact HTML (and, beside it, the CSS) that WeasyPrint renders."""
    folder = renderers.dump_html
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{key[:16]}.html").write_text(html, encoding="utf-8")
    shutil.copy(renderers.settings.templates_dir / "leaflet.css", folder / "leaflet.css")
    index = folder / "index.json"
    documents = json.loads(index.read_text()) if index.exists() else {}
    documents[f"{key[:16]}.html"] = variant
    index.write_text(json.dumps(documents, indent=1))


def render_planned(renderers: Renderers, planned: list[Planned], pool, progress, first: Sequence = ()):
    """key -> (Pdf, anchor) for every planned document: from the cache when its inputs are
    unchanged, rendered otherwise. Problems are per document. `first` are jobs (packs to
    assemble) to hand to the workers before the documents; their results come by key too."""
    ready: dict[str, tuple] = {}
    to_render: dict[str, Planned] = {}
    problems: dict[str, list[Problem]] = {}
    keys = {}
    for plan in planned:
        key = keys[id(plan)] = incremental.key_of(plan.inputs(renderers))
        cached = renderers.cache.get(key)
        if cached:
            ready[key] = cached
        elif key not in to_render:
            pool.start()  # the workers import WeasyPrint while the rest is planned
            to_render[key] = plan
            pool.labels[key] = plan.label

    def render_jobs():
        """Each job as soon as its HTML is ready, so the workers start on the first ones.
        Texts are checked only for documents about to be rendered: a cached PDF passed before.
        Documents in a large (CJK) face go first: they take twice as long as the others, and
        a run that ends with them leaves one worker idle while the other finishes its last."""
        checked: dict[tuple, list[Problem]] = {}
        slow_first = sorted(to_render.items(),
                            key=lambda item: not renderers.coverage.uses_large_face(item[1].catalog.language))
        for key, plan in slow_first:
            pair = (plan.leaflet.slug, plan.catalog.language.locale)
            if pair not in checked:
                checked[pair] = printable_problems(renderers, plan.leaflet, plan.catalog)
            if checked[pair]:
                problems[key] = checked[pair]
                if progress:
                    progress.advance(f"{plan.label}: not rendered (a problem)")
            else:
                yield plan.job(renderers, key)

    for result in pool.run(itertools.chain(first, render_jobs()), progress, total=len(first) + len(to_render)):
        if result.problems:
            problems[result.key] = list(result.problems)
        else:
            renderers.cache.put(result.key, result.pdf, result.anchor)
            ready[result.key] = (result.pdf, result.anchor)
            plan = to_render.get(result.key)
            if plan is not None and plan.shown_on_download_page:
                # Made now, while the workers render the rest, not when the build publishes
                # (0.18 s, one after the other). Not in the workers: pdfium costs each 7 MiB.
                renderers.thumbnails[hashlib.sha256(result.pdf.data).hexdigest()] = \
                    site.make_thumbnail(result.pdf.data)
    return keys, ready, problems, to_render


def build_leaflets(renderers: Renderers, planned: list[Planned], pool, progress, pack_jobs=()):
    """Every leaflet in every loaded language and format, generic (lines for the clinic);
    the packs of `pack_jobs` are assembled in the same run, first: their outcomes come back
    by key, a Pdf or problems."""
    keys, ready, found, to_render = render_planned(renderers, planned, pool, progress, first=pack_jobs)
    documents: dict[tuple, LeafletDocument] = {}
    failures, problems = [], []
    for plan in planned:
        key = keys[id(plan)]
        if key in ready:
            pdf, _ = ready[key]
            document = LeafletDocument(
                leaflet=plan.leaflet, language=plan.catalog.language, format=plan.format,
                title=plan.catalog.translations.gettext(plan.leaflet.title.text), pdf=pdf,
                translation=plan.catalog.review.state, inputs=plan.inputs(renderers))
            documents[plan.key_tuple] = document
            if key in to_render:
                pool.rendered.append((document.path, incremental.why(
                    document.inputs, renderers.previous.get(document.path, {}).get("inputs"))))
        else:
            problems += [p for p in found[key] if p not in problems]
            failures.append(publish.Failure("leaflet", plan.key_tuple, str(found[key][0])))
    assembled = {job.key: ready[job.key][0] if job.key in ready else tuple(found[job.key]) for job in pack_jobs}
    return documents, failures, problems, assembled


def printable_problems(renderers: Renderers, leaflet: Leaflet, catalog: LocaleCatalog) -> list[Problem]:
    """Every message translated, and every character in the language's fonts."""
    needed = catalogs.needed_messages([leaflet], renderers.inputs.template_messages)
    missing = catalogs.missing_translations(catalog, needed)
    if missing:
        return missing
    # WeasyPrint would only warn about a character no font has; name the message instead.
    return renderers.coverage.check(printed_texts(leaflet, catalog, needed), catalog.language,
                                    leaflet=leaflet.slug)


def printed_texts(leaflet: Leaflet, catalog: LocaleCatalog, needed):
    """(file, line, text) for every message a leaflet prints."""
    if catalog.is_source:
        sources = {message.text: message.line for message in leaflet.messages()}
        for msgid in needed:
            key = catalogs.key_of(msgid)
            yield (leaflet.path if key in sources else "templates", sources.get(key), key)
    else:
        for msgid in needed:
            key = catalogs.key_of(msgid)
            for form in catalog.strings.get(key, ()):
                yield catalog.path, catalog.lines.get(key), form


def clinic_texts(settings: Settings, clinic: Clinic):
    """(file, line, text, True) for each of a clinic's details: they may be in any script."""
    packs_file = settings.relative(settings.packs_file)
    for field_ in dataclasses.fields(clinic):
        values = getattr(clinic, field_.name)
        for value in values if isinstance(values, tuple) else (values,):
            yield packs_file, None, value, True


@dataclass(frozen=True)
class PlannedPack:
    """A clinic's pack before it is assembled: the job that assembles it, or its PDF from an
    earlier build with the same inputs, or the problems of its parts."""

    pack: Pack
    inputs: dict | None = None
    job: jobs.PackJob | None = None
    cached: Pdf | None = None
    problems: tuple[Problem, ...] = ()  #: a part's base did not render


def plan_packs(renderers: Renderers, pack_list, leaflets, locale_catalogs, overdue, pool, progress):
    """Each clinic's pack, ready to assemble: a cover, then its leaflets with its own details
    stamped into the contact box. The leaflets are rendered here once for every clinic
    ("reserved" box); each clinic then costs one render (its cover with its contact boxes;
    a box in a CJK face is rendered alone) and the merge."""
    settings = renderers.settings
    by_slug = {leaflet.slug: leaflet for leaflet in leaflets}
    usable, failures, problems = [], [], []
    for pack in pack_list:
        try:
            check_pack_sources(settings, pack)
            usable.append(pack)
        except ProblemError as error:
            problems += error.problems
            failures.append(publish.Failure("pack", (pack.id,), str(error.problems[0])))

    # The leaflets of every pack, rendered (or found in the cache) together, in parallel,
    # with their contact boxes left empty: every clinic's pack shares them. A pack with a
    # leaflet or language that did not load is not planned: finish_packs says why.
    bases = {}
    plannable = [pack for pack in usable if all(slug in by_slug for slug in pack.leaflets)
                 and all(locale in locale_catalogs for locale in pack.locales)]
    for pack in plannable:
        format = Format(pack.paper, pack.variant)
        for slug in pack.leaflets:
            for locale in pack.locales:
                bases[(pack.id, slug, locale)] = Planned(by_slug[slug], locale_catalogs[locale], format,
                                                         overdue=slug in overdue, reserved=True)
    keys, ready, found, _ = render_planned(renderers, list(bases.values()), pool, progress)

    planned_packs = [PlannedPack(pack) for pack in usable if pack not in plannable]
    cover_catalog = locale_catalogs[settings.source_locale]
    for pack in plannable:
        parts, boxes, pack_problems = [], [], []
        for slug in pack.leaflets:
            for locale in pack.locales:
                base = bases[(pack.id, slug, locale)]
                key = keys[id(base)]
                if key not in ready:
                    pack_problems += found[key]
                    continue
                try:
                    # The clinic's details, in the fonts of this language's box (the leaflet's
                    # own texts were checked with its base).
                    pack_problems += renderers.coverage.check(clinic_texts(settings, pack.clinic),
                                                              base.catalog.language, leaflet=base.leaflet.slug)
                    boxes.append(render.render_contact_box(renderers.environment, settings, base.catalog,
                                                           pack.clinic, number=len(parts)))
                except ProblemError as error:
                    pack_problems += error.problems
                base_pdf, anchor = ready[key]
                parts.append(packs_part(base, base_pdf, anchor, key))
        if pack_problems:
            planned_packs.append(PlannedPack(pack, problems=tuple(dict.fromkeys(pack_problems))))
            continue
        inputs = {"parts": incremental.digest([part.base_key for part in parts]),
                  "boxes": incremental.digest([box.html for box in boxes]),
                  "format": incremental.digest(dataclasses.asdict(pack)),
                  "templates": renderers.inputs.templates, "fonts": renderers.inputs.fonts,
                  "software": renderers.inputs.software}
        key = incremental.key_of(inputs)
        cached = renderers.cache.get(key)
        if cached:
            planned_packs.append(PlannedPack(pack, inputs, cached=cached[0]))
            continue
        parts = tuple(parts)
        created = max(by_slug[slug].last_reviewed for slug in pack.leaflets)
        # A box in a large (CJK) face is rendered alone: no render loads several such faces.
        large = [box for box in boxes if renderers.coverage.uses_large_face(box.language)]
        covers = cover_html(renderers, pack, cover_catalog, parts, [box for box in boxes if box not in large],
                            created)
        box_sheets = tuple(render.render_contact_sheet(renderers.environment, settings, pack, cover_catalog, [box])
                           for box in large)
        large_faces = {box.language.locale for box in large}
        job = jobs.PackJob(key, pack, covers, box_sheets, parts, cover_catalog.language,
                           large_face=large_faces.pop() if len(large_faces) == 1 else None)
        if renderers.dump_html:
            for index, html in enumerate((covers[0], *box_sheets)):
                dump(renderers, f"{key[:15]}{index}", html, job.sheet_variant)
        planned_packs.append(PlannedPack(pack, inputs, job=job))
        pool.labels[key] = PackDocument(pack=pack, pdf=None, inputs={}).path
    order = {pack.id: number for number, pack in enumerate(pack_list)}
    return sorted(planned_packs, key=lambda planned: order[planned.pack.id]), failures, problems


def finish_packs(renderers: Renderers, planned_packs, assembled, documents, pool):
    """The packs to publish: those whose leaflets all built (in every language they list) and
    whose assembly passed; a failure each for the others."""
    built, failures, problems = [], [], []
    for planned in planned_packs:
        pack = planned.pack
        try:
            check_pack_leaflets_built(pack, documents)
            if planned.problems:
                raise ProblemError(list(planned.problems))
        except ProblemError as error:
            problems += error.problems
            failures.append(publish.Failure("pack", (pack.id,), str(error.problems[0])))
            continue
        if planned.cached:
            built.append(PackDocument(pack=pack, pdf=planned.cached, inputs=planned.inputs))
            continue
        outcome = assembled[planned.job.key]
        if isinstance(outcome, tuple):  # its problems
            problems += outcome
            failures.append(publish.Failure("pack", (pack.id,), str(outcome[0])))
            continue
        document = PackDocument(pack=pack, pdf=outcome, inputs=planned.inputs)
        built.append(document)
        pool.rendered.append((document.path, incremental.why(
            document.inputs, renderers.previous.get(document.path, {}).get("inputs"))))
    return built, failures, problems


def packs_part(base: Planned, base_pdf: Pdf, anchor, base_key: str) -> PackPart:
    catalog = base.catalog
    return PackPart(slug=base.leaflet.slug, leaflet_title=base.leaflet.title.text, language=catalog.language,
                    title=catalog.translations.gettext(base.leaflet.title.text), base=base_pdf,
                    base_key=base_key, anchor=anchor)


def check_pack_sources(settings: Settings, pack) -> None:
    """Every leaflet and locale a pack lists exists."""
    problems = []
    for key, names, exists in (
            ("leaflets", pack.leaflets, lambda slug: (settings.leaflets_dir / f"{slug}.md").is_file()),
            ("locales", pack.locales, lambda locale: locale == settings.source_locale
             or catalogs.catalog_path(settings, locale).is_file())):
        kind = "leaflet" if key == "leaflets" else "catalog for locale"
        for name in names:
            if not exists(name):
                problems.append(Problem("packs.toml", pack.key_lines.get(key, pack.line),
                                        f"pack {pack.id!r}: no {kind} {name!r}"))
    if problems:
        raise ProblemError(problems)


def check_pack_leaflets_built(pack, documents) -> None:
    """A pack is published only when every leaflet it lists was built in every language it
    lists, so that a pack never holds an older text than the leaflet downloads."""
    unavailable = [f"{slug} [{locale}]" for slug in pack.leaflets for locale in pack.locales
                   if (slug, locale, pack.paper, pack.variant) not in documents]
    if unavailable:
        raise ProblemError([Problem("packs.toml", pack.line, f"pack {pack.id!r} not rebuilt: "
                                    f"{', '.join(unavailable)} did not build")])


#: The longest contents list a cover may have, in pages.
MOST_COVER_PAGES = 3


def cover_html(renderers: Renderers, pack, catalog, parts, boxes, created: date) -> tuple[str, ...]:
    """The HTML of the cover followed by `boxes`, for each length the cover may have: its
    contents list gives the page each leaflet starts on, which depends on the cover's own
    length (the worker picks the one that fits)."""
    sheets = []
    for cover_pages in range(1, MOST_COVER_PAGES + 1):
        entries = [render.ContentsEntry(part.language, part.title, start, part.base.pages)
                   for part, start in zip(parts, packs.contents_pages(cover_pages, parts))]
        sheets.append(render.render_pack_cover(renderers.environment, renderers.settings, pack, catalog,
                                               entries, created=created, boxes=boxes))
    return tuple(sheets)


def expected_but_unbuildable(leaflets, problems, locale_catalogs, broken_locales):
    """Documents that exist from earlier builds but whose inputs are broken this time."""
    failures = [publish.Failure("pack", (p.pack,), str(p)) for p in problems if p.pack]
    held_back = {p.leaflet for p in problems if p.leaflet and p.locale is None} | {
        Path(p.path).stem for p in problems if p.path.startswith("leaflets/") and p.path.endswith(".md")}
    slugs = {leaflet.slug for leaflet in leaflets} | held_back
    for locale, found in broken_locales.items():
        for slug in slugs:
            failures += [publish.Failure("leaflet", (slug, locale, f.paper, f.variant), str(found[0]))
                         for f in FORMATS]
    for slug in held_back:
        reason = next(str(p) for p in problems if p.leaflet == slug or Path(p.path).stem == slug)
        for locale in locale_catalogs:
            failures += [publish.Failure("leaflet", (slug, locale, f.paper, f.variant), reason)
                         for f in FORMATS]
    return failures


class open_pool:
    """The workers that render and check PDFs: local processes, or a Dask cluster."""

    def __init__(self, settings: Settings, workers: int, scheduler: str | None):
        self.pool = (jobs.DaskPool(settings, scheduler) if scheduler
                     else jobs.LocalPool(settings, workers))
        self.rendered: list[tuple[str, str]] = []
        self.stats: list = []
        self.labels: dict[str, str] = {}  #: what the progress display calls each job, by key

    def __enter__(self):
        return self

    def __exit__(self, kind, error, trace):
        if kind is None:
            self.pool.close()
        else:  # an interrupt or an error: stop the workers now, not after their queued jobs
            self.pool.terminate()

    def start(self) -> None:
        self.pool.start()

    def run(self, work, progress: Progress | None, total: int | None = None):
        """Results as they come, for `work` (a list, or an iterable of `total` jobs)."""
        total = len(work) if total is None else total
        if progress and total:
            progress.start(total)
        for result in self.pool.run(work):
            self.stats.append(result)
            if progress:
                label = self.labels.get(result.key, result.key[:12])
                progress.advance(label if not result.problems else f"{label}: not built (a problem)")
            yield result


# -- translators' proofs and reviewers' sheets (never published) -------------------

def make_proofs(settings: Settings, locale: str, kind: str, slugs: Sequence[str] = ()) -> list[Path]:
    """Write proofs/<slug>.<locale>.<kind>.pdf for each leaflet: kind "proof" is the leaflet
    with untranslated and fuzzy messages highlighted; "review" is the side-by-side sheet."""
    leaflets, found = content.load_leaflets(settings)
    chosen = [leaflet for leaflet in leaflets if not slugs or leaflet.slug in slugs]
    unknown = sorted(set(slugs) - {leaflet.slug for leaflet in leaflets})
    if found or unknown:
        raise ProblemError([*found, *(Problem("leaflets", None, f"no leaflet {slug!r}") for slug in unknown)])
    catalog = catalogs.load_catalog(settings, locale)
    environment = render.make_environment(settings)
    template_messages = render.template_messages(environment, render.LEAFLET_TEMPLATES + ("pack-cover.html",))
    from leafpub.pdf import PdfRenderer

    renderer = PdfRenderer(settings)
    written = []
    for leaflet in chosen:
        if kind == "proof":
            html = proofs.render_proof(environment, settings, leaflet, catalog, settings.paper)
        else:
            html = proofs.render_review(environment, settings, leaflet, catalog, template_messages,
                                        settings.paper)
        pdf = renderer.render(html, source=catalog.path, locale=locale, leaflet=leaflet.slug)
        path = settings.proofs_dir / f"{leaflet.slug}.{locale}.{kind}.pdf"
        publish.write_atomically(path, pdf.data)
        written.append(path)
    return written


# -- command line ----------------------------------------------------------------

def main(argv: Sequence[str] | None = None) -> int:
    from leafpub import cli

    return cli.run(argv, build, make_proofs)


if __name__ == "__main__":
    sys.exit(main())
