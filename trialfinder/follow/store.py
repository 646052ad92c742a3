"""Following a trial or a search: the subscriptions, and what changed for each.

A person follows a trial (its id) or a search (its canonical query string, the
one filter language of :mod:`trialfinder.query`) with an e-mail address. The
subscription is kept in SQLite at ``<data dir>/follow.sqlite3`` (WAL mode,
never in git) and is active only once its confirmation link is opened.

What is kept, and nothing more: the address, what is followed, the language of
the e-mails, when it was asked for and confirmed, and how far the change
reports have been told (``last_sent_marker``). Links carry random tokens
(``secrets.token_urlsafe(32)``), each for one purpose (confirm or unfollow);
only their SHA-256 is stored. An unfollow link deletes the subscription; its
tokens stay, tied to nothing, so an old link can say it was already used, and
are deleted after :data:`KEEP_TOKENS_DAYS`. A follow never confirmed is deleted
after :data:`CONFIRM_DAYS`.

"Since its last message" is a high-water mark over the change reports
(:mod:`trialfinder.store.changes`): each report is keyed by its file name
(``<UTC stamp>-<source>``), a subscription remembers the newest key already
told, and its next digest is made of the reports after it. The mark moves only
once the SMTP server accepted the message (:mod:`trialfinder.follow.digest`), so a
failed send is tried again on the next run and a sent change is never sent
again.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import secrets
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parseaddr
from pathlib import Path

from trialfinder import stamps
from trialfinder.i18n import N_
from trialfinder.query import parse_query
from trialfinder.store.changes import (
    ChangeReport,
    SiteNamed,
    read_report,
    report_files,
    report_sites,
)

DB_NAME = "follow.sqlite3"
#: Held while messages are sent, so two runs never send the same change twice.
LOCK_NAME = ".follow.lock"
LANGS = ("en", "vi")
#: A confirmation link works this many days; a follow not confirmed by then is deleted.
CONFIRM_DAYS = 7
#: Tokens tied to nothing any more (used, or their follow deleted) are kept this long,
#: so an old link still says kindly that it was used.
KEEP_TOKENS_DAYS = 90
#: Confirmation messages one address may be sent in a day (the form cannot be used
#: to flood someone's mailbox). The address is folded first (``Ann@Example.ORG`` is
#: ``ann@example.org``): spelling it another way does not buy more.
MAX_CONFIRMATIONS_PER_DAY = 3
#: Follows one client (a browser's address, else its session) may ask for in a day:
#: one person follows a few trials, not a hundred strangers' mailboxes.
MAX_FOLLOWS_PER_CLIENT_PER_DAY = 10
#: Confirmation messages the whole site sends in an hour, whoever asks: many
#: clients together cannot turn the form into a mail cannon either.
MAX_CONFIRMATIONS_PER_HOUR = 60
#: A followed search lists at most this many new trials in one message.
MAX_NEW_TRIALS = 50
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")
_TRIAL_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_LOCAL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}")
_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")

# ------------------------------------------------------------------ schema

#: Migration N (0-based) takes the database from user_version N to N + 1.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """
        CREATE TABLE subscriptions (
            id INTEGER PRIMARY KEY,
            email TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('trial', 'search')),
            target TEXT NOT NULL,
            lang TEXT NOT NULL CHECK (lang IN ('en', 'vi')),
            created TEXT NOT NULL,
            confirmed TEXT,
            last_sent_marker TEXT NOT NULL DEFAULT '',
            UNIQUE (email, kind, target)
        )
        """,
        """
        CREATE TABLE tokens (
            hash TEXT PRIMARY KEY,
            purpose TEXT NOT NULL CHECK (purpose IN ('confirm', 'unfollow')),
            subscription_id INTEGER REFERENCES subscriptions (id) ON DELETE SET NULL,
            created TEXT NOT NULL,
            used TEXT
        )
        """,
        "CREATE INDEX tokens_by_subscription ON tokens (subscription_id)",
    ),
    (
        # One row a confirmation sent: the limits per client and per hour count these.
        """
        CREATE TABLE requests (
            client TEXT NOT NULL,
            address TEXT NOT NULL,
            created TEXT NOT NULL
        )
        """,
        "CREATE INDEX requests_by_time ON requests (created)",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)


class FollowError(ValueError):
    """Something a person asked that cannot be done; the message says why, kindly
    (in English, and in the message catalog: a page shows it translated)."""


class BadAddress(FollowError):
    pass


class TooMany(FollowError):
    pass


def _now(now: datetime | None = None) -> datetime:
    return (now or datetime.now(UTC)).astimezone(UTC)


def _stamp(moment: datetime) -> str:
    return stamps.iso(moment)


def _before(now: datetime, days: int) -> str:
    return _stamp(now - timedelta(days=days))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def db_path(data_dir: Path) -> Path:
    return data_dir / DB_NAME


# ------------------------------------------------------------------ checks


def fold_address(address: str) -> str:
    """The one spelling of a mailbox every limit counts by: the whole address in
    lower case (no provider delivers ``Ann@`` and ``ann@`` to two people)."""
    return address.lower()


def check_email(text: str | None) -> str:
    """The address, tidied (domain in lower case); BadAddress with a kind message."""
    address = (text or "").strip()
    if not address:
        raise BadAddress(N_("Please type your e-mail address."))
    bad = BadAddress(
        N_(
            "That does not look like an e-mail address. Please check it: "
            "it should look like name@example.com."
        )
    )
    if len(address) > 254 or any(c.isspace() or not c.isprintable() for c in address):
        raise bad
    name, parsed = parseaddr(address)
    if name or parsed != address:
        raise bad
    local, at, domain = address.rpartition("@")
    if not at or not _LOCAL.fullmatch(local) or local.startswith(".") or local.endswith("."):
        raise bad
    if ".." in local:
        raise bad
    try:
        ascii_domain = domain.encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise bad from None
    labels = ascii_domain.split(".")
    if len(labels) < 2 or not all(_LABEL.fullmatch(label) for label in labels):
        raise bad
    if labels[-1].isdigit():
        raise bad
    return f"{local}@{ascii_domain}"


def canonical_target(kind: str, target: str) -> str:
    """A trial id as stored, or a search as its canonical query string."""
    if kind == "trial":
        trial_id = (target or "").strip()
        if not _TRIAL_ID.fullmatch(trial_id):
            raise FollowError(N_("This trial cannot be followed: its id is not one we know."))
        return trial_id.upper() if re.fullmatch(r"(?i)nct[0-9]{8}", trial_id) else trial_id
    if kind == "search":
        query_string = parse_query(target or "").query.to_query_string()
        if not query_string:
            raise FollowError(
                N_(
                    "Choose at least one filter (a condition, an age, a place ...) before "
                    "following a search."
                )
            )
        return query_string
    raise FollowError(f"Only a trial or a search can be followed, not {kind!r}.")


# ------------------------------------------------------------------ markers


def report_key(stamp: str, source: str) -> str:
    """A change report's place in time: its file name without ``.json``."""
    return f"{stamp}-{source}"


def _key_order(key: str) -> tuple[str, str]:
    stamp, _, source = key.partition("-")
    return stamp, source


def is_after(key: str, marker: str) -> bool:
    return _key_order(key) > _key_order(marker)


def latest_marker(data_dir: Path) -> str:
    """The newest report's key, or "" when there is none: a new follow starts here."""
    files = report_files(data_dir)
    return report_key(*files[-1][:2]) if files else ""


class Reports:
    """The change reports of a data directory, each read at most once."""

    def __init__(self, data_dir: Path) -> None:
        self.files = [
            (report_key(stamp, source), path) for stamp, source, path in report_files(data_dir)
        ]
        self._read: dict[str, ChangeReport | None] = {}

    def after(self, marker: str) -> list[tuple[str, ChangeReport]]:
        found = []
        for key, path in self.files:
            if not is_after(key, marker):
                continue
            if key not in self._read:
                self._read[key] = read_report(path)
            report = self._read[key]
            if report is not None:
                found.append((key, report))
        return found

    def newest(self) -> str:
        return self.files[-1][0] if self.files else ""


# ------------------------------------------------------------------ store


@dataclass(frozen=True)
class Subscription:
    id: int
    email: str
    kind: str
    target: str
    lang: str
    created: str
    confirmed: str | None
    last_sent_marker: str

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Subscription:
        return cls(**{k: row[k] for k in row.keys()})  # noqa: SIM118 (sqlite3.Row)


@dataclass(frozen=True)
class Pending:
    """A follow asked for: the confirmation message still has to be sent."""

    subscription: Subscription
    confirm_token: str
    unfollow_token: str
    #: False when the same address already followed the same thing.
    new: bool


#: What opening a link did.
CONFIRMED = "confirmed"
ALREADY_CONFIRMED = "already-confirmed"
UNFOLLOWED = "unfollowed"
ALREADY_UNFOLLOWED = "already-unfollowed"
EXPIRED = "expired"
UNKNOWN = "unknown"


@dataclass(frozen=True)
class LinkOutcome:
    outcome: str
    #: The follow concerned (as it was, for one just deleted), when known.
    subscription: Subscription | None = None


def _connect(path: Path) -> sqlite3.Connection:
    if not path.exists():
        # Addresses are personal: not readable by every user of the machine.
        path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o660))
    conn = sqlite3.connect(path, timeout=15, isolation_level=None)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA foreign_keys = ON")
    if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        conn.execute("PRAGMA journal_mode = WAL")
    return conn


@contextlib.contextmanager
def _transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the schema to :data:`SCHEMA_VERSION`; returns the version found."""
    found = conn.execute("PRAGMA user_version").fetchone()[0]
    if found == SCHEMA_VERSION:
        return found  # the usual case: no write lock taken
    with _transaction(conn):
        found = conn.execute("PRAGMA user_version").fetchone()[0]
        if found > SCHEMA_VERSION:
            raise RuntimeError(
                f"the follow database is from a newer trialfinder (schema {found}, "
                f"this one knows {SCHEMA_VERSION}); upgrade trialfinder"
            )
        for version in range(found, SCHEMA_VERSION):
            for statement in MIGRATIONS[version]:
                conn.execute(statement)
        if found != SCHEMA_VERSION:
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    return found


class Store:
    """The subscriptions of one data directory. Use as a context manager."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    @classmethod
    def open(cls, data_dir: Path) -> Store:
        """Open (and create, or bring up to date) ``<data dir>/follow.sqlite3``."""
        conn = _connect(db_path(data_dir))
        try:
            migrate(conn)
        except BaseException:
            conn.close()
            raise
        return cls(conn)

    @staticmethod
    def exists(data_dir: Path) -> bool:
        return db_path(data_dir).is_file()

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- tokens

    def _new_token(self, purpose: str, subscription_id: int, now: str) -> str:
        token = secrets.token_urlsafe(32)
        self.conn.execute(
            "INSERT INTO tokens (hash, purpose, subscription_id, created) VALUES (?, ?, ?, ?)",
            (token_hash(token), purpose, subscription_id, now),
        )
        return token

    def new_unfollow_token(self, subscription_id: int, now: datetime | None = None) -> str | None:
        """A new unfollow link's token for a message; None when the follow is gone."""
        with _transaction(self.conn):
            if self.subscription(subscription_id) is None:
                return None
            return self._new_token("unfollow", subscription_id, _stamp(_now(now)))

    def drop_tokens(self, tokens: Iterable[str]) -> None:
        """Forget tokens of a message that was never sent."""
        with _transaction(self.conn):
            self.conn.executemany(
                "DELETE FROM tokens WHERE hash = ? AND used IS NULL",
                [(token_hash(t),) for t in tokens],
            )

    def _token(self, token: str, purpose: str) -> sqlite3.Row | None:
        if not isinstance(token, str) or not _TOKEN.fullmatch(token):
            return None
        return self.conn.execute(
            "SELECT * FROM tokens WHERE hash = ? AND purpose = ?", (token_hash(token), purpose)
        ).fetchone()

    # -- subscriptions

    def subscription(self, subscription_id: int) -> Subscription | None:
        row = self.conn.execute(
            "SELECT * FROM subscriptions WHERE id = ?", (subscription_id,)
        ).fetchone()
        return Subscription.from_row(row) if row else None

    def subscriptions(self, confirmed_only: bool = False) -> list[Subscription]:
        where = " WHERE confirmed IS NOT NULL" if confirmed_only else ""
        rows = self.conn.execute(f"SELECT * FROM subscriptions{where} ORDER BY id").fetchall()
        return [Subscription.from_row(r) for r in rows]

    def follow(
        self,
        email: str,
        kind: str,
        target: str,
        lang: str = "en",
        marker: str = "",
        now: datetime | None = None,
        client: str = "",
    ) -> Pending:
        """Ask to follow: a pending subscription (or the existing one) and its tokens.

        The address and target are checked (:class:`FollowError`); ``marker`` is
        where its news start (:func:`latest_marker`). :class:`TooMany` past a
        limit: per address (folded), per ``client`` (who asks: a browser's
        address) and for the whole site per hour.
        """
        address = fold_address(check_email(email))
        target = canonical_target(kind, target)
        if lang not in LANGS:
            lang = "en"
        moment = _now(now)
        stamp = _stamp(moment)
        self.prune(moment)
        with _transaction(self.conn):
            sent_today = self.conn.execute(
                "SELECT COUNT(*) FROM requests WHERE address = ? AND created > ?",
                (address, _before(moment, 1)),
            ).fetchone()[0]
            if sent_today >= MAX_CONFIRMATIONS_PER_DAY:
                raise TooMany(
                    N_(
                        "We have already sent several messages to this address today. "
                        "Please look for them (also in the spam folder), or try again "
                        "tomorrow."
                    )
                )
            if client:
                # Who asked is kept a day, and only as a hash (it is a person's address).
                client = hashlib.sha256(str(client).encode("utf-8", "replace")).hexdigest()[:32]
                asked = self.conn.execute(
                    "SELECT COUNT(*) FROM requests WHERE client = ? AND created > ?",
                    (client, _before(moment, 1)),
                ).fetchone()[0]
                if asked >= MAX_FOLLOWS_PER_CLIENT_PER_DAY:
                    raise TooMany(
                        N_(
                            "You have asked to follow many trials and searches today. "
                            "Please try again tomorrow."
                        )
                    )
            this_hour = self.conn.execute(
                "SELECT COUNT(*) FROM requests WHERE created > ?",
                (_stamp(moment - timedelta(hours=1)),),
            ).fetchone()[0]
            if this_hour >= MAX_CONFIRMATIONS_PER_HOUR:
                raise TooMany(
                    N_("Many people are following trials right now. Please try again in an hour.")
                )
            self.conn.execute(
                "INSERT INTO requests (client, address, created) VALUES (?, ?, ?)",
                (client, address, stamp),
            )
            row = self.conn.execute(
                "SELECT * FROM subscriptions WHERE lower(email) = ? AND kind = ? AND target = ?",
                (address, kind, target),
            ).fetchone()
            new = row is None
            if new:
                cursor = self.conn.execute(
                    "INSERT INTO subscriptions (email, kind, target, lang, created, "
                    "last_sent_marker) VALUES (?, ?, ?, ?, ?, ?)",
                    (address, kind, target, lang, stamp, marker),
                )
                subscription_id = int(cursor.lastrowid or 0)
            else:
                subscription_id = int(row["id"])
            confirm = self._new_token("confirm", subscription_id, stamp)
            unfollow = self._new_token("unfollow", subscription_id, stamp)
            subscription = self.subscription(subscription_id)
        assert subscription is not None
        return Pending(subscription, confirm, unfollow, new)

    def cancel(self, pending: Pending) -> None:
        """Undo :meth:`follow` when its confirmation could not be sent."""
        with _transaction(self.conn):
            for token in (pending.confirm_token, pending.unfollow_token):
                self.conn.execute("DELETE FROM tokens WHERE hash = ?", (token_hash(token),))
            if pending.new:
                self.conn.execute(
                    "DELETE FROM subscriptions WHERE id = ? AND confirmed IS NULL",
                    (pending.subscription.id,),
                )

    def confirm(self, token: str, now: datetime | None = None) -> LinkOutcome:
        """Open a confirmation link."""
        moment = _now(now)
        with _transaction(self.conn):
            row = self._token(token, "confirm")
            if row is None:
                return LinkOutcome(UNKNOWN)
            sub_id = row["subscription_id"]
            subscription = self.subscription(sub_id) if sub_id is not None else None
            if subscription is None:
                return LinkOutcome(EXPIRED)
            if row["used"] is None:
                self.conn.execute(
                    "UPDATE tokens SET used = ? WHERE hash = ?", (_stamp(moment), row["hash"])
                )
            if subscription.confirmed is not None:
                return LinkOutcome(ALREADY_CONFIRMED, subscription)
            if row["used"] is not None or row["created"] < _before(moment, CONFIRM_DAYS):
                return LinkOutcome(EXPIRED, subscription)
            self.conn.execute(
                "UPDATE subscriptions SET confirmed = ? WHERE id = ?", (_stamp(moment), sub_id)
            )
            return LinkOutcome(CONFIRMED, self.subscription(sub_id))

    def unfollow(self, token: str, now: datetime | None = None) -> LinkOutcome:
        """Open an unfollow link: the subscription is deleted."""
        moment = _now(now)
        with _transaction(self.conn):
            row = self._token(token, "unfollow")
            if row is None:
                return LinkOutcome(UNKNOWN)
            sub_id = row["subscription_id"]
            subscription = self.subscription(sub_id) if sub_id is not None else None
            if subscription is None or row["used"] is not None:
                return LinkOutcome(ALREADY_UNFOLLOWED)
            self.conn.execute(
                "UPDATE tokens SET used = COALESCE(used, ?) WHERE subscription_id = ?",
                (_stamp(moment), sub_id),
            )
            self.conn.execute("DELETE FROM subscriptions WHERE id = ?", (sub_id,))
            return LinkOutcome(UNFOLLOWED, subscription)

    def advance(self, marks: dict[int, str]) -> None:
        """Record that the reports up to each marker were told (never moves back)."""
        with _transaction(self.conn):
            for subscription_id, marker in marks.items():
                row = self.conn.execute(
                    "SELECT last_sent_marker FROM subscriptions WHERE id = ?", (subscription_id,)
                ).fetchone()
                if row is not None and is_after(marker, row["last_sent_marker"]):
                    self.conn.execute(
                        "UPDATE subscriptions SET last_sent_marker = ? WHERE id = ?",
                        (marker, subscription_id),
                    )

    def prune(self, now: datetime | None = None) -> None:
        """Delete follows never confirmed, and old tokens tied to nothing."""
        moment = _now(now)
        with _transaction(self.conn):
            self.conn.execute(
                "DELETE FROM subscriptions WHERE confirmed IS NULL AND created < ?",
                (_before(moment, CONFIRM_DAYS),),
            )
            self.conn.execute(
                "DELETE FROM tokens WHERE (subscription_id IS NULL OR used IS NOT NULL) "
                "AND created < ?",
                (_before(moment, KEEP_TOKENS_DAYS),),
            )
            self.conn.execute("DELETE FROM requests WHERE created < ?", (_before(moment, 1),))


@contextlib.contextmanager
def sending_lock(data_dir: Path) -> Iterator[None]:
    """One notify run at a time (a second waits): no change is sent twice."""
    fd = os.open(data_dir / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


# ------------------------------------------------------------------ digests


@dataclass(frozen=True)
class TrialChange:
    """One change to a followed trial, from one report."""

    #: "status", "sites_added", "sites_removed", "updated", "gone" or "added".
    kind: str
    trial_id: str
    title: str | None
    old: str | None = None
    new: str | None = None
    #: The sites added or removed, as the report names them (written in the e-mail's language).
    sites: tuple[SiteNamed, ...] = ()
    #: When the data was pulled ("2025-06-01 14:03 UTC").
    when: str = ""


@dataclass
class Section:
    """What changed for one subscription since its last message."""

    subscription: Subscription
    #: The newest report considered: the mark once this is told.
    marker: str
    changes: list[TrialChange] = field(default_factory=list)
    #: For a search: {"id", "title", "status"} of each new trial that matches.
    new_trials: list[dict] = field(default_factory=list)
    #: New matching trials beyond those listed.
    more: int = 0
    #: Some report named only part of what it added (very large pulls).
    partial: bool = False

    @property
    def empty(self) -> bool:
        return not self.changes and not self.new_trials and not self.more

    def title(self) -> str | None:
        """The followed trial's title, as the newest report gives it."""
        for change in reversed(self.changes):
            if change.title:
                return change.title
        return None


def trial_changes(trial_id: str, reports: list[tuple[str, ChangeReport]]) -> list[TrialChange]:
    """Everything the reports say about one trial, oldest first, each said once."""
    seen: set[tuple] = set()
    found: list[TrialChange] = []

    def add(change: TrialChange) -> None:
        identity = (change.kind, change.old, change.new, change.sites)
        if identity not in seen:
            seen.add(identity)
            found.append(change)

    for _key, report in reports:
        when = report.when_text()
        for row in report.status_changes:
            if row.get("id") == trial_id:
                add(
                    TrialChange(
                        "status",
                        trial_id,
                        row.get("title"),
                        row.get("old"),
                        row.get("new"),
                        when=when,
                    )
                )
        for kind in ("sites_added", "sites_removed"):
            for row in getattr(report, kind):
                if row.get("id") == trial_id:
                    sites = report_sites(row)
                    add(TrialChange(kind, trial_id, row.get("title"), sites=sites, when=when))
        for row in report.updated:
            if row.get("id") == trial_id:
                add(
                    TrialChange(
                        "updated",
                        trial_id,
                        row.get("title"),
                        row.get("old_last_update"),
                        row.get("new_last_update"),
                        when=when,
                    )
                )
        for kind in ("gone", "added"):
            for row in getattr(report, kind):
                if row.get("id") == trial_id:
                    add(
                        TrialChange(
                            kind, trial_id, row.get("title"), new=row.get("status"), when=when
                        )
                    )
    return found


def search_candidates(
    query_string: str, reports: list[tuple[str, ChangeReport]]
) -> tuple[list[dict], bool]:
    """Trials the reports added, or whose status became one the search asks for,
    newest news last, each once; and whether a report named only part of them."""
    wanted = set(parse_query(query_string).query.status)
    rows: dict[str, dict] = {}
    partial = False
    for _key, report in reports:
        if report.count("added") > len(report.added):
            partial = True
        for row in report.added:
            if isinstance(row.get("id"), str):
                rows[row["id"]] = {
                    "id": row["id"],
                    "title": row.get("title"),
                    "status": row.get("status"),
                }
        if wanted:
            if report.count("status_changes") > len(report.status_changes):
                partial = True
            for row in report.status_changes:
                if (
                    row.get("new") in wanted
                    and row.get("old") not in wanted
                    and isinstance(row.get("id"), str)
                ):
                    rows[row["id"]] = {
                        "id": row["id"],
                        "title": row.get("title"),
                        "status": row.get("new"),
                    }
    return list(rows.values()), partial


#: Given a canonical query string, the ids (of those given) that match it now.
Matcher = Callable[[str, set[str]], set[str] | None]


def section_for(subscription: Subscription, reports: Reports, matches: Matcher) -> Section | None:
    """What to tell one subscription; None when it cannot be told yet (no catalog)."""
    newer = reports.after(subscription.last_sent_marker)
    marker = newer[-1][0] if newer else subscription.last_sent_marker
    section = Section(subscription, marker)
    if not newer:
        return section
    if subscription.kind == "trial":
        section.changes = trial_changes(subscription.target, newer)
        return section
    candidates, section.partial = search_candidates(subscription.target, newer)
    if not candidates:
        return section
    matching = matches(subscription.target, {row["id"] for row in candidates})
    if matching is None:
        return None
    found = [row for row in candidates if row["id"] in matching]
    section.new_trials = found[:MAX_NEW_TRIALS]
    section.more = len(found) - len(section.new_trials)
    return section
