"""Waiting for and reading the dashboard in a browser (used by the e2e tests)."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import expect

APP_READY = "[data-testid=stApp][data-test-connection-state=CONNECTED]"
SCRIPT_DONE = "[data-testid=stApp][data-test-script-state=notRunning]"
DRAWN = "[data-testid=stMain] [data-testid=stElementContainer]"
STALE = "[data-testid=stMain] [data-stale=true]"
HEADING = "[data-testid=stMain] h3"
CARDS = "[class*='st-key-card-']"
#: A notice about the view (a bad link ...); not one inside a closed panel such as
#: "Follow this search", which says whether following works on this server.
#: The notice about the parts of a link that were ignored.
NOTICE = ".st-key-link-notice [data-testid=stAlert]"
EXCEPTION = "[data-testid=stException]"
#: A map's first view: a picture (positioned HTML); the interactive map is drawn on demand.
MAP_PICTURE = "[data-testid=stMain] div.tf-map"
INTERACTIVE_MAP = {"en": "Zoom and tap the map", "vi": "Phóng to và chạm vào bản đồ"}

_CARD_IDS_JS = """
() => [...document.querySelectorAll("[class*='st-key-card-']")]
  .map(node => (node.className.match(/st-key-card-(\\S+)/) || [])[1])
  .filter(Boolean)
"""


def settle(page) -> None:
    """Connected, the script has run and stopped, something is drawn, nothing is stale.

    The script state starts as "initial", so "notRunning" means a run finished.
    """
    page.wait_for_selector(APP_READY, state="attached")
    page.wait_for_selector(SCRIPT_DONE, state="attached")
    page.wait_for_selector(DRAWN, state="attached")
    page.wait_for_selector(STALE, state="detached")


def open_view(page, base_url: str, path_and_query: str) -> None:
    page.goto(base_url + path_and_query)
    settle(page)


def interactive_map(page, lang: str = "en") -> None:
    """Turn on the interactive map, as a family does, and wait for the page."""
    page.locator("[data-testid=stMain]").get_by_text(INTERACTIVE_MAP[lang], exact=True).click()
    page.wait_for_selector("[data-testid=stMain] [data-testid=stDeckGlJsonChart]")
    settle(page)


def query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def wait_for_query(page, **expected: list[str] | None) -> None:
    """Wait until the address bar's query has these values (None: key absent)."""

    def matches(url: str) -> bool:
        found = query(url)
        return all(found.get(key) == value for key, value in expected.items())

    page.wait_for_url(matches)


def card_ids(page) -> list[str]:
    """The trial ids of the cards on the page, top to bottom."""
    return page.evaluate(_CARD_IDS_JS)


def wait_for_cards(page, expected: list[str]) -> None:
    """Wait until the cards are exactly these, in this order, and the page is settled."""
    try:
        page.wait_for_function(
            f"expected => JSON.stringify(({_CARD_IDS_JS})()) === JSON.stringify(expected)",
            arg=expected,
        )
    except Exception as error:  # a timeout: say what was there instead
        raise AssertionError(
            f"cards {json.dumps(card_ids(page))} never became {json.dumps(expected)}"
        ) from error
    settle(page)


def wait_for_results(page, expected: list[str]) -> None:
    """The count sentence and the cards of a view, once the page has caught up."""
    count = len(expected)
    sentence = "1 trial matches" if count == 1 else f"{count} trials match"
    expect(page.locator(HEADING).first).to_have_text(sentence)
    wait_for_cards(page, expected)


#: How long a fresh server may take for its first page (it builds the catalog then).
FIRST_VISIT_MS = 120_000


def warm_up(browser, base_url: str, path: str = "/") -> None:
    """Open one page of a fresh server with time to build its catalog, so that the
    tests' own waits measure pages, not the server's start."""
    context = browser.new_context()
    context.set_default_timeout(FIRST_VISIT_MS)
    try:
        open_view(context.new_page(), base_url, path)
    finally:
        context.close()
