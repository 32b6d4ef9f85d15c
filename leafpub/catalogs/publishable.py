"""translations/ -> the catalogs a build publishes, and the problems that keep each other one back."""

from __future__ import annotations

from dataclasses import dataclass

from .. import fonts
from ..model import LocaleCatalog, Settings
from ..problems import Problem, ProblemError
from .catalogs import discover_locales, load_catalog, publication_problems, source_catalog


@dataclass(frozen=True)
class Publishable:
    """The catalogs of a build, by locale: those it publishes, and the others with their problems."""

    catalogs: dict[str, LocaleCatalog]  #: the source locale first
    broken: dict[str, list[Problem]]  #: every document in the language keeps its last good file

    @property
    def problems(self) -> tuple[Problem, ...]:
        return tuple(problem for found in self.broken.values() for problem in found)


def load_publishable(settings: Settings, needed) -> Publishable:
    """The source locale plus every locale whose catalog is complete, passes every check
    and has its fonts; the others with the problems that keep them from publication."""
    loaded = {settings.source_locale: source_catalog(settings)}
    broken: dict[str, list[Problem]] = {}
    for locale in discover_locales(settings):
        if locale == settings.source_locale:
            continue
        try:
            catalog = load_catalog(settings, locale)
        except ProblemError as error:
            broken[locale] = list(error.problems)
            continue
        unpublishable = publication_problems(catalog, needed)
        if unpublishable:
            broken[locale] = unpublishable
        else:
            loaded[locale] = catalog
    unusable = fonts.check_fonts_for(settings, [catalog.language for catalog in loaded.values()])
    for locale, reason in unusable.items():
        broken[locale] = [Problem("pyproject.toml", None, reason, locale=locale)]
        del loaded[locale]
    return Publishable(loaded, broken)
