"""A trial with hundreds of sites on a phone: the nearest few first, the rest by
country, opened on demand; never a wall of every site."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import yaml
from playwright.sync_api import expect

from tests.e2e.conftest import TIMEOUT_MS, Server, running_server
from tests.e2e.helpers import open_view, settle

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
BIG_ID = "TF-BIG-001"
#: 300 sites in the United States, 20 in France, 3 in Vietnam (one in Hanoi).
US_SITES = 300


def big_trial() -> dict:
    sites = [
        {
            "facility": f"US Clinic {i:03d}",
            "city": "Boston",
            "country": "United States",
            "status": "RECRUITING",
            "lat": 30 + (i % 100) / 10,
            "lon": -100 + i / 10,
        }
        for i in range(US_SITES)
    ]
    sites += [
        {"facility": f"Clinique {i}", "city": "Paris", "country": "France", "lat": 48.8, "lon": 2.3}
        for i in range(20)
    ]
    sites += [
        {"facility": "Hue Central Hospital", "city": "Hue", "country": "Vietnam"},
        {
            "facility": "Bach Mai Hospital",
            "city": "Hanoi",
            "country": "Vietnam",
            "lat": 21.0,
            "lon": 105.84,
            "contacts": [{"name": "Dr Minh", "phone": "024 3869 3731"}],
        },
        {"facility": "Cho Ray Hospital", "city": "Ho Chi Minh City", "country": "Vietnam"},
    ]
    return {
        "id": BIG_ID,
        "title": "A large trial of a new medicine for children with epilepsy",
        "status": "recruiting",
        "conditions": ["Epilepsy"],
        "study_type": "interventional",
        "min_age": "2 Years",
        "max_age": "17 Years",
        "sites": sites,
    }


@pytest.fixture(scope="module")
def big_server(browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("big")
    trials = root / "data" / "trials"
    trials.mkdir(parents=True)
    (trials / f"{BIG_ID}.yaml").write_text(yaml.safe_dump(big_trial(), allow_unicode=True), "utf-8")
    with running_server(root / "data", root / "streamlit.log") as server:
        # The first visit builds the catalog: give it time once, outside the tests.
        context = browser.new_context()
        context.set_default_timeout(TIMEOUT_MS * 6)
        open_view(context.new_page(), server.url, f"/trial?id={BIG_ID}")
        context.close()
        yield server


@pytest.fixture
def phone(browser, outside, big_server) -> Iterator[object]:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    context.set_default_timeout(TIMEOUT_MS)
    outside.guard(context)
    yield context.new_page()
    context.close()
    assert "Traceback" not in big_server.log()
    assert not outside.requests, f"requests left 127.0.0.1: {outside.requests}"


def _main_text(page) -> str:
    return page.locator("[data-testid=stMain]").inner_text()


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_the_nearest_sites_come_first_and_the_rest_by_country(phone, big_server, lang) -> None:
    suffix = "&lang=vi" if lang == "vi" else ""
    open_view(phone, big_server.url, f"/trial?id={BIG_ID}&near=Hanoi{suffix}")
    text = _main_text(phone)
    # The nearest site first, with its contact as a link to tap (under "Who to
    # contact", as the nearest site's, and under the site itself).
    assert text.index("Bach Mai Hospital") < text.index("Hue Central Hospital")
    assert phone.locator("[data-testid=stMain] a[href='tel:02438693731']").count() == 2
    # Few sites listed; the 300 American ones are behind their country's panel.
    assert "US Clinic" not in text
    country = "United States" if lang == "en" else "Hoa Kỳ"
    panel = phone.locator("[data-testid=stExpander] summary").filter(has_text=country)
    expect(panel).to_contain_text(f"{country} ({US_SITES})")
    assert ("323 sites" if lang == "en" else "323 cơ sở") in text
    # A phone page a family can scroll, not a wall.
    height = phone.evaluate("() => document.querySelector('[data-testid=stMain]').scrollHeight")
    assert height < 9000
    panel.click()
    settle(phone)
    expect(phone.get_by_text("US Clinic 299", exact=False)).to_be_visible()
    assert "US Clinic 000" in _main_text(phone)


def test_without_a_place_the_family_country_comes_first(phone, big_server) -> None:
    open_view(phone, big_server.url, f"/trial?id={BIG_ID}&country=Vietnam")
    text = _main_text(phone)
    first_us = text.find("US Clinic")
    assert text.index("Cho Ray Hospital") < (first_us if first_us >= 0 else len(text))
    assert text.index("Hue Central Hospital") < text.index("The other sites, by country:")
