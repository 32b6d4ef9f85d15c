"""Settings -> the system requirements that are missing, each with its one-line fix."""

from __future__ import annotations

import ctypes.util
import hashlib
import shutil
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from .model import Language, Settings

FIX = "run `make` (it installs what is missing)"


def check_system(settings: Settings) -> list[str]:
    """Everything the build needs from the machine; an empty list means ready."""
    missing = []
    if not ctypes.util.find_library("harfbuzz-subset"):
        missing.append(f"HarfBuzz subsetting (libharfbuzz-subset0) is missing, which makes "
                       f"every render about 4x slower: {FIX}")
    if not shutil.which("msgfmt"):
        missing.append(f"GNU msgfmt (package gettext), used to check catalogs, is missing: {FIX}")
    for font in settings.fonts:
        if not font.path.is_file():
            missing.append(f"font {font.path} is missing: {FIX} (package {font.package})")
        elif file_sha256(font.path, font.path.stat().st_mtime_ns) != font.sha256:
            missing.append(f"font {font.path} is not the pinned version (sha256 differs), so PDFs "
                           f"would differ: install the {font.package} version the README names, "
                           f"or update its sha256 in pyproject.toml deliberately")
    return missing


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
    families: set[str] = set()
    for font in settings.fonts:
        if font.path.is_file():
            families |= font_families(font.path, font.path.stat().st_mtime_ns)
    return families


@lru_cache(maxsize=None)
def font_families(path: Path, mtime: int) -> frozenset[str]:
    """The family names a font file (or collection) declares, as fontconfig matches them."""
    from fontTools.ttLib import TTCollection, TTFont

    container = (TTCollection(path, lazy=True) if path.suffix.lower() in (".ttc", ".otc")
                 else TTFont(path, lazy=True))
    fonts = container.fonts if isinstance(container, TTCollection) else [container]
    names = set()
    try:
        for font in fonts:
            table = font["name"]
            for name_id in (16, 1):  # typographic family first, then the legacy family
                record = table.getName(name_id, 3, 1) or table.getName(name_id, 1, 0)
                if record:
                    names.add(str(record))
                    break
    finally:
        container.close()
    return frozenset(names)


@lru_cache(maxsize=None)
def file_sha256(path: Path, mtime: int) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
