"""Every page at phone size (390x844), in English and Vietnamese: nothing wider than
the screen, and an axe-core audit with no serious or critical violation.

axe-core is vendored under ``tests/e2e/vendor/axe-core`` (MPL-2.0), so the audit
runs offline; it is injected into the page by the test, never served by the app.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import TIMEOUT_MS
from tests.e2e.helpers import open_view, settle

pytestmark = pytest.mark.e2e

AXE = Path(__file__).with_name("vendor") / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
VIEWS = [
    ("find", "/?cond=cerebral+palsy&age=4&near=Hanoi"),
    ("find-empty", "/?cond=nothing+like+this"),
    ("map", "/map?cond=cerebral+palsy"),
    ("compare", "/compare?ids=NCT07527104&ids=TF-CP-001&ids=VINMEC-CP-BMMNC"),
    ("trial", "/trial?id=NCT07527104"),
    ("handout", "/handout?id=VINMEC-CP-BMMNC"),
    ("treatment", "/treatment?intr=bone+marrow"),
    ("sponsor", "/sponsor?spons=Hanoi"),
    ("data", "/data"),
]
#: What the audit counts as failing: serious and critical violations.
FAILING = ("serious", "critical")


@pytest.fixture
def phone(browser, outside, server) -> Iterator[object]:
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    context.set_default_timeout(TIMEOUT_MS)
    outside.guard(context)
    log_before = len(server.log())
    yield context.new_page()
    context.close()
    new_log = server.log()[log_before:]
    assert "Traceback" not in new_log, f"the server logged a traceback:\n{new_log}"
    assert not outside.requests, f"requests left 127.0.0.1: {outside.requests}"


def _with_lang(path: str, lang: str) -> str:
    if lang == "en":
        return path
    return path + ("&" if "?" in path else "?") + f"lang={lang}"


def sideways_overflow(page) -> int:
    """How many CSS pixels the page is wider than the screen (0: no sideways scrolling)."""
    return page.evaluate(
        "() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
        " - window.innerWidth"
    )


def audit(page) -> list[dict]:
    """axe-core's serious and critical violations on the page as it stands.

    Fades are switched off first: Streamlit dims an element while a run replaces it,
    and the audit must judge the colours the reader ends up with, not a frame of a fade.
    """
    page.add_style_tag(
        content="*, *::before, *::after {transition: none !important; animation: none !important}"
    )
    settle(page)
    # The dashboard's own styles (readable captions, focus outlines) are in place.
    page.wait_for_function(
        "() => [...document.querySelectorAll('style')]"
        ".some(s => s.textContent.includes('stCaptionContainer'))"
    )
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ["violations"]});
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.html.slice(0, 120) + " :: " +
                                                   JSON.stringify(n.any.map(a => a.data)))
            }));
        }"""
    )
    return [v for v in result if v["impact"] in FAILING]


@pytest.mark.parametrize("lang", ["en", "vi"])
@pytest.mark.parametrize(("name", "path"), VIEWS, ids=[v[0] for v in VIEWS])
def test_every_page_fits_a_phone_and_passes_the_audit(phone, server, name, path, lang):
    open_view(phone, server.url, _with_lang(path, lang))
    expect(phone.locator("[data-testid=stMain]")).to_be_visible()
    assert sideways_overflow(phone) <= 1, f"{name} ({lang}) scrolls sideways"
    violations = audit(phone)
    assert not violations, "\n".join(
        f"{v['impact']}: {v['id']} ({v['help']}): {v['nodes']}" for v in violations
    )


def test_the_language_switch_changes_the_page_and_the_link_keeps_it(phone, server):
    open_view(phone, server.url, "/?cond=cerebral+palsy")
    phone.get_by_text("Tiếng Việt", exact=True).click()
    settle(phone)
    expect(phone.locator("[data-testid=stMain] h3").first).to_contain_text("thử nghiệm phù hợp")
    phone.wait_for_url(lambda url: "lang=vi" in url)
    # a card's link to the trial page keeps the language
    phone.locator("[data-testid=stPageLink] a:visible").filter(
        has_text="Chi tiết thử nghiệm"
    ).first.click()
    settle(phone)
    phone.wait_for_url(lambda url: "/trial" in url and "lang=vi" in url)
    expect(phone.get_by_text("Ai có thể tham gia", exact=True).first).to_be_visible()


def test_the_find_page_works_from_the_keyboard(page, server):
    """Tab reaches a card's "Trial details" link; Enter opens the trial."""
    open_view(page, server.url, "/?cond=hip+checks")
    link = page.locator("[data-testid=stPageLink] a:visible").filter(has_text="Trial details").first
    for _ in range(80):
        page.keyboard.press("Tab")
        if link.evaluate("node => node === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reached the card's Trial details link")
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/trial" in url and "id=TF-CP-005" in url)
    settle(page)
    expect(page.get_by_text("Status may be out of date").first).to_be_visible()
