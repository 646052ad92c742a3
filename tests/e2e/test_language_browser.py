"""The two languages in a real browser: filters shown in words of the page's language
while the link keeps the link's spelling, so a link opens the same view in either.

(AppTest cannot show this: it does not see the address bar change after a click.)
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import open_view, query, settle, wait_for_cards, wait_for_query
from tests.ui.trialdata import CP_AGE4_HANOI, CP_AGE4_HANOI_RECRUITING
from trialfinder import i18n
from trialfinder.family import plain

pytestmark = pytest.mark.e2e

VIETNAMESE = "/?cond=cerebral+palsy&age=4y&near=Hanoi&lang=vi"
#: The chosen options of the status filter, as the page shows them.
STATUS_CHIPS = ".st-key-status [data-tag]"


def in_vietnamese(status: str) -> str:
    with i18n.using("vi"):
        return plain.status_words(status)


def choose_status(page, label: str) -> None:
    page.locator(".st-key-status input").click()
    page.get_by_role("option", name=label, exact=True).click()
    page.keyboard.press("Escape")


def set_age(page, age: str) -> None:
    field = page.locator(".st-key-age input")
    field.fill(age)
    field.press("Enter")


def test_a_status_chosen_in_vietnamese_opens_in_english(new_page, server):
    page = new_page()
    open_view(page, server.url, VIETNAMESE)
    wait_for_cards(page, CP_AGE4_HANOI)
    recruiting = in_vietnamese("RECRUITING")
    choose_status(page, recruiting)
    # The page shows the Vietnamese words; the link keeps the link's spelling.
    wait_for_query(page, status=["recruiting"], age=["4y"], lang=["vi"])
    wait_for_cards(page, CP_AGE4_HANOI_RECRUITING)
    expect(page.locator(STATUS_CHIPS)).to_have_text([recruiting])
    # A filter bound to the URL, changed after, keeps the status in the link, and back.
    set_age(page, "10")
    wait_for_query(page, age=["10"], status=["recruiting"], cond=["cerebral palsy"])
    set_age(page, "4")
    wait_for_query(page, age=["4"], status=["recruiting"], near=["Hanoi"], lang=["vi"])
    wait_for_cards(page, CP_AGE4_HANOI_RECRUITING)

    # The same link without the language: the English page, the same view.
    pairs = [(k, v) for k, values in query(page.url).items() for v in values if k != "lang"]
    english = new_page()
    open_view(english, server.url, "/?" + urlencode(pairs))
    wait_for_cards(english, CP_AGE4_HANOI_RECRUITING)
    expect(english.locator(STATUS_CHIPS)).to_have_text([plain.status_words("RECRUITING")])
    assert query(english.url)["status"] == ["recruiting"]


def test_the_switch_the_menu_and_back_keep_the_status_and_its_link(page, server):
    open_view(page, server.url, "/?cond=cerebral+palsy&age=4y&near=Hanoi&status=recruiting")
    wait_for_cards(page, CP_AGE4_HANOI_RECRUITING)
    expect(page.locator(STATUS_CHIPS)).to_have_text([plain.status_words("RECRUITING")])
    recruiting, not_yet = in_vietnamese("RECRUITING"), in_vietnamese("NOT_YET_RECRUITING")
    page.get_by_text("Tiếng Việt", exact=True).click()
    settle(page)
    wait_for_query(page, status=["recruiting"], lang=["vi"])
    expect(page.locator(STATUS_CHIPS)).to_have_text([recruiting])
    wait_for_cards(page, CP_AGE4_HANOI_RECRUITING)
    # Back undoes a second choice: the link it goes back to names the first one.
    choose_status(page, not_yet)
    wait_for_query(page, status=["recruiting", "not_yet_recruiting"], lang=["vi"])
    expect(page.locator(STATUS_CHIPS)).to_have_text([recruiting, not_yet])
    page.go_back()
    wait_for_query(page, status=["recruiting"])
    settle(page)
    expect(page.locator(STATUS_CHIPS)).to_have_text([recruiting])
    wait_for_cards(page, CP_AGE4_HANOI_RECRUITING)
    # Another page through the menu keeps the filter and its link; so does Back after it.
    page.locator("[data-testid=stTopNavLink]").filter(has_text="Bản đồ").first.click()
    page.wait_for_url(lambda url: "/map" in url and query(url).get("status") == ["recruiting"])
    settle(page)
    expect(page.locator(STATUS_CHIPS)).to_have_text([recruiting])
    page.go_back()
    settle(page)
    wait_for_query(page, status=["recruiting"], lang=["vi"])
    expect(page.locator(STATUS_CHIPS)).to_have_text([recruiting])
    # And back to English: the English words again, the same link without the language.
    page.get_by_text("English", exact=True).click()
    settle(page)
    wait_for_query(page, status=["recruiting"], lang=None)
    expect(page.locator(STATUS_CHIPS)).to_have_text([plain.status_words("RECRUITING")])
