"""The menu holds the pages a family starts from; detail pages are reached from
cards and links, and opened bare they are never a dead end."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import open_view, settle, warm_up

pytestmark = pytest.mark.e2e

MENU = {
    "en": ["Find trials", "Map", "Compare", "Treatment", "Sponsor", "About the data"],
    "vi": ["Tìm thử nghiệm", "Bản đồ", "So sánh", "Điều trị", "Nhà tài trợ", "Về dữ liệu"],
}


@pytest.fixture(scope="module", autouse=True)
def warm(browser, server) -> None:
    warm_up(browser, server.url)


def _menu(page) -> list[str]:
    return page.evaluate(
        "() => [...document.querySelectorAll('[data-testid=stTopNavLink]')]"
        ".map(a => a.innerText.replace(/^\\S+\\n?/, '').trim())"
    )


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_the_menu_lists_only_the_pages_a_family_starts_from(page, server, lang) -> None:
    open_view(page, server.url, "/" + ("?lang=vi" if lang == "vi" else ""))
    labels = _menu(page)
    assert [label.split("\n")[-1] for label in labels] == MENU[lang]


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_a_bare_trial_page_offers_a_box_and_the_searchs_trials(page, server, lang) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    suffix = "&lang=vi" if lang == "vi" else ""
    open_view(page, server.url, "/trial?cond=cerebral+palsy" + suffix)
    links = page.locator("[data-testid=stMain] [data-testid=stPageLink]")
    expect(links.first).to_be_visible()
    assert links.count() >= 5
    for i in range(links.count()):
        assert "trial?id=" in links.nth(i).locator("a").first.get_attribute("href")
    box = page.locator(".st-key-choose-trial-id input")
    box.fill("TF-CP-002")
    box.press("Enter")
    expect(page.locator("[data-testid=stMain] h2").first).to_contain_text("Robot-assisted")
    settle(page)


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_on_a_phone_the_sidebar_button_opens_the_same_menu(phone, server, lang) -> None:
    open_view(phone, server.url, "/" + ("?lang=vi" if lang == "vi" else ""))
    phone.locator("[data-testid=stExpandSidebarButton]").click()
    links = phone.locator("[data-testid=stSidebarNavLink]")
    expect(links.first).to_be_visible()
    labels = [text.split("\n")[-1].strip() for text in links.all_inner_texts()]
    assert labels == MENU[lang]


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_a_bare_handout_page_links_to_handouts(phone, server, lang) -> None:
    open_view(
        phone, server.url, "/handout?cond=cerebral+palsy" + ("&lang=vi" if lang == "vi" else "")
    )
    link = phone.locator("[data-testid=stMain] [data-testid=stPageLink] a:visible").first
    expect(link).to_be_visible()
    assert "handout?id=" in link.get_attribute("href")
    link.click()
    expect(phone.locator(".tf-handout")).to_be_visible()


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_a_bare_sponsor_page_offers_the_sponsors(phone, server, lang) -> None:
    open_view(phone, server.url, "/sponsor" + ("?lang=vi" if lang == "vi" else ""))
    chooser = phone.locator(".st-key-choose-spons")
    expect(chooser).to_be_visible()
