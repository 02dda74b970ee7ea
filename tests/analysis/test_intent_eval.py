"""The hand-labelled evaluation set: well-formed, resolvable, and the model holds a floor on it."""

from __future__ import annotations

import json
from pathlib import Path

from harken.analysis import analyze
from harken.analysis.intents import INTENTS
from harken.analysis.training.evalset import load
from tests.conftest import SHARED_DATA, shared_data

LABELS = Path(__file__).with_name("data") / "intents.jsonl"


def test_the_set_has_at_least_600_labelled_references_and_no_text():
    entries = [json.loads(line) for line in LABELS.read_text().splitlines()]
    assert len(entries) >= 600
    for entry in entries:
        assert set(entry) == {"source", "ref", "intents"}
        assert entry["intents"] and set(entry["intents"]) <= set(INTENTS)
        assert entry["intents"] == ["other"] or "other" not in entry["intents"]


def test_every_reference_resolves_to_a_text():
    shared_data("customer-support-twitter")
    rows = load(LABELS, SHARED_DATA)
    assert len(rows) == len(LABELS.read_text().splitlines())


def f1(gold, predicted, intent):
    tp = sum(intent in g and intent in p for g, p in zip(gold, predicted, strict=True))
    guessed = sum(intent in p for p in predicted)
    actual = sum(intent in g for g in gold)
    return 2 * tp / (guessed + actual) if guessed + actual else 0.0


def test_questions_and_complaints_are_found_well():
    shared_data("customer-support-twitter")
    rows = load(LABELS, SHARED_DATA)
    gold = [intents for _, intents in rows]
    predicted = [a.intents for a in analyze([text for text, _ in rows])]
    assert f1(gold, predicted, "question") > 0.7
    assert f1(gold, predicted, "complaint") > 0.6
