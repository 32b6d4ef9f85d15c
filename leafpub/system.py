"""Settings -> the system requirements that are missing, each with its one-line fix."""

from __future__ import annotations

import ctypes.util
import hashlib
import shutil
from functools import lru_cache
from pathlib import Path

from .model import Settings

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


@lru_cache(maxsize=None)
def file_sha256(path: Path, mtime: int) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
