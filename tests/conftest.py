"""pytest's fixtures (the fixture project, copied or built once; a renderer) and the slow guard.

The helpers the tests share are in helpers.py. `slow` (pyproject.toml) marks every test that
builds a whole project or takes more than about 2 s; `make check` leaves those out, and a test
that builds a whole project without the mark fails.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import ROOT, build, make_project
from leafpub.config import load_settings


@pytest.fixture
def project(tmp_path) -> Path:
    return make_project(tmp_path)


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """The fixture project, built once for the tests that only read its output (all slow)."""
    project = make_project(tmp_path_factory.mktemp("built"))
    report = build(project)
    return project, report


@pytest.fixture(scope="module")
def renderer():
    """A renderer of the project's own settings, shared by a module's tests."""
    from leafpub.pdf.pdf import PdfRenderer

    return PdfRenderer(load_settings(ROOT))


# -- the quick tier stays quick: a test that builds a whole project must be marked slow ----

_running: list = []  #: the test being set up, run or torn down


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    _running.append(item)
    try:
        return (yield)
    finally:
        _running.pop()


def pytest_configure(config):
    import pipeline

    whole_build = pipeline.build

    def build_of_a_slow_test(*args, **kwargs):
        if _running and _running[-1].get_closest_marker("slow") is None:
            pytest.fail(f"{_running[-1].nodeid} builds a whole project: mark it @pytest.mark.slow", pytrace=False)
        return whole_build(*args, **kwargs)

    pipeline.build = build_of_a_slow_test
