"""The dashboard in Vietnamese (``?lang=vi``), flags on cards, pictures and the handout page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from babel.messages.pofile import read_po
from google.protobuf.json_format import MessageToDict

from tests.ui.reading import assert_clean, card_texts, cards, notices, plain, texts, walk
from tests.ui.trialdata import build_data_dir
from trialfinder import i18n
from trialfinder.family import plain as plain_words
from trialfinder.follow.store import Store
from trialfinder.store.changes import ChangeReport, save_report

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


def _english_sentences(min_words: int = 3) -> list[str]:
    """The interface's English messages of ``min_words`` words or more (placeholders cut out):
    none of them may be left on a page shown in Vietnamese."""
    with PO.open("rb") as handle:
        catalog = read_po(handle)
    found = []
    for entry in catalog:
        ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        for text in ids:
            for part in re.split(r"\{\w*\}", text or ""):
                part = part.strip(" .,:;()")
                if len(part.split()) >= min_words:
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


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _everything_shown(at) -> str:
    """Every string of every element and block of the page, the sidebar too: text,
    labels, options, placeholders, help, alerts, expanders, links, charts, HTML."""
    found = []
    for node in walk(at._tree):
        proto = getattr(node, "proto", None)
        if proto is not None:
            found.extend(plain(text) for text in _strings(MessageToDict(proto)))
    return "\n".join(found)


#: Words only English has: a label, a placeholder or a help text holding one is
#: English the catalog never saw (a message not marked for translation).
_ENGLISH_WORD = re.compile(
    r"(?i)\b(the|and|your|you|this|that|with|for|are|not|please|will|what|which|any|"
    r"choose|type|trials?|follow|here|there|from|about|page|data)\b"
)
#: Widgets whose options are data (conditions, places, sponsors, trial titles) and
#: the language switch, which names each language in its own words. (Issue 19: the
#: condition box's suggestions and a bare sponsor or treatment page's choices too.)
_DATA_OPTIONS = {
    "cond",
    "cond-suggestions",
    "country",
    "intr",
    "spons",
    "choose-intr",
    "choose-spons",
    "compare_add",
    "lang_switch",
}


def _unmarked_english(at) -> list[str]:
    """Labels, placeholders, help and option words of the interface's own widgets,
    buttons and panels that read as English."""
    found = []
    for node in walk(at._tree):
        proto = getattr(node, "proto", None)
        if proto is None or getattr(node, "key", None) in _DATA_OPTIONS:
            continue
        fields = MessageToDict(proto, preserving_proto_field_name=True)
        shown = [fields.get(name) for name in ("label", "placeholder", "help")]
        if getattr(node, "type", "") in ("multiselect", "selectbox", "radio"):
            shown += fields.get("options", [])
        if "expandable" in fields:
            shown.append(fields["expandable"].get("label"))
        found += [t for t in shown if isinstance(t, str) and _ENGLISH_WORD.search(plain(t))]
    return found


#: A report of every kind of change (and a note), for the data page.
REPORT = ChangeReport(
    source="cerebral-palsy",
    when="2026-01-05T08:00:00Z",
    studies=12,
    published=True,
    counts={
        "added": 1,
        "gone": 1,
        "status_changes": 1,
        "sites_added": 1,
        "sites_removed": 1,
        "updated": 40,
        "unchanged": 3,
    },
    added=[{"id": "NCT09990001", "title": "New", "status": "RECRUITING"}],
    gone=[{"id": "NCT09990002", "title": "Old", "status": "COMPLETED"}],
    status_changes=[{"id": "NCT09990003", "title": None, "old": "RECRUITING", "new": "SUSPENDED"}],
    sites_added=[
        {"id": "NCT09990004", "sites": [{"facility": "A", "city": "Hue", "country": "Vietnam"}]}
    ],
    sites_removed=[
        {"id": "NCT09990004", "sites": [{"facility": "B", "city": "Hanoi", "country": None}]}
    ],
    updated=[
        {"id": f"NCT0999{n:04d}", "title": "U", "old_last_update": None, "new_last_update": "X"}
        for n in range(100, 140)
    ],
    notes=["the API counted 13 studies; 12 arrived"],
)


@pytest.fixture(scope="module")
def vi_data(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The trials, a change report, and a follow asked in Vietnamese (its confirm token)."""
    data = build_data_dir(tmp_path_factory.mktemp("vi") / "data")
    save_report(data, REPORT, "20260105T080000000000Z")
    with Store.open(data) as store:
        pending = store.follow("parent@example.org", "trial", "TF-CP-001", "vi")
    return data, pending.confirm_token


@pytest.fixture
def smtp_set(monkeypatch: pytest.MonkeyPatch) -> None:
    """An SMTP server is set (nothing is sent: the form is only shown, or refused)."""
    monkeypatch.setenv("TRIALFINDER_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("TRIALFINDER_SMTP_PORT", "9")
    monkeypatch.setenv("TRIALFINDER_SMTP_SENDER", "trials@example.org")
    monkeypatch.setenv("TRIALFINDER_PUBLIC_URL", "https://trials.example.org")


#: Every page, with links that make it say the most: ignored parts of a link (each
#: kind of problem), a change report, the follow form and a follow link's outcome.
EVERY_VIEW = [
    (
        "pages/find.py",
        "cond=cerebral+palsy&age=abc&foo=1&within=-5&within=abc&status=bogus&phase=phase9"
        "&type=x&type=interventional&type=observational&near=Xyzzy&country=%21%21&intr=%21"
        "&cond=%21&age=4&status=recruiting&status=completed&spons="
        + "x" * 201
        + "".join(f"&cond=word{n}" for n in range(20)),
    ),
    (
        "pages/find.py",
        "cond=cerebral+palsy&age=500y&within=20&status=recruiting&type=interventional",
    ),
    ("pages/find.py", "cond=cerebral+palsy&near=Hanoi&within=99999&phase=na"),
    ("pages/map.py", "cond=cerebral+palsy&status=not_yet_recruiting&foo=1"),
    ("pages/compare.py", "ids=NCT07527104&ids=TF-CP-001&ids=TF-CP-001&ids=NOPE"),
    ("pages/trial.py", "id=TF-CP-001"),
    ("pages/trial.py", "id=NOPE"),
    ("pages/handout.py", "id=TF-CP-001"),
    ("pages/treatment.py", "intr=bone+marrow"),
    ("pages/sponsor.py", ""),
    ("pages/data.py", "bogus=1"),
    ("pages/follow.py", ""),
    ("pages/follow.py", "confirm={token}"),
]


@pytest.mark.parametrize(
    ("page", "query"), EVERY_VIEW, ids=[f"{p} {q[:30]}" for p, q in EVERY_VIEW]
)
def test_every_view_in_vietnamese_shows_no_english_message(
    open_app, vi_data, smtp_set, page, query
):
    data, token = vi_data
    at = open_app(query.format(token=token) + "&lang=vi", page=page, data=data)
    assert_clean(at)
    shown = _everything_shown(at)
    for sentence in _english_sentences():
        assert sentence not in shown, f"English left on {page}?{query}: {sentence!r}"
    assert _unmarked_english(at) == []
    if "foo=1" in query or "bogus" in query:
        # What a link had that was ignored, and why, in Vietnamese (even two-word whys).
        [notice] = [n for n in notices(at) if "foo=" in n or "bogus=" in n]
        assert notice.startswith("Đã bỏ qua ")
        for why in _english_sentences(min_words=2):
            assert why not in notice
        whys = re.sub(r"[^\s;]+='[^']*'", "", notice)  # the link's own words left out
        assert not _ENGLISH_WORD.search(whys), notice
        assert not re.search(r"\b(is|than|needs|key|given|more|older)\b", whys), notice


def test_the_change_report_and_a_refused_follow_in_vietnamese(open_app, vi_data, smtp_set):
    data, _token = vi_data
    at = open_app("lang=vi", page="pages/data.py", data=data)
    assert_clean(at)
    shown = _everything_shown(at)
    for line in (
        "Mới: NCT09990001 New (Đang tuyển)",
        "Tình trạng thay đổi: NCT09990003: Đang tuyển → Tạm dừng",
        "… và 10 mục khác",
    ):
        assert line in shown
    at = open_app("id=TF-CP-001&lang=vi", page="pages/trial.py", data=data)
    at.text_input(key="follow-trial-email").input("not an address")
    with i18n.using("vi"):
        follow = i18n._("Follow")
    [button] = [b for b in at.button if b.label == follow]
    at = button.click().run()
    assert_clean(at)
    [refused] = [plain(w.value) for w in at.warning]
    assert refused.startswith("Địa chỉ này")


def test_status_phase_and_type_show_words_while_the_link_keeps_its_spelling(open_app):
    at = open_app("cond=cerebral+palsy&status=recruiting&phase=na&type=interventional&lang=vi")
    assert_clean(at)
    with i18n.using("vi"):
        recruiting = plain_words.status_words("RECRUITING")
        no_phase = plain_words.phase_words(("NA",))
        interventional = plain_words.label("INTERVENTIONAL")
    status = at.multiselect(key="status")
    assert recruiting in status.options and "recruiting" not in status.options
    assert status.value == ["recruiting"]
    assert no_phase in at.multiselect(key="phase").options
    assert interventional in at.selectbox(key="type").options
    assert at.selectbox(key="type").value == "interventional"
    assert not at.multiselect(key="status").help  # the words need no key to read them
    link = "cond=cerebral+palsy&status=recruiting&phase=na&type=interventional&lang=vi"
    assert at.code[0].value.endswith("?" + link)

    at.multiselect(key="status").select("not_yet_recruiting").run()
    assert_clean(at)
    assert at.query_params["status"] == ["recruiting", "not_yet_recruiting"]
    assert at.query_params["lang"] == "vi"
    assert "&status=recruiting&status=not_yet_recruiting&" in at.code[0].value

    # The switch keeps every choice, now in English words, and the link as it was.
    at.radio(key="lang_switch").set_value("en").run()
    assert_clean(at)
    status = at.multiselect(key="status")
    assert status.value == ["recruiting", "not_yet_recruiting"]
    assert plain_words.status_words("NOT_YET_RECRUITING") in status.options
    assert "not_yet_recruiting" not in status.options
    assert plain_words.phase_words(("EARLY_PHASE1",)) in at.multiselect(key="phase").options
    assert "early_phase1" not in at.multiselect(key="phase").options
    assert plain_words.label("EXPANDED_ACCESS") in at.selectbox(key="type").options
    assert "expanded_access" not in at.selectbox(key="type").options
    assert at.multiselect(key="phase").value == ["na"]
    assert at.selectbox(key="type").value == "interventional"
    assert at.query_params["status"] == ["recruiting", "not_yet_recruiting"]
    assert at.query_params["type"] == "interventional"
    assert "lang" not in at.query_params
    at.multiselect(key="status").unselect("recruiting").run()
    assert at.query_params["status"] == "not_yet_recruiting"

    # And back: the Vietnamese words again, every choice and the link kept.
    at.radio(key="lang_switch").set_value("vi").run()
    assert_clean(at)
    with i18n.using("vi"):
        not_yet = plain_words.status_words("NOT_YET_RECRUITING")
    assert not_yet in at.multiselect(key="status").options
    assert at.multiselect(key="status").value == ["not_yet_recruiting"]
    assert at.multiselect(key="phase").value == ["na"]
    assert at.selectbox(key="type").value == "interventional"
    assert at.query_params["status"] == "not_yet_recruiting"
    assert at.query_params["type"] == "interventional"
    assert at.query_params["lang"] == "vi"


def test_english_shows_status_phase_and_type_in_words_each_its_own():
    """An English page shows words, not the link's spelling, and no two options of one
    filter read alike (the browser sends back the shown words)."""
    from trialfinder.query import FILTERS
    from trialfinder.ui.filters import WORDED_KEYS, _in_words

    worded = [f for f in FILTERS if f.key in WORDED_KEYS and f.choices]
    assert [f.key for f in worded] == ["status", "phase", "type"]
    assert "country" in WORDED_KEYS  # names, shown in the page's language
    for lang in i18n.LANGUAGES:
        with i18n.using(lang):
            for f in worded:
                shown = [_in_words(f.widget.shown)(code.lower()) for code in f.choices]
                assert len(set(shown)) == len(shown), (lang, shown)
                assert not any("_" in text for text in shown), (lang, shown)
    with i18n.using("en"):
        show = _in_words(plain_words.status_words)
    assert show("not_yet_recruiting") == "Not yet recruiting"


def test_a_link_made_in_vietnamese_opens_the_same_view_in_english(open_app):
    vietnamese = open_app("cond=cerebral+palsy&status=RECRUITING&lang=vi")
    link = vietnamese.code[0].value.split("\n")[-1]
    english = open_app(link.split("?", 1)[1].replace("&lang=vi", ""))
    assert_clean(english)
    assert english.multiselect(key="status").value == ["recruiting"]
    assert english.multiselect(key="status").format_func("recruiting") == "Recruiting"
    assert english.subheader[0].value == vietnamese.subheader[0].value.replace(
        " thử nghiệm phù hợp", " trials match"
    )


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
    """A curated record's English is its source's (the seed's came from a summary
    page, not the registry); a registry record's is the registry's."""
    at = open_app("id=NCT07527104&lang=vi", page="pages/trial.py")
    assert_clean(at)
    shown = "\n".join(texts(at))
    assert "Các bác sĩ muốn tìm hiểu" in shown
    assert "được giữ nguyên như tài liệu nguồn đã viết" in shown
    assert "Nội dung từ cơ sở dữ liệu đăng ký được giữ nguyên ngôn ngữ gốc" not in shown
    registry = open_app("id=TF-CP-001&lang=vi", page="pages/trial.py")
    assert_clean(registry)
    assert "Nội dung từ cơ sở dữ liệu đăng ký được giữ nguyên ngôn ngữ gốc" in "\n".join(
        texts(registry)
    )


def test_a_vietnamese_page_names_the_cities_of_vietnam_in_vietnamese(open_app):
    """The record says "Hanoi"; a Vietnamese page says "Hà Nội", on the trial page's
    sites and on the find page's cards."""
    trial = open_app("id=TF-CP-002&lang=vi", page="pages/trial.py")
    assert_clean(trial)
    words = "\n".join(plain(m.value) for m in trial.markdown)
    assert "Bach Mai Hospital, Hà Nội, Việt Nam" in words and ", Hanoi," not in words
    cards = open_app("cond=cerebral+palsy&near=Hanoi&lang=vi")
    assert_clean(cards)
    words = "\n".join(plain(m.value) for m in cards.markdown)
    assert "Bach Mai Hospital, Hà Nội, Việt Nam" in words and ", Hanoi," not in words
    english = open_app("id=TF-CP-002", page="pages/trial.py")
    words = "\n".join(plain(m.value) for m in english.markdown)
    assert "Bach Mai Hospital, Hanoi, Vietnam" in words


@pytest.mark.parametrize(
    ("lang", "shown", "hidden"),
    [
        ("vi", "Nơi ghi là thành phố của nhà tài trợ", "Place recorded as the sponsor"),
        ("en", "Place recorded as the sponsor's city", "Nơi ghi là thành phố"),
    ],
)
def test_a_curated_site_note_is_shown_in_the_page_language(open_app, lang, shown, hidden):
    at = open_app(f"id=VINMEC-CP-BMMNC&lang={lang}", page="pages/trial.py")
    assert_clean(at)
    words = "\n".join(plain(m.value) for m in at.markdown)
    assert shown in words and hidden not in words


def test_a_curated_trial_s_checklist_is_in_vietnamese_on_a_vietnamese_page(open_app):
    """The curator's Vietnamese criteria in the checklist and its questions; the
    record's own English only where it is shown as the record's words."""
    at = open_app("id=VINMEC-CP-BMMNC&lang=vi", page="pages/trial.py")
    assert_clean(at)
    words = "\n".join(texts(at))
    assert words.count("The source only says") == 1  # in "as the record states them"
    assert words.count("Tài liệu nguồn chỉ ghi") >= 3  # the list, the question, the criteria


def test_the_map_and_the_treatment_page_use_the_curators_vietnamese(open_app):
    """Titles, what the treatment is and countries as the cards show them."""
    at = open_app("cond=cerebral+palsy&lang=vi", page="pages/map.py")
    assert_clean(at)
    [picture] = [h.proto.body for h in at.get("html") if 'class="tf-map"' in h.proto.body]
    assert "Tế bào gốc của chính trẻ có thể giúp trẻ bại não cử động tốt hơn" in picture
    assert "Own stem cells may boost movement" not in picture
    at = open_app("intr=bone+marrow&lang=vi", page="pages/treatment.py")
    assert_clean(at)
    words = "\n".join(texts(at))
    assert "Tế bào tủy xương của chính trẻ, đưa vào ống sống" in words  # the title
    assert "tế bào đơn nhân tủy xương tự thân" in words  # what it is
    assert "autologous bone marrow mononuclear cells" not in words
    assert "Việt Nam: " in words and "Vietnam: " not in words


def test_a_card_shows_its_trust_flags_with_reason_and_fact(open_app):
    at = open_app("cond=hip+checks")
    assert_clean(at)
    [card] = cards(at).values()
    shown = "\n".join(card_texts(card))
    # TF-CP-005: open, last updated 2025-11-01 and never verified
    assert "Status may be out of date." in shown
    assert "record last updated November 1, 2025" in shown


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
    # The find page's breakdown is drawn only while its expander is open.
    assert not any(t.startswith("Trials by status") for t in texts(at))
    at.session_state["glance"] = True
    at.run()
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


def test_the_country_choices_are_in_the_pages_language_and_the_link_in_one(open_app) -> None:
    """A family on a Vietnamese page reads "Việt Nam" and may type "Hoa Kỳ"; the link
    names the country as every page reads it, so an advocate's English page opens it."""
    at = open_app("lang=vi&country=Vietnam")
    [box] = [m for m in at.multiselect if m.key == "country"]
    assert box.value == ["Vietnam"] and "Việt Nam" in box.options
    assert "Vietnam" not in box.options
    in_order = open_app("lang=vi&country=China&country=Japan")
    [names] = [m for m in in_order.multiselect if m.key == "country"]
    assert list(names.options) == ["Hoa Kỳ", "Nhật Bản", "Trung Quốc", "Việt Nam"]
    box.unselect("Vietnam").select("Hoa Kỳ").run()
    assert at.query_params["country"] in ("United States", ["United States"])
    said = " ".join(m.value for m in at.markdown)
    assert "Hoa Kỳ" in said and "United States" not in said

    english = open_app("country=United+States")
    [box] = [m for m in english.multiselect if m.key == "country"]
    assert box.value == ["United States"]
    assert "Việt Nam" not in box.options and "Vietnam" in box.options
