"""A locale's catalog -> an XLIFF file for a translation agency, and the agency's XLIFF file -> the
catalog with only its changed, checked targets merged (the rest refused, each with its unit's id)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from babel.messages.catalog import Message

from . import catalogs, checks, glossary, sources, xliff
from .xmlinput import local_name, parse_xml
from .languages import language_of
from .model import Language, Settings
from .problems import Problem, ProblemError

MAX_XLIFF_BYTES = 16 * 1024 * 1024
#: A target failing one of these could print a wrong dose, date or placeholder: it is never merged.
REFUSING_CHECKS = (checks.check_characters, checks.check_numbers, checks.check_placeholders, checks.check_markup)


@dataclass(frozen=True)
class Imported:
    catalog_path: str
    changed: tuple[str, ...]  #: the ids of the units whose targets were merged
    unchanged: int
    refused: tuple[Problem, ...]  #: a target not merged, at its unit's line in the XLIFF file
    failing: tuple[Problem, ...]  #: merged, but failing a check that does not refuse (length, punctuation)


def export_xliff(settings: Settings, locale: str) -> tuple[bytes, dict[str, int]]:
    """The locale's catalog as XLIFF 1.2, and how many of its messages are in each state."""
    loaded = catalogs.load_catalog(settings, locale)  # an unreadable catalog is refused, with its lines
    path = catalogs.catalog_path(settings, locale)
    catalog = catalogs.read_catalog(settings, path)
    data = xliff.export_xliff(catalog, settings.relative(path), language_of(settings.source_locale).tag,
                              loaded.language.tag, signed_off=loaded.review.state == "approved")
    return data, catalogs.count_messages(catalog)


def import_xliff(settings: Settings, file: Path, shown: str) -> Imported:
    """Merge the targets of `file` that differ from the catalog; refuse those that break a
    placeholder, a number or the markup, or whose English is not the catalog's."""
    root = read_xliff(file, shown)
    tag, targets = xliff.read_targets(root)
    locale = locale_for(settings, tag, shown, root)
    language = language_of(locale)
    path = catalogs.catalog_path(settings, locale)
    display = settings.relative(path)
    catalog = catalogs.read_catalog(settings, path)
    messages = {xliff.unit_id(message): message for message in list(catalog)[1:]}
    changed, refused, unchanged = [], [], 0
    for target in targets:
        message = messages.get(target.unit)
        reason = why_refused(target, message, language, catalog.num_plurals)
        if reason:
            refused.append(Problem(shown, target.line, f"unit {target.unit}: {reason}; not imported", locale=locale))
            continue
        string = merged_string(target, message, catalog.num_plurals)
        if string is None or (string, target.fuzzy) == (message.string, message.fuzzy):
            unchanged += 1
            continue
        message.string = string
        if target.fuzzy:
            message.flags.add("fuzzy")
        else:
            message.flags.discard("fuzzy")
            message.previous_id = []
        changed.append(message)
    if changed:
        catalog.revision_date = datetime.now(timezone.utc)
        catalogs.write_catalog(path, catalog)
        catalog = catalogs.read_catalog(settings, path)  # for the line numbers as written
    merged = {xliff.unit_id(message) for message in changed}
    failing = [problem for message in list(catalog)[1:] if xliff.unit_id(message) in merged
               for problem in message_problems(settings, message, display, language)]
    return Imported(display, tuple(sorted(merged)), unchanged, tuple(refused), tuple(failing))


def read_xliff(file: Path, shown: str):
    """The file (anywhere: an agency's delivery is often in Downloads) parsed as untrusted XML."""
    data = sources.read_delivered(file, shown, MAX_XLIFF_BYTES, "an XLIFF file")
    root = parse_xml(data, shown)
    if local_name(root) != "xliff" or not root.get("version", "").startswith("1."):
        raise ProblemError([Problem(shown, root.sourceline, "not an XLIFF 1.x file (its root must be "
                                                            "<xliff version=\"1.2\">)")])
    return root


def locale_for(settings: Settings, tag: str, shown: str, root) -> str:
    """The catalog a file's target-language names: pt-BR and pt_BR are the same."""
    wanted = tag.strip().replace("-", "_").lower()
    for locale in catalogs.discover_locales(settings):
        if locale.lower() == wanted:
            return locale
    line = next(root.iter("{*}file")).sourceline if tag else root.sourceline
    found = f"target-language {tag!r}" if tag else "no target-language"
    raise ProblemError([Problem(shown, line, f"the file has {found}, and there is no such catalog in "
                                             f"{settings.relative(settings.translations_dir)}/")])


def why_refused(target: xliff.Target, message: Message | None, language: Language, plurals: int) -> str | None:
    if message is None:
        return ("no message of the catalog has this id: its English changed or was removed after the "
                "export. Export the file again and carry the translation over")
    if target.source[:2] != xliff.forms(message.id):  # a plural group repeats the plural English
        return "its source is not the catalog's English: export the file again"
    string = merged_string(target, message, plurals)
    if string is None:
        return None
    problems = []
    for index, form in enumerate(xliff.forms(string)):
        english = xliff.forms(message.id)[0 if index == 0 else -1]
        for check in REFUSING_CHECKS:
            if check is checks.check_numbers and isinstance(message.id, (tuple, list)):
                continue  # plural forms may spell the number out; the placeholder is checked
            problems += check(english, form, language)
    return "; ".join(dict.fromkeys(problems)) or None


def merged_string(target: xliff.Target, message: Message, plurals: int):
    """The translation the unit gives, in the catalog's shape; None for an empty target (not translated
    in the file: the catalog's translation stays)."""
    if isinstance(message.id, (tuple, list)):
        forms = tuple(target.target[:plurals])
        return forms if len(forms) == plurals and all(forms) else None
    return target.target[0] if target.target and target.target[0] else None


def message_problems(settings: Settings, message: Message, display: str, language: Language) -> list[Problem]:
    found = checks.check_message(message.id, message.string, language)
    problems = [Problem(display, message.lineno, f"{problem} (msgid {catalogs.short(message.id)})",
                        locale=language.locale) for problem in found]
    return problems + glossary.catalog_problems(settings, [message], display, language)

