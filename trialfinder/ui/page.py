"""What every page shares: the parsed query and the notice about a bad link."""

from __future__ import annotations

import json
from urllib.parse import urlsplit, urlunsplit

import streamlit as st

from trialfinder.catalog import Catalog
from trialfinder.family.eligibility.answers import KEYS as ANSWER_KEYS
from trialfinder.i18n import DEFAULT, _, language, set_language
from trialfinder.model import Trial
from trialfinder.query import ParsedQuery, Query, find
from trialfinder.ui.internals import leave_pages_directory_mode
from trialfinder.ui.text import md

QUERY_STATE = "parsed_query"
#: The language switch's key (the URL key is ``lang``).
LANG_SWITCH = "lang_switch"


def _run_through_dashboard() -> None:
    """Make sure this page runs inside dashboard.py, not on its own.

    Streamlit treats a folder named ``pages/`` as its old multipage layout (each
    file a page of its own, run without the entry script) until some run calls
    ``st.navigation``. So after a server start, a link to ``/trial?id=...`` or
    ``/map?...`` opened before anyone opened ``/`` ran the page alone: no filters,
    no link check, and "Choose a trial" instead of the trial. Switch to
    ``st.navigation`` (what dashboard.py's first run would do) and run again:
    the rerun keeps the page and the query string.
    """
    if leave_pages_directory_mode():
        st.rerun()


def keep_language() -> None:
    """Set the page's language again, for a fragment: a fragment's rerun (a click
    on the map) runs without dashboard.py, which sets it, and its words came out
    in English on a Vietnamese page."""
    set_language(st.session_state.get(LANG_SWITCH, DEFAULT))


def current() -> ParsedQuery:
    """The query the sidebar built on this run (set by dashboard.py)."""
    _run_through_dashboard()
    parsed = st.session_state.get(QUERY_STATE)
    return parsed if isinstance(parsed, ParsedQuery) else ParsedQuery(Query())


def show_notice(parsed: ParsedQuery) -> None:
    notice = parsed.notice()
    if notice:
        # The notice quotes what the link said: data, never markup. Keyed, so that it
        # can be told from the page's other notes.
        with st.container(key="link-notice"):
            st.warning(md(notice), icon=":material/link_off:")


def requested_trial(
    parsed: ParsedQuery, catalog: Catalog, no_id: str, here: str = "pages/trial.py"
) -> Trial | None:
    """The trial a page's ``id`` names; when there is none, say so kindly and return
    None. Opened with no ``id`` (from the menu, say), the page is not a dead end: it
    offers a box for a trial's number and the trials of the family's current search,
    each a link to ``here`` (``no_id`` says what the page is for)."""
    wanted = parsed.extra.get("id", ())
    trial = catalog.trial(wanted[0].strip()) if wanted else None
    if not wanted:
        choose_trial(parsed, catalog, here, no_id)
        return None
    if trial is None:
        st.warning(
            md(
                _(
                    "We could not find a trial with the id {id}. "
                    "It may have been removed, or the link may be incomplete."
                ).format(id=wanted[0][:60])
            )
        )
    if trial is None:
        st.page_link("pages/find.py", label=_("Find trials"), icon=":material/search:")
    return trial


#: How many trials a detail page opened without one offers to choose from.
CHOICES = 10


def _open_typed_id(key: str) -> None:
    typed = str(st.session_state.get(key) or "").strip()
    if typed:
        st.query_params["id"] = typed


def choose_trial(parsed: ParsedQuery, catalog: Catalog, here: str, no_id: str = "") -> None:
    """A box for a trial's number, then the first trials of the current search."""
    if no_id:
        st.markdown(md(no_id))
    st.text_input(
        _("A trial's number"),
        placeholder=_("e.g. NCT07527104"),
        key="choose-trial-id",
        on_change=_open_typed_id,
        args=("choose-trial-id",),
    )
    results = find(catalog, parsed.query).head(CHOICES)  # the first rows, not every match
    if results.empty:
        return
    st.markdown(md(_("Or choose one of the trials of your search:")))
    titles = catalog.titles_in(language())
    for trial_id, title in zip(results["id"], results["title"], strict=False):
        title = titles.get(trial_id, title)
        st.page_link(
            here,
            label=md(f"{title} ({trial_id})"[:140]),
            icon=":material/article:",
            query_params=page_params({"id": str(trial_id)}),
        )


#: How many curated records' staff notes the data page lists.
CURATED_NOTES = 100


def curated_notes(catalog: Catalog) -> list[tuple[str, str]]:
    """(trial id, staff notes) of the curated records that have notes: shown to staff
    on the data page, never to families."""
    trials = catalog.trials
    curated = trials["id"][trials["source"].astype("string").str.contains("curated", na=False)]
    found = []
    for trial_id in curated.head(CURATED_NOTES):
        trial = catalog.trial(str(trial_id))
        if trial is not None and trial.notes:
            found.append((trial.id, trial.notes))
    return found


def share_url(query_string: str, path: str = "") -> str:
    """The address of a view, from the browser's own address when known."""
    base = st.context.url or "http://localhost:8501/"
    scheme, netloc, _, _, _ = urlsplit(base)
    return urlunsplit((scheme, netloc, "/" + path.lstrip("/"), query_string, ""))


def page_params(params: dict[str, str | list[str]]) -> dict[str, str | list[str]]:
    """A page link's query, keeping the interface's language (``lang``) and the
    family's answers about their child (they live in the link only)."""
    lang = language()
    kept = {key: st.query_params.get_all(key) for key in ANSWER_KEYS if key in st.query_params}
    return {**params, **kept, **({"lang": lang} if lang != DEFAULT else {})}


def keep_language_in_link(lang: str) -> None:
    """``lang`` in the address bar says the page's language (none for the default)."""
    shown = st.query_params.get_all("lang")
    if lang == DEFAULT and shown:
        del st.query_params["lang"]
    elif lang != DEFAULT and shown != [lang]:
        st.query_params["lang"] = lang


def lang_pairs() -> list[tuple[str, str]]:
    """The ``lang`` pair a shared link carries (none for the default language)."""
    lang = language()
    return [("lang", lang)] if lang != DEFAULT else []


#: Phone-sized pages: nothing wider than the screen (long words and links wrap,
#: code blocks wrap), and a visible outline on whatever has keyboard focus.
_STYLES = """
<style>
[data-testid="stMain"] pre, [data-testid="stMain"] code {white-space: pre-wrap !important;
  overflow-wrap: anywhere;}
[data-testid="stMain"] p, [data-testid="stMain"] li {overflow-wrap: anywhere;}
[data-testid="stMain"] img, [data-testid="stMain"] canvas {max-width: 100%;}
/* Captions: Streamlit's grey is too light on white (WCAG AA wants 4.5:1); this is 8:1. */
[data-testid="stCaptionContainer"] {opacity: 1 !important;}
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p
  {color: #4b4f58 !important;}
/* A page link's words wrap (Streamlit keeps them on one line and cuts a long
   trial title mid-letter on a phone). */
[data-testid="stMain"] [data-testid="stPageLink"] :is(span, div, p)
  {white-space: normal !important; overflow: visible !important;}
/* A phone number or address is tapped: a finger-sized target (44 px tall), the
   text where it was (padding on an inline link does not move the lines). */
[data-testid="stMain"] a[href^="tel:"], [data-testid="stMain"] a[href^="mailto:"]
  {padding: 0.75rem 0.2rem; margin: 0 -0.2rem;}
a:focus-visible, button:focus-visible, [tabindex]:focus-visible, input:focus-visible
  {outline: 3px solid #1f4e79 !important; outline-offset: 2px;}
</style>
"""


def accessibility_styles() -> None:
    # A Markdown element of its own (in the sidebar, where its gap is not seen): a
    # style-only st.html goes to Streamlit's event area, which some runs left empty.
    st.sidebar.markdown(_STYLES, unsafe_allow_html=True)


def name_the_page(title: str, lang: str) -> None:
    """The browser's tab title ("So sánh · trialfinder") and the document's language
    (``<html lang>``, so a screen reader reads Vietnamese as Vietnamese): Streamlit
    fixes ``lang="en"`` and offers only a script to change it. In the sidebar, where
    its element's gap is not seen."""
    st.set_page_config(page_title=f"{title} · trialfinder")
    st.sidebar.html(f"<script>{lang_script(lang)}</script>", unsafe_allow_javascript=True)


def lang_script(lang: str) -> str:
    """The inline script that names the document's language. The proxy's content
    security policy allows it by its hash, one a language (``deploy/nginx.conf``)."""
    return f"document.documentElement.lang = {json.dumps(lang)};"
