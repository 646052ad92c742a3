"""Trial facts in plain words for families: statuses, ages, design terms.

Every phrase says only what the record says; a missing fact reads "not given".
"""

from __future__ import annotations

from collections.abc import Callable

from trialfinder import localized
from trialfinder.ages import limit_in_words, parse_age_limit
from trialfinder.i18n import N_, _, ngettext
from trialfinder.model import INTERVENTION_TYPES, OPEN_STATUSES

NOT_GIVEN = N_("not given")

STATUS_WORDS = {
    "RECRUITING": N_("Recruiting"),
    "NOT_YET_RECRUITING": N_("Not yet recruiting"),
    "ENROLLING_BY_INVITATION": N_("Enrolling by invitation"),
    "ACTIVE_NOT_RECRUITING": N_("Active, not recruiting"),
    "SUSPENDED": N_("Suspended"),
    "TERMINATED": N_("Terminated"),
    "COMPLETED": N_("Completed"),
    "WITHDRAWN": N_("Withdrawn"),
    "AVAILABLE": N_("Available"),
    "NO_LONGER_AVAILABLE": N_("No longer available"),
    "TEMPORARILY_NOT_AVAILABLE": N_("Temporarily not available"),
    "APPROVED_FOR_MARKETING": N_("Approved for marketing"),
    "WITHHELD": N_("Withheld"),
    "UNKNOWN": N_("Status unknown"),
}

#: Short explanations a family can read beside each design term, by field
#: (the registry uses "NA" both for a phase and for an allocation).
EXPLANATIONS: dict[str, dict[str, str]] = {
    "allocation": {
        "RANDOMIZED": N_(
            "Randomized: chance decides which group each child joins, so the groups are alike "
            "and a difference in results is more likely due to the treatment."
        ),
        "NON_RANDOMIZED": N_(
            "Not randomized: the team or families choose the groups, so the groups may differ "
            "in ways other than the treatment."
        ),
        "NA": N_("Allocation does not apply: there is only one group, so nobody is assigned."),
    },
    "intervention_model": {
        "SINGLE_GROUP": N_(
            "Single group: everyone gets the same treatment; there is no comparison group."
        ),
        "PARALLEL": N_("Parallel groups: each group gets a different treatment at the same time."),
        "CROSSOVER": N_("Crossover: each participant gets both treatments, one after the other."),
        "FACTORIAL": N_("Factorial: several treatments are tested in combinations."),
        "SEQUENTIAL": N_("Sequential: groups are enrolled one after another."),
    },
    "masking": {
        "NONE": N_("Open label: everyone knows which treatment each child gets."),
        "SINGLE": N_(
            "Single blind: one party (often the participant) does not know who gets what."
        ),
        "DOUBLE": N_(
            "Double blind: two parties (often participants and doctors) do not know who gets what."
        ),
        "TRIPLE": N_("Triple blind: three parties do not know who gets what."),
        "QUADRUPLE": N_(
            "Quadruple blind: four parties, including those who judge the results, do not "
            "know who gets what."
        ),
    },
    "phase": {
        "EARLY_PHASE1": N_("Early phase 1: a first, very small test in people."),
        "PHASE1": N_("Phase 1: a first test in a small group, mainly for safety and dose."),
        "PHASE2": N_("Phase 2: tests whether the treatment works and keeps checking safety."),
        "PHASE3": N_("Phase 3: compares the treatment with usual care in a large group."),
        "PHASE4": N_("Phase 4: follows a treatment already approved, in everyday use."),
        "NA": N_(
            "No phase: the trial does not test a drug in the usual phases (for example a "
            "device or a therapy)."
        ),
    },
    "study_type": {
        "INTERVENTIONAL": N_(
            "Interventional: participants receive a treatment chosen by the study plan."
        ),
        "OBSERVATIONAL": N_(
            "Observational: researchers watch what happens; no treatment is assigned."
        ),
        "EXPANDED_ACCESS": N_(
            "Expanded access: a way to get an unapproved treatment outside a trial."
        ),
    },
}


def explain(field: str, code: str | None) -> str | None:
    """The plain-language explanation of a design term, e.g. ("masking", "NONE")."""
    found = EXPLANATIONS.get(field, {}).get(code or "")
    return _(found) if found else None


_DESIGN_WORDS = {
    "RANDOMIZED": N_("randomized"),
    "NON_RANDOMIZED": N_("not randomized"),
    "SINGLE_GROUP": N_("single group"),
    "PARALLEL": N_("parallel groups"),
    "CROSSOVER": N_("crossover"),
    "FACTORIAL": N_("factorial"),
    "SEQUENTIAL": N_("sequential"),
    "NONE": N_("open label"),
    "SINGLE": N_("single blind"),
    "DOUBLE": N_("double blind"),
    "TRIPLE": N_("triple blind"),
    "QUADRUPLE": N_("quadruple blind"),
    "INTERVENTIONAL": N_("interventional"),
    "OBSERVATIONAL": N_("observational"),
    "EXPANDED_ACCESS": N_("expanded access"),
}


def not_given() -> str:
    """ "not given", in the interface's language: what a record does not say."""
    return _(NOT_GIVEN)


def status_words(status: str | None) -> str:
    if not status:
        return _("Status not given")
    words = STATUS_WORDS.get(status)
    return _(words) if words else status.replace("_", " ").capitalize()


def is_open(status: str | None) -> bool:
    return status in OPEN_STATUSES


def phase_words(phases: tuple[str, ...] | list[str] | str | None) -> str:
    if isinstance(phases, str):
        phases = [p for p in phases.split("|") if p]
    if not phases:
        return _("phase not given")
    names = {"NA": _("no phase"), "EARLY_PHASE1": _("early phase 1")}
    return " / ".join(
        names.get(p) or _("phase {number}").format(number=p.removeprefix("PHASE")) for p in phases
    )


def design_words(*codes: str | None) -> str:
    """ "RANDOMIZED", "PARALLEL", "NONE" -> "randomized, parallel groups, open label"."""
    return ", ".join(
        _(_DESIGN_WORDS[c]) if c in _DESIGN_WORDS else c.lower().replace("_", " ")
        for c in codes
        if c
    )


#: An age limit's unit in words; each a plural message of its own (a lookup of a
#: plural needs the singular and the plural written out where pybabel sees them).
_UNITS: dict[str, Callable[[int], str]] = {
    "year": lambda n: ngettext("{n} year", "{n} years", n),
    "month": lambda n: ngettext("{n} month", "{n} months", n),
    "week": lambda n: ngettext("{n} week", "{n} weeks", n),
    "day": lambda n: ngettext("{n} day", "{n} days", n),
    "hour": lambda n: ngettext("{n} hour", "{n} hours", n),
    "minute": lambda n: ngettext("{n} minute", "{n} minutes", n),
}


def limit_words(text: str | None) -> str | None:
    """ "6 Years" -> "6 years" (in the interface's language); None when there is no limit."""
    limit = parse_age_limit(text)
    if limit is None:
        return None
    value = int(limit.value) if limit.value == int(limit.value) else limit.value
    if limit.unit not in _UNITS:
        return limit_in_words(text)
    return _UNITS[limit.unit](1 if value == 1 else 2).format(n=value)


def ages_in_words(min_age: str | None, max_age: str | None) -> str:
    """Who can join by age: "1 year to 6 years", "18 years and older", "any age"."""
    low, high = limit_words(min_age), limit_words(max_age)
    if low and high:
        return _("{low} to {high}").format(low=low, high=high)
    if low:
        return _("{low} and older").format(low=low)
    if high:
        return _("up to {high}").format(high=high)
    return _("any age (no limit given)")


def sex_words(sex: str | None) -> str:
    words = {
        "ALL": N_("all sexes"),
        "FEMALE": N_("girls and women only"),
        "MALE": N_("boys and men only"),
    }.get(sex or "")
    return _(words) if words else _("sex not given")


def yes_no(value: bool | None) -> str:
    return not_given() if value is None else (_("yes") if value else _("no"))


def enrollment_words(count: int | None, kind: str | None) -> str:
    if count is None:
        return _("number of participants not given")
    people = ngettext("{count} participant", "{count} participants", count).format(
        count=localized.count(count)
    )
    if kind == "ACTUAL":
        return _("{people} (actual)").format(people=people)
    if kind == "ESTIMATED":
        return _("{people} (planned)").format(people=people)
    return people


#: Registry codes as words (the registry's own term, lower case).
_LABELS = {
    "INTERVENTIONAL": N_("interventional"),
    "OBSERVATIONAL": N_("observational"),
    "EXPANDED_ACCESS": N_("expanded access"),
    "RANDOMIZED": N_("randomized"),
    "NON_RANDOMIZED": N_("non randomized"),
    "NA": N_("na"),
    "SINGLE_GROUP": N_("single group"),
    "PARALLEL": N_("parallel"),
    "CROSSOVER": N_("crossover"),
    "FACTORIAL": N_("factorial"),
    "SEQUENTIAL": N_("sequential"),
    "NONE": N_("none"),
    "SINGLE": N_("single"),
    "DOUBLE": N_("double"),
    "TRIPLE": N_("triple"),
    "QUADRUPLE": N_("quadruple"),
    "PARTICIPANT": N_("participant"),
    "CARE_PROVIDER": N_("care provider"),
    "INVESTIGATOR": N_("investigator"),
    "OUTCOMES_ASSESSOR": N_("outcomes assessor"),
    "TREATMENT": N_("treatment"),
    "PREVENTION": N_("prevention"),
    "DIAGNOSTIC": N_("diagnostic"),
    "ECT": N_("ect"),
    "SUPPORTIVE_CARE": N_("supportive care"),
    "SCREENING": N_("screening"),
    "HEALTH_SERVICES_RESEARCH": N_("health services research"),
    "BASIC_SCIENCE": N_("basic science"),
    "DEVICE_FEASIBILITY": N_("device feasibility"),
    "OTHER": N_("other"),
    "EXPERIMENTAL": N_("experimental"),
    "ACTIVE_COMPARATOR": N_("active comparator"),
    "PLACEBO_COMPARATOR": N_("placebo comparator"),
    "SHAM_COMPARATOR": N_("sham comparator"),
    "NO_INTERVENTION": N_("no intervention"),
    "BEHAVIORAL": N_("behavioral"),
    "BIOLOGICAL": N_("biological"),
    "COMBINATION_PRODUCT": N_("combination product"),
    "DEVICE": N_("device"),
    "DIAGNOSTIC_TEST": N_("diagnostic test"),
    "DIETARY_SUPPLEMENT": N_("dietary supplement"),
    "DRUG": N_("drug"),
    "GENETIC": N_("genetic"),
    "PROCEDURE": N_("procedure"),
    "RADIATION": N_("radiation"),
    "ACTUAL": N_("actual"),
    "ESTIMATED": N_("estimated"),
}


#: Where a record comes from, as the catalog names it (the registry's records, staff's
#: curated ones, and a registry record a curated one corrects).
_SOURCES = {
    "ctgov": N_("ctgov"),
    "curated": N_("curated"),
    "ctgov+curated": N_("ctgov+curated"),
}


def source_words(source: object) -> str:
    """A record's source in the interface's language; "not given" when it has none."""
    if not isinstance(source, str) or not source:
        return not_given()
    words = _SOURCES.get(source)
    return _(words) if words else source


def intervention_words(listed: str) -> str:
    """An arm's intervention as the registry lists it ("Drug: Piracetam") with its
    kind in the page's language ("Thuốc: Piracetam"); the name stays the record's."""
    kind, colon, name = listed.partition(": ")
    code = kind.strip().upper().replace(" ", "_")
    if not colon or code not in INTERVENTION_TYPES:
        return listed
    words = label(code)
    return f"{words[:1].upper()}{words[1:]}: {name}"


def label(code: str | None) -> str:
    """A registry code as words, or "not given"."""
    if not code:
        return not_given()
    words = _LABELS.get(code)
    return _(words) if words else code.lower().replace("_", " ")
