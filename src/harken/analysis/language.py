"""Language identification with py3langid (its model ships inside that package).

Handles, URLs and hashtags are removed first: "@DeltaAssist" is not Swedish. The
identifier is restricted to the languages Harken's users plausibly meet, which removes
the rare-language false positives that short social texts cause, and its normalised
probability is the confidence. Texts with no letters at all are "und" (undetermined).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence

import numpy as np
from scipy import sparse

#: ISO 639-1 codes the identifier may answer with.
LANGUAGES = """
    ar bg bn ca cs da de el en es et fa fi fr he hi hr hu id it ja ko lt lv ms nl no pl pt ro
    ru sk sl sr sv sw th tl tr uk ur vi zh
""".split()  # noqa: SIM905

UNDETERMINED = "und"
# URLs first, wherever they start: a link glued to a hashtag ("#magahttps://t.co/x") must
# not leave "t co x" behind to vote. Then handles, hashtags, entities and "RT".
_URLS = re.compile(r"(?:https?://|www\.)\S+|\b[\w.-]+\.(?:com|net|org|ly|co|io)/\S*", re.IGNORECASE)
_NOISE = re.compile(r"[@#]\w+|&\w+;|\bRT\b")
_lock = threading.Lock()
_identifier = None


def identifier():
    """The shared py3langid identifier, loaded once (about 0.2 s)."""
    global _identifier
    with _lock:
        if _identifier is None:
            from py3langid.langid import MODEL_FILE, LanguageIdentifier

            ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
            ident.set_languages([code for code in LANGUAGES if code in ident.labels])
            _identifier = ident
    return _identifier


def voting_text(text: str) -> str:
    """The words that vote on the language: no links, handles, hashtags or "RT"."""
    if "/" in text or "www." in text or "WWW." in text:
        text = _URLS.sub(" ", text)
    if "@" in text or "#" in text or "&" in text or "RT" in text:
        text = _NOISE.sub(" ", text)
    return text


_ASCII_LETTER = re.compile(r"[A-Za-z]")


def has_letters(text: str) -> bool:
    """Whether any character is a letter (``str.isalpha``); one regex pass for ASCII text."""
    if text.isascii():
        return _ASCII_LETTER.search(text) is not None
    return any(ch.isalpha() for ch in text)


def detect(text: str) -> tuple[str, float]:
    """``(code, confidence)`` for one cleaned text."""
    stripped = voting_text(text)
    if not has_letters(stripped):
        return UNDETERMINED, 0.0
    code, confidence = identifier().classify(stripped)
    return code, round(float(confidence), 4)


def detect_many(texts: Sequence[str]) -> list[tuple[str, float]]:
    """``detect`` of every text, the same answers, scored as one matrix product.

    py3langid walks each text's bytes through its automaton, one Python step per byte,
    and then scores the byte n-grams it found. Here a batch walks in lock step (one numpy
    step per byte position, ``_walk_batch``) and the scoring is one sparse product for the
    whole batch instead of a few numpy calls per text.
    """
    ident = identifier()
    if not all(hasattr(ident, name) for name in ("_rowbase", "_encode", "_alias_pairs")):
        return [detect(text) for text in texts]  # another py3langid: its own per-text path
    out: list[tuple[str, float]] = [(UNDETERMINED, 0.0)] * len(texts)
    encoded: list[bytes] = []
    scored: list[int] = []
    for i, text in enumerate(texts):
        stripped = voting_text(text)
        if has_letters(stripped):
            encoded.append(ident._encode(stripped))
            scored.append(i)
    if not scored:
        return out
    walk = _walk_batch if len(encoded) >= BATCH_WALK else _walk_each
    rows, cols = walk(ident, encoded)
    lengths = [len(e) for e in encoded]
    # Only the table rows the batch uses, as float32 (the table is float16, 100,000 rows:
    # converting all of it would cost more than a short batch itself).
    used, columns = np.unique(cols, return_inverse=True)
    counts = sparse.csr_matrix(
        (np.ones(len(cols), dtype=np.float32), (rows, columns)), shape=(len(scored), len(used))
    )
    counts.sum_duplicates()
    counts.data = np.log1p(counts.data)
    table = ident.nb_ptc[used].astype(np.float32)
    scores = np.asarray(counts @ table, dtype=np.float32) + ident.nb_pc
    # Texts without a single known n-gram score 0 for every language, as py3langid does.
    scores[np.diff(counts.indptr) == 0] = 0.0
    scores *= (1.0 / np.sqrt(np.maximum(np.array(lengths, dtype=np.float32), 1.0)))[:, None]
    scores = np.exp(scores - scores.max(axis=1, keepdims=True))
    scores /= scores.sum(axis=1, keepdims=True)
    for first, dupe in ident._alias_pairs:
        scores[:, first] += scores[:, dupe]
        scores[:, dupe] = 0.0
    best = scores.argmax(axis=1)
    classes = ident.nb_classes
    for row, i in enumerate(scored):
        out[i] = (classes[int(best[row])], round(float(scores[row, best[row]]), 4))
    return out


#: From this many texts on, the automaton walks all of them at once (one numpy step per
#: byte position instead of one Python step per byte); below it the plain loop is faster.
BATCH_WALK = 32


def _walk_each(ident, encoded: list[bytes]) -> tuple[np.ndarray, np.ndarray]:
    """(row, n-gram feature) of every feature the automaton emits, one text at a time."""
    rows: list[int] = []
    cols: list[int] = []
    nextmove, rowbase, output = ident.tk_nextmove, ident._rowbase, ident.tk_output
    for row, data in enumerate(encoded):
        state, found = 0, len(cols)
        for byte in data:
            state = nextmove[rowbase[state] + byte]
            feature = output[state]
            if feature >= 0:
                cols.append(feature)
        rows.extend([row] * (len(cols) - found))
    return np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64)


_tables: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}


def _numpy_tables(ident) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The automaton's tables as numpy arrays (the transition table is shared, not copied)."""
    key = id(ident)
    if key not in _tables:
        nextmove = np.frombuffer(ident.tk_nextmove, dtype=ident.tk_nextmove.typecode)
        rowbase = np.asarray(ident._rowbase, dtype=np.int64)
        output = np.asarray(ident.tk_output, dtype=np.int64)
        _tables[key] = (nextmove, rowbase, output)
    return _tables[key]


def _walk_batch(ident, encoded: list[bytes]) -> tuple[np.ndarray, np.ndarray]:
    """``_walk_each`` for the whole batch in lock step: texts sorted longest first, so
    that the texts still walking at byte ``j`` are the first ``alive[j]`` of them."""
    nextmove, rowbase, output = _numpy_tables(ident)
    lengths = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
    order = np.argsort(-lengths, kind="stable")
    sorted_lengths = lengths[order]
    starts = np.zeros(len(order), dtype=np.int64)
    np.cumsum(sorted_lengths[:-1], out=starts[1:])
    flat = np.frombuffer(b"".join([encoded[i] for i in order]), dtype=np.uint8).astype(np.int64)
    # alive[j]: how many texts have more than j bytes.
    alive = np.searchsorted(-sorted_lengths, -np.arange(int(sorted_lengths[0])), side="left")
    states = np.zeros(len(order), dtype=np.int64)
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    for j, k in enumerate(alive.tolist()):
        live = states[:k]
        live[:] = nextmove[rowbase[live] + flat[starts[:k] + j]]
        features = output[live]
        hit = np.flatnonzero(features >= 0)
        if len(hit):
            rows.append(order[hit])
            cols.append(features[hit])
    if not rows:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(rows), np.concatenate(cols)
