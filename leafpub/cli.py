"""Command line: parse arguments, run a command, print results; the only place that prints."""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
import signal
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from . import approvals, catalogs, config, interrupts, jobs, status, system
from .problems import ProblemError

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2

DESCRIPTION = """\
Publish patient leaflets in many languages: the English leaflets in leaflets/ and
the catalogs in translations/ become print-ready PDFs and clinic packs in output/."""

EPILOG = """\
translator:  init LOCALE -> edit translations/LOCALE/LC_MESSAGES/messages.po
             -> check LOCALE -> preview LOCALE -> review LOCALE -> approve LOCALE --by NAME
operator:    update (after the English changes) -> status -> build
exit status: 0 all done; 1 problems found (each listed as file:line: message);
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
    build.add_argument("-j", "--jobs", type=int, default=jobs.default_workers(), metavar="N",
                       help="render in N worker processes (default: all %(default)s cores)")
    build.add_argument("--scheduler", metavar="ADDRESS",
                       help="render on an existing Dask distributed cluster, e.g. tcp://host:8786 "
                            "(its workers need this project at the same path; see the README)")
    build.add_argument("--dump-html", type=Path, metavar="DIR",
                       help="also write the exact HTML (and CSS) of every document rendered, "
                            "to reproduce a render with plain WeasyPrint")
    build.add_argument("--allow-overdue", action="store_true",
                       help="build leaflets past their next-review date anyway, with "
                            "'review overdue' printed on every page")
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
    status = command("status", "show every language: what is left, failing checks, review, publishable",
                     "Fuzzy messages never count as done. Exit status 1 when some language cannot\n"
                     "be published.")
    status.add_argument("locales", nargs="*", metavar="LOCALE", help="only these locales")
    status.add_argument("--json", action="store_true", help="print JSON for scripts")
    check = command("check", "run every check on catalogs; exit 1 on any problem",
                    "GNU msgfmt --check and Babel's checks (syntax, duplicates, Language and\n"
                    "Plural-Forms headers), untranslated and fuzzy messages, messages the English\n"
                    "now has that the catalog lacks, numbers, placeholders, inline markup, length,\n"
                    "white space and end punctuation. Each problem is printed as file:line: message.")
    check.add_argument("locales", nargs="*", metavar="LOCALE", help="only these locales (default: all)")
    for name, summary, details in (
            ("preview", "make a translator's proof PDF, even of an unfinished catalog",
             "Untranslated and fuzzy messages are highlighted and labelled; a watermark says\n"
             "it is not for patients. Written to proofs/, never where leaflets are published."),
            ("review", "make a side-by-side PDF (English | translation) for a reviewer to sign off",
             "Message by message, by section, with a notes column and a sign-off block that\n"
             "names the catalog version (SHA-256). Written to proofs/.")):
        proof = command(name, summary, details)
        proof.add_argument("locale", metavar="LOCALE")
        proof.add_argument("--leaflet", action="append", default=[], metavar="SLUG",
                           help="only this leaflet (repeatable; default: all)")
    readability = command("readability", "report how easy the English leaflets are to read",
                          "Flesch reading ease and Flesch-Kincaid grade per section (textstat), against\n"
                          "a target of reading age 9-11 / US grade 6-8, and the longest sentences.\n"
                          "A report for the clinician: it never stops a build.")
    readability.add_argument("leaflets", nargs="*", metavar="SLUG", help="only these leaflets")
    readability.add_argument("--json", action="store_true", help="print JSON for scripts")
    serve = command("serve", "preview the download page (output/index.html) on this computer",
                    "Serves the published files of output/ at http://127.0.0.1:PORT/ until Ctrl-C:\n"
                    "never the cache or other hidden folders, never a folder listing, nothing\n"
                    "outside output/ and no symbolic link. The page also works opened straight\n"
                    "from disk, or copied to any static web server or shared drive.")
    serve.add_argument("--port", type=int, default=8000, help="default: %(default)s")
    serve.add_argument("--bind", default="127.0.0.1", metavar="ADDRESS",
                       help="the address to listen on (default: %(default)s, this computer only; "
                            "0.0.0.0 shows the page to the whole network)")
    approve = command("approve", "record that a qualified reviewer approved a catalog as it is now",
                      "Writes translations/LOCALE/LC_MESSAGES/approval.toml with the reviewer, the\n"
                      "date and a hash of the catalog's messages. Leaflets of an approved language\n"
                      "lose the draft line; any later change to the catalog makes it a draft again.\n"
                      "Refused while the catalog is incomplete or fails a check.")
    approve.add_argument("locale", metavar="LOCALE")
    approve.add_argument("--by", required=True, metavar="NAME", help="the reviewer's name")
    approve.add_argument("--on", type=date.fromisoformat, default=None, metavar="YYYY-MM-DD",
                         help="the date of the review (default: today)")
    return parser


def run(argv: Sequence[str] | None, build: Callable, make_proofs: Callable) -> int:
    """Run one command; Ctrl-C or SIGTERM at any moment ends it with one line and 130 / 143."""
    previous = {number: signal.getsignal(number) for number in interrupts.SIGNALS}
    interrupts.install()
    command = None
    try:
        arguments = make_parser().parse_args(argv)
        command = arguments.command
        return dispatch(arguments, build, make_proofs)
    except interrupts.Interrupted as stop:
        interrupts.ignore()  # a second Ctrl-C must not cut the clean-up short
        say(f"interrupted; {what_is_true(command, stop)}", error=True)
        return stop.exit_status
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def what_is_true(command: str | None, stop: interrupts.Interrupted) -> str:
    """After an interrupt: what the user can count on."""
    if stop.published:
        return "the new release was published in full before it stopped"
    if command == "build":
        return "the last release is unchanged"
    if command in (None, "status", "check", "readability"):
        return "nothing was written"
    if command == "serve":
        return "the preview server is stopped"
    return "every file it writes is either as it was or written in full"


def dispatch(arguments: argparse.Namespace, build: Callable, make_proofs: Callable) -> int:
    root = (arguments.project or config.find_project_root(Path.cwd()) or Path.cwd()).resolve()
    if not (root / "pyproject.toml").is_file():
        return fail_usage(f"{root} is not a leaflet project (no pyproject.toml); use --project DIR")
    try:
        settings = config.load_settings(root)
        if arguments.command == "build":
            missing = system.check_system(settings)
            if missing:
                for line in missing:
                    say(f"error: {line}", error=True)
                return EXIT_USAGE
            return run_build(settings, build, plain=arguments.no_progress or not sys.stdout.isatty(),
                             allow_overdue=arguments.allow_overdue, workers=arguments.jobs,
                             scheduler=arguments.scheduler, dump_html=arguments.dump_html)
        if arguments.command == "extract":
            template = catalogs.extract(settings)
            say(f"wrote {settings.relative(settings.pot_file)} ({len(template)} messages)")
        elif arguments.command == "update":
            template = catalogs.extract(settings)
            say(f"wrote {settings.relative(settings.pot_file)} ({len(template)} messages)")
            for locale, counts in catalogs.update_catalogs(settings, template).items():
                todo = counts["fuzzy"] + counts["untranslated"]
                state = "complete" if not todo else (f"{counts['fuzzy']} fuzzy, "
                                                     f"{counts['untranslated']} untranslated")
                say(f"updated {locale}: {counts['translated']} translated, {state}")
        elif arguments.command == "init":
            path = catalogs.init_catalog(settings, arguments.locale)
            say(f"created {settings.relative(path)}: translate it in Poedit or any PO editor, "
                  f"then run 'pipeline.py build'")
        elif arguments.command == "compile":
            for path in catalogs.compile_catalogs(settings):
                say(f"wrote {settings.relative(path)}")
        elif arguments.command == "status":
            return show_status(settings, arguments.locales, arguments.json)
        elif arguments.command == "check":
            return run_check(settings, arguments.locales)
        elif arguments.command in ("preview", "review"):
            missing = system.check_system(settings)
            if missing:
                return fail_usage(missing[0])
            kind = "proof" if arguments.command == "preview" else "review"
            for path in make_proofs(settings, arguments.locale, kind, arguments.leaflet):
                say(f"wrote {settings.relative(path)}")
        elif arguments.command == "serve":
            return serve_output(settings, arguments.bind, arguments.port)
        elif arguments.command == "readability":
            return show_readability(settings, arguments.leaflets, arguments.json)
        elif arguments.command == "approve":
            catalog = catalogs.load_catalog(settings, arguments.locale)
            needed, _ = status.source_messages(settings)
            problems = catalogs.publication_problems(catalog, needed)
            if problems:
                raise ProblemError(problems)
            on = arguments.on or date.today()
            path = approvals.record_approval(settings, catalog, arguments.by, on)
            say(f"recorded in {settings.relative(path)}: {catalog.language.english_name} approved by "
                  f"{arguments.by} on {on}. Any later change to the catalog makes it a draft again.")
    except ProblemError as error:
        for problem in error.problems:
            say(f"error: {problem}", error=True)
        return EXIT_PROBLEMS
    return EXIT_OK


def show_status(settings, locales: list[str], as_json: bool) -> int:
    rows, source_problems = status.locale_statuses(settings, locales or None)
    if as_json:
        due = status.due_for_review(leaflets_of(settings), date.today())
        say_json({"locales": [row.to_json() for row in rows],
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
                       "review", "publishable", "published"):
            table.add_column(column, justify="right" if column in ("translated", "fuzzy", "untranslated",
                                                                    "checks failing") else "left")
        for row in rows:
            count = (lambda n: "?" if n is None else str(n))
            cells = (row.locale, row.language, count(row.translated), count(row.fuzzy),
                     count(row.untranslated), str(row.checks_failing),
                     row.review + (f" ({row.reviewer})" if row.reviewer else ""),
                     "yes" if row.publishable else f"no: {row.why}", row.published)
            # Text, not markup: a reviewer called "[red]x" is shown as typed, escaped.
            table.add_row(*(Text(shown(cell)) for cell in cells))
        Console(width=max(160, Console().width)).print(table)
        for problem in source_problems:
            say(f"error: {problem}", error=True)
    due = status.due_for_review(leaflets_of(settings), date.today())
    if as_json:
        return EXIT_OK if all(row.publishable for row in rows) and not source_problems else EXIT_PROBLEMS
    say("leaflets due for review in the next 90 days: " + (", ".join(
        f"{leaflet.slug} ({leaflet.next_review}, owner {leaflet.owner}, "
        + (f"{-left} days overdue)" if left < 0 else f"in {left} days)") for leaflet, left in due)
        or "none"))
    return EXIT_OK if all(row.publishable for row in rows) and not source_problems else EXIT_PROBLEMS


def show_readability(settings, slugs: list[str], as_json: bool) -> int:
    from . import content, readability

    leaflets, problems = content.load_leaflets(settings)
    if problems:
        raise ProblemError(problems)
    reports = [readability.assess(leaflet) for leaflet in leaflets if not slugs or leaflet.slug in slugs]
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
    from .preview import make_server

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
    from . import content

    return content.load_leaflets(settings)[0]


#: What a terminal would act on rather than show: C0 and C1 control characters (ESC begins
#: the CSI and OSC sequences that move the cursor, retitle the window or make links),
#: DEL, line and paragraph separators, and the invisible direction controls that reorder
#: what follows them. Tabs are kept.
UNSHOWABLE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff]")


def shown(text) -> str:
    """Text from anywhere made safe to print: each character a terminal would act on is
    written as its escape (\\x1b, \\u202e), so what is shown is exactly what is there."""
    return UNSHOWABLE.sub(lambda found: (f"\\x{ord(found[0]):02x}" if ord(found[0]) < 0x100
                                         else f"\\u{ord(found[0]):04x}"), str(text))


def say(line: str, error: bool = False) -> None:
    """Print one line of ours, with whatever it quotes shown as plain text."""
    print(shown(line), file=sys.stderr if error else sys.stdout, flush=True)


def say_json(data) -> None:
    """JSON for scripts: the same text, with what a terminal would act on as JSON escapes."""
    text = json.dumps(data, ensure_ascii=False, indent=2)
    print(UNSHOWABLE_IN_JSON.sub(lambda found: f"\\u{ord(found[0]):04x}", text), flush=True)


#: JSON already escapes C0 controls inside strings; its own line breaks are structure.
UNSHOWABLE_IN_JSON = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff]")


def fail_usage(message: str) -> int:
    say(f"error: {message}", error=True)
    return EXIT_USAGE


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
    files = sum(1 for e in manifest["leaflets"] if "outdated" not in e)
    say(f"rendered {len(report.rendered)} PDFs, reused {files + len(packs) - len(report.rendered)} "
          "unchanged ones")
    say(f"published {len(current)} leaflets in {len(locales)} languages ({', '.join(locales)}), "
          f"{files} leaflet PDFs in all papers and variants, and {len(packs)} packs to "
          f"{settings.relative(settings.output_dir)}/")
    for entry in outdated[:20]:
        say(f"kept outdated: {entry['path']} ({entry['outdated']})")
    if len(outdated) > 20:
        say(f"kept outdated: {len(outdated) - 20} more files (see output/manifest.json)")
    for problem in report.problems:
        say(f"error: {problem}", error=True)
    if report.problems:
        say(f"{len(report.problems)} problem(s); see above and output/manifest.json", error=True)
        return EXIT_PROBLEMS
    return EXIT_OK


class PlainProgress:
    """One line per document, for logs and CI."""

    total = done = 0

    def phase(self, description: str) -> None:
        say(description)

    def start(self, total: int) -> None:
        self.total += total

    def advance(self, description: str) -> None:
        self.done += 1
        say(f"[{self.done}/{self.total}] {description}")

    def finish(self) -> None:
        pass


class RichProgress:
    """A progress bar on a terminal."""

    bar = None

    def phase(self, description: str) -> None:
        """The bar shows the long part; the short phases pass unannounced."""

    def start(self, total: int) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        if self.bar is None:
            self.bar = Progress(TextColumn("rendering {task.description:<14}", markup=False), BarColumn(),
                                MofNCompleteColumn(), TimeElapsedColumn(), transient=True)
            self.bar.start()
            self.task = self.bar.add_task("", total=0)
        self.bar.update(self.task, total=self.bar.tasks[0].total + total)

    def advance(self, description: str) -> None:
        self.bar.update(self.task, advance=1, description=shown(description))

    def finish(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None
