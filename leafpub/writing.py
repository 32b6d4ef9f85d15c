"""Bytes -> a file inside the project, written whole or not at all: staged beside its final name,
flushed to disk, then renamed over it."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def stage(path: Path, data: bytes) -> Path:
    """Write data in full to a temporary file beside `path` and flush it to disk."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return Path(temporary)


def write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary file beside `path`, flush it to disk, then rename over `path`."""
    if path.is_file() and path.read_bytes() == data:
        return  # unchanged: keep the file (and its date) as it is
    os.replace(stage(path, data), path)
    sync_folder(path.parent)


def sync_folder(folder: Path) -> None:
    directory = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
