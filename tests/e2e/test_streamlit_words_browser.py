"""Streamlit's own words, where Streamlit lets the dashboard set them, in the page's
language on a phone: the browser tab's title, the document's language (for screen
readers), the menu, the widgets' labels and the placeholders of their boxes.

(What Streamlit 1.67 does not let an app set, such as the "Expand sidebar" label of
the sidebar's button or a select box's "No results", is listed in the README.)
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import open_view, warm_up
from trialfinder.i18n import _, using

pytestmark = pytest.mark.e2e

#: A page, and the title its menu entry gives it.
PAGES = [
    ("/?cond=cerebral+palsy", "Find trials"),
    ("/compare?ids=NCT07527104&ids=TF-CP-001", "Compare"),
    ("/trial?id=TF-CP-001", "Trial"),
    ("/data", "About the data"),
]
#: The Find page's boxes: their labels and the words in them before anything is typed.
BOXES = [
    ("cond", "Condition", "Type a condition or words, then Enter"),
    ("age", "Child's age", "e.g. 4, 4y3m, 18m or 4 years"),
    ("status", "Status", "Any status"),
]


@pytest.fixture(scope="module", autouse=True)
def warm(browser, server) -> None:
    warm_up(browser, server.url)


def _in(lang: str, message: str) -> str:
    with using(lang):
        return _(message)


def _with_lang(path: str, lang: str) -> str:
    return path + (
        "&lang=vi" if lang == "vi" and "?" in path else "?lang=vi" if lang == "vi" else ""
    )


@pytest.mark.parametrize("lang", ["en", "vi"])
@pytest.mark.parametrize(("path", "title"), PAGES, ids=[p[1] for p in PAGES])
def test_the_tab_title_and_the_documents_language(phone, server, path, title, lang) -> None:
    open_view(phone, server.url, _with_lang(path, lang))
    expected = f"{_in(lang, title)} · trialfinder"
    expect(phone).to_have_title(expected)
    phone.wait_for_function("lang => document.documentElement.lang === lang", arg=lang)


def test_switching_language_changes_the_title_and_the_documents_language(phone, server):
    open_view(phone, server.url, "/?cond=cerebral+palsy")
    expect(phone).to_have_title("Find trials · trialfinder")
    phone.get_by_text("Tiếng Việt", exact=True).click()
    expect(phone).to_have_title("Tìm thử nghiệm · trialfinder")
    phone.wait_for_function("() => document.documentElement.lang === 'vi'")


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_the_boxes_labels_and_placeholders_are_in_the_pages_language(phone, server, lang):
    open_view(phone, server.url, _with_lang("/", lang))
    main = phone.locator("[data-testid=stMain]")
    for key, label, placeholder in BOXES:
        box = main.locator(f".st-key-{key}")
        expect(box.locator("[data-testid=stWidgetLabel]")).to_contain_text(_in(lang, label))
        field = box.locator("input")
        shown = (
            field.get_attribute("placeholder") or box.locator("[data-baseweb=select]").inner_text()
        )
        assert _in(lang, placeholder) in shown, (key, shown)
    if lang == "vi":
        assert "Any status" not in main.inner_text()
