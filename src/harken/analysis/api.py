"""The analysis app's public interface: ``analyze`` a batch of texts, ``priority`` of one.

``analyze`` is what the listening pipeline calls on every batch. It is deterministic,
vectorised over the batch (one sparse matrix product per model), and never raises on a bad
*text*: ``None``, empty strings, 50 kB pastes, lone surrogates and mixed scripts all come
back as a valid ``Analysis``, and ``bytes`` are decoded as UTF-8 (bad bytes become U+FFFD).
A bad *batch* is the caller's mistake and raises ``TypeError``: ``analyze("a text")`` would
otherwise analyse each character, and ``analyze(None)`` nothing.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from harken.analysis import intents as intent_rules
from harken.analysis import language, phrases
from harken.analysis.features import featurise, hashed_matrix
from harken.analysis.labelled import LABELS
from harken.analysis.linear import LinearModel, to_probabilities
from harken.analysis.priority import Priority, priority
from harken.analysis.text import clean, head, normalise

log = logging.getLogger(__name__)

#: The shipped weights (numpy files and their JSON headers), apart from the Django models.
WEIGHTS_DIR = Path(__file__).with_name("weights")
MODELS_DIR = WEIGHTS_DIR  # the name older callers use

__all__ = ["Analysis", "AnalysisContext", "Priority", "analyze", "priority"]


@dataclass(frozen=True)
class AnalysisContext:
    """The workspace's vocabulary, and whose corrections to apply."""

    workspace_id: int | None = None
    products: list[str] = field(default_factory=list)
    competitors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Analysis:
    language: str
    language_confidence: float
    sentiment: str
    sentiment_scores: dict[str, float]
    intents: tuple[str, ...]
    key_phrases: tuple[str, ...]
    products: tuple[str, ...]
    competitors: tuple[str, ...]


_lock = threading.Lock()
_models: dict[str, object] = {}


def sentiment_model():
    """The sentiment model: the shipped linear model, or the transformer named by
    ``HARKEN_SENTIMENT_MODEL_DIR``. Loaded once per process."""
    with _lock:
        if "sentiment" not in _models:
            from harken.analysis.transformer import configured_model_dir, load_transformer

            directory = configured_model_dir()
            if directory:
                _models["sentiment"] = load_transformer(directory)
            else:
                _models["sentiment"] = LinearModel.load(WEIGHTS_DIR / "sentiment")
        return _models["sentiment"]


def question_model() -> LinearModel | None:
    """The question detector trained on tweet-acts (None if it was not trained)."""
    with _lock:
        if "question" not in _models:
            stem = WEIGHTS_DIR / "intent"
            _models["question"] = (
                LinearModel.load(stem) if stem.with_suffix(".npz").exists() else None
            )
        return _models["question"]  # type: ignore[return-value]


def complaint_model() -> LinearModel | None:
    """The complaint model (``training/complaint_train.py``; None if it was not trained)."""
    with _lock:
        if "complaint" not in _models:
            stem = WEIGHTS_DIR / "complaint"
            _models["complaint"] = (
                LinearModel.load(stem) if stem.with_suffix(".npz").exists() else None
            )
        return _models["complaint"]  # type: ignore[return-value]


def reset_models() -> None:
    """Forget loaded models (tests switch ``HARKEN_SENTIMENT_MODEL_DIR``)."""
    with _lock:
        _models.clear()


def analyze(
    texts: Sequence[str | bytes | None],
    context: AnalysisContext | None = None,
    *,
    languages: Sequence[str | None] | None = None,
) -> list[Analysis]:
    """Language, sentiment, intents, key phrases and vocabulary of every text, in order.

    ``texts`` is a batch (a list or tuple); one text goes in as ``analyze([text])``.
    ``languages``, when given, holds the language each text's network declared (or None):
    a declared language is kept (confidence 1.0) and the text is not identified again.
    """
    context = context or AnalysisContext()
    cleaned = [clean(t) for t in _batch(texts)]
    if not cleaned:
        return []
    # Each text is cut and normalised once; every model reads the same normalised head.
    heads = [head(t) for t in cleaned]
    normed = [normalise(h) for h in heads]
    features: dict[object, object] = {}  # one featurisation per config, shared by models
    sentiment = sentiment_probabilities(heads, features, normed)
    own, rivals, found_intents = _intents(cleaned, normed, sentiment, context, features)
    if context.workspace_id is not None:
        from harken.analysis.adjust import apply_adjustment

        sentiment, found_intents = apply_adjustment(
            context.workspace_id, cleaned, sentiment, found_intents
        )
    found_languages = _languages(heads, languages)
    # The label and rounded scores of the whole batch at once: one argmax and one
    # conversion to Python floats instead of a few numpy calls per text.
    best = np.argmax(sentiment, axis=1).tolist()
    rows = np.asarray(sentiment, dtype=np.float64).tolist()
    return [
        _one(
            text,
            found_languages[i],
            rows[i],
            LABELS[best[i]],
            found_intents[i],
            own[i] if own else (),
            rivals[i] if rivals else (),
        )
        for i, text in enumerate(cleaned)
    ]


def _intents(
    cleaned: list[str],
    normed: list[str],
    sentiment: np.ndarray,
    context: AnalysisContext,
    features: dict,
) -> tuple[list[tuple[str, ...]] | None, list[tuple[str, ...]] | None, list[tuple[str, ...]]]:
    """The workspace's names each text names (its own, its competitors'), and its intents."""
    questions = question_probabilities(normed, features)
    likely = likely_complaints(normed, features)
    own = [phrases.named(t, context.products) for t in cleaned] if context.products else None
    rivals = (
        [phrases.named(t, context.competitors) for t in cleaned] if context.competitors else None
    )
    named = (
        [bool((own and own[i]) or (rivals and rivals[i])) for i in range(len(cleaned))]
        if own or rivals
        else None
    )
    # A text that names a competitor and none of the brand's own names is about the rival.
    rivals_only = (
        [bool(rivals[i]) and not (own and own[i]) for i in range(len(cleaned))] if rivals else None
    )
    found = intent_rules.classify(cleaned, sentiment, questions, named, likely, rivals_only)
    return own, rivals, found


def reclassify(
    texts: Sequence[str | None], sentiment: np.ndarray, context: AnalysisContext | None = None
) -> list[tuple[str, ...]]:
    """The intents of texts whose sentiment probabilities another model gave (the second
    pass): the intents that read sentiment ("my order is late" said angrily or kindly) are
    found again with them, the workspace's corrections applied as ``analyze`` does."""
    context = context or AnalysisContext()
    cleaned = [clean(t) for t in _batch(texts)]
    if not cleaned:
        return []
    normed = [normalise(head(t)) for t in cleaned]
    sentiment = np.asarray(sentiment, dtype=np.float64).reshape(len(cleaned), len(LABELS))
    _own, _rivals, found = _intents(cleaned, normed, sentiment, context, {})
    if context.workspace_id is not None:
        from harken.analysis.adjust import apply_adjustment

        _adjusted, found = apply_adjustment(context.workspace_id, cleaned, sentiment, found)
    return [tuple(f) for f in found]


def _languages(heads: list[str], declared: Sequence[str | None] | None) -> list[tuple[str, float]]:
    if declared is None:
        return language.detect_many(heads)
    if len(declared) != len(heads):
        raise ValueError(f"{len(declared)} languages for {len(heads)} texts")
    codes = [str(code).strip().lower()[:8] if code else "" for code in declared]
    unknown = [i for i, code in enumerate(codes) if not code]
    detected = language.detect_many([heads[i] for i in unknown]) if unknown else []
    found: list[tuple[str, float]] = [(code, 1.0) for code in codes]
    for i, guess in zip(unknown, detected, strict=True):
        found[i] = guess
    return found


def _batch(texts: object) -> Sequence[object]:
    """The batch, or a ``TypeError`` that says what was passed instead."""
    if isinstance(texts, str | bytes | bytearray | memoryview):
        raise TypeError(
            f"analyze() takes a batch of texts, not one {type(texts).__name__}: "
            "call analyze([text])"
        )
    if texts is None or isinstance(texts, dict) or not isinstance(texts, Sequence | Iterable):
        raise TypeError(
            f"analyze() takes a list of texts, not {type(texts).__name__}: call analyze([text])"
        )
    return texts if isinstance(texts, Sequence) else list(texts)


def _scores(model: LinearModel, normed: list[str], cache: dict) -> np.ndarray:
    """``model``'s class scores of the batch, from features shared between models.

    Models that differ only in the embeddings' weight share the hashed columns (the
    sentiment and question models do) and the texts' embeddings; the two parts are scored
    apart, with the weight matrix's top rows (hashed columns) and its last rows
    (embedding dimensions), instead of building their concatenation per model.
    """
    config = model.config
    base = replace(config, embeddings=0.0)
    if base not in cache:
        cache[base] = hashed_matrix(normed, base)
    n = config.n_features
    scores = np.asarray(cache[base] @ model.weights[:n])
    if config.embeddings:
        if "embedded" not in cache:
            from harken.analysis.embeddings import shipped_embeddings

            cache["embedded"] = shipped_embeddings().embed(normed, normalised=True)
        scores += (cache["embedded"] * np.float32(config.embeddings)) @ model.weights[n:]
    return scores + model.bias


#: "X but Y": what follows the contrast is what the author means ("the wait was long but
#: the staff were lovely"). Its scores are added at half the whole text's weight.
_CONTRAST = re.compile(r"\b(?:but|however)\b[,:]?\s+", re.IGNORECASE)
CONTRAST_WEIGHT = 0.5


def contrast_tail(text: str) -> str | None:
    """What follows the last "but"/"however" when both sides have two words or more."""
    lowered = text.lower()
    if "but" not in lowered and "however" not in lowered:
        return None
    found = list(_CONTRAST.finditer(text))
    if not found:
        return None
    last = found[-1]
    head, tail = text[: last.start()], text[last.end() :]
    if len(head.split()) < 2 or len(tail.split()) < 2:
        return None
    return tail


def sentiment_probabilities(
    texts: list[str],
    cache: dict | None = None,
    normed: list[str] | None = None,
    model: LinearModel | None = None,
) -> np.ndarray:
    """(negative, neutral, positive) probabilities of cleaned texts, contrast rule applied.

    ``normed``: the texts' ``normalise(head(text))``, when the caller has them already;
    ``model``: another fitted model than the shipped one (``training/blend.py``).
    """
    cache = {} if cache is None else cache
    model = model or sentiment_model()
    if not isinstance(model, LinearModel):
        return np.asarray(model.probabilities(texts), dtype=np.float64)
    if normed is None:
        normed = [normalise(head(t)) for t in texts]
    scores = _scores(model, normed, cache).astype(np.float64)
    tails = [(i, tail) for i, t in enumerate(texts) if (tail := contrast_tail(head(t)))]
    if tails:
        rows = [i for i, _ in tails]
        tail_scores = model.scores_of(featurise([t for _, t in tails], model.config))
        scores[rows] = (scores[rows] + CONTRAST_WEIGHT * tail_scores) / (1 + CONTRAST_WEIGHT)
    return to_probabilities(scores, multilabel=False)


def question_probabilities(normed: list[str], cache: dict) -> np.ndarray:
    """The question detector's probability for each normalised head."""
    model = question_model()
    if model is None:
        return np.zeros(len(normed))
    scores = _scores(model, normed, cache)
    return to_probabilities(scores, multilabel=True)[:, 0]


def likely_complaints(normed: list[str], cache: dict) -> list[bool] | None:
    """Whether the complaint model scores each normalised head over its threshold (chosen
    on out-of-fold scores in training); None when the model was not trained. It shares the
    sentiment model's features, so it costs one more column of a matrix product."""
    model = complaint_model()
    if model is None:
        return None
    threshold = float((model.meta or {}).get("threshold", 0.5))
    # The logit of the threshold: no exponentials for the comparison.
    logit = float(np.log(threshold / (1 - threshold)))
    return (_scores(model, normed, cache)[:, 0] >= logit).tolist()


def _one(text, lang, probs, label, found_intents, products, competitors) -> Analysis:
    negative, neutral, positive = probs
    scores = {
        "negative": round(negative, 4),
        "neutral": round(neutral, 4),
        "positive": round(positive, 4),
    }
    return Analysis(
        language=lang[0],
        language_confidence=lang[1],
        sentiment=label,
        sentiment_scores=scores,
        intents=tuple(found_intents),
        key_phrases=phrases.key_phrases(text),
        products=products,
        competitors=competitors,
    )
