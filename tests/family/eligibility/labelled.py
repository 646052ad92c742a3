"""The hand-labelled criteria items (labelled_items.yaml) and the measures on them."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import yaml

from tests.family.eligibility.corpus import v2_texts
from trialfinder.ages import parse_child_age
from trialfinder.family.eligibility.answers import Answers, parse_answers
from trialfinder.family.eligibility.recognise import KINDS, recognise
from trialfinder.family.eligibility.split import Block, split_criteria
from trialfinder.family.eligibility.verdicts import DOES_NOT_MEET, MEETS, read_item

LABELS = Path(__file__).with_name("labelled_items.yaml")


@dataclass(frozen=True)
class Labelled:
    name: str
    block: Block
    facts: frozenset[str]
    no: str
    yes: str


def profiles() -> dict[str, Answers]:
    data = yaml.safe_load(LABELS.read_text(encoding="utf-8"))["profiles"]
    found = {}
    for name, values in data.items():
        pairs = [(k, str(v)) for k, v in values.items() if k != "age"]
        answers, problems = parse_answers(pairs, age=parse_child_age(values["age"]))
        assert not problems, problems
        found[name] = answers
    return found


def load() -> tuple[list[Labelled], int]:
    """The labelled items, and how many real ones were skipped (records absent)."""
    data = yaml.safe_load(LABELS.read_text(encoding="utf-8"))
    items: list[Labelled] = []
    skipped = 0
    texts = v2_texts()
    for entry in data["real"]:
        text = texts.get(entry["id"])
        if text is None:
            skipped += 1
            continue
        block = split_criteria(text).items[entry["item"]]
        sha = hashlib.sha1(block.text.encode()).hexdigest()[:8]
        assert sha == entry["sha"], f"{entry['id']} item {entry['item']} changed: relabel it"
        items.append(_labelled(f"{entry['id']}#{entry['item']}", block, entry))
    for i, entry in enumerate(data["written"]):
        block = Block("item", "*", entry["text"], section=entry["section"])
        items.append(_labelled(f"written#{i}", block, entry))
    return items, skipped


def _labelled(name: str, block: Block, entry: dict) -> Labelled:
    facts = frozenset(entry["facts"])
    assert facts <= set(KINDS), f"{name}: unknown fact {facts - set(KINDS)}"
    return Labelled(name, block, facts, entry.get("dnm", ""), entry.get("meets", ""))


@dataclass(frozen=True)
class Score:
    found: int
    labelled: int
    right: int

    @property
    def precision(self) -> float:
        return self.right / self.found if self.found else 1.0

    @property
    def recall(self) -> float:
        return self.right / self.labelled if self.labelled else 1.0


def recogniser_scores(items: list[Labelled]) -> dict[str, Score]:
    scores = {}
    found_kinds = {item.name: {f.kind for f in recognise(item.block.text)} for item in items}
    for kind in KINDS:
        found = [i for i in items if kind in found_kinds[i.name]]
        labelled = [i for i in items if kind in i.facts]
        right = [i for i in found if kind in i.facts]
        scores[kind] = Score(len(found), len(labelled), len(right))
    return scores


def verdict_scores(items: list[Labelled]) -> tuple[dict[str, Score], list[str]]:
    """Precision and recall of MEETS and DOES_NOT_MEET over items x profiles, and the
    wrong ones (item, profile, said)."""
    counts = {MEETS: [0, 0, 0], DOES_NOT_MEET: [0, 0, 0]}
    wrong = []
    for name, answers in profiles().items():
        for item in items:
            said = read_item(item.block, answers).verdict
            truth = DOES_NOT_MEET if name in item.no else MEETS if name in item.yes else None
            for verdict, c in counts.items():
                c[0] += said == verdict
                c[1] += truth == verdict
                c[2] += said == verdict == truth
            if said in counts and said != truth:
                wrong.append(f"{item.name} {name}: said {said}: {item.block.text[:90]}")
    return {v: Score(*c) for v, c in counts.items()}, wrong
