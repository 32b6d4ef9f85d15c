"""Locale code ("zh_Hans") -> Language: its BCP 47 tag, direction, script and names, from CLDR."""

from __future__ import annotations

from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.core import get_global

from .model import Language


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
    )


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
