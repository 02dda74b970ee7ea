"""Sentiment benchmark: the shipped model and VADER side by side, on one core.

    python bench/sentiment.py [FILE ...]

Each FILE holds ``id<TAB>label<TAB>text`` or ``text<TAB>label`` lines (labels negative,
neutral, positive); the default is SemEval's validation file, which nothing was trained
or tuned on. Prints macro-averaged recall (TweetEval's official metric), macro-F1,
accuracy, texts per second on one core, model size and load time. Add ``--full`` to also
time the whole ``analyze()`` (language, intents, key phrases too).
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

from harken.analysis.labelled import VALIDATION_FILE, default_data_dir, read_labelled  # noqa: E402


def pin_one_core() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})


def figures(gold: list[str], predicted: list[str]) -> dict[str, float]:
    return {
        "macro-recall": recall_score(gold, predicted, average="macro"),
        "macro-F1": f1_score(gold, predicted, average="macro"),
        "accuracy": accuracy_score(gold, predicted),
    }


def timed(predict, texts: list[str], repeats: int = 3) -> tuple[list[str], float]:
    """Predictions and the best texts/s over a few runs (the first warms caches)."""
    best, out = 0.0, []
    for _ in range(repeats):
        started = time.perf_counter()
        out = predict(texts)
        best = max(best, len(texts) / (time.perf_counter() - started))
    return out, best


def load_harken():
    from harken.analysis.api import MODELS_DIR, sentiment_model

    started = time.perf_counter()
    model = sentiment_model()
    config = getattr(model, "config", None)
    uses_embeddings = bool(getattr(config, "embeddings", 0))
    if uses_embeddings:
        from harken.analysis.embeddings import shipped_embeddings

        shipped_embeddings()  # loaded lazily on first use: part of the load time
    load = time.perf_counter() - started
    size = sum(p.stat().st_size for p in MODELS_DIR.glob("sentiment.*"))
    if uses_embeddings:
        size += (MODELS_DIR / "embeddings.npz").stat().st_size
    return model, load, size


def harken_predict(model):
    labels = ("negative", "neutral", "positive")
    return lambda texts: [labels[i] for i in np.argmax(model.probabilities(texts), axis=1)]


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
    from harken.analysis import analyze

    return [a.sentiment for a in analyze(texts)]


def report(path: Path, systems: dict, full: bool) -> None:
    texts, gold = read_labelled(path)
    print(f"\n{path.name}: {len(texts)} texts")
    header = ("macro-R", "macro-F1", "acc", "texts/s", "size MB", "load s")
    widths = (9, 9, 8, 10, 9, 8)
    print(f"  {'system':<22}" + "".join(f"{h:>{w}}" for h, w in zip(header, widths, strict=True)))
    for name, (predict, load, size) in systems.items():
        predicted, speed = timed(predict, texts)
        f = figures(gold, predicted)
        print(
            f"  {name:<22}{f['macro-recall']:>9.4f}{f['macro-F1']:>9.4f}{f['accuracy']:>8.4f}"
            f"{speed:>10,.0f}{size / 1e6:>9.2f}{load:>8.2f}"
        )
    if full:
        _, speed = timed(full_analyze, texts, repeats=2)
        print(f"  whole analyze(): {speed:,.0f} texts/s (language, sentiment, intents, phrases)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--full", action="store_true", help="also time the whole analyze()")
    args = parser.parse_args()
    files = args.files or [default_data_dir() / "semeval-sentiment" / VALIDATION_FILE]
    pin_one_core()
    machine = platform.processor() or platform.machine()
    print(f"one core of {machine} ({os.cpu_count()} cores), Python {platform.python_version()}")
    model, load, size = load_harken()
    analyser, vload, vsize = load_vader()
    systems = {
        "harken (shipped)": (harken_predict(model), load, size),
        "VADER 3.3": (vader_predict(analyser), vload, vsize),
    }
    for path in files:
        report(path, systems, args.full)
    return 0


if __name__ == "__main__":
    sys.exit(main())
