"""The filter sidebar, bound to the URL: what a family chose, as a Query.

Most widgets carry ``bind="query-params"``, so the URL follows them and they
follow the URL. Status, phase and study type show their options in words of the
page's language, so they are kept in step with the URL here instead, in the
link's spelling (see :data:`WORDED_KEYS`). On a session's first run the link is
read once through :func:`trialfinder.query.parse_query`; when it is not in
canonical form (``status=RECRUITING``, a bad age, an unknown key) the page
reopens at the canonical link, and what was ignored is said in one line.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable

import streamlit as st

from trialfinder.catalog import Catalog
from trialfinder.family.eligibility.answers import KEYS as ANSWER_KEYS
from trialfinder.geo import fold
from trialfinder.i18n import DEFAULT, LANGUAGES, _, language, using
from trialfinder.query import (
    FILTERS,
    FILTERS_BY_KEY,
    Filter,
    ParsedQuery,
    QueryProblem,
    parse_query,
)
from trialfinder.ui.internals import is_history_navigation

#: Keys that belong to a page rather than to the filters (``lang``: the language,
#: bound to the switch in dashboard.py; ``confirm`` and ``unfollow``: the follow page;
#: the family's answers about their child, read by the trial page's checklist).
PAGE_KEYS = ("id", "ids", "page", "lang", "confirm", "unfollow", *ANSWER_KEYS)
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
    # The link itself is kept, not its problems: they are said in the page's language,
    # which the switch may change while the view stays.
    st.session_state[_LINK_PROBLEMS] = (parsed.query.to_query_string(), raw)
    if raw != canonical:
        grouped: dict[str, list[str]] = {}
        for key, value in canonical:
            grouped.setdefault(key, []).append(value)
        st.switch_page(this_page, query_params=grouped)


def _widget_params() -> dict[str, list[str]]:
    """What the widgets hold, as link text for each key."""
    state = st.session_state
    params: dict[str, list[str]] = {}
    for f in FILTERS:
        widget, value = f.widget, state.get(f.key)
        if widget is None:
            continue
        if widget.kind == "search":
            params[f.key] = search_terms(value)
        elif widget.kind == "number":
            if value is None or not state.get(widget.needs or f.key):
                continue
            if widget.default is not None and float(value) == widget.default:
                continue
            params[f.key] = [f.write(float(value))]
        elif f.repeatable:
            params[f.key] = list(value or [])
        else:
            params[f.key] = [value or ""]
    return params


def _link_problems(query_string: str) -> Iterable[QueryProblem]:
    """What the opening link had that was ignored, while its view is unchanged."""
    opened, raw = st.session_state.get(_LINK_PROBLEMS, ("", ()))
    return parse_query(raw, extra_keys=PAGE_KEYS).problems if opened == query_string else ()


# Status, phase and study type show words ("Not yet recruiting", "Chưa tuyển"), so
# they are not bound to the URL: a widget with ``bind="query-params"`` writes its
# *shown* label into the link, and words there would make a link only a page in the
# same language can read. The link is kept in step here instead, in the link's
# spelling ("not_yet_recruiting"), so a link made in one language opens the same view
# in the other.
WORDED_KEYS = tuple(
    f.key
    for f in FILTERS
    if f.widget is not None
    and (f.widget.kind in ("choices", "choice") or (f.widget.kind == "names" and f.widget.shown))
)
#: The worded filters' values at the end of the last run, and its language.
_WORDED = "_worded_filters"


def _in_words(words: Callable[[str], str], registry_case: bool = True) -> Callable[[str], str]:
    """A ``format_func`` that shows a link spelling ("recruiting", "Vietnam") in the
    words of the page's language: "Đang tuyển", "Việt Nam" in Vietnamese. It keeps
    the language it was made in, wherever it is called from. ``registry_case``: the
    words are looked up by the registry's spelling ("RECRUITING")."""
    lang = language()

    def show(option: str) -> str:
        with using(lang):
            return words(option.upper() if registry_case else option)

    return show


def _link_spelling(key: str, values: Iterable[str]) -> list[str]:
    """``values`` of ``key`` as the query language prints them (unreadable ones left out)."""
    parsed = parse_query([(key, value) for value in values if value])
    return [value for name, value in parsed.query.params() if name == key]


def _seed_worded_filters() -> None:
    """Give the worded filters their values before they are drawn: from the link on a
    session's first run, and again after a language switch (the browser sends back the
    old language's label, which the new options lack).

    On Back or Forward the link decides when it names the filter, as for the widgets
    bound to the URL. A link that does not name it leaves it as it is: the browser keeps
    such links in its history when it moves to another page (it carries only the bound
    keys there, and this run puts the rest back as a new entry), and Back to one of them
    must not drop the family's choice.
    """
    state = st.session_state
    last_lang, last_values = state.get(_WORDED) or (language(), {})
    back_or_forward = is_history_navigation()
    for key in WORDED_KEYS:
        in_link = st.query_params.get_all(key)
        if key not in state or (back_or_forward and in_link):
            values = _link_spelling(key, in_link)
        elif last_lang != language():
            values = list(last_values.get(key, ()))
        else:
            continue
        state[key] = values if key != "type" else (values[0] if values else None)


#: Filters drawn as a search box: not bound to the URL either (the box holds several
#: terms as one text, "a; b", and the link one ``cond`` a term), kept in step here.
SEARCH_KEYS = tuple(f.key for f in FILTERS if f.widget is not None and f.widget.kind == "search")
#: The search boxes' terms at the end of the last run.
_SEARCHED = "_searched_terms"


def search_terms(text: object) -> list[str]:
    """The terms a search box holds: its text split at ";", each trimmed."""
    if not isinstance(text, str):
        return []
    return [term.strip() for term in text.split(";") if term.strip()]


def _seed_search_boxes() -> None:
    """A search box's text from the link: on a session's first run, and on Back or
    Forward to a link that names it (as for the worded filters)."""
    state = st.session_state
    back_or_forward = is_history_navigation()
    for key in SEARCH_KEYS:
        in_link = st.query_params.get_all(key)
        if key not in state or (back_or_forward and in_link):
            state[key] = "; ".join(in_link)


def _keep_search_boxes_in_link() -> None:
    """The link names each term of the search boxes, one ``cond`` a term."""
    state = st.session_state
    for key in SEARCH_KEYS:
        terms = search_terms(state.get(key))
        if st.query_params.get_all(key) != terms:
            if terms:
                st.query_params[key] = terms
            else:
                del st.query_params[key]


def _choose_suggestion(key: str) -> None:
    """A suggestion tapped: it becomes the search box's text."""
    chosen = st.session_state.get(f"{key}-suggestions")
    if chosen:
        st.session_state[key] = chosen
        st.session_state[f"{key}-suggestions"] = None


#: How many suggestions a search box offers under it.
SUGGESTIONS = 6


def suggestions(names: list[str], text: str | None, limit: int = SUGGESTIONS) -> list[str]:
    """Names that contain every word typed (case and accents ignored), shortest first;
    none when the box is empty, holds several terms, or already holds one of them."""
    terms = search_terms(text)
    if len(terms) != 1:
        return []
    typed = fold(terms[0])
    words = typed.split()
    folded = _folded(tuple(names))
    if not words or typed in folded.values():
        return []
    found = [name for name, key in folded.items() if all(w in key for w in words)]
    return sorted(found, key=lambda n: (len(n), n))[:limit]


@functools.lru_cache(maxsize=4)
def _folded(names: tuple[str, ...]) -> dict[str, str]:
    """Each name by its folded form (the catalog's names change only with the data)."""
    return {name: fold(name) for name in names}


def _keep_worded_filters_in_link() -> None:
    """The link says what the worded filters hold, in the link's spelling."""
    state = st.session_state
    values: dict[str, list[str]] = {}
    for key in WORDED_KEYS:
        chosen = state.get(key)
        chosen = [chosen] if isinstance(chosen, str) else list(chosen or [])
        values[key] = _link_spelling(key, chosen)
        if st.query_params.get_all(key) != values[key]:
            if values[key]:
                st.query_params[key] = values[key]
            else:
                del st.query_params[key]
    state[_WORDED] = (language(), values)


#: The sidebar's order (the link's order is the filters'); those whose widget says
#: ``more`` go under "More filters".
SIDEBAR = ("cond", "age", "near", "within", "status", "country", "phase", "intr", "spons", "type")


def _draw(f: Filter, catalog: Catalog) -> None:
    """One filter's widget, as its :class:`~trialfinder.query.filters.Widget` says."""
    w = f.widget
    assert w is not None
    common = {"key": f.key, "help": _(w.help) if w.help else None}
    if w.kind == "search":
        st.text_input(_(w.label), placeholder=_(w.placeholder), **common)
        offered = suggestions(w.names(catalog) if w.names else [], st.session_state.get(f.key))
        if offered:
            st.pills(
                _("Suggestions"),
                offered,
                key=f"{f.key}-suggestions",
                on_change=_choose_suggestion,
                args=(f.key,),
                label_visibility="collapsed",
            )
    elif w.kind == "names" and w.shown is not None:
        assert w.names is not None
        shown = _in_words(w.shown, registry_case=False)
        names = w.names(catalog)
        chosen = [n for n in st.session_state.get(f.key) or () if n not in names]
        st.multiselect(
            _(w.label),
            # In the order of the names as shown: "Úc" (Australia) among the U's.
            sorted([*names, *chosen], key=lambda name: fold(shown(name))),
            format_func=shown,
            accept_new_options=True,
            placeholder=_(w.placeholder),
            **common,
        )
    elif w.kind == "names":
        assert w.names is not None
        st.multiselect(
            _(w.label),
            w.names(catalog),
            bind="query-params",
            accept_new_options=True,
            placeholder=_(w.placeholder),
            **common,
        )
    elif w.kind in ("choices", "choice"):
        assert w.shown is not None
        options = [c.lower() for c in f.choices]
        shown = _in_words(w.shown)
        if w.kind == "choices":
            st.multiselect(
                _(w.label), options, format_func=shown, placeholder=_(w.placeholder), **common
            )
        else:
            st.selectbox(
                _(w.label),
                options,
                format_func=shown,
                index=None,
                placeholder=_(w.placeholder),
                **common,
            )
    elif w.kind == "text":
        st.text_input(_(w.label), bind="query-params", placeholder=_(w.placeholder), **common)
    elif w.kind == "number":
        st.number_input(
            _(w.label),
            min_value=w.minimum,
            max_value=w.maximum,
            step=w.step,
            value=w.default,
            # Whole kilometres: "50", not "50.00".
            format="%.0f" if w.step is not None and float(w.step).is_integer() else None,
            bind="query-params",
            **common,
        )
    else:
        raise ValueError(f"filter {f.key}: no widget of kind {w.kind!r}")


def sidebar_filters(catalog: Catalog, on_page: bool = False) -> ParsedQuery:
    """Draw the filters; return the query and what the link had that was ignored.

    ``on_page``: the family's main questions (condition, age, place, status) are
    drawn on the page itself, above what it shows (the Find page on a phone must
    not hide them behind the sidebar); the rest stay in the sidebar.
    """
    _seed_worded_filters()
    _seed_search_boxes()
    shown = [FILTERS_BY_KEY[key] for key in SIDEBAR]
    if on_page:
        with st.container(key="main-filters"):
            main = [f for f in shown if f.widget is not None and f.widget.main]
            # In pairs, row by row: a phone stacks them in this order.
            for i in range(0, len(main), 2):
                for column, f in zip(st.columns(2), main[i : i + 2], strict=False):
                    with column:
                        _draw(f, catalog)
    with st.sidebar:
        st.header(_("Find a trial") if not on_page else _("More filters"))
        for f in shown:
            if f.widget is None or (on_page and f.widget.main):
                continue
            if not f.widget.more:
                _draw(f, catalog)
        with st.expander(_("More filters") if not on_page else _("Phase, treatment, sponsor")):
            for f in shown:
                if f.widget is not None and f.widget.more:
                    _draw(f, catalog)
    _keep_worded_filters_in_link()
    _keep_search_boxes_in_link()
    from_widgets = parse_query(_widget_params())
    from_link = parse_query(_raw_pairs(), extra_keys=PAGE_KEYS)
    # The link and its box may both hold the same bad part: it is said once.
    problems: dict[tuple[str, str | None], QueryProblem] = {}
    for problem in (
        *_link_problems(from_widgets.query.to_query_string()),
        *from_link.problems,
        *from_widgets.problems,
    ):
        problems.setdefault((problem.key, problem.value), problem)
    return ParsedQuery(from_widgets.query, tuple(problems.values()), from_link.extra)
