"""Train the question detector shipped as ``models/intent.{npz,json}``.

Data: tweet-acts (BSD-2-Clause), 7,500 tweets with speech acts; QUE is the positive
class. Every "?" is removed before training, so the model learns the words questions
are made of ("how do i", "anyone know") and catches the questions people type without
one; the rules in ``intents.py`` already catch the "?".
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import precision_recall_fscore_support
from sklearn.model_selection import StratifiedKFold

from harken.analysis.features import featurise
from harken.analysis.linear import LinearModel
from harken.analysis.text import unescape_literal
from harken.analysis.training.train import SENTIMENT_FEATURES

SEED = 20261123
# The sentiment model's features: analyze() then featurises each batch once for both.
QUESTION_FEATURES = SENTIMENT_FEATURES
QUESTION_C = 2.0


def read_tweet_acts(path: Path) -> tuple[list[str], np.ndarray]:
    texts, targets = [], []
    with path.open(encoding="utf-8", errors="replace", newline="") as handle:
        for row in csv.reader(handle):
            if len(row) >= 2 and row[1].strip():
                texts.append(unescape_literal(row[0]).replace("?", " "))
                targets.append(row[1].strip() == "QUE")
    return texts, np.array(targets, dtype=int)


def _fit(texts: list[str], targets: np.ndarray) -> LogisticRegression:
    model = LogisticRegression(C=QUESTION_C, max_iter=2000, random_state=SEED)
    return model.fit(featurise(texts, QUESTION_FEATURES), targets)


def cross_validated(texts: list[str], targets: np.ndarray) -> dict[str, float]:
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=SEED)
    predicted = np.zeros_like(targets)
    for train, test in folds.split(texts, targets):
        model = _fit([texts[i] for i in train], targets[train])
        predicted[test] = model.predict(featurise([texts[i] for i in test], QUESTION_FEATURES))
    p, r, f, _ = precision_recall_fscore_support(targets, predicted, average="binary")
    return {"precision": round(float(p), 4), "recall": round(float(r), 4), "f1": round(float(f), 4)}


def train_intents(data: Path, out_dir: Path) -> LinearModel:
    np.random.seed(SEED)
    texts, targets = read_tweet_acts(data / "tweet-acts" / "TWEET_DATA.csv")
    figures = cross_validated(texts, targets)
    print(f"question detector, 5-fold on tweet-acts with '?' removed: {figures}")
    model = _fit(texts, targets)
    shipped = LinearModel(
        classes=("question",),
        weights=model.coef_.T.astype(np.float32),
        bias=model.intercept_.astype(np.float32),
        config=QUESTION_FEATURES,
        multilabel=True,
        meta={"trained_on": "tweet-acts TWEET_DATA.csv (QUE)", "cv": figures, "seed": SEED},
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    shipped.save(out_dir / "intent")
    return shipped
