"""A newer data version loads beside the catalog being served (issue 23)."""

from __future__ import annotations

import contextlib
import os
import threading
import time
from pathlib import Path

import pytest

from trialfinder.catalog import build_catalog
from trialfinder.catalog.keeper import BACKGROUND_NICENESS, CatalogKeeper
from trialfinder.errors import DataProblem
from trialfinder.model import Trial

OLD = build_catalog([Trial(id="NCT00000001")])
NEW = build_catalog([Trial(id="NCT00000001"), Trial(id="NCT00000002")])
DIRECTORY = "/data"


class SlowLoads:
    """Loads that finish when the test says so, counted."""

    def __init__(self, *catalogs: object) -> None:
        self.results = list(catalogs)
        self.calls = 0
        self.release = threading.Event()
        self.niceness: list[int] = []

    def __call__(self, directory: Path) -> object:
        self.calls += 1
        self.niceness.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
        result = self.results.pop(0)
        if self.calls > 1:
            assert self.release.wait(30), "the test never let the load finish"
        if isinstance(result, Exception):
            raise result
        return result


def test_the_first_catalog_is_waited_for_and_loaded_once_for_many_visitors() -> None:
    arrived = threading.Barrier(9)
    release = threading.Event()
    calls: list[str] = []

    def load(directory: Path) -> object:
        calls.append(str(directory))
        assert release.wait(30)
        return OLD

    keeper = CatalogKeeper(load)
    served: list[object] = []
    spinners: list[str] = []

    @contextlib.contextmanager
    def spinner():
        spinners.append("shown")
        yield

    def visit() -> None:
        arrived.wait(30)
        served.append(keeper.serve(DIRECTORY, "v1", wait=spinner).catalog)

    visitors = [threading.Thread(target=visit) for _ in range(8)]
    for visitor in visitors:
        visitor.start()
    arrived.wait(30)  # every visitor is on its way before the load may finish
    time.sleep(0.3)
    release.set()
    for visitor in visitors:
        visitor.join(30)
    assert served == [OLD] * 8
    assert calls == [DIRECTORY]
    assert len(spinners) == 8  # the first visitor too sees that trials are loading


def test_an_interrupted_first_load_is_tried_again_by_the_next_visitor() -> None:
    attempts: list[int] = []

    def load(directory: Path) -> object:
        attempts.append(1)
        if len(attempts) == 1:
            raise KeyboardInterrupt
        return OLD

    keeper = CatalogKeeper(load)
    with pytest.raises(KeyboardInterrupt):
        keeper.serve(DIRECTORY, "v1")
    assert keeper.serve(DIRECTORY, "v1").catalog is OLD
    assert len(attempts) == 2


def test_pages_are_served_from_the_catalog_in_hand_while_a_new_version_loads() -> None:
    loads = SlowLoads(OLD, NEW)
    keeper = CatalogKeeper(loads, patience_s=0.2)
    assert keeper.serve(DIRECTORY, "v1").catalog is OLD

    started = time.monotonic()
    first = keeper.serve(DIRECTORY, "v2")
    waited_first = time.monotonic() - started
    started = time.monotonic()
    later = [keeper.serve(DIRECTORY, "v2") for _ in range(20)]
    waited_later = time.monotonic() - started
    assert all(s.catalog is OLD and s.attention is None for s in [first, *later])
    assert 0.15 < waited_first < 2.0, "the first page after the change waits the patience"
    assert waited_later < 0.5, "pages during a long load are not held up"

    loads.release.set()
    deadline = time.monotonic() + 30
    while keeper.serve(DIRECTORY, "v2").catalog is not NEW:
        assert time.monotonic() < deadline, "the new version was never served"
        time.sleep(0.05)
    assert loads.calls == 2


def test_a_quick_new_version_is_served_at_once() -> None:
    loads = SlowLoads(OLD, NEW)
    loads.release.set()
    keeper = CatalogKeeper(loads, patience_s=10)
    keeper.serve(DIRECTORY, "v1")
    assert keeper.serve(DIRECTORY, "v2").catalog is NEW


def test_a_new_version_that_fails_keeps_the_old_one_and_says_so_once_loaded() -> None:
    loads = SlowLoads(OLD, OSError("disk error"))
    loads.release.set()
    keeper = CatalogKeeper(loads, patience_s=10)
    keeper.serve(DIRECTORY, "v1")
    served = keeper.serve(DIRECTORY, "v2")
    assert served.catalog is OLD
    assert "disk error" in served.attention
    assert keeper.serve(DIRECTORY, "v2").catalog is OLD  # remembered, not retried
    assert loads.calls == 2


def test_a_new_version_with_new_file_problems_is_held_back() -> None:
    broken = DataProblem(file="data/trials/X.yaml", message="not valid YAML", field=None)
    with_problem = build_catalog([Trial(id="NCT00000003")], [broken])
    loads = SlowLoads(OLD, with_problem)
    loads.release.set()
    keeper = CatalogKeeper(loads, patience_s=10)
    keeper.serve(DIRECTORY, "v1")
    served = keeper.serve(DIRECTORY, "v2")
    assert served.catalog is OLD and served.pending_problems == (broken,)


@pytest.mark.skipif(not hasattr(os, "getpriority"), reason="thread priorities are Linux's")
def test_a_new_version_loads_giving_way_to_the_pages_but_the_first_at_full_speed() -> None:
    loads = SlowLoads(OLD, NEW)
    loads.release.set()
    keeper = CatalogKeeper(loads, patience_s=10)
    keeper.serve(DIRECTORY, "v1")
    keeper.serve(DIRECTORY, "v2")
    mine = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    assert mine < BACKGROUND_NICENESS
    assert loads.niceness == [mine, BACKGROUND_NICENESS]  # a family waits for the first
