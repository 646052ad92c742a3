"""A link with more parameters than Streamlit reads (issue 23): 1,500 ``cond=`` values
used to open with every filter silently dropped and every trial shown."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qsl, urlencode

import pytest
from streamlit.testing.v1 import AppTest

from tests.ui.conftest import TIMEOUT_S
from tests.ui.reading import assert_clean, notices
from tests.ui.trialdata import DASHBOARD
from trialfinder.query import parse_query
from trialfinder.query.parse import LINK_CUT
from trialfinder.ui.filters import search_terms
from trialfinder.ui.linklimit import first_fields


def test_a_link_within_the_limit_is_read_as_it_is() -> None:
    link = urlencode([("cond", f"c{i}") for i in range(999)])
    assert first_fields(link) == link
    assert first_fields("") == ""


def test_a_longer_link_keeps_its_first_parameters_and_says_how_many_it_had() -> None:
    link = urlencode([("cond", f"c{i}") for i in range(1500)] + [("age", "4")])
    cut = parse_qsl(first_fields(link))
    assert len(cut) == 1000
    assert cut[:999] == [("cond", f"c{i}") for i in range(999)]
    assert cut[-1] == (LINK_CUT, "1501")
    notice = parse_query(cut).notice()
    assert notice is not None
    assert notice.startswith(
        "Ignored the rest of the link: past its first 1,000 parts (the link had 1,501); not read;"
    )
    # 980 ignored: the cut and c20..c998; the first 10 are named, the rest counted.
    assert notice.endswith("and 970 more values.")


def test_a_link_of_1500_conditions_opens_with_a_notice_and_its_first_filters(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRIALFINDER_DATA_DIR", str(data_dir))
    # dashboard.py installs the cut on a process's first run: run it once first.
    AppTest.from_file(str(DASHBOARD), default_timeout=TIMEOUT_S).run()
    at = AppTest.from_file(str(DASHBOARD), default_timeout=4 * TIMEOUT_S)
    at.query_params["cond"] = [f"palsy {i}" for i in range(1500)]
    at.query_params["age"] = "4"
    at.run()
    assert_clean(at)
    said = " ".join(notices(at))
    assert "past its first 1,000 parts (the link had 1,501)" in said
    assert "more than 20 values" in said
    [conditions] = [w for w in at.text_input if w.label == "Condition"]
    assert search_terms(conditions.value) == [f"palsy {i}" for i in range(20)]
