"""What earlier trials found, in a real browser at phone size (390x844), in English and
Vietnamese: the trial page's results and the treatment view's, on a server of our own
records with posted results. Each view is saved as a screenshot beside the test's files.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import TIMEOUT_MS, Server, running_server
from tests.e2e.helpers import open_view
from tests.e2e.test_phone_a11y import PHONE, audit, sideways_overflow
from tests.support.results_data import (
    MARKUP_GROUP,
    NO_RESULTS,
    WITH_RESULTS,
    build_results_data_dir,
)

pytestmark = pytest.mark.e2e

SECTION = f".st-key-results-{WITH_RESULTS}"
WORDS = {
    "en": {
        "heading": "What the trial found",
        "posted": "Results posted",
        "serious": "Saline: 1 of 23 had a serious side effect",
        "markup": f"{MARKUP_GROUP}: 3 of 25 had a serious side effect",
        "pubmed": "Read on PubMed (31234567)",
        "not_posted": "No results posted",
        "across": "What earlier trials found",
        "found_group": "What it found",
    },
    "vi": {
        "heading": "Thử nghiệm đã tìm thấy gì",
        "posted": "Đã công bố kết quả",
        "serious": "Saline: 1 trên 23 người gặp tác dụng phụ nghiêm trọng",
        "markup": f"{MARKUP_GROUP}: 3 trên 25 người gặp tác dụng phụ nghiêm trọng",
        "pubmed": "Đọc trên PubMed (31234567)",
        "not_posted": "Chưa công bố kết quả",
        "across": "Các thử nghiệm trước đã tìm thấy gì",
        "found_group": "Kết quả tìm thấy",
    },
}


@pytest.fixture(scope="module")
def results_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data = build_results_data_dir(tmp_path_factory.mktemp("results-e2e") / "data")
    log = tmp_path_factory.mktemp("results-e2e-server") / "streamlit.log"
    with running_server(data, log) as running:
        yield running


@pytest.fixture
def phone(browser, outside, results_server) -> Iterator[object]:
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    context.set_default_timeout(TIMEOUT_MS)
    outside.guard(context)
    log_before = len(results_server.log())
    yield context.new_page()
    context.close()
    new_log = results_server.log()[log_before:]
    assert "Traceback" not in new_log, f"the server logged a traceback:\n{new_log}"
    assert not outside.requests, f"requests left 127.0.0.1: {outside.requests}"


_SCROLL_TO_TOP = """([selector, offset]) => {
    const main = document.querySelector("[data-testid=stMain]");
    const top = document.querySelector(selector).getBoundingClientRect().top;
    main.scrollBy(0, top - offset);
    return document.querySelector(selector).getBoundingClientRect().bottom;
}"""


def screenshots(
    page, selector: str, folder: Path, name: str, height: int = PHONE["height"]
) -> list[Path]:
    """The section screen by screen, as a reader scrolls it (the page scrolls inside
    stMain, so an element's own screenshot would be cut at the screen's edge)."""
    taken = []
    offset = 60  # below Streamlit's header bar
    for number in range(8):
        bottom = page.evaluate(_SCROLL_TO_TOP, [selector, offset - number * (height - 140)])
        page.wait_for_timeout(150)
        path = folder / f"{name}-{number}.png"
        page.screenshot(path=str(path), animations="disabled")
        taken.append(path)
        if bottom <= height:
            break
    return taken


def _lang(lang: str) -> str:
    return "" if lang == "en" else f"&lang={lang}"


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_a_trial_with_results_on_a_phone(phone, results_server, lang, tmp_path: Path) -> None:
    words = WORDS[lang]
    open_view(phone, results_server.url, f"/trial?id={WITH_RESULTS}{_lang(lang)}")
    section = phone.locator(SECTION)
    section.scroll_into_view_if_needed()
    expect(section.get_by_text(words["heading"], exact=True)).to_be_visible()
    expect(section.get_by_text(words["posted"], exact=True)).to_be_visible()
    expect(section.get_by_text(words["serious"], exact=True)).to_be_visible()
    # The group's markup is shown as the registry wrote it, never drawn as bold.
    expect(section.get_by_text(words["markup"], exact=True)).to_be_visible()
    assert section.locator("b", has_text="Toxin").count() == 0
    chart = section.locator(
        f".st-key-chart-serious-{WITH_RESULTS} canvas, .st-key-chart-serious-{WITH_RESULTS} svg"
    ).first
    expect(chart).to_be_visible()
    box = chart.bounding_box()
    assert box is not None and box["width"] <= PHONE["width"]
    link = section.get_by_role("link", name=words["pubmed"])
    expect(link).to_have_attribute("href", "https://pubmed.ncbi.nlm.nih.gov/31234567/")
    assert sideways_overflow(phone) <= 1
    assert screenshots(phone, SECTION, tmp_path, f"trial-results-{lang}")
    violations = audit(phone)
    assert not violations, violations


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_a_trial_without_results_on_a_phone(phone, results_server, lang, tmp_path) -> None:
    open_view(phone, results_server.url, f"/trial?id={NO_RESULTS}{_lang(lang)}")
    section = phone.locator(f".st-key-results-{NO_RESULTS}")
    section.scroll_into_view_if_needed()
    expect(section.get_by_text(WORDS[lang]["not_posted"], exact=True)).to_be_visible()
    assert sideways_overflow(phone) <= 1
    assert screenshots(phone, f".st-key-results-{NO_RESULTS}", tmp_path, f"no-results-{lang}")


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_the_treatment_view_on_a_phone(phone, results_server, lang, tmp_path) -> None:
    open_view(phone, results_server.url, f"/treatment?intr=Botulinum+toxin+type+A{_lang(lang)}")
    section = phone.locator(".st-key-results-across")
    section.scroll_into_view_if_needed()
    expect(section.get_by_text(WORDS[lang]["across"], exact=True)).to_be_visible()
    expect(
        section.locator(
            ".st-key-chart-serious-across canvas, .st-key-chart-serious-across svg"
        ).first
    ).to_be_visible()
    assert sideways_overflow(phone) <= 1
    assert screenshots(phone, ".st-key-results-across", tmp_path, f"treatment-{lang}")
    violations = audit(phone)
    assert not violations, violations


DESKTOP = {"width": 1280, "height": 900}


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_results_at_desktop_size(browser, outside, results_server, lang, tmp_path) -> None:
    context = browser.new_context(viewport=DESKTOP)
    context.set_default_timeout(TIMEOUT_MS)
    outside.guard(context)
    page = context.new_page()
    try:
        open_view(page, results_server.url, f"/trial?id={WITH_RESULTS}{_lang(lang)}")
        section = page.locator(SECTION)
        section.scroll_into_view_if_needed()
        expect(section.get_by_text(WORDS[lang]["serious"], exact=True)).to_be_visible()
        assert screenshots(page, SECTION, tmp_path, f"desktop-trial-{lang}", DESKTOP["height"])
        ids = f"ids={WITH_RESULTS}&ids={NO_RESULTS}"
        open_view(page, results_server.url, f"/compare?{ids}{_lang(lang)}")
        table = page.locator("table.tf-compare")
        expect(table.get_by_text(WORDS[lang]["not_posted"], exact=True)).to_be_visible()
        assert table.locator("b", has_text="Toxin").count() == 0
        found_rows = table.locator("tr.tf-group", has_text=WORDS[lang]["found_group"])
        found_rows.scroll_into_view_if_needed()
        page.screenshot(path=str(tmp_path / f"desktop-compare-{lang}.png"))
    finally:
        context.close()
    assert not outside.requests, f"requests left 127.0.0.1: {outside.requests}"
