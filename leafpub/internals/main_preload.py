"""The forkserver runs the main script once, for all the workers it forks, not once a worker.

Relies on CPython 3.11's undocumented multiprocessing.spawn.get_preparation_data: it gives the
main script's path as "init_main_from_path", but multiprocessing.forkserver reads "main_path"
to import `__main__` when it is preloaded, so `'__main__'` in set_forkserver_preload does
nothing (CPython issues 98552 and 126631, fixed in later versions) and each worker runs the
script itself before its first job: for `pipeline.py` (or the benchmark) 75 modules more,
0.10-0.14 s of CPU a worker, and every audio file has a worker of its own (15 a cold build).
On, the preparation data also carries the path under the name the forkserver reads. Off, each
worker runs the main script again, as CPython 3.11 does.
"""

from __future__ import annotations

from . import active, register

MAIN_PRELOAD = register(
    "main-preload", relies_on="multiprocessing.spawn.get_preparation_data: 'init_main_from_path' (CPython)",
    checked={"python": "3.11"},
    gain="a worker forked from the forkserver does not run the main script again (0.1 s of CPU a worker)",
    without="each worker runs the main script before its first job")


def preload(modules: list[str]) -> list[str]:
    """What the forkserver imports: `__main__` first (that is, the script the build runs), when on."""
    return ["__main__", *modules] if active(MAIN_PRELOAD) else list(modules)


def ensure_running() -> None:
    """multiprocessing.forkserver.ensure_running(), given the main script's path under the name
    the forkserver reads as well, when on."""
    from multiprocessing import forkserver, spawn

    original = spawn.get_preparation_data
    if not active(MAIN_PRELOAD):
        forkserver.ensure_running()
        return

    def with_main_path(name):
        data = original(name)
        if "init_main_from_path" in data:
            data["main_path"] = data["init_main_from_path"]
        return data

    spawn.get_preparation_data = with_main_path
    try:
        forkserver.ensure_running()
    finally:
        spawn.get_preparation_data = original
