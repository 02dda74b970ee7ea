"""The hand-labelled intent evaluation set, read back from the public data it points to.

``tests/analysis/data/intents.jsonl`` holds one reference a line, ``{"source", "ref",
"intents"}``, and no text: customer-support-twitter is CC BY-NC-SA and brand-emotion-sxsw
of unknown licence, so the texts stay in ``../shared/data`` and are looked up here by
tweet id (twcs), row number (sxsw) or ``file:tweet id`` (semeval). The labelling rules are
in ``docs/intent-guideline.md``.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from harken.analysis.text import unescape_literal


def _twcs(data: Path) -> dict[str, str]:
    path = data / "customer-support-twitter" / "twcs_first5000.csv"
    with path.open(encoding="utf-8", errors="replace", newline="") as handle:
        rows = list(csv.reader(handle))
    # Columns: index, tweet_id, author_id, inbound, created_at, text, ...; one malformed row.
    return {row[1]: row[5] for row in rows[1:] if len(row) == 8}


def _sxsw(data: Path) -> dict[str, str]:
    path = data / "brand-emotion-sxsw" / "judge-1377884607_tweet_product_company.csv"
    with path.open(encoding="latin-1", newline="") as handle:
        rows = list(csv.reader(handle))
    return {str(i): row[0] for i, row in enumerate(rows) if row}


def _semeval(data: Path, refs: set[str]) -> dict[str, str]:
    out = {}
    for name in sorted({ref.split(":", 1)[0] for ref in refs}):
        lines = (data / "semeval-sentiment" / name).read_text(encoding="utf-8", errors="replace")
        for line in lines.splitlines():
            parts = line.split("\t")
            if len(parts) >= 3 and f"{name}:{parts[0]}" in refs:
                out[f"{name}:{parts[0]}"] = unescape_literal(parts[2])
    return out


def load(labels: Path, data: Path) -> list[tuple[str, tuple[str, ...]]]:
    """``(text, intents)`` for every labelled reference found in ``data``."""
    entries = [json.loads(line) for line in labels.read_text().splitlines() if line.strip()]
    semeval_refs = {e["ref"] for e in entries if e["source"] == "semeval"}
    texts = {"twcs": _twcs(data), "sxsw": _sxsw(data), "semeval": _semeval(data, semeval_refs)}
    return [
        (texts[e["source"]][e["ref"]], tuple(e["intents"]))
        for e in entries
        if e["ref"] in texts[e["source"]]
    ]


def load_sentiment(labels: Path, data: Path) -> list[tuple[str, str]]:
    """``(text, sentiment)`` for every labelled customer-service message found in ``data``.

    ``labels`` holds ``{"source": "twcs", "ref", "sentiment", "intents"}`` lines (the
    customer-service set, ``tests/analysis/data/cs_sentiment.jsonl``); an absent data
    folder or file gives an empty list.
    """
    if not labels.exists() or not (data / "customer-support-twitter").exists():
        return []
    entries = [json.loads(line) for line in labels.read_text().splitlines() if line.strip()]
    texts = _twcs(data)
    return [(texts[e["ref"]], e["sentiment"]) for e in entries if e["ref"] in texts]


def load_intents(labels: Path, data: Path) -> list[tuple[str, tuple[str, ...]]]:
    """``(text, intents)`` of the customer-service set (see ``load_sentiment``)."""
    if not labels.exists() or not (data / "customer-support-twitter").exists():
        return []
    entries = [json.loads(line) for line in labels.read_text().splitlines() if line.strip()]
    texts = _twcs(data)
    return [(texts[e["ref"]], tuple(e["intents"])) for e in entries if e["ref"] in texts]
