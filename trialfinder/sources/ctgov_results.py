"""ClinicalTrials.gov API v2: the posted results and the listed publications.

Read from a study's ``resultsSection`` and ``protocolSection.referencesModule``
into :class:`~trialfinder.model.Results` and :class:`~trialfinder.model.Reference`.
Figures stay as the registry writes them; counts of people become whole
numbers (a count written as something else, such as "NA", is not stated: None).
A value of the wrong JSON type raises TypeError or ValueError, which the
caller turns into a problem naming the file, the record and the field.
"""

from __future__ import annotations

from typing import Any

from trialfinder.model import (
    REFERENCE_TYPES,
    AdverseEvent,
    AdverseEvents,
    Analysis,
    Baseline,
    BaselineMeasure,
    EventCount,
    EventGroup,
    FlowMilestone,
    GroupCount,
    Measurement,
    OutcomeResult,
    ParticipantFlow,
    Reference,
    ResultGroup,
    Results,
)

#: The denominator units that count people, preferred when a measure gives several.
_PEOPLE = "Participants"


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if value.__class__ is not str:
        raise TypeError(f"expected text, found {value!r:.60}")
    return value.strip() or None


def _list(value: Any) -> list:
    if value is None:
        return []
    if value.__class__ is not list:
        raise TypeError(f"expected a list, found {value!r:.60}")
    return value


def _count(value: Any) -> int | None:
    """A count of people: an integer, or the text of one ("94"); anything else is not stated."""
    if value is None:
        return None
    if value.__class__ is int:
        return value
    if value.__class__ is str:
        text = value.strip()
        return int(text) if text.isascii() and text.isdigit() else None
    raise TypeError(f"expected a count, found {value!r:.60}")


def _groups(items: Any) -> tuple[ResultGroup, ...]:
    out = []
    for item in _list(items):
        group_id = _text(item.get("id"))
        if group_id is not None:
            out.append(
                ResultGroup(
                    id=group_id,
                    title=_text(item.get("title")),
                    description=_text(item.get("description")),
                )
            )
    return tuple(out)


def _group_counts(items: Any, key: str) -> tuple[GroupCount, ...]:
    out = []
    for item in _list(items):
        group_id = _text(item.get("groupId"))
        if group_id is not None:
            out.append(GroupCount(group_id=group_id, count=_count(item.get(key))))
    return tuple(out)


def _denom(denoms: Any) -> tuple[str | None, tuple[GroupCount, ...]]:
    """The denominator that counts people (else the first one) and its units."""
    items = _list(denoms)
    if not items:
        return None, ()
    chosen = next((d for d in items if _text(d.get("units")) == _PEOPLE), items[0])
    return _text(chosen.get("units")), _group_counts(chosen.get("counts"), "value")


def _flow(m: dict) -> ParticipantFlow:
    milestones = []
    for period in _list(m.get("periods")):
        title = _text(period.get("title"))
        for milestone in _list(period.get("milestones")):
            kind = _text(milestone.get("type"))
            if kind is not None:
                milestones.append(
                    FlowMilestone(
                        type=kind,
                        period=title,
                        counts=_group_counts(milestone.get("achievements"), "numSubjects"),
                    )
                )
    return ParticipantFlow(
        groups=_groups(m.get("groups")),
        milestones=tuple(milestones),
        recruitment_details=_text(m.get("recruitmentDetails")),
    )


def _measurements(classes: Any) -> tuple[Measurement, ...]:
    out = []
    for klass in _list(classes):
        class_title = _text(klass.get("title"))
        for category in _list(klass.get("categories")):
            category_title = _text(category.get("title"))
            label = " — ".join(t for t in (class_title, category_title) if t) or None
            for item in _list(category.get("measurements")):
                group_id = _text(item.get("groupId"))
                if group_id is None:
                    continue
                out.append(
                    Measurement(
                        group_id=group_id,
                        value=_text(item.get("value")),
                        spread=_text(item.get("spread")),
                        lower=_text(item.get("lowerLimit")),
                        upper=_text(item.get("upperLimit")),
                        category=label,
                    )
                )
    return tuple(out)


def _baseline(m: dict) -> Baseline:
    units, counts = _denom(m.get("denoms"))
    measures = []
    for item in _list(m.get("measures")):
        title = _text(item.get("title"))
        if title is None:
            continue
        measures.append(
            BaselineMeasure(
                title=title,
                param_type=_text(item.get("paramType")),
                dispersion_type=_text(item.get("dispersionType")),
                unit=_text(item.get("unitOfMeasure")),
                measurements=_measurements(item.get("classes")),
            )
        )
    return Baseline(
        groups=_groups(m.get("groups")),
        denom_units=units,
        counts=counts,
        measures=tuple(measures),
    )


def _analyses(items: Any) -> tuple[Analysis, ...]:
    return tuple(
        Analysis(
            group_ids=tuple(t for t in map(_text, _list(a.get("groupIds"))) if t),
            method=_text(a.get("statisticalMethod")),
            p_value=_text(a.get("pValue")),
            param_type=_text(a.get("paramType")),
            param_value=_text(a.get("paramValue")),
            ci_percent=_text(a.get("ciPctValue")),
            ci_lower=_text(a.get("ciLowerLimit")),
            ci_upper=_text(a.get("ciUpperLimit")),
            description=_text(a.get("groupDescription")),
        )
        for a in _list(items)
    )


def _outcomes(m: dict) -> tuple[OutcomeResult, ...]:
    out = []
    for item in _list(m.get("outcomeMeasures")):
        title = _text(item.get("title"))
        if title is None:
            continue
        units, denoms = _denom(item.get("denoms"))
        out.append(
            OutcomeResult(
                title=title,
                type=_text(item.get("type")),
                description=_text(item.get("description")),
                population=_text(item.get("populationDescription")),
                time_frame=_text(item.get("timeFrame")),
                param_type=_text(item.get("paramType")),
                dispersion_type=_text(item.get("dispersionType")),
                unit=_text(item.get("unitOfMeasure")),
                groups=_groups(item.get("groups")),
                denom_units=units,
                denoms=denoms,
                measurements=_measurements(item.get("classes")),
                analyses=_analyses(item.get("analyses")),
            )
        )
    return tuple(out)


def _events(items: Any) -> tuple[AdverseEvent, ...]:
    out = []
    for item in _list(items):
        term = _text(item.get("term"))
        if term is None:
            continue
        counts = []
        for stat in _list(item.get("stats")):
            group_id = _text(stat.get("groupId"))
            if group_id is not None:
                counts.append(
                    EventCount(
                        group_id=group_id,
                        affected=_count(stat.get("numAffected")),
                        at_risk=_count(stat.get("numAtRisk")),
                        events=_count(stat.get("numEvents")),
                    )
                )
        out.append(
            AdverseEvent(
                term=term,
                organ_system=_text(item.get("organSystem")),
                assessment=_text(item.get("assessmentType")),
                counts=tuple(counts),
            )
        )
    return tuple(out)


def _adverse_events(m: dict) -> AdverseEvents:
    groups = []
    for item in _list(m.get("eventGroups")):
        group_id = _text(item.get("id"))
        if group_id is None:
            continue
        groups.append(
            EventGroup(
                id=group_id,
                title=_text(item.get("title")),
                description=_text(item.get("description")),
                serious_affected=_count(item.get("seriousNumAffected")),
                serious_at_risk=_count(item.get("seriousNumAtRisk")),
                other_affected=_count(item.get("otherNumAffected")),
                other_at_risk=_count(item.get("otherNumAtRisk")),
                deaths_affected=_count(item.get("deathsNumAffected")),
                deaths_at_risk=_count(item.get("deathsNumAtRisk")),
            )
        )
    return AdverseEvents(
        time_frame=_text(m.get("timeFrame")),
        description=_text(m.get("description")),
        frequency_threshold=_text(m.get("frequencyThreshold")),
        groups=tuple(groups),
        serious=_events(m.get("seriousEvents")),
        other=_events(m.get("otherEvents")),
    )


def read_results(section: Any) -> Results | None:
    """A study's ``resultsSection`` -> Results; None when it holds none of the four modules."""
    if section is None:
        return None
    if section.__class__ is not dict:
        raise TypeError(f"expected an object, found {section!r:.60}")
    flow = section.get("participantFlowModule")
    baseline = section.get("baselineCharacteristicsModule")
    outcomes = section.get("outcomeMeasuresModule")
    events = section.get("adverseEventsModule")
    if flow is None and baseline is None and outcomes is None and events is None:
        return None
    return Results(
        flow=None if flow is None else _flow(flow),
        baseline=None if baseline is None else _baseline(baseline),
        outcomes=() if outcomes is None else _outcomes(outcomes),
        adverse_events=None if events is None else _adverse_events(events),
    )


def read_references(module: Any) -> tuple[Reference, ...] | None:
    """``referencesModule.references`` -> References; None when it lists none."""
    if module is None:
        return None
    out = []
    for number, item in enumerate(_list(module.get("references")), start=1):
        kind = _text(item.get("type"))
        if kind is not None and kind not in REFERENCE_TYPES:
            raise ValueError(
                f"reference {number} type {kind!r} is not a registry value; expected one of "
                + ", ".join(REFERENCE_TYPES)
            )
        pmid = _text(item.get("pmid"))
        citation = _text(item.get("citation"))
        if pmid is None and citation is None:
            continue
        out.append(Reference(citation=citation, pmid=pmid, type=kind))
    return tuple(out) or None
