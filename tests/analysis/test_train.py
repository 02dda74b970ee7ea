"""The training script: reproducible, and blind to the validation file."""

from __future__ import annotations

import numpy as np

from harken.analysis.features import FeatureConfig
from harken.analysis.labelled import VALIDATION_FILE, read_labelled, training_files
from harken.analysis.training.train import fit_sentiment, tune_bias
from tests.conftest import shared_data

SMALL = FeatureConfig(n_features=2**12, prefix=5)


def test_training_never_reads_the_validation_file():
    folder = shared_data("semeval-sentiment")
    names = [p.name for p in training_files(folder)]
    assert VALIDATION_FILE not in names and len(names) == 10


def test_training_twice_gives_the_same_model():
    texts, labels = read_labelled(shared_data("semeval-sentiment", "twitter-2015train-A.tsv"))
    first = fit_sentiment(texts[:200], labels[:200], SMALL, c=1.0)
    second = fit_sentiment(texts[:200], labels[:200], SMALL, c=1.0)
    assert np.array_equal(first.weights, second.weights)
    assert np.array_equal(first.bias, second.bias)
    assert first.classes == ("negative", "neutral", "positive")


def test_class_offsets_keep_neutral_as_the_reference():
    texts, labels = read_labelled(shared_data("semeval-sentiment", "twitter-2015train-A.tsv"))
    model = fit_sentiment(texts[:200], labels[:200], SMALL, c=1.0)
    offset = tune_bias(model, texts[200:400], labels[200:400])
    assert offset[1] == 0.0 and np.all(np.abs(offset) <= 1.0)
