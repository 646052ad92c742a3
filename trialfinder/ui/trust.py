"""Trust flags on the page: each with its one-line reason and the fact behind it."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from trialfinder.family.flags import Flag
from trialfinder.i18n import _
from trialfinder.ui.text import md


def flag_lines(flags: Sequence[Flag], key: str) -> None:
    """The flags as short lines (cards and the trial page); nothing when there are none."""
    if not flags:
        return
    with st.container(key=f"flags-{key}"):
        # One element for all the flags (a card is sent as few messages as it can).
        st.markdown(
            "\n\n".join(
                f":material/flag: **{md(flag.title)}.** {md(flag.reason)}  \n"
                f"*{md(flag.fact)}*" + (f" “{md(flag.quote)}”" if flag.quote else "")
                for flag in flags
            )
        )


def flags_section(flags: Sequence[Flag], key: str) -> None:
    """The trial page's section: the flags, or that the record raises none."""
    st.subheader(_("Trust flags"))
    if not flags:
        st.markdown(
            md(_("The record raises none of the flags we check (it may still be silent on them)."))
        )
    flag_lines(flags, key)
