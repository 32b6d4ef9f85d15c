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
from leafpub.catalogs import catalogs, publishable, signoff
from leafpub.commands import status
from leafpub.content import content
from leafpub.packs import assembly
from leafpub.plan import plan
from leafpub.publish import publish
from leafpub.render import documents, pool, templating
from leafpub.web import site, web
from leafpub.model import Settings
from leafpub.problems import Problem, ProblemError, Problems


@dataclass(frozen=True)
class BuildReport:
    manifest: dict
    problems: tuple[Problem, ...]
    rendered: tuple[tuple[str, str], ...] = ()  #: (what, why) for every PDF rendered this time
    stats: tuple = ()  #: JobResults of the rendered PDFs (time, worker memory)
    formats_made: tuple[tuple[str, str], ...] = ()  #: (path, why) for every braille file made
    spoken: tuple = ()  #: audio.stage.AudioFile of every leaflet's audio in every language (.made: spoken this time)


def build(settings: Settings, progress: pool.Progress | None = None, *, today: date | None = None,
          allow_overdue: bool = False, workers: int = 1, scheduler: str | None = None,
          dump_html: Path | None = None) -> BuildReport:
    """Regenerate every leaflet and pack into output/; problems fail only what they touch.
    Only documents whose inputs changed are rendered, in `workers` processes (or on a Dask
    cluster at `scheduler`)."""
    progress, problems, day = progress or pool.Progress(), Problems(), today or date.today()
    # Every document is made with templates/: a link or a pipe there stops the whole build.
    plan.raise_problems(sources.tree(settings.root, settings.templates_dir)[1])
    if workers > 1 and not scheduler and not sources.read_manifest(settings.output_dir):
        # A first build renders everything: the workers' WeasyPrint is imported while the
        # inputs are read. A rebuild starts workers only if something must be rendered.
        pool.start_forkserver()

    # 1. Content: the canonical leaflets (none withdrawn or past its review date) and the
    #    clinic packs (none listing a withdrawn leaflet).
    progress.phase("reading the leaflets, packs.toml and the catalogs")
    found, pack_list = content.load_leaflets(settings), config.load_packs(settings)
    current = plan.split_withdrawn(found.leaflets, pack_list.packs, day)
    reviewed = plan.split_by_review_date(current.leaflets, day, allow_overdue)
    # Each leaflet's clinical sign-off, if it names the English as it is now; until one does,
    # every page of the leaflet says so (a refused record counts as none: `status` says why).
    leaflets = signoff.attach(settings, reviewed.leaflets)
    problems.add(found.problems, reviewed.problems, pack_list.problems, current.problems)

    # 2. Catalogs: every locale's translations, checked; a broken one fails alone.
    template_messages = tuple(templating.template_messages(templating.make_environment(settings),
                                                       templating.LEAFLET_TEMPLATES, settings))
    locales = publishable.load_publishable(settings, catalogs.needed_messages(leaflets, template_messages))
    problems.add(locales.problems)

    # 3. Plan: every leaflet in every language and format, keyed by all its inputs, or held back (why).
    renderers = documents.Renderers.for_build(settings, template_messages, dump_html)
    leaflet_plan = plan.plan_leaflets(leaflets, locales.catalogs.values(), reviewed.overdue,
                                      {**found.unread, **reviewed.late}, locales.broken)
    progress.phase(f"planning {len(leaflet_plan.planned)} leaflet PDFs in {len(locales.catalogs)} languages "
                   f"and {len(current.packs)} packs")

    # 4. Render and assemble, in parallel, only what changed: the packs' leaflets first (their
    #    contact boxes left empty, shared by every clinic), then each pack's assembly and
    #    every leaflet. A pack takes longest, so the leaflets fill the other workers. Meanwhile
    #    each leaflet is read aloud in every language, in processes of their own (audio/).
    with (audio.speaking(settings, leaflets, locales.catalogs) as speaking,
          pool.open_pool(settings, workers, scheduler) as workers_pool):
        pack_plan = assembly.plan_packs(renderers, current.packs, leaflets, locales.catalogs, reviewed.overdue,
                                        workers_pool, progress)
        built = documents.build_leaflets(renderers, leaflet_plan.planned, workers_pool, progress, pack_plan.jobs)
        stats = tuple(workers_pool.stats)
    progress.finish()
    packs = assembly.finish_packs(renderers, pack_plan.planned, built.assembled, built.documents)
    problems.add(built.problems, pack_plan.problems, packs.problems)

    # 5. Braille: every leaflet in every language with a braille table, checked by translating it back.
    progress.phase("translating into braille")
    brailled = braille.build(settings, leaflets, locales.catalogs, reviewed.overdue, renderers.inputs,
                             broken=locales.broken, withdrawn=current.withdrawn)
    failures = [*leaflet_plan.failures(built.documents, built.stopped), *pack_plan.failures, *packs.failures,
                *plan.named_packs(problems), *brailled.failures]
    problems.add(brailled.problems)

    # 6. Audio: the languages whose PDFs were built, through the audio gate.
    progress.phase("audio: every leaflet read aloud in every language")
    spoken = speaking.results(built=built.languages, failures=failures)
    problems.add(spoken.problems)
    failures, made_formats = [*failures, *spoken.failures], brailled.files + spoken.files

    # 7. Web versions: every leaflet in every language whose PDFs were built, linking them, its braille and audio.
    progress.phase("making the web versions")
    web_made = web.web_versions(settings, renderers.environment, leaflets, locales.catalogs, reviewed.overdue,
                                built=built.documents.values(), failures=failures, previous=renderers.previous,
                                inputs=renderers.inputs, formats=made_formats)
    problems.add(web_made.problems)
    failures += web_made.failures

    # 8. Publish what was built; what failed keeps its last good version, marked outdated.
    progress.phase(f"publishing into {settings.relative(settings.output_dir)}/")
    release = publish.Release(leaflets=tuple(built.documents.values()), packs=packs.built, web=web_made.pages,
                              failures=tuple(failures), problems=problems.all, on=today, withdrawn=current.withdrawn,
                              formats=tuple(made_formats), unavailable=tuple(brailled.unavailable))
    try:
        manifest = publish.publish(settings.output_dir, release, site=lambda manifest, files: site.site_files(
            settings.output_dir, manifest, files, renderers.thumbnails, settings.source_locale,
            review_due_by=status.months_after(day, settings.review_alert_months)))
    except ProblemError as error:
        problems.add(error.problems)
        manifest = sources.read_manifest(settings.output_dir) or {"leaflets": [], "packs": []}
        manifest = {**manifest, "problems": [problem.to_json() for problem in problems]}
    with interrupts.after_publication():
        renderers.cache.prune()
        checkcache.write_waiting(settings)  # what a first build checked, kept once output/ exists
    return BuildReport(manifest=manifest, problems=problems.all, rendered=(*built.rendered, *packs.rendered),
                       stats=stats, formats_made=tuple(brailled.made), spoken=tuple(spoken.spoken))


def main(argv: Sequence[str] | None = None) -> int:
    from leafpub.commands import cli, proofs

    return cli.run(argv, build, proofs.make_proofs)


if __name__ == "__main__":
    sys.exit(main())
