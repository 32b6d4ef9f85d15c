"""Locale code ("zh_Hans") -> Language: its BCP 47 tag, direction, script and names, from CLDR."""

from __future__ import annotations

from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.core import get_global

from .model import Language

# The digits of CLDR's numeric numbering systems (CLDR numberingSystems.xml: ten
# consecutive code points from this zero), with the CSS counter style that writes
# page numbers in them (predefined in CSS Counter Styles and in WeasyPrint).
NUMBERING_SYSTEMS = {
    "latn": ("0", "decimal"),
    "arab": ("\u0660", "arabic-indic"),
    "arabext": ("\u06f0", "persian"),
    "deva": ("\u0966", "devanagari"),
    "beng": ("\u09e6", "bengali"),
    "guru": ("\u0a66", "gurmukhi"),
    "gujr": ("\u0ae6", "gujarati"),
    "orya": ("\u0b66", "oriya"),
    "telu": ("\u0c66", "telugu"),
    "knda": ("\u0ce6", "kannada"),
    "mlym": ("\u0d66", "malayalam"),
    "thai": ("\u0e50", "thai"),
    "laoo": ("\u0ed0", "lao"),
    "tibt": ("\u0f20", "tibetan"),
    "mymr": ("\u1040", "myanmar"),
    "khmr": ("\u17e0", "khmer"),
}


class UnknownLanguage(ValueError):
    pass


@lru_cache(maxsize=None)
def language_of(locale_code: str) -> Language:
    """Facts about the language of a catalog folder name, or UnknownLanguage."""
    try:
        locale = Locale.parse(locale_code)
    except (ValueError, TypeError, UnknownLocaleError) as error:
        raise UnknownLanguage(f"{locale_code!r} is not a locale Babel knows ({error})") from None
    english = Locale("en")
    return Language(
        locale=locale_code,
        tag="-".join(part for part in (locale.language, locale.script, locale.territory) if part),
        direction=locale.text_direction,
        script=script_of(locale),
        native_name=locale.get_display_name(locale) or locale_code,
        english_name=locale.get_display_name(english) or locale_code,
        numbering=numbering_system(locale),
    )


def numbering_system(locale: Locale) -> str:
    """CLDR's default digits for the locale: "arabext" (Persian digits) for fa; "latn" for
    ar without a region, as CLDR has it since v42; systems we cannot write fall back to latn."""
    system = locale.default_numbering_system
    return system if system in NUMBERING_SYSTEMS else "latn"


def localize_digits(text: str, language: Language) -> str:
    """Write the ASCII digits of already-formatted text (a date, a version) in the locale's digits."""
    zero = NUMBERING_SYSTEMS[language.numbering][0]
    if zero == "0":
        return text
    return text.translate({ord("0") + digit: chr(ord(zero) + digit) for digit in range(10)})


def counter_style(language: Language) -> str:
    """The CSS counter style for page numbers in the locale's digits."""
    return NUMBERING_SYSTEMS[language.numbering][1]


def script_of(locale: Locale) -> str:
    """The writing system, using CLDR's likely subtags when the code does not name one."""
    if locale.script:
        return locale.script
    likely = get_global("likely_subtags")
    for key in (f"{locale.language}_{locale.territory}", locale.language):
        # Values look like "ar_Arab_EG": language, script, territory.
        parts = likely.get(key, "").split("_")
        if len(parts) > 1 and len(parts[1]) == 4:
            return parts[1]
    return "Latn"
