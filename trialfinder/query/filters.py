"""The filters: each URL key, how its values are read and printed back, and how
they read in words.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from trialfinder import geo
from trialfinder.ages import ChildAge, parse_child_age
from trialfinder.catalog.index import TERM_GROUPS
from trialfinder.i18n import N_, _, ngettext
from trialfinder.model import OVERALL_STATUSES, PHASES, STUDY_TYPES

DEFAULT_WITHIN_KM = 50.0
MAX_WITHIN_KM = 20_000.0  # half the Earth's circumference: anything more is everywhere
MAX_VALUE_LENGTH = 200
MAX_VALUES_PER_KEY = 20


@dataclass(frozen=True)
class QueryProblem:
    """A part of a link that was ignored, and why."""

    key: str
    value: str | None
    message: str

    def __str__(self) -> str:
        key = self.key if self.key.isprintable() else repr(self.key)  # one line, always
        if self.value is None:
            return f"{key}: {self.message}"
        shown = self.value if len(self.value) <= 40 else self.value[:37] + "..."
        return f"{key}={shown!r}: {self.message}"


@dataclass(frozen=True)
class Filter:
    """One URL key: how to read a value, print it back and say it in words."""

    key: str
    repeatable: bool
    read: Callable[[str], Any]
    write: Callable[[Any], str] = str
    help: str = ""


def _read_words(what: str) -> Callable[[str], str]:
    def read(text: str) -> str:
        cleaned = re.sub(r"\s+", " ", text).strip()
        if not re.search(r"\w", cleaned):
            raise ValueError(_("is not {what}").format(what=_(what)))
        return cleaned

    return read


_read_cond = _read_words(N_("a condition or words"))


def _read_enum(allowed: tuple[str, ...], what: str) -> Callable[[str], str]:
    def read(text: str) -> str:
        value = re.sub(r"[\s,\-]+", "_", text.strip().upper())
        value = re.sub(r"^(EARLY_)?PHASE_(\d)$", r"\1PHASE\2", value)
        if value not in allowed:
            names = ", ".join(a.lower() for a in allowed)
            raise ValueError(
                _("is not a {what} (one of {names})").format(what=_(what), names=names)
            )
        return value

    return read


def _read_country(text: str) -> str:
    name = geo.canonical_country(text)
    if not name or not re.search(r"\w", name):
        raise ValueError(_("is not a country"))
    return name


def _read_near(text: str) -> str:
    cleaned = re.sub(r"\s+", " ", text).strip()
    try:
        geo.resolve_place(cleaned)
    except geo.PlaceNotFound as error:
        raise ValueError(
            _("is not a place the offline gazetteer knows (try 'City, Country' or 'lat,lon')")
        ) from error
    return cleaned


def _read_within(text: str) -> float:
    try:
        value = float(text.strip().lower().removesuffix("km"))
    except ValueError as error:
        raise ValueError(_("is not a distance in km")) from error
    if not (0 < value <= MAX_WITHIN_KM) or value != value:
        raise ValueError(
            _("is not a distance between 0 and {km} km").format(km=f"{MAX_WITHIN_KM:,.0f}")
        )
    return value


def _write_number(value: float) -> str:
    # The shortest text that reads back as the same number ("50", "12.5", "1234.567").
    return repr(float(value)).removesuffix(".0")


FILTERS: tuple[Filter, ...] = (
    Filter("cond", True, _read_cond, help="a condition or words"),
    Filter("age", False, parse_child_age, str, "the child's age: 4, 4y, 4y3m or 18m"),
    Filter("status", True, _read_enum(OVERALL_STATUSES, N_("status")), str.lower, "overall status"),
    Filter("country", True, _read_country, help="a site's country"),
    Filter("near", False, _read_near, help="a city, 'City, Country' or 'lat,lon'"),
    Filter("within", False, _read_within, _write_number, "radius around near, in km"),
    Filter("phase", True, _read_enum(PHASES, N_("phase")), str.lower, "trial phase"),
    Filter("type", False, _read_enum(STUDY_TYPES, N_("study type")), str.lower, "study type"),
    Filter(
        "intr",
        True,
        _read_words(N_("a treatment or words")),
        help="a treatment or active substance",
    ),
    Filter("spons", True, _read_words(N_("a sponsor's name")), help="lead sponsor or collaborator"),
)
#: Which kinds of catalog term each word filter searches (the catalog's word index
#: is built by these groups).
TERM_KINDS = TERM_GROUPS
FILTERS_BY_KEY = {f.key: f for f in FILTERS}


_STATUS_ADJECTIVES = {
    "RECRUITING": N_("recruiting"),
    "NOT_YET_RECRUITING": N_("not yet recruiting"),
    "ENROLLING_BY_INVITATION": N_("enrolling by invitation"),
    "ACTIVE_NOT_RECRUITING": N_("active but not recruiting"),
    "SUSPENDED": N_("suspended"),
    "TERMINATED": N_("terminated"),
    "COMPLETED": N_("completed"),
    "WITHDRAWN": N_("withdrawn"),
    "AVAILABLE": N_("available"),
    "NO_LONGER_AVAILABLE": N_("no longer available"),
    "TEMPORARILY_NOT_AVAILABLE": N_("temporarily not available"),
    "APPROVED_FOR_MARKETING": N_("approved for marketing"),
    "WITHHELD": N_("withheld"),
    "UNKNOWN": N_("unknown-status"),
}
_TYPE_WORDS = {
    "INTERVENTIONAL": N_("interventional"),
    "OBSERVATIONAL": N_("observational"),
    "EXPANDED_ACCESS": N_("expanded access"),
}


def _status_words(status: str) -> str:
    words = _STATUS_ADJECTIVES.get(status)
    return _(words) if words else status.lower().replace("_", " ")


def _type_words(study_type: str) -> str:
    words = _TYPE_WORDS.get(study_type)
    return _(words) if words else study_type.lower().replace("_", " ")


def _age_words(age: ChildAge) -> str:
    """ "4 years", "4 years 3 months", "18 months", in the interface's language."""
    years, months = divmod(age.months, 12)
    parts = []
    if years:
        parts.append(ngettext("{n} year", "{n} years", years).format(n=years))
    if months or not years:
        parts.append(ngettext("{n} month", "{n} months", months).format(n=months))
    return " ".join(parts)


def _phases_words(phases: tuple[str, ...]) -> str:
    """ "in phase 2 or early phase 1", "without a phase", "in phase 3 or without a phase"."""
    either = _(" or ")
    named = [_phase_words(p) for p in phases if p != "NA"]
    parts = [_("in {phases}").format(phases=either.join(named))] if named else []
    if "NA" in phases:
        parts.append(_("without a phase"))
    return either.join(parts)


def _phase_words(phase: str) -> str:
    if phase == "NA":
        return _("no phase")
    if phase == "EARLY_PHASE1":
        return _("early phase 1")
    return _("phase {number}").format(number=phase.removeprefix("PHASE"))
