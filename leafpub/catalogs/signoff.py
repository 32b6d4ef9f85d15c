"""A leaflet's English -> its hash; the source language's approval.toml records which clinician signed
off which hash (with the English signed off), so any later edit to the leaflet voids the sign-off."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import tomllib
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from ..content import content
from .. import sources
from .approvals import APPROVAL_FILE, name_problem
from ..model import Leaflet, Settings
from ..problems import Problem, ProblemError
from ..writing import stage, sync_folder
from ..model import SignOff

MAX_SIGNOFF_BYTES = 4 * 1024 * 1024
#: A table of the record: [leaflets."slug"] or [leaflets.slug]
TABLE = re.compile(r'^\s*\[\s*leaflets\s*\.\s*(?:"([^"]*)"|([A-Za-z0-9_-]+))\s*\]\s*$')
KEY = re.compile(r"^\s*([A-Za-z0-9_-]+)\s*=")
FIELDS = ("approved_by", "approved_on", "version", "leaflet_sha256", "leaflet_text", "figures_sha256")


@dataclass(frozen=True)
class ClinicalState:
    slug: str
    state: str  #: "approved", "out of date" or "not signed off"
    reason: str  #: why it is not approved ("" when it is)
    signoff: SignOff | None  #: the sign-off recorded for it, current or not


def signoff_path(settings: Settings) -> Path:
    """Beside the translations' approvals: translations/<source locale>/LC_MESSAGES/approval.toml."""
    return settings.translations_dir / settings.source_locale / "LC_MESSAGES" / APPROVAL_FILE


def leaflet_digest(settings: Settings, leaflet: Leaflet) -> str:
    """SHA-256 of leaflets/<slug>.md as it is now: its text, its version and every other field."""
    return hashlib.sha256(sources.read(settings.root, settings.root / leaflet.path,
                                       content.MAX_LEAFLET_BYTES)).hexdigest()


def figures_digest(leaflet: Leaflet) -> str:
    """SHA-256 of the SVG files of the leaflet's figures, in order: their drawing and labels are
    clinical content as much as its text."""
    from ..content.elements import figures_of

    return hashlib.sha256(" ".join(f"{f.source} {f.digest}" for f in figures_of(leaflet)).encode()).hexdigest()


def current_digest(settings: Settings, leaflet: Leaflet) -> str | None:
    """The leaflet's SHA-256, or None if it can no longer be read (it then has no current sign-off)."""
    try:
        return leaflet_digest(settings, leaflet)
    except ProblemError:
        return None


def read_signoffs(settings: Settings) -> tuple[dict[str, SignOff], dict[str, Problem]]:
    """The sign-offs recorded, by slug, and by slug the problem (file:line) of each that cannot be
    trusted: a table missing a field, or whose stored English is not the one its hash names.
    A problem of the whole file is under ""."""
    path = signoff_path(settings)
    if not sources.exists(settings.root, path):
        return {}, {}
    display = settings.relative(path)
    try:
        text = sources.read(settings.root, path, MAX_SIGNOFF_BYTES).decode("utf-8")
        data = tomllib.loads(text)
    except ProblemError as error:  # a link, a pipe, a folder: not a record
        return {}, {"": error.problems[0]}
    except UnicodeDecodeError:
        return {}, {"": Problem(display, None, "not UTF-8 text: no sign-off in it counts")}
    except tomllib.TOMLDecodeError as error:
        line = re.search(r"line (\d+)", str(error))
        # tomllib names no line for what ends too soon: that is the last one.
        line = int(line[1]) if line else len(text.splitlines()) or None
        return {}, {"": Problem(display, line,
                                f"unreadable ({error}): no sign-off in it counts")}
    lines = key_lines(text)
    tables = data.get("leaflets", {})
    if not isinstance(tables, dict):
        return {}, {"": Problem(display, None, "'leaflets' must be a table of sign-offs, one per leaflet")}
    found, problems = {}, {}
    loader = content.figure_loader(settings.root, settings.leaflets_dir)
    for slug, table in tables.items():
        try:
            found[slug] = read_signoff(display, slug, table, lines.get(slug, {}), loader)
        except ProblemError as error:
            problems[slug] = error.problems[0]
    return found, problems


def read_signoff(display: str, slug: str, table, lines: dict[str, int], load_figure=None) -> SignOff:
    """One leaflet's table, checked against itself."""
    where = lines.get("", None)
    if not isinstance(table, dict):
        raise ProblemError([Problem(display, where, f"the sign-off of {slug!r} must be a table")])
    by, on, version, digest, text, figures = (table.get(name) for name in FIELDS)
    if not (isinstance(by, str) and isinstance(on, date) and not isinstance(on, datetime)
            and isinstance(version, str) and isinstance(digest, str) and isinstance(text, str)
            and isinstance(figures, str)):
        raise ProblemError([Problem(display, where, f"the sign-off of {slug!r} needs approved_by, approved_on "
                                                    "(a date), version, leaflet_sha256, leaflet_text and figures_sha256")])
    reason = name_problem(by)
    if reason:
        raise ProblemError([Problem(display, lines.get("approved_by", where), reason)])
    if hashlib.sha256(text.encode("utf-8")).hexdigest() != digest:
        raise ProblemError([Problem(display, lines.get("leaflet_sha256", where),
                                    f"the sign-off of {slug!r} is refused: leaflet_sha256 is not the SHA-256 of "
                                    "the leaflet_text recorded with it (edited by hand?); sign off again")])
    try:
        signed = content.parse_leaflet(text.removeprefix("\ufeff"), f"{display} ({slug})", slug, load_figure)
    except ProblemError as error:
        raise ProblemError([Problem(display, lines.get("leaflet_text", where),
                                    f"the sign-off of {slug!r} is refused: its leaflet_text is not a leaflet "
                                    f"({error.problems[0].message})")]) from None
    if signed.version != version:
        raise ProblemError([Problem(display, lines.get("version", where),
                                    f"the sign-off of {slug!r} is refused: it says version {version}, but the "
                                    f"English it records is version {signed.version}")])
    return SignOff(slug, by, on, version, digest, text, where or 1, figures)


def key_lines(text: str) -> dict[str, dict[str, int]]:
    """slug -> {field: line, "": line of the table}, for problems that name their line."""
    lines: dict[str, dict[str, int]] = {}
    current, in_text = None, False
    for number, line in enumerate(text.splitlines(), 1):
        if in_text:  # a multi-line leaflet_text: its lines are the leaflet's, not the record's
            in_text = "'''" not in line
            continue
        table = TABLE.match(line)
        if table:
            current = table[1] if table[1] is not None else table[2]
            lines.setdefault(current, {})[""] = number
            continue
        key = KEY.match(line)
        if key and current is not None:
            lines[current].setdefault(key[1], number)
            in_text = line.count("'''") == 1
    return lines


def clinical_states(settings: Settings, leaflets, signoffs: dict[str, SignOff],
                    refused: dict[str, Problem]) -> list[ClinicalState]:
    """Each leaflet's state: approved only while the recorded hash is its English's as it is now."""
    states = []
    for leaflet in leaflets:
        signoff = signoffs.get(leaflet.slug)
        problem = refused.get(leaflet.slug) or refused.get("")
        if signoff is None:
            reason = str(problem) if problem else "no clinician has signed off its English"
            states.append(ClinicalState(leaflet.slug, "not signed off", reason, None))
        elif (signoff.sha256, signoff.figures) != (current_digest(settings, leaflet), figures_digest(leaflet)):
            states.append(ClinicalState(leaflet.slug, "out of date", (
                f"{settings.relative(signoff_path(settings))}:{signoff.line}: signed off for version "
                f"{signoff.version} by {signoff.by} on {signoff.on}; {leaflet.path} or a figure it shows has changed "
                "since"), signoff))
        else:
            states.append(ClinicalState(leaflet.slug, "approved", "", signoff))
    return states


def attach(settings: Settings, leaflets) -> tuple[Leaflet, ...]:
    """The leaflets, each with its sign-off when it is current (Leaflet.clinical): a refused
    sign-off counts as none, and its leaflet says so (`status` says why)."""
    signoffs, refused = read_signoffs(settings)
    states = {state.slug: state for state in clinical_states(settings, leaflets, signoffs, refused)}
    return tuple(dataclasses.replace(leaflet, clinical=states[leaflet.slug].signoff)
                 if states[leaflet.slug].state == "approved" else leaflet for leaflet in leaflets)


def record_signoffs(settings: Settings, leaflets, by: str, on: date) -> tuple[Path, list[SignOff]]:
    """Record `by`'s sign-off of each leaflet's English as it is now, keeping the others'."""
    by = by.strip()
    reason = name_problem(by)
    if reason:
        raise ProblemError([Problem("approve --by", None, reason.replace("reviewer", "clinician"))])
    signoffs, refused = read_signoffs(settings)
    chosen = {leaflet.slug for leaflet in leaflets}
    # A damaged record is rewritten only where it is signed again: never silently dropped.
    kept = [problem for slug, problem in refused.items() if slug not in chosen]
    if kept:
        raise ProblemError(kept)
    path = signoff_path(settings)
    for folder in (settings.translations_dir, path.parent.parent, path.parent):
        folder_reason = sources.exists(settings.root, folder) and sources.refusal(settings.root, folder, folder=True)
        if folder_reason:
            raise ProblemError([Problem(settings.relative(folder), None, folder_reason)])
    new = []
    for leaflet in leaflets:
        # The bytes signed off are those read now, whatever was read before.
        data = sources.read(settings.root, settings.root / leaflet.path, content.MAX_LEAFLET_BYTES)
        read = content.read_leaflet(data, leaflet.path, leaflet.slug,
                                    content.figure_loader(settings.root, settings.leaflets_dir))
        signoffs[leaflet.slug] = SignOff(leaflet.slug, by, on, read.version, hashlib.sha256(data).hexdigest(),
                                         data.decode("utf-8"), 0, figures_digest(read))
        new.append(signoffs[leaflet.slug])
    # Written beside it and renamed over it: whatever stood there (a link, say) is replaced,
    # never written through.
    os.replace(stage(path, signoff_text(signoffs).encode("utf-8")), path)
    sync_folder(path.parent)
    return path, new


def signoff_text(signoffs: dict[str, SignOff]) -> str:
    text = ("# Recorded by `pipeline.py approve en`: a clinician's sign-off of each leaflet's English.\n"
            "# One holds only while leaflets/<slug>.md is byte for byte the leaflet_text below, and its\n"
            "# figures' SVG files are those figures_sha256 names: any edit to them needs a new sign-off.\n")
    for slug, signoff in sorted(signoffs.items()):
        text += (f"\n[leaflets.{json.dumps(slug, ensure_ascii=False)}]\n"
                 f"approved_by = {toml_string(signoff.by)}\n"
                 f"approved_on = {signoff.on.isoformat()}\n"
                 f"version = {toml_string(signoff.version)}\n"
                 f'leaflet_sha256 = "{signoff.sha256}"\n'
                 f'figures_sha256 = "{signoff.figures}"\n'
                 f"leaflet_text = {toml_string(signoff.text, multiline=True)}\n")
    return text


def toml_string(text: str, multiline: bool = False) -> str:
    """A TOML string holding exactly `text`: the leaflet as it reads (a literal block) when it can
    be one, otherwise one escaped line."""
    plain = not re.search("[\x00-\x08\x0b-\x1f\x7f]|'''", text) and not text.endswith("'")
    if multiline and plain:
        return f"'''\n{text}'''"
    # JSON's escapes are TOML's, but for DEL and the line separators, which TOML does not escape itself.
    return (json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))
