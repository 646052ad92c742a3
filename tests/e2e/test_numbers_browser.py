"""Numbers, dates and countries as the page's language writes them, in a real browser
at phone size: a trial with 1,148 sites and 1,250 participants reads "1.148" and
"1.250" on Vietnamese pages and "1,148" on English ones, never "1148"; its dates are
in words of the language; its countries are named in the language."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import yaml
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, TIMEOUT_MS, Outside, Server, running_server
from tests.e2e.helpers import open_view, settle

pytestmark = pytest.mark.e2e

BIG_ID = "TF-MANY-001"
OTHER_ID = "TF-MANY-002"
N_SITES = 1148
PEOPLE = 1250
#: Every way a big number can reach a page unformatted, or formatted for the other language.
WRONG = {
    "en": ("1148", "1.148", "1149", "1.149", "1250", "1.250"),
    "vi": ("1148", "1,148", "1149", "1,149", "1250", "1,250"),
}
RIGHT = {"en": ("1,148", "1,250"), "vi": ("1.148", "1.250")}
DATES = {
    "en": ("March 2024", "June 27, 2026"),
    "vi": ("tháng 3 2024", "27 tháng 6, 2026"),
}
COUNTRIES = {
    "en": ("United States", "South Korea", "Vietnam"),
    "vi": ("Hoa Kỳ", "Hàn Quốc", "Việt Nam"),
}


def many_sites() -> list[dict]:
    sites = [
        {
            "facility": f"Clinic {i:04d}",
            "city": "Boston",
            "country": "United States",
            "status": "RECRUITING",
            "lat": 30 + (i % 100) / 10,
            "lon": -100 + (i % 500) / 10,
        }
        for i in range(N_SITES - 2)
    ]
    sites.append(
        {
            "facility": "Seoul Clinic",
            "city": "Seoul",
            "country": "Korea, Republic of",
            "lat": 37.56,
            "lon": 126.97,
        }
    )
    sites.append(
        {
            "facility": "Bach Mai Hospital",
            "city": "Hanoi",
            "country": "Vietnam",
            "lat": 21.0,
            "lon": 105.84,
        }
    )
    return sites


def trial(trial_id: str, sites: list[dict]) -> dict:
    return {
        "id": trial_id,
        "title": f"A large trial of a medicine for children with epilepsy ({trial_id})",
        "status": "recruiting",
        "conditions": ["Epilepsy"],
        "study_type": "interventional",
        "min_age": "2 Years",
        "max_age": "17 Years",
        "enrollment": PEOPLE,
        "enrollment_type": "ESTIMATED",
        "start_date": "2024-03",
        "last_update": "2026-06-27",
        "sponsor": "Epilepsy Research Network",
        "interventions": [{"name": "Cannabidiol", "type": "DRUG"}],
        "sites": sites,
    }


@pytest.fixture(scope="module")
def many_server(browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("many")
    trials = root / "data" / "trials"
    trials.mkdir(parents=True)
    for trial_id, sites in ((BIG_ID, many_sites()), (OTHER_ID, many_sites()[-1:])):
        record = yaml.safe_dump(trial(trial_id, sites), allow_unicode=True)
        (trials / f"{trial_id}.yaml").write_text(record, "utf-8")
    with running_server(root / "data", root / "streamlit.log") as server:
        context = browser.new_context()  # the first visit builds the catalog
        context.set_default_timeout(TIMEOUT_MS * 6)
        open_view(context.new_page(), server.url, f"/trial?id={BIG_ID}")
        context.close()
        yield server


@pytest.fixture
def phone(browser, many_server: Server) -> Iterator[object]:
    outside = Outside()
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    context.set_default_timeout(TIMEOUT_MS)
    outside.guard(context)
    log_before = len(many_server.log())
    yield context.new_page()
    context.close()
    new_log = many_server.log()[log_before:]
    assert "Traceback" not in new_log, f"the server logged a traceback:\n{new_log}"
    assert not outside.requests, f"requests left 127.0.0.1: {outside.requests}"


def _text(page) -> str:
    return page.locator("[data-testid=stMain]").inner_text()


def _no_wrong_numbers(text: str, lang: str, where: str) -> None:
    # Whole numbers only: "1148" inside "Clinic 1148" would be a name, not a count.
    for wrong in WRONG[lang]:
        found = re.findall(rf"(?<![\w.,]){re.escape(wrong)}(?![\w]|[.,]\d)", text)
        assert not found, f"{where} ({lang}) shows {wrong!r}"


def _suffix(lang: str) -> str:
    return "&lang=vi" if lang == "vi" else ""


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_the_trial_page_writes_numbers_dates_and_countries_in_its_language(
    phone, many_server, shots, lang
) -> None:
    open_view(phone, many_server.url, f"/trial?id={BIG_ID}&near=Hanoi{_suffix(lang)}")
    text = _text(phone)
    for right in RIGHT[lang]:
        assert right in text
    for date in DATES[lang]:
        assert date in text
    assert "2024-03" not in text and "2026-06-27" not in text
    for name in COUNTRIES[lang]:
        assert name in text
    if lang == "vi":
        assert "United States" not in text and "Korea" not in text
    _no_wrong_numbers(text, lang, "trial page")
    phone.screenshot(path=str(shots / f"numbers-trial-{lang}.png"))


@pytest.mark.parametrize("lang", ["en", "vi"])
@pytest.mark.parametrize(
    "path",
    [
        "/?cond=epilepsy&country=Korea,+Republic+of",
        "/map?cond=epilepsy",
        f"/compare?ids={BIG_ID}&ids={OTHER_ID}&near=Hanoi",
        "/data",
        "/treatment?intr=cannabidiol",
        "/sponsor?spons=Epilepsy+Research+Network",
    ],
)
def test_no_page_shows_a_number_unformatted_for_its_language(phone, many_server, path, lang):
    if lang == "vi":
        path += ("&" if "?" in path else "?") + "lang=vi"
    open_view(phone, many_server.url, path)
    expect(phone.locator("[data-testid=stMain] h3").first).to_be_visible()
    if "/compare" in path:
        expect(phone.locator("table.tf-compare")).to_be_attached()
    settle(phone)
    text = _text(phone)
    _no_wrong_numbers(text, lang, path)
    if path == "/data" or path.startswith("/map"):
        # the sites counted: the big trial's and the other's one
        assert {"en": "1,149", "vi": "1.149"}[lang] in text
    if path.startswith("/compare"):
        assert RIGHT[lang][1] in text  # the participants
        assert COUNTRIES[lang][2] in text  # the nearest site's country
    if path.startswith("/?"):
        assert COUNTRIES[lang][1] in text  # the view's sentence names the country
