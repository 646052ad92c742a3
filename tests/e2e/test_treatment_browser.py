"""The treatment view in a real browser: open a treatment link, follow it to a comparison."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import open_view, settle, wait_for_query

pytestmark = pytest.mark.e2e

LINK = "/treatment?intr=bone+marrow+mononuclear+cells"


def test_a_treatment_link_leads_to_a_comparison_of_its_trials(page, server):
    open_view(page, server.url, LINK)
    main = page.locator("[data-testid=stMain]")
    expect(main.get_by_text("2 trials testing bone marrow mononuclear cells")).to_be_visible()
    expect(main.get_by_text("What it is:")).to_be_visible()
    for trial_id in ("NCT07527104", "VINMEC-CP-BMMNC"):
        page.locator(f".st-key-intr-compare-{trial_id} button").click()
        settle(page)
        expect(page.locator(f".st-key-intr-compare-{trial_id} button")).to_have_accessible_name(
            "Remove from compare"
        )
    main.get_by_role("link", name="Compare the 2 chosen trials").click()
    wait_for_query(page, ids=["NCT07527104", "VINMEC-CP-BMMNC"])
    settle(page)
    header = page.locator("[data-testid=stMain] table.tf-compare thead th")
    expect(header).to_have_text(["Trial", "NCT07527104", "VINMEC-CP-BMMNC"])
