"""The data directory: layout, atomic writes, fingerprint, loading with curated overlays.

Every record here is made up in this file.
"""

from __future__ import annotations

import enum
import json
import math
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trialfinder.store import layout, reading
from trialfinder.store.layout import (
    ENV_DATA_DIR,
    atomic_write_bytes,
    create_file,
    curated_files,
    data_files,
    default_data_dir,
    encode_study,
    fingerprint,
    indented_json,
    registry_files,
    registry_path,
    registry_pulls,
    shard_path,
    write_study,
)
from trialfinder.store.publish import Staging, data_lock
from trialfinder.store.reading import check_data_dir, load_trials

NCT_FIELD = "protocolSection.identificationModule.nctId"


def study(nct: str, **extra: Any) -> dict:
    return {
        "protocolSection": {
            "identificationModule": {"nctId": nct, "briefTitle": f"Registry title of {nct}"},
            "statusModule": {
                "overallStatus": extra.get("status", "RECRUITING"),
                "lastUpdatePostDateStruct": {"date": "2025-01-08"},
            },
            "conditionsModule": {"conditions": ["Cerebral Palsy", "Spasticity"]},
            "designModule": {
                "studyType": "INTERVENTIONAL",
                "phases": ["PHASE2"],
                "designInfo": {"allocation": "RANDOMIZED", "maskingInfo": {"masking": "DOUBLE"}},
            },
            "eligibilityModule": {"sex": "ALL", "minimumAge": "2 Years", "maximumAge": "6 Years"},
            "contactsLocationsModule": {
                "locations": [
                    {"facility": "Registry Hospital", "city": "Hanoi", "country": "Vietnam"}
                ]
            },
        }
    }


def put_registry(data: Path, nct: str, content: Any = None, where: Path | None = None) -> Path:
    path = where or registry_path(data, nct)
    path.parent.mkdir(parents=True, exist_ok=True)
    body = content if content is not None else study(nct)
    path.write_bytes(body if isinstance(body, bytes) else json.dumps(body).encode())
    return path


def put_curated(data: Path, name: str, text: str) -> Path:
    path = data / "trials" / f"{name}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# ----------------------------------------------------------------- layout


def test_default_data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(ENV_DATA_DIR, raising=False)
    assert default_data_dir() == Path("data")
    monkeypatch.setenv(ENV_DATA_DIR, "")
    assert default_data_dir() == Path("data")
    monkeypatch.setenv(ENV_DATA_DIR, str(tmp_path / "elsewhere"))
    assert default_data_dir() == tmp_path / "elsewhere"


def test_registry_path_is_sharded_by_the_first_six_characters(tmp_path: Path) -> None:
    assert shard_path(tmp_path, "NCT07527104") == tmp_path / "NCT075/NCT07527104.json"
    assert registry_path(tmp_path, "NCT07527104") == (
        tmp_path / "registry/imported/NCT075/NCT07527104.json"
    )
    assert registry_path(tmp_path, "NCT07527104", "cerebral-palsy") == (
        tmp_path / "registry/cerebral-palsy/NCT075/NCT07527104.json"
    )


def test_file_listings(tmp_path: Path) -> None:
    a = put_registry(tmp_path, "NCT09920001")
    b = put_registry(tmp_path, "NCT01120002")
    (a.parent / ".NCT09920001.json.abc.tmp").write_text("half")
    (a.parent / "._NCT09920001.json").write_bytes(b"\x00\x05")  # macOS metadata
    (tmp_path / "registry" / ".cache").mkdir()
    (tmp_path / "registry" / ".cache" / "NCT09920004.json").write_text("{}")
    (tmp_path / "registry" / "NCT09920003.json").write_text("{}")  # not one folder down
    c = put_curated(tmp_path, "LOCAL-1", "id: LOCAL-1\n")
    put_curated(tmp_path, "README", "")
    (tmp_path / "trials" / "README.md").write_text("# notes")
    assert registry_files(tmp_path) == [b, a]
    assert curated_files(tmp_path) == [c, tmp_path / "trials" / "README.yaml"]
    assert data_files(tmp_path) == [b, a, c, tmp_path / "trials" / "README.yaml"]
    assert registry_files(tmp_path / "missing") == [] == curated_files(tmp_path / "missing")


def test_write_study_stores_the_study_as_given(tmp_path: Path) -> None:
    raw = study("NCT09920001")
    raw["protocolSection"]["identificationModule"]["briefTitle"] = "Ch\u1eefa b\u1ec7nh"
    path = write_study(tmp_path, raw)
    assert path == tmp_path / "NCT099" / "NCT09920001.json"
    assert json.loads(path.read_text(encoding="utf-8")) == raw
    assert "Ch\u1eefa" in path.read_text(encoding="utf-8")  # UTF-8, not \\u escapes


@pytest.mark.parametrize("bad_id", [None, "", "NCT0/../../x", "nct09920001", "NCT0992000", "X"])
def test_write_study_refuses_an_id_that_is_not_an_nct_number(tmp_path: Path, bad_id: Any) -> None:
    raw = study("NCT09920001")
    raw["protocolSection"]["identificationModule"]["nctId"] = bad_id
    with pytest.raises(ValueError):
        write_study(tmp_path / "data", raw)
    assert not any(p.is_file() for p in tmp_path.rglob("*"))


# ----------------------------------------------------------- atomic writes


def test_atomic_write_creates_and_replaces(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "er" / "file.json"
    atomic_write_bytes(target, b"one")
    assert target.read_bytes() == b"one"
    atomic_write_bytes(target, b"two, longer")
    assert target.read_bytes() == b"two, longer"
    assert sorted(p.name for p in target.parent.iterdir()) == ["file.json"]


def test_atomic_write_failure_keeps_the_old_file_and_removes_the_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "file.json"
    target.write_bytes(b"old")
    seen: list[str] = []

    def refuse(src: Any, dst: Any) -> None:
        seen.append(str(src))
        assert Path(src).read_bytes() == b"new"  # the whole payload was written beside
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(layout.os, "replace", refuse)
    with pytest.raises(OSError):
        atomic_write_bytes(target, b"new")
    assert target.read_bytes() == b"old"
    assert len(seen) == 1 and Path(seen[0]).parent == tmp_path
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.json"]


def test_atomic_write_interrupted_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "file.json"
    target.write_bytes(b"old")

    def interrupted(fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(layout.os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        atomic_write_bytes(target, b"new")
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.json"]


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_a_new_file_gets_the_umask_mode_and_a_replaced_one_keeps_its_mode(tmp_path: Path) -> None:
    old_umask = os.umask(0o022)
    try:
        fresh = tmp_path / "fresh.json"
        atomic_write_bytes(fresh, b"x")
        assert stat.S_IMODE(fresh.stat().st_mode) == 0o644  # readable by a server's user
        kept = tmp_path / "kept.json"
        kept.write_bytes(b"x")
        kept.chmod(0o640)
        atomic_write_bytes(kept, b"y")
        assert stat.S_IMODE(kept.stat().st_mode) == 0o640
    finally:
        os.umask(old_umask)


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_create_file_writes_a_new_file_with_the_mode_given(tmp_path: Path) -> None:
    target = tmp_path / "NCT09920001.json"
    assert create_file(str(target), b"x" * 100_000, 0o644) is True
    assert target.read_bytes() == b"x" * 100_000
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


def test_create_file_leaves_a_file_that_is_there(tmp_path: Path) -> None:
    target = tmp_path / "NCT09920001.json"
    target.write_bytes(b"old")
    assert create_file(str(target), b"new", 0o644) is False
    assert target.read_bytes() == b"old"


def test_create_file_that_fails_leaves_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(fd: int, data: Any) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(layout.os, "write", full)
    with pytest.raises(OSError, match="No space"):
        create_file(str(tmp_path / "NCT09920001.json"), b"new", 0o644)
    monkeypatch.undo()
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------- study encoding


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=1)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(st.characters(codec="utf-8")),
    lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
    max_leaves=40,
)


@given(JSON_VALUES)
def test_indented_json_is_what_json_dumps_writes(value: Any) -> None:
    expected = _dumps(value)
    assert layout._indented(value, "\n") == expected  # written without json.dumps
    assert indented_json(value) == expected


def test_a_stored_study_is_written_as_json_dumps_writes_it() -> None:
    raw = study("NCT09920001")
    raw["protocolSection"]["identificationModule"]["briefTitle"] = 'Ch\u1eefa "b\u1ec7nh"\n\t\x01'
    raw["protocolSection"]["designModule"]["enrollmentInfo"] = {"count": 2**70, "type": None}
    raw["hasResults"] = True
    raw["empty"] = {"list": [], "object": {}, "floats": [0.1, -0.0, 1e300, 5e-324, 1e16]}
    assert encode_study(raw) == _dumps(raw).encode("utf-8")


class _Level(enum.IntEnum):
    ONE = 1


class _Tag(str):
    pass


@pytest.mark.parametrize(
    "value",
    [
        {"tuple": (1, "two", [3.5])},
        {"enum": _Level.ONE, "text subclass": _Tag("x")},
        {2: "int key", 2.5: "float key", False: "bool key", None: "null key"},
        {"not finite": [math.nan, math.inf, -math.inf]},
        [[[[[]]]], {"a": {"b": {}}}],
    ],
)
def test_unusual_values_are_written_as_json_dumps_writes_them(value: Any) -> None:
    assert indented_json(value) == _dumps(value)


def test_values_json_cannot_write_fail_as_json_dumps_fails() -> None:
    circular: dict[str, Any] = {}
    circular["self"] = circular
    with pytest.raises(ValueError, match="Circular reference"):
        indented_json(circular)
    with pytest.raises(TypeError, match="not JSON serializable"):
        indented_json({"when": {1, 2}})


# ------------------------------------------------------------- fingerprint


def test_fingerprint_changes_on_add_edit_and_delete(tmp_path: Path) -> None:
    empty = fingerprint(tmp_path)
    first = put_registry(tmp_path, "NCT09920001")
    added = fingerprint(tmp_path)
    assert added != empty
    assert fingerprint(tmp_path) == added  # stable while nothing changes

    curated = put_curated(tmp_path, "LOCAL-1", "id: LOCAL-1\n")
    with_curated = fingerprint(tmp_path)
    assert with_curated != added

    atomic_write_bytes(first, json.dumps(study("NCT09920001", status="COMPLETED")).encode())
    edited = fingerprint(tmp_path)
    assert edited != with_curated

    curated.write_text("id: LOCAL-1\ntitle: A longer record now\n", encoding="utf-8")
    edited_curated = fingerprint(tmp_path)
    assert edited_curated != edited

    curated.unlink()
    first.unlink()
    assert fingerprint(tmp_path) not in {added, with_curated, edited, edited_curated}


def test_fingerprint_ignores_temp_and_snapshot_files(tmp_path: Path) -> None:
    put_registry(tmp_path, "NCT09920001")
    before = fingerprint(tmp_path)
    (registry_path(tmp_path, "NCT09920001").parent / ".NCT09920001.json.x.tmp").write_text("1")
    (tmp_path / ".snapshot").mkdir()
    (tmp_path / ".snapshot" / "meta.json").write_text("{}")
    assert fingerprint(tmp_path) == before


# ------------------------------------------------------------- loading


OVERLAY = """\
id: NCT09920001
plain_title: Stem cells for movement in young children
status: completed
min_age: 1 Year
masking: none
conditions:
  - cerebral palsy
"""


def test_curated_overlay_wins_over_the_registry_and_keeps_the_rest(tmp_path: Path) -> None:
    put_registry(tmp_path, "NCT09920001")
    put_registry(tmp_path, "NCT09920002")
    put_curated(tmp_path, "NCT09920001", OVERLAY)
    put_curated(tmp_path, "LOCAL-ONLY", "id: LOCAL-ONLY\ntitle: Known from a leaflet\n")

    loaded = load_trials(tmp_path)
    assert loaded.problems == []
    trials = {t.id: t for t in loaded.trials}
    assert list(trials) == ["LOCAL-ONLY", "NCT09920001", "NCT09920002"]

    merged = trials["NCT09920001"]
    assert merged.source == "ctgov+curated"
    assert merged.title == "Stem cells for movement in young children"
    assert merged.brief_title == "Registry title of NCT09920001"
    assert merged.overall_status == "COMPLETED"
    assert merged.conditions == ("cerebral palsy",)
    assert merged.eligibility.min_age == "1 Year"  # curated
    assert merged.eligibility.max_age == "6 Years"  # registry, untouched
    assert merged.design.masking == "NONE"  # curated
    assert merged.design.allocation == "RANDOMIZED"  # registry, untouched
    assert [s.facility for s in merged.sites] == ["Registry Hospital"]

    plain = trials["NCT09920002"]
    assert (plain.source, plain.overall_status, plain.design.masking) == (
        "ctgov",
        "RECRUITING",
        "DOUBLE",
    )
    local = trials["LOCAL-ONLY"]
    assert (local.source, local.title, local.sites) == ("curated", "Known from a leaflet", ())


def test_registry_file_name_must_match_the_record(tmp_path: Path) -> None:
    wrong = put_registry(tmp_path, "NCT09920001", study("NCT09920009"))
    loaded = load_trials(tmp_path)
    assert loaded.trials == []
    [problem] = loaded.problems
    assert (problem.file, problem.record, problem.field) == (str(wrong), "NCT09920009", NCT_FIELD)
    assert "file name says NCT09920001" in problem.message


def test_curated_file_name_must_match_the_id(tmp_path: Path) -> None:
    path = put_curated(tmp_path, "LOCAL-1", "id: LOCAL-2\ntitle: x\n")
    loaded = load_trials(tmp_path)
    assert loaded.trials == []
    [problem] = loaded.problems
    assert (problem.file, problem.record, problem.field) == (str(path), "LOCAL-2", "id")
    assert "does not match the file name" in problem.message


def test_duplicate_curated_ids(tmp_path: Path) -> None:
    first = put_curated(tmp_path, "LOCAL-1", "id: LOCAL-1\ntitle: first\n")
    second = put_curated(tmp_path, "local-1", "id: local-1\ntitle: second\n")

    loaded = load_trials(tmp_path)
    assert [t.title for t in loaded.trials] == ["first"]
    [problem] = loaded.problems
    assert (problem.file, problem.record, problem.field) == (str(second), "local-1", "id")
    assert "duplicate id" in problem.message

    checked = check_data_dir(tmp_path)
    duplicates = [p for p in checked.problems if "duplicate id" in p.message]
    assert sorted(p.file for p in duplicates) == sorted([str(first), str(second)])


def test_check_lists_every_problem_of_a_curated_file(tmp_path: Path) -> None:
    path = put_curated(
        tmp_path, "LOCAL-1", "id: LOCAL-1\nstatus: open\nmin_age: six years\nphse: 2\n"
    )
    assert len(load_trials(tmp_path).problems) == 1  # the catalog needs only the first
    problems = check_data_dir(tmp_path).problems
    assert {(p.file, p.record, p.field) for p in problems} == {
        (str(path), "LOCAL-1", "status"),
        (str(path), "LOCAL-1", "min_age"),
        (str(path), "LOCAL-1", "phse"),
    }


def test_check_reports_yml_files_and_stray_registry_files(tmp_path: Path) -> None:
    put_registry(tmp_path, "NCT09920001")
    stray = tmp_path / "registry" / "NCT09920002.json"
    stray.write_text(json.dumps(study("NCT09920002")))
    deep = tmp_path / "registry" / "imported" / "NCT099" / "old" / "NCT09920003.json"
    deep.parent.mkdir()
    deep.write_text(json.dumps(study("NCT09920003")))
    (tmp_path / "registry" / ".cache").mkdir()
    (tmp_path / "registry" / ".cache" / "x.json").write_text("{}")
    yml = tmp_path / "trials" / "LOCAL-1.yml"
    yml.parent.mkdir()
    yml.write_text("id: LOCAL-1\n")

    assert load_trials(tmp_path).problems == []  # the catalog just does not read them
    checked = check_data_dir(tmp_path)
    assert [t.id for t in checked.trials] == ["NCT09920001"]
    assert sorted(p.file for p in checked.problems) == sorted([str(stray), str(deep), str(yml)])
    assert all("not read" in p.message for p in checked.problems)


@pytest.mark.parametrize(
    ("content", "phrase"),
    [
        (b"", "empty"),
        (b'{"protocolSection": {', "not valid JSON"),
        (
            json.dumps(study("NCT09920001")).replace("Hanoi", "H\u00e0 N\u1ed9i").encode("utf-16"),
            "UTF-8",
        ),
        (b'{"protocolSection": {"identificationModule": {"nctId": "NCT09920001"}}}\xff', "UTF-8"),
    ],
)
def test_an_unreadable_registry_file_is_a_problem(
    tmp_path: Path, content: bytes, phrase: str
) -> None:
    good = put_registry(tmp_path, "NCT09920002")
    bad = put_registry(tmp_path, "NCT09920001", content)
    for result in (load_trials(tmp_path), check_data_dir(tmp_path)):
        assert [t.id for t in result.trials] == ["NCT09920002"]
        [problem] = result.problems
        assert problem.file == str(bad)
        assert phrase in problem.message
    assert good.exists()


def test_registry_duplicates_and_wrong_folders(tmp_path: Path) -> None:
    home = put_registry(tmp_path, "NCT09920001")
    source = tmp_path / "registry" / "imported"
    copy = put_registry(tmp_path, "NCT09920001", where=source / "AAAAAA" / "NCT09920001.json")
    lost = put_registry(tmp_path, "NCT09920002", where=source / "misc" / "NCT09920002.json")
    loaded = load_trials(tmp_path)
    # The copy in its own folder is the one read (the one an import updates).
    assert [t.id for t in loaded.trials] == ["NCT09920001", "NCT09920002"]
    found = {(p.file, p.record): p.message for p in loaded.problems}
    assert set(found) == {(str(copy), "NCT09920001"), (str(lost), "NCT09920002")}
    assert found[(str(copy), "NCT09920001")].startswith(f"duplicate id: {home}")
    assert "wrong folder" in found[(str(lost), "NCT09920002")]
    assert str(registry_path(tmp_path, "NCT09920002")) in found[(str(lost), "NCT09920002")]


# ------------------------------------------------- sources and generations


def publish_source(data: Path, name: str, studies: list[dict]) -> Path:
    """Publish ``studies`` as the next generation of source ``name``; its folder."""
    with data_lock(data, "test"), Staging(data, name) as stage:
        for raw in studies:
            stage.write(raw["protocolSection"]["identificationModule"]["nctId"], encode_study(raw))
        return stage.publish()


def dated(nct: str, updated: str, status: str = "RECRUITING") -> dict:
    raw = study(nct, status=status)
    raw["protocolSection"]["statusModule"]["lastUpdatePostDateStruct"]["date"] = updated
    return raw


def test_the_layout_before_sources_still_loads(tmp_path: Path) -> None:
    old = tmp_path / "registry" / "NCT099" / "NCT09920001.json"
    put_registry(tmp_path, "NCT09920001", where=old)
    [source] = registry_pulls(tmp_path)
    assert (source.name, source.root, source.shards) == ("", tmp_path / "registry", ("NCT099",))
    assert registry_files(tmp_path) == [old]
    loaded = load_trials(tmp_path)
    assert [t.id for t in loaded.trials] == ["NCT09920001"] and loaded.problems == []
    assert check_data_dir(tmp_path).problems == []


def test_a_source_is_read_through_its_symlink_once(tmp_path: Path) -> None:
    first = publish_source(tmp_path, "cp", [study("NCT09920001"), study("NCT09920002")])
    link = tmp_path / "registry" / "cp"
    assert link.is_symlink() and link.resolve() == first.resolve()
    assert os.readlink(link) == f".generations/{first.name}"  # relative: the folder can move
    [source] = registry_pulls(tmp_path)
    assert (source.name, source.root, source.generation) == ("cp", first, first.name)
    assert [t.id for t in load_trials(tmp_path).trials] == ["NCT09920001", "NCT09920002"]

    # A problem names the file through the link, the name staff know.
    broken = first / "NCT099" / "NCT09920003.json"
    broken.write_bytes(b"{")
    problems = load_trials(tmp_path).problems
    assert [p.file for p in problems] == [str(link / "NCT099" / "NCT09920003.json")]


def test_a_publish_during_a_read_never_mixes_generations(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = [study(f"NCT0992000{i}", status="RECRUITING") for i in range(1, 5)]
    publish_source(tmp_path, "cp", old)
    new = [study(f"NCT0992000{i}", status="COMPLETED") for i in range(2, 7)]
    real = reading.ctgov.iter_studies
    swapped: list[Path] = []

    def read_then_publish(path: Path, *limits: object):
        yield from real(path, *limits)
        if not swapped:  # the refresh publishes right after the first file was read
            swapped.append(publish_source(tmp_path, "cp", new))

    monkeypatch.setattr(reading.ctgov, "iter_studies", read_then_publish)
    during = load_trials(tmp_path)
    assert swapped, "the swap happened in the middle of the read"
    assert [(t.id, t.overall_status) for t in during.trials] == [
        (f"NCT0992000{i}", "RECRUITING") for i in range(1, 5)
    ]
    after = load_trials(tmp_path)
    assert [(t.id, t.overall_status) for t in after.trials] == [
        (f"NCT0992000{i}", "COMPLETED") for i in range(2, 7)
    ]


def test_a_read_whose_generation_is_removed_meanwhile_starts_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = publish_source(tmp_path, "cp", [study("NCT09920001"), study("NCT09920002")])
    real = reading.ctgov.iter_studies
    done: list[bool] = []

    def read_then_remove(path: Path, *limits: object):
        yield from real(path, *limits)
        if not done:  # two publishes during one read: the generation read is removed
            done.append(True)
            publish_source(tmp_path, "cp", [study("NCT09920003")])
            publish_source(tmp_path, "cp", [study("NCT09920004")])
            assert not first.exists()

    monkeypatch.setattr(reading.ctgov, "iter_studies", read_then_remove)
    loaded = load_trials(tmp_path)
    assert [t.id for t in loaded.trials] == ["NCT09920004"] and loaded.problems == []


def test_fingerprint_of_a_generation_reads_no_study_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = publish_source(tmp_path, "cp", [study(f"NCT0992{i:04d}") for i in range(1, 40)])
    put_curated(tmp_path, "LOCAL-1", "id: LOCAL-1\n")

    def refuse(self):
        raise AssertionError("fingerprint listed the studies of a generation")

    with monkeypatch.context() as patched:
        patched.setattr(layout.PullFolder, "files", refuse)
        before = fingerprint(tmp_path)
    assert fingerprint(tmp_path) == before

    publish_source(tmp_path, "cp", [study("NCT09920001")])
    published = fingerprint(tmp_path)
    assert published != before

    # A file added by hand inside a generation shows through its folder's time.
    current = (tmp_path / "registry" / "cp").resolve()
    shard = current / "NCT099"
    os.utime(shard, ns=(0, 10**18))
    at_rest = fingerprint(tmp_path)
    put_registry(tmp_path, "NCT09920002", where=shard / "NCT09920002.json")
    assert fingerprint(tmp_path) != at_rest
    assert first.is_dir() and first != current  # the generation before is kept for readers


def test_a_trial_in_two_sources_is_read_once_the_newest_copy(tmp_path: Path) -> None:
    publish_source(tmp_path, "cp", [dated("NCT09920001", "2025-03-01", "COMPLETED")])
    put_registry(tmp_path, "NCT09920001", dated("NCT09920001", "2025-01-01"))
    put_registry(tmp_path, "NCT09920002", dated("NCT09920002", "2025-01-01"))
    loaded = load_trials(tmp_path)
    assert loaded.problems == []
    assert [(t.id, t.overall_status) for t in loaded.trials] == [
        ("NCT09920001", "COMPLETED"),
        ("NCT09920002", "RECRUITING"),
    ]
    assert check_data_dir(tmp_path).problems == []


def test_a_source_symlink_that_points_nowhere_is_a_problem(tmp_path: Path) -> None:
    put_registry(tmp_path, "NCT09920001")
    (tmp_path / "registry" / "gone").symlink_to(".generations/gone-x")
    assert [t.id for t in load_trials(tmp_path).trials] == ["NCT09920001"]
    [problem] = check_data_dir(tmp_path).problems
    assert problem.file == str(tmp_path / "registry" / "gone")
    assert "missing" in problem.message
