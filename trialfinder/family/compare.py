"""Two to four trials side by side: rows grouped so the eye runs across.

Everything here is plain text built from the records; a fact a record does
not state reads "not given". Outcomes that measure the same thing (GMFM-88 in
one trial, "gross motor function" in another) stand on one row.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from trialfinder import geo, localized
from trialfinder.family import plain, results
from trialfinder.family.distance import distance_words
from trialfinder.family.flags import trust_flags
from trialfinder.family.placenames import city_name, place_words, site_place
from trialfinder.i18n import N_, _, language, ngettext
from trialfinder.model import Arm, Outcome, Trial

MIN_TRIALS = 2
MAX_TRIALS = 4
#: How many ids a note names before it counts the rest.
NAMED_IDS = 5
CRITERIA_CHARS = 400
NONE = "—"

#: Outcome measures that are the same thing under different wording.
_OUTCOME_CONCEPTS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern, re.IGNORECASE))
    for name, pattern in (
        (
            N_("Gross motor function (GMFM)"),
            r"\bgmfm\b|gross motor function(?! classification)|gross motor skill",
        ),
        (
            N_("Gross motor function level (GMFCS)"),
            r"\bgmfcs\b|gross motor function classification",
        ),
        (N_("Safety: adverse events"), r"adverse event|\bs?aes?\b|\bsafety\b"),
        (N_("Muscle tone (Modified Ashworth Scale)"), r"ashworth|muscle tone|spasticity"),
        (N_("Hand function (MACS)"), r"\b(mini-)?macs\b|hand (motor )?function|manual ability"),
    )
)

_CONTROL_BY_ARM_TYPE = {
    "NO_INTERVENTION": N_("nothing (no intervention)"),
    "PLACEBO_COMPARATOR": N_("a placebo"),
    "SHAM_COMPARATOR": N_("a sham (pretend) procedure"),
    "ACTIVE_COMPARATOR": N_("another treatment (active comparator)"),
}


#: The kinds of group (arm) a record names, in plain words.
ARM_TYPES_EXPLAINED = {
    "EXPERIMENTAL": N_("Experimental: this group gets the treatment being tested."),
    "ACTIVE_COMPARATOR": N_(
        "Active comparator: this group gets a known treatment, to compare with."
    ),
    "PLACEBO_COMPARATOR": N_(
        "Placebo comparator: this group gets a dummy treatment that looks the same but does "
        "nothing."
    ),
    "SHAM_COMPARATOR": N_(
        "Sham comparator: this group gets a pretend procedure, so nobody can tell the groups apart."
    ),
    "NO_INTERVENTION": N_("No intervention: this group gets no study treatment."),
    "OTHER": N_("Other: a group of another kind; its description says what it gets."),
}


@dataclass(frozen=True)
class Row:
    group: str
    label: str
    values: tuple[str, ...]
    explain: str | None = None

    @property
    def differs(self) -> bool:
        return len(set(self.values)) > 1


@dataclass(frozen=True)
class Comparison:
    trials: tuple[Trial, ...]
    rows: tuple[Row, ...]

    def groups(self) -> list[str]:
        return list(dict.fromkeys(r.group for r in self.rows))

    def to_frame(self) -> pd.DataFrame:
        """One row a fact, one column a trial (what the CSV download holds)."""
        columns = ["group", "row", "differs", *[t.id for t in self.trials]]
        records = [[r.group, r.label, r.differs, *r.values] for r in self.rows]
        return pd.DataFrame(records, columns=columns)


@dataclass(frozen=True)
class PickedIds:
    ids: tuple[str, ...]
    notes: tuple[str, ...] = ()


def _some(ids: list[str]) -> str:
    """A few ids by name and the rest counted: a link can carry any number of them."""
    more = len(ids) - NAMED_IDS
    rest = " " + _("and {n} more").format(n=more) if more > 0 else ""
    return ", ".join(ids[:NAMED_IDS]) + rest


#: How long a menu entry may be (a long title is cut).
MENU_LABEL_CHARS = 140


def menu_label(trial_id: str, title: str | None) -> str:
    """A trial as the compare page's menu offers it: "NCT07527104: its title"."""
    return f"{trial_id}: {title or ''}"[:MENU_LABEL_CHARS]


def chosen_id(choice: object, find: Callable[[str], str | None]) -> str | None:
    """The id of the trial a menu choice names: an entry of the menu
    (:func:`menu_label`), or an id typed in ("nct07527104"); None when no trial has it.
    ``find`` looks an id up (``Catalog.find_id``)."""
    if not choice:
        return None
    return find(str(choice).split(":", 1)[0].strip())


def with_added(ids: Iterable[str], added: str) -> list[str]:
    """The trials compared once ``added`` joins them: each once, at most :data:`MAX_TRIALS`."""
    ids = list(ids)
    return ids if added in ids else [*ids, added][:MAX_TRIALS]


def pick_ids(
    requested: Iterable[str], known: Iterable[str] | Callable[[str], str | None]
) -> PickedIds:
    """The trials to compare, and a sentence for everything done with the request.

    ``known``: the ids there are (matched whatever their case), or a lookup from
    what was asked to the id it names (``Catalog.find_id``: no list of the whole
    registry's ids on every run).
    """
    if callable(known):
        find = known
    else:
        by_folded = {k.casefold(): k for k in known}

        def find(wanted: str) -> str | None:
            return by_folded.get(wanted.casefold())

    ids: list[str] = []
    notes: list[str] = []
    unknown: list[str] = []
    repeated: list[str] = []
    for raw in requested:
        for part in str(raw).split(","):
            wanted = part.strip()
            if not wanted:
                continue
            found = find(wanted)
            if found is None:
                unknown.append(wanted[:40])
            elif found in ids:
                repeated.append(found)
            else:
                ids.append(found)
    if unknown:
        notes.append(_("No trial has the id {ids}; left out.").format(ids=_some(unknown)))
    if repeated:
        twice = list(dict.fromkeys(repeated))
        notes.append(
            ngettext(
                "{ids} was listed more than once; shown once.",
                "{ids} were listed more than once; shown once.",
                len(twice),
            ).format(ids=_some(twice))
        )
    if len(ids) > MAX_TRIALS:
        notes.append(
            _("At most {n} trials can stand side by side; left out: {ids}.").format(
                n=MAX_TRIALS, ids=_some(ids[MAX_TRIALS:])
            )
        )
        ids = ids[:MAX_TRIALS]
    if len(ids) < MIN_TRIALS:
        notes.append(_("Choose at least two trials to compare them."))
    return PickedIds(tuple(ids), tuple(notes))


def outcome_key(measure: str) -> str:
    for name, pattern in _OUTCOME_CONCEPTS:
        if pattern.search(measure):
            return name
    return re.sub(r"\s+", " ", measure).strip().rstrip(".")


def _arm_label(arm: Arm) -> str:
    """An arm's name in the page's language when a curator wrote one."""
    return (arm.label_vi if language() == "vi" else None) or arm.label


def control_group(trial: Trial) -> str:
    """What the comparison group gets, only as far as the record says (a curator's
    words in the page's language when written)."""
    if trial.control_group:
        return trial.text_in("control_group", language()) or trial.control_group
    if trial.design.intervention_model == "SINGLE_GROUP" or len(trial.arms) == 1:
        return _("no control group: everyone gets the treatment")
    named = [
        f"{_(_CONTROL_BY_ARM_TYPE[a.type])} ({_arm_label(a)})"
        for a in trial.arms
        if a.type in _CONTROL_BY_ARM_TYPE
    ]
    return "; ".join(named) if named else _("not stated")


def _explain(field: str, codes: Iterable[str | None]) -> str | None:
    """The plain-language explanations of the design terms a row shows."""
    found = [plain.explain(field, c) for c in dict.fromkeys(codes) if c]
    return " ".join(f for f in found if f) or None


def _or_not_given(value: object) -> str:
    return plain.not_given() if value is None or value == "" else str(value)


def _arm_text(trial: Trial, index: int) -> str:
    if index >= len(trial.arms):
        return NONE
    arm = trial.arms[index]
    vi = language() == "vi"
    kind = plain.label(arm.type) if arm.type else _("type not given")
    parts = [f"{_arm_label(arm)} ({kind})"]
    described = (arm.description_vi if vi else None) or arm.description
    if described:
        parts.append(described)
    if arm.interventions:
        what = "; ".join(plain.intervention_words(i) for i in arm.interventions)
        parts.append(_("Receives: {what}").format(what=what))
    return "\n".join(parts)


def _outcome_rows(trials: Sequence[Trial]) -> list[Row]:
    rows: list[Row] = []
    kind_words = {"primary": _("primary"), "secondary": _("secondary")}
    for kind, attribute in (("primary", "primary_outcomes"), ("secondary", "secondary_outcomes")):
        keyed: dict[str, list[list[Outcome]]] = {}
        for i, trial in enumerate(trials):
            for outcome in getattr(trial, attribute):
                cells = keyed.setdefault(outcome_key(outcome.measure), [[] for _ in trials])
                cells[i].append(outcome)
        for key, cells in keyed.items():
            values = tuple(
                "\n".join(
                    o.measure
                    + (
                        " " + _("(time frame: {when})").format(when=o.time_frame)
                        if o.time_frame
                        else ""
                    )
                    for o in outcomes
                )
                or NONE
                for outcomes in cells
            )
            rows.append(Row(_("Outcomes"), f"{_(key)} ({kind_words[kind]})", values))
    return rows


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _nearest(trial_id: str, sites: pd.DataFrame, place: geo.Place) -> str:
    own = sites.loc[(sites["trial_id"] == trial_id) & sites["lat"].notna()]
    if own.empty:
        return _("no site with a known place")
    distances = geo.distance_km(place.lat, place.lon, own["lat"].to_numpy(), own["lon"].to_numpy())
    best = own.iloc[int(np.argmin(distances))]
    where = site_place(*(_text(best.get(k)) for k in ("facility", "city", "state", "country")))
    # A site placed at its city's centre is not "0 km" from a family in that city.
    how_far = distance_words(float(distances.min()), bool(best["approximate"]))
    return f"{where}: {how_far}"


def flags_text(trial: Trial, today: dt.date | None = None) -> str:
    """The trust flags of one trial as lines of text (or that the record raises none)."""
    lines = []
    for flag in trust_flags(trial, today):
        quote = f" “{flag.quote}”" if flag.quote else ""
        lines.append(f"⚑ {flag.title}: {flag.reason} ({flag.fact}{quote})")
    return "\n".join(lines) or _("none raised by the record")


def _short(*texts: str | None) -> str | None:
    """The first text given, cut to :data:`CRITERIA_CHARS`."""
    text = next((t for t in texts if t), None)
    if text is None:
        return None
    return text[:CRITERIA_CHARS] + ("..." if len(text) > CRITERIA_CHARS else "")


def compare(
    trials: Sequence[Trial],
    sites: pd.DataFrame | None = None,
    place: geo.Place | None = None,
    today: dt.date | None = None,
) -> Comparison:
    """The comparison table. ``sites`` (the catalog's table) and ``place`` add
    the nearest site to the place set in the filters; ``today`` dates the trust flags."""

    def row(group: str, label: str, values: Iterable[object], explain: str | None = None) -> Row:
        return Row(group, label, tuple(_or_not_given(v) for v in values), explain)

    d = [t.design for t in trials]
    e = [t.eligibility for t in trials]
    rows = [
        row(_("At a glance"), _("Title"), [t.title_in(language()) for t in trials]),
        row(_("At a glance"), _("Status"), [plain.status_words(t.overall_status) for t in trials]),
        row(
            _("At a glance"),
            _("Phase"),
            [plain.phase_words(x.phases) for x in d],
            _explain("phase", (p for x in d for p in x.phases)),
        ),
        row(
            _("At a glance"),
            _("Study type"),
            [plain.label(x.study_type) for x in d],
            _explain("study_type", (x.study_type for x in d)),
        ),
        row(
            _("At a glance"),
            _("Size"),
            [plain.enrollment_words(x.enrollment, x.enrollment_type) for x in d],
        ),
        row(_("At a glance"), _("Start"), [localized.date(t.dates.start) for t in trials]),
        row(
            _("At a glance"), _("Completion"), [localized.date(t.dates.completion) for t in trials]
        ),
        row(_("At a glance"), _("Sponsor"), [t.sponsor for t in trials]),
        row(
            _("At a glance"),
            _("Trust flags"),
            [flags_text(t, today) for t in trials],
            _("What the record itself says that should make you ask more questions."),
        ),
        row(_("Who can join"), _("Ages"), [plain.ages_in_words(x.min_age, x.max_age) for x in e]),
        row(_("Who can join"), _("Sex"), [plain.sex_words(x.sex) if x.sex else None for x in e]),
        row(
            _("Who can join"),
            _("Healthy volunteers"),
            [plain.yes_no(x.healthy_volunteers) for x in e],
        ),
        row(
            _("Who can join"),
            _("Key criteria"),
            [
                _short(t.criteria_vi if language() == "vi" else None, t.eligibility.criteria)
                for t in trials
            ],
        ),
        row(
            _("Design"),
            _("Allocation"),
            [plain.label(x.allocation) for x in d],
            _explain("allocation", (x.allocation for x in d)),
        ),
        row(
            _("Design"),
            _("How the groups are set up"),
            [plain.label(x.intervention_model) for x in d],
            _explain("intervention_model", (x.intervention_model for x in d)),
        ),
        row(
            _("Design"),
            _("Masking"),
            [
                plain.design_words(x.masking)
                + (
                    " "
                    + _("(masked: {who})").format(
                        who=", ".join(plain.label(w) for w in x.who_masked)
                    )
                    if x.who_masked
                    else ""
                )
                if x.masking
                else None
                for x in d
            ],
            _explain("masking", (x.masking for x in d)),
        ),
        row(_("Design"), _("Main purpose"), [plain.label(x.primary_purpose) for x in d]),
        row(
            _("Design"),
            _("The control group gets"),
            [control_group(t) for t in trials],
            _("The control group is who the treated children are compared with."),
        ),
        row(
            _("Design"),
            _("What is tested"),
            [t.text_in("active_substance", language()) for t in trials],
        ),
    ]
    for i in range(max((len(t.arms) for t in trials), default=0)):
        kinds = dict.fromkeys(t.arms[i].type for t in trials if i < len(t.arms))
        explain = " ".join(_(ARM_TYPES_EXPLAINED[k]) for k in kinds if k in ARM_TYPES_EXPLAINED)
        rows.append(
            row(
                _("Arms"),
                _("Arm {number}").format(number=i + 1),
                [_arm_text(t, i) for t in trials],
                explain or None,
            )
        )
    rows.extend(_outcome_rows(trials))
    rows.extend(
        row(_("What it found"), label, values, explain)
        for label, values, explain in results.compare_rows(trials, today)
    )
    rows.append(
        row(
            _("Places"),
            _("Countries"),
            [
                "; ".join(
                    dict.fromkeys(localized.countries(s.country for s in t.sites if s.country))
                )
                or None
                for t in trials
            ],
        )
    )
    rows.append(
        row(
            _("Places"),
            _("Cities"),
            [
                "; ".join(dict.fromkeys(city_name(s.city, s.country) for s in t.sites if s.city))
                or None
                for t in trials
            ],
        )
    )
    if place is not None and sites is not None:
        rows.append(
            row(
                _("Places"),
                _("Nearest site to {place}").format(place=place_words(place)),
                [_nearest(t.id, sites, place) for t in trials],
            )
        )
    rows.append(
        row(_("Record"), _("Last update"), [localized.date(t.dates.last_update) for t in trials])
    )
    rows.append(row(_("Record"), _("Registry link"), [t.source_url for t in trials]))
    return Comparison(tuple(trials), tuple(rows))
