"""Leaflets, catalogs, packs and problems -> what to build: every document with the inputs that key
it, the leaflets each pack needs, and the failures that follow from each problem.

Nothing here renders or starts a worker: the build decides from this plan, and tests check
it with objects made by hand. The digests a key is made of come from incremental.Inputs,
which a test can replace with fixed ones.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from . import incremental
from .. import online
from ..variants import FORMATS, Format
from ..model import Leaflet, LeafletDocument, LocaleCatalog, Pack, PackPart, Pdf, leaflet_path
from ..problems import Problem, ProblemError
from ..model import Failure
from ..variants import THUMBNAIL_OF

#: (paper, variant) of every document of a leaflet in a language: its PDFs and its web version.
DOCUMENT_KEYS = (*((f.paper, f.variant) for f in FORMATS), (online.WEB_PAPER, online.WEB_VARIANT))


@dataclass(frozen=True)
class Planned:
    """One leaflet in one language and format, before it is rendered (or found unchanged)."""

    leaflet: Leaflet
    catalog: LocaleCatalog
    format: Format
    overdue: bool = False
    reserved: bool = False  #: a pack's leaflet: the contact box left empty for the clinic's

    @property
    def key_tuple(self) -> tuple[str, str, str, str]:
        return (self.leaflet.slug, self.catalog.language.locale, self.format.paper, self.format.variant)

    @property
    def shown_on_download_page(self) -> bool:
        """Its page 1 is the language's thumbnail on output/index.html."""
        return not self.reserved and (self.format.variant, self.format.paper) == THUMBNAIL_OF

    @property
    def made_from(self) -> Planned | None:
        """The plan whose PDF this one is made from instead of being laid out again: a print-shop
        leaflet is its standard leaflet on a sheet with bleed and marks (the same lines on the
        same pages; pdf/printshop.py). For a print-shop pack, that is the standard pack's leaflet,
        with the same empty contact box."""
        if self.format.variant != "print":
            return None
        return dataclasses.replace(self, format=Format(self.format.paper, "standard"))

    @property
    def pdf_variant(self) -> str:
        """How it is rendered: a standard pack's leaflet untagged, since the pack carries no
        structure tree (marked content that points into none only adds bytes)."""
        return "pack-part" if self.reserved and self.format.variant == "standard" else self.format.variant

    def inputs(self, shared: incremental.Inputs) -> dict:
        """Everything that determines its PDF, as digests (`shared` holds those of the build)."""
        settings = {"format": dataclasses.asdict(self.format), "overdue": self.overdue,
                    "reserved": self.reserved}
        if self.pdf_variant != self.format.variant:
            settings["rendered as"] = self.pdf_variant
        return shared.document(self.leaflet, self.catalog, settings)

    @property
    def label(self) -> str:
        """How the progress log names it: where it is published (a pack's copy is not)."""
        path = leaflet_path(self.leaflet.slug, self.catalog.language.locale, self.format)
        return f"{path} (for packs)" if self.reserved else path

    def describe(self) -> str:
        what = "pack leaflet" if self.reserved else "leaflet"
        return (f"the {self.catalog.language.english_name} {what} {self.leaflet.slug!r} "
                f"({self.format.variant}, {self.format.paper})")

    def document(self, pdf: Pdf, inputs: dict) -> LeafletDocument:
        """What is published of it once its PDF is there."""
        return LeafletDocument(leaflet=self.leaflet, language=self.catalog.language, format=self.format,
                               title=self.catalog.translations.gettext(self.leaflet.title.text), pdf=pdf,
                               translation=self.catalog.review.state, inputs=inputs)

    def part(self, pdf: Pdf, anchor, key: str) -> PackPart:
        """What a pack takes of it, as a pack's leaflet."""
        return PackPart(slug=self.leaflet.slug, leaflet_title=self.leaflet.title.text,
                        language=self.catalog.language,
                        title=self.catalog.translations.gettext(self.leaflet.title.text), base=pdf,
                        base_key=key, anchor=anchor)


@dataclass(frozen=True)
class LeafletPlan:
    """Every document of every leaflet in every language: those to make (`planned`), and those
    that cannot be made this time (`held_back`: a broken catalog's, a leaflet's that could not
    be read or is past its review date), each with the problem that stops it."""

    planned: tuple[Planned, ...]
    held_back: Mapping[tuple, Problem]  #: by key tuple, the PDFs and the web version alike

    def failures(self, built: Collection[tuple], stopped: Mapping[tuple, Problem]) -> list[Failure]:
        """Each document planned or held back that did not come back built: it keeps its last
        good file, marked outdated with the first problem that stopped it (`stopped`, by key)."""
        unbuilt = [plan.key_tuple for plan in self.planned if plan.key_tuple not in built]
        return [Failure("leaflet", key, str(stopped[key])) for key in unbuilt] + [
            Failure("leaflet", key, str(problem)) for key, problem in self.held_back.items() if key not in built]


def plan_leaflets(leaflets: Iterable[Leaflet], catalogs: Iterable[LocaleCatalog], overdue: Collection[str],
                  unbuildable: Mapping[str, Problem] | None = None,
                  broken: Mapping[str, Sequence[Problem]] | None = None) -> LeafletPlan:
    """Every leaflet in every language and format; and every document of a leaflet that cannot
    be built (`unbuildable`: slug -> why) in every language, and of every leaflet in a language
    whose catalog is `broken`."""
    leaflets, catalogs, unbuildable, broken = list(leaflets), list(catalogs), unbuildable or {}, broken or {}
    planned = tuple(Planned(leaflet, catalog, format, overdue=leaflet.slug in overdue)
                    for leaflet in leaflets for catalog in catalogs for format in FORMATS)
    slugs = [leaflet.slug for leaflet in leaflets] + list(unbuildable)
    held_back = {(slug, locale, *key): found[0] for locale, found in broken.items() for slug in slugs
                 for key in DOCUMENT_KEYS}
    held_back.update({(slug, catalog.language.locale, *key): problem for slug, problem in unbuildable.items()
                      for catalog in catalogs for key in DOCUMENT_KEYS})
    return LeafletPlan(planned, held_back)


@dataclass(frozen=True)
class Withdrawals:
    """The leaflets and packs still published, and what a withdrawal stops."""

    leaflets: tuple[Leaflet, ...]  #: none withdrawn
    withdrawn: dict[str, date]  #: slug -> the day it was withdrawn
    packs: tuple[Pack, ...]  #: none listing a withdrawn leaflet
    problems: tuple[Problem, ...]  #: one for each pack that does


def split_withdrawn(leaflets: Iterable[Leaflet], packs: Iterable[Pack], today: date) -> Withdrawals:
    """A withdrawn leaflet is not built, and a pack that lists one is not published at all,
    so that it cannot hand it out."""
    current = [leaflet for leaflet in leaflets if leaflet.withdrawn is None or leaflet.withdrawn > today]
    withdrawn = {leaflet.slug: leaflet.withdrawn for leaflet in leaflets if leaflet not in current}
    kept, problems = [], []
    for pack in packs:
        named = [slug for slug in pack.leaflets if slug in withdrawn]
        if named:
            problems += [Problem("packs.toml", pack.key_lines.get("leaflets", pack.line),
                                 f"pack {pack.id!r} lists leaflet {slug!r}, withdrawn on {withdrawn[slug]}; "
                                 "remove it from the pack") for slug in named]
        else:
            kept.append(pack)
    return Withdrawals(tuple(current), withdrawn, tuple(kept), tuple(problems))


@dataclass(frozen=True)
class ReviewDates:
    """The leaflets to build, and those past their next-review date."""

    leaflets: tuple[Leaflet, ...]  #: those not overdue, and the overdue ones the operator allows
    overdue: frozenset[str]  #: slugs of the overdue leaflets built, with "review overdue" on every page
    late: dict[str, Problem]  #: slug -> why each other overdue leaflet is not built

    @property
    def problems(self) -> tuple[Problem, ...]:
        return tuple(self.late.values())


def split_by_review_date(leaflets: Iterable[Leaflet], today: date, allow_overdue: bool) -> ReviewDates:
    """Leaflets past their next-review date are not built, unless the operator allows it:
    then they are, with "review overdue" on every page."""
    current, overdue, late = [], set(), {}
    for leaflet in leaflets:
        if today <= leaflet.next_review:
            current.append(leaflet)
        elif allow_overdue:
            current.append(leaflet)
            overdue.add(leaflet.slug)
        else:
            late[leaflet.slug] = Problem(
                leaflet.path, None, f"leaflet {leaflet.slug!r} was due for review on "
                f"{leaflet.next_review.isoformat()} (owner: {leaflet.owner}); after its review, "
                "update last-reviewed and next-review, or build with --allow-overdue to print "
                "'review overdue' on every page", leaflet=leaflet.slug)
    return ReviewDates(tuple(current), frozenset(overdue), late)


def plan_pack_bases(packs: Iterable[Pack], leaflets: Iterable[Leaflet], catalogs: Mapping[str, LocaleCatalog],
                    overdue: set[str]) -> tuple[list[Pack], dict[tuple[str, str, str], Planned]]:
    """The packs whose leaflets and languages all loaded, and for each (pack, leaflet, locale)
    the leaflet it needs, its contact box left empty: every clinic's pack in a format shares
    them. A pack that is not plannable is reported when the packs are finished."""
    by_slug = {leaflet.slug: leaflet for leaflet in leaflets}
    plannable = [pack for pack in packs if all(slug in by_slug for slug in pack.leaflets)
                 and all(locale in catalogs for locale in pack.locales)]
    bases = {(pack.id, slug, locale): Planned(by_slug[slug], catalogs[locale], Format(pack.paper, pack.variant),
                                              overdue=slug in overdue, reserved=True)
             for pack in plannable for slug in pack.leaflets for locale in pack.locales}
    return plannable, bases


def pack_inputs(pack: Pack, base_keys: Iterable[str], boxes_html: Iterable[str],
                shared: incremental.Inputs) -> dict:
    """Everything that determines a pack's PDF, as digests: its leaflets, its clinic's boxes,
    its own settings, and what every document shares."""
    return {"parts": incremental.digest(list(base_keys)), "boxes": incremental.digest(list(boxes_html)),
            "format": incremental.digest(dataclasses.asdict(pack)), "templates": shared.templates,
            "fonts": shared.fonts, "software": shared.software}


def unbuilt_pack_leaflets(pack: Pack, documents: Mapping[tuple, LeafletDocument]) -> list[Problem]:
    """A pack is published only when every leaflet it lists was built in every language it
    lists, so that a pack never holds an older text than the leaflet downloads."""
    unavailable = [f"{slug} [{locale}]" for slug in pack.leaflets for locale in pack.locales
                   if (slug, locale, pack.paper, pack.variant) not in documents]
    if not unavailable:
        return []
    return [Problem("packs.toml", pack.line, f"pack {pack.id!r} not rebuilt: "
                                             f"{', '.join(unavailable)} did not build")]


def pack_failure(pack: Pack, problems: list[Problem]) -> Failure:
    """The pack keeps its last good PDF, marked outdated with its first problem."""
    return Failure("pack", (pack.id,), str(problems[0]))


def named_packs(problems: Iterable[Problem]) -> list[Failure]:
    """A pack a problem names (its [[pack]] table is broken, or its assembly failed a check)
    keeps its last good PDF, marked outdated with that problem (with several, the last)."""
    return [Failure("pack", (problem.pack,), str(problem)) for problem in problems if problem.pack]


def raise_problems(problems: list[Problem]) -> None:
    """Problems that stop the whole build."""
    if problems:
        raise ProblemError(problems)
