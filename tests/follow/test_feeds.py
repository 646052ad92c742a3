"""Atom feeds of the change reports, written with feedgen and read back with feedparser.

The reports come from real refreshes of the local API stand-in (and one import)
into temporary data directories; the feeds go to temporary folders too, never
into the project's static/.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import feedparser
import pytest
from click.testing import CliRunner, Result

from tests.support.fake_ctgov import FakeCtgov
from tests.support.studies import HANOI, HUE, made_up
from trialfinder.cli import main
from trialfinder.follow import feeds as feeding
from trialfinder.store.changes import ChangeReport, save_report

PUBLIC = "https://trials.example.org"
SOURCES = """\
sources:
  - name: cp
    description: Cerebral palsy, made up for the tests
    params:
      query.cond: cerebral palsy
  - name: asthma
    params:
      query.cond: asthma
"""
FAST = ["--page-size", "10", "--retries", "0", "--interval", "0", "--timeout", "2"]
MARKUP = "<script>alert(1)</script> & <b>bold</b>"


pytestmark = pytest.mark.usefixtures("no_internet")


@pytest.fixture(autouse=True)
def settings_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRIALFINDER_PUBLIC_URL", PUBLIC)
    monkeypatch.delenv("TRIALFINDER_FEEDS_DIR", raising=False)
    monkeypatch.delenv("TRIALFINDER_SMTP_HOST", raising=False)


def refresh(data: Path, source: str, studies: list[dict], *extra: str) -> Result:
    with FakeCtgov(studies) as server:
        args = ["refresh", "--data-dir", str(data), "--api-url", server.url, "--source", source]
        return CliRunner().invoke(main, [*args, *FAST, *extra], catch_exceptions=False)


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """cp refreshed twice (3 trials, then one suspended and one new with a markup title),
    asthma once, and cp a third time with nothing changed."""
    directory = tmp_path / "data"
    directory.mkdir()
    (directory / "sources.yaml").write_text(SOURCES, encoding="utf-8")
    cp = [made_up(f"NCT0995000{i}", sites=[HANOI]) for i in (1, 2, 3)]
    assert refresh(directory, "cp", cp).exit_code == 0
    asthma = [made_up("NCT09960001", "Asthma study", conditions=("Asthma",))]
    assert refresh(directory, "asthma", asthma).exit_code == 0
    cp[0] = made_up("NCT09950001", status="SUSPENDED", sites=[HANOI, HUE])
    cp.append(made_up("NCT09950004", MARKUP))
    assert refresh(directory, "cp", cp).exit_code == 0
    assert refresh(directory, "cp", cp).exit_code == 0  # no changes: no entry
    return directory


def parse(path: Path):
    feed = feedparser.parse(path.read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    return feed


def test_a_refresh_writes_a_feed_for_every_change_and_one_for_each_pull(
    data: Path, tmp_path: Path
) -> None:
    out = data / "feeds"  # the default for a data directory that is not the project's
    assert sorted(p.name for p in out.iterdir()) == [
        "all.vi.xml",
        "all.xml",
        "source-asthma.vi.xml",
        "source-asthma.xml",
        "source-cp.vi.xml",
        "source-cp.xml",
    ]

    everything = parse(out / "all.xml")
    assert everything.feed.title == "trialfinder: every change to the trials"
    assert [e.title.split(",")[0] for e in everything.entries] == ["cp", "asthma", "cp"]
    assert everything.entries[0].title.endswith("4 trials; 1 added, 1 status change, 1 site added")
    assert everything.feed.updated == everything.entries[0].updated
    assert {link.rel: link.href for link in everything.feed.links}["alternate"] == f"{PUBLIC}/data"

    cp = parse(out / "source-cp.xml")
    assert cp.feed.title == "trialfinder: cp"
    assert cp.feed.subtitle == "Cerebral palsy, made up for the tests"
    assert [e.id for e in cp.entries] == [everything.entries[0].id, everything.entries[2].id]
    newest = cp.entries[0].content[0]
    assert newest.type == "text/html"
    assert f'href="{PUBLIC}/trial?id=NCT09950004"' in newest.value
    assert "Recruiting → Suspended" in newest.value
    assert "Hue Central Hospital, Hue, Vietnam" in newest.value
    # Trial text is text: escaped inside the HTML, which is escaped inside the XML.
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in newest.value
    assert "<script>" not in newest.value and "<b>bold" not in newest.value
    raw = (out / "source-cp.xml").read_text(encoding="utf-8")
    assert "<script>" not in raw

    asthma = parse(out / "source-asthma.xml")
    assert [e.title.split(":")[0] for e in asthma.entries] == [
        everything.entries[1].title.split(":")[0]
    ]
    assert asthma.feed.subtitle == "What each refresh of the pull asthma changed."


def test_each_feed_is_also_written_in_vietnamese_with_links_to_vietnamese_pages(
    data: Path,
) -> None:
    out = data / "feeds"
    english, vietnamese = parse(out / "source-cp.xml"), parse(out / "source-cp.vi.xml")
    assert vietnamese.feed.language == "vi" and english.feed.language == "en"
    assert vietnamese.feed.title == "trialfinder: cp"
    assert vietnamese.feed.subtitle == "Cerebral palsy, made up for the tests"  # staff's words
    assert parse(out / "all.vi.xml").feed.title == "trialfinder: mọi thay đổi của các thử nghiệm"
    assert [e.id for e in vietnamese.entries] == [e.id for e in english.entries]
    assert {link.rel: link.href for link in vietnamese.feed.links}["alternate"] == (
        f"{PUBLIC}/data?lang=vi"
    )
    newest = vietnamese.entries[0]
    assert newest.title.startswith("cp, cập nhật lúc ") and "thử nghiệm" in newest.title
    html = newest.content[0].value
    assert f'href="{PUBLIC}/trial?id=NCT09950004&amp;lang=vi"' in html
    assert "Đang tuyển → Tạm dừng" in html
    assert "Hue Central Hospital, Huế, Việt Nam" in html  # the place in Vietnamese too
    for english_words in ("Added", "Status changes", "Sites added", "Recruiting", "no status"):
        assert english_words not in html, english_words
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>" not in html
    assert parse(out / "source-asthma.vi.xml").feed.subtitle == (
        "Những gì mỗi lần làm mới nguồn dữ liệu asthma đã thay đổi."
    )


def test_the_data_page_lists_the_feeds_of_its_language(data: Path) -> None:
    from trialfinder.i18n import using

    with using("vi"):
        listed = feeding.existing_feeds(data)
    assert [(f.path.name, f.title) for f in listed] == [
        ("all.vi.xml", "Mọi thay đổi"),
        ("source-cp.vi.xml", "Nguồn dữ liệu cp"),
        ("source-asthma.vi.xml", "Nguồn dữ liệu asthma"),
    ]
    assert [f.path.name for f in feeding.existing_feeds(data)] == [
        "all.xml",
        "source-cp.xml",
        "source-asthma.xml",
    ]


def test_feeds_are_rewritten_only_when_they_change(data: Path) -> None:
    out = data / "feeds"
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.iterdir()}
    feeding.write_feeds(data)
    assert {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.iterdir()} == before
    ids = [e.id for e in parse(out / "all.xml").entries]
    # A new change adds an entry on top; the others keep their ids.
    save_report(
        data,
        ChangeReport(
            source="asthma",
            when="2099-01-01T00:00:00Z",
            published=True,
            counts={"gone": 1},
            gone=[{"id": "NCT09960001", "title": "Asthma study"}],
        ),
        "20990101T000000000000Z",
    )
    feeding.write_feeds(data)
    after = parse(out / "all.xml")
    assert [e.id for e in after.entries] == [after.entries[0].id, *ids]
    assert after.entries[0].title == "asthma, refreshed 2099-01-01 00:00 UTC: 0 trials; 1 gone"
    assert (out / "source-cp.xml").read_bytes() == before["source-cp.xml"][0]


def test_an_import_is_in_the_feed_of_every_change(data: Path, tmp_path: Path) -> None:
    study = tmp_path / "study.json"
    study.write_text(json.dumps(made_up("NCT09970001", "Imported trial")), encoding="utf-8")
    result = CliRunner().invoke(main, ["import", str(study), "--data-dir", str(data)])
    assert result.exit_code == 0, result.output
    feeding.write_feeds(data)
    newest = parse(data / "feeds" / "all.xml").entries[0]
    assert newest.title.startswith("imported, imported ")
    assert "NCT09970001" in newest.content[0].value


def test_only_the_newest_reports_are_kept(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    for day in range(1, 61):
        save_report(
            data,
            ChangeReport(
                source="cp",
                when=f"2025-01-{1 + day // 24:02d}T{day % 24:02d}:00:00Z",
                published=True,
                counts={"added": 1},
                added=[{"id": f"NCT0995{day:04d}", "title": "t", "status": "RECRUITING"}],
            ),
            f"202501{1 + day // 24:02d}T{day % 24:02d}0000000000Z",
        )
    written, in_vietnamese = feeding.write_feeds(data, tmp_path / "out")  # no pull feeds
    assert in_vietnamese.path.name == "all.vi.xml"
    entries = parse(written.path).entries
    assert len(entries) == feeding.MAX_ENTRIES
    assert "NCT09950060" in entries[0].content[0].value
    assert "NCT09950011" in entries[-1].content[0].value


def test_an_empty_feed_for_a_pull_not_refreshed_yet(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "sources.yaml").write_text(SOURCES, encoding="utf-8")
    written = feeding.write_feeds(data, tmp_path / "out")
    assert [f.path.name for f in written] == [
        "all.xml",
        "source-cp.xml",
        "source-asthma.xml",
        "all.vi.xml",
        "source-cp.vi.xml",
        "source-asthma.vi.xml",
    ]
    for feed in written:
        assert parse(feed.path).entries == []
    # A pull dropped from sources.yaml loses its feed.
    (data / "sources.yaml").write_text(SOURCES.split("  - name: asthma")[0], encoding="utf-8")
    feeding.write_feeds(data, tmp_path / "out")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "all.vi.xml",
        "all.xml",
        "source-cp.vi.xml",
        "source-cp.xml",
    ]


def test_where_feeds_go(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "data"
    given = tmp_path / "given"
    assert feeding.feeds_dir(data) == data / "feeds"
    assert feeding.feeds_dir(feeding.PROJECT / "data") == feeding.PROJECT / "static" / "feeds"
    monkeypatch.setenv("TRIALFINDER_FEEDS_DIR", str(tmp_path / "env"))
    assert feeding.feeds_dir(data) == tmp_path / "env"
    assert feeding.feeds_dir(feeding.PROJECT / "data") == tmp_path / "env"
    assert feeding.feeds_dir(data, given) == given
    # Only files under the project's static/ are served by the dashboard.
    assert feeding.served_url(feeding.PROJECT_FEEDS / "all.xml") == "app/static/feeds/all.xml"
    assert feeding.served_url(data / "feeds" / "all.xml") is None


def test_refresh_and_notify_take_a_feeds_folder(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "elsewhere"
    with FakeCtgov([made_up("NCT09960001", "Asthma study", conditions=("Asthma",))]) as server:
        args = [
            "refresh",
            "--data-dir",
            str(data),
            "--api-url",
            server.url,
            "--feeds-dir",
            str(out),
            "--source",
            "asthma",
        ]
        result = CliRunner().invoke(main, [*args, *FAST], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert f"feeds: 6 written to {out}" in result.stderr  # 3 feeds, in 2 languages
    assert len(parse(out / "all.xml").entries) == 3
    other = tmp_path / "other"
    result = CliRunner(env={"TRIALFINDER_FEEDS_DIR": str(other)}).invoke(
        main, ["notify", "--data-dir", str(data), "--public-url", "https://x.example.org"]
    )
    assert result.exit_code == 0, result.output  # no one follows anything: nothing to send
    assert "notify: 0 messages sent" in result.stderr
    feed = parse(other / "source-cp.xml")
    assert "https://x.example.org/trial?id=" in feed.entries[0].content[0].value


def test_a_dry_run_writes_no_feed(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "sources.yaml").write_text(SOURCES, encoding="utf-8")
    assert refresh(data, "cp", [made_up("NCT09950001")], "--dry-run").exit_code == 0
    assert not (data / "feeds").exists()
    result = CliRunner().invoke(main, ["notify", "--dry-run", "--data-dir", str(data)])
    assert result.exit_code == 0 and not (data / "feeds").exists()


def test_a_feeds_folder_that_cannot_be_written_does_not_fail_the_refresh(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "sources.yaml").write_text(SOURCES, encoding="utf-8")
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    result = refresh(data, "cp", [made_up("NCT09950001")], "--feeds-dir", str(blocker / "feeds"))
    assert result.exit_code == 0, result.output
    assert "warning: the feeds could not be written" in result.stderr
    assert os.readlink(data / "registry" / "cp")  # published all the same
