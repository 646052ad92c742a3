"""Times as the project writes and shows them: always UTC, in three shapes.

- :func:`iso`: "2025-06-01T14:03:22Z", the one format stored in data (change reports,
  follows, the catalog's build time, the lock);
- :func:`file_stamp`: "20250601T140322123456Z", for names of files and folders
  (they sort by time, and two in one second still differ);
- :func:`shown`: "2025-06-01 14:03 UTC", for people.
"""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime | None = None) -> str:
    """``moment`` (default: now) as "2025-06-01T14:03:22Z"."""
    return (moment or now()).astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def file_stamp(moment: datetime | None = None) -> str:
    """``moment`` (default: now) as "20250601T140322123456Z", for a file or folder name."""
    return (moment or now()).astimezone(UTC).strftime("%Y%m%dT%H%M%S%fZ")


def parse(text: object) -> datetime | None:
    """A stored time read back ("Z" or "+00:00"); None when it is not one."""
    try:
        moment = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def shown(text: str) -> str:
    """A stored time as people read it ("2025-06-01 14:03 UTC"); the text itself when
    it is not a time."""
    moment = parse(text)
    return text if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
