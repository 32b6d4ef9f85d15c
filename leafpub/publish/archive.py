"""The previous manifest + the new one -> the leaflet PDFs they supersede, kept in output/archive/
with their manifest entries, so that a clinic can prove which text a patient was given on a date.

A leaflet PDF is superseded when the build publishes other bytes in its place (a new version,
a new translation) or stops publishing it (its leaflet withdrawn). Its last published file
is kept at archive/<slug>/<version>/<its file name>; were that name taken by another file of
the same version (a translation corrected twice), the file's SHA-256 goes into its name.
No build removes anything from the archive.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Mapping
from datetime import date, datetime, timezone
from pathlib import Path, PurePosixPath

from ..model import SLUG, VERSION
from ..online import WEB_VARIANT

FOLDER = "archive"


def publication_date() -> date:
    """The date a build publishes on: today (UTC), or SOURCE_DATE_EPOCH's, for a build that
    must give the same manifest on any day (reproducible-builds.org)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), timezone.utc).date()
    return datetime.now(timezone.utc).date()


def superseded(output: Path, previous: dict, current: Mapping[str, str], on: date,
               withdrawn: Mapping[str, date]) -> tuple[list[dict], dict[str, bytes]]:
    """(new archive entries, their files by path in output/): every leaflet PDF of the
    previous manifest that `current` ({path: SHA-256} of what is published now) no longer
    has with the same bytes."""
    archived = {entry.get("sha256") for entry in previous.get(FOLDER, []) if isinstance(entry, dict)}
    taken = {entry.get("path") for entry in previous.get(FOLDER, []) if isinstance(entry, dict)}
    entries, files = [], {}
    for entry in previous.get("leaflets", []):
        path, digest = entry.get("path"), entry.get("sha256")
        if current.get(path) == digest or digest in archived or not publishable(output, entry) \
                or entry.get("variant") == WEB_VARIANT:  # the printed PDFs are the record kept
            continue
        name = PurePosixPath(path).name
        target = f"{FOLDER}/{entry['leaflet']}/{entry['version']}/{name}"
        if target in taken:
            stem, _, suffix = name.rpartition(".")
            target = f"{FOLDER}/{entry['leaflet']}/{entry['version']}/{stem}.{digest[:12]}.{suffix}"
        taken.add(target)
        archived.add(digest)
        files[target] = (output / path).read_bytes()
        record = {key: entry.get(key) for key in ("leaflet", "version", "locale", "language_english", "paper",
                                                  "variant", "title", "translation", "sha256", "pages")}
        record.update(path=target, published=entry.get("published"), superseded=on.isoformat(),
                      change_note=entry.get("change_note", ""))
        if entry["leaflet"] in withdrawn:
            record["withdrawn"] = withdrawn[entry["leaflet"]].isoformat()
        entries.append(record)
    return entries, files


def publishable(output: Path, entry: dict) -> bool:
    """A previous entry that names a published PDF by a path this module can trust: the
    manifest is read back from disk, where anyone could have edited it."""
    path, slug, version = entry.get("path"), entry.get("leaflet"), str(entry.get("version", ""))
    if not (isinstance(path, str) and isinstance(slug, str) and SLUG.fullmatch(slug) and VERSION.fullmatch(version)):
        return False
    parts = PurePosixPath(path).parts
    return (not PurePosixPath(path).is_absolute() and ".." not in parts and parts[:1] != (FOLDER,)
            and isinstance(entry.get("sha256"), str) and (output / path).is_file())


def unheld(output: Path, removed: list[str], entries: list) -> set[str]:
    """Those of the files a build is about to remove that are leaflet PDFs whose bytes no
    entry of the archive holds: the build keeps them where they are rather than lose them
    (a manifest edited by hand, or one an older release wrote, can name what the archive skips)."""
    held = {entry.get("sha256") for entry in entries if isinstance(entry, dict)}
    return {path for path in removed if path.startswith("leaflets/") and path.endswith(".pdf")
            and (output / path).is_file() and hashlib.sha256((output / path).read_bytes()).hexdigest() not in held}


def version_key(version: str) -> tuple:
    """A version as it sorts: its numbers as numbers (2.10 after 2.9, 2026-03 after 2025-12)."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.findall(r"\d+|\D+", version))


def listing(manifest: dict) -> list[dict]:
    """The archive's entries, newest supersession first, then by leaflet and newest version."""
    entries = [entry for entry in manifest.get(FOLDER, []) if isinstance(entry, dict)]
    return sorted(entries, key=lambda e: (str(e.get("superseded")), str(e.get("leaflet")),
                                          version_key(str(e.get("version"))), str(e.get("path"))), reverse=True)
