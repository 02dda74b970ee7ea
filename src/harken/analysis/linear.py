"""A hashed-feature linear model stored as numpy ``.npz`` + JSON (no pickle).

Loading a pickle runs code; a weight matrix and a JSON header cannot. The same format
serves the sentiment model and the intent model.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from harken.analysis.features import FeatureConfig, featurise


@dataclass(frozen=True)
class LinearModel:
    classes: tuple[str, ...]
    weights: np.ndarray  # (n_features, n_classes) float32
    bias: np.ndarray  # (n_classes,) float32
    config: FeatureConfig
    multilabel: bool = False
    meta: dict | None = None

    def scores(self, texts: Sequence[str]) -> np.ndarray:
        """Raw class scores (logits) for a batch, shape (len(texts), n_classes)."""
        if not texts:
            return np.zeros((0, len(self.classes)), dtype=np.float32)
        return self.scores_of(featurise(texts, self.config))

    def scores_of(self, matrix) -> np.ndarray:
        """Class scores of an already featurised batch (made with ``self.config``)."""
        return np.asarray(matrix @ self.weights) + self.bias

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        return to_probabilities(self.scores(texts), self.multilabel)

    def save(self, stem: Path) -> None:
        """Write ``stem.npz`` (weights) and ``stem.json`` (classes, features, figures)."""
        # float16 halves the file; the scores move by less than 1e-3.
        weights = self.weights.astype(np.float16)
        np.savez_compressed(stem.with_suffix(".npz"), weights=weights, bias=self.bias)
        header = {
            "classes": list(self.classes),
            "features": self.config.to_json(),
            "multilabel": self.multilabel,
            "meta": self.meta or {},
        }
        stem.with_suffix(".json").write_text(json.dumps(header, indent=2) + "\n")

    @classmethod
    def load(cls, stem: Path) -> LinearModel:
        header = json.loads(stem.with_suffix(".json").read_text())
        with np.load(stem.with_suffix(".npz"), allow_pickle=False) as arrays:
            # C order: scipy's sparse @ dense would copy a Fortran-ordered matrix (12 MB for
            # the sentiment model) on every call.
            weights = np.ascontiguousarray(arrays["weights"], dtype=np.float32)
            bias = arrays["bias"].astype(np.float32)
        return cls(
            classes=tuple(header["classes"]),
            weights=weights,
            bias=bias,
            config=FeatureConfig.from_json(header["features"]),
            multilabel=bool(header.get("multilabel", False)),
            meta=header.get("meta", {}),
        )


def to_probabilities(scores: np.ndarray, multilabel: bool) -> np.ndarray:
    if multilabel:
        return 1.0 / (1.0 + np.exp(-scores))
    shifted = scores - scores.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=1, keepdims=True)
