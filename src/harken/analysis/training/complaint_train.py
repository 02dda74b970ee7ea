"""Train the complaint model shipped as ``weights/complaint.{npz,json}``.

The rules in ``intents.py`` find grievances with a clear surface form ("still waiting",
"doesn't work"); this model finds the ones said in other words ("I sent it twice now to
apparently noone!") and is asked only where the rules' target gate holds (a business, a
handle or the workspace's names). Logistic regression on the sentiment model's features,
so ``analyze()`` featurises nothing more for it. Its data:

* the *dev* half (even lines) of ``tests/analysis/data/intents.jsonl``, hand-labelled
  (weight 3); the test half is never read here;
* weak labels from customer-support-twitter: a customer's message that the company
  answered with an apology ("sorry", "apologies", "not the experience") is a complaint, one
  it answered otherwise is not (weight 1). Messages in the intent set or the
  customer-service set are left out, so that both stay held out;
* weak labels from brand-emotion-sxsw: a negative emotion aimed at a brand or product is a
  complaint, a positive or no emotion is not (weight 0.3; rows of the intent set left out).

The threshold is chosen on out-of-fold scores of the dev half (5 folds, weak data always
in training), and the decision is "rules, or model ≥ threshold within the target gate".
Variants (complaint F1 on dev out-of-fold / held-out test half / customer-service set;
weights twcs, sxsw, dev, C; each with its own dev-chosen threshold), 2026-12-07:

  rules alone (before) .................................... 0.811 / 0.761 / 0.771
  1, 0.3, 3, C=1  model alone ............................. 0.798 / 0.772 / 0.783
                  within the gate ......................... 0.817 / 0.754 / 0.798
                  rules or model .......................... 0.812 / 0.761 / 0.816
                  rules or model within the gate .......... 0.820 / 0.778 / 0.814
  1, 0,   3, C=1  rules or model within the gate .......... 0.824 / 0.779 / 0.816
                  model alone / gate / or ................. 0.808, 0.820, 0.820 on dev
  0, 0,   1, C=1  (dev labels only) rules or model, gate .. 0.818 / 0.782 / 0.777
  1, 0.3, 3, C=4  rules or model within the gate, t 0.175   0.828 / 0.775 / 0.796  <- chosen
                  (the best dev out-of-fold figure; the test and CS figures were read
                  only after the choice, and the others differ from it by noise)

The shipped run (this file, its own folds) chose 0.2: dev out-of-fold 0.837; through
``analyze()`` the test half reads 0.777 (precision 0.744, recall 0.814) and the
customer-service set 0.801. It costs praise on the test half 0.604 -> 0.589.

Run: ``python -m harken.analysis.training.complaint_train`` (a few CPU minutes).
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from harken.analysis import api
from harken.analysis import intents as rules
from harken.analysis.features import featurise
from harken.analysis.labelled import default_data_dir
from harken.analysis.linear import LinearModel
from harken.analysis.text import clean, head, normalise
from harken.analysis.training.evalset import load
from harken.analysis.training.train import MODELS_DIR, SENTIMENT_FEATURES

SEED = 20261207
ROOT = Path(__file__).resolve().parents[4]
INTENT_LABELS = ROOT / "tests" / "analysis" / "data" / "intents.jsonl"
CS_LABELS = ROOT / "tests" / "analysis" / "data" / "cs_sentiment.jsonl"
WEIGHTS = {"twcs": 1.0, "sxsw": 0.3, "dev": 3.0}
COMPLAINT_C = 4.0
#: How a company's answer says sorry: what it answered was a grievance.
_APOLOGY = re.compile(
    r"\b(?:sorry|apolog\w*|unfortunate\w*|regret|frustrat\w*|not the experience"
    r"|inconvenience|hear that|hate to hear)\b",
    re.IGNORECASE,
)


def _refs(path: Path, source: str) -> set[str]:
    entries = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return {e["ref"] for e in entries if e["source"] == source}


def weak_twcs(data: Path, held: set[str]) -> tuple[list[str], list[int]]:
    path = data / "customer-support-twitter" / "twcs_first5000.csv"
    with path.open(encoding="utf-8", errors="replace", newline="") as handle:
        rows = [row for row in list(csv.reader(handle))[1:] if len(row) == 8]
    by_id = {row[1]: row for row in rows}
    texts, targets = [], []
    for row in rows:
        if row[3] != "True" or row[1] in held:
            continue
        answers = [by_id[i] for i in row[6].split(",") if i in by_id and by_id[i][3] == "False"]
        if answers:
            texts.append(row[5])
            targets.append(int(any(_APOLOGY.search(a[5]) for a in answers)))
    return texts, targets


def weak_sxsw(data: Path, held: set[str]) -> tuple[list[str], list[int]]:
    path = data / "brand-emotion-sxsw" / "judge-1377884607_tweet_product_company.csv"
    with path.open(encoding="latin-1", newline="") as handle:
        rows = list(csv.reader(handle))
    texts, targets = [], []
    for i, row in enumerate(rows):
        if i and len(row) >= 3 and str(i) not in held:
            texts.append(row[0])
            targets.append(int(row[2] == "Negative emotion"))
    return texts, targets


def gate(texts: list[str]) -> np.ndarray:
    """Where the model may speak: ``intents.has_target`` without the workspace's names."""
    return np.array([rules.has_target(t.lower().replace("’", "'")) for t in texts], dtype=bool)


def rule_intents(texts: list[str]) -> list[tuple[str, ...]]:
    """The intents ``analyze()`` finds without this model (the rules and the other models)."""
    cleaned = [clean(t) for t in texts]
    normed = [normalise(head(t)) for t in cleaned]
    cache: dict = {}
    sentiment = api.sentiment_probabilities([head(t) for t in cleaned], cache, normed)
    return rules.classify(cleaned, sentiment, api.question_probabilities(normed, cache))


def _fit(parts: list[tuple[sparse.csr_matrix, np.ndarray, float]]) -> LogisticRegression:
    matrix = sparse.vstack([p[0] for p in parts]).tocsr()
    targets = np.concatenate([p[1] for p in parts])
    weights = np.concatenate([np.full(len(p[1]), p[2]) for p in parts])
    model = LogisticRegression(C=COMPLAINT_C, max_iter=3000, random_state=SEED)
    return model.fit(matrix, targets, sample_weight=weights)


def _f1(gold: np.ndarray, found: np.ndarray) -> float:
    tp = int((gold & found).sum())
    return 2 * tp / (int(gold.sum()) + int(found.sum())) if tp else 0.0


def train_complaints(data: Path, out_dir: Path) -> LinearModel:
    np.random.seed(SEED)
    held_twcs = _refs(INTENT_LABELS, "twcs") | _refs(CS_LABELS, "twcs")
    twcs_texts, twcs_targets = weak_twcs(data, held_twcs)
    sxsw_texts, sxsw_targets = weak_sxsw(data, _refs(INTENT_LABELS, "sxsw"))
    dev = [row for i, row in enumerate(load(INTENT_LABELS, data)) if i % 2 == 0]
    dev_texts = [text for text, _ in dev]
    dev_targets = np.array([int("complaint" in found) for _, found in dev])
    weak = [
        (featurise(twcs_texts, SENTIMENT_FEATURES), np.array(twcs_targets), WEIGHTS["twcs"]),
        (featurise(sxsw_texts, SENTIMENT_FEATURES), np.array(sxsw_targets), WEIGHTS["sxsw"]),
    ]
    dev_matrix = featurise(dev_texts, SENTIMENT_FEATURES)
    by_rules = np.array(["complaint" in found for found in rule_intents(dev_texts)])
    out_of_fold = np.zeros(len(dev_targets))
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=SEED)
    for train, test in folds.split(dev_matrix, dev_targets):
        fold = _fit([*weak, (dev_matrix[train], dev_targets[train], WEIGHTS["dev"])])
        out_of_fold[test] = fold.predict_proba(dev_matrix[test])[:, 1]
    targeted, gold = gate(dev_texts), dev_targets.astype(bool)
    thresholds = np.round(np.arange(0.1, 0.9, 0.025), 3)
    figures = {float(t): _f1(gold, by_rules | (targeted & (out_of_fold >= t))) for t in thresholds}
    threshold = max(figures, key=lambda t: (figures[t], -t))
    print(
        f"complaint, dev out-of-fold F1: rules {_f1(gold, by_rules):.3f}, "
        f"with the model at {threshold}: {figures[threshold]:.3f}"
    )
    model = _fit([*weak, (dev_matrix, dev_targets, WEIGHTS["dev"])])
    shipped = LinearModel(
        classes=("complaint",),
        weights=model.coef_.T.astype(np.float32),
        bias=model.intercept_.astype(np.float32),
        config=SENTIMENT_FEATURES,
        multilabel=True,
        meta={
            "trained_on": "intents.jsonl dev half; weak labels from customer-support-twitter "
            "(apology answers) and brand-emotion-sxsw (negative emotion)",
            "weights": WEIGHTS,
            "C": COMPLAINT_C,
            "threshold": threshold,
            "dev_out_of_fold_f1": round(figures[threshold], 4),
            "seed": SEED,
        },
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    shipped.save(out_dir / "complaint")
    return shipped


if __name__ == "__main__":
    train_complaints(default_data_dir(), MODELS_DIR)
