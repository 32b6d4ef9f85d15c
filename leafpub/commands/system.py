"""Settings -> the system requirements that are missing, each with its one-line fix."""

from __future__ import annotations

import ctypes.util
import hashlib
import shutil
from functools import lru_cache
from pathlib import Path

from .. import checkcache
from ..model import Settings

FIX = "run `make` (it installs what is missing)"


def check_system(settings: Settings) -> list[str]:
    """Everything the build needs from the machine; an empty list means ready."""
    missing = []
    if not ctypes.util.find_library("harfbuzz-subset"):
        missing.append(f"HarfBuzz subsetting (libharfbuzz-subset0) is missing, which makes "
                       f"every render about 4x slower: {FIX}")
    if not shutil.which("msgfmt"):
        missing.append(f"GNU msgfmt (package gettext), used to check catalogs, is missing: {FIX}")
    pinned = [("font", font) for font in settings.fonts]
    if settings.print_profile:
        pinned.append(("colour profile", settings.print_profile))
    for kind, file in pinned:
        if not file.path.is_file():
            missing.append(f"{kind} {file.path} is missing: {FIX} (package {file.package})")
        elif not is_pinned_version(settings, file.path, file.sha256):
            missing.append(f"{kind} {file.path} is not the pinned version (sha256 differs), so PDFs "
                           f"would differ: install the {file.package} version the README names, "
                           f"or update its sha256 in pyproject.toml deliberately")
    return missing


def is_pinned_version(settings: Settings, path: Path, sha256: str) -> bool:
    """Whether a file's SHA-256 is the pinned one. Hashing the pinned fonts (a CJK one is 20 MB)
    took a twentieth of a build with nothing to do: a match is remembered with the file's
    size, times and inode, and any write or replacement of the file changes its ctime."""
    info = path.stat()
    stamp = f"{info.st_size}:{info.st_mtime_ns}:{info.st_ctime_ns}:{info.st_ino}"
    subject = "pinned." + hashlib.sha256(str(path).encode()).hexdigest()[:16]
    key = checkcache.check_key(str(path), sha256, stamp)
    if checkcache.recall(settings, subject, key) == "matches":
        return True
    if file_sha256(path, stamp) != sha256:
        return False
    checkcache.remember(settings, subject, key, "matches")
    return True


@lru_cache(maxsize=None)
def file_sha256(path: Path, stamp: str) -> str:
    """A file's SHA-256, once per process for each `stamp` (its size, times and inode)."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
