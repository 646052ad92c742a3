"""Times: one stored format, one for file names, one for people, all UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from trialfinder import stamps

MOMENT = datetime(2025, 6, 1, 14, 3, 22, 123456, tzinfo=UTC)


def test_a_stored_time_is_utc_to_the_second_with_a_z() -> None:
    assert stamps.iso(MOMENT) == "2025-06-01T14:03:22Z"
    hanoi = MOMENT.astimezone(timezone(timedelta(hours=7)))
    assert stamps.iso(hanoi) == "2025-06-01T14:03:22Z"
    assert stamps.iso().endswith("Z")


def test_a_file_stamp_sorts_as_time_does() -> None:
    assert stamps.file_stamp(MOMENT) == "20250601T140322123456Z"
    later = MOMENT + timedelta(microseconds=1)
    assert stamps.file_stamp(MOMENT) < stamps.file_stamp(later)


def test_stored_times_read_back_and_show_to_people() -> None:
    assert stamps.parse("2025-06-01T14:03:22Z") == MOMENT.replace(microsecond=0)
    assert stamps.parse("2025-06-01T14:03:22+00:00") == MOMENT.replace(microsecond=0)
    assert stamps.parse("yesterday") is None
    assert stamps.shown("2025-06-01T14:03:22Z") == "2025-06-01 14:03 UTC"
    assert stamps.shown("2025-06-01T21:03:22+07:00") == "2025-06-01 14:03 UTC"
    assert stamps.shown("not a time") == "not a time"
