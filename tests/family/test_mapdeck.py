"""The site map's deck, built from fixture tables."""

import json

import numpy as np
import pandas as pd

from trialfinder.catalog import build_catalog
from trialfinder.family.mapdeck import (
    GRID_LEGEND,
    LEGEND,
    SITES_LAYER,
    STATUS_COLOURS,
    LandFolder,
    build_site_map,
    fit_view,
)
from trialfinder.geo import resolve_place
from trialfinder.model import Site, Trial

HANOI = Trial(
    id="TF-HANOI",
    brief_title="<script>alert(1)</script> cells",
    sites=(
        Site(
            facility="Children's Hospital",
            city="Hanoi",
            country="Vietnam",
            status="RECRUITING",
            lat=21.02,
            lon=105.84,
        ),
        Site(
            facility="Rehab Centre",
            city="Hanoi",
            country="Vietnam",
            status="COMPLETED",
            lat=21.05,
            lon=105.80,
        ),
        Site(facility="No coordinates", city="Hanoi", country="Vietnam"),
        Site(facility="Nowhere", city="Xyzzyville", country="Atlantis Republic"),
    ),
)
SAME_SITE = Trial(
    id="TF-SAME",
    brief_title="Second trial at the hospital",
    sites=(
        Site(
            facility="Children's Hospital",
            city="Hanoi",
            country="Vietnam",
            status="NOT_YET_RECRUITING",
            lat=21.02,
            lon=105.84,
        ),
    ),
)


def _map(*trials, **kwargs):
    catalog = build_catalog(list(trials))
    titles = catalog.trials.set_index("id")["title"]
    return build_site_map(catalog.sites, titles, **kwargs), catalog


def _layer(deck, layer_id):
    return next(layer for layer in json.loads(deck.to_json())["layers"] if layer["id"] == layer_id)


def test_each_site_at_its_own_coordinates_coloured_by_its_own_status() -> None:
    site_map, _ = _map(HANOI, SAME_SITE)
    points = site_map.points.set_index(["lat", "lon"])
    assert len(site_map.points) == 3  # two exact sites + one placed at its city
    hospital = points.loc[(21.02, 105.84)]
    # The hospital hosts both trials; the dot takes the most open status.
    assert hospital["status"] == "RECRUITING"
    assert hospital["trial_ids"] == ["TF-HANOI", "TF-SAME"]
    assert tuple(hospital["colour"][:3]) == STATUS_COLOURS["RECRUITING"]
    rehab = points.loc[(21.05, 105.80)]
    assert tuple(rehab["colour"][:3]) == STATUS_COLOURS["COMPLETED"]


def test_approximate_sites_are_marked_and_unplaced_ones_counted() -> None:
    site_map, _ = _map(HANOI)
    approx = site_map.points.loc[site_map.points["approximate"]]
    assert len(approx) == 1
    assert "Approximate location" in approx.iloc[0]["tooltip"]
    assert site_map.n_approximate == 1
    assert site_map.n_unplaced == 1
    assert site_map.n_sites == 4


def test_tooltip_is_plain_text_naming_facility_status_and_trials() -> None:
    site_map, _ = _map(HANOI, SAME_SITE)
    assert site_map.tooltip == {"text": "{tooltip}"}  # never "html": text cannot become markup
    hospital = site_map.points.loc[site_map.points["lat"] == 21.02].iloc[0]["tooltip"]
    assert hospital.splitlines()[1] == "Children's Hospital, Hanoi, Vietnam"
    assert "TF-HANOI: <script>alert(1)</script> cells (site status: Recruiting)" in hospital
    assert "TF-SAME: Second trial at the hospital (site status: Not yet recruiting)" in hospital


def test_record_text_that_looks_like_deck_code_stays_words() -> None:
    """deck.gl reads a string beginning "@@=" as an expression, wherever it stands: a
    facility a record names so must reach the browser as words."""
    hostile = Trial(
        id="TF-CODE",
        brief_title="@@=title",
        sites=(
            Site(
                facility="@@=window.alert(1)", city="Hanoi", country="Vietnam", lat=21.0, lon=105.8
            ),
        ),
    )
    site_map, _ = _map(hostile)

    def strings(node):
        if isinstance(node, str):
            yield node
        elif isinstance(node, dict):
            for value in node.values():
                yield from strings(value)
        elif isinstance(node, list):
            for value in node:
                yield from strings(value)

    sites = _layer(site_map.deck, "sites")
    assert not [t for t in strings(sites["data"]) if t.startswith("@@")]
    shown = "\n".join(strings(sites["data"])).replace("\u2060", "")
    assert "@@=window.alert(1), Hanoi, Vietnam" in shown


def test_sites_at_the_same_coordinates_share_one_dot() -> None:
    twin = Trial(
        id="TF-TWIN",
        brief_title="Twin",
        sites=(
            Site(facility="Other clinic", city="Hanoi", country="Vietnam", lat=21.02, lon=105.84),
        ),
    )
    site_map, _ = _map(SAME_SITE, twin)
    assert len(site_map.points) == 1
    tooltip = site_map.points.iloc[0]["tooltip"].splitlines()
    assert tooltip[:3] == [
        "2 sites at this spot, of 2 trials",
        "Children's Hospital, Hanoi, Vietnam",
        "Other clinic, Hanoi, Vietnam",
    ]
    assert site_map.points.iloc[0]["trial_ids"] == ["TF-SAME", "TF-TWIN"]
    # One dot, bigger, with the number on it (drawn from data by a TextLayer).
    assert site_map.points.iloc[0]["radius"] > _layer(site_map.deck, SITES_LAYER)["radiusMinPixels"]
    counts = _layer(site_map.deck, "counts")
    assert counts["@@type"] == "TextLayer"
    assert counts["data"] == [{"lat": 21.02, "lon": 105.84, "count": "2"}]


def test_a_lone_site_has_no_number_and_one_trial_with_sites_on_one_spot_says_so() -> None:
    lone, _ = _map(SAME_SITE)
    assert "counts" not in {layer["id"] for layer in json.loads(lone.deck.to_json())["layers"]}
    assert not lone.points.iloc[0]["tooltip"].startswith("1 site")
    three = Trial(
        id="TF-THREE",
        brief_title="Three wards",
        sites=tuple(Site(facility=f"Ward {n}", city="Hanoi", country="Vietnam") for n in range(3)),
    )
    grouped, _ = _map(three)
    first = grouped.points.iloc[0]
    assert first["n_sites"] == 3 and first["n_trials"] == 1 and first["approximate"]
    assert first["tooltip"].splitlines()[0] == "3 sites at this spot, of 1 trial"
    assert _layer(grouped.deck, "counts")["data"][0]["count"] == "3"


def test_view_fits_the_sites_and_the_circle_around_the_place() -> None:
    site_map, _ = _map(HANOI)
    view = json.loads(site_map.deck.to_json())["initialViewState"]
    assert 20.5 < view["latitude"] < 21.5 and 105.3 < view["longitude"] < 106.3
    assert view["zoom"] >= 8
    wide = fit_view(np.array([21.0]), np.array([105.8]), resolve_place("Hanoi"), 300)
    assert wide.zoom < view["zoom"]
    world = fit_view(np.array([-33.9, 64.1]), np.array([151.2, -21.9]))
    assert world.zoom <= 2


def test_near_place_is_marked_with_its_radius() -> None:
    site_map, _ = _map(HANOI, place=resolve_place("Hanoi"), radius_km=25)
    place = _layer(site_map.deck, "place")
    assert place["data"][0]["radius"] == 25_000
    assert place["data"][0]["lat"] == resolve_place("Hanoi").lat


def test_base_layer_is_shipped_outlines_and_no_basemap() -> None:
    site_map, _ = _map(HANOI)
    deck = json.loads(site_map.deck.to_json())
    # pydeck's sentinel: Streamlit then draws no basemap; a missing or empty
    # mapStyle would make it fetch Carto's style from the internet.
    assert deck["mapStyle"] == "__MAP_STYLE__"
    assert "mapProvider" not in deck
    countries = _layer(site_map.deck, "countries")
    names = {f["properties"]["name"] for f in countries["data"]["features"]}
    assert {"Vietnam", "Thailand", "France"} <= names
    assert _layer(site_map.deck, SITES_LAYER)["pickable"] is True


def test_a_configured_basemap_is_used() -> None:
    style = "https://tiles.example.test/style.json"
    site_map, _ = _map(HANOI, basemap_style=style)
    deck = json.loads(site_map.deck.to_json())
    assert deck["mapStyle"] == style and deck["mapProvider"] == "carto"


def test_above_the_threshold_sites_are_counted_in_cells() -> None:
    rng = np.random.default_rng(7)
    n = 3000
    sites = pd.DataFrame(
        {
            "trial_id": [f"T{i % 900}" for i in range(n)],
            "facility": [f"F{i}" for i in range(n)],
            "city": "X",
            "country": "Y",
            "status": rng.choice(["RECRUITING", "COMPLETED"], n),
            "lat": rng.uniform(-40, 60, n),
            "lon": rng.uniform(-120, 140, n),
            "approximate": False,
        }
    )
    titles = pd.Series({f"T{i}": f"Title {i}" for i in range(900)})
    aggregated = build_site_map(sites, titles, max_points=500)
    assert aggregated.aggregated
    assert aggregated.points["n_sites"].sum() == n
    assert len(aggregated.points) < n
    assert all("sites of" in t for t in aggregated.points["tooltip"])
    # The squares' two colours are the ones the map of squares' legend explains.
    grid_colours = {colour for _, colour in GRID_LEGEND}
    assert {tuple(c[:3]) for c in aggregated.points["colour"]} == grid_colours
    detailed = build_site_map(sites, titles, max_points=5000)
    assert not detailed.aggregated and len(detailed.points) == n
    assert len(aggregated.deck.to_json()) < len(detailed.deck.to_json())


def _cells_the_slow_way(sites: pd.DataFrame, cell: float) -> set[tuple]:
    keyed = sites.assign(
        x=np.floor(sites["lon"] / cell), y=np.floor(sites["lat"] / cell), open=sites["status"]
    )
    keyed["open"] = keyed["status"].isin(["RECRUITING", "NOT_YET_RECRUITING"])
    grouped = keyed.groupby(["x", "y"]).agg(
        lat=("lat", "mean"),
        lon=("lon", "mean"),
        n_sites=("trial_id", "size"),
        n_trials=("trial_id", "nunique"),
        n_open=("open", "sum"),
    )
    return {
        (round(r.lat, 9), round(r.lon, 9), r.n_sites, r.n_trials, r.n_open)
        for r in grouped.itertuples()
    }


def test_cells_count_each_trial_once_however_its_sites_are_ordered() -> None:
    rng = np.random.default_rng(11)
    n = 5000
    # Trials in runs (as the catalog gives them), one trial split over two runs, and
    # a shuffled copy: every order must count the same trials in each cell.
    ids = np.repeat([f"T{i}" for i in range(700)], rng.integers(1, 15, 700))[:n]
    ids[-40:] = "T0"
    sites = pd.DataFrame(
        {
            "trial_id": pd.array(ids, dtype="str"),
            "facility": "F",
            "city": "X",
            "country": "Y",
            "status": rng.choice(["RECRUITING", "NOT_YET_RECRUITING", "COMPLETED", None], len(ids)),
            "lat": rng.uniform(-50, 70, len(ids)),
            "lon": rng.uniform(-170, 170, len(ids)),
            "approximate": False,
        }
    )
    shuffled = sites.sample(frac=1.0, random_state=3).reset_index(drop=True)
    for frame in (sites, shuffled):
        built = build_site_map(frame, pd.Series(dtype=str), max_points=100)
        assert built.aggregated
        span = max(frame["lat"].max() - frame["lat"].min(), frame["lon"].max() - frame["lon"].min())
        got = {
            (round(r.lat, 9), round(r.lon, 9), r.n_sites, r.n_trials, r.n_open)
            for r in built.points.itertuples()
        }
        assert got == _cells_the_slow_way(frame, max(span / 60.0, 0.05))
        # Told each site's trial as an integer (as the catalog's index knows it), the
        # cells are the same.
        codes = pd.factorize(frame["trial_id"])[0] + 1000
        told = build_site_map(frame, pd.Series(dtype=str), max_points=100, trial_of=codes)
        assert told.points.equals(built.points)
        unplaced = frame.assign(lat=frame["lat"].where(frame.index >= 50))
        alone = build_site_map(unplaced, pd.Series(dtype=str), max_points=100)
        told = build_site_map(unplaced, pd.Series(dtype=str), max_points=100, trial_of=codes)
        assert told.n_unplaced == alone.n_unplaced == 50
        assert told.points.equals(alone.points)
        opened = built.points["n_open"] > 0
        assert (built.points.loc[opened, "status"] == "RECRUITING").all()
        assert built.points.loc[~opened, "status"].isna().all()


def test_legend_covers_every_colour() -> None:
    assert {colour for _, colour in LEGEND} == set(STATUS_COLOURS.values())


def test_city_names_around_the_sites_in_the_page_language() -> None:
    near = resolve_place("Hanoi")
    english, _ = _map(HANOI, place=near, radius_km=50)
    names = _layer(english.deck, "place-names")
    assert names["@@type"] == "TextLayer" and names["characterSet"] == "auto"
    shown = {row["name"]: row for row in names["data"]}
    assert shown["Hanoi"]["has_sites"] is True
    assert "Bắc Ninh" in shown  # a neighbouring city, not only the one with the sites
    assert len(shown) >= 5
    vietnamese, _ = _map(HANOI, place=near, radius_km=50, lang="vi")
    shown_vi = [row["name"] for row in _layer(vietnamese.deck, "place-names")["data"]]
    assert "Hà Nội" in shown_vi and "Hanoi" not in shown_vi


def test_outlines_are_served_pictures_and_the_deck_stays_small(tmp_path) -> None:
    land = LandFolder(tmp_path / "maps", "app/static/maps")
    site_map, _ = _map(HANOI, land=land)
    deck = json.loads(site_map.deck.to_json())
    pictures = [layer for layer in deck["layers"] if layer["@@type"] == "BitmapLayer"]
    assert [p["id"] for p in pictures] == ["land-0", "land-1"]  # the world, then the region
    for picture in pictures:
        name = picture["image"].removeprefix("app/static/maps/")
        assert picture["image"] == f"app/static/maps/{name}"
        assert (tmp_path / "maps" / name).read_bytes().startswith(b"\x89PNG")
    west, south, east, north = pictures[1]["bounds"]
    assert west < 105.84 < east and south < 21.02 < north
    assert "countries" not in {layer["id"] for layer in deck["layers"]}
    assert len(site_map.deck.to_json()) < 20_000  # no GeoJSON inside


def test_a_tile_basemap_replaces_the_outlines(tmp_path) -> None:
    land = LandFolder(tmp_path / "maps", "app/static/maps")
    site_map, _ = _map(HANOI, basemap_style="https://tiles.example.test/style.json", land=land)
    kinds = {layer["@@type"] for layer in json.loads(site_map.deck.to_json())["layers"]}
    assert "BitmapLayer" not in kinds and "GeoJsonLayer" not in kinds
    assert not (tmp_path / "maps").exists()
