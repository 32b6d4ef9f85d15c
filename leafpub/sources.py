"""A path inside the project -> its bytes, read only when it is a plain file reached without links.

Catalogs, leaflets, templates, packs.toml, approvals and logos come from people outside the
team. A symbolic link (even to a file inside the project), a FIFO, a device, a socket or a
directory where one of them belongs is refused with a problem naming the path as it stands
in the project, never its target, and nothing behind it is read: so no input can make the
build read, print or publish a file it does not own, or wait forever on a pipe.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from .problems import Problem, ProblemError

#: Why each kind of thing is not a source, as a translator or clinician would read it.
KINDS = ((stat.S_ISLNK, "a symbolic link"), (stat.S_ISDIR, "a folder"),
         (stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISSOCK, "a socket"),
         (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"))
FIX = "the build reads only plain files inside the project: put the file itself there"


class NotAPlainFile(ProblemError):
    """A source is missing, or is not a plain file reached without links."""


def display(root: Path, path: Path) -> str:
    """The path as a user would type it from the project root (links are not followed)."""
    absolute = Path(os.path.normpath(Path(root, path)))
    try:
        return absolute.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def kind_of(mode: int) -> str | None:
    """What a file of this mode is, when it is not a regular file."""
    for test, name in KINDS:
        if test(mode):
            return name
    return None if stat.S_ISREG(mode) else "not a regular file"


def refusal(root: Path, path: Path, folder: bool = False) -> str | None:
    """Why `path` is not a plain file (a plain folder, with `folder`) inside `root` reached
    without links, or None. Every folder on the way is checked: a linked one is refused too."""
    shown = display(root, path)
    relative = Path(shown)
    if relative.is_absolute() or ".." in relative.parts:
        return "is outside the project"
    here = Path(root)
    for number, part in enumerate(relative.parts, 1):
        here = here / part
        try:
            mode = os.lstat(here).st_mode
        except FileNotFoundError:
            return "does not exist"
        except OSError as error:
            return f"cannot be read ({error.strerror})"
        last = number == len(relative.parts)
        if stat.S_ISLNK(mode) and last:
            return f"is a symbolic link: {FIX}"
        if stat.S_ISLNK(mode):
            linked = Path(*relative.parts[:number]).as_posix()
            return f"is reached through a symbolic link ({linked} is one): {FIX}"
        if last and folder and not stat.S_ISDIR(mode):
            return "is not a folder"
        if last and not folder and not stat.S_ISREG(mode):
            return f"is {kind_of(mode)}, not a file: {FIX}"
        if not last and not stat.S_ISDIR(mode):
            return "does not exist"
    return None


def require_plain_file(root: Path, path: Path, **where) -> None:
    """Raise NotAPlainFile (naming the path) unless `path` is a plain file inside root.
    `where` (locale=, leaflet=, pack=) says which documents the problem stops."""
    reason = refusal(root, path)
    if reason:
        raise NotAPlainFile([Problem(display(root, path), None, reason, **where)])


def exists(root: Path, path: Path) -> bool:
    """Whether anything (a file, a link, a pipe...) stands at `path`: such a thing is then read
    with `read`, which says what is wrong with it, rather than skipped as missing."""
    return os.path.lexists(Path(root, path))


def read(root: Path, path: Path, limit: int | None = None, **where) -> bytes:
    """The bytes of a plain file inside root (at most `limit`, else a problem saying so)."""
    require_plain_file(root, path, **where)
    shown = display(root, path)
    # O_NOFOLLOW and O_NONBLOCK: if the file was swapped for a link or a pipe since the check,
    # the open fails or returns at once, and the fstat below refuses it.
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    try:
        descriptor = os.open(Path(root, path), flags)
    except OSError as error:
        raise NotAPlainFile([Problem(shown, None, f"cannot be read ({error.strerror})", **where)]) from None
    with os.fdopen(descriptor, "rb") as stream:
        info = os.fstat(stream.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise NotAPlainFile([Problem(shown, None, f"is {kind_of(info.st_mode)}, not a file: {FIX}",
                                         **where)])
        if limit is not None and info.st_size > limit:
            raise NotAPlainFile([Problem(shown, None, f"is larger than {size_words(limit)}", **where)])
        data = stream.read() if limit is None else stream.read(limit + 1)
    if limit is not None and len(data) > limit:
        raise NotAPlainFile([Problem(shown, None, f"is larger than {size_words(limit)}", **where)])
    return data


def tree(root: Path, folder: Path) -> tuple[list[Path], list[Problem]]:
    """Every plain file below `folder`, in a stable order, and a problem for each thing there
    that is not one (links are not followed into)."""
    files, problems = [], []
    start = Path(root, folder)
    if not os.path.lexists(start):
        return [], []
    reason = refusal(root, folder, folder=True)
    if reason:
        return [], [Problem(display(root, folder), None, reason)]
    for here, folders, names in os.walk(start):
        folders.sort()
        for name in [*folders]:
            if os.path.islink(Path(here, name)):
                folders.remove(name)
                problems.append(Problem(display(root, Path(here, name)), None, f"is a symbolic link: {FIX}"))
        for name in sorted(names):
            path = Path(here, name)
            mode = os.lstat(path).st_mode
            if stat.S_ISREG(mode):
                files.append(path)
            elif stat.S_ISLNK(mode):
                problems.append(Problem(display(root, path), None, f"is a symbolic link: {FIX}"))
            else:
                problems.append(Problem(display(root, path), None, f"is {kind_of(mode)}, not a file: {FIX}"))
    return sorted(files), problems


def size_words(limit: int) -> str:
    return f"{limit // (1 << 20)} MiB" if limit >= 1 << 20 else f"{limit // 1024} KiB"


def path_text(path: Path) -> str:
    """A path the user typed, as text any file can hold: bytes that are not UTF-8 as escapes (\\xff)."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def read_delivered(path: Path, shown: str, limit: int, what: str) -> bytes:
    """A file someone delivered (an agency's XLIFF, a back-translation), from wherever the user points:
    a regular file of at most `limit` bytes, never a pipe or device that would block or never end."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as error:
        raise ProblemError([Problem(shown, None, f"cannot read it: {error.strerror or error}")]) from None
    mode = os.fstat(descriptor).st_mode
    if not stat.S_ISREG(mode):
        os.close(descriptor)
        raise ProblemError([Problem(shown, None, f"is {kind_of(mode)}, not {what}")])
    with os.fdopen(descriptor, "rb") as stream:
        data = stream.read(limit + 1)
    if len(data) > limit:
        raise ProblemError([Problem(shown, None, f"larger than {size_words(limit)}: not {what} of these leaflets")])
    return data


MANIFEST = "manifest.json"


def read_manifest(output: Path) -> dict:
    try:
        manifest = json.loads((output / MANIFEST).read_text(encoding="utf-8"))
        return manifest if isinstance(manifest, dict) else {}
    except (OSError, ValueError):
        return {}
