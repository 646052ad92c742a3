"""Follow cannot be used to send mail to strangers (issue 23): the address is folded
before any limit, and there are limits per client and per hour as well as per address."""

# ruff: noqa: F811  (the fixtures of test_store are imported, then asked for by name)
from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from tests.follow.test_store import ADDRESS, NOW, data, store  # noqa: F401
from trialfinder.follow import store as following
from trialfinder.follow.store import Store, TooMany


def test_spelling_an_address_another_way_buys_no_more_messages(store: Store) -> None:
    spellings = ["Parent@Example.org", "PARENT@EXAMPLE.ORG", "parent@example.ORG"]
    for number, spelling in enumerate(spellings):
        store.follow(spelling, "trial", f"NCT0995000{number}", now=NOW)
    with pytest.raises(TooMany, match="already sent several messages"):
        store.follow("pArEnT@example.org", "trial", "NCT09950009", now=NOW)
    # One mailbox, one spelling kept: the follows are all of ADDRESS.
    assert {s.email for s in store.subscriptions()} == {ADDRESS}


def test_a_case_variant_of_a_follow_is_the_same_follow(store: Store) -> None:
    first = store.follow(ADDRESS, "trial", "NCT09950001", now=NOW)
    again = store.follow(ADDRESS.upper(), "trial", "NCT09950001", now=NOW)
    assert not again.new and again.subscription.id == first.subscription.id


def test_one_client_may_ask_for_only_so_many_follows_a_day(store: Store) -> None:
    limit = following.MAX_FOLLOWS_PER_CLIENT_PER_DAY
    for number in range(limit):
        store.follow(f"p{number}@example.org", "trial", "NCT09950001", now=NOW, client="c1")
    with pytest.raises(TooMany, match="asked to follow many trials"):
        store.follow("stranger@example.org", "trial", "NCT09950001", now=NOW, client="c1")
    # Another client still may; the first may again the next day.
    store.follow("stranger@example.org", "trial", "NCT09950001", now=NOW, client="c2")
    later = NOW + timedelta(hours=25)
    store.follow("late@example.org", "trial", "NCT09950001", now=later, client="c1")


def test_the_whole_site_sends_only_so_many_confirmations_an_hour(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(following, "MAX_CONFIRMATIONS_PER_HOUR", 5)
    for number in range(5):
        store.follow(f"p{number}@example.org", "trial", "NCT09950001", now=NOW, client=f"c{number}")
    with pytest.raises(TooMany, match="try again in an hour"):
        store.follow("p9@example.org", "trial", "NCT09950001", now=NOW, client="c9")
    later = NOW + timedelta(minutes=61)
    store.follow("p9@example.org", "trial", "NCT09950001", now=later, client="c9")


def test_a_refused_follow_stores_nothing(store: Store) -> None:
    for number in range(following.MAX_FOLLOWS_PER_CLIENT_PER_DAY):
        store.follow(f"p{number}@example.org", "trial", "NCT09950001", now=NOW, client="c1")
    before = len(store.subscriptions())
    with pytest.raises(TooMany):
        store.follow("stranger@example.org", "trial", "NCT09950002", now=NOW, client="c1")
    assert len(store.subscriptions()) == before
    assert "stranger@example.org" not in {s.email for s in store.subscriptions()}


def test_a_database_of_the_first_schema_is_migrated_with_its_follows(data: Path) -> None:
    path = following.db_path(data)
    conn = sqlite3.connect(path)
    for statement in following.MIGRATIONS[0]:
        conn.execute(statement)
    conn.execute(
        "INSERT INTO subscriptions (email, kind, target, lang, created) "
        "VALUES ('old@example.org', 'trial', 'NCT09950001', 'en', '2025-05-01T00:00:00Z')"
    )
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    with Store.open(data) as opened:
        assert [s.email for s in opened.subscriptions()] == ["old@example.org"]
        opened.follow(ADDRESS, "trial", "NCT09950002", now=NOW, client="c1")
        assert opened.conn.execute("PRAGMA user_version").fetchone()[0] == 2
