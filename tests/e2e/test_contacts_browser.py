"""A team to call, on a phone, in both languages: the trial's own contact first,
then the nearest site's; phones and e-mails are links to tap; roles in words; no
invisible characters in what a family copies."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import CARDS, open_view, warm_up
from trialfinder.i18n import _, using

pytestmark = pytest.mark.e2e

INVISIBLE = "\u2060\u200b\ufeff"
WORDS = {
    "en": {"heading": "Who to contact", "role": "study director", "whole": "For the whole trial"},
    "vi": {
        "heading": "Liên hệ với ai",
        "role": "giám đốc nghiên cứu",
        "whole": "Cho cả thử nghiệm",
    },
}


@pytest.fixture(scope="module", autouse=True)
def warm(browser, server) -> None:
    warm_up(browser, server.url)


def _links(page, scope: str) -> list[tuple[str, str]]:
    return page.evaluate(
        "scope => [...document.querySelectorAll(scope + ' a')]"
        ".map(a => [a.getAttribute('href'), a.textContent])",
        scope,
    )


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_trial_page_lists_the_trials_own_contact_first_as_links(phone, server, lang) -> None:
    suffix = "&lang=vi" if lang == "vi" else ""
    open_view(phone, server.url, f"/trial?id=TF-CP-002&near=Hanoi{suffix}")
    words = WORDS[lang]
    heading = phone.get_by_role("heading", name=words["heading"])
    expect(heading).to_be_visible()
    links = _links(phone, "[data-testid=stMain]")
    tel = [(href, text) for href, text in links if href.startswith("tel:")]
    mail = [(href, text) for href, text in links if href.startswith("mailto:")]
    # The trial's own contact, then the site's (Nurse Hoa, at Bach Mai Hospital).
    assert tel[0] == ("tel:+842438693731,12", tel[0][1])
    assert tel[1][0] == "tel:02438690000"
    assert mail[0][0].startswith("mailto:robot@walk.example?subject=")
    assert mail[0][1] == "robot@walk.example"
    body = phone.locator("[data-testid=stMain]").inner_text()
    assert words["role"] in body
    assert words["whole"] in body
    assert "STUDY_DIRECTOR" not in body
    assert body.index("Trial office") < body.index("Nurse Hoa")
    assert not any(ch in body for ch in INVISIBLE)
    assert not any(ch in href + text for href, text in links for ch in INVISIBLE)
    # Each is a target a finger can tap (44 px tall), the text where it was. (The page's
    # style sheet is an element of its own: wait until the browser has applied it.)
    taps = "[data-testid=stMain] a[href^='tel:'], [data-testid=stMain] a[href^='mailto:']"
    phone.wait_for_function(
        "sel => { const found = [...document.querySelectorAll(sel)];"
        " return found.length > 0"
        " && found.every(a => a.getBoundingClientRect().height >= 44); }",
        arg=taps,
    )


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_card_shows_the_first_contact_as_links(phone, server, lang) -> None:
    suffix = "&lang=vi" if lang == "vi" else ""
    open_view(phone, server.url, f"/?cond=cerebral+palsy&age=5&near=Hanoi{suffix}")
    card = phone.locator(f"{CARDS}.st-key-card-TF-CP-002")
    expect(card).to_be_visible()
    links = _links(phone, ".st-key-card-TF-CP-002")
    assert ("tel:+842438693731,12") in [href for href, _ in links]
    assert any(href.startswith("mailto:robot@walk.example") for href, _ in links)
    assert not any(ch in card.inner_text() for ch in INVISIBLE)


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_a_trial_without_contacts_says_not_given_with_the_registry_link(
    phone, server, lang
) -> None:
    open_view(phone, server.url, "/trial?id=NCT07527104" + ("&lang=vi" if lang == "vi" else ""))
    with using(lang):
        not_given, other_ways = (
            _("Phone and e-mail: not given in the record."),
            _("The registry record may list other ways to reach the team"),
        )
    expect(phone.get_by_text(not_given)).to_be_visible()
    links = _links(phone, "[data-testid=stMain]")
    assert any(
        href == "https://clinicaltrials.gov/study/NCT07527104" and other_ways in text
        for href, text in links
    )


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_the_handout_lists_the_trials_own_contact_first_as_links(phone, server, lang) -> None:
    suffix = "&lang=vi" if lang == "vi" else ""
    open_view(phone, server.url, f"/handout?id=TF-CP-002&near=Hanoi{suffix}")
    handout = phone.locator(".tf-handout")
    expect(handout).to_be_visible()
    text = handout.inner_text()
    assert WORDS[lang]["heading"] in text and WORDS[lang]["whole"] in text
    assert text.index("Trial office") < text.index("Nurse Hoa")
    hrefs = [href for href, _text in _links(phone, ".tf-handout")]
    assert "tel:+842438693731,12" in hrefs and "tel:02438690000" in hrefs
    assert any(href.startswith("mailto:robot@walk.example") for href in hrefs)
    assert not any(ch in text for ch in INVISIBLE)
