"""A catalog's messages -> their hash; approval.toml beside the catalog records who approved
which hash, so any later change to the messages turns the translation back into a draft."""

from __future__ import annotations

import hashlib
import json
import os
import re
import tomllib
from datetime import date
from pathlib import Path

from babel.messages.catalog import Catalog

from .. import limits, sources
from ..model import LocaleCatalog, Review, Settings
from ..problems import Problem, ProblemError
from ..writing import stage

APPROVAL_FILE = "approval.toml"
MAX_NAME_CHARACTERS = 120
MAX_APPROVAL_BYTES = 64 * 1024
#: What a reviewer's name cannot hold: control characters (a terminal would act on them)
#: and invisible direction overrides (they would reorder the name as shown).
UNSTORABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]")


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
    if not sources.exists(settings.root, path):
        return Review(state="draft", reason="no approval recorded")
    display = settings.relative(path)
    try:
        data = tomllib.loads(sources.read(settings.root, path, MAX_APPROVAL_BYTES).decode("utf-8"))
    except ProblemError as error:  # a link, a pipe, a folder: not an approval
        return Review(state="draft", reason=str(error.problems[0]))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        return Review(state="draft", reason=f"{display}: unreadable ({error})")
    by, on, digest = data.get("approved_by"), data.get("approved_on"), data.get("messages_sha256")
    if not (isinstance(by, str) and not name_problem(by) and isinstance(on, date) and isinstance(digest, str)):
        return Review(state="draft", reason=f"{display}: needs approved_by, approved_on and messages_sha256")
    if digest != catalog.digest:
        return Review(state="draft", approved_by=by, approved_on=on,
                      reason=f"the catalog changed after {by} approved it on {on.isoformat()}")
    back = data.get("back_translation_sha256")
    return Review(state="approved", approved_by=by, approved_on=on,
                  back_translation=back if isinstance(back, str) else None)


def record_approval(settings: Settings, catalog: LocaleCatalog, by: str, on: date,
                    back_translation: tuple[str, str] | None = None) -> Path:
    """Write approval.toml for the catalog as it is now; refuse one that is not publishable.
    `back_translation`: (file name, SHA-256) of the back-translation the reviewer reconciled."""
    if catalog.problems:
        raise ProblemError(list(catalog.problems))
    reason = name_problem(by.strip())
    if reason:
        raise ProblemError([Problem("approve --by", None, reason)])
    path = approval_path(settings, catalog.language.locale)
    folder_reason = sources.refusal(settings.root, path.parent, folder=True)
    if folder_reason:
        raise ProblemError([Problem(settings.relative(path.parent), None, folder_reason)])
    text = ("# Recorded by `pipeline.py approve`. It holds only while the catalog's messages are\n"
            "# unchanged: any edit to them makes the translation a draft again.\n"
            f"approved_by = {json.dumps(by.strip(), ensure_ascii=False)}\n"
            f"approved_on = {on.isoformat()}\n"
            f'messages_sha256 = "{catalog.digest}"\n')
    if back_translation:
        name, digest = back_translation
        text += (f"back_translation_file = {json.dumps(name, ensure_ascii=False)}\n"
                 f'back_translation_sha256 = "{digest}"\n')
    # Written beside it and renamed over it: whatever stood there (a link, say) is replaced,
    # never written through.
    os.replace(stage(path, text.encode("utf-8")), path)
    return path


def name_problem(name: str) -> str | None:
    """Why a reviewer's name cannot be stored, or None."""
    if not name:
        return "give the reviewer's name with --by"
    if limits.too_long(name, "name"):  # the bound on any text from outside; a name's own is far lower
        return limits.too_long(name, "name")
    if len(name) > MAX_NAME_CHARACTERS:
        return (f"the reviewer's name is {len(name)} characters long; at most {MAX_NAME_CHARACTERS} "
                "can be stored")
    hidden = UNSTORABLE.search(name)
    if hidden:
        return (f"the reviewer's name contains the invisible character U+{ord(hidden[0]):04X} "
                "(a control or direction-override character), which cannot be stored: "
                "type the name as plain text")
    return None
