"""translations/ <-> Babel catalogs: extract, update, init, compile, and load them checked for the build."""

from __future__ import annotations

import dataclasses
import io
import os
from collections.abc import Iterable
from datetime import datetime, timezone
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.support import NullTranslations, Translations

from .. import checkcache, sources
from ..formats import formats
from . import glossary
from .approvals import messages_digest, read_review
from ..languages import UnknownLanguage, language_of
from ..model import Language, LocaleCatalog, Settings
from ..writing import stage
from .locks import catalog_lock
from .pofiles import checked_bytes, forms_of, header_line, parse_catalog, po_bytes, run_msgfmt_check, unreadable_problems
from ..problems import Problem, ProblemError

DOMAIN = "messages"
COMMENT_TAGS = ("Translators:",)
MAX_CATALOG_BYTES = 2 * 1024 * 1024

TEMPLATE_NOTICE = """\
# Translation template for the patient leaflets.
# Made by `pipeline.py extract` from leaflets/ and templates/; do not edit it by hand."""

DRAFT_NOTICE = """\
{english_name} translations of the patient leaflets.
DRAFT: this catalog was translated by the project team as a careful draft.
No qualified medical translator has reviewed it yet."""


def catalog_path(settings: Settings, locale: str) -> Path:
    return settings.translations_dir / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


def discover_locales(settings: Settings) -> list[str]:
    """The locales that have a catalog, in a stable order."""
    return sorted(path.parent.parent.name
                  for path in settings.translations_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


# -- maintaining catalogs (what pybabel extract / update / init / compile do) ----

def extract_messages(settings: Settings) -> Catalog:
    """Every translatable message in leaflets/ and templates/, as mapped by babel.cfg."""
    # Babel opens the files itself: refuse links, pipes and devices among them first.
    problems = [problem for folder in (settings.leaflets_dir, settings.templates_dir)
                for problem in sources.tree(settings.root, folder)[1]]
    if problems:
        raise ProblemError(problems)
    cfg = io.StringIO(sources.read(settings.root, settings.babel_cfg).decode("utf-8"))
    method_map, options_map = parse_mapping_cfg(cfg, str(settings.babel_cfg))
    catalog = Catalog(project="Patient leaflets", version="1", charset="utf-8",
                      header_comment=TEMPLATE_NOTICE, creation_date=datetime.now(timezone.utc))
    catalog.fuzzy = False
    extracted = extract_from_dir(settings.root, method_map, options_map,
                                 keywords=DEFAULT_KEYWORDS, comment_tags=COMMENT_TAGS,
                                 strip_comment_tags=True)
    try:
        for filename, lineno, message, comments, context in extracted:
            catalog.add(message, None, [(Path(filename).as_posix(), lineno)],
                        auto_comments=comments, context=context)
    except ProblemError:
        raise
    except Exception as error:  # a Jinja2 syntax error in a template, say
        lineno = getattr(error, "lineno", None)
        filename = getattr(error, "filename", None) or getattr(error, "name", None) or "templates"
        raise ProblemError([Problem(settings.relative(Path(filename)), lineno,
                                    f"cannot extract messages: {error}")]) from None
    return catalog


def write_catalog(path: Path, catalog: Catalog, settings: Settings | None = None) -> None:
    """Write a .po/.pot file as pybabel does (fuzzy entries keep their previous msgids), in full beside it and
    renamed over it (never through a link); with `settings`, only if GNU msgfmt --check accepts the result."""
    data = po_bytes(catalog) if settings is None else checked_bytes(catalog, settings.relative(path),
                                                                     path.parent.parent.name)
    try:
        os.replace(stage(path, data), path)
    except OSError as error:
        raise ProblemError([Problem(str(path), None, f"cannot write it: {error.strerror or error}")]) from None


def extract(settings: Settings) -> Catalog:
    """Write translations/messages.pot from the current English sources."""
    template = extract_messages(settings)
    write_catalog(settings.pot_file, template)
    return template


def init_catalog(settings: Settings, locale: str) -> Path:
    """Start a new language from the template; refuses to overwrite an existing catalog."""
    try:
        language = language_of(locale)
    except UnknownLanguage as error:
        raise ProblemError([Problem("translations", None, str(error))]) from None
    path = catalog_path(settings, locale)
    if sources.exists(settings.root, path):
        raise ProblemError([Problem(settings.relative(path), None,
                                    "this catalog already exists; use 'update' instead")])
    template = read_template(settings)
    catalog = Catalog(locale=locale, domain=DOMAIN, project=template.project,
                      version=template.version, charset="utf-8",
                      header_comment=comment_block(DRAFT_NOTICE.format(english_name=language.english_name)),
                      creation_date=template.creation_date)
    catalog.fuzzy = False
    catalog.update(template)
    write_catalog(path, catalog)
    return path


def update_catalogs(settings: Settings, template: Catalog) -> dict[str, dict[str, int]]:
    """Merge the template into every catalog; changed messages become fuzzy with their old msgid."""
    report = {}
    for locale in discover_locales(settings):
        with catalog_lock(settings, locale):  # an import meanwhile would be undone by this write
            report[locale] = update_catalog(settings, locale, template)
    return report


def update_catalog(settings: Settings, locale: str, template: Catalog) -> dict[str, int]:
    path = catalog_path(settings, locale)
    catalog = read_catalog(settings, path)
    previous = {message.id: message.previous_id for message in catalog if message.previous_id}
    catalog.update(template, update_header_comment=False, update_creation_date=False)
    # Babel keeps a message's fuzzy flag from one update to the next, but not the English
    # it had before: a translator still needs it.
    for message in catalog:
        if message.fuzzy and not message.previous_id and message.id in previous:
            message.previous_id = previous[message.id]
    write_catalog(path, catalog, settings)
    return count_messages(catalog)


def compile_catalogs(settings: Settings) -> list[Path]:
    """Write messages.mo beside each catalog (build products for other gettext tools)."""
    written = []
    for locale in discover_locales(settings):
        path = catalog_path(settings, locale)
        catalog = read_catalog(settings, path)
        with path.with_suffix(".mo").open("wb") as mo:
            write_mo(mo, catalog)
        written.append(path.with_suffix(".mo"))
    return written


def count_messages(catalog: Catalog) -> dict[str, int]:
    counts = {"translated": 0, "fuzzy": 0, "untranslated": 0}
    for message in list(catalog)[1:]:
        if message.fuzzy:
            counts["fuzzy"] += 1
        elif is_translated(message.string):
            counts["translated"] += 1
        else:
            counts["untranslated"] += 1
    return counts


def read_template(settings: Settings) -> Catalog:
    if not sources.exists(settings.root, settings.pot_file):
        raise ProblemError([Problem(settings.relative(settings.pot_file), None,
                                    "no template yet; run 'pipeline.py extract' first")])
    return read_catalog(settings, settings.pot_file)


# -- loading catalogs for the build ---------------------------------------------

def source_catalog(settings: Settings) -> LocaleCatalog:
    """The source language: its text is the msgids themselves."""
    return LocaleCatalog(language=remembered_language(settings, settings.source_locale), path=None,
                         translations=NullTranslations())


def load_catalog(settings: Settings, locale: str) -> LocaleCatalog:
    """Read one catalog and run every check on it.

    Raises ProblemError when the file cannot be trusted at all (PO syntax, duplicate
    messages, wrong plural counts, a Language header that contradicts the folder).
    Failed checks are returned in `LocaleCatalog.problems`, so proofs can still be made;
    `publication_problems` adds fuzzy, untranslated and missing messages.
    """
    path = catalog_path(settings, locale)
    display = settings.relative(path)
    try:
        language = remembered_language(settings, locale)
    except UnknownLanguage as error:
        raise ProblemError([Problem(display, None, str(error), locale=locale)]) from None
    data = sources.read(settings.root, path, MAX_CATALOG_BYTES, locale=locale)
    # The checks below found the same last time if these bytes, the glossary's and the code are the same.
    key = checkcache.check_key(locale, display, data, glossary.glossary_bytes(settings))
    checked = checkcache.problems_from_json(checkcache.recall(settings, f"catalog.{locale}", key))
    if checked is None:  # (results are kept only for a catalog that passed these two)
        # One clear problem for a file gettext cannot read at all, before msgfmt and Babel
        # would each report it their own way (often as dozens of syntax errors). GNU msgfmt
        # catches what Babel lets through (duplicate msgids, wrong plural counts, broken
        # format strings, unterminated strings), each with its line.
        unusable = unreadable_problems(data, display, locale) or run_msgfmt_check(data, display, locale)
        if unusable:
            raise ProblemError(unusable)
    catalog = parse_catalog(data, display, locale)
    if catalog.locale_identifier != locale:
        found = catalog.locale_identifier or "nothing"
        raise ProblemError([Problem(display, header_line(data, "Language"),
                                    f"the Language header says {found}, but the folder is {locale}",
                                    locale=locale)])
    messages = list(catalog)[1:]
    if checked is None:
        checked = check_messages(settings, catalog, display, language)
        checkcache.remember(settings, f"catalog.{locale}", key, checkcache.problems_to_json(checked))
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    loaded = LocaleCatalog(
        language=language, path=display, translations=Translations(buffer, domain=DOMAIN),
        lines={singular_of(message.id): message.lineno for message in messages},
        strings={singular_of(message.id): forms_of(message.string) for message in messages
                 if not message.fuzzy and is_translated(message.string)},
        fuzzy={singular_of(message.id): forms_of(message.string) for message in messages
               if message.fuzzy and is_translated(message.string)},
        messages={singular_of(message.id): forms_of(message.id) for message in messages},
        problems=tuple(checked),
        digest=messages_digest(catalog),
    )
    return dataclasses.replace(loaded, review=read_review(settings, loaded))


def remembered_language(settings: Settings, locale: str) -> Language:
    """language_of, kept in output/.cache: CLDR's data for a locale takes longer to load than its catalog."""
    key = checkcache.check_key(locale)
    try:
        return Language(**checkcache.recall(settings, f"language.{locale}", key))
    except TypeError:  # nothing kept (None), or not a Language
        language = language_of(locale)
        checkcache.remember(settings, f"language.{locale}", key, dataclasses.asdict(language))
        return language


def check_messages(settings: Settings, catalog: Catalog, display: str, language) -> list[Problem]:
    """Babel's own checks plus this project's (registered as Babel checkers), and the glossary's."""
    problems = [Problem(display, message.lineno, f"{error} (msgid {short(message.id)})", locale=language.locale)
                for message, errors in catalog.check() for error in errors]
    return problems + glossary.catalog_problems(settings, list(catalog)[1:], display, language)


def read_catalog(settings: Settings, path: Path) -> Catalog:
    """A catalog or template file, read by the rule for every source, parsed by Babel."""
    display = settings.relative(path)
    data = sources.read(settings.root, path, MAX_CATALOG_BYTES)
    problems = unreadable_problems(data, display, None)
    if problems:
        raise ProblemError(problems)
    return parse_catalog(data, display)


def needed_messages(leaflets: Iterable, template_messages: Iterable) -> list[str]:
    """The msgids (plural ones by their singular) that these leaflets and templates print."""
    return [message.text for leaflet in leaflets for message in leaflet.messages()] + [
        singular_of(message) for message in template_messages]


def publication_problems(catalog: LocaleCatalog, needed: Iterable[str | tuple]) -> list[Problem]:
    """Everything that keeps a catalog from being published: failed checks, fuzzy or
    untranslated messages, and messages the current sources need that it does not have."""
    return [*catalog.problems, *incomplete_messages(catalog), *missing_translations(catalog, needed)]


def incomplete_messages(catalog: LocaleCatalog) -> list[Problem]:
    problems = []
    for key in catalog.messages:
        if key in catalog.strings or (key in formats.OPTIONAL_MESSAGES and key not in catalog.fuzzy):
            continue  # (a new format's message: the language shows the English or the old one meanwhile)
        state = ("is fuzzy: check the translation, then remove the fuzzy flag" if key in catalog.fuzzy
                 else "is not translated")
        problems.append(Problem(catalog.path, catalog.lines.get(key), f"message {short(key)} {state}",
                                locale=catalog.language.locale))
    return problems


def missing_translations(catalog: LocaleCatalog, needed: Iterable[str | tuple]) -> list[Problem]:
    """A problem for every message the sources use that the catalog does not have at all."""
    if catalog.is_source:
        return []
    problems = []
    for msgid in dict.fromkeys(singular_of(msgid) for msgid in needed):
        if msgid not in catalog.messages:
            problems.append(Problem(catalog.path, None, f"message {short(msgid)} is missing "
                                    "(run 'pipeline.py update')", locale=catalog.language.locale))
    return problems


def count_states(catalog: LocaleCatalog) -> dict[str, int]:
    fuzzy = sum(1 for key in catalog.messages if key in catalog.fuzzy and key not in catalog.strings)
    return {"translated": len(catalog.strings), "fuzzy": fuzzy,
            "untranslated": len(catalog.messages) - len(catalog.strings) - fuzzy}


def singular_of(msgid: str | tuple | list) -> str:
    """Plural messages are keyed by their singular form."""
    return msgid if isinstance(msgid, str) else msgid[0]


def is_translated(string) -> bool:
    if isinstance(string, (tuple, list)):
        return bool(string) and all(string)
    return bool(string)


def short(msgid) -> str:
    text = singular_of(msgid)
    return repr(text if len(text) <= 60 else text[:57] + "...")


def comment_block(text: str) -> str:
    return "\n".join(f"# {line}" for line in text.splitlines())
