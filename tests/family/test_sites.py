"""A trial's sites, nearest first, the rest counted by country."""

from __future__ import annotations

import math

import pandas as pd

from trialfinder.family.sites import plan_sites

HANOI = (21.0245, 105.84117)


def sites(rows: list[tuple[str, str | None, float | None, float | None]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "trial_id": "T",
            "site_index": range(len(rows)),
            "facility": [r[0] for r in rows],
            "city": None,
            "country": [r[1] for r in rows],
            "status": None,
            "lat": [r[2] for r in rows],
            "lon": [r[3] for r in rows],
            "approximate": False,
            "note": None,
        }
    )


BIG = sites(
    [(f"US {i}", "United States", 40.0 + i / 10, -75.0) for i in range(30)]
    + [("Paris", "France", 48.85, 2.35), ("Lyon", "France", 45.76, 4.83)]
    + [("Bach Mai", "Vietnam", 21.0, 105.84), ("Hue", "Viet Nam", 16.46, 107.6)]
    + [("Seoul", "Korea, Republic of", 37.56, 126.97), ("Nowhere", None, None, None)]
)


def test_the_nearest_sites_come_first_with_their_distance() -> None:
    plan = plan_sites(BIG, *HANOI)
    assert plan.first["facility"].tolist() == ["Bach Mai", "Hue", "Seoul", "Lyon", "Paris"]
    assert plan.first["distance_km"].iloc[0] < 5
    # The rest: counted by country (one name a country), most sites first; unplaced last.
    assert plan.countries == (("United States", 30), ("", 1))
    assert len(plan.in_country("United States")) == 30
    assert math.isnan(plan.ordered["distance_km"].iloc[-1])


def test_without_a_place_the_familys_country_comes_first() -> None:
    plan = plan_sites(BIG, countries=("Vietnam",))
    assert plan.first["facility"].tolist()[:2] == ["Bach Mai", "Hue"]
    assert plan.first["facility"].tolist()[2:] == ["US 0", "US 1", "US 2"]
    assert dict(plan.countries)["France"] == 2
    assert dict(plan.countries)["South Korea"] == 1


def test_without_place_or_country_the_registrys_order_is_kept() -> None:
    plan = plan_sites(BIG)
    assert plan.ordered["facility"].tolist() == BIG["facility"].tolist()


def test_a_trial_with_few_sites_lists_them_all() -> None:
    few = BIG.iloc[30:36]
    plan = plan_sites(few, *HANOI)
    assert len(plan.first) == 6
    assert plan.rest.empty
    assert plan.countries == ()


def test_every_site_is_somewhere_in_the_plan() -> None:
    plan = plan_sites(BIG, *HANOI)
    listed = len(plan.first) + sum(n for _country, n in plan.countries)
    assert listed == len(BIG)
