"""The map of trial sites as a pydeck Deck, built from the catalog's tables.

- Every site at its own coordinates, coloured by the site's own status in the
  Okabe-Ito palette (told apart with the common kinds of colour blindness).
- Sites the record gives no coordinates for sit at their city (from the
  gazetteer) and say "approximate"; sites with no known place are counted.
- Above :data:`MAX_POINTS` locations the sites are aggregated into grid cells
  with counts, so the deck stays small whatever the filter.
- The base layer is country outlines shipped with the project: no tile
  server, no network. Tooltips are plain text (deck.gl's ``text`` tooltip),
  so trial text can never become markup.
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pydeck as pdk

from trialfinder import i18n, plain
from trialfinder.geo import Place
from trialfinder.i18n import N_

ASSETS = Path(__file__).parent / "assets"
MAX_POINTS = 4000
TRIALS_PER_TOOLTIP = 5
SITES_LAYER = "sites"
#: The ring marking the place a view is near, in pixels (larger than a site's dot).
PLACE_MARK_PIXELS = 10
TOOLTIP = {"text": "{tooltip}"}

#: Okabe-Ito colours by a site's own status (registry names); None is unknown.
STATUS_COLOURS: dict[str | None, tuple[int, int, int]] = {
    "RECRUITING": (0, 158, 115),
    "NOT_YET_RECRUITING": (86, 180, 233),
    "ENROLLING_BY_INVITATION": (0, 114, 178),
    "AVAILABLE": (0, 114, 178),
    "ACTIVE_NOT_RECRUITING": (230, 159, 0),
    "COMPLETED": (204, 121, 167),
    "SUSPENDED": (213, 94, 0),
    "TERMINATED": (213, 94, 0),
    "WITHDRAWN": (213, 94, 0),
    None: (110, 110, 110),
}
#: What the legend shows: (words, colour), one line a colour.
LEGEND: tuple[tuple[str, tuple[int, int, int]], ...] = (
    (N_("Recruiting"), STATUS_COLOURS["RECRUITING"]),
    (N_("Not yet recruiting"), STATUS_COLOURS["NOT_YET_RECRUITING"]),
    (N_("Enrolling by invitation / available"), STATUS_COLOURS["ENROLLING_BY_INVITATION"]),
    (N_("Active, not recruiting"), STATUS_COLOURS["ACTIVE_NOT_RECRUITING"]),
    (N_("Completed"), STATUS_COLOURS["COMPLETED"]),
    (N_("Suspended, terminated or withdrawn"), STATUS_COLOURS["SUSPENDED"]),
    (N_("Site status unknown"), STATUS_COLOURS[None]),
)
#: When several trials share a site, the dot shows the most open status.
_STATUS_ORDER = {s: i for i, s in enumerate(STATUS_COLOURS)}


def colour_of(status: str | None) -> tuple[int, int, int]:
    return STATUS_COLOURS.get(status, STATUS_COLOURS[None])


class CompactDeck(pdk.Deck):
    """A Deck whose JSON has no indentation: pydeck indents, which doubles the
    bytes Streamlit sends to the browser."""

    def to_json(self) -> str:
        return json.dumps(json.loads(super().to_json()), separators=(",", ":"))


@dataclass(frozen=True)
class SiteMap:
    """A deck and the facts the page states beside it."""

    deck: CompactDeck
    #: One row a drawn location (or grid cell when aggregated).
    points: pd.DataFrame
    n_sites: int
    n_unplaced: int
    n_approximate: int
    aggregated: bool
    #: deck.gl's tooltip spec: always ``text`` (shown as text), never ``html``.
    tooltip: dict[str, str]


@functools.cache
def countries_geojson() -> dict[str, Any]:
    """Country outlines as GeoJSON, decoded from the shipped TopoJSON and cut
    at the antimeridian so they draw on a flat map."""
    topology = json.loads((ASSETS / "countries-110m.topo.json").read_text(encoding="utf-8"))
    return flat_features(topojson_features(topology, "countries"))


def topojson_features(topology: dict[str, Any], name: str) -> dict[str, Any]:
    """Decode one TopoJSON object (quantized, delta-encoded arcs) to a FeatureCollection."""
    scale_x, scale_y = topology["transform"]["scale"]
    shift_x, shift_y = topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        points = np.cumsum(np.asarray(arc, dtype=float), axis=0)
        points[:, 0] = points[:, 0] * scale_x + shift_x
        points[:, 1] = points[:, 1] * scale_y + shift_y
        arcs.append(np.round(points, 3).tolist())

    def ring(indexes: list[int]) -> list[list[float]]:
        coords: list[list[float]] = []
        for index in indexes:
            arc = arcs[index] if index >= 0 else arcs[~index][::-1]
            coords.extend(arc if not coords else arc[1:])
        return coords

    features = []
    for geometry in topology["objects"][name]["geometries"]:
        kind = geometry.get("type")
        if kind == "Polygon":
            coordinates = [ring(r) for r in geometry["arcs"]]
        elif kind == "MultiPolygon":
            coordinates = [[ring(r) for r in polygon] for polygon in geometry["arcs"]]
        else:
            continue
        features.append(
            {
                "type": "Feature",
                "properties": {"name": geometry.get("properties", {}).get("name", "")},
                "geometry": {"type": kind, "coordinates": coordinates},
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _crosses(ring: list[list[float]]) -> bool:
    return any(abs(a[0] - b[0]) > 180 for a, b in zip(ring, ring[1:], strict=False))


def _clip(ring: list[list[float]], edge: float, keep_west: bool) -> list[list[float]]:
    """The part of a closed ring on one side of the meridian ``edge`` (Sutherland-Hodgman)."""

    def inside(point: list[float]) -> bool:
        return point[0] <= edge if keep_west else point[0] >= edge

    def crossing(a: list[float], b: list[float]) -> list[float]:
        t = (edge - a[0]) / (b[0] - a[0])
        return [edge, round(a[1] + t * (b[1] - a[1]), 3)]

    out: list[list[float]] = []
    for previous, current in zip(ring[-1:] + ring[:-1], ring, strict=True):
        if inside(current):
            if not inside(previous):
                out.append(crossing(previous, current))
            out.append(current)
        elif inside(previous):
            out.append(crossing(previous, current))
    if out and out[0] != out[-1]:
        out.append(out[0])
    return out


def flat_rings(ring: list[list[float]]) -> list[list[list[float]]]:
    """A ring as rings that draw on a flat (Web Mercator) map.

    The outlines are made for a globe: a ring that crosses the antimeridian
    jumps from 180 to -180 degrees, which a flat map draws as a band across
    the world. Such a ring is cut into its pieces east and west of the line.
    A ring around a pole (Antarctica) is closed along the pole instead, where
    a flat map does not show it.
    """
    if not _crosses(ring):
        return [ring]
    unwrapped = [ring[0]]
    for lon, lat in ring[1:]:
        previous = unwrapped[-1][0]
        lon += 360 * round((previous - lon) / 360)
        unwrapped.append([lon, lat])
    if abs(unwrapped[-1][0] - unwrapped[0][0]) > 180:  # it winds around a pole
        pole = 90.0 if sum(p[1] for p in ring) > 0 else -90.0
        closed: list[list[float]] = [ring[0]]
        for point in ring[1:]:
            if abs(point[0] - closed[-1][0]) > 180:
                closed += [[closed[-1][0], pole], [point[0], pole]]
            closed.append(point)
        return [closed]
    pieces = []
    for shift in (0, 360, -360):
        shifted = [[lon + shift, lat] for lon, lat in unwrapped]
        piece = _clip(_clip(shifted, 180.0, keep_west=True), -180.0, keep_west=False)
        if len(piece) >= 4:
            pieces.append(piece)
    return pieces


def flat_features(collection: dict[str, Any]) -> dict[str, Any]:
    """A FeatureCollection whose polygons draw on a flat map (see :func:`flat_rings`)."""
    features = []
    for feature in collection["features"]:
        geometry = feature["geometry"]
        polygons = (
            [geometry["coordinates"]]
            if geometry["type"] == "Polygon"
            else list(geometry["coordinates"])
        )
        flat: list[list[list[list[float]]]] = []
        for outer, *holes in polygons:
            pieces = flat_rings(outer)
            if len(pieces) == 1:
                flat.append([pieces[0], *(h for hole in holes for h in flat_rings(hole))])
            else:  # cut in two: a hole would belong to one piece only (none at this scale)
                flat.extend([piece] for piece in pieces)
        geometry = (
            {"type": "Polygon", "coordinates": flat[0]}
            if len(flat) == 1
            else {"type": "MultiPolygon", "coordinates": flat}
        )
        features.append({**feature, "geometry": geometry})
    return {"type": "FeatureCollection", "features": features}


def _site_line(row: pd.Series) -> str:
    return ", ".join(str(v) for v in (row["facility"], row["city"], row["country"]) if pd.notna(v))


def _locations(sites: pd.DataFrame, titles: pd.Series) -> pd.DataFrame:
    """One row a location (sites at the same coordinates share a dot): the
    trials there, the most open site status, and the tooltip text."""
    frame = sites.assign(
        _rank=sites["status"].map(lambda s: _STATUS_ORDER.get(s if pd.notna(s) else None, 99)),
        _title=sites["trial_id"].map(titles),
    )
    rows = []
    for (lat, lon), group in frame.groupby(["lat", "lon"], sort=False):
        group = group.sort_values("_rank", kind="stable")
        first = group.iloc[0]
        status = first["status"] if pd.notna(first["status"]) else None
        approximate = bool(group["approximate"].any())
        places = list(
            dict.fromkeys(_site_line(r) or i18n._("Place not named") for _, r in group.iterrows())
        )
        lines = places[:3] + (
            [i18n._("and {n} more sites here").format(n=len(places) - 3)] if len(places) > 3 else []
        )
        if approximate:
            lines.append(i18n._("Approximate location: placed at the city centre"))
        shown = group.drop_duplicates("trial_id")
        for _, site in shown.head(TRIALS_PER_TOOLTIP).iterrows():
            own = (
                plain.status_words(site["status"]) if pd.notna(site["status"]) else plain.unknown()
            )
            lines.append(
                i18n._("{id}: {title} (site status: {status})").format(
                    id=site["trial_id"], title=site["_title"], status=own
                )
            )
        if len(shown) > TRIALS_PER_TOOLTIP:
            lines.append(i18n._("and {n} more trials").format(n=len(shown) - TRIALS_PER_TOOLTIP))
        rows.append(
            {
                "lat": float(lat),
                "lon": float(lon),
                "status": status,
                "colour": [*colour_of(status), 150 if approximate else 230],
                "approximate": approximate,
                "trial_ids": shown["trial_id"].tolist(),
                "n_trials": len(shown),
                "places": places,
                "tooltip": "\n".join(lines),
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "lat",
            "lon",
            "status",
            "colour",
            "approximate",
            "trial_ids",
            "n_trials",
            "places",
            "tooltip",
        ],
    )


def _grid(sites: pd.DataFrame, cell_degrees: float) -> pd.DataFrame:
    """Sites counted in square cells (vectorized: fine for millions of sites)."""
    cells = sites.assign(
        _x=np.floor(sites["lon"].to_numpy(dtype=float) / cell_degrees).astype(np.int64),
        _y=np.floor(sites["lat"].to_numpy(dtype=float) / cell_degrees).astype(np.int64),
        _open=sites["status"].isin(["RECRUITING", "NOT_YET_RECRUITING"]).to_numpy(dtype=bool),
    )
    grouped = cells.groupby(["_x", "_y"], sort=False).agg(
        lat=("lat", "mean"),
        lon=("lon", "mean"),
        n_sites=("trial_id", "size"),
        n_trials=("trial_id", "nunique"),
        n_open=("_open", "sum"),
    )
    grouped = grouped.reset_index(drop=True)
    share_open = grouped["n_open"] / grouped["n_sites"]
    grouped["status"] = np.where(share_open > 0, "RECRUITING", None)
    grouped["colour"] = [
        [*colour_of("RECRUITING" if s > 0 else None), 200] for s in share_open.to_numpy()
    ]
    grouped["approximate"] = False
    grouped["trial_ids"] = [[] for _ in range(len(grouped))]
    grouped["places"] = [[] for _ in range(len(grouped))]
    grouped["tooltip"] = [
        f"{sites_:,} sites of {trials:,} trials here\n{opened:,} sites recruiting or about to"
        for sites_, trials, opened in zip(
            grouped["n_sites"], grouped["n_trials"], grouped["n_open"], strict=True
        )
    ]
    return grouped


def _more_locations_than(placed: pd.DataFrame, limit: int) -> bool:
    """Are there more than ``limit`` distinct locations (lat, lon)? The first rows
    often answer already: counting a million sites' locations took seconds."""
    if len(placed) <= limit:
        return False
    lat = placed["lat"].to_numpy(dtype=float)
    lon = placed["lon"].to_numpy(dtype=float)
    for rows in (8 * limit, len(placed)):
        # A complex number is a (lat, lon) pair that numpy compares whole.
        if len(np.unique(lat[:rows] + 1j * lon[:rows])) > limit:
            return True
    return False


def fit_view(lats: np.ndarray, lons: np.ndarray, place: Place | None = None, radius_km: float = 0):
    """A view that shows every point (and the circle around ``place``)."""
    lat_values = list(np.asarray(lats, dtype=float))
    lon_values = list(np.asarray(lons, dtype=float))
    if place is not None:
        dlat = radius_km / 111.0
        dlon = radius_km / (111.0 * max(math.cos(math.radians(place.lat)), 0.05))
        lat_values += [place.lat - dlat, place.lat + dlat]
        lon_values += [place.lon - dlon, place.lon + dlon]
    if not lat_values:
        return pdk.ViewState(latitude=20.0, longitude=0.0, zoom=1)
    south, north = min(lat_values), max(lat_values)
    west, east = min(lon_values), max(lon_values)
    span = max(north - south, (east - west) * 0.6, 0.05)
    zoom = max(0.5, min(11.0, math.log2(300.0 / span)))
    return pdk.ViewState(
        latitude=(south + north) / 2, longitude=(west + east) / 2, zoom=round(zoom, 2)
    )


def build_site_map(
    sites: pd.DataFrame,
    titles: pd.Series,
    place: Place | None = None,
    radius_km: float = 50.0,
    max_points: int = MAX_POINTS,
    basemap_style: str | None = None,
) -> SiteMap:
    """The deck for ``sites`` (rows of the catalog's sites table).

    ``titles`` maps trial id to title, for tooltips. ``basemap_style`` (a map
    style URL) adds a tile basemap; without it the deck draws none and asks
    nothing of any server.
    """
    known = (sites["lat"].notna() & sites["lon"].notna()).to_numpy(dtype=bool)
    placed = sites if known.all() else sites.loc[known]  # no copy of a whole registry
    n_unplaced = len(sites) - len(placed)
    aggregated = _more_locations_than(placed, max_points)
    if aggregated:
        span = max(
            float(placed["lat"].max() - placed["lat"].min()),
            float(placed["lon"].max() - placed["lon"].min()),
            1.0,
        )
        points = _grid(placed, cell_degrees=max(span / 60.0, 0.05))
    else:
        points = _locations(placed, titles)
    radius_pixels = "3 + Math.sqrt(n_trials) * 2" if aggregated else 6
    layers: list[pdk.Layer] = [
        pdk.Layer(
            "GeoJsonLayer",
            id="countries",
            data=countries_geojson(),
            stroked=True,
            filled=True,
            get_fill_color=[243, 241, 236],
            get_line_color=[140, 140, 140],
            line_width_min_pixels=1,
            pickable=False,
        )
    ]
    if place is not None:
        layers.append(
            pdk.Layer(
                "ScatterplotLayer",
                id="place",
                # The circle of the radius, then a small ring marking the place itself
                # (its radius 0 is drawn at radius_min_pixels, around a dot there).
                data=[
                    {"lat": place.lat, "lon": place.lon, "radius": radius_km * 1000},
                    {"lat": place.lat, "lon": place.lon, "radius": 0},
                ],
                get_position=["lon", "lat"],
                get_radius="radius",
                radius_min_pixels=PLACE_MARK_PIXELS,
                filled=False,
                stroked=True,
                get_line_color=[0, 0, 0, 160],
                line_width_min_pixels=2,
                pickable=False,
            )
        )
    layers.append(
        pdk.Layer(
            "ScatterplotLayer",
            id=SITES_LAYER,
            data=points.drop(columns=["trial_ids", "places"]).to_dict("records")
            if aggregated
            else points.to_dict("records"),
            get_position=["lon", "lat"],
            get_fill_color="colour",
            get_radius=1,
            # Quoted: pydeck reads a bare string as an expression ("@@=pixels"), and
            # deck.gl then measured the radius in world units (a 30-pixel blob in a city).
            radius_units="'pixels'",
            radius_min_pixels=radius_pixels if isinstance(radius_pixels, int) else 4,
            radius_max_pixels=30,
            stroked=True,
            get_line_color=[255, 255, 255],
            line_width_min_pixels=1,
            pickable=True,
        )
    )
    view = fit_view(points["lat"].to_numpy(), points["lon"].to_numpy(), place, radius_km)
    deck = CompactDeck(
        layers=layers,
        initial_view_state=view,
        # No map_style argument: pydeck's default sentinel tells Streamlit to draw
        # no basemap (map_style=None would fetch Carto's).
        **(
            {"map_provider": "carto", "map_style": basemap_style}
            if basemap_style
            else {"map_provider": None}
        ),
        tooltip=TOOLTIP,
    )
    return SiteMap(
        deck=deck,
        points=points,
        n_sites=len(sites),
        n_unplaced=n_unplaced,
        n_approximate=int(placed["approximate"].sum()) if len(placed) else 0,
        aggregated=aggregated,
        tooltip=TOOLTIP,
    )
