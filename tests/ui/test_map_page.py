"""The map page (and the trial page's small map), opened from a query string with AppTest.

A map opens as a picture (positioned HTML in ``st.html``); its "Zoom and tap the map"
toggle draws the interactive map, which these tests turn on (the ``open_app``
fixture below) to read it. The interactive map is ``st.pydeck_chart``: AppTest
shows it as a ``deck_gl_json_chart``
whose ``proto.json`` is the deck (layers "countries", "place", "sites"; the
data of "sites" are the dots drawn) and ``proto.tooltip`` the hover text spec.
A click on a dot is what the browser sends as the chart's widget value; AppTest
has no setter for chart selections, so :func:`click_site` sends that value.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from tests.ui.reading import assert_clean, plain, texts
from tests.ui.trialdata import (
    CP_AGE4_HANOI,
    CP_ALL,
    GENERATED_COUNT,
    MARKUP_FACILITY,
    MARKUP_ID,
    MARKUP_TITLE,
    build_data_dir,
    generated_id,
    write_record,
)
from trialfinder.family.mapdeck import DOT_PIXELS, GROUP_PIXELS, LEGEND, PLACE_MARK_PIXELS
from trialfinder.geo import resolve_place

SHARED = "cond=cerebral+palsy&age=4y&near=Hanoi"
CP_RECRUITING = ["NCT07527104", "TF-CP-006", "TF-CP-004", "TF-CP-001", "TF-CP-005"]

#: Okabe & Ito's palette, made to be told apart with the common colour blindnesses;
#: grey stands for "status not given".
OKABE_ITO = {
    (0, 0, 0),
    (230, 159, 0),
    (86, 180, 233),
    (0, 158, 115),
    (240, 228, 66),
    (0, 114, 178),
    (213, 94, 0),
    (204, 121, 167),
}
UNKNOWN_GREY = (110, 110, 110)

#: A trial with sites in two countries: with coordinates, without (at a city the
#: gazetteer knows), and at a place nobody can find.
SMA_ID = "TF-MAP-001"
SMA_TRIAL = {
    "id": SMA_ID,
    "title": "Gene therapy follow-up for spinal muscular atrophy",
    "status": "recruiting",
    "conditions": ["Spinal muscular atrophy"],
    "study_type": "interventional",
    "min_age": "1 Month",
    "max_age": "10 Years",
    "sites": [
        {
            "facility": "Hanoi Neuromuscular Clinic",
            "city": "Hanoi",
            "country": "Vietnam",
            "status": "recruiting",
            "lat": 21.0,
            "lon": 105.8,
        },
        {
            "facility": "Long Bien Children's Clinic",
            "city": "Hanoi",
            "country": "Vietnam",
            "status": "withdrawn",
            "lat": 21.04,
            "lon": 105.89,
        },
        {
            "facility": "Da Nang Hospital for Women and Children",
            "city": "Da Nang",
            "country": "Vietnam",
            "status": "active, not recruiting",
        },
        {
            "facility": "Boston Neuromuscular Center",
            "city": "Boston",
            "country": "United States",
            "status": "completed",
            "lat": 42.3,
            "lon": -71.1,
        },
        {"facility": "Clinic nobody can find", "city": "Xyzzyville", "country": "Atlantis"},
    ],
    "last_update": "2026-04-01",
}
SMA = "cond=spinal+muscular+atrophy"


@pytest.fixture(scope="module")
def map_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shared records, and the trial with sites in two countries."""
    root = build_data_dir(tmp_path_factory.mktemp("ui-map") / "data")
    write_record(root / "trials", SMA_TRIAL)
    return root


@pytest.fixture
def open_app(open_app):
    """Open a page, then turn its maps interactive as a family does ("Zoom and tap
    the map"), unless ``interactive=False``."""

    def open_(*args, interactive: bool = True, **kwargs):
        at = open_app(*args, **kwargs)
        toggles = [t for t in at.toggle if str(t.key).endswith("-interactive")]
        if not interactive or not toggles:
            return at
        for toggle in toggles:
            toggle.set_value(True)
        return at.run()

    return open_


def pictures(at) -> list[str]:
    """The maps drawn as pictures (their HTML)."""
    return [h.proto.body for h in at.get("html") if 'class="tf-map"' in h.proto.body]


# ------------------------------------------------------------------ reading the deck


def chart(at, key: str = "site_map"):
    """The map whose key starts with ``key`` (the rest of the key names its dots)."""
    [found] = [c for c in at.get("deck_gl_json_chart") if f"-{key}-" in c.proto.id]
    return found


def deck(at, key: str = "site_map") -> dict:
    return json.loads(chart(at, key).proto.json)


def layer(spec: dict, layer_id: str) -> dict | None:
    return next((x for x in spec["layers"] if x["id"] == layer_id), None)


def dots(at, key: str = "site_map") -> list[dict]:
    """The drawn dots, one a location."""
    return layer(deck(at, key), "sites")["data"]


def dot_at(at, lat: float, lon: float) -> dict:
    [found] = [d for d in dots(at) if (d["lat"], d["lon"]) == (lat, lon)]
    return found


def click_site(at, dot: dict, key: str = "site_map"):
    """Click a dot: send what the browser sends (the chart's selection) and rerun.

    AppTest models no chart selection, so this goes one level down: the next
    run's widget states, plus the chart's value as the browser would send it
    for a single-object click on the "sites" layer.
    """
    found = chart(at, key)
    index = dots(at, key).index(dot)
    picked = {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in dot.items()}
    states = at._tree.get_widget_states()
    state = states.widgets.add()
    state.id = found.proto.id
    state.string_value = json.dumps(
        {"selection": {"indices": {"sites": [index]}, "objects": {"sites": [picked]}}}
    )
    return at._run(states)


def headline(at) -> str:
    return at.subheader[0].value


# ------------------------------------------------------------------ picture first


@pytest.mark.parametrize("page", ["pages/map.py", "pages/trial.py"])
def test_a_map_opens_as_a_picture_and_the_interactive_map_on_demand(open_app, page):
    query = "cond=cerebral+palsy" if page == "pages/map.py" else "id=TF-CP-001"
    at = open_app(query, page=page, interactive=False)
    assert_clean(at)
    assert not at.get("deck_gl_json_chart")  # no deck.gl script for the first view
    [picture] = pictures(at)
    assert 'class="dot' in picture and 'role="img"' in picture
    [toggle] = [t for t in at.toggle if str(t.key).endswith("-interactive")]
    assert toggle.label == "Zoom and tap the map" and toggle.value is False
    toggle.set_value(True)
    at.run()
    assert_clean(at)
    assert len(at.get("deck_gl_json_chart")) == 1 and not pictures(at)


# ------------------------------------------------------------------ points


@pytest.mark.parametrize(
    ("query", "trials", "n_sites", "n_dots"),
    [
        # 8 sites; the two seeds' sites have no coordinates and share Hanoi's centre
        ("cond=cerebral+palsy", CP_ALL, 8, 7),
        # within 50 km of Hanoi: four spots (three hospitals, the city centre)
        (SHARED, CP_AGE4_HANOI, 5, 4),
        ("cond=cerebral+palsy&status=recruiting", CP_RECRUITING, 5, 5),
        # 65 trials whose one site is Da Nang (no coordinates): one dot for all
        ("cond=autism", [generated_id(n) for n in range(1, GENERATED_COUNT + 1)], 65, 1),
        ("cond=rett+syndrome", [MARKUP_ID], 1, 1),
    ],
    ids=["cerebral-palsy", "near-hanoi", "recruiting", "one-city", "one-trial"],
)
def test_the_map_draws_a_dot_for_each_location_of_the_matching_sites(
    open_app, query, trials, n_sites, n_dots
):
    at = open_app(query, page="pages/map.py")
    assert_clean(at)
    assert len(at.get("deck_gl_json_chart")) == 1
    drawn = dots(at)
    assert len(drawn) == n_dots
    assert sorted(t for d in drawn for t in d["trial_ids"]) == sorted(trials)
    sites_word = "site" if n_sites == 1 else "sites"
    trials_word = "trial" if len(trials) == 1 else "trials"
    assert headline(at) == f"{n_sites} {sites_word} of {len(trials)} matching {trials_word}"
    assert chart(at).proto.alt == f"Map of {n_sites} trial {sites_word}"


def test_each_site_is_at_its_own_coordinates_in_the_colour_of_its_own_status(open_app):
    at = open_app("cond=cerebral+palsy", page="pages/map.py")
    hanoi = [d for d in dots(at) if abs(d["lat"] - 21.03) < 0.1]
    # four spots in Hanoi, not one dot for the city
    assert sorted(d["lat"] for d in hanoi) == [21.0245, 21.033, 21.05, 21.1]
    rehab = dot_at(at, 21.1, 105.84117)  # TF-CP-001: its site recruits
    assert rehab["trial_ids"] == ["TF-CP-001"] and rehab["status"] == "RECRUITING"
    assert tuple(rehab["colour"][:3]) == (0, 158, 115)
    # TF-CP-002 is "not yet recruiting", but its site gives no status: the dot says not given
    bach_mai = dot_at(at, 21.05, 105.84117)
    assert bach_mai["trial_ids"] == ["TF-CP-002"]
    assert tuple(bach_mai["colour"][:3]) == UNKNOWN_GREY
    for dot in dots(at):
        assert tuple(dot["colour"][:3]) in OKABE_ITO | {UNKNOWN_GREY}
    sites = layer(deck(at), "sites")
    # a dot is a few pixels wherever the view is (a quoted string: pydeck reads a bare
    # one as an expression, and the dots were then sized in world units)
    assert sites["radiusUnits"] == "pixels"
    assert sites["getRadius"] == "@@=radius" and sites["radiusMinPixels"] <= DOT_PIXELS
    # one site, or several on one spot (bigger, for their number): inside the place's ring
    assert {d["radius"] for d in sites["data"]} <= {DOT_PIXELS, GROUP_PIXELS}
    assert GROUP_PIXELS < PLACE_MARK_PIXELS
    assert sites["pickable"] is True


def test_the_legend_names_each_status_colour_and_the_colours_differ(open_app):
    at = open_app("cond=cerebral+palsy", page="pages/map.py")
    [legend] = [h.value for h in at.html if "Map legend" in h.value]
    colours = [colour for _, colour in LEGEND]
    assert len(set(colours)) == len(colours)
    assert set(colours) <= OKABE_ITO | {UNKNOWN_GREY}
    for words, colour in LEGEND:
        assert f"background:rgb{colour}" in legend and words in legend
    for words in ("Recruiting", "Not yet recruiting", "Completed", "Site status not given"):
        assert words in legend


def test_hovering_a_site_shows_its_facility_place_status_and_trials(open_app):
    at = open_app("cond=cerebral+palsy", page="pages/map.py")
    # deck.gl's text tooltip: shown as text, never as HTML
    assert json.loads(chart(at).proto.tooltip) == {"text": "{tooltip}"}
    assert dot_at(at, 21.1, 105.84117)["tooltip"].splitlines() == [
        "Hanoi Rehabilitation Hospital, Hanoi, Vietnam",
        "TF-CP-001: Home exercise for young children with cerebral palsy in Hanoi "
        "(site status: Recruiting)",
    ]
    hanoi = resolve_place("Hanoi")
    centre = dot_at(at, hanoi.lat, hanoi.lon)
    lines = centre["tooltip"].splitlines()
    assert lines[:4] == [
        "2 sites at this spot, of 2 trials",
        "Vietnam National Children's Hospital, Hanoi, Vietnam",
        "Hanoi, Vietnam",
        "Approximate location: placed at the city centre",
    ]
    assert lines[4].startswith("NCT07527104: Own stem cells") and lines[4].endswith(
        "(site status: Recruiting)"
    )
    assert lines[5].startswith("VINMEC-CP-BMMNC: ") and lines[5].endswith(
        "(site status: not given)"
    )


def test_trial_text_in_the_tooltip_is_text(open_app):
    at = open_app("cond=rett+syndrome", page="pages/map.py")
    assert_clean(at)
    [dot] = dots(at)
    assert dot["tooltip"] == (
        f"{MARKUP_FACILITY}, Hanoi, Vietnam\n"
        "Approximate location: placed at the city centre\n"
        f"{MARKUP_ID}: {MARKUP_TITLE} (site status: not given)"
    )
    assert "html" not in json.loads(chart(at).proto.tooltip)


def test_sites_without_coordinates_sit_at_their_city_and_the_unplaced_are_counted(
    open_app, map_data_dir
):
    at = open_app(SMA, page="pages/map.py", data=map_data_dir)
    assert_clean(at)
    assert headline(at) == "5 sites of 1 matching trial"
    drawn = dots(at)
    assert len(drawn) == 4  # Xyzzyville, Atlantis is nowhere
    da_nang = resolve_place("Da Nang")
    at_city = dot_at(at, da_nang.lat, da_nang.lon)
    assert at_city["approximate"] is True
    assert "Approximate location: placed at the city centre" in at_city["tooltip"]
    assert at_city["tooltip"].startswith("Da Nang Hospital for Women and Children, Da Nang")
    assert "(site status: Active, not recruiting)" in at_city["tooltip"]
    assert at_city["colour"][3] < dot_at(at, 21.0, 105.8)["colour"][3]  # drawn fainter
    assert [d["approximate"] for d in drawn].count(True) == 1
    captions = [plain(c.value) for c in at.caption]
    assert (
        "1 site has no coordinates in the record and is placed at its city (approximate)."
        in captions
    )
    assert "1 site could not be placed at all." in captions


def test_the_view_fits_the_matching_sites(open_app, map_data_dir):
    world = open_app(SMA, page="pages/map.py", data=map_data_dir)
    view = deck(world)["initialViewState"]
    assert -71.1 < view["longitude"] < 105.8  # Boston to Hanoi
    assert view["zoom"] < 2

    vietnam = open_app(SMA + "&country=Vietnam", page="pages/map.py", data=map_data_dir)
    assert_clean(vietnam)
    assert headline(vietnam) == "3 sites of 1 matching trial"
    view = deck(vietnam)["initialViewState"]
    assert 8.5 < view["latitude"] < 23.5 and 102 < view["longitude"] < 110
    assert view["zoom"] >= 5
    assert all(8.5 < d["lat"] < 23.5 and 102 < d["lon"] < 110 for d in dots(vietnam))
    assert "1 site could not be placed at all." not in [plain(c.value) for c in vietnam.caption]


def test_near_marks_the_place_and_draws_the_radius(open_app):
    hanoi = resolve_place("Hanoi")
    at = open_app(SHARED + "&within=20", page="pages/map.py")
    assert_clean(at)
    place = layer(deck(at), "place")
    circle, mark = place["data"]
    assert (circle["lat"], circle["lon"], circle["radius"]) == (hanoi.lat, hanoi.lon, 20_000)
    assert (mark["lat"], mark["lon"]) == (hanoi.lat, hanoi.lon)
    assert place["radiusMinPixels"] == PLACE_MARK_PIXELS  # the mark shows round the dot there
    assert place["pickable"] is False
    # every dot is inside the circle (TF-CP-001's site, 8 km out, is too)
    assert sorted(d["lat"] for d in dots(at)) == [21.0245, 21.033, 21.05, 21.1]
    view = deck(at)["initialViewState"]
    assert abs(view["latitude"] - hanoi.lat) < 0.2 and abs(view["longitude"] - hanoi.lon) < 0.2
    assert view["zoom"] >= 8
    assert "within 20 km of Hanoi" in plain(at.markdown[0].value)
    # The circle is said in words under the map.
    assert "The circle: 20 km around Hanoi." in [plain(c.value) for c in at.caption]
    vietnamese = open_app(SHARED + "&within=20&lang=vi", page="pages/map.py")
    assert "Vòng tròn: 20 km quanh Hà Nội." in [plain(c.value) for c in vietnamese.caption]

    without = open_app("cond=cerebral+palsy", page="pages/map.py")
    assert layer(deck(without), "place") is None
    assert not [c.value for c in without.caption if "circle" in c.value]


def _strings(node, path=()):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _strings(value, (*path, key))
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value, path)
    elif isinstance(node, str):
        yield path, node


def test_the_map_asks_nothing_of_the_internet(open_app):
    at = open_app("cond=cerebral+palsy&near=Hanoi", page="pages/map.py")
    spec = deck(at)
    # pydeck's sentinel for "no basemap": a missing or empty style would fetch Carto's
    assert spec["mapStyle"] == "__MAP_STYLE__"
    assert "mapProvider" not in spec and not chart(at).proto.mapbox_token
    # the outlines are pictures the dashboard itself serves (same origin, relative)
    pictures = [entry for entry in spec["layers"] if entry["@@type"] == "BitmapLayer"]
    assert pictures and all(p["image"].startswith("app/static/maps/land-") for p in pictures)
    assert not [entry for entry in spec["layers"] if entry["@@type"] == "GeoJsonLayer"]
    # no address anywhere in the deck but in the words shown on hover
    for path, value in _strings(spec):
        if "://" in value:
            assert path[-1] in ("tooltip", "places"), (path, value)


# ------------------------------------------------------------------ clicking


def test_clicking_a_site_lists_the_trials_there_with_links(open_app):
    at = open_app("cond=cerebral+palsy", page="pages/map.py")
    assert "Click a site to list its trials." in [c.value for c in at.caption]
    assert not at.page_link
    hanoi = resolve_place("Hanoi")
    click_site(at, dot_at(at, hanoi.lat, hanoi.lon))
    assert_clean(at)
    text = texts(at)
    assert "**Trials at this site**" in text
    # both sites at this spot are named, not only the first
    # one line each, the number of sites first (two trials' sites share this spot)
    assert (
        "**2 sites at this spot, of 2 trials**\n"
        "Vietnam National Children's Hospital, Hanoi, Vietnam\nHanoi, Vietnam\n"
        "(approximate location: placed at the city centre)"
    ) in text
    links = [(plain(link.value), link.proto.page, link.proto.query_string) for link in at.page_link]
    assert links == [
        (
            "NCT07527104: Own stem cells may boost movement in kids with cerebral palsy",
            "trial",
            "id=NCT07527104",
        ),
        (
            # a long title ends at a word, and says it goes on
            "VINMEC-CP-BMMNC: The child's own bone marrow cells, given into the spine, "
            "for cerebral palsy caused by lack of oxygen…",
            "trial",
            "id=VINMEC-CP-BMMNC",
        ),
    ]
    assert "Click a site to list its trials." not in [c.value for c in at.caption]

    click_site(at, dot_at(at, 21.1, 105.84117))
    assert [link.proto.query_string for link in at.page_link] == ["id=TF-CP-001"]
    assert "Hanoi Rehabilitation Hospital, Hanoi, Vietnam" in texts(at)


def test_a_click_belongs_to_the_dots_it_was_made_on(open_app):
    """Streamlit keeps a chart's selection by index when its data change: after a
    filter change the page listed a trial that no longer matched."""
    at = open_app("cond=cerebral+palsy", page="pages/map.py")
    boston = resolve_place("Boston")
    click_site(at, dot_at(at, boston.lat, boston.lon))
    assert [link.proto.query_string for link in at.page_link] == ["id=TF-CP-006"]
    at.text_input(key="age").set_value("4").run()  # TF-CP-006 takes children from 5
    assert_clean(at)
    assert headline(at) == "7 sites of 7 matching trials"
    assert not at.page_link
    assert "**Trials at this site**" not in texts(at)
    assert "Click a site to list its trials." in [c.value for c in at.caption]

    # the same dots keep the click: a rerun of the same view
    click_site(at, dot_at(at, 21.1, 105.84117))
    at.run()
    assert [link.proto.query_string for link in at.page_link] == ["id=TF-CP-001"]


def test_the_clicked_site_list_shows_trial_text_literally(open_app):
    at = open_app("cond=rett+syndrome", page="pages/map.py")
    [dot] = dots(at)
    click_site(at, dot)
    assert_clean(at)
    [heading] = [m for m in at.markdown if plain(m.value).startswith(MARKUP_FACILITY)]
    assert plain(heading.value).startswith(f"{MARKUP_FACILITY}, Hanoi, Vietnam")
    assert "<b>" not in heading.value and "\\<b\\>" in heading.value  # escaped, not a tag
    [link] = at.page_link
    assert plain(link.value) == f"{MARKUP_ID}: {MARKUP_TITLE}"
    assert "](http" not in link.value and "http\u2060" in link.value  # no link can form
    assert link.proto.query_string == f"id={MARKUP_ID}"


# ------------------------------------------------------------------ trial page


def test_the_trial_page_has_a_small_map_of_the_trials_own_sites(open_app, map_data_dir):
    at = open_app(f"id={SMA_ID}", page="pages/trial.py", data=map_data_dir)
    assert_clean(at)
    [found] = at.get("deck_gl_json_chart")
    assert "-trial_map-" in found.proto.id
    drawn = dots(at, "trial_map")
    assert len(drawn) == 4 and {t for d in drawn for t in d["trial_ids"]} == {SMA_ID}
    assert chart(at, "trial_map").proto.alt == "Map of 5 trial sites"
    assert "1 site could not be placed at all." in [plain(c.value) for c in at.caption]
    view = deck(at, "trial_map")["initialViewState"]
    assert view["zoom"] < 2  # Boston and Hanoi

    one = open_app("id=TF-CP-001", page="pages/trial.py")
    assert [(d["lat"], d["lon"]) for d in dots(one, "trial_map")] == [(21.1, 105.84117)]


def test_a_view_s_map_is_built_once_and_shared(open_app, monkeypatch):
    from trialfinder.ui import sitemap

    built = []
    real = sitemap.build_site_map

    def counting(*args, **kwargs):
        built.append(args[0]["trial_id"].nunique())
        return real(*args, **kwargs)

    monkeypatch.setattr(sitemap, "build_site_map", counting)
    sitemap._shared_map.clear()
    first = open_app(SHARED, page="pages/map.py")
    again = open_app(SHARED, page="pages/map.py")  # another visitor, the same link
    assert_clean(again)
    assert len(built) == 1 and dots(again) == dots(first)
    other = open_app("cond=cerebral+palsy", page="pages/map.py")
    in_vietnamese = open_app(SHARED + "&lang=vi", page="pages/map.py")
    assert len(built) == 3
    assert dots(other) != dots(first)
    assert [d["tooltip"] for d in dots(in_vietnamese)] != [d["tooltip"] for d in dots(first)]
