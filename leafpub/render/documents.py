"""Planned leaflets -> their PDFs: each from the cache when its inputs are unchanged, otherwise
rendered and checked by the workers, with the problems of those that could not be made."""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment

from ..catalogs import catalogs
from .. import fonts
from ..plan import incremental
from . import jobs, templating
from ..pdf import textgate
from ..model import Clinic, Leaflet, LeafletDocument, LocaleCatalog, Pdf, Settings
from ..plan.plan import Planned
from ..problems import Problem, Problems
from .. import sources
from ..pdf import thumbnails


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

    @classmethod
    def for_build(cls, settings: Settings, template_messages, dump_html: Path | None = None) -> Renderers:
        previous = sources.read_manifest(settings.output_dir)
        return cls(settings, templating.make_environment(settings), fonts.GlyphCoverage(settings),
                   incremental.Inputs(settings, template_messages), incremental.RenderCache(settings.output_dir),
                   {e["path"]: e for e in previous.get("leaflets", []) + previous.get("packs", [])}, dump_html)

    def why(self, path: str, inputs: dict) -> tuple[str, str]:
        """(path, why it was rendered) for the build's report."""
        return path, incremental.why(inputs, self.previous.get(path, {}).get("inputs"))


def render_job(renderers: Renderers, plan: Planned, key: str, print_copy: jobs.PrintCopy | None = None,
               ) -> jobs.RenderJob:
    """The HTML of a planned leaflet and how a worker renders and checks it (and, for a
    standard leaflet, the print-shop copy it makes of itself)."""
    catalog = plan.catalog
    shown: list[tuple] = []
    html = document_html(renderers, plan, shown)
    if renderers.dump_html:
        dump(renderers, key, html, plan.pdf_variant)
    return jobs.RenderJob(
        key=key, html=html, variant=plan.pdf_variant, source=catalog.path or plan.leaflet.path,
        locale=catalog.language.locale, leaflet=plan.leaflet.slug, budget=plan.leaflet.budget(plan.format.variant),
        what=plan.describe(),
        # A pack's leaflet is checked as part of each pack it is merged into.
        validate=not plan.reserved, anchor="clinic-box" if plan.reserved else None,
        texts=tuple(shown_texts(plan.leaflet, catalog, shown)), rtl=catalog.language.direction == "rtl",
        print_copy=print_copy)


def document_html(renderers: Renderers, plan: Planned, record: list | None = None) -> str:
    """A planned leaflet's HTML; `record` receives the messages it shows."""
    catalog = plan.catalog
    return templating.leaflet_html(renderers.environment, renderers.settings, plan.leaflet, catalog,
                                   format=plan.format, clinic=None, draft=not catalog.review.approved,
                                   overdue=plan.overdue, reserved=plan.reserved, record=record)


def print_job(renderers: Renderers, plan: Planned, key: str, standard: Pdf, anchor) -> jobs.PrintJob:
    """A print-shop leaflet made from its standard leaflet's PDF, already made (cached)."""
    shown: list[tuple] = []
    document_html(renderers, plan.made_from, shown)  # the texts its pages show, to check them
    if renderers.dump_html:  # the HTML WeasyPrint would render it from, to reproduce it by hand
        dump(renderers, key, document_html(renderers, plan), plan.pdf_variant)
    catalog = plan.catalog
    return jobs.PrintJob(key, standard, plan.describe(), catalog.path or plan.leaflet.path, catalog.language.locale,
                         plan.leaflet.slug, tuple(shown_texts(plan.leaflet, catalog, shown)),
                         catalog.language.direction == "rtl", anchor, validate=not plan.reserved)


def shown_texts(leaflet: Leaflet, catalog: LocaleCatalog, shown: list[tuple]):
    """The text gate's PrintedText for each (msgid, text) a document shows, naming the
    catalog line it comes from (for the source language, the leaflet's or templates/)."""
    lines = {message.text: message.line for message in leaflet.messages()}
    for msgid, text in dict.fromkeys(shown):
        key = catalogs.singular_of(msgid)
        if catalog.is_source:
            yield textgate.PrintedText(text, leaflet.path if key in lines else "templates", lines.get(key), key)
        else:
            yield textgate.PrintedText(text, catalog.path, catalog.lines.get(key), key)


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
    """(keys by plan, key -> (Pdf, anchor), key -> problems, key -> plan rendered now) for
    every planned document: from the cache when its inputs are unchanged, rendered otherwise.
    `first` are jobs (packs to assemble) handed to the workers before the documents; their
    results come by key too."""
    ready: dict[str, tuple] = {}
    to_render: dict[str, Planned] = {}
    problems: dict[str, list[Problem]] = {}
    keys = {}
    for plan in planned:
        key = keys[id(plan)] = incremental.document_key(plan.inputs(renderers.inputs))
        cached = renderers.cache.get(key)
        if cached:
            ready[key] = cached
        elif key not in to_render:
            pool.start()  # the workers import WeasyPrint while the rest is planned
            to_render[key] = plan
            pool.labels[key] = plan.label
    sources = {}  # a print-shop copy's key -> its standard leaflet's, whose PDF it needs
    for key, plan in list(to_render.items()):
        if plan.made_from is not None:
            source_key = sources[key] = incremental.document_key(plan.made_from.inputs(renderers.inputs))
            if source_key not in ready and source_key not in to_render:
                to_render[source_key] = plan.made_from
                pool.labels[source_key] = plan.made_from.label

    work = jobs_to_render(renderers, to_render, sources, ready, problems, progress)
    for result in pool.run(itertools.chain(first, work), progress, total=len(first) + len(to_render)):
        if result.problems:
            problems[result.key] = list(result.problems)
            continue
        renderers.cache.put(result.key, result.pdf, result.anchor)
        ready[result.key] = (result.pdf, result.anchor)
        plan = to_render.get(result.key)
        if plan is not None and plan.shown_on_download_page:
            # Made while the workers render the rest, not when the build publishes; not in
            # the workers, where PDFium would cost each one memory.
            renderers.thumbnails[hashlib.sha256(result.pdf.data).hexdigest()] = thumbnails.make_thumbnail(result.pdf.data)
    return keys, ready, problems, to_render


def jobs_to_render(renderers: Renderers, to_render: dict[str, Planned], sources: dict[str, str], ready: dict,
                   problems: dict, progress):
    """Each job as soon as its HTML is ready, so the workers start on the first ones. Texts
    are checked only for documents about to be rendered: a cached PDF passed before.
    Documents in a large (CJK) face go first: they take longest, and a run that ends with
    them leaves one worker idle while the other finishes its last. A print-shop leaflet
    is made by its standard leaflet's job, or from its cached PDF."""
    checked: dict[tuple, list[Problem]] = {}
    copies = {source_key: jobs.PrintCopy(key, to_render[key].describe(), validate=not to_render[key].reserved)
              for key, source_key in sources.items() if source_key in to_render}  # by the standard leaflet's key
    made_by_their_source = {copy.key for copy in copies.values()}
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
        elif key in made_by_their_source:
            if renderers.dump_html:  # the HTML it would be rendered from, written all the same
                dump(renderers, key, document_html(renderers, plan), plan.pdf_variant)
        elif key in sources:  # its standard leaflet is cached
            yield print_job(renderers, plan, key, *ready[sources[key]])
        else:
            yield render_job(renderers, plan, key, copies.get(key))


@dataclass(frozen=True)
class PackOutcome:
    """A pack handed to the workers with the leaflets: its PDF, or the problems that stopped it."""

    pdf: Pdf | None
    problems: tuple[Problem, ...] = ()


@dataclass(frozen=True)
class BuiltLeaflets:
    """The planned leaflets' PDFs, and the packs assembled in the same run."""

    documents: dict[tuple, LeafletDocument]  #: by key tuple, every planned document whose PDF is there
    stopped: dict[tuple, Problem]  #: by key tuple, the first problem of each other one
    problems: tuple[Problem, ...]  #: every problem of those, once
    assembled: dict[str, PackOutcome]  #: by job key, each pack of `pack_jobs`
    rendered: tuple[tuple[str, str], ...]  #: (path, why) of each PDF rendered this time

    @property
    def languages(self) -> set[tuple[str, str]]:
        """(slug, locale) of every leaflet with a PDF built in that language."""
        return {(document.leaflet.slug, document.language.locale) for document in self.documents.values()}


def build_leaflets(renderers: Renderers, planned: Sequence[Planned], pool, progress,
                   pack_jobs: Sequence = ()) -> BuiltLeaflets:
    """Every planned leaflet, rendered or from the cache; the packs of `pack_jobs` are
    assembled in the same run, first: their outcomes come back by key."""
    keys, ready, found, to_render = render_planned(renderers, list(planned), pool, progress, first=pack_jobs)
    documents: dict[tuple, LeafletDocument] = {}
    stopped, problems, rendered = {}, Problems(), []
    for plan in planned:
        key = keys[id(plan)]
        if key not in ready:
            problems.add(found[key])
            stopped[plan.key_tuple] = found[key][0]
            continue
        document = documents[plan.key_tuple] = plan.document(ready[key][0], plan.inputs(renderers.inputs))
        if key in to_render:
            rendered.append(renderers.why(document.path, document.inputs))
    assembled = {job.key: PackOutcome(ready[job.key][0]) if job.key in ready
                 else PackOutcome(None, tuple(found[job.key])) for job in pack_jobs}
    return BuiltLeaflets(documents, stopped, problems.all, assembled, tuple(rendered))


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
            key = catalogs.singular_of(msgid)
            yield (leaflet.path if key in sources else "templates", sources.get(key), key)
    else:
        for msgid in needed:
            key = catalogs.singular_of(msgid)
            for form in catalog.strings.get(key, ()):
                yield catalog.path, catalog.lines.get(key), form


def clinic_texts(settings: Settings, clinic: Clinic):
    """(file, line, text, True) for each of a clinic's details: they may be in any script."""
    packs_file = settings.relative(settings.packs_file)
    for field_ in dataclasses.fields(clinic):
        values = getattr(clinic, field_.name)
        for value in values if isinstance(values, tuple) else (values,):
            yield packs_file, None, value, True
