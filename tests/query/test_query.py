"""The filter language: parse, print back, describe, and apply to a catalog."""

from __future__ import annotations

import re
from dataclasses import replace

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.factories import (
    HAI_PHONG,
    HANOI,
    HO_CHI_MINH_CITY,
    all_trials,
    catalog_of,
    destination,
    haversine_km,
    site,
    trial,
)
from trialfinder import geo, i18n
from trialfinder.ages import ChildAge, admits
from trialfinder.model import OVERALL_STATUSES, PHASES, STUDY_TYPES, Arm, Intervention
from trialfinder.query import (
    DEFAULT_WITHIN_KM,
    ParsedQuery,
    Query,
    apply_query,
    parse_query,
    search,
)
from trialfinder.query.filters import MAX_VALUE_LENGTH, MAX_VALUES_PER_KEY

CATALOG = catalog_of(*all_trials())
TRIALS = {t.id: t for t in all_trials()}


def ids(source: str | Query, catalog=CATALOG) -> list[str]:
    """Matching trial ids, in result order."""
    query = source if isinstance(source, Query) else parse_query(source).query
    return apply_query(catalog, query)["id"].tolist()


def matched(source: str | Query, catalog=CATALOG) -> set[str]:
    return set(ids(source, catalog))


def parsed_ok(text: str) -> Query:
    parsed = parse_query(text)
    assert parsed.problems == (), parsed.notice()
    return parsed.query


def place_of(text: str) -> tuple[float, float]:
    place = geo.resolve_place(text)
    return place.lat, place.lon


# --- parsing ------------------------------------------------------------------------


def test_parse_every_key() -> None:
    query = parsed_ok(
        "cond=cerebral+palsy&cond=als&age=4y3m&status=recruiting&status=not_yet_recruiting"
        "&country=Vietnam&near=Hanoi&within=100&phase=phase2&phase=early_phase1"
        "&type=interventional"
    )
    assert query == Query(
        cond=("cerebral palsy", "als"),
        age=ChildAge(51),
        status=("RECRUITING", "NOT_YET_RECRUITING"),
        country=("Vietnam",),
        near="Hanoi",
        within=100.0,
        phase=("PHASE2", "EARLY_PHASE1"),
        type="INTERVENTIONAL",
    )


@pytest.mark.parametrize(("text", "months"), [("4", 48), ("4y", 48), ("4y3m", 51), ("18m", 18)])
def test_age_forms(text: str, months: int) -> None:
    assert parsed_ok(f"age={text}").age == ChildAge(months)


@pytest.mark.parametrize(
    "text",
    [
        "recruiting",
        "RECRUITING",
        "Recruiting",
        "rEcRuItInG",
        " recruiting ",
    ],
)
def test_status_ignores_case(text: str) -> None:
    assert parsed_ok(f"status={text}").status == ("RECRUITING",)


@pytest.mark.parametrize(
    "text", ["not_yet_recruiting", "NOT_YET_RECRUITING", "Not+Yet+Recruiting", "not-yet-recruiting"]
)
def test_status_with_several_words(text: str) -> None:
    assert parsed_ok(f"status={text}").status == ("NOT_YET_RECRUITING",)


def test_every_registry_status_is_accepted() -> None:
    for status in OVERALL_STATUSES:
        assert parsed_ok(f"status={status.lower()}").status == (status,)


def test_sources_other_than_a_string() -> None:
    from_mapping = parse_query({"cond": ["palsy", "als"], "age": "4"})
    from_pairs = parse_query([("cond", "palsy"), ("cond", "als"), ("age", "4")])
    from_text = parse_query("?cond=palsy&cond=als&age=4")
    assert from_mapping == from_pairs == from_text
    assert from_text.query.cond == ("palsy", "als")


def test_extra_keys_the_caller_allows() -> None:
    parsed = parse_query("id=CP-HANOI&cond=palsy&id=X", extra_keys=["id"])
    assert parsed.problems == ()
    assert parsed.extra == {"id": ("CP-HANOI", "X")}
    assert parsed.query.cond == ("palsy",)


def test_blank_values_and_repeats() -> None:
    assert parsed_ok("cond=&age=&status=&near=") == Query()
    assert parsed_ok("cond=palsy&cond=palsy").cond == ("palsy",)
    assert parsed_ok("cond=+cerebral++palsy+").cond == ("cerebral palsy",)


def test_place_defaults() -> None:
    query = parsed_ok("near=Hanoi")
    assert query.within is None
    assert query.radius_km == DEFAULT_WITHIN_KM == 50
    assert query.has_place
    assert query.place == geo.resolve_place("Hanoi")
    assert parsed_ok("near=Hanoi&within=12.5").radius_km == 12.5
    assert parsed_ok("near=Hanoi&within=12.5km").radius_km == 12.5
    assert parsed_ok("country=Vietnam").has_place
    assert not Query().has_place and Query().place is None


def test_country_is_stored_by_its_one_name() -> None:
    assert parsed_ok("country=Korea%2C+Republic+of").country == ("South Korea",)
    assert parsed_ok("country=Viet+Nam").country == ("Vietnam",)
    # Two spellings of one country are one value.
    assert parsed_ok("country=South+Korea&country=Korea%2C+Republic+of").country == ("South Korea",)


# --- printing and round trips --------------------------------------------------------------

CANONICAL = [
    "",
    "cond=cerebral+palsy&age=4y&status=recruiting&near=Hanoi",
    "cond=palsy&cond=als&age=4y3m&status=recruiting&status=not_yet_recruiting"
    "&country=South+Korea&country=Vietnam&near=Ho+Chi+Minh+City&within=12.5"
    "&phase=phase2&phase=early_phase1&type=interventional",
    "age=1y6m",
    "age=0m",
    "age=11m",
    "near=21.03%2C105.85&within=100",
    "country=T%C3%BCrkiye",
    "cond=Sj%C3%B6gren%27s+syndrome",
    "phase=na&type=expanded_access",
    "near=Hanoi&within=1234.567",
]


@pytest.mark.parametrize("text", CANONICAL)
def test_canonical_strings_print_back_unchanged(text: str) -> None:
    query = parsed_ok(text)
    assert str(query) == text
    assert query.to_query_string() == text
    assert parsed_ok(str(query)) == query


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("status=RECRUITING&age=48m&cond=palsy", "cond=palsy&age=4y&status=recruiting"),
        ("?cond=palsy", "cond=palsy"),
        ("country=Korea%2C+Republic+of", "country=South+Korea"),
        ("within=100km&near=Hanoi", "near=Hanoi&within=100"),
        ("near=Hanoi&within=50.0", "near=Hanoi&within=50"),
        ("cond=+cerebral++palsy+", "cond=cerebral+palsy"),
        ("type=Interventional&phase=Phase2", "phase=phase2&type=interventional"),
        ("status=Not+Yet+Recruiting", "status=not_yet_recruiting"),
        ("age=4&cond=", "age=4y"),
        ("age=4y0m", "age=4y"),
        ("age=18m", "age=1y6m"),
        ("age=0", "age=0m"),
        ("age=1y12m", "age=2y"),
        ("near=++Hanoi++", "near=Hanoi"),
    ],
)
def test_other_spellings_print_in_canonical_form(text: str, canonical: str) -> None:
    assert str(parsed_ok(text)) == canonical


cond_text = (
    st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=40)
    .map(lambda s: " ".join(s.split()))
    .filter(lambda s: re.search(r"\w", s) is not None)
)
coordinate = st.floats(-90, 90).map(lambda x: round(x, 4))
longitude = st.floats(-180, 180).map(lambda x: round(x, 4))
near_text = st.one_of(
    st.sampled_from(["Hanoi", "Hà Nội", "Ho Chi Minh City", "Paris, France", "Seoul, South Korea"]),
    st.builds(lambda lat, lon: f"{lat},{lon}", coordinate, longitude),
)


@st.composite
def queries(draw) -> Query:
    near = draw(st.none() | near_text)
    within = draw(st.none() | st.floats(0.001, 20_000)) if near else None
    return Query(
        cond=tuple(draw(st.lists(cond_text, max_size=4, unique=True))),
        age=draw(st.none() | st.builds(ChildAge, st.integers(0, 130 * 12))),
        status=tuple(draw(st.lists(st.sampled_from(OVERALL_STATUSES), max_size=4, unique=True))),
        country=tuple(
            draw(
                st.lists(
                    st.sampled_from(["Vietnam", "South Korea", "Türkiye", "Russia", "Czechia"]),
                    max_size=3,
                    unique=True,
                )
            )
        ),
        near=near,
        within=within,
        phase=tuple(draw(st.lists(st.sampled_from(PHASES), max_size=3, unique=True))),
        type=draw(st.none() | st.sampled_from(STUDY_TYPES)),
    )


@given(queries())
def test_print_then_parse_is_identity(query: Query) -> None:
    parsed = parse_query(str(query))
    assert parsed.problems == (), parsed.notice()
    assert parsed.query == query
    assert parse_query(query.params()).query == query


@settings(max_examples=150)
@given(st.text(max_size=120))
def test_any_text_parses_without_raising_and_settles_in_one_step(text: str) -> None:
    parsed = parse_query(text)
    assert isinstance(parsed, ParsedQuery)
    notice = parsed.notice()
    assert (notice is None) == (parsed.problems == ())
    if notice is not None:
        assert "\n" not in notice and "\r" not in notice
    again = parse_query(str(parsed.query))
    assert again.problems == ()
    assert again.query == parsed.query
    apply_query(CATALOG, parsed.query)  # never raises either


@settings(max_examples=60)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(
                ["cond", "age", "status", "near", "within", "phase", "type", "country", "x"]
            ),
            st.text(max_size=15),
        ),
        max_size=6,
    )
)
def test_any_pairs_of_known_keys_never_raise(pairs: list[tuple[str, str]]) -> None:
    parsed = parse_query(pairs)
    apply_query(CATALOG, parsed.query)
    assert parse_query(str(parsed.query)).query == parsed.query


# --- matching conditions --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cond", "expected"),
    [
        ("palsy", {"CP-HANOI", "DA-NANG"}),  # "palsy" matches "Cerebral Palsy"
        ("PALSY", {"CP-HANOI", "DA-NANG"}),
        ("cerebral palsy", {"CP-HANOI", "DA-NANG"}),
        ("Cerebral  Palsy", {"CP-HANOI", "DA-NANG"}),
        ("cerebral", {"CP-HANOI", "DA-NANG"}),
        ("pal", set()),  # part of a word is not a word
        ("als", {"ALS-SEOUL"}),  # not "tonsils", nor "vitals"
        ("ALS", {"ALS-SEOUL"}),
        ("tonsils", {"TONSILS"}),  # a keyword
        ("tonsil", {"TONSILS"}),  # a plural is the same word
        ("tonsillitis", {"TONSILS"}),
        ("amyotrophic lateral sclerosis", {"ALS-SEOUL"}),
        ("lateral", {"ALS-SEOUL"}),
        ("stem cells", {"CP-HANOI"}),  # a keyword (and in the title)
        ("hip dislocation", {"DA-NANG"}),  # the second condition
    ],
)
def test_condition_words(cond: str, expected: set[str]) -> None:
    assert matched(Query(cond=(cond,))) == expected


def test_als_is_not_found_inside_other_words() -> None:
    tonsils = TRIALS["TONSILS"]
    assert "tonsils" in tonsils.keywords and "vitals monitoring" in tonsils.keywords
    assert "als" in "vitals monitoring"  # a substring...
    assert "TONSILS" not in matched("cond=als")  # ...but not a word


@pytest.mark.parametrize("cond", ["sjogren", "Sjögren", "SJÖGREN'S SYNDROME", "sjogren's"])
def test_accents_and_case_are_ignored(cond: str) -> None:
    assert matched(Query(cond=(cond,))) == {"SJOGREN"}


def test_accents_in_the_query_match_plain_text() -> None:
    cat = catalog_of(trial("NOACCENT", conditions=("Guillain-Barre Syndrome",)))
    assert matched(Query(cond=("Guillain-Barré",)), cat) == {"NOACCENT"}
    assert matched(Query(cond=("barre",)), cat) == {"NOACCENT"}
    assert matched(Query(cond=("guillain",)), cat) == {"NOACCENT"}


@pytest.mark.parametrize(
    ("cond", "expected"),
    [
        ("neurodevelopmental disorders", {"ANCESTOR"}),  # a MeSH ancestor, nothing else
        ("nervous system diseases", {"CP-HANOI"}),
        ("brain diseases", {"CP-HANOI"}),
    ],
)
def test_mesh_ancestors(cond: str, expected: set[str]) -> None:
    assert matched(Query(cond=(cond,))) == expected


def test_mesh_terms() -> None:
    cat = catalog_of(trial("M", conditions=("CP",), mesh_terms=("Cerebral Palsy",)))
    assert matched("cond=palsy", cat) == {"M"}


@pytest.mark.parametrize(
    ("cond", "expected"),
    [
        ("edaravone", {"ALS-SEOUL"}),
        ("sore throat", {"TONSILS"}),
        ("video call", {"BUSAN"}),
        ("dry eyes", {"SJOGREN"}),
    ],
)
def test_titles(cond: str, expected: set[str]) -> None:
    assert matched(Query(cond=(cond,))) == expected


def test_official_and_plain_titles() -> None:
    cat = catalog_of(
        trial("OFF", title="Short", official_title="A Randomized Study of Hippotherapy"),
        trial("PLAIN", title="Short", plain_title="Riding horses to help walking"),
    )
    assert matched("cond=hippotherapy", cat) == {"OFF"}
    assert matched("cond=horses", cat) == {"PLAIN"}


def test_summaries_are_not_searched() -> None:
    cat = catalog_of(trial("S", brief_summary="mentions autism", conditions=("Asthma",)))
    assert matched("cond=autism", cat) == set()


def test_several_terms_match_any_of_them() -> None:
    assert matched("cond=als&cond=tonsils") == {"ALS-SEOUL", "TONSILS"}
    assert matched("cond=als&cond=nothing+like+it") == {"ALS-SEOUL"}
    assert matched("cond=palsy&cond=cerebral") == {"CP-HANOI", "DA-NANG"}


@pytest.mark.parametrize("cond", ["a.s", "als|palsy", "c++", "[a-z]+", "\\", ".*"])
def test_terms_are_words_not_patterns(cond: str) -> None:
    # Regular-expression characters are taken literally; nothing matches, nothing raises.
    assert matched(Query(cond=(cond,))) == set()


def test_punctuation_around_words_does_not_count() -> None:
    assert matched(Query(cond=("(als)",))) == matched(Query(cond=("als",))) == {"ALS-SEOUL"}


def test_punctuation_inside_a_term() -> None:
    cat = catalog_of(
        trial("C", conditions=("COVID-19",)),
        trial("D", conditions=("Type 2 Diabetes (T2D)",)),
    )
    assert matched("cond=covid-19", cat) == {"C"}
    assert matched("cond=covid", cat) == {"C"}
    assert matched("cond=t2d", cat) == {"D"}
    assert matched("cond=%28t2d%29", cat) == {"D"}


# --- age ------------------------------------------------------------------------------


def test_age_through_the_catalog() -> None:
    assert "CP-HANOI" in matched("age=6y11m")  # 1 Year to 6 Years
    assert "CP-HANOI" not in matched("age=7")
    assert "CP-HANOI" in matched("age=1")
    assert "CP-HANOI" not in matched("age=11m")
    assert "ALS-SEOUL" not in matched("age=17y11m")
    assert "ALS-SEOUL" in matched("age=18")
    assert "SJOGREN" in matched("age=0m") and "SJOGREN" in matched("age=130")  # no limits


@pytest.mark.parametrize("months", [0, 11, 12, 35, 36, 83, 84, 155, 156, 215, 216, 227, 228, 1560])
def test_age_filter_agrees_with_the_rule(months: int) -> None:
    child = ChildAge(months)
    expected = {
        t.id for t in all_trials() if admits(t.eligibility.min_age, t.eligibility.max_age, child)
    }
    assert matched(Query(age=child)) == expected


def test_age_in_small_units_through_the_catalog() -> None:
    cat = catalog_of(
        trial("NEWBORN", max_age="28 Days"),
        trial("INFANT", min_age="6 Weeks", max_age="18 Months"),
        trial("HOURS", max_age="730 Hours"),
    )
    assert matched("age=0m", cat) == {"NEWBORN", "HOURS"}
    assert matched("age=1m", cat) == {"HOURS"}
    assert matched("age=2m", cat) == {"INFANT"}
    assert matched("age=18m", cat) == {"INFANT"}
    assert matched("age=19m", cat) == set()


# --- status -------------------------------------------------------------------------------


def test_no_status_means_every_status() -> None:
    assert matched("") == set(TRIALS)


def test_status_without_a_place_is_the_overall_status() -> None:
    assert matched("status=completed") == {"ALS-SEOUL"}
    assert matched("status=withdrawn") == {"SJOGREN"}
    assert matched("status=not_yet_recruiting") == {"DA-NANG"}
    assert matched("status=recruiting&status=not_yet_recruiting") == {
        t.id for t in all_trials() if t.overall_status in ("RECRUITING", "NOT_YET_RECRUITING")
    }
    # MIXED-SITES recruits overall, though its Hanoi site has completed.
    assert "MIXED-SITES" in matched("status=recruiting")
    assert "MIXED-SITES" not in matched("status=completed")


def test_status_with_a_place_is_judged_site_by_site() -> None:
    # Within 50 km of Hanoi, MIXED-SITES has only its completed site.
    assert matched("status=recruiting&near=Hanoi") == {"CP-HANOI"}
    # Its recruiting site in Hai Phong (about 100 km away) counts once the radius reaches it.
    result = apply_query(CATALOG, parsed_ok("status=recruiting&near=Hanoi&within=150"))
    row = result.set_index("id").loc["MIXED-SITES"]
    assert row["site_city"] == "Hai Phong"  # the nearest site that matches, not the nearest site
    assert row["site_status"] == "RECRUITING"
    assert row["distance_km"] == pytest.approx(haversine_km(place_of("Hanoi"), HAI_PHONG), abs=1e-6)
    # Without a status, the nearer completed site is the one shown.
    row = (
        apply_query(CATALOG, parsed_ok("near=Hanoi&within=150")).set_index("id").loc["MIXED-SITES"]
    )
    assert row["site_city"] == "Hanoi" and row["site_status"] == "COMPLETED"


def test_a_site_status_alone_does_not_make_a_trial_match() -> None:
    # The Hanoi site of MIXED-SITES is completed, but the trial is not.
    assert "MIXED-SITES" not in matched("status=completed&near=Hanoi")
    assert "MIXED-SITES" not in matched("status=completed&country=Vietnam")


def test_a_site_with_no_status_of_its_own_follows_the_trial() -> None:
    # MIXED-SITES' Ho Chi Minh City site gives no status: the overall status decides.
    result = apply_query(CATALOG, parsed_ok("status=recruiting&near=Ho+Chi+Minh+City"))
    assert set(result["id"]) == {"MIXED-SITES", "TONSILS"}
    row = result.set_index("id").loc["MIXED-SITES"]
    assert row["site_city"] == "Ho Chi Minh City"
    assert pd.isna(row["site_status"])
    # An overall status the family did not choose still excludes it.
    assert "MIXED-SITES" not in matched("status=not_yet_recruiting&near=Ho+Chi+Minh+City")


def test_status_with_a_country() -> None:
    assert matched("status=recruiting&country=Vietnam") == {
        "CP-HANOI",
        "TONSILS",
        "MIXED-SITES",  # Hai Phong recruits, Ho Chi Minh City has no own status
        "NOWHERE",  # its site has no status and no coordinates: the country is enough
    }
    assert matched("status=not_yet_recruiting&country=Vietnam") == {"DA-NANG"}
    assert matched("status=completed&country=South+Korea") == {"ALS-SEOUL"}
    assert matched("status=recruiting&country=South+Korea") == {"BUSAN"}


def test_site_statuses_against_a_hand_written_trial() -> None:
    cat = catalog_of(
        trial(
            "T",
            status="RECRUITING",
            sites=(
                site("Seoul", "South Korea", status="WITHDRAWN"),
                site("Busan", "South Korea", status="RECRUITING"),
            ),
        )
    )
    assert matched("status=recruiting&country=South+Korea", cat) == {"T"}
    assert matched("status=recruiting&near=Seoul", cat) == set()
    assert matched("status=recruiting&near=Busan", cat) == {"T"}
    assert matched("status=withdrawn&near=Seoul", cat) == set()  # overall is recruiting
    assert matched("status=withdrawn&status=recruiting&near=Seoul", cat) == {"T"}


# --- country ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "country", ["South+Korea", "south+korea", "Korea%2C+Republic+of", "KOREA%2C+REPUBLIC+OF"]
)
def test_renamed_countries_are_one(country: str) -> None:
    assert matched(f"country={country}") == {"ALS-SEOUL", "BUSAN"}


def test_country_aliases_on_the_site_side() -> None:
    cat = catalog_of(
        trial("OLD", sites=(site("Istanbul", "Turkey"),)),
        trial("NEW", sites=(site("Ankara", "Turkey (Türkiye)"),)),
        trial("RU", sites=(site("Moscow", "Russian Federation"),)),
        trial("CZ", sites=(site("Prague", "Czech Republic"),)),
    )
    assert matched("country=Turkey", cat) == {"OLD", "NEW"}
    assert matched("country=T%C3%BCrkiye", cat) == {"OLD", "NEW"}
    assert matched("country=Russia", cat) == {"RU"}
    assert matched("country=Czechia", cat) == {"CZ"}


def test_several_countries_match_any() -> None:
    assert matched("country=South+Korea&country=Vietnam") == {
        "ALS-SEOUL",
        "BUSAN",
        "CP-HANOI",
        "TONSILS",
        "DA-NANG",
        "NOWHERE",
        "MIXED-SITES",
    }
    assert matched("country=France") == set()


def test_trials_without_sites_never_match_a_place() -> None:
    assert "ANCESTOR" not in matched("country=Vietnam")
    assert "ANCESTOR" not in matched("near=Hanoi&within=20000")


# --- near and within ----------------------------------------------------------------------


def test_distances_match_an_independent_haversine() -> None:
    hanoi = place_of("Hanoi")
    result = apply_query(CATALOG, parsed_ok("near=Hanoi&within=2000")).set_index("id")
    assert set(result.index) == {"CP-HANOI", "MIXED-SITES", "DA-NANG", "TONSILS"}
    assert result.loc["CP-HANOI", "distance_km"] == pytest.approx(haversine_km(hanoi, HANOI))
    assert result.loc["TONSILS", "distance_km"] == pytest.approx(
        haversine_km(hanoi, HO_CHI_MINH_CITY)
    )
    assert result.loc["TONSILS", "distance_km"] == pytest.approx(1137, abs=10)
    # Da Nang's site has no coordinates: it is placed at the city and says so.
    da_nang = place_of("Da Nang, Vietnam")
    assert result.loc["DA-NANG", "distance_km"] == pytest.approx(haversine_km(hanoi, da_nang))
    assert bool(result.loc["DA-NANG", "site_approximate"]) is True
    assert bool(result.loc["CP-HANOI", "site_approximate"]) is False


def test_within_cuts_at_the_radius() -> None:
    tonsils_km = haversine_km(place_of("Hanoi"), HO_CHI_MINH_CITY)
    assert "TONSILS" in matched(f"near=Hanoi&within={tonsils_km + 1:.3f}")
    assert "TONSILS" not in matched(f"near=Hanoi&within={tonsils_km - 1:.3f}")


def test_default_radius_is_50_km() -> None:
    center = (10.0, 20.0)
    cat = catalog_of(
        trial("IN", sites=(site("A", "X", at=destination(*center, 37.0, 49.9)),)),
        trial("OUT", sites=(site("B", "X", at=destination(*center, 250.0, 50.1)),)),
    )
    assert matched("near=10,20", cat) == {"IN"}
    assert matched("near=10,20&within=50.2", cat) == {"IN", "OUT"}
    assert matched("near=10,20&within=49.8", cat) == set()


def test_lat_lon_place() -> None:
    result = apply_query(CATALOG, parsed_ok("near=21.03,105.85&within=10")).set_index("id")
    assert set(result.index) == {"CP-HANOI", "MIXED-SITES"}
    assert result.loc["CP-HANOI", "distance_km"] == pytest.approx(
        haversine_km((21.03, 105.85), HANOI)
    )


def test_the_nearest_matching_site_is_shown() -> None:
    cat = catalog_of(
        trial(
            "MANY",
            sites=(
                site("Far", "Vietnam", at=HO_CHI_MINH_CITY),
                site("Near", "Vietnam", at=HAI_PHONG),
                site("Nowhere", "Vietnam"),
            ),
        )
    )
    row = apply_query(cat, parsed_ok("near=Hanoi&within=5000")).iloc[0]
    assert row["site_city"] == "Near"
    assert row["distance_km"] == pytest.approx(haversine_km(place_of("Hanoi"), HAI_PHONG))


def test_a_site_must_be_in_the_country_and_near_at_once() -> None:
    cat = catalog_of(
        trial(
            "SPLIT",
            sites=(
                site("Hanoi", "Vietnam", at=HANOI),
                site("Seoul", "South Korea", at=(37.5, 127)),
            ),
        )
    )
    assert matched("country=South+Korea&near=Hanoi", cat) == set()
    assert matched("country=Vietnam&near=Hanoi", cat) == {"SPLIT"}
    assert matched("country=South+Korea&near=Seoul", cat) == {"SPLIT"}


def test_near_across_the_antimeridian() -> None:
    cat = catalog_of(trial("FIJI", sites=(site("Taveuni", "Fiji", at=(-16.5, -179.99)),)))
    result = apply_query(cat, parsed_ok("near=-16.5,179.99"))
    assert result["id"].tolist() == ["FIJI"]
    assert result.loc[0, "distance_km"] == pytest.approx(
        haversine_km((-16.5, 179.99), (-16.5, -179.99))
    )


def test_near_the_pole() -> None:
    cat = catalog_of(trial("POLE", sites=(site("Camp", None, at=(89.95, -170.0)),)))
    assert matched("near=89.95,10", cat) == {"POLE"}  # 11 km, across the pole


def test_no_place_leaves_distance_and_site_columns_empty() -> None:
    result = apply_query(CATALOG, Query())
    assert result["distance_km"].isna().all()
    assert result["site_city"].isna().all()
    assert {"distance_km", "site_facility", "site_city", "site_country", "site_status"} <= set(
        result.columns
    )


# --- phase and type ------------------------------------------------------------------------


def test_phase() -> None:
    assert matched("phase=phase2") == {"CP-HANOI"}
    assert matched("phase=phase1") == {"CP-HANOI"}
    assert matched("phase=PHASE3") == {"ALS-SEOUL"}
    assert matched("phase=na") == {"TONSILS"}
    assert matched("phase=phase3&phase=phase4") == {"ALS-SEOUL", "SJOGREN"}
    assert matched("phase=early_phase1") == set()


def test_phase_is_a_whole_code() -> None:
    cat = catalog_of(trial("P1", phases=("PHASE1",)), trial("E1", phases=("EARLY_PHASE1",)))
    assert matched("phase=phase1", cat) == {"P1"}
    assert matched("phase=early_phase1", cat) == {"E1"}


def test_type() -> None:
    assert matched("type=observational") == {"BUSAN", "SJOGREN"}
    assert matched("type=Interventional") == set(TRIALS) - {"BUSAN", "SJOGREN"}
    assert matched("type=expanded_access") == set()


def test_filters_combine() -> None:
    assert ids("cond=palsy&age=4&status=recruiting&near=Hanoi") == ["CP-HANOI"]
    assert ids("cond=palsy&age=4&status=recruiting&near=Da+Nang") == []
    assert ids("cond=palsy&age=4&status=not_yet_recruiting&near=Da+Nang") == ["DA-NANG"]
    assert ids("cond=palsy&age=1y6m") == ["CP-HANOI"]  # Da Nang starts at 2 years
    assert ids("cond=palsy&phase=phase2&type=interventional&country=Vietnam") == ["CP-HANOI"]


def test_search_parses_when_needed() -> None:
    text = "cond=palsy&status=recruiting"
    assert search(CATALOG, text)["id"].tolist() == ids(text) == ["CP-HANOI"]
    assert search(CATALOG, parsed_ok(text))["id"].tolist() == ["CP-HANOI"]


# --- order -----------------------------------------------------------------------------------


def ordering_catalog():
    center = (21.0245, 105.8412)

    def at(km: float) -> tuple[float, float]:
        return destination(*center, 90.0, km)

    return catalog_of(
        trial("A-OPEN-10KM-2020", last_update="2020-01-01", sites=(site("a", "VN", at=at(10)),)),
        trial("B-OPEN-5KM-2019", last_update="2019-01-01", sites=(site("b", "VN", at=at(5)),)),
        trial(
            "C-CLOSED-1KM-2025",
            status="COMPLETED",
            last_update="2025-01-01",
            sites=(site("c", "VN", at=at(1)),),
        ),
        trial("D-OPEN-10KM-2024", last_update="2024-06", sites=(site("d", "VN", at=at(10)),)),
        trial("E-OPEN-10KM-NONE", last_update=None, sites=(site("e", "VN", at=at(10)),)),
        trial(
            "F-SOON-20KM-2025",
            status="NOT_YET_RECRUITING",
            last_update="2025-02-01",
            sites=(site("f", "VN", at=at(20)),),
        ),
        trial(
            "G-CLOSED-2KM-2021",
            status="TERMINATED",
            last_update="2021-01-01",
            sites=(site("g", "VN", at=at(2)),),
        ),
    )


def test_order_open_first_then_nearest_then_most_recently_updated() -> None:
    result = apply_query(ordering_catalog(), parsed_ok("near=21.0245,105.8412"))
    assert result["id"].tolist() == [
        "B-OPEN-5KM-2019",
        "D-OPEN-10KM-2024",
        "A-OPEN-10KM-2020",
        "E-OPEN-10KM-NONE",
        "F-SOON-20KM-2025",
        "C-CLOSED-1KM-2025",
        "G-CLOSED-2KM-2021",
    ]
    open_rows = result.loc[result["is_open"]]
    assert open_rows["distance_km"].is_monotonic_increasing


def test_order_without_a_place_is_open_first_then_most_recent() -> None:
    result = apply_query(ordering_catalog(), Query())
    assert result["id"].tolist() == [
        "F-SOON-20KM-2025",
        "D-OPEN-10KM-2024",
        "A-OPEN-10KM-2020",
        "B-OPEN-5KM-2019",
        "E-OPEN-10KM-NONE",
        "C-CLOSED-1KM-2025",
        "G-CLOSED-2KM-2021",
    ]


def test_order_with_month_only_dates() -> None:
    cat = catalog_of(
        trial("DAY", last_update="2025-02-28"),
        trial("MONTH", last_update="2025-03"),
        trial("OLD", last_update="2024-12-31"),
    )
    assert ids("", cat) == ["MONTH", "DAY", "OLD"]


def test_enrolling_by_invitation_and_available_count_as_open() -> None:
    cat = catalog_of(
        trial("CLOSED", status="ACTIVE_NOT_RECRUITING", last_update="2026-01-01"),
        trial("INVITE", status="ENROLLING_BY_INVITATION", last_update="2020-01-01"),
        trial("AVAILABLE", status="AVAILABLE", last_update="2019-01-01"),
        trial("UNKNOWN", status=None, last_update="2027-01-01"),
    )
    assert ids("", cat) == ["INVITE", "AVAILABLE", "UNKNOWN", "CLOSED"]


# --- bad links ------------------------------------------------------------------------------

BASE = "cond=palsy&status=recruiting"
LONG = "x" * 10_000


@pytest.mark.parametrize(
    ("bad", "key"),
    [
        ("foo=bar", "foo"),
        ("age=abc", "age"),
        ("age=-3", "age"),
        ("age=500y", "age"),
        ("age=4 3", "age"),
        ("status=bogus", "status"),
        ("status=" + LONG, "status"),
        ("near=Xyzzyville", "near"),
        ("near=91,0", "near"),
        ("near=Hanoi&within=-5", "within"),
        ("near=Hanoi&within=1e9", "within"),
        ("near=Hanoi&within=0", "within"),
        ("near=Hanoi&within=nan", "within"),
        ("near=Hanoi&within=far", "within"),
        ("within=10", "within"),
        ("cond=" + LONG, "cond"),
        ("age=" + "4" * 10_000, "age"),
        ("near=" + LONG, "near"),
        ("country=%21%21%21", "country"),
        ("phase=phase9", "phase"),
        ("type=bogus", "type"),
        ("age=4&age=5", "age"),
        (LONG + "=1", LONG[:40]),
        ("a%0Ab=1", "a\nb"),
    ],
)
def test_each_bad_part_is_one_problem_and_the_rest_still_applies(bad: str, key: str) -> None:
    parsed = parse_query(f"{BASE}&{bad}")
    assert len(parsed.problems) == 1, parsed.problems
    (problem,) = parsed.problems
    assert problem.key == key
    assert parsed.query.cond == ("palsy",)
    assert parsed.query.status == ("RECRUITING",)
    # One line, short, that names what was ignored.
    notice = parsed.notice()
    assert notice is not None and notice.startswith("Ignored ")
    assert "\n" not in notice and "\r" not in notice
    assert len(notice) < 400
    assert repr(key)[1:-1][:10] in notice or key[:10] in notice
    # The good filters still apply.
    assert ids(parsed.query) == ["CP-HANOI"]


def test_every_bad_part_at_once() -> None:
    bad = [
        "foo=bar",
        "age=abc",
        "status=bogus",
        "near=Xyzzyville",
        "phase=phase9",
        "cond=" + LONG,
    ]
    parsed = parse_query("&".join([BASE, *bad]))
    assert [p.key for p in parsed.problems] == ["foo", "age", "status", "near", "phase", "cond"]
    assert parsed.query == Query(cond=("palsy",), status=("RECRUITING",))
    notice = parsed.notice()
    assert notice.count("; ") == len(bad) - 1 and "\n" not in notice
    assert "foo='bar': unknown key" in notice
    assert LONG not in notice  # long values are shortened


def test_problem_messages_say_why() -> None:
    def message(text: str) -> str:
        (problem,) = parse_query(text).problems
        return problem.message

    assert message("age=abc") == "is not an age like 4, 4 years 3 months, 18 months or 4 tuổi"
    assert message("age=500y") == "is older than 130 years"
    assert "not a status" in message("status=bogus") and "recruiting" in message("status=bogus")
    assert "gazetteer" in message("near=Xyzzyville")
    assert "between 0 and 20,000 km" in message("near=Hanoi&within=-5")
    assert message("within=10") == "needs near"
    assert message("cond=" + LONG) == f"longer than {MAX_VALUE_LENGTH} characters"
    assert message("foo=1") == "unknown key"


def test_problem_messages_in_the_interfaces_language() -> None:
    """The notice is said in the page's language: its reasons too, not only "Ignored"."""
    link = "&".join(
        [
            BASE,
            "foo=bar",
            "age=abc",
            "age=4&age=5",
            "status=bogus",
            "near=Xyzzyville",
            "country=%21%21",
            "cond=%21",
            "spons=" + LONG,
        ]
    )
    with i18n.using("vi"):
        notice = parse_query(link).notice()
        assert parse_query("within=10").problems[0].message == i18n._("needs near")
    assert notice.startswith("Đã bỏ qua foo='bar': tham số không được hỗ trợ; age='abc': ")
    for english in ("unknown key", "is not", "older", "given more", "longer than", "one of"):
        assert english not in notice
    for key in ("foo='bar'", "age='5'", "status='bogus'", "near='Xyzzyville'", "country='!!'"):
        assert key in notice  # the link's own words stay as the link wrote them
    assert "(một trong: recruiting, not_yet_recruiting," in notice  # in the link's spelling
    assert parse_query(link).notice().startswith("Ignored foo='bar': unknown key; ")


def test_too_many_values_for_one_key() -> None:
    text = "&".join(f"cond=term{i}" for i in range(MAX_VALUES_PER_KEY + 1))
    parsed = parse_query(text)
    assert len(parsed.query.cond) == MAX_VALUES_PER_KEY
    assert len(parsed.problems) == 1


def test_a_good_link_has_no_notice() -> None:
    assert parse_query(BASE).notice() is None
    assert parse_query("").notice() is None
    assert parse_query("").query == Query()


# --- describe ------------------------------------------------------------------------------


def test_describe_the_example() -> None:
    query = parsed_ok("cond=cerebral+palsy&age=4&status=recruiting&near=Hanoi")
    assert query.describe() == (
        "Recruiting trials for cerebral palsy that accept a child of 4 years, within 50 km of Hanoi"
    )
    assert query.describe(1) == (
        "1 recruiting trial for cerebral palsy that accepts a child of 4 years, "
        "within 50 km of Hanoi"
    )
    assert query.describe(0).startswith("0 recruiting trials for cerebral palsy that accept ")
    assert query.describe(12).startswith("12 recruiting trials ")


@pytest.mark.parametrize(
    ("text", "count", "sentence"),
    [
        ("", None, "Trials"),
        ("", 1, "1 trial"),
        ("", 0, "0 trials"),
        ("status=recruiting", 2, "2 recruiting trials"),
        (
            "status=recruiting&status=not_yet_recruiting",
            None,
            "Recruiting or not yet recruiting trials",
        ),
        ("age=1y1m", 1, "1 trial that accepts a child of 1 year 1 month"),
        ("age=18m", 3, "3 trials that accept a child of 1 year 6 months"),
        ("age=0", None, "Trials that accept a child of 0 months"),
        ("cond=palsy&cond=als", None, "Trials for palsy or als"),
        ("country=Korea%2C+Republic+of", 1, "1 trial with a site in South Korea"),
        ("near=Hanoi&within=12.5", None, "Trials within 12.5 km of Hanoi"),
        (
            "country=Vietnam&near=Hanoi",
            None,
            "Trials with a site in Vietnam within 50 km of Hanoi",
        ),
        (
            "age=4&country=Vietnam",
            None,
            "Trials that accept a child of 4 years, with a site in Vietnam",
        ),
        ("type=observational", 1, "1 observational trial"),
        ("status=recruiting&type=interventional", None, "Recruiting interventional trials"),
        ("phase=phase2", None, "Trials in phase 2"),
        ("phase=phase2&phase=early_phase1", None, "Trials in phase 2 or early phase 1"),
        ("phase=na", None, "Trials without a phase"),
        ("status=active_not_recruiting", None, "Active but not recruiting trials"),
        ("status=unknown", 2, "2 unknown-status trials"),
    ],
)
def test_describe(text: str, count: int | None, sentence: str) -> None:
    assert parsed_ok(text).describe(count) == sentence


def test_describe_the_result_of_a_search() -> None:
    query = parsed_ok("cond=palsy&status=recruiting&status=not_yet_recruiting&country=Vietnam")
    count = len(apply_query(CATALOG, query))
    assert count == 2
    assert query.describe(count) == (
        "2 recruiting or not yet recruiting trials for palsy with a site in Vietnam"
    )


@given(queries(), st.none() | st.integers(0, 10_000))
def test_describe_is_one_sentence_naming_every_filter(query: Query, count: int | None) -> None:
    sentence = query.describe(count)
    assert "\n" not in sentence
    # The noun agrees with the count: "1 trial", "2 trials", "Trials".
    noun = re.search(r"\btrials?\b", sentence, re.IGNORECASE)
    assert noun is not None
    assert noun.group().lower() == ("trial" if count == 1 else "trials")
    if count is None:
        assert sentence[0].isupper()
    else:
        assert sentence.startswith(f"{count:,} ")  # English groups digits with commas
    for cond in query.cond:
        assert cond in sentence
    for country in query.country:
        assert country in sentence
    if query.age is not None:
        assert f"a child of {query.age.in_words()}" in sentence
        assert ("accepts" in sentence) == (count == 1) or "accepts" in " ".join(query.cond)
    if query.near:
        assert f"km of {query.near}" in sentence


# --- treatments and sponsors (intr, spons) ---------------------------------------


def _treatment_catalog():
    cells = trial(
        "CELLS",
        title="Cells for cerebral palsy",
        conditions=("Cerebral Palsy",),
        arms=(Arm(label="Cells", interventions=("Biological: Bone marrow mononuclear cells",)),),
    )
    cells = replace(
        cells,
        interventions=(
            Intervention(
                name="Autologous BM MNC", type="BIOLOGICAL", other_names=("Stem cell infusion",)
            ),
        ),
        sponsor="Vinmec Research Institute of Stem Cell and Gene Technology",
    )
    drug = replace(
        trial("DRUG", title="A medicine for memory", conditions=("Memory loss",)),
        interventions=(Intervention(name="Piracetam", type="DRUG"),),
        sponsor="Hanoi Medical University",
        collaborators=("Vinmec International Hospital",),
    )
    named_after = trial("TITLE-ONLY", title="Piracetam in the title only", conditions=("Memory",))
    return catalog_of(cells, drug, named_after)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("intr=bone marrow mononuclear cells", ["CELLS"]),  # an arm's intervention entry
        ("intr=BM MNC", ["CELLS"]),  # an intervention name, any case
        ("intr=stem cell infusion", ["CELLS"]),  # another name
        ("intr=biological", ["CELLS"]),  # the intervention type
        ("intr=piracetam", ["DRUG"]),  # not the trial whose title alone says it
        ("intr=piracetam&intr=bm mnc", ["CELLS", "DRUG"]),  # several: any of them
        ("intr=mononuclear cell", ["CELLS"]),  # a plural is the same word
        ("intr=mononuclear cel", []),  # word boundaries: "cel" is not "cells"
        ("spons=vinmec", ["CELLS", "DRUG"]),  # lead sponsor or collaborator
        ("spons=hanoi medical university", ["DRUG"]),
        ("cond=vinmec", []),  # a sponsor is not a condition
        ("cond=piracetam", ["TITLE-ONLY"]),  # nor is a treatment (titles are)
    ],
)
def test_treatment_and_sponsor_matching(query: str, expected: list[str]) -> None:
    ids = apply_query(_treatment_catalog(), parse_query(query).query)["id"].tolist()
    assert sorted(ids) == expected


def test_treatment_and_sponsor_round_trip_and_read_in_words() -> None:
    parsed = parse_query("intr=bone+marrow+cells&spons=Vinmec&cond=cerebral+palsy")
    assert parsed.problems == ()
    assert (
        parsed.query.to_query_string() == "cond=cerebral+palsy&intr=bone+marrow+cells&spons=Vinmec"
    )
    assert parsed.query.describe() == (
        "Trials for cerebral palsy testing bone marrow cells run by Vinmec"
    )
    assert parse_query("intr=%20%21%20").problems[0].key == "intr"


# --- the sites of a view -----------------------------------------------------------------


def _sites_in_place(catalog, query: Query, ids) -> pd.DataFrame:
    """The rule of matching_sites written out with pandas over the whole sites table."""
    sites = catalog.sites
    keep = sites["trial_id"].isin(list(ids))
    if query.country:
        keep &= sites["country_key"].isin(query.country).fillna(False)
    if query.status:
        keep &= (sites["status"].isna() | sites["status"].isin(query.status)).fillna(False)
    if query.place is not None:
        far = geo.distance_km(query.place.lat, query.place.lon, sites["lat"], sites["lon"])
        keep &= far <= query.radius_km
    return sites.loc[keep]


@pytest.mark.parametrize(
    "text", ["country=Vietnam", "near=Hanoi&within=2000", "status=recruiting&country=Vietnam", ""]
)
def test_the_sites_of_results_and_of_frames_made_from_them(text: str) -> None:
    from trialfinder.query import result_sites, site_trials

    query = parsed_ok(text)
    results = apply_query(CATALOG, query)
    assert len(results) > 1
    views = [
        results,
        results.iloc[::-1],  # same length, other order: its rows are looked up again
        results.head(1),
        results.assign(id=results["id"].iloc[::-1].to_numpy()),  # ids changed in place
        results.iloc[0:0],
    ]
    for view in views:
        got = result_sites(CATALOG, query, view)
        if query.has_place:
            expected = _sites_in_place(CATALOG, query, view["id"])
        else:
            expected = CATALOG.sites.loc[CATALOG.sites["trial_id"].isin(list(view["id"]))]
        assert got.index.tolist() == expected.index.tolist(), text
        assert (got["trial_id"].tolist()) == expected["trial_id"].tolist()
        # Each site's trial, as the map counts them: the row of that trial's id.
        rows = site_trials(CATALOG, got)
        assert CATALOG.trials["id"].to_numpy()[rows].tolist() == got["trial_id"].tolist()
