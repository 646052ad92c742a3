"""The catalog a dashboard process serves, and the next one loaded beside it.

When a refresh publishes new data, the catalog of the new data version has to
be loaded, and the first time anyone loads it, its snapshot built: minutes for
a whole registry. Before this module the first page after a publish did that
itself, and every page of every family waited behind it (issue 23: p95 70 s
during publishes against 21 s without). Now the new version loads in a
background thread while pages go on being served from the catalog in hand; the
swap is one assignment. A load that is quick (a small data directory, or a
snapshot already built by another process) is waited for a moment, so a
family opening a page right after a change sees the new data at once.

Pure: no Streamlit. :mod:`trialfinder.ui.data` holds one keeper a process.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import AbstractContextManager
from pathlib import Path

from trialfinder.catalog.core import Catalog
from trialfinder.catalog.serving import Served, choose_catalog

_log = logging.getLogger("trialfinder")

#: Seconds a page waits for a new data version before it is served from the
#: catalog in hand (a snapshot already built maps in a fraction of this).
PATIENCE_S = 0.5
#: How much less CPU the loading thread asks for than the threads serving pages
#: (Linux nice values are per thread; a snapshot build started from here runs
#: in processes of its own, which are niced too: see ``catalog.workers``).
BACKGROUND_NICENESS = 10

#: What a load gives: the catalog, or why there is none.
Loaded = tuple[Catalog | None, str | None]


class CatalogKeeper:
    """One data directory's catalogs: the one served and the newest loading."""

    def __init__(self, load: Callable[[Path], Catalog], patience_s: float = PATIENCE_S) -> None:
        self._load = load
        self._patience_s = patience_s
        # One load at a time: two versions never build side by side.
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="catalog-load")
        self._lock = threading.Lock()
        self._loads: dict[tuple[str, str], Future[Loaded]] = {}
        #: When each load started: a new version is waited for only until
        #: ``patience_s`` after that, by whichever pages come meanwhile.
        self._started: dict[tuple[str, str], float] = {}
        self._served: dict[str, Catalog] = {}

    def serve(
        self,
        directory: str,
        version: str,
        wait: Callable[[], AbstractContextManager[object]] | None = None,
    ) -> Served:
        """The catalog to serve for ``directory`` whose data is at ``version``.

        The first catalog of a directory is waited for (there is nothing else to
        serve; ``wait`` gives what to show meanwhile, a spinner on the page). A
        newer version is waited for until ``patience_s`` after its load began
        (a page during a long build is not held up at all); until it is loaded
        the catalog in hand is served.
        """
        with self._lock:
            in_hand = self._served.get(directory)
        if in_hand is None:
            # A family waits for this one: it loads at full priority, in the first
            # visitor's thread; the others wait for the same load.
            future, mine = self._load_of(directory, version, background=False)
            with wait() if wait is not None else contextlib.nullcontext():
                if mine:
                    try:
                        future.set_result(self._load_safely(Path(directory)))
                    except BaseException as stopped:  # interrupted: nobody may wait forever,
                        future.set_exception(stopped)  # and the next visitor loads again
                        with self._lock:
                            self._loads.pop((directory, version), None)
                        raise
                fresh, problem = future.result()
        else:
            future, _ = self._load_of(directory, version, background=True)
            with self._lock:
                started = self._started.get((directory, version), 0.0)
            left = self._patience_s - (time.monotonic() - started)
            try:
                fresh, problem = future.result(timeout=max(left, 0.0))
            except FutureTimeout:
                return Served(in_hand)
        with self._lock:
            result = choose_catalog(fresh, problem, self._served.get(directory))
            self._served[directory] = result.catalog
        return result

    def unreadable(self, directory: str, problem: str) -> Served:
        """What to serve when the data version of ``directory`` cannot even be read."""
        with self._lock:
            return choose_catalog(None, problem, self._served.get(directory))

    def _load_of(
        self, directory: str, version: str, background: bool
    ) -> tuple[Future[Loaded], bool]:
        """The load of one version, started once (its failure is remembered too,
        not retried on every page), and whether the caller is to run it; loads of
        other versions are forgotten. A background load runs in the keeper's
        thread, which gives way to the threads serving pages."""
        key = (directory, version)
        with self._lock:
            future = self._loads.get(key)
            if future is not None:
                return future, False
            if background:
                future = self._executor.submit(self._load_in_background, Path(directory))
            else:
                future = Future()
            for other in [k for k in self._loads if k[0] == directory and k != key]:
                del self._loads[other]
                self._started.pop(other, None)
            self._loads[key] = future
            self._started[key] = time.monotonic()
            return future, not background

    def _load_in_background(self, directory: Path) -> Loaded:
        _lower_priority()
        return self._load_safely(directory)

    def _load_safely(self, directory: Path) -> Loaded:
        try:
            return self._load(directory), None
        except Exception as error:  # the dashboard must keep serving whatever happens
            _log.exception("loading the catalog from %s failed", directory)
            return None, f"{type(error).__name__}: {error}"


def _lower_priority() -> None:
    """This thread gives way to the threads serving pages (Linux: per thread)."""
    try:
        current = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
        if current < BACKGROUND_NICENESS:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), BACKGROUND_NICENESS)
    except (AttributeError, OSError):  # not Linux, or not allowed: load at normal priority
        pass
