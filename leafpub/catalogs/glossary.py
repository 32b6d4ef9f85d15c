"""translations/glossary.tbx (TBX-Basic) -> the terms each language must use, and the message-by-message
check that a translation uses the preferred term and none that is deprecated or forbidden.

The glossary is the one Weblate imports and exports: a `termEntry` (TBX v2, `martif`) or `conceptEntry`
(TBX v3) per concept, a language section per language, a term per `tig` / `termSec`, and its
`administrativeStatus`. A term matches where it starts a word (any word it begins: "scar" matches
"scars"); in Arabic-script and CJK text, where words take prefixes or are not spaced, anywhere.
An allowed term may also end differently in its last two letters, as inflected words do (Polish
"blizna" is found in "blizny"); a deprecated or forbidden term counts only as it is written.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from dataclasses import dataclass
from pathlib import Path

from .. import limits, sources
from ..xmlinput import local_name, parse_xml
from ..model import Language, Settings
from .pofiles import forms_of as forms
from ..problems import Problem, ProblemError

GLOSSARY_FILE = "glossary.tbx"
MAX_GLOSSARY_BYTES = 2 * 1024 * 1024
MAX_TERM_CHARACTERS = 200
#: administrativeStatus values (TBX-Basic's, and Weblate's "forbidden" and "obsolete") -> what they mean here.
STATUSES = {
    "preferredTerm-admn-sts": "preferred", "admittedTerm-admn-sts": "admitted",
    "deprecatedTerm-admn-sts": "deprecated", "supersededTerm-admn-sts": "superseded",
    "forbidden": "forbidden", "obsolete": "deprecated",
}
REFUSED = ("deprecated", "superseded", "forbidden")
ENTRY_TAGS, LANGUAGE_TAGS, TERM_GROUP_TAGS = {"termEntry", "conceptEntry"}, {"langSet", "langSec"}, \
    {"tig", "ntig", "termSec"}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
#: Scripts whose words take prefixes (Arabic al-, wa-, bi-) or are not separated by spaces.
MATCH_ANYWHERE = {"Arab", "Hans", "Hant", "Jpan"}
BREAKS = r"\s\-\u2010-\u2015.,;:!?()\[\]{}\"'«»“”„‘’/*"
WORD_START, REST = rf"(?<![^{BREAKS}])", rf"[^{BREAKS}]*"


@dataclass(frozen=True)
class Term:
    text: str
    status: str  #: "preferred", "admitted", "deprecated", "superseded" or "forbidden"
    line: int  #: its line in glossary.tbx


@dataclass(frozen=True)
class Entry:
    """One concept: its English terms, and per language (BCP 47 tag, lower case) its terms."""

    english: tuple[Term, ...]
    languages: tuple[tuple[str, tuple[Term, ...]], ...]
    keep_as_is: bool  #: never translated: the English term must appear unchanged
    line: int

    def terms_for(self, language: Language) -> tuple[Term, ...]:
        wanted = {language.tag.lower(), language.locale.lower().replace("_", "-")}
        return next((terms for tag, terms in self.languages if tag in wanted), ())


@dataclass(frozen=True)
class Glossary:
    path: str  #: as shown in problems: translations/glossary.tbx
    entries: tuple[Entry, ...] = ()


def glossary_path(settings: Settings) -> Path:
    return settings.translations_dir / GLOSSARY_FILE


def read_glossary(settings: Settings) -> Glossary:
    """The glossary, or an empty one when there is none; ProblemError with file and line if unreadable."""
    path = glossary_path(settings)
    display = settings.relative(path)
    if not sources.exists(settings.root, path):
        return Glossary(display)
    return parse_glossary(sources.read(settings.root, path, MAX_GLOSSARY_BYTES), display)


def glossary_bytes(settings: Settings) -> bytes:
    """What the glossary check reads: the file's bytes, empty without one, or why it cannot be read."""
    path = glossary_path(settings)
    try:
        return sources.read(settings.root, path, MAX_GLOSSARY_BYTES) if sources.exists(settings.root, path) else b""
    except ProblemError as error:
        return ("unreadable: " + "; ".join(map(str, error.problems))).encode("utf-8")


def parse_glossary(data: bytes, display: str) -> Glossary:
    root = parse_xml(data, display, external_dtd=True)  # TBX v2 names its DTD; never loaded
    if local_name(root) not in ("martif", "tbx"):
        raise ProblemError([Problem(display, root.sourceline, f"expected a TBX file (<martif> or <tbx>), "
                                                              f"found <{local_name(root)}>")])
    source_tag = (root.get(XML_LANG) or "en").lower()
    entries = []
    for element in root.iter():
        if isinstance(element.tag, str) and local_name(element) in ENTRY_TAGS:
            entries.append(read_entry(element, source_tag, display))
    return Glossary(display, tuple(entry for entry in entries if entry.english))


def read_entry(element, source_tag: str, display: str) -> Entry:
    languages: dict[str, list[Term]] = {}
    keep_as_is = False
    for section in element:
        if not isinstance(section.tag, str) or local_name(section) not in LANGUAGE_TAGS:
            continue
        tag = (section.get(XML_LANG) or "").strip().lower().replace("_", "-")
        if not tag:
            raise ProblemError([Problem(display, section.sourceline, "a language section without xml:lang")])
        for group in section:
            if not isinstance(group.tag, str) or local_name(group) not in TERM_GROUP_TAGS:
                continue
            term, status, translatable, line = read_term(group, display)
            if term:
                languages.setdefault(tag, []).append(Term(term, status, line))
                keep_as_is = keep_as_is or (tag.split("-")[0] == source_tag.split("-")[0] and not translatable)
    english = next((terms for tag, terms in languages.items() if tag.split("-")[0] == source_tag.split("-")[0]), [])
    return Entry(english=tuple(english), keep_as_is=keep_as_is, line=element.sourceline,
                 languages=tuple((tag, tuple(terms)) for tag, terms in languages.items()))


def read_term(group, display: str) -> tuple[str, str, bool, int]:
    """A tig / termSec -> (term, status, translatable, the term's line)."""
    term, status, translatable, line = "", "admitted", True, group.sourceline
    for child in group.iter():
        if not isinstance(child.tag, str):
            continue
        name, kind = local_name(child), child.get("type")
        raw = "".join(child.itertext())
        if limits.too_long(raw):  # before any work on it; a term's own limit is far lower, below
            raise ProblemError([Problem(display, child.sourceline, f"<{name}> {limits.too_long(raw)}")])
        text = " ".join(raw.split())
        if name == "term":
            term, line = text, child.sourceline
            if len(term) > MAX_TERM_CHARACTERS:
                raise ProblemError([Problem(display, child.sourceline, f"a term of {len(term)} characters: a "
                                            f"glossary term is at most {MAX_TERM_CHARACTERS}")])
        elif name == "termNote" and kind == "administrativeStatus":
            if text not in STATUSES:
                raise ProblemError([Problem(display, child.sourceline, f"unknown administrativeStatus {text[:60]!r}: "
                                            f"use one of {', '.join(STATUSES)}")])
            status = STATUSES[text]
        elif name == "termNote" and kind in ("translationNote", "translate") and text.lower() == "no":
            translatable = False
    return term, status, translatable, line


def stem(word: str) -> str:
    """The word without an ending of up to two letters, keeping at least four."""
    return word[:max(4, len(word) - 2)] if len(word) > 4 else word


# -- the check ------------------------------------------------------------------

def term_problems(glossary: Glossary, source: str, translation: str, language: Language) -> list[str]:
    """What the translation of `source` does against the glossary, each naming both terms."""
    problems = []
    for entry in glossary.entries:
        english = [term for term in entry.english if term.status not in REFUSED]
        found = next((term for term in english if occurs(term.text, source, "Latn")), None)
        terms = entry.terms_for(language)
        allowed = [term for term in terms if term.status not in REFUSED]
        if entry.keep_as_is and found and not occurs(found.text, translation, "Latn", exact=True):
            problems.append(f"the English has {found.text!r}, which is never translated: keep it as it is "
                            f"({glossary.path}:{found.line})")
        remaining = without(translation, allowed, language.script)
        for term in terms:
            if term.status in REFUSED and occurs(term.text, remaining, language.script):
                preferred = next((t.text for t in allowed if t.status == "preferred"), None)
                instead = f": use {preferred!r}" if preferred else ""
                subject = f"for {found.text!r}" if found else f"for {entry.english[0].text!r}"
                problems.append(f"uses the {term.status} term {term.text!r} {subject}{instead} "
                                f"({glossary.path}:{term.line})")
        preferred = [term for term in allowed if term.status == "preferred"]
        if found and preferred and not any(occurs(term.text, translation, language.script, inflected=True)
                                           for term in allowed):
            problems.append(f"the English has {found.text!r} but the translation does not use the preferred "
                            f"term {preferred[0].text!r} ({glossary.path}:{preferred[0].line})")
    return problems


def occurs(term: str, text: str, script: str, exact: bool = False, inflected: bool = False) -> bool:
    if not term:
        return False
    if not exact:  # compared in lower case: a pattern without IGNORECASE compiles many times faster
        term, text = term.lower(), text.lower()
    text = text.replace("*", "")
    if probe(term, script, inflected) not in text:  # most terms are not in most texts: no pattern needed
        return False
    return pattern(term, script, exact, inflected).search(text) is not None


def without(text: str, terms: list[Term], script: str) -> str:
    """The text (in lower case) with every allowed term taken out, so a deprecated term inside one
    does not count."""
    text = text.replace("*", "").lower()
    for term in sorted(terms, key=lambda term: -len(term.text)):
        if probe(term.text.lower(), script, False) in text:
            text = pattern(term.text.lower(), script).sub(" ", text)
    return text


def probe(term: str, script: str, inflected: bool) -> str:
    """A piece of text every match of the term contains."""
    first = term.split()[0] if term.split() else term
    return stem(first) if inflected and script not in MATCH_ANYWHERE else first


@lru_cache(maxsize=1 << 16)  # a glossary's terms, compiled once rather than once a message
def pattern(term: str, script: str, exact: bool = False, inflected: bool = False) -> re.Pattern:
    """The term (in lower case unless `exact`) as a pattern to search text in the same case."""
    words = [stem(word) if inflected and script not in MATCH_ANYWHERE else word for word in term.split()]
    # The rest of a word is anything up to a space or a punctuation mark: \w would stop at the
    # vowel signs of Devanagari and other Indic scripts, which are marks, not letters.
    body = re.escape(term) if exact else rf"{REST}[\s-]+".join(re.escape(word) for word in words)
    if script in MATCH_ANYWHERE:
        return re.compile(body)
    return re.compile(rf"{WORD_START}{body}{REST}")


def catalog_problems(settings: Settings, messages, display: str, language: Language) -> list[Problem]:
    """The glossary check of every translated message of a catalog, at the message's line; a
    glossary that cannot be read fails every catalog, as no term in it can be trusted."""
    return catalog_checker(settings, display, language)(messages)


def catalog_checker(settings: Settings, display: str, language: Language) -> Callable[[Iterable], list[Problem]]:
    """The check above for a catalog's messages, a batch at a time, with the glossary read once; a
    glossary that cannot be read is reported the first time only."""
    try:
        glossary = read_glossary(settings)
    except ProblemError as error:
        unread = [dataclasses.replace(problem, locale=language.locale) for problem in error.problems]

        def broken(messages: Iterable) -> list[Problem]:
            found, unread[:] = unread[:], []
            return found
        return broken

    def check(messages: Iterable) -> list[Problem]:
        problems = []
        for message in messages:
            if message.fuzzy or not message.string or not all(forms(message.string)):
                continue
            for found in term_problems(glossary, " ".join(forms(message.id)), " ".join(forms(message.string)),
                                       language):
                problems.append(Problem(display, message.lineno, found, locale=language.locale))
        return problems
    return check
