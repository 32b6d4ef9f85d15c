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
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment

from leafpub import catalogs, config, content, fonts, packs, proofs, publish, render
from leafpub.model import Clinic, Leaflet, LeafletDocument, LocaleCatalog, PackDocument, Pdf, Settings
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
class BuildReport:
    manifest: dict
    problems: tuple[Problem, ...]


def build(settings: Settings, progress: Progress | None = None) -> BuildReport:
    """Regenerate every leaflet and pack into output/; problems fail only what they touch."""
    progress = progress or Progress()
    problems: list[Problem] = []

    # 1. Content: the canonical leaflets and the clinic packs.
    leaflets, found = content.load_leaflets(settings)
    problems += found
    pack_list, found = config.load_packs(settings)
    problems += found

    # 2. Catalogs: every locale's translations, checked; a broken one fails alone.
    environment = render.make_environment(settings)
    template_messages = tuple(render.template_messages(environment, render.LEAFLET_TEMPLATES))
    needed = [m.text for leaflet in leaflets for m in leaflet.messages()] + list(template_messages)
    locale_catalogs, broken_locales = load_catalogs(settings, needed)
    problems += [problem for found in broken_locales.values() for problem in found]

    # 3 and 4. HTML and PDF for every leaflet in every language.
    renderers = Renderers(settings, environment, PdfRenderer(settings), fonts.GlyphCoverage(settings),
                          template_messages)
    progress.start(len(leaflets) * len(locale_catalogs) + sum(
        1 + len(pack.leaflets) * len(pack.locales) for pack in pack_list))
    documents, failures, found = build_leaflets(renderers, leaflets, locale_catalogs, progress)
    problems += found

    # 5. Packs: a cover, then each leaflet with the clinic's own details, merged.
    pack_documents, pack_failures, found = build_packs(renderers, pack_list, leaflets,
                                                       locale_catalogs, documents, progress)
    problems += found
    progress.finish()

    # 6. Publish what was built; what failed keeps its last good version.
    failures += pack_failures + expected_but_unbuildable(settings, leaflets, problems,
                                                         locale_catalogs, broken_locales)
    manifest = publish.publish(settings.output_dir, publish.Release(
        leaflets=tuple(documents.values()), packs=tuple(pack_documents),
        failures=tuple(failures), problems=tuple(problems)))
    return BuildReport(manifest=manifest, problems=tuple(problems))


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


def build_leaflets(renderers: Renderers, leaflets, locale_catalogs, progress):
    """Every leaflet in every loaded language, generic (with lines for the clinic to fill in)."""
    settings = renderers.settings
    documents: dict[tuple, LeafletDocument] = {}
    failures, problems = [], []
    for leaflet in leaflets:
        for locale, catalog in locale_catalogs.items():
            key = (leaflet.slug, locale, settings.paper)
            progress.advance(f"{leaflet.slug} [{locale}]")
            try:
                documents[key] = build_leaflet(renderers, leaflet, catalog, settings.paper,
                                               clinic=None)
            except ProblemError as error:
                problems += error.problems
                failures.append(publish.Failure("leaflet", key, str(error.problems[0])))
    return documents, failures, problems


def build_leaflet(renderers: Renderers, leaflet: Leaflet, catalog: LocaleCatalog, paper: str,
                  clinic: Clinic | None) -> LeafletDocument:
    """One leaflet in one language; a missing translation or an overflowing page is a problem."""
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
    html = render.render_leaflet(renderers.environment, renderers.settings, leaflet, catalog,
                                 paper=paper, clinic=clinic, draft=not catalog.review.approved)
    locale = catalog.language.locale
    pdf = renderers.pdf.render(html, source=catalog.path or leaflet.path, locale=locale,
                               leaflet=leaflet.slug)
    if pdf.pages > leaflet.page_budget:
        raise ProblemError([Problem(catalog.path or leaflet.path, None,
                                    f"the {catalog.language.english_name} leaflet {leaflet.slug!r} "
                                    f"takes {pdf.pages} pages; its budget is {leaflet.page_budget}",
                                    locale=locale, leaflet=leaflet.slug)])
    return LeafletDocument(leaflet=leaflet, language=catalog.language, paper=paper,
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
        for field in dataclasses.fields(clinic):
            values = getattr(clinic, field.name)
            for value in values if isinstance(values, tuple) else (values,):
                yield settings.relative(settings.packs_file), None, value


def build_packs(renderers: Renderers, pack_list, leaflets, locale_catalogs, documents, progress):
    """Each clinic's pack: its cover and its leaflets with its own contact details, merged."""
    settings = renderers.settings
    by_slug = {leaflet.slug: leaflet for leaflet in leaflets}
    built, failures, problems = [], [], []
    for pack in pack_list:
        progress.advance(f"pack {pack.id}")
        try:
            check_pack_contents(settings, pack, documents)
            parts = []
            for slug in pack.leaflets:
                for locale in pack.locales:
                    progress.advance(f"pack {pack.id}: {slug} [{locale}]")
                    parts.append(build_leaflet(renderers, by_slug[slug], locale_catalogs[locale],
                                               pack.paper, clinic=pack.clinic))
            cover_catalog = locale_catalogs[settings.source_locale]
            cover = render_cover(renderers, pack, cover_catalog, parts)
            built.append(PackDocument(pack=pack, pdf=packs.merge_pack(pack, cover, parts,
                                                                      cover_catalog.language)))
        except ProblemError as error:
            problems += error.problems
            failures.append(publish.Failure("pack", (pack.id,), str(error.problems[0])))
    return built, failures, problems


def check_pack_contents(settings: Settings, pack, documents) -> None:
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
                   if (slug, locale, settings.paper) not in documents]
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
        cover = renderers.pdf.render(html, source="packs.toml")
        if cover.pages == cover_pages:
            return cover
        cover_pages = cover.pages


def expected_but_unbuildable(settings, leaflets, problems, locale_catalogs, broken_locales):
    """Documents that exist from earlier builds but whose inputs are broken this time."""
    failures = []
    broken_slugs = {Path(p.path).stem for p in problems
                    if p.path.startswith("leaflets/") and p.path.endswith(".md")}
    slugs = {leaflet.slug for leaflet in leaflets} | broken_slugs
    for locale, found in broken_locales.items():
        for slug in slugs:
            failures.append(publish.Failure("leaflet", (slug, locale, settings.paper), str(found[0])))
    for slug in broken_slugs:
        for locale in locale_catalogs:
            failures.append(publish.Failure("leaflet", (slug, locale, settings.paper),
                                            f"{slug}: the leaflet source has problems"))
    return failures


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
