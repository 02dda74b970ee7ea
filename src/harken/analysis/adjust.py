"""Learning from the team: corrections, and a per-workspace adjustment fitted on them.

The shipped model stays as it is; each workspace gets a small layer on top:

* sentiment: ``logits = log p_base + b + x · V``, where ``x`` are the text's hashed word
  features and ``V`` weights only for the features seen in corrections. ``b`` and ``V``
  start at zero and are pulled back towards zero (L2), so a few corrections nudge the
  model and never replace it;
* a memory of corrected texts: a new text nearly identical to a corrected one (cosine
  of word features >= ``MEMORY_SIMILARITY``, the recurring spam or the same question
  asked again) takes the corrected label, for sentiment and for intent.

``fit`` also measures: accuracy on the corrections before (the shipped model) and after
(the adjustment, each correction predicted by an adjustment fitted *without* it, k-fold),
so that a manager sees held-out figures before switching it on.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from django.db import DatabaseError, transaction
from django.utils import timezone
from scipy import sparse

from harken.analysis.features import FeatureConfig, featurise
from harken.analysis.labelled import LABELS
from harken.analysis.linear import to_probabilities
from harken.analysis.models import Correction, WorkspaceAdjustment
from harken.analysis.models.correction import ALLOWED_LABELS, Field
from harken.analysis.text import clean
from harken.core.models import AuditEntry

log = logging.getLogger(__name__)

WORD_FEATURES = FeatureConfig(n_features=2**20, word_ngrams=2, char_max=0, lexicon=False)
MEMORY_SIMILARITY = 0.8
MAX_CORRECTIONS = 5000  # the newest ones; older verdicts matter less
L2 = 0.05
STEPS = 300
LEARNING_RATE = 1.0
FOLDS = 5


class CorrectionError(ValueError):
    """A correction that cannot be stored (unknown field or label, empty text)."""


def check_correction(field: str, label: str, text: str) -> None:
    if field not in ALLOWED_LABELS:
        raise CorrectionError(f"Cannot correct {field!r}: use sentiment or intent.")
    if label not in ALLOWED_LABELS[Field(field)]:
        allowed = ", ".join(ALLOWED_LABELS[Field(field)])
        raise CorrectionError(f"{label!r} is not a {field} label ({allowed}).")
    if not clean(text).strip():
        raise CorrectionError("There is no text to learn from.")


def do_correct(workspace, user, *, text: str, field: str, label: str, mention_ref: str = ""):
    """Store one correction (and its audit entry). Raises ``CorrectionError`` on bad input."""
    check_correction(field, label, text)
    correction = Correction.objects.create(
        workspace=workspace,
        user=user,
        text=clean(text),
        field=field,
        label=label,
        mention_ref=mention_ref[:200],
    )
    AuditEntry.objects.create(
        workspace=workspace,
        actor=user,
        action="analysis.correct",
        target=mention_ref[:200] or f"correction {correction.pk}",
        changes={"field": field, "label": label},
    )
    return correction


# --- fitting ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Fitted:
    """An adjustment ready to apply: sentiment layer and memory of corrected texts."""

    bias: np.ndarray  # (3,)
    layer: sparse.csr_matrix  # (n_features, 3)
    memory: sparse.csr_matrix  # (n_memory, n_features), rows L2-normalised
    memory_field: tuple[str, ...]
    memory_label: tuple[str, ...]


def fit_sentiment_layer(base_probs: np.ndarray, features: sparse.csr_matrix, labels: Sequence[str]):
    """``(bias, V)`` by gradient descent on cross-entropy with an L2 pull towards zero."""
    n_features = features.shape[1]
    if not len(labels):
        return np.zeros(3), sparse.csr_matrix((n_features, 3))
    used = np.unique(features.indices)
    x = features[:, used].toarray()
    target = np.eye(3)[[LABELS.index(label) for label in labels]]
    base_logits = np.log(np.clip(base_probs, 1e-9, 1.0))
    bias, weights = np.zeros(3), np.zeros((len(used), 3))
    for _ in range(STEPS):
        probs = to_probabilities(base_logits + bias + x @ weights, multilabel=False)
        error = (probs - target) / len(labels)
        bias -= LEARNING_RATE * (error.sum(axis=0) + L2 * bias)
        weights -= LEARNING_RATE * (x.T @ error + L2 * weights)
    layer = sparse.coo_matrix(
        (weights.ravel(), (np.repeat(used, 3), np.tile(np.arange(3), len(used)))),
        shape=(n_features, 3),
    ).tocsr()
    return bias, layer


def fit(texts: Sequence[str], fields: Sequence[str], labels: Sequence[str], base_probs) -> Fitted:
    """Fit an adjustment on corrections; ``base_probs`` are the shipped model's outputs."""
    features = featurise(list(texts), WORD_FEATURES)
    is_sentiment = np.array([f == Field.SENTIMENT for f in fields], dtype=bool)
    bias, layer = fit_sentiment_layer(
        base_probs[is_sentiment],
        features[is_sentiment],
        [label for label, s in zip(labels, is_sentiment, strict=True) if s],
    )
    return Fitted(bias, layer, features, tuple(fields), tuple(labels))


def apply(
    fitted: Fitted, texts: Sequence[str], probs: np.ndarray, intents: list[tuple[str, ...]]
) -> tuple[np.ndarray, list[tuple[str, ...]]]:
    """Adjusted sentiment probabilities and intents for a batch."""
    features = featurise(list(texts), WORD_FEATURES)
    nudges = (features @ fitted.layer).toarray()
    logits = np.log(np.clip(probs, 1e-9, 1.0)) + fitted.bias + nudges
    adjusted = to_probabilities(logits, multilabel=False)
    intents = list(intents)
    if fitted.memory.shape[0]:
        similarity = (features @ fitted.memory.T).toarray()
        for row in range(len(texts)):
            _recall(fitted, similarity[row], adjusted[row], intents, row)
    return adjusted, intents


def _recall(fitted: Fitted, similarity: np.ndarray, probs: np.ndarray, intents, row: int) -> None:
    """Give a near-duplicate of corrected texts their newest corrected labels."""
    for field in (Field.SENTIMENT, Field.INTENT):
        close = [
            i
            for i in np.flatnonzero(similarity >= MEMORY_SIMILARITY)
            if fitted.memory_field[i] == field
        ]
        if not close:
            continue
        label = fitted.memory_label[max(close, key=lambda i: (similarity[i], -i))]
        if field == Field.SENTIMENT:
            probs[:] = 0.1 * probs + 0.9 * np.eye(3)[LABELS.index(label)]
        else:
            intents[row] = (label,)


# --- figures ---------------------------------------------------------------------------


def base_predictions(texts: Sequence[str]) -> tuple[np.ndarray, list[tuple[str, ...]]]:
    """The shipped model's sentiment probabilities and intents, without any adjustment."""
    from harken.analysis.api import analyze

    found = analyze(list(texts))
    probs = np.array([[a.sentiment_scores[label] for label in LABELS] for a in found])
    return probs.reshape(len(texts), 3), [a.intents for a in found]


def accuracy(fields, labels, probs: np.ndarray, intents) -> dict[str, float | int | None]:
    """Share of corrections the predictions agree with, per field."""
    figures: dict[str, float | int | None] = {}
    for field in (Field.SENTIMENT, Field.INTENT):
        rows = [i for i, f in enumerate(fields) if f == field]
        if field == Field.SENTIMENT:
            hits = [LABELS[int(np.argmax(probs[i]))] == labels[i] for i in rows]
        else:
            hits = [labels[i] in intents[i] for i in rows]
        figures[f"{field}_n"] = len(rows)
        figures[f"{field}_accuracy"] = round(float(np.mean(hits)), 4) if rows else None
    return figures


def held_out(texts, fields, labels, base_probs, base_intents) -> tuple[np.ndarray, list]:
    """Each correction predicted by an adjustment fitted on the other folds."""
    n = len(texts)
    probs, intents = np.array(base_probs, copy=True), list(base_intents)
    folds = min(FOLDS, n)
    for fold in range(folds):
        test = [i for i in range(n) if i % folds == fold]
        train = [i for i in range(n) if i % folds != fold]
        fitted = fit(
            [texts[i] for i in train],
            [fields[i] for i in train],
            [labels[i] for i in train],
            base_probs[train],
        )
        fold_probs, fold_intents = apply(
            fitted, [texts[i] for i in test], base_probs[test], [base_intents[i] for i in test]
        )
        for k, i in enumerate(test):
            probs[i], intents[i] = fold_probs[k], fold_intents[k]
    return probs, intents


# --- the workspace's adjustment ---------------------------------------------------------


def to_json(fitted: Fitted) -> dict:
    layer = fitted.layer.tocoo()
    memory = fitted.memory.tocsr()
    return {
        "features": WORD_FEATURES.to_json(),
        "bias": _rounded(fitted.bias),
        "layer": [
            [int(r), int(c), round(float(v), 6)]
            for r, c, v in zip(layer.row, layer.col, layer.data, strict=True)
        ],
        "memory": [
            {
                "field": fitted.memory_field[i],
                "label": fitted.memory_label[i],
                "indices": memory.indices[memory.indptr[i] : memory.indptr[i + 1]].tolist(),
                "values": _rounded(memory.data[memory.indptr[i] : memory.indptr[i + 1]]),
            }
            for i in range(memory.shape[0])
        ],
    }


def _rounded(values) -> list[float]:
    return [round(float(v), 6) for v in values]


def from_json(data: dict) -> Fitted:
    n_features = FeatureConfig.from_json(data["features"]).n_features
    entries = data.get("layer", [])
    rows, cols, vals = zip(*entries, strict=True) if entries else ((), (), ())
    layer = sparse.coo_matrix((vals, (rows, cols)), shape=(n_features, 3)).tocsr()
    memory_rows = data.get("memory", [])
    indptr = np.cumsum([0] + [len(m["indices"]) for m in memory_rows])
    memory = sparse.csr_matrix(
        (
            np.array([v for m in memory_rows for v in m["values"]], dtype=np.float32),
            np.array([j for m in memory_rows for j in m["indices"]], dtype=np.int64),
            indptr,
        ),
        shape=(len(memory_rows), n_features),
    )
    return Fitted(
        np.array(data["bias"], dtype=np.float64),
        layer,
        memory,
        tuple(m["field"] for m in memory_rows),
        tuple(m["label"] for m in memory_rows),
    )


def do_retrain(workspace, user=None) -> WorkspaceAdjustment:
    """Fit a new, inactive adjustment on the workspace's corrections, with its figures."""
    rows = list(
        Correction.objects.filter(workspace=workspace)
        .order_by("-created", "-id")
        .values_list("text", "field", "label")[:MAX_CORRECTIONS]
    )
    rows.reverse()  # oldest first, so that the newest verdict wins in the memory
    texts = [r[0] for r in rows]
    fields = [r[1] for r in rows]
    labels = [r[2] for r in rows]
    base_probs, base_intents = base_predictions(texts)
    before = accuracy(fields, labels, base_probs, base_intents)
    after = accuracy(fields, labels, *held_out(texts, fields, labels, base_probs, base_intents))
    fitted = fit(texts, fields, labels, base_probs)
    adjustment = WorkspaceAdjustment.objects.create(
        workspace=workspace,
        created_by=user,
        corrections=len(rows),
        weights=to_json(fitted),
        before=before,
        after=after,
    )
    AuditEntry.objects.create(
        workspace=workspace,
        actor=user,
        action="analysis.retrain",
        target=f"adjustment {adjustment.pk}",
        changes={"corrections": len(rows), "before": before, "after": after},
    )
    return adjustment


def do_activate(adjustment: WorkspaceAdjustment, user=None) -> None:
    """Switch ``adjustment`` on for its workspace (and any other one off)."""
    with transaction.atomic():
        WorkspaceAdjustment.objects.filter(workspace=adjustment.workspace, active=True).update(
            active=False
        )
        adjustment.active = True
        adjustment.activated = timezone.now()
        adjustment.save(update_fields=["active", "activated"])
        AuditEntry.objects.create(
            workspace=adjustment.workspace,
            actor=user,
            action="analysis.activate",
            target=f"adjustment {adjustment.pk}",
        )


def do_deactivate(workspace, user=None) -> int:
    """Switch the workspace back to the shipped model; returns how many were switched off."""
    count = WorkspaceAdjustment.objects.filter(workspace=workspace, active=True).update(
        active=False
    )
    if count:
        AuditEntry.objects.create(
            workspace=workspace, actor=user, action="analysis.deactivate", target="adjustment"
        )
    return count


_cache_lock = threading.Lock()
_cache: dict[tuple, Fitted] = {}


def active_adjustment(workspace_id: int) -> Fitted | None:
    """The workspace's active adjustment, parsed once per adjustment row."""
    # Keyed by id *and* creation time: a database may hand a deleted row's id to a new row
    # (SQLite does), which must not get the old row's weights.
    row = (
        WorkspaceAdjustment.objects.filter(workspace_id=workspace_id, active=True)
        .values_list("pk", "created")
        .first()
    )
    if row is None:
        return None
    with _cache_lock:
        if row not in _cache:
            weights = WorkspaceAdjustment.objects.values_list("weights", flat=True).get(pk=row[0])
            _cache[row] = from_json(weights)
        return _cache[row]


def apply_adjustment(workspace_id: int, texts, probs: np.ndarray, intents):
    """``analyze``'s hook: the workspace's active adjustment applied, if it has one.

    A database that cannot be read costs the batch its adjustment, not its analysis.
    """
    try:
        fitted = active_adjustment(workspace_id)
    except DatabaseError:
        log.exception(
            "Could not read workspace %s's adjustment; using the shipped model", workspace_id
        )
        return probs, intents
    if fitted is None:
        return probs, intents
    return apply(fitted, texts, probs, intents)
