"""One command's settings and arguments -> its work done, its results printed and its exit status."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Callable
from datetime import date
from typing import NamedTuple

from ..catalogs import approvals, catalogs, locks
from . import audio_commands, status, system
from ..model import Settings
from ..online import WEB_VARIANT, is_example
from ..problems import Problem, ProblemError
from .terminal import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, PlainProgress, RichProgress, fail_usage, say, say_json, shown


class Stages(NamedTuple):
    """The build (pipeline.py) and proofs.make_proofs, handed in by pipeline.main."""

    build: Callable
    make_proofs: Callable


def build_command(settings: Settings, arguments: argparse.Namespace, stages: Stages) -> int:
    missing = system.check_system(settings)
    if missing:
        for line in missing:
            say(f"error: {line}", error=True)
        return EXIT_USAGE
    return run_build(settings, stages.build, plain=arguments.no_progress or not sys.stdout.isatty(),
                     allow_overdue=arguments.allow_overdue, workers=arguments.jobs,
                     scheduler=arguments.scheduler, dump_html=arguments.dump_html)


def extract_command(settings: Settings, arguments: argparse.Namespace, stages: Stages) -> int:
    write_template(settings)
    return EXIT_OK


def update_command(settings: Settings, arguments: argparse.Namespace, stages: Stages) -> int:
    template = write_template(settings)
    for locale, counts in catalogs.update_catalogs(settings, template).items():
        todo = counts["fuzzy"] + counts["untranslated"]
        state = "complete" if not todo else (f"{counts['fuzzy']} fuzzy, "
                                             f"{counts['untranslated']} untranslated")
        say(f"updated {locale}: {counts['translated']} translated, {state}")
    return EXIT_OK


def write_template(settings: Settings):
    template = catalogs.extract(settings)
    say(f"wrote {settings.relative(settings.pot_file)} ({len(template)} messages)")
    return template


def init_command(settings: Settings, arguments: argparse.Namespace, stages: Stages) -> int:
    path = catalogs.init_catalog(settings, arguments.locale)
    say(f"created {settings.relative(path)}: translate it in Poedit or any PO editor, "
        f"then run 'pipeline.py build'")
    return EXIT_OK


def compile_command(settings: Settings, arguments: argparse.Namespace, stages: Stages) -> int:
    for path in catalogs.compile_catalogs(settings):
        say(f"wrote {settings.relative(path)}")
    return EXIT_OK


def status_command(settings: Settings, arguments: argparse.Namespace, stages: Stages) -> int:
    return show_status(settings, arguments.locales, arguments.json)


def check_command(settings: Settings, arguments: argparse.Namespace, stages: Stages) -> int:
    return run_check(settings, arguments.locales)


def proof_command(settings: Settings, arguments: argparse.Namespace, stages: Stages) -> int:
    """preview and review: the same proofs machinery, a different kind of PDF."""
    missing = system.check_system(settings)
    if missing:
        return fail_usage(missing[0])
    kind = "proof" if arguments.command == "preview" else "review"
    if kind == "review" and arguments.locale == settings.source_locale:  # the clinician's sign-off sheet
        from .signoff_sheet import make_signoff_sheets

        written = make_signoff_sheets(settings, arguments.leaflet)
    else:
        written = stages.make_proofs(settings, arguments.locale, kind, arguments.leaflet)
    for path in written:
        say(f"wrote {settings.relative(path)}")
    return EXIT_OK


def serve_command(settings: Settings, arguments: argparse.Namespace, stages: Stages) -> int:
    return serve_output(settings, arguments.bind, arguments.port)


def readability_command(settings: Settings, arguments: argparse.Namespace, stages: Stages) -> int:
    return show_readability(settings, arguments.leaflets, arguments.json)


def approve_command(settings: Settings, arguments: argparse.Namespace, stages: Stages) -> int:
    if arguments.locale == settings.source_locale:
        with locks.catalog_lock(settings, arguments.locale):  # one sign-off record written at a time
            return approve_clinical(settings, arguments)
    if arguments.leaflet:
        return fail_usage(f"--leaflet is for the clinical sign-off ('approve {settings.source_locale}'): "
                          "a translation is approved for every leaflet at once")
    with locks.catalog_lock(settings, arguments.locale):  # the approval names the catalog as it is while held
        catalog, path, back, on = record_approval(settings, arguments)
    with_back = f", with the back-translation {back[0]} (SHA-256 {back[1][:12]}...)" if back else ""
    say(f"recorded in {settings.relative(path)}: {catalog.language.english_name} approved by "
        f"{arguments.by} on {on}{with_back}. Any later change to the catalog makes it a draft again.")
    return EXIT_OK


def record_approval(settings: Settings, arguments: argparse.Namespace):
    catalog = catalogs.load_catalog(settings, arguments.locale)
    needed, _ = status.source_messages(settings)
    problems = catalogs.publication_problems(catalog, needed)
    if problems:
        raise ProblemError(problems)
    on = arguments.on or date.today()
    back = None
    if arguments.back_translation is not None:
        from ..exchange.backtranslation import for_approval

        back = for_approval(settings, arguments.locale, arguments.back_translation)
    return catalog, approvals.record_approval(settings, catalog, arguments.by, on, back), back, on


def approve_clinical(settings: Settings, arguments: argparse.Namespace) -> int:
    """approve en: a clinician signs off the English of the leaflets named (all by default)."""
    from ..content import content
    from ..catalogs import signoff

    if arguments.back_translation is not None:
        return fail_usage(f"--back-translation is for a translation, not the source language {settings.source_locale}")
    loaded = content.load_leaflets(settings)
    leaflets, found = loaded.leaflets, loaded.problems
    unknown = [slug for slug in arguments.leaflet if slug not in {leaflet.slug for leaflet in leaflets}]
    broken = [problem for problem in found if not arguments.leaflet or problem.leaflet in arguments.leaflet]
    if broken or unknown:
        # A leaflet that does not load cannot be signed off: nothing is recorded.
        raise ProblemError([*broken, *(Problem("leaflets", None, f"no leaflet {slug!r} to sign off")
                                      for slug in unknown)])
    chosen = [leaflet for leaflet in leaflets if not arguments.leaflet or leaflet.slug in arguments.leaflet]
    on = arguments.on or date.today()
    path, recorded = signoff.record_signoffs(settings, chosen, arguments.by, on)
    for signed in recorded:
        say(f"recorded in {settings.relative(path)}: the clinical content of {signed.slug!r} version "
            f"{signed.version} approved by {signed.by} on {on}. Any later edit to leaflets/{signed.slug}.md "
            "needs a new sign-off.")
    return EXIT_OK


def show_status(settings, locales: list[str], as_json: bool) -> int:
    rows, source_problems = status.locale_statuses(settings, locales or None)
    months = settings.review_alert_months
    current = leaflets_of(settings)
    due = status.due_for_review(current, date.today(), months)
    clinical = status.clinical_statuses(settings, current)
    stale = audio_commands.stale_recordings(settings)  # a clinic's recordings whose text changed since
    if as_json:
        say_json({"locales": [row.to_json() for row in rows], "clinical_sign_off": clinical,
                  "source_braille": status.source_braille(settings), "source_audio": status.source_audio(settings),
                  "recordings_to_record_again": [problem.to_json() for problem in stale],
                  "source_problems": [p.to_json() for p in source_problems],
                  "due_for_review": [{"leaflet": leaflet.slug, "next_review": str(leaflet.next_review),
                                      "owner": leaflet.owner, "days_left": left}
                                     for leaflet, left in due]})
    else:
        from rich.console import Console
        from rich.table import Table
        from rich.text import Text

        table = Table(title="Translations")
        for column in ("locale", "language", "translated", "fuzzy", "untranslated", "checks failing",
                       "review", "back-translation", "publishable", "published"):
            table.add_column(column, justify="right" if column in ("translated", "fuzzy", "untranslated",
                                                                    "checks failing") else "left")
        for row in rows:
            count = (lambda n: "?" if n is None else str(n))
            cells = (row.locale, row.language, count(row.translated), count(row.fuzzy),
                     count(row.untranslated), str(row.checks_failing),
                     row.review + (f" ({row.reviewer})" if row.reviewer else ""), row.back_translation,
                     "yes" if row.publishable else f"no: {row.why}", row.published)
            # Text, not markup: a reviewer called "[red]x" is shown as typed, escaped.
            table.add_row(*(Text(shown(cell)) for cell in cells))
        Console(width=max(160, Console().width)).print(table)
        source = settings.source_locale  # the source language has no catalog row, but braille
        say(f"braille in the source language ({source}): {status.source_braille(settings)}")
        for row in rows:  # whether each language's braille is published, or why not
            say(shown(f"braille in {row.language} ({row.locale}): {row.braille}"))
        say(f"audio in the source language ({source}): {status.source_audio(settings)}")
        for row in rows:
            say(shown(f"audio in {row.language} ({row.locale}): {row.audio}"))
        for problem in source_problems:
            say(f"error: {problem}", error=True)
    if as_json:
        return EXIT_OK if all(row.publishable for row in rows) and not source_problems else EXIT_PROBLEMS
    for row in clinical:
        say(f"clinical sign-off of {status.clinical_line(row)}")
    for problem in stale:
        say(f"record again: {problem}")
    say(f"leaflets due for review in the next {months} months (review-alert-months): " + (", ".join(
        f"{leaflet.slug} ({leaflet.next_review}, owner {leaflet.owner}, "
        + (f"{-left} days overdue)" if left < 0 else f"in {left} days)") for leaflet, left in due)
        or "none"))
    return EXIT_OK if all(row.publishable for row in rows) and not source_problems else EXIT_PROBLEMS


def show_readability(settings, slugs: list[str], as_json: bool) -> int:
    from ..content import content, readability

    loaded = content.load_leaflets(settings)
    if loaded.problems:
        raise ProblemError(loaded.problems)
    reports = [readability.assess(leaflet) for leaflet in loaded.leaflets if not slugs or leaflet.slug in slugs]
    if as_json:
        say_json([dataclasses.asdict(report) for report in reports])
        return EXIT_OK
    low, high = readability.TARGET_GRADE
    for report in reports:
        say(f"{report.slug}: target US grade {low:g}-{high:g} (reading age 9-11)")
        for section in (*report.sections, report.whole):
            mark = "" if section.on_target else "   above target"
            say(f"  {section.heading:<40} {section.words:>4} words  ease {section.reading_ease:5.1f}"
                f"  grade {section.grade:4.1f}{mark}")
        say("  longest sentences:")
        for words, sentence in report.longest_sentences:
            say(f"    {words:>3} words: {sentence}")
    return EXIT_OK


def run_check(settings, locales: list[str]) -> int:
    rows, source_problems = status.locale_statuses(settings, locales or None)
    for problem in source_problems:
        say(f"error: {problem}", error=True)
    for row in rows:
        for problem in row.problems:
            say(f"error: {problem}", error=True)
        say(f"{row.locale}: " + ("ok" if not row.problems else f"{len(row.problems)} problem(s)"))
    return EXIT_PROBLEMS if source_problems or any(row.problems for row in rows) else EXIT_OK


def serve_output(settings, bind: str, port: int) -> int:
    from ..web.preview import make_server

    if not (settings.output_dir / "index.html").is_file():
        return fail_usage("output/index.html does not exist yet: run 'pipeline.py build' first")
    try:
        server = make_server(settings.output_dir, bind, port, log=lambda line: say(line, error=True))
    except OSError as error:
        return fail_usage(f"cannot listen on {bind} port {port} ({error.strerror or error}); try --port")
    host = f"[{bind}]" if ":" in bind else bind
    say(f"serving {settings.relative(settings.output_dir)}/ at http://{host}:{port}/ (Ctrl-C stops)")
    try:
        server.serve_forever()
    finally:
        server.server_close()
    return EXIT_OK


def leaflets_of(settings):
    from ..content import content

    return tuple(leaflet for leaflet in content.load_leaflets(settings).leaflets
                 if leaflet.withdrawn is None or leaflet.withdrawn > date.today())


def run_build(settings, build: Callable, plain: bool, **options) -> int:
    progress = PlainProgress() if plain else RichProgress()
    try:
        report = build(settings, progress, **options)
    finally:
        progress.finish()  # the bar is gone before any line below (or an interrupt's)
    for path, reason in sorted(report.rendered):
        say(f"rendered {path}: {reason}")
    manifest = report.manifest
    current = [e for e in manifest["leaflets"] if "outdated" not in e and e["variant"] == "standard"
               and e["paper"] == "A4"]
    outdated = [e for e in (*manifest["leaflets"], *manifest["packs"]) if "outdated" in e]
    packs = [e for e in manifest["packs"] if "outdated" not in e]
    locales = sorted({e["locale"] for e in current})
    files = sum(1 for e in manifest["leaflets"] if "outdated" not in e and e["variant"] != WEB_VARIANT)
    pages = sum(1 for e in manifest["leaflets"] if "outdated" not in e and e["variant"] == WEB_VARIANT)
    say(f"rendered {len(report.rendered)} PDFs, reused {files + len(packs) - len(report.rendered)} "
        "unchanged ones")
    made = [audio for audio in report.spoken if audio.made]
    say(f"spoke {len(made)} audio files ({', '.join(f'{a.slug} [{a.locale}]' for a in made) or 'none'}), reused "
        f"{len(report.spoken) - len(made)} unchanged ones")
    say(f"published {len(current)} leaflets in {len(locales)} languages ({', '.join(locales)}), "
        f"{files} leaflet PDFs in all papers and variants, {pages} web pages, and {len(packs)} packs to "
        f"{settings.relative(settings.output_dir)}/")
    if is_example(settings.site_url):
        say(f"note: site-url in pyproject.toml is an example address ({settings.site_url}), which every "
            "printed leaflet's QR code opens: set your site's address before printing")
    for line in outdated_lines(outdated):
        say(line)
    for problem in report.problems:
        say(f"error: {problem}", error=True)
    if report.problems:
        say(f"{len(report.problems)} problem(s); see above and output/manifest.json", error=True)
        return EXIT_PROBLEMS
    return EXIT_OK


def outdated_lines(outdated: list[dict], shown: int = 20) -> list[str]:
    """Each reason a file was kept outdated once (a broken catalog keeps every file of its
    language), then the files it kept, at most `shown` files in all."""
    by_reason: dict[str, list[str]] = {}
    for entry in outdated:
        by_reason.setdefault(str(entry["outdated"]), []).append(entry["path"])
    lines, listed = [], 0
    for reason, paths in by_reason.items():
        lines.append(f"kept outdated ({len(paths)} file{'s' * (len(paths) > 1)}): {reason}")
        lines += [f"    {path}" for path in paths[:max(0, shown - listed)]]
        listed += len(paths)
    if listed > shown:
        lines.append(f"    and {listed - shown} more files (see output/manifest.json)")
    return lines


def archive_command(settings, arguments, stages) -> int:
    from .. import sources
    from ..publish import archive

    entries = archive.listing(sources.read_manifest(settings.output_dir))
    if arguments.json:
        say_json({"archive": entries})
        return EXIT_OK
    if not entries:
        say(f"the archive is empty: no release has superseded a leaflet PDF in {settings.relative(settings.output_dir)}/")
        return EXIT_OK
    for entry in entries:
        withdrawn = f", leaflet withdrawn {entry['withdrawn']}" if entry.get("withdrawn") else ""
        kind = " ".join(str(part) for part in (entry.get("paper"), entry.get("variant")) if part)  # braille, audio: no paper
        say(f"{entry.get('path')}  version {entry.get('version')}, {entry.get('locale')}, {kind}: published {entry.get('published') or 'before the archive was kept'}, "
            f"superseded {entry.get('superseded')}{withdrawn}; SHA-256 {entry.get('sha256')}")
        if entry.get("change_note"):
            say(f"    change note of version {entry.get('version')}: {entry['change_note']}")
    return EXIT_OK
