"""The compare page (and choosing trials to compare), opened from a query string with AppTest.

The comparison is one escaped HTML table (``st.html``); :func:`table` reads it
back the way a reader does: a column a trial, rows in groups, a "differs" flag
and a plain-language explanation beside a row's name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlencode

import numpy as np
import pytest

from tests.ui.reading import assert_clean, cards, plain
from tests.ui.trialdata import (
    CP_AGE4_HANOI,
    MARKUP_ARM_DESCRIPTION,
    MARKUP_ARM_LABEL,
    MARKUP_ID,
    MARKUP_TITLE,
    SEED_IDS,
)
from trialfinder.family import plain as plain_words
from trialfinder.geo import distance_km, resolve_place

SEEDS = urlencode([("ids", i) for i in SEED_IDS])
GROUPS = [
    "At a glance",
    "Who can join",
    "Design",
    "Arms",
    "Outcomes",
    "What it found",
    "Places",
    "Record",
]
#: The tags the table is made of: anything else came from a record.
#: ``div``: the wrapper that lets the table scroll sideways on a phone; ``a``: the
#: registry link.
TABLE_TAGS = {"style", "div", "table", "thead", "tbody", "tr", "th", "td", "span", "a"}


@dataclass
class Row:
    group: str
    label: str
    differs: bool
    explain: str
    cells: list[str]


@dataclass
class Table:
    columns: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    tags: set[str] = field(default_factory=set)

    def row(self, label: str) -> Row:
        [found] = [r for r in self.rows if r.label == label]
        return found

    def starting(self, prefix: str) -> list[Row]:
        return [r for r in self.rows if r.label.startswith(prefix)]


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.table = Table()
        self._cell: list[str] | None = None
        self._cells: list[tuple[str, str, dict]] = []
        self._span: str | None = None
        self._spans: dict[str, str] = {}
        self._kind = ""
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        self.table.tags.add(tag)
        attributes = dict(attrs)
        if tag == "style":
            self._in_style = True
        elif tag == "tr":
            self._cells = []
            self._kind = attributes.get("class") or ""
        elif tag in ("th", "td"):
            self._cell, self._spans = [], {}
        elif tag == "span" and self._cell is not None:
            self._span = attributes.get("class")
            self._spans[self._span] = ""

    def handle_endtag(self, tag):
        if tag == "style":
            self._in_style = False
        elif tag == "span":
            self._span = None
        elif tag in ("th", "td") and self._cell is not None:
            self._cells.append((tag, "".join(self._cell), self._spans))
            self._cell = None
        elif tag == "tr":
            self._row()

    def handle_data(self, data):
        if self._in_style or self._cell is None:
            return
        if self._span:
            self._spans[self._span] += data
        else:
            self._cell.append(data)

    def _row(self):
        table, cells = self.table, self._cells
        if not table.columns:
            table.columns = [text for _, text, _ in cells]
        elif "tf-group" in self._kind:
            table.groups.append(cells[0][1])
        else:
            (_, label, spans), *values = cells
            table.rows.append(
                Row(
                    group=table.groups[-1],
                    label=label,
                    differs=spans.get("tf-flag") == "differs",
                    explain=spans.get("tf-explain", ""),
                    cells=[text for _, text, _ in values],
                )
            )


def table(at) -> Table:
    [html] = [h.value for h in at.html if "tf-compare" in h.value]
    reader = _Reader()
    reader.feed(html)
    return reader.table


def infos(at) -> list[str]:
    return [plain(i.value) for i in at.info]


def open_compare(open_app, query: str, **kwargs):
    at = open_app(query, page="pages/compare.py", **kwargs)
    assert_clean(at)
    return at


# ------------------------------------------------------------------ the seed trials


def test_the_seed_trials_side_by_side(open_app):
    """What the issue says a parent must see when comparing the two seed trials."""
    at = open_compare(open_app, "ids=NCT07527104&ids=VINMEC-CP-BMMNC")
    assert not at.info and not at.warning
    t = table(at)
    assert t.columns == ["Trial", "NCT07527104", "VINMEC-CP-BMMNC"]  # one column a trial
    assert t.groups == GROUPS
    assert t.row("Allocation").cells == ["randomized", "randomized"]
    assert not t.row("Allocation").differs
    assert t.row("Ages").cells == ["1 year to 6 years", "1 year to 10 years"]
    assert t.row("Ages").differs and t.row("Ages").group == "Who can join"
    size = t.row("Size").cells
    assert size[0].startswith("60 ") and size[1].startswith("58 ")
    control = t.row("The control group gets")
    assert control.group == "Design"
    assert control.cells[0].startswith("Rehabilitation alone (usual care), without the cells.")
    assert "delayed start" in control.cells[1] and "cells from month 9" in control.cells[1]
    arm1, arm2 = t.row("Arm 1"), t.row("Arm 2")
    assert arm1.cells[0].startswith("Cells plus rehabilitation (experimental)")
    assert "Receives: Biological: Autologous bone marrow mononuclear cells" in arm1.cells[0]
    assert arm2.cells[0].startswith("Rehabilitation alone (control)")
    assert arm1.cells[1].startswith("Group A: cells from the start (experimental)")
    assert arm2.cells[1].startswith("Group B: control for 9 months, then cells (delayed start)")
    # the shared measure stands on one row, with each trial's own words
    [gmfm] = t.starting("Gross motor function (GMFM)")
    assert gmfm.group == "Outcomes"
    assert gmfm.cells[0] == "Gross motor function (time frame: 12 months)"
    assert "GMFM-88" in gmfm.cells[1]
    [safety] = t.starting("Safety: adverse events")
    assert safety.cells[0] == "—" and safety.differs
    assert t.row("Countries").cells == ["Vietnam", "Vietnam"]
    assert t.row("Last update").cells == ["June 27, 2026", "not given"]  # in words
    assert [r.label for r in t.rows if r.group == "Record"] == ["Last update", "Registry link"]


def test_rows_where_the_trials_differ_say_so_and_no_others(open_app):
    t = table(open_compare(open_app, SEEDS))
    for row in t.rows:
        assert row.differs == (len(set(row.cells)) > 1), row.label
    assert {r.label for r in t.rows if r.differs} >= {"Title", "Ages", "Size", "Arm 1"}
    assert {r.label for r in t.rows if not r.differs} >= {"Allocation", "Study type", "Cities"}


def test_every_design_term_shown_is_explained_beside_it(open_app):
    at = open_compare(open_app, "ids=TF-CP-001&ids=NCT07527104&ids=VINMEC-CP-BMMNC")
    t = table(at)
    explained = {
        "Allocation": plain_words.explain("allocation", "RANDOMIZED"),
        "How the groups are set up": plain_words.explain("intervention_model", "PARALLEL"),
        "Masking": plain_words.explain("masking", "SINGLE"),
        "Study type": plain_words.explain("study_type", "INTERVENTIONAL"),
        "Phase": plain_words.explain("phase", "PHASE2"),
    }
    for label, words in explained.items():
        assert words and words in t.row(label).explain, label
    assert t.row("The control group gets").explain
    # arm types are design terms too ("experimental")
    assert t.row("Arm 1").explain.startswith("Experimental: ")


def test_the_nearest_site_to_the_place_in_the_filters(open_app):
    t = table(open_compare(open_app, "ids=TF-CP-001&ids=TF-CP-006&near=Hanoi"))
    nearest = t.row("Nearest site to Hanoi, Vietnam")
    assert nearest.group == "Places"
    assert nearest.cells[0] == "Hanoi Rehabilitation Hospital, Hanoi, Vietnam: 8 km away"
    hanoi, boston = resolve_place("Hanoi"), resolve_place("Boston")  # Boston's site: no lat/lon
    [km] = distance_km(hanoi.lat, hanoi.lon, np.array([boston.lat]), np.array([boston.lon]))
    assert nearest.cells[1] == (
        "Boston Children's Hospital, Boston, United States: "
        f"about {km:,.0f} km away (placed at the city centre)"
    )
    assert not table(open_compare(open_app, "ids=TF-CP-001&ids=TF-CP-006")).starting("Nearest")


# ------------------------------------------------------------------ what a link asks for

CHOOSE_TWO = "Choose at least two trials to compare them."
TOO_MANY = ["NCT07527104", "TF-CP-001", "TF-CP-002", "TF-CP-003", "TF-CP-004"]


@pytest.mark.parametrize(
    ("ids", "notes", "columns"),
    [
        ([], [CHOOSE_TWO], None),
        (["NCT07527104"], [CHOOSE_TWO], ["NCT07527104"]),
        (
            ["NCT07527104", "NOPE-404"],
            ["No trial has the id NOPE-404; left out.", CHOOSE_TWO],
            ["NCT07527104"],
        ),
        (
            ["NOPE-404", *SEED_IDS],
            ["No trial has the id NOPE-404; left out."],
            list(SEED_IDS),
        ),
        (
            TOO_MANY,
            ["At most 4 trials can stand side by side; left out: TF-CP-004."],
            TOO_MANY[:4],
        ),
        (
            ["NCT07527104", "nct07527104", "VINMEC-CP-BMMNC", "NCT07527104"],
            ["NCT07527104 was listed more than once; shown once."],
            list(SEED_IDS),
        ),
        (
            ["<b>x</b>", "[y](http://evil.test)", *SEED_IDS],
            ["No trial has the id <b>x</b>, [y](http://evil.test); left out."],
            list(SEED_IDS),
        ),
        (
            [f"NOPE-{n}" for n in range(30)] + list(SEED_IDS),
            ["No trial has the id NOPE-0, NOPE-1, NOPE-2, NOPE-3, NOPE-4 and 25 more; left out."],
            list(SEED_IDS),
        ),
        (
            ["NCT07527104,VINMEC-CP-BMMNC"],  # one value, two ids
            [],
            list(SEED_IDS),
        ),
    ],
    ids=[
        "none",
        "one",
        "one-and-unknown",
        "unknown",
        "five",
        "same-twice",
        "markup",
        "thirty-unknown",
        "comma",
    ],
)
def test_a_link_says_what_it_did_with_the_ids_and_compares_what_it_can(
    open_app, ids, notes, columns
):
    at = open_compare(open_app, urlencode([("ids", i) for i in ids]))
    assert infos(at) == notes
    for note in at.info:
        assert "<b>" not in note.value and "](http" not in note.value  # shown as text
    if columns is None:
        assert not [h for h in at.html if "tf-compare" in h.value]
        assert not at.download_button
    else:
        assert table(at).columns == ["Trial", *columns]
        assert [b.label for b in at.download_button] == ["Download the comparison (CSV)"]
        assert [b.label for b in at.button if b.label.startswith("Remove ")] == [
            f"Remove {i}" for i in columns
        ]
    adding = [s for s in at.selectbox if s.key == "compare_add"]
    assert len(adding) == (0 if columns and len(columns) == 4 else 1)


def test_the_registry_link_is_a_link_to_tap(open_app):
    at = open_compare(open_app, "ids=NCT07527104&ids=VINMEC-CP-BMMNC")
    [html] = [h.value for h in at.html if "tf-compare" in h.value]
    url = "https://clinicaltrials.gov/study/NCT07527104"
    assert f"<td><a href='{url}'>{url}</a></td>" in html
    assert html.count("<a ") == 1  # the curated record gives none: "not given", no link


def test_only_a_whole_web_address_becomes_a_link_and_it_stays_escaped() -> None:
    from trialfinder.ui.comparison import _cell

    assert _cell("https://x.test/a'b<i>") == (
        "<a href='https://x.test/a&#x27;b&lt;i&gt;'>https://x.test/a&#x27;b&lt;i&gt;</a>"
    )
    assert _cell("javascript:alert(1)") == "javascript:alert(1)"
    assert _cell("see https://x.test") == "see https://x.test"


def test_trial_text_in_the_comparison_is_text(open_app):
    at = open_compare(open_app, f"ids={MARKUP_ID}&ids=NCT07527104")
    t = table(at)
    assert t.tags <= TABLE_TAGS  # no element came from the record
    assert t.row("Title").cells[0] == MARKUP_TITLE
    arm = t.row("Arm 1").cells[0]
    assert arm.startswith(f"{MARKUP_ARM_LABEL} (experimental)\n{MARKUP_ARM_DESCRIPTION}\n")
    assert arm.endswith("Receives: Drug: <u>x</u>")
    assert t.row("Arm 2").cells[0] == "Usual care (no intervention)"
    assert t.row("The control group gets").cells[0] == "nothing (no intervention) (Usual care)"
    [raw] = [h.value for h in at.html if "tf-compare" in h.value]
    assert "&lt;script&gt;alert(2)&lt;/script&gt;&lt;img src=http://evil.test/x.png&gt;" in raw
    # the menu that adds a trial shows titles as text, too
    [adding] = [s for s in at.selectbox if s.key == "compare_add"]
    assert "TF-CP-001: Home exercise for young children with cerebral palsy in Hanoi" in (
        adding.options
    )


# ------------------------------------------------------------------ choosing trials


def test_add_and_remove_on_the_compare_page_and_the_url_follows(open_app):
    at = open_compare(open_app, SEEDS)
    adding = at.selectbox(key="compare_add")
    assert "TF-CP-001: Home exercise for young children with cerebral palsy in Hanoi" in (
        adding.options
    )
    assert not any(o.startswith(SEED_IDS) for o in adding.options)  # already compared
    adding.select("TF-CP-001").run()
    assert_clean(at)
    assert table(at).columns == ["Trial", *SEED_IDS, "TF-CP-001"]
    assert at.query_params["ids"] == [*SEED_IDS, "TF-CP-001"]
    assert at.selectbox(key="compare_add").value is None

    at.selectbox(key="compare_add").select("TF-CP-002").run()
    assert table(at).columns[1:] == [*SEED_IDS, "TF-CP-001", "TF-CP-002"]
    assert not [s for s in at.selectbox if s.key == "compare_add"]  # four: full

    at.button(key="compare-remove-VINMEC-CP-BMMNC").click().run()
    assert_clean(at)
    assert table(at).columns[1:] == ["NCT07527104", "TF-CP-001", "TF-CP-002"]
    assert at.query_params["ids"] == ["NCT07527104", "TF-CP-001", "TF-CP-002"]
    for trial_id in ("NCT07527104", "TF-CP-001"):
        at.button(key=f"compare-remove-{trial_id}").click().run()
    assert table(at).columns[1:] == ["TF-CP-002"]
    assert infos(at) == [CHOOSE_TWO]


def test_add_to_compare_from_the_cards_and_the_trial_page(open_app):
    at = open_app("cond=cerebral+palsy&age=4y&near=Hanoi")
    assert_clean(at)
    assert not [link for link in at.page_link if link.proto.page == "compare"]
    card = cards(at)["TF-CP-001"]
    [add] = card.button
    assert add.label == "Add to compare"
    add.click().run()
    assert cards(at)["TF-CP-001"].button[0].label == "Remove from compare"
    cards(at)["TF-CP-002"].button[0].click().run()
    # Above the cards, and in each chosen card, right after its button.
    links = [link for link in at.page_link if link.proto.page == "compare"]
    assert len(links) == 3
    for link in links:
        assert link.value == "Compare the 2 chosen trials"
        assert link.proto.query_string == "ids=TF-CP-001&ids=TF-CP-002"
    assert [link.proto.page for link in cards(at)["TF-CP-002"].get("page_link")] == [
        "trial",
        "compare",
    ]
    assert [link.proto.page for link in cards(at)["TF-CP-003"].get("page_link")] == ["trial"]

    at.query_params.clear()
    at.query_params["id"] = "NCT07527104"
    at.switch_page("pages/trial.py").run()
    assert_clean(at)
    add = at.button(key="trial-compare-NCT07527104")
    assert add.label == "Add to compare"
    add.click().run()
    assert at.button(key="trial-compare-NCT07527104").label == "Remove from compare"
    [link] = [link for link in at.page_link if link.proto.page == "compare"]
    assert link.proto.query_string == "ids=TF-CP-001&ids=TF-CP-002&ids=NCT07527104"

    # the menu's Compare (no ids in its address) compares the chosen trials, and
    # puts them in the address so that the comparison is a link
    at.query_params.clear()
    at.switch_page("pages/compare.py").run()
    assert_clean(at)
    assert table(at).columns[1:] == ["TF-CP-001", "TF-CP-002", "NCT07527104"]
    assert at.query_params["ids"] == ["TF-CP-001", "TF-CP-002", "NCT07527104"]


# ------------------------------------------------------------------ the trial page


def test_the_trial_page_shows_its_own_arms_side_by_side(open_app):
    at = open_app("id=NCT07527104", page="pages/trial.py")
    assert_clean(at)
    arms = [
        [plain(m.value) for m in column.markdown]
        for column in at.columns
        if any("Receives:" in plain(m.value) for m in column.markdown)
    ]
    assert [column[0] for column in arms] == [
        "**Cells plus rehabilitation** · experimental",
        "**Rehabilitation alone (control)** · type not given",
    ]
    assert arms[1][-1] == "Receives: Other: Rehabilitation"


def test_arms_with_trial_text_on_the_trial_page_are_text(open_app):
    at = open_app(f"id={MARKUP_ID}", page="pages/trial.py")
    assert_clean(at)
    arm = next(c for c in at.columns if any(MARKUP_ARM_LABEL in plain(m.value) for m in c.markdown))
    shown = [plain(m.value) for m in arm.markdown]
    assert shown == [
        f"**{MARKUP_ARM_LABEL}** · experimental",
        MARKUP_ARM_DESCRIPTION,
        "Receives: Drug: <u>x</u>",
    ]
    raw = arm.markdown[1].value
    assert "<script>" not in raw and "](http" not in raw and "http\u2060" in raw


def test_the_menu_offers_what_the_filters_find_not_the_whole_registry(open_app):
    at = open_compare(open_app, "cond=cerebral+palsy&age=4y&near=Hanoi&ids=TF-CP-002")
    ids = [o.split(":", 1)[0] for o in at.selectbox(key="compare_add").options]
    assert ids == [i for i in CP_AGE4_HANOI if i != "TF-CP-002"]
    # (typing any other id is a browser test: AppTest cannot type a new option)
