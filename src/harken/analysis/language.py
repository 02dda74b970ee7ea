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
    return _NOISE.sub(" ", _URLS.sub(" ", text))


def detect(text: str) -> tuple[str, float]:
    """``(code, confidence)`` for one cleaned text."""
    stripped = voting_text(text)
    if not any(ch.isalpha() for ch in stripped):
        return UNDETERMINED, 0.0
    code, confidence = identifier().classify(stripped)
    return code, round(float(confidence), 4)


def detect_many(texts: Sequence[str]) -> list[tuple[str, float]]:
    return [detect(text) for text in texts]
