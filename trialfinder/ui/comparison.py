"""Comparison tables on the page: escaped HTML that reads across and prints cleanly."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

import streamlit as st

from trialfinder import localized
from trialfinder.family.compare import Comparison
from trialfinder.i18n import _, ngettext
from trialfinder.ui.page import page_params

BASKET = "compare_basket"

_STYLE = """
<style>
.tf-compare {border-collapse: collapse; width: 100%; font-size: 0.95rem;}
.tf-compare th, .tf-compare td {border: 1px solid #ddd; padding: 0.45rem 0.6rem;
  vertical-align: top; text-align: left; white-space: pre-line; overflow-wrap: anywhere;}
/* The trials' ids stay at the top while the page scrolls (below Streamlit's
   3.75rem header); the table is never wider than the screen. */
.tf-compare thead {position: sticky; top: 3.75rem; z-index: 2;}
.tf-compare thead th {background: #f4f4f4; box-shadow: 0 2px 3px rgba(0, 0, 0, 0.12);}
/* A phone: each line's name across the screen, the trials' values side by side
   beneath it. */
@media (max-width: 640px) {
  .tf-compare, .tf-compare thead, .tf-compare tbody {display: block;}
  .tf-compare tr {display: grid; grid-template-columns: repeat(var(--tf-trials), minmax(0, 1fr));}
  .tf-compare th[scope=row], .tf-compare .tf-group th {grid-column: 1 / -1;}
  .tf-compare th[scope=row] {border-bottom: none; background: #fafafa;}
  .tf-compare thead th:first-child {display: none;}
}
.tf-compare .tf-group th {background: #e9eef5; font-size: 1rem;}
.tf-compare tr.tf-differs td {background: #fff6e0;}
.tf-compare .tf-flag {font-size: 0.8rem; color: #8a5a00; font-weight: 600; display: block;}
.tf-compare .tf-explain {font-size: 0.8rem; color: #555; font-weight: normal; display: block;}
@media print {
  [data-testid="stSidebar"], [data-testid="stHeader"], [data-testid="stToolbar"],
  .stButton, .stDownloadButton, [data-testid="stSelectbox"] {display: none !important;}
  .tf-compare tr.tf-differs td {background: none; font-weight: 600;}
}
</style>
"""


_WEB_ADDRESS = re.compile(r"https?://\S+")


def _cell(value: str) -> str:
    """A value as escaped text; a web address (the registry link) as a link to tap."""
    if _WEB_ADDRESS.fullmatch(value):
        return f"<a href='{html.escape(value, quote=True)}'>{html.escape(value)}</a>"
    return html.escape(value)


def comparison_html(comparison: Comparison) -> str:
    """The table as HTML; every value is escaped (trial text is data)."""
    esc = html.escape
    head = "".join(f"<th scope='col'>{esc(t.id)}</th>" for t in comparison.trials)
    body: list[str] = []
    span = len(comparison.trials) + 1
    for group in comparison.groups():
        body.append(
            f"<tr class='tf-group'><th colspan='{span}' scope='colgroup'>{esc(group)}</th></tr>"
        )
        for row in (r for r in comparison.rows if r.group == group):
            differs = esc(_("differs"))
            flag = f"<span class='tf-flag'>{differs}</span>" if row.differs else ""
            explain = f"<span class='tf-explain'>{esc(row.explain)}</span>" if row.explain else ""
            cells = "".join(f"<td>{_cell(v)}</td>" for v in row.values)
            css = " class='tf-differs'" if row.differs else ""
            body.append(
                f"<tr{css}><th scope='row'>{esc(row.label)}{flag}{explain}</th>{cells}</tr>"
            )
    return (
        _STYLE
        + "<div class='tf-comparison' role='region' tabindex='0' aria-label='"
        + esc(_("Comparison table"))
        + "'><table class='tf-compare' style='--tf-trials: "
        + str(len(comparison.trials))
        + "'><thead><tr><th scope='col'>"
        + esc(_("Trial"))
        + "</th>"
        + head
        + "</tr></thead><tbody>"
        + "".join(body)
        + "</tbody></table></div>"
    )


def show_comparison(comparison: Comparison) -> None:
    st.html(comparison_html(comparison))


def basket() -> list[str]:
    """The trials chosen for comparison in this session."""
    return list(st.session_state.get(BASKET, []))


def _toggle(trial_id: str) -> None:
    chosen = basket()
    st.session_state[BASKET] = (
        [i for i in chosen if i != trial_id] if trial_id in chosen else [*chosen, trial_id]
    )


def compare_toggle(trial_id: str, key_prefix: str = "cmp") -> None:
    """ "Add to compare" / "Remove from compare" for one trial."""
    chosen = trial_id in basket()
    st.button(
        _("Remove from compare") if chosen else _("Add to compare"),
        key=f"{key_prefix}-{trial_id}",
        icon=":material/remove:" if chosen else ":material/compare_arrows:",
        on_click=_toggle,
        args=(trial_id,),
    )


def compare_link(ids: Sequence[str]) -> None:
    if ids:
        st.page_link(
            "pages/compare.py",
            label=ngettext(
                "Compare the {n} chosen trial", "Compare the {n} chosen trials", len(ids)
            ).format(n=localized.count(len(ids))),
            icon=":material/compare_arrows:",
            query_params=page_params({"ids": list(ids)}),
        )
