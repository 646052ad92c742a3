"""Trial facts in plain words for families: statuses, ages, design terms.

Every phrase says only what the record says; a missing fact reads "unknown".
"""

from __future__ import annotations

from trialfinder.ages import limit_in_words
from trialfinder.model import OPEN_STATUSES

UNKNOWN = "unknown"

STATUS_WORDS = {
    "RECRUITING": "Recruiting",
    "NOT_YET_RECRUITING": "Not yet recruiting",
    "ENROLLING_BY_INVITATION": "Enrolling by invitation",
    "ACTIVE_NOT_RECRUITING": "Active, not recruiting",
    "SUSPENDED": "Suspended",
    "TERMINATED": "Terminated",
    "COMPLETED": "Completed",
    "WITHDRAWN": "Withdrawn",
    "AVAILABLE": "Available",
    "NO_LONGER_AVAILABLE": "No longer available",
    "TEMPORARILY_NOT_AVAILABLE": "Temporarily not available",
    "APPROVED_FOR_MARKETING": "Approved for marketing",
    "WITHHELD": "Withheld",
    "UNKNOWN": "Status unknown",
}

#: Short explanations a family can read beside each design term, by field
#: (the registry uses "NA" both for a phase and for an allocation).
EXPLANATIONS: dict[str, dict[str, str]] = {
    "allocation": {
        "RANDOMIZED": (
            "Randomized: chance decides which group each child joins, so the groups are alike "
            "and a difference in results is more likely due to the treatment."
        ),
        "NON_RANDOMIZED": (
            "Not randomized: the team or families choose the groups, so the groups may differ "
            "in ways other than the treatment."
        ),
        "NA": "Allocation does not apply: there is only one group, so nobody is assigned.",
    },
    "intervention_model": {
        "SINGLE_GROUP": (
            "Single group: everyone gets the same treatment; there is no comparison group."
        ),
        "PARALLEL": "Parallel groups: each group gets a different treatment at the same time.",
        "CROSSOVER": "Crossover: each participant gets both treatments, one after the other.",
        "FACTORIAL": "Factorial: several treatments are tested in combinations.",
        "SEQUENTIAL": "Sequential: groups are enrolled one after another.",
    },
    "masking": {
        "NONE": "Open label: everyone knows which treatment each child gets.",
        "SINGLE": "Single blind: one party (often the participant) does not know who gets what.",
        "DOUBLE": (
            "Double blind: two parties (often participants and doctors) do not know who gets what."
        ),
        "TRIPLE": "Triple blind: three parties do not know who gets what.",
        "QUADRUPLE": (
            "Quadruple blind: four parties, including those who judge the results, do not "
            "know who gets what."
        ),
    },
    "phase": {
        "EARLY_PHASE1": "Early phase 1: a first, very small test in people.",
        "PHASE1": "Phase 1: a first test in a small group, mainly for safety and dose.",
        "PHASE2": "Phase 2: tests whether the treatment works and keeps checking safety.",
        "PHASE3": "Phase 3: compares the treatment with usual care in a large group.",
        "PHASE4": "Phase 4: follows a treatment already approved, in everyday use.",
        "NA": (
            "No phase: the trial does not test a drug in the usual phases (for example a "
            "device or a therapy)."
        ),
    },
    "study_type": {
        "INTERVENTIONAL": (
            "Interventional: participants receive a treatment chosen by the study plan."
        ),
        "OBSERVATIONAL": "Observational: researchers watch what happens; no treatment is assigned.",
        "EXPANDED_ACCESS": "Expanded access: a way to get an unapproved treatment outside a trial.",
    },
}


def explain(field: str, code: str | None) -> str | None:
    """The plain-language explanation of a design term, e.g. ("masking", "NONE")."""
    return EXPLANATIONS.get(field, {}).get(code or "")


_DESIGN_WORDS = {
    "RANDOMIZED": "randomized",
    "NON_RANDOMIZED": "not randomized",
    "SINGLE_GROUP": "single group",
    "PARALLEL": "parallel groups",
    "CROSSOVER": "crossover",
    "FACTORIAL": "factorial",
    "SEQUENTIAL": "sequential",
    "NONE": "open label",
    "SINGLE": "single blind",
    "DOUBLE": "double blind",
    "TRIPLE": "triple blind",
    "QUADRUPLE": "quadruple blind",
    "INTERVENTIONAL": "interventional",
    "OBSERVATIONAL": "observational",
    "EXPANDED_ACCESS": "expanded access",
}


def status_words(status: str | None) -> str:
    return STATUS_WORDS.get(status or "", "Status unknown")


def is_open(status: str | None) -> bool:
    return status in OPEN_STATUSES


def phase_words(phases: tuple[str, ...] | list[str] | str | None) -> str:
    if isinstance(phases, str):
        phases = [p for p in phases.split("|") if p]
    if not phases:
        return "phase " + UNKNOWN
    names = {"NA": "no phase", "EARLY_PHASE1": "early phase 1"}
    return " / ".join(names.get(p, p.replace("PHASE", "phase ")) for p in phases)


def design_words(*codes: str | None) -> str:
    """ "RANDOMIZED", "PARALLEL", "NONE" -> "randomized, parallel groups, open label"."""
    return ", ".join(_DESIGN_WORDS.get(c, c.lower().replace("_", " ")) for c in codes if c)


def ages_in_words(min_age: str | None, max_age: str | None) -> str:
    """Who can join by age: "1 year to 6 years", "18 years and older", "any age"."""
    low, high = limit_in_words(min_age), limit_in_words(max_age)
    if low and high:
        return f"{low} to {high}"
    if low:
        return f"{low} and older"
    if high:
        return f"up to {high}"
    return "any age (no limit given)"


def sex_words(sex: str | None) -> str:
    return {"ALL": "all sexes", "FEMALE": "girls and women only", "MALE": "boys and men only"}.get(
        sex or "", "sex " + UNKNOWN
    )


def yes_no_unknown(value: bool | None) -> str:
    return UNKNOWN if value is None else ("yes" if value else "no")


def enrollment_words(count: int | None, kind: str | None) -> str:
    if count is None:
        return "number of participants " + UNKNOWN
    people = f"{count} participant" + ("s" if count != 1 else "")
    if kind == "ACTUAL":
        return f"{people} (actual)"
    if kind == "ESTIMATED":
        return f"{people} (planned)"
    return people


def label(code: str | None) -> str:
    """A registry code as words, or "unknown"."""
    return code.lower().replace("_", " ") if code else UNKNOWN
