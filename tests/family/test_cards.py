"""A card of results: the title in the reader's language, the first contact, the flags."""

from __future__ import annotations

import datetime as dt

from tests.factories import HANOI, catalog_of, site, trial
from trialfinder.family.cards import card, cards
from trialfinder.geo import Place
from trialfinder.model import Contact
from trialfinder.query import search

NEAR_HANOI = Place(name="Hanoi", lat=HANOI[0], lon=HANOI[1], country="Vietnam")

CATALOG = catalog_of(
    trial(
        "NCT001",
        title="Walking after cerebral palsy",
        plain_title_vi="Tập đi sau bại não",
        active_substance="botulinum toxin",
        active_substance_vi="độc tố botulinum",
        last_update="2020-01-01",
        sites=(
            site(
                "Seoul",
                "South Korea",
                at=(37.5660, 126.9784),
                contacts=(Contact(name="Dr Far", phone="+82 2 000"),),
            ),
            site("Hanoi", "Vietnam", at=HANOI, contacts=(Contact(name="Dr Near"),)),
        ),
    ),
    trial(
        "NCT002",
        title="Hand use in children",
        last_update=dt.date.today().isoformat(),
        contacts=(Contact(name="Trial desk", email="desk@trial.example"),),
        sites=(site("Hanoi", "Vietnam", at=HANOI, contacts=(Contact(name="Dr Site"),)),),
    ),
)


def _row(trial_id: str):
    rows = search(CATALOG, "").head(20)
    return rows.loc[rows["id"] == trial_id].iloc[0]


def test_the_title_and_substance_are_in_the_readers_language_when_written() -> None:
    english = card(CATALOG, _row("NCT001"), "en")
    vietnamese = card(CATALOG, _row("NCT001"), "vi")
    assert english.row["title"] == "Walking after cerebral palsy"
    assert english.row["active_substance"] == "botulinum toxin"
    assert vietnamese.row["title"] == "Tập đi sau bại não"
    assert vietnamese.row["active_substance"] == "độc tố botulinum"
    # Nothing written in Vietnamese: the registry's words, not an empty title.
    assert card(CATALOG, _row("NCT002"), "vi").row["title"] == "Hand use in children"


def test_the_first_contact_is_the_trials_own_else_the_nearest_sites() -> None:
    assert card(CATALOG, _row("NCT002"), "en", NEAR_HANOI).contact.name == "Trial desk"
    assert card(CATALOG, _row("NCT001"), "en", NEAR_HANOI).contact.name == "Dr Near"
    # No place: the first site listed.
    assert card(CATALOG, _row("NCT001"), "en").contact.name == "Dr Far"


def test_the_row_given_is_not_changed_and_the_cards_keep_the_page_order() -> None:
    page = search(CATALOG, "").head(20)
    before = page.copy()
    made = list(cards(CATALOG, page, "vi", NEAR_HANOI))
    assert [c.row["id"] for c in made] == list(page["id"]) == ["NCT002", "NCT001"]
    assert page.equals(before)
    assert all(isinstance(c.flags, tuple) for c in made)


def test_an_open_trial_not_updated_for_years_carries_its_flag() -> None:
    flags = card(CATALOG, _row("NCT001"), "en").flags
    assert "status_stale" in [f.code for f in flags]
    assert "status_stale" not in [f.code for f in card(CATALOG, _row("NCT002"), "en").flags]
