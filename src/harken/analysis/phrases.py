"""Key phrases and the workspace's products and competitors named in a text.

Key phrases follow RAKE (Rose et al. 2010): stop words and punctuation split a text into
candidate phrases, each scored by its words' degree over frequency; hashtags count as
phrases of their own. Vocabulary matching is whole-word and case-insensitive, and returns
the workspace's own spelling.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

MAX_PHRASES = 3
MAX_WORDS = 3

_STOP = frozenset(
    """
    a about above after again against all am an and any are aren't as at be because been before
    being below between both but by can can't cannot could couldn't did didn't do does doesn't
    doing don't down during each few for from further get got had hadn't has hasn't have haven't
    having he her here hers herself him himself his how i i'm i've i'd i'll if in into is isn't
    it it's its itself just let's me more most much my myself no nor not now of off on once only
    or other ought our ours ourselves out over own please same she should shouldn't so some such
    than that that's the their theirs them themselves then there there's these they they're this
    those through to too under until up very was wasn't we we're were weren't what what's when
    where which while who whom why will with won't would wouldn't you you're your yours yourself
    yourselves hi hey hello thanks thank u ur im dont cant wont still also really one yet even
    ever like need want know us lol rt via amp gonna
    """.split()  # noqa: SIM905
)
_SPLIT = re.compile(r"[^\w'#-]+")
#: Punctuation that ends a clause: a phrase never runs across it ("a late order, nobody
#: answers" holds "late order", not "late order nobody").
_BREAK = re.compile(r"[.,;:!?()\[\]{}\"“”…|]+")
#: What a break becomes: a number, which ends a phrase as a stop word does.
_BREAK_WORD = " 0 "
_NOISE = re.compile(r"(?:https?://|www\.)\S+|@\w+")


def key_phrases(text: str) -> tuple[str, ...]:
    """Up to three phrases that say what the text is about, best first."""
    text = text.lower()
    if "@" in text or "http" in text or "www." in text:
        text = _NOISE.sub(" . ", text)
    hashtags = [w for w in _HASHTAGS.findall(text) if len(w) <= 40] if "#" in text else []
    text = _BREAK.sub(_BREAK_WORD, text)
    candidates = _candidates(text)
    # Plain dicts: a Counter costs more to build than a tweet's few words cost to count.
    freq: dict[str, int] = {}
    degree: dict[str, int] = {}
    for phrase in candidates:
        size = len(phrase)
        for word in phrase:
            freq[word] = freq.get(word, 0) + 1
            degree[word] = degree.get(word, 0) + size
    # A phrase of one word (most) is scored without a generator; the sum is the same float.
    scored = {
        " ".join(p): degree[p[0]] / freq[p[0]]
        if len(p) == 1
        else sum(degree[w] / freq[w] for w in p)
        for p in candidates
    }
    ranked = sorted(scored, key=lambda p: (-scored[p], p))
    out: list[str] = []
    for phrase in [*dict.fromkeys(hashtags), *ranked]:
        if phrase not in out:
            out.append(phrase)
            if len(out) == MAX_PHRASES:
                break
    return tuple(out)


_HASHTAGS = re.compile(r"#\w+")


@lru_cache(maxsize=2**16)
def _content_word(word: str) -> str:
    """The word as a phrase word, or "" when it splits phrases (stop word, number, ...)."""
    word = word.strip("'-")
    if not word or word in _STOP or word[0] == "#" or word.isdigit() or not 3 <= len(word) <= 30:
        return ""
    return word


def _candidates(text: str) -> list[tuple[str, ...]]:
    phrases: list[tuple[str, ...]] = []
    current: list[str] = []
    content = _content_word
    for raw in _SPLIT.split(text):
        word = content(raw)
        if word:
            current.append(word)
        elif current:
            phrases.append(tuple(current[:MAX_WORDS]))
            current = []
    if current:
        phrases.append(tuple(current[:MAX_WORDS]))
    return phrases


@lru_cache(maxsize=256)
def _vocabulary_pattern(terms: tuple[str, ...]) -> re.Pattern[str] | None:
    cleaned = sorted({t.strip() for t in terms if t and t.strip()}, key=len, reverse=True)
    if not cleaned:
        return None
    body = "|".join(re.escape(t) for t in cleaned)
    # Lookarounds instead of \b: terms may start or end with a symbol ("C++", "#brand").
    return re.compile(rf"(?<![\w]){'(?:' + body + ')'}(?![\w])", re.IGNORECASE)


def named(text: str, terms: Sequence[str]) -> tuple[str, ...]:
    """The terms of ``terms`` that ``text`` names, in the vocabulary's spelling and order."""
    pattern = _vocabulary_pattern(tuple(terms))
    if pattern is None:
        return ()
    found = {m.group(0).lower() for m in pattern.finditer(text)}
    return tuple(t for t in dict.fromkeys(terms) if t.strip().lower() in found)
