"""Find: the trials that match, as cards, with a link to this view and a CSV."""

import math
from urllib.parse import urlencode

import streamlit as st

from trialfinder.export import results_to_csv
from trialfinder.query import apply_query
from trialfinder.ui import page
from trialfinder.ui.cards import trial_card
from trialfinder.ui.comparison import basket, compare_link
from trialfinder.ui.data import catalog
from trialfinder.ui.text import md

CARDS_PER_PAGE = 50

parsed = page.current()
page.show_notice(parsed)
results = apply_query(catalog(), parsed.query)
count = len(results)

st.subheader("1 trial matches" if count == 1 else f"{count} trials match")
st.markdown(md(parsed.query.describe(count)))
compare_link(basket())

# Filled once the page number is known: the link names the page of cards shown.
share_slot = st.container()

pages_total = max(1, math.ceil(count / CARDS_PER_PAGE))
if int(st.session_state.get("page") or 1) > pages_total:
    st.session_state["page"] = 1
current_page = 1
if pages_total > 1:
    current_page = int(
        st.number_input(
            f"Page (of {pages_total})",
            min_value=1,
            max_value=pages_total,
            step=1,
            key="page",
            bind="query-params",
        )
    )
with share_slot, st.expander("Share or download this view", icon=":material/share:"):
    st.caption("Copy link: anyone who opens it sees this same view.")
    shared = parsed.query.params() + ([("page", str(current_page))] if current_page > 1 else [])
    st.code(page.share_url(urlencode(shared)), language=None, wrap_lines=True)
    st.download_button(
        "Download results (CSV)",
        results_to_csv(results),
        file_name="trialfinder-results.csv",
        mime="text/csv",
        icon=":material/download:",
    )

start = (current_page - 1) * CARDS_PER_PAGE
for _, row in results.iloc[start : start + CARDS_PER_PAGE].iterrows():
    trial_card(row)
if count == 0:
    st.info(
        "No trial matches. Try fewer filters, another word for the condition, or a wider radius."
    )
