"""Server time of a big trial's page (its 1,148 sites), beside a numpy floor.

    python -m benchmarks.big_trial --data-dir DIR [--id NCT04267848] [--repeat 5]

Times what the trial page asks of the library: the whole record, its sites
through the index (``Catalog.sites_of``), the sites ordered for a family in
Hanoi, and the map's deck (with its city names, and its outline pictures,
drawn once into a temporary folder as the dashboard's static/maps/). When the
data has no trial of that id (a synthetic registry), the trial with the most
sites is timed instead, and named. The floor is plain numpy on the same data: finding
the trial's site rows by comparing every site's trial id, and their distances.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from trialfinder import geo
from trialfinder.catalog import load_catalog
from trialfinder.family.mapdeck import LandFolder, build_site_map
from trialfinder.family.sites import plan_sites

HANOI = (21.0245, 105.84117)


def _median(work, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--id", default="NCT04267848")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    catalog = load_catalog(args.data_dir)
    if catalog.sites_of([args.id]).empty:
        most = catalog.sites["trial_id"].value_counts()
        print(f"no trial {args.id} here; timing the trial with the most sites instead")
        args.id = str(most.index[0])
    land = LandFolder(Path(tempfile.mkdtemp(prefix="tf-land-")), "app/static/maps")

    def page() -> None:
        trial = catalog.trial(args.id)
        sites = catalog.sites_of([args.id])
        plan_sites(sites, *HANOI)
        build_site_map(sites, pd.Series({trial.id: trial.title}), None, 50.0, land=land)

    trial_ids = catalog.sites["trial_id"].astype("string").to_numpy()
    lats = pd.to_numeric(catalog.sites["lat"], errors="coerce").to_numpy(dtype=float)
    lons = pd.to_numeric(catalog.sites["lon"], errors="coerce").to_numpy(dtype=float)

    def floor() -> None:
        rows = np.flatnonzero(trial_ids == args.id)
        geo.distance_km(*HANOI, lats[rows], lons[rows])

    sites = len(catalog.sites_of([args.id]))
    served = _median(page, args.repeat)
    numpy_floor = _median(floor, args.repeat)
    load = os.getloadavg()
    print(
        f"{len(catalog):,} trials, {len(catalog.sites):,} sites; trial {args.id}: {sites:,} sites"
    )
    print(f"page's library work: {served * 1000:.0f} ms (median of {args.repeat})")
    print(f"numpy floor (scan + distances): {numpy_floor * 1000:.1f} ms")
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
