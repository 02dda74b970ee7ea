"""Hashed word, prefix, character and lexicon features for the linear models.

Hashing keeps a shipped model a fixed-size weight matrix (no vocabulary to store). The
hash is CRC-32 (``zlib``, in C, the same in every process and on every platform, unlike
Python's salted ``hash``); each kind of feature hashes with its own seed so that a word
and a character n-gram with the same spelling stay apart. Building the token streams is
the only per-text Python work; the rest is one sparse matrix per batch.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain

import numpy as np
from scipy import sparse

from harken.analysis import text as T

_crc = zlib.crc32
_EMOTION_OF = T.EMOTIONS.get  # ``text.emotion_token`` without a Python call per token
SEED_WORD, SEED_BIGRAM, SEED_PREFIX, SEED_CHAR, SEED_LEXICON = 0, 1, 2, 3, 4
_SEEDS = (SEED_WORD, SEED_BIGRAM, SEED_PREFIX, SEED_CHAR, SEED_LEXICON)


@dataclass(frozen=True)
class FeatureConfig:
    """How texts become features; stored in the model's JSON so inference matches training."""

    n_features: int = 2**20
    word_ngrams: int = 2
    char_min: int = 3
    char_max: int = 0  # 0: no character n-grams
    prefix: int = 0  # > 0: also each word's first ``prefix`` letters (a cheap stem)
    lexicon: bool = True
    lexicon_weight: float = 1.0
    # > 0: the text's static embedding (``embeddings.py``) appended after the hashed
    # columns, scaled by this; the weight matrix then has ``n_features + dims`` rows.
    embeddings: float = 0.0

    def to_json(self) -> dict:
        return dict(self.__dict__)

    @classmethod
    def from_json(cls, data: dict) -> FeatureConfig:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)


def _lexicon_token(tok: str, table: dict[str, float]) -> str:
    """The lexicon token of one (negation-marked) word: "" unless the word is polar."""
    negated = tok.startswith("NEG_")
    value = table.get(tok[4:] if negated else tok.lstrip("#"))
    if value is None or -0.5 < value < 0.5:
        return ""
    if negated:
        value = -0.75 * value
    strength = "2" if value >= 2 or value <= -2 else "1"
    return ("LEX_POS" if value > 0 else "LEX_NEG") + strength


class _LexiconTokens(dict):
    """Word -> its lexicon token ("" for none), computed once per word (see ``_Columns``)."""

    def __init__(self, table: dict[str, float]) -> None:
        super().__init__()
        self.table = table

    def __missing__(self, tok: str) -> str:
        found = self[tok] = _lexicon_token(tok, self.table)
        return found


_lexicon_cache: list[_LexiconTokens] = []


def _lexicon_tokens(marked: list[str], table: dict[str, float]) -> list[str]:
    """One token per polar word, its sign flipped inside a negation's scope."""
    if not _lexicon_cache or _lexicon_cache[0].table is not table:
        _lexicon_cache[:] = [_LexiconTokens(table)]
    cache = _lexicon_cache[0]
    if len(cache) > MAX_CACHED_TOKENS:
        cache.clear()
    return [t for t in map(cache.__getitem__, marked) if t]


def feature_tokens(raw: str, config: FeatureConfig) -> dict[int, list[str]]:
    """The text's feature tokens, by hash seed (words, bigrams, prefixes, chars, lexicon)."""
    return normalised_tokens(T.normalise(T.head(T.clean(raw))), config)


def normalised_tokens(norm: str, config: FeatureConfig) -> dict[int, list[str]]:
    """``feature_tokens`` of a text already through ``text.normalise``."""
    toks = T.tokens(norm)
    marked = T.mark_negation(toks)
    words = list(marked)
    words.extend(filter(None, map(_EMOTION_OF, toks)))
    if "!" in norm:
        words.append("PUNCT_EXCL")
    if not words:
        words.append("EMPTY")
    out: dict[int, list[str]] = {SEED_WORD: words}
    if config.word_ngrams >= 2:
        out[SEED_BIGRAM] = list(map(" ".join, zip(marked, marked[1:], strict=False)))
    if config.prefix:
        n = config.prefix
        out[SEED_PREFIX] = [t[:n] for t in marked if len(t) > n]
    if config.char_max:
        joined = " " + " ".join(t for t in toks if t.isalnum()) + " "
        grams: list[str] = []
        for n in range(config.char_min, config.char_max + 1):
            grams.extend(joined[i : i + n] for i in range(len(joined) - n + 1))
        out[SEED_CHAR] = grams
    if config.lexicon:
        out[SEED_LEXICON] = _lexicon_tokens(marked, T.lexicon())
    return out


class _Columns(dict):
    """Token -> hashed column for one seed and width, computed on first sight.

    Tokens follow Zipf's law: most of a batch's tokens were hashed before, and a dict hit
    through ``map`` (in C) costs a fraction of encoding and hashing the token again.
    """

    def __init__(self, seed: int, mask: int) -> None:
        super().__init__()
        self.seed, self.mask = seed, mask

    def __missing__(self, token: str) -> int:
        column = _crc(token.encode("utf-8", "replace"), self.seed) & self.mask
        self[token] = column
        return column


#: Memory bound of the column caches: a cache past this many tokens starts again.
MAX_CACHED_TOKENS = 2**18
_columns: dict[tuple[int, int], _Columns] = {}


def _column_cache(seed: int, mask: int) -> _Columns:
    cache = _columns.get((seed, mask))
    if cache is None or len(cache) > MAX_CACHED_TOKENS:
        cache = _columns[(seed, mask)] = _Columns(seed, mask)
    return cache


def _hashed(norm: str, config: FeatureConfig, caches: dict[int, _Columns]) -> list[int]:
    columns: list[int] = []
    for seed, toks in normalised_tokens(norm, config).items():
        columns.extend(map(caches[seed].__getitem__, toks))
    return columns


def featurise(
    texts: Sequence[str], config: FeatureConfig, *, normalised: bool = False
) -> sparse.csr_matrix:
    """The batch as a sparse matrix (rows = texts): log counts, rows L2-normalised.

    ``normalised=True`` says the texts already went through ``clean``, ``head`` and
    ``normalise`` (``analyze`` does that once per text for every model).
    """
    norms = list(texts) if normalised else [T.normalise(T.head(T.clean(t))) for t in texts]
    matrix = hashed_matrix(norms, config)
    if config.embeddings:
        matrix = with_embeddings(matrix, norms, config.embeddings)
    return matrix


def hashed_matrix(normed: Sequence[str], config: FeatureConfig) -> sparse.csr_matrix:
    """The hashed columns of normalised texts (no embeddings)."""
    mask = config.n_features - 1  # n_features is a power of two
    caches = {seed: _column_cache(seed, mask) for seed in _SEEDS}
    per_text = [_hashed(t, config, caches) for t in normed]
    lengths = np.fromiter(map(len, per_text), dtype=np.int64, count=len(per_text))
    cols = np.fromiter(chain.from_iterable(per_text), dtype=np.int64, count=int(lengths.sum()))
    rows = np.repeat(np.arange(len(per_text)), lengths)
    ones = np.ones(len(cols), dtype=np.float32)
    matrix = sparse.csr_matrix((ones, (rows, cols)), shape=(len(per_text), config.n_features))
    matrix.sum_duplicates()
    matrix.data = np.log1p(matrix.data)  # damp repeated tokens ("no no no no")
    if config.lexicon and config.lexicon_weight != 1.0:
        _reweight_lexicon(matrix, config, mask)
    # Row norms from the stored values only (``sum(axis=1)`` would multiply by a vector of
    # a million ones on every call).
    per_row = np.diff(matrix.indptr)
    row_of = np.repeat(np.arange(matrix.shape[0]), per_row)
    lengths_l2 = np.sqrt(np.bincount(row_of, weights=matrix.data**2, minlength=matrix.shape[0]))
    lengths_l2[lengths_l2 == 0] = 1.0
    matrix.data /= np.repeat(lengths_l2, per_row).astype(np.float32)
    return matrix


def with_embeddings(
    matrix: sparse.csr_matrix, norms: Sequence[str], weight: float
) -> sparse.csr_matrix:
    """``matrix`` with the texts' static embeddings appended, scaled by ``weight``."""
    from harken.analysis.embeddings import shipped_embeddings

    dense = shipped_embeddings().embed(norms, normalised=True) * np.float32(weight)
    return sparse.hstack([matrix, sparse.csr_matrix(dense)], format="csr")


def _reweight_lexicon(matrix: sparse.csr_matrix, config: FeatureConfig, mask: int) -> None:
    """Scale the few lexicon columns: prior knowledge the training data lacks."""
    names = ("LEX_POS1", "LEX_POS2", "LEX_NEG1", "LEX_NEG2")
    lexicon_cols = np.array([_crc(n.encode(), SEED_LEXICON) & mask for n in names])
    hit = np.isin(matrix.indices, lexicon_cols)
    matrix.data[hit] *= config.lexicon_weight
