"""What the trial page, the handout and the comparison show of a trial's criteria.

:func:`build_checklist` puts together the split, the glossary and the verdicts in
the interface's language; :func:`checklist_html` is the handout's part (every
registry word escaped); :func:`summary_words` is the comparison's one line. None
of them says a child is eligible: the trial team decides.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from trialfinder.ages import admits, parse_age_limit
from trialfinder.family.eligibility.answers import DIAGNOSES, WHEN_WORDS, Answers
from trialfinder.family.eligibility.glossary import Explanation, explain
from trialfinder.family.eligibility.split import Block, split_criteria
from trialfinder.family.eligibility.verdicts import (
    ASK,
    DOES_NOT_MEET,
    MEETS,
    Reading,
    questions_to_bring,
    read_criteria,
)
from trialfinder.family.plain import ages_in_words
from trialfinder.i18n import _, language, ngettext

_STYLE = """
<style>
.tf-checklist {max-width: 46rem; color: #111; font-size: 1rem; line-height: 1.45;}
.tf-checklist h3 {font-size: 1.05rem; margin: 0.9rem 0 0.2rem;}
.tf-checklist .tf-note {font-size: 0.85rem; color: #444;}
.tf-checklist ul {margin: 0.2rem 0 0.2rem 1.2rem; padding: 0;}
.tf-checklist p, .tf-checklist li {overflow-wrap: anywhere;}
@media print {.tf-checklist {font-size: 10.5pt; max-width: none;}}
</style>
"""
#: At most this many items in the handout's "ask about" list.
HANDOUT_QUESTIONS = 8


def verdict_words(verdict: str) -> str:
    """ "meets", "does not meet", "ask the trial team", in the page's language."""
    if verdict == MEETS:
        return _("meets")
    if verdict == DOES_NOT_MEET:
        return _("does not meet")
    return _("ask the trial team")


@dataclass(frozen=True)
class Line:
    """One item as the family reads it."""

    #: The registry's words, as written (its Markdown escapes undone).
    text: str
    marker: str
    depth: int
    heading: str | None
    verdict: str
    explained: tuple[Explanation, ...]


@dataclass(frozen=True)
class Checklist:
    inclusion: tuple[Line, ...] = ()
    exclusion: tuple[Line, ...] = ()
    #: Items under no inclusion or exclusion heading.
    unsorted: tuple[Line, ...] = ()
    #: Items worth asking the trial team about: those read as not met, then those
    #: naming something the answers could not settle.
    to_ask: tuple[str, ...] = ()
    #: Whether the family answered any question (the age counts).
    answered: bool = False
    #: Whether the record states criteria at all.
    stated: bool = False

    @property
    def lines(self) -> tuple[Line, ...]:
        return self.inclusion + self.exclusion + self.unsorted

    def count(self, verdict: str) -> int:
        return sum(line.verdict == verdict for line in self.lines)


def _line(reading: Reading, lang: str, shown: str) -> Line:
    block: Block = reading.block
    return Line(
        text=shown,
        marker=block.marker,
        depth=block.depth,
        heading=block.heading,
        verdict=reading.verdict,
        explained=explain(block.plain, lang),
    )


def build_checklist(
    criteria: str | None,
    answers: Answers,
    translated: str | None = None,
    ages: tuple[str | None, str | None] = (None, None),
) -> Checklist:
    """The checklist of a criteria text against the family's answers.

    ``translated``: the same criteria in the page's language, written by a
    curator. Read against the answers is always the record's own text; when the
    translation has the same items in the same order, each line and question is
    shown in it. ``ages``: the record's own age limits (minimum, maximum), read
    against the child's age as the first item when both are known."""
    age_line = _age_line(ages, answers)
    split = split_criteria(criteria)
    if not split.items and age_line is None:
        return Checklist(stated=bool(criteria and criteria.strip()))
    readings = read_criteria(split, answers) if split.items else []
    shown = _shown_words(split.items, translated)
    lang = language()
    lines = {section: [] for section in ("inclusion", "exclusion", None)}
    for reading in readings:
        block = reading.block
        lines[block.section].append(_line(reading, lang, shown.get(id(block), block.plain)))
    answered = answers.any() or answers.age is not None
    to_ask = [shown.get(id(b), b.plain) for b in questions_to_bring(readings)]
    if age_line is not None:
        lines["inclusion"].insert(0, age_line)
        if age_line.verdict == DOES_NOT_MEET:
            to_ask.insert(0, age_line.text)
    return Checklist(
        inclusion=tuple(lines["inclusion"]),
        exclusion=tuple(lines["exclusion"]),
        unsorted=tuple(lines[None]),
        to_ask=tuple(dict.fromkeys(to_ask)),
        answered=answered,
        stated=True,
    )


def _age_line(ages: tuple[str | None, str | None], answers: Answers) -> Line | None:
    """The record's age limits against the child's age; None without either."""
    low, high = ages
    if answers.age is None or (parse_age_limit(low) is None and parse_age_limit(high) is None):
        return None
    return Line(
        text=_("Age: {ages} (the record's age limits)").format(ages=ages_in_words(low, high)),
        marker="",
        depth=0,
        heading=None,
        verdict=MEETS if admits(low, high, answers.age) else DOES_NOT_MEET,
        explained=(),
    )


def _shown_words(items: tuple[Block, ...], translated: str | None) -> dict[int, str]:
    """Each item's words in the translation (by the item's identity), when the
    translation cuts into as many items, nested alike; else none. (Its headings
    are not compared: "Tiêu chí tham gia" is not read as a heading of inclusion.)"""
    if not translated:
        return {}
    other = split_criteria(translated).items
    if len(other) != len(items) or any(
        a.depth != b.depth for a, b in zip(items, other, strict=True)
    ):
        return {}
    return {id(a): b.plain for a, b in zip(items, other, strict=True)}


def team_decides() -> str:
    return _(
        "Only the trial team can say whether your child can join. This list is how we read "
        "the criteria against your answers, to help you prepare questions; it is not a decision."
    )


def summary_words(checklist: Checklist) -> str:
    """One line for the comparison: how the items read against the answers."""
    if not checklist.stated:
        return _("The record states no criteria.")
    if not checklist.lines:
        return _("The record's criteria could not be read as a list.")
    total = len(checklist.lines)
    if not checklist.answered:
        return ngettext(
            "{n} criterion; answer the questions on the trial page to read it against your child.",
            "{n} criteria; answer the questions on the trial page to read them against your child.",
            total,
        ).format(n=total)
    parts = [
        ngettext("{n} criterion", "{n} criteria", total).format(n=total),
        _("{n} met").format(n=checklist.count(MEETS)),
        _("{n} not met").format(n=checklist.count(DOES_NOT_MEET)),
        _("{n} to ask the trial team").format(n=checklist.count(ASK)),
    ]
    return " · ".join(parts)


def answers_words(answers: Answers) -> list[str]:
    """The family's answers in words ("GMFCS level: III"), for the handout."""
    said = []
    if answers.age is not None:
        years, months = divmod(answers.age.months, 12)
        age = []
        if years:
            age.append(ngettext("{n} year", "{n} years", years).format(n=years))
        if months or not years:
            age.append(ngettext("{n} month", "{n} months", months).format(n=months))
        said.append(_("Age: {age}").format(age=" ".join(age)))
    if answers.sex is not None:
        said.append(
            _("Sex: {sex}").format(sex=_("female") if answers.sex == "FEMALE" else _("male"))
        )
    if answers.dx is not None:
        said.append(_("Diagnosis: {dx}").format(dx=_(DIAGNOSES[answers.dx])))
    roman = {1: "I", 2: "II", 3: "III", 4: "IV", 5: "V"}
    if answers.gmfcs is not None:
        said.append(_("GMFCS level: {level}").format(level=roman[answers.gmfcs]))
    if answers.macs is not None:
        said.append(_("MACS level: {level}").format(level=roman[answers.macs]))
    if answers.seizures is not None:
        said.append(
            _("Seizures: {yes_no}").format(yes_no=_("yes") if answers.seizures else _("no"))
        )
    if answers.botox is not None:
        said.append(
            _("Last botulinum toxin injection: {when}").format(when=_(WHEN_WORDS[answers.botox]))
        )
    if answers.surgery is not None:
        said.append(
            _("Last orthopaedic surgery: {when}").format(when=_(WHEN_WORDS[answers.surgery]))
        )
    return said


def checklist_html(checklist: Checklist, answers: Answers) -> str:
    """The handout's part: the answers, what reads as not met, and what to ask."""
    esc = html.escape
    out = [
        _STYLE,
        "<section class='tf-checklist'>",
        "<h3>" + esc(_("Could my child join?")) + "</h3>",
    ]
    out.append(f"<p class='tf-note'>{esc(team_decides())}</p>")
    if not checklist.stated:
        out.append("<p>" + esc(_("The record states no criteria.")) + "</p></section>")
        return "".join(out)
    said = answers_words(answers)
    if said:
        out.append("<p>" + esc(_("Your answers:")) + " " + esc("; ".join(said)) + "</p>")
    out.append("<p>" + esc(summary_words(checklist)) + "</p>")
    if checklist.to_ask:
        out.append("<p>" + esc(_("Ask the trial team about these criteria:")) + "</p><ul>")
        shown = checklist.to_ask[:HANDOUT_QUESTIONS]
        out.extend(f"<li>{esc(text)}</li>" for text in shown)
        more = len(checklist.to_ask) - len(shown)
        if more > 0:
            out.append(
                "<li>" + esc(_("and {n} more (see the trial page)").format(n=more)) + "</li>"
            )
        out.append("</ul>")
    out.append("</section>")
    return "".join(out)
