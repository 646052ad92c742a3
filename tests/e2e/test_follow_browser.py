"""Following a trial in a real browser: the form on the trial page, the confirmation
message at a real SMTP server on 127.0.0.1, and its link opened in the browser.

The dashboard runs on its own server here (``streamlit run dashboard.py``) with
the SMTP settings in its environment. Like every browser test, the context
refuses any request beyond 127.0.0.1, and the server must log no traceback.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, TIMEOUT_MS, Outside, Server, running_server
from tests.e2e.helpers import EXCEPTION, open_view, settle
from tests.follow.test_digest import SmtpSink
from tests.ui.trialdata import build_data_dir
from trialfinder.follow import store as following
from trialfinder.follow.store import Store
from trialfinder.i18n import _, using
from trialfinder.ui.follow import OUTCOME_WORDS

pytestmark = pytest.mark.e2e

PUBLIC = "https://trials.example.org"


@pytest.fixture(scope="module")
def mail() -> Iterator[SmtpSink]:
    sink = SmtpSink().start()
    try:
        yield sink
    finally:
        sink.stop()


@pytest.fixture(scope="module")
def follow_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_data_dir(tmp_path_factory.mktemp("e2e-follow") / "data")


@pytest.fixture(scope="module")
def follow_server(
    follow_data: Path, mail: SmtpSink, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """A dashboard that sends its messages to ``mail``."""
    log_path = tmp_path_factory.mktemp("e2e-follow-server") / "streamlit.log"
    with pytest.MonkeyPatch.context() as patch:
        for name, value in mail.env().items():
            patch.setenv(name, value)
        patch.setenv("TRIALFINDER_PUBLIC_URL", PUBLIC)
        with running_server(follow_data, log_path) as running:
            yield running


@pytest.fixture
def page(browser, follow_server: Server) -> Iterator[object]:
    outside = Outside()
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    outside.guard(context)
    log_before = len(follow_server.log())
    yield context.new_page()
    context.close()
    new_log = follow_server.log()[log_before:]
    assert "Traceback" not in new_log, f"the server logged a traceback:\n{new_log}"
    assert not outside.requests, f"requests left 127.0.0.1: {outside.requests}"


def test_follow_a_trial_and_open_the_confirmation_link(
    page, follow_server: Server, follow_data: Path, mail: SmtpSink
) -> None:
    open_view(page, follow_server.url, "/trial?id=TF-CP-001")
    page.get_by_text("Follow this trial", exact=True).click()
    field = page.locator(".st-key-follow-trial-email input")
    expect(field).to_be_visible()
    field.fill("parent@example.org")
    page.locator("[data-testid=stFormSubmitButton] button").click()
    notice = page.locator("[data-testid=stAlert]", has_text="Almost done")
    # (md() puts an invisible word joiner after "@", so no mail link forms.)
    expect(notice).to_contain_text("we sent a message to parent@\u2060example.org")
    settle(page)

    [received] = mail.take()
    assert received.recipients == ["parent@example.org"]
    assert "Home exercise for young children with cerebral palsy in Hanoi" in received.text
    [token] = received.links("confirm")
    link = f"{PUBLIC}/follow?confirm={token}"
    assert link in received.text

    # The link, opened on this server (the message names the public address).
    parts = urlsplit(link)
    open_view(page, follow_server.url, f"{parts.path}?{parts.query}")
    expect(page.locator("[data-testid=stAlert]").first).to_contain_text(
        "Thank you: you now follow the trial TF-CP-001"
    )
    expect(page.locator(EXCEPTION)).to_have_count(0)
    assert "confirm=" in page.url  # the link was read, not dropped as an unknown key
    with Store.open(follow_data) as store:
        [sub] = store.subscriptions(confirmed_only=True)
    assert (sub.email, sub.kind, sub.target) == ("parent@example.org", "trial", "TF-CP-001")

    # Opened a second time: already done, said kindly.
    open_view(page, follow_server.url, f"{parts.path}?{parts.query}")
    expect(page.locator("[data-testid=stAlert]").first).to_contain_text(
        "This link was already used"
    )

    # The unfollow link in the same message deletes the follow.
    [unfollow] = received.links("unfollow")
    open_view(page, follow_server.url, f"/follow?unfollow={unfollow}")
    expect(page.locator("[data-testid=stAlert]").first).to_contain_text(
        "Done: you no longer follow the trial TF-CP-001"
    )
    with Store.open(follow_data) as store:
        assert store.subscriptions() == []
        assert store.unfollow(unfollow).outcome == following.ALREADY_UNFOLLOWED


@pytest.fixture
def phone(browser, follow_server: Server) -> Iterator[object]:
    outside = Outside()
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    context.set_default_timeout(TIMEOUT_MS)
    outside.guard(context)
    log_before = len(follow_server.log())
    yield context.new_page()
    context.close()
    new_log = follow_server.log()[log_before:]
    assert "Traceback" not in new_log, f"the server logged a traceback:\n{new_log}"
    assert not outside.requests, f"requests left 127.0.0.1: {outside.requests}"


def _vi(message: str) -> str:
    with using("vi"):
        return _(message)


def test_a_vietnamese_follower_gets_the_mail_and_the_pages_in_vietnamese(
    phone, follow_server: Server, follow_data: Path, mail: SmtpSink, shots: Path
) -> None:
    """A search followed on a Vietnamese phone page: the message is in Vietnamese, and
    its confirm, read and stop links open Vietnamese pages."""
    open_view(phone, follow_server.url, "/?cond=cerebral+palsy&age=4y&near=Hanoi&lang=vi")
    phone.get_by_text(_vi("Follow this search"), exact=True).click()
    field = phone.locator(".st-key-follow-search-email input")
    expect(field).to_be_visible()
    field.fill("me@example.vn")
    phone.locator("[data-testid=stFormSubmitButton] button").click()
    expect(phone.locator("[data-testid=stAlert]").first).to_be_visible()
    settle(phone)

    [received] = mail.take()
    assert received.recipients == ["me@example.vn"]
    assert received.message["Content-Language"] == "vi"
    assert received.message["Subject"] == _vi("Please confirm: follow a search on trialfinder")
    [token] = received.links("confirm")
    [unfollow] = received.links("unfollow")
    confirm = f"{PUBLIC}/follow?confirm={token}&lang=vi"
    assert confirm in received.text

    parts = urlsplit(confirm)
    open_view(phone, follow_server.url, f"{parts.path}?{parts.query}")
    thanks = phone.locator("[data-testid=stAlert]").first
    expect(thanks).to_contain_text(_vi(OUTCOME_WORDS[following.CONFIRMED]).split("{")[0])
    # The whole page speaks Vietnamese: its heading and the menu too.
    expect(phone.locator("[data-testid=stMain] h3").first).to_have_text(
        _vi("Follow trials by e-mail")
    )
    phone.screenshot(path=str(shots / "follow-confirmed-vi.png"))
    with Store.open(follow_data) as store:
        [sub] = [s for s in store.subscriptions(confirmed_only=True) if s.email == "me@example.vn"]
    assert (sub.kind, sub.lang) == ("search", "vi")
    # Its link to the search keeps the language.
    search = phone.get_by_role("link", name=_vi("See the search"))
    assert "lang=vi" in search.get_attribute("href")

    open_view(phone, follow_server.url, f"/follow?unfollow={unfollow}&lang=vi")
    expect(phone.locator("[data-testid=stAlert]").first).to_contain_text(
        _vi(OUTCOME_WORDS[following.UNFOLLOWED]).split("{")[0]
    )
    with Store.open(follow_data) as store:
        assert not [s for s in store.subscriptions() if s.email == "me@example.vn"]
