"""The benchmark's synthetic registry: deterministic, valid API v2, with the real spread."""

import json
from collections import Counter
from pathlib import Path

from benchmarks.generate import studies, write_pages
from trialfinder.sources.ctgov import iter_studies, parse_study


def test_same_seed_same_studies_other_seed_other_studies() -> None:
    first = [json.dumps(s, sort_keys=True) for s in studies(50, seed=3)]
    assert first == [json.dumps(s, sort_keys=True) for s in studies(50, seed=3)]
    assert first != [json.dumps(s, sort_keys=True) for s in studies(50, seed=4)]


def test_pages_chain_with_tokens_and_every_study_imports(tmp_path: Path) -> None:
    files = write_pages(2500, tmp_path, seed=1, page_size=1000)
    assert len(files) == 3
    bodies = [json.loads(f.read_text()) for f in files]
    assert [b.get("nextPageToken") for b in bodies] == ["page-1", "page-2", None]
    trials = [parse_study(item.study, item.origin) for item in iter_studies(tmp_path)]
    assert len({t.id for t in trials}) == 2500


def test_the_spread_looks_like_the_registry() -> None:
    trials = [parse_study(s, "generated") for s in studies(3000, seed=7)]
    statuses = Counter(t.overall_status for t in trials)
    assert statuses.most_common(1)[0][0] == "COMPLETED"
    assert statuses["RECRUITING"] > 200
    sites = [len(t.sites) for t in trials]
    assert min(sites) == 1 and max(sites) > 100
    assert 3 < sum(sites) / len(trials) < 9
    all_sites = [s for t in trials for s in t.sites]
    without = sum(s.lat is None for s in all_sites) / len(all_sites)
    assert 0.005 < without < 0.05
    countries = {s.country for s in all_sites}
    assert {"Korea, Republic of", "South Korea"} <= countries
    max_ages = Counter(t.eligibility.max_age for t in trials)
    assert max_ages[None] > 0 and any(a and a.endswith("Months") for a in max_ages if a)
    assert any(t.eligibility.min_age == "0 Years" for t in trials)
