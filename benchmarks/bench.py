"""Build speed and output size on the project's own content; prints figures and ratios.

    make bench            (or: .venv/bin/python benchmarks/bench.py)

(a) cold full build vs rendering the same HTML with plain WeasyPrint in one warm process
    (medians of three of each, taken in turn: this machine's speed drifts by 20% and more)
(b) no-op rebuild vs full build
(c) one edited catalog vs full build, and how many documents were rendered
(d) packs for 200 generated clinics vs one base full build
(e) the download site's front page with 100 leaflets (copies of the built one, each in 15
    languages), and the search index it loads when a visitor searches
plus peak memory per worker and file sizes. Each build runs in a fresh copy of the project.
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
from leafpub.pool import default_workers  # noqa: E402
from leafpub.fonts import use_pinned_fonts  # noqa: E402
from leafpub.pdf import PDF_VARIANTS  # noqa: E402

REPEATS = 3  #: cold builds and plain WeasyPrint runs for (a), alternated
TARGETS = {"a": 0.60, "b": 0.05, "d": 3.0, "memory_mib": 200, "latin_kb": 40, "cjk_kb": 400, "pack": 0.6,
           "front_page_kb": 150}


def fresh_copy(folder: Path) -> Path:
    project = folder / "project"
    shutil.copytree(ROOT, project, ignore=shutil.ignore_patterns(".venv", "output", ".git", "tests",
                                                                  "benchmarks", "proofs", "__pycache__",
                                                                  "*.egg-info"))
    return project


def timed_build(project: Path, **options):
    started = time.perf_counter()
    report = pipeline.build(load_settings(project), workers=default_workers(), **options)
    return time.perf_counter() - started, report


def cold_build_in_new_process(project: Path) -> float:
    """A cold build as a new `pipeline.py build` has it: nothing imported, no worker running
    (the forkserver of this process would start the workers warm). Timed as timed_build is."""
    script = ("import sys, time; sys.path.insert(0, sys.argv[1]); import pipeline\n"
              "from pathlib import Path; from leafpub.config import load_settings\n"
              "from leafpub.pool import default_workers\n"
              "if __name__ == '__main__':\n"
              "    started = time.perf_counter()\n"
              "    report = pipeline.build(load_settings(Path(sys.argv[2])), workers=default_workers())\n"
              "    assert not report.problems, report.problems[:3]\n"
              "    print(time.perf_counter() - started)\n")
    runner = project.parent / "cold_build.py"
    runner.write_text(script)
    finished = subprocess.run([sys.executable, str(runner), str(ROOT), str(project)], check=True,
                              capture_output=True, text=True)
    return float(finished.stdout.split()[-1])


def raw_weasyprint(dump: Path, project: Path) -> float:
    """The same HTML, rendered one after the other with plain WeasyPrint in one warm process,
    each document with its stylesheet, as `weasyprint -s leaflet.css page.html` renders it."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    # The pinned fonts, as the build uses them; nothing else of the build's renderer.
    use_pinned_fonts(load_settings(project))
    font_config = FontConfiguration()
    variants = json.loads((dump / "index.json").read_text())
    base_url = (project / "templates").as_uri() + "/"
    pages = [(dump / name).read_text(encoding="utf-8") for name in variants]
    stylesheet = str(dump / "leaflet.css")

    def render(html: str, variant: str) -> bytes:
        return HTML(string=html, base_url=base_url).write_pdf(
            pdf_variant=PDF_VARIANTS[variant], font_config=font_config,
            stylesheets=[CSS(filename=stylesheet)])

    render(pages[0], "standard")  # warm up
    started = time.perf_counter()
    for html, variant in zip(pages, variants.values()):
        render(html, variant)
    return time.perf_counter() - started


def two_hundred_clinics(project: Path) -> None:
    locales = ["es", "fr", "de", "pt_BR", "pl", "ro", "uk", "tr", "vi", "ar", "fa", "hi", "zh_Hans", "ko"]
    blocks = []
    for number in range(200):
        chosen = ["en", locales[number % len(locales)], locales[(number * 5 + 3) % len(locales)]]
        blocks.append(f"""
[[pack]]
id = "clinic-{number:03}"
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
    from leafpub import site

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
    print(f"machine: {os.cpu_count()} cores, {workers} workers")
    with tempfile.TemporaryDirectory(prefix="leafpub-bench-") as folder:
        folder = Path(folder)
        project = fresh_copy(folder)
        dump = folder / "html"
        full, report = timed_build(project, dump_html=dump)
        assert not report.problems, report.problems[:3]
        fulls, raws = [full], [raw_weasyprint(dump, project)]
        for repeat in range(1, REPEATS):
            fulls.append(cold_build_in_new_process(fresh_copy(folder / f"cold-{repeat}")))
            raws.append(raw_weasyprint(dump, project))
        full, raw = statistics.median(fulls), statistics.median(raws)
        noop, noop_report = timed_build(project)
        catalog = project / "translations/es/LC_MESSAGES/messages.po"
        catalog.write_text(catalog.read_text(encoding="utf-8").replace(
            "Evite la exposición directa al sol.", "Evite la exposición directa al sol, por favor."),
            encoding="utf-8")
        edited, edited_report = timed_build(project)
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
        base, _ = timed_build(clinics_project)
        two_hundred_clinics(clinics_project)
        clinics, clinics_report = timed_build(clinics_project)
        assert not clinics_report.problems, clinics_report.problems[:3]
        clinics_peak = max(stat.peak_memory_kib for stat in clinics_report.stats) / 1024
        peak = max(cold_peak, clinics_peak)  # over every build of the run

    latin = max(size for locale, size in sizes.items() if locale not in ("zh_Hans", "ko"))
    cjk = max(sizes["zh_Hans"], sizes["ko"])
    rows = [
        ("(a) cold full build / plain WeasyPrint, same HTML", f"{full:.1f} s / {raw:.1f} s", full / raw, TARGETS["a"]),
        ("(b) no-op rebuild / full build", f"{noop:.2f} s / {full:.1f} s", noop / full, TARGETS["b"]),
        ("(c) one edited catalog / full build", f"{edited:.1f} s / {full:.1f} s, "
         f"{len(edited_report.rendered)} of {len(report.rendered)} PDFs rendered", edited / full, None),
        ("(d) 200 clinics' packs / base full build", f"{clinics:.1f} s / {base:.1f} s", clinics / base, TARGETS["d"]),
        ("peak memory per worker, any build", f"{cold_peak:.0f} MiB cold, {clinics_peak:.0f} MiB 200 clinics",
         peak, TARGETS["memory_mib"]),
        ("largest Latin-script leaflet (A4)", f"{latin / 1024:.0f} KB", latin / 1024, TARGETS["latin_kb"]),
        ("largest CJK leaflet (A4)", f"{cjk / 1024:.0f} KB", cjk / 1024, TARGETS["cjk_kb"]),
        ("15-language pack / sum of its leaflets", f"{pack_size / 1024:.0f} KB / {parts / 1024:.0f} KB",
         pack_size / parts, TARGETS["pack"]),
        ("(e) front page, 100 leaflets in 15 languages (KB)", f"{front_page / 1024:.0f} KB; search index "
         f"{search_index / 1024:.0f} KB; made in {site_seconds:.1f} s", front_page / 1024, TARGETS["front_page_kb"]),
    ]
    print(f"(a) cold builds: {', '.join(f'{t:.1f}' for t in fulls)} s; plain WeasyPrint: "
          f"{', '.join(f'{t:.1f}' for t in raws)} s")
    print(f"{'measure':<52} {'figures':<44} {'value':>7}  target")
    for name, figures, value, target in rows:
        verdict = "" if target is None else ("met" if value <= target else "NOT met")
        print(f"{name:<52} {figures:<44} {value:7.2f}  {'' if target is None else f'<= {target} {verdict}'}")
    times = [stat.seconds for stat in report.stats]
    print(f"per-document render+check time: median {statistics.median(times):.2f} s, max {max(times):.2f} s")
    print(f"no-op rebuild rendered {len(noop_report.rendered)} documents")
    print(f"the 15-language pack: {breakdown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
