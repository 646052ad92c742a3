"""The map of trial sites as a pydeck Deck, built from the catalog's tables.

- Every site at its own coordinates, coloured by the site's own status in the
  Okabe-Ito palette (told apart with the common kinds of colour blindness).
- Sites the record gives no coordinates for sit at their city (from the
  gazetteer) and say "approximate"; sites with no known place are counted.
- Above :data:`MAX_POINTS` locations the sites are aggregated into grid cells
  with counts, so the deck stays small whatever the filter.
- Sites at one spot share one dot, which shows their number when they are
  several; the tooltip and the clicked list name them all.
- The base layer is country outlines shipped with the project, drawn as
  pictures the dashboard serves (:mod:`trialfinder.family.outlines`), with
  the names of the cities around the sites from the offline gazetteer
  (:mod:`trialfinder.family.placenames`): no tile server, no network.
  Tooltips are plain text (deck.gl's ``text`` tooltip), and names and counts
  are data of a TextLayer, so trial text can never become markup.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pydeck as pdk

from trialfinder import i18n, localized
from trialfinder.family import plain
from trialfinder.family.outlines import (
    BORDER_COLOUR,
    LAND_COLOUR,
    countries_geojson,
    land_images,
    write_land_image,
)
from trialfinder.family.placenames import place_names, site_place
from trialfinder.geo import Place
from trialfinder.i18n import N_, ngettext

MAX_POINTS = 4000
TRIALS_PER_TOOLTIP = 5
SITES_LAYER = "sites"
#: The ring marking the place a view is near, in pixels (larger than a site's dot).
PLACE_MARK_PIXELS = 14
TOOLTIP = {"text": "{tooltip}"}

#: Okabe-Ito colours by a site's own status (registry names); None: not given.
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
    (N_("Site status not given"), STATUS_COLOURS[None]),
)
#: What the legend shows when the sites are counted in squares (a big map): a
#: square's colour says only whether any site in it recruits or is about to.
GRID_LEGEND: tuple[tuple[str, tuple[int, int, int]], ...] = (
    (N_("Squares with a site recruiting or about to"), STATUS_COLOURS["RECRUITING"]),
    (N_("Squares with no site recruiting or about to"), STATUS_COLOURS[None]),
)
#: When several trials share a site, the dot shows the most open status.
_STATUS_ORDER = {s: i for i, s in enumerate(STATUS_COLOURS)}
#: The columns of a map's points (locations, or grid cells).
POINT_COLUMNS = (
    "lat",
    "lon",
    "status",
    "colour",
    "radius",
    "approximate",
    "trial_ids",
    "n_trials",
    "n_sites",
    "places",
    "tooltip",
)
#: The closest a fitted view comes (zoom about 8): a city and its neighbours.
MIN_SPAN_DEGREES = 1.0
#: A dot's radius in pixels: one site, or several at one spot (room for their number).
DOT_PIXELS = 6
GROUP_PIXELS = 10
TEXT_FONT = "'Source Sans Pro, Source Sans, Arial, sans-serif'"


@dataclass(frozen=True)
class LandFolder:
    """Where the outline pictures are written, and the address the browser
    reads them at (relative to the page: ``app/static/maps``)."""

    path: Path
    url: str


#: Site statuses a grid cell counts as open (recruiting or about to).
OPEN_STATUSES = ("RECRUITING", "NOT_YET_RECRUITING")


def colour_of(status: str | None) -> tuple[int, int, int]:
    return STATUS_COLOURS.get(status, STATUS_COLOURS[None])


#: Stands for the country outlines in a deck until its JSON is written (see CompactDeck).
COUNTRIES_MARK = "trialfinder:country-outlines"


class CompactDeck(pdk.Deck):
    """A Deck whose JSON has no indentation (pydeck indents, which doubles the
    bytes Streamlit sends to the browser) and whose country outlines are
    written once per process: pydeck walked their 200 KB on every map drawn,
    most of the time a page with a small map took."""

    def to_json(self) -> str:
        text = json.dumps(json.loads(super().to_json()), separators=(",", ":"))
        return text.replace(json.dumps(COUNTRIES_MARK), _countries_json(), 1)


@functools.cache
def _countries_json() -> str:
    return json.dumps(countries_geojson(), separators=(",", ":"))


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


def _texts(column: pd.Series) -> list[str | None]:
    """A text column as Python strings, None where missing (one conversion, not a
    lookup a row)."""
    return [None if pd.isna(v) else str(v) for v in column.tolist()]


#: deck.gl's JSON reader takes a string beginning with this for code ("@@=x" an
#: expression, "@@#" a constant), wherever it stands in the deck, data included.
DECK_CODE_PREFIX = "@@"


def inert(text: str) -> str:
    """Record text as plain data for deck.gl: a facility named "@@=..." stays words
    (a word joiner, which nobody sees, between the two "@")."""
    if text.startswith(DECK_CODE_PREFIX):
        return "@\u2060@" + text[2:]
    return text


def _site_lines(sites: pd.DataFrame) -> list[str]:
    parts = zip(
        _texts(sites["facility"]), _texts(sites["city"]), _texts(sites["country"]), strict=True
    )
    return [site_place(facility, city, None, country) for facility, city, country in parts]


def _locations(sites: pd.DataFrame, titles: Mapping[str, str]) -> pd.DataFrame:
    """One row a location (sites at the same coordinates share a dot): the
    trials there, the most open site status, and the tooltip text.

    Up to :data:`MAX_POINTS` locations, but possibly many more sites: the
    columns become Python lists once and each location is a list of row
    numbers, ordered by how open each site is (stable, so ties keep the
    table's order).
    """
    statuses = _texts(sites["status"])
    trial_ids = [str(v) for v in sites["trial_id"].tolist()]
    lines_of_site = _site_lines(sites)
    approximate = sites["approximate"].fillna(False).astype(bool).tolist()
    rank = [_STATUS_ORDER.get(s, 99) for s in statuses]
    rows_at: dict[tuple[float, float], list[int]] = {}
    for row, spot in enumerate(zip(sites["lat"].tolist(), sites["lon"].tolist(), strict=True)):
        rows_at.setdefault(spot, []).append(row)
    unnamed = i18n._("Place not named")
    approximate_line = i18n._("Approximate location: placed at the city centre")
    more_sites = i18n._("and {n} more sites here")
    trial_line = i18n._("{id}: {title} (site status: {status})")
    more_trials = i18n._("and {n} more trials")
    points = []
    for (lat, lon), rows in rows_at.items():
        rows.sort(key=rank.__getitem__)
        status = statuses[rows[0]]
        places = list(dict.fromkeys(lines_of_site[r] or unnamed for r in rows))
        first_row_of: dict[str, int] = {}
        for r in rows:
            first_row_of.setdefault(trial_ids[r], r)
        lines = [group_words(len(rows), len(first_row_of))] if len(rows) > 1 else []
        lines += places[:3]
        if len(places) > 3:
            lines.append(more_sites.format(n=localized.count(len(places) - 3)))
        is_approximate = any(approximate[r] for r in rows)
        if is_approximate:
            lines.append(approximate_line)
        for trial_id, r in list(first_row_of.items())[:TRIALS_PER_TOOLTIP]:
            own = plain.status_words(statuses[r]) if statuses[r] is not None else plain.not_given()
            title = titles.get(trial_id)
            lines.append(
                trial_line.format(id=trial_id, title=title if title is not None else "", status=own)
            )
        if len(first_row_of) > TRIALS_PER_TOOLTIP:
            lines.append(
                more_trials.format(n=localized.count(len(first_row_of) - TRIALS_PER_TOOLTIP))
            )
        points.append(
            {
                "lat": float(lat),
                "lon": float(lon),
                "status": status,
                "colour": [*colour_of(status), 150 if is_approximate else 230],
                "radius": GROUP_PIXELS if len(rows) > 1 else DOT_PIXELS,
                "approximate": is_approximate,
                "trial_ids": list(first_row_of),
                "n_trials": len(first_row_of),
                "n_sites": len(rows),
                "places": [inert(place) for place in places],
                "tooltip": inert("\n".join(lines)),
            }
        )
    return pd.DataFrame(points, columns=POINT_COLUMNS)


def group_words(n_sites: int, n_trials: int) -> str:
    """ "3 sites at this spot, of 2 trials" (several sites share one dot)."""
    return ngettext(
        "{sites} sites at this spot, of {n} trial",
        "{sites} sites at this spot, of {n} trials",
        n_trials,
    ).format(sites=localized.count(n_sites), n=localized.count(n_trials))


def _grid(
    sites: pd.DataFrame, cell_degrees: float, trial_of: np.ndarray | None = None
) -> pd.DataFrame:
    """Sites counted in square cells, in cell order.

    Plain numpy over the whole registry (3 million sites): each site's cell is a
    small integer, so counts and sums are ``bincount``; the trials in a cell are
    its distinct (trial, cell) pairs, found by one sort that is nearly free, as a
    result's sites come grouped by trial.
    """
    lat = sites["lat"].to_numpy(dtype=float)
    lon = sites["lon"].to_numpy(dtype=float)
    x = np.floor(lon / cell_degrees).astype(np.int64)
    y = np.floor(lat / cell_degrees).astype(np.int64)
    x -= x.min(initial=0)
    y -= y.min(initial=0)
    width = int(y.max(initial=0)) + 1
    cell = x * width + y
    n_cells = int(cell.max(initial=-1)) + 1
    n_sites = np.bincount(cell, minlength=n_cells)
    used = np.flatnonzero(n_sites)
    is_open = sites["status"].isin(OPEN_STATUSES).to_numpy(dtype=bool)
    trial = _trial_codes(sites["trial_id"]) if trial_of is None else trial_of.astype(np.int64)
    pairs = np.sort(trial * n_cells + cell, kind="stable")
    first_of_pair = np.ones(len(pairs), dtype=bool)
    first_of_pair[1:] = pairs[1:] != pairs[:-1]
    n_trials = np.bincount(pairs[first_of_pair] % max(n_cells, 1), minlength=n_cells)
    counts = n_sites[used]
    grouped = pd.DataFrame(
        {
            "lat": np.bincount(cell, weights=lat, minlength=n_cells)[used] / counts,
            "lon": np.bincount(cell, weights=lon, minlength=n_cells)[used] / counts,
            "n_sites": counts,
            "n_trials": n_trials[used],
            "n_open": np.bincount(cell, weights=is_open, minlength=n_cells)[used].astype(np.int64),
        }
    )
    any_open = grouped["n_open"].to_numpy() > 0
    grouped["status"] = np.where(any_open, "RECRUITING", None)
    open_colour = [*colour_of("RECRUITING"), 200]
    closed_colour = [*colour_of(None), 200]
    grouped["colour"] = [open_colour if o else closed_colour for o in any_open]
    grouped["radius"] = DOT_PIXELS
    grouped["approximate"] = False
    grouped["trial_ids"] = [[] for _ in range(len(grouped))]
    grouped["places"] = [[] for _ in range(len(grouped))]
    here = i18n._("{sites} sites of {trials} trials here")
    opened = i18n._("{n} sites recruiting or about to")
    grouped["tooltip"] = [
        here.format(sites=localized.count(s), trials=localized.count(t))
        + "\n"
        + opened.format(n=localized.count(o))
        for s, t, o in zip(grouped["n_sites"], grouped["n_trials"], grouped["n_open"], strict=True)
    ]
    return grouped


def _trial_codes(trial_ids: pd.Series) -> np.ndarray:
    """One integer a trial. Sites come in runs of one trial's rows: only the first
    id of each run is hashed (a tenth of the rows), and a trial met in two runs
    still gets one code."""
    ids = pa.chunked_array(pa.array(trial_ids)).combine_chunks()
    if len(ids) == 0:
        return np.zeros(0, dtype=np.int64)
    starts = np.ones(len(ids), dtype=bool)
    starts[1:] = pc.not_equal(ids[1:], ids[:-1]).to_numpy(zero_copy_only=False)
    first_ids = ids.filter(pa.array(starts))
    run_codes = pc.dictionary_encode(first_ids).indices.to_numpy().astype(np.int64)
    return run_codes[np.cumsum(starts) - 1]


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
    # At least a degree: one site (often placed at its city's centre) is shown among
    # its neighbouring cities, not alone among a city's districts.
    span = max(north - south, (east - west) * 0.6, MIN_SPAN_DEGREES)
    zoom = max(0.5, min(11.0, math.log2(300.0 / span)))
    return pdk.ViewState(
        latitude=(south + north) / 2, longitude=(west + east) / 2, zoom=round(zoom, 2)
    )


def build_site_map(
    sites: pd.DataFrame,
    titles: Mapping[str, str],
    place: Place | None = None,
    radius_km: float = 50.0,
    max_points: int = MAX_POINTS,
    basemap_style: str | None = None,
    trial_of: np.ndarray | None = None,
    land: LandFolder | None = None,
    lang: str = "en",
) -> SiteMap:
    """The deck for ``sites`` (rows of the catalog's sites table).

    ``titles`` maps trial id to title, for tooltips. ``basemap_style`` (a map
    style URL) adds a tile basemap; without it the deck draws none and asks
    nothing of any server. ``trial_of`` gives each site's trial as an integer
    when the caller knows it (the catalog's index does,
    :func:`trialfinder.query.site_trials`): counting the trials in grid cells
    then needs no hashing of millions of ids. ``land``: where the outline
    pictures are kept and served (else the outlines go inside the deck as
    GeoJSON, which a browser without a GPU draws slowly). ``lang``: the
    language of the city names.
    """
    known = (sites["lat"].notna() & sites["lon"].notna()).to_numpy(dtype=bool)
    placed = sites if known.all() else sites.loc[known]  # no copy of a whole registry
    if trial_of is not None and not known.all():
        trial_of = np.asarray(trial_of)[known]
    n_unplaced = len(sites) - len(placed)
    aggregated = _more_locations_than(placed, max_points)
    if aggregated:
        span = max(
            float(placed["lat"].max() - placed["lat"].min()),
            float(placed["lon"].max() - placed["lon"].min()),
            1.0,
        )
        points = _grid(placed, max(span / 60.0, 0.05), trial_of)
    else:
        points = _locations(placed, titles)
    lats, lons = points["lat"].to_numpy(dtype=float), points["lon"].to_numpy(dtype=float)
    view = fit_view(lats, lons, place, radius_km)
    layers = [] if basemap_style else _outline_layers(view, land)
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
        _text_layer(
            "place-names",
            place_names(view.latitude, view.longitude, view.zoom, lats, lons, lang),
            "name",
            size=13,
            colour=[40, 40, 40],
            # Above the city's spot: a site placed at the city centre stays visible.
            offset=[0, -(PLACE_MARK_PIXELS + 8)],
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
            # Quoted: pydeck reads a bare string as an expression ("@@=pixels"), and
            # deck.gl then measured the radius in world units (a 30-pixel blob in a city).
            radius_units="'pixels'",
            **(
                {"get_radius": 1, "radius_min_pixels": "3 + Math.sqrt(n_trials) * 2"}
                if aggregated
                else {"get_radius": "radius", "radius_min_pixels": DOT_PIXELS}
            ),
            radius_max_pixels=30,
            stroked=True,
            get_line_color=[255, 255, 255],
            line_width_min_pixels=1,
            pickable=True,
        )
    )
    if not aggregated:
        grouped = points.loc[points["n_sites"] > 1]
        counts = [
            {"lat": lat, "lon": lon, "count": localized.count(int(n))}
            for lat, lon, n in zip(grouped["lat"], grouped["lon"], grouped["n_sites"], strict=True)
        ]
        if counts:
            layers.append(
                _text_layer("counts", counts, "count", size=13, colour=[0, 0, 0], bold=True)
            )
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


def _outline_layers(view: pdk.ViewState, land: LandFolder | None) -> list[pdk.Layer]:
    """The country outlines: pictures served from ``land`` (written now if new),
    else GeoJSON inside the deck."""
    if land is not None:
        try:
            images = land_images(view.latitude, view.longitude, view.zoom)
            for image in images:
                write_land_image(land.path, image)
        except OSError:  # a read-only folder: the outlines go inside the deck
            pass
        else:
            return [
                pdk.Layer(
                    "BitmapLayer",
                    id=f"land-{i}",
                    # Quoted: a plain string naming a .png is read by pydeck as a
                    # local file to put inside the deck.
                    image=f"'{land.url}/{image.name}'",
                    bounds=image.bounds,
                    pickable=False,
                )
                for i, image in enumerate(images)
            ]
    return [
        pdk.Layer(
            "GeoJsonLayer",
            id="countries",
            data=COUNTRIES_MARK,  # the outlines, put in by CompactDeck.to_json
            stroked=True,
            filled=True,
            get_fill_color=list(LAND_COLOUR),
            get_line_color=list(BORDER_COLOUR),
            line_width_min_pixels=1,
            pickable=False,
        )
    ]


def _text_layer(
    layer_id: str,
    data: list[dict],
    field: str,
    size: int,
    colour: list[int],
    offset: list[int] | None = None,
    bold: bool = False,
) -> pdk.Layer:
    """Words drawn on the map from ``data`` (as text: deck.gl draws characters
    from a font atlas, nothing is read as markup)."""
    return pdk.Layer(
        "TextLayer",
        id=layer_id,
        data=data,
        get_position=["lon", "lat"],
        get_text=field,
        get_size=size,
        get_color=colour,
        get_pixel_offset=offset or [0, 0],
        get_text_anchor="'middle'",
        get_alignment_baseline="'center'",
        # deck.gl's default is ASCII only: "Hà Nội" needs its own characters.
        character_set="'auto'",
        font_family=TEXT_FONT,
        font_weight=700 if bold else 400,
        # No background box: it is one more shader for a browser to build.
        pickable=False,
    )
