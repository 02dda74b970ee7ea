"""The accuracy-first option: a local transformer sentiment model run by onnxruntime.

Set ``HARKEN_SENTIMENT_MODEL_DIR`` to a directory holding an exported sequence
classifier, as ``optimum-cli export onnx --task text-classification`` writes it:

    model.onnx       the network (inputs input_ids, attention_mask, maybe token_type_ids)
    tokenizer.json   its fast tokenizer (the ``tokenizers`` format)
    config.json      with ``id2label`` (e.g. a tweet-trained RoBERTa's negative/neutral/positive)

``analyze`` then uses it instead of the shipped linear model. Nothing is downloaded. It
needs ``onnxruntime`` and ``tokenizers`` (default dependencies since the second pass,
``second_pass.py``, runs the shipped fine-tuned model with this class; ONNX rather than
torch: a CPU-only runtime of ~15 MB, no GPU wheels). ``config.json`` may name
``max_tokens`` (the length the model was trained at; 128 otherwise).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from django.core.exceptions import ImproperlyConfigured

from harken.analysis.labelled import LABELS
from harken.lib.env import env_str

BATCH = 32
MAX_TOKENS = 128
REQUIRED_FILES = ("model.onnx", "tokenizer.json", "config.json")


def configured_model_dir() -> Path | None:
    raw = env_str("HARKEN_SENTIMENT_MODEL_DIR", "").strip()
    if not raw:
        return None
    path = Path(raw).expanduser()
    missing = [name for name in REQUIRED_FILES if not (path / name).is_file()]
    if missing:
        raise ImproperlyConfigured(
            f"HARKEN_SENTIMENT_MODEL_DIR={raw!r} lacks {', '.join(missing)}: point it at an "
            "ONNX export of a text-classification model."
        )
    return path


class TransformerSentiment:
    """An ONNX sequence classifier whose labels map onto negative / neutral / positive."""

    def __init__(self, directory: Path):
        try:
            import onnxruntime
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise ImproperlyConfigured(
                "HARKEN_SENTIMENT_MODEL_DIR needs the optional packages onnxruntime and tokenizers."
            ) from exc
        config = json.loads((directory / "config.json").read_text())
        self.order = label_order(config.get("id2label") or {})
        self.tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
        self.max_tokens = int(config.get("max_tokens") or MAX_TOKENS)
        self.tokenizer.enable_truncation(self.max_tokens)
        self.tokenizer.enable_padding(pad_id=int(config.get("pad_token_id") or 0))
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1  # one worker, one core: the pipeline runs several
        self.session = onnxruntime.InferenceSession(
            str(directory / "model.onnx"), options, providers=["CPUExecutionProvider"]
        )
        self.inputs = {i.name for i in self.session.get_inputs()}

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), len(LABELS)), dtype=np.float64)
        # Length-bucketed batches: texts sorted by length pad each batch to a similar size,
        # so a 3-word reply does not pay for the 60-token tweet beside it.
        ranked = sorted(range(len(texts)), key=lambda i: len(texts[i] or ""))
        for start in range(0, len(ranked), BATCH):
            rows = ranked[start : start + BATCH]
            chunk = [texts[i] or " " for i in rows]
            logits = self.session.run(None, self._feed(chunk))[0].astype(np.float64)
            shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
            probs = shifted / shifted.sum(axis=1, keepdims=True)
            out[rows] = probs[:, self.order]
        # Nothing to read is neutral, whatever the network makes of an empty sequence.
        out[[i for i, text in enumerate(texts) if not text.strip()]] = (0.0, 1.0, 0.0)
        return out

    def _feed(self, chunk: list[str]) -> dict[str, np.ndarray]:
        encoded = self.tokenizer.encode_batch(chunk)
        arrays = {
            "input_ids": np.array([e.ids for e in encoded], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in encoded], dtype=np.int64),
            "token_type_ids": np.array([e.type_ids for e in encoded], dtype=np.int64),
        }
        return {name: value for name, value in arrays.items() if name in self.inputs}


def label_order(id2label: dict) -> list[int]:
    """Model output columns in Harken's order (negative, neutral, positive).

    Named labels are matched by prefix ("NEG", "Negative"); anonymous ``LABEL_0..2`` are
    taken in the usual order of three-class sentiment models (negative, neutral, positive).
    """
    names = {int(i): str(name).lower() for i, name in id2label.items()}
    if len(names) != len(LABELS):
        raise ImproperlyConfigured(f"The sentiment model has {len(names)} labels, not 3.")
    order = []
    for label in LABELS:
        match = [i for i, name in names.items() if name.startswith(label[:3])]
        order.append(match[0] if len(match) == 1 else LABELS.index(label))
    if sorted(order) != [0, 1, 2]:
        raise ImproperlyConfigured(f"Cannot map the model's labels {names} to {LABELS}.")
    return order


def load_transformer(directory: Path) -> TransformerSentiment:
    return TransformerSentiment(directory)
