"""The compare page in a real browser: a compare link, choosing trials (the URL
follows), the CSV, printing, and trial text shown as text.

Every browser context refuses and records any request beyond 127.0.0.1
(``conftest.py``): an image injected from a record would fail the test.
"""

from __future__ import annotations

import csv
import io
import time

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE
from tests.e2e.helpers import (
    open_view,
    query,
    settle,
    wait_for_cards,
    wait_for_query,
    wait_for_results,
)
from tests.e2e.test_phone_a11y import sideways_overflow
from tests.ui.trialdata import (
    CP_AGE4_HANOI,
    MARKUP_ARM_DESCRIPTION,
    MARKUP_ARM_LABEL,
    MARKUP_ID,
    MARKUP_TITLE,
    SEED_IDS,
)
from trialfinder import i18n
from trialfinder.i18n import ngettext

pytestmark = pytest.mark.e2e

SEEDS = "/compare?ids=NCT07527104&ids=VINMEC-CP-BMMNC"
TABLE = "[data-testid=stMain] table.tf-compare"
HIGHLIGHT = "rgb(255, 246, 224)"  # a row where the trials differ


def columns(page) -> list[str]:
    return page.locator(TABLE + " thead th").all_inner_texts()


def wait_for_columns(page, ids: list[str]) -> None:
    expect(page.locator(TABLE + " thead th")).to_have_text(["Trial", *ids])
    settle(page)


def row(page, label: str):
    """The row whose name (its first cell, before the flag) is ``label``."""
    return page.locator(TABLE + " tbody tr").filter(
        has=page.locator("th[scope=row]", has_text=label)
    )


def add(page, words: str, option: str) -> None:
    field = page.locator(".st-key-compare_add input")
    field.click()
    field.fill(words)
    page.get_by_role("option", name=option).click()


def test_a_compare_link_shows_both_trials_arms_and_where_they_differ(page, server):
    open_view(page, server.url, SEEDS)
    wait_for_columns(page, list(SEED_IDS))
    for label, first, second in (
        ("Arm 1", "Cells plus rehabilitation (experimental)", "Group A: cells from the start"),
        ("Arm 2", "Rehabilitation alone (control)", "Group B: control for 9 months, then cells"),
    ):
        cells = row(page, label).locator("td")
        expect(cells.nth(0)).to_contain_text(first)
        expect(cells.nth(1)).to_contain_text(second)
        expect(row(page, label).locator(".tf-flag")).to_have_text("differs")

    ages = row(page, "Ages")
    expect(ages.locator("td")).to_have_text(["1 year to 6 years", "1 year to 10 years"])
    expect(ages.locator(".tf-flag")).to_be_visible()
    expect(ages.locator("td").first).to_have_css("background-color", HIGHLIGHT)

    allocation = row(page, "Allocation")
    expect(allocation.locator("td")).to_have_text(["randomized", "randomized"])
    expect(allocation.locator(".tf-flag")).to_have_count(0)
    expect(allocation.locator("td").first).not_to_have_css("background-color", HIGHLIGHT)
    expect(allocation.locator(".tf-explain")).to_contain_text("Randomized: chance decides")

    expect(row(page, "The control group gets").locator("td").nth(1)).to_contain_text(
        "A delayed start: no cells for the first 9 months"
    )
    expect(row(page, "Gross motor function (GMFM)")).to_have_count(1)
    expect(row(page, "Size").locator("td")).to_have_text(
        ["60 participants (planned)", "58 participants (planned)"]
    )


def test_choosing_trials_and_the_url_follows(new_page, server):
    page = new_page()
    # "Add to compare" on two cards of the finder, then its link to the comparison
    open_view(page, server.url, "/?cond=cerebral+palsy&age=4y&near=Hanoi")
    wait_for_results(page, CP_AGE4_HANOI)
    for trial_id in ("TF-CP-002", "TF-CP-001"):
        card = page.locator(f".st-key-card-{trial_id}")
        card.get_by_role("button", name="Add to compare").click()
        expect(card.get_by_role("button", name="Remove from compare")).to_be_visible()
        settle(page)  # the run that drew it has finished: no card is half redrawn
    page.get_by_role("link", name="Compare the 2 chosen trials").first.click()
    wait_for_query(page, ids=["TF-CP-002", "TF-CP-001"])
    wait_for_columns(page, ["TF-CP-002", "TF-CP-001"])

    # the menu offers what the filters find, by words of a title or by id
    add(page, "NCT0752", "NCT07527104: Own stem cells may boost movement in kids")
    wait_for_query(page, ids=["TF-CP-002", "TF-CP-001", "NCT07527104"])
    wait_for_columns(page, ["TF-CP-002", "TF-CP-001", "NCT07527104"])
    # an id no trial has: said, and nothing added
    field = page.locator(".st-key-compare_add input")
    field.click()
    field.fill("NCT00000000")
    field.press("Enter")
    expect(page.get_by_text("No trial has the id NCT00000000; left out.")).to_be_visible()
    assert query(page.url)["ids"] == ["TF-CP-002", "TF-CP-001", "NCT07527104"]
    # any other trial by its id, typed whole (in any case): the filters do not find it
    field.click()
    field.fill("tf-cp-005")
    field.press("Enter")
    wait_for_query(page, ids=["TF-CP-002", "TF-CP-001", "NCT07527104", "TF-CP-005"])
    wait_for_columns(page, ["TF-CP-002", "TF-CP-001", "NCT07527104", "TF-CP-005"])
    expect(page.locator(".st-key-compare_add")).to_have_count(0)  # four is the most

    # remove
    page.get_by_role("button", name="Remove TF-CP-001").click()
    wait_for_query(page, ids=["TF-CP-002", "NCT07527104", "TF-CP-005"])
    wait_for_columns(page, ["TF-CP-002", "NCT07527104", "TF-CP-005"])

    # the address is the comparison: a fresh browser opens the same one
    fresh = new_page()
    open_view(fresh, "", page.url)
    wait_for_columns(fresh, ["TF-CP-002", "NCT07527104", "TF-CP-005"])


def test_the_comparison_downloads_as_csv_and_prints_cleanly(page, server):
    open_view(page, server.url, SEEDS)
    wait_for_columns(page, list(SEED_IDS))
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the comparison (CSV)").click()
    assert download.value.suggested_filename == "trialfinder-comparison.csv"
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text("utf-8"))))
    assert list(rows[0]) == ["group", "row", "differs", *SEED_IDS]
    by_row = {r["row"]: r for r in rows}
    assert by_row["Ages"]["NCT07527104"] == "1 year to 6 years"
    assert by_row["Ages"]["differs"] == "True" and by_row["Allocation"]["differs"] == "False"
    assert by_row["Arm 2"]["VINMEC-CP-BMMNC"].startswith("Group B: control for 9 months")

    page.emulate_media(media="print")
    for hidden in (
        "[data-testid=stSidebar]",
        "[data-testid=stMain] .stButton",
        "[data-testid=stMain] .stDownloadButton",
        "[data-testid=stMain] [data-testid=stSelectbox]",
    ):
        expect(page.locator(hidden).first).to_be_hidden()
    expect(page.locator(TABLE)).to_be_visible()
    expect(row(page, "Ages").locator("td").first).not_to_have_css("background-color", HIGHLIGHT)
    expect(row(page, "Ages").locator(".tf-flag")).to_be_visible()  # still says so, in words
    page.emulate_media(media="screen")
    expect(page.locator("[data-testid=stSidebar]")).to_be_visible()


def test_trial_text_in_the_comparison_is_text(page, server):
    open_view(page, server.url, f"/compare?ids={MARKUP_ID}&ids=NCT07527104")
    wait_for_columns(page, [MARKUP_ID, "NCT07527104"])
    table = page.locator(TABLE)
    expect(row(page, "Title").locator("td").first).to_have_text(MARKUP_TITLE)
    arm = row(page, "Arm 1").locator("td").first
    expect(arm).to_contain_text(MARKUP_ARM_LABEL)
    expect(arm).to_contain_text(MARKUP_ARM_DESCRIPTION)
    tags = table.evaluate("node => [...node.querySelectorAll('*')].map(n => n.tagName)")
    assert set(tags) <= {"THEAD", "TBODY", "TR", "TH", "TD", "SPAN", "A"}, set(tags)
    # The one link is the registry's, the record's own text none.
    hrefs = table.evaluate("node => [...node.querySelectorAll('a')].map(a => a.href)")
    assert hrefs == ["https://clinicaltrials.gov/study/NCT07527104"], hrefs
    assert not page.evaluate("() => document.querySelectorAll('img[src*=\"evil\"]').length")


# ------------------------------------------------------------------ on a phone

THREE = ("NCT07527104", "VINMEC-CP-BMMNC", "TF-CP-001")
WORDS = {
    "en": {"add": "Add to compare", "remove": "Remove from compare", "ages": "Ages"},
    "vi": {"add": "Thêm để so sánh", "remove": "Bỏ khỏi so sánh", "ages": "Độ tuổi"},
}


def _lang(lang: str) -> str:
    return "&lang=vi" if lang == "vi" else ""


def _box(locator) -> dict:
    box = locator.bounding_box()
    assert box is not None, f"{locator} is not drawn"
    return box


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_on_a_phone_the_trials_stay_side_by_side_under_a_header_that_stays(
    phone, server, shots, lang
):
    open_view(phone, server.url, "/compare?" + "&".join(f"ids={i}" for i in THREE) + _lang(lang))
    expect(phone.locator(TABLE + " thead th:visible")).to_have_text(list(THREE))
    settle(phone)
    assert sideways_overflow(phone) <= 1
    width = PHONE["width"]
    assert _box(phone.locator(TABLE))["width"] <= width
    # A line of the comparison: its name across the screen, the three values side
    # by side beneath it, every one inside the screen.
    ages = row(phone, WORDS[lang]["ages"])
    # The phone's layout is applied by the page's styles after the table is drawn: a
    # moment later than "settled" on a busy machine.
    deadline = time.monotonic() + 10
    while True:
        label, cells = _box(ages.locator("th")), [_box(c) for c in ages.locator("td").all()]
        if len({round(c["y"]) for c in cells}) == 1 or time.monotonic() > deadline:
            break
        phone.wait_for_timeout(200)
    assert len(cells) == 3
    assert all(c["y"] >= label["y"] + label["height"] - 1 for c in cells)
    assert len({round(c["y"]) for c in cells}) == 1
    assert cells[0]["x"] < cells[1]["x"] < cells[2]["x"]
    assert cells[0]["x"] >= 0 and cells[2]["x"] + cells[2]["width"] <= width
    # Far down the page, the trials' ids are still at the top, below Streamlit's header.
    phone.locator("[data-testid=stMain]").evaluate("main => { main.scrollTop = 2500; }")
    header = phone.locator(TABLE + " thead th:visible")
    phone.wait_for_function(
        "sel => { const th = document.querySelector(sel); const y = th.getBoundingClientRect().y;"
        " return y >= 55 && y <= 70; }",
        arg=TABLE + " thead th:nth-child(2)",
    )
    ids_at_top = header.all()
    assert [h.inner_text().strip() for h in ids_at_top] == list(THREE)
    for h in ids_at_top:
        expect(h).to_be_in_viewport()
    header_box = _box(ids_at_top[0])
    assert header_box["y"] >= _box(phone.locator("[data-testid=stHeader]"))["height"] - 1
    phone.screenshot(path=str(shots / f"compare-phone-{lang}.png"))


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_on_a_phone_the_way_to_the_comparison_is_right_after_add_to_compare(phone, server, lang):
    words = WORDS[lang]
    open_view(phone, server.url, "/?cond=cerebral+palsy&age=4y&near=Hanoi" + _lang(lang))
    wait_for_cards(phone, CP_AGE4_HANOI)
    with i18n.using(lang):
        two = ngettext("Compare the {n} chosen trial", "Compare the {n} chosen trials", 2)
    for trial_id in ("TF-CP-002", "TF-CP-001"):
        card = phone.locator(f".st-key-card-{trial_id}")
        button = card.get_by_role("button", name=words["add"])
        # Where a thumb presses it: in the middle of the screen.
        button.evaluate("node => node.scrollIntoView({block: 'center'})")
        button.click()
        expect(card.get_by_role("button", name=words["remove"])).to_be_visible()
        settle(phone)
    # The link is in the card just pressed, on the screen without scrolling.
    link = card.get_by_role("link", name=two.format(n=2))
    expect(link).to_be_in_viewport()
    link.click()
    wait_for_query(phone, ids=["TF-CP-002", "TF-CP-001"])
    expect(phone.locator(TABLE + " thead th:visible")).to_have_text(["TF-CP-002", "TF-CP-001"])
