"""translations/ <-> Babel catalogs: extract, update, init, compile, and load them checked for the build."""

from __future__ import annotations

import codecs
import dataclasses
import gettext
import io
import re
import subprocess
from collections.abc import Iterable
from datetime import datetime, timezone
from pathlib import Path

from babel.core import parse_locale
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.plurals import get_plural
from babel.messages.pofile import PoFileError, read_po, write_po
from babel.support import NullTranslations, Translations

from . import sources
from .approvals import messages_digest, read_review
from .languages import UnknownLanguage, language_of
from .model import LocaleCatalog, Settings
from .problems import Problem, ProblemError

DOMAIN = "messages"
COMMENT_TAGS = ("Translators:",)
MAX_CATALOG_BYTES = 2 * 1024 * 1024
MSGFMT_LINE = re.compile(r"^(?P<path>[^:\n]+):(?P<line>\d+):(?:\d+:)? (?P<message>.+)$")

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


def write_catalog(path: Path, catalog: Catalog) -> None:
    """Write a .po/.pot file the way pybabel does (previous msgids kept for fuzzy entries)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=76, include_previous=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(buffer.getvalue())
    temporary.replace(path)


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
        path = catalog_path(settings, locale)
        catalog = read_catalog(settings, path)
        catalog.update(template, update_header_comment=False, update_creation_date=False)
        write_catalog(path, catalog)
        report[locale] = count_messages(catalog)
    return report


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
    return LocaleCatalog(language=language_of(settings.source_locale), path=None,
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
        language = language_of(locale)
    except UnknownLanguage as error:
        raise ProblemError([Problem(display, None, str(error), locale=locale)]) from None
    data = sources.read(settings.root, path, MAX_CATALOG_BYTES, locale=locale)
    # One clear problem for a file gettext cannot read at all, before msgfmt and Babel
    # would each report it their own way (often as dozens of syntax errors).
    problems = unreadable_problems(data, display, locale)
    # GNU msgfmt catches what Babel lets through (duplicate msgids, wrong plural
    # counts, broken format strings, unterminated strings), each with its line.
    problems = problems or run_msgfmt_check(data, display, locale)
    if problems:
        raise ProblemError(problems)
    catalog = parse_catalog(data, display, locale)
    if catalog.locale_identifier != locale:
        found = catalog.locale_identifier or "nothing"
        raise ProblemError([Problem(display, header_line(data, "Language"),
                                    f"the Language header says {found}, but the folder is {locale}",
                                    locale=locale)])
    messages = list(catalog)[1:]
    # Babel's own checks plus this project's (registered as Babel checkers).
    for message, errors in catalog.check():
        for error in errors:
            problems.append(Problem(display, message.lineno, f"{error} (msgid {short(message.id)})",
                                    locale=locale))
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    loaded = LocaleCatalog(
        language=language, path=display, translations=Translations(buffer, domain=DOMAIN),
        lines={key_of(message.id): message.lineno for message in messages},
        strings={key_of(message.id): forms_of(message.string) for message in messages
                 if not message.fuzzy and is_translated(message.string)},
        fuzzy={key_of(message.id): forms_of(message.string) for message in messages
               if message.fuzzy and is_translated(message.string)},
        messages={key_of(message.id): forms_of(message.id) for message in messages},
        problems=tuple(problems),
        digest=messages_digest(catalog),
    )
    return dataclasses.replace(loaded, review=read_review(settings, loaded))


def read_catalog(settings: Settings, path: Path) -> Catalog:
    """A catalog or template file, read by the rule for every source, parsed by Babel."""
    display = settings.relative(path)
    data = sources.read(settings.root, path, MAX_CATALOG_BYTES)
    problems = unreadable_problems(data, display, None)
    if problems:
        raise ProblemError(problems)
    return parse_catalog(data, display)


def unreadable_problems(data: bytes, display: str, locale: str | None) -> list[Problem]:
    """The encoding first, then the headers: what stops gettext and Babel reading a file at all."""
    return encoding_problems(data, display, locale) or header_problems(data, display, locale)


def parse_catalog(data: bytes, display: str, locale: str | None = None) -> Catalog:
    try:
        return read_po(io.BytesIO(data), abort_invalid=True)
    except PoFileError as error:
        # Babel's line numbers are 0-based.
        raise ProblemError([Problem(display, error.lineno + 1, f"invalid PO syntax: {error.args[0]}"
                                    .split(" on ")[0], locale=locale)]) from None
    except LookupError as error:  # an unknown charset in the Content-Type header
        raise ProblemError([Problem(display, header_line(data, "Content-Type"),
                                    f"cannot read catalog: the charset in its Content-Type header is "
                                    f"unknown ({error})", locale=locale)]) from None
    except (UnicodeDecodeError, ValueError) as error:
        raise ProblemError([Problem(display, None, f"cannot read catalog: {error}", locale=locale)]) from None


SAVE_AS_UTF8 = ("save it as UTF-8 (Poedit and Weblate do; in a text editor choose "
                "'Save with encoding: UTF-8', without BOM)")


def encoding_problems(data: bytes, display: str, locale: str | None) -> list[Problem]:
    """A problem saying how the file is encoded when it is not UTF-8, the only encoding
    this project's catalogs use (and the one Poedit, Weblate and pybabel write)."""
    def problem(line: int, message: str) -> list[Problem]:
        return [Problem(display, line, message, locale=locale)]

    if data.startswith(codecs.BOM_UTF8):
        return problem(1, "the file starts with a byte order mark (BOM), which gettext tools reject: "
                          "save it as UTF-8 without BOM")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        order = "little" if data.startswith(codecs.BOM_UTF16_LE) else "big"
        return problem(1, f"the file is saved as UTF-16 ({order}-endian, with a byte order mark), "
                          f"not UTF-8: {SAVE_AS_UTF8}")
    head = data[:4096]
    if head.count(0) > len(head) // 4:
        order = "little" if head[1::2].count(0) > head[0::2].count(0) else "big"
        return problem(1, f"the file is saved as UTF-16 ({order}-endian, without a byte order mark), "
                          f"not UTF-8: {SAVE_AS_UTF8}")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        return problem(line, "the file is not UTF-8 (this line has a byte UTF-8 does not allow; it "
                             f"looks saved as Latin-1 (ISO-8859-1) or Windows-1252): {SAVE_AS_UTF8}")
    return []


#: gettext's own limit is 1000 characters; CLDR's languages need at most 6 forms.
MAX_PLURAL_FORMS = 6


def header_problems(data: bytes, display: str, locale: str | None) -> list[Problem]:
    """Problems with the header fields gettext and Babel depend on (Content-Type,
    Language, Plural-Forms), each at its line and with what to write instead."""
    fields = header_fields(data.decode("utf-8"))
    problems = []

    def problem(name: str, message: str) -> None:
        problems.append(Problem(display, fields[name][0], message, locale=locale))

    if "Content-Type" in fields:
        charset = re.search(r"charset=([^;\s]*)", fields["Content-Type"][1])
        if charset and charset[1].lower().replace("-", "") != "utf8":
            problem("Content-Type", f"the Content-Type header says charset={charset[1][:30]}, but "
                                    f"catalogs here are UTF-8: write charset=UTF-8 and {SAVE_AS_UTF8}")
    if "Language" in fields:
        value = fields["Language"][1].strip()
        try:
            valid = 0 < len(value) <= 35 and bool(parse_locale(value.replace("-", "_")))
        except ValueError:
            valid = False
        if not valid:
            problem("Language", f"the Language header {value[:40]!r} is not a locale code "
                                "(such as es, pt_BR or zh_Hans): write the folder's name there")
    if "Plural-Forms" in fields:
        reason = plural_forms_problem(fields["Plural-Forms"][1])
        if reason:
            suggestion = ""
            try:
                suggestion = f" (for {locale}: {get_plural(locale).plural_forms})" if locale else ""
            except (ValueError, LookupError):
                pass
            problem("Plural-Forms", f"the Plural-Forms header cannot be used: {reason}; copy the "
                                    f"one for this language from the template{suggestion}")
    return problems


def plural_forms_problem(value: str) -> str | None:
    """Why gettext or Babel cannot use a Plural-Forms value, or None."""
    counts = re.search(r"nplurals\s*=\s*([^;]*)", value)
    expression = re.search(r"plural\s*=\s*(.*?);?\s*$", value.split(";", 1)[1] if ";" in value else "")
    if not counts or not expression:
        return "it must read nplurals=N; plural=EXPRESSION"
    if not counts[1].strip().isdigit() or not 1 <= int(counts[1]) <= MAX_PLURAL_FORMS:
        return f"nplurals must be a whole number from 1 to {MAX_PLURAL_FORMS}"
    try:
        gettext.c2py(expression[1])  # what gettext does with it when the catalog is loaded
    except (ValueError, RecursionError, SyntaxError, MemoryError) as error:
        return f"the plural expression is not usable ({str(error)[:80]})"
    return None


def header_fields(text: str) -> dict[str, tuple[int, str]]:
    """The header entry's fields: name -> (line, value). The header is the msgstr of the
    first entry (msgid ""), a run of quoted strings in which each field ends with \\n
    (a long one, such as Plural-Forms, may go on over several strings)."""
    lines = text.splitlines()
    start = next((n for n, line in enumerate(lines) if line.strip() == 'msgid ""'), None)
    pieces: list[tuple[int, str]] = []  # (line, text) of each field as written
    for number in range(start + 1 if start is not None else len(lines), len(lines)):
        line = lines[number].strip()
        line = line[len("msgstr "):] if line.startswith("msgstr ") else line
        if not (line.startswith('"') and line.endswith('"') and len(line) >= 2):
            break
        if not pieces or pieces[-1][1].endswith("\\n"):
            pieces.append((number + 1, ""))
        pieces[-1] = (pieces[-1][0], pieces[-1][1] + line[1:-1])
    fields: dict[str, tuple[int, str]] = {}
    for number, piece in pieces:
        name, colon, value = piece.removesuffix("\\n").partition(":")
        if colon and re.fullmatch(r"[A-Za-z-]+", name) and name not in fields:
            fields[name] = (number, value.strip())
    return fields


def run_msgfmt_check(data: bytes, display: str, locale: str) -> list[Problem]:
    """GNU msgfmt --check on the bytes already read (on standard input: msgfmt never opens
    the file itself, so it sees exactly what the build checked)."""
    result = subprocess.run(["msgfmt", "--check", "--output-file=/dev/null", "-"], input=data,
                            capture_output=True, timeout=60)
    if result.returncode == 0:
        return []
    problems = []
    stderr = result.stderr.decode("utf-8", errors="replace")
    for line in stderr.splitlines():
        found = MSGFMT_LINE.match(line)
        if found and found["path"] == "<stdin>" and not found["message"].startswith("warning:"):
            line = int(found["line"])
            if "end-of-line within string" in found["message"]:
                line -= 1  # msgfmt counts the newline that ended the string; point at its line
            problems.append(Problem(display, line, found["message"].strip(), locale=locale))
    return problems or [Problem(display, None, "msgfmt --check failed: "
                                + " ".join(stderr.replace("<stdin>", display).split())[:300],
                                locale=locale)]


def needed_messages(leaflets: Iterable, template_messages: Iterable) -> list[str]:
    """The msgids (plural ones by their singular) that these leaflets and templates print."""
    return [message.text for leaflet in leaflets for message in leaflet.messages()] + [
        key_of(message) for message in template_messages]


def publication_problems(catalog: LocaleCatalog, needed: Iterable[str | tuple]) -> list[Problem]:
    """Everything that keeps a catalog from being published: failed checks, fuzzy or
    untranslated messages, and messages the current sources need that it does not have."""
    return [*catalog.problems, *incomplete_messages(catalog), *missing_translations(catalog, needed)]


def incomplete_messages(catalog: LocaleCatalog) -> list[Problem]:
    problems = []
    for key in catalog.messages:
        if key in catalog.strings:
            continue
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
    for msgid in dict.fromkeys(key_of(msgid) for msgid in needed):
        if msgid not in catalog.messages:
            problems.append(Problem(catalog.path, None, f"message {short(msgid)} is missing "
                                    "(run 'pipeline.py update')", locale=catalog.language.locale))
    return problems


def count_states(catalog: LocaleCatalog) -> dict[str, int]:
    fuzzy = sum(1 for key in catalog.messages if key in catalog.fuzzy and key not in catalog.strings)
    return {"translated": len(catalog.strings), "fuzzy": fuzzy,
            "untranslated": len(catalog.messages) - len(catalog.strings) - fuzzy}


def key_of(msgid: str | tuple | list) -> str:
    """Plural messages are keyed by their singular form."""
    return msgid if isinstance(msgid, str) else msgid[0]


def forms_of(string) -> tuple[str, ...]:
    return tuple(string) if isinstance(string, (tuple, list)) else (string,)


def is_translated(string) -> bool:
    if isinstance(string, (tuple, list)):
        return bool(string) and all(string)
    return bool(string)


def short(msgid) -> str:
    text = key_of(msgid)
    return repr(text if len(text) <= 60 else text[:57] + "...")


def header_line(data: bytes, header: str) -> int | None:
    """The line of a header field, or of the header entry when the field is missing."""
    lines = data.decode("utf-8", errors="replace").splitlines()
    for number, line in enumerate(lines, 1):
        if line.startswith(f'"{header}:'):
            return number
    return next((number for number, line in enumerate(lines, 1) if line.startswith('msgid ""')), None)


def comment_block(text: str) -> str:
    return "\n".join(f"# {line}" for line in text.splitlines())
