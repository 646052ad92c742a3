"""The menu holds the pages a family starts from; detail pages are reached from
cards and links, and opened bare they are never a dead end."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import open_view, settle, warm_up

pytestmark = pytest.mark.e2e

MENU = {
    "en": ["Find trials", "Map", "Compare", "About the data"],
    "vi": ["Tìm thử nghiệm", "Bản đồ", "So sánh", "Về dữ liệu"],
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
    links = page.locator("[data-testid=stMain] [data-testid=stPageLink] a")
    expect(links.first).to_be_visible()
    assert links.count() >= 5
    box = page.locator(".st-key-choose-trial-id input")
    box.fill("TF-CP-002")
    box.press("Enter")
    expect(page.locator("[data-testid=stMain] h2").first).to_contain_text("Robot-assisted")
    settle(page)


def test_a_bare_handout_page_links_to_handouts(page, server) -> None:
    open_view(page, server.url, "/handout?cond=cerebral+palsy")
    link = page.locator("[data-testid=stMain] [data-testid=stPageLink] a").first
    expect(link).to_be_visible()
    link.click()
    expect(page.locator(".tf-handout")).to_be_visible()


def test_the_trial_page_links_to_its_sponsor_and_treatment(page, server) -> None:
    open_view(page, server.url, "/trial?id=TF-CP-001")
    page.get_by_text("Every trial this sponsor runs").click()
    page.wait_for_url(lambda url: "/sponsor" in url and "spons=" in url)
    settle(page)
    expect(page.get_by_text("Hanoi Rehabilitation Hospital").first).to_be_visible()
