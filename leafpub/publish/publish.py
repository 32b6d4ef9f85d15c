"""Built documents -> files in output/ and output/manifest.json, each replaced atomically.

A document that failed keeps its last published file and manifest entry, marked outdated.
A crash at any moment leaves every published file either as it was or as the new one.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path, PurePosixPath

from . import archive
from ..formats import formats
from .. import interrupts
from ..model import SLUG, LeafletDocument, PackDocument
from ..online import WEB_VARIANT, leaflet_page_path
from ..problems import Problem, ProblemError
from ..sources import MANIFEST, read_manifest
from ..writing import stage, sync_folder, write_atomically
from ..model import Failure

@dataclass(frozen=True)
class Release:
    """Everything one build produced, ready to publish."""

    leaflets: tuple[LeafletDocument, ...]
    packs: tuple[PackDocument, ...]
    failures: tuple[Failure, ...]
    problems: tuple[Problem, ...]
    on: date | None = None  #: the publication date (archive.publication_date() when None)
    withdrawn: Mapping[str, date] = field(default_factory=dict)  #: slug -> date, leaflets withdrawn
    web: tuple = ()  #: web.WebDocument: each leaflet's web version in each language
    formats: tuple = ()  #: formats.FormatFile: braille and audio files
    unavailable: tuple = ()  #: formats.Unavailable: a format a language has not, and why


def leaflet_key(entry: dict) -> tuple:
    """(leaflet, locale, paper, variant): a web version has no paper ("") and variant "web"."""
    return (entry["leaflet"], entry["locale"], entry.get("paper", ""), entry.get("variant", "standard"))


def leaflet_entry(document: LeafletDocument) -> dict:
    return {**published_text(document, document.path, hashlib.sha256(document.pdf.data).hexdigest()),
            "paper": document.format.paper, "variant": document.format.variant, "pages": document.pdf.pages,
            "inputs": dict(document.inputs)}


def web_entry(document) -> dict:
    """A web.WebDocument's entry: a leaflet's, without paper or pages."""
    return {**published_text(document, document.path, document.sha256), "variant": WEB_VARIANT,
            "inputs": dict(document.inputs)}


def published_text(document, path: str, sha256: str) -> dict:
    """What a leaflet's entry says of the text it publishes, in a language, whatever its format."""
    return {
        "leaflet": document.leaflet.slug,
        "locale": document.language.locale,
        "language": document.language.native_name,
        "language_english": document.language.english_name,
        "direction": document.language.direction,
        "path": path,
        "sha256": sha256,
        "title": document.title,
        "translation": document.translation,
        "version": document.leaflet.version,
        "last_reviewed": document.leaflet.last_reviewed.isoformat(),
        "next_review": document.leaflet.next_review.isoformat(),
        "change_note": document.leaflet.change_note,
        "clinical-approval": document.leaflet.clinical.summary() if document.leaflet.clinical else None,
    }


def pack_entry(document: PackDocument) -> dict:
    return {
        "pack": document.pack.id,
        "clinic": document.pack.clinic.name,
        "paper": document.pack.paper,
        "variant": document.pack.variant,
        "path": document.path,
        "sha256": hashlib.sha256(document.pdf.data).hexdigest(),
        "pages": document.pdf.pages,
        "locales": list(document.pack.locales),
        "leaflets": list(document.pack.leaflets),
        "inputs": dict(document.inputs),
    }


JOURNAL = ".publish-journal.json"


def publish(output: Path, release: Release, site=None) -> dict:
    """Write the release into output/ and return the manifest written.

    Every new file is first written in full beside its final name and flushed to disk;
    then a journal lists the renames; then the renames happen and the journal is removed.
    A build killed before the journal is complete leaves the previous release (and
    temporary files that the next build removes); one killed after it is completed by the
    next build (`recover`). `site(manifest, new_files)` returns the download page's files.
    """
    try:
        output.mkdir(parents=True, exist_ok=True)
        with exclusive_lock(output):
            recover(output)
            remove_leftovers(output)
            previous = read_manifest(output)
            manifest = make_manifest(output, release, previous)
            files = {document.path: document.pdf.data for document in (*release.leaflets, *release.packs)}
            files.update({document.path: document.html for document in release.web})
            # What this release no longer publishes with the same bytes goes to the archive.
            entries, kept_files = archive.superseded(output, previous, {e["path"]: e["sha256"] for e in
                                                                        manifest["leaflets"]},
                                                     release.on or archive.publication_date(), release.withdrawn)
            manifest["archive"] = [e for e in previous.get("archive", []) if isinstance(e, dict)] + entries
            files.update(kept_files)
            files.update({file.path: file.data for file in release.formats})
            entries, kept_files = archive.superseded(output, {
                "leaflets": [{**e, "variant": e.get("kind")} for e in previous.get("formats", []) if isinstance(e, dict)],
                "archive": manifest["archive"]}, {e["path"]: e["sha256"] for e in manifest["formats"]},
                release.on or archive.publication_date(), release.withdrawn)
            manifest["archive"] += entries
            files.update(kept_files)
            if site is not None:
                files.update(site(manifest, files))
            files[MANIFEST] = (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
            kept = {entry["path"] for entry in (*manifest["leaflets"], *manifest["packs"], *manifest["formats"])}
            removed = [entry["path"] for entry in (*previous.get("leaflets", []), *previous.get("packs", []),
                                                   *previous.get("formats", []))
                       if isinstance(entry, dict) and entry.get("path") not in kept and is_published(output, entry)]
            if site is not None:  # thumbnails of PDFs, and pages of leaflets, no longer published
                removed += [f"thumbs/{path.name}" for path in (output / "thumbs").glob("*.png")
                            if f"thumbs/{path.name}" not in files]
                removed += [page for page in {leaflet_page_path(e["leaflet"]) for e in previous.get("leaflets", [])
                                              if isinstance(e.get("leaflet"), str) and SLUG.fullmatch(e["leaflet"])}
                            if page not in files and (output / page).is_file()]
            # No build removes a published leaflet PDF the archive does not hold.
            kept_back = archive.unheld(output, removed, manifest["archive"])
            stage_and_apply(output, files, [path for path in removed if path not in kept_back])
        return manifest
    except OSError as error:
        where = Path(error.filename).name if getattr(error, "filename", None) else str(output)
        raise ProblemError([Problem(str(output.name), None, f"cannot publish into {output.name}/ "
                                    f"({error.strerror or error} at {where}); the previous release "
                                    "is unchanged")]) from None


def make_manifest(output: Path, release: Release, previous: dict) -> dict:
    # A file keeps the date it was first published, while its bytes stay the same.
    published = {(e.get("path"), e.get("sha256")): e.get("published") for e in previous.get("leaflets", [])}
    on = (release.on or archive.publication_date()).isoformat()
    leaflets = [leaflet_entry(document) for document in release.leaflets] + [web_entry(d) for d in release.web]
    for entry in leaflets:
        entry["published"] = published.get((entry["path"], entry["sha256"])) or on
    packs = [pack_entry(document) for document in release.packs]
    # Failed documents keep their last good file, marked outdated.
    failed = {(failure.kind, failure.key): failure.reason for failure in release.failures}
    for entry in previous.get("leaflets", []):
        reason = failed.get(("leaflet", leaflet_key(entry)))
        if reason and is_published(output, entry):
            leaflets.append({**entry, "outdated": reason})
    for entry in previous.get("packs", []):
        reason = failed.get(("pack", (entry.get("pack"),)))
        if reason and is_published(output, entry):
            packs.append({**entry, "outdated": reason})
    return {
        "leaflets": sorted(leaflets, key=leaflet_key),
        "packs": sorted(packs, key=lambda e: e["pack"]),
        "formats": format_entries(output, release, previous, on),
        "formats_unavailable": [formats.unavailable_entry(item) for item in release.unavailable],
        "problems": [problem.to_json() for problem in release.problems],
    }


def format_entries(output: Path, release: Release, previous: dict, on: str) -> list[dict]:
    """The alternative formats' entries; a file that failed keeps its last entry, marked outdated."""
    published = {(e.get("path"), e.get("sha256")): e.get("published") for e in previous.get("formats", [])
                 if isinstance(e, dict)}
    entries = [formats.entry(file) for file in release.formats]
    for entry in entries:
        entry["published"] = published.get((entry["path"], entry["sha256"])) or on
    failed = {failure.key: failure.reason for failure in release.failures if failure.kind == "format"}
    entries += [{**entry, "outdated": failed[formats.key(entry)]} for entry in previous.get("formats", [])
                if isinstance(entry, dict) and formats.key(entry) in failed and is_published(output, entry)]
    return sorted(entries, key=formats.key)


def stage_and_apply(output: Path, files: dict[str, bytes], removed: list[str]) -> None:
    renames = []
    try:
        for relative, data in files.items():
            target = output / relative
            if target.is_file() and target.stat().st_size == len(data) and target.read_bytes() == data:
                continue  # unchanged: keep the file (and its date) as it is
            renames.append((stage(target, data), relative))
    except BaseException:  # an interrupt too: nothing is published, nothing is left behind
        for temporary, _ in renames:
            temporary.unlink(missing_ok=True)
        raise
    journal = {"renames": [(str(temporary.relative_to(output)), relative) for temporary, relative in renames],
               "removals": removed}
    with interrupts.held_back():  # from the journal to the last rename, a signal waits
        try:
            write_atomically(output / JOURNAL, json.dumps(journal).encode("utf-8"))
        except BaseException:
            for temporary, _ in renames:
                temporary.unlink(missing_ok=True)
            raise
        recover(output)


def recover(output: Path) -> None:
    """Finish a publication the journal describes (all its files were written in full)."""
    journal_path = output / JOURNAL
    if not journal_path.exists():
        return
    journal = json.loads(journal_path.read_text(encoding="utf-8"))
    for temporary, relative in journal["renames"]:
        if safe_relative(relative) and safe_relative(temporary) and (output / temporary).exists():
            os.replace(output / temporary, output / relative)
    for relative in journal["removals"]:
        if safe_relative(relative):
            (output / relative).unlink(missing_ok=True)
    sync_folder(output)
    journal_path.unlink()


def safe_relative(path: str) -> bool:
    parts = PurePosixPath(path).parts
    return bool(parts) and not PurePosixPath(path).is_absolute() and ".." not in parts


def is_published(output: Path, entry: dict) -> bool:
    """The entry names a file inside output/ that exists (manifests are not trusted blindly)."""
    path = entry.get("path")
    if not isinstance(path, str) or PurePosixPath(path).is_absolute() or ".." in PurePosixPath(path).parts:
        return False
    return (output / path).is_file()


def remove_leftovers(output: Path) -> None:
    """Temporary files a killed build left behind (never published: they have no final name)."""
    for leftover in output.rglob(".*.tmp"):
        leftover.unlink(missing_ok=True)


@contextmanager
def exclusive_lock(output: Path) -> Iterator[None]:
    """Publishing runs one build at a time; a second build waits for the first."""
    with (output / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
