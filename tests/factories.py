"""Small builders for Trial records written in code, and a few ready-made trials.

Every record here is made up for the tests; coordinates are real places so that
distances can be checked against the gazetteer and an independent haversine.
"""

from __future__ import annotations

import math

from trialfinder.catalog import Catalog, build_catalog
from trialfinder.model import Arm, Dates, Design, Eligibility, Site, Trial

# Real coordinates (city centres, rounded), used for sites with their own coordinates.
HANOI = (21.0245, 105.8412)
HO_CHI_MINH_CITY = (10.8230, 106.6297)
SEOUL = (37.5660, 126.9784)
BUSAN = (35.1028, 129.0403)
HAI_PHONG = (20.8648, 106.6835)  # about 100 km from Hanoi


def site(
    city: str | None = None,
    country: str | None = None,
    at: tuple[float, float] | None = None,
    status: str | None = None,
    facility: str | None = None,
    **fields,
) -> Site:
    """A site; ``at`` is (lat, lon), left out for a site without coordinates."""
    lat, lon = at if at is not None else (None, None)
    return Site(
        facility=facility or (f"{city} Hospital" if city else None),
        city=city,
        country=country,
        status=status,
        lat=lat,
        lon=lon,
        **fields,
    )


def trial(
    id: str,
    *,
    title: str | None = None,
    status: str | None = "RECRUITING",
    conditions: tuple[str, ...] = (),
    keywords: tuple[str, ...] = (),
    mesh_terms: tuple[str, ...] = (),
    mesh_ancestors: tuple[str, ...] = (),
    min_age: str | None = None,
    max_age: str | None = None,
    phases: tuple[str, ...] = (),
    study_type: str | None = "INTERVENTIONAL",
    last_update: str | None = None,
    sites: tuple[Site, ...] = (),
    arms: tuple[Arm, ...] = (),
    **fields,
) -> Trial:
    """A trial with only the facts a test cares about."""
    return Trial(
        id=id,
        brief_title=title if title is not None else f"Trial {id}",
        overall_status=status,
        conditions=tuple(conditions),
        keywords=tuple(keywords),
        mesh_terms=tuple(mesh_terms),
        mesh_ancestors=tuple(mesh_ancestors),
        design=Design(study_type=study_type, phases=tuple(phases)),
        eligibility=Eligibility(min_age=min_age, max_age=max_age),
        dates=Dates(last_update=last_update),
        sites=tuple(sites),
        arms=tuple(arms),
        source="test",
        **fields,
    )


def catalog_of(*trials: Trial) -> Catalog:
    """A catalog built from the given trials (no data directory involved)."""
    return build_catalog(list(trials))


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance written out independently of trialfinder.geo."""
    radius = 6371.0088
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * radius * math.asin(math.sqrt(h))


def destination(lat: float, lon: float, bearing_deg: float, km: float) -> tuple[float, float]:
    """The point ``km`` away along ``bearing_deg`` on the sphere (lon in [-180, 180))."""
    angle = km / 6371.0088
    phi, lam, theta = math.radians(lat), math.radians(lon), math.radians(bearing_deg)
    phi2 = math.asin(
        math.sin(phi) * math.cos(angle) + math.cos(phi) * math.sin(angle) * math.cos(theta)
    )
    lam2 = lam + math.atan2(
        math.sin(theta) * math.sin(angle) * math.cos(phi),
        math.cos(angle) - math.sin(phi) * math.sin(phi2),
    )
    return math.degrees(phi2), (math.degrees(lam2) + 180) % 360 - 180


# --- ready-made trials ----------------------------------------------------------------


def cerebral_palsy_hanoi() -> Trial:
    return trial(
        "CP-HANOI",
        title="Stem cells for young children with cerebral palsy",
        conditions=("Cerebral Palsy",),
        keywords=("stem cells",),
        mesh_terms=("Cerebral Palsy",),
        mesh_ancestors=("Brain Diseases", "Nervous System Diseases"),
        min_age="1 Year",
        max_age="6 Years",
        phases=("PHASE1", "PHASE2"),
        last_update="2025-03-01",
        sites=(site("Hanoi", "Vietnam", at=HANOI, status="RECRUITING"),),
        arms=(
            Arm(label="Cells", type="EXPERIMENTAL", interventions=("Biological: BMMNC",)),
            Arm(label="Rehabilitation only", type="NO_INTERVENTION"),
        ),
    )


def tonsillitis() -> Trial:
    return trial(
        "TONSILS",
        title="Removing the tonsils in children with recurrent sore throat",
        conditions=("Tonsillitis",),
        keywords=("tonsils", "vitals monitoring"),
        min_age="3 Years",
        max_age="12 Years",
        phases=("NA",),
        last_update="2024-11-20",
        sites=(site("Ho Chi Minh City", "Vietnam", at=HO_CHI_MINH_CITY, status="RECRUITING"),),
    )


def als_seoul() -> Trial:
    return trial(
        "ALS-SEOUL",
        title="Edaravone in adults with ALS",
        status="COMPLETED",
        conditions=("Amyotrophic Lateral Sclerosis",),
        keywords=("ALS",),
        min_age="18 Years",
        phases=("PHASE3",),
        last_update="2023-05",
        sites=(site("Seoul", "Korea, Republic of", at=SEOUL, status="COMPLETED"),),
    )


def busan_south_korea() -> Trial:
    return trial(
        "BUSAN",
        title="Speech therapy by video call",
        conditions=("Speech Delay",),
        study_type="OBSERVATIONAL",
        last_update="2025-01-10",
        sites=(site("Busan", "South Korea", at=BUSAN, status="RECRUITING"),),
    )


def approximate_da_nang() -> Trial:
    """One site without coordinates in a city the gazetteer knows."""
    return trial(
        "DA-NANG",
        title="Hip surveillance in cerebral palsy",
        conditions=("Cerebral Palsy", "Hip Dislocation"),
        status="NOT_YET_RECRUITING",
        min_age="2 Years",
        max_age="18 Years",
        last_update="2025-06-01",
        sites=(site("Da Nang", "Vietnam"),),
    )


def unknown_city() -> Trial:
    """One site without coordinates in a city no gazetteer knows."""
    return trial(
        "NOWHERE",
        title="Nutrition study",
        conditions=("Malnutrition",),
        last_update="2025-02-01",
        sites=(site("Xyzzyville", "Vietnam"),),
    )


def site_statuses() -> Trial:
    """Recruiting overall; Hanoi has finished, Hai Phong recruits, Ho Chi Minh City says nothing."""
    return trial(
        "MIXED-SITES",
        title="Botulinum toxin for spasticity",
        conditions=("Spasticity",),
        status="RECRUITING",
        last_update="2024-01-01",
        sites=(
            site("Hanoi", "Vietnam", at=HANOI, status="COMPLETED"),
            site("Hai Phong", "Vietnam", at=HAI_PHONG, status="RECRUITING"),
            site("Ho Chi Minh City", "Vietnam", at=HO_CHI_MINH_CITY, status=None),
        ),
    )


def mesh_ancestor_only() -> Trial:
    """Found by "neurodevelopmental disorders" only through a MeSH ancestor."""
    return trial(
        "ANCESTOR",
        title="Early speech programme",
        conditions=("Late talkers",),
        mesh_ancestors=("Neurodevelopmental Disorders",),
        last_update="2025-04-01",
    )


def accented() -> Trial:
    return trial(
        "SJOGREN",
        title="Dry eyes study",
        conditions=("Sjögren's Syndrome",),
        status="WITHDRAWN",
        study_type="OBSERVATIONAL",
        phases=("PHASE4",),
        last_update="2022-02-02",
    )


def all_trials() -> list[Trial]:
    return [
        cerebral_palsy_hanoi(),
        tonsillitis(),
        als_seoul(),
        busan_south_korea(),
        approximate_da_nang(),
        unknown_city(),
        site_statuses(),
        mesh_ancestor_only(),
        accented(),
    ]
