"""Rendering in parallel: worker processes or a Dask cluster give the very same PDFs."""

import hashlib
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

import pipeline
from fixture_texts import OTHER_SCRIPTS
from helpers import make_project, write_catalog
from leafpub.render import jobs, pool
from leafpub.config import load_settings


KOREAN = OTHER_SCRIPTS["ko"]


def checksums(report):
    return {e["path"]: e["sha256"] for e in report.manifest["leaflets"] + report.manifest["packs"]}


@pytest.fixture(scope="module")
def one_worker(tmp_path_factory):
    project = make_project(tmp_path_factory.mktemp("serial"), broken_locale=False)
    return pipeline.build(load_settings(project), workers=1)


@pytest.mark.slow
def test_two_worker_processes_give_byte_identical_pdfs(tmp_path, one_worker):
    project = make_project(tmp_path, broken_locale=False)
    report = pipeline.build(load_settings(project), workers=2)
    assert report.problems == ()
    assert checksums(report) == checksums(one_worker)
    assert len(report.rendered) == len([path for path in checksums(report) if path.endswith(".pdf")])
    # Each worker imported WeasyPrint once: both report memory, within bounds.
    peaks = [stat.peak_memory_kib for stat in report.stats]
    assert peaks and max(peaks) < 400 * 1024


@pytest.mark.slow
def test_a_dask_cluster_gives_byte_identical_pdfs(tmp_path, one_worker):
    import distributed

    project = make_project(tmp_path, broken_locale=False)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        report = pipeline.build(load_settings(project), scheduler=cluster.scheduler_address)
    assert report.problems == ()
    assert checksums(report) == checksums(one_worker)
    pdf = project / "output" / report.manifest["leaflets"][0]["path"]
    assert hashlib.sha256(pdf.read_bytes()).hexdigest() == report.manifest["leaflets"][0]["sha256"]


@pytest.mark.slow
def test_a_build_with_nothing_to_render_starts_no_worker(tmp_path, monkeypatch):
    project = make_project(tmp_path, broken_locale=False)
    pipeline.build(load_settings(project), workers=2)
    started = []
    monkeypatch.setattr(pool.LocalPool, "start", lambda pool: started.append(pool))
    report = pipeline.build(load_settings(project), workers=2)
    assert report.problems == () and report.rendered == () and started == []


@pytest.mark.slow
def test_documents_in_a_large_face_are_handed_to_the_workers_first(tmp_path, monkeypatch):
    # They take twice as long: a run that ends with them leaves the other workers idle.
    project = make_project(tmp_path, broken_locale=False)
    write_catalog(project, "ko", KOREAN)
    handed = []
    run = jobs.RenderJob.run
    monkeypatch.setattr(jobs.RenderJob, "run", lambda job, settings: handed.append(job) or run(job, settings))
    report = pipeline.build(load_settings(project), workers=1)
    assert report.problems == ()
    leaflets = [job.locale for job in handed if isinstance(job, jobs.RenderJob) and job.validate]
    assert set(leaflets) == {"en", "es", "ko"}
    assert leaflets == sorted(leaflets, key=lambda locale: locale != "ko")


def test_each_language_stays_with_one_worker_until_none_is_left_to_start():
    # A worker's font subsets serve its language's next documents: the same glyphs.
    queue = pool.LanguageQueue(workers=2)
    for number, locale in enumerate(["ko", "ko", "ko", "es", "es", "es", "es"]):
        queue.add(jobs.RenderJob(key=f"{locale}-{number}", html="", variant="standard", source="", locale=locale))

    def hand_out(finished=True):
        return [(worker, job.key) for worker, job in queue.hand_out(depth=2, finished=finished)]

    assert hand_out(finished=False) == [(0, "ko-0"), (0, "ko-1"), (1, "es-3"), (1, "es-4")]
    queue.finished(0)
    queue.finished(0)
    assert hand_out(finished=False) == [(0, "ko-2")]  # es is worker 1's, and more may come
    assert hand_out(finished=True) == [(0, "es-6")]  # every job is known: the idle one helps
    queue.finished(1)
    assert hand_out() == [(1, "es-5")]
    assert not queue


@pytest.mark.slow
def test_a_cluster_of_separate_dask_processes_gives_byte_identical_pdfs(tmp_path, one_worker):
    """A real cluster, as the README starts one: `dask scheduler` and two `dask worker` processes
    on loopback, and `pipeline.py build --scheduler` as a new process."""
    import distributed

    dask = str(Path(sys.executable).parent / "dask")
    project = make_project(tmp_path, broken_locale=False)
    address_file = tmp_path / "scheduler.json"
    started = [subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                                 "--scheduler-file", str(address_file)], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)]
    try:
        deadline = time.monotonic() + 60
        while not address_file.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        for _ in range(2):
            started.append(subprocess.Popen([dask, "worker", "--scheduler-file", str(address_file), "--nthreads",
                                             "1", "--no-dashboard", "--host", "127.0.0.1"], cwd=project,
                                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        with distributed.Client(scheduler_file=str(address_file), timeout=60) as client:
            client.wait_for_workers(2, timeout=120)
        address = json.loads(address_file.read_text())["address"]
        build = subprocess.run([sys.executable, str(Path(pipeline.__file__)), "--project", str(project), "build",
                                "--no-progress", "--scheduler", address], capture_output=True, text=True,
                               timeout=600)
    finally:
        for process in reversed(started):
            process.terminate()
        for process in started:
            process.wait(timeout=30)
    assert build.returncode == 0, build.stderr
    manifest = json.loads((project / "output/manifest.json").read_text())
    assert {e["path"]: e["sha256"] for e in manifest["leaflets"] + manifest["packs"]} == checksums(one_worker)
    assert "rendered" in build.stdout and "reused 0 unchanged" in build.stdout
