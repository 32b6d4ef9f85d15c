"""What `export` sent to an agency -> a record in the project (translations/exports/<id>.json), keyed by
the id written into the XLIFF file's header; `import` reads it back as the base of a three-way merge
and as the proof of which language the file came from.

The agency's file cannot be trusted for either: a CAT tool or a person can change its targets,
its target-language and its `original`. The record is the project's own: only its id travels."""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from .. import sources
from ..model import Settings
from ..problems import Problem, ProblemError
from ..writing import write_atomically

EXPORTS_FOLDER = "exports"
EXPORT_ID = re.compile(r"[0-9a-f]{32}")
MAX_RECORD_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class Base:
    """One unit as it was exported: the target as the file had it, and the catalog's message then."""

    target: tuple[str, ...]
    fuzzy: bool  #: as the file marked it (read back like the agency's file)
    string: tuple[str, ...]  #: the catalog's msgstr forms
    catalog_fuzzy: bool


@dataclass(frozen=True)
class Export:
    ident: str
    locale: str
    units: dict[str, Base]


def new_export_id() -> str:
    return secrets.token_hex(16)


def record_path(settings: Settings, ident: str) -> Path:
    return settings.translations_dir / EXPORTS_FOLDER / f"{ident}.json"


def write_export(settings: Settings, export: Export) -> None:
    """Write the record in full or not at all (before the XLIFF file: a file is never sent without one)."""
    units = {unit: {"target": list(base.target), "fuzzy": base.fuzzy, "string": list(base.string),
                    "catalog_fuzzy": base.catalog_fuzzy} for unit, base in export.units.items()}
    data = {"locale": export.locale, "exported_at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "units": units}
    path = record_path(settings, export.ident)
    try:
        path.parent.mkdir(exist_ok=True)
        write_atomically(path, json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8"))
    except OSError as error:
        raise ProblemError([Problem(settings.relative(path), None,
                                    f"cannot record the export: {error.strerror or error}")]) from None


def read_export(settings: Settings, ident: str | None, shown: str, line: int | None) -> Export:
    """The record of the export the file says it comes from; a problem telling what to do without one."""
    if ident is None or not EXPORT_ID.fullmatch(ident):
        raise ProblemError([Problem(shown, line, "the file has no export id (the <phase job-id> 'export' writes in "
                                    "its header): only a file made by 'pipeline.py export' can be imported, as "
                                    "it tells which language and which texts were sent. Export the language "
                                    "again and have the agency's work carried over into the new file")])
    path = record_path(settings, ident)
    display = settings.relative(path)
    if not sources.exists(settings.root, path):
        raise ProblemError([Problem(shown, line, f"no export of this project has the id {ident} ({display} is "
                                    "missing): it was exported from another copy of the project, or the record "
                                    "was deleted. Import it there, or export again")])
    try:
        data = json.loads(sources.read(settings.root, path, MAX_RECORD_BYTES))
        units = {unit: Base(tuple(base["target"]), bool(base["fuzzy"]), tuple(base["string"]),
                            bool(base["catalog_fuzzy"])) for unit, base in data["units"].items()}
        return Export(ident, str(data["locale"]), units)
    except (ValueError, KeyError, TypeError, AttributeError):
        raise ProblemError([Problem(display, None, "the export record is unreadable: export again")]) from None
