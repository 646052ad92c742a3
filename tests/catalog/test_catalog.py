"""The catalog: tables built from trials, and the Arrow IPC snapshot of a data directory."""

from __future__ import annotations

import dataclasses
import math
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import trialfinder.catalog
from tests.factories import (
    HANOI,
    accented,
    all_trials,
    als_seoul,
    approximate_da_nang,
    catalog_of,
    cerebral_palsy_hanoi,
    site,
    trial,
    unknown_city,
)
from trialfinder import geo
from trialfinder.ages import DAYS_PER_YEAR
from trialfinder.catalog import (
    SNAPSHOT_VERSION,
    Catalog,
    build_catalog,
    load_catalog,
    read_snapshot,
    write_snapshot,
)
from trialfinder.catalog import build as build_module
from trialfinder.catalog import index as index_module
from trialfinder.catalog import workers as workers_module
from trialfinder.catalog.schema import TABLES
from trialfinder.errors import DataProblem
from trialfinder.sources.curated import read_curated, to_trial
from trialfinder.store.layout import SNAPSHOT, fingerprint

ROOT = Path(__file__).resolve().parents[2]
EVERY_KEY = ROOT / "tests" / "fixtures" / "curated" / "EVERY-KEY.yaml"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return catalog_of(*all_trials())


def rows(frame: pd.DataFrame, trial_id: str) -> pd.DataFrame:
    return frame.loc[frame["trial_id"] == trial_id].reset_index(drop=True)


# --- tables ------------------------------------------------------------------------


def test_one_trial_row_per_trial(catalog: Catalog) -> None:
    assert len(catalog) == len(all_trials())
    assert catalog.trials["id"].tolist() == [t.id for t in all_trials()]
    assert catalog.trials["id"].is_unique


def test_trial_columns(catalog: Catalog) -> None:
    row = catalog.trials.set_index("id").loc["CP-HANOI"]
    assert row["title"] == "Stem cells for young children with cerebral palsy"
    assert row["overall_status"] == "RECRUITING"
    assert bool(row["is_open"]) is True
    assert row["conditions"] == "Cerebral Palsy"
    assert row["phases"] == "PHASE1|PHASE2"
    assert row["study_type"] == "INTERVENTIONAL"
    assert row["min_age"] == "1 Year" and row["max_age"] == "6 Years"
    assert row["last_update"] == "2025-03-01"
    assert row["n_sites"] == 1
    assert pd.isna(row["enrollment"])
    closed = catalog.trials.set_index("id").loc["ALS-SEOUL"]
    assert bool(closed["is_open"]) is False


def test_title_prefers_plain_then_brief_then_official_then_id() -> None:
    cat = catalog_of(
        trial("A", title="Brief", plain_title="Plain", official_title="Official"),
        trial("B", title="Brief", official_title="Official"),
        dataclasses.replace(trial("C"), brief_title=None, official_title="Official"),
        dataclasses.replace(trial("D"), brief_title=None),
    )
    assert cat.trials["title"].tolist() == ["Plain", "Brief", "Official", "D"]


def test_age_bounds_in_days(catalog: Catalog) -> None:
    trials = catalog.trials.set_index("id")
    # 1 Year to 6 Years: from 1 year, up to (not including) 7 years.
    assert trials.loc["CP-HANOI", "min_age_days"] == pytest.approx(DAYS_PER_YEAR)
    assert trials.loc["CP-HANOI", "max_age_days"] == pytest.approx(7 * DAYS_PER_YEAR)
    # 18 Years and over: no upper bound.
    assert trials.loc["ALS-SEOUL", "min_age_days"] == pytest.approx(18 * DAYS_PER_YEAR)
    assert trials.loc["ALS-SEOUL", "max_age_days"] == math.inf
    # No limits at all.
    assert trials.loc["SJOGREN", "min_age_days"] == 0
    assert trials.loc["SJOGREN", "max_age_days"] == math.inf


def test_a_trial_with_a_bad_age_limit_is_refused() -> None:
    with pytest.raises(ValueError):
        catalog_of(trial("BAD", min_age="soon"))


def test_one_site_row_per_site(catalog: Catalog) -> None:
    assert len(catalog.sites) == sum(len(t.sites) for t in all_trials())
    mixed = rows(catalog.sites, "MIXED-SITES")
    assert mixed["site_index"].tolist() == [0, 1, 2]
    assert mixed["city"].tolist() == ["Hanoi", "Hai Phong", "Ho Chi Minh City"]
    assert mixed["status"].tolist()[:2] == ["COMPLETED", "RECRUITING"]
    assert pd.isna(mixed["status"].iloc[2])


def test_sites_with_coordinates_keep_them(catalog: Catalog) -> None:
    hanoi = rows(catalog.sites, "CP-HANOI").iloc[0]
    assert (hanoi["lat"], hanoi["lon"]) == HANOI
    assert bool(hanoi["approximate"]) is False
    assert hanoi["facility"] == "Hanoi Hospital"


def test_site_without_coordinates_is_placed_at_its_city_and_marked_approximate(
    catalog: Catalog,
) -> None:
    da_nang = rows(catalog.sites, "DA-NANG").iloc[0]
    city = geo.resolve_place("Da Nang, Vietnam")
    assert (da_nang["lat"], da_nang["lon"]) == (city.lat, city.lon)
    assert bool(da_nang["approximate"]) is True
    # The record itself still says it has no coordinates.
    assert catalog.trial("DA-NANG").sites[0].lat is None


def test_site_in_an_unknown_city_stays_without_coordinates(catalog: Catalog) -> None:
    nowhere = rows(catalog.sites, "NOWHERE").iloc[0]
    assert pd.isna(nowhere["lat"]) and pd.isna(nowhere["lon"])
    assert bool(nowhere["approximate"]) is False
    assert nowhere["country_key"] == "Vietnam"


def test_site_is_placed_only_in_its_own_country() -> None:
    cat = catalog_of(
        trial("X", sites=(site("Hanoi", "France"), site("Hanoi", None), site(None, "Vietnam")))
    )
    placed = cat.sites
    assert pd.isna(placed.loc[0, "lat"]) and not placed.loc[0, "approximate"]
    assert placed.loc[1, "approximate"]  # no country: the most populous Hanoi
    assert pd.isna(placed.loc[2, "lat"]) and not placed.loc[2, "approximate"]


def test_site_is_placed_in_a_country_spelled_the_registry_way() -> None:
    cat = catalog_of(
        trial("S", sites=(site("Seoul", "Korea, Republic of"), site("Ha Noi", "Viet Nam")))
    )
    seoul, hanoi = geo.resolve_place("Seoul, South Korea"), geo.resolve_place("Hanoi")
    assert cat.sites["approximate"].tolist() == [True, True]
    assert (cat.sites.loc[0, "lat"], cat.sites.loc[0, "lon"]) == (seoul.lat, seoul.lon)
    assert (cat.sites.loc[1, "lat"], cat.sites.loc[1, "lon"]) == (hanoi.lat, hanoi.lon)
    assert cat.sites["country_key"].tolist() == ["South Korea", "Vietnam"]


def test_site_country_key_is_canonical(catalog: Catalog) -> None:
    seoul = rows(catalog.sites, "ALS-SEOUL").iloc[0]
    assert seoul["country"] == "Korea, Republic of"  # as the registry wrote it
    assert seoul["country_key"] == "South Korea"


def test_one_arm_row_per_arm(catalog: Catalog) -> None:
    arms = rows(catalog.arms, "CP-HANOI")
    assert arms["arm_index"].tolist() == [0, 1]
    assert arms["label"].tolist() == ["Cells", "Rehabilitation only"]
    assert arms["type"].tolist() == ["EXPERIMENTAL", "NO_INTERVENTION"]
    assert arms.loc[0, "interventions"] == "Biological: BMMNC"
    assert len(catalog.arms) == sum(len(t.arms) for t in all_trials())


def test_one_term_row_per_term(catalog: Catalog) -> None:
    terms = rows(catalog.terms, "CP-HANOI")
    by_kind = terms.groupby("kind")["term"].apply(list).to_dict()
    assert by_kind == {
        "condition": ["Cerebral Palsy"],
        "keyword": ["stem cells"],
        "mesh": ["Cerebral Palsy"],
        "ancestor": ["Brain Diseases", "Nervous System Diseases"],
        "title": ["Stem cells for young children with cerebral palsy"],
        "intervention": ["Biological: BMMNC"],
    }
    assert (terms["folded"] == terms["term"].map(geo.fold)).all()
    sjogren = rows(catalog.terms, "SJOGREN")
    assert "sjogren's syndrome" in sjogren["folded"].tolist()


def test_every_title_is_a_term() -> None:
    cat = catalog_of(trial("T", title="Brief", official_title="Official", plain_title="Plain"))
    titles = cat.terms.loc[cat.terms["kind"] == "title", "term"].tolist()
    assert sorted(titles) == ["Brief", "Official", "Plain"]


def test_dtypes(catalog: Catalog) -> None:
    assert catalog.trials["min_age_days"].dtype == "float64"
    assert catalog.trials["is_open"].dtype == bool
    assert catalog.trials["enrollment"].dtype == "Int64"
    assert catalog.sites["lat"].dtype == "float64"
    assert catalog.sites["approximate"].dtype == bool
    assert catalog.trials["id"].dtype == "string"


def test_empty_catalog() -> None:
    cat = build_catalog([])
    assert len(cat) == 0
    for name in TABLES:
        assert len(getattr(cat, name)) == 0
    assert len(cat.records) == 0
    assert "min_age_days" in cat.trials.columns
    assert cat.condition_names() == []
    assert cat.countries() == []
    assert cat.trial("ANY") is None


# --- lookups ------------------------------------------------------------------------


def test_trial_round_trip(catalog: Catalog) -> None:
    for original in all_trials():
        assert catalog.trial(original.id) == original


def test_trial_round_trip_of_a_record_with_every_field() -> None:
    full = to_trial(read_curated(EVERY_KEY))
    assert full.sites[0].contacts and full.interventions and full.secondary_outcomes
    cat = catalog_of(full, accented())
    assert cat.trial("EVERY-KEY") == full
    assert cat.trial("SJOGREN") == accented()


@pytest.mark.parametrize("unknown", ["NCT00000000", "", "cp-hanoi", "CP-HANOI "])
def test_unknown_trial_id(catalog: Catalog, unknown: str) -> None:
    assert catalog.trial(unknown) is None


def test_condition_names(catalog: Catalog) -> None:
    names = catalog.condition_names()
    expected = {c for t in all_trials() for c in t.conditions}
    assert set(names) == expected
    assert len(names) == len(expected)
    assert names == sorted(names, key=str.casefold)
    assert "stem cells" not in names  # keywords are not conditions
    assert "Brain Diseases" not in names


def test_the_filters_offer_the_most_used_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(index_module, "TYPEAHEAD_NAMES", 2)
    uses = {"Asthma": 3, "asthma": 1, "Zika": 2, "Croup": 1, "Measles": 2}
    trials = [
        trial(f"T{name}{i}", conditions=(name,)) for name, n in uses.items() for i in range(n)
    ]
    # Asthma is used 4 times (two spellings, the most used shown); Zika and
    # Measles twice each: the first met of the two is kept.
    assert catalog_of(*trials).condition_names() == ["Asthma", "Zika"]
    monkeypatch.setattr(index_module, "TYPEAHEAD_NAMES", 10)
    assert catalog_of(*trials).condition_names() == ["Asthma", "Croup", "Measles", "Zika"]


def test_countries(catalog: Catalog) -> None:
    assert catalog.countries() == ["South Korea", "Vietnam"]
    both = catalog_of(als_seoul(), trial("B", sites=(site("Busan", "South Korea"),)))
    assert both.countries() == ["South Korea"]


def test_catalog_is_read_only(catalog: Catalog) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        catalog.trials = catalog.trials.head(0)  # type: ignore[misc]


# --- the snapshot of a data directory ---------------------------------------------------

CP_YAML = """\
id: LOCAL-CP
title: Home exercises for cerebral palsy
status: recruiting
conditions: [Cerebral palsy]
min_age: 2 Years
max_age: 5 Years
sites:
  - facility: Children's Hospital
    city: Hanoi
    country: Vietnam
    status: recruiting
last_update: 2025-01-02
"""

ALS_YAML = """\
id: LOCAL-ALS
title: Edaravone in ALS
status: completed
conditions: [Amyotrophic lateral sclerosis]
min_age: 18 Years
sites:
  - city: Seoul
    country: Korea, Republic of
    lat: 37.566
    lon: 126.978
"""


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    trials = tmp_path / "trials"
    trials.mkdir()
    (trials / "LOCAL-CP.yaml").write_text(CP_YAML, encoding="utf-8")
    (trials / "LOCAL-ALS.yaml").write_text(ALS_YAML, encoding="utf-8")
    return tmp_path


def snapshots(data_dir: Path) -> list[Path]:
    root = data_dir / SNAPSHOT
    return sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []


def forbid_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("the data files were parsed again")

    monkeypatch.setattr(build_module, "iter_trials", refuse)


def assert_same_tables(a: Catalog, b: Catalog) -> None:
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))


def test_first_load_builds_and_writes_a_snapshot(data_dir: Path) -> None:
    cat = load_catalog(data_dir)
    assert cat.trials["id"].tolist() == ["LOCAL-ALS", "LOCAL-CP"]
    assert cat.fingerprint == fingerprint(data_dir)
    assert cat.problems == ()
    (snap,) = snapshots(data_dir)
    assert snap.name == f"v{SNAPSHOT_VERSION}-{cat.fingerprint}"
    assert sorted(p.name for p in snap.iterdir()) == sorted(
        [f"{name}.arrow" for name in (*TABLES, "ranked")]
        + ["index.arrow", "records.bin", "meta.json"]
    )
    # the curated site without coordinates is placed at Hanoi
    site_row = cat.sites.set_index("trial_id").loc["LOCAL-CP"]
    assert bool(site_row["approximate"]) is True
    assert site_row["country_key"] == "Vietnam"


def test_second_load_reads_the_snapshot(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = load_catalog(data_dir)
    forbid_parsing(monkeypatch)
    second = load_catalog(data_dir)
    assert_same_tables(first, second)
    assert second.built_at == first.built_at
    assert second.fingerprint == first.fingerprint
    assert second.trial("LOCAL-CP") == first.trial("LOCAL-CP")
    assert second.trial("LOCAL-CP").sites[0].city == "Hanoi"


def test_editing_a_data_file_rebuilds_and_removes_the_old_snapshot(data_dir: Path) -> None:
    first = load_catalog(data_dir)
    (old,) = snapshots(data_dir)
    path = data_dir / "trials" / "LOCAL-CP.yaml"
    path.write_text(CP_YAML.replace("Home exercises", "Daily home exercises"), encoding="utf-8")
    second = load_catalog(data_dir)
    assert second.fingerprint != first.fingerprint
    assert second.trials.set_index("id").loc["LOCAL-CP", "title"].startswith("Daily")
    (new,) = snapshots(data_dir)
    assert new != old and not old.exists()


def test_a_rewrite_of_the_same_size_also_rebuilds(data_dir: Path) -> None:
    first = load_catalog(data_dir)
    path = data_dir / "trials" / "LOCAL-CP.yaml"
    path.write_text(CP_YAML.replace("2025-01-02", "2025-01-03"), encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    second = load_catalog(data_dir)
    assert second.fingerprint != first.fingerprint
    assert second.trials.set_index("id").loc["LOCAL-CP", "last_update"] == "2025-01-03"


def test_adding_and_removing_a_file_rebuilds(data_dir: Path) -> None:
    load_catalog(data_dir)
    extra = data_dir / "trials" / "LOCAL-NEW.yaml"
    extra.write_text("id: LOCAL-NEW\ntitle: New\nstatus: recruiting\n", encoding="utf-8")
    assert "LOCAL-NEW" in load_catalog(data_dir).trials["id"].tolist()
    extra.unlink()
    assert "LOCAL-NEW" not in load_catalog(data_dir).trials["id"].tolist()
    assert len(snapshots(data_dir)) == 1


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("trials.arrow", b"this is not arrow"),
        ("sites.arrow", b""),
        ("index.arrow", b"ARROW1 but not really"),
        ("records.bin", b"short"),
        ("meta.json", b"{not json"),
        ("meta.json", b'{"version": "0"}'),
        ("meta.json", b"\xff\xfe garbage"),
    ],
)
def test_a_corrupt_snapshot_is_rebuilt(data_dir: Path, name: str, content: bytes) -> None:
    first = load_catalog(data_dir)
    (snap,) = snapshots(data_dir)
    (snap / name).write_bytes(content)
    again = load_catalog(data_dir)
    assert_same_tables(first, again)
    (rebuilt,) = snapshots(data_dir)
    assert rebuilt == snap
    assert_same_tables(first, read_snapshot(rebuilt))  # the snapshot is whole again


def test_a_snapshot_missing_a_table_is_rebuilt(data_dir: Path) -> None:
    first = load_catalog(data_dir)
    (snap,) = snapshots(data_dir)
    (snap / "terms.arrow").unlink()
    assert_same_tables(first, load_catalog(data_dir))
    assert (snap / "terms.arrow").exists()


def test_problems_survive_the_snapshot(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (data_dir / "trials" / "BROKEN.yaml").write_text(
        "id: BROKEN\ntitel: misspelt key\n", encoding="utf-8"
    )
    first = load_catalog(data_dir)
    assert len(first.problems) == 1
    (problem,) = first.problems
    assert problem.file.endswith("BROKEN.yaml") and "titel" in problem.message
    assert "BROKEN" not in first.trials["id"].tolist()
    forbid_parsing(monkeypatch)
    assert load_catalog(data_dir).problems == first.problems


def test_without_snapshot_nothing_is_written(data_dir: Path) -> None:
    cat = load_catalog(data_dir, use_snapshot=False)
    assert len(cat) == 2
    assert not (data_dir / SNAPSHOT).exists()


def test_a_data_dir_that_cannot_be_written_still_serves(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def cannot_write(*args, **kwargs):
        raise PermissionError("read-only file system")

    monkeypatch.setattr(trialfinder.catalog, "build_snapshot", cannot_write)
    cat = load_catalog(data_dir)
    assert cat.trials["id"].tolist() == ["LOCAL-ALS", "LOCAL-CP"]
    assert snapshots(data_dir) == []


def test_an_empty_data_dir(tmp_path: Path) -> None:
    cat = load_catalog(tmp_path)
    assert len(cat) == 0 and cat.problems == ()


def test_writing_a_snapshot_that_another_process_published_first(tmp_path: Path) -> None:
    cat = catalog_of(cerebral_palsy_hanoi(), approximate_da_nang(), unknown_city())
    target = tmp_path / "snap" / "v1-abc"
    write_snapshot(cat, target)
    write_snapshot(cat, target)  # the second writer finds it there: no error
    assert [p.name for p in target.parent.iterdir()] == ["v1-abc"]  # no staging left behind
    again = read_snapshot(target)
    assert_same_tables(cat, again)
    assert again.trial("DA-NANG") == approximate_da_nang()


def test_sites_of_some_trials(catalog: Catalog) -> None:
    wanted = ["MIXED-SITES", "CP-HANOI", "UNKNOWN-ID"]
    expected = catalog.sites.loc[catalog.sites["trial_id"].isin(wanted)]
    pd.testing.assert_frame_equal(catalog.sites_of(wanted), expected)
    assert catalog.sites_of([]).empty


# --- the streaming build, alone and with worker processes ------------------------------


def messy_data_dir(root: Path) -> Path:
    """Every case the reader must decide the way load_trials does: a trial in two
    sources (the newer kept), two copies in one source, a file in the wrong folder,
    an unreadable file, a record named after another id, a curated overlay and a
    curated-only trial, among plenty of plain ones."""
    from tests.store.test_layout import dated, publish_source, put_curated, put_registry, study

    publish_source(root, "cp", [dated("NCT09920001", "2025-03-01", "COMPLETED")])
    for n in range(2, 40):
        put_registry(
            root, f"NCT099200{n:02d}", dated(f"NCT099200{n:02d}", f"2025-01-{n % 28 + 1:02d}")
        )
    put_registry(root, "NCT09920001", dated("NCT09920001", "2025-01-01"))
    source = root / "registry" / "imported"
    put_registry(root, "NCT09920003", where=source / "AAAAAA" / "NCT09920003.json")
    put_registry(root, "NCT09920050", where=source / "misc" / "NCT09920050.json")
    put_registry(root, "NCT09920051", b"{not json", where=source / "NCT099" / "NCT09920051.json")
    put_registry(
        root, "NCT09920052", study("NCT09920053"), where=source / "NCT099" / "NCT09920052.json"
    )
    put_curated(
        root, "NCT09920004", "id: NCT09920004\nplain_title: Plain words\nstatus: completed\n"
    )
    put_curated(root, "LOCAL-ONLY", "id: LOCAL-ONLY\ntitle: Known from a leaflet\n")
    return root


def test_the_stream_yields_what_load_trials_loads(tmp_path: Path) -> None:
    from trialfinder.store.reading import iter_trials, load_trials

    data = messy_data_dir(tmp_path)
    loaded = load_trials(data)
    streamed = list(iter_trials(data))
    problems = [p for p in streamed if isinstance(p, DataProblem)]
    trials = sorted((t for t in streamed if not isinstance(t, DataProblem)), key=lambda t: t.id)
    assert trials == loaded.trials
    assert problems == loaded.problems and len(problems) == 4


def test_a_build_by_worker_processes_is_the_same_catalog(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from trialfinder.store.reading import load_trials

    data = messy_data_dir(tmp_path)
    alone = load_catalog(data, use_snapshot=False)
    monkeypatch.setattr(workers_module, "PARALLEL_FILES", 1)
    monkeypatch.setattr(workers_module, "PART_FILES", 7)  # several parts a source
    monkeypatch.setattr(workers_module, "_workers", lambda: 2)
    built = load_catalog(data)
    assert_same_tables(alone, built)
    pd.testing.assert_frame_equal(alone.search.ranked.to_pandas(), built.search.ranked.to_pandas())
    assert built.problems == alone.problems == tuple(load_trials(data).problems)
    for expected in load_trials(data).trials:
        assert built.trial(expected.id) == expected
    (snap,) = snapshots(data)
    assert not [p for p in snap.iterdir() if p.name.startswith(".")]  # no parts left


def test_rows_of_the_ranked_table_read_through_codes_are_the_rows() -> None:
    many = [
        trial(f"T{n:03d}", status=("RECRUITING", "COMPLETED", None)[n % 3], last_update=None)
        for n in range(64)
    ]
    cat = catalog_of(*many, *all_trials())
    index = cat.search
    assert {"overall_status", "study_type", "sex"} <= set(index.ranked_codes)
    mask = np.arange(len(cat)) % 3 == 1
    indices = np.array([5, 0, 70, 3, 3])
    assert index.ranked_rows(mask).equals(index.ranked.filter(pa.array(mask)))
    assert index.ranked_rows(indices).equals(index.ranked.take(pa.array(indices)))
    assert index.ranked_rows(None).equals(index.ranked)
    assert index.ranked_rows(np.zeros(0, dtype=np.int64)).num_rows == 0
