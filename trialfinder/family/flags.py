"""Trust flags: what a family should know before trusting a record, from the record alone.

Each flag has a one-line reason (what it means for the family) and the fact
behind it (the dates or words of the record). A flag is raised only when the
record states the facts it rests on: a record that is silent raises none.
Dates are compared generously (a month-only date counts as the month's last
day, so a flag is raised only when it is certain). Pure: pass ``today``.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from trialfinder import localized
from trialfinder.family import plain
from trialfinder.i18n import _
from trialfinder.model import OPEN_STATUSES, Trial

#: The flags in the order they are shown.
CODES = (
    "status_stale",
    "results_overdue",
    "registered_late",
    "fee",
    "no_control",
    "not_randomized",
    "not_masked",
)
STALE_AFTER_DAYS = 365
RESULTS_DUE_DAYS = 365


@dataclass(frozen=True)
class Flag:
    code: str
    title: str
    #: One line: what this means for how far to trust the record or the result.
    reason: str
    #: The fact behind it, from the record.
    fact: str
    #: The record's own words, when the flag rests on them (quoted as written).
    quote: str | None = None


_DATE = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")


def _parts(text: str | None) -> tuple[int, int, int | None] | None:
    match = _DATE.match((text or "").strip())
    if not match:
        return None
    year, month, day = match.groups()
    return int(year), int(month), int(day) if day else None


def _latest_day(text: str | None) -> dt.date | None:
    """The last day a date written ``YYYY-MM`` or ``YYYY-MM-DD`` can mean."""
    parts = _parts(text)
    if parts is None:
        return None
    year, month, day = parts
    try:
        return dt.date(year, month, day or calendar.monthrange(year, month)[1])
    except ValueError:
        return None


def _after(later: str | None, earlier: str | None) -> bool:
    """Whether ``later`` is certainly after ``earlier`` (compared at the coarser precision)."""
    a, b = _parts(later), _parts(earlier)
    if a is None or b is None:
        return False
    if a[2] is None or b[2] is None:
        return a[:2] > b[:2]
    return a > b


def status_stale(trial: Trial, today: dt.date) -> Flag | None:
    if trial.overall_status not in OPEN_STATUSES:
        return None
    dates = trial.dates
    known = [d for d in (_latest_day(dates.status_verified), _latest_day(dates.last_update)) if d]
    if not known or (today - max(known)).days <= STALE_AFTER_DAYS:
        return None
    parts = []
    if dates.status_verified:
        parts.append(
            _("status last verified {date}").format(date=localized.date(dates.status_verified))
        )
    if dates.last_update:
        parts.append(_("record last updated {date}").format(date=localized.date(dates.last_update)))
    return Flag(
        "status_stale",
        _("Status may be out of date"),
        _(
            "The record says the trial is open, but nobody has confirmed or updated it for "
            "over a year: ask the team whether it still takes part."
        ),
        _("Status: {status}; {dates}.").format(
            status=plain.status_words(trial.overall_status), dates="; ".join(parts)
        ),
    )


def results_overdue(trial: Trial, today: dt.date) -> Flag | None:
    completed = _latest_day(trial.dates.completion)
    if trial.overall_status != "COMPLETED" or trial.has_results is not False or not completed:
        return None
    if (today - completed).days <= RESULTS_DUE_DAYS:
        return None
    return Flag(
        "results_overdue",
        _("Results overdue"),
        _(
            "The trial ended more than a year ago and has posted no results: what it found "
            "is not public, so ask the team."
        ),
        _("Completed {date}; no results posted.").format(
            date=localized.date(trial.dates.completion)
        ),
    )


def registered_late(trial: Trial) -> Flag | None:
    dates = trial.dates
    if not _after(dates.first_posted, dates.start):
        return None
    return Flag(
        "registered_late",
        _("Registered after it started"),
        _(
            "The trial was made public only after it began, so its plan could have been "
            "changed after the first results were seen."
        ),
        _("Started {start}; first posted {posted}.").format(
            start=localized.date(dates.start), posted=localized.date(dates.first_posted)
        ),
    )


#: Words that say participants pay, and words that say they do not.
_PAYS = re.compile(
    r"(?ix)\b(?:"
    r"fees?\b|self[- ]?(?:paid|pay|funded|financed)|out[- ]of[- ]pocket|"
    r"at\ (?:their|his|her|the\ patient'?s?|the\ family'?s?|own)\ (?:own\ )?(?:expense|cost)|"
    r"(?:participants?|patients?|famil(?:y|ies)|parents?|subjects?)\ "
    r"(?:will\ |must\ |should\ |need\ to\ |have\ to\ |are\ required\ to\ |may\ )?"
    r"(?:pay|bear|cover)\b|"
    r"(?:charged?|paid|borne|covered)\ by\ (?:the\ )?"
    r"(?:participants?|patients?|famil(?:y|ies)|parents?|subjects?)|"
    r"tự\ chi\ trả|tự\ trả\ (?:phí|tiền)|phải\ trả\ (?:phí|tiền)"
    r")"
)
_FREE = re.compile(
    r"(?i)free of charge|\bno (?:cost|fee|charge)s?\b|at no (?:cost|charge)|"
    r"without (?:cost|charge)|\bfree\b|(?:will|to) be (?:paid|compensated|reimbursed)|"
    r"compensat|reimburs|miễn phí|không mất phí"
)
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")


def _texts(trial: Trial) -> list[str]:
    texts = [
        trial.brief_summary,
        trial.detailed_description,
        trial.plain_summary,
        trial.plain_summary_vi,
        trial.eligibility.criteria,
        trial.notes,
        *(arm.description for arm in trial.arms),
        *(i.description for i in trial.interventions),
    ]
    return [t for t in texts if t]


def fee_sentence(trial: Trial) -> str | None:
    """The first sentence of the record that mentions payment by participants."""
    for text in _texts(trial):
        for sentence in _SENTENCE.split(text):
            sentence = sentence.strip(" \t*-•")
            if sentence and _PAYS.search(sentence) and not _FREE.search(sentence):
                return sentence if len(sentence) <= 300 else sentence[:297] + "..."
    return None


def fee(trial: Trial) -> Flag | None:
    sentence = fee_sentence(trial)
    if sentence is None:
        return None
    return Flag(
        "fee",
        _("A fee may be asked"),
        _(
            "The record's text mentions payment by participants: ask the team what you "
            "would pay, if anything, before agreeing."
        ),
        _("The record says:"),
        quote=sentence,
    )


def _interventional(trial: Trial) -> bool:
    return trial.design.study_type in (None, "INTERVENTIONAL")


def no_control(trial: Trial) -> Flag | None:
    model = trial.design.intervention_model
    single = model == "SINGLE_GROUP" or (model is None and len(trial.arms) == 1)
    if not _interventional(trial) or not single:
        return None
    fact = (
        _("Design: single group.")
        if model == "SINGLE_GROUP"
        else _("The record lists one group: {label}.").format(label=trial.arms[0].label)
    )
    return Flag(
        "no_control",
        _("No control group"),
        _(
            "Everyone gets the treatment and nobody is compared with children who do not: "
            "changes seen may come from growing up, therapy or chance, not the treatment."
        ),
        fact,
    )


def not_randomized(trial: Trial) -> Flag | None:
    if trial.design.allocation != "NON_RANDOMIZED":
        return None
    return Flag(
        "not_randomized",
        _("Not randomized"),
        _(
            "The groups are not decided by chance, so they may differ in other ways, and a "
            "difference in results is weaker evidence that the treatment works."
        ),
        _("Allocation: not randomized."),
    )


def not_masked(trial: Trial) -> Flag | None:
    if not _interventional(trial) or trial.design.masking != "NONE":
        return None
    return Flag(
        "not_masked",
        _("Not masked"),
        _(
            "Everyone knows who gets the treatment; hopes and expectations can colour how "
            "children are treated and how results are judged."
        ),
        _("Masking: none (open label)."),
    )


def trust_flags(trial: Trial, today: dt.date | None = None) -> list[Flag]:
    """Every flag the record raises, in :data:`CODES` order."""
    today = today or dt.date.today()
    found = [
        status_stale(trial, today),
        results_overdue(trial, today),
        registered_late(trial),
        fee(trial),
        no_control(trial),
        not_randomized(trial),
        not_masked(trial),
    ]
    return [flag for flag in found if flag is not None]
