"""Rendering in parallel: worker processes or a Dask cluster give the very same PDFs."""

import hashlib

import pytest

import pipeline
from conftest import make_project
from leafpub import jobs
from leafpub.config import load_settings


def checksums(report):
    return {e["path"]: e["sha256"] for e in report.manifest["leaflets"] + report.manifest["packs"]}


@pytest.fixture(scope="module")
def one_worker(tmp_path_factory):
    project = make_project(tmp_path_factory.mktemp("serial"), broken_locale=False)
    return pipeline.build(load_settings(project), workers=1)


def test_two_worker_processes_give_byte_identical_pdfs(tmp_path, one_worker):
    project = make_project(tmp_path, broken_locale=False)
    report = pipeline.build(load_settings(project), workers=2)
    assert report.problems == ()
    assert checksums(report) == checksums(one_worker)
    assert len(report.rendered) == len(checksums(report))
    # Each worker imported WeasyPrint once: both report memory, within bounds.
    peaks = [stat.peak_memory_kib for stat in report.stats]
    assert peaks and max(peaks) < 400 * 1024


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


def test_a_build_with_nothing_to_render_starts_no_worker(tmp_path, monkeypatch):
    project = make_project(tmp_path, broken_locale=False)
    pipeline.build(load_settings(project), workers=2)
    started = []
    monkeypatch.setattr(jobs.LocalPool, "start", lambda pool: started.append(pool))
    report = pipeline.build(load_settings(project), workers=2)
    assert report.problems == () and report.rendered == () and started == []
