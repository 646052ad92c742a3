"""The registry-scale benchmark: one table of figures, appended to ``benchmarks/RESULTS.md``.

    python -m benchmarks.run --trials 600000 [--work-dir /tmp/tf-bench]

Generates the synthetic registry (or reuses it), imports it with the real
``trialfinder import`` code path, builds the catalog's snapshot, cold-loads it
in a fresh process, runs a fixed mix of 20 finder queries, the find page whole
(AppTest), the map deck of the broadest query and a comparison of four trials,
and measures the peak memory of a process that serves all of that. Each figure
is measured ``--repeat`` times and the median is shown, beside the naive way (a
Python loop over ``Trial`` objects). At registry size the naive ways run on a
sample of ``--sample`` trials and are scaled linearly to the whole (said so in
the table); the sample also proves the finder right: every query of the mix
must return the same trials in the same order as the naive loop.

Heavy steps run in child processes (``--child``) so that their time and
memory are their own: the build, the cold load, and the serving process.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import math
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

REPO = Path(__file__).resolve().parents[1]
DASHBOARD = REPO / "dashboard.py"
RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
IMPORT_STUDIES = 50_000

#: The finder queries every run times, in this order (condition, age, status,
#: country, near, and combined, as families ask them; the last is the page a
#: family sees first: no filter at all).
MIX: tuple[str, ...] = (
    "cond=cerebral+palsy",
    "cond=asthma",
    "cond=breast+cancer&cond=lung+cancer",
    "cond=sepsis&age=0m",
    "age=4y",
    "age=15y&status=recruiting",
    "status=recruiting",
    "status=recruiting&status=not_yet_recruiting&phase=phase2&phase=phase3",
    "country=Vietnam",
    "country=United+States&status=recruiting",
    "near=Hanoi",
    "near=New+York",
    "near=Paris&within=25&status=recruiting",
    "cond=cerebral+palsy&age=4y&near=Hanoi",
    "cond=epilepsy&age=8y&status=recruiting&country=France",
    "cond=diabetes&type=interventional&phase=phase3&country=Germany",
    "intr=drug&age=10y&status=recruiting",
    "cond=covid-19&near=Sao+Paulo&within=200",
    "cond=autism+spectrum+disorder&age=6y&near=London",
    "",
)
#: The find page is run whole for this one (the example of the issue).
TYPICAL = "cond=cerebral+palsy&age=4y&status=recruiting&near=Hanoi"
#: The map deck is built for the broadest query there is: every trial.
BROADEST = ""
#: The comparison: the first four trials this query finds, with a place set.
COMPARE = "cond=cerebral+palsy&age=4y&near=Hanoi&within=20000"
#: The sponsor view (it reads the terms table, the largest): its memory counts too.
SPONSOR = "spons=Sponsor+12"

KB, MB, GB = 1024, 1024**2, 1024**3


@dataclasses.dataclass
class Figure:
    name: str
    target: str
    measured: str
    naive: str
    gain: str
    verdict: str


# ------------------------------------------------------------------ helpers


def timed(action: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = action()
    return time.perf_counter() - start, value


def median(values: Iterable[float]) -> float:
    return statistics.median(list(values))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return math.nan
    k = (len(ordered) - 1) * q
    low, high = math.floor(k), math.ceil(k)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def peak_rss_bytes() -> int:
    """This process's peak resident memory (Linux reports kilobytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * KB


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms" if seconds >= 0.01 else f"{seconds * 1000:,.1f} ms"


def duration(seconds: float) -> str:
    if seconds >= 120:
        return f"{seconds / 60:,.1f} min"
    return f"{seconds:,.2f} s" if seconds < 10 else f"{seconds:,.0f} s"


def size(n_bytes: float) -> str:
    if n_bytes >= GB:
        return f"{n_bytes / GB:,.2f} GB"
    if n_bytes >= MB:
        return f"{n_bytes / MB:,.1f} MB"
    return f"{n_bytes / KB:,.0f} KB"


def gain(naive: float, measured: float, higher_is_better: bool = False) -> str:
    if not measured or not naive or math.isnan(naive) or math.isnan(measured):
        return "-"
    ratio = measured / naive if higher_is_better else naive / measured
    return f"{ratio:,.1f}x" if ratio < 100 else f"{ratio:,.0f}x"


def verdict(measured: float, limit: float, at_most: bool = True, unit: str = "") -> str:
    """ "met", or "missed by X (Y%)" against a target."""
    ok = measured <= limit if at_most else measured >= limit
    if ok:
        return "met"
    off = measured - limit if at_most else limit - measured
    shown = unit.format(off) if unit else f"{off:,.0f}"
    return f"**missed** by {shown} ({abs(off) / limit:.0%})"


def run_child(mode: str, data_dir: Path, *extra: str) -> dict:
    """Run ``python -m benchmarks.run --child MODE DATA_DIR ...`` in a fresh
    process; its last line of output is a JSON object."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "TRIALFINDER_DATA_DIR": str(data_dir)}
    command = [sys.executable, "-m", "benchmarks.run", "--child", mode, str(data_dir), *extra]
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"child {mode} failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = size(int(line.split()[1]) * KB) + " RAM"
                break
    except OSError:
        pass
    cores = os.cpu_count() or 0
    return f"{cpu}, {cores} cores, {memory}, Python {platform.python_version()}"


# ------------------------------------------------------------------ data


def ensure_pages(work: Path, trials: int, seed: int) -> Path:
    from benchmarks.generate import GENERATOR_VERSION, write_pages

    pages = work / f"pages-{trials}-s{seed}-g{GENERATOR_VERSION}"
    done = pages.with_name(pages.name + ".done")
    if not done.exists():
        shutil.rmtree(pages, ignore_errors=True)
        print(f"generating {trials:,} studies in {pages}", file=sys.stderr, flush=True)
        write_pages(trials, pages, seed)
        done.touch()
    return pages


def page_files(pages: Path) -> list[Path]:
    return sorted(pages.glob("studies-*.json"))


def import_into(files: list[Path], data_dir: Path) -> tuple[float, int]:
    from trialfinder.store.importer import import_paths

    data_dir.mkdir(parents=True, exist_ok=True)
    seconds, report = timed(lambda: import_paths(files, data_dir))
    if report.problems:
        raise RuntimeError(f"the import met problems: {report.problems[:3]}")
    return seconds, report.read


def ensure_imported(work: Path, pages: Path, trials: int) -> tuple[Path, float | None]:
    data_dir = work / pages.name.replace("pages-", "data-")
    done = data_dir.with_name(data_dir.name + ".imported")
    if done.exists():
        return data_dir, None
    shutil.rmtree(data_dir, ignore_errors=True)
    print(f"importing {trials:,} studies into {data_dir}", file=sys.stderr, flush=True)
    seconds, _read = import_into(page_files(pages), data_dir)
    done.write_text(f"{seconds}\n")
    return data_dir, seconds


def first_pages(pages: Path, studies: int) -> list[Path]:
    """Enough page files for ``studies`` studies (pages hold 1,000 each)."""
    from benchmarks.generate import PAGE_SIZE

    return page_files(pages)[: max(1, math.ceil(studies / PAGE_SIZE))]


# ------------------------------------------------------------------ the naive way


def naive_search(trials: list, query) -> list[str]:
    """The finder's rule, as a plain loop over Trial objects (the reference)."""
    import numpy as np

    from trialfinder import ages, geo
    from trialfinder.catalog.index import WORD_GROUPS
    from trialfinder.catalog.rows import _term_kinds
    from trialfinder.model import OPEN_STATUSES
    from trialfinder.query import FILTERS

    #: Each word filter's key and the term kinds it searches.
    word_filters = {f.key: WORD_GROUPS[f.terms] for f in FILTERS if f.terms is not None}
    rules = {
        key: [re.compile(rf"(?<!\w){re.escape(geo.fold(w))}(?!\w)") for w in getattr(query, key)]
        for key in word_filters
    }
    place = query.place
    found = []
    for trial in trials:
        ok = True
        for key, kinds in word_filters.items():
            if rules[key]:
                terms = [
                    geo.fold(n)
                    for kind, names in _term_kinds(trial)
                    if kind in kinds
                    for n in names
                ]
                if not any(rule.search(term) for rule in rules[key] for term in terms):
                    ok = False
                    break
        e, d = trial.eligibility, trial.design
        if not ok or (query.age is not None and not ages.admits(e.min_age, e.max_age, query.age)):
            continue
        if query.status and trial.overall_status not in query.status:
            continue
        if query.phase and not set(query.phase) & set(d.phases):
            continue
        if query.type and d.study_type != query.type:
            continue
        distance = math.nan
        if query.has_place:
            best = None
            points = []
            for i, s in enumerate(trial.sites):
                if query.country and geo.canonical_country(s.country) not in query.country:
                    continue
                if query.status and s.status is not None and s.status not in query.status:
                    continue
                lat, lon = s.lat, s.lon
                if lat is None or lon is None:
                    city = geo.find_city(s.city, s.country)
                    lat, lon = (city.lat, city.lon) if city else (None, None)
                points.append((i, lat, lon))
            if place is None:
                best = (0.0, points[0][0]) if points else None
            else:
                placed = [p for p in points if p[1] is not None]
                if placed:
                    far = geo.distance_km(
                        place.lat,
                        place.lon,
                        np.array([p[1] for p in placed]),
                        np.array([p[2] for p in placed]),
                    )
                    near = [(float(k), p[0]) for k, p in zip(far, placed, strict=True)]
                    near = [n for n in near if n[0] <= query.radius_km]
                    best = min(near) if near else None
            if best is None:
                continue
            distance = best[0] if place is not None else math.nan
        found.append((trial.overall_status in OPEN_STATUSES, distance, trial))
    found.sort(key=lambda f: f[2].id)
    found.sort(key=lambda f: f[2].dates.last_update or "", reverse=True)
    found.sort(key=lambda f: math.inf if math.isnan(f[1]) else f[1])
    found.sort(key=lambda f: not f[0])
    return [f[2].id for f in found]


def naive_build(trials: list, out: Path) -> None:
    """The catalog as a first version would build it: rows as dicts, whole records
    through ``dataclasses.asdict``, pandas frames, Parquet."""
    import pandas as pd

    from trialfinder import ages, geo
    from trialfinder.catalog.rows import _term_kinds

    rows, sites, terms, records = [], [], [], []
    for t in trials:
        rows.append(
            {
                "id": t.id,
                "title": t.title,
                "overall_status": t.overall_status,
                "conditions": "; ".join(t.conditions),
                "phases": "|".join(t.design.phases),
                "min_age_days": ages.min_age_days(t.eligibility.min_age),
                "max_age_days": ages.max_age_days_exclusive(t.eligibility.max_age),
                "last_update": t.dates.last_update,
            }
        )
        for i, s in enumerate(t.sites):
            sites.append(
                {
                    "trial_id": t.id,
                    "site_index": i,
                    "city": s.city,
                    "country_key": geo.canonical_country(s.country),
                    "status": s.status,
                    "lat": s.lat,
                    "lon": s.lon,
                }
            )
        for kind, names in _term_kinds(t):
            terms.extend(
                {"trial_id": t.id, "kind": kind, "term": n, "folded": geo.fold(n)} for n in names
            )
        records.append({"id": t.id, "json": json.dumps(t.to_dict(), ensure_ascii=False)})
    out.mkdir(parents=True, exist_ok=True)
    for name, table in (("trials", rows), ("sites", sites), ("terms", terms), ("records", records)):
        pd.DataFrame(table).to_parquet(out / f"{name}.parquet", index=False)


def naive_map(trials: list) -> int:
    """Every site of every trial as its own dot, in a Python loop: the deck's JSON size."""
    dots = [
        {"lat": s.lat, "lon": s.lon, "trial": t.id, "title": t.title, "status": s.status}
        for t in trials
        for s in t.sites
        if s.lat is not None
    ]
    return len(json.dumps(dots, separators=(",", ":")))


def sample_ids(catalog, count: int) -> list[str]:
    ids = catalog.trials["id"].tolist()
    if count >= len(ids):
        return ids
    step = len(ids) / count
    return [ids[int(i * step)] for i in range(count)]


def parse_sample(data_dir: Path, ids: list[str]) -> tuple[float, list]:
    """Parse the sample's files into Trial objects (the naive way to read the data)."""
    from trialfinder.sources import ctgov
    from trialfinder.store.layout import registry_path

    def parse() -> list:
        trials = []
        for trial_id in ids:
            for item in ctgov.iter_studies(registry_path(data_dir, trial_id)):
                trials.append(ctgov.parse_study(item.study, origin=item.origin))
        return trials

    return timed(parse)


# ------------------------------------------------------------------ children


def child_build(data_dir: Path) -> dict:
    from trialfinder.catalog import load_catalog
    from trialfinder.store.layout import SNAPSHOT

    shutil.rmtree(data_dir / SNAPSHOT, ignore_errors=True)
    seconds, _catalog = timed(lambda: load_catalog(data_dir))
    snapshot = next(p for p in (data_dir / SNAPSHOT).iterdir() if p.is_dir())  # not the lock
    on_disk = sum(p.stat().st_size for p in snapshot.iterdir())
    return {"seconds": seconds, "peak_rss": peak_rss_bytes(), "snapshot_bytes": on_disk}


def child_load(data_dir: Path) -> dict:
    start = time.perf_counter()
    from trialfinder.catalog import load_catalog

    imported = time.perf_counter() - start
    seconds, catalog = timed(lambda: load_catalog(data_dir))
    return {
        "seconds": seconds,
        "imports": imported,
        "trials": len(catalog),
        "sites": len(catalog.sites),
        "peak_rss": peak_rss_bytes(),
    }


def _app_run(query: str, page: str | None = None):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(DASHBOARD), default_timeout=900)
    if page:
        at.switch_page(page)
    pairs: dict[str, list[str]] = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        pairs.setdefault(key, []).append(value)
    for key, values in pairs.items():
        at.query_params[key] = values if len(values) > 1 else values[0]
    seconds, _ = timed(at.run)
    if at.exception or at.error:
        problems = [e.value for e in at.exception] + [e.value for e in at.error]
        raise RuntimeError(f"the page {page or 'find'} failed: {problems}")
    return seconds, at


def child_serve(data_dir: Path, rounds: int, repeat: int) -> dict:
    """A dashboard process: the find page run whole, the query mix, the map deck
    and a comparison, all on the one catalog the dashboard caches."""
    import logging

    logging.getLogger("streamlit").setLevel(logging.ERROR)
    from trialfinder.family import compare as comparing
    from trialfinder.family import mapdeck
    from trialfinder.query import apply_query, parse_query, result_sites, site_trials

    first_page, at = _app_run(TYPICAL)
    heading = at.subheader[0].value if at.subheader else ""
    from trialfinder.ui import data as ui_data

    catalog = ui_data.catalog()  # the catalog the page runs cached (no second copy)
    queries = [parse_query(q).query for q in MIX]
    per_query: list[list[float]] = [[] for _ in MIX]
    rounds_p50, rounds_p95 = [], []
    ids: dict[str, list[str]] = {}
    for _round in range(rounds):
        times = []
        for i, query in enumerate(queries):
            seconds, results = timed(lambda q=query: apply_query(catalog, q))
            times.append(seconds)
            per_query[i].append(seconds)
            ids[MIX[i]] = results["id"].tolist()
        rounds_p50.append(percentile(times, 0.5))
        rounds_p95.append(percentile(times, 0.95))
    pages = [_app_run(TYPICAL)[0] for _ in range(repeat)]

    broadest = parse_query(BROADEST).query
    results = apply_query(catalog, broadest)
    sites_seconds, sites = timed(lambda: result_sites(catalog, broadest, results))
    titles = catalog.titles()
    builds, serials, n_bytes, aggregated = [], [], 0, False
    for _ in range(repeat):
        # As the map page calls it: each site's trial from the catalog's index.
        seconds, built = timed(
            lambda: mapdeck.build_site_map(
                sites,
                titles,
                broadest.place,
                broadest.radius_km,
                trial_of=site_trials(catalog, sites),
            )
        )
        builds.append(seconds)
        seconds, text = timed(built.deck.to_json)
        serials.append(seconds)
        n_bytes, aggregated = len(text.encode("utf-8")), built.aggregated

    query = parse_query(COMPARE).query
    chosen = apply_query(catalog, query)["id"].tolist()[:4]
    if len(chosen) < 4:
        chosen = catalog.trials["id"].tolist()[:4]
    compares, compares_scanned = [], []
    for _ in range(repeat):

        def page_way():
            picked = comparing.pick_ids(chosen, catalog.find_id)
            trials = [catalog.trial(i) for i in picked.ids]
            return comparing.compare(trials, catalog.sites_of(picked.ids), query.place)

        def scanning_way():
            trials = [catalog.trial(i) for i in chosen]
            return comparing.compare(trials, catalog.sites, query.place)

        compares.append(timed(page_way)[0])
        compares_scanned.append(timed(scanning_way)[0])
    sponsor_page, _at = _app_run(SPONSOR, "pages/sponsor.py")
    return {
        "first_page": first_page,
        "heading": heading,
        "page": median(pages),
        "p50": median(rounds_p50),
        "p95": median(rounds_p95),
        "per_query": [median(t) for t in per_query],
        "counts": [len(ids[q]) for q in MIX],
        "ids": ids,
        "map_sites": len(sites),
        "map_sites_seconds": sites_seconds,
        "map_build": median(builds),
        "map_json": median(serials),
        "map_bytes": n_bytes,
        "map_aggregated": aggregated,
        "compare": median(compares),
        "compare_scanned": median(compares_scanned),
        "compared": chosen,
        "sponsor_page": sponsor_page,
        "peak_rss": peak_rss_bytes(),
    }


def child_naive(data_dir: Path, sample: int, pages: Path) -> dict:
    """The naive ways, on a sample of the trials (all of them when few)."""
    from trialfinder.catalog import load_catalog
    from trialfinder.family import compare as comparing
    from trialfinder.query import parse_query
    from trialfinder.sources import ctgov

    catalog = load_catalog(data_dir)
    n = len(catalog)
    ids = sample_ids(catalog, sample)
    rss_before = _current_rss()
    parse_seconds, trials = parse_sample(data_dir, ids)
    held_bytes = max(_current_rss() - rss_before, 0)
    by_id = {t.id: t for t in trials}
    in_sample = set(by_id)

    queries = [parse_query(q).query for q in MIX]
    naive_times, matches = [], 0
    mismatches = []
    from trialfinder.query import apply_query

    for text, query in zip(MIX, queries, strict=True):
        seconds, naive_ids = timed(lambda q=query: naive_search(trials, q))
        naive_times.append(seconds)
        fast = [i for i in apply_query(catalog, query)["id"].tolist() if i in in_sample]
        if fast == naive_ids:
            matches += 1
        else:
            mismatches.append(text)

    # Import, the naive way: parse each study and write it to its own file.
    files = first_pages(pages, min(IMPORT_STUDIES, len(ids)))
    scratch = data_dir.parent / f"{data_dir.name}-naive-import"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)

    def naive_import() -> int:
        count = 0
        for path in files:
            for item in ctgov.iter_studies(path):
                trial = ctgov.parse_study(item.study, origin=item.origin)
                (scratch / f"{trial.id}.json").write_text(json.dumps(item.study), encoding="utf-8")
                count += 1
        return count

    import_seconds, imported = timed(naive_import)
    shutil.rmtree(scratch, ignore_errors=True)

    build_dir = data_dir.parent / f"{data_dir.name}-naive-build"
    shutil.rmtree(build_dir, ignore_errors=True)
    build_seconds, _ = timed(lambda: naive_build(trials, build_dir))
    shutil.rmtree(build_dir, ignore_errors=True)

    map_seconds, map_bytes = timed(lambda: naive_map(trials))

    compare_ids = [i for i in ids[:4]]

    def naive_compare():
        four = [t for t in trials if t.id in compare_ids]
        return comparing.compare(four)

    compare_seconds, _ = timed(naive_compare)
    return {
        "n": n,
        "sample": len(trials),
        "parse_seconds": parse_seconds,
        "held_bytes": held_bytes,
        "query_times": naive_times,
        "matches": matches,
        "mismatches": mismatches,
        "import_rate": imported / import_seconds,
        "build_seconds": build_seconds,
        "map_seconds": map_seconds,
        "map_bytes": map_bytes,
        "compare_seconds": compare_seconds,
        "peak_rss": peak_rss_bytes(),
    }


def _current_rss() -> int:
    try:
        fields = Path("/proc/self/statm").read_text().split()
        return int(fields[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0


# ------------------------------------------------------------------ the run


def measure(args: argparse.Namespace) -> tuple[list[Figure], dict]:
    work: Path = args.work_dir
    work.mkdir(parents=True, exist_ok=True)
    n, repeat = args.trials, args.repeat
    pages = ensure_pages(work, n, args.seed)

    # Import: the real code path, into a fresh data directory each time.
    studies = min(IMPORT_STUDIES, n)
    rates = []
    data_dir = work / pages.name.replace("pages-", "data-")
    imported = data_dir.with_name(data_dir.name + ".imported")
    # The scratch folders are removed after the last run, not between runs: on ext4 a
    # file created just after 50,000 were deleted took ten times as long to create,
    # which measured the file system's cleanup rather than the import.
    scratches = [work / f"import-{studies}-{i}" for i in range(repeat)]
    for scratch in scratches:
        shutil.rmtree(scratch, ignore_errors=True)
    for scratch in scratches:
        seconds, read = import_into(first_pages(pages, studies), scratch)
        rates.append(read / seconds)
        if studies == n and not imported.exists():  # all of them: keep it as the data
            shutil.rmtree(data_dir, ignore_errors=True)
            scratch.rename(data_dir)
            imported.write_text(f"{seconds}\n")
    for scratch in scratches:
        shutil.rmtree(scratch, ignore_errors=True)
    data_dir, full_import = ensure_imported(work, pages, n)

    builds = [run_child("build", data_dir) for _ in range(repeat)]
    loads = [run_child("load", data_dir) for _ in range(repeat)]
    serve = run_child("serve", data_dir, str(args.rounds), str(repeat))
    sample = min(args.sample, n)
    naive = run_child("naive", data_dir, str(sample), str(pages))
    scale = naive["n"] / naive["sample"]

    build = median(b["seconds"] for b in builds)
    load = median(r["seconds"] for r in loads)
    naive_load = naive["parse_seconds"] * scale
    naive_query = [t * scale for t in naive["query_times"]]
    naive_p50, naive_p95 = percentile(naive_query, 0.5), percentile(naive_query, 0.95)
    naive_typical = naive_query[MIX.index("cond=cerebral+palsy&age=4y&near=Hanoi")]
    typical_fast = serve["per_query"][MIX.index("cond=cerebral+palsy&age=4y&near=Hanoi")]
    naive_page = serve["page"] - typical_fast + naive_typical
    naive_map_seconds = naive["map_seconds"] * scale + naive_load
    naive_memory = naive["held_bytes"] * scale + naive["peak_rss"] - naive["held_bytes"]
    scaled = f" (x{scale:,.0f} from {naive['sample']:,})" if scale > 1.001 else ""
    rate = median(rates)
    figures = [
        Figure(
            f"import from API v2 JSON (on {studies:,} studies)",
            ">= 2,000 studies/s",
            f"{rate:,.0f} studies/s",
            f"{naive['import_rate']:,.0f} studies/s: parse, one plain write each"
            " (no generation, no dedupe, no report)",
            gain(naive["import_rate"], rate, higher_is_better=True),
            verdict(rate, 2000, at_most=False, unit="{:,.0f} studies/s"),
        ),
        Figure(
            "snapshot build",
            "<= 5 min",
            f"{duration(build)}, peak {size(median(b['peak_rss'] for b in builds))}",
            f"{duration(naive['build_seconds'] * scale + naive_load)}{scaled}: parse all,"
            " rows as dicts, asdict records, pandas, Parquet",
            gain(naive["build_seconds"] * scale + naive_load, build),
            verdict(build, 300, unit="{:,.0f} s"),
        ),
        Figure(
            "cold load of the catalog from the snapshot",
            "<= 3 s",
            f"{duration(load)} (+ {duration(median(r['imports'] for r in loads))} imports)",
            f"{duration(naive_load)}{scaled}: parse every file into Trial objects",
            gain(naive_load, load),
            verdict(load, 3, unit="{:,.2f} s"),
        ),
        Figure(
            "query latency over the mix of 20, p50 / p95",
            "p95 <= 50 ms",
            f"{ms(serve['p50'])} / {ms(serve['p95'])}",
            f"{ms(naive_p50)} / {ms(naive_p95)}{scaled}: a loop over Trial objects",
            gain(naive_p95, serve["p95"]),
            verdict(serve["p95"] * 1000, 50, unit="{:,.0f} ms"),
        ),
        Figure(
            "find page run whole (AppTest), typical query",
            "<= 500 ms",
            f"{ms(serve['page'])} (first run of a fresh process: {duration(serve['first_page'])})",
            f"{ms(naive_page)} (est.: the page with the naive query)",
            gain(naive_page, serve["page"]),
            verdict(serve["page"] * 1000, 500, unit="{:,.0f} ms"),
        ),
        Figure(
            f"map deck for the broadest query ({serve['map_sites']:,} sites): build",
            "<= 300 ms",
            f"{ms(serve['map_build'])} (+ {ms(serve['map_json'])} to JSON)",
            f"{duration(naive_map_seconds)}{scaled}: parse all, one dot a site",
            gain(naive_map_seconds, serve["map_build"]),
            verdict(serve["map_build"] * 1000, 300, unit="{:,.0f} ms"),
        ),
        Figure(
            "map deck for the broadest query: bytes",
            "<= 5 MB",
            size(serve["map_bytes"]) + (" (aggregated)" if serve["map_aggregated"] else ""),
            f"{size(naive['map_bytes'] * scale)}{scaled}",
            gain(naive["map_bytes"] * scale, serve["map_bytes"]),
            verdict(serve["map_bytes"] / MB, 5, unit="{:,.1f} MB"),
        ),
        Figure(
            "compare of four trials (as the compare page calls it)",
            "<= 100 ms",
            f"{ms(serve['compare'])} (scanning all sites for each trial:"
            f" {ms(serve['compare_scanned'])})",
            f"{duration(naive['compare_seconds'] * scale + naive_load)}{scaled}:"
            " parse all, pick four in a loop",
            gain(naive["compare_seconds"] * scale + naive_load, serve["compare"]),
            verdict(serve["compare"] * 1000, 100, unit="{:,.0f} ms"),
        ),
        Figure(
            "peak memory of the dashboard process (all of the above, and a sponsor view)",
            "<= 3 GB",
            size(serve["peak_rss"]),
            f"{size(naive_memory)}{scaled}: every Trial object held",
            gain(naive_memory, serve["peak_rss"]),
            verdict(serve["peak_rss"] / GB, 3, unit="{:,.2f} GB"),
        ),
    ]
    details = {
        "trials": naive["n"],
        "sites": loads[0]["sites"],
        "full_import": full_import,
        "snapshot_bytes": builds[0]["snapshot_bytes"],
        "serve": serve,
        "naive": naive,
        "scale": scale,
        "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None,
    }
    return figures, details


def table(figures: list[Figure]) -> str:
    lines = [
        "| figure | target at 600,000 trials | measured (median) | naive way | gain | |",
        "|---|---|---|---|---|---|",
    ]
    for f in figures:
        lines.append(
            f"| {f.name} | {f.target} | {f.measured} | {f.naive} | {f.gain} | {f.verdict} |"
        )
    return "\n".join(lines)


def report(figures: list[Figure], details: dict, args: argparse.Namespace, load: tuple) -> str:
    serve, naive = details["serve"], details["naive"]
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"## {when}: {details['trials']:,} trials, {details['sites']:,} sites",
        "",
        f"Machine: {machine()}. Load average before / after the run: "
        f"{load[0]:.1f} / {load[1]:.1f}. Seed {args.seed}; each figure the median of "
        f"{args.repeat} runs, the query mix {args.rounds} rounds.",
        "",
        table(figures),
        "",
        f"Query mix (median of {args.rounds} rounds; results; naive, scaled):",
        "",
        "| query | results | time | naive |",
        "|---|---|---|---|",
    ]
    for text, count, seconds, slow in zip(
        MIX, serve["counts"], serve["per_query"], naive["query_times"], strict=True
    ):
        lines.append(
            f"| `{text or '(none: every trial)'}` | {count:,} | {ms(seconds)} |"
            f" {ms(slow * details['scale'])} |"
        )
    matches = f"{naive['matches']}/{len(MIX)}"
    lines += [
        "",
        f"Correctness: on {naive['sample']:,} trials the naive loop and the finder return the"
        f" same trials in the same order for {matches} queries"
        + (f" (differ: {', '.join(naive['mismatches'])})." if naive["mismatches"] else "."),
        f"Snapshot on disk: {size(details['snapshot_bytes'])}. The sponsor view"
        f" (`{SPONSOR}`, the first to read the terms table) ran in"
        f" {duration(serve['sponsor_page'])}."
        + (
            f" Whole import of {details['trials']:,} studies: {duration(details['full_import'])}."
            if details["full_import"]
            else ""
        ),
        "",
    ]
    return "\n".join(lines)


def child_main(argv: list[str]) -> int:
    mode, data_dir, *extra = argv
    directory = Path(data_dir)
    if mode == "build":
        result = child_build(directory)
    elif mode == "load":
        result = child_load(directory)
    elif mode == "serve":
        result = child_serve(directory, int(extra[0]), int(extra[1]))
    elif mode == "naive":
        result = child_naive(directory, int(extra[0]), Path(extra[1]))
    else:
        raise SystemExit(f"unknown child {mode}")
    print(json.dumps(result))
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        return child_main(argv[1:])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=600_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--work-dir", type=Path, default=Path("/tmp/tf-bench"))
    parser.add_argument("--repeat", type=int, default=3, help="runs of each figure")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of the query mix")
    parser.add_argument("--sample", type=int, default=20_000, help="trials the naive ways run on")
    parser.add_argument("--results", type=Path, default=RESULTS, help="where the table is appended")
    parser.add_argument("--no-append", action="store_true", help="print only")
    parser.add_argument("--json", type=Path, help="also write every measure here")
    args = parser.parse_args(argv)
    before = os.getloadavg() if hasattr(os, "getloadavg") else (0.0,)
    figures, details = measure(args)
    after = os.getloadavg() if hasattr(os, "getloadavg") else (0.0,)
    text = report(figures, details, args, (before[0], after[0]))
    print(text)
    if args.json:
        args.json.write_text(json.dumps(details, indent=1, default=str), encoding="utf-8")
    if not args.no_append:
        existing = args.results.read_text(encoding="utf-8") if args.results.exists() else ""
        if not existing:
            existing = "# Registry-scale benchmark results\n\n" + (
                "Appended by `python -m benchmarks.run`; newest last.\n\n"
            )
        args.results.write_text(existing.rstrip("\n") + "\n\n" + text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
