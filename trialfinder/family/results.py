"""What earlier trials found: posted results, side effects and publications, as a family reads them.

Everything here is taken from the record as it stands: each figure is the
registry's (a value measured is shown as written, "80.27" stays "80.27"), a
count always comes with the number it is out of ("3 of 54"), and nothing is
worked out that the record does not state: no percentages, no p-values, no
totals across groups. Titles, units and time frames are the registry's words
(English), and the page marks them as such. Pure: no Streamlit.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pandas as pd

from trialfinder import localized
from trialfinder.catalog import Catalog
from trialfinder.family import plain
from trialfinder.family.flags import Flag, results_overdue
from trialfinder.i18n import N_, _, ngettext
from trialfinder.model import (
    AdverseEvent,
    EventGroup,
    GroupCount,
    Measurement,
    OutcomeResult,
    ParticipantFlow,
    Reference,
    ResultGroup,
    Trial,
)

PUBMED_URL = "https://pubmed.ncbi.nlm.nih.gov/{pmid}/"
#: How many serious side effects the trial page lists (the most frequent first).
TOP_SERIOUS = 5

#: What the record says about its results.
POSTED = "posted"
NOT_POSTED = "not_posted"
#: The record says results are posted, but the copy here does not carry them.
POSTED_NOT_HERE = "posted_not_here"
UNKNOWN = "unknown"

_PARAM_WORDS = {
    "MEAN": N_("average (mean)"),
    "MEDIAN": N_("middle value (median)"),
    "LEAST_SQUARES_MEAN": N_("adjusted average (least squares mean)"),
    "GEOMETRIC_MEAN": N_("geometric mean"),
    "GEOMETRIC_LEAST_SQUARES_MEAN": N_("adjusted geometric mean"),
    "LOG_MEAN": N_("log mean"),
    "COUNT_OF_PARTICIPANTS": N_("number of participants"),
    "COUNT_OF_UNITS": N_("number counted"),
    "NUMBER": N_("number"),
}

_REFERENCE_WORDS = {
    "RESULT": N_("Reports this trial's results"),
    "BACKGROUND": N_("Background reading"),
    "DERIVED": N_("Linked by the registry"),
}

_PMID = re.compile(r"^\d{1,9}$")


# ---------------------------------------------------------------- the parts


@dataclass(frozen=True)
class FlowFigures:
    """One group of the participant flow: how many started and completed, as stated."""

    group: str
    started: int | None
    completed: int | None


@dataclass(frozen=True)
class SeriousFigures:
    """One group of the adverse-events module."""

    group: str
    affected: int | None
    at_risk: int | None
    deaths: int | None = None
    deaths_at_risk: int | None = None

    @property
    def charted(self) -> bool:
        """A bar is drawn only where both numbers are given."""
        return self.affected is not None and self.at_risk is not None


@dataclass(frozen=True)
class EventFigures:
    """One serious side effect and, per group, how many had it of how many."""

    term: str
    organ_system: str | None
    groups: tuple[SeriousFigures, ...]


@dataclass(frozen=True)
class OutcomeFigure:
    group: str
    category: str | None
    value: str | None
    spread: str | None
    lower: str | None
    upper: str | None
    analysed: int | None


@dataclass(frozen=True)
class OutcomeFigures:
    title: str
    unit: str | None
    time_frame: str | None
    param_type: str | None
    dispersion_type: str | None
    analysed_units: str | None
    figures: tuple[OutcomeFigure, ...]


@dataclass(frozen=True)
class Publication:
    citation: str | None
    pmid: str | None
    kind: str | None

    @property
    def url(self) -> str | None:
        """The PubMed page, for an id that is a PubMed id (digits) and nothing else."""
        return PUBMED_URL.format(pmid=self.pmid) if self.pmid and _PMID.match(self.pmid) else None


@dataclass(frozen=True)
class TrialResults:
    """What one trial's record says it found."""

    trial_id: str
    state: str
    overdue: Flag | None
    flow: tuple[FlowFigures, ...]
    serious: tuple[SeriousFigures, ...]
    events_time_frame: str | None
    top_serious: tuple[EventFigures, ...]
    serious_listed: int
    primary: tuple[OutcomeFigures, ...]
    publications: tuple[Publication, ...]


# ---------------------------------------------------------------- reading


def _title(groups: Sequence[ResultGroup], group_id: str) -> str:
    for group in groups:
        if group.id == group_id:
            return group.title or group_id
    return group_id


def _count_of(counts: Iterable[GroupCount], group_id: str) -> int | None:
    return next((c.count for c in counts if c.group_id == group_id), None)


def _flow(flow: ParticipantFlow | None) -> tuple[FlowFigures, ...]:
    """STARTED of the first period and COMPLETED of the last, per group, as stated."""
    if flow is None:
        return ()
    periods = list(dict.fromkeys(m.period for m in flow.milestones))
    if not periods:
        return ()

    def step(kind: str, period: str | None) -> tuple[GroupCount, ...]:
        for milestone in flow.milestones:
            if milestone.period == period and milestone.type.upper() == kind:
                return milestone.counts
        return ()

    started, completed = step("STARTED", periods[0]), step("COMPLETED", periods[-1])
    return tuple(
        FlowFigures(
            group=group.title or group.id,
            started=_count_of(started, group.id),
            completed=_count_of(completed, group.id),
        )
        for group in flow.groups
    )


def _serious(group: EventGroup) -> SeriousFigures:
    return SeriousFigures(
        group=group.title or group.id,
        affected=group.serious_affected,
        at_risk=group.serious_at_risk,
        deaths=group.deaths_affected,
        deaths_at_risk=group.deaths_at_risk,
    )


def _most_frequent(
    events: Sequence[AdverseEvent], groups: Sequence[EventGroup], top: int
) -> tuple[EventFigures, ...]:
    """The serious events most people had (ordered by the largest count in any group)."""
    titles = [ResultGroup(g.id, g.title) for g in groups]

    def largest(event: AdverseEvent) -> int:
        return max((c.affected or 0 for c in event.counts), default=0)

    ranked = sorted(events, key=largest, reverse=True)
    return tuple(
        EventFigures(
            term=event.term,
            organ_system=event.organ_system,
            groups=tuple(
                SeriousFigures(_title(titles, c.group_id), c.affected, c.at_risk)
                for c in event.counts
            ),
        )
        for event in ranked[:top]
        if largest(event) > 0
    )


def _outcome(outcome: OutcomeResult) -> OutcomeFigures:
    return OutcomeFigures(
        title=outcome.title,
        unit=outcome.unit,
        time_frame=outcome.time_frame,
        param_type=outcome.param_type,
        dispersion_type=outcome.dispersion_type,
        analysed_units=outcome.denom_units,
        figures=tuple(_figure(outcome, m) for m in outcome.measurements),
    )


def _figure(outcome: OutcomeResult, m: Measurement) -> OutcomeFigure:
    return OutcomeFigure(
        group=_title(outcome.groups, m.group_id),
        category=m.category,
        value=m.value,
        spread=m.spread,
        lower=m.lower,
        upper=m.upper,
        analysed=_count_of(outcome.denoms, m.group_id),
    )


def publications(references: Sequence[Reference] | None) -> tuple[Publication, ...]:
    """The listed papers, this trial's own results first, as written."""
    order = {"RESULT": 0, "DERIVED": 1, "BACKGROUND": 2}
    listed = sorted(references or (), key=lambda r: order.get(r.type or "", 3))
    return tuple(Publication(r.citation, r.pmid, r.type) for r in listed)


def state_of(trial: Trial) -> str:
    if trial.results is not None:
        return POSTED
    if trial.has_results is True:
        return POSTED_NOT_HERE
    if trial.has_results is False:
        return NOT_POSTED
    return UNKNOWN


def trial_results(
    trial: Trial, today: dt.date | None = None, top: int = TOP_SERIOUS
) -> TrialResults:
    """What a family reads about one trial's results; ``today`` dates the overdue flag."""
    found = trial.results
    events = found.adverse_events if found else None
    return TrialResults(
        trial_id=trial.id,
        state=state_of(trial),
        overdue=results_overdue(trial, today or dt.date.today()),
        flow=_flow(found.flow if found else None),
        serious=tuple(_serious(g) for g in events.groups) if events else (),
        events_time_frame=events.time_frame if events else None,
        top_serious=_most_frequent(events.serious, events.groups, top) if events else (),
        serious_listed=len(events.serious) if events else 0,
        primary=tuple(
            _outcome(o) for o in (found.outcomes if found else ()) if o.type == "PRIMARY"
        ),
        publications=publications(trial.references),
    )


# ---------------------------------------------------------------- in words


def state_words(state: str) -> str:
    return {
        POSTED: _("Results posted"),
        NOT_POSTED: _("No results posted"),
        POSTED_NOT_HERE: _(
            "Results posted on the registry, but not in the copy here: open the registry record"
        ),
        UNKNOWN: _("The record does not say whether results are posted"),
    }[state]


def count_text(number: int | None) -> str:
    return plain.not_given() if number is None else localized.count(number)


def of_text(affected: int | None, at_risk: int | None) -> str:
    """ "3 of 54" in a cell; says which number the record leaves out."""
    if affected is None and at_risk is None:
        return plain.not_given()
    if at_risk is None:
        return _("{n} (of a total not given)").format(n=count_text(affected))
    if affected is None:
        return _("not given (of {total})").format(total=count_text(at_risk))
    return _("{n} of {total}").format(n=count_text(affected), total=count_text(at_risk))


def flow_line(figures: FlowFigures) -> str:
    return _("{group}: {started} started, {completed} completed").format(
        group=figures.group,
        started=count_text(figures.started),
        completed=count_text(figures.completed),
    )


def serious_line(figures: SeriousFigures) -> str:
    """A whole sentence for each number the record leaves out: a safety fact never
    reads as "none" or "some" when the record is silent."""
    n, total = figures.affected, figures.at_risk
    if n is None and total is None:
        words = _("{group}: the record does not say how many had a serious side effect")
    elif n is None:
        words = _("{group}: the record does not say how many of {total} had a serious side effect")
    elif total is None:
        words = _("{group}: {n} had a serious side effect; the record does not say of how many")
    else:
        words = _("{group}: {n} of {total} had a serious side effect")
    return words.format(group=figures.group, n=count_text(n), total=count_text(total))


def deaths_line(figures: SeriousFigures) -> str | None:
    if figures.deaths is None:
        return None
    n, total = figures.deaths, figures.deaths_at_risk
    if total is None:
        words = _("{group}: {n} died; the record does not say of how many")
    else:
        words = _("{group}: {n} of {total} died")
    return words.format(group=figures.group, n=count_text(n), total=count_text(total))


def event_line(event: EventFigures) -> str:
    per_group = "; ".join(f"{g.group}: {of_text(g.affected, g.at_risk)}" for g in event.groups)
    return f"{event.term} ({per_group})"


def param_words(code: str | None) -> str | None:
    if not code:
        return None
    words = _PARAM_WORDS.get(code)
    return _(words) if words else code.lower().replace("_", " ")


def outcome_heading(outcome: OutcomeFigures) -> str:
    parts = [outcome.title]
    if outcome.unit:
        parts.append(_("unit: {unit}").format(unit=outcome.unit))
    if outcome.time_frame:
        parts.append(_("time frame: {when}").format(when=outcome.time_frame))
    kind = param_words(outcome.param_type)
    if kind:
        parts.append(_("shown as: {kind}").format(kind=kind))
    return " · ".join(parts)


def figure_line(outcome: OutcomeFigures, figure: OutcomeFigure) -> str:
    value = figure.value if figure.value is not None else plain.not_given()
    if outcome.unit and figure.value is not None:
        value = f"{value} {outcome.unit}"
    extra = []
    if figure.spread is not None:
        extra.append(
            _("spread {spread} ({kind})").format(
                spread=figure.spread, kind=outcome.dispersion_type or plain.not_given()
            )
        )
    if figure.lower is not None or figure.upper is not None:
        extra.append(
            _("from {low} to {high} ({kind})").format(
                low=figure.lower if figure.lower is not None else plain.not_given(),
                high=figure.upper if figure.upper is not None else plain.not_given(),
                kind=outcome.dispersion_type or plain.not_given(),
            )
        )
    if figure.analysed is not None:
        extra.append(
            _("{n} {units} analysed").format(n=figure.analysed, units=outcome.analysed_units)
            if outcome.analysed_units
            else _("{n} analysed").format(n=figure.analysed)
        )
    who = figure.group + (f" — {figure.category}" if figure.category else "")
    tail = f" ({'; '.join(extra)})" if extra else ""
    return f"{who}: {value}{tail}"


def publication_kind(kind: str | None) -> str:
    words = _REFERENCE_WORDS.get(kind or "")
    return _(words) if words else _("Kind not stated")


def lines(found: TrialResults) -> list[str]:
    """Every line the trial page shows about the results, in order (the page draws
    these, and the honest-figures test reads them)."""
    out = [state_words(found.state)]
    if found.overdue is not None:
        out.append(f"{found.overdue.title}: {found.overdue.reason} ({found.overdue.fact})")
    out.extend(flow_line(f) for f in found.flow)
    out.extend(serious_line(f) for f in found.serious)
    out.extend(d for d in (deaths_line(f) for f in found.serious) if d)
    out.extend(event_line(e) for e in found.top_serious)
    for outcome in found.primary:
        out.append(outcome_heading(outcome))
        out.extend(figure_line(outcome, f) for f in outcome.figures)
    for paper in found.publications:
        out.append(
            f"{publication_kind(paper.kind)}: {paper.citation or plain.not_given()}"
            + (f" PMID {paper.pmid}" if paper.pmid else "")
        )
    return out


# ---------------------------------------------------------------- across trials


@dataclass(frozen=True)
class AcrossRow:
    """One trial of a treatment or sponsor, in a line each."""

    trial_id: str
    title: str
    state: str
    results: str
    participants: str
    serious: str
    serious_groups: tuple[SeriousFigures, ...]
    publications: tuple[Publication, ...]

    @property
    def anything_to_read(self) -> bool:
        """Results posted, or papers listed: worth a card of its own."""
        return self.state == POSTED or bool(self.publications)


def across(trials: Sequence[Trial], today: dt.date | None = None) -> tuple[AcrossRow, ...]:
    """Which trials of one treatment or sponsor posted results, who took part,
    serious side effects per group, and their papers; trials with results first."""
    rows = []
    for trial in trials:
        found = trial_results(trial, today)
        rows.append(
            AcrossRow(
                trial_id=trial.id,
                title=trial.title,
                state=found.state,
                results=state_words(found.state),
                participants=participants_text(found),
                serious=serious_text(found),
                serious_groups=found.serious,
                publications=found.publications,
            )
        )
    rows.sort(key=lambda r: r.state != POSTED)
    return tuple(rows)


#: How many trials of a treatment or sponsor the results view reads, records with results first.
ACROSS_LIMIT = 40


@dataclass(frozen=True)
class Across:
    rows: tuple[AcrossRow, ...]
    #: Trials of the view not read (beyond :data:`ACROSS_LIMIT`).
    left_out: int


def across_view(
    catalog: Catalog, found: pd.DataFrame, today: dt.date | None = None, limit: int = ACROSS_LIMIT
) -> Across:
    """:func:`across` for the trials a view found (the finder's results table): those
    saying they posted results first, then the rest, up to ``limit`` records read."""
    posted = found["has_results"].fillna(False).astype(bool).to_numpy()
    ids = [*found["id"][posted].tolist(), *found["id"][~posted].tolist()]
    trials = [t for t in (catalog.trial(i) for i in ids[:limit]) if t is not None]
    return Across(across(trials, today), max(len(ids) - limit, 0))


def participants_text(found: TrialResults) -> str:
    if not found.flow:
        return _("not given")
    return "; ".join(
        _("{group}: {n} started").format(group=f.group, n=count_text(f.started)) for f in found.flow
    )


def serious_text(found: TrialResults) -> str:
    if not found.serious:
        return _("not given")
    return "; ".join(f"{f.group}: {of_text(f.affected, f.at_risk)}" for f in found.serious)


def publications_text(papers: Sequence[Publication]) -> str:
    if not papers:
        return _("none listed")
    linked = [p.url for p in papers if p.url]
    count = ngettext("{n} publication", "{n} publications", len(papers)).format(n=len(papers))
    return count + (": " + " ".join(linked) if linked else "")


def compare_rows(
    trials: Sequence[Trial], today: dt.date | None = None
) -> list[tuple[str, list[str], str | None]]:
    """The comparison's rows on results: (label, one value a trial, explanation)."""
    found = [trial_results(t, today) for t in trials]
    return [
        (_("Results"), [state_words(f.state) for f in found], None),
        (_("Took part (started)"), [participants_text(f) for f in found], None),
        (
            _("Serious side effects"),
            [serious_text(f) for f in found],
            _("Per group: how many had at least one serious side effect, of how many."),
        ),
        (_("Publications"), [publications_text(f.publications) for f in found], None),
    ]
