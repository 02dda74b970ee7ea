"""The second pass: the fine-tuned transformer re-scores what a person will see.

Two passes because of two measured speeds: the shipped linear model labels every mention at
ingest (thousands of texts a second on one core), the fine-tuned all-MiniLM-L6-v2 in
``weights/sentiment-minilm/`` (int8 ONNX, ``training/finetune.py``) reads better but
manages only a hundred or two a second. So ingest never waits for it: a queue task
(``tasks.second_pass_task``, every minute) re-scores, newest first and in length-bucketed
batches, the mentions in its *scope*:

* every mention of the last 30 days for a small business (fewer than ``SMALL_BUSINESS``);
* otherwise, within the last 30 days, the inbox's (a mention in a conversation), the ones
  that rank high enough to alert or lead the inbox (priority of ``ALERT_PRIORITY`` or
  more), and a fixed 1-in-``SAMPLE_EVERY`` sample by id that analytics can read as the
  better-labelled sample.

The stored scores say which model gave the label: ``sentiment_scores["model"]`` is the
second pass's model name (``config.json``'s ``model``); scores without that key came from
the ingest model. The intents that read sentiment are found again with the new
probabilities (``api.reclassify``: "my order is late" is a complaint when said
angrily) and the priority's intent and sentiment terms follow (``priority.repriced``; its
reach, wait and fairness terms stay as ingest stored them). A person's correction is never
overwritten: a mention with a sentiment correction keeps its label (and so its intents),
one with an intent correction keeps its intents.

It runs when ``onnxruntime`` and ``tokenizers`` import and the shipped files are there;
otherwise ``status()`` says it is off and why, and nothing else changes.

The mentions live in the listening app, above this one: they are reached through
``django.apps`` at call time, never imported.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Sequence
from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from django.apps import apps
from django.db.models import F, Q
from django.utils import timezone

from harken.analysis.labelled import LABELS
from harken.analysis.priority import repriced

log = logging.getLogger(__name__)

SECOND_PASS_DIR = Path(__file__).with_name("weights") / "sentiment-minilm"
#: Fewer mentions than this in the last 30 days: every mention is re-scored.
SMALL_BUSINESS = 5_000
#: The priority from which a mention may raise an alert or lead the inbox.
ALERT_PRIORITY = 40
#: The analytics sample: one mention in this many, by id (stable, spread over time).
SAMPLE_EVERY = 20
#: One run re-scores at most this many mentions, in chunks, and stops after ``RUN_SECONDS``
#: so that a minute's task never overlaps the next one.
RUN_LIMIT = 2_000
CHUNK = 128
RUN_SECONDS = 40.0

_lock = threading.Lock()


def unavailable_reason(directory: Path | None = None) -> str:
    """Why the second pass cannot run here ("" when it can)."""
    directory = directory or SECOND_PASS_DIR
    try:
        import onnxruntime  # noqa: F401
        import tokenizers  # noqa: F401
    except ImportError:
        return "onnxruntime and tokenizers are not installed"
    missing = [
        n for n in ("model.onnx", "tokenizer.json", "config.json") if not (directory / n).is_file()
    ]
    if missing:
        return f"the model files are missing ({', '.join(missing)})"
    return ""


@lru_cache(maxsize=4)
def _model(directory: Path):
    from harken.analysis.transformer import load_transformer

    return load_transformer(directory)


def load_model(directory: Path | None = None):
    """The second pass's model, loaded once per process."""
    with _lock:
        return _model(directory or SECOND_PASS_DIR)


def model_name(directory: Path | None = None) -> str:
    directory = directory or SECOND_PASS_DIR
    config = json.loads((directory / "config.json").read_text())
    return str(config.get("model") or directory.name)


def ingest_weight(directory: Path | None = None) -> float:
    """The ingest model's share of the second pass's probabilities (``config.json``'s
    ``ingest_weight``, chosen by ``training/blend.py`` on tweets neither model saw; 0: the
    transformer alone)."""
    config = json.loads(((directory or SECOND_PASS_DIR) / "config.json").read_text())
    return float(config.get("ingest_weight") or 0.0)


def probabilities(texts: Sequence[str], directory: Path | None = None) -> np.ndarray:
    """(negative, neutral, positive) probabilities of each text by the second pass: the
    transformer's, blended with the ingest model's. Each model errs where the other does
    not (on 3,000 tweets neither saw, the blend reads 0.735 against 0.718 and 0.699)."""
    directory = directory or SECOND_PASS_DIR
    model = load_model(directory)  # one session per process, safe to run from threads
    found = np.asarray(model.probabilities(list(texts)), dtype=np.float64)
    weight = ingest_weight(directory)
    if weight:
        from harken.analysis.api import sentiment_probabilities
        from harken.analysis.text import clean

        ingest = sentiment_probabilities([clean(text) for text in texts])
        found = (1.0 - weight) * found + weight * ingest
    return found


def rescore(
    texts: Sequence[str], directory: Path | None = None
) -> list[tuple[str, dict[str, Any]]]:
    """(label, scores with the model's name) of each text, by the second pass."""
    name = model_name(directory)
    probs = probabilities(texts, directory)
    out = []
    for row in probs:
        scores: dict[str, Any] = {
            label: round(float(p), 4) for label, p in zip(LABELS, row, strict=True)
        }
        scores["model"] = name
        out.append((LABELS[int(row.argmax())], scores))
    return out


def _mentions():
    return apps.get_model("listening", "Mention")


def in_scope(workspace_id: int):
    """The workspace's mentions a person will see that the ingest model labelled."""
    mentions = (
        _mentions().objects.filter(workspace_id=workspace_id, is_own=False).exclude(sentiment="")
    )
    since = timezone.now() - timedelta(days=30)
    recent = mentions.filter(posted__gte=since)
    if recent.count() < SMALL_BUSINESS:
        return recent
    seen = Q(conversation__isnull=False) | Q(priority__gte=ALERT_PRIORITY) | Q(sample_bucket=0)
    # The last 30 days in both cases: what people open, and a range the (workspace, posted)
    # index serves, so a busy workspace's years of mentions are never scanned a minute.
    return recent.annotate(sample_bucket=F("id") % SAMPLE_EVERY).filter(seen)


#: Where the workspace's names come from (its brand, products and competitors: the listening
#: app's topics), named rather than imported: analysis knows nothing of the apps above it.
CONTEXT_FUNCTION = "harken.listening.enrich.analysis_context"


def _context(workspace_id: int):
    from django.utils.module_loading import import_string

    from harken.analysis.api import AnalysisContext

    try:
        workspace = apps.get_model("core", "Workspace").objects.get(pk=workspace_id)
        return import_string(CONTEXT_FUNCTION)(workspace)
    except (ImportError, LookupError):
        # Without the listening app the names are unknown: intents read the text alone.
        return AnalysisContext(workspace_id=workspace_id)


def _corrected_ids(workspace_id: int, ids: list[int], field: str = "sentiment") -> set[int]:
    """Mentions whose ``field`` a person set (``Correction.mention_ref`` is network:pk)."""
    from harken.analysis.models import Correction

    refs = Correction.objects.filter(
        workspace_id=workspace_id, field=field, mention_ref__contains=":"
    ).values_list("mention_ref", flat=True)
    wanted = set(ids)
    found = set()
    for ref in refs:
        tail = ref.rsplit(":", 1)[-1]
        if tail.isdigit() and int(tail) in wanted:
            found.add(int(tail))
    return found


def pending(workspace_id: int):
    """In scope and not yet re-scored, newest first."""
    return (
        in_scope(workspace_id).exclude(sentiment_scores__has_key="model").order_by("-posted", "-id")
    )


def run_second_pass(
    workspace_id: int,
    limit: int = RUN_LIMIT,
    seconds: float = RUN_SECONDS,
    directory: Path | None = None,
) -> int:
    """Re-score up to ``limit`` pending mentions of the workspace; how many were re-scored."""
    directory = directory or SECOND_PASS_DIR
    if unavailable_reason(directory):
        return 0
    Mention = _mentions()
    context = _context(workspace_id)
    started, done = time.monotonic(), 0
    fields = ("id", "text", "sentiment", "intents", "priority", "priority_reasons")
    while done < limit and time.monotonic() - started < seconds:
        rows = list(pending(workspace_id).values(*fields)[: min(CHUNK, limit - done)])
        if not rows:
            break
        ids = [row["id"] for row in rows]
        skip = _corrected_ids(workspace_id, ids)
        found = rescore([row["text"] for row in rows], directory)
        # Intents read the probabilities, not only the label: every re-scored mention's are
        # found again with the better ones (a few microseconds a text beside the model's).
        rescored = [
            (row, label, scores)
            for row, (label, scores) in zip(rows, found, strict=True)
            if row["id"] not in skip
        ]
        intents = _reread(workspace_id, context, rescored)
        changed, kept = [], []
        for row, (label, scores) in zip(rows, found, strict=True):
            mention = Mention(pk=row["id"], sentiment_scores=scores)
            if row["id"] in skip:  # a person's label stands; the scores say the pass read it
                scores["kept"] = "person"
                kept.append(mention)
                continue
            mention.sentiment = label
            old = (tuple(row["intents"] or ()), row["sentiment"])
            new = (intents.get(row["id"], old[0]), label)
            mention.intents = list(new[0])
            mention.priority, mention.priority_reasons = repriced(
                row["priority"], row["priority_reasons"], old, new
            )
            changed.append(mention)
        Mention.objects.bulk_update(
            changed, ["sentiment", "sentiment_scores", "intents", "priority", "priority_reasons"]
        )
        Mention.objects.bulk_update(kept, ["sentiment_scores"])
        done += len(rows)
    return done


def _reread(workspace_id: int, context, rescored: list) -> dict[int, tuple[str, ...]]:
    """The intents of the re-scored mentions with their new sentiment, except where a
    person set the intent (theirs stands)."""
    from harken.analysis.api import reclassify

    corrected = _corrected_ids(workspace_id, [row["id"] for row, _, _ in rescored], "intent")
    wanted = [(row, scores) for row, _, scores in rescored if row["id"] not in corrected]
    if not wanted:
        return {}
    probabilities = np.array([[scores[label] for label in LABELS] for _, scores in wanted])
    found = reclassify([row["text"] for row, _ in wanted], probabilities, context)
    return {row["id"]: intents for (row, _), intents in zip(wanted, found, strict=True)}


def run_all(seconds: float = RUN_SECONDS) -> int:
    """One run over every workspace with pending mentions, within ``seconds``."""
    if unavailable_reason():
        return 0
    started, done = time.monotonic(), 0
    workspaces = apps.get_model("core", "Workspace").objects.values_list("id", flat=True)
    for workspace_id in workspaces.order_by("id"):
        left = seconds - (time.monotonic() - started)
        if left <= 0:
            break
        done += run_second_pass(workspace_id, seconds=left)
    return done


def status(workspace_id: int) -> dict[str, Any]:
    """For the System page: is the pass on, which model, and its backlog in this workspace."""
    reason = unavailable_reason()
    if reason:
        return {"on": False, "reason": reason}
    scope = in_scope(workspace_id)
    return {
        "on": True,
        "model": model_name(),
        "backlog": scope.exclude(sentiment_scores__has_key="model").count(),
        "done": scope.filter(sentiment_scores__has_key="model").count(),
    }
