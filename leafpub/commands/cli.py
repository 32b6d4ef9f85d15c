"""Command line arguments -> the command they name, run, and its exit status (130 / 143 if interrupted)."""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from . import audio_commands, commands, exchange_commands
from .. import config, interrupts
from ..render import pool
from ..model import Settings
from ..problems import ProblemError
from .terminal import EXIT_OK, EXIT_PROBLEMS, fail_usage, say

DESCRIPTION = """\
Publish patient leaflets in many languages: the English leaflets in leaflets/ and
the catalogs in translations/ become print-ready PDFs and clinic packs in output/."""

EPILOG = """\
translator:  init LOCALE -> edit translations/LOCALE/LC_MESSAGES/messages.po
             -> check LOCALE -> preview LOCALE -> review LOCALE -> approve LOCALE --by NAME
clinician:   review en (the English, and what changed since the last sign-off) -> approve en --by NAME
agency:      export LOCALE --format xliff -> (their CAT tool) -> import FILE -> check LOCALE
             back-translation export LOCALE -> (a back-translator) -> back-translation report LOCALE FILE
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
    build.add_argument("-j", "--jobs", type=int, default=pool.default_workers(), metavar="N",
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
             "names the catalog version (SHA-256). Written to proofs/.\n"
             "review en: the clinician's sign-off sheet of the English: the change note, what\n"
             "changed since the last signed-off version (old | new), the text by section.")):
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
    serve = command("serve", "preview the download site (output/index.html) on this computer",
                    "Serves the published files of output/ at http://127.0.0.1:PORT/ until Ctrl-C:\n"
                    "never the cache or other hidden folders, never a folder listing, nothing\n"
                    "outside output/ and no symbolic link. The page also works opened straight\n"
                    "from disk, or copied to any static web server or shared drive.")
    serve.add_argument("--port", type=port_number, default=8000, help="1 to 65535 (default: %(default)s)")
    serve.add_argument("--bind", default="127.0.0.1", metavar="ADDRESS",
                       help="the address to listen on (default: %(default)s, this computer only; "
                            "0.0.0.0 shows the page to the whole network)")
    approve = command("approve", "record that a qualified reviewer approved a catalog (or a clinician the English) as it is now",
                      "Writes translations/LOCALE/LC_MESSAGES/approval.toml with the reviewer, the\n"
                      "date and a hash of the catalog's messages. Leaflets of an approved language\n"
                      "lose the draft line; any later change to the catalog makes it a draft again.\n"
                      "Refused while the catalog is incomplete or fails a check.\n\n"
                      "approve en --by \"Name, role\" [--leaflet SLUG]: the clinical sign-off of the English\n"
                      "leaflets (all by default; each one signed is listed), recorded in\n"
                      "translations/en/LC_MESSAGES/approval.toml with the date, the version, the\n"
                      "SHA-256 of leaflets/SLUG.md and its text. Until then every page of the leaflet,\n"
                      "in every language and format, says its clinical content has not yet been\n"
                      "approved; any later edit to the leaflet brings the line back.")
    approve.add_argument("locale", metavar="LOCALE")
    approve.add_argument("--by", required=True, metavar="NAME", help="the reviewer's (or clinician's) name")
    approve.add_argument("--leaflet", action="append", default=[], metavar="SLUG",
                         help="with the source language: sign off only this leaflet (repeatable; default: all)")
    approve.add_argument("--back-translation", type=Path, metavar="FILE",
                         help="record with the approval the SHA-256 of the back-translation (from "
                              "'back-translation report') that the reviewer reconciled; it must cover "
                              "every current text")
    approve.add_argument("--on", type=date.fromisoformat, default=None, metavar="YYYY-MM-DD",
                         help="the date of the review (default: today)")
    export = command("export", "write a language's catalog as one XLIFF 1.2 file for a translation agency",
                     "For CAT tools (Trados, memoQ, OmegaT, Phrase): every message with the English as\n"
                     "source and the translation as target; notes give the leaflet, section and any\n"
                     "translator comment; the state says fuzzy (needs-review-translation), translated,\n"
                     "or signed-off once the catalog is approved. Placeholders such as %(date)s and the\n"
                     "** / * marks are inline codes (<ph>, <bpt>/<ept>) the tool keeps intact.\n"
                     "Translate Toolkit's xliff2po reads the file back into the same messages.")
    export.add_argument("locale", metavar="LOCALE")
    export.add_argument("--format", choices=["xliff"], default="xliff", help="xliff (XLIFF 1.2; the default)")
    add_output(export, "messages.LOCALE.xlf")
    imports = command("import", "merge an agency's XLIFF file into the catalog of its target-language",
                      "Only targets that differ from the catalog change it, keeping its layout. A target\n"
                      "that breaks a placeholder, a number or the bold / italic marks, or whose English\n"
                      "is no longer the catalog's, is refused and listed with its unit's id and line.\n"
                      "Merged messages are checked like 'check' does; exit status 1 on any problem.")
    imports.add_argument("file", type=Path, metavar="FILE", help="the XLIFF file (.xlf, .xliff)")
    back = command("back-translation", "blind back-translation: a file for a back-translator, then a report",
                   "export LOCALE   writes a PO file whose texts are the translations, with no English\n"
                   "                in it, for an independent translator to put back into English.\n"
                   "report LOCALE FILE  compares their file with the English and writes\n"
                   "                proofs/<slug>.<locale>.back-translation.pdf: English | translation |\n"
                   "                back-translation, the most different first, with room for notes.\n"
                   "Then: approve LOCALE --by NAME --back-translation FILE records it with the approval.")
    actions = back.add_subparsers(dest="action", metavar="ACTION", required=True)
    blind = actions.add_parser("export", help="write the blind PO file for the back-translator",
                               description="Write the blind PO file for the back-translator.")
    blind.add_argument("locale", metavar="LOCALE")
    add_output(blind, "messages.LOCALE.back-translation.po")
    report = actions.add_parser("report", help="write the reconciliation report PDF into proofs/",
                                description="Compare a back-translation with the English and write "
                                            "proofs/<slug>.<locale>.back-translation.pdf.")
    report.add_argument("locale", metavar="LOCALE")
    report.add_argument("file", type=Path, metavar="FILE", help="the back-translator's PO file")
    archive = command("archive", "show the leaflet PDFs earlier releases published and this one superseded",
                      "Every superseded PDF (a new version, a new translation, a withdrawn leaflet)\n"
                      "stays in output/archive/<slug>/<version>/, listed in output/manifest.json under\n"
                      "\"archive\" with its SHA-256, the dates it was published and superseded, and its\n"
                      "version's change note: proof of which text a patient was given on a date.\n"
                      "No build removes anything from the archive.")
    archive.add_argument("--list", action="store_true", required=True, help="list the archive (newest first)")
    archive.add_argument("--json", action="store_true", help="print JSON for scripts")
    audio_commands.add_parser(command)
    return parser


def add_output(parser: argparse.ArgumentParser, default: str) -> None:
    parser.add_argument("-o", "--output", type=Path, metavar="FILE",
                        help=f"where to write it (default: {default} in this folder; - for standard output)")


def port_number(text: str) -> int:
    """A TCP port, or the usage error argparse reports."""
    try:
        number = int(text)
    except ValueError:
        number = 0
    if not 1 <= number <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number from 1 to 65535")
    return number


def run(argv: Sequence[str] | None, build: Callable, make_proofs: Callable) -> int:
    """Run one command; Ctrl-C or SIGTERM at any moment ends it with one line and 130 / 143."""
    previous = {number: signal.getsignal(number) for number in interrupts.SIGNALS}
    command = None
    try:
        interrupts.install()
        arguments = make_parser().parse_args(argv)
        command = arguments.command
        return dispatch(arguments, build, make_proofs)
    except interrupts.Interrupted as stop:
        interrupts.ignore()  # a second Ctrl-C must not cut the clean-up short
        say(f"interrupted; {what_is_true(command, stop)}", error=True)
        return stop.exit_status
    except BrokenPipeError:  # the reader went away (`archive --list | head`): nothing more to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
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


HANDLERS: dict[str, Callable[[Settings, argparse.Namespace, commands.Stages], int]] = {
    "build": commands.build_command,
    "extract": commands.extract_command,
    "update": commands.update_command,
    "init": commands.init_command,
    "compile": commands.compile_command,
    "status": commands.status_command,
    "check": commands.check_command,
    "preview": commands.proof_command,
    "review": commands.proof_command,
    "serve": commands.serve_command,
    "readability": commands.readability_command,
    "approve": commands.approve_command,
    "archive": commands.archive_command,
    "export": exchange_commands.export_command,
    "import": exchange_commands.import_command,
    "back-translation": exchange_commands.back_translation_command,
    "recording": audio_commands.recording_command,
}


def dispatch(arguments: argparse.Namespace, build: Callable, make_proofs: Callable) -> int:
    root = (arguments.project or config.find_project_root(Path.cwd()) or Path.cwd()).resolve()
    if not (root / "pyproject.toml").is_file():
        return fail_usage(f"{root} is not a leaflet project (no pyproject.toml); use --project DIR")
    try:
        settings = config.load_settings(root)
        return HANDLERS[arguments.command](settings, arguments, commands.Stages(build, make_proofs))
    except ProblemError as error:
        for problem in error.problems:
            say(f"error: {problem}", error=True)
        return EXIT_PROBLEMS
