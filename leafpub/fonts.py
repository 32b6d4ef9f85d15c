"""Settings -> the pinned fonts: a private fontconfig, their family names, and which
characters each language's font stack can draw."""

from __future__ import annotations

import hashlib
import os
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from . import checkcache
from .model import Language, Settings
from .problems import Problem

# Characters Pango lays out without a glyph of their own: spaces, joiners, direction marks.
NO_GLYPH_NEEDED = {"Cc", "Cf", "Zs", "Zl", "Zp"}


def fontconfig_dir(settings: Settings) -> Path:
    """A private font folder holding only the pinned fonts, so nothing else can be used."""
    digest = hashlib.sha256("\n".join(f"{font.path}:{font.sha256}" for font in settings.fonts)
                            .encode()).hexdigest()[:16]
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "leafpub" / f"fonts-{digest}"


def use_pinned_fonts(settings: Settings) -> Path:
    """Point fontconfig (and so Pango and WeasyPrint) at the pinned fonts only.

    Must run before WeasyPrint creates its first FontConfiguration.
    """
    folder = fontconfig_dir(settings)
    fonts = folder / "fonts"
    fonts.mkdir(parents=True, exist_ok=True)
    wanted = {font.path.name: font.path for font in settings.fonts}
    for link in fonts.iterdir():
        if link.name not in wanted:
            link.unlink()
    for name, target in wanted.items():
        link = fonts / name
        if not (link.is_symlink() and Path(os.readlink(link)) == target):
            link.unlink(missing_ok=True)
            link.symlink_to(target)
    conf = folder / "fonts.conf"
    text = ('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
            f"<fontconfig>\n  <dir>{fonts}</dir>\n  <cachedir>{folder / 'cache'}</cachedir>\n"
            "</fontconfig>\n")
    if not conf.exists() or conf.read_text() != text:
        conf.write_text(text)
    os.environ["FONTCONFIG_FILE"] = str(conf)
    return conf


def check_fonts_for(settings: Settings, languages: Iterable[Language]) -> dict[str, str]:
    """Locale -> why its documents cannot be rendered with the pinned fonts (if they cannot)."""
    available = pinned_families(settings)
    unusable = {}
    for language in languages:
        stack = settings.scripts.get(language.script)
        if not stack:
            unusable[language.locale] = (
                f"no font stack for the {language.script} script of {language.english_name}: "
                f"add one to [tool.leafpub.scripts] in pyproject.toml")
            continue
        absent = [family for family in stack if family not in available]
        if absent:
            unusable[language.locale] = (
                f"font {', '.join(absent)} for {language.english_name} is not among the pinned "
                f"fonts: add its file to [[tool.leafpub.fonts]] in pyproject.toml")
    return unusable


def pinned_families(settings: Settings) -> set[str]:
    """The family names the pinned font files declare; read again only when a file changes
    (reading them means loading fontTools, most of what a build with nothing to do spends)."""
    files = [(font.path, font.path.stat()) for font in settings.fonts if font.path.is_file()]
    key = checkcache.check_key(*(f"{path}:{info.st_size}:{info.st_mtime_ns}" for path, info in files))
    remembered = checkcache.recall(settings, "font-families", key)
    if isinstance(remembered, list) and all(isinstance(name, str) for name in remembered):
        return set(remembered)
    families: set[str] = set()
    for path, info in files:
        families |= font_families(path, info.st_mtime_ns)
    checkcache.remember(settings, "font-families", key, sorted(families))
    return families


@lru_cache(maxsize=None)
def font_families(path: Path, mtime: int) -> frozenset[str]:
    """The family names a font file (or collection) declares, as fontconfig matches them."""
    return frozenset(family for family, _, _ in faces(path))


def faces(path: Path):
    """(family name, TTFont, index in the file) for each face of a font file or collection;
    closed after use."""
    from fontTools.ttLib import TTCollection, TTFont

    container = (TTCollection(path, lazy=True) if path.suffix.lower() in (".ttc", ".otc")
                 else TTFont(path, lazy=True))
    try:
        for index, font in enumerate(container.fonts if isinstance(container, TTCollection) else [container]):
            table = font["name"]
            for name_id in (16, 1):  # typographic family first, then the legacy family
                record = table.getName(name_id, 3, 1) or table.getName(name_id, 1, 0)
                if record:
                    yield str(record), font, index
                    break
    finally:
        container.close()


#: A face with more glyphs or characters than this (Chinese, Japanese, Korean) is large:
#: a worker holds it in memory only while it serves the documents in hand.
LARGE_FACE = 20_000


class GlyphCoverage:
    """Which characters the pinned fonts can draw, read from their cmaps once per process."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.characters: dict[str, set[int]] = {}
        self.absent: dict[tuple, list[str]] = {}  # every clinic's pack checks the same messages

    def family(self, name: str) -> set[int]:
        if name not in self.characters:
            import uharfbuzz as harfbuzz

            covered: set[int] = set()
            for font in self.settings.fonts:
                if font.path.is_file():
                    indexes = [index for family, _, index in faces(font.path) if family == name]
                    if indexes:
                        # HarfBuzz reads a CJK font's cmap without building Python objects for it.
                        blob = harfbuzz.Blob.from_file_path(font.path)
                        for index in indexes:
                            covered.update(harfbuzz.Face(blob, index).unicodes)
            self.characters[name] = covered
        return self.characters[name]

    def uses_large_face(self, language: Language) -> bool:
        return any(len(self.family(family)) > LARGE_FACE
                   for family in self.settings.scripts.get(language.script, ()))

    def missing(self, text: str, language: Language, every_script: bool = False) -> list[str]:
        """The characters of text that no font in the language's stack (or, for clinic
        details, in any declared stack) has."""
        key = (text, language.script, every_script)
        if key not in self.absent:
            self.absent[key] = self.find_missing(text, language, every_script)
        return self.absent[key]

    def find_missing(self, text: str, language: Language, every_script: bool) -> list[str]:
        stack = list(self.settings.scripts.get(language.script, ()))
        if every_script:
            stack += [family for families in self.settings.scripts.values() for family in families]
        absent = []
        for character in dict.fromkeys(text):
            if unicodedata.category(character) in NO_GLYPH_NEEDED:
                continue
            if not any(ord(character) in self.family(family) for family in stack):
                absent.append(character)
        return absent

    def check(self, texts: Iterable[tuple], language: Language,
              leaflet: str | None = None) -> list[Problem]:
        """A problem for each (path, line, text[, every_script]) with a character the stack
        cannot draw."""
        problems = []
        for path, line, text, *rest in texts:
            for character in self.missing(text, language, every_script=bool(rest and rest[0])):
                name = unicodedata.name(character, "unnamed character")
                quoted = text if len(text) <= 50 else text[:47] + "..."
                problems.append(Problem(
                    path, line, f"{language.english_name}: {quoted!r} contains {character!r} "
                    f"(U+{ord(character):04X} {name}), which no font for {language.english_name} has "
                    f"({', '.join(self.settings.scripts.get(language.script, ()))})",
                    locale=language.locale, leaflet=leaflet))
        return problems
