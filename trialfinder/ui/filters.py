"""The filter sidebar, bound to the URL: what a family chose, as a Query.

The widgets carry ``bind="query-params"``, so the URL follows them and they
follow the URL. Their options are spelled as the query language prints them,
so a canonical link fills them exactly. On a session's first run the link is
read once through :func:`trialfinder.query.parse_query`; when it is not in
canonical form (``status=RECRUITING``, a bad age, an unknown key) the page
reopens at the canonical link, and what was ignored is said in one line.
"""

from __future__ import annotations

from collections.abc import Iterable

import streamlit as st

from trialfinder import plain
from trialfinder.catalog import Catalog
from trialfinder.i18n import DEFAULT, LANGUAGES, _, language
from trialfinder.model import OVERALL_STATUSES, PHASES, STUDY_TYPES
from trialfinder.query import (
    DEFAULT_WITHIN_KM,
    MAX_WITHIN_KM,
    ParsedQuery,
    QueryProblem,
    parse_query,
)

#: Keys that belong to a page rather than to the filters (``lang``: the language,
#: bound to the switch in dashboard.py; ``confirm`` and ``unfollow``: the follow page).
PAGE_KEYS = ("id", "ids", "page", "lang", "confirm", "unfollow")
_LINK_READ = "_link_read"
_LINK_PROBLEMS = "_link_problems"


def _raw_pairs() -> list[tuple[str, str]]:
    return [(key, value) for key in st.query_params for value in st.query_params.get_all(key)]


def _canonical_pairs(parsed: ParsedQuery) -> list[tuple[str, str]]:
    extra = [
        (key, value)
        for key in PAGE_KEYS
        for value in parsed.extra.get(key, ())
        # An unknown or default language is dropped, as the switch drops it.
        if key != "lang" or (value in LANGUAGES and value != DEFAULT)
    ]
    return parsed.query.params() + extra


def read_link_once(this_page: st.Page) -> None:
    """On a session's first run, reopen a non-canonical link at its canonical form."""
    if st.session_state.get(_LINK_READ):
        return
    st.session_state[_LINK_READ] = True
    raw = _raw_pairs()
    parsed = parse_query(raw, extra_keys=PAGE_KEYS)
    canonical = _canonical_pairs(parsed)
    st.session_state[_LINK_PROBLEMS] = (parsed.query.to_query_string(), parsed.problems)
    if raw != canonical:
        grouped: dict[str, list[str]] = {}
        for key, value in canonical:
            grouped.setdefault(key, []).append(value)
        st.switch_page(this_page, query_params=grouped)


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
        "intr": list(state.get("intr") or []),
        "spons": list(state.get("spons") or []),
    }
    within = state.get("within")
    if state.get("near") and within is not None and float(within) != DEFAULT_WITHIN_KM:
        params["within"] = [f"{float(within):g}"]
    return params


def _link_problems(query_string: str) -> Iterable[QueryProblem]:
    """What the opening link had that was ignored, while its view is unchanged."""
    opened, problems = st.session_state.get(_LINK_PROBLEMS, ("", ()))
    return problems if opened == query_string else ()


# The options are spelled as the links spell them ("recruiting"), in every language:
# a widget bound to the URL writes its *shown* label into the link, so a translated
# label would make a Vietnamese link that an English page cannot read. In another
# language the help beside the list says what each spelling means.
def _option_help(options: list[str], words) -> str | None:
    if language() == DEFAULT:
        return None
    return (
        _("What the options mean:")
        + "\n\n"
        + "\n".join(f"- `{option}`: {words(option)}" for option in options)
    )


def _status_option(option: str) -> str:
    return option if language() == DEFAULT else plain.status_words(option.upper())


def _phase_option(option: str) -> str:
    return option if language() == DEFAULT else plain.phase_words((option.upper(),))


def _type_option(option: str) -> str:
    return option if language() == DEFAULT else plain.label(option.upper())


def sidebar_filters(catalog: Catalog) -> ParsedQuery:
    """Draw the filters; return the query and what the link had that was ignored."""
    with st.sidebar:
        st.header(_("Find a trial"))
        st.multiselect(
            _("Condition"),
            catalog.condition_names(),
            key="cond",
            bind="query-params",
            accept_new_options=True,
            placeholder=_("Type a condition or words"),
            help=_("Matches conditions, keywords and titles; several terms match any of them."),
        )
        st.text_input(
            _("Child's age"),
            key="age",
            bind="query-params",
            placeholder=_("e.g. 4, 4y3m or 18m"),
            help=_("Years, or years and months: 4, 4y3m, 18m."),
        )
        st.multiselect(
            _("Status"),
            [s.lower() for s in OVERALL_STATUSES],
            key="status",
            bind="query-params",
            placeholder=_("Any status"),
            help=_option_help([s.lower() for s in OVERALL_STATUSES], _status_option),
        )
        st.multiselect(
            _("Country"),
            catalog.countries(),
            key="country",
            bind="query-params",
            accept_new_options=True,
            placeholder=_("Any country"),
        )
        st.text_input(
            _("Near"),
            key="near",
            bind="query-params",
            placeholder=_("e.g. Hanoi, or Hanoi, Vietnam"),
            help=_("A city, 'City, Country' or 'lat,lon'."),
        )
        st.number_input(
            _("Within (km)"),
            min_value=0.0,
            max_value=MAX_WITHIN_KM,
            step=10.0,
            value=DEFAULT_WITHIN_KM,
            key="within",
            bind="query-params",
        )
        with st.expander(_("More filters")):
            st.multiselect(
                _("Phase"),
                [p.lower() for p in PHASES],
                key="phase",
                bind="query-params",
                placeholder=_("Any phase"),
                help=_option_help([p.lower() for p in PHASES], _phase_option),
            )
            st.multiselect(
                _("Treatment"),
                catalog.term_names("intervention"),
                key="intr",
                bind="query-params",
                accept_new_options=True,
                placeholder=_("A treatment or active substance"),
            )
            st.multiselect(
                _("Sponsor"),
                catalog.term_names("sponsor"),
                key="spons",
                bind="query-params",
                accept_new_options=True,
                placeholder=_("Who runs the trial"),
            )
            st.selectbox(
                _("Study type"),
                [t.lower() for t in STUDY_TYPES],
                key="type",
                bind="query-params",
                index=None,
                placeholder=_("Any type"),
                help=_option_help([t.lower() for t in STUDY_TYPES], _type_option),
            )
    from_widgets = parse_query(_widget_params())
    from_link = parse_query(_raw_pairs(), extra_keys=PAGE_KEYS)
    problems = tuple(_link_problems(from_widgets.query.to_query_string()))
    problems += tuple(p for p in from_link.problems + from_widgets.problems if p not in problems)
    return ParsedQuery(from_widgets.query, problems, from_link.extra)
