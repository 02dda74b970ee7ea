"""Intent benchmark: per-intent precision, recall and F1 on the hand-labelled set.

    python bench/intents.py [--split test|dev|all] [--cs] [LABELS.jsonl]

The set (630 real public texts: customers writing to brands' support accounts, SXSW brand
tweets, SemEval tweets about jobs, buying and following) is labelled by hand following
docs/intent-guideline.md. The rules were refined after reading the errors on the *dev*
half (even lines) only; the *test* half (odd lines) is the honest figure. ``--cs`` also
scores the customer-service set (640 other support messages, labelled for sentiment and
intents, never used to refine anything: all of it is held out).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from harken.analysis import analyze  # noqa: E402
from harken.analysis.intents import INTENTS  # noqa: E402
from harken.analysis.labelled import default_data_dir  # noqa: E402
from harken.analysis.training.evalset import load, load_intents  # noqa: E402

DEFAULT_LABELS = ROOT / "tests" / "analysis" / "data" / "intents.jsonl"
CS_LABELS = ROOT / "tests" / "analysis" / "data" / "cs_sentiment.jsonl"


def scores(gold: list[tuple[str, ...]], predicted: list[tuple[str, ...]], intent: str):
    tp = sum(intent in g and intent in p for g, p in zip(gold, predicted, strict=True))
    fp = sum(intent not in g and intent in p for g, p in zip(gold, predicted, strict=True))
    fn = sum(intent in g and intent not in p for g, p in zip(gold, predicted, strict=True))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1, tp + fn


def report(name: str, rows: list[tuple[str, tuple[str, ...]]]) -> None:
    texts = [text for text, _ in rows]
    gold = [intents for _, intents in rows]
    started = time.perf_counter()
    predicted = [a.intents for a in analyze(texts)]
    elapsed = time.perf_counter() - started
    print(f"{name}: {len(rows)} texts, analysed in {elapsed:.2f} s")
    print(f"  {'intent':<17}{'precision':>10}{'recall':>8}{'F1':>7}{'support':>9}")
    f1s = []
    for intent in INTENTS:
        p, r, f, n = scores(gold, predicted, intent)
        if n or any(intent in found for found in predicted):
            f1s.append(f)  # an intent absent from the split and never guessed has no F1
        print(f"  {intent:<17}{p:>10.3f}{r:>8.3f}{f:>7.3f}{n:>9}")
    exact = sum(set(g) == set(p) for g, p in zip(gold, predicted, strict=True)) / len(rows)
    print(f"  macro-F1 {sum(f1s) / len(f1s):.3f} · exact set match {exact:.3f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("labels", nargs="?", type=Path, default=DEFAULT_LABELS)
    parser.add_argument("--split", choices=["test", "dev", "all"], default="test")
    parser.add_argument("--cs", action="store_true", help="also the customer-service set")
    args = parser.parse_args()
    rows = load(args.labels, default_data_dir())
    if args.split != "all":
        parity = 1 if args.split == "test" else 0
        rows = [row for i, row in enumerate(rows) if i % 2 == parity]
    report(f"{args.labels.name} ({args.split})", rows)
    if args.cs:
        cs_rows = load_intents(CS_LABELS, default_data_dir())
        if cs_rows:
            print()
            report(f"{CS_LABELS.name} (customer service, all held out)", cs_rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
