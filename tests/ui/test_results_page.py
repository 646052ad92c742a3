"""What earlier trials found, on the trial page and the treatment view (AppTest)."""

from __future__ import annotations

import html
import json
from pathlib import Path

import pytest

from tests.support.results_data import (
    MARKUP_GROUP,
    NO_RESULTS,
    PARTLY_STATED,
    WITH_RESULTS,
    build_results_data_dir,
)
from tests.ui.reading import assert_clean, plain, texts, walk
from tests.ui.test_language import _english_sentences, _shown


@pytest.fixture(scope="module")
def results_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_results_data_dir(tmp_path_factory.mktemp("results") / "data")


def _section(at, key: str):
    (block,) = [b for b in walk(at.main) if getattr(b, "key", None) == key]
    return block


def _charts(node) -> list[str]:
    """Each chart's description: its figures in words, read by screen readers."""
    return [
        json.loads(b.proto.spec)["description"]
        for b in walk(node)
        if getattr(b, "type", None) == "vega_lite_chart"
    ]


def test_a_trial_with_results_shows_them_per_group_of_n(open_app, results_dir) -> None:
    at = open_app(f"id={WITH_RESULTS}", page="pages/trial.py", data=results_dir)
    assert_clean(at)
    section = _section(at, f"results-{WITH_RESULTS}")
    lines = "\n".join(texts(section))
    assert "What the trial found" in lines
    assert "Results posted" in lines
    assert f"{MARKUP_GROUP}: 25 started, 22 completed" in lines
    assert f"{MARKUP_GROUP}: 3 of 25 had a serious side effect" in lines
    assert "Saline: 1 of 23 had a serious side effect" in lines
    assert "Counted over: 12 weeks after the injection" in lines
    assert f"Swallowing difficulty ({MARKUP_GROUP}: 2 of 25; Saline: 0 of 23)" in lines
    assert "Saline: -0.4 units on a scale" in lines
    assert "time frame: Baseline and week 12" in lines
    assert "registry's words" in lines
    assert "%" not in lines
    # Trial text is data: the group's markup is escaped wherever it is shown.
    raw = [m.value for m in section.markdown if "Toxin" in m.value]
    assert raw and all("<b>" not in r and "\\<b\\>" in r for r in raw)
    assert _charts(section) == [
        f"{MARKUP_GROUP}: 3 of 25 had a serious side effect; "
        "Saline: 1 of 23 had a serious side effect"
    ]


def test_publications_link_to_pubmed_and_only_by_id(open_app, results_dir) -> None:
    at = open_app(f"id={WITH_RESULTS}", page="pages/trial.py", data=results_dir)
    section = _section(at, f"results-{WITH_RESULTS}")
    links = [m.value for m in section.markdown if "pubmed.ncbi.nlm.nih.gov" in m.value]
    assert len(links) == 2
    assert "](https://pubmed.ncbi.nlm.nih.gov/31234567/)" in links[0]
    assert "Reports this trial's results" in plain(links[0])
    lines = "\n".join(texts(section))
    assert "Pham D. A book chapter without a PubMed id." in lines


def test_a_trial_without_results_says_so_with_the_overdue_flag(open_app, results_dir) -> None:
    at = open_app(f"id={NO_RESULTS}", page="pages/trial.py", data=results_dir)
    assert_clean(at)
    lines = "\n".join(texts(_section(at, f"results-{NO_RESULTS}")))
    assert "No results posted" in lines
    assert "Results overdue." in lines and "Completed May 2018; no results posted." in lines
    assert "The record lists no publications." in lines
    assert "started" not in lines
    assert _charts(_section(at, f"results-{NO_RESULTS}")) == []


def test_a_number_the_record_leaves_out_is_not_charted(open_app, results_dir) -> None:
    at = open_app(f"id={PARTLY_STATED}", page="pages/trial.py", data=results_dir)
    section = _section(at, f"results-{PARTLY_STATED}")
    lines = "\n".join(texts(section))
    assert "High dose: 2 had a serious side effect; the record does not say of how many" in lines
    assert _charts(section) == ["Low dose: 0 of 15 had a serious side effect"]


def test_in_vietnamese_the_words_change_and_the_figures_do_not(open_app, results_dir) -> None:
    at = open_app(f"id={WITH_RESULTS}&lang=vi", page="pages/trial.py", data=results_dir)
    assert_clean(at)
    lines = "\n".join(texts(_section(at, f"results-{WITH_RESULTS}")))
    assert "Thử nghiệm đã tìm thấy gì" in lines
    assert "Đã công bố kết quả" in lines
    assert "Saline: 1 trên 23 người gặp tác dụng phụ nghiêm trọng" in lines
    assert "ngôn ngữ gốc (tiếng Anh)" in lines
    assert "had a serious side effect" not in lines


def test_the_treatment_view_reads_results_across_its_trials(open_app, results_dir) -> None:
    at = open_app("intr=Botulinum toxin type A", page="pages/treatment.py", data=results_dir)
    assert_clean(at)
    section = _section(at, "results-across")
    lines = "\n".join(texts(section))
    assert "What earlier trials found" in lines
    assert f"**Serious side effects:** {MARKUP_GROUP}: 3 of 25; Saline: 1 of 23" in lines
    assert (
        "**Serious side effects:** Low dose: 0 of 15; High dose: 2 (of a total not given)" in lines
    )
    assert f"**No results posted:** {NO_RESULTS}" in lines
    assert "3 publications" in lines
    (chart,) = _charts(section)
    assert f"{WITH_RESULTS} · Saline: 1 of 23 had a serious side effect" in chart
    assert f"{PARTLY_STATED} · Low dose: 0 of 15" in chart and "High dose" not in chart


@pytest.mark.parametrize(
    ("page", "query"),
    [
        ("pages/trial.py", f"id={WITH_RESULTS}"),
        ("pages/trial.py", f"id={NO_RESULTS}"),
        ("pages/treatment.py", "intr=Botulinum toxin type A"),
    ],
)
def test_no_english_of_ours_is_left_in_vietnamese(open_app, results_dir, page, query) -> None:
    at = open_app(query + "&lang=vi", page=page, data=results_dir)
    assert_clean(at)
    shown = "\n".join(_shown(at))
    for sentence in _english_sentences():
        assert sentence not in shown, f"English left on {page}: {sentence!r}"


def test_the_comparison_shows_what_each_trial_found(open_app, results_dir) -> None:
    ids = f"ids={WITH_RESULTS}&ids={PARTLY_STATED}&ids={NO_RESULTS}"
    at = open_app(ids, page="pages/compare.py", data=results_dir)
    assert_clean(at)
    (table,) = [h.value for h in at.html if "tf-compare" in h.value]
    escaped = html.escape(f"{MARKUP_GROUP}: 3 of 25; Saline: 1 of 23")
    assert f"<td>{escaped}</td>" in table
    assert "<td>Low dose: 0 of 15; High dose: 2 (of a total not given)</td>" in table
    assert "<td>No results posted</td>" in table
    assert "What it found" in table and "<b>Toxin" not in table
