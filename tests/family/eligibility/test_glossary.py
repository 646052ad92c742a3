"""The glossary: every entry in both languages, found in place, levels included."""

from __future__ import annotations

import re

from trialfinder.family.eligibility.glossary import entries, explain

VIETNAMESE = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]")


def test_every_entry_is_written_in_both_languages() -> None:
    for entry in entries():
        (en_term, en_text), (vi_term, vi_text) = entry.words["en"], entry.words["vi"]
        assert en_term and vi_term, entry.key
        assert en_text and vi_text and en_text != vi_text, entry.key
        assert VIETNAMESE.search(vi_text), entry.key


def test_the_brief_s_words_are_there() -> None:
    keys = {e.key for e in entries()}
    wanted = {
        "gmfcs",
        "macs",
        "ashworth",
        "gmfm",
        "intrathecal",
        "autologous",
        "botulinum",
        "platelets",
        "anc",
        "haemoglobin",
        "creatinine",
        "alt_ast",
        "bilirubin",
    }
    assert wanted <= keys
    assert {f"gmfcs_{n}" for n in range(1, 6)} <= keys


def test_levels_follow_their_scale() -> None:
    found = explain("GMFCS level II-III and platelets ≥ 100,000/mm3")
    assert [e.key for e in found] == ["gmfcs", "gmfcs_2", "gmfcs_3", "platelets"]
    vi = explain("GMFCS level II-III", "vi")
    assert vi[1].term == "GMFCS mức II"


def test_nothing_to_explain_and_unknown_language() -> None:
    assert explain("Able to walk 10 metres") == ()
    assert explain("ALT ≤ 3 × ULN", "fr")[0].term == "ALT and AST (liver enzymes)"
