"""A library name -> the system library as the dynamic loader's cache knows it, while WeasyPrint is
imported: how a worker finds Pango, HarfBuzz and fontconfig without running gcc and ld.

Relies on CPython's private `ctypes.util._findSoname_ldconfig` (Linux). On import, WeasyPrint
asks cffi for each library under up to six names, the first ones made for Windows and macOS;
cffi asks `ctypes.util.find_library`, which, for a name not in the loader's cache, runs gcc
and then ld. Every worker imports WeasyPrint before its first document. The answer does not
change: on Linux `find_library` returns a soname, and WeasyPrint's list of names also holds
each library's soname itself (libpango-1.0.so.0), which the loader finds directly.
"""

from __future__ import annotations

import ctypes.util
from collections.abc import Iterator
from contextlib import contextmanager

from . import active, register

LOADER_CACHE = register(
    "loader-cache", relies_on="ctypes.util._findSoname_ldconfig (CPython, Linux)",
    checked={"python": "3.11", "weasyprint": "70.0"},
    gain="each worker imports WeasyPrint without running gcc and ld for the names the cache lacks",
    without="ctypes.util.find_library runs gcc and ld for each name the loader's cache lacks")


@contextmanager
def found_by_loader_cache() -> Iterator[None]:
    """While inside, `find_library` asks only the loader's cache; off, or where there is no such
    cache, nothing changes."""
    from_cache = getattr(ctypes.util, "_findSoname_ldconfig", None)  # Linux only
    if from_cache is None or not active(LOADER_CACHE):
        yield
        return
    find_library = ctypes.util.find_library
    ctypes.util.find_library = from_cache
    try:
        yield
    finally:
        ctypes.util.find_library = find_library
