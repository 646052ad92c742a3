"""The same words on the command line: `trialfinder search` and `trialfinder validate`."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner, Result

from trialfinder.cli import main

SHIPPED = Path(__file__).resolve().parents[2] / "data"


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def shipped_copy(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(SHIPPED, target, ignore=shutil.ignore_patterns(".snapshot*"))
    return target


def test_search_in_vietnamese_finds_both_seed_trials(tmp_path: Path) -> None:
    data = shipped_copy(tmp_path)
    for query in ("cond=bại não", "cond=bai nao", "cond=trẻ bị bại não&age=4 tuổi"):
        result = run("search", query, "--data-dir", str(data))
        assert result.exit_code == 0, result.output
        assert result.stdout.split() == ["NCT07527104", "VINMEC-CP-BMMNC"], query
    assert (
        "2 trials for cerebral palsy (you typed: bại não)"
        in run("search", "cond=bại não", "--data-dir", str(data)).stderr
    )


def test_the_commonest_kind_of_cerebral_palsy_in_vietnamese_finds_its_trial(
    tmp_path: Path,
) -> None:
    """ "bại não thể co cứng" (spastic cerebral palsy) finds the Vinmec trial, as the
    English words do; the trial for cerebral palsy in general names no kind."""
    data = shipped_copy(tmp_path)
    for query in (
        "cond=bại não thể co cứng",
        "cond=bai nao co cung",
        "cond=spastic cerebral palsy",
    ):
        result = run("search", query, "--data-dir", str(data))
        assert result.exit_code == 0, result.output
        assert result.stdout.split() == ["VINMEC-CP-BMMNC"], query
    said = run("search", "cond=bại não thể co cứng", "--data-dir", str(data)).stderr
    assert "spastic cerebral palsy (you typed: bại não thể co cứng)" in said


def test_search_names_the_meanings_of_an_abbreviation(tmp_path: Path) -> None:
    result = run("search", "CP", "--data-dir", str(shipped_copy(tmp_path)))
    assert "'CP' can mean several things" in result.stderr
    assert "'cond=cerebral palsy'" in result.stderr


def test_validate_names_the_synonyms_file_entry_and_field(tmp_path: Path) -> None:
    data = shipped_copy(tmp_path)
    synonyms = data / "synonyms.yaml"
    synonyms.write_text(
        synonyms.read_text(encoding="utf-8").replace(
            "    registry: [Asthma]\n", "    registy: [Asthma]\n"
        ),
        encoding="utf-8",
    )
    result = run("validate", "--data-dir", str(data))
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert f"{synonyms}, record conditions 'asthma', field registy: unknown key" in lines[0]
    assert lines[1].startswith(f"{synonyms}, record conditions 'asthma', field registry: ")
    assert lines[-1] == f"2 problem(s) in {data}"


def test_the_shipped_data_is_valid() -> None:
    result = run("validate", "--data-dir", str(SHIPPED))
    assert result.exit_code == 0, result.output
