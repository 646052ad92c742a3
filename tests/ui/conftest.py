"""AppTest fixtures: the dashboard run in-process on a data dir of our own records."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import parse_qsl

import pytest
from streamlit.testing.v1 import AppTest

from tests.ui.trialdata import DASHBOARD, build_broken_data_dir, build_data_dir

#: First runs load the catalog (parsing 70-odd YAML files); give them room on slow CI.
TIMEOUT_S = 30


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_data_dir(tmp_path_factory.mktemp("ui") / "data")


@pytest.fixture(scope="session")
def broken_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_broken_data_dir(tmp_path_factory.mktemp("ui-broken") / "data")


OpenApp = Callable[..., AppTest]


@pytest.fixture
def open_app(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[OpenApp]:
    """Open the dashboard the way a link opens it: a page and a query string.

    ``page`` is the page's file (``"pages/trial.py"``); the run goes through
    dashboard.py, as in a browser, so the link check and the filters run first.
    ``url`` is the address the browser reports (``st.context.url``).
    """

    def open_(
        query: str = "",
        page: str | None = None,
        data: Path | None = None,
        url: str | None = None,
    ) -> AppTest:
        monkeypatch.setenv("TRIALFINDER_DATA_DIR", str(data or data_dir))
        at = AppTest.from_file(str(DASHBOARD), default_timeout=TIMEOUT_S)
        if url:
            at.context = {"url": url}
        pairs: dict[str, list[str]] = {}
        for key, value in parse_qsl(query.lstrip("?"), keep_blank_values=True):
            pairs.setdefault(key, []).append(value)
        for key, values in pairs.items():
            at.query_params[key] = values if len(values) > 1 else values[0]
        if page:
            at.switch_page(page)
        at.run()
        return at

    yield open_
