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
import sys
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from jinja2 import Environment

from leafpub import catalogs, config, content, fonts, packs, proofs, publish, render, validate
from leafpub.model import (FORMATS, Clinic, Format, Leaflet, LeafletDocument, LocaleCatalog, PackDocument,
                           Pdf, Settings)
from leafpub.pdf import PdfRenderer
from leafpub.problems import Problem, ProblemError



class Progress:
    """What the build tells its caller as it goes; the CLI shows it, tests ignore it."""

    def start(self, total: int) -> None: ...
    def advance(self, description: str) -> None: ...
    def finish(self) -> None: ...


@dataclass(frozen=True)
class Renderers:
    """What turns content into documents, set up once per build."""

    settings: Settings
    environment: Environment
    pdf: PdfRenderer
    coverage: fonts.GlyphCoverage
    template_messages: tuple  #: msgids the leaflet templates use


@dataclass(frozen=True)
class BuildOptions:
    today: date = field(default_factory=date.today)  #: for review dates only; never printed
    allow_overdue: bool = False  #: build leaflets past their review date, marked on every page


@dataclass(frozen=True)
class BuildReport:
    manifest: dict
    problems: tuple[Problem, ...]


def build(settings: Settings, progress: Progress | None = None, *, today: date | None = None,
          allow_overdue: bool = False) -> BuildReport:
    """Regenerate every leaflet and pack into output/; problems fail only what they touch."""
    progress = progress or Progress()
    options = BuildOptions(today=today or date.today(), allow_overdue=allow_overdue)
    problems: list[Problem] = []

    # 1. Content: the canonical leaflets (none past its review date) and the clinic packs.
    leaflets, found = content.load_leaflets(settings)
    problems += found
    leaflets, overdue, found = check_review_dates(leaflets, options)
    problems += found
    pack_list, found = config.load_packs(settings)
    problems += found

    # 2. Catalogs: every locale's translations, checked; a broken one fails alone.
    environment = render.make_environment(settings)
    template_messages = tuple(render.template_messages(environment, render.LEAFLET_TEMPLATES))
    needed = [m.text for leaflet in leaflets for m in leaflet.messages()] + list(template_messages)
    locale_catalogs, broken_locales = load_catalogs(settings, needed)
    problems += [problem for found in broken_locales.values() for problem in found]

    # 3 and 4. HTML and PDF for every leaflet in every language and format, each validated.
    renderers = Renderers(settings, environment, PdfRenderer(settings), fonts.GlyphCoverage(settings),
                          template_messages)
    progress.start(len(leaflets) * len(locale_catalogs) * len(FORMATS) + sum(
        1 + len(pack.leaflets) * len(pack.locales) for pack in pack_list))
    with Validator(settings) as validator:
        documents, failures, found = build_leaflets(renderers, leaflets, locale_catalogs, overdue,
                                                    validator, progress)
        problems += found

        # 5. Packs: a cover, then each leaflet with the clinic's own details, merged.
        pack_documents, pack_failures, found = build_packs(renderers, pack_list, leaflets,
                                                           locale_catalogs, documents, overdue,
                                                           validator, progress)
        problems += found
    progress.finish()

    # 6. Publish what was built; what failed keeps its last good version, marked outdated.
    failures += pack_failures + expected_but_unbuildable(settings, leaflets, problems,
                                                         locale_catalogs, broken_locales)
    manifest = publish.publish(settings.output_dir, publish.Release(
        leaflets=tuple(documents.values()), packs=tuple(pack_documents),
        failures=tuple(failures), problems=tuple(problems)))
    return BuildReport(manifest=manifest, problems=tuple(problems))


def check_review_dates(leaflets, options: BuildOptions):
    """Leaflets past their next-review date are not built, unless the operator allows it:
    then they are, with "review overdue" on every page."""
    current, overdue, problems = [], set(), []
    for leaflet in leaflets:
        if options.today <= leaflet.next_review:
            current.append(leaflet)
        elif options.allow_overdue:
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


def build_leaflets(renderers: Renderers, leaflets, locale_catalogs, overdue, validator, progress):
    """Every leaflet in every loaded language and format, generic (lines for the clinic)."""
    documents: dict[tuple, LeafletDocument] = {}
    failures, problems = [], []
    for leaflet in leaflets:
        for locale, catalog in locale_catalogs.items():
            try:
                check_printable(renderers, leaflet, catalog, clinic=None)
            except ProblemError as error:
                problems += error.problems
                failures += [publish.Failure("leaflet", (leaflet.slug, locale, f.paper, f.variant),
                                             str(error.problems[0])) for f in FORMATS]
                continue
            for format in FORMATS:
                key = (leaflet.slug, locale, format.paper, format.variant)
                progress.advance(f"{leaflet.slug} [{locale}] {format.suffix}")
                try:
                    document = render_leaflet(renderers, leaflet, catalog, format, clinic=None,
                                              overdue=leaflet.slug in overdue)
                    validator.submit(key, document.pdf, catalog.path or leaflet.path, locale, leaflet.slug)
                    documents[key] = document
                except ProblemError as error:
                    problems += error.problems
                    failures.append(publish.Failure("leaflet", key, str(error.problems[0])))
    for key, found in validator.results():
        documents.pop(key, None)
        problems += found
        failures.append(publish.Failure("leaflet", key, str(found[0])))
    return documents, failures, problems


def check_printable(renderers: Renderers, leaflet: Leaflet, catalog: LocaleCatalog,
                    clinic: Clinic | None) -> None:
    """Every message translated, and every character in the language's fonts."""
    needed = [message.text for message in leaflet.messages()] + list(renderers.template_messages)
    missing = catalogs.missing_translations(catalog, needed)
    if missing:
        raise ProblemError(missing)
    # WeasyPrint would only warn about a character no font has; name the message instead.
    untypeable = renderers.coverage.check(
        printed_texts(renderers.settings, leaflet, catalog, needed, clinic), catalog.language,
        leaflet=leaflet.slug)
    if untypeable:
        raise ProblemError(untypeable)


def render_leaflet(renderers: Renderers, leaflet: Leaflet, catalog: LocaleCatalog, format: Format,
                   clinic: Clinic | None, overdue: bool) -> LeafletDocument:
    """One leaflet in one language and format; overflowing its page budget is a problem."""
    html = render.render_leaflet(renderers.environment, renderers.settings, leaflet, catalog,
                                 format=format, clinic=clinic, draft=not catalog.review.approved,
                                 overdue=overdue)
    locale = catalog.language.locale
    pdf = renderers.pdf.render(html, source=catalog.path or leaflet.path, variant=format.variant,
                               locale=locale, leaflet=leaflet.slug)
    budget = leaflet.budget(format.variant)
    if pdf.pages > budget:
        raise ProblemError([Problem(catalog.path or leaflet.path, None,
                                    f"the {catalog.language.english_name} leaflet {leaflet.slug!r} "
                                    f"({format.variant}, {format.paper}) takes {pdf.pages} pages; "
                                    f"its budget is {budget}", locale=locale, leaflet=leaflet.slug)])
    return LeafletDocument(leaflet=leaflet, language=catalog.language, format=format,
                           title=catalog.translations.gettext(leaflet.title.text), pdf=pdf,
                           clinic=clinic, translation=catalog.review.state)


def printed_texts(settings: Settings, leaflet: Leaflet, catalog: LocaleCatalog, needed, clinic):
    """(file, line, text) for every text a leaflet prints: its messages and the clinic's details."""
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
    if clinic:
        for field_ in dataclasses.fields(clinic):
            values = getattr(clinic, field_.name)
            for value in values if isinstance(values, tuple) else (values,):
                yield settings.relative(settings.packs_file), None, value


def build_packs(renderers: Renderers, pack_list, leaflets, locale_catalogs, documents, overdue,
                validator, progress):
    """Each clinic's pack: its cover and its leaflets with its own contact details, merged."""
    settings = renderers.settings
    by_slug = {leaflet.slug: leaflet for leaflet in leaflets}
    built: dict[str, PackDocument] = {}
    failures, problems = [], []
    for pack in pack_list:
        progress.advance(f"pack {pack.id}")
        format = Format(pack.paper, pack.variant)
        try:
            check_pack_contents(settings, pack, format, documents)
            parts = []
            for slug in pack.leaflets:
                for locale in pack.locales:
                    progress.advance(f"pack {pack.id}: {slug} [{locale}]")
                    leaflet, catalog = by_slug[slug], locale_catalogs[locale]
                    check_printable(renderers, leaflet, catalog, pack.clinic)
                    parts.append(render_leaflet(renderers, leaflet, catalog, format, pack.clinic,
                                                overdue=slug in overdue))
            cover_catalog = locale_catalogs[settings.source_locale]
            cover = render_cover(renderers, pack, cover_catalog, parts)
            document = PackDocument(pack=pack, pdf=packs.merge_pack(pack, cover, parts,
                                                                    cover_catalog.language))
            validator.submit((pack.id,), document.pdf, "packs.toml")
            built[pack.id] = document
        except ProblemError as error:
            problems += error.problems
            failures.append(publish.Failure("pack", (pack.id,), str(error.problems[0])))
    for (pack_id,), found in validator.results():
        built.pop(pack_id, None)
        problems += found
        failures.append(publish.Failure("pack", (pack_id,), str(found[0])))
    return list(built.values()), failures, problems


def check_pack_contents(settings: Settings, pack, format: Format, documents) -> None:
    """A pack is rebuilt only when every leaflet it lists was built in every language it lists."""
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
    unavailable = [f"{slug} [{locale}]" for slug in pack.leaflets for locale in pack.locales
                   if (slug, locale, format.paper, format.variant) not in documents]
    if unavailable:
        raise ProblemError([Problem("packs.toml", pack.line, f"pack {pack.id!r} not rebuilt: "
                                    f"{', '.join(unavailable)} did not build")])


def render_cover(renderers: Renderers, pack, catalog, parts) -> Pdf:
    """The cover lists the page each leaflet starts on, which depends on the cover's own length."""
    cover_pages = 1
    while True:
        starts = packs.contents_pages(cover_pages, parts)
        entries = [render.ContentsEntry(part.language, part.title, start, part.pdf.pages)
                   for part, start in zip(parts, starts)]
        html = render.render_pack_cover(renderers.environment, renderers.settings, pack, catalog,
                                        entries,
                                        created=max(part.leaflet.last_reviewed for part in parts))
        cover = renderers.pdf.render(html, source="packs.toml", variant=pack.variant)
        if cover.pages == cover_pages:
            return cover
        cover_pages = cover.pages


def expected_but_unbuildable(settings, leaflets, problems, locale_catalogs, broken_locales):
    """Documents that exist from earlier builds but whose inputs are broken this time."""
    failures = []
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


class Validator:
    """Checks rendered PDFs (qpdf, Ghostscript, pdffonts) in background threads while
    rendering goes on; a PDF already published with the same bytes passed before."""

    def __init__(self, settings: Settings):
        self.published = publish.published_checksums(settings.output_dir)
        self.pool = ThreadPoolExecutor(max_workers=2)
        self.pending: list = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.pool.shutdown(wait=True)

    def submit(self, key: tuple, pdf: Pdf, source: str, locale: str | None = None,
               leaflet: str | None = None) -> None:
        if hashlib.sha256(pdf.data).hexdigest() in self.published:
            return
        future = self.pool.submit(validate.validate_pdf, pdf.data)
        self.pending.append((key, future, source, locale, leaflet))

    def results(self):
        """(key, problems) for every submitted PDF that failed; clears the queue."""
        pending, self.pending = self.pending, []
        for key, future, source, locale, leaflet in pending:
            failed = future.result()
            if failed:
                yield key, [Problem(source, None, f"the PDF failed validation: {message}",
                                    locale=locale, leaflet=leaflet) for message in failed]


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
