"""The fine-tune recipe's pure parts (the training itself needs torch, in its own venv)."""

from __future__ import annotations

import numpy as np

from harken.analysis.training.finetune import bucketed, figures


def test_length_buckets_cover_every_text_once_in_a_fixed_order():
    texts = [("word " * (i % 37)).strip() for i in range(1000)]
    batches = bucketed(texts, 32, pool=5)
    flat = [i for batch in batches for i in batch]
    assert sorted(flat) == list(range(1000))
    assert max(len(b) for b in batches) == 32
    assert batches == bucketed(texts, 32, pool=5)  # seeded: the same run gives the same order
    # Within a batch the lengths are close: padding is what the buckets save.
    spread = np.mean([len(texts[b[-1]]) - len(texts[b[0]]) for b in batches])
    assert spread < np.mean([len(t) for t in texts]) / 2


def test_figures_are_macro_recall_over_the_three_classes():
    gold = [0, 0, 1, 1, 2, 2]
    found = figures(gold, np.array([0, 1, 1, 1, 2, 0]))
    assert found["macro_recall"] == round((0.5 + 1.0 + 0.5) / 3, 4)
    assert (found["recall_negative"], found["recall_neutral"]) == (0.5, 1.0)
