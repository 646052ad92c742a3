"""Could my child join? The criteria as a checklist, on the trial page, the handout
and the comparison (one call from each).

The family's answers live in the page's link only (``sex``, ``dx``, ``gmfcs``,
``macs``, ``seizures``, ``botox``, ``surgery``; the age is the filters' ``age``).
The questions show their options in words of the page's language, so, like the
worded filters, they are not bound to the URL by Streamlit (a bound widget writes
its shown label into the link): each run seeds them from the link, and a change
writes the link's spelling back.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st

from trialfinder.family.eligibility.answers import (
    DIAGNOSES,
    KEYS,
    WHEN,
    WHEN_WORDS,
    AnswerProblem,
    Answers,
    answer_pairs,
    parse_answers,
)
from trialfinder.family.eligibility.checklist import (
    Checklist,
    Line,
    build_checklist,
    checklist_html,
    summary_words,
    team_decides,
    verdict_words,
)
from trialfinder.family.eligibility.verdicts import DOES_NOT_MEET, MEETS
from trialfinder.i18n import _, language, using
from trialfinder.model import Trial
from trialfinder.ui import page
from trialfinder.ui.text import md

_ROMAN = {"1": "I", "2": "II", "3": "III", "4": "IV", "5": "V"}
_BADGE = {MEETS: "green", DOES_NOT_MEET: "orange"}


def _link_pairs() -> list[tuple[str, str]]:
    return [(key, value) for key in KEYS for value in st.query_params.get_all(key)]


def current_answers() -> tuple[Answers, tuple[AnswerProblem, ...]]:
    """The answers in this page's link, with the filters' age."""
    return parse_answers(_link_pairs(), age=page.current().query.age)


def _in_words(words: Callable[[str], str]) -> Callable[[str], str]:
    lang = language()

    def show(option: str) -> str:
        with using(lang):
            return words(option)

    return show


def _level_words(scale: str) -> Callable[[str], str]:
    return lambda option: _("{scale} level {level}").format(scale=scale, level=_ROMAN[option])


def _yes_no(option: str) -> str:
    return _("yes") if option == "yes" else _("no")


def _sex_words(option: str) -> str:
    return _("girl") if option == "female" else _("boy")


def _widget_key(key: str) -> str:
    return f"answer-{key}"


def _write_link(key: str) -> None:
    chosen = st.session_state.get(_widget_key(key))
    if chosen:
        st.query_params[key] = chosen
    elif key in st.query_params:
        del st.query_params[key]


def _questions(answers: Answers) -> None:
    """The questions, seeded from the link; a change writes the link."""
    spelled = dict(answer_pairs(answers))
    for key in KEYS:
        st.session_state[_widget_key(key)] = spelled.get(key)
    when = [k for k, _low, _high in WHEN]
    asked: list[tuple[str, str, list[str], Callable[[str], str], str | None]] = [
        ("sex", _("Your child is a"), ["female", "male"], _sex_words, None),
        (
            "dx",
            _("Diagnosis"),
            list(DIAGNOSES),
            lambda k: _(DIAGNOSES[k]),
            _("The kind of cerebral palsy, as your child's doctor named it."),
        ),
        (
            "gmfcs",
            _("GMFCS level (how your child moves about)"),
            list(_ROMAN),
            _level_words("GMFCS"),
            _("I: walks without limits … V: is pushed in a wheelchair. Ask your physiotherapist."),
        ),
        (
            "macs",
            _("MACS level (how your child uses their hands)"),
            list(_ROMAN),
            _level_words("MACS"),
            _("I: handles objects easily … V: cannot handle objects without help."),
        ),
        (
            "seizures",
            _("Has your child had seizures (epilepsy)?"),
            ["yes", "no"],
            _yes_no,
            None,
        ),
        (
            "botox",
            _("Last botulinum toxin (Botox) injection"),
            when,
            lambda k: _(WHEN_WORDS[k]),
            None,
        ),
        (
            "surgery",
            _("Last orthopaedic surgery (bones, tendons or muscles)"),
            when,
            lambda k: _(WHEN_WORDS[k]),
            None,
        ),
    ]
    if answers.age is None:
        st.caption(
            _(
                "Set your child's age in the filters to read the age limits too "
                "(on a phone, the » menu at the top left)."
            )
        )
    # Two to a row on a wide screen; on a phone the rows stack in the same order.
    for i, (key, label, options, words, help_text) in enumerate(asked):
        if i % 2 == 0:
            row = st.columns(2)
        with row[i % 2]:
            st.selectbox(
                label,
                options,
                format_func=_in_words(words),
                key=_widget_key(key),
                placeholder=_("Not answered"),
                help=help_text,
                on_change=_write_link,
                args=(key,),
            )
    st.caption(
        _(
            "Your answers stay in this page's link only: they are not saved on our server, "
            "and following a search or a trial never sends them."
        )
    )


def _draw_line(line: Line) -> None:
    colour = _BADGE.get(line.verdict, "gray")
    indent = "\u2003" * line.depth  # an em space per level
    st.markdown(f"{indent}:{colour}-badge[{verdict_words(line.verdict)}] {md(line.text)}")
    for explained in line.explained:
        st.caption(f"{indent}{md(explained.term)}: {md(explained.text)}")


def _draw_list(title: str, lines: Sequence[Line]) -> None:
    if not lines:
        return
    st.markdown(f"**{md(title)}**")
    with st.container(border=True):
        for line in lines:
            _draw_line(line)


def _draw(checklist: Checklist) -> None:
    if not checklist.stated:
        st.markdown(md(_("The record states no criteria.")))
        return
    if not checklist.lines:
        st.markdown(md(_("The record's criteria could not be read as a list.")))
        return
    if checklist.answered:
        st.markdown(md(summary_words(checklist)))
    _draw_list(_("To join, the record asks for"), checklist.inclusion)
    _draw_list(_("The record rules out"), checklist.exclusion)
    _draw_list(_("Other criteria (the record does not say which kind)"), checklist.unsorted)
    bring = _("Questions to bring to the trial team")
    st.markdown(f"**{md(bring)}**")
    asked = [_("Could my child join? What would rule my child out?")]
    asked += [
        _("About “{item}”: does this apply to my child?").format(item=text)
        for text in checklist.to_ask
    ]
    st.markdown("\n".join(f"- {md(q)}" for q in asked))


def _ages(trial: Trial) -> tuple[str | None, str | None]:
    return trial.eligibility.min_age, trial.eligibility.max_age


def _translated_criteria(trial: Trial) -> str | None:
    """The curator's criteria in the page's language, if written."""
    return trial.criteria_vi if language() == "vi" else None


def eligibility_section(trial: Trial) -> None:
    """The trial page's part: the questions, the two lists, the raw text, what to ask."""
    answers, problems = current_answers()
    st.subheader(_("Could my child join?"))
    st.info(md(team_decides()), icon=":material/groups:")
    if problems:
        notice = _("Ignored {problems}.").format(problems="; ".join(str(p) for p in problems))
        st.warning(md(notice), icon=":material/link_off:")
    with st.expander(_("Questions about your child"), expanded=True):
        _questions(answers)
    translated = _translated_criteria(trial)
    if language() != "en" and not translated:
        st.caption(_("Text from the registry is shown in the registry's language (English)."))
    _draw(build_checklist(trial.eligibility.criteria, answers, translated, _ages(trial)))
    with st.expander(_("Eligibility criteria, as the record states them")):
        if language() == "vi" and trial.criteria_vi:
            # Staff's translation first, then the record's own words: a translation
            # can fall behind the record it was made from.
            st.markdown(md(trial.criteria_vi))
            st.caption(_("Translated by the catalogue's staff. As the record states them:"))
        st.markdown(md(trial.eligibility.criteria or _("Not given.")))


def eligibility_handout(trial: Trial) -> str:
    """The handout's part, as HTML (printed inside it)."""
    answers, _problems = current_answers()
    checklist = build_checklist(
        trial.eligibility.criteria, answers, _translated_criteria(trial), _ages(trial)
    )
    return checklist_html(checklist, answers)


def eligibility_compare(trials: Sequence[Trial]) -> None:
    """The comparison's part: each trial's criteria against the answers, in one line."""
    answers, _problems = current_answers()
    title = _("Could my child join?")
    st.markdown(f"**{md(title)}**")
    st.caption(md(team_decides()))
    for trial in trials:
        checklist = build_checklist(trial.eligibility.criteria, answers, ages=_ages(trial))
        st.markdown(f"- **{md(trial.id)}**: {md(summary_words(checklist))}")
