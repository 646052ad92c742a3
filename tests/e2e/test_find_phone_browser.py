"""The Find page on a phone, in both languages: the main questions on the page
itself with the results right below, one sentence on a cold landing, the count
said once, the radius a whole number, and a condition box that searches what was
typed when Enter is pressed (never "select all N matches")."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Server, running_server
from tests.e2e.helpers import (
    HEADING,
    interactive_map,
    open_view,
    settle,
    wait_for_cards,
    wait_for_query,
    warm_up,
)
from tests.e2e.test_map_browser import CANVAS, wait_for_drawing
from tests.e2e.test_phone_a11y import sideways_overflow
from tests.ui.trialdata import CP_ALL, REPO
from trialfinder.i18n import ngettext, using

pytestmark = pytest.mark.e2e

LANDING = {
    "en": "Find clinical trials your child could join",
    "vi": "Tìm thử nghiệm lâm sàng mà con bạn có thể tham gia",
}


@pytest.fixture(scope="module", autouse=True)
def warm(browser, server) -> None:
    warm_up(browser, server.url)


def _suffix(lang: str) -> str:
    return "?lang=vi" if lang == "vi" else ""


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_the_main_questions_are_on_the_page_above_the_results(phone, server, lang) -> None:
    open_view(phone, server.url, "/" + _suffix(lang))
    main = phone.locator("[data-testid=stMain]")
    for key in ("cond", "age", "near", "status"):
        box = main.locator(f".st-key-{key}")
        expect(box).to_be_visible()  # on the page, not in the closed sidebar
        assert box.bounding_box()["x"] >= 0
    # The results come right below the questions.
    heading = phone.locator(HEADING).first
    assert heading.bounding_box()["y"] > main.locator(".st-key-near").bounding_box()["y"]
    # One sentence says what the page does; the count is said once.
    text = main.inner_text()
    assert LANDING[lang] in text
    count = heading.inner_text().split()[0]
    assert count.isdigit()
    assert sum(1 for line in text.splitlines() if line.strip().startswith(count + " ")) == 1


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_enter_in_the_condition_box_searches_what_was_typed(phone, server, lang) -> None:
    open_view(phone, server.url, "/" + _suffix(lang))
    box = phone.locator(".st-key-cond input")
    box.fill("palsy")
    box.press("Enter")
    wait_for_query(phone, cond=["palsy"])
    settle(phone)
    # Suggestions stay on offer under the box: names that contain the words.
    suggestion = phone.locator(".st-key-cond-suggestions button").filter(has_text="erebral palsy")
    expect(suggestion.first).to_be_visible()
    # Tapping one searches it.
    chosen = suggestion.first.inner_text().strip()
    assert chosen.lower() == "cerebral palsy"
    suggestion.first.click()
    wait_for_query(phone, cond=[chosen])
    settle(phone)
    assert box.input_value() == chosen
    expect(phone.locator(HEADING).first).to_contain_text(str(len(CP_ALL)))
    # An abbreviation is searched as typed, never turned into every match.
    box.fill("CP")
    box.press("Enter")
    wait_for_query(phone, cond=["CP"])
    assert len(phone.url) < 200


def test_an_age_that_cannot_be_read_is_said_once(phone, server) -> None:
    """Typed in its box, a bad age is both in the box and in the link: said once."""
    open_view(phone, server.url, "/?lang=vi")
    _type(phone, "age", "4t")
    wait_for_query(phone, age=["4t"])
    settle(phone)
    notice = phone.locator("[data-testid=stAlert]").filter(has_text="4t")
    expect(notice).to_have_count(1)
    assert notice.inner_text().count("'4t'") == 1, notice.inner_text()


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_cards_never_say_sex_not_given(phone, server, lang) -> None:
    open_view(phone, server.url, "/?cond=cerebral+palsy" + ("&lang=vi" if lang == "vi" else ""))
    text = phone.locator("[data-testid=stMain]").inner_text()
    assert "sex not given" not in text and "không ghi giới tính" not in text


def _type(page, key: str, words: str) -> None:
    box = page.locator(f".st-key-{key} input")
    box.fill(words)
    box.press("Enter")


#: The shipped data's trials for cerebral palsy near Hanoi, in the order the page lists them.
SHIPPED_CP_HANOI = ["NCT07527104", "VINMEC-CP-BMMNC"]


@pytest.fixture(scope="module")
def shipped_server(browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The dashboard on a copy of the shipped ``data/`` (its records and synonyms)."""
    root = tmp_path_factory.mktemp("shipped")
    shutil.copytree(REPO / "data", root / "data", ignore=shutil.ignore_patterns(".snapshot"))
    with running_server(root / "data", root / "streamlit.log") as server:
        warm_up(browser, server.url)
        yield server


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_a_family_types_its_own_words_on_a_phone(phone, shipped_server, lang) -> None:
    """The issue's walk on the shipped data: "bại não", "4 tuổi" and "Hanoi" typed into
    the boxes on the page, in either language, find its cerebral palsy trials."""
    open_view(phone, shipped_server.url, "/" + _suffix(lang))
    _type(phone, "cond", "bại não")
    wait_for_query(phone, cond=["bại não"])
    settle(phone)
    _type(phone, "age", "4 tuổi")
    wait_for_query(phone, age=["4 tuổi"])
    settle(phone)
    _type(phone, "near", "Hanoi")
    wait_for_query(phone, near=["Hanoi"], cond=["bại não"], age=["4 tuổi"])
    wait_for_cards(phone, SHIPPED_CP_HANOI)
    with using(lang):
        heading = ngettext("{n} trial matches", "{n} trials match", len(SHIPPED_CP_HANOI))
    expect(phone.locator(HEADING).first).to_have_text(heading.format(n=len(SHIPPED_CP_HANOI)))
    # What was typed is read as cerebral palsy, and said so.
    sentence = phone.locator("[data-testid=stMain] [data-testid=stMarkdown]").filter(
        has_text="bại não"
    )
    expect(sentence.first).to_contain_text("cerebral palsy" if lang == "en" else "bại não")
    # The first card is on the screen below the questions, and nothing scrolls sideways.
    first = phone.locator(f".st-key-card-{SHIPPED_CP_HANOI[0]}")
    first.scroll_into_view_if_needed()
    expect(first).to_be_in_viewport()
    assert sideways_overflow(phone) <= 1
    assert "Traceback" not in shipped_server.log()


def test_the_map_s_list_of_trials_at_a_spot_shows_whole_titles_on_a_phone(
    phone, shipped_server
) -> None:
    """Tapping the dot of Hanoi lists the seed trials; their long Vietnamese titles wrap
    on a phone (Streamlit's page links cut them mid-letter)."""
    open_view(phone, shipped_server.url, "/map?cond=cerebral+palsy&lang=vi")
    interactive_map(phone, "vi")
    phone.locator(CANVAS).first.scroll_into_view_if_needed()
    box = wait_for_drawing(phone)  # the deck has drawn: its dots can be tapped
    phone.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    links = phone.locator("[data-testid=stMain] [data-testid=stPageLink]")
    expect(links).to_have_count(2)
    settle(phone)
    # (The page's style sheet is an element of its own: wait until it is applied.)
    phone.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=stMain] [data-testid=stPageLink]')]"
        ".every(n => [...n.querySelectorAll('span, p')]"
        ".every(e => e.scrollWidth <= e.clientWidth + 1))"
    )
    assert sideways_overflow(phone) <= 1


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_the_radius_is_a_whole_number_in_both_languages(phone, server, lang) -> None:
    open_view(phone, server.url, "/?near=Hanoi" + ("&lang=vi" if lang == "vi" else ""))
    within = phone.locator(".st-key-within input")
    expect(within).to_be_visible()
    assert within.input_value() == "50"
