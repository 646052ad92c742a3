"""The comparison table: grouping, shared outcomes on one row, differences marked."""

from pathlib import Path

import pandas as pd
import pytest

from trialfinder.catalog import build_catalog, load_catalog
from trialfinder.family.compare import (
    MAX_TRIALS,
    chosen_id,
    compare,
    control_group,
    menu_label,
    outcome_key,
    pick_ids,
    with_added,
)
from trialfinder.geo import resolve_place
from trialfinder.i18n import _, using
from trialfinder.model import Arm, Dates, Design, Eligibility, Outcome, Site, Trial

ROOT = Path(__file__).resolve().parents[2]


def _trial(trial_id: str, **kwargs) -> Trial:
    return Trial(id=trial_id, brief_title=f"Trial {trial_id}", **kwargs)


CELLS = _trial(
    "TF-CELLS",
    design=Design(
        study_type="INTERVENTIONAL",
        phases=("PHASE2",),
        allocation="RANDOMIZED",
        intervention_model="PARALLEL",
        masking="NONE",
        enrollment=60,
        enrollment_type="ESTIMATED",
    ),
    eligibility=Eligibility(min_age="1 Year", max_age="6 Years", sex="ALL"),
    arms=(
        Arm("Cells", "EXPERIMENTAL", "Cells into the spine", ("Biological: Cells",)),
        Arm("Rehab only", "NO_INTERVENTION"),
    ),
    primary_outcomes=(Outcome("GMFM-88 total score", "12 months"),),
    sites=(Site(facility="<b>Clinic</b>", city="Hanoi", country="Vietnam", lat=21.0, lon=105.8),),
)
DRUG = _trial(
    "TF-DRUG",
    design=Design(
        study_type="INTERVENTIONAL",
        phases=("PHASE3",),
        allocation="RANDOMIZED",
        intervention_model="PARALLEL",
        masking="DOUBLE",
        who_masked=("PARTICIPANT", "INVESTIGATOR"),
        enrollment=200,
        enrollment_type="ACTUAL",
    ),
    eligibility=Eligibility(min_age="2 Years", max_age="12 Years", sex="ALL"),
    arms=(Arm("Drug", "EXPERIMENTAL"), Arm("Dummy pill", "PLACEBO_COMPARATOR"), Arm("Extra")),
    primary_outcomes=(Outcome("Gross motor function measure", "6 months"),),
    secondary_outcomes=(Outcome("Quality of life"),),
    sites=(Site(city="Bangkok", country="Thailand", lat=13.75, lon=100.5),),
)


def _row(comparison, label):
    return next(r for r in comparison.rows if r.label == label)


def test_rows_are_grouped_in_order_and_mark_differences() -> None:
    comparison = compare([CELLS, DRUG])
    assert comparison.groups() == [
        "At a glance",
        "Who can join",
        "Design",
        "Arms",
        "Outcomes",
        "What it found",
        "Places",
        "Record",
    ]
    assert _row(comparison, "Allocation").values == ("randomized", "randomized")
    assert not _row(comparison, "Allocation").differs
    assert _row(comparison, "Ages").values == ("1 year to 6 years", "2 years to 12 years")
    assert _row(comparison, "Ages").differs
    assert _row(comparison, "Size").values == (
        "60 participants (planned)",
        "200 participants (actual)",
    )
    assert "double blind" in _row(comparison, "Masking").values[1]
    assert "participant" in _row(comparison, "Masking").values[1]


def test_a_measure_both_trials_share_stands_on_one_row() -> None:
    comparison = compare([CELLS, DRUG])
    outcome_rows = [r for r in comparison.rows if r.group == "Outcomes"]
    shared = [r for r in outcome_rows if r.label.startswith("Gross motor function (GMFM)")]
    assert len(shared) == 1
    assert shared[0].values[0] == "GMFM-88 total score (time frame: 12 months)"
    assert shared[0].values[1] == "Gross motor function measure (time frame: 6 months)"
    only_drug = next(r for r in outcome_rows if r.label.startswith("Quality of life"))
    assert only_drug.values == ("—", "Quality of life")


def test_arms_line_up_and_a_missing_arm_shows_a_dash() -> None:
    comparison = compare([CELLS, DRUG])
    arm_rows = [r for r in comparison.rows if r.group == "Arms"]
    assert [r.label for r in arm_rows] == ["Arm 1", "Arm 2", "Arm 3"]
    assert arm_rows[0].values[0].startswith("Cells (experimental)")
    assert "Receives: Biological: Cells" in arm_rows[0].values[0]
    assert arm_rows[2].values[0] == "—"
    assert arm_rows[2].values[1].startswith("Extra (type not given)")


def test_control_group_only_says_what_the_record_says() -> None:
    assert control_group(CELLS) == "nothing (no intervention) (Rehab only)"
    assert control_group(DRUG) == "a placebo (Dummy pill)"
    assert control_group(_trial("X", arms=(Arm("A"), Arm("B")))) == "not stated"
    assert control_group(_trial("Y", arms=(Arm("A"),))).startswith("no control group")
    curated = _trial("Z", control_group="A delayed start", arms=(Arm("A"), Arm("B")))
    assert control_group(curated) == "A delayed start"


def test_design_terms_carry_their_explanations() -> None:
    comparison = compare([CELLS, DRUG])
    masking = _row(comparison, "Masking").explain
    assert "Open label" in masking and "Double blind" in masking
    assert "chance decides" in _row(comparison, "Allocation").explain


def test_facts_a_record_leaves_out_read_not_given_never_guessed() -> None:
    comparison = compare([CELLS, _trial("BARE")])
    assert _row(comparison, "Sponsor").values == ("not given", "not given")
    assert _row(comparison, "Phase").values[1] == "phase not given"
    assert _row(comparison, "Registry link").values == ("not given", "not given")


def test_nearest_site_to_the_place_in_the_filters() -> None:
    catalog = build_catalog([CELLS, DRUG])
    comparison = compare([CELLS, DRUG], catalog.sites, resolve_place("Hanoi"))
    nearest = _row(comparison, "Nearest site to Hanoi, Vietnam").values
    assert nearest[0].startswith("<b>Clinic</b>, Hanoi, Vietnam: ")
    distance = float(nearest[1].split(": ")[1].split(" km")[0].replace(",", ""))
    assert 900 < distance < 1100  # Hanoi to Bangkok is about 990 km


def test_a_site_placed_at_the_city_centre_is_never_0_km_away() -> None:
    city_only = Trial(
        id="TF-CITY",
        brief_title="City only",
        sites=(Site(facility="Ward", city="Hanoi", country="Vietnam"),),
    )
    catalog = build_catalog([city_only])
    comparison = compare([city_only], catalog.sites, resolve_place("Hanoi"))
    nearest = _row(comparison, "Nearest site to Hanoi, Vietnam").values[0]
    assert nearest == "Ward, Hanoi, Vietnam: exact place not given (placed at the city centre)"
    assert "0 km" not in nearest


def test_frame_has_one_column_a_trial() -> None:
    frame = compare([CELLS, DRUG]).to_frame()
    assert list(frame.columns) == ["group", "row", "differs", "TF-CELLS", "TF-DRUG"]
    assert frame.loc[frame["row"] == "Ages", "differs"].item()


@pytest.mark.parametrize(
    ("measure", "key"),
    [
        ("Gross Motor Function Measure (GMFM-66)", "Gross motor function (GMFM)"),
        ("Change in gross motor skills", "Gross motor function (GMFM)"),
        ("GMFCS level", "Gross motor function level (GMFCS)"),
        ("Number of serious adverse events", "Safety: adverse events"),
        ("Modified Ashworth Scale", "Muscle tone (Modified Ashworth Scale)"),
        ("Mini-MACS level", "Hand function (MACS)"),
        ("Seizure  frequency.", "Seizure frequency"),
    ],
)
def test_outcome_keys(measure: str, key: str) -> None:
    assert outcome_key(measure) == key


def test_pick_ids_says_what_it_did() -> None:
    known = ["NCT1", "NCT2", "NCT3", "NCT4", "NCT5"]
    picked = pick_ids(["nct1", "NCT1", "NCT9", "NCT2,NCT3"], known)
    assert picked.ids == ("NCT1", "NCT2", "NCT3")
    assert any("NCT9" in n and "left out" in n for n in picked.notes)
    assert any("NCT1" in n and "more than once" in n for n in picked.notes)

    too_many = pick_ids(known, known)
    assert len(too_many.ids) == MAX_TRIALS
    assert any("NCT5" in n for n in too_many.notes)

    one = pick_ids(["NCT1"], known)
    assert one.ids == ("NCT1",)
    assert any("at least two" in n for n in one.notes)
    assert pick_ids([], known).ids == ()


def test_the_seed_trials_side_by_side() -> None:
    """What a parent must see in a minute (issue: compare the two seed trials)."""
    catalog = load_catalog(ROOT / "data", use_snapshot=False)
    comparison = compare([catalog.trial("NCT07527104"), catalog.trial("VINMEC-CP-BMMNC")])
    assert _row(comparison, "Allocation").values == ("randomized", "randomized")
    assert _row(comparison, "Ages").values == ("1 year to 6 years", "1 year to 10 years")
    sizes = _row(comparison, "Size").values
    assert sizes[0].startswith("60 ") and sizes[1].startswith("58 ")
    control = _row(comparison, "The control group gets").values
    assert "rehabilitation alone" in control[0].lower()
    assert "delayed start" in control[1].lower() and "month 9" in control[1]
    gmfm = [r for r in comparison.rows if r.label.startswith("Gross motor function (GMFM)")]
    assert len(gmfm) == 1 and "—" not in gmfm[0].values


def test_the_menu_names_a_trial_and_a_choice_reads_back_to_its_id() -> None:
    ids = {"NCT07527104": "NCT07527104", "TF-CP-001": "TF-CP-001"}

    def find(text: str) -> str | None:
        return ids.get(text.upper())

    label = menu_label("NCT07527104", "Own stem cells: may boost movement " + "x" * 200)
    assert label.startswith("NCT07527104: Own stem cells: may boost") and len(label) == 140
    assert menu_label("TF-CP-001", None) == "TF-CP-001: "
    assert chosen_id(label, find) == "NCT07527104"  # a title with a colon in it
    assert chosen_id(" nct07527104 ", find) == "NCT07527104"  # typed in
    assert chosen_id("NCT00000000", find) is None
    assert chosen_id(None, find) is None and chosen_id("", find) is None


def test_a_trial_added_joins_once_and_at_most_four_are_compared() -> None:
    assert with_added(["A", "B"], "C") == ["A", "B", "C"]
    assert with_added(["A", "B"], "A") == ["A", "B"]
    assert with_added(["A", "B", "C", "D"], "E") == ["A", "B", "C", "D"]
    assert MAX_TRIALS == 4


def test_dates_counts_countries_and_curated_criteria_in_the_pages_language() -> None:
    hanoi = resolve_place("Hanoi")
    written = _trial(
        "TF-VI",
        eligibility=Eligibility(criteria="Children with cerebral palsy."),
        criteria_vi="Trẻ bị bại não.",
        plain_title="Cells for children",
        plain_title_vi="Tế bào cho trẻ",
        active_substance="own cells",
        active_substance_vi="tế bào của chính trẻ",
        control_group="Usual care",
        control_group_vi="Chăm sóc thông thường",
        arms=(
            Arm(label="Group A", label_vi="Nhóm A", description="Cells", description_vi="Tế bào"),
        ),
        design=Design(enrollment=1250, enrollment_type="ESTIMATED"),
        dates=Dates(start="2024-03", last_update="2026-06-27"),
        sites=(Site(facility="Seoul Clinic", city="Seoul", country="Korea, Republic of"),),
    )
    sites = pd.DataFrame(
        [
            {
                "trial_id": "TF-VI",
                "facility": "Seoul Clinic",
                "city": "Seoul",
                "country": "Korea, Republic of",
                "lat": 37.56,
                "lon": 126.97,
                "approximate": False,
            }
        ]
    )
    english = {r.label: r.values[0] for r in compare([written], sites, hanoi).rows}
    nearest = english.pop(f"Nearest site to {hanoi.label}")
    assert english["Key criteria"] == "Children with cerebral palsy."
    assert english["Size"] == "1,250 participants (planned)"
    assert english["Start"] == "March 2024" and english["Last update"] == "June 27, 2026"
    assert nearest.startswith("Seoul Clinic, Seoul, South Korea: 2,7")
    with using("vi"):
        rows = {r.label: r.values[0] for r in compare([written], sites, hanoi).rows}
        labels = {key: _(key) for key in ("Key criteria", "Size", "Start", "Last update")}
    assert rows[labels["Key criteria"]] == "Trẻ bị bại não."
    assert rows[labels["Size"]].startswith("1.250 ")
    assert rows[labels["Start"]] == "tháng 3 2024"
    assert rows[labels["Last update"]] == "27 tháng 6, 2026"
    # The family's place in Vietnamese too ("Hà Nội, Việt Nam", not "Hanoi, Vietnam").
    nearest = next(v for k, v in rows.items() if "Hà Nội, Việt Nam" in k)
    assert not [k for k in rows if "Hanoi" in k]
    assert nearest.startswith("Seoul Clinic, Seoul, Hàn Quốc: ") and " 2.7" in nearest
    # The curator's own words in Vietnamese, and the country's Vietnamese name.
    for vietnamese in (
        "Tế bào cho trẻ",
        "tế bào của chính trẻ",
        "Chăm sóc thông thường",
        "Hàn Quốc",
    ):
        assert vietnamese in rows.values()
    assert any(v.startswith("Nhóm A (") and "\nTế bào" in v for v in rows.values() if v)
    assert english["Title"] == "Cells for children" and english["Countries"] == "South Korea"
    assert english["Arm 1"].startswith("Group A (") and "\nCells" in english["Arm 1"]
