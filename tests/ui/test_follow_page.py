"""Following on the dashboard (AppTest): the follow form, the /follow page, the feed links.

The first tests run :mod:`trialfinder.ui.follow` on its own in small scripts. The
last ones (marked "through the dashboard") open dashboard.py the way a link does,
and need the dashboard to register ``pages/follow.py`` (url_path "follow"), to
accept ``confirm`` and ``unfollow`` as page keys, and to draw "Follow this trial",
"Follow this search" and the feed links (see trialfinder/ui/follow.py).

Messages go to a real SMTP server on 127.0.0.1 (tests/follow/test_digest.py's SmtpSink).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.follow.test_digest import SmtpSink
from tests.ui.conftest import TIMEOUT_S
from tests.ui.reading import assert_clean, plain, texts
from tests.ui.trialdata import build_data_dir
from trialfinder.follow import store as following
from trialfinder.follow.store import Store

PUBLIC = "https://trials.example.org"


@pytest.fixture
def smtp() -> Iterator[SmtpSink]:
    sink = SmtpSink().start()
    try:
        yield sink
    finally:
        sink.stop()


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty data directory of our own (the form and the page need no trials)."""
    directory = tmp_path / "data"
    directory.mkdir()
    monkeypatch.setenv("TRIALFINDER_DATA_DIR", str(directory))
    monkeypatch.setenv("TRIALFINDER_PUBLIC_URL", PUBLIC)
    for name in ("HOST", "PORT", "USER", "PASSWORD", "TLS", "SENDER"):
        monkeypatch.delenv(f"TRIALFINDER_SMTP_{name}", raising=False)
    return directory


@pytest.fixture
def mail(smtp: SmtpSink, data: Path, monkeypatch: pytest.MonkeyPatch) -> SmtpSink:
    """SMTP set up for the dashboard."""
    for name, value in smtp.env().items():
        monkeypatch.setenv(name, value)
    return smtp


def form_script(kind: str, target: str, title: str | None) -> None:
    from trialfinder.ui.follow import follow_form

    follow_form(kind, target, title=title)


def page_script() -> None:
    import streamlit as st

    from trialfinder.query import parse_query
    from trialfinder.ui.follow import follow_page

    pairs = [(key, value) for key in st.query_params for value in st.query_params.get_all(key)]
    follow_page(parse_query(pairs, extra_keys=("confirm", "unfollow")))


def open_form(kind: str = "trial", target: str = "NCT09950001", title: str | None = None):
    at = AppTest.from_function(form_script, args=(kind, target, title), default_timeout=TIMEOUT_S)
    return at.run()


def submit(at: AppTest, address: str, lang: str | None = None, kind: str = "trial") -> AppTest:
    """Fill the follow form of ``kind`` and press Follow."""
    at.text_input(key=f"follow-{kind}-email").input(address)
    if lang:
        at.radio(key=f"follow-{kind}-lang").set_value(lang)
    [button] = [b for b in at.button if b.label == "Follow"]
    return button.click().run()


def open_page(query: dict[str, str]) -> AppTest:
    at = AppTest.from_function(page_script, default_timeout=TIMEOUT_S)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def said(at: AppTest) -> str:
    return " ".join(texts(at.main))


# ------------------------------------------------------------------ the form


def test_without_smtp_following_is_said_to_be_unavailable(data: Path) -> None:
    at = open_form()
    assert_clean(at)
    assert "Following by e-mail is not available on this server yet" in said(at)
    assert not at.text_input and not list(data.iterdir())


def test_following_a_trial_sends_the_confirmation(data: Path, mail: SmtpSink) -> None:
    at = open_form(title="Home exercise <b>for</b> children")
    assert_clean(at)
    assert [r.label for r in at.radio] == ["Language of the e-mails"]
    at = submit(at, "  Parent@Example.ORG ")
    assert_clean(at)
    # One spelling a mailbox (folded before any limit counts it): that is where it goes.
    assert "Almost done: we sent a message to parent@example.org" in said(at)
    [received] = mail.take()
    assert received.recipients == ["parent@example.org"]
    assert "the trial NCT09950001 (Home exercise <b>for</b> children)" in received.text
    [token] = received.links("confirm")
    with Store.open(data) as store:
        [sub] = store.subscriptions()
        assert (sub.kind, sub.target, sub.lang, sub.confirmed) == (
            "trial",
            "NCT09950001",
            "en",
            None,
        )
        assert store.confirm(token).outcome == following.CONFIRMED


def test_following_a_search_in_vietnamese(data: Path, mail: SmtpSink) -> None:
    at = open_form("search", "status=RECRUITING&cond=cerebral palsy")
    at = submit(at, "me@example.org", "vi", kind="search")
    assert_clean(at)
    [received] = mail.take()
    assert received.message["Content-Language"] == "vi"
    with Store.open(data) as store:
        [sub] = store.subscriptions()
    assert (sub.target, sub.lang) == ("cond=cerebral+palsy&status=recruiting", "vi")


@pytest.mark.parametrize("address", ["", "not an address", "Parent <p@example.org>", "<b>x</b>@y"])
def test_a_bad_address_is_refused_kindly_and_nothing_is_sent(
    data: Path, mail: SmtpSink, address: str
) -> None:
    at = submit(open_form(), address)
    assert_clean(at)
    [warning] = at.warning
    assert plain(warning.value).startswith(("Please type", "That does not look like"))
    assert mail.take() == []
    with Store.open(data) as store:
        assert store.subscriptions() == []


def test_a_refused_confirmation_leaves_nothing_behind(data: Path, mail: SmtpSink) -> None:
    mail.refuse_next = 1
    at = submit(open_form(), "parent@example.org")
    assert [plain(e.value) for e in at.error] == [
        "We could not send the message just now. Please try again in a few minutes."
    ]
    with Store.open(data) as store:
        assert store.subscriptions() == []
        assert store.conn.execute("SELECT COUNT(*) FROM tokens").fetchone()[0] == 0
    at = submit(at, "parent@example.org")  # and trying again works
    assert "Almost done" in said(at) and len(mail.take()) == 1


def test_too_many_requests_for_one_address_are_refused(data: Path, mail: SmtpSink) -> None:
    at = open_form()
    for _ in range(following.MAX_CONFIRMATIONS_PER_DAY):
        at = submit(at, "parent@example.org")
    at = submit(at, "parent@example.org")
    assert "We have already sent several messages to this address today" in plain(
        at.warning[0].value
    )
    assert len(mail.take()) == following.MAX_CONFIRMATIONS_PER_DAY


def test_case_variants_of_an_address_count_as_one(data: Path, mail: SmtpSink) -> None:
    at = open_form()
    for spelling in ("Parent@example.org", "PARENT@example.org", "parent@EXAMPLE.org"):
        at = submit(at, spelling)
    at = submit(at, "pArEnT@example.org")
    assert "We have already sent several messages to this address today" in plain(
        at.warning[0].value
    )
    assert {r.recipients[0] for r in mail.take()} == {"parent@example.org"}


def test_one_browser_session_cannot_mail_a_hundred_strangers(data: Path, mail: SmtpSink) -> None:
    at = open_form()
    limit = following.MAX_FOLLOWS_PER_CLIENT_PER_DAY
    for number in range(limit + 5):
        at = submit(at, f"stranger{number}@example.org")
    assert "You have asked to follow many trials and searches today" in plain(at.warning[0].value)
    assert len(mail.take()) == limit


# ------------------------------------------------------------------ the page


def pending(data: Path, lang: str = "en", kind: str = "trial", target: str = "NCT09950001"):
    with Store.open(data) as store:
        return store.follow("parent@example.org", kind, target, lang)


def test_the_page_without_a_link_says_what_following_is(data: Path, mail: SmtpSink) -> None:
    at = open_page({})
    assert_clean(at)
    assert "Follow trials by e-mail" in said(at)
    assert "Follow this trial" in said(at)
    assert "not available on this server" not in said(at)


def test_the_page_says_when_this_server_sends_no_e_mail(data: Path) -> None:
    """As the forms on the trial and find pages say: a family is not sent looking for them."""
    at = open_page({})
    assert_clean(at)
    shown = said(at)
    assert "Following by e-mail is not available on this server yet" in shown
    assert shown.index("not available on this server") < shown.index("Follow this trial")


def test_a_confirmation_link_confirms_once_and_a_rerun_says_the_same(data: Path) -> None:
    follow = pending(data)
    at = open_page({"confirm": follow.confirm_token})
    assert_clean(at)
    [success] = at.success
    assert plain(success.value) == (
        "Thank you: you now follow the trial NCT09950001. We will write to "
        "parent@example.org when it changes, at most one message after each data refresh."
    )
    assert "[Read the trial](trial?id=NCT09950001)" in [m.value for m in at.markdown]
    at.run()
    assert [plain(s.value) for s in at.success] == [plain(success.value)]
    # Opened again later (another session): already done, said kindly.
    again = open_page({"confirm": follow.confirm_token})
    assert "This link was already used: you already follow the trial NCT09950001" in said(again)
    assert not again.warning


def test_an_unfollow_link_deletes_the_follow_in_the_followers_language(data: Path) -> None:
    follow = pending(data, lang="vi", kind="search", target="cond=cerebral palsy")
    at = open_page({"unfollow": follow.unfollow_token})
    assert_clean(at)
    [success] = at.success
    assert plain(success.value).startswith(
        "Xong: bạn đã ngừng theo dõi một tìm kiếm (Các thử nghiệm về “cerebral palsy”)"
    )
    with Store.open(data) as store:
        assert store.subscriptions() == []
    again = open_page({"unfollow": follow.unfollow_token})
    assert_clean(again)
    [en, vi] = [plain(i.value) for i in again.info]  # the follower is gone: both languages
    assert en.startswith("This link was already used: you no longer follow this.")
    assert vi.startswith("Liên kết này đã được dùng")
    expired = open_page({"confirm": follow.confirm_token})
    assert plain(expired.warning[0].value).startswith("This link has expired")


@pytest.mark.parametrize(
    "token",
    [
        "nonsense",
        "A" * 43,
        "<script>alert(1)</script>",
        "[click](javascript:alert(1))",
        "x" * 5000,
        "",
    ],
)
def test_a_bad_link_says_so_kindly_and_never_breaks(data: Path, token: str) -> None:
    pending(data)
    for key in ("confirm", "unfollow"):
        at = open_page({key: token})
        assert_clean(at)
        shown = said(at)
        if token:
            assert "We do not recognise this link." in shown
            assert "Chúng tôi không nhận ra liên kết này." in shown
        html = " ".join(str(getattr(e, "proto", "")) for e in at.get("html"))
        assert "<script>" not in html
    with Store.open(data) as store:
        assert len(store.subscriptions()) == 1


def test_a_link_on_a_server_where_no_one_follows_creates_nothing(data: Path) -> None:
    at = open_page({"confirm": "A" * 43})
    assert "We do not recognise this link." in said(at)
    assert not list(data.iterdir())


# ------------------------------------------------------------------ through the dashboard


@pytest.fixture(scope="module")
def trials_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_data_dir(tmp_path_factory.mktemp("follow-ui") / "data")


@pytest.fixture
def dashboard_mail(
    trials_dir: Path, smtp: SmtpSink, monkeypatch: pytest.MonkeyPatch
) -> Iterator[SmtpSink]:
    for name, value in smtp.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("TRIALFINDER_PUBLIC_URL", PUBLIC)
    yield smtp
    for path in trials_dir.glob("follow.sqlite3*"):
        path.unlink()


def test_through_the_dashboard_the_trial_page_follows_a_trial(
    open_app, trials_dir: Path, dashboard_mail: SmtpSink
) -> None:
    at = open_app("id=TF-CP-001", page="pages/trial.py", data=trials_dir)
    assert_clean(at)
    assert "Follow this trial" in [e.label for e in at.expander]
    at = submit(at, "parent@example.org")
    assert_clean(at)
    [received] = dashboard_mail.take()
    assert "Home exercise for young children with cerebral palsy in Hanoi" in received.text
    [token] = received.links("confirm")
    page = open_app(f"confirm={token}", page="pages/follow.py", data=trials_dir)
    assert_clean(page)
    assert "Ignored" not in " ".join(plain(w.value) for w in page.warning)
    assert plain(page.success[0].value).startswith("Thank you: you now follow the trial TF-CP-001")


def test_through_the_dashboard_the_find_page_follows_the_search(
    open_app, trials_dir: Path, dashboard_mail: SmtpSink
) -> None:
    at = open_app("cond=cerebral+palsy&age=4y", page="pages/find.py", data=trials_dir)
    assert_clean(at)
    assert "Follow this search" in [e.label for e in at.expander]
    at = submit(at, "parent@example.org", kind="search")
    assert_clean(at)
    with Store.open(trials_dir) as store:
        [sub] = store.subscriptions()
    assert (sub.kind, sub.target) == ("search", "cond=cerebral+palsy&age=4y")
    assert len(dashboard_mail.take()) == 1


def test_through_the_dashboard_bad_follow_links_are_not_ignored_as_unknown_keys(
    open_app, trials_dir: Path
) -> None:
    at = open_app("unfollow=nonsense", page="pages/follow.py", data=trials_dir)
    assert_clean(at)
    assert "We do not recognise this link." in said(at)
    assert not [w for w in at.warning if plain(w.value).startswith("Ignored")]


def test_through_the_dashboard_the_data_page_names_the_feeds(open_app, trials_dir: Path) -> None:
    at = open_app("", page="pages/data.py", data=trials_dir)
    assert_clean(at)
    assert "Feeds of the changes" in said(at)
