"""Could my child join? On a phone, in both languages: the answers go into the link,
and a shared link opens the same answers and verdicts in a fresh browser."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from tests.e2e.conftest import TIMEOUT_MS
from tests.e2e.helpers import settle, wait_for_query

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
MAIN = "[data-testid=stMain]"
WORDS = {
    "en": {
        "gmfcs": ("GMFCS level (how your child moves about)", "GMFCS level II"),
        "surgery": ("Last orthopaedic surgery (bones, tendons or muscles)", "6 to 12 months ago"),
        "not_met": "does not meet",
        "met": "meets",
        "title": "Could my child join?",
    },
    "vi": {
        "gmfcs": ("Mức GMFCS (khả năng tự di chuyển của con)", "GMFCS mức II"),
        "surgery": (
            "Lần phẫu thuật chỉnh hình gần nhất (xương, gân hoặc cơ)",
            "6 đến 12 tháng trước",
        ),
        "not_met": "không đáp ứng",
        "met": "đáp ứng",
        "title": "Con tôi có thể tham gia không?",
    },
}


@pytest.fixture
def phones(browser, outside, server) -> Iterator[object]:
    """Fresh phone-sized browser contexts (a shared link opens in one of its own)."""
    contexts = []

    def open_phone():
        context = browser.new_context(
            viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True
        )
        context.set_default_timeout(TIMEOUT_MS)
        outside.guard(context)
        contexts.append(context)
        return context.new_page()

    log_before = len(server.log())
    yield open_phone
    for context in contexts:
        context.close()
    new_log = server.log()[log_before:]
    assert "Traceback" not in new_log, f"the server logged a traceback:\n{new_log}"
    assert not outside.requests, f"requests left 127.0.0.1: {outside.requests}"


def open_first(page, url: str) -> None:
    """Open a view, giving the server's first run (it loads the catalog) more time
    than an action gets."""
    page.goto(url)
    page.wait_for_selector(
        "[data-testid=stApp][data-test-script-state=notRunning]", state="attached", timeout=120_000
    )
    settle(page)


def answer(page, label: str, option: str) -> None:
    settle(page)
    box = page.get_by_label(label, exact=True)
    choice = page.get_by_role("option", name=option, exact=True)
    box.click()
    try:
        choice.wait_for(state="visible", timeout=5_000)
    except PlaywrightTimeout:
        # A rerun that ended just then can redraw the box closed: open it again.
        settle(page)
        box.click()
    choice.click()
    settle(page)


def item(page, text: str):
    return page.locator(f"{MAIN} [data-testid=stMarkdownContainer]", has_text=text).first


def wide(page) -> int:
    return page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_answers_round_trip_through_a_shared_link_on_a_phone(
    phones, server, lang, tmp_path
) -> None:
    words = WORDS[lang]
    page = phones()
    open_first(page, f"{server.url}/trial?id=TF-CP-002&age=6&lang={lang}")
    expect(page.locator(MAIN)).to_contain_text(words["title"])
    surgery_item = item(page, "Orthopaedic surgery within the previous 12 months")
    expect(surgery_item).not_to_contain_text(words["not_met"])

    answer(page, *words["gmfcs"])
    wait_for_query(page, gmfcs=["2"], age=["6y"], id=["TF-CP-002"])
    answer(page, *words["surgery"])
    wait_for_query(page, gmfcs=["2"], surgery=["6-12m"])
    expect(surgery_item).to_contain_text(words["not_met"])
    gmfcs_item = item(page, "Gross Motor Function Classification System (GMFCS) level I to III")
    expect(gmfcs_item).to_contain_text(words["met"])
    expect(gmfcs_item).not_to_contain_text(words["not_met"])
    assert wide(page) <= 1
    # Links to the trial's other pages carry the answers along (in the link, nowhere else).
    handout = page.locator(f"{MAIN} a[href*='handout']").first.get_attribute("href")
    assert "gmfcs=2" in handout and "surgery=6-12m" in handout, handout
    # Screenshots to look at: TRIALFINDER_SHOTS names a folder to keep them in.
    shots = Path(os.environ.get("TRIALFINDER_SHOTS") or tmp_path)
    page.screenshot(path=str(shots / f"eligibility-phone-{lang}.png"), full_page=True)
    shared = page.url

    # The link, opened elsewhere: same answers in the questions, same verdicts.
    other = phones()
    open_first(other, shared)
    expect(item(other, "Orthopaedic surgery within the previous 12 months")).to_contain_text(
        words["not_met"]
    )
    for key in ("gmfcs", "surgery"):
        label, option = words[key]
        expect(other.get_by_role("combobox", name=label)).to_have_value(option)
