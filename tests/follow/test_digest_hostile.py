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


PHISH = "VERIFY your account at http://evil.example/login"


def test_a_followed_search_is_never_in_the_subject_and_quoted_in_the_body(
    data: Path, smtp: SmtpSink
) -> None:
    from trialfinder.follow import digest
    from trialfinder.follow.store import Store

    with Store.open(data) as store:
        pending = store.follow("ann@example.org", "search", f"cond={PHISH}", "en")
    digest.send_confirmation(smtp.settings(), "https://trials.example.org", pending)
    [received] = smtp.take()
    subject = received.message["Subject"]
    assert subject == "Please confirm: follow a search on trialfinder"
    assert "VERIFY" not in subject and "evil" not in subject
    # In the body the project's own words, the typed text in quotes after them.
    assert f"asked to follow a search (Trials for “{PHISH}”) on trialfinder" in received.text
    assert f"Trials for “{PHISH}”" in received.html
    assert 'href="http://evil.example' not in received.html


@pytest.mark.parametrize("lang", ["en", "vi"])
@pytest.mark.parametrize("kind, target", [("trial", "NCT09950001"), ("search", "cond=asthma")])
def test_every_confirmation_subject_arrives_as_written(
    data: Path, smtp: SmtpSink, lang: str, kind: str, target: str
) -> None:
    # Python's e-mail folding drops a space between two encoded words of a long
    # non-ASCII subject ("tìm kiếm" arrived as "tìmkiếm"): each subject must survive it.
    from trialfinder.follow import digest
    from trialfinder.follow.store import Store

    with Store.open(data) as store:
        pending = store.follow(f"{lang}{kind}@example.org", kind, target, lang)
    digest.send_confirmation(smtp.settings(), "https://trials.example.org", pending)
    [received] = smtp.take()
    assert received.message["Subject"] == digest.words(lang)[f"confirm_subject_{kind}"]
