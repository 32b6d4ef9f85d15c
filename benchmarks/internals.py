"""What each use of another library's internals (leafpub/internals/) gains, as a user runs the
program: a cold `pipeline.py build` as a new process, with every use on, and with each one
turned off (LEAFPUB_INTERNALS_OFF), taken in turn; the medians of the build time and the
bytes published.

    make bench-internals     (or: .venv/bin/python benchmarks/internals.py [--repeats N])
"""

from __future__ import annotations

import argparse
import os
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


def cold_build(folder: Path, off: str) -> tuple[float, int, int]:
    """(seconds, bytes of leaflet PDFs, bytes of pack PDFs) of one cold build."""
    project = fresh_copy(folder)
    environment = {**os.environ, "LEAFPUB_INTERNALS_OFF": off}
    started = time.perf_counter()
    subprocess.run([sys.executable, str(ROOT / "pipeline.py"), "--project", str(project), "build",
                    "--no-progress"], check=True, capture_output=True, env=environment)
    seconds = time.perf_counter() - started
    output = project / "output"
    leaflets = sum(path.stat().st_size for path in (output / "leaflets").rglob("*.pdf"))
    packs = sum(path.stat().st_size for path in (output / "packs").rglob("*.pdf"))
    return seconds, leaflets, packs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3, help="cold builds of each (default: %(default)s)")
    arguments = parser.parse_args()
    rows = internals.describe()
    for name, on, why in rows:
        print(f"{name:<18} {'on ' if on else 'OFF'} {why}")
    cases = ["", *(name for name, on, _ in rows if on)]
    figures: dict[str, list[tuple[float, int, int]]] = {case: [] for case in cases}
    with tempfile.TemporaryDirectory(prefix="leafpub-internals-") as folder:
        for _ in range(arguments.repeats):
            for case in cases:  # in turn, so that the machine's drift falls on every case alike
                figures[case].append(cold_build(Path(folder) / "project", case))
    base_time = statistics.median(f[0] for f in figures[""])
    base_leaflets, base_packs = figures[""][0][1:]
    print(f"\ncold build, every use on: {base_time:.2f} s (median of {arguments.repeats}); "
          f"leaflets {base_leaflets / 1024:.0f} KB, packs {base_packs / 1024:.0f} KB")
    print(f"{'turned off':<18} {'build':>8} {'vs on':>7} {'leaflets':>10} {'vs on':>7} {'packs':>9} {'vs on':>7}")
    for case in cases[1:]:
        seconds = statistics.median(f[0] for f in figures[case])
        leaflets, packs = figures[case][0][1:]
        print(f"{case:<18} {seconds:7.2f}s {seconds / base_time:7.2f} {leaflets / 1024:8.0f}KB "
              f"{leaflets / base_leaflets:7.2f} {packs / 1024:7.0f}KB {packs / base_packs:7.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
