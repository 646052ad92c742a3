"""The dashboard in a real browser: shared links, the URL following the filters,
the trial page, bad links, escaping, and nothing leaving the machine.

One ``streamlit run`` serves the session (``conftest.py``); each test opens its
own browser context, which refuses any request beyond 127.0.0.1.
"""

from __future__ import annotations

import csv
import io

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import (
    CARDS,
    EXCEPTION,
    NOTICE,
    open_view,
    query,
    settle,
    wait_for_query,
    wait_for_results,
)
from tests.ui.trialdata import (
    CP_AGE4_HANOI,
    CP_AGE4_HANOI_RECRUITING,
    CP_AGE10_HANOI,
    CP_ALL,
    MARKUP_ID,
    MARKUP_TITLE,
)
from trialfinder.family import plain

pytestmark = pytest.mark.e2e

SHARED = "/?cond=cerebral+palsy&age=4y&near=Hanoi"


def set_age(page, age: str) -> None:
    field = page.locator(".st-key-age input")
    field.fill(age)
    field.press("Enter")


def choose_status(page, status: str) -> None:
    page.locator(".st-key-status input").click()
    page.get_by_role("option", name=status, exact=True).click()
    page.keyboard.press("Escape")


def copy_link(page) -> str:
    """The link "Copy link" copies (its last line: the first is the view's sentence)."""
    page.get_by_text("Share or download this view").click()
    code = page.locator("[data-testid=stCode] code")
    expect(code).to_be_visible()
    return code.inner_text().strip().splitlines()[-1]


def test_a_shared_link_shows_the_count_and_the_cards_in_order(page, server):
    open_view(page, server.url, SHARED)
    wait_for_results(page, CP_AGE4_HANOI)
    expect(page.locator(NOTICE)).to_have_count(0)
    nearest = page.locator(".st-key-card-TF-CP-002")
    expect(nearest).to_contain_text("Nearest site: Bach Mai Hospital, Hanoi, Vietnam · 3 km away")
    ages = plain.ages_in_words("4 Years", "12 Years")
    expect(nearest).to_contain_text(f"Who can join: {ages}")
    expect(nearest).to_contain_text("Not yet recruiting")


def test_changing_the_age_changes_the_url_and_the_results(page, server):
    open_view(page, server.url, SHARED)
    wait_for_results(page, CP_AGE4_HANOI)
    set_age(page, "10")
    wait_for_query(page, age=["10"], cond=["cerebral palsy"], near=["Hanoi"])
    wait_for_results(page, CP_AGE10_HANOI)


def test_choosing_a_status_changes_the_url_and_the_results(page, server):
    open_view(page, server.url, SHARED)
    wait_for_results(page, CP_AGE4_HANOI)
    choose_status(page, plain.status_words("RECRUITING"))  # shown in words ...
    wait_for_query(page, status=["recruiting"], age=["4y"], cond=["cerebral palsy"])  # ... linked
    wait_for_results(page, CP_AGE4_HANOI_RECRUITING)


def test_copy_link_opens_the_same_view_in_a_fresh_browser(new_page, server):
    page = new_page()
    open_view(page, server.url, SHARED)
    set_age(page, "10")
    wait_for_results(page, CP_AGE10_HANOI)
    link = copy_link(page)
    assert link == f"{server.url}/?cond=cerebral+palsy&age=10y&near=Hanoi"

    fresh = new_page()  # another context: no cookies, no session
    open_view(fresh, "", link)
    wait_for_results(fresh, CP_AGE10_HANOI)
    expect(fresh.locator(".st-key-age input")).to_have_value("10y")
    expect(fresh.locator(NOTICE)).to_have_count(0)


def test_the_results_download_as_csv(page, server):
    open_view(page, server.url, SHARED)
    wait_for_results(page, CP_AGE4_HANOI)
    page.get_by_text("Share or download this view").click()
    button = page.get_by_role("button", name="Download results (CSV)")
    expect(button).to_be_enabled()
    settle(page)
    # The file is made when asked for (a round trip to the server): give it time.
    with page.expect_download(timeout=60_000) as download:
        button.click()
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text("utf-8"))))
    assert [row["id"] for row in rows] == CP_AGE4_HANOI
    assert rows[1]["nearest_site"] == "Bach Mai Hospital"


def test_a_cards_trial_details_link_opens_the_trial_page(page, server):
    open_view(page, server.url, SHARED)
    wait_for_results(page, CP_AGE4_HANOI)
    page.locator(".st-key-card-TF-CP-002").get_by_role("link", name="Trial details").click()
    page.wait_for_url(lambda url: "/trial?" in url and query(url).get("id") == ["TF-CP-002"])
    settle(page)
    expect(page.locator("[data-testid=stMain] h2").first).to_have_text(
        "Robot-assisted walking training for children with cerebral palsy"
    )
    expect(page.get_by_text("Who can join", exact=True)).to_be_visible()
    expect(page.locator(CARDS)).to_have_count(0)


def test_a_bad_link_shows_one_notice_and_keeps_the_other_filters(page, server):
    open_view(page, server.url, "/?age=abc&foo=1&within=-5&cond=cerebral+palsy")
    wait_for_results(page, CP_ALL)
    notice = page.locator(NOTICE)
    expect(notice).to_have_count(1)
    text = notice.locator("[data-testid=stMarkdownContainer]").inner_text()
    assert "\n" not in text.strip()
    for part in ("age='abc'", "foo='1'", "within='-5'"):
        assert part in text
    assert query(page.url) == {"cond": ["cerebral palsy"]}  # reopened in canonical form
    expect(page.locator(EXCEPTION)).to_have_count(0)
    assert "Traceback" not in page.locator("[data-testid=stApp]").inner_text()


def test_a_deep_link_is_the_first_visit_to_a_fresh_server(new_page, fresh_server):
    """Before anyone opened /, Streamlit ran a page of the pages/ folder on its own."""
    page = new_page()
    open_view(page, fresh_server.url, "/trial?id=NCT07527104&age=500y")
    expect(page.locator("[data-testid=stMain] h2").first).to_have_text(
        "Own stem cells may boost movement in kids with cerebral palsy"
    )
    expect(page.locator(NOTICE)).to_contain_text("age='500y'")
    expect(page.locator(".st-key-cond")).to_be_visible()  # the filters are there
    assert query(page.url) == {"id": ["NCT07527104"]}
    assert "Traceback" not in fresh_server.log()


def shown(locator) -> str:
    """Text as a reader sees it (the invisible word joiners that keep a bare web
    address from turning into a link are left out)."""
    return locator.inner_text().replace("\u2060", "")


def test_trial_text_and_link_text_show_literally(page, server):
    open_view(page, server.url, "/?cond=rett+syndrome&foo=<b>x</b>&age=[click](http://evil.test)")
    wait_for_results(page, [MARKUP_ID])
    card = page.locator(f".st-key-card-{MARKUP_ID}")
    notice = page.locator(NOTICE)
    assert MARKUP_TITLE in shown(card)
    assert "foo='<b>x</b>'" in shown(notice)
    assert "age='[click](http://evil.test)'" in shown(notice)
    for area in (card, notice):
        expect(area.locator("b, i, em, code, script")).to_have_count(0)
        links = area.locator("a").evaluate_all("nodes => nodes.map(n => n.getAttribute('href'))")
        assert all(link == f"trial?id={MARKUP_ID}" for link in links), links

    open_view(page, server.url, f"/trial?id={MARKUP_ID}")
    main = page.locator("[data-testid=stMain]")
    expect(main.locator("h2").first).to_contain_text("<b>bold</b> [link](http")
    page.get_by_text("Eligibility criteria, as the record states them").click()
    expect(main).to_contain_text("Children with <script>alert(1)</script>")
    text = shown(main)
    assert MARKUP_TITLE in text
    assert "Summary with <i>tags</i>, :red[colour] and `code`." in text
    assert "<b>Clinic</b> *one*, Hanoi, Vietnam" in text
    assert "Children with <script>alert(1)</script> and [a link](http://x.test)." in text
    expect(main.locator("b, i, em, code, script")).to_have_count(0)
    hrefs = main.locator("a").evaluate_all("nodes => nodes.map(n => n.href)")
    assert not [h for h in hrefs if "x.test" in h], hrefs


def test_no_page_sends_a_request_beyond_this_machine(page, server, outside):
    for path in (
        SHARED,
        "/map?cond=cerebral+palsy",
        "/compare?ids=NCT07527104&ids=VINMEC-CP-BMMNC",
        "/trial?id=NCT07527104",
        "/data",
    ):
        open_view(page, server.url, path)
        expect(page.locator(EXCEPTION)).to_have_count(0)
    assert outside.requests == []
