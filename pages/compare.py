"""Compare two to four trials side by side: /compare?ids=NCT07527104&ids=..."""

import streamlit as st

from trialfinder.compare import MAX_TRIALS, compare, pick_ids
from trialfinder.export import records_to_csv
from trialfinder.i18n import _
from trialfinder.ui import page
from trialfinder.ui.comparison import BASKET, basket, show_comparison
from trialfinder.ui.data import catalog
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
picked = pick_ids(requested, the_catalog.trials["id"].tolist())
st.session_state[BASKET] = list(picked.ids)
titles = the_catalog.titles()


def _set_ids(ids: list[str]) -> None:
    st.session_state[BASKET] = ids
    st.query_params["ids"] = ids


def _add() -> None:
    chosen = st.session_state.get("compare_add")
    if chosen and chosen not in picked.ids:
        _set_ids([*picked.ids, chosen][:MAX_TRIALS])
    st.session_state["compare_add"] = None


st.subheader(_("Compare trials side by side"))
for note in picked.notes:
    st.info(md(note), icon=":material/info:")

if len(picked.ids) < MAX_TRIALS:
    st.selectbox(
        _("Add a trial (type an id or words from its title)"),
        [i for i in titles.index if i not in picked.ids],
        index=None,
        format_func=lambda i: f"{i}: {titles[i]}"[:140],
        key="compare_add",
        on_change=_add,
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
    comparison = compare(trials, the_catalog.sites, parsed.query.place)
    show_comparison(comparison)
    st.download_button(
        _("Download the comparison (CSV)"),
        records_to_csv(comparison.to_frame().to_dict("records")),
        file_name="trialfinder-comparison.csv",
        mime="text/csv",
        icon=":material/download:",
    )
    st.caption(
        _(
            "Rows marked “differs” are where the trials are not the same. "
            "The page prints cleanly; on a phone, slide the table sideways."
        )
    )
