"""(English, translation) pairs -> what a translator must fix before patients can read it.

Each check is a small function `check_x(source, translation, language) -> list[str]`.
They run in `pipeline.py check`, gate publication in the build, and are registered as
Babel checkers (entry points in pyproject.toml), so `pybabel compile` reports them too.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

from babel.messages.catalog import Catalog, Message, TranslationError

from ..languages import UnknownLanguage, language_of
from ..markup import links_in, parse_inline
from ..characters import HIDDEN_CHARACTERS
from ..model import Language

PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|%%")
HTML_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
SEPARATORS = re.compile("[\u2028\u2029]")
# End punctuation that means the same thing in different scripts.
SENTENCE_ENDS = {
    ".": "full stop", "。": "full stop", "।": "full stop", "۔": "full stop",
    "?": "question mark", "？": "question mark", "؟": "question mark",
    "!": "exclamation mark", "！": "exclamation mark",
    ":": "colon", "：": "colon",
}
# Translations are rarely shorter than this share of the English, or longer than the upper bound.
# Scripts written with one character per syllable or word are much shorter.
LENGTH_RATIOS = {"Hans": (0.12, 1.2), "Hant": (0.12, 1.2), "Jpan": (0.15, 1.5), "Kore": (0.2, 1.6)}
DEFAULT_LENGTH_RATIO = (0.4, 2.6)
#: The translator comment (content.py, elementreader.py) of a figure's label or alternative text.
FIGURE_TEXT = re.compile(r": figure \d+, (label \d+ of \d+|alternative text)")
SHORTEST_CHECKED = 25  # characters of English; short labels vary too much to judge


def check_numbers(source: str, translation: str, language: Language) -> list[str]:
    """Every number in the English is in the translation, in any digits, and none is added."""
    expected = Counter(numbers_in(source))
    found = Counter(numbers_in(translation))
    problems = []
    if expected - found:
        problems.append("number(s) missing from the translation: "
                        + ", ".join(sorted((expected - found).elements())))
    if found - expected:
        problems.append("number(s) not in the English: " + ", ".join(sorted((found - expected).elements())))
    return problems


def check_placeholders(source: str, translation: str, language: Language) -> list[str]:
    """%(name)s placeholders are filled in by the pipeline: they must be the same ones."""
    expected, found = Counter(PLACEHOLDER.findall(source)), Counter(PLACEHOLDER.findall(translation))
    problems = []
    if expected - found:
        problems.append("placeholder(s) missing: " + ", ".join(sorted((expected - found).elements())))
    if found - expected:
        problems.append("placeholder(s) not in the English: "
                        + ", ".join(sorted((found - expected).elements())))
    if PLACEHOLDER.sub("", translation).count("%") > PLACEHOLDER.sub("", source).count("%") and expected:
        problems.append("a lone % in a message with placeholders must be written %%")
    return problems


def check_markup(source: str, translation: str, language: Language) -> list[str]:
    """Bold and italic marks are balanced and used as in the English; HTML is not markup here."""
    problems = []
    if unbalanced_marks(translation) and not unbalanced_marks(source):
        problems.append("unbalanced ** or * marks: close every bold or italic you open")
    expected, found = markup_kinds(source), markup_kinds(translation)
    if not problems and expected != found:
        problems.append(f"inline markup differs from the English: the English has {describe(expected)}, "
                        f"the translation {describe(found)}")
    if HTML_TAG.search(translation) and not HTML_TAG.search(source):
        problems.append("HTML tags are printed as text; use **bold** or *italic* instead")
    return problems


def check_length(source: str, translation: str, language: Language) -> list[str]:
    """A translation far shorter or longer than the English may have dropped or added text."""
    english, translated = visible_text(source), visible_text(translation)
    if len(english) < SHORTEST_CHECKED or not translated:
        return []
    low, high = LENGTH_RATIOS.get(language.script, DEFAULT_LENGTH_RATIO)
    ratio = len(translated) / len(english)
    if ratio < low:
        return [f"the translation is {ratio:.0%} of the English length: has something been left out?"]
    if ratio > high:
        return [f"the translation is {ratio:.0%} of the English length: has something been added?"]
    return []


def check_whitespace_and_punctuation(source: str, translation: str, language: Language) -> list[str]:
    """Leading and trailing spaces, and the sentence's end mark, match the English."""
    problems = []
    if leading_space(source) != leading_space(translation):
        problems.append("leading white space differs from the English")
    if trailing_space(source) != trailing_space(translation):
        problems.append("trailing white space differs from the English")
    expected, found = end_mark(source), end_mark(translation)
    # A heading such as "When to contact the clinic" may read as a question in another language.
    if expected != found and not (expected is None and found == "question mark"):
        problems.append(f"the English ends with {expected or 'no end punctuation'}, "
                        f"the translation with {found or 'none'}")
    return problems


def check_characters(source: str, translation: str, language: Language) -> list[str]:
    """No control characters or bidi overrides, which can hide or reorder what is printed, and no
    line or paragraph separators, which break a line where the English has none."""
    found = sorted({f"U+{ord(character):04X}" for character in HIDDEN_CHARACTERS.findall(translation)}
                   - {f"U+{ord(character):04X}" for character in HIDDEN_CHARACTERS.findall(source)})
    problems = [f"invisible control or direction-override characters: {', '.join(found)}"] if found else []
    separators = sorted({f"U+{ord(character):04X}" for character in SEPARATORS.findall(translation)}
                        - {f"U+{ord(character):04X}" for character in SEPARATORS.findall(source)})
    if separators:
        problems.append(f"invisible line or paragraph separators: {', '.join(separators)}")
    return problems


def check_links(source: str, translation: str, language: Language) -> list[str]:
    """The web addresses a text links to are the English's: a translator translates a link's
    text, never where it goes."""
    english, translated = sorted(links_in(source)), sorted(links_in(translation))
    if english == translated:
        return []
    return [f"the web addresses must stay as in the English ({', '.join(english) or 'none'}); "
            f"found {', '.join(translated) or 'none'}"]


CHECKS = (check_links, check_characters, check_numbers, check_placeholders, check_markup, check_length, check_whitespace_and_punctuation)


def check_message(source, translation, language: Language) -> list[str]:
    """Every check, for a message (plural messages: each form against its English form)."""
    if isinstance(source, (tuple, list)):
        problems = []
        forms = translation if isinstance(translation, (tuple, list)) else (translation,)
        for index, form in enumerate(forms):
            english = source[0] if index == 0 and len(forms) > 1 else source[-1]
            if not form:
                continue
            # Plural forms may leave the number out (Arabic "two pages" is one word), so the
            # number check is done by the placeholder, which every form keeps.
            for check in CHECKS:
                if check is not check_numbers:
                    problems += check(english, form, language)
        return list(dict.fromkeys(problems))
    if not translation:
        return []
    problems = []
    for check in CHECKS:
        problems += check(source, translation, language)
    return problems


# -- helpers --------------------------------------------------------------------

def numbers_in(text: str) -> list[str]:
    """Digit runs in any script's digits, as ASCII: "۲۰" -> "20"; placeholders excluded."""
    text = PLACEHOLDER.sub(" ", text)
    ascii_digits = "".join(str(unicodedata.decimal(ch)) if unicodedata.category(ch) == "Nd" else ch
                           for ch in text)
    return re.findall(r"\d+", ascii_digits)


def unbalanced_marks(text: str) -> bool:
    """True when the leaflet format's inline parser leaves * characters as plain text."""
    return any(token.type == "text" and "*" in token.content for token in parse_inline(text))


def markup_kinds(text: str) -> Counter:
    return Counter(token.type for token in parse_inline(text) if token.type in ("strong_open", "em_open"))


def describe(kinds: Counter) -> str:
    parts = [f"{kinds[kind]} {name}" for kind, name in (("strong_open", "bold"), ("em_open", "italic"))
             if kinds[kind]]
    return " and ".join(parts) or "none"


def visible_text(text: str) -> str:
    return re.sub(r"\s+", " ", PLACEHOLDER.sub("", text).replace("*", "")).strip()


def leading_space(text: str) -> str:
    return text[: len(text) - len(text.lstrip())]


def trailing_space(text: str) -> str:
    return text[len(text.rstrip()):]


def end_mark(text: str) -> str | None:
    stripped = text.rstrip().rstrip("*").rstrip("\u00a0\u202f ")
    return SENTENCE_ENDS.get(stripped[-1:]) if stripped else None


# -- Babel checkers (entry points "babel.checkers") ------------------------------

def babel_checker(catalog: Catalog | None, message: Message) -> None:
    """Run every check on one message for Babel's Catalog.check() and `pybabel compile`."""
    if not message.id or message.fuzzy or not message.string:
        return
    try:
        language = language_of(str(catalog.locale)) if catalog and catalog.locale else None
    except UnknownLanguage:
        language = None
    if language is None:
        return
    problems = check_message(message.id, message.string, language)
    # A label or an alternative text a reader cannot read: the rest of the leaflet is in their language.
    if message.string == message.id and FIGURE_TEXT.search(" ".join(message.auto_comments)):
        problems.append("a figure's label or alternative text is left in English: translate it")
    if problems:
        raise TranslationError("; ".join(problems))
