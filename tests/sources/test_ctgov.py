"""ClinicalTrials.gov API v2 reader: input forms, field mapping, bad input, real records."""

from __future__ import annotations

import gc
import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

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
from trialfinder.sources.ctgov import (
    STUDY_URL,
    StudyInput,
    iter_studies,
    parse_study,
    study_id,
    study_last_update,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ctgov"
GOOD = FIXTURES / "good"
BAD = FIXTURES / "bad"
SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "ctgov"


def load(name: str) -> dict:
    return json.loads((GOOD / name).read_text(encoding="utf-8"))


def full_study() -> dict:
    return load("study_full.json")


def read_all(path: Path) -> list[StudyInput]:
    return list(iter_studies(path))


def parse_all(path: Path) -> dict[str, Trial]:
    trials = {}
    for item in iter_studies(path):
        assert item.problem is None, item.problem
        assert item.study is not None
        trial = parse_study(item.study, item.origin)
        trials[trial.id] = trial
    return trials


def only_problem(path: Path) -> DataProblem:
    items = read_all(path)
    assert len(items) == 1, items
    assert items[0].study is None
    assert items[0].problem is not None
    return items[0].problem


def parse_error(study: dict, origin: str = "test.json") -> DataProblem:
    with pytest.raises(DataError) as caught:
        parse_study(study, origin)
    return caught.value.problem


@pytest.fixture(scope="module")
def fixture_trials() -> dict[str, Trial]:
    return parse_all(GOOD)


# ------------------------------------------------------------------ forms


def test_single_study_file_is_one_study() -> None:
    path = GOOD / "study_full.json"
    items = read_all(path)
    assert len(items) == 1
    assert items[0].origin == str(path)
    assert items[0].problem is None
    assert items[0].study == full_study()


def test_api_page_with_next_page_token() -> None:
    path = GOOD / "page.json"
    items = read_all(path)
    assert [item.origin for item in items] == [f"{path}[{i}]" for i in range(3)]
    assert [study_id(item.study) for item in items] == ["NCT09900002", "NCT09900003", "NCT09900004"]
    assert all(item.problem is None for item in items)


def test_website_json_array_export() -> None:
    path = GOOD / "export.json"
    items = read_all(path)
    assert [item.origin for item in items] == [f"{path}[0]", f"{path}[1]"]
    assert [study_id(item.study) for item in items] == ["NCT09900005", "NCT09900006"]


def test_website_zip_export(tmp_path: Path) -> None:
    studies = [full_study(), *load("page.json")["studies"], *load("export.json")]
    archive = tmp_path / "ctg-studies.json.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for study in reversed(studies):
            zf.writestr(f"{study_id(study)}.json", json.dumps(study))
        # What a zip made on a Mac also holds: no studies there.
        zf.writestr("__MACOSX/._NCT09900001.json", b"\x00\x05\x16\x07\xff")
        zf.writestr("README.txt", "Downloaded from ClinicalTrials.gov")
    items = read_all(archive)
    ids = sorted(study_id(study) for study in studies)
    assert [item.origin for item in items] == [f"{archive}!{nct}.json" for nct in ids]
    assert all(item.problem is None for item in items)
    assert [parse_study(item.study, item.origin).id for item in items] == ids


def test_zip_member_problem_does_not_stop_the_rest(tmp_path: Path) -> None:
    archive = tmp_path / "studies.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("NCT09900001.json", json.dumps(full_study()))
        zf.writestr("NCT09900002.json", '{"protocolSection": ')
    first, second = read_all(archive)
    assert first.problem is None and study_id(first.study) == "NCT09900001"
    assert second.study is None
    assert second.origin == f"{archive}!NCT09900002.json"
    assert second.problem.file == second.origin
    assert "not valid JSON" in second.problem.message


def test_folder_is_read_recursively_in_sorted_order(tmp_path: Path) -> None:
    (tmp_path / "b" / "deeper").mkdir(parents=True)
    (tmp_path / "a").mkdir()
    (tmp_path / ".git").mkdir()
    (tmp_path / "b" / "deeper" / "page.json").write_bytes((GOOD / "page.json").read_bytes())
    (tmp_path / "a" / "export.JSON").write_bytes((GOOD / "export.json").read_bytes())
    (tmp_path / "single.json").write_bytes((GOOD / "study_full.json").read_bytes())
    (tmp_path / "notes.txt").write_text("not a study")
    (tmp_path / "studies.csv").write_text("NCT Number\nNCT09900001\n")
    (tmp_path / ".git" / "config.json").write_text("{}")
    (tmp_path / "._single.json").write_bytes(b"\x00\x05\x16\x07")
    with zipfile.ZipFile(tmp_path / "z.zip", "w") as zf:
        zf.writestr("NCT09900001.json", json.dumps(full_study()))

    origins = [item.origin for item in read_all(tmp_path)]
    export, page = tmp_path / "a" / "export.JSON", tmp_path / "b" / "deeper" / "page.json"
    assert origins == [
        f"{export}[0]",
        f"{export}[1]",
        f"{page}[0]",
        f"{page}[1]",
        f"{page}[2]",
        str(tmp_path / "single.json"),
        f"{tmp_path / 'z.zip'}!NCT09900001.json",
    ]


def test_fixture_folder_reads_every_form(fixture_trials: dict[str, Trial]) -> None:
    assert sorted(fixture_trials) == [f"NCT0990000{i}" for i in range(1, 7)]


# ---------------------------------------------------------------- mapping


def test_full_study_maps_every_field() -> None:
    path = GOOD / "study_full.json"
    trial = parse_study(full_study(), str(path))
    assert trial == Trial(
        id="NCT09900001",
        registry_ids=("TW-2024-01", "2024-000123-45", "R01HD000001"),
        brief_title="Night-time Splints for Toe Walking in Young Children",
        official_title=(
            "A Randomised Trial of Night-time Ankle-foot Orthoses Plus Stretching Versus "
            "Stretching Alone in Children Aged 2 to 6 Who Walk on Their Toes"
        ),
        acronym="NITE-SPLINT",
        brief_summary=(
            "Some young children walk on their toes. This study tests whether wearing a "
            "splint at night, added to daily stretching, helps the ankle bend more than "
            "stretching alone."
        ),
        detailed_description=(
            "Children are randomly assigned to one of two groups for 12 months.\n\n"
            "Ankle range of motion is measured every 3 months by a physiotherapist who "
            "does not know the group."
        ),
        overall_status="RECRUITING",
        last_known_status=None,
        why_stopped=None,
        conditions=("Toe Walking", "Cerebral Palsy"),
        keywords=("idiopathic toe walking", "ankle-foot orthosis", "night splint"),
        mesh_terms=("Cerebral Palsy",),
        mesh_ancestors=("Brain Damage, Chronic", "Brain Diseases"),
        interventions=(
            Intervention(
                name="Night-time ankle-foot orthosis",
                type="DEVICE",
                description="Custom-moulded splint holding the ankle at 90 degrees.",
                other_names=("AFO", "night splint"),
                arm_labels=("Night splint",),
            ),
            Intervention(
                name="Stretching programme",
                type="BEHAVIORAL",
                arm_labels=("Night splint", "Stretching only"),
            ),
        ),
        arms=(
            Arm(
                label="Night splint",
                type="EXPERIMENTAL",
                description=(
                    "Ankle-foot orthosis worn overnight plus the daily stretching programme."
                ),
                interventions=(
                    "Device: Night-time ankle-foot orthosis",
                    "Behavioral: Stretching programme",
                ),
            ),
            Arm(
                label="Stretching only",
                type="ACTIVE_COMPARATOR",
                interventions=("Behavioral: Stretching programme",),
            ),
        ),
        design=Design(
            study_type="INTERVENTIONAL",
            phases=("PHASE2", "PHASE3"),
            allocation="RANDOMIZED",
            intervention_model="PARALLEL",
            masking="DOUBLE",
            who_masked=("PARTICIPANT", "OUTCOMES_ASSESSOR"),
            primary_purpose="TREATMENT",
            enrollment=60,
            enrollment_type="ESTIMATED",
        ),
        eligibility=Eligibility(
            min_age="2 Years",
            max_age="6 Years",
            sex="ALL",
            healthy_volunteers=False,
            criteria=(
                "Inclusion Criteria:\n\n* Walks on toes most of the time\n"
                "* Can walk 10 metres without help\n\nExclusion Criteria:\n\n"
                "* Previous surgery on the calf muscles"
            ),
        ),
        primary_outcomes=(
            Outcome(
                measure="Passive ankle dorsiflexion",
                time_frame="12 months",
                description=(
                    "Degrees of dorsiflexion with the knee straight, measured with a goniometer."
                ),
            ),
        ),
        secondary_outcomes=(
            Outcome(measure="Time spent walking on toes", time_frame="Baseline, 6 and 12 months"),
            Outcome(measure="Splint wearing time"),
        ),
        sponsor="Northfield Children's Hospital",
        collaborators=(
            "Orthotics Research Network",
            "National Institute of Child Health and Human Development (NICHD)",
        ),
        dates=Dates(
            start="2024-03",
            primary_completion="2026-09-30",
            completion="2027-03",
            first_posted="2024-02-14",
            last_update="2025-01-08",
            status_verified="2025-01",
        ),
        sites=(
            Site(
                facility="Northfield Children's Hospital",
                city="Leeds",
                zip="LS1 3EX",
                country="United Kingdom",
                status="RECRUITING",
                lat=53.79648,
                lon=-1.54785,
                contacts=(
                    Contact(
                        name="Amal Rahman",
                        role="CONTACT",
                        phone="+44 113 000 0000",
                        phone_ext="12",
                        email="trials@northfield.example",
                    ),
                    Contact(name="Jo Park, MD", role="PRINCIPAL_INVESTIGATOR"),
                    Contact(role="CONTACT"),
                ),
            ),
            Site(
                facility="Seoul Paediatric Centre",
                city="Seoul",
                country="Korea, Republic of",
                status="NOT_YET_RECRUITING",
                lat=37.566,
                lon=126.9784,
            ),
            Site(city="Ankara", state="Ankara", country="Turkey (Türkiye)"),
            Site(
                city="Springfield",
                state="Illinois",
                zip="62701",
                country="United States",
                status="RECRUITING",
                lat=39.0,
                lon=-89.0,
            ),
        ),
        contacts=(
            Contact(
                name="Amal Rahman",
                role="CONTACT",
                phone="+44 113 000 0000",
                email="trials@northfield.example",
            ),
        ),
        has_results=False,
        source="ctgov",
        source_url="https://clinicaltrials.gov/study/NCT09900001",
    )


def test_parsing_leaves_the_raw_study_untouched() -> None:
    study = full_study()
    before = json.dumps(study, sort_keys=True)
    parse_study(study, "x.json")
    assert json.dumps(study, sort_keys=True) == before


def test_trial_survives_a_dict_round_trip(fixture_trials: dict[str, Trial]) -> None:
    for trial in fixture_trials.values():
        assert Trial.from_dict(json.loads(json.dumps(trial.to_dict()))) == trial


def test_site_coordinates_are_floats_and_absent_geopoint_is_none(
    fixture_trials: dict[str, Trial],
) -> None:
    leeds, seoul, ankara, springfield = fixture_trials["NCT09900001"].sites
    assert (ankara.lat, ankara.lon) == (None, None)
    assert (ankara.facility, ankara.status, ankara.zip) == (None, None, None)
    assert isinstance(springfield.lat, float) and isinstance(springfield.lon, float)
    assert springfield.facility is None  # whitespace only


@pytest.mark.parametrize(
    ("nct_id", "country"),
    [
        ("NCT09900001", "Korea, Republic of"),
        ("NCT09900001", "Turkey (Türkiye)"),
        ("NCT09900002", "Turkey"),
        ("NCT09900006", "Czech Republic"),
        ("NCT09900006", "Russian Federation"),
    ],
)
def test_country_names_are_kept_as_written(
    fixture_trials: dict[str, Trial], nct_id: str, country: str
) -> None:
    assert country in [site.country for site in fixture_trials[nct_id].sites]


def test_unknown_status_keeps_last_known_status(fixture_trials: dict[str, Trial]) -> None:
    trial = fixture_trials["NCT09900002"]
    assert trial.overall_status == "UNKNOWN"
    assert trial.last_known_status == "RECRUITING"
    assert fixture_trials["NCT09900001"].last_known_status is None


def test_terminated_study_says_why(fixture_trials: dict[str, Trial]) -> None:
    trial = fixture_trials["NCT09900003"]
    assert trial.overall_status == "TERMINATED"
    assert trial.why_stopped == "Slow recruitment during the pandemic"
    assert trial.registry_ids == ("FLU-OBS-7",)
    assert trial.dates == Dates(start="2020-01-15", completion="2021-06", last_update="2021-08-02")


@pytest.mark.parametrize(
    ("nct_id", "min_age", "max_age"),
    [
        ("NCT09900001", "2 Years", "6 Years"),
        ("NCT09900002", "1 Month", "18 Months"),  # singular and plural units
        ("NCT09900003", "0 Years", None),  # "0 Years" kept as written; no maximum
        ("NCT09900004", "30 Days", None),  # "N/A" means no limit
        ("NCT09900005", "1 Year", "17 Years"),
        ("NCT09900006", "6 Years", "12 Years"),
    ],
)
def test_age_limits_as_written(
    fixture_trials: dict[str, Trial], nct_id: str, min_age: str, max_age: str | None
) -> None:
    eligibility = fixture_trials[nct_id].eligibility
    assert (eligibility.min_age, eligibility.max_age) == (min_age, max_age)


def test_arm_intervention_names_keep_their_type_prefix(fixture_trials: dict[str, Trial]) -> None:
    trial = fixture_trials["NCT09900006"]
    assert [(arm.label, arm.type, arm.interventions) for arm in trial.arms] == [
        ("Melatonin first", "EXPERIMENTAL", ("Drug: Melatonin", "Drug: Placebo")),
        ("Placebo first", "PLACEBO_COMPARATOR", ("Drug: Placebo", "Drug: Melatonin")),
    ]
    assert [item.name for item in trial.interventions] == ["Melatonin", "Placebo"]


def test_absent_values_stay_unknown(fixture_trials: dict[str, Trial]) -> None:
    observational = fixture_trials["NCT09900003"]
    assert observational.design == Design(study_type="OBSERVATIONAL")
    assert observational.eligibility == Eligibility(
        min_age="0 Years", criteria="Households with at least one child under 5."
    )
    assert (observational.arms, observational.interventions, observational.sites) == ((), (), ())
    assert (observational.mesh_terms, observational.conditions) == ((), ())
    assert observational.has_results is None

    bare = fixture_trials["NCT09900004"]
    assert bare == Trial(
        id="NCT09900004",
        overall_status="NOT_YET_RECRUITING",
        eligibility=Eligibility(min_age="30 Days"),
        source="ctgov",
        source_url=STUDY_URL.format(id="NCT09900004"),
    )


def test_expanded_access_and_flags(fixture_trials: dict[str, Trial]) -> None:
    trial = fixture_trials["NCT09900005"]
    assert (trial.overall_status, trial.design.study_type) == ("AVAILABLE", "EXPANDED_ACCESS")
    assert trial.eligibility.sex == "FEMALE"
    assert trial.eligibility.healthy_volunteers is True
    assert trial.interventions == (
        Intervention(name="Ferrovixan", type="DRUG", other_names=("HX-221",)),
    )
    assert fixture_trials["NCT09900006"].has_results is True


def test_study_id_and_last_update() -> None:
    study = full_study()
    assert study_id(study) == "NCT09900001"
    assert study_last_update(study) == "2025-01-08"
    for odd in ({}, {"protocolSection": []}, {"protocolSection": {"statusModule": None}}):
        assert study_id(odd) is None
        assert study_last_update(odd) is None


# -------------------------------------------------------------- bad input


def test_malformed_json() -> None:
    path = BAD / "malformed.json"
    problem = only_problem(path)
    assert (problem.file, problem.record, problem.field) == (str(path), None, None)
    assert "not valid JSON" in problem.message
    assert "line 6" in problem.message


def test_empty_file() -> None:
    path = BAD / "empty.json"
    problem = only_problem(path)
    assert (problem.file, problem.record, problem.field) == (str(path), None, None)
    assert "empty" in problem.message


def test_bytes_that_are_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.json"
    path.write_bytes(
        '{\n "protocolSection": {"identificationModule": {"briefTitle": "Étude"}}}'.encode(
            "latin-1"
        )
    )
    problem = only_problem(path)
    assert (problem.file, problem.record, problem.field) == (str(path), None, None)
    assert "not UTF-8" in problem.message
    assert "0xc9" in problem.message and "line 2" in problem.message


def test_json_that_is_neither_study_nor_page_nor_array() -> None:
    path = BAD / "not_a_study.json"
    problem = only_problem(path)
    assert (problem.file, problem.record, problem.field) == (str(path), None, None)
    assert "neither a study" in problem.message
    assert "FullStudiesResponse" in problem.message


@pytest.mark.parametrize("collector_on", [True, False])
@pytest.mark.parametrize("name", ["good/study_full.json", "bad/malformed.json"])
def test_reading_leaves_the_cycle_collector_as_it_was(name: str, collector_on: bool) -> None:
    was = gc.isenabled()
    try:
        if not collector_on:
            gc.disable()
        items = list(iter_studies(FIXTURES / name))
        assert items and gc.isenabled() is collector_on
    finally:
        if was:
            gc.enable()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("42", "holds a number"),
        ('"NCT09900001"', "holds a string"),
        ("null", "holds null"),
        ("   \n", "empty"),
    ],
)
def test_other_unusable_json(tmp_path: Path, content: str, expected: str) -> None:
    path = tmp_path / "odd.json"
    path.write_text(content)
    problem = only_problem(path)
    assert problem.file == str(path)
    assert expected in problem.message


def test_page_whose_studies_is_not_a_list(tmp_path: Path) -> None:
    path = tmp_path / "page.json"
    path.write_text('{"studies": {"NCT09900001": {}}, "nextPageToken": "abc"}')
    problem = only_problem(path)
    assert (problem.file, problem.field) == (str(path), "studies")
    assert "list of studies" in problem.message


def test_array_item_that_is_not_a_study(tmp_path: Path) -> None:
    path = tmp_path / "array.json"
    path.write_text(json.dumps([full_study(), {"nctId": "NCT09900002"}, "NCT09900003"]))
    good, dict_item, text_item = read_all(path)
    assert good.problem is None
    assert dict_item.origin == f"{path}[1]" and dict_item.study is None
    assert dict_item.problem.file == f"{path}[1]"
    assert "not a study" in dict_item.problem.message
    assert text_item.problem.file == f"{path}[2]"


def test_bad_zip(tmp_path: Path) -> None:
    path = tmp_path / "ctg-studies.json.zip"
    path.write_bytes(b"PK\x03\x04 but then nothing sensible")
    problem = only_problem(path)
    assert (problem.file, problem.record, problem.field) == (str(path), None, None)
    assert "not a readable zip archive" in problem.message


def test_zip_without_studies(tmp_path: Path) -> None:
    path = tmp_path / "empty.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "nothing here")
    assert "no .json files" in only_problem(path).message


def test_missing_path(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.json"
    problem = only_problem(path)
    assert problem.file == str(path)
    assert "no such file" in problem.message


def test_study_without_nct_id() -> None:
    path = BAD / "no_nct_id.json"
    (item,) = read_all(path)
    problem = parse_error(item.study, item.origin)
    assert problem.file == str(path)
    assert problem.record is None
    assert problem.field == "protocolSection.identificationModule.nctId"
    assert "no nctId" in problem.message


def test_unknown_enumeration_value() -> None:
    path = BAD / "unknown_status.json"
    (item,) = read_all(path)
    problem = parse_error(item.study, item.origin)
    assert (problem.file, problem.record) == (str(path), "NCT09900011")
    assert problem.field == "protocolSection.statusModule.overallStatus"
    assert "'Open'" in problem.message
    assert "RECRUITING" in problem.message and "NOT_YET_RECRUITING" in problem.message


def test_age_in_words() -> None:
    path = BAD / "age_words.json"
    (item,) = read_all(path)
    problem = parse_error(item.study, item.origin)
    assert (problem.file, problem.record) == (str(path), "NCT09900012")
    assert problem.field == "protocolSection.eligibilityModule.minimumAge"
    assert "six years" in problem.message
    assert "Years" in problem.message and "Months" in problem.message


def _set(path: str, value: Any) -> Callable[[dict], None]:
    """Set a dotted path in a study; "name[i]" steps into list item i."""

    def change(study: dict) -> None:
        target: Any = study
        *steps, last = path.split(".")
        for step in steps:
            name, _, index = step.partition("[")
            target = target[name]
            if index:
                target = target[int(index.rstrip("]"))]
        target[last] = value

    return change


P = "protocolSection."


@pytest.mark.parametrize(
    ("change", "field", "bad_value"),
    [
        (
            _set(P + "statusModule.lastKnownStatus", "ACTIVE"),
            "statusModule.lastKnownStatus",
            "ACTIVE",
        ),
        (_set(P + "designModule.phases", ["PHASE2", "PHASE 3"]), "designModule.phases", "PHASE 3"),
        (
            _set(P + "designModule.studyType", "Interventional"),
            "designModule.studyType",
            "Interventional",
        ),
        (
            _set(P + "designModule.designInfo.allocation", "RANDOM"),
            "designModule.designInfo.allocation",
            "RANDOM",
        ),
        (
            _set(P + "designModule.designInfo.interventionModel", "PARALLEL_GROUP"),
            "designModule.designInfo.interventionModel",
            "PARALLEL_GROUP",
        ),
        (
            _set(P + "designModule.designInfo.maskingInfo.masking", "BLIND"),
            "designModule.designInfo.maskingInfo.masking",
            "BLIND",
        ),
        (
            _set(P + "designModule.designInfo.maskingInfo.whoMasked", ["PATIENT"]),
            "designModule.designInfo.maskingInfo.whoMasked",
            "PATIENT",
        ),
        (
            _set(P + "designModule.designInfo.primaryPurpose", "CURE"),
            "designModule.designInfo.primaryPurpose",
            "CURE",
        ),
        (
            _set(P + "designModule.enrollmentInfo.type", "ANTICIPATED"),
            "designModule.enrollmentInfo.type",
            "ANTICIPATED",
        ),
        (_set(P + "eligibilityModule.sex", "BOTH"), "eligibilityModule.sex", "BOTH"),
        (
            _set(P + "armsInterventionsModule.armGroups[1].type", "COMPARATOR"),
            "armsInterventionsModule.armGroups[].type",
            "COMPARATOR",
        ),
        (
            _set(P + "armsInterventionsModule.interventions[0].type", "ORTHOSIS"),
            "armsInterventionsModule.interventions[].type",
            "ORTHOSIS",
        ),
        (
            _set(P + "contactsLocationsModule.locations[3].status", "Recruiting"),
            "contactsLocationsModule.locations[].status",
            "Recruiting",
        ),
    ],
)
def test_every_enumerated_field_is_checked(
    change: Callable[[dict], None], field: str, bad_value: str
) -> None:
    study = full_study()
    change(study)
    problem = parse_error(study, "s.json")
    assert (problem.file, problem.record, problem.field) == ("s.json", "NCT09900001", P + field)
    assert repr(bad_value) in problem.message
    assert "expected one of" in problem.message


def test_enumeration_message_names_the_item() -> None:
    study = full_study()
    _set(P + "armsInterventionsModule.armGroups[1].type", "COMPARATOR")(study)
    assert "arm group 2 ('Stretching only')" in parse_error(study).message


def test_bad_maximum_age() -> None:
    study = full_study()
    _set(P + "eligibilityModule.maximumAge", "6-12 Years")(study)
    problem = parse_error(study)
    assert problem.field == P + "eligibilityModule.maximumAge"
    assert "'6-12 Years'" in problem.message


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (_set(P + "conditionsModule.conditions", "Toe Walking"), P + "conditionsModule", "list"),
        (
            _set(P + "designModule.enrollmentInfo.count", "sixty"),
            P + "designModule.enrollmentInfo.count",
            "whole number",
        ),
        (
            _set(P + "contactsLocationsModule.locations[0].geoPoint", {"lat": "53.8", "lon": 0}),
            P + "contactsLocationsModule",
            "number",
        ),
        (
            _set(P + "eligibilityModule.healthyVolunteers", "No"),
            P + "eligibilityModule",
            "true or false",
        ),
        (_set(P + "statusModule", ["RECRUITING"]), P + "statusModule", "API v2"),
        (_set("hasResults", "false"), "hasResults", "true or false"),
    ],
)
def test_wrong_json_types_are_data_errors(
    change: Callable[[dict], None], field: str, words: str
) -> None:
    study = full_study()
    change(study)
    problem = parse_error(study)
    assert (problem.record, problem.field) == ("NCT09900001", field)
    assert words in problem.message


# ------------------------------------------------------- real registry records


def _dig(obj: Any, path: str) -> Any:
    for key in path.split("."):
        if not isinstance(obj, dict) or key not in obj:
            return None
        obj = obj[key]
    return obj


def _raw_studies(folder: Path) -> list[tuple[str, dict]]:
    """Every study in ``folder``, read without the code under test."""
    found: list[tuple[str, dict]] = []
    for file in sorted(folder.iterdir()):
        if file.suffix == ".zip":
            with zipfile.ZipFile(file) as zf:
                for name in sorted(zf.namelist()):
                    found.append((f"{file}!{name}", json.loads(zf.read(name))))
            continue
        data = json.loads(file.read_text(encoding="utf-8"))
        if isinstance(data, dict) and "studies" in data:
            data = data["studies"]
        if isinstance(data, list):
            found.extend((f"{file}[{i}]", study) for i, study in enumerate(data))
        else:
            found.append((str(file), data))
    return found


def _expected(raw: dict) -> dict[str, Any]:
    """The fields a trial must carry, straight from the raw record."""
    ps = raw["protocolSection"]
    arms = _dig(ps, "armsInterventionsModule.armGroups") or []
    interventions = _dig(ps, "armsInterventionsModule.interventions") or []
    locations = _dig(ps, "contactsLocationsModule.locations") or []
    return {
        "id": _dig(ps, "identificationModule.nctId"),
        "brief_title": _dig(ps, "identificationModule.briefTitle"),
        "official_title": _dig(ps, "identificationModule.officialTitle"),
        "overall_status": _dig(ps, "statusModule.overallStatus"),
        "last_known_status": _dig(ps, "statusModule.lastKnownStatus"),
        "conditions": _dig(ps, "conditionsModule.conditions") or [],
        "min_age": _dig(ps, "eligibilityModule.minimumAge"),
        "max_age": _dig(ps, "eligibilityModule.maximumAge"),
        "sex": _dig(ps, "eligibilityModule.sex"),
        "phases": _dig(ps, "designModule.phases") or [],
        "study_type": _dig(ps, "designModule.studyType"),
        "allocation": _dig(ps, "designModule.designInfo.allocation"),
        "intervention_model": _dig(ps, "designModule.designInfo.interventionModel"),
        "masking": _dig(ps, "designModule.designInfo.maskingInfo.masking"),
        "primary_purpose": _dig(ps, "designModule.designInfo.primaryPurpose"),
        "enrollment": _dig(ps, "designModule.enrollmentInfo.count"),
        "enrollment_type": _dig(ps, "designModule.enrollmentInfo.type"),
        "arms": [[a.get("label"), a.get("type"), a.get("interventionNames") or []] for a in arms],
        "interventions": [[i.get("name"), i.get("type")] for i in interventions],
        "site_count": len(locations),
        "sites": [
            [
                loc.get("city"),
                loc.get("country"),
                loc.get("status"),
                _dig(loc, "geoPoint.lat"),
                _dig(loc, "geoPoint.lon"),
            ]
            for loc in locations
        ],
        "last_update": _dig(ps, "statusModule.lastUpdatePostDateStruct.date"),
        "has_results": raw.get("hasResults"),
    }


def _actual(trial: Trial) -> dict[str, Any]:
    return {
        "id": trial.id,
        "brief_title": trial.brief_title,
        "official_title": trial.official_title,
        "overall_status": trial.overall_status,
        "last_known_status": trial.last_known_status,
        "conditions": list(trial.conditions),
        "min_age": trial.eligibility.min_age,
        "max_age": trial.eligibility.max_age,
        "sex": trial.eligibility.sex,
        "phases": list(trial.design.phases),
        "study_type": trial.design.study_type,
        "allocation": trial.design.allocation,
        "intervention_model": trial.design.intervention_model,
        "masking": trial.design.masking,
        "primary_purpose": trial.design.primary_purpose,
        "enrollment": trial.design.enrollment,
        "enrollment_type": trial.design.enrollment_type,
        "arms": [[a.label, a.type, list(a.interventions)] for a in trial.arms],
        "interventions": [[i.name, i.type] for i in trial.interventions],
        "site_count": len(trial.sites),
        "sites": [[s.city, s.country, s.status, s.lat, s.lon] for s in trial.sites],
        "last_update": trial.dates.last_update,
        "has_results": trial.has_results,
    }


def _corpus(folder_name: str) -> tuple[list[tuple[str, dict]], list[StudyInput]]:
    folder = SHARED / folder_name
    if not folder.is_dir():
        pytest.skip(f"real registry records not found at {folder}")
    return _raw_studies(folder), read_all(folder)


@pytest.fixture(scope="module")
def v2_corpus() -> tuple[list[tuple[str, dict]], list[StudyInput]]:
    return _corpus("v2_json")


def test_real_records_are_all_found(v2_corpus: tuple[list, list[StudyInput]]) -> None:
    raw, items = v2_corpus
    assert [item.problem for item in items if item.problem] == []
    assert [item.origin for item in items] == [origin for origin, _ in raw]
    assert len({study_id(item.study) for item in items}) > 1000


def test_real_records_parse_and_match_their_source(
    v2_corpus: tuple[list, list[StudyInput]],
) -> None:
    raw, items = v2_corpus
    mismatches = []
    for (origin, source), item in zip(raw, items, strict=True):
        trial = parse_study(item.study, item.origin)
        expected, actual = _expected(source), _actual(trial)
        wrong = [key for key in expected if expected[key] != actual[key]]
        if wrong:
            mismatches.append((origin, {key: (expected[key], actual[key]) for key in wrong}))
        assert trial.source_url == STUDY_URL.format(id=trial.id)
        assert trial.dates.last_update == study_last_update(item.study)
    assert mismatches[:5] == []


def test_real_records_hold_the_awkward_cases(v2_corpus: tuple[list, list[StudyInput]]) -> None:
    """The corpus really exercises what the fixtures imitate."""
    _, items = v2_corpus
    trials = [parse_study(item.study, item.origin) for item in items]
    sites = [site for trial in trials for site in trial.sites]
    assert any(site.lat is None for site in sites)
    assert any(t.overall_status == "UNKNOWN" and t.last_known_status for t in trials)
    assert any(t.eligibility.max_age is None for t in trials)
    ages = {t.eligibility.min_age for t in trials}
    assert {"1 Year", "0 Years"} <= ages
    assert any(":" in name for t in trials for arm in t.arms for name in arm.interventions)


def test_trimmed_real_records_parse_what_is_there() -> None:
    raw, items = _corpus("v2_json_fields_subset")
    assert [item.problem for item in items if item.problem] == []
    assert [item.origin for item in items] == [origin for origin, _ in raw]
    for (_, source), item in zip(raw, items, strict=True):
        trial = parse_study(item.study, item.origin)
        expected, actual = _expected(source), _actual(trial)
        assert actual == expected, item.origin


def test_study_wide_contacts_are_read_with_their_extension() -> None:
    study = full_study()
    study["protocolSection"]["contactsLocationsModule"]["centralContacts"] = [
        {
            "name": "Trial Desk",
            "role": "CONTACT",
            "phone": "1-800-243-0127",
            "phoneExt": "12",
            "email": "desk@trial.example",
        },
        {"role": "CONTACT"},
        {},
        {"name": "Dr Lan", "role": "STUDY_DIRECTOR"},
    ]
    trial = parse_study(study, "test.json")
    assert trial.contacts == (
        Contact(
            name="Trial Desk",
            role="CONTACT",
            phone="1-800-243-0127",
            phone_ext="12",
            email="desk@trial.example",
        ),
        Contact(role="CONTACT"),  # kept: the record lists a contact it does not name
        Contact(name="Dr Lan", role="STUDY_DIRECTOR"),
    )  # the empty entry is left out
    assert Trial.from_dict(trial.to_dict()).contacts == trial.contacts


def test_a_study_without_central_contacts_has_none() -> None:
    study = full_study()
    study["protocolSection"]["contactsLocationsModule"].pop("centralContacts", None)
    assert parse_study(study, "test.json").contacts == ()


def test_invisible_characters_are_taken_out_of_registry_text() -> None:
    study = full_study()
    module = study["protocolSection"]["contactsLocationsModule"]
    module["centralContacts"] = [
        {"name": "Lan\u200b Nguyen", "email": "lan@\u2060trial.example\ufeff", "role": "CONTACT"}
    ]
    module["locations"][0]["contacts"][0]["email"] = "trials@\u2060northfield.example"
    study["protocolSection"]["identificationModule"]["briefTitle"] = "Soft\u00adhyphen title"
    trial = parse_study(study, "test.json")
    assert trial.contacts[0].email == "lan@trial.example"
    assert trial.contacts[0].name == "Lan Nguyen"
    assert trial.sites[0].contacts[0].email == "trials@northfield.example"
    assert trial.brief_title == "Softhyphen title"
    # Visible non-ASCII text is kept as written.
    study["protocolSection"]["identificationModule"]["briefTitle"] = "Bại não ở trẻ em"
    assert parse_study(study, "test.json").brief_title == "Bại não ở trẻ em"
