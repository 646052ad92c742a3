"""First pages beside the numpy floor, cold load, and the memory of two processes.

    python -m benchmarks.pages --data-dir /tmp/tf-bench/data-600000-s42-g2 --label "600,000 trials"

For each query of the benchmark mix (``benchmarks.run.MIX``), in one process on
one catalog, the median over ``--rounds`` of:

- **first page**: ``search(catalog, query)`` then ``.head(20)``: the count, the
  order and the 20 rows a page shows (what the find page asks for);
- **numpy floor**: the same answer from plain numpy over the catalog's columns,
  taken out of the catalog before timing: codes compared with ``np.isin``, ages
  by two comparisons, distances to every site with coordinates (no spatial
  index), countries and site statuses by codes, the order by the precomputed
  rank, then the same 20 rows. Words go through the catalog's own word index
  (numpy has no text search), so the floor of a word query is its index lookup;
- **whole table**: ``apply_query``, every match as a table (a CSV), for scale.

The spread target (issue 20: no query's first page more than 2.5x the narrowest
one's) compares each first page with the first page of the **narrowest** query:
the one with the fewest results (the least a page can cost), not the fastest.

Then the cold load (a fresh process: ``load_catalog`` of the built snapshot),
and two dashboard processes on the same data dir, warmed as ``deploy/serve.py``
warms them (catalog loaded, find page and map run once): each one's private and
shared memory from ``/proc/PID/smaps_rollup``. Appends a table to RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks.run import MIX, RESULTS, machine, median

FIRST_PAGE = 20


class Floor:
    """The catalog's columns as plain numpy arrays (prepared once, not timed)."""

    def __init__(self, catalog) -> None:
        trials, sites, index = catalog.trials, catalog.sites, catalog.search
        self.catalog = catalog
        self.status, self.status_values = _codes(trials["overall_status"])
        self.type, self.type_values = _codes(trials["study_type"])
        self.phases, self.phase_values = _codes(trials["phases"])
        self.min_days = trials["min_age_days"].to_numpy(dtype=float)
        self.max_days = trials["max_age_days"].to_numpy(dtype=float)
        self.is_open = trials["is_open"].to_numpy(dtype=bool)
        self.by_rank = np.asarray(index.by_rank)
        self.rank = np.empty(len(self.by_rank), dtype=np.int64)
        self.rank[self.by_rank] = np.arange(len(self.by_rank))
        counts = trials["n_sites"].to_numpy(dtype=np.int64)
        self.site_trial = np.repeat(np.arange(len(counts)), counts)
        self.lat = sites["lat"].to_numpy(dtype=float)
        self.lon = sites["lon"].to_numpy(dtype=float)
        self.country, self.country_values = _codes(sites["country"])
        self.site_status, self.site_status_values = _codes(sites["status"])

    def first_page(self, query) -> tuple[int, np.ndarray]:
        """The count and the first page's trial rows, as the finder orders them."""
        from trialfinder import geo
        from trialfinder.query.filters import FILTERS

        mask = np.ones(len(self.is_open), dtype=bool)
        if query.status:
            mask &= np.isin(self.status, _wanted(self.status_values, query.status))
        if query.type:
            mask &= np.isin(self.type, _wanted(self.type_values, query.type))
        if query.phase:
            has = [any(p in v.split("|") for p in query.phase) for v in self.phase_values]
            mask &= np.isin(self.phases, np.flatnonzero(has))
        if query.age is not None:
            mask &= (self.min_days <= query.age.days) & (query.age.days < self.max_days)
        # Word filters: numpy has no text search, so the floor asks the catalog's own
        # word index, through the same reading of what was typed as the finder.
        for f in FILTERS:
            wanted = getattr(query, f.key)
            if f.terms is not None and wanted:
                mask &= f.mask(self.catalog, wanted)
        if not query.has_place:
            order = self.by_rank[mask[self.by_rank]]
            return len(order), self._rows(order[:FIRST_PAGE])
        at = mask[self.site_trial]
        if query.country:
            at &= np.isin(self.country, _wanted(self.country_values, query.country))
        if query.status:
            own = np.r_[_wanted(self.site_status_values, query.status), -1]
            at &= np.isin(self.site_status, own)
        distance = np.full(len(at), np.inf)
        place = query.place
        if place is not None:
            distance = geo.distance_km(place.lat, place.lon, self.lat, self.lon)
            at &= distance <= query.radius_km
        sites = np.flatnonzero(at)
        trials = self.site_trial[sites]
        if place is not None and query.near:
            nearest = np.full(len(mask), np.inf)
            np.minimum.at(nearest, trials, distance[sites])
            matched = np.flatnonzero(np.isfinite(nearest))
            order = matched[
                np.lexsort((self.rank[matched], nearest[matched], ~self.is_open[matched]))
            ]
        else:
            matched = np.unique(trials)
            order = matched[np.argsort(self.rank[matched], kind="stable")]
        return len(order), self._rows(order[:FIRST_PAGE])

    def _rows(self, positions: np.ndarray):
        return self.catalog.trials.take(positions)


def _codes(series) -> tuple[np.ndarray, list]:
    """A column as integer codes (-1: missing) and its distinct values."""
    import pandas as pd

    codes, values = pd.factorize(series.astype(object), use_na_sentinel=True)
    return codes, list(values)


def _wanted(values: list, wanted) -> np.ndarray:
    chosen = {wanted} if isinstance(wanted, str) else set(wanted)
    return np.array([i for i, v in enumerate(values) if v in chosen], dtype=np.int64)


def timed(action) -> tuple[float, object]:
    start = time.perf_counter()
    value = action()
    return time.perf_counter() - start, value


def query_figures(data_dir: Path, rounds: int) -> dict:
    """First page, floor and whole table for each query of the mix, same process."""
    from trialfinder.catalog import load_catalog
    from trialfinder.query import apply_query, parse_query, search

    catalog = load_catalog(data_dir)
    floor = Floor(catalog)
    rows = []
    for text in MIX:
        query = parse_query(text).query
        firsts, floors, wholes = [], [], []
        for _ in range(rounds):
            seconds, results = timed(lambda t=text: search(catalog, t).head(FIRST_PAGE))
            firsts.append(seconds)
            seconds, (count, page) = timed(lambda q=query: floor.first_page(q))
            floors.append(seconds)
        found = search(catalog, text)
        same = list(found.head(FIRST_PAGE)["id"]) == list(page["id"]) and count == len(found)
        for _ in range(max(1, rounds // 3)):
            wholes.append(timed(lambda q=query: apply_query(catalog, q))[0])
        rows.append(
            {
                "query": text,
                "count": len(found),
                "first_page": median(firsts),
                "floor": median(floors),
                "whole": median(wholes),
                "same": same,
            }
        )
    return {"queries": rows, "trials": len(catalog), "sites": len(catalog.sites)}


def cold_load(data_dir: Path) -> dict:
    """``load_catalog`` in a fresh process (the snapshot built already)."""
    code = (
        "import time, json, sys; t = time.perf_counter();"
        "from trialfinder.catalog import load_catalog; i = time.perf_counter() - t;"
        f"t = time.perf_counter(); c = load_catalog(__import__('pathlib').Path({str(data_dir)!r}));"
        "print(json.dumps({'seconds': time.perf_counter() - t, 'imports': i, 'trials': len(c)}))"
    )
    runs = []
    for _ in range(3):
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return {
        "seconds": median(r["seconds"] for r in runs),
        "imports": median(r["imports"] for r in runs),
    }


def smaps(pid: int) -> dict[str, int]:
    """A process's memory from ``/proc/PID/smaps_rollup``, in bytes."""
    found = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value = line.split(":", 1)
        found[name] = int(value.split()[0]) * 1024
    return {
        "rss": found["Rss"],
        "pss": found["Pss"],
        "private": found["Private_Clean"] + found["Private_Dirty"],
        "shared": found["Shared_Clean"] + found["Shared_Dirty"],
        "anonymous": found["Anonymous"],
    }


def two_processes(data_dir: Path) -> list[dict]:
    """Two warm dashboard processes on one data dir, as the launcher starts them."""
    from deploy.serve import Stack, free_port

    with tempfile.TemporaryDirectory(prefix="tf-memory-") as run_dir:
        public = free_port()
        stack = Stack(
            data_dir.resolve(), 2, Path(run_dir), public, free_port({public}), say=lambda _: None
        )
        with stack:
            time.sleep(2)
            return [smaps(backend.process.pid) for backend in stack.backends]


def _ms(seconds: float) -> str:
    value = seconds * 1000
    return f"{value:,.0f} ms" if value >= 100 else f"{value:.1f} ms"


def _mb(n: int) -> str:
    return f"{n / 1024**2:,.0f} MB"


def report(label: str, figures: dict, load: dict, memory: list[dict], averages: tuple) -> str:
    rows = figures["queries"]
    # The narrowest query: the one with the fewest results (not the fastest one).
    narrow = min(rows, key=lambda r: r["count"])
    narrowest = narrow["first_page"]
    worst_floor = max(r["first_page"] / r["floor"] for r in rows)
    worst_spread = max(r["first_page"] for r in rows) / narrowest
    lines = [
        f"## {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: first pages, cold load and "
        f"two processes, {label} ({figures['trials']:,} trials, {figures['sites']:,} sites)",
        "",
        f"Machine: {machine()}. Load average (1 min) before / after: "
        f"{averages[0]:.1f} / {averages[1]:.1f}. Medians; `python -m benchmarks.pages`.",
        "",
        "| query | results | first page (count, order, 20 rows) | numpy floor | x floor "
        "| x narrowest | whole table (CSV) | same answer |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        lines.append(
            f"| `{r['query'] or '(none: every trial)'}` | {r['count']:,} | {_ms(r['first_page'])} "
            f"| {_ms(r['floor'])} | {r['first_page'] / r['floor']:.2f} "
            f"| {r['first_page'] / narrowest:.1f} | {_ms(r['whole'])} "
            f"| {'yes' if r['same'] else '**no**'} |"
        )
    second = memory[1]
    lines += [
        "",
        f"Targets: every first page within 2x its floor (worst {worst_floor:.2f}x: "
        f"{'met' if worst_floor <= 2 else '**missed**'}); none over 2.5x the narrowest, "
        f"the query with the fewest results (`{narrow['query']}`, {narrow['count']:,} "
        f"results, {_ms(narrowest)}; worst {worst_spread:.1f}x: "
        f"{'met' if worst_spread <= 2.5 else '**missed**'}).",
        "",
        "| figure | measured | target | |",
        "| --- | --- | --- | --- |",
        f"| cold load of the catalog (fresh process) | {load['seconds']:.2f} s "
        f"(+ {load['imports']:.2f} s imports) | < 0.5 s "
        f"| {'met' if load['seconds'] < 0.5 else '**missed**'} |",
        f"| dashboard process 1, warm: private / shared (RSS; of it anonymous) "
        f"| {_mb(memory[0]['private'])} / {_mb(memory[0]['shared'])} ({_mb(memory[0]['rss'])}; "
        f"{_mb(memory[0]['anonymous'])}) | | |",
        f"| dashboard process 2, warm: private / shared (RSS; of it anonymous) "
        f"| {_mb(second['private'])} / {_mb(second['shared'])} ({_mb(second['rss'])}; "
        f"{_mb(second['anonymous'])}) | <= 500 MB private "
        f"| {'met' if second['private'] <= 500 * 1024**2 else '**missed**'} |",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--label", default="")
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args(argv)
    before = os.getloadavg()[0]
    from trialfinder.catalog import load_catalog

    load_catalog(args.data_dir)  # builds the snapshot if it is missing (not measured here)
    load = cold_load(args.data_dir)
    figures = query_figures(args.data_dir, args.rounds)
    memory = two_processes(args.data_dir)
    text = report(
        args.label or str(args.data_dir), figures, load, memory, (before, os.getloadavg()[0])
    )
    print(text)
    if not args.no_record:
        with RESULTS.open("a", encoding="utf-8") as out:
            out.write(f"\n{text}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
