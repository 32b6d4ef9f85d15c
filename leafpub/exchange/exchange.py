"""A locale's catalog -> an XLIFF file for a translation agency, and the agency's XLIFF file -> the
catalog with only its changed, checked targets merged (the rest refused, each with its unit's id)."""

from __future__ import annotations

import io
import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from babel.messages.catalog import Message
from lxml import etree

from ..catalogs import catalogs, checks, glossary, locks
from . import exports, xliff
from .. import limits, sources
from ..languages import language_of
from ..model import Language, Settings
from ..catalogs.pofiles import forms_of
from ..problems import Problem, ProblemError
from ..xmlinput import local_name, parse_xml

MAX_XLIFF_BYTES = 16 * 1024 * 1024
MAX_UNITS = 20_000  #: a leaflet catalog has a few hundred messages at most
MAX_LISTED = 10  #: refused units listed one by one; the rest are counted
ORIGINAL = re.compile(r"translations/([^/]+)/LC_MESSAGES/messages\.po")
NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
#: A target failing one of these could print a wrong dose, date or placeholder: it is never merged.
REFUSING_CHECKS = (checks.check_characters, checks.check_numbers, checks.check_placeholders, checks.check_markup)


@dataclass(frozen=True)
class Imported:
    catalog_path: str
    changed: tuple[str, ...]  #: the ids of the units whose targets were merged
    unchanged: int
    refused: tuple[Problem, ...]  #: a target not merged, at its unit's line in the XLIFF file (the first few)
    failing: tuple[Problem, ...]  #: merged, but failing a check that does not refuse (length, punctuation)
    refused_count: int = 0  #: all the refused units, listed or not


def export_xliff(settings: Settings, locale: str) -> tuple[bytes, dict[str, int], exports.Export]:
    """The locale's catalog as XLIFF 1.2, how many of its messages are in each state, and the record
    of what it holds (to write with exports.write_export before the file goes out)."""
    loaded = catalogs.load_catalog(settings, locale)  # an unreadable catalog is refused, with its lines
    path = catalogs.catalog_path(settings, locale)
    catalog = catalogs.read_catalog(settings, path)
    unwritable = [Problem(loaded.path, message.lineno, f"the control character U+{ord(found[0]):04X} cannot be "
                                                       "written in XML: remove it, then export", locale=locale)
                  for message in list(catalog)[1:]
                  for found in [NOT_IN_XML.search("".join(forms_of(message.string)))] if found]
    if unwritable:
        raise ProblemError(unwritable)
    ident = exports.new_export_id()
    data = xliff.export_xliff(catalog, settings.relative(path), language_of(settings.source_locale).tag,
                              loaded.language.tag, signed_off=loaded.review.state == "approved", export_id=ident)
    # The base of the three-way merge at import: each unit read back as the agency's file will be.
    messages = {xliff.unit_id(message): message for message in list(catalog)[1:]}
    units = {target.unit: exports.Base(target.target, target.fuzzy, forms_of(messages[target.unit].string),
                                       messages[target.unit].fuzzy)
             for target in xliff.read_targets(etree.fromstring(data)) if target.unit in messages}
    return data, catalogs.count_messages(catalog), exports.Export(ident, locale, units)


def import_xliff(settings: Settings, file: Path, shown: str) -> Imported:
    """Merge what the agency changed since the export (the project's record of it is the base) into the
    catalog it was exported from; refuse a target that breaks a placeholder, a number or the markup,
    whose English is not the catalog's, or that the catalog changed too since the export (a conflict)."""
    root = read_xliff(file, shown)
    locale = locale_for(settings, shown, root)
    ident, line = xliff.export_id_of(root)
    export = exports.read_export(settings, ident, shown, line)
    if export.locale != locale:  # whatever its labels say, the record tells where it came from
        tag = language_of(locale).tag
        raise ProblemError([Problem(shown, line, f"the file was exported from the {export.locale!r} catalog but its "
                                                 f"target-language is {tag!r}: not imported")])
    targets = xliff.read_targets(root)
    del root
    with locks.catalog_lock(settings, locale):  # read, merge and write with no other command in between
        return merge_targets(settings, locale, shown, targets, export)


def merge_targets(settings: Settings, locale: str, shown: str, targets: list, export: exports.Export) -> Imported:
    language = language_of(locale)
    path = catalogs.catalog_path(settings, locale)
    display = settings.relative(path)
    catalogs.load_catalog(settings, locale)  # a catalog msgfmt or Babel cannot trust is not merged into
    catalog = catalogs.read_catalog(settings, path)
    messages = {xliff.unit_id(message): message for message in list(catalog)[1:]}
    repeated = {unit for unit, count in Counter(target.unit for target in targets).items() if count > 1}
    changed, refused, unchanged, refused_count = [], [], 0, 0
    for target in targets:
        message = messages.get(target.unit)
        reason = ("the file has more than one unit with this id" if target.unit in repeated else
                  why_refused(target, message, export.units.get(target.unit), language, catalog.num_plurals))
        if reason:
            refused_count += 1
            if len(refused) < MAX_LISTED:  # a file of thousands of units not ours: the first few, then a count
                refused.append(Problem(shown, target.line, f"unit {target.unit[:40] or '(no id)'}: {reason}; "
                                                           "not imported", locale=locale))
            continue
        string = to_merge(target, message, export.units[target.unit], catalog.num_plurals)
        if string is None:
            unchanged += 1
            continue
        set_translation(message, string, target.fuzzy)
        changed.append(message)
    if refused_count > len(refused):
        refused.append(Problem(shown, None, f"{refused_count - len(refused)} more unit(s) refused, not listed",
                               locale=locale))
    if changed:
        catalog.revision_date = datetime.now(timezone.utc)  # as Poedit and Weblate do when they save
        catalogs.write_catalog(path, catalog, settings)  # only if msgfmt --check accepts the result
        catalog = catalogs.read_catalog(settings, path)  # for the line numbers as written
    merged = {xliff.unit_id(message) for message in changed}
    terms = glossary.catalog_checker(settings, display, language)
    failing = [problem for message in list(catalog)[1:] if xliff.unit_id(message) in merged
               for problem in message_problems(terms, message, display, language)]
    return Imported(display, tuple(sorted(merged)), unchanged, tuple(refused), tuple(failing), refused_count)


def set_translation(message: Message, string, fuzzy: bool) -> None:
    message.string = string
    if fuzzy:
        message.flags.add("fuzzy")
    else:
        message.flags.discard("fuzzy")
        message.previous_id = []


def to_merge(target: xliff.Target, message: Message, base: exports.Base, plurals: int):
    """The translation the unit brings, or None when there is nothing to merge: the agency left the unit
    as it was exported (so the catalog's text stays, even a correction made since), left it empty, or
    changed it to what the catalog already has. A change of state alone (confirmed, or sent back for
    review) is a change."""
    if (target.target, target.fuzzy) == (base.target, base.fuzzy):
        return None
    string = merged_string(target, message, plurals)
    return None if string is None or (string, target.fuzzy) == (message.string, message.fuzzy) else string


def read_xliff(file: Path, shown: str):
    """The file (anywhere: an agency's delivery is often in Downloads) parsed as untrusted XML."""
    data = sources.read_delivered(file, shown, MAX_XLIFF_BYTES, "an XLIFF file")
    too_many = unit_beyond_limit(data)
    if too_many is not None:  # read no further: a tree of so many units takes hundreds of MiB
        raise ProblemError([Problem(shown, too_many, f"the file has more than {MAX_UNITS} units; a catalog of these "
                                                     "leaflets has far fewer: not imported")])
    root = parse_xml(data, shown)
    if local_name(root) != "xliff" or not root.get("version", "").startswith("1."):
        raise ProblemError([Problem(shown, root.sourceline, "not an XLIFF 1.x file (its root must be "
                                                            "<xliff version=\"1.2\">)")])
    files = [child for child in root if isinstance(child.tag, str) and local_name(child) == "file"
             and etree.QName(child).namespace == etree.QName(root).namespace]
    if len(files) != 1:
        raise ProblemError([Problem(shown, root.sourceline, f"the file has {len(files)} <file> elements: "
                                    "import one language's file, as 'export' writes it")])
    return root


def unit_beyond_limit(data: bytes) -> int | None:
    """The line of the unit past MAX_UNITS, counted as the file streams by (each unit dropped once seen);
    None when there are fewer, or when the XML is broken (parse_xml then says where)."""
    stream = etree.iterparse(io.BytesIO(data), events=("end",), tag="{*}trans-unit", resolve_entities=False,
                             no_network=True, load_dtd=False, huge_tree=False)
    try:
        for count, (_, unit) in enumerate(stream, 1):
            if count > MAX_UNITS:
                return unit.sourceline
            unit.clear(keep_tail=False)
            while unit.getprevious() is not None:
                del unit.getparent()[0]
    except etree.XMLSyntaxError:
        return None
    return None


def locale_for(settings: Settings, shown: str, root) -> str:
    """The catalog the file's target-language names (pt-BR and pt_BR are the same); its `original`,
    when it names a catalog, must name the same one: a file retargeted to another language is refused."""
    file = next(child for child in root if isinstance(child.tag, str) and local_name(child) == "file")
    tag = file.get("target-language", "")
    wanted = tag.strip().replace("-", "_").lower()
    locale = next((locale for locale in catalogs.discover_locales(settings) if locale.lower() == wanted), None)
    if locale is None:
        found = f"target-language {tag[:40]!r}" if tag else "no target-language"
        raise ProblemError([Problem(shown, file.sourceline, f"the file has {found}, and there is no such catalog "
                                                            f"in {settings.relative(settings.translations_dir)}/")])
    original = ORIGINAL.fullmatch(file.get("original", ""))
    if original and original[1].lower() != locale.lower():
        raise ProblemError([Problem(shown, file.sourceline, f"the file was exported from the {original[1]!r} catalog "
                                                            f"but its target-language is {tag!r}: not imported")])
    return locale


def why_refused(target: xliff.Target, message: Message | None, base: exports.Base | None, language: Language,
                plurals: int) -> str | None:
    if message is None:
        return ("no message of the catalog has this id: its English changed or was removed after the "
                "export. Export the file again and carry the translation over")
    if target.source[:2] != forms_of(message.id):  # a plural group repeats the plural English
        return "its source is not the catalog's English: export the file again"
    if base is None:
        return "the export this file comes from had no such unit: export the file again"
    string = to_merge(target, message, base, plurals)
    if string is None:
        return None
    if (forms_of(message.string), message.fuzzy) != (base.string, base.catalog_fuzzy):
        return ("the catalog's translation was changed after the export, and the file changes it too: "
                "compare the two and edit the catalog by hand")
    return target_problems(string, message, language)


def target_problems(string, message: Message, language: Language) -> str | None:
    """Why a changed target cannot go into the catalog: too long, or failing a check that refuses."""
    long = limits.too_long("".join(forms_of(string)), "target")
    if long:
        return long
    problems = []
    for index, form in enumerate(forms_of(string)):
        english = forms_of(message.id)[0 if index == 0 else -1]
        problems += line_break_problems(english, form)
        for check in REFUSING_CHECKS:
            if check is checks.check_numbers and isinstance(message.id, (tuple, list)):
                continue  # plural forms may spell the number out; the placeholder is checked
            problems += check(english, form, language)
    return "; ".join(dict.fromkeys(problems)) or None


def line_break_problems(english: str, form: str) -> list[str]:
    """GNU msgfmt --check rejects a catalog whose msgstr begins or ends with a line break where the
    msgid does not, or the reverse: such a target would leave the catalog unusable until edited by hand."""
    problems = []
    for edge, has in (("begin", str.startswith), ("end", str.endswith)):
        if has(english, "\n") != has(form, "\n"):
            which = ("the English does and its target does not" if has(english, "\n")
                     else "its target does and the English does not")
            problems.append(f"{which} {edge} with a line break, which gettext's msgfmt rejects")
    return problems


def merged_string(target: xliff.Target, message: Message, plurals: int):
    """The translation the unit gives, in the catalog's shape; None for an empty target (not translated
    in the file: the catalog's translation stays)."""
    if isinstance(message.id, (tuple, list)):
        forms = tuple(target.target[:plurals])
        return forms if len(forms) == plurals and all(form.strip() for form in forms) else None
    return target.target[0] if target.target and target.target[0].strip() else None


def message_problems(terms, message: Message, display: str, language: Language) -> list[Problem]:
    found = checks.check_message(message.id, message.string, language)
    problems = [Problem(display, message.lineno, f"{problem} (msgid {catalogs.short(message.id)})",
                        locale=language.locale) for problem in found]
    return problems + terms([message])

