"""A data file that breaks while the dashboard runs: the last good data stays served."""

import shutil
import time
from pathlib import Path

from tests.ui.reading import cards
from tests.ui.trialdata import build_data_dir


def test_a_corrupted_file_keeps_the_last_good_catalog(open_app, tmp_path: Path) -> None:
    data = build_data_dir(tmp_path / "data")
    shutil.rmtree(data / ".snapshot", ignore_errors=True)
    seed = data / "trials" / "NCT07527104.yaml"
    assert seed.exists()

    before = open_app("cond=cerebral palsy", data=data)
    assert "NCT07527104" in cards(before)
    assert not before.warning

    seed.write_text("id: NCT07527104\nstatus: [unclosed\n", encoding="utf-8")
    # The changed data loads beside the catalog served (a page waits a moment
    # for it): a page soon after the change knows of the problem.
    deadline = time.monotonic() + 30
    after = open_app("cond=cerebral palsy", data=data)
    while not after.warning and time.monotonic() < deadline:
        time.sleep(0.2)
        after = open_app("cond=cerebral palsy", data=data)
    assert "NCT07527104" in cards(after)  # still served from the last good catalog
    attention = [w.value for w in after.warning]
    assert any("problem" in w and "About the data" in w for w in attention)

    staff = open_app(page="pages/data.py", data=data)
    listed = " ".join(m.value for m in staff.markdown)
    assert "NCT07527104.yaml" in listed.replace("\\", "")
