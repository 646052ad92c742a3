"""The last good catalog is served while the data on disk is broken."""

import pytest

from trialfinder.catalog import build_catalog
from trialfinder.catalog.serving import NoCatalog, choose_catalog
from trialfinder.errors import DataProblem
from trialfinder.model import Trial

GOOD = build_catalog([Trial(id="NCT00000001"), Trial(id="NCT00000002")])
BROKEN_FILE = DataProblem(file="data/trials/X.yaml", message="not valid YAML", field=None)
WITH_PROBLEM = build_catalog([Trial(id="NCT00000001")], [BROKEN_FILE])


def test_fresh_data_is_served_when_all_is_well() -> None:
    fresh = build_catalog([Trial(id="NCT00000003")])
    served = choose_catalog(fresh, None, GOOD)
    assert served.catalog is fresh and served.attention is None


def test_a_file_that_breaks_keeps_the_last_good_catalog() -> None:
    served = choose_catalog(WITH_PROBLEM, None, GOOD)
    assert served.catalog is GOOD
    assert "1 data file problem" in served.attention and "About the data" in served.attention
    assert served.pending_problems == (BROKEN_FILE,)


def test_a_problem_already_known_does_not_hold_back_new_data() -> None:
    fresh = build_catalog([Trial(id="NCT00000001"), Trial(id="NCT00000004")], [BROKEN_FILE])
    served = choose_catalog(fresh, None, WITH_PROBLEM)
    assert served.catalog is fresh and served.attention is None


def test_a_load_that_fails_keeps_the_last_good_catalog() -> None:
    served = choose_catalog(None, "disk error", GOOD)
    assert served.catalog is GOOD and "disk error" in served.attention


def test_nothing_to_serve_says_so() -> None:
    with pytest.raises(NoCatalog, match="disk error"):
        choose_catalog(None, "disk error", None)
    first = choose_catalog(WITH_PROBLEM, None, None)
    assert first.catalog is WITH_PROBLEM and first.attention is None
