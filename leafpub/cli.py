"""Command line: parse arguments, run a command, print results; the only place that prints."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from . import catalogs, config, system
from .problems import ProblemError

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2

DESCRIPTION = """\
Publish patient leaflets in many languages: the English leaflets in leaflets/ and
the catalogs in translations/ become print-ready PDFs and clinic packs in output/."""

EPILOG = """\
translator's day:  init LOCALE -> edit translations/LOCALE/LC_MESSAGES/messages.po -> build
operator's day:    update (after the English changes) -> build
exit status: 0 all built; 1 some documents not built (problems listed, with file:line);
             2 usage error or a missing system requirement"""


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pipeline.py", description=DESCRIPTION, epilog=EPILOG,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--project", type=Path, metavar="DIR",
                        help="the project folder (default: the nearest folder with a "
                             "pyproject.toml that has [tool.leafpub])")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def command(name: str, summary: str, details: str = "") -> argparse.ArgumentParser:
        return commands.add_parser(name, help=summary, description=f"{summary}\n\n{details}".strip(),
                                   formatter_class=argparse.RawDescriptionHelpFormatter)

    build = command("build", "regenerate every leaflet and pack into output/",
                    "Each leaflet is rendered in every language that has a catalog, then the\n"
                    "packs in packs.toml are merged. A broken catalog or leaflet fails only the\n"
                    "documents that need it: their last good PDFs stay in place, the problems are\n"
                    "listed with file and line, and the exit status is 1.\n"
                    "Writes output/manifest.json (paths, SHA-256, pages, problems).")
    build.add_argument("--no-progress", action="store_true",
                       help="print one line per document instead of a progress bar")
    command("extract", "write translations/messages.pot from leaflets/ and templates/",
            "The same as: pybabel extract -F babel.cfg -c Translators: "
            "-o translations/messages.pot .")
    command("update", "extract, then merge the template into every catalog",
            "Messages whose English changed become fuzzy and keep the previous English\n"
            "(#| lines) so the translator sees what changed. Reports what each locale\n"
            "still needs.")
    init = command("init", "start a catalog for a new language",
                   "Creates translations/LOCALE/LC_MESSAGES/messages.po from the template.\n"
                   "Example: pipeline.py init pt_BR")
    init.add_argument("locale", metavar="LOCALE", help="a locale code such as de, pt_BR or zh_Hans")
    command("compile", "write messages.mo beside every catalog (for other gettext tools)",
            "The build does not need .mo files; they are not committed.")
    return parser


def run(argv: Sequence[str] | None, build: Callable) -> int:
    arguments = make_parser().parse_args(argv)
    root = (arguments.project or config.find_project_root(Path.cwd()) or Path.cwd()).resolve()
    if not (root / "pyproject.toml").is_file():
        return fail_usage(f"{root} is not a leaflet project (no pyproject.toml); use --project DIR")
    try:
        settings = config.load_settings(root)
        if arguments.command == "build":
            missing = system.check_system(settings)
            if missing:
                for line in missing:
                    print(f"error: {line}", file=sys.stderr)
                return EXIT_USAGE
            return run_build(settings, build, plain=arguments.no_progress or not sys.stdout.isatty())
        if arguments.command == "extract":
            template = catalogs.extract(settings)
            print(f"wrote {settings.relative(settings.pot_file)} ({len(template)} messages)")
        elif arguments.command == "update":
            template = catalogs.extract(settings)
            print(f"wrote {settings.relative(settings.pot_file)} ({len(template)} messages)")
            for locale, counts in catalogs.update_catalogs(settings, template).items():
                todo = counts["fuzzy"] + counts["untranslated"]
                state = "complete" if not todo else (f"{counts['fuzzy']} fuzzy, "
                                                     f"{counts['untranslated']} untranslated")
                print(f"updated {locale}: {counts['translated']} translated, {state}")
        elif arguments.command == "init":
            path = catalogs.init_catalog(settings, arguments.locale)
            print(f"created {settings.relative(path)}: translate it in Poedit or any PO editor, "
                  f"then run 'pipeline.py build'")
        elif arguments.command == "compile":
            for path in catalogs.compile_catalogs(settings):
                print(f"wrote {settings.relative(path)}")
    except ProblemError as error:
        for problem in error.problems:
            print(f"error: {problem}", file=sys.stderr)
        return EXIT_PROBLEMS
    return EXIT_OK


def fail_usage(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return EXIT_USAGE


def run_build(settings, build: Callable, plain: bool) -> int:
    progress = PlainProgress() if plain else RichProgress()
    report = build(settings, progress)
    manifest = report.manifest
    current = [e for e in manifest["leaflets"] if "outdated" not in e]
    outdated = [e for e in (*manifest["leaflets"], *manifest["packs"]) if "outdated" in e]
    packs = [e for e in manifest["packs"] if "outdated" not in e]
    locales = sorted({e["locale"] for e in current})
    print(f"published {len(current)} leaflet PDFs in {len(locales)} languages "
          f"({', '.join(locales)}) and {len(packs)} packs to "
          f"{settings.relative(settings.output_dir)}/")
    for entry in outdated:
        print(f"kept outdated: {entry['path']} ({entry['outdated']})")
    for problem in report.problems:
        print(f"error: {problem}", file=sys.stderr)
    if report.problems:
        print(f"{len(report.problems)} problem(s); see above and output/manifest.json", file=sys.stderr)
        return EXIT_PROBLEMS
    return EXIT_OK


class PlainProgress:
    """One line per document, for logs and CI."""

    def start(self, total: int) -> None:
        self.total, self.done = total, 0

    def advance(self, description: str) -> None:
        self.done += 1
        print(f"[{self.done}/{self.total}] {description}", flush=True)

    def finish(self) -> None:
        pass


class RichProgress:
    """A progress bar on a terminal."""

    def start(self, total: int) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.bar = Progress(TextColumn("{task.description:<40}"), BarColumn(), MofNCompleteColumn(),
                            TimeElapsedColumn(), transient=True)
        self.bar.start()
        self.task = self.bar.add_task("rendering", total=total)

    def advance(self, description: str) -> None:
        self.bar.update(self.task, advance=1, description=description)

    def finish(self) -> None:
        self.bar.stop()
