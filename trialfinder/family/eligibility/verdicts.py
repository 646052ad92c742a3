"""Each criteria item read against the family's answers.

An item reads MEETS, DOES_NOT_MEET or ASK ("ask the trial team"). It never says
the child is eligible: the trial team decides. The rules lean to ASK, since a
wrong "does not meet" turns a family away:

* An inclusion item (or an exclusion item saying "no ...") *requires* what it
  names; an exclusion item *bars* it.
* A requirement the child lacks reads DOES_NOT_MEET, unless the item (or the
  heading above it) offers an alternative ("or", "one of the following").
* A bar the child has reads DOES_NOT_MEET only when the item says nothing more
  that could narrow it ("... in the arms").
* MEETS when every fact read agrees with the answers and nothing else is said
  (for a bar: nothing else the item could also bar).
* Items under no inclusion/exclusion heading, and ages within a year of a limit,
  read ASK.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from trialfinder.ages import DAYS_PER_YEAR, max_age_days_exclusive, min_age_days
from trialfinder.family.eligibility.answers import Answers, when_range
from trialfinder.family.eligibility.recognise import Fact, fold, recognise
from trialfinder.family.eligibility.split import EXCLUSION, INCLUSION, Block, Criteria

MEETS = "meets"
DOES_NOT_MEET = "does_not_meet"
ASK = "ask"

#: Words that add nothing to what a recognised fact says.
_FILLER = frozenset(
    """
    a an the of with who whom are is be been being must should will have has had having
    at least patients patient subjects subject participants participant children child
    kids infants adolescents individuals persons people volunteers aged age ages year
    years old inclusive both in on for to as by from time screening enrollment
    enrolment entry study visit baseline diagnosis diagnosed confirmed documented known
    clinical clinically history prior previous any level levels classified
    classification score defined per current currently presence present evidence this
    trial that were was do does did can may their his her they them these those signed
    written treatment treated received receive receiving injection injections undergone
    underwent biological only
    """.split()  # noqa: SIM905 (a word list reads better as words)
)
_ALTERNATIVE = re.compile(r"\b(?:or|either|and/or|otherwise|alternatively)\b|/")
_ONE_OF = re.compile(r"\b(?:one|any|either|two|some) of\b|\bat least one\b")
_LIST_OF_BARS = re.compile(r"\b(?:or|and/or|and)\b|[,;/]")
_AGE_MARGIN_DAYS = DAYS_PER_YEAR


@dataclass(frozen=True)
class Reading:
    """One item and what the answers say about it."""

    block: Block
    facts: tuple[Fact, ...]
    verdict: str
    #: The kinds of fact that decided a MEETS or DOES_NOT_MEET.
    deciding: tuple[str, ...] = ()


def _has(fact: Fact, answers: Answers) -> bool | None:
    """Whether the child has what the fact names (True/False), or None when the
    answers do not tell."""
    kind = fact.kind
    if kind == "age" and answers.age is not None:
        days = answers.age.days
        low = min_age_days(fact.min_age) if fact.min_age else 0.0
        high = max_age_days_exclusive(fact.max_age) if fact.max_age else float("inf")
        if low + _AGE_MARGIN_DAYS <= days < high - _AGE_MARGIN_DAYS:
            return True
        if days < low - _AGE_MARGIN_DAYS or days >= high + _AGE_MARGIN_DAYS:
            return False
        return None
    if kind == "sex" and answers.sex is not None:
        return answers.sex in fact.sexes
    if kind == "pregnancy":
        if answers.sex == "MALE" or (answers.age is not None and answers.age.months < 8 * 12):
            return False
        return None
    if kind in ("gmfcs", "macs") and fact.levels:
        level = getattr(answers, kind)
        return None if level is None else level in fact.levels
    if kind in ("botox", "surgery"):
        when = getattr(answers, kind)
        if when is None:
            return None
        low, high = when_range(when)
        if fact.months is None:
            had = when != "never"
        elif high <= fact.months:
            had = True
        elif low >= fact.months:
            return False
        else:
            return None
        # One named procedure ("tendon lengthening"): the answer says only that there was surgery.
        return None if had and fact.detail == "specific" else had
    if kind == "seizures" and answers.seizures is not None:
        if not answers.seizures:
            return False
        return None if fact.detail == "qualified" else True
    if kind == "diagnosis" and answers.dx is not None:
        return _has_diagnosis(fact.detail or "any", answers.dx)
    return None


def _has_diagnosis(wanted: str, dx: str) -> bool | None:
    if dx == "no-cp":
        return False
    kind, _plus, distribution = wanted.partition("+")
    if kind == "any":
        return None if distribution else True
    if dx in ("cp", "mixed-cp"):
        return None
    if dx != f"{kind}-cp":
        return False
    return None if distribution else True


def _residual(text: str, facts: tuple[Fact, ...]) -> list[str]:
    """The item's words outside every fact's span, filler aside."""
    kept = list(text)
    for fact in facts:
        for start, end in fact.parts or ((fact.start, fact.end),):
            kept[start:end] = [" "] * (end - start)
    words = re.findall(r"[a-z0-9/]+", "".join(kept))
    return [w for w in words if w not in _FILLER]


def read_item(block: Block, answers: Answers, alternatives_above: bool = False) -> Reading:
    """One item's reading (see the module's docstring)."""
    facts = recognise(block.text)
    if not facts or block.section not in (INCLUSION, EXCLUSION) or block.text.endswith(":"):
        return Reading(block, facts, ASK)
    text = fold(block.text)
    residual = _residual(text, facts)
    offers_choice = alternatives_above or bool(_ALTERNATIVE.search(" ".join(residual)))
    requirements, bars = [], []
    for fact in facts:
        has = _has(fact, answers)
        requires = (block.section == INCLUSION) != fact.negated
        (requirements if requires else bars).append((fact, has))
    failed = [f for f, has in requirements if has is False]
    hit = [f for f, has in bars if has is True]
    if failed and not offers_choice:
        return Reading(block, facts, DOES_NOT_MEET, tuple(f.kind for f in failed))
    if hit and not residual and not alternatives_above:
        return Reading(block, facts, DOES_NOT_MEET, tuple(f.kind for f in hit))
    settled = all(has is True for _f, has in requirements) and all(has is False for _f, has in bars)
    if settled and not failed and not hit:
        if requirements and residual:
            return Reading(block, facts, ASK)
        if bars and _LIST_OF_BARS.search(" ".join(residual)):
            return Reading(block, facts, ASK)
        return Reading(block, facts, MEETS, tuple(f.kind for f in facts))
    return Reading(block, facts, ASK)


def read_criteria(criteria: Criteria, answers: Answers) -> tuple[Reading, ...]:
    """Every item's reading, in the record's order."""
    readings = []
    alone_or = {
        b.section for b in criteria.items if re.fullmatch(r"\W*(?:or|and/or)\W*", b.text.lower())
    }
    for block in criteria.items:
        parent = criteria.blocks[block.parent] if block.parent is not None else None
        above = " ".join(x for x in (block.heading, parent.text if parent else None) if x)
        choice = bool(_ONE_OF.search(above.lower())) or block.section in alone_or
        readings.append(read_item(block, answers, alternatives_above=choice))
    return tuple(readings)


def questions_to_bring(readings: tuple[Reading, ...]) -> tuple[Block, ...]:
    """The items worth asking the trial team about: those read as not met (to check
    them), then those naming something the answers could not settle. Consent is
    given by the family, not a fact about the child: nothing to ask there."""
    not_met = [r.block for r in readings if r.verdict == DOES_NOT_MEET]
    unsettled = [
        r.block for r in readings if r.verdict == ASK and {f.kind for f in r.facts} - {"consent"}
    ]
    return tuple(not_met + unsettled)


__all__ = [
    "ASK",
    "DOES_NOT_MEET",
    "EXCLUSION",
    "INCLUSION",
    "MEETS",
    "Reading",
    "read_criteria",
    "read_item",
    "questions_to_bring",
]
