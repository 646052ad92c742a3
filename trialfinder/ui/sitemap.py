"""The site map on the page: a picture first, the deck on demand, legend, counts,
and the trials at a clicked site."""

from __future__ import annotations

import hashlib
import html
import json
import os
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st

from trialfinder import localized
from trialfinder.family.mapdeck import (
    GRID_LEGEND,
    LEGEND,
    SITES_LAYER,
    LandFolder,
    SiteMap,
    build_site_map,
    group_words,
)
from trialfinder.family.mappicture import site_picture
from trialfinder.family.placenames import city_name
from trialfinder.geo import Place
from trialfinder.i18n import _, language, ngettext
from trialfinder.ui.page import page_params
from trialfinder.ui.text import md

TRIAL_PAGE = "pages/trial.py"
#: A map style URL for a tile basemap; unset, the map draws country outlines only.
BASEMAP_ENV = "TRIALFINDER_MAP_STYLE"
#: The outline pictures: in static/ beside dashboard.py, which Streamlit serves at
#: app/static/ (``server.enableStaticServing``); the browser caches them.
LAND = LandFolder(Path(__file__).resolve().parents[2] / "static" / "maps", "app/static/maps")


#: deck.gl places its tooltip at the pointer and does not wrap it: a long trial
#: title ran past the map's edge and was cut off. Wrap it in a readable width; on a
#: phone, where a tooltip at a dot near the edge ran off the screen, lay it along
#: the map's foot, the map's width.
_TOOLTIP_STYLE = (
    "<style>.deck-tooltip {max-width: min(24rem, 70vw); white-space: pre-line; "
    "overflow-wrap: anywhere; line-height: 1.35;}"
    "@media (max-width: 640px) {.deck-tooltip {transform: none !important; "
    "left: 0 !important; right: 0 !important; top: auto !important; bottom: 0 !important; "
    "max-width: none !important;}}</style>"
)


def legend(aggregated: bool = False) -> None:
    """The colours' words: each site status, or for a map of squares what a square's
    colour means."""
    swatches = " ".join(
        f'<span style="white-space:nowrap;margin-right:1em">'
        f'<span style="display:inline-block;width:0.8em;height:0.8em;border-radius:50%;'
        f'background:rgb{colour};margin-right:0.3em"></span>{html.escape(_(words))}</span>'
        for words, colour in (GRID_LEGEND if aggregated else LEGEND)
    )
    label = html.escape(_("Map legend: site status"), quote=True)
    st.html(f'<div aria-label="{label}">{swatches}</div>')


def _dots_digest(points: pd.DataFrame) -> str:
    """What the dots are: a click belongs to the dots it was made on.

    Streamlit keeps a keyed chart's selection by its index when the data
    change: after a filter change the page listed the trials of a site that
    no longer matched, or of another dot. Keyed by its dots, a map whose dots
    change starts with nothing clicked.
    """
    dots = points[["lat", "lon", "n_trials"]].to_numpy().tolist()
    ids = points["trial_ids"].tolist() if "trial_ids" in points else []
    text = json.dumps([dots, ids], default=str, separators=(",", ":"))
    return hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()[:12]


@st.cache_resource(max_entries=64, ttl=3600, show_spinner=False)
def _shared_map(
    view: tuple[str, ...],
    _sites: pd.DataFrame,
    _titles: Mapping[str, str],
    place: Place | None,
    radius_km: float,
    basemap_style: str | None,
    _trial_of: np.ndarray | None = None,
    lang: str = "en",
) -> SiteMap:
    """One deck a view (data version, query, language), shared by every visitor
    who opens it: advocates send the same links to many families."""
    return build_site_map(
        _sites,
        _titles,
        place,
        radius_km,
        basemap_style=basemap_style,
        trial_of=_trial_of,
        land=LAND,
        lang=lang,
    )


@st.cache_resource(max_entries=64, ttl=3600, show_spinner=False)
def _shared_picture(
    view: tuple[str, ...],
    _built: SiteMap,
    height: int,
    label: str,
    place: Place | None,
    radius_km: float,
    lang: str,
) -> str:
    """One picture a view, shared like its deck."""
    return site_picture(_built, height, label, place, radius_km, land=LAND, lang=lang)


def _picture(
    view: tuple[str, ...] | None,
    built: SiteMap,
    height: int,
    label: str,
    place: Place | None,
    radius_km: float,
    lang: str,
) -> str:
    if view is None:
        return site_picture(built, height, label, place, radius_km, land=LAND, lang=lang)
    return _shared_picture(view, built, height, label, place, radius_km, lang)


def site_map(
    sites: pd.DataFrame,
    titles: Mapping[str, str],
    place: Place | None = None,
    radius_km: float = 50.0,
    key: str = "site_map",
    height: int = 520,
    view: tuple[str, ...] | None = None,
    trial_of: np.ndarray | None = None,
    with_legend: bool = False,
) -> list[dict] | None:
    """Draw the map (its legend first if ``with_legend``: the one of a map of squares
    when the sites are that many); return the locations the user clicked (with their
    trial ids), or None while it is a picture (nothing can be clicked).

    ``view`` names what ``sites`` are (the data version, the query and the
    language, say): a map named so is built once and shared. ``trial_of``: see
    :func:`trialfinder.family.mapdeck.build_site_map`.
    """
    style = os.environ.get(BASEMAP_ENV) or None
    lang = language()
    if view is None:
        built = build_site_map(
            sites,
            titles,
            place,
            radius_km,
            basemap_style=style,
            trial_of=trial_of,
            land=LAND,
            lang=lang,
        )
    else:
        built = _shared_map(view, sites, titles, place, radius_km, style, trial_of, lang)
    if with_legend:
        legend(built.aggregated)
    label = ngettext("Map of {n} trial site", "Map of {n} trial sites", built.n_sites).format(
        n=localized.count(built.n_sites)
    )
    # The picture first: deck.gl (a 3 MB script, WebGL without a GPU) only when asked.
    interactive = st.toggle(
        _("Zoom and tap the map"),
        key=f"{key}-interactive",
        help=_("Loads the interactive map: zoom in, and tap a site to list its trials."),
    )
    event = None
    if interactive:
        st.html(_TOOLTIP_STYLE)  # style only: Streamlit adds it without taking room
        event = st.pydeck_chart(
            built.deck,
            alt=label,
            on_select="rerun",
            selection_mode="single-object",
            key=f"{key}-{_dots_digest(built.points)}",
            height=height,
        )
    else:
        st.html(_picture(view, built, height, label, place, radius_km, lang))
    notes = []
    if place is not None:
        notes.append(
            _("The circle: {km} km around {place}.").format(
                km=localized.number(radius_km, 1),
                place=city_name(place.name, place.country) or place.name,
            )
        )
    if built.aggregated:
        notes.append(
            _(
                "{n} areas shown: the sites are counted in squares. "
                "Narrow the filters or zoom in by choosing a place to see each site."
            ).format(n=localized.count(len(built.points)))
        )
    if built.n_approximate:
        notes.append(
            ngettext(
                "{n} site has no coordinates in the record and is placed at its city "
                "(approximate).",
                "{n} sites have no coordinates in the record and are placed at their city "
                "(approximate).",
                built.n_approximate,
            ).format(n=localized.count(built.n_approximate))
        )
    if built.n_unplaced:
        notes.append(
            ngettext(
                "{n} site could not be placed at all.",
                "{n} sites could not be placed at all.",
                built.n_unplaced,
            ).format(n=localized.count(built.n_unplaced))
        )
    for note in notes:
        st.caption(md(note))
    if event is None:
        return None
    selection = getattr(event, "selection", None) or {}
    objects = (selection.get("objects") or {}).get(SITES_LAYER, [])
    return [obj for obj in objects if isinstance(obj, dict)]


#: A link's words at most this long (a title can be a paragraph).
LINK_CHARACTERS = 120


def _shortened(text: str) -> str:
    """``text``, or its first words and "…" when it is longer than a link should be."""
    if len(text) <= LINK_CHARACTERS:
        return text
    return text[: LINK_CHARACTERS - 1].rsplit(" ", 1)[0] + "…"


def trials_at(objects: list[dict], titles: Mapping[str, str]) -> None:
    """The trials at the clicked spot, each with a link to its page: every site
    there (two trials' sites may share it), one line each, narrow enough for a
    phone."""
    for obj in objects:
        places = obj.get("places") or [str(obj.get("tooltip", "")).split("\n", 1)[0]]
        lines = [md(place) for place in places]
        n_sites, trial_ids = int(obj.get("n_sites") or 1), obj.get("trial_ids") or []
        if n_sites > 1:
            lines.insert(0, "**" + md(group_words(n_sites, len(trial_ids))) + "**")
        if obj.get("approximate"):
            lines.append(md(_("(approximate location: placed at the city centre)")))
        st.markdown("  \n".join(lines))
        for trial_id in trial_ids:
            title = titles.get(trial_id, trial_id)
            st.page_link(
                TRIAL_PAGE,
                label=md(_shortened(f"{trial_id}: {title}")),
                icon=":material/article:",
                query_params=page_params({"id": str(trial_id)}),
            )
