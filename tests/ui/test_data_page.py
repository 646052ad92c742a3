"""The /data page: counts, where the data came from, and the last refresh's changes."""

import json
from pathlib import Path

from tests.support.studies import made_up_many
from tests.ui.reading import assert_clean, texts
from trialfinder.store.importer import import_paths


def test_the_data_page_shows_the_last_import_and_its_origin(open_app, tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "trials").mkdir(parents=True)
    pulled = tmp_path / "pulled.json"
    pulled.write_text(json.dumps({"studies": made_up_many(2)}), encoding="utf-8")
    report = import_paths([pulled], data)
    assert report.added == 2

    at = open_app(page="pages/data.py", data=data)
    assert_clean(at)
    shown = texts(at)
    assert any(t.startswith("2 trials and") for t in shown)
    assert any("Where they come from: ctgov: 2" in t for t in shown)
    expanders = [e.proto.label for e in at.expander]
    assert any("imported" in label and "2 added" in label.replace("\\", "") for label in expanders)
    assert any(str(pulled) in t for t in shown)
