"""An abbreviation with several meanings ("CP"): offer the meanings, never pick one."""

from __future__ import annotations

import streamlit as st

from trialfinder.i18n import _, language
from trialfinder.query import Query
from trialfinder.ui.filters import search_terms
from trialfinder.ui.text import md
from trialfinder.words.read import read_condition
from trialfinder.words.synonyms import Synonyms

#: The condition filter's search box (trialfinder.ui.filters): its text, terms split at ";".
CONDITION_KEY = "cond"


def _choose(typed: str, meaning: str) -> None:
    """The filter's ``typed`` becomes ``meaning`` (before the filters are drawn again,
    so the sidebar and the link follow)."""
    terms = search_terms(st.session_state.get(CONDITION_KEY))
    chosen = [meaning if term == typed else term for term in terms]
    st.session_state[CONDITION_KEY] = "; ".join(dict.fromkeys(chosen or [meaning]))


def offer_meanings(query: Query, synonyms: Synonyms) -> None:
    """For each condition typed as a short form with several meanings, a line that
    says so and a button for each meaning: the same view, that meaning instead."""
    for number, typed in enumerate(query.cond):
        meanings = read_condition(typed, synonyms).meanings
        if not meanings:
            continue
        with st.container(border=True, key=f"meanings-{number}"):
            question = _("“{typed}” can mean several things. Which one did you mean?")
            st.markdown(md(question.format(typed=typed)))
            for meaning in meanings:
                known = synonyms.concept("condition", meaning)
                st.button(
                    # In the page's language where the synonyms file names it (bại não).
                    md(known.name_in(language()) if known else meaning),
                    key=f"meaning-{number}-{meaning}",
                    on_click=_choose,
                    args=(typed, meaning),
                    icon=":material/search:",
                    type="tertiary",
                )
