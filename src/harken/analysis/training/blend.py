"""Choose how much of the ingest model's reading the second pass blends in.

    .venv/bin/python -m harken.analysis.training.blend [--write]

The second pass's label is the mean of the transformer's and the ingest model's
probabilities, weighted by ``ingest_weight`` in ``weights/sentiment-minilm/config.json``.
The weight is chosen where neither model has seen the texts: the 3,000 training tweets
after the first 9,600 of ``finetune.py``'s seeded shuffle (the transformer learnt from
those 9,600), with the ingest model fitted again without them (``train.fit_sentiment``,
the shipped settings and class offsets). The validation file and the customer-service set
are read once, after the choice, never to make it. ``--write`` stores the weight and the
figures in ``config.json``.

Measured 2026-12-07 (``minilm-v1``; the refit takes about 3 minutes on one core):
pool macro-recall at ingest weights 1.0 … 0.0 (transformer weight 0 … 1):
0.699 0.705 0.715 0.724 0.732 0.733 **0.735** 0.729 0.725 0.719 0.718, so a transformer
weight of 0.6 (``ingest_weight`` 0.4). Read once after: validation file 0.621 (ingest
0.600, transformer alone 0.602), customer-service set 0.765 (0.697, 0.750).
"""

from __future__ import annotations

import argparse
import json
import os
import sys

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

POOL = slice(9_600, 12_600)
WEIGHTS = np.round(np.arange(0.0, 1.0001, 0.1), 2)


def macro_recall(gold: np.ndarray, probabilities: np.ndarray) -> float:
    predicted = probabilities.argmax(axis=1)
    return float(np.mean([np.mean(predicted[gold == c] == c) for c in np.unique(gold)]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="store the weight in config.json")
    args = parser.parse_args(argv)
    from harken.analysis import api, second_pass
    from harken.analysis.labelled import LABELS, default_data_dir, read_labelled, training_files
    from harken.analysis.linear import LinearModel
    from harken.analysis.text import clean
    from harken.analysis.training import train
    from harken.analysis.training.finetune import training_data

    data = default_data_dir()
    texts, labels = training_data(data, 0)
    pool_texts, gold = texts[POOL], np.array(labels[POOL])
    unseen = set(pool_texts)
    fit_x, fit_y = [], []
    for path in training_files(data / "semeval-sentiment"):
        for text, label in zip(*read_labelled(path), strict=True):
            if text not in unseen:
                fit_x.append(text)
                fit_y.append(label)
    shipped = api.sentiment_model()
    offsets = np.asarray(shipped.meta.get("class_offsets", [0, 0, 0]), dtype=np.float32)
    train.seed_everything()
    fitted = train.fit_sentiment(fit_x, fit_y, train.SENTIMENT_FEATURES, train.SENTIMENT_C)
    refit = LinearModel(LABELS, fitted.weights, fitted.bias + offsets, train.SENTIMENT_FEATURES)
    ingest = api.sentiment_probabilities([clean(t) for t in pool_texts], model=refit)
    transformer = np.asarray(second_pass.load_model().probabilities(pool_texts))
    pool = {w: macro_recall(gold, w * ingest + (1 - w) * transformer) for w in WEIGHTS}
    print("pool macro-recall by ingest weight:", " ".join(f"{w}:{r:.3f}" for w, r in pool.items()))
    weight = float(max(pool, key=lambda w: pool[w]))
    print(f"chosen ingest_weight {weight}")
    if args.write:
        path = second_pass.SECOND_PASS_DIR / "config.json"
        config = json.loads(path.read_text())
        config["ingest_weight"] = weight
        config.setdefault("meta", {})["blend"] = {
            "pool": "finetune shuffle 9,600-12,600, ingest model refitted without it",
            "pool_macro_recall": {str(w): round(r, 4) for w, r in pool.items()},
        }
        path.write_text(json.dumps(config, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
