"""A locale's translations -> a blind PO file for an independent back-translator (the translation as the
text to translate, no English in it); the file back -> rows of English | translation | back-translation,
the most different first, for the reconciliation report."""

from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from babel.messages.catalog import Catalog

from ..catalogs import catalogs
from .. import limits, sources
from ..languages import language_of
from ..characters import HIDDEN_CHARACTERS
from ..model import Settings
from ..catalogs.pofiles import forms_of as forms
from ..catalogs.pofiles import parse_catalog, po_bytes, run_msgfmt_check, unreadable_problems
from ..problems import Problem, ProblemError
from .xliff import unit_id

MAX_FILE_BYTES = catalogs.MAX_CATALOG_BYTES
NOTICE = """\
Back-translation of the {language} texts of the patient leaflets.
Translate each text into English as it reads, without looking at
any English original. The result is compared with the original
to find where the meaning has moved."""


@dataclass(frozen=True)
class Row:
    """One text (one plural form) of the catalog with its back-translation."""

    key: str  #: the catalog message's msgid (its singular for a plural message)
    english: str
    translation: str
    back: str  #: "" when the back-translator left it empty
    difference: float  #: 0 the same words as the English, 1 nothing in common
    state: str | None  #: None, "missing" or "stale" (the translation changed after the export)


def blind_file(settings: Settings, locale: str) -> tuple[bytes, int]:
    """The PO file for the back-translator: its msgids are the translations, keyed by the unit ids
    of the XLIFF export (msgctxt); nothing of the English leaflet is in it."""
    catalog = catalogs.read_catalog(settings, catalogs.catalog_path(settings, locale))
    language = language_of(locale)
    blind = Catalog(locale=settings.source_locale, project=f"Back-translation {language.tag}", version="1",
                    charset="utf-8", header_comment=catalogs.comment_block(
                        NOTICE.format(language=language.english_name)),
                    creation_date=datetime.now(timezone.utc))
    blind.fuzzy = False
    for key, _, _, translation in texts(catalog):
        blind.add(translation, "", context=f"{locale}:{key}")
    return po_bytes(blind), len(blind)


def texts(catalog: Catalog) -> list[tuple[str, str, str, str]]:
    """(key, msgid, English, translation) for every translated, not fuzzy text; a plural message gives one
    per form, keyed "<unit id>[<form>]"."""
    found = []
    for message in list(catalog)[1:]:
        strings = forms(message.string)
        if message.fuzzy or not all(strings) or not any(strings):
            continue
        ident, english, msgid = unit_id(message), forms(message.id), catalogs.singular_of(message.id)
        if len(english) == 1:
            found.append((ident, msgid, english[0], strings[0]))
            continue
        found += [(f"{ident}[{index}]", msgid, english[0 if index == 0 else -1], form)
                  for index, form in enumerate(strings)]
    return found


def read_back_translation(file: Path, shown: str) -> tuple[Catalog, str]:
    """The back-translator's PO file (from anywhere), checked as a catalog is, and its SHA-256."""
    data = sources.read_delivered(file, shown, MAX_FILE_BYTES, "a back-translation")
    problems = unreadable_problems(data, shown, None) or run_msgfmt_check(data, shown, None)
    if problems:
        raise ProblemError(problems)
    back = parse_catalog(data, shown)
    # Compared word by word with the English: time grows with the square of a text's length.
    long = [Problem(shown, message.lineno, f"{reason}: not a back-translation of a leaflet's text")
            for message in list(back)[1:] for text, what in ((message.id, "text"), (message.string, "back-translation"))
            if isinstance(text, str) for reason in [limits.too_long(text, what)] if reason]
    if long:
        raise ProblemError(long)
    hidden = [Problem(shown, message.lineno, f"the back-translation has the invisible character "
                                             f"U+{ord(found[0]):04X} (a control or direction override, which can "
                                             "hide or reorder text): remove it")
              for message in list(back)[1:] if isinstance(message.string, str)
              for found in [HIDDEN_CHARACTERS.search(message.string)] if found]
    if hidden:
        raise ProblemError(hidden)
    return back, hashlib.sha256(data).hexdigest()


def compare(catalog: Catalog, locale: str, back: Catalog, shown: str) -> list[Row]:
    """Every translated text of the catalog against its back-translation, the most different first."""
    prefix = f"{locale}:"
    returned = {message.context[len(prefix):]: message for message in list(back)[1:]
                if message.context and message.context.startswith(prefix)}
    rows, translated = [], texts(catalog)
    for key, msgid, english, translation in translated:
        message = returned.get(key)
        text = message.string if message is not None and isinstance(message.string, str) else ""
        state = ("missing" if not text else "stale" if message.id != translation else None)
        rows.append(Row(msgid, english, translation, text, difference(english, text) if text else 1.0, state))
    if not set(returned) & {text[0] for text in translated}:
        raise ProblemError([Problem(shown, None, f"none of its texts is from the {locale} catalog: is it the "
                                                 "back-translation of another language?")])
    return sorted(rows, key=lambda row: (row.state != "missing", -row.difference))


def difference(english: str, back: str) -> float:
    """1 - the share of words in common, in order (difflib's ratio over case-folded words)."""
    words = re.compile(r"\w+")
    ratio = difflib.SequenceMatcher(None, words.findall(english.casefold()), words.findall(back.casefold()),
                                    autojunk=False).ratio()
    return round(1 - ratio, 2)


def problems_with(rows: list[Row]) -> list[str]:
    """Why a back-translation cannot go with an approval: texts it lacks or that changed since."""
    missing = sum(1 for row in rows if row.state == "missing")
    stale = sum(1 for row in rows if row.state == "stale")
    reasons = []
    if missing:
        reasons.append(f"has no back-translation for {missing} text(s)")
    if stale:
        reasons.append(f"is of an older translation: {stale} text(s) changed since it was exported")
    return reasons


def for_approval(settings: Settings, locale: str, file: Path) -> tuple[str, str]:
    """(file name, SHA-256) of a back-translation to record with an approval: refused unless it
    covers every current text of the catalog."""
    shown = sources.path_text(file)
    back, digest = read_back_translation(file, shown)
    catalog = catalogs.read_catalog(settings, catalogs.catalog_path(settings, locale))
    reasons = problems_with(compare(catalog, locale, back, shown))
    if reasons:
        raise ProblemError([Problem(shown, None, f"{reason}: an approval needs a back-translation of every "
                                                 "current text") for reason in reasons])
    return sources.path_text(Path(file.name)), digest
