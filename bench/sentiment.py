"""Sentiment benchmark: the shipped model and VADER side by side, on one core.

    python bench/sentiment.py [FILE ...]

Each FILE holds ``id<TAB>label<TAB>text`` or ``text<TAB>label`` lines (labels negative,
neutral, positive); the default is SemEval's validation file, which nothing was trained
or tuned on, and the hand-labelled customer-service set (``--cs``, see
``tests/analysis/data/cs_sentiment.jsonl``) when its source data is there. Prints
macro-averaged recall (TweetEval's official metric), per-class recall, macro-F1, accuracy,
texts per second on one core, model size and load time (the second pass's fine-tuned
transformer too, when its files and onnxruntime are there); then the whole ``analyze()``
(language, sentiment, intents, key phrases) in texts per second and as a ratio of VADER's
speed measured in the same run, on the same texts.
"""

from __future__ import annotations

import os

# One core: pin BLAS threads before numpy loads, and the process to one CPU.
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"

import argparse  # noqa: E402
import platform  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from sklearn.metrics import accuracy_score, f1_score, recall_score  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from harken.analysis.labelled import (  # noqa: E402
    LABELS,
    VALIDATION_FILE,
    default_data_dir,
    read_labelled,
)

CS_LABELS = ROOT / "tests" / "analysis" / "data" / "cs_sentiment.jsonl"


def pin_one_core() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})


def figures(gold: list[str], predicted: list[str]) -> dict[str, float]:
    return {
        "macro-recall": recall_score(gold, predicted, average="macro"),
        "macro-F1": f1_score(gold, predicted, average="macro"),
        "accuracy": accuracy_score(gold, predicted),
    }


def timed(predict, texts: list[str], repeats: int = 3) -> tuple[list[str], float, float]:
    """Predictions and the best texts/s over a few runs (the first warms caches), by the
    wall clock and by this process's CPU time (``time.process_time``): on a loaded machine
    the wall clock also counts the time other processes held the core."""
    best, best_cpu, out = 0.0, 0.0, []
    for _ in range(repeats):
        started, cpu = time.perf_counter(), time.process_time()
        out = predict(texts)
        best = max(best, len(texts) / (time.perf_counter() - started))
        best_cpu = max(best_cpu, len(texts) / max(time.process_time() - cpu, 1e-9))
    return out, best, best_cpu


def load_harken():
    from harken.analysis.api import WEIGHTS_DIR, sentiment_model

    started = time.perf_counter()
    model = sentiment_model()
    config = getattr(model, "config", None)
    uses_embeddings = bool(getattr(config, "embeddings", 0))
    if uses_embeddings:
        from harken.analysis.embeddings import shipped_embeddings

        shipped_embeddings()  # loaded lazily on first use: part of the load time
    load = time.perf_counter() - started
    size = sum(p.stat().st_size for p in WEIGHTS_DIR.glob("sentiment.*"))
    if uses_embeddings:
        size += (WEIGHTS_DIR / "embeddings.npz").stat().st_size
    return model, load, size


def harken_predict(model):
    """The label ``analyze()`` gives: the shipped model with its contrast rule."""
    from harken.analysis.api import sentiment_probabilities
    from harken.analysis.text import clean

    labels = ("negative", "neutral", "positive")

    def predict(texts: list[str]) -> list[str]:
        probabilities = sentiment_probabilities([clean(t) for t in texts])
        return [labels[i] for i in np.argmax(probabilities, axis=1)]

    return predict


def load_second_pass():
    """The second pass's fine-tuned transformer (int8 ONNX), or None where it cannot run."""
    from harken.analysis import second_pass

    if second_pass.unavailable_reason():
        return None
    started = time.perf_counter()
    model = second_pass.load_model()
    load = time.perf_counter() - started
    size = sum(p.stat().st_size for p in second_pass.SECOND_PASS_DIR.iterdir())
    return model, load, size


def second_pass_predict():
    """The label the second pass stores: the transformer on the mention's text as stored,
    blended with the ingest model as its ``config.json`` says (``ingest_weight``)."""
    from harken.analysis import second_pass

    return lambda texts: [LABELS[i] for i in np.argmax(second_pass.probabilities(texts), axis=1)]


def load_vader():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    started = time.perf_counter()
    analyser = SentimentIntensityAnalyzer()
    load = time.perf_counter() - started
    import vaderSentiment

    folder = Path(vaderSentiment.__file__).parent
    size = sum(p.stat().st_size for p in folder.glob("*.txt"))
    return analyser, load, size


def vader_predict(analyser):
    def label(score: float) -> str:  # the thresholds VADER's authors recommend
        return "positive" if score >= 0.05 else "negative" if score <= -0.05 else "neutral"

    return lambda texts: [label(analyser.polarity_scores(t)["compound"]) for t in texts]


def full_analyze(texts: list[str]) -> list[str]:
    """The whole call: language, sentiment, intents, key phrases and vocabulary."""
    from harken.analysis import analyze

    return [a.sentiment for a in analyze(texts)]


def report(name: str, texts: list[str], gold: list[str], systems: dict) -> None:
    print(f"\n{name}: {len(texts)} texts")
    header = (
        "macro-R", "R neg", "R neu", "R pos", "macro-F1", "acc", "texts/s", "cpu t/s", "MB",
        "load s",
    )  # fmt: skip
    widths = (9, 7, 7, 7, 9, 7, 10, 9, 7, 8)
    print(f"  {'system':<26}" + "".join(f"{h:>{w}}" for h, w in zip(header, widths, strict=True)))
    speeds, cpu_speeds = {}, {}
    for system, (predict, load, size) in systems.items():
        # The transformer is ~40x slower: one timed run (its batches warm nothing).
        repeats = 1 if system.startswith("second pass") else 3
        predicted, speed, cpu_speed = timed(predict, texts, repeats)
        speeds[system], cpu_speeds[system] = speed, cpu_speed
        f = figures(gold, predicted)
        per_class = recall_score(gold, predicted, average=None, labels=list(LABELS))
        print(
            f"  {system:<26}{f['macro-recall']:>9.4f}"
            + "".join(f"{r:>7.3f}" for r in per_class)
            + f"{f['macro-F1']:>9.4f}{f['accuracy']:>7.4f}{speed:>10,.0f}{cpu_speed:>9,.0f}"
            f"{size / 1e6:>7.2f}"
            f"{load:>8.2f}"
        )
    _, whole, whole_cpu = timed(full_analyze, texts, repeats=3)
    vader, vader_cpu = speeds.get("VADER 3.3", 0.0), cpu_speeds.get("VADER 3.3", 0.0)
    ratio = whole / vader if vader else float("nan")
    cpu_ratio = whole_cpu / vader_cpu if vader_cpu else float("nan")
    print(
        f"  whole analyze(): {whole:,.0f} texts/s = {ratio:.2f}x VADER in this run; "
        f"by CPU time {whole_cpu:,.0f} texts/s ({1e6 / whole_cpu:,.0f} us a text) = "
        f"{cpu_ratio:.2f}x VADER (language, sentiment, intents, key phrases)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--no-cs", action="store_true", help="skip the customer-service set")
    parser.add_argument(
        "--no-second-pass", action="store_true", help="skip the fine-tuned transformer"
    )
    args = parser.parse_args()
    data = default_data_dir()
    files = args.files or [data / "semeval-sentiment" / VALIDATION_FILE]
    pin_one_core()
    machine = platform.processor() or platform.machine()
    print(f"one core of {machine} ({os.cpu_count()} cores), Python {platform.python_version()}")
    model, load, size = load_harken()
    analyser, vload, vsize = load_vader()
    systems = {
        "harken (shipped)": (harken_predict(model), load, size),
        "VADER 3.3": (vader_predict(analyser), vload, vsize),
    }
    second = None if args.no_second_pass else load_second_pass()
    if second:
        model2, load2, size2 = second
        systems["second pass (MiniLM int8)"] = (second_pass_predict(), load2, size2)
    for path in files:
        texts, gold = read_labelled(path)
        report(path.name, texts, gold, systems)
    if not args.no_cs and not args.files:
        from harken.analysis.training.evalset import load_sentiment

        rows = load_sentiment(CS_LABELS, data)
        if rows:
            texts = [text for text, _ in rows]
            gold = [label for _, label in rows]
            report(f"{CS_LABELS.name} (customer service, hand-labelled)", texts, gold, systems)
    return 0


if __name__ == "__main__":
    sys.exit(main())
