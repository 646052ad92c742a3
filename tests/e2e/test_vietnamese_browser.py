"""Vietnamese pages show the curated records' own Vietnamese texts, countries in
Vietnamese and numbers as Vietnamese writes them; staff notes stay off family pages."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import open_view, warm_up
from trialfinder.i18n import _, using

pytestmark = pytest.mark.e2e

STAFF_NOTE = "made up for this catalogue"


@pytest.fixture(scope="module", autouse=True)
def warm(browser, server) -> None:
    warm_up(browser, server.url)


def _text(page) -> str:
    return page.locator("[data-testid=stMain]").inner_text()


def test_the_trial_page_in_vietnamese_uses_the_records_vietnamese(phone, server) -> None:
    page = phone
    open_view(page, server.url, "/trial?id=VINMEC-CP-BMMNC&lang=vi")
    text = _text(page)
    assert "Tế bào tủy xương của chính trẻ, đưa vào ống sống" in text  # the title
    assert "Nhóm A: nhận tế bào ngay từ đầu" in text  # an arm
    assert "Bắt đầu muộn: không nhận tế bào trong 9 tháng đầu" in text  # control group
    assert "Tài liệu nguồn không mô tả các rủi ro" in text  # what could go wrong
    assert "Group A: cells from the start" not in text
    assert "Việt Nam" in text and STAFF_NOTE not in text


def test_the_english_page_keeps_the_english_texts(phone, server) -> None:
    page = phone
    open_view(page, server.url, "/trial?id=VINMEC-CP-BMMNC")
    text = _text(page)
    assert "Group A: cells from the start" in text and "Nhóm A" not in text
    assert STAFF_NOTE not in text


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_staff_notes_are_on_the_data_page(phone, server, lang) -> None:
    open_view(phone, server.url, "/data" + ("?lang=vi" if lang == "vi" else ""))
    with using(lang):
        label = _("Staff notes on curated records")
    phone.get_by_text(label).click()
    phone.get_by_text(STAFF_NOTE, exact=False).first.wait_for()


def test_the_handout_and_cards_in_vietnamese(phone, server) -> None:
    page = phone
    open_view(page, server.url, "/handout?id=NCT07527104&lang=vi")
    handout = page.locator(".tf-handout").inner_text()
    assert "Tế bào gốc của chính trẻ có thể giúp trẻ bại não cử động tốt hơn" in handout
    assert "Tế bào cộng với phục hồi chức năng" in handout
    open_view(page, server.url, "/?cond=cerebral+palsy&near=Hanoi&lang=vi")
    cards = _text(page)
    assert "Tế bào gốc của chính trẻ có thể giúp trẻ bại não cử động tốt hơn" in cards
    assert "Việt Nam" in cards
    assert "tế bào đơn nhân tủy xương tự thân" in cards  # what is tested, in Vietnamese


def test_the_curated_criteria_in_vietnamese_on_the_comparison_and_the_trial_page(
    phone, server
) -> None:
    open_view(phone, server.url, "/compare?ids=NCT07527104&ids=VINMEC-CP-BMMNC&lang=vi")
    phone.wait_for_selector("table.tf-compare")
    text = _text(phone)
    assert "Tài liệu nguồn chỉ ghi: trẻ từ 1 đến 6 tuổi bị bại não" in text
    assert "Tài liệu nguồn chỉ ghi: bệnh nhân từ 1 đến 10 tuổi" in text
    assert "The source only says" not in text
    # The records' own titles, arms and control groups, and the countries, in Vietnamese.
    assert "Tế bào gốc của chính trẻ có thể giúp trẻ bại não cử động tốt hơn" in text
    assert "Nhóm A: nhận tế bào ngay từ đầu" in text
    assert "Bắt đầu muộn: không nhận tế bào trong 9 tháng đầu" in text
    assert "Việt Nam" in text
    assert "Group A: cells from the start" not in text and "Own stem cells" not in text
    open_view(phone, server.url, "/trial?id=VINMEC-CP-BMMNC&lang=vi")
    with using("vi"):
        as_stated = _("Eligibility criteria, as the record states them")
    phone.get_by_text(as_stated, exact=True).click()
    # In the criteria as stated (the checklist above quotes them in Vietnamese too).
    stated = phone.locator("[data-testid=stExpander]").filter(has_text=as_stated)
    expect(
        stated.get_by_text("Tài liệu nguồn chỉ ghi: bệnh nhân từ 1 đến 10 tuổi", exact=False)
    ).to_be_visible()


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_the_data_page_bars_have_height_on_a_phone(phone, server, lang) -> None:
    """Each bar of a count is a bar, not a line: Streamlit fits the title and the
    axis inside the chart's height, and they once took all of it."""
    import io

    import numpy as np
    from PIL import Image

    from trialfinder.ui.charts import BAR_COLOUR

    open_view(phone, server.url, "/data" + ("?lang=vi" if lang == "vi" else ""))
    chart = phone.locator("[class*='st-key-chart-data-status']").first
    chart.scroll_into_view_if_needed()
    expect(chart.locator("canvas, svg").first).to_be_visible()
    bar = np.array([int(BAR_COLOUR[i : i + 2], 16) for i in (1, 3, 5)])
    heights: list[int] = []
    for _attempt in range(30):  # Vega draws after the page has settled
        pixels = np.asarray(Image.open(io.BytesIO(chart.screenshot())).convert("RGB"), dtype=int)
        rows = (np.abs(pixels - bar).max(axis=2) <= 12).any(axis=1)
        # Each bar is a run of rows with its colour.
        edges = np.flatnonzero(np.diff(np.r_[0, rows.astype(int), 0]))
        heights = (edges[1::2] - edges[0::2]).tolist()
        if len(heights) >= 2 and min(heights) >= 14:
            return
        phone.wait_for_timeout(100)
    raise AssertionError(f"bars of {heights} pixel rows")
