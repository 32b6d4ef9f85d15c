"""A check's inputs (file bytes, this code, the tools' versions) -> what it found last time.

Checking every catalog (msgfmt, Babel's and this project's checks, the glossary) is most of
what a build with nothing to render spends; its result depends only on the bytes checked and
the code and tools that check them. Results are kept in output/.cache/checks/, one file per
subject (a catalog, the pinned fonts), replaced when its key changes. A result that cannot
be read or written is simply checked again. Where output/ does not exist yet (a first build,
or `check` before any build), results wait in memory until a build has published
(`write_waiting`): a command that publishes nothing never makes output/.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from .model import Settings
from .problems import Problem

#: The libraries and tools whose upgrade can change what a check finds.
CHECKING_LIBRARIES = ("babel", "fonttools", "jinja2", "lxml", "pillow", "translate-toolkit")
CHECKING_TOOLS = ("msgfmt",)


@cache
def checking_code() -> str:
    """This package's source, the checking libraries' versions and the tools' files: a
    change to any of them checks everything again."""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        digest.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes() + b"\0")
    for name in CHECKING_LIBRARIES:
        try:
            digest.update(f"{name}={version(name)}\0".encode())
        except PackageNotFoundError:
            digest.update(f"{name}=none\0".encode())
    for tool in CHECKING_TOOLS:
        found = shutil.which(tool)
        info = os.stat(found) if found else None
        digest.update(f"{tool}={found}:{info and info.st_size}:{info and info.st_mtime_ns}\0".encode())
    return digest.hexdigest()


def check_key(*inputs: bytes | str) -> str:
    digest = hashlib.sha256(checking_code().encode())
    for value in inputs:
        data = value.encode("utf-8") if isinstance(value, str) else value
        digest.update(len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()


def entry_path(settings: Settings, subject: str) -> Path:
    return settings.output_dir / ".cache" / "checks" / f"{subject}.json"


def recall(settings: Settings, subject: str, key: str):
    """The result kept for `subject` under `key`, or None."""
    try:
        entry = json.loads(entry_path(settings, subject).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return entry.get("result") if isinstance(entry, dict) and entry.get("key") == key else None


#: Results found before output/ existed: (output folder, subject) -> (key, result)
_waiting: dict[tuple[Path, str], tuple[str, object]] = {}


def remember(settings: Settings, subject: str, key: str, result) -> None:
    """Keep a result (JSON); a full or read-only disk only costs the next build time."""
    if not settings.output_dir.is_dir():
        _waiting[(settings.output_dir, subject)] = (key, result)
        return
    write(entry_path(settings, subject), key, result)


def write_waiting(settings: Settings) -> None:
    """Write the results that waited for output/ (a build calls this once it has published)."""
    for (output, subject), (key, result) in list(_waiting.items()):
        if output == settings.output_dir and output.is_dir():
            del _waiting[(output, subject)]
            write(entry_path(settings, subject), key, result)


def write(path: Path, key: str, result) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_text(json.dumps({"key": key, "result": result}, ensure_ascii=False), encoding="utf-8")
        os.replace(temporary, path)
    except OSError:
        try:
            temporary.unlink(missing_ok=True)
        except OSError:  # a read-only output/: nothing was written
            pass


def problems_to_json(problems) -> list[dict]:
    """Each problem's fields, as problems_from_json makes it again."""
    return [dataclasses.asdict(problem) for problem in problems]


def problems_from_json(entries) -> list[Problem] | None:
    """The problems kept by problems_to_json; None for anything else (nothing kept, or not that)."""
    if not isinstance(entries, list):
        return None
    try:
        return [Problem(**entry) for entry in entries]
    except TypeError:
        return None
