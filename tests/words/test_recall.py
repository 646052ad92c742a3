"""Recall and precision of searches in a family's words, on real registry records.

For each query: the trials the registry codes with the meant MeSH term (in the
record's own MeSH terms or their ancestors; for a treatment, the intervention
MeSH terms) are the ones a family means. Recall is the share of them the finder
returns; precision is the share of what it returns that is about the thing:
coded with the term, or naming it in its conditions, keywords, title or
treatments (the words of ``ABOUT``). Skipped when ../shared/ctgov is absent.

``python -m tests.words.test_recall`` prints the table the README shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.support.studies import V2_JSON, real_studies
from trialfinder.ages import ChildAge, admits
from trialfinder.catalog import Catalog, build_catalog
from trialfinder.model import Trial
from trialfinder.query import apply_query, parse_query
from trialfinder.sources.ctgov import parse_study
from trialfinder.words import fold
from trialfinder.words.synonyms import load_synonyms

SYNONYMS_FILE = Path(__file__).resolve().parents[2] / "data" / "synonyms.yaml"
AIM = 0.9


@dataclass(frozen=True)
class Case:
    kind: str  # "lay", "British", "Vietnamese", "brand"
    key: str  # "cond" or "intr"
    typed: str
    meant: tuple[str, ...]  # MeSH terms
    about: tuple[str, ...]  # words that make a trial about it
    child: bool = False


CASES = (
    Case("lay", "cond", "impotence", ("Erectile Dysfunction",), ("erectile", "impotence")),
    Case(
        "lay",
        "cond",
        "slipped disc",
        ("Intervertebral Disc Displacement",),
        ("disc herniation", "herniated disc", "disc displacement", "disc prolapse"),
    ),
    Case(
        "lay",
        "cond",
        "enlarged prostate",
        ("Prostatic Hyperplasia",),
        ("prostatic hyperplasia", "prostate hyperplasia", "prostate enlargement"),
    ),
    Case("lay", "cond", "high blood pressure", ("Hypertension",), ("hypertension",)),
    Case("lay", "cond", "bedwetting", ("Enuresis",), ("enuresis", "bedwetting")),
    Case(
        "lay",
        "cond",
        "insomnia",
        ("Sleep Initiation and Maintenance Disorders",),
        ("insomnia", "sleep initiation"),
    ),
    Case("lay", "cond", "migraines", ("Migraine Disorders",), ("migraine",)),
    Case(
        "lay",
        "cond",
        "leukemia child",
        ("Leukemia",),
        ("leukemia", "leukaemia"),
        child=True,
    ),
    Case("British", "cond", "leukaemia", ("Leukemia",), ("leukemia", "leukaemia")),
    Case(
        "British",
        "cond",
        "paediatric leukaemia",
        ("Leukemia",),
        ("leukemia", "leukaemia"),
        child=True,
    ),
    Case(
        "British",
        "cond",
        "tumours",
        ("Neoplasms",),
        (
            "neoplasm",
            "tumor",
            "cancer",
            "carcinoma",
            "leukemia",
            "lymphoma",
            "sarcoma",
            "myeloma",
            "metastasis",
        ),
    ),
    Case(
        "British",
        "cond",
        "brain tumour",
        ("Brain Neoplasms",),
        ("brain tumor", "brain neoplasm", "glioma", "glioblastoma", "brain metastasis"),
    ),
    Case(
        "lay",
        "cond",
        "diabetes type 1",
        ("Diabetes Mellitus, Type 1",),
        ("type 1 diabetes", "diabetes mellitus type 1", "insulin-dependent"),
    ),
    Case(
        "British",
        "cond",
        "prostate tumours",
        ("Prostatic Neoplasms",),
        ("prostate cancer", "prostatic neoplasm", "prostate tumor", "prostate carcinoma"),
    ),
    Case("Vietnamese", "cond", "bạch cầu", ("Leukemia",), ("leukemia", "leukaemia")),
    Case("Vietnamese", "cond", "ung thư máu", ("Leukemia",), ("leukemia", "leukaemia")),
    Case(
        "Vietnamese",
        "cond",
        "thoát vị đĩa đệm",
        ("Intervertebral Disc Displacement",),
        ("disc herniation", "herniated disc", "disc displacement", "disc prolapse"),
    ),
    Case(
        "Vietnamese",
        "cond",
        "tiểu đường",
        ("Diabetes Mellitus",),
        ("diabetes", "diabetic"),
    ),
    Case("Vietnamese", "cond", "hen suyễn", ("Asthma",), ("asthma",)),
    Case("Vietnamese", "cond", "cao huyết áp", ("Hypertension",), ("hypertension",)),
    Case(
        "Vietnamese",
        "cond",
        "trầm cảm",
        ("Depression", "Depressive Disorder"),
        ("depression", "depressive"),
    ),
    Case(
        "Vietnamese",
        "cond",
        "rối loạn cương dương",
        ("Erectile Dysfunction",),
        ("erectile", "impotence"),
    ),
    Case("brand", "intr", "Viagra", ("Sildenafil Citrate",), ("sildenafil", "viagra")),
    Case("brand", "intr", "Cialis", ("Tadalafil",), ("tadalafil", "cialis")),
    Case("brand", "intr", "Levitra", ("Vardenafil Dihydrochloride",), ("vardenafil", "levitra")),
    Case("brand", "intr", "Venclexta", ("Venetoclax",), ("venetoclax", "venclexta")),
    Case(
        "brand",
        "intr",
        "Botox",
        ("Botulinum Toxins, Type A",),
        ("botulinum", "botox", "dysport", "xeomin", "incobotulinumtoxina"),
    ),
)


@cache
def registry() -> tuple[dict[str, Trial], Catalog]:
    trials = {}
    for study in real_studies():
        try:
            trial = parse_study(study, "shared")
        except ValueError:
            continue
        trials[trial.id] = trial
    synonyms, problems = load_synonyms(SYNONYMS_FILE)
    assert problems == []
    return trials, build_catalog(list(trials.values()), synonyms=synonyms)


def _coded(trial: Trial, case: Case) -> bool:
    if case.key == "intr":
        codes = (*trial.intervention_mesh_terms, *trial.intervention_mesh_ancestors)
    else:
        codes = (*trial.mesh_terms, *trial.mesh_ancestors)
    return any(term in codes for term in case.meant)


def _text(trial: Trial, case: Case) -> str:
    if case.key == "intr":
        parts = [i.name for i in trial.interventions]
        parts += [n for i in trial.interventions for n in i.other_names]
    else:
        parts = [*trial.conditions, *trial.keywords, trial.brief_title or ""]
        parts.append(trial.official_title or "")
    return " ".join(fold.keys(" | ".join(parts)))


def _about(trial: Trial, case: Case) -> bool:
    text = f" {_text(trial, case)} "
    return _coded(trial, case) or any(
        f" {' '.join(fold.keys(word))} " in text for word in case.about
    )


def _accepts_a_child(trial: Trial) -> bool:
    """Some age under 18 years is admitted (the age rule itself, month by month)."""
    e = trial.eligibility
    return any(admits(e.min_age, e.max_age, ChildAge(months)) for months in range(18 * 12))


def measure(case: Case) -> tuple[int, int, float, float]:
    """(meant, returned, recall, precision) of one query."""
    trials, catalog = registry()
    query = parse_query(urlencode({case.key: case.typed})).query
    returned = set(apply_query(catalog, query)["id"])
    meant = {
        t.id for t in trials.values() if _coded(t, case) and (not case.child or _accepts_a_child(t))
    }
    about = {t for t in returned if _about(trials[t], case)}
    recall = len(meant & returned) / len(meant) if meant else 1.0
    precision = len(about) / len(returned) if returned else 1.0
    return len(meant), len(returned), recall, precision


needs_records = pytest.mark.skipif(
    not V2_JSON.is_dir(), reason=f"real registry records not found at {V2_JSON}"
)


@needs_records
@pytest.mark.parametrize("case", CASES, ids=[f"{c.key}={c.typed}" for c in CASES])
def test_recall_and_precision_of_a_familys_words(case: Case) -> None:
    meant, returned, recall, precision = measure(case)
    assert meant >= 3, "too few coded trials to measure"
    assert recall >= AIM, f"recall {recall:.0%} of {meant}"
    assert precision >= AIM, f"precision {precision:.0%} of {returned}"


def table() -> str:
    lines = [
        "| typed | kind | meant (registry's MeSH term) | coded trials | returned "
        "| recall | precision |",
        "|---|---|---|---|---|---|---|",
    ]
    for case in CASES:
        meant, returned, recall, precision = measure(case)
        child = " + accepts a child" if case.child else ""
        lines.append(
            f"| `{case.key}={case.typed}` | {case.kind} | {', '.join(case.meant)}{child} "
            f"| {meant} | {returned} | {recall:.0%} | {precision:.0%} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    print(table())
