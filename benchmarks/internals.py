"""What each use of another library's internals (leafpub/internals/) gains, as a user runs the
program: a cold `pipeline.py build` as a new process, with every use on, and with each one
turned off (LEAFPUB_INTERNALS_OFF), taken in turn (each round in another order); the medians
of the build's wall time, of the CPU time of every process it ran (workers, Ghostscript and
the process the workers are forked from included), and the bytes published.

    make bench-internals     (or: .venv/bin/python benchmarks/internals.py [--repeats N])

CPU time is the steadier figure on a machine whose speed drifts: wall time moves with
whatever else the machine does.
"""

from __future__ import annotations

import argparse
import json
import ctypes
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from leafpub import internals  # noqa: E402


def fresh_copy(folder: Path) -> Path:
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(ROOT, folder, ignore=shutil.ignore_patterns(".venv", "output", ".git", "tests", "benchmarks",
                                                                "proofs", "__pycache__", "*.egg-info"))
    return folder


def cpu_seconds() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def reap_orphans() -> None:
    """Wait for every process left over (the forkserver, once the build has exited), so that
    its CPU time, and that of the workers it waited for, counts."""
    while True:
        try:
            os.wait()
        except ChildProcessError:
            return


def cold_build(folder: Path, off: str) -> tuple[float, float, int, int, int]:
    """(seconds, CPU seconds, bytes of leaflet PDFs, bytes of pack PDFs, problems) of one cold
    build. Without some uses a build refuses documents (without text-clusters, the text gate
    refuses Hindi): it exits 1, and their PDFs are missing from the bytes."""
    project = fresh_copy(folder)
    environment = {**os.environ, "LEAFPUB_INTERNALS_OFF": off}
    cpu, started = cpu_seconds(), time.perf_counter()
    finished = subprocess.run([sys.executable, str(ROOT / "pipeline.py"), "--project", str(project), "build",
                               "--no-progress"], capture_output=True, env=environment, text=True)
    if finished.returncode not in (0, 1):
        raise SystemExit(f"the build with {off or 'every use on'} failed:\n{finished.stderr}")
    seconds = time.perf_counter() - started
    reap_orphans()
    cpu = cpu_seconds() - cpu
    output = project / "output"
    leaflets = sum(path.stat().st_size for path in (output / "leaflets").rglob("*.pdf"))
    packs = sum(path.stat().st_size for path in (output / "packs").rglob("*.pdf"))
    problems = len(json.loads((output / "manifest.json").read_text(encoding="utf-8")).get("problems", []))
    return seconds, cpu, leaflets, packs, problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3, help="cold builds of each (default: %(default)s)")
    arguments = parser.parse_args()
    # Orphaned processes of the builds (the forkserver) come to this process to be reaped.
    PR_SET_CHILD_SUBREAPER = 36  # linux/prctl.h
    ctypes.CDLL(None).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    rows = internals.describe()
    for name, on, why in rows:
        print(f"{name:<18} {'on ' if on else 'OFF'} {why}")
    cases = ["", *(name for name, on, _ in rows if on)]
    figures: dict[str, list[tuple[float, float, int, int, int]]] = {case: [] for case in cases}
    with tempfile.TemporaryDirectory(prefix="leafpub-internals-") as folder:
        for round_ in range(arguments.repeats):
            # In turn, each round starting elsewhere, so that the machine's drift and the
            # first build's start-up fall on every case alike.
            for case in cases[round_ % len(cases):] + cases[:round_ % len(cases)]:
                figures[case].append(cold_build(Path(folder) / "project", case))
    medians = {case: (statistics.median(f[0] for f in runs), statistics.median(f[1] for f in runs), *runs[0][2:])
               for case, runs in figures.items()}
    base = medians[""]
    print(f"\ncold build, every use on (medians of {arguments.repeats}): {base[0]:.2f} s, {base[1]:.2f} s of CPU; "
          f"leaflets {base[2] / 1024:.0f} KB, packs {base[3] / 1024:.0f} KB")
    print(f"{'turned off':<18} {'wall':>7} {'vs on':>6} {'CPU':>7} {'vs on':>6} {'leaflets':>9} {'vs on':>6} "
          f"{'packs':>7} {'vs on':>6} {'problems':>8}")
    for case in cases[1:]:
        row = medians[case]
        print(f"{case:<18} {row[0]:6.2f}s {row[0] / base[0]:6.2f} {row[1]:6.2f}s {row[1] / base[1]:6.2f} "
              f"{row[2] / 1024:7.0f}KB {row[2] / base[2]:6.2f} {row[3] / 1024:5.0f}KB {row[3] / base[3]:6.2f} "
              f"{row[4] - base[4]:+8d}")
    print("problems: more problem lines without the use (the documents they name are not published,\n"
          "so their PDFs are missing from the bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
