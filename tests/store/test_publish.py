"""Generations, the symlink swap, leftovers and the lock (trialfinder/store/publish.py).

Every record here is made up (tests/support/studies.py).
"""

from __future__ import annotations

import errno
import json
import os
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from tests.support.studies import data_state, leftovers, made_up
from trialfinder.store import publish
from trialfinder.store.layout import GENERATIONS, encode_study, registry_path, registry_pulls
from trialfinder.store.publish import (
    Busy,
    Staging,
    clean_leftovers,
    data_lock,
    generation_name,
    parse_generation,
)
from trialfinder.store.reading import load_trials

ROOT = Path(__file__).resolve().parents[2]


def stage_studies(stage: Staging, *ids: str, status: str = "RECRUITING") -> None:
    for nct in ids:
        stage.write(nct, encode_study(made_up(nct, status=status)))


def publish_ids(data: Path, source: str, *ids: str, status: str = "RECRUITING") -> Path:
    with data_lock(data, "test"), Staging(data, source) as stage:
        stage_studies(stage, *ids, status=status)
        return stage.publish()


def ids(data: Path) -> list[str]:
    return [t.id for t in load_trials(data).trials]


# ------------------------------------------------------------------ names


def test_generation_names_sort_by_time_and_parse_back() -> None:
    first = generation_name("cerebral-palsy")
    time.sleep(0.001)
    second = generation_name("cerebral-palsy")
    assert first < second
    source, stamp = parse_generation(first)
    assert source == "cerebral-palsy" and stamp.endswith("Z") and len(stamp) == 22
    assert parse_generation("cp-20250101T000000000000Z-abc123.partial") is None
    assert parse_generation("notes") is None


def test_a_source_name_must_be_a_folder_name(tmp_path: Path) -> None:
    for bad in ("Cerebral Palsy", "../x", "", "-x", "x" * 80):
        with pytest.raises(ValueError):
            Staging(tmp_path, bad)
    assert not (tmp_path / "registry").exists()


# ---------------------------------------------------------------- publish


def test_publish_swaps_the_symlink_and_keeps_the_previous_generation(tmp_path: Path) -> None:
    first = publish_ids(tmp_path, "cp", "NCT09970001", "NCT09970002")
    link = tmp_path / "registry" / "cp"
    assert os.readlink(link) == os.path.join(GENERATIONS, first.name)
    assert ids(tmp_path) == ["NCT09970001", "NCT09970002"]

    second = publish_ids(tmp_path, "cp", "NCT09970003")
    assert os.readlink(link) == os.path.join(GENERATIONS, second.name)
    assert ids(tmp_path) == ["NCT09970003"]
    assert first.is_dir()  # a reader may still be walking it
    third = publish_ids(tmp_path, "cp", "NCT09970004")
    assert not first.exists() and second.is_dir() and third.is_dir()
    assert leftovers(tmp_path) == []


def test_leaving_the_block_without_publishing_removes_the_staging(tmp_path: Path) -> None:
    publish_ids(tmp_path, "cp", "NCT09970001")
    before = data_state(tmp_path)
    with pytest.raises(RuntimeError), data_lock(tmp_path, "test"), Staging(tmp_path, "cp") as stage:
        stage_studies(stage, "NCT09970002", "NCT09970003")
        assert stage.root.is_dir() and stage.root.name.endswith(".partial")
        raise RuntimeError("the pull failed")
    assert data_state(tmp_path) == before and leftovers(tmp_path) == []


@pytest.mark.parametrize("fails", ["symlink", "replace", "rename"])
def test_a_publish_that_fails_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fails: str
) -> None:
    publish_ids(tmp_path, "cp", "NCT09970001")
    before = data_state(tmp_path)

    def full(*args: Any, **kwargs: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    with (
        pytest.raises(OSError, match="No space"),
        data_lock(tmp_path, "test"),
        Staging(tmp_path, "cp") as stage,
    ):
        stage_studies(stage, "NCT09970002")
        monkeypatch.setattr(publish.os, fails, full)
        stage.publish()
    monkeypatch.undo()
    assert data_state(tmp_path) == before and leftovers(tmp_path) == []
    assert ids(tmp_path) == ["NCT09970001"]


def test_a_plain_folder_becomes_a_generation(tmp_path: Path) -> None:
    plain = registry_path(tmp_path, "NCT09970001")
    plain.parent.mkdir(parents=True)
    plain.write_bytes(encode_study(made_up("NCT09970001")))
    [source] = registry_pulls(tmp_path)
    assert source.generation is None and ids(tmp_path) == ["NCT09970001"]

    with data_lock(tmp_path, "test"), Staging(tmp_path, "imported") as stage:
        assert stage.current == tmp_path / "registry" / "imported"
        stage.link_all(stage.current)
        stage_studies(stage, "NCT09970002")
        stage.publish()
    link = tmp_path / "registry" / "imported"
    assert link.is_symlink()
    assert ids(tmp_path) == ["NCT09970001", "NCT09970002"]
    kept = sorted(p.name for p in (tmp_path / "registry" / GENERATIONS).iterdir())
    assert len(kept) == 2 and kept[0].startswith("imported-00000000T")  # the old folder


def test_a_failed_swap_puts_a_plain_folder_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = registry_path(tmp_path, "NCT09970001", "cp")
    plain.parent.mkdir(parents=True)
    plain.write_bytes(encode_study(made_up("NCT09970001")))
    before = data_state(tmp_path)
    real_replace = os.replace

    def refuse_the_link(src: Any, dst: Any) -> None:
        if Path(dst).name == "cp":
            raise OSError(errno.EIO, "Input/output error")
        real_replace(src, dst)

    with pytest.raises(OSError), data_lock(tmp_path, "test"), Staging(tmp_path, "cp") as stage:
        stage_studies(stage, "NCT09970002")
        monkeypatch.setattr(publish.os, "replace", refuse_the_link)
        stage.publish()
    monkeypatch.undo()
    assert data_state(tmp_path) == before and leftovers(tmp_path) == []


def test_an_unchanged_study_is_linked_to_the_current_generation(tmp_path: Path) -> None:
    first = publish_ids(tmp_path, "cp", "NCT09970001", "NCT09970002")
    with data_lock(tmp_path, "test"), Staging(tmp_path, "cp") as stage:
        assert stage.put("NCT09970001", encode_study(made_up("NCT09970001"))) is True
        changed = encode_study(made_up("NCT09970002", status="COMPLETED"))
        assert stage.put("NCT09970002", changed) is False
        second = stage.publish()
    same = (first / "NCT099" / "NCT09970001.json").stat()
    assert (second / "NCT099" / "NCT09970001.json").stat().st_ino == same.st_ino
    assert (second / "NCT099" / "NCT09970002.json").read_bytes() == changed
    assert (first / "NCT099" / "NCT09970002.json").read_bytes() != changed  # never in place


def test_add_writes_a_new_study_and_replaces_a_linked_one_never_through_the_link(
    tmp_path: Path,
) -> None:
    first = publish_ids(tmp_path, "cp", "NCT09970001")
    published = first / "NCT099" / "NCT09970001.json"
    before = published.read_bytes()
    changed = encode_study(made_up("NCT09970001", status="COMPLETED"))
    added = encode_study(made_up("NCT09970002"))
    with data_lock(tmp_path, "test"), Staging(tmp_path, "cp") as stage:
        assert stage.link_all(stage.current) == 1
        stage.add("NCT09970001", changed)
        stage.add("NCT09970002", added)
        assert published.read_bytes() == before  # the current generation is untouched
        second = stage.publish()
    assert (second / "NCT099" / "NCT09970001.json").read_bytes() == changed
    assert (second / "NCT099" / "NCT09970002.json").read_bytes() == added
    assert published.read_bytes() == before
    assert sorted(p.name for p in (second / "NCT099").iterdir()) == [
        "NCT09970001.json",
        "NCT09970002.json",
    ]


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_added_studies_get_the_umask_mode(tmp_path: Path) -> None:
    old_umask = os.umask(0o027)
    try:
        with data_lock(tmp_path, "test"), Staging(tmp_path, "cp") as stage:
            stage.add("NCT09970001", encode_study(made_up("NCT09970001")))
            stage.add("NCT09970001", encode_study(made_up("NCT09970001", status="COMPLETED")))
            stage.add("NCT09970002", encode_study(made_up("NCT09970002")))
            root = stage.publish()
    finally:
        os.umask(old_umask)
    for name in ("NCT09970001.json", "NCT09970002.json"):
        assert stat.S_IMODE((root / "NCT099" / name).stat().st_mode) == 0o640


def test_link_all_keeps_what_is_staged_already(tmp_path: Path) -> None:
    first = publish_ids(tmp_path, "cp", "NCT09970001", "NCT09970002")
    changed = encode_study(made_up("NCT09970001", status="COMPLETED"))
    with data_lock(tmp_path, "test"), Staging(tmp_path, "cp") as stage:
        stage.add("NCT09970001", changed)
        assert stage.link_all(first) == 1
        second = stage.publish()
    assert (second / "NCT099" / "NCT09970001.json").read_bytes() == changed
    old = (first / "NCT099" / "NCT09970002.json").stat().st_ino
    assert (second / "NCT099" / "NCT09970002.json").stat().st_ino == old


def test_where_links_cannot_be_made_files_are_copied(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    publish_ids(tmp_path, "cp", "NCT09970001")

    def cross_device(src: Any, dst: Any) -> None:
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(publish.os, "link", cross_device)
    with data_lock(tmp_path, "test"), Staging(tmp_path, "cp") as stage:
        assert stage.link_all(stage.current) == 1
        stage_studies(stage, "NCT09970002")
        stage.publish()
    assert ids(tmp_path) == ["NCT09970001", "NCT09970002"]


# ---------------------------------------------------------------- cleanup


def test_clean_leftovers_keeps_the_current_and_the_previous_generation(tmp_path: Path) -> None:
    generations = tmp_path / "registry" / GENERATIONS
    generations.mkdir(parents=True)

    def gen(source: str, stamp: str) -> str:
        name = f"{source}-{stamp}-abcdef"
        (generations / name / "NCT099").mkdir(parents=True)
        return name

    older = gen("cp", "20250101T000000000000Z")
    previous = gen("cp", "20250201T000000000000Z")
    current = gen("cp", "20250301T000000000000Z")
    unpublished = gen("cp", "20250401T000000000000Z")  # a run killed before its swap
    orphan = gen("asthma", "20250101T000000000000Z")  # its symlink was deleted
    (generations / (current.replace("0301", "0501") + ".partial")).mkdir()
    (generations / "_retired-20250101T000000000000Z" / "NCT099").mkdir(parents=True)
    (generations / "notes by staff").mkdir()
    (tmp_path / "registry" / "cp").symlink_to(os.path.join(GENERATIONS, current))
    (tmp_path / "registry" / ".cp.link-1234").symlink_to("nowhere")

    removed = clean_leftovers(tmp_path)
    assert sorted(p.name for p in generations.iterdir()) == sorted(
        [previous, current, "notes by staff"]
    )
    assert set(removed) >= {older, unpublished, orphan, ".cp.link-1234"}
    assert not (tmp_path / "registry" / ".cp.link-1234").is_symlink()
    assert clean_leftovers(tmp_path) == []


# ------------------------------------------------------------------ lock


def test_a_second_holder_is_refused_naming_the_first(tmp_path: Path) -> None:
    with data_lock(tmp_path, "trialfinder refresh"):
        info = json.loads((tmp_path / ".lock").read_text())
        assert info["pid"] == os.getpid() and info["command"] == "trialfinder refresh"
        with pytest.raises(Busy) as busy, data_lock(tmp_path, "trialfinder import"):
            pass
    message = str(busy.value)
    assert message.startswith(
        f"another refresh or import is running (pid {os.getpid()}, `trialfinder refresh`, "
        f"started at {info['started']})"
    )
    assert "--wait" in message
    with data_lock(tmp_path, "again"):  # free once the first is done
        pass


def test_wait_waits_for_the_holder(tmp_path: Path) -> None:
    order: list[str] = []
    held = threading.Event()

    def hold() -> None:
        with data_lock(tmp_path, "first"):
            held.set()
            time.sleep(0.3)
            order.append("first done")

    thread = threading.Thread(target=hold)
    thread.start()
    held.wait(5)
    told: list[str] = []
    with data_lock(tmp_path, "second", wait=True, waiting=told.append):
        order.append("second")
    thread.join()
    assert order == ["first done", "second"]
    assert told and "pid" in told[0] and "`first`" in told[0]


def test_the_lock_goes_with_a_killed_process(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\nfrom pathlib import Path\n"
            "from trialfinder.store.publish import data_lock\n"
            "with data_lock(Path(sys.argv[1]), 'held'):\n"
            "    print('held', flush=True); time.sleep(60)\n",
            str(tmp_path),
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(Busy, match=f"pid {holder.pid}, `held`"), data_lock(tmp_path, "x"):
            pass
    finally:
        holder.kill()
        holder.wait(10)
    with data_lock(tmp_path, "after the kill"):
        pass
