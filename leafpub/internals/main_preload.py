"""The forkserver runs the main script once, for all the workers it forks, not once a worker.

Relies on CPython 3.11's undocumented multiprocessing.spawn (get_preparation_data's
"init_main_from_path" and "sys_path", import_main_path, and a worker skipping the script when
its `__main__` already has that file) and process._inheriting. CPython's own way, '__main__'
in set_forkserver_preload, does nothing in 3.11 (issues 98552 and 126631): each worker runs the
script before its first job, for `pipeline.py` (or the benchmark) 75 modules more, 0.10-0.14 s
of CPU a worker, and every audio file has a worker of its own (15 a cold build). On, the
forkserver imports this module first, and it runs the script with the build's sys.path (which
3.11's forkserver ignores, issue 117378); if the script fails there, each worker runs it, as
off.
"""

from __future__ import annotations

import json
import os
import sys

from . import active, register

MAIN_PRELOAD = register(
    "main-preload", relies_on="multiprocessing.spawn: get_preparation_data, import_main_path (CPython)",
    checked={"python": "3.11"},
    gain="a worker forked from the forkserver does not run the main script again (0.1 s of CPU a worker)",
    without="each worker runs the main script before its first job")
#: The main script and sys.path, for the forkserver as it starts (JSON); it removes it.
ENVIRONMENT = "LEAFPUB_FORKSERVER_MAIN"


def preload(modules: list[str]) -> list[str]:
    """What the forkserver imports: this module first, when on."""
    return [__name__, *modules] if active(MAIN_PRELOAD) else list(modules)


def ensure_running() -> None:
    """multiprocessing.forkserver.ensure_running(), telling the forkserver the main script."""
    from multiprocessing import forkserver, spawn

    data = spawn.get_preparation_data("ignore") if active(MAIN_PRELOAD) else {}
    if "init_main_from_path" not in data:  # off, or no script (python -m, an interactive session)
        forkserver.ensure_running()
        return
    os.environ[ENVIRONMENT] = json.dumps({"path": data["init_main_from_path"], "sys_path": data["sys_path"]})
    try:
        forkserver.ensure_running()
    finally:
        os.environ.pop(ENVIRONMENT, None)


def import_main() -> None:
    """In the forkserver: run the main script as a worker would, once for all of them."""
    given = json.loads(os.environ.pop(ENVIRONMENT))
    from multiprocessing import process, spawn

    sys.path[:] = given["sys_path"]
    process.current_process()._inheriting = True  # as CPython does: the script may not start processes
    try:
        spawn.import_main_path(given["path"])
    except Exception:  # noqa: BLE001  any error of the script: each worker runs it, as without this use
        pass
    finally:
        del process.current_process()._inheriting


if ENVIRONMENT in os.environ:  # only in a forkserver this process started
    import_main()
