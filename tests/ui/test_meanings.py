"""The find page in a family's words: what it understood, and the meanings of "CP"."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.ui.reading import assert_clean, cards, plain
from tests.ui.trialdata import CP_ALL, build_data_dir
from trialfinder.catalog import load_catalog

SYNONYMS = Path(__file__).resolve().parents[2] / "data" / "synonyms.yaml"


@pytest.fixture(scope="module")
def words_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = build_data_dir(tmp_path_factory.mktemp("ui-words") / "data")
    shutil.copy(SYNONYMS, root / "synonyms.yaml")
    load_catalog(root)  # the snapshot built here, not inside the first page's run
    return root


def sentence(at) -> str:
    return plain(at.markdown[0].value)


def test_a_vietnamese_condition_finds_the_same_trials_and_says_so(open_app, words_data_dir):
    at = open_app("cond=bại+não", data=words_data_dir)
    assert_clean(at)
    assert list(cards(at)) == CP_ALL
    assert at.subheader[0].value == f"{len(CP_ALL)} trials match"  # the count, said once
    assert sentence(at) == "Trials for cerebral palsy (you typed: bại não)"
    # the link keeps what the family typed
    assert dict(at.query_params) == {"cond": "bại não"}


def test_on_a_vietnamese_page_the_name_is_vietnamese(open_app, words_data_dir):
    at = open_app("cond=cerebral+palsy&lang=vi", data=words_data_dir)
    assert_clean(at)
    assert "bại não (bạn đã gõ: cerebral palsy)" in sentence(at)


def meaning_buttons(at) -> dict[str, object]:
    return {plain(b.label): b for b in at.button if b.key and b.key.startswith("meaning-")}


def test_cp_offers_its_meanings_and_picks_none(open_app, words_data_dir):
    at = open_app("cond=CP&age=4y", data=words_data_dir)
    assert_clean(at)
    assert "TF-CP-001" not in cards(at)
    question = [m.value for m in at.markdown if "can mean several things" in m.value]
    assert len(question) == 1 and "“CP”" in plain(question[0])
    buttons = meaning_buttons(at)
    assert list(buttons) == [
        "cerebral palsy",
        "chest pain",
        "chronic pancreatitis",
        "chronic prostatitis",
    ]
    buttons["cerebral palsy"].click().run()
    assert_clean(at)
    assert sentence(at).startswith("Trials for cerebral palsy that accept a child of 4 years")
    assert at.query_params["cond"] == "cerebral palsy"
    assert not meaning_buttons(at)


def test_a_condition_with_one_meaning_offers_nothing(open_app, words_data_dir):
    at = open_app("cond=cerebral+palsy", data=words_data_dir)
    assert not [m for m in at.markdown if "can mean several things" in m.value]


def test_on_a_vietnamese_page_a_meaning_the_file_names_is_in_vietnamese(open_app, words_data_dir):
    at = open_app("cond=CP&lang=vi", data=words_data_dir)
    assert_clean(at)
    buttons = meaning_buttons(at)
    assert list(buttons) == ["bại não", "đau ngực", "viêm tụy mạn", "viêm tuyến tiền liệt mạn"]
    buttons["bại não"].click().run()
    assert "bại não (bạn đã gõ: cerebral palsy)" in sentence(at)
