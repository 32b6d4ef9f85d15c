"""`recording add`: store a clinic's recording of a leaflet's section, bound to the section's text; and
the recordings `status` lists as to be made again."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from ..catalogs import catalogs
from ..content import content
from ..audio import recordings
from ..audio.script import leaflet_script
from ..model import Settings
from ..problems import Problem, ProblemError
from .terminal import say

EXIT_OK = 0


def add_parser(command) -> None:
    recording = command("recording", "a clinic's own recording of a section, used instead of the synthetic voice",
                        "add LOCALE SLUG SECTION FILE  stores FILE (a PCM WAV, 0.5 s to 15 min, at most 64 MiB)\n"
                        "as recordings/<slug>/<locale>/<chapter>.wav, bound to the SHA-256 of the section's text\n"
                        "in that language. SECTION is its number (0: the title and introduction, 1: the first\n"
                        "heading...) or its heading. The build uses it while the text is unchanged; once the\n"
                        "text changes, the synthetic voice reads the section and `status` says to record it again.")
    actions = recording.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="store a recording of a section", description="Store a recording.")
    add.add_argument("locale", metavar="LOCALE")
    add.add_argument("slug", metavar="SLUG")
    add.add_argument("section", metavar="SECTION")
    add.add_argument("file", type=Path, metavar="FILE")


def chapters_of(settings: Settings, slug: str, locale: str):
    leaflet = next((leaflet for leaflet in content.load_leaflets(settings).leaflets if leaflet.slug == slug), None)
    if leaflet is None:
        raise ProblemError([Problem("leaflets", None, f"no leaflet {slug!r}")])
    catalog = (catalogs.source_catalog(settings) if locale == settings.source_locale
               else catalogs.load_catalog(settings, locale))
    return leaflet_script(leaflet, catalog)


def recording_command(settings: Settings, arguments: argparse.Namespace, stages) -> int:
    shown = str(arguments.file)
    chapters = chapters_of(settings, arguments.slug, arguments.locale)
    path = recordings.add(settings, chapters, arguments.slug, arguments.locale, arguments.section, arguments.file,
                          shown, date.today())
    say(f"stored {settings.relative(path)}: it reads section {path.stem} while its text is unchanged")
    return EXIT_OK


def stale_recordings(settings: Settings) -> list[Problem]:
    """Every stored recording whose section's text changed since (or that cannot be read)."""
    root = settings.root / recordings.FOLDER
    if not root.is_dir():
        return []
    found = []
    for slug_folder in sorted(p for p in root.iterdir() if p.is_dir()):
        for locale_folder in sorted(p for p in slug_folder.iterdir() if p.is_dir()):
            try:
                chapters = chapters_of(settings, slug_folder.name, locale_folder.name)
            except ProblemError as error:
                found += [Problem(settings.relative(locale_folder), None, f"recordings of no publishable leaflet "
                                  f"in a language: {error.problems[0].message}")]
                continue
            found += recordings.stale_problems(settings, slug_folder.name, locale_folder.name, chapters)
    return found
