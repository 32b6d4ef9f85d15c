"""Settings + the last manifest -> the state of every locale: what is left, what fails,
whether it is reviewed, whether it can be published, and what is published now."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from ..catalogs import catalogs, signoff
from ..content import content
from ..render import templating
from ..formats import braille_tables as tables
from ..model import Leaflet, Settings
from ..problems import Problem, ProblemError
from .. import sources

@dataclass(frozen=True)
class LocaleStatus:
    locale: str
    language: str  #: English name
    translated: int | None  #: None when the catalog cannot be read
    fuzzy: int | None
    untranslated: int | None
    checks_failing: int
    review: str  #: "draft", "approved" or "source"
    back_translation: str  #: "no", or "yes (SHA-256 ...)" when the approval was given with one
    reviewer: str  #: who approved it and when, or why it is a draft
    publishable: bool
    why: str  #: the first reason it cannot be published
    published: str  #: "current", "outdated: <reason>" or "not published"
    problems: tuple[Problem, ...]
    braille: str = ""  #: "yes: <table>", "outdated: <reason>", or "no: <why>"
    audio: str = ""  #: "yes: <n> leaflet(s)", "outdated: <reason>", or "no: <why>"

    def to_json(self) -> dict:
        data = {key: value for key, value in self.__dict__.items() if key != "problems"}
        data["problems"] = [problem.to_json() for problem in self.problems]
        return data


def source_messages(settings: Settings) -> tuple[list, list[Problem]]:
    """The msgids the leaflets and templates use now, and any problem with the leaflets."""
    loaded = content.load_leaflets(settings)
    environment = templating.make_environment(settings)
    needed = catalogs.needed_messages(loaded.leaflets, templating.template_messages(environment,
                                                                         templating.LEAFLET_TEMPLATES))
    return needed, list(loaded.problems)


def locale_statuses(settings: Settings, locales: list[str] | None = None) -> tuple[list[LocaleStatus],
                                                                                   list[Problem]]:
    """One row per locale (all of them by default); also the problems of the English sources."""
    needed, source_problems = source_messages(settings)
    manifest = sources.read_manifest(settings.output_dir)
    rows = []
    for locale in locales or catalogs.discover_locales(settings):
        published = published_state(manifest, locale)
        path = catalogs.catalog_path(settings, locale)
        if not path.is_file():
            problem = Problem(settings.relative(path), None, "no such catalog (run 'pipeline.py init')",
                              locale=locale)
            rows.append(LocaleStatus(locale, locale, None, None, None, 0, "draft", "no", "", False,
                                     str(problem), published, (problem,)))
            continue
        try:
            catalog = catalogs.load_catalog(settings, locale)
        except ProblemError as error:
            rows.append(LocaleStatus(locale, locale, None, None, None, len(error.problems), "draft", "no",
                                     "", False, str(error.problems[0]), published, error.problems))
            continue
        problems = catalogs.publication_problems(catalog, needed)
        counts = catalogs.count_states(catalog)
        missing = len(catalogs.missing_translations(catalog, needed))
        review = catalog.review
        reviewer = (f"{review.approved_by} on {review.approved_on}" if review.state == "approved"
                    else review.reason)
        rows.append(LocaleStatus(
            locale=locale, language=catalog.language.english_name,
            translated=counts["translated"], fuzzy=counts["fuzzy"],
            untranslated=counts["untranslated"] + missing, checks_failing=len(catalog.problems),
            review=review.state, reviewer=reviewer, publishable=not problems,
            back_translation=(f"yes (SHA-256 {review.back_translation[:12]}...)"
                              if review.state == "approved" and review.back_translation else "no"),
            why=str(problems[0]) if problems else "", published=published, problems=tuple(problems)))
    return [replace(row, braille=braille_state(manifest, row.locale),
                    audio=audio_state(manifest, row.locale)) for row in rows], source_problems


def due_for_review(leaflets, today: date, months: int = 6) -> list[tuple[Leaflet, int]]:
    """(leaflet, days left) for every leaflet whose review falls due within `months`
    (pyproject.toml's review-alert-months); overdue ones have negative days left."""
    until = months_after(today, months)
    due = [(leaflet, (leaflet.next_review - today).days) for leaflet in leaflets if leaflet.next_review <= until]
    return sorted(due, key=lambda pair: pair[1])


def months_after(day: date, months: int) -> date:
    """The same day `months` later (the month's last day where it is shorter)."""
    import calendar

    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def published_state(manifest: dict, locale: str) -> str:
    entries = [entry for entry in manifest.get("leaflets", []) if entry.get("locale") == locale]
    outdated = [entry["outdated"] for entry in entries if entry.get("outdated")]
    if outdated:
        return f"outdated: {outdated[0]}"
    return "current" if entries else "not published"


def clinical_statuses(settings: Settings, leaflets) -> list[dict]:
    """Each leaflet's clinical sign-off: who approved which version, or why none counts now."""
    signoffs, refused = signoff.read_signoffs(settings)
    rows = []
    for state in signoff.clinical_states(settings, leaflets, signoffs, refused):
        recorded = state.signoff
        rows.append({"leaflet": state.slug, "state": state.state, "reason": state.reason,
                     "approved_by": recorded.by if recorded else None,
                     "approved_on": recorded.on.isoformat() if recorded else None,
                     "version": recorded.version if recorded else None})
    return rows


def clinical_line(row: dict) -> str:
    """One leaflet's sign-off as `status` prints it."""
    if row["state"] == "approved":
        return f"{row['leaflet']}: approved (version {row['version']}, by {row['approved_by']} on {row['approved_on']})"
    return (f"{row['leaflet']}: {row['state']} ({row['reason']}); every page of it, in every language, "
            "says its clinical content has not yet been approved")
def braille_state(manifest: dict, locale: str) -> str:
    """Whether the language's braille is published, and if not, why."""
    choice = tables.choice(locale)
    if isinstance(choice, tables.NoTable):
        return f"no: {choice.reason}"
    entries = [e for e in manifest.get("formats", []) if isinstance(e, dict) and e.get("locale") == locale
               and e.get("kind") == "braille-brf"]
    outdated = [str(e["outdated"]) for e in entries if e.get("outdated")]
    if outdated:
        return f"outdated: {outdated[0]}"
    if entries:
        return f"yes: {choice.table}, {len(entries)} leaflet(s)"
    return f"no: not built yet or not publishable ({choice.table} chosen)"


def source_braille(settings: Settings) -> str:
    return braille_state(sources.read_manifest(settings.output_dir), settings.source_locale)


def audio_state(manifest: dict, locale: str) -> str:
    """Whether the language's audio is published (the manifest's "audio" files), and if not, why."""
    entries = [e for e in manifest.get("formats", []) if isinstance(e, dict) and e.get("locale") == locale
               and e.get("kind") == "audio"]
    outdated = [str(e["outdated"]) for e in entries if e.get("outdated")]
    if outdated:
        return f"outdated: {outdated[0]}"
    return f"yes: {len(entries)} leaflet(s)" if entries else "no: not built yet or not publishable"


def source_audio(settings: Settings) -> str:
    return audio_state(sources.read_manifest(settings.output_dir), settings.source_locale)
