"""The family's answers are never kept on the server: a followed search keeps its
filters only, and nothing about the child reaches the follow database."""

from __future__ import annotations

from pathlib import Path

from trialfinder.follow.store import Store, canonical_target

ANSWERS = "gmfcs=2&dx=spastic-cp&seizures=yes&botox=0-3m&surgery=never&sex=female&macs=3"


def test_a_followed_search_keeps_the_filters_not_the_answers() -> None:
    assert canonical_target("search", f"cond=cerebral+palsy&age=4&{ANSWERS}") == (
        "cond=cerebral+palsy&age=4y"
    )


def test_the_follow_database_holds_no_answer(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    with Store.open(data) as store:
        store.follow("parent@example.org", "search", f"cond=cerebral+palsy&{ANSWERS}")
        [subscription] = store.subscriptions()
        assert subscription.target == "cond=cerebral+palsy"
    stored = b"".join(p.read_bytes() for p in data.rglob("*") if p.is_file())
    for word in (b"gmfcs", b"spastic-cp", b"seizures", b"botox", b"macs"):
        assert word not in stored
