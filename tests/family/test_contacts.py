"""Who to contact: order, roles in words, phone and mail links."""

from __future__ import annotations

from trialfinder.family.contacts import contacts_for, mailto_link, role_words, tel_link
from trialfinder.i18n import using
from trialfinder.model import Contact, Site, Trial

HANOI = (21.0245, 105.84117)

TRIAL = Trial(
    id="NCT1",
    contacts=(Contact(name="Trial desk", role="CONTACT", phone="+1 800-243-0127", phone_ext="4"),),
    sites=(
        Site(
            facility="Far Clinic",
            city="Boston",
            lat=42.36,
            lon=-71.06,
            contacts=(Contact(name="Dr Far", email="far@clinic.example"),),
        ),
        Site(
            facility="Near Clinic",
            city="Hanoi",
            lat=21.05,
            lon=105.84,
            contacts=(Contact(name="Dr Near", role="PRINCIPAL_INVESTIGATOR", phone="024 3825"),),
        ),
        Site(facility="Nowhere", contacts=(Contact(name="Dr Unplaced"),)),
    ),
)


def test_the_trials_own_contacts_come_first_then_the_nearest_sites() -> None:
    reaches = contacts_for(TRIAL, *HANOI)
    assert [r.name for r in reaches] == ["Trial desk", "Dr Near"]
    assert reaches[0].where == ""
    assert reaches[1].where == "Near Clinic, Hanoi"


def test_without_a_place_the_first_site_is_used() -> None:
    assert [r.name for r in contacts_for(TRIAL)] == ["Trial desk", "Dr Far"]
    assert [r.name for r in contacts_for(TRIAL, limit=1)] == ["Trial desk"]


def test_phones_become_numbers_to_dial_with_their_extension() -> None:
    reach = contacts_for(TRIAL)[0]
    assert reach.tel == "tel:+18002430127,4"
    assert reach.phone == "+1 800-243-0127, extension 4"
    assert tel_link("024 3825 0000") == "tel:02438250000"
    assert tel_link("call the ward") is None
    assert tel_link("12") is None
    assert tel_link(None) is None


def test_mail_links_only_for_addresses_and_carry_a_subject() -> None:
    assert mailto_link("a.b@x.example") == "mailto:a.b@x.example"
    assert mailto_link("a@x.example", "About NCT1") == "mailto:a@x.example?subject=About%20NCT1"
    assert mailto_link("ask at the desk") is None
    assert mailto_link("a@b") is None
    assert mailto_link("javascript:alert(1)//@x.example") is None


def test_roles_are_words_in_the_pages_language() -> None:
    assert role_words("PRINCIPAL_INVESTIGATOR") == "lead doctor (principal investigator)"
    assert role_words("Study coordinator") == "Study coordinator"
    assert role_words(None) is None
    with using("vi"):
        assert role_words("CONTACT") != "contact person"
        assert role_words("STUDY_DIRECTOR") != "study director"


def test_a_trial_without_contacts_gives_none() -> None:
    assert contacts_for(Trial(id="X")) == []
    assert contacts_for(Trial(id="X", sites=(Site(city="Hanoi"),)), *HANOI) == []
