"""The shipped model files: safe format, size, load time, and what they were trained on."""

from __future__ import annotations

import json
import time

import numpy as np

from harken.analysis.api import WEIGHTS_DIR, question_model
from harken.analysis.labelled import VALIDATION_FILE, read_labelled
from harken.analysis.linear import LinearModel
from tests.conftest import shared_data


def test_the_shipped_models_are_numpy_and_json_without_pickles():
    for stem in ("sentiment", "intent"):
        with np.load(WEIGHTS_DIR / f"{stem}.npz", allow_pickle=False) as arrays:
            assert set(arrays.files) == {"weights", "bias"}
            assert all(arrays[name].dtype != object for name in arrays.files)
        json.loads((WEIGHTS_DIR / f"{stem}.json").read_text())


def test_the_shipped_models_fit_in_25_mb():
    size = sum(p.stat().st_size for p in WEIGHTS_DIR.iterdir() if p.suffix in {".npz", ".json"})
    assert size <= 25 * 1024 * 1024


def test_the_sentiment_model_loads_in_well_under_a_second():
    started = time.perf_counter()
    LinearModel.load(WEIGHTS_DIR / "sentiment")
    # The budget is 1 s; the margin absorbs a busy CI machine.
    assert time.perf_counter() - started < 2.0


def test_the_sentiment_model_never_saw_the_validation_file():
    meta = json.loads((WEIGHTS_DIR / "sentiment.json").read_text())["meta"]
    assert VALIDATION_FILE not in meta["trained_on"]
    assert len(meta["trained_on"]) == 10


def test_the_question_detector_is_shipped():
    model = question_model()
    assert model is not None and model.classes == ("question",)


def test_the_sentiment_model_beats_the_lexicon_baseline_on_the_validation_file():
    from sklearn.metrics import recall_score
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    texts, gold = read_labelled(shared_data("semeval-sentiment", VALIDATION_FILE))
    model = LinearModel.load(WEIGHTS_DIR / "sentiment")
    ours = [model.classes[i] for i in model.scores(texts).argmax(axis=1)]
    vader = SentimentIntensityAnalyzer()
    compound = [vader.polarity_scores(t)["compound"] for t in texts]
    theirs = [
        "positive" if c >= 0.05 else "negative" if c <= -0.05 else "neutral" for c in compound
    ]
    ours_recall = recall_score(gold, ours, average="macro")
    assert ours_recall > recall_score(gold, theirs, average="macro") + 0.05


def test_the_runtime_imports_no_training_code_and_no_scikit_learn():
    import subprocess
    import sys

    probe = (
        "import sys; from harken.analysis import analyze; analyze(['hello there'])\n"
        "bad = [m for m in sys.modules if m.startswith(('sklearn', 'harken.analysis.training'))]\n"
        "print(bad)"
    )
    found = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    assert found.stdout.strip() == "[]"


def test_the_weights_live_apart_from_the_django_models():
    from pathlib import Path

    import harken.analysis

    package = Path(harken.analysis.__file__).parent
    # Data only (arrays, the transformer's ONNX graph, tokenizer and card), never code.
    shipped = [p for p in (package / "weights").rglob("*") if p.is_file()]
    assert {p.suffix for p in shipped} <= {".npz", ".json", ".onnx", ".md"}
    assert {p.suffix for p in (package / "models").iterdir() if p.is_file()} == {".py"}


def test_loaded_weights_are_c_ordered_so_scoring_copies_nothing():
    # scipy's sparse @ dense copies a Fortran-ordered matrix on every call: 12 MB for the
    # sentiment model, which made one short text cost 15 ms instead of 2.
    for stem in ("sentiment", "intent"):
        assert LinearModel.load(WEIGHTS_DIR / stem).weights.flags.c_contiguous
