"""A clean-up function -> run when this process ends, pool workers included.

Relies on CPython's undocumented `multiprocessing.util.Finalize`: a worker of a process pool
ends through `os._exit` after multiprocessing runs its own finalizers, so `atexit` alone
never runs there. Off, the clean-up runs at a normal exit only; a worker's Ghostscript then
ends when its input closes, and its temporary folder stays until the system clears it.
"""

from __future__ import annotations

import atexit
from collections.abc import Callable

from . import active, register

WORKER_EXIT = register(
    "worker-exit", relies_on="multiprocessing.util.Finalize (CPython)",
    checked={"python": "3.11"},
    gain="a pool worker removes its Ghostscript's temporary folder when it ends",
    without="clean-up at a normal exit only")


def at_exit(clean_up: Callable[[], None]) -> None:
    atexit.register(clean_up)
    if active(WORKER_EXIT):
        import multiprocessing.util

        multiprocessing.util.Finalize(None, clean_up, exitpriority=10)
