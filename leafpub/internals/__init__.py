"""Installed library versions -> which uses of other libraries' internals are on.

Every use of a private name or undocumented behaviour of WeasyPrint, pydyf, pypdf or CPython
lives in this package, one module each, registered here with what it relies on, the versions
it was checked against and what it gains (`make bench-internals` measures each gain as a user
runs the program). A use whose gain the benchmark cannot tell from its noise is not kept.
Each is on only when every version it names is the one installed: an upgrade turns it off,
and the pipeline takes the public path instead. For most uses that makes a build slower or
a file larger; without print-boxes, print-shop PDFs keep WeasyPrint's own bleed box (the
whole page) and a random XMP DocumentID (README, "Fonts and reproducibility"). Turning one
on again after an upgrade means checking it against the new version: its tests compare the
output with it on and off.

LEAFPUB_INTERNALS_OFF=name,name (or "all") turns uses off by hand, for a comparison or when a
fault is suspected in one of them. It is read by each process from its environment: local
workers inherit it; on a Dask cluster, set it where the workers are started too.
"""

from __future__ import annotations

import os
import platform
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from importlib.metadata import PackageNotFoundError, version


@dataclass(frozen=True)
class Internal:
    """One use of another library's internals."""

    name: str
    relies_on: str  #: the private name or undocumented behaviour
    checked: tuple[tuple[str, str], ...]  #: (distribution, version) it was checked against
    gain: str  #: what it buys; the figure is in the benchmark's output
    without: str  #: what happens when it is off


#: Every module of this package: each registers its use when imported.
MODULES = ("cid_fonts", "font_files", "main_preload", "pack_fonts", "print_boxes", "tag_languages",
           "text_clusters", "worker_exit")
REGISTRY: dict[str, Internal] = {}
#: Uses turned off by hand (the environment, or a test).
switched_off: set[str] = {name.strip() for name in os.environ.get("LEAFPUB_INTERNALS_OFF", "").split(",")
                          if name.strip()}


def register(name: str, *, relies_on: str, checked: dict[str, str], gain: str, without: str) -> Internal:
    internal = REGISTRY[name] = Internal(name, relies_on, tuple(checked.items()), gain, without)
    return internal


@cache
def installed(distribution: str) -> str | None:
    """The installed version of a distribution; for "python", CPython's major.minor."""
    if distribution == "python":
        return ".".join(platform.python_version_tuple()[:2])
    try:
        return version(distribution)
    except PackageNotFoundError:
        return None


def mismatches(internal: Internal) -> list[str]:
    """What differs from the versions the use was checked against."""
    return [f"{distribution} {installed(distribution)} (checked: {checked})"
            for distribution, checked in internal.checked if installed(distribution) != checked]


def active(internal: Internal) -> bool:
    """Whether the use is on: the versions it was checked against, and not turned off."""
    if internal.name in switched_off or "all" in switched_off:
        return False
    return not mismatches(internal)


@contextmanager
def turned_off(*names: str):
    """For tests and comparisons: these uses are off while inside."""
    added = set(names) - switched_off
    switched_off.update(added)
    try:
        yield
    finally:
        switched_off.difference_update(added)


def patched(function, patches: tuple[tuple[str, str], ...], **names):
    """`function` (another library's) with its source patched, compiled among its module's
    names and `names`; None if a patch's text is not found exactly once (another version).
    A method is compiled on its own, as a function. The result keeps the original as
    `leafpub_original`."""
    import inspect
    import textwrap

    original = getattr(function, "leafpub_original", function)
    source = inspect.getsource(original)
    for old, new in patches:
        if source.count(old) != 1:
            return None
        source = source.replace(old, new)
    namespace = {**vars(inspect.getmodule(original)), **names}
    exec(compile(textwrap.dedent(source), inspect.getsourcefile(original), "exec"), namespace)  # a patched copy
    result = namespace[original.__name__]
    result.leafpub_original = original
    return result


@contextmanager
def swapped(module, name: str, internal: Internal, make):
    """`module.name` is `make()` (cached) while inside, when `internal` is on and it could
    be made; the original otherwise, and afterwards."""
    current = getattr(module, name)
    original = getattr(current, "leafpub_original", current)
    key = (module.__name__, name)
    if active(internal) and key not in _swaps:
        _swaps[key] = make()
    setattr(module, name, (_swaps.get(key) if active(internal) else None) or original)
    try:
        yield
    finally:
        setattr(module, name, original)


_swaps: dict[tuple[str, str], object] = {}


def describe() -> list[tuple[str, bool, str]]:
    """(name, on, why) for every use in this package."""
    import importlib

    for module in MODULES:
        importlib.import_module(f"{__name__}.{module}")
    rows = []
    for internal in REGISTRY.values():
        differs = mismatches(internal)
        why = ("turned off by hand" if internal.name in switched_off or "all" in switched_off
               else "; ".join(differs) if differs else "checked against the installed versions")
        rows.append((internal.name, active(internal), why))
    return rows
