"""The filter model: every list of the filters is generated from trialfinder.query.FILTERS
(the link, the sentence, the masks, the README's table, the command's flags, the e-mail)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from click.testing import CliRunner

from tests.factories import catalog_of, cerebral_palsy_hanoi, trial
from trialfinder import i18n
from trialfinder.cli import main
from trialfinder.follow import digest
from trialfinder.query import FILTERS, Query, apply_query, parse_query
from trialfinder.query.filters import CLAUSE, KIND, PLACE, SENTENCE_ORDER, filter_table
from trialfinder.query.place import PLACE_FILTER

ROOT = Path(__file__).resolve().parents[2]


def test_the_readme_table_is_the_generated_one() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert filter_table() in readme
    assert readme.count("| key | repeatable | meaning |") == 1


def test_a_query_has_one_field_a_filter_in_the_filters_order() -> None:
    assert tuple(Query.__dataclass_fields__) == tuple(f.key for f in FILTERS)


def test_every_filter_reads_in_a_sentence_or_is_a_part_of_the_place() -> None:
    for f in FILTERS:
        assert f.meaning, f.key
        if f.part == PLACE:
            assert f.key in PLACE_FILTER.keys and f.words is None and f.mask is None
        else:
            assert f.part in (KIND, CLAUSE) and f.key in SENTENCE_ORDER
            assert f.words is not None and f.mask is not None, f.key
    assert PLACE_FILTER.keys == ("country", "near", "within")
    assert sorted(SENTENCE_ORDER) == sorted(f.key for f in FILTERS if f.part != PLACE)


def test_what_a_filter_writes_it_reads_back() -> None:
    link = (
        "cond=cerebral+palsy&age=4y3m&status=recruiting&country=Vietnam&near=Hanoi"
        "&within=12.5&phase=phase2&type=interventional&intr=botulinum&spons=Vinmec"
    )
    query = parse_query(link).query
    for f in FILTERS:
        value = getattr(query, f.key)
        assert f.values(value), f.key
        for key, text in f.params(value):
            assert key == f.key
            assert f.read(text) in f.values(value), (f.key, text)
    assert query.to_query_string() == link


def test_each_mask_keeps_the_trials_its_filter_names() -> None:
    hanoi = cerebral_palsy_hanoi()
    other = trial("NCT00000002", conditions=("Asthma",), status="COMPLETED")
    catalog = catalog_of(hanoi, other)
    masked = [f for f in FILTERS if f.mask is not None]
    by_key = {f.key: f for f in masked}
    kept = by_key["cond"].mask(catalog, ("cerebral palsy",))
    assert catalog.trials["id"][kept].tolist() == [hanoi.id]
    kept = by_key["status"].mask(catalog, ("COMPLETED",))
    assert catalog.trials["id"][kept].tolist() == ["NCT00000002"]
    assert not np.any(by_key["status"].mask(catalog, ("WITHDRAWN",)))


def test_the_sentence_follows_the_page_language_and_the_count() -> None:
    query = parse_query("status=recruiting&cond=cerebral+palsy&age=4y&near=Hanoi").query
    assert query.describe() == (
        "Recruiting trials for cerebral palsy that accept a child of 4 years, within 50 km of Hanoi"
    )
    assert query.describe(1) == (
        "1 recruiting trial for cerebral palsy that accepts a child of 4 years, "
        "within 50 km of Hanoi"
    )
    with i18n.using("vi"):
        vietnamese = query.describe()
    assert vietnamese != query.describe() and "Hanoi" in vietnamese
    assert digest.describe_search(query.to_query_string(), "vi") == vietnamese
    assert digest.describe_search(query.to_query_string(), "en") == query.describe()


def test_the_search_command_has_one_flag_a_filter_with_its_meaning() -> None:
    help_text = CliRunner().invoke(main, ["search", "--help"], terminal_width=400).output
    for f in FILTERS:
        assert f"--{f.key} " in help_text, f.key
        assert f.meaning.split(",")[0].split(";")[0] in help_text.replace("\n", " "), f.key


def test_the_catalog_remembers_what_is_worked_out_once() -> None:
    catalog = catalog_of(cerebral_palsy_hanoi())
    calls = []

    def work() -> int:
        calls.append(1)
        return 42

    assert catalog.remembered("answer", work) == 42
    assert catalog.remembered("answer", work) == 42
    assert calls == [1]
    assert catalog.id_index() is catalog.id_index()
    results = apply_query(catalog, Query())
    assert results["id"].tolist() == [cerebral_palsy_hanoi().id]
