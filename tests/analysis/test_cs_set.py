"""The customer-service set: 640 support messages labelled by hand for sentiment and intents.

Ids and labels only (the texts stay in ``../shared/data``). Never used to tune anything:
``bench/sentiment.py`` and ``bench/intents.py --cs`` report on all of it.
"""

from __future__ import annotations

import json
from pathlib import Path

from harken.analysis import analyze
from harken.analysis.intents import INTENTS
from harken.analysis.labelled import LABELS as SENTIMENTS
from harken.analysis.training.evalset import load_intents, load_sentiment
from tests.conftest import SHARED_DATA, shared_data

CS = Path(__file__).with_name("data") / "cs_sentiment.jsonl"
INTENT_SET = Path(__file__).with_name("data") / "intents.jsonl"


def entries() -> list[dict]:
    return [json.loads(line) for line in CS.read_text().splitlines() if line.strip()]


def test_the_set_has_600_or_more_labelled_references_and_no_text():
    found = entries()
    assert len(found) >= 600
    assert len({e["ref"] for e in found}) == len(found)
    for entry in found:
        assert set(entry) == {"source", "ref", "sentiment", "intents"}
        assert entry["source"] == "twcs" and entry["sentiment"] in SENTIMENTS
        assert entry["intents"] and set(entry["intents"]) <= set(INTENTS)
        assert entry["intents"] == ["other"] or "other" not in entry["intents"]


def test_it_shares_no_message_with_the_intent_set():
    intent_refs = {
        json.loads(line)["ref"]
        for line in INTENT_SET.read_text().splitlines()
        if json.loads(line)["source"] == "twcs"
    }
    assert not intent_refs & {e["ref"] for e in entries()}


def test_every_reference_resolves_to_a_customers_message():
    shared_data("customer-support-twitter")
    assert len(load_sentiment(CS, SHARED_DATA)) == len(entries())
    assert len(load_intents(CS, SHARED_DATA)) == len(entries())


def test_an_absent_data_folder_gives_an_empty_set(tmp_path):
    assert load_sentiment(CS, tmp_path) == [] and load_intents(CS, tmp_path) == []


def test_the_shipped_analysis_holds_a_floor_on_it():
    shared_data("customer-support-twitter")
    rows = load_sentiment(CS, SHARED_DATA)
    found = analyze([text for text, _ in rows])
    gold = [label for _, label in rows]
    recalls = [
        sum(a.sentiment == label for a, g in zip(found, gold, strict=True) if g == label)
        / gold.count(label)
        for label in SENTIMENTS
    ]
    assert sum(recalls) / 3 > 0.66
