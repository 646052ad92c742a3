"""The treatment and sponsor views, opened from links."""

from tests.ui.reading import assert_clean, texts


def test_a_treatment_link_lists_every_trial_of_it(open_app) -> None:
    at = open_app("intr=bone marrow mononuclear cells", page="pages/treatment.py")
    assert_clean(at)
    shown = texts(at)
    assert "2 trials testing bone marrow mononuclear cells" in shown
    assert any("What it is:** autologous bone marrow mononuclear cells" in t for t in shown)
    assert any("NCT07527104" in t for t in shown) and any("VINMEC-CP-BMMNC" in t for t in shown)
    assert [m.value for m in at.metric][0] == "2"
    assert any(t.startswith("Vietnam: 2 trials") for t in shown)
    assert [b.label for b in at.button].count("Add to compare") == 2


def test_a_sponsor_link_lists_its_trials(open_app) -> None:
    at = open_app("spons=Vinmec", page="pages/sponsor.py")
    assert_clean(at)
    shown = texts(at)
    assert "1 trial run by Vinmec" in shown
    assert any("VINMEC-CP-BMMNC" in t for t in shown)
    assert not any("NCT07527104 ·" in t for t in shown)


def test_without_a_treatment_the_view_says_how_to_choose_one(open_app) -> None:
    # Issue 19: a bare page offers the treatments to choose from, not only a hint.
    at = open_app(page="pages/treatment.py")
    assert_clean(at)
    chooser = at.selectbox(key="choose-intr")
    assert chooser.label == "Choose a treatment" and chooser.options


def test_adding_from_the_treatment_view_leads_to_a_comparison(open_app) -> None:
    at = open_app("intr=bone marrow mononuclear cells", page="pages/treatment.py")
    for trial_id in ("NCT07527104", "VINMEC-CP-BMMNC"):
        at.button(key=f"intr-compare-{trial_id}").click().run()
    assert at.button(key="intr-compare-NCT07527104").label == "Remove from compare"
    links = [link for link in at.get("page_link") if "Compare the 2 chosen" in link.proto.label]
    assert len(links) == 1
    assert at.session_state["compare_basket"] == ["NCT07527104", "VINMEC-CP-BMMNC"]
