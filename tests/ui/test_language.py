"""The dashboard in Vietnamese (``?lang=vi``), flags on cards, pictures and the handout page."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest
from babel.messages.pofile import read_po

from tests.ui.reading import assert_clean, card_texts, cards, plain, texts, walk
from trialfinder import i18n

PO = i18n.LOCALE_DIR / "vi" / "LC_MESSAGES" / "trialfinder.po"
PAGES = [
    ("pages/find.py", "cond=cerebral+palsy&age=4&near=Hanoi"),
    ("pages/map.py", "cond=cerebral+palsy"),
    ("pages/compare.py", "ids=NCT07527104&ids=TF-CP-001"),
    ("pages/trial.py", "id=NCT07527104"),
    ("pages/handout.py", "id=NCT07527104"),
    ("pages/treatment.py", "intr=bone+marrow"),
    ("pages/sponsor.py", "spons=Hanoi"),
    ("pages/data.py", ""),
]


def _english_sentences() -> list[str]:
    """The interface's English messages of three words or more, placeholders cut out:
    none of them may be left on a page shown in Vietnamese."""
    with PO.open("rb") as handle:
        catalog = read_po(handle)
    found = []
    for entry in catalog:
        ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        for text in ids:
            for part in re.split(r"\{\w*\}", text or ""):
                part = part.strip(" .,:;()")
                if len(part.split()) >= 3:
                    found.append(part)
    return found


def _shown(at) -> list[str]:
    """Everything a reader sees: text, labels, buttons, links, captions, HTML."""
    shown = texts(at) + [plain(str(c.value)) for c in at.code]
    for node in walk(at.main):
        for attribute in ("label", "placeholder", "help"):
            value = getattr(node, attribute, None)
            if isinstance(value, str):
                shown.append(plain(value))
    shown += [str(h.value) for h in at.html]
    shown += [b.label for b in at.button] + [e.proto.label for e in at.expander]
    return shown


@pytest.mark.parametrize(("page", "query"), PAGES, ids=[p for p, _ in PAGES])
def test_no_english_is_left_in_the_vietnamese_interface(open_app, page, query):
    at = open_app(query + ("&" if query else "") + "lang=vi", page=page)
    assert_clean(at)
    shown = "\n".join(_shown(at))
    # Trial text from the registry and the records stays as written: take it out first.
    for sentence in _english_sentences():
        assert sentence not in shown, f"English left on {page}: {sentence!r}"


def test_the_find_page_speaks_vietnamese_and_its_link_keeps_the_language(open_app):
    at = open_app("cond=cerebral+palsy&age=4&near=Hanoi&lang=vi")
    assert_clean(at)
    assert at.subheader[0].value == "5 thử nghiệm phù hợp"
    sentence, link = at.code[0].value.split("\n")
    assert (
        sentence == "5 thử nghiệm về cerebral palsy nhận trẻ 4 tuổi, trong vòng 50 km quanh Hanoi"
    )
    assert link.endswith("?cond=cerebral+palsy&age=4y&near=Hanoi&lang=vi")
    assert at.radio(key="lang_switch").value == "vi"


def test_english_is_the_default_and_a_bad_language_is_dropped(open_app):
    at = open_app("cond=cerebral+palsy&lang=xx")
    assert_clean(at)
    assert at.radio(key="lang_switch").value == "en"
    assert at.subheader[0].value.endswith("trials match")
    assert "lang" not in at.query_params


def test_the_trial_page_shows_the_vietnamese_summary_and_says_registry_text_is_english(
    open_app,
):
    at = open_app("id=NCT07527104&lang=vi", page="pages/trial.py")
    assert_clean(at)
    shown = "\n".join(texts(at))
    assert "Các bác sĩ muốn tìm hiểu" in shown
    assert "Nội dung từ cơ sở dữ liệu đăng ký được giữ nguyên ngôn ngữ gốc" in shown


def test_a_card_shows_its_trust_flags_with_reason_and_fact(open_app):
    at = open_app("cond=hip+checks")
    assert_clean(at)
    [card] = cards(at).values()
    shown = "\n".join(card_texts(card))
    # TF-CP-005: open, last updated 2025-11-01 and never verified
    assert "Status may be out of date." in shown
    assert "record last updated 2025-11-01" in shown


def test_the_trial_page_and_compare_show_trust_flags(open_app):
    at = open_app("id=TF-CP-005", page="pages/trial.py")
    assert_clean(at)
    assert "Trust flags" in [s.value for s in at.subheader]
    assert any("Status may be out of date" in t for t in texts(at))
    at = open_app(
        urlencode({"ids": ["TF-CP-005", "TF-CP-001"]}, doseq=True), page="pages/compare.py"
    )
    assert_clean(at)
    [table] = [h.value for h in at.html if "tf-compare" in h.value]
    assert "Trust flags" in table and "Status may be out of date" in table
    assert "none raised by the record" in table


def test_the_find_and_data_pages_draw_charts_with_words(open_app):
    at = open_app("cond=cerebral+palsy")
    assert_clean(at)
    shown = texts(at)
    assert any(t.startswith("Trials by status: Recruiting") for t in shown)
    assert any(t.startswith("Trials by phase:") for t in shown)
    at = open_app(page="pages/data.py")
    assert_clean(at)
    shown = texts(at)
    for title in ("Trials by status", "Trials by phase", "Trials by country of their sites"):
        assert any(t.startswith(title + ":") for t in shown), title
    assert any(t.startswith("Records updated per month:") for t in shown)


def test_the_handout_page_links_back_and_carries_a_qr_code(open_app):
    at = open_app("id=NCT07527104", page="pages/handout.py", url="http://192.0.2.7:8600/")
    assert_clean(at)
    [handout] = [h.value for h in at.html if "tf-handout" in h.value]
    assert "http://192.0.2.7:8600/trial?id=NCT07527104" in handout
    assert "data:image/png;base64," in handout
    assert "Questions to ask the trial team" in handout
