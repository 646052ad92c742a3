"""Find: the trials that match, as cards, with a link to this view and a CSV."""

import functools
import math
from urllib.parse import urlencode

import streamlit as st

from trialfinder import localized
from trialfinder.catalog import Catalog
from trialfinder.family import breakdown
from trialfinder.family.cards import cards
from trialfinder.family.export import results_to_csv
from trialfinder.i18n import _, language, ngettext
from trialfinder.query import Query, apply_query, find
from trialfinder.ui import page
from trialfinder.ui.cards import CARDS_PER_PAGE, trial_card
from trialfinder.ui.charts import bar_chart
from trialfinder.ui.comparison import basket, compare_link
from trialfinder.ui.data import catalog
from trialfinder.ui.follow import follow_search
from trialfinder.ui.meanings import offer_meanings
from trialfinder.ui.text import md


def _results_csv(the_catalog: Catalog, query: Query) -> str:
    return results_to_csv(apply_query(the_catalog, query))


parsed = page.current()
page.show_notice(parsed)
the_catalog = catalog()
results = find(the_catalog, parsed.query)
count = len(results)

st.subheader(
    ngettext("{n} trial matches", "{n} trials match", count).format(n=localized.count(count))
)
sentence = parsed.query.describe(count, the_catalog.synonyms)
if parsed.query.params():
    # What the view is, once: the count is in the heading above.
    st.markdown(md(parsed.query.describe(synonyms=the_catalog.synonyms)))
else:
    st.markdown(
        md(
            _(
                "Find clinical trials your child could join: type the condition, your "
                "child's age and your city above, and the matching trials are listed below."
            )
        )
    )
offer_meanings(parsed.query, the_catalog.synonyms)
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
            _("Page (of {n})").format(n=localized.count(pages_total)),
            min_value=1,
            max_value=pages_total,
            step=1,
            key="page",
            bind="query-params",
        )
    )
with share_slot, st.expander(_("Share or download this view"), icon=":material/share:"):
    st.caption(
        _(
            "Copy link: the sentence and the link, ready to paste into a message. "
            "Anyone who opens the link sees this same view."
        )
    )
    shared = parsed.query.params() + ([("page", str(current_page))] if current_page > 1 else [])
    link = page.share_url(urlencode(shared + page.lang_pairs()))
    st.code(f"{sentence}\n{link}", language=None, wrap_lines=True)
    st.download_button(
        _("Download results (CSV)"),
        # Made when clicked, from the query (not from this run's results, which a
        # session would otherwise hold on to): most visitors never download.
        functools.partial(_results_csv, the_catalog, parsed.query),
        file_name="trialfinder-results.csv",
        mime="text/csv",
        # No rerun: a rerun's clean-up could remove the file before the browser fetched it.
        on_click="ignore",
        icon=":material/download:",
    )

if count:
    # Drawn only while open (the charts are most of a page's work, and most
    # visitors read the cards).
    glance = st.expander(
        _("These results at a glance"), icon=":material/bar_chart:", key="glance", on_change="rerun"
    )
    if glance.open:
        with glance:
            left, right = st.columns(2)
            with left:
                bar_chart(breakdown.by_status(results), "find-status")
            with right:
                bar_chart(breakdown.by_phase(results), "find-phase")

start = (current_page - 1) * CARDS_PER_PAGE
shown = results.rows(start, start + CARDS_PER_PAGE)
for card in cards(the_catalog, shown, language(), parsed.query.place):
    trial_card(card.row, card.flags, card.contact)
if count == 0:
    st.info(
        _("No trial matches. Try fewer filters, another word for the condition, or a wider radius.")
    )

follow_search(parsed.query, lang=language())
