"""Patient leaflet pipeline: canonical leaflets -> catalogs -> HTML -> PDF -> clinic packs.

    python pipeline.py build            regenerate everything into output/
    python pipeline.py --help           every command

build() below is the whole flow, one stage after another; each stage is a folder of leafpub/:

    content/   leaflets/*.md, packs.toml, sign-offs   -> Leaflet, Pack
    catalogs/  translations/*/messages.po             -> LocaleCatalog, checked
    plan/      what to build, keyed by its inputs     -> Planned (renders nothing)
    render/    Planned -> HTML -> jobs -> checked PDFs, in worker processes (pdf/ in each worker)
    packs/     pack bases + clinic details            -> pack PDFs
    braille/   leaflets + catalogs                    -> checked BRF files
    audio/     leaflets + catalogs (+ recordings)     -> gated MP3 + chapters (spoken during render)
    web/       leaflets + catalogs + PDFs             -> web versions
    publish/   Release -> output/, manifest.json, archive/, atomically (web/site.py: the download page)
The command line is commands/; exchange/ is the agencies' side of catalogs/; formats/ says what
each language has besides its PDFs; internals/ holds every use of another library's internals.
"""

from __future__ import annotations

if __name__ == "__main__":  # a stop while the libraries below load is reported in one line too
    from leafpub import interrupts as early_interrupts

    early_interrupts.defer()

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from leafpub import audio, checkcache, config, interrupts, sources
from leafpub.braille import stage as braille
from leafpub.catalogs import catalogs, signoff
from leafpub.commands import status
from leafpub.content import content
from leafpub.packs import assembly
from leafpub.plan import plan
from leafpub.publish import publish
from leafpub.render import documents, pool, render
from leafpub.web import site, web
from leafpub.model import Settings
from leafpub.render.pool import Progress
from leafpub.problems import Problem, ProblemError


@dataclass(frozen=True)
class BuildReport:
    manifest: dict
    problems: tuple[Problem, ...]
    rendered: tuple[tuple[str, str], ...] = ()  #: (what, why) for every PDF rendered this time
    stats: tuple = ()  #: JobResults of the rendered PDFs (time, worker memory)
    formats_made: tuple[tuple[str, str], ...] = ()  #: (path, why) for every braille file made
    spoken: tuple = ()  #: audio.stage.AudioFile of every leaflet's audio in every language (.made: spoken this time)


def build(settings: Settings, progress: Progress | None = None, *, today: date | None = None,
          allow_overdue: bool = False, workers: int = 1, scheduler: str | None = None,
          dump_html: Path | None = None) -> BuildReport:
    """Regenerate every leaflet and pack into output/; problems fail only what they touch.
    Only documents whose inputs changed are rendered, in `workers` processes (or on a Dask
    cluster at `scheduler`)."""
    progress, problems = progress or Progress(), []
    # Every document is made with templates/: a link or a pipe there stops the whole build.
    plan.raise_problems(sources.tree(settings.root, settings.templates_dir)[1])
    if workers > 1 and not scheduler and not sources.read_manifest(settings.output_dir):
        # A first build renders everything: the workers' WeasyPrint is imported while the
        # inputs are read. A rebuild starts workers only if something must be rendered.
        pool.start_forkserver()

    # 1. Content: the canonical leaflets (none withdrawn or past its review date) and the
    #    clinic packs (none listing a withdrawn leaflet).
    progress.phase("reading the leaflets, packs.toml and the catalogs")
    leaflets, found = content.load_leaflets(settings)
    packs, broken_packs = config.load_packs(settings)
    leaflets, withdrawn, packs, listing_withdrawn = plan.split_withdrawn(leaflets, packs, today or date.today())
    leaflets, overdue, late = plan.check_review_dates(leaflets, today or date.today(), allow_overdue)
    # Each leaflet's clinical sign-off, if it names the English as it is now; until one does,
    # every page of the leaflet says so (a refused record counts as none: `status` says why).
    leaflets, _ = signoff.attach(settings, leaflets)
    problems += [*found, *late, *broken_packs, *listing_withdrawn]

    # 2. Catalogs: every locale's translations, checked; a broken one fails alone.
    template_messages = tuple(render.template_messages(render.make_environment(settings),
                                                       render.LEAFLET_TEMPLATES, settings))
    locale_catalogs, broken_locales = catalogs.load_publishable(
        settings, catalogs.needed_messages(leaflets, template_messages))
    problems += [problem for found in broken_locales.values() for problem in found]

    # 3. Plan: every leaflet in every language and format, keyed by all its inputs.
    renderers = documents.Renderers.for_build(settings, template_messages, dump_html)
    planned = plan.plan_leaflets(leaflets, locale_catalogs.values(), overdue)
    progress.phase(f"planning {len(planned)} leaflet PDFs in {len(locale_catalogs)} languages "
                   f"and {len(packs)} packs")

    # 4. Render and assemble, in parallel, only what changed: the packs' leaflets first (their
    #    contact boxes left empty, shared by every clinic), then each pack's assembly and
    #    every leaflet. A pack takes longest, so the leaflets fill the other workers. Meanwhile
    #    each leaflet is read aloud in every language, in processes of their own (audio/).
    with audio.speaking(settings, leaflets, locale_catalogs) as speaking, \
            pool.open_pool(settings, workers, scheduler) as workers_pool:
        planned_packs, pack_plan_failures, found = assembly.plan_packs(renderers, packs, leaflets, locale_catalogs,
                                                             overdue, workers_pool, progress)
        built, leaflet_failures, found_leaflets, assembled = documents.build_leaflets(
            renderers, planned, workers_pool, progress, pack_jobs=[p.job for p in planned_packs if p.job])
        problems += found_leaflets + found
    progress.finish()
    built_packs, pack_failures, found = assembly.finish_packs(renderers, planned_packs, assembled, built,
                                                              workers_pool)
    problems += [p for p in found if p not in problems]

    # 5. Braille: every leaflet in every language with a braille table, checked by translating it back.
    failures = leaflet_failures + pack_plan_failures + pack_failures + plan.expected_but_unbuildable(
        leaflets, problems, locale_catalogs, broken_locales)
    progress.phase("translating into braille")
    brailled = braille.build(settings, leaflets, locale_catalogs, overdue, renderers.inputs, broken=broken_locales,
                             withdrawn=withdrawn)
    problems, failures = problems + brailled.problems, failures + brailled.failures

    # 6. Audio: the languages whose PDFs were built, through the audio gate.
    progress.phase("audio: every leaflet read aloud in every language")
    spoken = speaking.results(built=[(d.leaflet.slug, d.language.locale) for d in built.values()], failures=failures)
    problems, failures, made_formats = problems + spoken.problems, failures + spoken.failures, brailled.files + spoken.files

    # 7. Web versions: every leaflet in every language whose PDFs were built, linking them, its braille and audio.
    progress.phase("making the web versions")
    pages, found, web_failures = web.web_versions(settings, renderers.environment, leaflets, locale_catalogs, overdue,
                                                  built=built.values(), failures=failures, previous=renderers.previous,
                                                  inputs=renderers.inputs, formats=made_formats)
    problems, failures = problems + found, failures + web_failures

    # 8. Publish what was built; what failed keeps its last good version, marked outdated.
    progress.phase(f"publishing into {settings.relative(settings.output_dir)}/")
    release = publish.Release(leaflets=tuple(built.values()), packs=tuple(built_packs), failures=tuple(failures),
                              problems=tuple(problems), on=today, withdrawn=withdrawn, web=tuple(pages),
                              formats=tuple(made_formats), unavailable=tuple(brailled.unavailable))
    try:
        manifest = publish.publish(settings.output_dir, release, site=lambda manifest, files: site.site_files(
            settings.output_dir, manifest, files, renderers.thumbnails, settings.source_locale,
            review_due_by=status.months_after(today or date.today(), settings.review_alert_months)))
    except ProblemError as error:
        problems += error.problems
        manifest = sources.read_manifest(settings.output_dir) or {"leaflets": [], "packs": []}
        manifest = {**manifest, "problems": [problem.to_json() for problem in problems]}
    with interrupts.after_publication():
        renderers.cache.prune()
        checkcache.write_waiting(settings)  # what a first build checked, kept once output/ exists
    return BuildReport(manifest=manifest, problems=tuple(problems), rendered=tuple(workers_pool.rendered),
                       stats=tuple(workers_pool.stats), formats_made=tuple(brailled.made),
                       spoken=tuple(spoken.spoken))


def main(argv: Sequence[str] | None = None) -> int:
    from leafpub.commands import cli, proofs

    return cli.run(argv, build, proofs.make_proofs)


if __name__ == "__main__":
    sys.exit(main())
