"""Feeds and followers' messages survive a NUL or control character in a trial's text
(issue 23): before text was cleaned on the way in, one such title in a change report
stopped every later feed and made ``trialfinder notify`` crash before any digest.

A report is written as an older version would have kept it (with the NUL in it);
the feeds are still written and every follower still gets a digest, without it.
"""

# ruff: noqa: F811  (the fixtures of test_digest are imported, then asked for by name)
from __future__ import annotations

import json
from pathlib import Path

import feedparser
import pytest

from tests.follow.test_digest import (  # noqa: F401  (fixtures)
    SmtpSink,
    by_address,
    data,
    followers,
    refresh,
    run,
    second_pull,
    settings_env,
    smtp,
)
from trialfinder.follow import feeds as feeding
from trialfinder.store.changes import report_files

pytestmark = pytest.mark.usefixtures("no_internet")

DIRTY = "Followed\x00 trial\x1b[31m with \x07controls"


def dirty_newest_report(data: Path) -> None:
    """Put control characters into the titles of the newest kept report, as JSON escapes."""
    _stamp, _source, path = report_files(data)[-1]
    report = json.loads(path.read_text(encoding="utf-8"))
    dirtied = 0
    for rows in report.values():
        if isinstance(rows, list):
            for row in rows:
                if isinstance(row, dict) and "title" in row:
                    row["title"] = DIRTY
                    dirtied += 1
    assert dirtied
    path.write_text(json.dumps(report), encoding="utf-8")
    assert "\\u0000" in path.read_text(encoding="utf-8")


def test_feeds_are_written_though_a_report_holds_a_nul(followers: Path, tmp_path: Path) -> None:
    assert refresh(followers, second_pull()).exit_code == 0
    dirty_newest_report(followers)
    written = feeding.write_feeds(followers, tmp_path / "feeds")
    assert written
    text = (tmp_path / "feeds" / written[0].path.name).read_text(encoding="utf-8")
    parsed = feedparser.parse(text)
    assert not parsed.bozo, parsed.bozo_exception
    assert "Followed trial[31m with controls" in text
    assert "\x00" not in text and "\x1b" not in text


def test_every_digest_is_sent_though_a_report_holds_a_nul(followers: Path, smtp: SmtpSink) -> None:
    assert refresh(followers, second_pull()).exit_code == 0
    dirty_newest_report(followers)
    result = run(followers, smtp)
    assert result.sent == 2 and not result.failed
    received = by_address(smtp.take())
    ann = received["ann@example.org"]
    assert "Followed trial[31m with controls" in ann.text
    assert "\x00" not in ann.text and "\x1b" not in ann.text
