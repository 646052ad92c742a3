"""The questions a family answers about their child, kept in the link only.

Each answer is one URL key beside the filters (the child's age is the filters'
own ``age``), read and written like a filter's value, but deliberately not a
:class:`~trialfinder.query.filters.Filter`: an answer keeps no trial out, and
whatever is a filter goes into a followed search, its e-mails and the view's
sentence. So answers are page keys: a link carries them, nothing on the server
keeps them, and :func:`without_answers` takes them out of any list of pairs.
Bad values are ignored with the same plain notice as the filters'.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields, replace

from trialfinder.ages import ChildAge
from trialfinder.i18n import N_, _
from trialfinder.query.filters import QueryProblem

#: How long ago a treatment was, as (key, lowest months, highest months).
WHEN = (
    ("0-3m", 0.0, 3.0),
    ("3-6m", 3.0, 6.0),
    ("6-12m", 6.0, 12.0),
    ("1-2y", 12.0, 24.0),
    ("2y+", 24.0, float("inf")),
    ("never", float("inf"), float("inf")),
)
WHEN_WORDS = {
    "0-3m": N_("in the last 3 months"),
    "3-6m": N_("3 to 6 months ago"),
    "6-12m": N_("6 to 12 months ago"),
    "1-2y": N_("1 to 2 years ago"),
    "2y+": N_("more than 2 years ago"),
    "never": N_("never"),
}
DIAGNOSES = {
    "spastic-cp": N_("cerebral palsy, spastic"),
    "dyskinetic-cp": N_("cerebral palsy, dyskinetic (dystonic or athetoid)"),
    "ataxic-cp": N_("cerebral palsy, ataxic"),
    "mixed-cp": N_("cerebral palsy, mixed type"),
    "cp": N_("cerebral palsy, type not known"),
    "no-cp": N_("not cerebral palsy"),
}
SEXES = {"female": "FEMALE", "male": "MALE"}
YES_NO = {"yes": True, "no": False}
LEVELS = {"1": 1, "2": 2, "3": 3, "4": 4, "5": 5, "i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5}


@dataclass(frozen=True)
class Answers:
    """What the family said; None = not answered."""

    age: ChildAge | None = None
    sex: str | None = None
    dx: str | None = None
    gmfcs: int | None = None
    macs: int | None = None
    seizures: bool | None = None
    botox: str | None = None
    surgery: str | None = None

    def any(self) -> bool:
        return any(getattr(self, f.name) is not None for f in fields(self) if f.name != "age")


def _choice(table: dict, what: str) -> Callable[[str], object]:
    def read(text: str) -> object:
        value = table.get(text.strip().lower())
        if value is None:
            names = ", ".join(dict.fromkeys(table))
            raise ValueError(_("is not {what} (one of {names})").format(what=_(what), names=names))
        return value

    return read


def _key_of(table: dict) -> Callable[[object], str]:
    def write(value: object) -> str:
        return next(k for k, v in table.items() if v == value)

    return write


@dataclass(frozen=True)
class AnswerKey:
    key: str
    read: Callable[[str], object]
    write: Callable[[object], str]


_WHEN_KEYS = {key: key for key, _low, _high in WHEN}
ANSWER_KEYS: tuple[AnswerKey, ...] = (
    AnswerKey("sex", _choice(SEXES, N_("a sex")), _key_of(SEXES)),
    AnswerKey("dx", _choice({k: k for k in DIAGNOSES}, N_("a diagnosis")), str),
    AnswerKey("gmfcs", _choice(LEVELS, N_("a GMFCS level")), str),
    AnswerKey("macs", _choice(LEVELS, N_("a MACS level")), str),
    AnswerKey("seizures", _choice(YES_NO, N_("yes or no")), _key_of(YES_NO)),
    AnswerKey("botox", _choice(_WHEN_KEYS, N_("a time")), str),
    AnswerKey("surgery", _choice(_WHEN_KEYS, N_("a time")), str),
)
KEYS = tuple(a.key for a in ANSWER_KEYS)
_BY_KEY = {a.key: a for a in ANSWER_KEYS}


#: A part of a link that was ignored, and why: the filters' own kind, so the notice
#: reads the same.
AnswerProblem = QueryProblem


def parse_answers(
    pairs: Iterable[tuple[str, str]], age: ChildAge | None = None
) -> tuple[Answers, tuple[AnswerProblem, ...]]:
    """The answers in a link's (key, value) pairs; other keys are passed over.
    The first value of a key is kept; what cannot be read is a problem."""
    values: dict[str, object] = {}
    problems: list[AnswerProblem] = []
    for key, raw in pairs:
        spec = _BY_KEY.get(key)
        if spec is None or not raw.strip():
            continue
        try:
            value = spec.read(raw[:200])
        except ValueError as error:
            problems.append(AnswerProblem(key, raw, str(error)))
            continue
        if key in values:
            if values[key] != value:
                problems.append(
                    AnswerProblem(key, raw, _("given more than once; the first was kept"))
                )
            continue
        values[key] = value
    return replace(Answers(age=age), **values), tuple(problems)


def answer_pairs(answers: Answers) -> list[tuple[str, str]]:
    """The answers as a link's (key, value) pairs, in a fixed order."""
    return [
        (spec.key, spec.write(getattr(answers, spec.key)))
        for spec in ANSWER_KEYS
        if getattr(answers, spec.key) is not None
    ]


def without_answers(pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """A link's pairs with every answer about the child taken out (for anything a
    server keeps: followed searches, e-mails, logs)."""
    return [(key, value) for key, value in pairs if key not in _BY_KEY]


def when_range(key: str) -> tuple[float, float]:
    """(lowest, highest) months ago for a WHEN key."""
    return next((low, high) for k, low, high in WHEN if k == key)
