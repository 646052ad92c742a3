"""The filter sidebar, bound to the URL: what a family chose, as a Query.

The widgets carry ``bind="query-params"`` so the URL follows them. A link is
read once, through :func:`trialfinder.query.parse_query`, before the widgets
are drawn: what it could read seeds the widgets, what it could not is said in
one line.
"""

from __future__ import annotations

import streamlit as st

from trialfinder.catalog import Catalog
from trialfinder.model import OVERALL_STATUSES, PHASES, STUDY_TYPES
from trialfinder.query import DEFAULT_WITHIN_KM, MAX_WITHIN_KM, ParsedQuery, Query, parse_query

#: Keys that belong to a page rather than to the filters.
PAGE_KEYS = ("id", "ids", "page")
_SEEDED = "_filters_seeded_from_url"


def _raw_params() -> dict[str, list[str]]:
    return {key: st.query_params.get_all(key) for key in st.query_params}


def _seed(query: Query) -> None:
    """Put what the link asked for into the widgets, in the widgets' spelling."""
    st.session_state["cond"] = list(query.cond)
    st.session_state["age"] = str(query.age) if query.age is not None else ""
    st.session_state["status"] = [s.lower() for s in query.status]
    st.session_state["country"] = list(query.country)
    st.session_state["near"] = query.near or ""
    st.session_state["within"] = float(query.within or DEFAULT_WITHIN_KM)
    st.session_state["phase"] = [p.lower() for p in query.phase]
    st.session_state["type"] = query.type.lower() if query.type else None


def _widget_params() -> dict[str, list[str]]:
    state = st.session_state
    params: dict[str, list[str]] = {
        "cond": list(state.get("cond") or []),
        "age": [state.get("age") or ""],
        "status": list(state.get("status") or []),
        "country": list(state.get("country") or []),
        "near": [state.get("near") or ""],
        "phase": list(state.get("phase") or []),
        "type": [state.get("type") or ""],
    }
    within = state.get("within")
    if state.get("near") and within is not None and float(within) != DEFAULT_WITHIN_KM:
        params["within"] = [f"{float(within):g}"]
    return params


def sidebar_filters(catalog: Catalog) -> ParsedQuery:
    """Draw the filters; return the query and what the link had that was ignored."""
    from_link = parse_query(_raw_params(), extra_keys=PAGE_KEYS)
    if not st.session_state.get(_SEEDED):
        _seed(from_link.query)
        st.session_state[_SEEDED] = True
    with st.sidebar:
        st.header("Find a trial")
        st.multiselect(
            "Condition",
            catalog.condition_names(),
            key="cond",
            bind="query-params",
            accept_new_options=True,
            placeholder="Type a condition or words",
            help="Matches conditions, keywords and titles; several terms match any of them.",
        )
        st.text_input(
            "Child's age",
            key="age",
            bind="query-params",
            placeholder="e.g. 4, 4y3m or 18m",
            help="Years, or years and months: 4, 4y3m, 18m.",
        )
        st.multiselect(
            "Status",
            [s.lower() for s in OVERALL_STATUSES],
            key="status",
            bind="query-params",
            format_func=lambda s: s.replace("_", " "),
            placeholder="Any status",
        )
        st.multiselect(
            "Country",
            catalog.countries(),
            key="country",
            bind="query-params",
            accept_new_options=True,
            placeholder="Any country",
        )
        st.text_input(
            "Near",
            key="near",
            bind="query-params",
            placeholder="e.g. Hanoi, or Hanoi, Vietnam",
            help="A city, 'City, Country' or 'lat,lon'.",
        )
        st.number_input(
            "Within (km)",
            min_value=1.0,
            max_value=MAX_WITHIN_KM,
            step=10.0,
            key="within",
            bind="query-params",
        )
        with st.expander("More filters"):
            st.multiselect(
                "Phase",
                [p.lower() for p in PHASES],
                key="phase",
                bind="query-params",
                placeholder="Any phase",
            )
            st.selectbox(
                "Study type",
                [t.lower() for t in STUDY_TYPES],
                key="type",
                bind="query-params",
                index=None,
                placeholder="Any type",
            )
    from_widgets = parse_query(_widget_params())
    problems = from_link.problems + tuple(
        p for p in from_widgets.problems if p not in from_link.problems
    )
    return ParsedQuery(from_widgets.query, problems, from_link.extra)
