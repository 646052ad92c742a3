"""The handout prints on one A4 page: Chromium prints it to PDF and the pages are counted."""

from __future__ import annotations

import re

import pytest

from tests.e2e.helpers import open_view, warm_up

pytestmark = pytest.mark.e2e

#: A page object of the PDF (not the /Pages tree that holds them).
_PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")


@pytest.fixture(scope="module", autouse=True)
def warm(browser, server) -> None:
    warm_up(browser, server.url, "/handout?id=NCT07527104&near=Hanoi")


def printed_pages(pdf: bytes) -> int:
    return len(_PAGE.findall(pdf))


def test_page_counter_counts_pages(new_page, server) -> None:
    """The counter itself: a page made three A4 pages tall prints as three."""
    page = new_page()
    page.set_content("<div style='height: 780mm'>tall</div>")
    assert printed_pages(page.pdf(format="A4")) == 3


#: Every answer about the child a family can give: the checklist prints with them.
ANSWERS = "age=4y&sex=male&dx=spastic-cp&gmfcs=2&macs=2&seizures=no&botox=never&surgery=never"


@pytest.mark.parametrize("answers", ["", ANSWERS], ids=["no-answers", "every-answer"])
@pytest.mark.parametrize("lang", ["en", "vi"])
@pytest.mark.parametrize("trial_id", ["NCT07527104", "VINMEC-CP-BMMNC", "TF-CP-002"])
def test_the_handout_prints_on_one_a4_page(new_page, server, lang, trial_id, answers) -> None:
    """The handout and its checklist ("Could my child join?") print on one A4 page."""
    page = new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    suffix = "&lang=vi" if lang == "vi" else ""
    if answers:
        suffix += "&" + answers
    open_view(page, server.url, f"/handout?id={trial_id}&near=Hanoi{suffix}")
    page.wait_for_selector(".tf-handout")
    pdf = page.pdf(format="A4")
    assert printed_pages(pdf) == 1
    # What is printed is the handout, not the page around it.
    page.emulate_media(media="print")
    assert page.locator(".tf-handout h2").is_visible()
    assert page.locator(".tf-handout .tf-checklist").is_visible()
    # On paper a link cannot be followed: its address is printed after it.
    printed = page.locator(".tf-handout a[href^='http']").evaluate_all(
        "links => links.map(a => [a.href, getComputedStyle(a, '::after').content])"
    )
    assert all(href in after for href, after in printed), printed
    if trial_id == "NCT07527104":  # no phone or e-mail: the registry record's link
        assert printed
    assert not page.locator("[data-testid=stCaptionContainer]").first.is_visible()
