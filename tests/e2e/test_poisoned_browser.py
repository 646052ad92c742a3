"""Records built to attack each view: their text shows as text everywhere.

The fixtures fail a test if a dialog opened or a request left 127.0.0.1
(``conftest.py``); here each view is also searched for elements the record's
HTML or Markdown would have made.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import open_view
from tests.ui.trialdata import MARKUP_ID

pytestmark = pytest.mark.e2e

VIEWS = [
    "/?cond=Rett+syndrome",
    f"/trial?id={MARKUP_ID}",
    f"/handout?id={MARKUP_ID}",
    f"/compare?ids={MARKUP_ID}&ids=NCT07527104",
    "/map?cond=Rett+syndrome",
    "/treatment?intr=x",
    "/data",
]
#: What the poisoned record's text would become if it were ever treated as markup.
INJECTED = [
    "img[src*='evil.test']",
    "a[href*='x.test']",
    "script:text('alert')",
]


@pytest.mark.parametrize("view", VIEWS)
def test_a_poisoned_record_makes_no_element_in_any_view(page, server, view: str) -> None:
    open_view(page, server.url, view)
    main = page.locator("[data-testid=stMain]")
    for selector in INJECTED:
        expect(main.locator(selector)).to_have_count(0)
    expect(main.locator("b", has_text="bold")).to_have_count(0)
    expect(main.locator("i", has_text="Group")).to_have_count(0)
    expect(main.locator("u", has_text="x")).to_have_count(0)
    expect(page.locator("[data-testid=stException]")).to_have_count(0)
