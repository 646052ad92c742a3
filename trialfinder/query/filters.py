"""The filters: each URL key with its reading, writing, words and mask.

The shape of Datasette's ``filters.py``: a :class:`Filter` knows its URL key, how
a value is read from a link and written back, how it reads in a sentence (in the
page's language, through gettext), which trials it keeps (its mask over the
catalog's search index), what it means (the README's table and the command's
``--help``), and how the sidebar offers it (a :class:`Widget`, drawn by
:mod:`trialfinder.ui.filters`). ``country``, ``near`` and ``within`` are the
parts of one composite filter, the place (:mod:`trialfinder.query.place`), which
also judges status site by site. Everything that lists the filters (the link,
the sentence, the sidebar, ``trialfinder search``'s flags, the e-mail and the
README) is generated from :data:`FILTERS`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np

from trialfinder import geo, localized
from trialfinder.ages import ChildAge
from trialfinder.family import plain
from trialfinder.i18n import N_, _, ngettext
from trialfinder.model import OVERALL_STATUSES, PHASES, STUDY_TYPES
from trialfinder.words.ages import read_child_age
from trialfinder.words.expand import expand
from trialfinder.words.match import matching_terms
from trialfinder.words.read import Reading, read_condition, read_intervention
from trialfinder.words.synonyms import Synonyms

if TYPE_CHECKING:
    from trialfinder.catalog import Catalog

DEFAULT_WITHIN_KM = 50.0
MAX_WITHIN_KM = 20_000.0  # half the Earth's circumference: anything more is everywhere
MAX_VALUE_LENGTH = 200
MAX_VALUES_PER_KEY = 20

#: Where a filter's words go in the sentence: an adjective before "trials"
#: ("recruiting trials"), a clause after them ("for cerebral palsy"), or the place.
KIND, CLAUSE, PLACE = "kind", "clause", "place"


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
class Widget:
    """How the sidebar offers a filter. Plain data: the drawing, and Streamlit, stay
    in :mod:`trialfinder.ui.filters`. Messages are marked with ``N_`` and translated
    when drawn."""

    #: "names": any of the catalog's names, or typed ones; "search": a search box
    #: (Enter searches what was typed; ``names`` are offered as suggestions; several
    #: terms separated by ";"); "choices": any of the filter's fixed values;
    #: "choice": one of them; "text"; "number".
    kind: str
    label: str
    placeholder: str = ""
    help: str = ""
    #: For "names": the names the catalog offers for type-ahead.
    names: Callable[[Catalog], list[str]] | None = None
    #: For "choices" and "choice": a value (as the registry spells it) in the words
    #: of the page's language; for "names", a name as the page's language writes it
    #: ("Vietnam" is "Việt Nam"). Such a widget is kept in step with the link by
    #: hand, in the link's spelling, since a bound widget writes its shown words there.
    shown: Callable[[str], str] | None = None
    #: Under "More filters".
    more: bool = False
    #: On the Find page itself, above the results (a family's main questions).
    main: bool = False
    #: For "number": the range, the step, and the default (left out of links).
    minimum: float = 0.0
    maximum: float | None = None
    step: float | None = None
    default: float | None = None
    #: The key without which this one means nothing ("within" needs "near").
    needs: str | None = None


@dataclass(frozen=True)
class Filter:
    """One URL key: its reading, writing, words and mask."""

    key: str
    repeatable: bool
    #: Reading: link text -> value; raises ValueError with words for the family.
    read: Callable[[str], Any]
    #: Writing: value -> link text (read back to the same value).
    write: Callable[[Any], str] = str
    #: What the key means, for staff: the README's table and ``trialfinder search --help``.
    meaning: str = ""
    #: Where its words go in the sentence (KIND, CLAUSE or PLACE).
    part: str = CLAUSE
    #: Its words: (value, how many trials the sentence counts) -> words in the page's
    #: language. The place's parts have none: the place reads as one.
    words: Callable[[Any, int], str] | None = None
    #: Its mask: (catalog, value) -> which trials it keeps (a bool per row of the
    #: trials table). The place's parts have none: the place filters sites.
    mask: Callable[[Catalog, Any], np.ndarray] | None = None
    #: The catalog word index it searches (a word filter), if any.
    terms: str | None = None
    #: For a word filter read in a family's words: how a value is read (what it
    #: searches, what the sentence says it understood; :mod:`trialfinder.words`).
    reads: Callable[[str, Synonyms], Reading] | None = None
    #: The values a filter of fixed values allows (as the registry spells them).
    choices: tuple[str, ...] = ()
    widget: Widget | None = None

    def values(self, value: Any) -> tuple:
        """A query's value of this filter as a tuple (empty when not set)."""
        if self.repeatable:
            return tuple(value)
        return () if value is None else (value,)

    def params(self, value: Any) -> list[tuple[str, str]]:
        """(key, link text) pairs of a query's value of this filter."""
        return [(self.key, self.write(v)) for v in self.values(value)]


# ---------------------------------------------------------------- reading


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
    # A Vietnamese page's family types "Hoa Kỳ": the link keeps the one name.
    name = localized.country_named(text) or geo.canonical_country(text)
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


# ---------------------------------------------------------------- masks


def _codes_mask(column: str) -> Callable[[Catalog, Any], np.ndarray]:
    """Trials whose ``column`` (a coded column of the search index) is one of the values."""

    def mask(catalog: Catalog, value: Any) -> np.ndarray:
        wanted = set(value) if isinstance(value, tuple) else {value}
        return getattr(catalog.search, column).where(wanted.__contains__)

    return mask


def _phase_mask(catalog: Catalog, phases: tuple[str, ...]) -> np.ndarray:
    """Trials in any of the phases (a trial may be in two: "PHASE1|PHASE2")."""
    pattern = re.compile("|".join(rf"(?:^|\|){p}(?:$|\|)" for p in phases))
    return catalog.search.phases.where(lambda found: pattern.search(found) is not None)


def _age_mask(catalog: Catalog, age: ChildAge) -> np.ndarray:
    """Trials whose age limits admit the child (the README's age rule)."""
    index, days = catalog.search, age.days
    return (index.min_age_days <= days) & (days < index.max_age_days)


def _words_mask(group: str) -> Callable[[Catalog, tuple[str, ...]], np.ndarray]:
    """Trials with a term of the word index ``group`` in which any of the texts stands
    as whole words (accents and case folded)."""

    def mask(catalog: Catalog, texts: tuple[str, ...]) -> np.ndarray:
        words = catalog.search.words[group]
        found = [words.matching_terms(geo.fold(text)) for text in texts]
        terms = np.unique(np.concatenate(found)) if found else np.zeros(0, dtype=np.int32)
        keep = np.zeros(len(catalog.trials), dtype=bool)
        keep[words.trials_of(terms)] = True
        return keep

    return mask


def _family_words_mask(key: str, group: str) -> Callable[[Catalog, tuple[str, ...]], np.ndarray]:
    """Trials any of the texts finds, read in a family's words (:mod:`trialfinder.words`):
    each text to search stands in one term of the word index ``group`` with its words
    in any order and any spelling, or, for conditions, in a title with its words in order."""

    def mask(catalog: Catalog, texts: tuple[str, ...]) -> np.ndarray:
        index = catalog.search
        expansion = expand(key, texts, catalog.synonyms, index.learned[group])
        searches = [(index.words[group], text, False) for text in expansion.any_order]
        if key == "cond":
            searches += [(index.words["titles"], text, True) for text in expansion.in_order]
        keep = np.zeros(len(catalog.trials), dtype=bool)
        for words, text, in_order in searches:
            # Titles come last: the order of their words (a regular expression, the
            # dearest check) is checked only in titles that would add a trial.
            adding = partial(words.adding, kept=keep) if in_order else None
            terms = matching_terms(words, text, in_order=in_order, wanted=adding)
            if len(terms):
                keep[words.trials_of(terms)] = True
        return keep

    return mask


# ---------------------------------------------------------------- words


def _either(values) -> str:
    return _(" or ").join(values)


def _phase_option(code: str) -> str:
    """One phase, as the sidebar shows it."""
    return plain.phase_words((code,))


def _type_option(code: str) -> str:
    return plain.label(code)


# ---------------------------------------------------------------- the filters


FILTERS: tuple[Filter, ...] = (
    Filter(
        "cond",
        True,
        _read_cond,
        meaning=(
            "a condition or words, in a family's words (see "
            "[Searching in a family's words](#searching-in-a-familys-words)): whole words in "
            "any order inside one condition, keyword, MeSH term or ancestor, or in order in a "
            "title; several terms match any of them"
        ),
        words=lambda values, n: _("for {conditions}").format(conditions=_either(values)),
        mask=_family_words_mask("cond", "about"),
        terms="about",
        reads=read_condition,
        widget=Widget(
            "search",
            N_("Condition"),
            N_("Type a condition or words, then Enter"),
            N_(
                "Matches conditions, keywords and titles. Several terms, separated by ';', "
                "match any of them."
            ),
            names=lambda catalog: catalog.condition_names(),
            main=True,
        ),
    ),
    Filter(
        "age",
        False,
        read_child_age,
        str,
        meaning=(
            "the child's age: `4`, `4y`, `4y3m`, `18m`, or in words: `4 years 3 months`, "
            "`4 tuổi`, `18 tháng`, `4,5`"
        ),
        words=lambda age, n: ngettext(
            "that accepts a child of {age}", "that accept a child of {age}", n
        ).format(age=_age_words(age)),
        mask=_age_mask,
        widget=Widget(
            "text",
            N_("Child's age"),
            N_("e.g. 4, 4y3m, 18m or 4 years"),
            N_(
                "Years, or years and months: 4, 4y3m, 18m; "
                "in words too: 4 years 3 months, 18 months."
            ),
            main=True,
        ),
    ),
    Filter(
        "status",
        True,
        _read_enum(OVERALL_STATUSES, N_("status")),
        str.lower,
        meaning=(
            "overall status, registry names in any case: `recruiting`, `not_yet_recruiting`, "
            "...; with a place, also each site's own status"
        ),
        part=KIND,
        words=lambda values, n: _either(_status_words(s) for s in values),
        mask=_codes_mask("status"),
        choices=OVERALL_STATUSES,
        widget=Widget(
            "choices",
            N_("Status"),
            N_("Any status"),
            shown=lambda code: plain.status_words(code),
            main=True,
        ),
    ),
    Filter(
        "country",
        True,
        _read_country,
        meaning=(
            "a site's country; renamed countries count as one "
            '("Korea, Republic of" is "South Korea")'
        ),
        part=PLACE,
        widget=Widget(
            "names",
            N_("Country"),
            N_("Any country"),
            names=lambda catalog: catalog.countries(),
            shown=lambda name: localized.country(name) or name,
        ),
    ),
    Filter(
        "near",
        False,
        _read_near,
        meaning='a city from the offline gazetteer, "City, Country" or "lat,lon"',
        part=PLACE,
        widget=Widget(
            "text",
            N_("Near"),
            N_("e.g. Hanoi, or Hanoi, Vietnam"),
            N_("A city, 'City, Country' or 'lat,lon'."),
            main=True,
        ),
    ),
    Filter(
        "within",
        False,
        _read_within,
        _write_number,
        meaning=f"radius around `near` in km (default {DEFAULT_WITHIN_KM:g})",
        part=PLACE,
        widget=Widget(
            "number",
            N_("Within (km)"),
            maximum=MAX_WITHIN_KM,
            step=10.0,
            default=DEFAULT_WITHIN_KM,
            needs="near",
            main=True,
        ),
    ),
    Filter(
        "phase",
        True,
        _read_enum(PHASES, N_("phase")),
        str.lower,
        meaning="`early_phase1`, `phase1` ... `phase4`, `na`",
        words=lambda values, n: _phases_words(values),
        mask=_phase_mask,
        choices=PHASES,
        widget=Widget("choices", N_("Phase"), N_("Any phase"), shown=_phase_option, more=True),
    ),
    Filter(
        "type",
        False,
        _read_enum(STUDY_TYPES, N_("study type")),
        str.lower,
        meaning="`interventional`, `observational`, `expanded_access`",
        part=KIND,
        words=lambda study_type, n: _type_words(study_type),
        mask=_codes_mask("study_type"),
        choices=STUDY_TYPES,
        widget=Widget("choice", N_("Study type"), N_("Any type"), shown=_type_option, more=True),
    ),
    Filter(
        "intr",
        True,
        _read_words(N_("a treatment or words")),
        meaning=(
            "a treatment or active substance, matched like `cond` in intervention names, "
            "their other names, their MeSH terms and the curated active substance; a brand "
            "name also finds its generic name"
        ),
        words=lambda values, n: _("testing {treatments}").format(treatments=_either(values)),
        mask=_family_words_mask("intr", "treatments"),
        terms="treatments",
        reads=read_intervention,
        widget=Widget(
            "names",
            N_("Treatment"),
            N_("A treatment or active substance"),
            names=lambda catalog: catalog.term_names("intervention"),
            more=True,
        ),
    ),
    Filter(
        "spons",
        True,
        _read_words(N_("a sponsor's name")),
        meaning="the lead sponsor or a collaborator, matched like `cond`",
        words=lambda values, n: _("run by {sponsors}").format(sponsors=_either(values)),
        mask=_words_mask("sponsors"),
        terms="sponsors",
        widget=Widget(
            "names",
            N_("Sponsor"),
            N_("Who runs the trial"),
            names=lambda catalog: catalog.term_names("sponsor"),
            more=True,
        ),
    ),
)
FILTERS_BY_KEY = {f.key: f for f in FILTERS}
#: The order in which the filters' words read in a sentence ("recruiting
#: interventional trials in phase 2 for cerebral palsy testing ... run by ... that
#: accept a child of 4 years"), the place last.
SENTENCE_ORDER = ("status", "type", "phase", "cond", "intr", "spons", "age")


def filter_table() -> str:
    """The README's table of the filter keys, generated from :data:`FILTERS`."""
    lines = ["| key | repeatable | meaning |", "| --- | --- | --- |"]
    for f in FILTERS:
        lines.append(f"| `{f.key}` | {'yes' if f.repeatable else 'no'} | {f.meaning} |")
    return "\n".join(lines) + "\n"


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
