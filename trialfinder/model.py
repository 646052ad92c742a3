"""The one normalized trial record every source produces.

Plain frozen dataclasses. Enumerated values keep ClinicalTrials.gov's spelling
(``RECRUITING``, ``PHASE2``, ``RANDOMIZED`` ...). A value a source does not state
is ``None`` (or an empty tuple): it is shown as "not given", never guessed.
"""

from __future__ import annotations

import dataclasses
import functools
import typing
from dataclasses import dataclass, field
from typing import Any

OVERALL_STATUSES = (
    "RECRUITING",
    "NOT_YET_RECRUITING",
    "ENROLLING_BY_INVITATION",
    "ACTIVE_NOT_RECRUITING",
    "SUSPENDED",
    "TERMINATED",
    "COMPLETED",
    "WITHDRAWN",
    "AVAILABLE",
    "NO_LONGER_AVAILABLE",
    "TEMPORARILY_NOT_AVAILABLE",
    "APPROVED_FOR_MARKETING",
    "WITHHELD",
    "UNKNOWN",
)
#: Statuses under which a family could still join (or ask to join) a trial.
OPEN_STATUSES = frozenset(
    {"RECRUITING", "NOT_YET_RECRUITING", "ENROLLING_BY_INVITATION", "AVAILABLE"}
)
PHASES = ("NA", "EARLY_PHASE1", "PHASE1", "PHASE2", "PHASE3", "PHASE4")
STUDY_TYPES = ("INTERVENTIONAL", "OBSERVATIONAL", "EXPANDED_ACCESS")
ALLOCATIONS = ("RANDOMIZED", "NON_RANDOMIZED", "NA")
INTERVENTION_MODELS = ("SINGLE_GROUP", "PARALLEL", "CROSSOVER", "FACTORIAL", "SEQUENTIAL")
MASKINGS = ("NONE", "SINGLE", "DOUBLE", "TRIPLE", "QUADRUPLE")
WHO_MASKED = ("PARTICIPANT", "CARE_PROVIDER", "INVESTIGATOR", "OUTCOMES_ASSESSOR")
PRIMARY_PURPOSES = (
    "TREATMENT",
    "PREVENTION",
    "DIAGNOSTIC",
    "ECT",
    "SUPPORTIVE_CARE",
    "SCREENING",
    "HEALTH_SERVICES_RESEARCH",
    "BASIC_SCIENCE",
    "DEVICE_FEASIBILITY",
    "OTHER",
)
ENROLLMENT_TYPES = ("ACTUAL", "ESTIMATED")
SEXES = ("ALL", "FEMALE", "MALE")
ARM_TYPES = (
    "EXPERIMENTAL",
    "ACTIVE_COMPARATOR",
    "PLACEBO_COMPARATOR",
    "SHAM_COMPARATOR",
    "NO_INTERVENTION",
    "OTHER",
)
INTERVENTION_TYPES = (
    "BEHAVIORAL",
    "BIOLOGICAL",
    "COMBINATION_PRODUCT",
    "DEVICE",
    "DIAGNOSTIC_TEST",
    "DIETARY_SUPPLEMENT",
    "DRUG",
    "GENETIC",
    "PROCEDURE",
    "RADIATION",
    "OTHER",
)
#: A site's own recruitment status (the registry's RecruitmentStatus).
SITE_STATUSES = (
    "RECRUITING",
    "NOT_YET_RECRUITING",
    "ENROLLING_BY_INVITATION",
    "ACTIVE_NOT_RECRUITING",
    "SUSPENDED",
    "TERMINATED",
    "COMPLETED",
    "WITHDRAWN",
    "AVAILABLE",
)

#: What a listed publication is to the trial: its results, background, or found by the registry.
REFERENCE_TYPES = ("BACKGROUND", "RESULT", "DERIVED")

#: Which enumeration each enumerated field takes; sources validate against it.
ENUMERATIONS: dict[str, tuple[str, ...]] = {
    "overall_status": OVERALL_STATUSES,
    "last_known_status": OVERALL_STATUSES,
    "phases": PHASES,
    "study_type": STUDY_TYPES,
    "allocation": ALLOCATIONS,
    "intervention_model": INTERVENTION_MODELS,
    "masking": MASKINGS,
    "who_masked": WHO_MASKED,
    "primary_purpose": PRIMARY_PURPOSES,
    "enrollment_type": ENROLLMENT_TYPES,
    "sex": SEXES,
    "arm_type": ARM_TYPES,
    "intervention_type": INTERVENTION_TYPES,
    "site_status": SITE_STATUSES,
    "reference_type": REFERENCE_TYPES,
}


@dataclass(frozen=True)
class Contact:
    name: str | None = None
    #: As the registry spells it (CONTACT, PRINCIPAL_INVESTIGATOR ...) or a curator's words.
    role: str | None = None
    phone: str | None = None
    #: An extension to dial after the number, when the record gives one.
    phone_ext: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class Site:
    facility: str | None = None
    city: str | None = None
    state: str | None = None
    zip: str | None = None
    country: str | None = None
    status: str | None = None
    lat: float | None = None
    lon: float | None = None
    contacts: tuple[Contact, ...] = ()
    #: Free text about the place, e.g. "place recorded as the sponsor's city".
    note: str | None = None
    #: The note in Vietnamese, for curated records (shown on Vietnamese pages).
    note_vi: str | None = None

    def note_in(self, lang: str) -> str | None:
        """The note in ``lang`` when a curator wrote it, else as written."""
        return (self.note_vi if lang == "vi" else None) or self.note


@dataclass(frozen=True)
class MeshMatch:
    """The registry's own pairing of words a record used with a MeSH term
    ("impotence" -> "Erectile Dysfunction"), from its derived browse leaves."""

    found: str
    term: str


@dataclass(frozen=True)
class Intervention:
    name: str
    type: str | None = None
    description: str | None = None
    other_names: tuple[str, ...] = ()
    arm_labels: tuple[str, ...] = ()


@dataclass(frozen=True)
class Arm:
    label: str
    type: str | None = None
    description: str | None = None
    #: As the registry lists them, type prefix included ("Drug: Piracetam").
    interventions: tuple[str, ...] = ()
    #: A curator's Vietnamese label and description (never machine-made).
    label_vi: str | None = None
    description_vi: str | None = None


@dataclass(frozen=True)
class Outcome:
    measure: str
    time_frame: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class Design:
    study_type: str | None = None
    phases: tuple[str, ...] = ()
    allocation: str | None = None
    intervention_model: str | None = None
    masking: str | None = None
    who_masked: tuple[str, ...] = ()
    primary_purpose: str | None = None
    enrollment: int | None = None
    enrollment_type: str | None = None


@dataclass(frozen=True)
class Eligibility:
    #: As written by the source ("1 Year", "18 Months"); None when not stated.
    min_age: str | None = None
    max_age: str | None = None
    sex: str | None = None
    healthy_volunteers: bool | None = None
    criteria: str | None = None


@dataclass(frozen=True)
class Dates:
    """Dates as the source writes them: ``YYYY-MM-DD`` or ``YYYY-MM``."""

    start: str | None = None
    primary_completion: str | None = None
    completion: str | None = None
    first_posted: str | None = None
    last_update: str | None = None
    #: When the sponsor last confirmed the status (the registry's statusVerifiedDate).
    status_verified: str | None = None


# ------------------------------------------------------------ posted results
#
# What a trial posted after it ended (the registry's resultsSection) and the
# papers it lists (referencesModule). Values measured are kept as the registry
# writes them (text: "80.27", "NA"); counts of people are whole numbers, None
# when the record does not state them.


@dataclass(frozen=True)
class ResultGroup:
    """One group of the results (an arm, a dose, "Total"), by the registry's id."""

    id: str
    title: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class GroupCount:
    """How many people in one group, as stated."""

    group_id: str
    count: int | None = None


@dataclass(frozen=True)
class FlowMilestone:
    """One step of the participant flow ("STARTED", "COMPLETED", ...) in one period."""

    type: str
    period: str | None = None
    counts: tuple[GroupCount, ...] = ()


@dataclass(frozen=True)
class ParticipantFlow:
    groups: tuple[ResultGroup, ...] = ()
    milestones: tuple[FlowMilestone, ...] = ()
    recruitment_details: str | None = None


@dataclass(frozen=True)
class Measurement:
    """One group's figure, as written; ``category`` names the row it belongs to."""

    group_id: str
    value: str | None = None
    spread: str | None = None
    lower: str | None = None
    upper: str | None = None
    category: str | None = None


@dataclass(frozen=True)
class BaselineMeasure:
    title: str
    param_type: str | None = None
    dispersion_type: str | None = None
    unit: str | None = None
    measurements: tuple[Measurement, ...] = ()


@dataclass(frozen=True)
class Baseline:
    groups: tuple[ResultGroup, ...] = ()
    denom_units: str | None = None
    counts: tuple[GroupCount, ...] = ()
    measures: tuple[BaselineMeasure, ...] = ()


@dataclass(frozen=True)
class Analysis:
    """A statistical analysis exactly as the record states it (nothing recomputed)."""

    group_ids: tuple[str, ...] = ()
    method: str | None = None
    p_value: str | None = None
    param_type: str | None = None
    param_value: str | None = None
    ci_percent: str | None = None
    ci_lower: str | None = None
    ci_upper: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class OutcomeResult:
    title: str
    #: PRIMARY, SECONDARY or OTHER_PRE_SPECIFIED.
    type: str | None = None
    description: str | None = None
    population: str | None = None
    time_frame: str | None = None
    param_type: str | None = None
    dispersion_type: str | None = None
    unit: str | None = None
    groups: tuple[ResultGroup, ...] = ()
    #: Who was analysed, per group, in ``denom_units`` (usually "Participants").
    denom_units: str | None = None
    denoms: tuple[GroupCount, ...] = ()
    measurements: tuple[Measurement, ...] = ()
    analyses: tuple[Analysis, ...] = ()


@dataclass(frozen=True)
class EventGroup:
    """One group of the adverse-events module: how many were affected, of how many at risk."""

    id: str
    title: str | None = None
    description: str | None = None
    serious_affected: int | None = None
    serious_at_risk: int | None = None
    other_affected: int | None = None
    other_at_risk: int | None = None
    deaths_affected: int | None = None
    deaths_at_risk: int | None = None


@dataclass(frozen=True)
class EventCount:
    group_id: str
    affected: int | None = None
    at_risk: int | None = None
    events: int | None = None


@dataclass(frozen=True)
class AdverseEvent:
    term: str
    organ_system: str | None = None
    #: SYSTEMATIC_ASSESSMENT or NON_SYSTEMATIC_ASSESSMENT.
    assessment: str | None = None
    counts: tuple[EventCount, ...] = ()


@dataclass(frozen=True)
class AdverseEvents:
    time_frame: str | None = None
    description: str | None = None
    #: Other (not serious) events are listed only above this percentage, as written.
    frequency_threshold: str | None = None
    groups: tuple[EventGroup, ...] = ()
    serious: tuple[AdverseEvent, ...] = ()
    other: tuple[AdverseEvent, ...] = ()


@dataclass(frozen=True)
class Results:
    """The registry's posted results; each part None when the record lacks it."""

    flow: ParticipantFlow | None = None
    baseline: Baseline | None = None
    outcomes: tuple[OutcomeResult, ...] = ()
    adverse_events: AdverseEvents | None = None


@dataclass(frozen=True)
class Reference:
    """A publication the record lists: RESULT (from this trial), BACKGROUND, or DERIVED."""

    citation: str | None = None
    pmid: str | None = None
    type: str | None = None


@dataclass(frozen=True)
class Trial:
    id: str
    #: Other identifiers the trial is known by (registry and sponsor ids).
    registry_ids: tuple[str, ...] = ()
    brief_title: str | None = None
    official_title: str | None = None
    acronym: str | None = None
    brief_summary: str | None = None
    detailed_description: str | None = None
    #: Curated plain-language title and summary (never from the registry).
    plain_title: str | None = None
    plain_summary: str | None = None
    #: The curated plain-language summary in Vietnamese (never machine-made).
    plain_summary_vi: str | None = None
    overall_status: str | None = None
    last_known_status: str | None = None
    why_stopped: str | None = None
    conditions: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    mesh_terms: tuple[str, ...] = ()
    mesh_ancestors: tuple[str, ...] = ()
    #: How the registry read the record's condition words as MeSH terms.
    mesh_found: tuple[MeshMatch, ...] = ()
    interventions: tuple[Intervention, ...] = ()
    #: The registry's MeSH terms for the interventions, their ancestors, and how
    #: it read the record's intervention words as them.
    intervention_mesh_terms: tuple[str, ...] = ()
    intervention_mesh_ancestors: tuple[str, ...] = ()
    intervention_mesh_found: tuple[MeshMatch, ...] = ()
    arms: tuple[Arm, ...] = ()
    design: Design = field(default_factory=Design)
    eligibility: Eligibility = field(default_factory=Eligibility)
    primary_outcomes: tuple[Outcome, ...] = ()
    secondary_outcomes: tuple[Outcome, ...] = ()
    sponsor: str | None = None
    collaborators: tuple[str, ...] = ()
    dates: Dates = field(default_factory=Dates)
    sites: tuple[Site, ...] = ()
    #: Study-wide contacts (the registry's centralContacts): who to call about the
    #: trial as a whole, whatever the site.
    contacts: tuple[Contact, ...] = ()
    has_results: bool | None = None
    #: The posted results; None when the record carries none (not posted, or left out).
    results: Results | None = None
    #: The publications the record lists; None when it lists none.
    references: tuple[Reference, ...] | None = None
    #: Curated notes for families.
    active_substance: str | None = None
    what_could_lead_to: str | None = None
    what_could_go_wrong: str | None = None
    #: What the comparison group gets, when a curator states it in words.
    control_group: str | None = None
    #: The curated texts above in Vietnamese, written by hand (shown on Vietnamese pages).
    plain_title_vi: str | None = None
    active_substance_vi: str | None = None
    what_could_lead_to_vi: str | None = None
    what_could_go_wrong_vi: str | None = None
    control_group_vi: str | None = None
    #: The eligibility criteria a curator wrote, in Vietnamese (shown as written, beside
    #: the checklist, which reads the English).
    criteria_vi: str | None = None
    #: Staff notes (where facts came from): shown on the data page, not to families.
    notes: str | None = None
    #: Where the record came from: "ctgov" (registry), "curated", or "ctgov+curated".
    source: str | None = None
    source_url: str | None = None

    @property
    def title(self) -> str:
        """The title to show: plain, else brief, else official, else the id."""
        return self.plain_title or self.brief_title or self.official_title or self.id

    def title_in(self, lang: str) -> str:
        """The title in ``lang`` when a curator wrote one, else :attr:`title`."""
        return (self.plain_title_vi if lang == "vi" else None) or self.title

    def text_in(self, name: str, lang: str) -> str | None:
        """A curated text (``what_could_lead_to`` ...) in ``lang`` when written, else
        as written in English."""
        translated = getattr(self, f"{name}_vi", None) if lang == "vi" else None
        return translated or getattr(self, name)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; tuples become lists."""
        return _jsonable(dataclasses.asdict(self))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Trial:
        """Rebuild a trial from :meth:`to_dict` output."""
        return _build(cls, data)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


@functools.cache
def _nested_type(cls: type, name: str) -> type | None:
    """The dataclass a field holds (directly or as a tuple of them), if any."""
    return _dataclass_in(typing.get_type_hints(cls)[name])


def _dataclass_in(hint: Any) -> type | None:
    """``X``, ``tuple[X, ...]``, ``X | None`` and ``tuple[X, ...] | None`` all hold ``X``."""
    if dataclasses.is_dataclass(hint):
        return hint
    for arg in typing.get_args(hint):
        found = _dataclass_in(arg)
        if found is not None:
            return found
    return None


def _build(cls: type, data: dict[str, Any]) -> Any:
    kwargs: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.name not in data:
            continue
        value = data[f.name]
        if isinstance(value, list):
            nested = _nested_type(cls, f.name)
            value = tuple(_build(nested, v) for v in value) if nested else tuple(value)
        elif isinstance(value, dict):
            value = _build(_nested_type(cls, f.name), value)
        kwargs[f.name] = value
    return cls(**kwargs)
