"""Build speed and output size on the project's own content; prints figures and ratios.

    make bench            (or: .venv/bin/python benchmarks/bench.py)

Every build is a new `pipeline.py build` process, timed from start to exit as a user waits for it.
(a) cold full build vs a hand-written loop rendering the same HTML with WeasyPrint in two
    processes (benchmarks/loop.py; medians of three of each, taken in turn: this machine's speed
    drifts by 20% and more)
(b) no-op rebuild vs cold full build (median of three)
(c) one edited catalog vs cold full build, and how many documents were rendered
(d) packs for 200 generated clinics vs one base full build
(e) the download site's front page with 100 leaflets (copies of the built one, each in 15
    languages), and the search index it loads when a visitor searches
(f) the braille step vs the cold build, in this process; the audio's CPU vs the PDF workers'
plus the checks' share of the workers' time, peak memory per worker, file sizes and the scale
figures (BENCH_SCALE=0 leaves them out). Each build runs in a fresh copy of the project; what
each row measures is in benchmarks/README.md.
"""

from __future__ import annotations

import json
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

import pipeline  # noqa: E402
from leafpub.config import load_settings  # noqa: E402
from leafpub.render.pool import Progress, default_workers  # noqa: E402
from leafpub.fonts import use_pinned_fonts  # noqa: E402
from leafpub.variants import TABLE  # noqa: E402

import loop  # noqa: E402  (benchmarks/loop.py: the hand-written baseline)
assert loop.VARIANTS == {variant.name: variant.pdf_standard for variant in TABLE}, "benchmarks/loop.py renders every variant as the build does"

REPEATS = 3  #: cold builds and plain WeasyPrint runs for (a), alternated
TARGETS = {"a": 0.90, "b": 0.03, "braille": 0.1, "d": 3.0, "memory_mib": 200, "latin_kb": 40, "cjk_kb": 400, "pack": 0.6,
           "front_page_kb": 150, "audio": 0.10, "checks": 0.15}


def fresh_copy(folder: Path) -> Path:
    project = folder / "project"
    shutil.copytree(ROOT, project, ignore=shutil.ignore_patterns(".venv", "output", ".git", "tests",
                                                                  "benchmarks", "proofs", "__pycache__",
                                                                  "*.egg-info"))
    return project


class PhaseClock(Progress):
    """When the build began each phase (reading, planning, publishing), for the timeline."""

    def __init__(self):
        self.phases: list[tuple[float, str]] = []

    def phase(self, description: str) -> None:
        self.phases.append((time.time(), description.split()[0]))


def timed_build(project: Path, clock: PhaseClock | None = None, **options):
    started = time.perf_counter()
    report = pipeline.build(load_settings(project), clock, workers=default_workers(), **options)
    return time.perf_counter() - started, report


def timeline(report, began: float, ended: float, clock: PhaseClock, step: float = 0.25) -> list[str]:
    """Where a build's time goes: the main process's phases, then each worker's jobs as a bar
    (R rendering, c checking what was rendered, . idle; one character a `step` of seconds),
    with its busy and idle seconds."""
    width = int((ended - began) / step) + 1
    lines = [f"timeline of the cold build in this process ({ended - began:.1f} s; 0 = its start; one character "
             f"= {step} s; R rendering, c checking, . idle)",
             "  main:     " + ", ".join(f"{name} at {at - began:.1f} s" for at, name in clock.phases)
             + f", done at {ended - began:.1f} s"]
    for number, worker in enumerate(sorted({stat.worker for stat in report.stats}), 1):
        jobs = sorted((stat for stat in report.stats if stat.worker == worker), key=lambda stat: stat.began)
        bar = ["."] * width
        for job in jobs:
            start, checks = job.began - began, job.began - began + job.seconds - job.checking
            for index in range(int(start / step), min(width, int((job.began - began + job.seconds) / step) + 1)):
                bar[index] = "c" if index * step >= checks else "R"
        busy = sum(job.seconds for job in jobs)
        checking = sum(job.checking for job in jobs)
        first, last = jobs[0].began - began, max(job.began + job.seconds for job in jobs) - began
        lines.append(f"  worker {number}: {''.join(bar)}")
        lines.append(f"            {len(jobs)} jobs, busy {busy:.1f} s ({checking:.1f} s checking); idle "
                     f"{first:.1f} s before its first job, {last - first - busy:.1f} s between jobs, "
                     f"{ended - began - last:.1f} s after its last")
    return lines


def phase_seconds(clock: PhaseClock, name: str, ended: float) -> float:
    """How long the build's phase `name` took: until the next phase began (or the build ended)."""
    index = next(i for i, (_, phase) in enumerate(clock.phases) if phase == name)
    return ([at for at, _ in clock.phases] + [ended])[index + 1] - clock.phases[index][0]


def run_process(*arguments: str) -> tuple[float, str]:
    """A new Python process, timed from its start to its exit as a user waits for it."""
    started = time.perf_counter()
    finished = subprocess.run([sys.executable, *arguments], check=True, capture_output=True, text=True)
    return time.perf_counter() - started, finished.stdout


def build_process(project: Path) -> tuple[float, int]:
    """`pipeline.py build` as a new process: its seconds and how many PDFs it rendered."""
    seconds, out = run_process(str(ROOT / "pipeline.py"), "--project", str(project), "build", "--no-progress")
    rendered = next(int(line.split()[1]) for line in out.splitlines() if line.startswith("rendered ")
                    and line.split()[1].isdigit())
    return seconds, rendered


def loop_process(dump: Path, project: Path) -> float:
    """The hand-written two-process WeasyPrint loop over the same HTML (benchmarks/loop.py)."""
    fontconfig = use_pinned_fonts(load_settings(project))
    return run_process(str(ROOT / "benchmarks" / "loop.py"), str(dump), (project / "templates").as_uri() + "/",
                       str(fontconfig))[0]


def many_leaflets(project: Path, copies: int) -> None:
    """`copies` leaflets in place of the one: the same text (so every catalog translates them) under
    other slugs, and packs.toml without packs (the leaflets alone are measured)."""
    source = next((project / "leaflets").glob("*.md"))
    text = source.read_text(encoding="utf-8")
    slug = source.stem
    for number in range(2, copies + 1):
        (project / "leaflets" / f"{slug}-{number}.md").write_text(
            text.replace(f"slug: {slug}", f"slug: {slug}-{number}"), encoding="utf-8")
    (project / "packs.toml").write_text("", encoding="utf-8")


def two_hundred_clinics(project: Path, clinics: int = 200) -> None:
    locales = ["es", "fr", "de", "pt_BR", "pl", "ro", "uk", "tr", "vi", "ar", "fa", "hi", "zh_Hans", "ko"]
    blocks = []
    for number in range(clinics):
        chosen = ["en", locales[number % len(locales)], locales[(number * 5 + 3) % len(locales)]]
        blocks.append(f"""
[[pack]]
id = "clinic-{number:04}"
title = "Skin treatment information"
leaflets = ["microneedling-scars"]
locales = {json.dumps(list(dict.fromkeys(chosen)))}

[pack.clinic]
name = "Clinic number {number}"
address = ["{number} Example Road", "Exampletown EX{number % 9} {number % 7}AB"]
phone = "+44 20 7946 {number:04}"
hours = "Monday to Friday, 8:00 to 18:00"
""")
    (project / "packs.toml").write_text("".join(blocks), encoding="utf-8")


def pack_breakdown(path: Path) -> str:
    """What a pack's bytes are: font programs, page drawings, the clinic boxes, the rest."""
    import pikepdf

    kinds = {"fonts": 0, "page drawings": 0, "clinic boxes": 0}
    with pikepdf.open(path) as pdf:
        drawings = {stream.objgen for page in pdf.pages for stream in
                    (page.obj.Contents if isinstance(page.obj.Contents, pikepdf.Array) else [page.obj.Contents])}
        programs = {descriptor[key].objgen for descriptor in pdf.objects
                    if isinstance(descriptor, pikepdf.Dictionary) and descriptor.get("/Type") == "/FontDescriptor"
                    for key in ("/FontFile", "/FontFile2", "/FontFile3") if key in descriptor}
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Stream):
                kind = ("fonts" if obj.objgen in programs else "page drawings" if obj.objgen in drawings
                        else "clinic boxes" if obj.get("/Subtype") == "/Form" else None)
                if kind:
                    kinds[kind] += len(obj.read_raw_bytes())
    rest = path.stat().st_size - sum(kinds.values())
    return ", ".join(f"{name} {size / 1024:.0f} KB" for name, size in [*kinds.items(), ("the rest", rest)]) + \
        f"; its structure tree (accessibility) adds {structure_bytes(path) / 1024:.0f} KB"


def structure_bytes(path: Path) -> int:
    """What a tagged PDF's structure tree adds: its size less the same PDF, written the same
    way, without the tree (its elements, parent tree and the pages' keys into it; the
    marked content in the page drawings stays)."""
    import io

    import pikepdf

    def written(pdf) -> int:
        buffer = io.BytesIO()
        pdf.save(buffer, object_stream_mode=pikepdf.ObjectStreamMode.generate, compress_streams=True,
                 deterministic_id=True)
        return len(buffer.getvalue())

    pikepdf.settings.set_flate_compression_level(9)  # as the pack was written (packs.compact)
    with pikepdf.open(path) as pdf:
        whole = written(pdf)
        for key in ("/StructTreeRoot", "/MarkInfo"):
            if key in pdf.Root:
                del pdf.Root[key]
        for page in pdf.pages:
            if "/StructParents" in page.obj:
                del page.obj["/StructParents"]
            for xobject in page.obj.get("/Resources", {}).get("/XObject", {}).values():
                if "/StructParents" in xobject:
                    del xobject["/StructParents"]
        return whole - written(pdf)


def site_of_100_leaflets(output: Path, manifest: dict, folder: Path) -> tuple[int, int, float]:
    """(front page bytes, search index bytes, seconds to make the site) for 100 copies of the
    built leaflets, each language with a title of its own."""
    from leafpub.web import site

    entries, files = [], {}
    for number in range(100):
        slug = f"leaflet-{number:03d}"
        for entry in manifest["leaflets"]:
            path = entry["path"].replace(entry["leaflet"], slug)
            files[path] = (output / entry["path"]).read_bytes()
            entries.append({**entry, "leaflet": slug, "path": path, "title": f"{entry['title']} ({number})"})
    files.update({pack["path"]: (output / pack["path"]).read_bytes() for pack in manifest["packs"]})
    thumbnails = {entry["sha256"]: b"png" for entry in entries}
    started = time.perf_counter()
    pages = site.site_files(folder, {"leaflets": entries, "packs": manifest["packs"], "problems": []}, files,
                            thumbnails)
    return len(pages["index.html"]), len(pages[site.SEARCH_INDEX]), time.perf_counter() - started


def main() -> int:
    workers = default_workers()
    print(f"machine: {os.cpu_count()} cores, {workers} workers; every time below is a whole process, "
          "as a user runs it, unless it says otherwise")
    with tempfile.TemporaryDirectory(prefix="leafpub-bench-") as folder:
        folder = Path(folder)
        # In this process: the HTML of every document (for the loop), worker memory, render times.
        project = fresh_copy(folder)
        dump = folder / "html"
        clock, began = PhaseClock(), time.time()
        _, report = timed_build(project, clock, dump_html=dump)
        ended = time.time()
        where_time_goes = timeline(report, began, ended, clock)
        braille = phase_seconds(clock, "translating", ended)  # "translating into braille"
        audio_seconds = phase_seconds(clock, "audio:", ended)
        audio_cpu, pdf_time = sum(a.cpu_seconds for a in report.spoken), sum(stat.seconds for stat in report.stats)
        checks = sum(stat.checking for stat in report.stats)
        making = pdf_time - checks
        assert not report.problems, report.problems[:3]
        colds, loops = [], []
        for repeat in range(REPEATS):  # in turn: this machine's speed drifts by 20% and more
            colds.append(build_process(fresh_copy(folder / f"cold-{repeat}"))[0])
            loops.append(loop_process(dump, project))
        cold, loop = statistics.median(colds), statistics.median(loops)
        noops = [build_process(project) for _ in range(REPEATS)]
        noop = statistics.median(seconds for seconds, _ in noops)
        catalog = project / "translations/es/LC_MESSAGES/messages.po"
        catalog.write_text(catalog.read_text(encoding="utf-8").replace(
            "Evite la exposición directa al sol.", "Evite la exposición directa al sol, por favor."),
            encoding="utf-8")
        edited, edited_rendered = build_process(project)
        cold_peak = max(stat.peak_memory_kib for stat in report.stats) / 1024
        output = project / "output"
        manifest = report.manifest
        sizes = {e["locale"]: (output / e["path"]).stat().st_size for e in manifest["leaflets"]
                 if e["variant"] == "standard" and e["paper"] == "A4"}
        pack = next(p for p in manifest["packs"] if p["pack"] == "example-skin-clinic")
        parts = sum(sizes[locale] for locale in pack["locales"])
        pack_size = (output / pack["path"]).stat().st_size
        breakdown = pack_breakdown(output / pack["path"])
        front_page, search_index, site_seconds = site_of_100_leaflets(output, manifest, folder / "site")

        clinics_project = fresh_copy(folder / "clinics")
        base, _ = build_process(clinics_project)
        two_hundred_clinics(clinics_project)
        clinics, _ = build_process(clinics_project)
        # Worker memory of the 200-clinic build, in this process (a new process does not report it).
        memory_project = fresh_copy(folder / "clinics-memory")
        two_hundred_clinics(memory_project)
        _, clinics_report = timed_build(memory_project)
        assert not clinics_report.problems, clinics_report.problems[:3]
        clinics_peak = max(stat.peak_memory_kib for stat in clinics_report.stats) / 1024
        peak = max(cold_peak, clinics_peak)
        scale = scale_figures(folder, cold, len(report.rendered), clinics)

    latin = max(size for locale, size in sizes.items() if locale not in ("zh_Hans", "ko"))
    cjk = max(sizes["zh_Hans"], sizes["ko"])
    rows = [
        ("(a) cold full build / hand-written 2-process loop", f"{cold:.1f} s / {loop:.1f} s", cold / loop,
         TARGETS["a"]),
        ("(b) no-op rebuild / cold full build", f"{noop:.2f} s / {cold:.1f} s", noop / cold, TARGETS["b"]),
        ("(f) braille of every language / cold full build", f"{braille:.1f} s / {ended - began:.1f} s, in this "
         f"process; {sum(str(e['kind']).startswith('braille') for e in manifest['formats'])} files", braille / (ended - began), TARGETS["braille"]),
        ("(c) one edited catalog / cold full build", f"{edited:.1f} s / {cold:.1f} s, "
         f"{edited_rendered} of {len(report.rendered)} PDFs rendered", edited / cold, None),
        ("(d) 200 clinics' packs / base full build", f"{clinics:.1f} s / {base:.1f} s", clinics / base, TARGETS["d"]),
        ("peak memory per worker, any build", f"{cold_peak:.0f} MiB cold, {clinics_peak:.0f} MiB 200 clinics",
         peak, TARGETS["memory_mib"]),
        ("largest Latin-script leaflet (A4)", f"{latin / 1024:.0f} KB", latin / 1024, TARGETS["latin_kb"]),
        ("largest CJK leaflet (A4)", f"{cjk / 1024:.0f} KB", cjk / 1024, TARGETS["cjk_kb"]),
        ("15-language pack / sum of its leaflets", f"{pack_size / 1024:.0f} KB / {parts / 1024:.0f} KB",
         pack_size / parts, TARGETS["pack"]),
        # Spoken while the PDFs render, the audio takes processor time from them (benchmarks/README.md).
        ("audio CPU / (PDF workers' time + audio CPU)", f"{audio_cpu:.1f} s / {pdf_time + audio_cpu:.1f} s; "
         f"{len(report.spoken)} files; waited {audio_seconds:.1f} s after the PDFs",
         audio_cpu / (pdf_time + audio_cpu), TARGETS["audio"]),
        # Each job's seconds in its worker: making the PDF, and checking it (benchmarks/README.md).
        ("checks / making the PDFs, in the workers", f"{checks:.1f} s / {making:.1f} s over "
         f"{len(report.stats)} jobs", checks / making, TARGETS["checks"]),
        ("(e) front page, 100 leaflets in 15 languages (KB)", f"{front_page / 1024:.0f} KB; search index "
         f"{search_index / 1024:.0f} KB; made in {site_seconds:.1f} s", front_page / 1024, TARGETS["front_page_kb"]),
        *scale,
    ]
    print(f"(a) cold builds: {', '.join(f'{t:.1f}' for t in colds)} s; hand-written loop: "
          f"{', '.join(f'{t:.1f}' for t in loops)} s; no-op rebuilds: "
          f"{', '.join(f'{t:.2f}' for t, _ in noops)} s")
    print(f"{'measure':<52} {'figures':<44} {'value':>7}  target")
    for name, figures, value, target in rows:
        verdict = "" if target is None else ("met" if value <= target else "NOT met")
        print(f"{name:<52} {figures:<44} {value:7.2f}  {'' if target is None else f'<= {target} {verdict}'}")
    times = [stat.seconds for stat in report.stats]
    print(f"per-document time (in this process): median {statistics.median(times):.2f} s, max {max(times):.2f} s")
    print(f"no-op rebuilds rendered {', '.join(str(count) for _, count in noops)} documents")
    print("\n".join(where_time_goes))
    print(f"the 15-language pack: {breakdown}")
    return 0


def scale_figures(folder: Path, cold: float, documents: int, clinics_200: float) -> list[tuple]:
    """10 leaflets x 15 languages, and 1,000 clinics' packs: the cost per document must not grow."""
    if os.environ.get("BENCH_SCALE", "1") == "0":
        return []
    leaflets_project = fresh_copy(folder / "ten-leaflets")
    many_leaflets(leaflets_project, 10)
    ten, ten_rendered = build_process(leaflets_project)
    clinics_project = fresh_copy(folder / "thousand-clinics")
    build_process(clinics_project)
    two_hundred_clinics(clinics_project, 1000)
    thousand, _ = build_process(clinics_project)
    per_document, per_ten = cold / documents, ten / ten_rendered
    return [
        ("(f) 10 leaflets x 15 languages, per PDF / 1 leaflet", f"{ten:.0f} s for {ten_rendered} PDFs; "
         f"{per_ten:.2f} s / {per_document:.2f} s", per_ten / per_document, 1.0),
        ("(g) 1,000 clinics' packs, per pack / 200 clinics", f"{thousand:.0f} s; {thousand / 1000:.2f} s / "
         f"{clinics_200 / 200:.2f} s", (thousand / 1000) / (clinics_200 / 200), 1.0),
    ]


if __name__ == "__main__":
    sys.exit(main())
