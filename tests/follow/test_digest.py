"""Telling followers, through a real SMTP server (aiosmtpd) on 127.0.0.1.

The change reports come from real refreshes of a local stand-in for the
ClinicalTrials.gov API (tests/support/fake_ctgov.py) into temporary data
directories. The server keeps every message it accepts, and can refuse the next
one (``451``) to prove a failed send is tried again and never lost, and that no
change is ever sent twice.
"""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner, Result

from tests.support.fake_ctgov import FakeCtgov
from tests.support.studies import HANOI, HUE, made_up
from trialfinder import i18n
from trialfinder.cli import main
from trialfinder.follow import digest, mail
from trialfinder.follow import store as following
from trialfinder.follow.store import Store
from trialfinder.query import parse_query

PUBLIC = "https://trials.example.org"
SOURCES = """\
sources:
  - name: cp
    description: Made-up pull for the tests
    params:
      query.cond: cerebral palsy OR asthma
"""
FAST = ["--page-size", "10", "--retries", "0", "--interval", "0", "--timeout", "2"]
LINK = re.compile(re.escape(PUBLIC) + r"/follow\?(confirm|unfollow)=([A-Za-z0-9_-]{43})")

# ------------------------------------------------------------------ a real SMTP server


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage

    @property
    def text(self) -> str:
        return self.message.get_body(preferencelist=("plain",)).get_content()

    @property
    def html(self) -> str:
        return self.message.get_body(preferencelist=("html",)).get_content()

    def links(self, purpose: str) -> list[str]:
        return [token for kind, token in LINK.findall(self.text) if kind == purpose]


class SmtpSink:
    """aiosmtpd on 127.0.0.1 that keeps every message it accepts; ``refuse_next``
    messages are refused with 451 (try again later) first."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.refused = 0
        self.refuse_next = 0
        self._lock = threading.Lock()
        self._controller: Controller | None = None
        self.port = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self._lock:
            if self.refuse_next:
                self.refuse_next -= 1
                self.refused += 1
                return "451 4.3.0 Not now, please try again later"
            raw = envelope.original_content or envelope.content
            message = BytesParser(policy=policy.default).parsebytes(raw)
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 2.0.0 Kept"

    def start(self) -> SmtpSink:
        last: Exception | None = None
        for _ in range(5):  # the free port may be taken before aiosmtpd binds it
            with socket.socket() as probe:
                probe.bind(("127.0.0.1", 0))
                port = probe.getsockname()[1]
            controller = Controller(self, hostname="127.0.0.1", port=port)
            try:
                controller.start()
            except Exception as error:  # noqa: BLE001 - try another port
                last = error
                continue
            self._controller, self.port = controller, port
            return self
        raise RuntimeError(f"the SMTP server did not start: {last}")

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def env(self) -> dict[str, str]:
        """The settings that send to this server."""
        return {
            "TRIALFINDER_SMTP_HOST": "127.0.0.1",
            "TRIALFINDER_SMTP_PORT": str(self.port),
            "TRIALFINDER_SMTP_TLS": "none",
            "TRIALFINDER_SMTP_SENDER": "trialfinder <noreply@example.org>",
        }

    def settings(self) -> mail.SmtpSettings:
        return mail.SmtpSettings.from_env(self.env())

    def take(self) -> list[Received]:
        """What arrived since the last take, in order."""
        with self._lock:
            taken, self.received = self.received, []
        return taken


@pytest.fixture
def smtp() -> Iterator[SmtpSink]:
    sink = SmtpSink().start()
    try:
        yield sink
    finally:
        sink.stop()


pytestmark = pytest.mark.usefixtures("no_internet")


@pytest.fixture(autouse=True)
def settings_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No SMTP server, public address or feeds folder unless a test gives one."""
    for name in ("HOST", "PORT", "USER", "PASSWORD", "TLS", "SENDER"):
        monkeypatch.delenv(f"TRIALFINDER_SMTP_{name}", raising=False)
    monkeypatch.setenv("TRIALFINDER_PUBLIC_URL", PUBLIC)
    monkeypatch.delenv("TRIALFINDER_FEEDS_DIR", raising=False)


# ------------------------------------------------------------------ data


def first_pull() -> list[dict]:
    return [
        made_up("NCT09950001", "Followed trial", sites=[HANOI]),
        made_up("NCT09950002", "Another followed trial"),
        made_up("NCT09950003", "Asthma study", conditions=("Asthma",)),
    ]


def second_pull() -> list[dict]:
    """Trial 1 is suspended and opens a site in Hue; trial 2's record is updated (and its
    title is markup); one cerebral palsy trial and one asthma trial are new."""
    return [
        made_up("NCT09950001", "Followed trial", status="SUSPENDED", sites=[HANOI, HUE]),
        made_up("NCT09950002", "<b>Bold</b> & [link](http://x.test)", updated="2025-03-01"),
        made_up("NCT09950003", "Asthma study", conditions=("Asthma",)),
        made_up("NCT09950004", "A new cerebral palsy trial"),
        made_up("NCT09950005", "A new asthma trial", conditions=("Asthma",)),
    ]


def refresh(data: Path, studies: list[dict], *extra: str) -> Result:
    with FakeCtgov(studies) as server:
        args = ["refresh", "--data-dir", str(data), "--api-url", server.url, *FAST, *extra]
        return CliRunner().invoke(main, args, catch_exceptions=False)


@pytest.fixture
def data(tmp_path: Path) -> Path:
    directory = tmp_path / "data"
    directory.mkdir()
    (directory / "sources.yaml").write_text(SOURCES, encoding="utf-8")
    result = refresh(directory, first_pull())
    assert result.exit_code == 0, result.output
    return directory


def follow(data: Path, email: str, kind: str, target: str, lang: str = "en", confirm: bool = True):
    with Store.open(data) as store:
        pending = store.follow(email, kind, target, lang, marker=following.latest_marker(data))
        if confirm:
            assert store.confirm(pending.confirm_token).outcome == following.CONFIRMED
    return pending


@pytest.fixture
def followers(data: Path) -> Path:
    """Ann follows trial 1 and a cerebral palsy search (English); Binh follows trial 2
    (Vietnamese); Chi asked to follow trial 1 but never confirmed."""
    follow(data, "ann@example.org", "trial", "NCT09950001")
    follow(data, "ann@example.org", "search", "cond=cerebral palsy")
    follow(data, "binh@example.org", "trial", "NCT09950002", lang="vi")
    follow(data, "chi@example.org", "trial", "NCT09950001", confirm=False)
    return data


def run(data: Path, smtp: SmtpSink, **kwargs: Any) -> digest.NotifyResult:
    return digest.run(data, smtp.settings(), **kwargs)


def by_address(received: list[Received]) -> dict[str, Received]:
    found = {}
    for item in received:
        [address] = item.recipients
        assert address not in found, f"two messages to {address}"
        found[address] = item
    return found


# ------------------------------------------------------------------ confirmation


def test_the_confirmation_message_arrives_and_its_link_confirms(data: Path, smtp: SmtpSink) -> None:
    with Store.open(data) as store:
        pending = store.follow("ann@example.org", "trial", "NCT09950001", "en")
    digest.send_confirmation(smtp.settings(), PUBLIC, pending, title="Followed <trial>")
    [received] = smtp.take()
    msg = received.message
    assert received.recipients == ["ann@example.org"]
    assert received.sender == "noreply@example.org"
    # The subject names no trial and no search: what a follow says is someone's typing.
    assert msg["Subject"] == "Please confirm: follow a trial on trialfinder"
    assert msg["From"] == "trialfinder <noreply@example.org>"
    assert msg["Auto-Submitted"] == "auto-generated"
    assert msg.get_content_type() == "multipart/alternative"
    assert "the trial NCT09950001 (Followed <trial>)" in received.text
    assert "Followed &lt;trial&gt;" in received.html and "<trial>" not in received.html
    [confirm] = received.links("confirm")
    [unfollow] = received.links("unfollow")
    assert msg["List-Unsubscribe"] == f"<{PUBLIC}/follow?unfollow={unfollow}>"
    assert f'href="{PUBLIC}/follow?confirm={confirm}"' in received.html
    with Store.open(data) as store:
        assert store.subscriptions(confirmed_only=True) == []
        assert store.confirm(confirm).outcome == following.CONFIRMED
        assert store.confirm(confirm).outcome == following.ALREADY_CONFIRMED


def test_a_confirmation_in_vietnamese(data: Path, smtp: SmtpSink) -> None:
    with Store.open(data) as store:
        pending = store.follow("binh@example.org", "search", "cond=cerebral palsy&age=4y", "vi")
    digest.send_confirmation(smtp.settings(), PUBLIC, pending)
    [received] = smtp.take()
    assert received.message["Subject"] == "Xác nhận: theo dõi một tìm kiếm trên trialfinder"
    assert "một tìm kiếm (Các thử nghiệm về “cerebral palsy” nhận trẻ 4 tuổi)" in received.text
    assert received.message["Content-Language"] == "vi"
    assert "Để xác nhận, hãy mở liên kết này" in received.text
    assert '<html lang="vi">' in received.html
    [confirm], [unfollow] = received.links("confirm"), received.links("unfollow")
    # The links open the pages in Vietnamese too.
    assert f"{PUBLIC}/follow?confirm={confirm}&lang=vi" in received.text
    assert f'href="{PUBLIC}/follow?confirm={confirm}&amp;lang=vi"' in received.html
    assert received.message["List-Unsubscribe"] == f"<{PUBLIC}/follow?unfollow={unfollow}&lang=vi>"


def test_a_refused_confirmation_raises_and_the_server_unset_is_said(
    data: Path, smtp: SmtpSink
) -> None:
    with Store.open(data) as store:
        pending = store.follow("ann@example.org", "trial", "NCT09950001")
    smtp.refuse_next = 1
    with pytest.raises(mail.SendFailed, match="451"):
        digest.send_confirmation(smtp.settings(), PUBLIC, pending)
    with pytest.raises(mail.NotConfigured, match="TRIALFINDER_SMTP_HOST"):
        digest.send_confirmation(mail.SmtpSettings(), PUBLIC, pending)
    assert smtp.take() == []


# ------------------------------------------------------------------ digests


def test_after_a_refresh_each_follower_gets_one_digest(
    followers: Path, smtp: SmtpSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in smtp.env().items():
        monkeypatch.setenv(name, value)
    result = refresh(followers, second_pull())
    assert result.exit_code == 0, result.output
    assert "notify: 2 messages sent" in result.stderr
    received = by_address(smtp.take())
    assert sorted(received) == ["ann@example.org", "binh@example.org"]  # Chi never confirmed

    ann = received["ann@example.org"]
    assert ann.message["Subject"] == "What changed in the trials you follow"
    text = ann.text
    assert "Trial NCT09950001: Followed trial" in text
    assert "The status changed from “Recruiting” to “Suspended” (data of " in text
    assert "New sites: Hue Central Hospital, Hue, Vietnam (data of " in text
    assert "Your search: Trials for “cerebral palsy”" in text
    assert "1 new trial matches your search:" in text
    assert "NCT09950004: A new cerebral palsy trial (Recruiting)" in text
    assert "NCT09950005" not in text  # new, but not a cerebral palsy trial
    assert f"{PUBLIC}/trial?id=NCT09950004" in text
    assert f"{PUBLIC}/?cond=cerebral+palsy" in text
    assert "lang=" not in text  # English, the default: the links say no language
    assert len(ann.links("unfollow")) == 2  # one for each follow
    assert "List-Unsubscribe" not in ann.message  # two follows: the links are in the text

    binh = received["binh@example.org"]
    assert binh.message["Subject"] == "Những thay đổi ở các thử nghiệm bạn theo dõi"
    # Dates, links and all in Binh's language: the pages the links open speak it too.
    assert (
        "Hồ sơ đã được cập nhật: lần cập nhật trước 8 tháng 1, 2025, nay 1 tháng 3, 2025"
        in binh.text
    )
    assert re.search(r"\(dữ liệu ngày \d{1,2} tháng \d{1,2}, 20\d\d, \d\d:\d\d UTC\)", binh.text)
    assert f"{PUBLIC}/trial?id=NCT09950002&lang=vi" in binh.text
    assert "<b>Bold</b> & [link](http://x.test)" in binh.text  # plain text is plain
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; [link](http://x.test)" in binh.html
    assert "<b>Bold" not in binh.html
    [token] = binh.links("unfollow")
    assert binh.message["List-Unsubscribe"] == f"<{PUBLIC}/follow?unfollow={token}&lang=vi>"
    assert f"{PUBLIC}/follow?unfollow={token}&lang=vi" in binh.text

    # Nothing changed since: no message, however often it runs.
    assert run(followers, smtp).sent == 0
    assert refresh(followers, second_pull()).exit_code == 0
    assert smtp.take() == []


def test_no_change_is_sent_twice(followers: Path, smtp: SmtpSink) -> None:
    assert refresh(followers, second_pull()).exit_code == 0  # no SMTP set: nothing sent yet
    first = run(followers, smtp)
    assert (first.sent, first.failed) == (2, 0)
    assert len(smtp.take()) == 2
    again = run(followers, smtp)
    assert (again.sent, again.failed) == (0, 0) and smtp.take() == []
    # A later change is sent on its own, without what was told before.
    later = second_pull()
    later[0] = made_up("NCT09950001", "Followed trial", status="COMPLETED", sites=[HANOI, HUE])
    assert refresh(followers, later).exit_code == 0
    run(followers, smtp)
    [ann] = smtp.take()
    assert ann.recipients == ["ann@example.org"]
    assert "from “Suspended” to “Completed”" in ann.text
    assert "“Recruiting”" not in ann.text and "New sites" not in ann.text
    assert "Your search" not in ann.text


def test_a_refused_message_is_tried_again_and_nothing_is_lost(
    followers: Path, smtp: SmtpSink
) -> None:
    assert refresh(followers, second_pull()).exit_code == 0
    with Store.open(followers) as store:
        tokens_before = store.conn.execute("SELECT COUNT(*) FROM tokens").fetchone()[0]
    smtp.refuse_next = 1
    first = run(followers, smtp)
    assert (first.sent, first.failed, smtp.refused) == (1, 1, 1)
    assert "was not sent: the server answered 451" in first.problems[0]
    [delivered] = smtp.take()
    refused_to = {"ann@example.org", "binh@example.org"} - set(delivered.recipients)
    with Store.open(followers) as store:  # the refused message's links were forgotten
        tokens_after = store.conn.execute("SELECT COUNT(*) FROM tokens").fetchone()[0]
    assert tokens_after == tokens_before + len(delivered.links("unfollow"))

    second = run(followers, smtp)
    assert (second.sent, second.failed) == (1, 0)
    [retried] = smtp.take()
    assert set(retried.recipients) == refused_to
    assert "NCT0995000" in retried.text
    assert run(followers, smtp).sent == 0 and smtp.take() == []


def test_two_runs_at_once_send_each_change_once(followers: Path, smtp: SmtpSink) -> None:
    assert refresh(followers, second_pull()).exit_code == 0
    results: list[digest.NotifyResult] = []
    runs = [threading.Thread(target=lambda: results.append(run(followers, smtp))) for _ in range(3)]
    for thread in runs:
        thread.start()
    for thread in runs:
        thread.join(timeout=60)
    assert sorted(r.sent for r in results) == [0, 0, 2]
    assert sorted(r.recipients[0] for r in smtp.take()) == ["ann@example.org", "binh@example.org"]


def test_a_server_that_cannot_be_reached_is_tried_once_a_run(
    followers: Path, smtp: SmtpSink
) -> None:
    assert refresh(followers, second_pull()).exit_code == 0
    smtp.stop()  # nothing listens on its port now
    down = run(followers, smtp)
    assert (down.sent, down.failed) == (0, 2)
    assert all("the SMTP server cannot be used: ConnectionRefusedError" in p for p in down.problems)
    smtp.start()
    back = digest.run(followers, smtp.settings())
    assert (back.sent, back.failed) == (2, 0) and len(smtp.take()) == 2


def test_the_unfollow_link_of_a_digest_deletes_that_follow(followers: Path, smtp: SmtpSink) -> None:
    assert refresh(followers, second_pull()).exit_code == 0
    run(followers, smtp)
    ann = by_address(smtp.take())["ann@example.org"]
    trial_link, search_link = ann.links("unfollow")
    with Store.open(followers) as store:
        gone = store.unfollow(search_link)
        assert gone.outcome == following.UNFOLLOWED
        assert gone.subscription.kind == "search"
        assert store.unfollow(search_link).outcome == following.ALREADY_UNFOLLOWED
        left = [(s.email, s.kind) for s in store.subscriptions(confirmed_only=True)]
    assert left == [("ann@example.org", "trial"), ("binh@example.org", "trial")]
    # The next new cerebral palsy trial is not sent to Ann any more.
    assert refresh(followers, [*second_pull(), made_up("NCT09950006", "Newer")]).exit_code == 0
    run(followers, smtp)
    assert smtp.take() == []
    # Unfollowing her last follow leaves nothing about her.
    with Store.open(followers) as store:
        assert store.unfollow(trial_link).outcome == following.UNFOLLOWED
        emails = {s.email for s in store.subscriptions()}
    assert "ann@example.org" not in emails


def test_a_follow_made_after_a_change_does_not_hear_of_it(data: Path, smtp: SmtpSink) -> None:
    assert refresh(data, second_pull()).exit_code == 0
    follow(data, "dan@example.org", "trial", "NCT09950001")
    assert run(data, smtp).sent == 0 and smtp.take() == []


def test_without_a_follow_database_nothing_is_created(data: Path, smtp: SmtpSink) -> None:
    assert refresh(data, second_pull()).exit_code == 0
    assert run(data, smtp).sent == 0
    assert not list(data.glob("follow.sqlite3*")) and not (data / following.LOCK_NAME).exists()


# ------------------------------------------------------------------ the command


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_notify_dry_run_prints_and_changes_nothing(followers: Path, smtp: SmtpSink) -> None:
    assert refresh(followers, second_pull()).exit_code == 0
    with Store.open(followers) as store:
        before = [s.last_sent_marker for s in store.subscriptions()]
        tokens = store.conn.execute("SELECT COUNT(*) FROM tokens").fetchone()[0]
    result = invoke("notify", "--dry-run", "--data-dir", str(followers))
    assert result.exit_code == 0, result.output
    assert "To: ann@example.org" in result.stdout and "To: binh@example.org" in result.stdout
    assert "Subject: What changed in the trials you follow" in result.stdout
    assert f"{PUBLIC}/follow?unfollow={digest.DRY_RUN_TOKEN}" in result.stdout
    assert "dry run: 2 message(s) printed; nothing was sent or stored" in result.stderr
    assert smtp.take() == []
    with Store.open(followers) as store:
        assert [s.last_sent_marker for s in store.subscriptions()] == before
        assert store.conn.execute("SELECT COUNT(*) FROM tokens").fetchone()[0] == tokens
    # Then for real, with the server given as options.
    sent = invoke(
        "notify",
        "--data-dir",
        str(followers),
        "--smtp-host",
        "127.0.0.1",
        "--smtp-port",
        str(smtp.port),
        "--smtp-tls",
        "none",
        "--sender",
        "noreply@example.org",
        "--public-url",
        "https://other.example.org/trials/",
    )
    assert sent.exit_code == 0, sent.output
    assert "notify: 2 messages sent" in sent.stderr
    received = smtp.take()
    assert len(received) == 2
    assert all("https://other.example.org/trials/trial?id=" in r.text for r in received)


def test_notify_exits_1_when_a_message_is_refused_then_0(followers: Path, smtp: SmtpSink) -> None:
    assert refresh(followers, second_pull()).exit_code == 0
    env = smtp.env()
    smtp.refuse_next = 2
    refused = CliRunner(env=env).invoke(main, ["notify", "--data-dir", str(followers)])
    assert refused.exit_code == 1
    assert "2 not sent (tried again on the next run)" in refused.stderr
    assert refused.stderr.count("warning: a message to ") == 2
    assert "a***@example.org" in refused.stderr  # addresses are not written out in logs
    retried = CliRunner(env=env).invoke(main, ["notify", "--data-dir", str(followers)])
    assert retried.exit_code == 0, retried.output
    assert len(smtp.take()) == 2


def test_notify_without_a_server_says_so_and_sends_nothing(followers: Path) -> None:
    assert refresh(followers, second_pull()).exit_code == 0
    result = invoke("notify", "--data-dir", str(followers))
    assert result.exit_code == 1
    assert "Error: no SMTP server is set" in result.stderr
    assert result.stderr.rstrip().endswith("nothing was sent")


def test_a_refresh_without_a_server_still_succeeds_and_warns(followers: Path) -> None:
    result = refresh(followers, second_pull())
    assert result.exit_code == 0, result.output
    assert "warning: followers are not told yet: no SMTP server is set" in result.stderr


def test_a_refresh_that_fails_tells_no_one(followers: Path, smtp: SmtpSink, monkeypatch) -> None:
    for name, value in smtp.env().items():
        monkeypatch.setenv(name, value)
    with FakeCtgov(second_pull()) as server:
        server.always(1, "500")
        args = ["refresh", "--data-dir", str(followers), "--api-url", server.url, *FAST]
        result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 1
    assert "feeds:" not in result.stderr and "notify" not in result.stderr
    assert smtp.take() == []


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"TRIALFINDER_SMTP_TLS": "maybe"}, "choose one of none, starttls, ssl"),
        ({"TRIALFINDER_SMTP_PORT": "smtp"}, "is not a port number"),
        ({"TRIALFINDER_SMTP_SENDER": "nobody"}, "not an e-mail address"),
    ],
)
def test_bad_settings_are_a_usage_error(data: Path, env: dict, message: str) -> None:
    result = CliRunner(env=env).invoke(main, ["notify", "--data-dir", str(data)])
    assert result.exit_code == 2 and message in result.stderr


def test_settings_come_from_the_environment_and_options_win() -> None:
    env = {
        "TRIALFINDER_SMTP_HOST": "mail.example.org",
        "TRIALFINDER_SMTP_USER": "me",
        "TRIALFINDER_SMTP_PASSWORD": "secret",
        "TRIALFINDER_SMTP_SENDER": "noreply@example.org",
    }
    settings = mail.SmtpSettings.from_env(env)
    assert settings.configured and settings.tls == "starttls" and settings.effective_port == 587
    assert "secret" not in repr(settings)
    ssl_settings = mail.SmtpSettings.from_env(env, tls="ssl", host="smtp.example.org")
    assert (ssl_settings.host, ssl_settings.effective_port) == ("smtp.example.org", 465)
    assert not mail.SmtpSettings.from_env({}).configured
    assert digest.public_url("https://x.example.org/a/") == "https://x.example.org/a"


def test_a_search_in_vietnamese_words() -> None:
    """The e-mail says a followed search as the find page does, in the subscriber's language,
    with what was typed in quotes."""
    query = "cond=cerebral palsy&age=18m&status=recruiting&phase=phase2&near=Hanoi&within=20"
    with i18n.using("vi"):
        on_the_page = parse_query(query).query.describe()
    assert digest.describe_search(query, "vi") == on_the_page.replace(
        "cerebral palsy", "“cerebral palsy”"
    )
    assert digest.describe_search(query, "vi") == (
        "Các thử nghiệm đang tuyển ở giai đoạn 2 về “cerebral palsy” nhận trẻ 1 tuổi 6 tháng, "
        "trong vòng 20 km quanh Hanoi"
    )
    assert digest.describe_search(query, "en").startswith("Recruiting trials in phase 2")


def test_every_word_of_the_messages_comes_from_the_one_catalog() -> None:
    """The e-mail's words are gettext messages (translated in the .po with the pages'), and
    a status reads as on the pages, in the subscriber's language."""
    from trialfinder.family import plain

    english, vietnamese = digest.words("en"), digest.words("vi")
    assert english.keys() == vietnamese.keys()
    assert [key for key in english if english[key] == vietnamese[key]] == []
    assert digest.status_words("ACTIVE_NOT_RECRUITING", "en") == "Active, not recruiting"
    with i18n.using("vi"):
        assert digest.status_words("RECRUITING", "vi") == plain.status_words("RECRUITING")
        assert digest.words("vi")["hello"] == "Xin chào,"


def test_sites_in_a_change_are_written_in_the_followers_language() -> None:
    """A report names a site as the record does ("Hue", "Vietnam"); a Vietnamese e-mail
    says "Huế, Việt Nam", and a site the report names nothing of is "not given"."""
    change = following.TrialChange(
        "sites_added",
        "NCT09950001",
        None,
        sites=(("Hue Central Hospital", "Hue", "Vietnam"), (None, None, None)),
    )
    _template, english = digest._change_line(change, "en")
    assert english["sites"] == "Hue Central Hospital, Hue, Vietnam; not given"
    _template, vietnamese = digest._change_line(change, "vi")
    assert vietnamese["sites"] == "Hue Central Hospital, Huế, Việt Nam; không ghi"
