"""A language's catalog and approval -> one lock, held by every command that reads, changes and writes
them (update, import, approve), so two of them at once run one after the other and neither loses the
other's change."""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
from collections.abc import Iterator
from pathlib import Path

from ..model import Settings
from ..problems import Problem, ProblemError

LOCK_FILE = ".lock"  # beside messages.po and approval.toml; empty, never committed (.gitignore)


def lock_path(settings: Settings, locale: str) -> Path:
    return settings.translations_dir / locale / "LC_MESSAGES" / LOCK_FILE


@contextlib.contextmanager
def catalog_lock(settings: Settings, locale: str) -> Iterator[None]:
    """Hold the language's lock (waiting for another command that holds it) for the block.

    flock, not a lock file's existence: the kernel releases it when the process ends, so a crash
    or an interrupt never leaves the catalog locked. A link in its place is not followed."""
    path = lock_path(settings, locale)
    if not re.fullmatch(r"[A-Za-z0-9_@-]+", locale) or not path.parent.is_dir():  # no such catalog: nothing to lock
        yield
        return
    flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
    try:
        descriptor = os.open(path, flags, 0o644)
    except OSError as error:
        raise ProblemError([Problem(settings.relative(path), None,
                                    f"cannot lock the catalog: {error.strerror or error}")]) from None
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # closing releases the lock
