"""The follow store (SQLite under the data directory) and what changed for each follow.

Addresses are made up (example.org and friends); change reports are written with
the changes module's own writer, or by real refreshes in tests/follow/test_digest.py.
"""

from __future__ import annotations

import hashlib
import sqlite3
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from trialfinder.follow import store as following
from trialfinder.follow.store import (
    ALREADY_CONFIRMED,
    ALREADY_UNFOLLOWED,
    CONFIRMED,
    EXPIRED,
    UNFOLLOWED,
    UNKNOWN,
    BadAddress,
    FollowError,
    Reports,
    Store,
    TooMany,
)
from trialfinder.store.changes import ChangeReport, save_report

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
ADDRESS = "parent@example.org"


@pytest.fixture
def data(tmp_path: Path) -> Path:
    directory = tmp_path / "data"
    directory.mkdir()
    return directory


@pytest.fixture
def store(data: Path):
    with Store.open(data) as opened:
        yield opened


def report(source: str = "cp", when: str = "2025-06-02T10:00:00Z", **rows) -> ChangeReport:
    counts = {kind: len(value) for kind, value in rows.items()}
    return ChangeReport(source=source, when=when, published=True, counts=counts, **rows)


def stamp(day: int, source: str = "cp") -> str:
    return f"202506{day:02d}T100000000000Z"


# ------------------------------------------------------------------ the database


def test_the_database_is_created_in_wal_mode_with_its_schema(data: Path, store: Store) -> None:
    path = data / "follow.sqlite3"
    assert path.is_file()
    conn = store.conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == following.SCHEMA_VERSION == 2
    columns = {
        table: [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]
        for table in ("subscriptions", "tokens", "requests")
    }
    # What is kept, and nothing more.
    assert columns == {
        "subscriptions": [
            "id",
            "email",
            "kind",
            "target",
            "lang",
            "created",
            "confirmed",
            "last_sent_marker",
        ],
        "tokens": ["hash", "purpose", "subscription_id", "created", "used"],
        # Who asked, for which mailbox, when: kept a day, for the limits.
        "requests": ["client", "address", "created"],
    }
    assert not stat.S_IMODE(path.stat().st_mode) & stat.S_IROTH  # addresses are personal


def test_opening_again_keeps_the_data_and_a_newer_schema_is_refused(data: Path) -> None:
    with Store.open(data) as first:
        first.follow(ADDRESS, "trial", "NCT09950001", now=NOW)
    with Store.open(data) as again:
        assert [s.target for s in again.subscriptions()] == ["NCT09950001"]
        assert following.migrate(again.conn) == following.SCHEMA_VERSION
        again.conn.execute("PRAGMA user_version = 99")
    with pytest.raises(RuntimeError, match="newer trialfinder"):
        Store.open(data)


def test_tokens_are_random_and_only_their_hash_is_stored(data: Path, store: Store) -> None:
    pending = store.follow(ADDRESS, "trial", "NCT09950001", now=NOW)
    tokens = {pending.confirm_token, pending.unfollow_token}
    assert len(tokens) == 2 and all(len(t) == 43 for t in tokens)
    stored = {row[0] for row in store.conn.execute("SELECT hash FROM tokens")}
    assert stored == {hashlib.sha256(t.encode()).hexdigest() for t in tokens}
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw = b"".join(p.read_bytes() for p in data.glob("follow.sqlite3*"))
    assert not any(t.encode() in raw for t in tokens)
    assert ADDRESS.encode() in raw  # (the address is what must be kept)


# ------------------------------------------------------------------ addresses and targets


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("parent@example.org", "parent@example.org"),
        ("  Parent.Name+cp@Example.ORG ", "Parent.Name+cp@example.org"),
        ("me@bệnhviện.vn", "me@xn--bnhvin-ik8be.vn"),
        ("a_b-c@mail.example.co.uk", "a_b-c@mail.example.co.uk"),
    ],
)
def test_good_addresses_are_tidied(given: str, kept: str) -> None:
    assert following.check_email(given) == kept


@pytest.mark.parametrize(
    "given",
    [
        "",
        "   ",
        "parent",
        "parent@",
        "@example.org",
        "parent@example",
        "parent@@example.org",
        "par ent@example.org",
        "Parent <parent@example.org>",
        "parent@example.org, other@example.org",
        "parent@example.org\r\nBcc: victim@example.org",
        "parent@exa_mple.org",
        "parent@-example.org",
        ".parent@example.org",
        "pa..rent@example.org",
        "parent@192.168.0.1",
        "x" * 65 + "@example.org",
        "a@" + "b" * 250 + ".org",
        "<script>@example.org",
    ],
)
def test_bad_addresses_are_refused_kindly(given: str) -> None:
    with pytest.raises(BadAddress) as raised:
        following.check_email(given)
    assert str(raised.value).startswith(("Please type", "That does not look like"))


def test_a_search_is_kept_as_its_canonical_query_string() -> None:
    assert (
        following.canonical_target("search", "status=RECRUITING&cond=cerebral%20palsy&age=4")
        == "cond=cerebral+palsy&age=4y&status=recruiting"
    )
    assert following.canonical_target("search", "?bogus=1&cond=asthma") == "cond=asthma"
    with pytest.raises(FollowError, match="at least one filter"):
        following.canonical_target("search", "bogus=1")
    assert following.canonical_target("trial", " nct09950001 ") == "NCT09950001"
    assert following.canonical_target("trial", "VINMEC-CP-BMMNC") == "VINMEC-CP-BMMNC"
    for bad in ("", "NCT 1", "../x", "<b>", "x" * 80):
        with pytest.raises(FollowError):
            following.canonical_target("trial", bad)
    with pytest.raises(FollowError):
        following.canonical_target("sponsor", "x")


# ------------------------------------------------------------------ following and links


def test_following_twice_keeps_one_follow(store: Store) -> None:
    first = store.follow(ADDRESS, "search", "cond=asthma", lang="vi", marker="m", now=NOW)
    again = store.follow("PARENT@example.org".lower(), "search", "cond=asthma", now=NOW)
    assert first.new and not again.new
    assert first.subscription.id == again.subscription.id
    [sub] = store.subscriptions()
    assert (sub.lang, sub.last_sent_marker, sub.confirmed) == ("vi", "m", None)
    assert store.subscriptions(confirmed_only=True) == []


def test_an_unknown_language_falls_back_to_english(store: Store) -> None:
    assert store.follow(ADDRESS, "trial", "NCT09950001", lang="fr").subscription.lang == "en"


def test_an_address_gets_at_most_three_confirmations_a_day(store: Store) -> None:
    for number in range(3):
        store.follow(ADDRESS, "trial", f"NCT0995000{number}", now=NOW)
    with pytest.raises(TooMany, match="already sent several messages"):
        store.follow(ADDRESS, "trial", "NCT09950009", now=NOW + timedelta(hours=23))
    store.follow("other@example.org", "trial", "NCT09950009", now=NOW)  # others still may
    store.follow(ADDRESS, "trial", "NCT09950009", now=NOW + timedelta(hours=25))


def test_confirming(store: Store) -> None:
    pending = store.follow(ADDRESS, "trial", "NCT09950001", now=NOW)
    done = store.confirm(pending.confirm_token, now=NOW + timedelta(hours=1))
    assert done.outcome == CONFIRMED and done.subscription.confirmed == "2025-06-01T13:00:00Z"
    assert store.confirm(pending.confirm_token).outcome == ALREADY_CONFIRMED
    [sub] = store.subscriptions(confirmed_only=True)
    assert sub.email == ADDRESS
    # A second request for the same follow sends a new link: it says "already".
    second = store.follow(ADDRESS, "trial", "NCT09950001", now=NOW)
    assert store.confirm(second.confirm_token).outcome == ALREADY_CONFIRMED


def test_a_confirmation_link_expires_after_seven_days(store: Store) -> None:
    pending = store.follow(ADDRESS, "trial", "NCT09950001", now=NOW)
    late = store.confirm(pending.confirm_token, now=NOW + timedelta(days=7, minutes=1))
    assert late.outcome == EXPIRED
    assert store.subscriptions(confirmed_only=True) == []
    store.prune(NOW + timedelta(days=8))  # the follow never confirmed is deleted
    assert store.subscriptions() == []
    assert store.confirm(pending.confirm_token).outcome == EXPIRED


@pytest.mark.parametrize(
    "token",
    [
        "",
        "x",
        "A" * 43,
        "A" * 44,
        "<script>alert(1)</script>",
        "[a](http://x.test)",
        "'; DROP TABLE tokens; --",
        "\x00" * 43,
        "é" * 43,
        "A" * 10_000,
    ],
)
def test_an_unknown_or_broken_token_is_unknown(store: Store, token: str) -> None:
    store.follow(ADDRESS, "trial", "NCT09950001", now=NOW)
    assert store.confirm(token).outcome == UNKNOWN
    assert store.unfollow(token).outcome == UNKNOWN
    assert len(store.subscriptions()) == 1


def test_tokens_are_single_purpose(store: Store) -> None:
    pending = store.follow(ADDRESS, "trial", "NCT09950001", now=NOW)
    assert store.unfollow(pending.confirm_token).outcome == UNKNOWN
    assert store.confirm(pending.unfollow_token).outcome == UNKNOWN
    assert len(store.subscriptions()) == 1


def test_unfollowing_deletes_the_follow_and_keeps_only_spent_tokens(store: Store) -> None:
    pending = store.follow(ADDRESS, "trial", "NCT09950001", now=NOW)
    store.confirm(pending.confirm_token, now=NOW)
    later = store.new_unfollow_token(pending.subscription.id, now=NOW)
    gone = store.unfollow(later, now=NOW + timedelta(days=1))
    assert gone.outcome == UNFOLLOWED and gone.subscription.target == "NCT09950001"
    assert store.subscriptions() == []
    rows = store.conn.execute("SELECT subscription_id, used FROM tokens").fetchall()
    assert len(rows) == 3 and all(r[0] is None and r[1] for r in rows)
    # Every link of that follow now says kindly that it is done.
    assert store.unfollow(later).outcome == ALREADY_UNFOLLOWED
    assert store.unfollow(pending.unfollow_token).outcome == ALREADY_UNFOLLOWED
    assert store.confirm(pending.confirm_token).outcome == EXPIRED
    assert store.new_unfollow_token(pending.subscription.id) is None
    # The spent tokens go after 90 days; nothing about the person is left.
    store.prune(NOW + timedelta(days=92))
    assert store.conn.execute("SELECT COUNT(*) FROM tokens").fetchone()[0] == 0


def test_an_unconfirmed_follow_can_be_deleted_from_the_confirmation_message(store: Store) -> None:
    pending = store.follow(ADDRESS, "search", "cond=asthma", now=NOW)
    assert store.unfollow(pending.unfollow_token).outcome == UNFOLLOWED
    assert store.confirm(pending.confirm_token).outcome == EXPIRED


def test_cancel_undoes_a_follow_whose_message_could_not_go(store: Store) -> None:
    kept = store.follow(ADDRESS, "trial", "NCT09950001", now=NOW)
    store.confirm(kept.confirm_token, now=NOW)
    again = store.follow(ADDRESS, "trial", "NCT09950001", now=NOW)
    store.cancel(again)
    assert len(store.subscriptions(confirmed_only=True)) == 1  # the confirmed one stays
    fresh = store.follow(ADDRESS, "trial", "NCT09950002", now=NOW)
    store.cancel(fresh)
    assert [s.target for s in store.subscriptions()] == ["NCT09950001"]
    assert store.confirm(fresh.confirm_token).outcome == UNKNOWN


def test_marks_only_move_forward(store: Store) -> None:
    sub = store.follow(ADDRESS, "trial", "NCT09950001", marker=stamp(2) + "-cp").subscription
    store.advance({sub.id: stamp(1) + "-cp"})
    assert store.subscription(sub.id).last_sent_marker == stamp(2) + "-cp"
    store.advance({sub.id: stamp(3) + "-cp"})
    assert store.subscription(sub.id).last_sent_marker == stamp(3) + "-cp"


def test_two_connections_share_the_store(data: Path) -> None:
    with Store.open(data) as one, Store.open(data) as two:
        pending = one.follow(ADDRESS, "trial", "NCT09950001", now=NOW)
        assert two.confirm(pending.confirm_token, now=NOW).outcome == CONFIRMED
        assert one.subscriptions(confirmed_only=True)[0].confirmed


def test_the_sending_lock_is_held_by_one_run_at_a_time(data: Path) -> None:
    import fcntl
    import os

    with following.sending_lock(data):
        fd = os.open(data / following.LOCK_NAME, os.O_RDWR)
        try:
            with pytest.raises(BlockingIOError):
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        finally:
            os.close(fd)


def test_a_store_that_is_not_sqlite_fails_loudly(data: Path) -> None:
    (data / "follow.sqlite3").write_bytes(b"not a database at all" * 100)
    with pytest.raises(sqlite3.DatabaseError):
        Store.open(data)


# ------------------------------------------------------------------ what changed


def subscription(kind: str, target: str, marker: str = "") -> following.Subscription:
    return following.Subscription(1, ADDRESS, kind, target, "en", "x", "y", marker)


def test_reports_after_a_mark_in_time_order(data: Path) -> None:
    assert following.latest_marker(data) == ""
    save_report(data, report(when="2025-06-03T10:00:00Z"), stamp(3))
    save_report(data, report(source="asthma"), stamp(2, "asthma"))
    save_report(data, report(), stamp(2))
    assert following.latest_marker(data) == stamp(3) + "-cp"
    reports = Reports(data)
    assert [key for key, _ in reports.after("")] == [
        stamp(2) + "-asthma",
        stamp(2) + "-cp",
        stamp(3) + "-cp",
    ]
    assert [key for key, _ in reports.after(stamp(2) + "-asthma")] == [
        stamp(2) + "-cp",
        stamp(3) + "-cp",
    ]
    assert reports.after(stamp(3) + "-cp") == []
    (data / "reports" / f"{stamp(4)}-cp.json").write_text("{not json", encoding="utf-8")
    assert [key for key, _ in Reports(data).after(stamp(3) + "-cp")] == []  # passed over


def test_a_followed_trial_hears_of_status_sites_updates_and_leaving(data: Path) -> None:
    trial = "NCT09950001"
    other = {"id": "NCT09950002", "title": "Other", "old": "RECRUITING", "new": "COMPLETED"}
    save_report(
        data,
        report(
            status_changes=[
                {"id": trial, "title": "T", "old": "RECRUITING", "new": "SUSPENDED"},
                other,
            ],
            sites_added=[
                {
                    "id": trial,
                    "title": "T",
                    "sites": [{"facility": "F", "city": "Hue", "country": "Vietnam"}],
                }
            ],
        ),
        stamp(2),
    )
    # The same change seen through a second source is said once.
    save_report(
        data,
        report(
            source="other",
            status_changes=[{"id": trial, "title": "T", "old": "RECRUITING", "new": "SUSPENDED"}],
        ),
        stamp(2, "other"),
    )
    save_report(
        data,
        report(
            when="2025-06-03T10:00:00Z",
            sites_removed=[
                {
                    "id": trial,
                    "title": "T2",
                    "sites": [{"facility": None, "city": "Hue", "country": "Vietnam"}],
                }
            ],
            updated=[
                {
                    "id": trial,
                    "title": "T2",
                    "old_last_update": "2025-01-01",
                    "new_last_update": "2025-02-01",
                }
            ],
        ),
        stamp(3),
    )
    save_report(
        data, report(when="2025-06-04T10:00:00Z", gone=[{"id": trial, "title": "T2"}]), stamp(4)
    )
    section = following.section_for(subscription("trial", trial), Reports(data), _no_catalog)
    assert [(c.kind, c.old, c.new, c.sites) for c in section.changes] == [
        ("status", "RECRUITING", "SUSPENDED", ()),
        ("sites_added", None, None, (("F", "Hue", "Vietnam"),)),
        ("sites_removed", None, None, ((None, "Hue", "Vietnam"),)),
        ("updated", "2025-01-01", "2025-02-01", ()),
        ("gone", None, None, ()),
    ]
    assert section.marker == stamp(4) + "-cp" and section.title() == "T2"
    assert section.changes[0].when == "2025-06-02 10:00 UTC"
    # From a later mark, only what came after.
    later = following.section_for(
        subscription("trial", trial, stamp(3) + "-cp"), Reports(data), _no_catalog
    )
    assert [c.kind for c in later.changes] == ["gone"]
    quiet = following.section_for(subscription("trial", "NCT09959999"), Reports(data), _no_catalog)
    assert quiet.empty and quiet.marker == stamp(4) + "-cp"


def _no_catalog(query_string: str, ids: set[str]) -> set[str] | None:
    raise AssertionError("a trial needs no catalog")


def test_a_followed_search_hears_of_new_trials_that_match_it(data: Path) -> None:
    save_report(
        data,
        report(
            added=[
                {"id": "NCT09950010", "title": "Match", "status": "RECRUITING"},
                {"id": "NCT09950011", "title": "No match", "status": "RECRUITING"},
            ],
            status_changes=[
                {
                    "id": "NCT09950012",
                    "title": "Opened",
                    "old": "NOT_YET_RECRUITING",
                    "new": "RECRUITING",
                },
                {"id": "NCT09950013", "title": "Closed", "old": "RECRUITING", "new": "COMPLETED"},
            ],
        ),
        stamp(2),
    )
    asked: list[tuple[str, set[str]]] = []

    def matches(query_string: str, ids: set[str]) -> set[str]:
        asked.append((query_string, ids))
        return ids - {"NCT09950011"}

    sub = subscription("search", "cond=cerebral+palsy&status=recruiting")
    section = following.section_for(sub, Reports(data), matches)
    assert [row["id"] for row in section.new_trials] == ["NCT09950010", "NCT09950012"]
    assert asked == [(sub.target, {"NCT09950010", "NCT09950011", "NCT09950012"})]
    # Without a status in the search, a status change is no news for it.
    plain = following.section_for(
        subscription("search", "cond=cerebral+palsy"), Reports(data), matches
    )
    assert [row["id"] for row in plain.new_trials] == ["NCT09950010"]
    # No catalog to match against: the search waits (None), its mark stays.
    assert following.section_for(sub, Reports(data), lambda q, ids: None) is None


def test_a_long_list_of_new_trials_is_cut_and_counted(data: Path) -> None:
    added = [{"id": f"NCT0995{i:04d}", "title": "t", "status": "RECRUITING"} for i in range(70)]
    big = report(added=added)
    big.counts["added"] = 1200  # the report itself named only some of them
    save_report(data, big, stamp(2))
    section = following.section_for(
        subscription("search", "cond=x"), Reports(data), lambda q, ids: ids
    )
    assert len(section.new_trials) == following.MAX_NEW_TRIALS and section.more == 20
    assert section.partial
