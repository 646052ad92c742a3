"""Curated YAML records: reading, validation, whole trials and overlays."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
import yaml

from trialfinder.errors import DataError, DataProblem
from trialfinder.model import (
    Arm,
    Contact,
    Dates,
    Design,
    Eligibility,
    Intervention,
    Outcome,
    Site,
    Trial,
)
from trialfinder.sources.curated import (
    YAML_KEYS,
    CuratedRecord,
    overlay,
    read_curated,
    to_trial,
    validate_curated_dir,
)

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "curated"
SHIPPED = ROOT / "data" / "trials"


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def problem_of(path: Path) -> DataProblem:
    with pytest.raises(DataError) as caught:
        read_curated(path)
    assert caught.value.problem.file == str(path)
    return caught.value.problem


# --- every key lands on the right model field ----------------------------------------


@pytest.fixture(scope="module")
def every_key() -> Trial:
    return to_trial(read_curated(FIXTURES / "EVERY-KEY.yaml"))


def test_fixture_uses_every_documented_key() -> None:
    text = (FIXTURES / "EVERY-KEY.yaml").read_text(encoding="utf-8")
    written = {line.split(":")[0] for line in text.splitlines() if line[:1].isalpha()}
    assert written == set(YAML_KEYS)


def test_text_and_list_keys(every_key: Trial) -> None:
    t = every_key
    assert t.id == "EVERY-KEY"
    assert t.registry_ids == ("NCT00000001", "SPONSOR-42")
    assert t.brief_title == "Brief title"
    assert t.official_title == "Official title"
    assert t.acronym == "EK"
    assert t.plain_title == "Plain title"
    assert t.brief_summary == "Brief summary"
    assert t.detailed_description == "Detailed description"
    assert t.plain_summary == "Plain summary"
    assert t.plain_summary_vi == "Tóm tắt dễ hiểu"
    assert t.overall_status == "NOT_YET_RECRUITING"
    assert t.last_known_status == "RECRUITING"
    assert t.why_stopped == "Why stopped"
    assert t.conditions == ("Cerebral palsy", "Hypoxia")
    assert t.keywords == ("stem cells",)
    assert t.mesh_terms == ("Cerebral Palsy",)
    assert t.sponsor == "Sponsor name"
    assert t.collaborators == ("Collaborator name",)
    assert t.has_results is True
    assert t.active_substance == "Active substance"
    assert t.what_could_lead_to == "Could lead to"
    assert t.what_could_go_wrong == "Could go wrong"
    assert t.control_group == "Usual care"
    assert t.plain_title_vi == "Tiêu đề dễ hiểu"
    assert t.control_group_vi == "Chăm sóc thông thường"
    assert t.what_could_lead_to_vi == "Có thể dẫn tới"
    assert t.what_could_go_wrong_vi == "Có thể có rủi ro"
    assert t.active_substance_vi == "Hoạt chất"
    assert t.criteria_vi == "Tiêu chí tham gia"
    assert t.title_in("vi") == "Tiêu đề dễ hiểu" and t.title_in("en") == "Plain title"
    assert t.text_in("control_group", "vi") == "Chăm sóc thông thường"
    assert t.text_in("control_group", "en") == "Usual care"
    assert t.notes == "Staff notes"
    assert t.source_url == "https://example.org/trial"
    assert t.source == "curated"


def test_design_eligibility_and_dates(every_key: Trial) -> None:
    assert every_key.design == Design(
        study_type="INTERVENTIONAL",
        phases=("PHASE1", "PHASE2"),
        allocation="RANDOMIZED",
        intervention_model="PARALLEL",
        masking="DOUBLE",
        who_masked=("PARTICIPANT", "OUTCOMES_ASSESSOR"),
        primary_purpose="TREATMENT",
        enrollment=58,
        enrollment_type="ESTIMATED",
    )
    assert every_key.eligibility == Eligibility(
        min_age="1 Year",
        max_age="10 Years",
        sex="ALL",
        healthy_volunteers=False,
        criteria="Inclusion criteria text",
    )
    assert every_key.dates == Dates(
        start="2025-01",
        primary_completion="2026-06-30",
        completion="2027-01-15",
        first_posted="2024-12-01",
        last_update="2025-02",
        status_verified="2025-01",
    )


def test_nested_lists(every_key: Trial) -> None:
    assert every_key.interventions == (
        Intervention(
            name="Piracetam",
            type="DRUG",
            description="Neuroprotective",
            other_names=("Nootropil",),
            arm_labels=("Group A",),
        ),
        Intervention(name="Rehabilitation", type="BEHAVIORAL", arm_labels=("Group A",)),
    )
    assert every_key.arms == (
        Arm(
            label="Group A",
            type="EXPERIMENTAL",
            description="Drug plus rehabilitation",
            interventions=("Drug: Piracetam", "Rehabilitation"),
            label_vi="Nhóm A",
            description_vi="Mô tả nhóm A",
        ),
        Arm(label="Group B", type="NO_INTERVENTION"),
    )
    assert every_key.primary_outcomes == (
        Outcome(measure="GMFM-88", time_frame="12 months", description="Gross motor function"),
    )
    assert every_key.secondary_outcomes == (Outcome(measure="Modified Ashworth Scale"),)
    assert every_key.sites == (
        Site(
            facility="Vietnam National Children's Hospital",
            city="Hanoi",
            state="Hanoi",
            zip="0111111",
            country="Vietnam",
            status="RECRUITING",
            lat=21.02,
            lon=105.0,
            note="Site note",
            contacts=(
                Contact(
                    name="Dr A",
                    role="Principal investigator",
                    phone="0243 123 4567",
                    phone_ext="21",
                    email="a@example.org",
                ),
            ),
        ),
    )
    # Study-wide contacts; the invisible word joiner in the address is taken out.
    assert every_key.contacts == (
        Contact(
            name="Trial desk", role="CONTACT", phone="+84 24 3971 0000", email="desk@example.org"
        ),
    )


def test_fields_hold_only_what_the_file_sets(tmp_path: Path) -> None:
    path = write(tmp_path, "T1.yaml", "id: T1\nmasking: double\nwhy_stopped:\nplain_title: ''\n")
    record = read_curated(path)
    assert record == CuratedRecord(
        path=str(path), id="T1", fields={"id": "T1", "design": {"masking": "DOUBLE"}}
    )


def test_leading_zero_numbers_stay_text(tmp_path: Path) -> None:
    path = write(tmp_path, "T1.yaml", "id: T1\nsites:\n  - zip: 012345\n    city: 10:30\n")
    site = to_trial(read_curated(path)).sites[0]
    assert (site.zip, site.city) == ("012345", "10:30")


# --- lenient where a person would write it differently ------------------------------


@pytest.mark.parametrize(
    ("line", "field", "expected"),
    [
        ("status: recruiting", "overall_status", "RECRUITING"),
        ("status: Not Yet Recruiting", "overall_status", "NOT_YET_RECRUITING"),
        ("status: active-not-recruiting", "overall_status", "ACTIVE_NOT_RECRUITING"),
        ("phases: phase 2", "phases", ("PHASE2",)),
        ("phases: N/A", "phases", ("NA",)),
        ("phases: [Early Phase1, phase1]", "phases", ("EARLY_PHASE1", "PHASE1")),
        ("allocation: Non-Randomized", "allocation", "NON_RANDOMIZED"),
        ("sex: female", "sex", "FEMALE"),
        ("who_masked: Care Provider", "who_masked", ("CARE_PROVIDER",)),
        ("enrollment_type: actual", "enrollment_type", "ACTUAL"),
    ],
)
def test_enumerations_any_case(tmp_path: Path, line: str, field: str, expected: object) -> None:
    trial = to_trial(read_curated(write(tmp_path, "T1.yaml", f"id: T1\n{line}\n")))
    value = getattr(trial, field, None)
    if value is None:
        value = getattr(trial.design, field, None) or getattr(trial.eligibility, field)
    assert value == expected


def test_nested_enumerations_any_case(tmp_path: Path) -> None:
    text = """id: T1
interventions: [{name: Cells, type: biological}]
arms: [{label: A, type: active comparator}]
sites: [{city: Hanoi, status: recruiting}]
"""
    trial = to_trial(read_curated(write(tmp_path, "T1.yaml", text)))
    assert trial.interventions[0].type == "BIOLOGICAL"
    assert trial.arms[0].type == "ACTIVE_COMPARATOR"
    assert trial.sites[0].status == "RECRUITING"


def test_single_value_where_a_list_is_expected(tmp_path: Path) -> None:
    text = """id: T1
phases: PHASE2
conditions: Cerebral palsy
registry_ids: NCT07527104
who_masked: participant
arms:
  label: Only arm
  interventions: "Drug: Piracetam"
interventions:
  name: Piracetam
  other_names: Nootropil
sites:
  city: Hanoi
"""
    trial = to_trial(read_curated(write(tmp_path, "T1.yaml", text)))
    assert trial.design.phases == ("PHASE2",)
    assert trial.conditions == ("Cerebral palsy",)
    assert trial.registry_ids == ("NCT07527104",)
    assert trial.design.who_masked == ("PARTICIPANT",)
    assert trial.arms == (Arm(label="Only arm", interventions=("Drug: Piracetam",)),)
    assert trial.interventions[0].other_names == ("Nootropil",)
    assert trial.interventions[0].arm_labels == ("Only arm",)
    assert trial.sites == (Site(city="Hanoi"),)


def test_yaml_dates_become_iso_text(tmp_path: Path) -> None:
    text = """id: T1
start_date: 2026-06-27
primary_completion_date: 2026-6-1
completion_date: "2027-01"
first_posted: 2026-06-27 10:00:00
last_update: 2026-07
"""
    dates = to_trial(read_curated(write(tmp_path, "T1.yaml", text))).dates
    assert dates == Dates(
        start="2026-06-27",
        primary_completion="2026-06-01",
        completion="2027-01",
        first_posted="2026-06-27",
        last_update="2026-07",
    )
    assert isinstance(dates.start, str)


@pytest.mark.parametrize(("raw", "expected"), [("yes", True), ("No", False), ('"true"', True)])
def test_yes_no(tmp_path: Path, raw: str, expected: bool) -> None:
    path = write(tmp_path, "T1.yaml", f"id: T1\nhealthy_volunteers: {raw}\n")
    assert to_trial(read_curated(path)).eligibility.healthy_volunteers is expected


def test_enrollment_may_be_quoted(tmp_path: Path) -> None:
    path = write(tmp_path, "T1.yaml", 'id: T1\nenrollment: "60"\n')
    assert to_trial(read_curated(path)).design.enrollment == 60


def test_utf8_with_bom_and_non_ascii_text(tmp_path: Path) -> None:
    text = "id: T1\nsites: [{city: Hà Nội, facility: Bệnh viện Nhi Trung ương}]\n"
    path = write(tmp_path, "T1.yaml", b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert to_trial(read_curated(path)).sites[0].city == "Hà Nội"


# --- overlay ----------------------------------------------------------------------


@pytest.fixture
def registry_trial() -> Trial:
    return Trial(
        id="NCT07527104",
        brief_title="Registry title",
        overall_status="NOT_YET_RECRUITING",
        conditions=("Cerebral Palsy", "Asphyxia Neonatorum"),
        interventions=(
            Intervention(name="BMMNC", type="BIOLOGICAL", arm_labels=("Cells",)),
            Intervention(name="Rehabilitation", type="OTHER", arm_labels=("Cells", "Rehab")),
        ),
        arms=(
            Arm(label="Cells", interventions=("Biological: BMMNC", "Other: Rehabilitation")),
            Arm(label="Rehab", interventions=("Other: Rehabilitation",)),
        ),
        design=Design(
            study_type="INTERVENTIONAL",
            phases=("PHASE1", "PHASE2"),
            allocation="RANDOMIZED",
            masking="NONE",
            enrollment=60,
            enrollment_type="ESTIMATED",
        ),
        eligibility=Eligibility(min_age="1 Year", max_age="6 Years", sex="ALL"),
        dates=Dates(start="2026-01-15", first_posted="2026-02-01"),
        sites=(
            Site(facility="Hospital A", city="Hanoi", country="Vietnam"),
            Site(facility="Hospital B", city="Hue", country="Vietnam"),
        ),
        sponsor="Registry sponsor",
        source="ctgov",
        source_url="https://clinicaltrials.gov/study/NCT07527104",
    )


def test_overlay_curated_wins_and_untouched_fields_stay(
    tmp_path: Path, registry_trial: Trial
) -> None:
    text = """id: NCT07527104
status: recruiting
plain_title: Plain title
masking: single
who_masked: outcomes assessor
max_age: 7 Years
completion_date: 2028-12
sites:
  - facility: Hospital C
    city: Hanoi
conditions: cerebral palsy
"""
    merged = overlay(registry_trial, read_curated(write(tmp_path, "NCT07527104.yaml", text)))
    assert merged.source == "ctgov+curated"
    assert merged.overall_status == "RECRUITING"
    assert merged.plain_title == "Plain title"
    # nested groups merge key by key
    assert merged.design == dataclasses.replace(
        registry_trial.design, masking="SINGLE", who_masked=("OUTCOMES_ASSESSOR",)
    )
    assert merged.eligibility == Eligibility(min_age="1 Year", max_age="7 Years", sex="ALL")
    assert merged.dates == Dates(
        start="2026-01-15", first_posted="2026-02-01", completion="2028-12"
    )
    # lists replace wholesale
    assert merged.sites == (Site(facility="Hospital C", city="Hanoi"),)
    assert merged.conditions == ("cerebral palsy",)
    # untouched registry fields are kept
    assert merged.brief_title == "Registry title"
    assert merged.sponsor == "Registry sponsor"
    assert merged.arms == registry_trial.arms
    assert merged.interventions == registry_trial.interventions
    assert merged.source_url == registry_trial.source_url


def test_overlay_arms_relinks_interventions(tmp_path: Path, registry_trial: Trial) -> None:
    text = """id: NCT07527104
arms:
  - label: Everyone
    interventions: ["Biological: BMMNC", "Other: Rehabilitation"]
"""
    merged = overlay(registry_trial, read_curated(write(tmp_path, "NCT07527104.yaml", text)))
    assert [i.arm_labels for i in merged.interventions] == [("Everyone",), ("Everyone",)]


def test_overlay_refuses_another_trial(registry_trial: Trial) -> None:
    record = CuratedRecord(path="x.yaml", id="NCT00000000", fields={"id": "NCT00000000"})
    with pytest.raises(ValueError, match="NCT00000000"):
        overlay(registry_trial, record)


def test_overlay_does_not_change_the_base(tmp_path: Path, registry_trial: Trial) -> None:
    before = registry_trial.to_dict()
    path = write(tmp_path, "NCT07527104.yaml", "id: NCT07527104\nmasking: double\n")
    overlay(registry_trial, read_curated(path))
    assert registry_trial.to_dict() == before


# --- bad input -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "record", "field", "phrases"),
    [
        ("id: T1\ntitel: Oops\n", "T1", "titel", ["unknown key 'titel'", "did you mean 'title'"]),
        (
            "id: T1\nbrief_title: Oops\n",
            "T1",
            "brief_title",
            ["unknown key", "did you mean 'title'"],
        ),
        (
            "id: T1\nstatus: recruting\n",
            "T1",
            "status",
            [
                "'recruting' is not an allowed value",
                "did you mean RECRUITING",
                "NOT_YET_RECRUITING",
            ],
        ),
        (
            "id: T1\nphases: [PHASE2, phase 9]\n",
            "T1",
            "phases[1]",
            ["'phase 9'", "EARLY_PHASE1, PHASE1, PHASE2"],
        ),
        (
            "id: T1\nmin_age: six years\n",
            "T1",
            "min_age",
            ["'six years'", "not a number followed by a unit", '"1 Year"'],
        ),
        ("id: T1\nmax_age: 6\n", "T1", "max_age", ["with its unit", "the number 6"]),
        (
            "id: T1\nmin_age: 6 Years\nmax_age: 1 Year\n",
            "T1",
            "max_age",
            ["below min_age", "no child could join"],
        ),
        ("id: T1\nenrollment: sixty\n", "T1", "enrollment", ["whole number", "'sixty'"]),
        ("id: T1\nenrollment: 60.5\n", "T1", "enrollment", ["whole number", "60.5"]),
        ("id: T1\nenrollment: -3\n", "T1", "enrollment", ["whole number", "-3"]),
        (
            "id: T1\nhealthy_volunteers: maybe\n",
            "T1",
            "healthy_volunteers",
            ["expected yes or no", "'maybe'"],
        ),
        ("id: T1\nhas_results: 1\n", "T1", "has_results", ["expected yes or no"]),
        (
            "id: T1\nsites: [{city: Hanoi, lat: 95, lon: 105}]\n",
            "T1",
            "sites[0].lat",
            ["95 is out of range", "-90 to 90"],
        ),
        (
            "id: T1\nsites: [{city: Hanoi, lat: 21, lon: 181}]\n",
            "T1",
            "sites[0].lon",
            ["out of range", "-180 to 180"],
        ),
        (
            "id: T1\nsites: [{city: Hanoi, lat: north, lon: 105}]\n",
            "T1",
            "sites[0].lat",
            ["number in degrees"],
        ),
        (
            "id: T1\nsites: [{city: Hanoi, lat: 21}]\n",
            "T1",
            "sites[0].lon",
            ["both lat and lon", "lon is missing"],
        ),
        (
            "id: T1\nsites: [{city: Hanoi, staus: recruiting}]\n",
            "T1",
            "sites[0].staus",
            ["unknown key 'staus' in a site", "did you mean 'status'"],
        ),
        (
            "id: T1\nsites: [{city: Hanoi, status: open}]\n",
            "T1",
            "sites[0].status",
            ["'open'", "RECRUITING"],
        ),
        (
            "id: T1\nsites: [{city: Hanoi, contacts: [Dr A]}]\n",
            "T1",
            "sites[0].contacts[0]",
            ["each contact must be a mapping", "'Dr A'"],
        ),
        (
            "id: T1\narms:\n  - Group A\n  - Group B\n",
            "T1",
            "arms[0]",
            ["each arm must be a mapping", "label", "'Group A'"],
        ),
        (
            "id: T1\narms:\n  - label: A\n  - description: no label\n",
            "T1",
            "arms[1].label",
            ["arm 2 has no label"],
        ),
        (
            "id: T1\narms: [{label: A, type: control}]\n",
            "T1",
            "arms[0].type",
            ["'control'", "ACTIVE_COMPARATOR"],
        ),
        (
            "id: T1\ninterventions: [{type: drug}]\n",
            "T1",
            "interventions[0].name",
            ["intervention 1 has no name"],
        ),
        (
            "id: T1\ninterventions: [{name: X, type: pill}]\n",
            "T1",
            "interventions[0].type",
            ["'pill'", "DRUG"],
        ),
        (
            "id: T1\nprimary_outcomes: [{time_frame: 12 months}]\n",
            "T1",
            "primary_outcomes[0].measure",
            ["outcome 1 has no measure"],
        ),
        (
            "id: T1\nsecondary_outcomes: [GMFM]\n",
            "T1",
            "secondary_outcomes[0]",
            ["each outcome must be a mapping"],
        ),
        (
            "id: T1\nstart_date: June 2026\n",
            "T1",
            "start_date",
            ["'June 2026' is not a date", "YYYY-MM or YYYY-MM-DD"],
        ),
        (
            "id: T1\ncompletion_date: 2026-02-30\n",
            "T1",
            "completion_date",
            ["'2026-02-30' is not a real date"],
        ),
        ("id: T1\nlast_update: 2026\n", "T1", "last_update", ["the number 2026 is not a date"]),
        ("id: T1\nfirst_posted: 2026-13\n", "T1", "first_posted", ["not a real date"]),
        ("id: T1\nfirst_posted: 2026-06-00\n", "T1", "first_posted", ["not a real date"]),
        (
            "id: T1\nacronym: yes\n",
            "T1",
            "acronym",
            ["expected text", "yes/no value", "quotes"],
        ),
        ("id: T1\ntitle: [a, b]\n", "T1", "title", ["expected text", "a list"]),
        (
            "id: T1\nconditions: [Cerebral palsy, '']\n",
            "T1",
            "conditions[1]",
            ["empty list item"],
        ),
        (
            "id: T1\nsource_url: clinicaltrials.gov/study/T1\n",
            "T1",
            "source_url",
            ["not a web address", "https://"],
        ),
    ],
)
def test_bad_values(tmp_path: Path, text: str, record: str, field: str, phrases: list[str]) -> None:
    problem = problem_of(write(tmp_path, "T1.yaml", text))
    assert (problem.record, problem.field) == (record, field)
    for phrase in phrases:
        assert phrase in problem.message


def test_malformed_yaml_names_the_line(tmp_path: Path) -> None:
    problem = problem_of(write(tmp_path, "T1.yaml", "id: T1\ntitle: ok\nconditions: [a, b\n"))
    assert problem.record is None
    assert "not valid YAML" in problem.message
    assert "line 4" in problem.message


def test_bad_indentation_names_the_line(tmp_path: Path) -> None:
    problem = problem_of(write(tmp_path, "T1.yaml", "id: T1\ntitle: ok\n  status: bad\n"))
    assert "not valid YAML at line 3" in problem.message


def test_repeated_key(tmp_path: Path) -> None:
    problem = problem_of(
        write(tmp_path, "T1.yaml", "id: T1\nstatus: recruiting\nstatus: completed\n")
    )
    assert problem.field == "status"
    assert "appears twice" in problem.message
    assert "line 3" in problem.message
    assert "line 2" in problem.message


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n"])
def test_empty_file(tmp_path: Path, text: str) -> None:
    problem = problem_of(write(tmp_path, "T1.yaml", text))
    assert (problem.record, problem.field) == (None, None)
    assert "empty" in problem.message


def test_not_utf8(tmp_path: Path) -> None:
    problem = problem_of(write(tmp_path, "T1.yaml", b"id: T1\ntitle: caf\xe9\n"))
    assert "not UTF-8" in problem.message
    assert "line 2" in problem.message


@pytest.mark.parametrize(
    ("text", "got"), [("- id: T1\n", "a list"), ("just text\n", "'just text'")]
)
def test_top_level_not_a_mapping(tmp_path: Path, text: str, got: str) -> None:
    problem = problem_of(write(tmp_path, "T1.yaml", text))
    assert "expected a mapping" in problem.message
    assert got in problem.message


@pytest.mark.parametrize("text", ["title: No id\n", "id:\ntitle: Empty id\n", "id: ''\n"])
def test_missing_id(tmp_path: Path, text: str) -> None:
    problem = problem_of(write(tmp_path, "T1.yaml", text))
    assert (problem.record, problem.field) == (None, "id")
    assert "missing id" in problem.message
    assert "id: T1" in problem.message


def test_id_not_matching_file_name(tmp_path: Path) -> None:
    problem = problem_of(write(tmp_path, "NCT07527104.yaml", "id: NCT07527105\n"))
    assert (problem.record, problem.field) == ("NCT07527105", "id")
    assert "does not match the file name 'NCT07527104.yaml'" in problem.message


def test_unknown_key_without_close_match_lists_known_keys(tmp_path: Path) -> None:
    problem = problem_of(write(tmp_path, "T1.yaml", "id: T1\nzzzz: 1\n"))
    assert problem.field == "zzzz"
    assert "known keys are:" in problem.message
    assert "plain_summary" in problem.message


def test_problem_reads_as_file_record_field(tmp_path: Path) -> None:
    path = write(tmp_path, "T1.yaml", "id: T1\nenrollment: lots\n")
    with pytest.raises(DataError, match=r"T1\.yaml, record T1, field enrollment: expected"):
        read_curated(path)


# --- a folder of files -----------------------------------------------------------------


def test_validate_dir_reports_duplicate_ids_case_insensitively(tmp_path: Path) -> None:
    write(tmp_path, "NCT01.yaml", "id: NCT01\n")
    write(tmp_path, "nct01.yaml", "id: nct01\n")
    write(tmp_path, "NCT02.yaml", "id: NCT02\n")
    problems = validate_curated_dir(tmp_path)
    assert sorted((p.file, p.record, p.field) for p in problems) == [
        (str(tmp_path / "NCT01.yaml"), "NCT01", "id"),
        (str(tmp_path / "nct01.yaml"), "nct01", "id"),
    ]
    by_file = {Path(p.file).name: p.message for p in problems}
    assert "duplicate id" in by_file["NCT01.yaml"]
    assert "nct01.yaml" in by_file["NCT01.yaml"]
    assert "NCT01.yaml" in by_file["nct01.yaml"]


def test_validate_dir_collects_every_problem(tmp_path: Path) -> None:
    write(tmp_path, "A.yaml", "id: A\nstatus: nope\nenrollment: many\n")
    write(tmp_path, "B.yaml", "")
    write(tmp_path, "C.yaml", "id: C\n")
    write(tmp_path, "D.yml", "id: D\n")
    write(tmp_path, "README.md", "# not a record\n")
    problems = validate_curated_dir(tmp_path)
    assert [(Path(p.file).name, p.field) for p in problems] == [
        ("D.yml", None),
        ("A.yaml", "status"),
        ("A.yaml", "enrollment"),
        ("B.yaml", None),
    ]
    assert ".yaml" in problems[0].message


def test_validate_missing_dir(tmp_path: Path) -> None:
    problems = validate_curated_dir(tmp_path / "nowhere")
    assert len(problems) == 1
    assert "no such folder" in problems[0].message


def test_fixtures_dir_is_clean() -> None:
    assert validate_curated_dir(FIXTURES) == []


# --- the shipped seed records ---------------------------------------------------------------


def test_shipped_records_are_clean() -> None:
    assert validate_curated_dir(SHIPPED) == []


def test_shipped_keys_are_documented_in_readme() -> None:
    readme = (SHIPPED / "README.md").read_text(encoding="utf-8")
    missing = [key for key in YAML_KEYS if f"| `{key}` |" not in readme]
    assert missing == []
    assert "trialfinder validate" in readme


@pytest.fixture(scope="module")
def cp_hanoi() -> Trial:
    return to_trial(read_curated(SHIPPED / "NCT07527104.yaml"))


@pytest.fixture(scope="module")
def vinmec() -> Trial:
    return to_trial(read_curated(SHIPPED / "VINMEC-CP-BMMNC.yaml"))


def test_seed_nct07527104(cp_hanoi: Trial) -> None:
    t = cp_hanoi
    assert t.id == "NCT07527104"
    assert t.title == "Own stem cells may boost movement in kids with cerebral palsy"
    assert t.brief_title is None and t.official_title is None
    assert t.overall_status == "RECRUITING"
    assert t.conditions == ("cerebral palsy", "perinatal asphyxia")
    assert (t.eligibility.min_age, t.eligibility.max_age) == ("1 Year", "6 Years")
    assert (t.design.enrollment, t.design.enrollment_type) == (60, "ESTIMATED")
    assert t.design.allocation == "RANDOMIZED"
    # not stated in the document: stays unknown
    assert t.design.phases == () and t.design.masking is None
    assert t.sponsor is None
    assert len(t.arms) == 2
    assert t.arms[0].type == "EXPERIMENTAL"
    assert "spine" in t.arms[0].description
    assert "Rehabilitation only" in t.arms[1].description
    assert [o.time_frame for o in t.primary_outcomes] == ["12 months"]
    assert "gross motor" in t.primary_outcomes[0].measure.lower()
    (site,) = t.sites
    assert (site.facility, site.city, site.state, site.zip, site.country, site.status) == (
        "Vietnam National Children's Hospital",
        "Hanoi",
        "Hanoi",
        "111111",
        "Vietnam",
        "RECRUITING",
    )
    assert (site.lat, site.lon) == (None, None)
    assert (t.dates.first_posted, t.dates.last_update) == ("2026-06-27", "2026-06-27")
    assert "summary page" in t.notes
    assert t.active_substance == "autologous bone marrow mononuclear cells (the child's own cells)"
    assert "placebo" in t.what_could_go_wrong
    assert "spine" in t.what_could_go_wrong
    assert t.what_could_lead_to
    assert t.source_url == "https://clinicaltrials.gov/study/NCT07527104"


def test_seed_vinmec(vinmec: Trial) -> None:
    t = vinmec
    assert t.id == "VINMEC-CP-BMMNC"
    assert t.official_title.endswith("a Phase II Randomized Clinical Trial")
    assert t.overall_status is None
    assert t.design.phases == ("PHASE2",)
    assert t.design.allocation == "RANDOMIZED"
    assert (t.design.enrollment, t.design.enrollment_type) == (58, "ESTIMATED")
    assert (t.eligibility.min_age, t.eligibility.max_age) == ("1 Year", "10 Years")
    assert any("hypoxia" in c.lower() for c in t.conditions)
    assert t.sponsor == "Vinmec Research Institute of Stem Cell and Gene Technology"
    group_a, group_b = t.arms
    assert "6 months" in group_a.description and "T6" in group_a.description
    for mark in ("9 months", "T9", "T15", "T18"):
        assert mark in group_b.description
    types = {i.name: i.type for i in t.interventions}
    assert types["Autologous bone marrow mononuclear cell transplantation"] == "BIOLOGICAL"
    assert types["Piracetam"] == "DRUG"
    assert [o.time_frame for o in t.primary_outcomes][0].startswith("Over the 9 months")
    measures = " ".join(o.measure for o in t.primary_outcomes + t.secondary_outcomes)
    for scale in ("GMFM-88", "GMFCS", "Modified Ashworth", "MACS"):
        assert scale in measures
    (site,) = t.sites
    assert (site.facility, site.city, site.country, site.status) == (None, "Hanoi", "Vietnam", None)
    assert site.note == "Place recorded as the sponsor's city; the document names no site"
    assert "registry number" in t.notes
    assert t.active_substance == "autologous bone marrow mononuclear cells (the child's own cells)"
    assert t.plain_summary and t.what_could_go_wrong
    assert t.source_url is None
    assert t.dates == Dates()


def test_seed_dates_in_yaml_are_date_objects() -> None:
    """The seed writes dates unquoted, so this exercises YAML date conversion too."""
    raw = yaml.safe_load((SHIPPED / "NCT07527104.yaml").read_text(encoding="utf-8"))
    assert raw["first_posted"] == dt.date(2026, 6, 27)
