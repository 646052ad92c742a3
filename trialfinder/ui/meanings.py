"""An abbreviation with several meanings ("CP"): offer the meanings, never pick one."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from trialfinder.i18n import _, language
from trialfinder.query import Query
from trialfinder.ui.page import page_params
from trialfinder.ui.text import md
from trialfinder.words.read import read_condition
from trialfinder.words.synonyms import Synonyms


def _params(query: Query) -> dict[str, list[str]]:
    params: dict[str, list[str]] = {}
    for key, value in query.params():
        params.setdefault(key, []).append(value)
    return params


def offer_meanings(query: Query, synonyms: Synonyms) -> None:
    """For each condition typed as a short form with several meanings, a line that
    says so and a link for each meaning: the same view, that meaning instead."""
    for number, typed in enumerate(query.cond):
        meanings = read_condition(typed, synonyms).meanings
        if not meanings:
            continue
        with st.container(border=True, key=f"meanings-{number}"):
            st.markdown(
                md(
                    _("“{typed}” can mean several things. Which one did you mean?").format(
                        typed=typed
                    )
                )
            )
            for meaning in meanings:
                chosen = tuple(meaning if c == typed else c for c in query.cond)
                wanted = replace(query, cond=tuple(dict.fromkeys(chosen)))
                known = synonyms.concept("condition", meaning)
                st.page_link(
                    "pages/find.py",
                    # In the page's language where the synonyms file names it (bại não).
                    label=md(known.name_in(language()) if known else meaning),
                    icon=":material/search:",
                    query_params=page_params(_params(wanted)),
                )
