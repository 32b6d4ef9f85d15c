"""A library name -> the system library, as the dynamic loader's cache knows it: how WeasyPrint
finds Pango, HarfBuzz and fontconfig here, without the 0.17 s ctypes would spend.

On import, WeasyPrint asks cffi for each library under up to six names, the first ones made
for Windows and macOS. cffi asks `ctypes.util.find_library` for each, which, on Linux, looks
in the loader's cache (`ldconfig -p`) and, for a name not there, runs gcc and then ld (12 ms a
name). Every worker process imports WeasyPrint before its first document, so a cold build
waited 0.17 s more for them. The answer does not change: on Linux, `find_library` returns a
soname, which cffi then hands to the loader, and WeasyPrint's list of names also holds each
library's soname itself (libpango-1.0.so.0), which the loader finds directly.
"""

from __future__ import annotations

import ctypes.util
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def found_by_loader_cache() -> Iterator[None]:
    """While importing WeasyPrint: `find_library` asks only the loader's cache. Elsewhere
    (no such cache), nothing changes."""
    from_cache = getattr(ctypes.util, "_findSoname_ldconfig", None)  # Linux only
    if from_cache is None:
        yield
        return
    find_library = ctypes.util.find_library
    ctypes.util.find_library = from_cache
    try:
        yield
    finally:
        ctypes.util.find_library = find_library
