"""The braille step of a build: every leaflet in every publishable language -> its checked braille
files (made again only where an input changed), the languages without braille and why."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field

from ..formats import formats
from ..plan import incremental
from ..model import Leaflet, LocaleCatalog, Settings
from ..problems import ProblemError
from . import document
from ..formats import braille_tables as tables
from .. import sources
from ..model import Failure


@dataclass
class BrailleStep:
    files: list = field(default_factory=list)  #: formats.FormatFile
    unavailable: list = field(default_factory=list)  #: formats.Unavailable, one per language
    problems: list = field(default_factory=list)
    failures: list = field(default_factory=list)  #: publish.Failure: the last files are kept, outdated
    made: list = field(default_factory=list)  #: (path, why) of each braille file made this time


def build(settings: Settings, leaflets: Iterable[Leaflet], catalogs: Mapping[str, LocaleCatalog],
          overdue: Collection[str], shared: incremental.Inputs, *, broken: Mapping[str, list] | None = None,
          withdrawn: Collection[str] = ()) -> BrailleStep:
    """Braille of every leaflet in every catalog's language. A leaflet or language that cannot be
    built this time (`broken` catalogs, a broken leaflet) keeps its last files, marked outdated;
    a withdrawn leaflet's are archived."""
    step, broken = BrailleStep(), broken or {}
    leaflets = list(leaflets)
    previous = [e for e in sources.read_manifest(settings.output_dir).get("formats", [])
                if isinstance(e, dict) and str(e.get("kind", "")).startswith("braille-")]
    slugs = {leaflet.slug for leaflet in leaflets}
    for entry in previous:
        slug, locale, kind = formats.key(entry)
        if locale in broken and broken[locale]:
            step.failures.append(Failure("format", (slug, locale, kind), str(broken[locale][0])))
        elif slug not in slugs and slug not in withdrawn:
            step.failures.append(Failure("format", (slug, locale, kind), "its leaflet could not be read"))
    for catalog in catalogs.values():
        locale = catalog.language.locale
        choice = tables.choice(locale)
        if isinstance(choice, tables.NoTable):
            step.unavailable.append(formats.Unavailable("braille", locale, choice.reason))
        elif tables.liblouis_version() is None:
            step.unavailable.append(formats.Unavailable("braille", locale, "liblouis is not installed "
                                                        "(Debian packages liblouis-bin and liblouis-data)"))
        else:
            for leaflet in leaflets:
                one(settings, leaflet, catalog, leaflet.slug in overdue, shared, previous, step)
    return step


def one(settings: Settings, leaflet: Leaflet, catalog: LocaleCatalog, overdue: bool, shared: incremental.Inputs,
        previous: list, step: BrailleStep) -> None:
    locale = catalog.language.locale
    inputs = document.inputs_of(settings, leaflet, catalog, overdue, shared)
    entries = [e for e in previous if e.get("leaflet") == leaflet.slug and e.get("locale") == locale]
    kept = document.published(settings.output_dir, entries, inputs)
    if kept:
        brf, unicode, entry = kept
        made = document.BrailleDocument(leaflet, catalog, brf, unicode, entry.get("pages", 0),
                                        entry.get("gate", {}), inputs)
    else:
        try:
            made = document.make(settings, leaflet, catalog, overdue, inputs)
        except ProblemError as error:
            step.problems += error.problems
            reason = str(error.problems[0])
            step.failures += [Failure("format", (leaflet.slug, locale, kind), reason)
                              for kind in ("braille-brf", "braille-unicode")]
            return
        why = incremental.why(inputs, entries[0].get("inputs") if entries else None)
        step.made += [(file.path, why) for file in made.files()]
    step.files += made.files()

