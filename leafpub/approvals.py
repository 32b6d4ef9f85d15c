"""A catalog's messages -> their hash; approval.toml beside the catalog records who approved
which hash, so any later change to the messages turns the translation back into a draft."""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from datetime import date
from pathlib import Path

from babel.messages.catalog import Catalog

from .model import LocaleCatalog, Review, Settings
from .problems import Problem, ProblemError

APPROVAL_FILE = "approval.toml"
NAME = re.compile(r"[^\x00-\x1f\x7f]{1,120}")


def approval_path(settings: Settings, locale: str) -> Path:
    return settings.translations_dir / locale / "LC_MESSAGES" / APPROVAL_FILE


def messages_digest(catalog: Catalog) -> str:
    """SHA-256 of what patients would read: every message, its translation and fuzzy flag.
    Comments, line numbers and headers do not count."""
    entries = sorted(
        json.dumps([message.context or "", message.id, message.string, message.fuzzy], ensure_ascii=False)
        for message in list(catalog)[1:])
    return hashlib.sha256("\n".join(entries).encode("utf-8")).hexdigest()


def read_review(settings: Settings, catalog: LocaleCatalog) -> Review:
    """Approved only if approval.toml names the catalog's current messages."""
    if catalog.is_source:
        return Review(state="source")
    path = approval_path(settings, catalog.language.locale)
    if not path.exists():
        return Review(state="draft", reason="no approval recorded")
    display = settings.relative(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        return Review(state="draft", reason=f"{display}: unreadable ({error})")
    by, on, digest = data.get("approved_by"), data.get("approved_on"), data.get("messages_sha256")
    if not (isinstance(by, str) and NAME.fullmatch(by) and isinstance(on, date) and isinstance(digest, str)):
        return Review(state="draft", reason=f"{display}: needs approved_by, approved_on and messages_sha256")
    if digest != catalog.digest:
        return Review(state="draft", approved_by=by, approved_on=on,
                      reason=f"the catalog changed after {by} approved it on {on.isoformat()}")
    return Review(state="approved", approved_by=by, approved_on=on)


def record_approval(settings: Settings, catalog: LocaleCatalog, by: str, on: date) -> Path:
    """Write approval.toml for the catalog as it is now; refuse one that is not publishable."""
    if catalog.problems:
        raise ProblemError(list(catalog.problems))
    if not NAME.fullmatch(by.strip()):
        raise ProblemError([Problem("approve", None, "give the reviewer's name with --by")])
    path = approval_path(settings, catalog.language.locale)
    path.write_text(
        "# Recorded by `pipeline.py approve`. It holds only while the catalog's messages are\n"
        "# unchanged: any edit to them makes the translation a draft again.\n"
        f"approved_by = {json.dumps(by.strip(), ensure_ascii=False)}\n"
        f"approved_on = {on.isoformat()}\n"
        f'messages_sha256 = "{catalog.digest}"\n', encoding="utf-8")
    return path
