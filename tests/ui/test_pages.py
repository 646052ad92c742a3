"""Every page of the dashboard, opened from a query string with AppTest.

The data is our own (``tests/ui/trialdata.py``): cerebral palsy trials in and
around Hanoi, one elsewhere, one with Markdown and HTML in its text, and 65
generated trials for paging. AppTest sees the URL a page opens with (and the
canonical form a bad link is reopened in), not the URL a widget writes later:
the browser tests prove the round trip.
"""

from __future__ import annotations

import math
import re
import string
from urllib.parse import urlencode

import pytest

from tests.ui.reading import assert_clean, card_texts, cards, notices, plain, texts
from tests.ui.trialdata import (
    CP_AGE4,
    CP_AGE4_HANOI,
    CP_AGE4_HANOI_RECRUITING,
    CP_AGE10_HANOI,
    CP_ALL,
    GENERATED_COUNT,
    MARKUP_ID,
    MARKUP_TITLE,
    TOTAL_TRIALS,
    generated_id,
)
from trialfinder.family import plain as plain_words
from trialfinder.ui.cards import CARDS_PER_PAGE

SHARED = "cond=cerebral+palsy&age=4y&near=Hanoi"
CP_RECRUITING = ["NCT07527104", "TF-CP-006", "TF-CP-004", "TF-CP-001", "TF-CP-005"]


def heading(at) -> str:
    return at.subheader[0].value


def joined(at) -> str:
    return "\n".join(texts(at))


def unescaped_punctuation(markdown: str) -> list[str]:
    """ASCII punctuation that Markdown would read as markup (not backslash-escaped)."""
    found, escaped = [], False
    for char in markdown:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char in string.punctuation:
            found.append(char)
    return found


# ------------------------------------------------------------------ find


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("cond=cerebral+palsy", CP_ALL),
        (SHARED, CP_AGE4_HANOI),
        (SHARED + "&status=recruiting", CP_AGE4_HANOI_RECRUITING),
        ("cond=cerebral+palsy&age=10y&near=Hanoi", CP_AGE10_HANOI),
        ("cond=cerebral+palsy&age=4y", CP_AGE4),
        ("cond=cerebral+palsy&status=recruiting", CP_RECRUITING),
    ],
)
def test_find_shows_the_count_and_the_cards_in_order(open_app, query, expected):
    """Open first, then nearest, then most recently updated."""
    at = open_app(query)
    assert_clean(at)
    assert heading(at) == f"{len(expected)} trials match"
    assert list(cards(at)) == expected
    sentence = plain(at.markdown[0].value)
    # Issue 19: the count is said once, in the heading; the sentence says the view.
    assert not sentence[0].isdigit() and "trials for cerebral palsy" in sentence.lower()
    assert not at.warning


def test_one_trial_matches_is_singular(open_app):
    at = open_app("cond=rett+syndrome")
    assert_clean(at)
    assert heading(at) == "1 trial matches"
    assert list(cards(at)) == [MARKUP_ID]


def test_no_match_says_what_to_try(open_app):
    at = open_app("cond=cerebral+palsy&age=40y")
    assert_clean(at)
    assert heading(at) == "0 trials match"
    assert not cards(at)
    assert "Try fewer filters" in at.info[0].value


def test_a_card_says_who_can_join_design_and_nearest_site(open_app):
    at = open_app(SHARED)
    card = cards(at)["TF-CP-001"]
    lines = card_texts(card)
    assert lines[0] == "**Home exercise for young children with cerebral palsy in Hanoi**"
    assert "Recruiting" in lines[1]  # the status badge
    # the words themselves are trialfinder.family.plain's; the card must use them
    who = f"{plain_words.ages_in_words('1 Year', '6 Years')}, {plain_words.sex_words('ALL')}"
    assert f"TF-CP-001 · Who can join: {who}" in lines
    assert "Conditions: Cerebral palsy" in lines
    design = plain_words.design_words("INTERVENTIONAL", "RANDOMIZED", "SINGLE")
    assert f"Design: {plain_words.phase_words('NA')}, {design}" in lines
    assert "Nearest site: Hanoi Rehabilitation Hospital, Hanoi, Vietnam · 8 km away" in lines
    [link] = card.get("page_link")
    assert link.proto.page == "trial"
    assert link.proto.query_string == "id=TF-CP-001"
    assert link.value == "Trial details"


def test_cards_name_no_site_without_a_place(open_app):
    at = open_app("cond=cerebral+palsy")
    for card in cards(at).values():
        assert not any(line.startswith("Nearest site") for line in card_texts(card))


def test_copy_link_is_the_canonical_url_of_the_view(open_app):
    at = open_app("near=Hanoi&age=4&cond=cerebral%20palsy")
    assert_clean(at)
    sentence, link = at.code[0].value.split("\n")
    # "Copy link" copies the view's sentence with the link, ready for a message.
    assert sentence == (
        "5 trials for cerebral palsy that accept a child of 4 years, within 50 km of Hanoi"
    )
    assert link == "http://localhost:8501/?" + SHARED
    assert [b.label for b in at.download_button] == ["Download results (CSV)"]


def test_copy_link_uses_the_address_the_browser_opened(open_app):
    at = open_app(SHARED, url="http://192.0.2.7:8600/?" + SHARED)
    assert at.code[0].value.split("\n")[-1] == "http://192.0.2.7:8600/?" + SHARED


def test_the_condition_box_searches_what_was_typed_and_suggests_names(open_app):
    """Issue 18 item 6: a search box; Enter searches the typed words, never a suggestion."""
    at = open_app("cond=stem+cells")
    assert_clean(at)
    box = at.text_input(key="cond")
    assert box.value == "stem cells"  # free words, as typed
    assert heading(at) == "1 trial matches"  # the seed's plain title says "stem cells"
    assert list(cards(at)) == ["NCT07527104"]
    box.set_value("palsy").run()
    assert_clean(at)
    # What was typed is searched ("palsy"), not the first name it could stand for.
    assert at.text_input(key="cond").value == "palsy"
    assert "for palsy" in plain(at.markdown[0].value)
    # The names of the catalog that contain it are offered under the box.
    offered = at.get("button_group")[0].proto.options
    labels = [option.content for option in offered]
    assert "Cerebral palsy" in labels or "cerebral palsy" in labels
    at.text_input(key="cond").set_value("cerebral palsy; rett syndrome").run()
    assert heading(at) == f"{len(CP_ALL) + 1} trials match"


def test_changing_filters_updates_the_results(open_app):
    at = open_app(SHARED)
    at.text_input(key="age").set_value("10").run()
    assert_clean(at)
    assert list(cards(at)) == CP_AGE10_HANOI
    at.text_input(key="age").set_value("4").run()
    at.multiselect(key="status").select("recruiting").run()
    assert list(cards(at)) == CP_AGE4_HANOI_RECRUITING
    assert at.code[0].value.endswith("?" + SHARED.replace("&near", "&status=recruiting&near"))


def test_a_bad_age_typed_in_the_sidebar_is_named_and_ignored(open_app):
    at = open_app(SHARED)
    at.text_input(key="age").set_value("abc").run()
    assert_clean(at)
    assert len(at.warning) == 1 and "age='abc'" in notices(at)[0]
    # the age is ignored, the rest applies: these five near Hanoi (all admit 4, too)
    assert list(cards(at)) == CP_AGE4_HANOI


def test_long_lists_come_a_page_of_cards_at_a_time(open_app):
    newest_first = [generated_id(n) for n in range(GENERATED_COUNT, 0, -1)]
    at = open_app("cond=autism")
    assert_clean(at)
    assert heading(at) == f"{GENERATED_COUNT} trials match"
    assert list(cards(at)) == newest_first[:CARDS_PER_PAGE]
    assert (
        at.number_input(key="page").label
        == f"Page (of {math.ceil(GENERATED_COUNT / CARDS_PER_PAGE)})"
    )

    at.number_input(key="page").set_value(2).run()
    assert_clean(at)
    assert list(cards(at)) == newest_first[CARDS_PER_PAGE : 2 * CARDS_PER_PAGE]
    assert at.code[0].value.endswith("?cond=autism&page=2")


def test_a_link_to_page_2_opens_page_2(open_app):
    newest_first = [generated_id(n) for n in range(GENERATED_COUNT, 0, -1)]
    at = open_app("cond=autism&page=2")
    assert_clean(at)
    assert list(cards(at)) == newest_first[CARDS_PER_PAGE : 2 * CARDS_PER_PAGE]
    assert at.code[0].value.endswith("?cond=autism&page=2")


def test_the_whole_catalog_still_draws_one_page_of_cards(open_app):
    at = open_app()
    assert_clean(at)
    assert heading(at) == f"{TOTAL_TRIALS} trials match"
    assert len(cards(at)) == CARDS_PER_PAGE


# ------------------------------------------------------------------ bad links

LONG = 10_000


@pytest.mark.parametrize(
    ("query", "named", "expected", "canonical"),
    [
        (
            "cond=cerebral+palsy&status=recruiting&age=abc",
            ["age='abc'"],
            CP_RECRUITING,
            {"cond": "cerebral palsy", "status": "recruiting"},
        ),
        (
            "cond=cerebral+palsy&status=recruiting&age=-3",
            ["age='-3'"],
            CP_RECRUITING,
            {"cond": "cerebral palsy", "status": "recruiting"},
        ),
        (
            "cond=cerebral+palsy&status=recruiting&age=500y",
            ["age='500y'"],
            CP_RECRUITING,
            {"cond": "cerebral palsy", "status": "recruiting"},
        ),
        (
            "cond=cerebral+palsy&age=4y&status=bogus",
            ["status='bogus'"],
            CP_AGE4,
            {"cond": "cerebral palsy", "age": "4y"},
        ),
        (
            "cond=cerebral+palsy&age=4y&near=Xyzzy+Qqqville",
            ["near='Xyzzy Qqqville'", "gazetteer"],
            CP_AGE4,
            {"cond": "cerebral palsy", "age": "4y"},
        ),
        (
            SHARED + "&within=-5",
            ["within='-5'"],
            CP_AGE4_HANOI,
            {"cond": "cerebral palsy", "age": "4y", "near": "Hanoi"},
        ),
        (
            SHARED + "&within=1e9",
            ["within='1e9'"],
            CP_AGE4_HANOI,
            {"cond": "cerebral palsy", "age": "4y", "near": "Hanoi"},
        ),
        (
            "cond=cerebral+palsy&age=4y&foo=1",
            ["foo='1'", "unknown key"],
            CP_AGE4,
            {"cond": "cerebral palsy", "age": "4y"},
        ),
        (
            "cond=cerebral+palsy&age=4y&near=" + "x" * LONG,
            ["near='xxx", "longer than"],
            CP_AGE4,
            {"cond": "cerebral palsy", "age": "4y"},
        ),
        (
            "cond=cerebral+palsy&age=4y&cond=" + "y" * LONG,
            ["cond='yyy", "longer than"],
            CP_AGE4,
            {"cond": "cerebral palsy", "age": "4y"},
        ),
        (
            "cond=cerebral+palsy&age=4y&" + "k" * LONG + "=1",
            ["kkkk", "unknown key"],
            CP_AGE4,
            {"cond": "cerebral palsy", "age": "4y"},
        ),
        (
            "age=abc&foo=1&within=-5&cond=cerebral+palsy",
            ["age='abc'", "foo='1'", "within='-5'"],
            CP_ALL,
            {"cond": "cerebral palsy"},
        ),
    ],
    ids=[
        "age-abc",
        "age-negative",
        "age-500y",
        "status-unknown",
        "place-unknown",
        "within-negative",
        "within-huge",
        "unknown-key",
        "near-10000-chars",
        "cond-10000-chars",
        "key-10000-chars",
        "several",
    ],
)
def test_a_bad_link_says_in_one_line_what_it_ignored(open_app, query, named, expected, canonical):
    at = open_app(query)
    assert_clean(at)
    assert len(at.warning) == 1
    [notice] = notices(at)
    assert "\n" not in notice and notice.startswith("Ignored ")
    assert len(notice) < 1000
    for fragment in named:
        assert fragment in notice
    said = notice.removeprefix("Ignored ").split("; ")
    assert len(said) == len(set(said)), said  # each problem said once
    # the other filters still apply
    assert heading(at) == f"{len(expected)} trials match"
    assert list(cards(at)) == expected
    # and the page was reopened at the canonical link
    assert dict(at.query_params) == canonical


def test_a_bad_age_typed_in_its_box_is_said_once(open_app):
    at = open_app("cond=cerebral+palsy")
    at.text_input(key="age").set_value("4 apples").run()
    assert_clean(at)
    [notice] = notices(at)
    assert notice.count("4 apples") == 1, notice


def test_the_notice_shows_link_text_literally(open_app):
    at = open_app("cond=cerebral+palsy&foo=<b>x</b>&age=[click](http://evil.test)")
    assert_clean(at)
    [raw] = [w.value for w in at.warning]
    assert unescaped_punctuation(raw) == []
    assert "http\u2060" in raw  # no bare address for Markdown to turn into a link
    assert "foo='<b>x</b>'" in plain(raw)
    assert "age='[click](http://evil.test)'" in plain(raw)
    assert heading(at) == f"{len(CP_ALL)} trials match"


def test_a_canonical_link_is_kept_without_a_notice(open_app):
    at = open_app("status=RECRUITING&cond=Cerebral%20Palsy&age=4")
    assert_clean(at)
    assert not at.warning
    assert dict(at.query_params) == {"cond": "Cerebral Palsy", "age": "4y", "status": "recruiting"}


# ------------------------------------------------------------------ escaping


def test_trial_text_on_a_card_is_shown_literally(open_app):
    at = open_app("cond=rett+syndrome")
    lines = card_texts(cards(at)[MARKUP_ID])
    assert lines[0] == f"**{MARKUP_TITLE}**"
    raw_title = cards(at)[MARKUP_ID].markdown[0].value
    assert unescaped_punctuation(raw_title.removeprefix("**").removesuffix("**")) == []
    assert "http\u2060" in raw_title


def test_trial_text_on_the_trial_page_is_shown_literally(open_app):
    at = open_app(f"id={MARKUP_ID}", page="pages/trial.py")
    assert_clean(at)
    assert plain(at.header[0].value) == MARKUP_TITLE
    assert unescaped_punctuation(at.header[0].value) == []
    page_text = joined(at)
    assert "Summary with <i>tags</i>, :red[colour] and `code`." in page_text
    assert "Children with <script>alert(1)</script> and [a link](http://x.test)." in page_text
    assert "<b>Clinic</b> *one*, Hanoi, Vietnam" in page_text
    for element in at.markdown:
        # The eligibility checklist puts its own verdict badge before an item's words.
        body = re.sub(r"^\u2003*:(?:green|orange|gray)-badge\[[^\]\\]*\] ", "", element.value)
        if "Summary with" in body or "Children with" in body:
            assert unescaped_punctuation(body) == []


# ------------------------------------------------------------------ trial page


def test_trial_page_of_a_seed_trial(open_app):
    at = open_app("id=NCT07527104", page="pages/trial.py")
    assert_clean(at)
    assert plain(at.header[0].value) == (
        "Own stem cells may boost movement in kids with cerebral palsy"
    )
    sections = [s.value for s in at.subheader]
    for section in (
        "In plain words",
        "Who can join",
        "What each group gets",
        "How the trial is designed",
        "What is measured",
        "Where",
        "Who runs it, and when",
    ):
        assert section in sections
    text = joined(at)
    for fact in (
        "Recruiting",
        "Identifiers: NCT07527104",
        "Doctors want to learn whether a child's own bone marrow cells",
        f"**Ages:** {plain_words.ages_in_words('1 Year', '6 Years')}",
        "**Sex:** not given",
        "**Healthy volunteers:** not given",
        "children aged 1 to 6 years with cerebral palsy",  # the criteria text
        "**Cells plus rehabilitation** · experimental",
        "Receives: Biological: Autologous bone marrow mononuclear cells; Other: Rehabilitation",
        "**Rehabilitation alone (control)**",
        "**Study type:** interventional",
        "**Allocation:** randomized",
        "- Gross motor function (time frame: 12 months)",
        "**Vietnam National Children's Hospital, Hanoi, Vietnam** · Recruiting",  # state = city
        "**Sponsor:** not given",
        "**Last update of the record:** June 27, 2026",
    ):
        assert fact in text
    assert "Eligibility criteria, as the record states them" in [e.label for e in at.expander]
    refreshed = next(t for t in texts(at) if t.startswith("**Data refreshed here:**"))
    assert re.search(r"[A-Z][a-z]+ \d{1,2}, \d{4}, \d{1,2}:\d\d\W(AM|PM) UTC", refreshed)
    [registry] = at.link_button
    assert registry.proto.url == "https://clinicaltrials.gov/study/NCT07527104"


def test_trial_page_explains_each_design_term(open_app):
    at = open_app("id=TF-CP-001", page="pages/trial.py")
    assert_clean(at)
    help_by_fact = {plain(m.value): m.proto.help for m in at.markdown if m.proto.help}
    assert help_by_fact["**Allocation:** randomized"].startswith("Randomized: chance decides")
    assert help_by_fact["**How the groups are set up:** parallel"].startswith("Parallel groups")
    assert help_by_fact["**Masking:** single blind"].startswith("Single blind")
    assert help_by_fact["**Study type:** interventional"].startswith("Interventional")


def test_trial_page_shows_sites_with_their_status_and_contacts(open_app):
    at = open_app("id=TF-CP-001", page="pages/trial.py")
    text = joined(at)
    assert "**Hanoi Rehabilitation Hospital, Hanoi, Vietnam** · Recruiting" in text
    # Issue 19: the phone and the address are links to tap.
    assert "Dr Tran Thi Lan, Study coordinator · ☎ [+84 24 3825 0000](tel:+842438250000)" in text
    assert "✉ [cp.study@example.test](mailto:cp.study@example.test?subject=" in text
    assert "**Sponsor:** Hanoi Rehabilitation Hospital" in text


@pytest.mark.parametrize(
    "unknown", ["NOPE-404", "<b>x</b>", "z" * LONG], ids=["unknown", "markup", "10000-chars"]
)
def test_an_unknown_trial_id_says_so_kindly(open_app, unknown):
    at = open_app(urlencode({"id": unknown}), page="pages/trial.py")
    assert_clean(at)
    [message] = notices(at)
    assert message.startswith(f"We could not find a trial with the id {unknown[:60]}.")
    assert "may have been removed" in message
    assert "<b>" not in at.warning[0].value  # the id is text, not a tag
    assert [link.value for link in at.page_link] == ["Find trials"]


def test_the_trial_page_without_an_id_is_no_dead_end(open_app):
    """Issue 19: opened bare (from a menu), it offers a box and the search's trials."""
    at = open_app("cond=cerebral+palsy", page="pages/trial.py")
    assert_clean(at)
    assert "Which trial would you like to read about?" in joined(at)
    labels = [link.value for link in at.page_link]
    assert len(labels) == 8 and any("TF\\-CP\\-001" in label for label in labels)
    at.text_input(key="choose-trial-id").set_value("TF-CP-002").run()
    assert_clean(at)
    assert "Robot" in plain(at.header[0].value)


def test_a_page_without_an_id_offers_the_curators_titles_in_vietnamese(open_app):
    at = open_app("cond=cerebral+palsy&lang=vi", page="pages/handout.py")
    assert_clean(at)
    labels = [plain(link.value) for link in at.page_link]
    assert any(label.startswith("Tế bào gốc của chính trẻ") for label in labels), labels


def test_the_sponsor_page_without_a_sponsor_offers_the_sponsors(open_app):
    at = open_app("", page="pages/sponsor.py")
    assert_clean(at)
    chooser = at.selectbox(key="choose-spons")
    assert "Hanoi Rehabilitation Hospital" in chooser.options
    chooser.set_value("Hanoi Rehabilitation Hospital").run()
    assert_clean(at)
    assert "Hanoi Rehabilitation Hospital" in joined(at)
    assert at.metric


def test_a_bad_link_to_a_trial_still_shows_the_trial(open_app):
    at = open_app("id=NCT07527104&foo=1&age=abc", page="pages/trial.py")
    assert_clean(at)
    [notice] = notices(at)
    assert "foo='1'" in notice and "age='abc'" in notice
    assert plain(at.header[0].value).startswith("Own stem cells")
    assert dict(at.query_params) == {"id": "NCT07527104"}


# ------------------------------------------------------------------ other pages


def test_map_page_loads_from_a_query_string(open_app):
    at = open_app("cond=cerebral+palsy&age=-3", page="pages/map.py")
    assert_clean(at)
    [notice] = notices(at)
    assert "age='-3'" in notice
    assert any(re.search(rf"\b{len(CP_ALL)}\b", t) for t in texts(at))
    assert dict(at.query_params) == {"cond": "cerebral palsy"}


def test_compare_page_loads_from_a_query_string(open_app):
    at = open_app("ids=NCT07527104&ids=VINMEC-CP-BMMNC&within=1e9", page="pages/compare.py")
    assert_clean(at)
    [notice] = notices(at)
    assert "within='1e9'" in notice
    assert any("Compare" in t for t in texts(at))


def test_data_page_counts_the_trials(open_app):
    at = open_app("status=bogus", page="pages/data.py")
    assert_clean(at)
    assert "status='bogus'" in notices(at)[0]
    text = joined(at)
    assert f"{TOTAL_TRIALS} trials and {TOTAL_TRIALS} sites" in text
    assert f"curated: {TOTAL_TRIALS}" in text
    assert [s.value for s in at.success] == ["Every data file is valid."]


def test_data_page_names_each_broken_file(open_app, broken_data_dir):
    at = open_app("", page="pages/data.py", data=broken_data_dir)
    assert_clean(at)
    text = joined(at)
    assert "1 trials and 1 sites" in text
    assert "2 data file problem(s) need attention" in text
    assert re.search(r"TF-BAD-001\.yaml, record TF-BAD-001, field titel: unknown key", text)
    assert re.search(r"TF-BAD-002\.yaml: not valid YAML at line \d+", text)
    assert not at.success


def test_find_page_serves_the_good_trials_of_a_broken_data_dir(open_app, broken_data_dir):
    at = open_app("cond=cerebral+palsy", data=broken_data_dir)
    assert_clean(at)
    assert heading(at) == "1 trial matches"
    assert list(cards(at)) == ["TF-CP-001"]


def test_the_sidebar_draws_every_filter_with_a_widget_once() -> None:
    from trialfinder.query import FILTERS
    from trialfinder.ui.filters import SIDEBAR

    assert sorted(SIDEBAR) == sorted(f.key for f in FILTERS if f.widget is not None)
