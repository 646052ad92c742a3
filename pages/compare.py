"""Compare two to four trials side by side: /compare?ids=NCT07527104&ids=..."""

import streamlit as st

from trialfinder.family.compare import (
    MAX_TRIALS,
    chosen_id,
    compare,
    menu_label,
    pick_ids,
    with_added,
)
from trialfinder.family.export import records_to_csv
from trialfinder.i18n import _, language
from trialfinder.query import find
from trialfinder.ui import page
from trialfinder.ui.comparison import BASKET, basket, show_comparison
from trialfinder.ui.data import catalog
from trialfinder.ui.eligibility_view import eligibility_compare
from trialfinder.ui.text import md

parsed = page.current()
page.show_notice(parsed)
the_catalog = catalog()
requested = parsed.extra.get("ids", ())
if not requested and basket():
    # Opened from the menu, without ids: compare the trials chosen on the other
    # pages (the basket), and put them in the URL so the comparison is a link.
    requested = tuple(basket())
    st.query_params["ids"] = list(requested)
picked = pick_ids(requested, the_catalog.find_id)
st.session_state[BASKET] = list(picked.ids)
titles = the_catalog.titles_in(language())
#: The menu offers the trials the filters find (the first of them), not the whole
#: registry: 600,000 titles would be tens of megabytes on every run. Any id can be typed.
MENU_TRIALS = 200


def _set_ids(ids: list[str]) -> None:
    st.session_state[BASKET] = ids
    st.query_params["ids"] = ids


def _add() -> None:
    chosen = st.session_state.get("compare_add")
    found = chosen_id(chosen, the_catalog.find_id)
    if found:
        _set_ids(with_added(picked.ids, found))
    elif chosen:
        st.session_state[_NOT_FOUND] = str(chosen)[:40]
    st.session_state["compare_add"] = None


_NOT_FOUND = "_compare_not_found"


st.subheader(_("Compare trials side by side"))
for note in picked.notes:
    st.info(md(note), icon=":material/info:")

missing = st.session_state.pop(_NOT_FOUND, None)
if missing:
    st.info(
        md(_("No trial has the id {ids}; left out.").format(ids=missing)), icon=":material/info:"
    )
if len(picked.ids) < MAX_TRIALS:
    found = find(the_catalog, parsed.query).head(MENU_TRIALS + MAX_TRIALS)["id"]
    offered = [i for i in found.tolist() if i not in picked.ids][:MENU_TRIALS]
    st.selectbox(
        _("Add a trial (one your filters find, or type its id)"),
        offered,
        index=None,
        format_func=lambda i: menu_label(i, titles.get(i)),
        key="compare_add",
        on_change=_add,
        accept_new_options=True,
        placeholder=_("Search by id or title"),
    )

if picked.ids:
    columns = st.columns(len(picked.ids))
    for column, trial_id in zip(columns, picked.ids, strict=True):
        with column:
            st.button(
                _("Remove {id}").format(id=trial_id),
                key=f"compare-remove-{trial_id}",
                icon=":material/close:",
                on_click=_set_ids,
                args=([i for i in picked.ids if i != trial_id],),
            )
    trials = [the_catalog.trial(i) for i in picked.ids]
    comparison = compare(trials, the_catalog.sites_of(picked.ids), parsed.query.place)
    show_comparison(comparison)
    eligibility_compare(trials)
    st.download_button(
        _("Download the comparison (CSV)"),
        records_to_csv(comparison.to_frame().to_dict("records")),
        file_name="trialfinder-comparison.csv",
        mime="text/csv",
        icon=":material/download:",
    )
    st.caption(
        _("Rows marked “differs” are where the trials are not the same. The page prints cleanly.")
    )
