"""``trialfinder import`` and ``validate`` given hostile files (issue 23).

Real special files (a FIFO made with mkfifo, a symlink to /dev/zero, a symlink
out of the folder), a zip whose one member is far larger than the zip, text
that cannot be stored as UTF-8, NCT numbers in other scripts' digits, a date
in the year 9999 and a curated YAML alias bomb. Each is skipped or refused
with a plain message naming the file (and the record and field where there is
one), in bounded time, and the good records beside it are imported. No test
here may see a traceback: ``catch_exceptions=False``.
"""

from __future__ import annotations

import json
import os
import threading
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from tests.support.studies import data_state, leftovers, made_up
from trialfinder.cli import main
from trialfinder.errors import DataError
from trialfinder.sources import ctgov
from trialfinder.sources.curated import read_curated
from trialfinder.store.layout import registry_path
from trialfinder.store.reading import check_data_dir, load_trials


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False, env=env)


def write_json(path: Path, data: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def skipped(result: Result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("skipped ")]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """An input folder holding one good study."""
    inputs = tmp_path / "in"
    write_json(inputs / "good.json", made_up("NCT09930001"))
    return inputs


def imported(data: Path) -> list[str]:
    return [t.id for t in load_trials(data).trials]


def test_a_fifo_is_skipped_without_waiting(tmp_path: Path, folder: Path) -> None:
    os.mkfifo(folder / "pipe.json")
    data = tmp_path / "data"
    outcome: list[Result] = []
    worker = threading.Thread(
        target=lambda: outcome.append(run("import", str(folder), "--data-dir", str(data))),
        daemon=True,
    )
    worker.start()
    worker.join(20)
    assert not worker.is_alive(), "the import waited on the FIFO"
    [result] = outcome
    assert result.exit_code == 1
    [line] = skipped(result)
    assert str(folder / "pipe.json") in line and "named pipe (FIFO), not a regular file" in line
    assert imported(data) == ["NCT09930001"]
    (folder / "pipe.json").unlink()
    again = run("import", str(folder), "--data-dir", str(data))
    assert again.exit_code == 0, again.output  # the lock was let go (75 if still held)


def test_a_symlink_to_dev_zero_is_skipped(tmp_path: Path, folder: Path) -> None:
    (folder / "x.json").symlink_to("/dev/zero")
    data = tmp_path / "data"
    result = run("import", str(folder), "--data-dir", str(data))
    assert result.exit_code == 1
    [line] = skipped(result)
    assert str(folder / "x.json") in line and "outside the folder" in line
    assert imported(data) == ["NCT09930001"]


def test_dev_zero_given_by_name_is_refused_unread(tmp_path: Path) -> None:
    # Named directly (not in a folder), a device is still not read.
    [item] = list(ctgov.iter_studies(Path("/dev/zero")))
    assert item.study is None and item.problem is not None
    assert "a device, not a regular file" in item.problem.message


def test_a_symlink_out_of_the_folder_is_not_followed_nor_shown(
    tmp_path: Path, folder: Path
) -> None:
    secret = write_json(tmp_path / "elsewhere" / "secret.json", {"password": "hunter2", "x": 1})
    (folder / "linked.json").symlink_to(secret)
    data = tmp_path / "data"
    result = run("import", str(folder), "--data-dir", str(data))
    assert result.exit_code == 1
    [line] = skipped(result)
    assert str(folder / "linked.json") in line and "outside the folder" in line
    assert "password" not in result.output and "hunter2" not in result.output
    assert imported(data) == ["NCT09930001"]


def test_a_symlink_inside_the_folder_is_read(tmp_path: Path, folder: Path) -> None:
    real = write_json(folder / "sub" / "real.json", made_up("NCT09930002"))
    (folder / "alias.json").symlink_to(real)
    data = tmp_path / "data"
    result = run("import", str(folder), "--data-dir", str(data))
    assert imported(data) == ["NCT09930001", "NCT09930002"], result.output


def test_a_small_zip_holding_a_huge_member_is_refused_unread(tmp_path: Path) -> None:
    archive = tmp_path / "bomb.zip"
    big = made_up("NCT09930003")
    big["protocolSection"]["descriptionModule"] = {"briefSummary": " " * 3_000_000}
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("NCT09930003.json", json.dumps(big))
        zf.writestr("NCT09930001.json", json.dumps(made_up("NCT09930001")))
    assert archive.stat().st_size < 100_000
    data = tmp_path / "data"
    result = run("import", str(archive), "--data-dir", str(data), "--max-file-mb", "1")
    assert result.exit_code == 1
    [line] = skipped(result)
    assert f"{archive}!NCT09930003.json" in line
    assert "zip member is 3 MB, over the limit of 1 MB" in line and "--max-file-mb" in line
    assert imported(data) == ["NCT09930001"]


def test_a_study_over_the_record_limit_is_skipped_and_named(tmp_path: Path) -> None:
    big = made_up("NCT09930004")
    big["protocolSection"]["descriptionModule"] = {"briefSummary": "word " * 400_000}
    path = write_json(tmp_path / "page.json", [made_up("NCT09930001"), big])
    data = tmp_path / "data"
    result = run("import", str(path), "--data-dir", str(data), "--max-record-mb", "1")
    assert result.exit_code == 1
    [line] = skipped(result)
    assert f"{path}[1]" in line and "record NCT09930004" in line
    assert "over the limit of 1 MB" in line
    assert imported(data) == ["NCT09930001"]


def test_a_stored_file_over_the_record_limit_is_reported_by_validate(
    tmp_path: Path, folder: Path
) -> None:
    data = tmp_path / "data"
    run("import", str(folder), "--data-dir", str(data))
    path = registry_path(data, "NCT09930001").resolve()
    path.write_bytes(path.read_bytes()[:-2] + b" " * 2_000_000 + b"}\n")
    result = run("validate", "--data-dir", str(data), env={"TRIALFINDER_MAX_RECORD_MB": "1"})
    assert result.exit_code != 0
    assert "NCT09930001.json" in result.output and "over the limit of 1 MB" in result.output


def test_a_lone_surrogate_does_not_abort_the_import(tmp_path: Path) -> None:
    bad = made_up("NCT09930005", title="Title \ud800 with\x00 junk")
    path = tmp_path / "page.json"
    path.write_text(json.dumps([bad, made_up("NCT09930001")]), encoding="utf-8")
    data = tmp_path / "data"
    result = run("import", str(path), "--data-dir", str(data))
    assert result.exit_code == 0, result.output
    trials = {t.id: t for t in load_trials(data).trials}
    assert set(trials) == {"NCT09930001", "NCT09930005"}
    assert trials["NCT09930005"].brief_title == "Title  with junk"


@pytest.mark.parametrize(
    "nct",
    [
        "NCT\uff10\uff17\uff15\uff12\uff17\uff11\uff10\uff14",
        "NCT\u0660\u0667\u0665\u0662\u0667\u0661\u0660\u0664",
    ],
)
def test_an_nct_number_in_other_digits_is_not_a_separate_trial(tmp_path: Path, nct: str) -> None:
    path = write_json(tmp_path / "page.json", [made_up(nct), made_up("NCT07527104")])
    data = tmp_path / "data"
    result = run("import", str(path), "--data-dir", str(data))
    assert result.exit_code == 1
    [line] = skipped(result)
    assert f"{path}[0]" in line and "protocolSection.identificationModule.nctId" in line
    assert imported(data) == ["NCT07527104"]


def test_a_curated_file_named_with_fullwidth_digits_is_refused(tmp_path: Path) -> None:
    nct = "NCT\uff10\uff17\uff15\uff12\uff17\uff11\uff10\uff14"
    path = tmp_path / f"{nct}.yaml"
    path.write_text(f"id: {nct}\ntitle: A copy\n", encoding="utf-8")
    with pytest.raises(DataError) as caught:
        read_curated(path)
    assert caught.value.problem.field == "id"
    assert "digits other than 0-9" in caught.value.problem.message


def test_a_duplicate_dated_9999_does_not_win(tmp_path: Path) -> None:
    data = tmp_path / "data"
    forged = made_up("NCT09930001", status="WITHDRAWN", updated="9999-12-31")
    write_json(tmp_path / "a" / "forged.json", forged)
    run("import", str(tmp_path / "a"), "--data-dir", str(data))
    real = made_up("NCT09930001", status="RECRUITING", updated="2025-06-01")
    write_json(tmp_path / "b" / "real.json", real)
    result = run("import", str(tmp_path / "b"), "--data-dir", str(data))
    assert result.exit_code == 0, result.output
    [trial] = load_trials(data).trials
    assert trial.overall_status == "RECRUITING"


def test_an_unreadable_date_does_not_win_either(tmp_path: Path) -> None:
    path = write_json(
        tmp_path / "page.json",
        [
            made_up("NCT09930001", status="RECRUITING", updated="2025-06-01"),
            made_up("NCT09930001", status="WITHDRAWN", updated="2025-99-99"),
        ],
    )
    data = tmp_path / "data"
    run("import", str(path), "--data-dir", str(data))
    [trial] = load_trials(data).trials
    assert trial.overall_status == "RECRUITING"


def test_across_sources_a_future_date_does_not_win(tmp_path: Path) -> None:
    from tests.store.test_layout import publish_source

    publish_source(
        tmp_path, "one", [made_up("NCT09930001", status="WITHDRAWN", updated="9999-12-31")]
    )
    publish_source(
        tmp_path, "two", [made_up("NCT09930001", status="RECRUITING", updated="2025-06-01")]
    )
    [trial] = load_trials(tmp_path).trials
    assert trial.overall_status == "RECRUITING"


def test_a_yaml_alias_bomb_is_refused(tmp_path: Path) -> None:
    trials = tmp_path / "data" / "trials"
    trials.mkdir(parents=True)
    lines = ["id: LOCAL-1", "title: &big " + "x" * 100_000, "keywords:"]
    lines += ["  - *big"] * 1000
    (trials / "LOCAL-1.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run("validate", "--data-dir", str(tmp_path / "data"))
    assert result.exit_code != 0
    assert "LOCAL-1.yaml" in result.output and "a YAML alias" in result.output
    assert "line 4" in result.output
    assert load_trials(tmp_path / "data").trials == []


def test_a_yaml_file_over_its_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "LOCAL-2.yaml"
    path.write_text("id: LOCAL-2\ntitle: " + "y" * 1_100_000 + "\n", encoding="utf-8")
    with pytest.raises(DataError) as caught:
        read_curated(path)
    assert "over the limit of 1 MB" in caught.value.problem.message


def test_curated_text_is_cleaned_on_the_way_in(tmp_path: Path) -> None:
    path = tmp_path / "LOCAL-3.yaml"
    path.write_text('id: LOCAL-3\ntitle: "Bad\\0 title\\e here"\n', encoding="utf-8")
    assert read_curated(path).fields["brief_title"] == "Bad title here"


def test_nothing_stored_is_lost_when_every_input_is_hostile(tmp_path: Path, folder: Path) -> None:
    data = tmp_path / "data"
    run("import", str(folder), "--data-dir", str(data))
    before = data_state(data)
    hostile = tmp_path / "hostile"
    hostile.mkdir()
    os.mkfifo(hostile / "pipe.json")
    (hostile / "zero.json").symlink_to("/dev/zero")
    (hostile / "deep.json").write_text("[" * 100_000, encoding="utf-8")
    result = run("import", str(hostile), "--data-dir", str(data))
    assert result.exit_code == 1
    assert len(skipped(result)) == 3
    assert data_state(data) == before and leftovers(data) == []
    assert check_data_dir(data).problems == []
